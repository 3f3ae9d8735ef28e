# Sourced by .ci/run: make sure a PostgreSQL server answers on 127.0.0.1 and export the URL the
# tests use (QABOT_TEST_POSTGRES_URL). When none answers, Debian's server package is installed if
# missing and a cluster is started. A fresh Debian cluster wants a password over TCP, so the
# tests then get a role of their own, set up through the local socket as the postgres user.
# QABOT_PG_PORT and QABOT_PG_CLUSTER (default 5432, main) let the script be tried on a scratch
# cluster beside a running one.
pg_port="${QABOT_PG_PORT:-5432}"
pg_cluster="${QABOT_PG_CLUSTER:-main}"

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

pg_start() {
  if ! ls -d /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "ci: installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if [ ! -d "/etc/postgresql/$version/$pg_cluster" ]; then
    as_root pg_createcluster "$version" "$pg_cluster" --port "$pg_port" >/dev/null
  fi
  echo "ci: starting PostgreSQL $version/$pg_cluster on port $pg_port"
  # Already running (the package may have started it) is fine; readiness is checked below.
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$pg_cluster" start || true
  for _ in $(seq 1 30); do pg_ready && return 0; sleep 1; done
  return 1
}

pg_url_for_tests() {
  local db=qabot_test
  local exists="SELECT 1 FROM pg_database WHERE datname='$db'"
  if psql -w -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAtc "SELECT 1" >/dev/null 2>&1; then
    # TCP without a password (trust): use the postgres user, as developer machines do.
    [ "$(psql -w -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAtc "$exists")" = 1 ] \
      || psql -w -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "CREATE DATABASE $db" >&2
    echo "postgresql+psycopg://postgres@127.0.0.1:$pg_port/$db"
    return
  fi
  as_postgres psql -p "$pg_port" -d postgres -v ON_ERROR_STOP=1 -q >&2 <<'SQL' || return 1
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'qabot') THEN
    CREATE ROLE qabot LOGIN PASSWORD 'qabot';
  END IF;
END $$;
SQL
  [ "$(as_postgres psql -p "$pg_port" -d postgres -qAtc "$exists")" = 1 ] \
    || as_postgres createdb -p "$pg_port" -O qabot "$db" >&2 || return 1
  as_postgres psql -p "$pg_port" -d postgres -qc "GRANT ALL ON DATABASE $db TO qabot" >&2 || return 1
  echo "postgresql+psycopg://qabot:qabot@127.0.0.1:$pg_port/$db"
}

if [ -n "${QABOT_TEST_POSTGRES_URL:-}" ]; then
  echo "ci: using QABOT_TEST_POSTGRES_URL from the environment"
elif { pg_ready || pg_start; } && pg_url=$(pg_url_for_tests); then
  export QABOT_TEST_POSTGRES_URL="$pg_url"
  echo "ci: PostgreSQL ready for the tests on 127.0.0.1:$pg_port"
else
  echo "ci: PostgreSQL is not reachable; the PostgreSQL tests will fail under CI=true"
fi
