#!/usr/bin/env bash
# CLI smoke tests: every `kexue` subcommand on tiny data, plus bad input that must fail clearly.
# Prints "ok - NAME" / "not ok - NAME" per check and "smoke: N passed, M failed"; exits non-zero
# on any failure. Uses .build/release/kexue (or $KEXUE_BIN) and the data `make setup` fetched.
set -uo pipefail
cd "$(dirname "$0")/.."
K="${KEXUE_BIN:-.build/release/kexue}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0

check() {  # check NAME COMMAND… : passes when the command succeeds
    local name="$1"; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then echo "ok - $name"; pass=$((pass + 1))
    else echo "not ok - $name"; sed 's/^/    /' "$tmp/err" | tail -5; fail=$((fail + 1)); fi
}
fails_with() {  # fails_with NAME TEXT COMMAND… : passes when the command fails and says TEXT
    local name="$1" text="$2"; shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err"; then echo "not ok - $name (succeeded)"; fail=$((fail + 1))
    elif grep -q -- "$text" "$tmp/err" "$tmp/out"; then echo "ok - $name"; pass=$((pass + 1))
    else echo "not ok - $name (no '$text' in the error)"; tail -3 "$tmp/err"; fail=$((fail + 1)); fi
}
expect() {  # expect NAME PYTHON-CONDITION-ON-x : every JSON line the previous command printed satisfies it
    local name="$1" cond="$2"
    if python3 -c "import json,sys; d=[json.loads(l) for l in open('$tmp/out') if l.strip()]; sys.exit(0 if d and all($cond for x in d) else 1)" 2>"$tmp/err"; then
        echo "ok - $name"; pass=$((pass + 1))
    else echo "not ok - $name"; head -c 300 "$tmp/out"; fail=$((fail + 1)); fi
}

check "help" "$K" --help
check "bench softmax" "$K" bench softmax --repeat 1
expect "bench prints median_ms and env" "'median_ms' in x and 'env' in x and x['bench']=='softmax'"
check "mnist mlp" "$K" mnist train --model mlp --limit 600 --epochs 1 --runs-dir "$tmp/runs" --name mlp
expect "mnist mlp reports accuracy" "0 <= x['test_accuracy'] <= 1"
check "mnist curves.png is a PNG" python3 -c "import sys; sys.exit(open('$tmp/runs/mlp/curves.png','rb').read(8) != b'\x89PNG\r\n\x1a\n')"
check "mnist cnn" "$K" mnist train --model cnn --limit 300 --epochs 1 --runs-dir "$tmp/runs" --name cnn
check "mnist resume of a finished run" "$K" mnist train --model mlp --limit 600 --epochs 1 --runs-dir "$tmp/runs" --name mlp --resume
fails_with "mnist fresh run over checkpoints" "--resume" "$K" mnist train --model mlp --limit 600 --epochs 1 --runs-dir "$tmp/runs" --name mlp
fails_with "mnist missing data" "make setup" "$K" mnist train --data /nonexistent
check "tokenize a dash text" "$K" tokenize -- "-dash text"
expect "tokenize gives offsets" "len(x['offsets']) == len(x['ids'])"
check "embed" "$K" embed hello
expect "embed is unit length" "abs(sum(v*v for v in x['embedding']) - 1) < 1e-4"
check "classify train" "$K" classify train --dataset rotten-tomatoes --limit 64 --epochs 1 --batch-size 16 --max-length 32 --runs-dir "$tmp/runs" --name cls
check "classify predict" "$K" classify predict --model "$tmp/runs/cls/best" "a great movie"
expect "classify predict gives a probability" "0 <= x['probability'] <= 1"
check "classify eval" "$K" classify eval --model "$tmp/runs/cls/best" --dataset rotten-tomatoes --limit 32
check "classify train with flooding" "$K" classify train --dataset rotten-tomatoes --limit 32 --epochs 1 --batch-size 16 --max-length 32 --flood 0.1 --runs-dir "$tmp/runs" --name flood
fails_with "classify predict without a model" "not found" "$K" classify predict --model /nonexistent x
fails_with "classify negative flood" "flood" "$K" classify train --dataset rotten-tomatoes --limit 8 --flood -1 --runs-dir "$tmp/runs" --name bad

echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
