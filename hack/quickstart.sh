#!/usr/bin/env bash
# See SidePool's data plane work on this machine, no cluster needed: a throwaway PostgreSQL on loopback, a
# ConnectionPool rendered by kubectl-sidepool exactly as the operator would publish it, the sidecar agent running
# PgBouncer on those files, and a query through the sidecar. Works as a normal user and as root (PostgreSQL and
# PgBouncer then run as the user "postgres"). Everything is removed on exit.
#
#   make quickstart                         (or: hack/quickstart.sh)
#
# Needs: dotnet, PostgreSQL 15 server binaries (initdb, pg_ctl), pgbouncer and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || die "pgbouncer not found (apt-get install pgbouncer)"
command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client)"
export PATH="$PATH:/usr/sbin"
DOTNET_ROOT=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
export DOTNET_ROOT

# PostgreSQL and PgBouncer refuse to run as root: as root, the services run as "postgres".
as_service() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs the user postgres (useradd --system postgres)"
  as_service() { runuser -u postgres -- env PATH="$PATH" DOTNET_ROOT="$DOTNET_ROOT" "$@"; }
fi
# A background service: the subshell becomes the program (exec), so $! is the process to signal (runuser forwards
# SIGTERM to the agent); a backgrounded function would leave its child running when the subshell is killed.
in_background_as_service() { ( if [ "$(id -u)" -eq 0 ]; then exec runuser -u postgres -- env PATH="$PATH" DOTNET_ROOT="$DOTNET_ROOT" "$@"; else exec "$@"; fi ) & }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/sidepool-quickstart.XXXXXX)
chmod 755 "$work"
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -d "$work/pgdata" ] && as_service "$pg_bin/pg_ctl" -D "$work/pgdata" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

say "building kubectl-sidepool and sidepool-agent"
dotnet build src/SidePool.Cli -c Release -v q --nologo -o "$work/bin/cli" >/dev/null
dotnet build src/SidePool.Agent -c Release -v q --nologo -o "$work/bin/agent" >/dev/null

say "starting a throwaway PostgreSQL on 127.0.0.1"
pg_port=$(free_port)
install -d -m 700 "$work/pgdata" "$work/pgsock"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/pgdata" "$work/pgsock"
as_service "$pg_bin/initdb" -D "$work/pgdata" -U postgres --auth=trust >/dev/null
as_service "$pg_bin/pg_ctl" -D "$work/pgdata" -l "$work/pgdata/log" -w \
  -o "-p $pg_port -k $work/pgsock -c listen_addresses=127.0.0.1" start >/dev/null
as_service psql -q -h "$work/pgsock" -p "$pg_port" -U postgres -d postgres \
  -c "CREATE ROLE orders_app LOGIN PASSWORD 'backend-secret'" -c "CREATE DATABASE orders OWNER orders_app"
# The server wants the password from now on, as a real one does.
sed -i 's/ trust$/ scram-sha-256/' "$work/pgdata/pg_hba.conf"
as_service "$pg_bin/pg_ctl" -D "$work/pgdata" reload >/dev/null
echo "PostgreSQL on 127.0.0.1:$pg_port, database orders, user orders_app"

say "a ConnectionPool and its credentials Secret"
sidecar_port=$(free_port)
cat > "$work/pool.yaml" <<EOF
apiVersion: sidepool.dev/v1alpha1
kind: ConnectionPool
metadata:
  name: orders-db
  namespace: shop
spec:
  selector:
    matchLabels:
      app: orders
  backend:
    host: 127.0.0.1
    port: $pg_port
    database: orders
    credentialsSecret:
      name: orders-db-app
    tls:
      mode: disable
  sidecar:
    port: $sidecar_port
    clientAuth: scram
EOF
cat > "$work/secret.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: orders-db-app
  namespace: shop
stringData:
  username: orders_app
  password: backend-secret
EOF
cat "$work/pool.yaml"

say "kubectl sidepool render: the files the operator would publish for it"
"$work/bin/cli/kubectl-sidepool" render -f "$work/pool.yaml" --secret "$work/secret.yaml" -o "$work/config" 2>/dev/null | sed -n '1,5p'
[ "$(id -u)" -eq 0 ] && chown -R postgres "$work/config"

say "the sidecar agent runs PgBouncer on them (private copy, reload, health, metrics)"
http_port=$(free_port)
install -d -m 700 "$work/run"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/run"
in_background_as_service "$work/bin/agent/sidepool-agent" --config-dir "$work/config" --runtime-dir "$work/run" \
  --socket-dir "$work/run" --http-address 127.0.0.1 --http-port "$http_port" > "$work/agent.log" 2>&1
agent_pid=$!
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent.log"; die "the agent exited"; }
  sleep 0.1
done
echo "/readyz: $(curl -fsS "http://127.0.0.1:$http_port/readyz")"

say "the app's view: DATABASE_URL with the pool's client password (never the backend password)"
database_url=$(cat "$work/config/database-url")
echo "DATABASE_URL=$(printf '%s' "$database_url" | sed 's#//\([^:@]*\):[^@]*@#//\1:****@#')"
psql "$database_url" -X -A -t -c "select 'hello from ' || current_user || ' through the sidecar on port ' || $sidecar_port as greeting"

say "what the sidecar reports (/metrics)"
for _ in $(seq 100); do   # the first backend check runs right after start
  curl -fsS "http://127.0.0.1:$http_port/metrics" | grep -q '^sidepool_backend_up 1' && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$http_port/metrics" | grep -E '^(sidepool_backend_up|pgbouncer_up|pgbouncer_pools_server_(active|idle)_connections)[ {]' || true
echo
echo "done: everything above is removed on exit."
