#!/usr/bin/env bash
# Creates the project-local Python environment .venv/ for the trainer (infra/sft) and the tiny
# engine (infra/serve) and the math-verify grader cross-check (infra/eval), and installs
# infra/sft/requirements.txt and infra/eval/requirements.txt into it. Does nothing when the
# environment exists and the requirements have not changed since the last install (hash stamp).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REQ=infra/sft/requirements.txt
REQ_EVAL=infra/eval/requirements.txt
VENV=${SPRINT_VENV:-.venv}
STAMP="$VENV/.sprint-requirements.sha256"

PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
  for cand in python3 python3.12 python3.11 python3.10; do
    # `command -v` is not enough: pyenv shims exist for versions that are not selected.
    if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1; then PY=$cand; break; fi
  done
fi
if [[ -z "$PY" ]]; then
  echo "sprint: python3 (3.10 or newer) is required for the trainer; install it (e.g. apt-get install python3 python3-venv)." >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "sprint: $PY is $("$PY" --version 2>&1); the trainer needs Python 3.10 or newer." >&2
  exit 1
fi

want=$( (cat "$REQ" "$REQ_EVAL"; "$PY" --version 2>&1) | sha256sum | cut -d' ' -f1)
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "sprint: creating the Python environment $VENV ..." >&2
  if ! "$PY" -m venv "$VENV" >&2; then
    echo "sprint: '$PY -m venv' failed; install the venv module (e.g. apt-get install python3-venv)." >&2
    exit 1
  fi
fi
echo "sprint: installing the trainer's Python packages into $VENV (torch, transformers; a few GB the first time) ..." >&2
start=$(date +%s)
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" -r "$REQ_EVAL" >&2
echo "$want" >"$STAMP"
echo "sprint: Python packages ready in $(( $(date +%s) - start ))s ($(du -sh "$VENV" | cut -f1) in $VENV)." >&2
