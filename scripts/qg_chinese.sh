#!/usr/bin/env bash
# The Chinese QG demonstration (issue #10 item 5): no Chinese BERT is available here, so a small
# UniLM (4 layers, hidden 256) is trained from scratch on CMRC2018 trial + XQuAD-zh with a
# character vocabulary built from those files, then evaluated on CMRC2018 dev (BLEU-4 and ROUGE-L
# on characters, three references per question; answers' EM/F1 and span validity).
#
#   bash scripts/qg_chinese.sh            # EPOCHS=30 by default; resumable
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${KEXUE_BIN:-.build/release/kexue}"
ZH="${QA_DIR:-../shared/data/qa}/zh"
HOME_DIR="${KEXUE_HOME:-$HOME/.cache/kexue}"
VOCAB="$HOME_DIR/runs/qg-zh-vocab"
"$BIN" qg vocab --data "$ZH/cmrc2018_trial.json" --data "$ZH/xquad_zh.json" --output "$VOCAB"
resume=()
if compgen -G "$HOME_DIR/runs/qg-zh/checkpoint-*" > /dev/null; then resume=(--resume); fi
"$BIN" qg train --data "$ZH/cmrc2018_trial.json" --data "$ZH/xquad_zh.json" --from-scratch --pretrained "$VOCAB" \
    --layers 4 --hidden 256 --heads 4 --epochs "${EPOCHS:-30}" --batch-size 32 --lr 1e-3 --max-passage 160 \
    --validation-fraction 0.05 --threads "${THREADS:-1}" --name qg-zh "${resume[@]}" | tail -n 1
"$BIN" qg eval --model "$HOME_DIR/runs/qg-zh/best" --data "$ZH/cmrc2018_dev.json" --limit "${LIMIT:-500}" \
    --pairs-per-passage 3 --threads "${THREADS:-1}" --output "$HOME_DIR/runs/qg-zh/eval.jsonl" | tail -n 1
