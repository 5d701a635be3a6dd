#!/usr/bin/env bash
# One run, one machine: nabra next to ../shared/anchors/baseline.py (scikit-learn, fastText)
# on the same split of the same CSV.
#
#   benches/compare.sh mawqif                                 # stance, target-aware
#   benches/compare.sh arsas --balance oversample --alpha 3   # sentiment
#
# Arguments after the data set name are passed to `nabra train`.
# Installs the Python side into /tmp/anchors (a virtual environment) if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-mawqif}
shift || true
data=../shared/datasets/$name.csv
[ -f "$data" ] || { echo "skipped: $data not present"; exit 0; }
if [ ! -x /tmp/anchors/bin/python3 ]; then
  echo "installing scikit-learn and fastText into /tmp/anchors (virtual environment)" >&2
  python3 -m venv /tmp/anchors
  /tmp/anchors/bin/python3 -m pip install -q scikit-learn fasttext-wheel 'numpy<2'
fi
extra=()
[ "$name" = mawqif ] && extra=(--with-target)
cargo build --release -q
model=$(mktemp -d)/$name.model
echo "== baseline.py =="
/tmp/anchors/bin/python3 ../shared/anchors/baseline.py "$data" "${extra[@]}"
echo "== nabra (train: all train rows; eval: test split, one thread) =="
/usr/bin/time -f "nabra train: %e s wall, peak RSS %M KB" \
  target/release/nabra train --data "$data" --split train --dev-fraction 0 --out "$model" "$@" >/dev/null
RAYON_NUM_THREADS=1 target/release/nabra eval --model "$model" --data "$data" --split test --json
