#!/usr/bin/env bash
# Starts a production-shaped Temporal cluster on this machine, on loopback only:
#   - PostgreSQL (Debian's packages; installed when missing) in a private data dir and port,
#   - the Temporal server built from its Go module at a pinned version (cached under .tools/),
#   - schemas applied with Temporal's SQL tool (same module),
#   - frontend, history, matching and worker as four separate processes (the Kubernetes shape),
#   - then the project's own namespace setup (infra/temporal/cluster-setup.sh), unchanged.
# Idempotent: run it again and it starts only what is not running (the fault tests restart a
# killed service this way). infra/temporal/cluster/stop.sh stops it all.
#
# Settings (environment):
#   SPRINT_CLUSTER_DIR       state: database, config, logs, pid files (default .sprint/cluster)
#   SPRINT_CLUSTER_PORT      frontend gRPC port (default 7633); the services use the next ports,
#                            membership ports +10.., PostgreSQL +20 unless SPRINT_CLUSTER_PG_PORT
#   SPRINT_CLUSTER_SHARDS    history shards (default 4; fixed once the database exists)
#   SPRINT_CLUSTER_TLS_DIR   a folder with ca.pem, server.pem, server.key, client.pem, client.key:
#                            the frontend then requires mutual TLS (the system worker uses the
#                            client pair); unset: plain gRPC
#   SPRINT_CLUSTER_RETENTION namespace retention for cluster-setup.sh (default 720h)
set -euo pipefail

TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.2}"
# The server's go.mod asks for a newer Go than Debian's; Go's toolchain switch fetches this one.
TEMPORAL_SERVER_GOTOOLCHAIN="${TEMPORAL_SERVER_GOTOOLCHAIN:-go1.26.10}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dir="${SPRINT_CLUSTER_DIR:-$root/.sprint/cluster}"
port="${SPRINT_CLUSTER_PORT:-7633}"
pg_port="${SPRINT_CLUSTER_PG_PORT:-$((port + 20))}"
shards="${SPRINT_CLUSTER_SHARDS:-4}"
tls_dir="${SPRINT_CLUSTER_TLS_DIR:-}"
services=(history matching frontend worker)

say() { echo "sprint cluster: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

[[ "$shards" =~ ^[1-9][0-9]*$ ]] || fail "SPRINT_CLUSTER_SHARDS must be a positive integer (got '$shards')"
[[ "$port" =~ ^[0-9]+$ ]] || fail "SPRINT_CLUSTER_PORT must be a port number (got '$port')"
# Temporal stores membership ports (port+10..13) in a PostgreSQL smallint column.
[[ "$port" -le 32750 ]] || fail "SPRINT_CLUSTER_PORT must be at most 32750 (got $port): membership ports are stored as smallint"
if [[ -n "$tls_dir" ]]; then
  for f in ca.pem server.pem server.key client.pem client.key; do
    [[ -f "$tls_dir/$f" ]] || fail "SPRINT_CLUSTER_TLS_DIR=$tls_dir lacks $f"
  done
  tls_dir="$(cd "$tls_dir" && pwd)"
fi

mkdir -p "$dir"/{config,logs,run}
dir="$(cd "$dir" && pwd)"

# --- binaries -------------------------------------------------------------------------------------
bin_dir="$root/.tools/temporal-cluster/$TEMPORAL_SERVER_VERSION/bin"
server_bin="$bin_dir/server"
sql_bin="$bin_dir/sql"
if [[ ! -x "$server_bin" || ! -x "$sql_bin" ]]; then
  command -v go >/dev/null 2>&1 || fail "Go is not installed; it builds the Temporal server ($TEMPORAL_SERVER_VERSION)"
  say "building the Temporal server and SQL tool $TEMPORAL_SERVER_VERSION into .tools/ (minutes, once) ..."
  mkdir -p "$bin_dir"
  (cd "$bin_dir" && GOTOOLCHAIN="$TEMPORAL_SERVER_GOTOOLCHAIN" GOBIN="$bin_dir" nice go install \
    "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
    "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION") ||
    fail "go install of the Temporal server $TEMPORAL_SERVER_VERSION failed (see above)"
fi
bash "$root/infra/temporal/install-cli.sh"
temporal_cli="$root/.tools/bin/temporal"

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$pg_bin" ]]; then
  [[ "$(id -u)" == 0 ]] || fail "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
  say "installing PostgreSQL from the Debian packages ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
# PostgreSQL refuses to run as root: as root, its processes run as the postgres user.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_data="$dir/pgdata"
pg_sock="$dir/pgsock"
pg_password_file="$dir/config/pg-password"
if [[ ! -f "$pg_data/PG_VERSION" ]]; then
  say "creating the PostgreSQL cluster in $pg_data ..."
  mkdir -p "$pg_data" "$pg_sock"
  [[ "$(id -u)" == 0 ]] && chown postgres: "$pg_data" "$pg_sock"
  as_pg "$pg_bin/initdb" -D "$pg_data" --auth-local=trust --auth-host=scram-sha-256 -U postgres >"$dir/logs/initdb.log"
  (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$pg_password_file")
fi
if ! as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
  say "starting PostgreSQL on 127.0.0.1:$pg_port ..."
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/postgres.log" \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_sock -c max_connections=200" start >/dev/null ||
    fail "PostgreSQL did not start; see $pg_data/postgres.log"
fi
pg_password="$(cat "$pg_password_file")"
psql_admin() { as_pg "$pg_bin/psql" -h "$pg_sock" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [[ "$(psql_admin -c "select 1 from pg_roles where rolname = 'temporal'")" != 1 ]]; then
  psql_admin -c "create role temporal login createdb password '$pg_password'" >/dev/null
fi

# --- schemas --------------------------------------------------------------------------------------
# The same script as the compose schema job (infra/temporal/schema-setup.sh), with the tool built here.
TEMPORAL_SQL_TOOL="$sql_bin" SQL_HOST=127.0.0.1 SQL_PORT="$pg_port" SQL_USER=temporal SQL_PASSWORD="$pg_password" \
  sh "$root/infra/temporal/schema-setup.sh" >>"$dir/logs/schema.log" 2>&1 ||
  fail "schema setup failed; see $dir/logs/schema.log"

# --- server config --------------------------------------------------------------------------------
bash "$here/write-config.sh" "$dir/config/sprint-cluster.yaml" "$dir/config/dynamicconfig.yaml" \
  "$port" "$pg_port" "$shards" "$pg_password" "$tls_dir"

running() {
  local pid_file="$dir/run/$1.pid"
  [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}
# Whether something accepts connections on 127.0.0.1:$1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
grpc_offset() { case "$1" in history) echo 1 ;; matching) echo 2 ;; worker) echo 3 ;; *) echo 0 ;; esac; }
for svc in "${services[@]}"; do
  if running "$svc"; then continue; fi
  say "starting the $svc service ..."
  # setsid: each service is its own process group and outlives this script.
  setsid "$server_bin" --config-file "$dir/config/sprint-cluster.yaml" --allow-no-auth start --service "$svc" \
    >>"$dir/logs/$svc.log" 2>&1 </dev/null &
  echo $! >"$dir/run/$svc.pid"
  # One at a time, each until it listens: on a new database every service writes the cluster's
  # metadata record as it starts, and two doing so at once fail one of them (duplicate key).
  for _ in $(seq 1 120); do
    listening "$((port + $(grpc_offset "$svc")))" && break
    running "$svc" || fail "the $svc service exited; see $dir/logs/$svc.log"
    sleep 0.5
  done
done

# --- wait, then the project's namespace setup -----------------------------------------------------
export TEMPORAL_ADDRESS="127.0.0.1:$port"
if [[ -n "$tls_dir" ]]; then
  export TEMPORAL_TLS_CERT="$tls_dir/client.pem" TEMPORAL_TLS_KEY="$tls_dir/client.key"
  export TEMPORAL_TLS_CA="$tls_dir/ca.pem" TEMPORAL_TLS_SERVER_NAME=localhost
fi
tries=0
until "$temporal_cli" operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  for svc in "${services[@]}"; do
    running "$svc" || fail "the $svc service exited; see $dir/logs/$svc.log"
  done
  [[ "$tries" -gt 120 ]] && fail "the frontend at $TEMPORAL_ADDRESS is not healthy after 120 s; see $dir/logs/"
  sleep 1
done
SPRINT_NAMESPACE_RETENTION="${SPRINT_CLUSTER_RETENTION:-720h}" PATH="$(dirname "$temporal_cli"):$PATH" \
  sh "$root/infra/temporal/cluster-setup.sh" >>"$dir/logs/setup.log" 2>&1 ||
  fail "cluster-setup.sh failed; see $dir/logs/setup.log"

cat >"$dir/cluster.env" <<EOF
TEMPORAL_ADDRESS=127.0.0.1:$port
SPRINT_CLUSTER_PG_PORT=$pg_port
SPRINT_CLUSTER_SHARDS=$shards
TEMPORAL_SERVER_VERSION=$TEMPORAL_SERVER_VERSION
EOF
say "ready: frontend 127.0.0.1:$port$([[ -n "$tls_dir" ]] && echo ' (mTLS)'), $shards history shards, PostgreSQL 127.0.0.1:$pg_port, state in $dir"
