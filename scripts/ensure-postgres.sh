#!/bin/sh
# Find, start or install a PostgreSQL server for the test suite, and print a
# DATABASE_URL for it on standard output (messages go to standard error).
#
#   1. $DATABASE_URL, when set, is printed as it is.
#   2. A server answering on 127.0.0.1:$PORT (default 5432) is used, as the
#      role "postgres" when it is let in without a password (trust), otherwise
#      as a role "alongside" (LOGIN CREATEDB, password "alongside") created
#      through the local socket as the postgres system user (needs root).
#   3. Where none answers, Debian's postgresql package is installed if needed
#      (root only) and its cluster is started with pg_ctlcluster.
#
# The database named $ALONGSIDE_PG_DB (default "alongside") is created if
# missing; pytest-django creates and drops its own test_* databases, which is
# why the role must be allowed to CREATEDB.
#
# Knobs (for testing this script): ALONGSIDE_PG_PORT, ALONGSIDE_PG_CLUSTER.
set -eu

HOST=127.0.0.1
PORT=${ALONGSIDE_PG_PORT:-5432}
CLUSTER=${ALONGSIDE_PG_CLUSTER:-main}
DB_NAME=${ALONGSIDE_PG_DB:-alongside}
APP_ROLE=alongside
APP_PASSWORD=alongside

say() { printf 'ensure-postgres: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment"
    printf '%s\n' "$DATABASE_URL"
    exit 0
fi

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
    is_root || die "PostgreSQL is needed but this user cannot install it (apt-get install -y $*)."
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is needed but apt-get is not available."
    say "installing $* (one time)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

# The client tools come first: pg_isready and psql tell whether a server answers;
# pg_dump and pg_restore (same package) are what `manage.py backup`/`restore` run.
for tool in pg_isready psql pg_dump pg_restore; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        apt_install postgresql-client
        break
    fi
done

answers() { pg_isready -q -h "$HOST" -p "$PORT" -t 3; }

start_local_cluster() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
        apt_install postgresql
    fi
    is_root || die "no PostgreSQL answers on $HOST:$PORT and this user cannot start one."
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    if [ ! -d "/etc/postgresql/$version/$CLUSTER" ]; then
        say "creating cluster $version/$CLUSTER on port $PORT"
        pg_createcluster "$version" "$CLUSTER" -p "$PORT" >/dev/null
    fi
    cluster_port=$(pg_lsclusters -h | awk -v v="$version" -v c="$CLUSTER" '$1 == v && $2 == c { print $3 }')
    if [ -n "$cluster_port" ] && [ "$cluster_port" != "$PORT" ]; then
        say "cluster $version/$CLUSTER is set to port $cluster_port; using that"
        PORT=$cluster_port
    fi
    say "starting PostgreSQL $version/$CLUSTER on port $PORT"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start >&2 || true
    tries=0
    until answers; do
        tries=$((tries + 1))
        [ "$tries" -le 30 ] || die "PostgreSQL $version/$CLUSTER did not answer on $HOST:$PORT within 30 s."
        sleep 1
    done
}

if answers; then
    say "a PostgreSQL server answers on $HOST:$PORT"
else
    say "no PostgreSQL answers on $HOST:$PORT"
    start_local_cluster
fi

psql_ok() { PGCONNECT_TIMEOUT=5 psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

BASE="postgres://postgres@$HOST:$PORT"
if ! psql_ok "$BASE/postgres"; then
    # Not trusted over TCP: make a password role through the socket (peer auth).
    is_root || die "cannot sign in to $HOST:$PORT as postgres without a password; set DATABASE_URL."
    say "postgres is not trusted over TCP; creating role $APP_ROLE with a password"
    su -s /bin/sh postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -Atq" >&2 <<SQL || die "could not create role $APP_ROLE through the local socket; set DATABASE_URL."
DO \$\$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_ROLE') THEN
        ALTER ROLE $APP_ROLE LOGIN CREATEDB PASSWORD '$APP_PASSWORD';
    ELSE
        CREATE ROLE $APP_ROLE LOGIN CREATEDB PASSWORD '$APP_PASSWORD';
    END IF;
END
\$\$;
SQL
    BASE="postgres://$APP_ROLE:$APP_PASSWORD@$HOST:$PORT"
    psql_ok "$BASE/postgres" || die "cannot sign in to $HOST:$PORT as $APP_ROLE either; set DATABASE_URL."
fi

can_create=$(psql "$BASE/postgres" -Atqc "select rolcreatedb or rolsuper from pg_roles where rolname = current_user")
[ "$can_create" = "t" ] || die "the role in $BASE may not CREATEDB; pytest-django needs to create its test database."

exists=$(psql "$BASE/postgres" -Atqc "select 1 from pg_database where datname = '$DB_NAME'")
if [ "$exists" != "1" ]; then
    say "creating database $DB_NAME"
    psql "$BASE/postgres" -Atqc "create database $DB_NAME" >/dev/null
fi

printf '%s\n' "$BASE/$DB_NAME"
