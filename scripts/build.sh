#!/usr/bin/env bash
# Configures and builds one flavour of vdb. Usage: scripts/build.sh [release|asan] [targets...]
# release -> build/ (RelWithDebInfo, everything); asan -> build-asan/ (libraries and unit tests
# under ASan+UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
shift || true
jobs="$(nproc)"
case "$flavour" in
  release)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    dir=build ;;
  asan)
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVDB_SANITIZE=address,undefined \
      -DVDB_ONLY_UNIT_TESTS=ON >/dev/null
    dir=build-asan ;;
  *) echo "scripts/build.sh: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then
  for t in "$@"; do cmake --build "$dir" -j "$jobs" --target "$t"; done
else
  cmake --build "$dir" -j "$jobs"
fi
