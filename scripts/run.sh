#!/usr/bin/env bash
# The main job: installs what is missing, builds vdb, and shows it working.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh release

data_dir="${VDB_DATA_DIR:-./vdb-data}"
mkdir -p "$data_dir/bench"
echo
echo "== write-ahead log: durable 1 KiB appends, vdb's group commit beside raw write+fdatasync =="
build/tests/bench/wal_bench --dir "$data_dir/bench/wal" --seconds 2
echo
echo "== sealed segments: column files written and read back, beside raw file I/O =="
build/tests/bench/segment_bench --dir "$data_dir/bench/segment" --rows 200000
rm -rf "$data_dir/bench"
