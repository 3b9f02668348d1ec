#!/usr/bin/env bash
# Installs the Debian 12 packages vdb needs to build, test and run. Idempotent: does nothing when
# everything is present, runs `apt-get update` only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git curl ca-certificates
  libsqlite3-dev libzstd-dev nlohmann-json3-dev libuv1-dev libcli11-dev libcpp-httplib-dev
  libfaiss-dev libopenblas-dev libomp-dev libhnswlib-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# The end-to-end tests drive vdbd with Milvus's Node SDK; any node+npm on PATH will do (some
# machines ship a newer Node.js whose package conflicts with Debian's npm).
if [ "${1:-}" = "--test" ] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  packages+=(nodejs npm)
fi
# The lint step checks formatting with Debian 12's clang-format (14).
if [ "${1:-}" = "--test" ]; then
  packages+=(clang-format)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
