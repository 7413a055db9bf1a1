#!/usr/bin/env bash
# Renders and validates every deployment file (called by scripts/test.sh; also on its own):
#   1. kustomize renders each overlay of infra/k8s/overlays/;
#   2. every rendered manifest and standalone manifest validates against the Kubernetes schemas
#      shipped in the PyPI package kubernetes-validate (strict: unknown fields fail);
#   3. the compose file validates against the compose-spec schema shipped in the PyPI package
#      check-jsonschema;
#   4. cross-file checks (infra/validate/check-infra.ts): configs pass the sprint schema, engines
#      and configured replicas agree, search attributes match the code.
# Tools come from package registries only and are cached in .tools/ (kustomize: Go module proxy;
# validators: PyPI). Exits non-zero, naming the file and field, when anything is invalid.
#   bash scripts/validate-infra.sh [--root DIR]   (DIR: a tree holding infra/; default: this repo)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$repo"
if [[ "${1:-}" == "--root" ]]; then root="$(cd "${2:?--root needs a directory}" && pwd)"; fi

KUSTOMIZE_VERSION="v5.7.1"
KUBERNETES_VALIDATE_VERSION="1.37.0"
CHECK_JSONSCHEMA_VERSION="0.39.0"
K8S_SCHEMA_VERSION="${SPRINT_K8S_SCHEMA_VERSION:-1.31.0}"
echo "== deployment files (scripts/validate-infra.sh)"
tools="$repo/.tools"
mkdir -p "$tools/bin"

# ---- tools -------------------------------------------------------------------------------------
render() { "$tools/bin/kustomize" build "$1"; }
kstamp="$tools/bin/.kustomize-version"
if [[ ! -x "$tools/bin/kustomize" || ! -f "$kstamp" || "$(cat "$kstamp")" != "$KUSTOMIZE_VERSION" ]]; then
  if command -v go >/dev/null 2>&1; then
    echo "validate-infra: installing kustomize $KUSTOMIZE_VERSION (go install) into .tools/bin ..." >&2
    GOBIN="$tools/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
    echo "$KUSTOMIZE_VERSION" >"$kstamp"
  elif command -v kubectl >/dev/null 2>&1; then
    echo "validate-infra: go is missing; rendering with kubectl's built-in kustomize" >&2
    render() { kubectl kustomize "$1"; }
  else
    echo "validate-infra: need Go (to install kustomize $KUSTOMIZE_VERSION) or kubectl; found neither" >&2
    exit 1
  fi
fi

venv="$tools/infra-venv"
vstamp="$venv/.versions"
want="kubernetes-validate==$KUBERNETES_VALIDATE_VERSION check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
if [[ ! -x "$venv/bin/kubernetes-validate" || ! -x "$venv/bin/check-jsonschema" || ! -f "$vstamp" || "$(cat "$vstamp")" != "$want" ]]; then
  if ! command -v python3 >/dev/null 2>&1; then
    echo "validate-infra: python3 is required (validators come from PyPI: $want)" >&2
    exit 1
  fi
  echo "validate-infra: installing $want into .tools/infra-venv ..." >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $want >&2
  echo "$want" >"$vstamp"
fi

# ---- 1. render ---------------------------------------------------------------------------------
rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
status=0
overlays=("$root"/infra/k8s/overlays/*/)
for dir in "${overlays[@]}"; do
  name="$(basename "$dir")"
  if render "$dir" >"$rendered/overlay-$name.yaml" 2>"$rendered/err"; then
    echo "render:  infra/k8s/overlays/$name ($(grep -c '^kind:' "$rendered/overlay-$name.yaml") resources)"
  else
    echo "render:  infra/k8s/overlays/$name FAILED:" >&2
    sed 's/^/    /' "$rendered/err" >&2
    status=1
    rm -f "$rendered/overlay-$name.yaml"
  fi
done

# ---- 2. Kubernetes schemas ---------------------------------------------------------------------
manifests=("$rendered"/overlay-*.yaml)
while IFS= read -r f; do manifests+=("$f"); done < <(
  find "$root/infra/k8s" -name '*.yaml' \( -path '*/temporal/postgres-dev.yaml' -o -path '*/temporal/network-policy.yaml' -o -path '*/secrets/*' -o -path '*/training/*' \) | sort
)
present=()
for f in "${manifests[@]}"; do [[ -f "$f" ]] && present+=("$f"); done
k8s_label() {
  local label="${1#"$root"/}"
  echo "${label#"$rendered"/}"
}
# One validator process for all the files when they pass (its start-up is most of its time); when
# one fails, each file again on its own, so every message sits under the file it is about.
if ((${#present[@]})) && "$venv/bin/kubernetes-validate" -k "$K8S_SCHEMA_VERSION" --strict --quiet "${present[@]}" >/dev/null 2>&1; then
  for f in "${present[@]}"; do echo "k8s:     $(k8s_label "$f") valid (Kubernetes $K8S_SCHEMA_VERSION, strict)"; done
else
  for f in "${present[@]}"; do
    label="$(k8s_label "$f")"
    if out="$("$venv/bin/kubernetes-validate" -k "$K8S_SCHEMA_VERSION" --strict --quiet "$f" 2>&1)"; then
      echo "k8s:     $label valid (Kubernetes $K8S_SCHEMA_VERSION, strict)"
    else
      echo "k8s:     $label INVALID:" >&2
      printf '%s\n' "$out" | grep -v '^INFO' | sed "s#$rendered/##; s/^/    /" >&2
      status=1
    fi
  done
fi

# ---- 3. compose schema -------------------------------------------------------------------------
for f in "$root"/infra/compose/compose*.yaml; do
  [[ -f "$f" ]] || continue
  if out="$("$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$f" 2>&1)"; then
    echo "compose: ${f#"$root"/} valid (compose-spec)"
  else
    echo "compose: ${f#"$root"/} INVALID:" >&2
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    status=1
  fi
done

# ---- 4. cross-file consistency -----------------------------------------------------------------
if ! (cd "$repo" && node --require tsx/cjs infra/validate/check-infra.ts "$root" "$rendered"); then
  status=1
fi

if [[ $status -ne 0 ]]; then
  echo "validate-infra: FAILED (see above)" >&2
else
  echo "validate-infra: all deployment files valid"
fi
exit $status
