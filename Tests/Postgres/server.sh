# Sourced by Tests/run.sh and Tests/Postgres/run.sh: `postgres_server` finds the server the
# PostgreSQL archive tests use and exports SITEGEN_TEST_POSTGRES_URL (and PGPASSWORD) for them.
#
# Server: $SITEGEN_TEST_POSTGRES_URL when set (postgres://user:password@host:port/database; the
# role needs CREATEDB: every test makes and drops its own database). Otherwise, as root, it
# installs PostgreSQL with apt-get when missing (CI), starts the local cluster and creates the
# role and database `sitegen_test`. When there is no server to be had, it returns 1 with the
# reason in $postgres_skip_reason.

postgres_server() {
    postgres_skip_reason=""
    [[ -n "${SITEGEN_TEST_POSTGRES_URL:-}" ]] && return 0
    if [[ "$(id -u)" != 0 ]]; then
        postgres_skip_reason="no SITEGEN_TEST_POSTGRES_URL and not root, so no local server can be set up"
        return 1
    fi
    if ! command -v pg_ctlcluster >/dev/null; then
        if ! command -v apt-get >/dev/null; then
            postgres_skip_reason="PostgreSQL is not installed and there is no apt-get"
            return 1
        fi
        echo "PostgreSQL tests: installing postgresql with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local version port
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if [[ -z "$version" ]]; then
        postgres_skip_reason="no PostgreSQL server version under /usr/lib/postgresql"
        return 1
    fi
    pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }' \
        || pg_createcluster "$version" main >/dev/null
    pg_ctlcluster "$version" main start 2>/dev/null || true
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
        postgres_skip_reason="the PostgreSQL $version cluster did not start (see /var/log/postgresql/)"
        return 1
    fi
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
    # (Inside `if`, as the callers run this, a failing command does not stop the script.)
    if ! runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -q <<'SQL'
SELECT 'CREATE ROLE sitegen_test LOGIN CREATEDB PASSWORD ''sitegen_test'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sitegen_test') \gexec
SELECT 'CREATE DATABASE sitegen_test OWNER sitegen_test'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sitegen_test') \gexec
SQL
    then
        postgres_skip_reason="could not create the role and database sitegen_test on port $port"
        return 1
    fi
    export SITEGEN_TEST_POSTGRES_URL="postgres://sitegen_test@127.0.0.1:$port/sitegen_test?sslmode=disable"
    export PGPASSWORD=sitegen_test
    echo "PostgreSQL tests: using the local PostgreSQL $version cluster on port $port"
}

# Whether a missing server fails the run (SITEGEN_REQUIRE_POSTGRES=1, or CI) or is skipped.
postgres_required() {
    local require=${SITEGEN_REQUIRE_POSTGRES:-${CI:-}}
    [[ "$require" == "1" || "$require" == "true" ]]
}

postgres_skip_message() {
    echo "PostgreSQL tests: SKIPPED: $postgres_skip_reason"
    echo "  (set SITEGEN_TEST_POSTGRES_URL=postgres://user:password@host:port/database, or run as root with apt-get)"
}
