#!/usr/bin/env bash
# Every check of the project, as CI runs it:
#   1. the Swift tests (unit, fixture workspaces, golden pages, corpus, hostile input, archive),
#   2. the PostgreSQL archive tests (a local server is set up when run as root),
#   3. the pages in headless Chromium with axe-core and the Nu HTML Checker,
#   4. a short libFuzzer run of each parser (SITEGEN_FUZZ_SECONDS each, default 30).
# Part 2 runs beside parts 3 and 4: most of its time is compiling SwiftNIO and BoringSSL for the
# PostgreSQL trait, while the browser checks and the fuzzer leave a core mostly idle. It builds
# in its own scratch folder (.build-pg) so the others keep using .build, and its output is
# printed when it ends. Each part prints what it checks; the script stops at the first part
# that fails.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift test"
swift test

mkdir -p .build-pg
postgres_log=.build-pg/run.log
echo "== PostgreSQL archive, in the background (output below when it ends; log $postgres_log)"
Tests/Postgres/run.sh --scratch-path .build-pg >"$postgres_log" 2>&1 &
postgres=$!
trap 'kill "$postgres" 2>/dev/null || true' EXIT

echo "== browser, accessibility and HTML checks"
Tests/Browser/run.sh

echo "== fuzzing"
Tests/Fuzz/run.sh "${SITEGEN_FUZZ_SECONDS:-30}"

echo "== PostgreSQL archive (waiting for it to end)"
postgres_status=0
wait "$postgres" || postgres_status=$?
trap - EXIT
cat "$postgres_log"
if [[ $postgres_status -ne 0 ]]; then
    echo "PostgreSQL archive: FAILED (exit $postgres_status)" >&2
    exit 1
fi
