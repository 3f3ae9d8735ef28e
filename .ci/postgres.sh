# Sourced by .ci/run: make sure a PostgreSQL server answers on 127.0.0.1:5432 and export the URL
# the tests use. Installs Debian's server package only when none is there.
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 || ! pg_ready; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ci: installing PostgreSQL from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ci: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi

if pg_ready; then
  psql -h 127.0.0.1 -U postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname='qabot_test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE qabot_test" \
    || echo "ci: could not create database qabot_test"
  export QABOT_TEST_POSTGRES_URL="${QABOT_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/qabot_test}"
  echo "ci: PostgreSQL ready at $QABOT_TEST_POSTGRES_URL"
else
  echo "ci: PostgreSQL is not reachable; the PostgreSQL tests will fail under CI=true"
fi
