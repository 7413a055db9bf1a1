#!/bin/sh
# Prepares a Temporal cluster namespace for sprint (compose init job and Kubernetes Job run this
# same file in the temporalio/admin-tools image): waits for the frontend, creates the namespace or
# raises its retention, and registers sprint's search attributes (the list of
# workflows/search-attributes.ts; scripts/validate-infra.sh checks that the two agree).
# Idempotent: safe to run on every `docker compose up` or deploy.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${SPRINT_NAMESPACE_RETENTION:-720h}"
SPRINT_SEARCH_ATTRIBUTES="SprintKind=Keyword SprintStatus=Keyword SprintModel=Keyword SprintDataset=Keyword SprintPipeline=Keyword SprintBenchmark=Keyword SprintMethod=Keyword SprintPool=Keyword SprintProgress=Int SprintSequentialTokens=Int SprintTotalTokens=Int SprintAccuracy=Double SprintKeptFraction=Double SprintLoss=Double"
export TEMPORAL_ADDRESS="$ADDRESS"

echo "sprint setup: waiting for Temporal at $ADDRESS ..."
tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 150 ]; then
    echo "sprint setup: Temporal at $ADDRESS is not healthy after 300s" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "sprint setup: namespace $NAMESPACE retention set to $RETENTION"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "sprint setup: namespace $NAMESPACE created (retention $RETENTION)"
fi

# The namespace cache of a fresh cluster takes a moment to see a new namespace.
tries=0
until existing="$(temporal operator search-attribute list --namespace "$NAMESPACE" 2>/dev/null)"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 30 ]; then
    echo "sprint setup: cannot list search attributes of $NAMESPACE" >&2
    exit 1
  fi
  sleep 2
done

for entry in $SPRINT_SEARCH_ATTRIBUTES; do
  name="${entry%%=*}"
  type="${entry#*=}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "sprint setup: search attribute $name present"
  else
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
    echo "sprint setup: search attribute $name ($type) registered"
  fi
done
echo "sprint setup: done"
