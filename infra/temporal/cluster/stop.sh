#!/usr/bin/env bash
# Stops what infra/temporal/cluster/start.sh started (same SPRINT_CLUSTER_DIR): the four Temporal
# services, then PostgreSQL. The data stays; start.sh resumes on it. --purge also deletes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dir="${SPRINT_CLUSTER_DIR:-$root/.sprint/cluster}"
[[ -d "$dir" ]] || exit 0

# Frontend first, so clients see a refused connection rather than half a cluster.
for svc in frontend worker matching history; do
  pid_file="$dir/run/$svc.pid"
  [[ -f "$pid_file" ]] || continue
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file"
done

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -n "$pg_bin" && -f "$dir/pgdata/PG_VERSION" ]]; then
  as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if as_pg "$pg_bin/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
    as_pg "$pg_bin/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null
  fi
fi
if [[ "${1:-}" == "--purge" ]]; then rm -rf "$dir"; fi
echo "sprint cluster: stopped ($dir)" >&2
