#!/usr/bin/env bash
# Rebuilds the default models shipped in models/ (and embedded in the binary)
# from our own corpora in datasets/. Same data and seed give the same files.
#
#   bash models/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
nabra=target/release/nabra
common=(--split train --dev-split dev --test-split test --k 20000 --seed 42)
$nabra train --data datasets/news_stance.csv "${common[@]}" --out models/stance.model
$nabra train --data datasets/news_sentiment.csv "${common[@]}" --out models/sentiment.model
ls -l models/*.model
