#!/usr/bin/env bash
# Builds the trainer image (infra/sft/Dockerfile) on a machine that can reach Debian's mirror and
# PyPI but no container registry: the base is a Debian root filesystem made by mmdebstrap from
# Debian's packages, with Python and the trainer's CPU requirements installed from PyPI, loaded with
# `docker import`; the trainer's Dockerfile is then built on it as BASE_IMAGE.
#
#   infra/sft/image/build.sh [--tag sprint-sft:cpu] [--suite bookworm] [--mirror URL] [--force]
#
# Each of the two images carries the digest of its inputs (label org.sprint.inputs); an image that
# already holds the same digest is reused, so a second call costs a few seconds.
# Behind a TLS-inspecting proxy, pip inside the build needs its CA: SPRINT_BUILD_CA_BUNDLE (or
# PIP_CERT) names a PEM bundle that is used for the build only and left out of the image.
# Needs root (mmdebstrap's root mode), mmdebstrap, and a running Docker daemon.
set -euo pipefail

tag=sprint-sft:cpu
suite=bookworm
mirror=${SPRINT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
force=0
while (($#)); do
  case $1 in
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    --suite) suite=${2:?--suite needs a value}; shift 2 ;;
    --mirror) mirror=${2:?--mirror needs a value}; shift 2 ;;
    --force) force=1; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sft=$(dirname "$here")
log() { echo "build.sh: $*" >&2; }

for tool in docker mmdebstrap sha256sum; do
  command -v "$tool" >/dev/null || { log "$tool is required (apt-get install docker.io mmdebstrap)"; exit 1; }
done
docker info >/dev/null 2>&1 || { log "no Docker daemon answers (start dockerd first)"; exit 1; }
if [[ $(id -u) -ne 0 ]]; then
  log "mmdebstrap's root mode needs root; run this script as root (sudo)"
  exit 1
fi

# The digest of what goes into an image: file contents plus the settings that change the result.
digest() { sha256sum "$@" | sha256sum | cut -c1-16; }
label_of() { docker image inspect --format '{{index .Config.Labels "org.sprint.inputs"}}' "$1" 2>/dev/null || true; }

# 1. The base: Debian + a Python venv holding the trainer's CPU requirements (no pytest).
# Bump BASE_RECIPE when the steps below change what goes into the base.
BASE_RECIPE=1
base_inputs=$( (digest "$sft/requirements.txt"; echo "$suite $BASE_RECIPE") | sha256sum | cut -c1-16)
base=sprint-sft-base:$base_inputs
if [[ $force -eq 0 && $(label_of "$base") == "$base_inputs" ]]; then
  log "reusing $base"
else
  work=$(mktemp -d "${TMPDIR:-/var/tmp}/sprint-sft-base.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  grep -v -E '^pytest==' "$sft/requirements.txt" >"$work/requirements.txt"
  ca=${SPRINT_BUILD_CA_BUNDLE:-${PIP_CERT:-}}
  # pip in the chroot gets a clean environment (the host's PIP_*, SSL_CERT_FILE and the like point
  # at host paths), plus the host's proxy settings.
  pip_env='PATH=/opt/venv/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180'
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [[ -n ${!v:-} ]] && pip_env+=" $v=${!v}"
  done
  ca_hook=()
  if [[ -n $ca ]]; then
    pip_env+=' PIP_CERT=/tmp/build-ca.pem'
    ca_hook=(--customize-hook="upload '$ca' /tmp/build-ca.pem")
  fi
  log "building $base: Debian $suite from $mirror, then the trainer's requirements from PyPI ..."
  start=$(date +%s)
  # python3-venv: Debian's python is externally managed (PEP 668), so packages go to /opt/venv.
  mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    --customize-hook="upload '$work/requirements.txt' /tmp/requirements.txt" \
    "${ca_hook[@]}" \
    --customize-hook='chroot "$1" python3 -m venv /opt/venv' \
    --customize-hook="chroot \"\$1\" env -i $pip_env /opt/venv/bin/pip install --quiet -r /tmp/requirements.txt" \
    --customize-hook='rm -f "$1"/tmp/requirements.txt "$1"/tmp/build-ca.pem; rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    "$suite" "$work/rootfs" "$mirror"
  # mmdebstrap copied the host's resolv.conf/hostname for the build; the container gets its own.
  rm -f "$work/rootfs/etc/resolv.conf" "$work/rootfs/etc/hostname"
  tar -C "$work/rootfs" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL org.sprint.inputs=$base_inputs" \
    - "$base" >/dev/null
  rm -rf "$work"
  trap - EXIT
  log "built $base in $(($(date +%s) - start))s"
fi

# 2. The trainer image: infra/sft/Dockerfile on that base, without the GPU-only extras (DeepSpeed).
mapfile -t trainer_files < <(cd "$sft" && find Dockerfile .dockerignore requirements.txt requirements-gpu.txt \
  train.py ds_zero3.json ds_zero3_offload.json gpu_check.sh sprint_sft recipes accelerate \
  -type f ! -name '*.pyc' | sort)
inputs=$( (cd "$sft" && digest "${trainer_files[@]}"; echo "$base_inputs") | sha256sum | cut -c1-16)
if [[ $force -eq 0 && $(label_of "$tag") == "$inputs" ]]; then
  log "reusing $tag (inputs $inputs)"
  exit 0
fi
log "building $tag on $base ..."
start=$(date +%s)
docker build --quiet --build-arg "BASE_IMAGE=$base" --build-arg GPU_REQUIREMENTS= \
  --label "org.sprint.inputs=$inputs" -t "$tag" "$sft" >/dev/null
log "built $tag in $(($(date +%s) - start))s"
