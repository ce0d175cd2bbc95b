#!/usr/bin/env bash
# Starts a networked MongoDB-compatible store for tests and trials: Debian's
# PostgreSQL 15 on loopback, and FerretDB (our internal/mongodb/cmd/ferretdb-pg)
# on it, also on loopback. Prints the MongoDB URI to use, e.g.
#
#   export BROKERFINDER_TEST_MONGODB_URI=$(scripts/ferretdb-postgres.sh start)
#   scripts/ferretdb-postgres.sh stop
#
# Runs as root (CI) and installs PostgreSQL only when missing, so running it
# twice changes nothing the second time. Ports: FERRETDB_PG_PORT (27018)
# for FerretDB and PostgreSQL's own (5432). State (pid, log, binary) goes in
# FERRETDB_PG_STATE (/tmp/brokerfinder-ferretdb-pg).
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:-start}
port=${FERRETDB_PG_PORT:-27018}
state=${FERRETDB_PG_STATE:-/tmp/brokerfinder-ferretdb-pg}
db=brokerfinder_ci
user=brokerfinder_ci
pass=brokerfinder_ci # loopback only, a throwaway database

log() { printf '%s\n' "$*" >&2; }

stop() {
  if [ -f "$state/ferretdb.pid" ]; then
    kill "$(cat "$state/ferretdb.pid")" 2>/dev/null || true
    rm -f "$state/ferretdb.pid"
  fi
}

case "$action" in
  stop) stop; exit 0 ;;
  start) ;;
  *) log "usage: $0 start|stop"; exit 2 ;;
esac

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /usr/lib/postgresql/15 ]; then
  log "installing PostgreSQL 15"
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main'; then
  pg_createcluster 15 main >&2
fi
# Loopback only, whatever the cluster's configuration says.
if ! pg_lsclusters -h | awk '$1==15 && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster 15 main start -- -o "-c listen_addresses=127.0.0.1" >&2 ||
    pg_ctlcluster 15 main start >&2
fi
pgport=$(pg_lsclusters -h | awk '$1==15 && $2=="main" {print $3}')
psql_() { runuser -u postgres -- psql -p "$pgport" -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 1 30); do psql_ -c 'select 1' >/dev/null 2>&1 && break; sleep 1; done
if [ "$(psql_ -c "select 1 from pg_roles where rolname='$user'")" != 1 ]; then
  psql_ -c "create role $user login password '$pass'" >&2
fi
if [ "$(psql_ -c "select 1 from pg_database where datname='$db'")" != 1 ]; then
  psql_ -c "create database $db owner $user" >&2
fi

mkdir -p "$state"
stop
go build -o "$state/ferretdb-pg" ./internal/mongodb/cmd/ferretdb-pg
FERRETDB_POSTGRESQL_URL="postgres://$user:$pass@127.0.0.1:$pgport/$db" \
  nohup "$state/ferretdb-pg" -listen "127.0.0.1:$port" >"$state/ferretdb.log" 2>&1 &
echo $! >"$state/ferretdb.pid"
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "mongodb://127.0.0.1:$port/"
    exit 0
  fi
  sleep 0.2
done
log "FerretDB did not start; its log:"; cat "$state/ferretdb.log" >&2; stop; exit 1
