#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: npm packages (when missing or stale)
# and the pinned Temporal CLI under .tools/. Safe to run again; does nothing when all is present.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "sprint: Node.js 20+ is required (https://nodejs.org)." >&2
  exit 1
fi
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "sprint: installing npm packages (npm ci) ..." >&2
  npm ci --no-audit --no-fund >&2
fi
# The compiled CLI (dist/) and the pre-bundled workflows: `npx sprint` and workers start without
# compiling or bundling. Rebuilt when a source is newer than the last build.
if [[ "$(node -e 'process.stdout.write(require("./bin/build-state").buildState())')" != fresh ]]; then
  echo "sprint: building dist/ (npm run build) ..." >&2
  npm run --silent build >&2
fi
bash infra/temporal/install-cli.sh
