#!/usr/bin/env bash
# `npm run demo`: the main job on the embedded stack.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/setup-python.sh
exec node bin/sprint.js demo "$@"
