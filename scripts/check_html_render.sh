#!/usr/bin/env bash
# Renders `kexue explain` HTML reports in headless Chromium and checks the pixels (issue 7): green
# where the words with positive attributions are, red where the negative ones are, nothing else.
#
#   KEXUE_BIN=.build/release/kexue bash scripts/check_html_render.sh
#   MODEL=$KEXUE_HOME/runs/demo-rotten-tomatoes/best bash scripts/check_html_render.sh
#
# Installs Debian's `chromium` (and fonts-dejavu-core) with apt-get when missing: root, or sudo.
# MODEL defaults to the committed tiny BERT classifier (Tests/Fixtures/ig_tiny_bert), so no setup is
# needed. Candidate words are explained one per text toward a fixed label (--target positive): a one-word
# text's word has display value ±1, i.e. the fullest green or red. The first candidate with a positive
# score and the first with a negative one (read from the JSON) make four reports, each checked by
# scripts/check_html_render.py row by row inside the table's Word Importance column:
#   positive word only → green, no red;  negative word only → red, no green;
#   both, positive row first → green in row 1 only, red in row 2 only;
#   the su-compatible preset on a sentence (unsigned, min-max [0, 1]) → green, never red.
# Prints "ok - NAME" / "not ok - NAME" lines and "render: N passed, M failed"; screenshots stay in a
# temporary folder (KEEP=DIR keeps them there). Exit status non-zero when a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN="${KEXUE_BIN:-.build/release/kexue}"
MODEL="${MODEL:-Tests/Fixtures/ig_tiny_bert}"
CANDIDATES=(brilliant gorgeous witty moving superb dull boring mess tedious awful good bad film story)
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); [ $# -gt 1 ] && printf '  # %s\n' "${@:2}"; }
finish() { echo "render: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# --- 1. Chromium --------------------------------------------------------------------------------
start=$SECONDS
need=()
command -v chromium >/dev/null || need+=(chromium)
[ "$(dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null)" = "install ok installed" ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then SUDO=(sudo); else
            not_ok "install ${need[*]}" "not root and no sudo: apt-get install -y --no-install-recommends ${need[*]}"; finish
        fi
    fi
    log="$(mktemp)"
    if { "${SUDO[@]}" apt-get update && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
        echo "# installed ${need[*]} with apt-get in $((SECONDS - start)) s"
    else
        not_ok "install ${need[*]} with apt-get" "$(tail -n 20 "$log")"; rm -f "$log"; finish
    fi
    rm -f "$log"
fi
echo "# $(chromium --version 2>/dev/null)"

if [ ! -x "$BIN" ]; then not_ok "kexue binary at $BIN (build with: swift build -c release, or set KEXUE_BIN)"; finish; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/kexue-render.XXXXXX")"
if [ -n "${KEEP:-}" ]; then work="$KEEP"; mkdir -p "$work"; else trap 'rm -rf "$work"' EXIT; fi
checks_start=$SECONDS

# --- 2. Words of known sign ---------------------------------------------------------------------
if ! "$BIN" explain --model "$MODEL" --target positive --steps 16 "${CANDIDATES[@]}" >"$work/candidates.jsonl" 2>"$work/err"; then
    not_ok "explain the candidate words with $MODEL" "$(tail -n 5 "$work/err")"; finish
fi
read -r pos neg < <(python3 - "$work/candidates.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
one = [(r["text"], r["words"][0]["score"]) for r in rows if len(r["words"]) == 1]
pos = next((t for t, s in one if s > 0), "-")
neg = next((t for t, s in one if s < 0), "-")
print(pos, neg)
PY
)
if [ "${pos:--}" = "-" ] || [ "${neg:--}" = "-" ]; then
    not_ok "a candidate word with a positive and one with a negative attribution toward 'positive'" "candidates: ${CANDIDATES[*]}"; finish
fi
echo "# $MODEL: '$pos' supports 'positive', '$neg' opposes it"

# --- 3. Reports, screenshots, pixels --------------------------------------------------------------
# render NAME EXPECT EXPLAIN-ARGS...: writes NAME.html with kexue explain, screenshots it, checks EXPECT.
render() {
    local name="$1" expect="$2"; shift 2
    if ! "$BIN" explain --model "$MODEL" --html "$work/$name.html" "$@" >"$work/$name.jsonl" 2>"$work/err"; then
        not_ok "$name: kexue explain" "$(tail -n 5 "$work/err")"; return
    fi
    rm -f "$work/$name.png"
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --window-size=1200,700 --screenshot="$work/$name.png" "file://$(realpath "$work/$name.html")" \
        >"$work/chromium.log" 2>&1
    if [ ! -s "$work/$name.png" ]; then not_ok "$name: chromium wrote no screenshot" "$(tail -n 5 "$work/chromium.log")"; return; fi
    if python3 scripts/check_html_render.py "$work/$name.png" "$expect" >"$work/pixels" 2>&1; then
        ok "$name ($expect)"; sed 's/^/  # /' "$work/pixels"
    else
        not_ok "$name ($expect)" "$(cat "$work/pixels")"
    fi
}
render positive-only g --target positive --steps 16 "$pos"
render negative-only r --target positive --steps 16 "$neg"
render positive-then-negative gr --target positive --steps 16 "$pos" "$neg"
render su-compatible g --preset su-compatible "$pos and $neg, a $neg $pos story"
echo "# chromium checks took $((SECONDS - checks_start)) s"
finish
