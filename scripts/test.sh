#!/usr/bin/env bash
# Build the tests optimised, then run them (DESIGN.md §7: debug Swift is 10-100x slower on numeric
# loops). Prints the build time and the test time separately, and ends with one summary line,
# "tests: N passed, N failed", counted over both XCTest and Swift Testing.
#
#   SWIFTPM_FLAGS="--scratch-path .build-mine" bash scripts/test.sh
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
trap 'rm -f "$log"' EXIT
start=$SECONDS
set +e
"$SWIFT" test -c release --skip-build "${flags[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "test time: $((SECONDS - start)) s"

# XCTest:        Test Case 'Suite.testName' passed (0.001 seconds)
# Swift Testing: ✔ Test name() passed after 0.001 seconds.   (also "failed after", "skipped")
awk '
    /^Test Case .* passed \(/ { p++ }
    /^Test Case .* failed \(/ { f++ }
    /^Test Case .* skipped/   { s++ }
    /^Test Case / || / Test run with / { next }
    / Test .* passed after [0-9.]+ seconds/ { p++ }
    / Test .* failed after [0-9.]+ seconds/ { f++ }
    / Test .* skipped/                      { s++ }
    END { printf "tests: %d passed, %d failed%s\n", p, f, (s ? sprintf(", %d skipped", s) : "") }
' "$log" > "$log.summary"

# CLI smoke tests of every subcommand on tiny data; their checks join the summary line.
start=$SECONDS
set +e
bash scripts/smoke.sh | tee "$log.smoke"
smoke_rc=${PIPESTATUS[0]}
set -e
echo "smoke time: $((SECONDS - start)) s"
sp=$(grep -c '^ok - ' "$log.smoke" || true); sf=$(grep -c '^not ok - ' "$log.smoke" || true)
read -r p f < <(awk '{gsub(",", ""); print $2, $4}' "$log.summary")
echo "tests: $((p + sp)) passed, $((f + sf)) failed" > "$log.summary"
cat "$log.summary"
if [ "$smoke_rc" -ne 0 ]; then rc=1; fi
rm -f "$log.smoke"

if [ "$rc" -eq 0 ] && ! grep -q ' 0 failed' "$log.summary"; then rc=1; fi
rm -f "$log.summary"
exit "$rc"
