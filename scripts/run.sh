#!/usr/bin/env bash
# The main job: installs what is missing, builds vdb, starts vdbd on ./vdb-data (SQLite meta,
# local WAL and object storage) and shows it working through the Milvus REST API v2: create a
# collection, insert vectors, search them, query by id. vdbd keeps running afterwards; stop it
# with `build/daemon/vdbd stop --data-dir ./vdb-data`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh release

data_dir="${VDB_DATA_DIR:-./vdb-data}"
port="${VDB_PORT:-19530}"
vdbd=build/daemon/vdbd
vdbctl=build/cmd/vdbctl/vdbctl
addr="http://127.0.0.1:$port"

if ! $vdbd status --data-dir "$data_dir" >/dev/null 2>&1; then
  $vdbd start --data-dir "$data_dir" --port "$port" --detach
fi
$vdbd status --data-dir "$data_dir"
$vdbctl --addr "$addr" status

api() {  # api PATH JSON: POST to the REST API, print the reply, fail on a non-zero code
  local reply
  reply=$(curl -sS -X POST "$addr/v2/vectordb/$1" -H 'Content-Type: application/json' -d "$2")
  echo "POST /v2/vectordb/$1 -> $reply"
  case "$reply" in
    '{"code":0'*) ;;
    *) echo "run.sh: $1 failed" >&2; exit 1 ;;
  esac
}

echo
echo "== a collection of 8-dimensional vectors, three rows, a search and a query =="
api collections/drop '{"collectionName":"quickstart"}'
api collections/create '{"collectionName":"quickstart","dimension":8,"metricType":"L2"}'
api entities/insert '{"collectionName":"quickstart","data":[
  {"id":1,"vector":[1,0,0,0,0,0,0,0],"color":"red"},
  {"id":2,"vector":[0,1,0,0,0,0,0,0],"color":"green"},
  {"id":3,"vector":[0,0,1,0,0,0,0,0],"color":"blue"}]}'
api entities/search '{"collectionName":"quickstart","data":[[0.9,0.1,0,0,0,0,0,0]],"limit":2,"outputFields":["color"]}'
api entities/get '{"collectionName":"quickstart","id":[3],"outputFields":["color"]}'
api collections/get_stats '{"collectionName":"quickstart"}'
echo
echo "vdbd is running on $addr (data in $data_dir); stop it with: $vdbd stop --data-dir $data_dir"
