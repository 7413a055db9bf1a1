#!/usr/bin/env bash
# The project's test command (`npm test`): installs what the tests need, then type-checks, lints,
# validates the deployment files and runs the unit, workflow, integration and Python suites. Every
# suite runs even when an earlier one fails; the last line sums them up ('N passed, N failed') and
# the exit code is non-zero when anything failed. Steps that fit beside each other on two cores run
# at the same time, each printing its output when it ends (docs/testing.md has the layout and times).
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
# Steps that run beside others: `lane NAME CMD...` runs in the caller's (background) lane with its
# output in a file; `report NAME` prints that output once the lane has finished and counts the verdict,
# so the log reads step by step whatever ran at the same time.
slug() { tr -c 'a-zA-Z0-9\n' '-' <<<"$1"; }
lane() {
  local name="$1" log
  shift
  log="$results/$(slug "$name")"
  "$@" >"$log.log" 2>&1
  echo $? >"$log.rc"
}
report() {
  local name="$1" log
  log="$results/$(slug "$name")"
  echo "== $name"
  cat "$log.log" 2>/dev/null
  if [[ "$(cat "$log.rc" 2>/dev/null)" != 0 ]]; then
    status=1
    failed_steps+=("$name")
  fi
}

# Static checks, two at a time (the machine this must fit has two cores; each check uses one).
typecheck="typecheck"
lint="lint"
format="format (prettier --check; npm run format fixes it)"
infra="deployment files (kustomize, Kubernetes and compose schemas)"
(
  lane "$typecheck" npx tsc -p tsconfig.json --noEmit
  lane "$format" npx prettier --check . --log-level warn
  lane "$infra" bash scripts/validate-infra.sh
) &
static_lane=$!
lane "$lint" npx eslint . --max-warnings 0
wait "$static_lane"
for name in "$typecheck" "$lint" "$format" "$infra"; do report "$name"; done

# Jest's default is one worker on a two-core machine; these files are CPU-bound and independent.
step "unit tests" npx jest --ci --selectProjects unit --maxWorkers=2 --json --outputFile="$results/unit.json" "$@"
step "workflow tests (session workflow, mocked model calls)" \
  npx jest --ci --selectProjects workflow --json --outputFile="$results/workflow.json" "$@"

# The integration files mostly wait (on servers, workers, timers), each on its own dev server and
# ports: two at a time, while the Python tests and the CLI suite (CPU-bound) run beside them.
python="python tests (trainer, tiny engine)"
cli="CLI invocation (fresh clone, npm exec, symlink, npm pack + global install)"
(
  lane "$python" .venv/bin/python -m pytest -q infra/sft/tests infra/serve/tests infra/eval/tests \
    --junitxml="$results/python.xml"
  lane "$cli" npx jest --ci --selectProjects cli --runInBand --json --outputFile="$results/cli.json" "$@"
) &
side_lane=$!
step "integration tests (real Temporal dev server)" \
  npx jest --ci --selectProjects integration --maxWorkers=2 --json --outputFile="$results/integration.json" "$@"
wait "$side_lane"
report "$python"
report "$cli"

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
