#!/usr/bin/env bash
# Configures and builds one flavour of vdb. Usage: scripts/build.sh [release|asan] [targets...]
# release -> build/ (-O2, everything); asan -> build-asan/ (libraries and unit tests under
# ASan+UBSan, -O0 with line tables). Debug info is kept light on purpose: full -g makes the
# template-heavy code (JSON, gtest) compile ~60% slower, and the whole build plus test run must fit
# in 30 minutes on 2 cores. Developers who want it configure with -DCMAKE_BUILD_TYPE=RelWithDebInfo.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
shift || true
jobs="$(nproc)"
case "$flavour" in
  release)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
    dir=build ;;
  asan)
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
      -DVDB_SANITIZE=address,undefined \
      -DVDB_ONLY_UNIT_TESTS=ON >/dev/null
    dir=build-asan ;;
  *) echo "scripts/build.sh: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then
  for t in "$@"; do cmake --build "$dir" -j "$jobs" --target "$t"; done
else
  cmake --build "$dir" -j "$jobs"
fi
