#!/usr/bin/env bash
# BERT-of-Theseus on the Rotten Tomatoes splits, MiniLM 6 → 3 (METHODS.md §5(d)[E]):
#   (a) the fine-tuned 6-layer predecessor       kexue classify train
#   (b) its first 3 layers fine-tuned directly    kexue compress --preset paper --theseus-epochs 0
#   (b′) the pre-trained first 3 layers fine-tuned kexue classify train --layers 3 (2 × EPOCHS epochs:
#        the paper's and Su's "BERT-3L" baseline, trained as long as Theseus trains its successor)
#   (c) Theseus 3 layers, each preset             kexue compress --preset paper|su
# per seed; then test accuracy mean ± std, the share (c − b)/(a − b) with a bootstrap 95 % interval
# (resampling seeds), the measured speed-up, and a markdown table (results.md).
# Resumable: a finished stage's JSON is kept and skipped; an unfinished one resumes from its checkpoint.
#
#   SEEDS="1 2 3 4 5" EPOCHS=2 bash scripts/theseus_experiment.sh          # the full experiment
#   LIMIT=2000 NAME=theseus-demo bash scripts/theseus_experiment.sh        # short form (make demo-full)
#   VARIANTS="paper su paper@linear:1.3e-3:0.3" bash scripts/…             # extra (c) rows: preset@replacement-rate
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${KEXUE_BIN:-.build/release/kexue}"
SEEDS="${SEEDS:-1 2 3}"
EPOCHS="${EPOCHS:-2}"
MAXLEN="${MAXLEN:-64}"
NAME="${NAME:-theseus-experiment}"
HOME_DIR="${KEXUE_HOME:-$HOME/.cache/kexue}"
RUNS="${RUNS_DIR:-$HOME_DIR/runs}/$NAME"
LIMIT_ARG=()
[ -n "${LIMIT:-}" ] && LIMIT_ARG=(--limit "$LIMIT")
mkdir -p "$RUNS"
common=(--dataset rotten-tomatoes --max-length "$MAXLEN" --threads "${THREADS:-1}" --runs-dir "$RUNS" "${LIMIT_ARG[@]}")

stage() {  # stage NAME COMMAND...: runs once, keeps its JSON result
    local name="$1"; shift
    if [ -s "$RUNS/$name.json" ]; then echo "== $name: done"; return; fi
    echo "== $name: $*"
    local resume=()
    # A folder without a checkpoint (stopped before the first save) starts afresh.
    if compgen -G "$RUNS/$name/checkpoint-*" > /dev/null; then resume=(--resume); else rm -rf "${RUNS:?}/$name"; fi
    "$BIN" "$@" --name "$name" "${resume[@]}" > "$RUNS/$name.json.tmp"
    tail -n 1 "$RUNS/$name.json.tmp" > "$RUNS/$name.json" && rm -f "$RUNS/$name.json.tmp"
}

for seed in $SEEDS; do
    stage "a-s$seed" classify train --epochs "$EPOCHS" --seed "$seed" "${common[@]}"
    pred="$RUNS/a-s$seed/best"
    stage "p-s$seed" classify train --layers 3 --epochs "$((EPOCHS * 2))" --seed "$seed" "${common[@]}"
    stage "b-s$seed" compress --predecessor "$pred" --layers 3 --preset paper --theseus-epochs 0 --successor-epochs "$EPOCHS" --seed "$seed" "${common[@]}"
    for variant in ${VARIANTS:-paper su}; do
        preset="${variant%%@*}"; rate=()
        [ "$variant" != "$preset" ] && rate=(--replacement-rate "${variant#*@}")
        stage "c-${variant//[@:]/-}-s$seed" compress --predecessor "$pred" --layers 3 --preset "$preset" "${rate[@]}" --theseus-epochs "$EPOCHS" --successor-epochs "$EPOCHS" --seed "$seed" "${common[@]}"
    done
done
[ -s "$RUNS/speed.json" ] || "$BIN" bench theseus-forward --threads 1 --repeat "${BENCH_REPEAT:-5}" > "$RUNS/speed.json"

python3 - "$RUNS" "$SEEDS" "${VARIANTS:-paper su}" <<'PY'
import json, random, statistics, sys
runs, seeds = sys.argv[1], sys.argv[2].split()
variants = [v.replace("@", "-").replace(":", "-") for v in sys.argv[3].split()]
acc = lambda name: json.load(open(f"{runs}/{name}.json"))["test_accuracy"] * 100
rows = {"a": [acc(f"a-s{s}") for s in seeds], "b": [acc(f"b-s{s}") for s in seeds],
        "p": [acc(f"p-s{s}") for s in seeds]}
for p in variants: rows[f"c-{p}"] = [acc(f"c-{p}-s{s}") for s in seeds]
speed = [json.loads(l) for l in open(f"{runs}/speed.json")][-1]["speedup"]
ms = lambda xs: (statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0)
def share(idx, key, base="b"):
    a = statistics.mean(rows["a"][i] for i in idx); b = statistics.mean(rows[base][i] for i in idx)
    c = statistics.mean(rows[key][i] for i in idx)
    return (c - b) / (a - b) if a != b else float("nan")
rng = random.Random(0)
n = len(seeds)
out = [f"| model | layers | test accuracy % (mean ± std, {n} seeds) | share (c − b)/(a − b), 95 % bootstrap over seeds | share (c − b′)/(a − b′) |",
       "|---|---|---|---|---|"]
names = {"a": "(a) fine-tuned predecessor", "b": "(b) the predecessor's first 3 layers fine-tuned",
         "p": "(b′) the pre-trained first 3 layers fine-tuned (the paper's baseline)",
         **{f"c-{v}": f"(c) Theseus, preset {v.split('-', 1)[0]}" + (f", rate {v.split('-', 1)[1]}" if "-" in v else "") for v in variants}}
def cell(key, base):
    # Seeds are resampled together, so each bootstrap draw keeps a seed's (a, b, c) triple.
    boots = sorted(share([rng.randrange(n) for _ in range(n)], key, base) for _ in range(10000))
    boots = [x for x in boots if x == x]
    lo, hi = boots[int(0.025 * len(boots))], boots[int(0.975 * len(boots)) - 1]
    return f"{share(range(n), key, base) * 100:.0f} % [{lo * 100:.0f}, {hi * 100:.0f}]"
for key in ["a", "b", "p"] + [f"c-{v}" for v in variants]:
    m, s = ms(rows[key])
    cells = [cell(key, "b"), cell(key, "p")] if key.startswith("c") else ["", ""]
    out.append(f"| {names[key]} | {6 if key == 'a' else 3} | {m:.2f} ± {s:.2f} | {cells[0]} | {cells[1]} |")
out.append(f"\nSuccessor inference speed-up (batch 8, seq 128, 1 thread, same run): **{speed:.2f}x**.")
open(f"{runs}/results.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
