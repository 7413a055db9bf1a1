#!/usr/bin/env bash
# Writes the Temporal server's static config and dynamic config for infra/temporal/cluster/start.sh.
# One file serves the four services; each process starts only the service its --service names.
# Usage: write-config.sh CONFIG DYNAMIC_CONFIG FRONTEND_PORT PG_PORT SHARDS PG_PASSWORD [TLS_DIR]
set -euo pipefail
config="$1" dynamic="$2" port="$3" pg_port="$4" shards="$5" pg_password="$6" tls_dir="${7:-}"

# Ports: gRPC of frontend/history/matching/worker at port+0..3, the frontend's HTTP API at +4,
# membership (ringpop, how the services find each other) at +10..13.
service_block() {
  local name="$1" grpc="$2" membership="$3" extra="${4:-}"
  cat <<EOF
  $name:
    rpc:
      grpcPort: $grpc
      membershipPort: $membership
      bindOnIP: "127.0.0.1"$extra
EOF
}

datastore() {
  local name="$1" db="$2" conns="$3"
  cat <<EOF
    $name:
      sql:
        pluginName: "postgres12"
        databaseName: "$db"
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: "tcp"
        user: "temporal"
        password: "$pg_password"
        maxConns: $conns
        maxIdleConns: $conns
        maxConnLifetime: "1h"
EOF
}

tls_block() {
  [[ -z "$tls_dir" ]] && return 0
  # Clients of the frontend (sprint's workers and CLI, the temporal CLI, the system worker) must
  # present a certificate signed by the cluster's CA. Internode traffic stays on loopback in clear.
  cat <<EOF
  tls:
    frontend:
      server:
        certFile: "$tls_dir/server.pem"
        keyFile: "$tls_dir/server.key"
        requireClientAuth: true
        clientCaFiles: ["$tls_dir/ca.pem"]
    systemWorker:
      certFile: "$tls_dir/client.pem"
      keyFile: "$tls_dir/client.key"
      client:
        serverName: "localhost"
        rootCaFiles: ["$tls_dir/ca.pem"]
EOF
}

umask 077
{
  cat <<EOF
# Written by infra/temporal/cluster/start.sh; edits are overwritten on the next start.
log:
  stdout: true
  level: warn

persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: $shards
  datastores:
EOF
  datastore default temporal 20
  datastore visibility temporal_visibility 10
  cat <<EOF

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
EOF
  tls_block
  cat <<EOF

services:
EOF
  service_block frontend "$port" $((port + 10)) "
      httpPort: $((port + 4))"
  service_block history $((port + 1)) $((port + 11))
  service_block matching $((port + 2)) $((port + 12))
  service_block worker $((port + 3)) $((port + 13))
  cat <<EOF

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:$port"
      httpAddress: "127.0.0.1:$((port + 4))"

dcRedirectionPolicy:
  policy: "noop"

publicClient:
  hostPort: "127.0.0.1:$port"

dynamicConfigClient:
  filepath: "$dynamic"
  pollInterval: "10s"
EOF
} >"$config"

cat >"$dynamic" <<'EOF'
# Written by infra/temporal/cluster/start.sh. The server's defaults (four partitions per task
# queue) are the production shape, and the dev server's one-partition tuning
# (infra/temporal/dev-server-tuning.ts) does not apply to a cluster. Keys set here are re-read
# every 10 s without a restart.
# Priority and fairness of task queues (docs/priority.md; infra/temporal/priority-dynamic-config.ts).
matching.useNewMatcher:
  - value: true
matching.enableFairness:
  - value: true
EOF
