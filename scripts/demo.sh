#!/usr/bin/env bash
# `make demo`: fetch MiniLM and the Rotten Tomatoes sentences, fine-tune a sentence-polarity
# classifier for one epoch (length-bucketed batches, max 64 tokens, batch flooding at b = 0.1: the raw
# and flooded losses are logged side by side), and print test accuracy on
# the committed split. Setup, build and training times are printed separately.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
RUNS="${KEXUE_DEMO_RUNS:-${KEXUE_HOME:-$HOME/.cache/kexue}/runs}"
KEXUE=.build/release/kexue

t=$SECONDS
bash scripts/setup.sh
echo "demo: setup (downloads) took $((SECONDS - t)) s"

t=$SECONDS
"$SWIFT" build -c release --product kexue
echo "demo: build took $((SECONDS - t)) s"

echo "demo: fine-tuning MiniLM on Rotten Tomatoes (train 80%, model selection on validation 10%, test 10%)"
t=$SECONDS
"$KEXUE" classify train --dataset rotten-tomatoes --epochs 1 --batch-size 32 --max-length 64 --lr 1e-4 --flood 0.1 \
    --seed 0 --runs-dir "$RUNS" --name demo-rotten-tomatoes --fresh | tee /tmp/kexue-demo.json
echo "demo: fine-tuning and evaluation took $((SECONDS - t)) s"

python3 - /tmp/kexue-demo.json <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"demo: Rotten Tomatoes test accuracy {100 * r['test_accuracy']:.2f}% on {r['test_examples']} sentences "
      f"(validation {100 * r['validation_accuracy']:.2f}%); model in {r['best']}")
PY

echo "demo: explaining the first 8 test sentences with integrated gradients (50 Gauss–Legendre steps)"
t=$SECONDS
"$KEXUE" explain --model "$RUNS/demo-rotten-tomatoes/best" --dataset rotten-tomatoes --limit 8 \
    --html "$RUNS/demo-rotten-tomatoes/explanations.html" > /tmp/kexue-demo-explain.jsonl
python3 - /tmp/kexue-demo-explain.jsonl <<'PY'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    top = sorted(r["words"], key=lambda w: -abs(w["score"]))[:3]
    print(f"  {r['label']} ({r['probability']:.2f}) delta {r['delta']:+.1e}: "
          + ", ".join(f"{w['text']} {w['score']:+.2f}" for w in top))
PY
echo "demo: explanations took $((SECONDS - t)) s; report in $RUNS/demo-rotten-tomatoes/explanations.html"
