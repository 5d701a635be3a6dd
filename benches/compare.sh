#!/usr/bin/env bash
# One run, one machine: nabra next to ../shared/anchors/baseline.py (scikit-learn
# and fastText) on the same split of the same CSV, printed as one table with
# nabra/peer ratios.
#
#   benches/compare.sh mawqif                                 # stance, target-aware
#   benches/compare.sh arsas --balance oversample --alpha 3   # sentiment
#
# nabra runs twice: with its default recipe, and with word clusters learned
# (`nabra clusters`) from the train splits of the tweet corpora in
# ../shared/datasets (MARSA, ArSAS, ASTD and the data set itself; unlabeled
# use, test splits never read). Building the clusters is timed separately and
# not counted in "fit s": like pretrained vectors, they are built once and
# reused. The clusters run also passes --char-ngrams 3-5: with clusters,
# dropping character 2-grams kept nested-CV F_avg (0.761 against 0.760) and
# recovered most of the prediction speed the cluster features cost (README).
#
# Arguments after the data set name are passed to `nabra train`. Prediction is
# timed on one thread for every system (baseline.py does the same). Peak RSS is
# each process's maximum resident set (GNU time), training and prediction.
#
# Timings on a shared host drift by tens of percent from one minute to the
# next, and the test split of Mawqif predicts in ~15 ms, so one measurement
# per system can land on a slow moment for one system and a fast one for
# another. The script therefore runs every system REPEAT times (default 3),
# round-robin, with nabra's prediction and training timed right after
# scikit-learn's in each repetition, and reports the median fit time and
# prediction speed per system, with each repetition's figures and, for the
# ratios, also the median of the per-repetition (paired) ratios. Quality
# figures come from the first repetition; nabra's must be identical in every
# repetition, and its model files byte-identical (deterministic), or the
# script fails. nabra's prediction is also timed over PASSES passes over the
# test texts (default 25, `nabra eval --passes`), which makes its timing
# about as long as scikit-learn's single pass; both figures are printed.
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
repeat=${REPEAT:-3}
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "REPEAT must be a positive integer, got '$repeat'" >&2; exit 2; }
passes=${PASSES:-25}
[[ "$passes" =~ ^[1-9][0-9]*$ ]] || { echo "PASSES must be a positive integer, got '$passes'" >&2; exit 2; }
extra=()
[ "$name" = mawqif ] && extra=(--with-target)
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpora=()
for c in marsa arsas astd; do
  [ "$c" != "$name" ] && [ -f "../shared/datasets/$c.csv" ] && corpora+=("../shared/datasets/$c.csv")
done
corpora+=("$data")
echo "running nabra clusters" >&2
/usr/bin/time -f "%e %M" -o "$work/clusters.time" \
  target/release/nabra clusters --data "${corpora[@]}" --split train --out "$work/w.clusters" 2>"$work/clusters.log"
train_args=("$@")
cluster_flags=(--clusters "$work/w.clusters" --char-ngrams 3-5)
train_one() {  # train_one TIME-FILE MODEL [recipe flags]: timed (fit s, peak RSS)
  local timefile=$1 out=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$timefile" \
    target/release/nabra train --data "$data" --split train --dev-fraction 0 --out "$out" "$@" "${train_args[@]}" >/dev/null 2>>"$work/train.log"
}
eval_one() {  # eval_one RSS-FILE MODEL JSON-OUT: on one thread
  RAYON_NUM_THREADS=1 /usr/bin/time -f "%M" -o "$1" \
    target/release/nabra eval --model "$2" --data "$data" --split test --json \
    --passes "$passes" > "$3" 2>/dev/null
}
train_nabra() {  # train_nabra REP: both recipes
  train_one "$work/train.$1.time" "$work/m.$1.model"
  train_one "$work/train_c.$1.time" "$work/c.$1.model" "${cluster_flags[@]}"
}
baseline() {  # baseline SYSTEM REP: baseline.py, under GNU time for peak RSS
  echo "[$2/$repeat] running baseline.py --systems $1" >&2
  /usr/bin/time -f "%M" -o "$work/$1.$2.rss" \
    $py ../shared/anchors/baseline.py "$data" "${extra[@]}" --systems "$1" --json > "$work/$1.$2.json"
}
eval_nabra() {  # eval_nabra REP MODEL-REP: both recipes
  eval_one "$work/eval.$1.rss" "$work/m.$2.model" "$work/nabra.$1.json"
  eval_one "$work/eval_c.$1.rss" "$work/c.$2.model" "$work/nabra_c.$1.json"
}
# Each repetition predicts with the models of the one before (the first
# with models trained here, untimed), so that nabra's prediction runs right
# after scikit-learn's and nabra's training right after that: the pairs
# whose ratios are reported are timed seconds apart, not a minute apart.
echo "training the nabra models for the first repetition" >&2
train_nabra 0
for r in $(seq 1 "$repeat"); do
  baseline sklearn "$r"
  echo "[$r/$repeat] running nabra eval, then train, default and with word clusters" >&2
  eval_nabra "$r" "$((r - 1))"
  train_nabra "$r"
  # deterministic: the same data and seed give the same model files
  for m in m c; do
    cmp -s "$work/$m.$((r - 1)).model" "$work/$m.$r.model" \
      || { echo "nabra $m model differs between trainings (not deterministic)" >&2; exit 1; }
  done
  baseline fasttext "$r"
done
$py - "$work" "$name" "$repeat" "$passes" <<'PY'
import json, sys, os, statistics
w, name, reps, passes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
QUALITY = ("accuracy", "macro_f1", "f_avg")
def rss_mb(path):
    return int(open(path).read().split()[-1]) / 1024
def summarize(runs):
    """Quality from the first repetition; median fit time and speed; max RSS."""
    r = dict(runs[0])
    for k in ("fit_s", "predict_texts_per_s", "predict_mb_per_s", "passes_texts_per_s"):
        if k in runs[0]:
            r[k] = statistics.median(x[k] for x in runs)
    r["rss_mb"] = max(x["rss_mb"] for x in runs)
    r["runs"] = runs
    return r
rows = {}
for s in ("sklearn", "fasttext"):
    runs = []
    for i in range(1, reps + 1):
        x = json.load(open(f"{w}/{s}.{i}.json"))[s]
        x["rss_mb"] = rss_mb(f"{w}/{s}.{i}.rss")
        runs.append(x)
    rows[s] = summarize(runs)
def nabra(tag, train, evalrss):
    runs = []
    for i in range(1, reps + 1):
        n = json.load(open(f"{w}/{tag}.{i}.json"))
        secs, rss = open(f"{w}/{train}.{i}.time").read().split()[-2:]
        runs.append(dict(accuracy=n["accuracy"], macro_f1=n["macro_f1"], f_avg=n.get("f_avg"),
                         fit_s=float(secs), predict_texts_per_s=n["predict_texts_per_s"],
                         predict_mb_per_s=n["predict_mb_per_s"],
                         passes_texts_per_s=n.get("passes_texts_per_s", n["predict_texts_per_s"]),
                         rss_mb=max(int(rss) / 1024, rss_mb(f"{w}/{evalrss}.{i}.rss"))))
    for x in runs[1:]:
        if any(x[k] != runs[0][k] for k in QUALITY):
            sys.exit(f"{tag}: quality differs between repetitions (not deterministic): "
                     f"{[{k: y[k] for k in QUALITY} for y in runs]}")
    return summarize(runs)
rows["nabra"] = nabra("nabra", "train", "eval")
rows["nabra + word clusters"] = nabra("nabra_c", "train_c", "eval_c")
print(f"{name}: train {rows['sklearn']['train_rows']} rows, test {rows['sklearn']['test_rows']} rows; "
      f"{os.cpu_count()} cores; prediction on one thread; {reps} repetition(s), "
      f"median fit time and speed")
# nabra's prediction is timed twice per repetition: its first pass over the
# test texts, and all PASSES passes together (one pass takes milliseconds,
# scikit-learn's one pass a few hundred; the passes make the two timings
# about as long, so both average over the host's fast and slow spells alike).
print(f"| system | acc | macro-F1 | F_avg | fit s | predict texts/s (one pass) | predict MB/s | "
      f"predict texts/s ({passes} passes) | peak RSS MB | predict texts/s per repetition (one pass; {passes} passes) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for s, r in rows.items():
    fa = f"{r['f_avg']:.3f}" if r.get("f_avg") is not None else "-"
    each = ", ".join(f"{x['predict_texts_per_s']:,.0f}" for x in r["runs"])
    many = "-"
    if "passes_texts_per_s" in r:
        many = f"{r['passes_texts_per_s']:,.0f}"
        each += "; " + ", ".join(f"{x['passes_texts_per_s']:,.0f}" for x in r["runs"])
    print(f"| {s} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {fa} | {r['fit_s']:.2f} | "
          f"{r['predict_texts_per_s']:,.0f} | {r['predict_mb_per_s']:.3f} | {many} | {r['rss_mb']:,.0f} | {each} |")
print()
# Two summaries of the speed ratios: the ratio of the medians, and the
# median of the per-repetition ratios (each repetition's two timings were
# taken seconds apart, so the host's slow and fast spells affect both).
print("| nabra / peer | macro-F1 | F_avg | fit time | fit time, median of paired | predict texts/s | "
      f"predict, median of paired | predict, {passes} passes | predict, {passes} passes, median of paired | "
      f"peak RSS | predict ratio per repetition (one pass; {passes} passes) | fit ratio per repetition |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for tag in ("nabra", "nabra + word clusters"):
    nb = rows[tag]
    for s in ("sklearn", "fasttext"):
        r = rows[s]
        fa = f"{nb['f_avg'] - r['f_avg']:+.3f}" if nb.get("f_avg") is not None and r.get("f_avg") is not None else "-"
        speed = [a["predict_texts_per_s"] / b["predict_texts_per_s"] for a, b in zip(nb["runs"], r["runs"])]
        many = [a["passes_texts_per_s"] / b["predict_texts_per_s"] for a, b in zip(nb["runs"], r["runs"])]
        fit = [a["fit_s"] / b["fit_s"] for a, b in zip(nb["runs"], r["runs"])]
        print(f"| {tag} vs {s} | {nb['macro_f1'] - r['macro_f1']:+.3f} | {fa} | {nb['fit_s'] / r['fit_s']:.2f}× | "
              f"{statistics.median(fit):.2f}× | "
              f"{nb['predict_texts_per_s'] / r['predict_texts_per_s']:.1f}× | {statistics.median(speed):.1f}× | "
              f"{nb['passes_texts_per_s'] / r['predict_texts_per_s']:.1f}× | {statistics.median(many):.1f}× | "
              f"{nb['rss_mb'] / r['rss_mb']:.2f}× | {', '.join(f'{x:.1f}×' for x in speed)}; "
              f"{', '.join(f'{x:.1f}×' for x in many)} | {', '.join(f'{x:.2f}×' for x in fit)} |")
secs, rss = open(f"{w}/clusters.time").read().split()[-2:]
log = open(f"{w}/clusters.log").read().strip().splitlines()
print()
print(f"word clusters: {log[-1] if log else '?'} (wall {float(secs):.1f} s, peak RSS {int(rss) / 1024:,.0f} MB; "
      f"not in fit s); texts: " + "; ".join(l for l in log[:-1] if l.endswith(" texts")))
PY
