#!/usr/bin/env bash
# The English QG recipe of issue #10 in one resumable command: fine-tune MiniLM as a UniLM on
# SQuAD v1.1 dev + SQuADShifts new_wiki, then evaluate on the held-out Du et al. 2017 test split
# (BLEU-4 / ROUGE-L of questions from gold answers; EM/F1, raw span validity and length of
# sampled answers), as two 1-thread shard processes sharing one journal, then the totals.
#
#   bash scripts/qg_english.sh                 # EPOCHS=6, the whole Du split (LIMIT=0)
#   LIMIT=1000 bash scripts/qg_english.sh      # the fixed 1k subset used while iterating
#   STAGE=eval bash scripts/qg_english.sh      # only the evaluation (train|eval|all)
#   GREEDY=0 bash scripts/qg_english.sh        # beams only: skip the greedy decode beside them
#
# Every stage resumes: training from its latest checkpoint (Ctrl-C saves one), evaluation from
# its journal. Re-running after an interruption continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${KEXUE_BIN:-.build/release/kexue}"
EN="${QA_DIR:-../shared/data/qa}/en"
HOME_DIR="${KEXUE_HOME:-$HOME/.cache/kexue}"
NAME="${NAME:-qg-minilm-e${EPOCHS:-6}}"
RUN="$HOME_DIR/runs/$NAME"
STAGE="${STAGE:-all}"
LIMIT="${LIMIT:-0}"
greedy=(--compare-greedy)
if [[ "${GREEDY:-1}" == 0 ]]; then greedy=(); fi

if [[ "$STAGE" == all || "$STAGE" == train ]]; then
    resume=()
    if compgen -G "$RUN/checkpoint-*" > /dev/null; then resume=(--resume); fi
    "$BIN" qg train --data "$EN/squad_v1.1_dev.json" --data "$EN/squadshifts_new_wiki_v1.0.json" \
        --epochs "${EPOCHS:-6}" --batch-size 16 --lr "${LR:-1e-4}" --threads "${THREADS:-2}" \
        --name "$NAME" "${resume[@]}" | tail -n 1
fi

if [[ "$STAGE" == all || "$STAGE" == eval ]]; then
    limit=()
    suffix=full
    if [[ "$LIMIT" != 0 ]]; then limit=(--limit "$LIMIT"); suffix="$LIMIT"; fi
    journal="$RUN/eval-du-$suffix.jsonl"
    pids=()
    for shard in 0 1; do
        "$BIN" qg eval --model "$RUN/best" --data "$EN/squad_du2017_test.json" "${limit[@]}" \
            "${greedy[@]}" --threads 1 --journal "$journal" --shard "$shard/2" > /dev/null &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done   # a failed shard stops the script (set -e)
    "$BIN" qg eval --model "$RUN/best" --data "$EN/squad_du2017_test.json" "${limit[@]}" \
        "${greedy[@]}" --threads 2 --journal "$journal" | tail -n 1
fi
