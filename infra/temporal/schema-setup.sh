#!/bin/sh
# Creates Temporal's two PostgreSQL databases (temporal, temporal_visibility) and applies the schemas
# that ship with Temporal's SQL tool, then moves them forward to the tool's version. The same file
# runs in infra/temporal/cluster/start.sh (the tool built from the server's Go module) and in the
# compose schema job (the temporalio/admin-tools image, whose tool is `temporal-sql-tool`), so the
# deployment sets up its database exactly as the cluster suite did.
# Idempotent: an existing database is kept, setup-schema only records version 0.0 where none is,
# update-schema is a no-op on a current schema and migrates after a server upgrade.
#
# Environment: SQL_HOST, SQL_PORT (5432), SQL_USER (temporal), SQL_PASSWORD (read by the tool),
# TEMPORAL_SQL_TOOL (temporal-sql-tool).
set -eu

: "${SQL_HOST:?set SQL_HOST to the PostgreSQL host}"
: "${SQL_PASSWORD:?set SQL_PASSWORD}"
export SQL_PASSWORD
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
port="${SQL_PORT:-5432}"
user="${SQL_USER:-temporal}"

sql() {
  "$tool" --plugin postgres12 --endpoint "$SQL_HOST" --port "$port" --user "$user" "$@"
}

for db in temporal temporal_visibility; do
  schema=postgresql/v12/temporal
  [ "$db" = temporal_visibility ] && schema=postgresql/v12/visibility
  # Fails when the database exists, which is fine; a database that cannot be reached fails below.
  sql --db "$db" create-database 2>/dev/null || true
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema --schema-name "$schema"
  echo "sprint schema: $db ready ($schema)"
done
