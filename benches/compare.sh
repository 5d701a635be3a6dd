#!/usr/bin/env bash
# One run, one machine: nabra next to ../shared/anchors/baseline.py (scikit-learn
# and fastText) on the same split of the same CSV, printed as one table with
# nabra/peer ratios.
#
#   benches/compare.sh mawqif                                 # stance, target-aware
#   benches/compare.sh arsas --balance oversample --alpha 3   # sentiment
#
# Arguments after the data set name are passed to `nabra train`. Prediction is
# timed on one thread for every system (baseline.py does the same). Peak RSS is
# each process's maximum resident set (GNU time), training and prediction.
# Installs the Python side into /tmp/anchors (a virtual environment) if it is
# missing, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-mawqif}
shift || true
data=../shared/datasets/$name.csv
[ -f "$data" ] || { echo "skipped: $data not present"; exit 0; }
py=/tmp/anchors/bin/python3
if [ ! -x $py ]; then
  echo "installing scikit-learn and fastText into /tmp/anchors (virtual environment)" >&2
  python3 -m venv /tmp/anchors
  $py -m pip install -q scikit-learn fasttext-wheel 'numpy<2'
fi
extra=()
[ "$name" = mawqif ] && extra=(--with-target)
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for sys in sklearn fasttext; do
  echo "running baseline.py --systems $sys" >&2
  /usr/bin/time -f "%M" -o "$work/$sys.rss" \
    $py ../shared/anchors/baseline.py "$data" "${extra[@]}" --systems $sys --json > "$work/$sys.json"
done
echo "running nabra train + eval" >&2
/usr/bin/time -f "%e %M" -o "$work/train.time" \
  target/release/nabra train --data "$data" --split train --dev-fraction 0 --out "$work/m.model" "$@" >/dev/null 2>"$work/train.log"
RAYON_NUM_THREADS=1 /usr/bin/time -f "%M" -o "$work/eval.rss" \
  target/release/nabra eval --model "$work/m.model" --data "$data" --split test --json > "$work/nabra.json" 2>/dev/null
$py - "$work" "$name" <<'PY'
import json, sys, os
w, name = sys.argv[1], sys.argv[2]
rows = {}
for s in ("sklearn", "fasttext"):
    r = json.load(open(f"{w}/{s}.json"))[s]
    r["rss_mb"] = int(open(f"{w}/{s}.rss").read().split()[-1]) / 1024
    rows[s] = r
n = json.load(open(f"{w}/nabra.json"))
secs, rss = open(f"{w}/train.time").read().split()[-2:]
rows["nabra"] = dict(accuracy=n["accuracy"], macro_f1=n["macro_f1"], f_avg=n.get("f_avg"),
                     fit_s=float(secs), predict_texts_per_s=n["predict_texts_per_s"],
                     predict_mb_per_s=n["predict_mb_per_s"],
                     rss_mb=max(int(rss), int(open(f"{w}/eval.rss").read().split()[-1])) / 1024)
print(f"{name}: train {rows['sklearn']['train_rows']} rows, test {rows['sklearn']['test_rows']} rows; "
      f"{os.cpu_count()} cores; prediction on one thread")
print(f"| system | acc | macro-F1 | F_avg | fit s | predict texts/s | predict MB/s | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for s, r in rows.items():
    fa = f"{r['f_avg']:.3f}" if r.get("f_avg") is not None else "-"
    print(f"| {s} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {fa} | {r['fit_s']:.2f} | "
          f"{r['predict_texts_per_s']:,.0f} | {r['predict_mb_per_s']:.3f} | {r['rss_mb']:,.0f} |")
print()
print("| nabra / peer | macro-F1 | F_avg | fit time | predict texts/s | peak RSS |")
print("|---|---|---|---|---|---|")
nb = rows["nabra"]
for s in ("sklearn", "fasttext"):
    r = rows[s]
    fa = f"{nb['f_avg'] - r['f_avg']:+.3f}" if nb.get("f_avg") is not None and r.get("f_avg") is not None else "-"
    print(f"| vs {s} | {nb['macro_f1'] - r['macro_f1']:+.3f} | {fa} | {nb['fit_s'] / r['fit_s']:.2f}× | "
          f"{nb['predict_texts_per_s'] / r['predict_texts_per_s']:.1f}× | {nb['rss_mb'] / r['rss_mb']:.2f}× |")
PY
