#!/usr/bin/env bash
# Every check of the project, as CI runs it:
#   1. the Swift tests (unit, fixture workspaces, golden pages, corpus, hostile input, archive),
#      with the PostgreSQL archive tests among them when a server can be had (a local one is
#      set up when run as root; see Tests/Postgres/server.sh),
#   2. the pages in headless Chromium with axe-core and the Nu HTML Checker,
#   3. a short libFuzzer run of each parser (SITEGEN_FUZZ_SECONDS each, default 30).
# With a server, everything is built once with the PostgreSQL trait (SITEGEN_TRAITS tells parts
# 2 and 3 to build sitegen so too), instead of building it all a second time for those tests.
# Part 3 runs beside part 2, which leaves a core mostly idle; its output is printed when it
# ends. Each part prints what it checks; the script fails when a part fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source Tests/Postgres/server.sh

if postgres_server; then
    export SITEGEN_TRAITS=PostgreSQL
else
    postgres_skip_message
    postgres_required && exit 1
fi

echo "== swift test${SITEGEN_TRAITS:+ --traits $SITEGEN_TRAITS}"
swift test ${SITEGEN_TRAITS:+--traits "$SITEGEN_TRAITS"}

mkdir -p .build-fuzz
fuzz_log=.build-fuzz/run.log
echo "== fuzzing, in the background (output below when it ends; log $fuzz_log)"
Tests/Fuzz/run.sh "${SITEGEN_FUZZ_SECONDS:-30}" >"$fuzz_log" 2>&1 &
fuzz=$!
trap 'kill "$fuzz" 2>/dev/null || true' EXIT

echo "== browser, accessibility and HTML checks"
browser_status=0
Tests/Browser/run.sh || browser_status=$?

echo "== fuzzing (waiting for it to end)"
fuzz_status=0
wait "$fuzz" || fuzz_status=$?
trap - EXIT
cat "$fuzz_log"
if [[ $browser_status -ne 0 ]]; then echo "browser checks: FAILED (exit $browser_status)" >&2; fi
if [[ $fuzz_status -ne 0 ]]; then echo "fuzzing: FAILED (exit $fuzz_status)" >&2; fi
[[ $browser_status -eq 0 && $fuzz_status -eq 0 ]]
