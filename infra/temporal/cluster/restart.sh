#!/usr/bin/env bash
# Restarts one part of the cluster that infra/temporal/cluster/start.sh started (same
# SPRINT_CLUSTER_DIR), the way a supervisor brings back a crashed process, and waits until it serves:
#   restart.sh frontend|history|matching|worker   stops the service if it still runs (SIGTERM, then
#                                                  SIGKILL after 10 s), starts it with the same config
#   restart.sh postgres                           restarts PostgreSQL (fast: open connections are cut)
# Unlike start.sh it touches nothing else (no schema, no namespace setup), so the fault tests time
# the restart of that one part only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dir="${SPRINT_CLUSTER_DIR:-$root/.sprint/cluster}"
what="${1:-}"

say() { echo "sprint cluster: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

[[ -f "$dir/cluster.env" ]] || fail "no cluster in $dir (start it with infra/temporal/cluster/start.sh)"
# shellcheck disable=SC1091
source "$dir/cluster.env"
port="${TEMPORAL_ADDRESS##*:}"

# Whether something accepts connections on 127.0.0.1:$1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local p="$1" name="$2"
  for _ in $(seq 1 120); do
    listening "$p" && return 0
    sleep 0.5
  done
  fail "$name does not listen on 127.0.0.1:$p after 60 s; see $dir/logs/"
}

case "$what" in
  postgres)
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    as_pg "$pg_bin/pg_ctl" -D "$dir/pgdata" -m fast -w restart \
      -o "-c listen_addresses=127.0.0.1 -p $SPRINT_CLUSTER_PG_PORT -k $dir/pgsock -c max_connections=200" \
      -l "$dir/pgdata/postgres.log" >/dev/null || fail "PostgreSQL did not restart; see $dir/pgdata/postgres.log"
    wait_for_port "$SPRINT_CLUSTER_PG_PORT" PostgreSQL
    ;;
  frontend | history | matching | worker)
    offset=0
    case "$what" in history) offset=1 ;; matching) offset=2 ;; worker) offset=3 ;; esac
    pid_file="$dir/run/$what.pid"
    if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      pid="$(cat "$pid_file")"
      kill -TERM "$pid"
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    server_bin="$root/.tools/temporal-cluster/$TEMPORAL_SERVER_VERSION/bin/server"
    setsid "$server_bin" --config-file "$dir/config/sprint-cluster.yaml" --allow-no-auth start --service "$what" \
      >>"$dir/logs/$what.log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    wait_for_port "$((port + offset))" "the $what service"
    ;;
  *) fail "usage: restart.sh frontend|history|matching|worker|postgres (got '$what')" ;;
esac
say "$what restarted"
