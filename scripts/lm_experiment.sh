#!/usr/bin/env bash
# The character-LM comparison of METHODS.md §3(d)[E] (issue #6): one fixed configuration trained with
# softmax and with linear (elu+1) attention on the SQuAD dev + SQuADShifts new_wiki contexts, plus the
# bigram baseline that `kexue lm train` reports beside each run. Resumable (run folders under
# $KEXUE_HOME/runs/lm-*); prints one JSON line per model and writes lm-results.jsonl there.
#
#   bash scripts/lm_experiment.sh            # ≈ 20 min per model on one core
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${KEXUE_BIN:-.build/release/kexue}"
QA="${QA_DIR:-../shared/data/qa/en}"
HOME_DIR="${KEXUE_HOME:-$HOME/.cache/kexue}"
OUT="$HOME_DIR/runs/lm-results.jsonl"
common=(--data "$QA/squad_v1.1_dev.json" --data "$QA/squadshifts_new_wiki_v1.0.json"
        --layers 4 --hidden 128 --heads 4 --context 128 --epochs "${EPOCHS:-3}" --batch-size 32 --lr 1e-3
        --seed 1 --threads "${THREADS:-1}")
mkdir -p "$HOME_DIR/runs"
for attention in softmax linear; do
    name="lm-$attention"
    resume=()
    if compgen -G "$HOME_DIR/runs/$name/checkpoint-*" > /dev/null; then resume=(--resume); fi
    "$BIN" lm train "${common[@]}" --attention "$attention" --name "$name" "${resume[@]}" | tail -n 1 | tee -a "$OUT"
done
