#!/usr/bin/env bash
# The UniLM template task (METHODS.md §4(d)[E]): a 2-layer model trained from scratch on synthetic
# biographies (scripts/qg_template_data.py), then `kexue qg generate` on 100 held-out passages.
# Reports the share of sampled answers that are passage spans (bar ≥ 90 %), the share of questions
# that match the template of their answer, and whether repeated calls with other seeds differ.
#
#   bash scripts/qg_template.sh          # ≈ 10 min on one core
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${KEXUE_BIN:-.build/release/kexue}"
HOME_DIR="${KEXUE_HOME:-$HOME/.cache/kexue}"
WORK="$HOME_DIR/runs/qg-template-data"
mkdir -p "$WORK"
python3 scripts/qg_template_data.py "$WORK/train.json" --passages 2000 --seed 1
python3 scripts/qg_template_data.py "$WORK/test.json" --passages 100 --seed 2
resume=()
if compgen -G "$HOME_DIR/runs/qg-template/checkpoint-*" > /dev/null; then resume=(--resume); fi
"$BIN" qg train --data "$WORK/train.json" --from-scratch --layers 2 --hidden 128 --heads 4 --epochs "${EPOCHS:-6}" \
    --batch-size 32 --lr 2e-3 --validation-fraction 0.05 --threads "${THREADS:-1}" --name qg-template "${resume[@]}" | tail -n 1
mapfile -t passages < <(python3 -c 'import json,sys; [print(p["context"]) for p in json.load(open(sys.argv[1]))["data"][0]["paragraphs"]]' "$WORK/test.json")
for seed in 1 2; do
    "$BIN" qg generate --model "$HOME_DIR/runs/qg-template/best" --pairs 3 --seed "$seed" --threads "${THREADS:-1}" "${passages[@]}" > "$WORK/generated-$seed.jsonl"
done
python3 - "$WORK" <<'PY'
import json, re, sys
work = sys.argv[1]
runs = [[json.loads(l) for l in open(f"{work}/generated-{s}.jsonl")] for s in (1, 2)]
drawn = sum(o["answers_drawn"] for o in runs[0]); valid = sum(o["answers_in_passage"] for o in runs[0])
templates = {"where was": r"^where was [a-z]+ [a-z]+ born \?$", "when was": r"^when was [a-z]+ [a-z]+ born \?$",
             "what did": r"^what did [a-z]+ [a-z]+ study \?$", "where did": r"^where did [a-z]+ [a-z]+ study \?$"}
sys.path.insert(0, "scripts")
from qg_template_data import CITY, SCHOOL, SUBJECT
def expected(answer):
    a = answer.lower()
    return ("when was" if a.isdigit() else "where was" if a in CITY else "where did" if a in SCHOOL
            else "what did" if a in SUBJECT else None)
pairs = [p for o in runs[0] for p in o["pairs"]]
ok = sum(1 for p in pairs if expected(p["answer"]) and re.match(templates[expected(p["answer"])], p["question"]))
differ = sum(a["pairs"] != b["pairs"] for a, b in zip(*runs))
print(json.dumps({"passages": len(runs[0]), "answers_drawn": drawn, "span_validity": valid / max(drawn, 1),
                  "pairs": len(pairs), "template_match": ok / max(len(pairs), 1),
                  "passages_differing_between_seeds": differ}))
PY
