#!/usr/bin/env bash
# Runs the PostgreSQL archive tests (PostgresArchiveTests) alone, with sitegen built with the
# PostgreSQL trait; extra arguments go to `swift test`. The server is found or set up as
# Tests/Postgres/server.sh says. Without one it says that it skips and exits 0 (set
# SITEGEN_REQUIRE_POSTGRES=1, as CI does, to fail instead). Tests/run.sh runs these tests within
# its `swift test` instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/Postgres/server.sh

if ! postgres_server; then
    postgres_skip_message
    postgres_required && exit 1
    exit 0
fi
swift test --traits PostgreSQL --filter PostgresArchiveTests "$@"
