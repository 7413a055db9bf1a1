#!/usr/bin/env bash
# The project's test command (`npm test`): installs what the tests need, then type-checks, lints
# and runs the unit and integration suites. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/setup-python.sh

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== lint"
npx eslint . --max-warnings 0
bash scripts/validate-infra.sh
echo "== unit tests"
npx jest --ci --selectProjects unit "$@"
echo "== integration tests (real Temporal dev server)"
npx jest --ci --selectProjects integration --runInBand "$@"
echo "== python tests (trainer, tiny engine)"
.venv/bin/python -m pytest -q infra/sft/tests infra/serve/tests
