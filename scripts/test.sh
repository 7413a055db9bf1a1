#!/usr/bin/env bash
# The project's test command (`npm test`): installs what the tests need, then type-checks, lints,
# validates the deployment files and runs the unit, workflow, integration and Python suites. Every
# suite runs even when an earlier one fails; the last line sums them up ('N passed, N failed') and
# the exit code is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh || exit 1
bash scripts/setup-python.sh || exit 1

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
failed_steps=()
step() {
  local name="$1"
  echo "== $name"
  shift
  "$@" || {
    status=1
    failed_steps+=("$name")
  }
}

step "typecheck" npx tsc -p tsconfig.json --noEmit
step "lint" npx eslint . --max-warnings 0
step "format (prettier --check; npm run format fixes it)" npx prettier --check . --log-level warn
step "deployment files (kustomize, Kubernetes and compose schemas)" bash scripts/validate-infra.sh
step "unit tests" npx jest --ci --selectProjects unit --json --outputFile="$results/unit.json" "$@"
step "workflow tests (session workflow, mocked model calls)" \
  npx jest --ci --selectProjects workflow --json --outputFile="$results/workflow.json" "$@"
step "integration tests (real Temporal dev server)" \
  npx jest --ci --selectProjects integration --runInBand --json --outputFile="$results/integration.json" "$@"
step "CLI invocation (fresh clone, npm exec, symlink, npm pack + global install)" \
  npx jest --ci --selectProjects cli --runInBand --json --outputFile="$results/cli.json" "$@"
step "python tests (trainer, tiny engine)" \
  .venv/bin/python -m pytest -q infra/sft/tests infra/serve/tests infra/eval/tests --junitxml="$results/python.xml"

node -e '
const fs = require("fs");
const dir = process.argv[1];
let passed = 0, failed = 0, skipped = 0;
for (const f of ["unit.json", "workflow.json", "integration.json", "cli.json"]) {
  const p = `${dir}/${f}`;
  if (!fs.existsSync(p)) { failed += 1; console.log(`(no results from ${f}: the runner did not finish)`); continue; }
  const r = JSON.parse(fs.readFileSync(p, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0); skipped += r.numPendingTests;
}
const x = `${dir}/python.xml`;
if (fs.existsSync(x)) {
  const s = fs.readFileSync(x, "utf8");
  const attr = (n) => Number((new RegExp(`<testsuite [^>]*\\b${n}="(\\d+)"`).exec(s) || [])[1] || 0);
  const total = attr("tests"), bad = attr("failures") + attr("errors"), skip = attr("skipped");
  passed += total - bad - skip; failed += bad; skipped += skip;
} else { failed += 1; console.log("(no results from pytest)"); }
console.log(`all suites: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
' "$results"
# A step can fail with every test passing (a type error, a lint finding, a runner's own error such
# as logging after its tests ended): name it, so the exit code is never a mystery.
for name in "${failed_steps[@]}"; do echo "failed step: $name"; done
exit $status
