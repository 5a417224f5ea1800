#!/usr/bin/env bash
# Every check of the project, as CI runs it:
#   1. the Swift tests (unit, fixture workspaces, golden pages, corpus, hostile input, archive),
#   2. the PostgreSQL archive tests (a local server is set up when run as root),
#   3. the pages in headless Chromium with axe-core and the Nu HTML Checker,
#   4. a short libFuzzer run of each parser (SITEGEN_FUZZ_SECONDS each, default 30).
# Each part prints what it checks; the script stops at the first part that fails.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift test"
swift test

echo "== PostgreSQL archive"
Tests/Postgres/run.sh

echo "== browser, accessibility and HTML checks"
Tests/Browser/run.sh

echo "== fuzzing"
Tests/Fuzz/run.sh "${SITEGEN_FUZZ_SECONDS:-30}"
