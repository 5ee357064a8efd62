#!/usr/bin/env bash
# Cairn's benchmark (issue #7): every figure in one invocation on one machine, then the ratio
# table. See docs/performance.md for the method and the last figures.
#
#   scripts/bench.sh              # full run: 10 s phases, a 2 GiB object, 5 GiB streamed, 1M keys
#   QUICK=1 scripts/bench.sh      # a few minutes: 2 s phases, smaller big objects
#
# Knobs (environment): DURATION (s per phase), CONCURRENCY, SIZES, BIG (the one large object),
# STREAM (the object streamed for peak RSS), GROW (keys for the cost-growth runs), BENCH_TMP
# (where data dirs go; must be on the disk to measure), OUT (the JSON-lines records file).
# moto's server is included when `python3 -m moto.server` works
# (`pip install -r scripts/bench-requirements.txt`).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  DURATION=${DURATION:-2} BIG=${BIG:-256MiB} STREAM=${STREAM:-1GiB} GROW=${GROW:-1000000}
else
  DURATION=${DURATION:-10} BIG=${BIG:-2GiB} STREAM=${STREAM:-5GiB} GROW=${GROW:-1000000}
fi
CONCURRENCY=${CONCURRENCY:-8}
SIZES=${SIZES:-4KiB,1MiB,64MiB}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

echo "== building (release)"
cargo build --release -q -p cairn-server -p cairn-bench
CAIRN=$TARGET_DIR/release/cairn
BENCH=$TARGET_DIR/release/cairn-bench

WORK=$(mktemp -d "${BENCH_TMP:-/var/tmp}/cairn-bench.XXXXXX")
mkdir -p target/bench
OUT=${OUT:-target/bench/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
: > "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME COMMAND...: runs COMMAND in the background (its log in $WORK/NAME.log),
# waits for its "listening on URL" line; sets ENDPOINT and PID.
start_server() {
  local name=$1; shift
  "$@" > "$WORK/$name.log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 600); do
    # Cairn and the null server print "listening on URL", moto (Flask) "Running on URL".
    ENDPOINT=$(grep -oE '(listening|Running) on http://[0-9.:]+' "$WORK/$name.log" | head -1 | awk '{print $NF}' || true)
    [ -n "$ENDPOINT" ] && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/$name.log"; echo "$name exited" >&2; return 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2; return 1
}
# settle: waits (up to 2 min) until the server has used no CPU for a second, so that start-up
# work (the orphan sweep reads every blob id and reference 2 s after start) is not measured.
settle() {
  sleep 3
  local before after
  for _ in $(seq 120); do
    before=$(awk '{print $14+$15}' "/proc/$PID/stat")
    sleep 1
    after=$(awk '{print $14+$15}' "/proc/$PID/stat")
    [ "$before" = "$after" ] && return 0
  done
}
stop_server() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
cairn() {  # cairn NAME DATA_DIR [ARGS...]
  local name=$1 dir=$2; shift 2
  mkdir -p "$dir"
  start_server "$name" env CAIRN_ROOT_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
    CAIRN_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
    "$CAIRN" server --listen 127.0.0.1:0 --data-dir "$dir" "$@"
}
run() { "$BENCH" run --endpoint "$ENDPOINT" --out "$OUT" --duration "$DURATION" -c "${C:-$CONCURRENCY}" "$@"; }
# The full phase set at the usual sizes, then the one big object alone.
suite() {  # suite LABEL [RUN ARGS...]
  local label=$1; shift
  run --label "$label" --create-bucket --sizes "$SIZES" --phases put,get,mixed,list,delete "$@"
  C=1 run --label "$label" --create-bucket --sizes "$BIG" --phases put,get,delete --max-ops 1 "$@"
}

echo "== floors: hashing, policy decision, disk"
"$BENCH" hash --out "$OUT" --duration "$([ "$QUICK" = 1 ] && echo 0.5 || echo 2)"
decision=$(cargo bench -q -p cairn-policy --bench decision 2>/dev/null | grep -o 'median [0-9.]*' | cut -d' ' -f2 || true)
[ -n "$decision" ] && "$BENCH" record --target policy --phase decision --value "$decision" --unit µs --out "$OUT"
"$BENCH" disk --dir "$WORK" --sizes "$SIZES,$BIG" --threads "$CONCURRENCY" --duration "$DURATION" --out "$OUT"

echo "== the client's ceiling: null server"
start_server null "$BENCH" null-server
run --label null --create-bucket --sizes "$SIZES" --phases put,get,mixed,list,delete
C=1 run --label null --sizes "$BIG" --phases put,get,delete --max-ops 1
stop_server

echo "== cairn, --no-default-encryption"
cairn cairn-plain "$WORK/plain" --no-default-encryption
suite cairn-plain
stop_server

echo "== cairn, default settings (SSE-S3): start-up, idle RSS, the suite, streaming RSS"
"$BENCH" startup --bin "$CAIRN" --data-dir "$WORK/default" --label cairn --note "empty store" --out "$OUT"
cairn cairn "$WORK/default"
suite cairn
"$BENCH" stream --endpoint "$ENDPOINT" --pid "$PID" --size "$STREAM" --label cairn --out "$OUT"
stop_server

echo "== cairn, requests by an IAM user under a 10-statement policy"
cairn cairn-iam "$WORK/iam"
read -r KEY SECRET < <("$BENCH" provision-user --endpoint "$ENDPOINT")
run --label cairn-iam --sizes 4KiB --phases put,get,delete --access-key "$KEY" --secret-key "$SECRET"
stop_server

if python3 -c 'import moto.server' 2>/dev/null; then
  echo "== moto's server"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  start_server moto python3 -m moto.server -H 127.0.0.1 -p "$port"
  ENDPOINT=http://127.0.0.1:$port
  run --label moto --create-bucket --sizes 4KiB,1MiB --phases put,get,mixed,list,delete
  C=2 run --label moto --create-bucket --sizes 64MiB --phases put,get,delete --max-ops 4
  stop_server
else
  echo "== moto not installed (pip install -r scripts/bench-requirements.txt): skipped"
fi

echo "== cost growth: 1,000 / 10,000 / $GROW objects in one bucket"
G=$WORK/grow
cairn grow "$G" --no-default-encryption
"$BENCH" run --endpoint "$ENDPOINT" --label template --create-bucket --bucket grow --sizes 4KiB \
  --phases put --max-ops 1 -c 1 --prefix tpl/ > /dev/null
stop_server
populate() { "$BENCH" populate --data-dir "$G" --bucket grow --template tpl/4KiB/0 --from "$1" --to "$2"; }
populate 0 1000
cairn grow "$G"; settle
run --label grow-1k --bucket grow --sizes 4KiB --phases list --list-prefix p/ --note "1000 objects"
stop_server
populate 1000 10000
cairn grow "$G"; settle
run --label grow-10k --bucket grow --sizes 4KiB --phases put,get --prefix g10k/ --note "10000 objects"
stop_server
populate 10000 "$GROW"
"$BENCH" startup --bin "$CAIRN" --data-dir "$G" --label grow-1m --note "$GROW objects" --out "$OUT"
cairn grow "$G"; settle
run --label grow-1m --bucket grow --sizes 4KiB --phases list --list-prefix p/ --note "$GROW objects"
run --label grow-1m --bucket grow --sizes 4KiB --phases put,get --prefix g1m/ --note "$GROW objects"
stop_server

echo
echo "== $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg); records in $OUT"
"$BENCH" report "$OUT"
