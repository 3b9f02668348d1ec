#!/usr/bin/env bash
# Builds everything and runs every test: the release build's whole ctest suite (unit, fuzz
# replays, end-to-end and crash tests), then the unit tests again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
scripts/lint.sh
jobs="$(nproc)"

scripts/build.sh release
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 600

scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  VDB_FUZZ_ITERATIONS=3000 \
  ctest --test-dir build-asan -j "$jobs" -L unit --output-on-failure --timeout 900
echo "all tests passed"
