#!/bin/sh
# Runs one replica's llm worker only while its engine is healthy, so that a dead ENGINE fails over
# like a dead worker: waits for the engine before polling; if the engine then fails
# $SPRINT_ENGINE_MAX_FAILURES checks in a row, stops the worker (its in-flight calls are retried)
# and exits 75, so the replica queue has no poller, the session's calls move to the pool's shared
# queue after the sticky schedule-to-start timeout, and the container's restart policy brings the
# worker back (waiting again) once the engine recovers.
#
#   SPRINT_ENGINE_HEALTH_URL=http://vllm-gpu0:8000/health sh infra/docker/llm-worker.sh --pool main --replica gpu0
set -eu

url="${SPRINT_ENGINE_HEALTH_URL:?set SPRINT_ENGINE_HEALTH_URL to the engine health endpoint}"
interval="${SPRINT_ENGINE_CHECK_INTERVAL_S:-10}"
max_failures="${SPRINT_ENGINE_MAX_FAILURES:-3}"
cd "$(dirname "$0")/../.."

healthy() {
  node -e "fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$url"
}

stopping=0
trap 'stopping=1' TERM INT

until healthy; do
  [ "$stopping" -eq 1 ] && exit 143
  echo "llm-worker: waiting for the engine at $url"
  sleep "$interval" &
  wait $! || true
done

node bin/sprint.js worker llm "$@" &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true' TERM INT

failures=0
while kill -0 "$worker" 2>/dev/null; do
  sleep "$interval" &
  wait $! || true
  kill -0 "$worker" 2>/dev/null || break
  if healthy; then
    failures=0
  else
    failures=$((failures + 1))
    echo "llm-worker: engine check failed ($failures/$max_failures)"
    if [ "$failures" -ge "$max_failures" ]; then
      echo "llm-worker: engine down; stopping the worker so its sessions fail over"
      kill -TERM "$worker" 2>/dev/null || true
      wait "$worker" || true
      exit 75
    fi
  fi
done
set +e
wait "$worker"
exit $?
