#!/usr/bin/env bash
# Build the tests optimised, then run them (DESIGN.md §7: debug Swift is 10-100x slower on numeric
# loops). Prints the build time and the test time separately, then runs the CLI smoke tests
# (scripts/smoke.sh) against the binary just built, and ends with one summary line,
# "tests: N passed, N failed", counted over XCTest, Swift Testing and the smoke checks.
#
#   SWIFTPM_FLAGS="--scratch-path .build-mine" bash scripts/test.sh
#   SMOKE=0 bash scripts/test.sh     # unit tests only
#   RENDER=0 bash scripts/test.sh    # without the headless-Chromium render check
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
read -r -a flags <<<"${SWIFTPM_FLAGS:-}"

# `swift test` compiles with testable imports; `swift build --build-tests` does not, so ask for
# them explicitly (tests use `@testable import`).
start=$SECONDS
"$SWIFT" build -c release --build-tests -Xswiftc -enable-testing "${flags[@]}"
echo "build time: $((SECONDS - start)) s"

log="$(mktemp)"
trap 'rm -f "$log" "$log.smoke" "$log.render"' EXIT
start=$SECONDS
set +e
"$SWIFT" test -c release --skip-build "${flags[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "test time: $((SECONDS - start)) s"

# XCTest:        Test Case 'Suite.testName' passed (0.001 seconds)
# Swift Testing: ✔ Test name() passed after 0.001 seconds.   (also "failed after", "skipped")
# smoke.sh:      ok - name / not ok - name
counts="$(awk '
    /^Test Case .* passed \(/ { p++ }
    /^Test Case .* failed \(/ { f++ }
    /^Test Case .* skipped/   { s++ }
    /^Test Case / || / Test run with / { next }
    / Test .* passed after [0-9.]+ seconds/ { p++ }
    / Test .* failed after [0-9.]+ seconds/ { f++ }
    / Test .* skipped/                      { s++ }
    END { printf "%d %d %d\n", p, f, s }
' "$log")"
read -r passed failed skipped <<<"$counts"
# A crash or a build error can fail the run without any failed test line: count it as a failure.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# run_checks NAME SCRIPT: runs a script that prints "ok - …" / "not ok - …" lines and adds its
# counts to the totals (a crash without a "not ok" line counts as one failure).
run_checks() {
    set +e
    KEXUE_BIN="$bin/kexue" bash "$2" 2>&1 | tee "$log.$1"
    local rc=${PIPESTATUS[0]}
    set -e
    local ok bad
    ok=$(grep -c '^ok - ' "$log.$1" || true)
    bad=$(grep -c '^not ok - ' "$log.$1" || true)
    rm -f "$log.$1"
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
    passed=$((passed + ok))
    failed=$((failed + bad))
}

if [ "${SMOKE:-1}" != 0 ]; then
    bin="$("$SWIFT" build -c release --show-bin-path "${flags[@]}")"
    run_checks smoke scripts/smoke.sh
    # The HTML report rendered in headless Chromium (installs Debian's chromium when missing, ~25 s
    # once; the checks take ~15 s). RENDER=0 skips it.
    if [ "${RENDER:-1}" != 0 ]; then run_checks render scripts/check_html_render.sh; fi
fi

if [ "$skipped" -gt 0 ]; then
    echo "tests: $passed passed, $failed failed, $skipped skipped"
else
    echo "tests: $passed passed, $failed failed"
fi
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
