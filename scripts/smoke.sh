#!/usr/bin/env bash
# CLI smoke tests (DESIGN.md §7): every `kexue` subcommand on tiny data, asserting on its JSON
# output and files, plus the error paths a user hits first. Each check prints "ok - <name>" or
# "not ok - <name>"; the last line is "smoke: N passed, M failed" and the exit status is non-zero
# when any check failed. Needs `make setup` (MNIST, MiniLM, Rotten Tomatoes) and python3.
#
#   KEXUE_BIN=.build-mine/release/kexue bash scripts/smoke.sh
set -uo pipefail
cd "$(dirname "$0")/.."

BIN="${KEXUE_BIN:-.build/release/kexue}"
if [ ! -x "$BIN" ]; then
    echo "not ok - kexue binary at $BIN (build with: swift build -c release, or set KEXUE_BIN)"
    echo "smoke: 0 passed, 1 failed"
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/kexue-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
runs="$work/runs"
passed=0
failed=0
start=$SECONDS

# Runs kexue with the given arguments; stdout, stderr and the exit status land in $out, $err, $rc.
out="$work/stdout"
err="$work/stderr"
rc=0
kx() {
    "$BIN" "$@" >"$out" 2>"$err"
    rc=$?
}

# check NAME CONDITION-COMMAND... — records ok/not ok; on failure shows the last command's output.
check() {
    local name="$1"; shift
    if "$@"; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        failed=$((failed + 1))
        echo "  # exit status $rc; stdout:"; tail -n 5 "$out" | cut -c1-300 | sed 's/^/  #   /'
        echo "  # stderr:"; tail -n 10 "$err" | cut -c1-300 | sed 's/^/  #   /'
    fi
}

succeeded() { [ "$rc" -eq 0 ]; }
failed_with() { [ "$rc" -ne 0 ] && grep -qF -- "$1" "$err"; }

# json_ok PYTHON-EXPRESSION: every stdout line parses as a JSON object (at least one line) and
# the expression, evaluated with `lines` (the list of objects) and `o` (the last one), is true.
json_ok() {
    [ "$rc" -eq 0 ] || return 1
    python3 - "$1" "$out" <<'PY'
import json, math, sys
expr, path = sys.argv[1], sys.argv[2]
try:
    lines = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
except ValueError as e:
    print(f"  # stdout is not JSON lines: {e}"); sys.exit(1)
if not lines or not all(isinstance(x, dict) for x in lines):
    print("  # no JSON object on stdout"); sys.exit(1)
o = lines[-1]
ok = False
try:
    ok = bool(eval("(" + expr.strip() + ")", {"math": math, "lines": lines, "o": o}))
except Exception as e:
    print(f"  # {' '.join(expr.split())}: {type(e).__name__}: {e}")
sys.exit(0 if ok else 1)
PY
}

# json_field KEY: the value of KEY in the last stdout object, printed as JSON.
json_field() { python3 -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1][sys.argv[2]]))' "$out" "$1"; }

is_png() { [ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# --- help: the root and every subcommand ---
kx --help
lists_subcommands() {
    succeeded || return 1
    local c
    for c in bench mnist classify explain tokenize embed longtail flood compress nvae lm qg curves; do grep -qw "$c" "$out" || return 1; done
}
check "kexue --help lists every subcommand" lists_subcommands
for sub in "bench" "mnist train" "classify train" "classify eval" "classify predict" "explain texts" "explain image" "tokenize" "embed" "longtail" "flood" "compress"; do
    # shellcheck disable=SC2086
    kx $sub --help
    check "kexue $sub --help" eval 'succeeded && grep -q "USAGE" "$out"'
done

# --- bench ---
kx bench softmax --repeat 1
check "bench softmax --repeat 1 prints benchmark JSON lines" json_ok '
    all(x["bench"] == "softmax" and isinstance(x["config"], dict) and x["median_ms"] > 0
        and ("gflops" in x or "gbps" in x) and "peak_mb" in x
        and all(k in x["env"] for k in ("commit", "threads", "blas", "cpu")) for x in lines)'
kx bench theseus-forward --repeat 1 --threads 1
check "bench theseus-forward: 3-layer successor (ModuleReplacement, eval) faster than the 6-layer predecessor" json_ok '
    [x["config"]["layers"] for x in lines] == [6, 3] and all(x["bench"] == "theseus-forward" for x in lines)
        and lines[1]["speedup"] > 1.2 and abs(lines[1]["speedup"] - lines[0]["median_ms"] / lines[1]["median_ms"]) < 1e-9'
kx bench linear-attention --repeat 1 --max-n 512 --max-softmax-n 256
check "bench linear-attention times softmax/linear × causal per n and skips softmax above --max-softmax-n" json_ok '
    len(lines) == 8 and all(x["bench"] == "linear-attention" for x in lines)
    and sorted((x["config"]["n"], x["config"]["attention"], x["config"]["causal"]) for x in lines)
        == sorted((n, a, c) for n in (256, 512) for a in ("softmax", "linear") for c in (False, True))
    and all(("skipped" in x) == (x["config"]["attention"] == "softmax" and x["config"]["n"] == 512) for x in lines)
    and all(x["median_ms"] > 0 for x in lines if "skipped" not in x)'
kx bench decode --repeat 1 --threads 1
check "bench decode: per-token µs at 4 prefixes for the KV cache and the recurrent state" json_ok '
    len(lines) == 8 and {x["config"]["attention"] for x in lines} == {"softmax-kv-cache", "linear-recurrent"}
    and all(x["us_per_token"] > 0 for x in lines)'
kx bench qg-decode --repeat 1 --threads 1
check "bench qg-decode: cached beam search ms/token on a 256-token passage, and the cache's speed-up" json_ok '
    o["bench"] == "qg-decode" and o["config"]["num_beams"] == 5 and o["median_ms"] > 0 and o["cache_speedup"] > 1'
kx bench no-such-bench --repeat 1
check "bench with an unknown name fails" eval '[ "$rc" -ne 0 ]'
KEXUE_BLAS=foo kx bench softmax --repeat 1
check "KEXUE_BLAS=foo fails naming the variable" failed_with "KEXUE_BLAS=foo"
KEXUE_MKL_THREADING=foo kx bench softmax --repeat 1
check "KEXUE_MKL_THREADING=foo fails naming the variable" failed_with "KEXUE_MKL_THREADING=foo"

# --- mnist ---
kx mnist train --model mlp --limit 600 --epochs 1 --runs-dir "$runs" --name mlp
check "mnist train --model mlp" json_ok 'o["outcome"] == "finished" and 0 <= o["test_accuracy"] <= 1 and o["steps"] == 5 and math.isfinite(o["test_loss"])'
mlp_accuracy="$(json_field test_accuracy 2>/dev/null)"
check "mnist mlp accuracy above chance (>0.3 on 100 test images)" python3 -c "import sys; sys.exit(0 if float('${mlp_accuracy:-0}') > 0.3 else 1)"
check "mnist mlp wrote curves.png (PNG)" is_png "$runs/mlp/curves.png"
check "mnist mlp run folder: config.json, metrics.jsonl, checkpoint-5, best" \
    eval '[ -f "$runs/mlp/config.json" ] && [ -s "$runs/mlp/metrics.jsonl" ] && [ -f "$runs/mlp/checkpoint-5/model.safetensors" ] && [ -f "$runs/mlp/best/model.safetensors" ]'

# Resuming a finished run finishes cleanly: no more steps, and the restored weights give the
# same test accuracy as the run that saved them.
kx mnist train --model mlp --limit 600 --epochs 1 --runs-dir "$runs" --name mlp --resume
check "mnist --resume of a finished run finishes without training" \
    json_ok "o['outcome'] == 'finished' and o['steps'] == 5 and o['test_accuracy'] == ${mlp_accuracy:-None}"
kx mnist train --model mlp --limit 600 --epochs 1 --runs-dir "$runs" --name mlp
check "mnist fresh run over an existing one asks for --resume" failed_with "--resume"

kx mnist train --model cnn --limit 300 --epochs 1 --runs-dir "$runs" --name cnn
check "mnist train --model cnn" json_ok 'o["outcome"] == "finished" and o["model"] == "cnn" and 0 <= o["test_accuracy"] <= 1 and o["steps"] == 3'
check "mnist cnn wrote curves.png (PNG)" is_png "$runs/cnn/curves.png"

kx mnist train --data /nonexistent --limit 10 --epochs 1 --runs-dir "$runs" --name missing
check "mnist train --data /nonexistent names the missing file" failed_with "/nonexistent/mnist_train.csv"
KEXUE_HOME="$work/empty-home" kx mnist train --limit 10 --epochs 1 --runs-dir "$runs" --name missing-home
check "mnist train with an empty KEXUE_HOME says 'make setup'" failed_with "make setup"

# --- text ---
kx splits
check "splits (rotten-tomatoes ids)" json_ok 'len(o["train"]) > 8000 and len(o["validation"]) > 1000 and len(o["test"]) > 1000'

kx tokenize -- "-dash text"
check "tokenize -- \"-dash text\"" json_ok '
    len(lines) == 1 and o["text"] == "-dash text" and o["tokens"][0] == "[CLS]" and o["tokens"][-1] == "[SEP]"
    and "-" in o["tokens"] and len(o["ids"]) == len(o["tokens"]) == len(o["offsets"])
    and o["offsets"][1] == [0, 1] and o["offsets"][0] == [0, 0]'

kx embed hello
check "embed hello (384 numbers, unit length)" json_ok '
    len(lines) == 1 and o["text"] == "hello" and len(o["embedding"]) == 384
    and abs(math.sqrt(sum(v * v for v in o["embedding"])) - 1) < 1e-4'

kx classify train --dataset rotten-tomatoes --limit 64 --epochs 1 --batch-size 16 --max-length 32 --runs-dir "$runs" --name cls
check "classify train (rotten-tomatoes, 64 examples)" json_ok '
    o["outcome"] == "finished" and o["steps"] == 4 and 0 <= o["validation_accuracy"] <= 1
    and 0 <= o["test_accuracy"] <= 1 and o["test_examples"] == 16 and o["best"].endswith("/cls/best")'
best="$runs/cls/best"
check "classify best/ is an HF folder (config.json, model.safetensors, vocab.txt)" \
    eval '[ -f "$best/config.json" ] && [ -f "$best/model.safetensors" ] && [ -f "$best/vocab.txt" ]'

kx classify predict --model "$best" "great movie" -- "-meh"
check "classify predict" json_ok '
    len(lines) == 2 and lines[0]["text"] == "great movie" and lines[1]["text"] == "-meh"
    and all(x["label"] in ("positive", "negative") and abs(sum(x["probabilities"].values()) - 1) < 1e-4
            and x["probability"] == max(x["probabilities"].values()) for x in lines)'

kx classify eval --model "$best" --dataset rotten-tomatoes --limit 40 --max-length 32
check "classify eval --limit 40" json_ok 'o["examples"] == 40 and 0 <= o["accuracy"] <= 1'

kx classify predict --model /nonexistent x
check "classify predict --model /nonexistent fails naming the folder" failed_with "/nonexistent"

# --- long tail and flooding (tiny: a few hundred images, one or two epochs) ---
kx longtail --dataset mnist --limit 3000 --seeds 2 --epochs 1 --validation-per-class 10 --runs-dir "$runs" --name lt
check "longtail (MNIST-LT, 2 seeds, 1 epoch)" json_ok '
    o["seeds"] == [0, 1] and o["train_counts"][0] > 50 * o["train_counts"][-1] > 0
    and all(0 <= o["methods"][m]["balanced_error_mean"] <= 1 for m in ["ce", "ce+posthoc", "ce+posthoc-tuned", "la-loss", "weighted-ce"])
    and "paired_gain_se" in o["methods"]["la-loss"]'
check "longtail wrote table.md, per-class.png, confusion.png, per-seed result.json" eval '
    grep -q "balanced error" "$runs/lt/table.md" && is_png "$runs/lt/per-class.png" && is_png "$runs/lt/confusion.png" &&
    [ -f "$runs/lt/seed1/result.json" ] && [ -f "$runs/lt/seed0/la-loss/metrics.jsonl" ]'
kx longtail --dataset mnist --limit 3000 --seeds 2 --epochs 1 --validation-per-class 10 --runs-dir "$runs" --name lt
check "longtail rerun reads finished seeds back" eval 'succeeded && grep -q "already finished" "$err"'
kx longtail --tau -1 --runs-dir "$runs" --name lt-bad
check "longtail --tau -1 fails naming --tau" failed_with "--tau"

kx flood --subset 400 --epochs 2 --levels 0,0.5 --test-limit 300 --runs-dir "$runs" --name flood
check "flood (2 levels, 2 epochs)" json_ok '
    [l["b"] for l in o["levels"]] == [0, 0.5] and o["chosen_b"] in (0, 0.5)
    and all(math.isfinite(l["final_test_loss"]) for l in o["levels"])'
check "flood wrote curves.png and table.md; metrics log raw and flooded loss" eval '
    is_png "$runs/flood/curves.png" && grep -q "chosen" "$runs/flood/table.md" &&
    grep -q "\"flooded_loss\"" "$runs/flood/b0.50/metrics.jsonl" && grep -q "\"split\":\"test\"" "$runs/flood/b0.50/metrics.jsonl"'
kx flood --levels 0,-0.1 --runs-dir "$runs" --name flood-bad
check "flood --levels 0,-0.1 fails naming the level" failed_with "-0.1"
# --- compress (BERT-of-Theseus, 6 → 3 layers of the classifier above) ---
for preset in paper su; do
    kx compress --predecessor "$best" --layers 3 --preset "$preset" --dataset rotten-tomatoes --limit 32 \
        --theseus-epochs 1 --successor-epochs 1 --batch-size 16 --max-length 32 --runs-dir "$runs" --name "thes-$preset"
    check "compress --preset $preset (6 → 3 layers)" json_ok '
        o["outcome"] == "finished" and o["layers"] == 3 and o["predecessor_layers"] == 6 and o["steps"] == 4
        and 0 <= o["test_accuracy"] <= 1 and o["best"].endswith("/successor/best")'
    succ="$runs/thes-$preset/successor/best"
    check "compress --preset $preset: successor folder has 3 layers and a checkpointed run per stage" python3 -c '
import json, sys
c = json.load(open(sys.argv[1] + "/config.json"))
assert c["num_hidden_layers"] == 3 and c["architectures"] == ["BertForSequenceClassification"]' "$succ"
    check "compress --preset $preset: theseus/ and successor/ run folders" \
        eval '[ -f "$runs/thes-$preset/theseus/metrics.jsonl" ] && [ -f "$runs/thes-$preset/successor/metrics.jsonl" ]'
done
kx classify eval --model "$succ" --dataset rotten-tomatoes --limit 16 --max-length 32
check "classify eval loads the compressed successor" json_ok 'o["examples"] == 16 and 0 <= o["accuracy"] <= 1'
kx compress --predecessor "$best" --layers 4 --dataset rotten-tomatoes --limit 8 --runs-dir "$runs" --name bad
check "compress --layers 4 of 6 fails: do not divide" failed_with "do not divide"
kx compress --predecessor "$best" --layers 12 --dataset rotten-tomatoes --limit 8 --runs-dir "$runs" --name bad
check "compress --layers 12 of 6 fails: deeper" failed_with "deeper than the predecessor"
kx compress --predecessor "${KEXUE_HOME:-$HOME/.cache/kexue}/models/all-MiniLM-L6-v2" --layers 3 --dataset rotten-tomatoes --limit 8 --runs-dir "$runs" --name bad
check "compress from a folder that is not a classifier fails" failed_with "not a sequence classifier"
kx explain image --run "$runs/cnn" --count 4 --steps 16 --output "$work/ig-digits.png"
check "explain image: JSON per digit with a finite delta" json_ok '
    len(lines) == 4 and all(0 <= x["predicted"] < 10 and math.isfinite(x["delta"]) for x in lines)'
check "explain image wrote a PNG grid" is_png "$work/ig-digits.png"
kx explain image --run "$work/nothing" --output "$work/x.png"
check "explain image without a checkpoint fails naming the folder" failed_with "no checkpoint"

kx explain --model "$best" --steps 50 --html "$work/ig.html" "a gorgeous, witty film" "dull & <boring>"
check "explain: JSON per text, words from offsets, small delta" json_ok '
    len(lines) == 2 and [w["text"] for w in lines[0]["words"]] == ["a", "gorgeous,", "witty", "film"]
    and lines[1]["words"][1]["text"] == "&" and lines[0]["tokens"][0]["text"] == "[CLS]"
    and lines[0]["tokens"][0]["score"] == 0 and lines[0]["tokens"][-1]["score"] == 0
    and all(abs(x["delta"]) <= 1e-2 * max(abs(x["f_input"] - x["f_baseline"]), 1e-2) for x in lines)
    and all(abs(sum(w["score"] for w in x["words"]) - x["attribution_sum"]) < 1e-6 for x in lines)'
check "explain: standalone HTML report (escaped, no script, legend)" bash -c '
    f="$0"; grep -q "Convergence Delta" "$f" && grep -q "&lt;boring&gt;" "$f" && ! grep -qi "<script" "$f"     && grep -q ">Positive</mark>" "$f" && [ "$(grep -o "<mark style" "$f" | wc -l)" -eq 10 ]' "$work/ig.html"

# Su's sum is first order in n: by parts it tracks F(x) − mean_k F(α_k·x) (12–33 % off at n = 20 on the demo
# classifier, 2–3 % here) and stays much further from F(x) − F(0), the completeness target.
kx explain --model "$best" --preset su-compatible --html "$work/ig-su.html" "a gorgeous, witty film"
check "explain --preset su-compatible: Su's 20-point quantity, flagged not complete, min-max [0, 1] with [CLS]/[SEP]" json_ok '
    o["preset"] == "su-compatible" and o["quantity"] == "suCompatible" and o["complete"] is False and o["steps"] == 20
    and o["output"] == "probability" and o["baseline"] == "zero" and o["scoring"] == "l2" and o["target"] == o["label"]
    and abs(o["f_input"] - o["probability"]) < 1e-6
    and min(t["normalized"] for t in o["tokens"]) == 0 and max(t["normalized"] for t in o["tokens"]) == 1
    and o["tokens"][0]["text"] == "[CLS]" and o["tokens"][0]["score"] > 0 and all(t["score"] >= 0 for t in o["tokens"])
    and abs(o["attribution_sum"] - (o["f_input"] - o["f_path_mean"])) <= 0.4 * abs(o["f_input"] - o["f_path_mean"]) + 1e-4
    and abs(o["attribution_sum"] - (o["f_input"] - o["f_path_mean"])) <= 0.5 * abs(o["delta"])'
check "explain --preset su-compatible: HTML says not complete, unsigned legend, no red words" bash -c '
    f="$0"; grep -q "not integrated gradients and not complete" "$f" && grep -q ">not complete</td>" "$f" && grep -q "1 (most)" "$f" \
    && ! grep -o "<td class=\"words\">.*" "$f" | grep -q "hsl(0, 75%, [1-9][0-9]%)"' "$work/ig-su.html"
kx explain --model "$best" --preset su-compatible --method riemannLeft "x"
check "explain --preset su-compatible --method fails naming --method" failed_with "--method does not apply"
kx explain evaluate --model "$best" --limit 40 --steps 8 --completeness 2 --completeness-steps 16 --cases "$work/ig-cases.jsonl"
check "explain evaluate: lexicon agreement shares and completeness on a few test sentences" json_ok '
    o["sentences"] == 40 and o["cases"] + o["misclassified"] + o["without_strong_word"] == 40
    and (o["cases"] == 0 or 0 <= o["sign_agreement"] <= 1) and o["completeness_steps"] == 16'
kx explain evaluate --model "$best" --lexicon /nonexistent/lexicon.txt --limit 5
check "explain evaluate --lexicon /nonexistent fails naming the file" failed_with "/nonexistent/lexicon.txt"
kx explain --model "$best" --steps 0 "x"
check "explain --steps 0 fails naming --steps" failed_with "--steps"
kx explain --model "$best" --target neutral "x"
check "explain --target unknown fails listing the labels" failed_with "negative, positive"
kx explain --model "$best" --max-length 8 --steps 4 "one two three four five six seven eight nine"
check "explain truncates over-long text with a notice" bash -c 'grep -q "truncated from 11 to 8" "$0"' "$err"

# --- nvae (tiny: a few batches of 8 images; the miniature's shapes are real) ---
kx nvae --help
check "nvae --help lists train, sample, eval" eval 'succeeded && grep -q train "$out" && grep -q sample "$out" && grep -q eval "$out"'
kx nvae train --limit 32 --batch-size 8 --epochs 1 --runs-dir "$runs" --name nvae --progress-every 1
check "nvae train (4 steps)" json_ok 'o["outcome"] == "finished" and o["steps"] == 4 and o["model"] == "nvae" and math.isfinite(o["last_nelbo"]) and o["last_nelbo"] < o["first_nelbo"]'
check "nvae run folder: config.json names the model, checkpoint-4" eval 'grep -q "\"nvae\"" "$runs/nvae/config.json" && [ -d "$runs/nvae/checkpoint-4" ]'
kx nvae sample --checkpoint "$runs/nvae" --count 4 --reestimate 2 --output "$work/nvae.png"
check "nvae sample at 0.6, 0.8, 1.0 writes a PNG" eval 'json_ok "[t[\"temperature\"] for t in o[\"temperatures\"]] == [0.6, 0.8, 1.0] and all(0 < t[\"mean_pixel\"] < 1 for t in o[\"temperatures\"])" && is_png "$work/nvae.png"'
kx nvae eval --checkpoint "$runs/nvae" --k 2 --limit 8 --batch-size 4
check "nvae eval: IW-NLL in nats and bits/dim, active units for 6 groups" json_ok '
    o["images"] == 8 and o["k"] == 2 and 0 < o["nll_nats"] and abs(o["bits_per_dim"] - o["nll_nats"] / (784 * math.log(2))) < 1e-9
    and len(o["active_units"]) == 6 and o["units_per_group"] == [320, 320, 1280, 1280, 1280, 1280]'
whole_nll="$(json_field nll_nats)"
kx nvae eval --checkpoint "$runs/nvae" --k 2 --limit 8 --batch-size 4 --journal "$work/nvae-eval.jsonl" --shard 1/2
check "nvae eval --shard 1/2 evaluates its one batch into the journal" json_ok 'o["batches_evaluated"] == 1 and o["batches_total"] == 2'
kx nvae eval --checkpoint "$runs/nvae" --k 2 --limit 8 --batch-size 4 --journal "$work/nvae-eval.jsonl"
check "nvae eval resumed from the journal equals the run without it" json_ok "o['batches_from_journal'] == 1 and abs(o['nll_nats'] - $whole_nll) < 1e-9"
kx nvae eval --checkpoint "$runs/nvae" --k 3 --limit 8 --batch-size 4 --journal "$work/nvae-eval.jsonl"
check "nvae eval refuses a journal written with another k" failed_with "written with k = 2"
kx nvae sample --checkpoint "$runs/nvae" --temperatures 0.8 --count 4 --reestimate 1 --classifier "$runs/cnn" --output "$work/nvae-c.png"
check "nvae sample --classifier reports the confident share" json_ok '0 <= o["temperatures"][0]["confident_share"] <= 1'
kx nvae sample --checkpoint "$runs/nvae" --temperatures 0.8 0 --count 4
check "nvae sample --temperatures 0 fails naming the temperature" failed_with "temperature"
mkdir -p "$work/badckpt" && cp -r "$runs/nvae/config.json" "$runs/nvae/checkpoint-4" "$work/badckpt/"
head -c 500 "$runs/nvae/checkpoint-4/model.safetensors" > "$work/badckpt/checkpoint-4/model.safetensors"
kx nvae eval --checkpoint "$work/badckpt" --k 1 --limit 2
check "nvae eval of a truncated checkpoint fails naming it corrupt" failed_with "corrupt or incompatible checkpoint"
kx nvae train --limit 48 --batch-size 8 --epochs 1 --checkpoint-every 2 --inject-nan-at 3 --runs-dir "$runs" --name nvae-nan
check "nvae NaN: detected with step and layer, resumed from the last checkpoint with a lower lr" eval '
    json_ok "o[\"outcome\"] == \"finished\" and o[\"steps\"] == 6 and o[\"lr_scale\"] == 0.5 and len(o[\"recoveries\"]) == 1" &&
    grep -q "step 4" "$err" && grep -q "first non-finite activation in layer" "$err" && grep -q "resuming from checkpoint-2" "$err"'
kx nvae train --model vae --limit 32 --batch-size 8 --epochs 1 --runs-dir "$runs" --name vae
check "nvae train --model vae (baseline, 4 steps)" json_ok 'o["outcome"] == "finished" and o["model"] == "vae" and o["steps"] == 4'
kx nvae train --model vae --limit 32 --batch-size 8 --runs-dir "$runs" --name vae --resume
check "nvae train --resume without --epochs keeps the run's epochs (no default 30)" json_ok 'o["outcome"] == "finished" and o["steps"] == 4'
kx nvae train --model vae --limit 32 --batch-size 8 --epochs 3 --lr 0.001 --runs-dir "$runs" --name vae --resume
check "nvae train --resume with another schedule fails naming the keys" eval 'failed_with "epochs is 3 here but 1 in the run" && grep -qF "lr is 0.001 here but 0.005" "$err"'
kx nvae train --model vae --limit 64 --batch-size 8 --time-budget 0.05 --runs-dir "$runs" --name vae-budget
check "nvae train --time-budget times steps and fixes the epochs in config.json" eval '
    json_ok "o[\"outcome\"] == \"finished\" and o[\"steps\"] % 8 == 0" && grep -q "time budget: .* s per step" "$err" &&
    grep -q "timed_seconds_per_step" "$runs/vae-budget/config.json"'
kx nvae train --model vae --limit 64 --batch-size 8 --time-budget 1 --epochs 2 --runs-dir "$runs" --name vae-budget2
check "nvae train with --epochs and --time-budget fails naming both" failed_with "--time-budget"
kx nvae eval --checkpoint "$runs/vae" --k 2 --limit 8
check "nvae eval of the baseline: one latent group" json_ok 'len(o["active_units"]) == 1 and o["units_per_group"] == [64] and o["nll_nats"] > 0'
kx curves "$runs/nvae" "$runs/vae" --metric nelbo --x minutes --smoothing 2 --output "$runs/nvae-vs-vae.png"
check "curves: two runs' NELBO against training minutes on one PNG" eval '
    json_ok "len(lines) == 2 and [l[\"run\"] for l in lines] == [\"nvae\", \"vae\"] and all(l[\"last_step\"] == 4 and l[\"last_minutes\"] >= 0 for l in lines)" &&
    is_png "$runs/nvae-vs-vae.png"'
kx curves "$runs/nvae" --metric no-such-metric --output "$runs/none.png"
check "curves of a metric the run never logged fails naming the file and metric" eval 'failed_with "metrics.jsonl" && failed_with "no-such-metric"'

# --- lm (character LM on 30 real SQuAD paragraphs; a few steps) ---
lmdata="Tests/Fixtures/lm/squad_dev_first_30_paragraphs.json"
for attention in softmax linear; do
    kx lm train --data "$lmdata" --attention "$attention" --layers 1 --hidden 32 --heads 2 --context 32 --batch-size 8 --min-count 1 --runs-dir "$runs" --name "lm-$attention"
    check "lm train --attention $attention: validation loss beside the bigram baseline's" json_ok '
        o["outcome"] == "finished" and o["attention"] == "'"$attention"'" and o["steps"] > 10
        and math.isfinite(o["validation_loss"]) and 0 < o["bigram_validation_loss"] < 6 and o["vocabulary"] > 40'
done
check "lm best/ holds config.json (kexue_attention), model.safetensors, vocab.json; curves.png" eval '
    [ -f "$runs/lm-linear/best/model.safetensors" ] && [ -f "$runs/lm-linear/best/vocab.json" ] &&
    grep -q "\"kexue_attention\" : \"linear\"" "$runs/lm-linear/best/config.json" && is_png "$runs/lm-linear/curves.png"'
kx lm generate --model "$runs/lm-linear/best" --max-new-tokens 20 --do-sample --top-k 5 --num-return-sequences 2 --seed 3 "The Panthers"
check "lm generate (linear, recurrent): 2 samples of ≤ 20 characters" json_ok '
    o["attention"] == "linear" and len(o["continuations"]) == 2 and all(c["tokens"] <= 20 for c in o["continuations"])'
kx lm generate --model "$runs/lm-softmax/best" --max-new-tokens 20 "The Panthers"
first_greedy="$(json_field continuations)"
kx lm generate --model "$runs/lm-softmax/best" --max-new-tokens 20 "The Panthers"
check "lm generate greedy (softmax, KV cache) replays exactly" eval 'succeeded && [ "$first_greedy" = "$(json_field continuations)" ]'
kx lm generate --model "$runs/lm-softmax/best" --max-new-tokens 400 "x"
check "lm generate past the context fails naming it" failed_with "exceeds the model's context"
kx lm train --data "$lmdata" --attention linear:cosh --runs-dir "$runs" --name lm-bad
check "lm train --attention linear:cosh fails naming the feature map" failed_with "unknown feature map"
kx lm train --data /nonexistent/corpus.json --runs-dir "$runs" --name lm-missing
check "lm train --data /nonexistent names the file" failed_with "/nonexistent/corpus.json"

# --- qg (UniLM on MiniLM; 20 real SQuAD questions, a few steps; the pipeline, not the quality) ---
qgdata="Tests/Fixtures/lm/squad_dev_first_30_paragraphs.json"
kx qg train --data "$qgdata" --limit 24 --batch-size 4 --epochs 1 --validation-fraction 0.2 --runs-dir "$runs" --name qg
check "qg train (24 questions, 5 steps): validation loss, windows counted" json_ok '
    o["outcome"] == "finished" and o["steps"] == 5 and o["train_examples"] + o["validation_examples"] == 24
    and math.isfinite(o["validation_loss"]) and o["windowed"] >= 1'
kx qg train --data "$PWD/Tests/Fixtures/lm/../lm/squad_dev_first_30_paragraphs.json" --limit 24 --batch-size 4 --epochs 1 --validation-fraction 0.2 --runs-dir "$runs" --name qg --resume
check "qg train --resume naming the data file another way matches the run's config" json_ok 'o["outcome"] == "finished" and o["steps"] == 5'
check "qg best/ is an HF BertForMaskedLM folder with kexue_task unilm-seq2seq" eval '
    grep -q "unilm-seq2seq" "$runs/qg/best/config.json" && grep -q BertForMaskedLM "$runs/qg/best/config.json" &&
    [ -f "$runs/qg/best/vocab.txt" ] && [ -f "$runs/qg/best/model.safetensors" ]'
kx qg generate --model "$runs/qg/best" --pairs 2 --max-new-tokens 6 "The Denver Broncos defeated the Carolina Panthers 24–10 to earn their third Super Bowl title."
check "qg generate: one JSON per passage, answers drawn ≤ 3n, pairs are passage spans" json_ok '
    o["answers_drawn"] <= 6 and 0 <= o["answers_in_passage"] <= o["answers_drawn"] and len(o["pairs"]) <= 2
    and all(0 <= p["answer_start"] < p["answer_end"] for p in o["pairs"])'
kx qg eval --model "$runs/qg/best" --data "$qgdata" --limit 3 --pairs-per-passage 1 --max-new-tokens 6 --compare-greedy --output "$work/qg-eval.jsonl"
check "qg eval: BLEU-4, ROUGE-L, beams vs greedy log p, span validity, EM/F1; per-item JSONL" eval '
    json_ok "o[\"items\"] == 3 and 0 <= o[\"bleu4\"] <= 100 and 0 <= o[\"rouge_l\"] <= 100 and 0 <= o[\"span_validity\"] <= 1
             and o[\"mean_log_probability\"] < 0 and \"greedy_mean_log_probability\" in o and 0 <= o[\"answer_f1\"] <= 100" &&
    [ "$(wc -l < "$work/qg-eval.jsonl")" -eq 3 ]'
cp "$out" "$work/qg-eval-whole.json"
# The same evaluation as two shard processes meeting in one journal, then a totals-only run.
for k in 0 1; do
    kx qg eval --model "$runs/qg/best" --data "$qgdata" --limit 3 --pairs-per-passage 1 --max-new-tokens 6 --compare-greedy --journal "$work/qg-journal.jsonl" --shard "$k/2"
done
printf '{"kind": "question", "ind' >> "$work/qg-journal.jsonl"   # a torn write, as after a kill
kx qg eval --model "$runs/qg/best" --data "$qgdata" --limit 3 --pairs-per-passage 1 --max-new-tokens 6 --compare-greedy --journal "$work/qg-journal.jsonl"
check "qg eval --shard K/N + --journal: shards' records add up to the whole run's figures; a torn line is ignored" python3 - "$work/qg-eval-whole.json" "$out" "$err" <<'PY'
import json, sys
whole, merged = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
keys = ["bleu4", "rouge_l", "mean_log_probability", "greedy_mean_log_probability", "span_validity", "answer_f1", "answers_drawn"]
ok = merged["complete"] and merged["questions_done"] == 3 and merged["question_seconds_this_run"] == 0
ok = ok and all(abs(whole[k] - merged[k]) < 1e-9 for k in keys) and "torn line" in open(sys.argv[3]).read()
sys.exit(0 if ok else 1)
PY
kx qg eval --model "$runs/qg/best" --data "$qgdata" --limit 2 --journal "$work/qg-journal.jsonl"
check "qg eval --journal written for another --limit fails naming it" failed_with "another --limit"
kx qg vocab --data "$qgdata" --output "$work/charvocab" --min-count 1
check "qg vocab: a character WordPiece vocab.txt, specials first" eval '
    json_ok "o[\"tokens\"] > 40" && [ "$(head -n 5 "$work/charvocab/vocab.txt" | tr "\n" " ")" = "[PAD] [UNK] [CLS] [SEP] [MASK] " ] &&
    grep -qx "##e" "$work/charvocab/vocab.txt"'
kx qg generate --model "$runs/lm-softmax/best" "a passage"
check "qg generate with a non-seq2seq folder names what is missing" failed_with "not a UniLM seq2seq model"
echo '{"version": "1.1", "data": []}' > "$work/empty.json"
kx qg train --data "$work/empty.json" --runs-dir "$runs" --name qg-empty
check "qg train on a passage-less file names the file" failed_with "empty.json"
python3 - "$qgdata" "$work/badoffset.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["data"][0]["paragraphs"][0]["qas"][0]["answers"][0]["answer_start"] += 3
json.dump(d, open(sys.argv[2], "w"))
PY
kx qg train --data "$work/badoffset.json" --limit 4 --batch-size 4 --epochs 1 --validation-fraction 0 --runs-dir "$runs" --name qg-bad
check "qg train skips a record whose answer is not at its offset, and counts it" eval '
    json_ok "o[\"skipped\"] == 1" && grep -q "is not at answer_start" "$err"'

echo "smoke time: $((SECONDS - start)) s"
echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
