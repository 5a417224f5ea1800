#!/usr/bin/env bash
# Runs the PostgreSQL archive tests (PostgresArchiveTests) with sitegen built with the
# PostgreSQL trait.
#
# Server: $SITEGEN_TEST_POSTGRES_URL when set (postgres://user:password@host:port/database; the
# role needs CREATEDB: every test makes and drops its own database). Otherwise, as root, this
# script installs PostgreSQL with apt-get when missing (CI), starts the local cluster and
# creates the role and database `sitegen_test`. Without a URL and without root or PostgreSQL,
# it says that it skips and exits 0 (set SITEGEN_REQUIRE_POSTGRES=1, as CI does, to fail instead).
set -euo pipefail
cd "$(dirname "$0")/../.."

require=${SITEGEN_REQUIRE_POSTGRES:-${CI:-}}
skip() {
    echo "PostgreSQL tests: SKIPPED: $1"
    echo "  (set SITEGEN_TEST_POSTGRES_URL=postgres://user:password@host:port/database, or run as root with apt-get)"
    if [[ "$require" == "1" || "$require" == "true" ]]; then exit 1; fi
    exit 0
}

if [[ -z "${SITEGEN_TEST_POSTGRES_URL:-}" ]]; then
    [[ "$(id -u)" == 0 ]] || skip "no SITEGEN_TEST_POSTGRES_URL and not root, so no local server can be set up"
    if ! command -v pg_ctlcluster >/dev/null; then
        command -v apt-get >/dev/null || skip "PostgreSQL is not installed and there is no apt-get"
        echo "PostgreSQL tests: installing postgresql with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    [[ -n "$version" ]] || skip "no PostgreSQL server version under /usr/lib/postgresql"
    pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }' \
        || pg_createcluster "$version" main >/dev/null
    pg_ctlcluster "$version" main start 2>/dev/null || true
    pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }' \
        || skip "the PostgreSQL $version cluster did not start (see /var/log/postgresql/)"
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
    as_postgres() { runuser -u postgres -- "$@"; }
    as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -q <<'SQL'
SELECT 'CREATE ROLE sitegen_test LOGIN CREATEDB PASSWORD ''sitegen_test'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sitegen_test') \gexec
SELECT 'CREATE DATABASE sitegen_test OWNER sitegen_test'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sitegen_test') \gexec
SQL
    export SITEGEN_TEST_POSTGRES_URL="postgres://sitegen_test@127.0.0.1:$port/sitegen_test?sslmode=disable"
    export PGPASSWORD=sitegen_test
    echo "PostgreSQL tests: using the local PostgreSQL $version cluster on port $port"
fi

swift test --traits PostgreSQL --filter PostgresArchiveTests "$@"
