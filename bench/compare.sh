#!/usr/bin/env bash
# Compares MediaRelay with rtpengine on this machine, loopback only, with the same load generator.
#   bench/compare.sh                 full run (~8 min): 100/500/1000 calls x 20 s, two floods, control plane
#   DURATION=5 bench/compare.sh      shorter media runs while developing
# Environment: DURATION (20), CALLS_LIST ("100 500 1000"), CONTROL_SECONDS (10), FLOOD_STEP_SECONDS (3),
#   SEND_THREADS (1), RECV_THREADS (1), OUT (bench/out/<time>), SKIP_LOOPBACK (0), SKIP_MEDIARELAY (0).
# Every run is bounded by `timeout` and the generator's own --max-seconds; the whole script stays under 15 minutes.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-20}
CALLS_LIST=${CALLS_LIST:-"100 500 1000"}
CONTROL_SECONDS=${CONTROL_SECONDS:-10}
FLOOD_STEP_SECONDS=${FLOOD_STEP_SECONDS:-3}
SEND_THREADS=${SEND_THREADS:-1}
RECV_THREADS=${RECV_THREADS:-1}
OUT=${OUT:-$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)}
SKIP_LOOPBACK=${SKIP_LOOPBACK:-0}
SKIP_MEDIARELAY=${SKIP_MEDIARELAY:-0}

# Port plan, all on 127.0.0.1 and below the kernel's ephemeral range (where the generator's own sockets live).
# Each relay needs 4 ports per call: 1,000 calls = 4,000 ports; the ranges are wider so that the control-plane
# run, which creates and deletes calls as fast as it can, never runs dry.
RTPENGINE_NG=127.0.0.1:9900
RTPENGINE_PORTS=(20000 29999)
MEDIARELAY_NG=127.0.0.1:9901
MEDIARELAY_PORTS=(10000 19999)

SCRIPT_START=$(date +%s)
mkdir -p "$OUT"
LOADGEN_DLL=$ROOT/bench/MediaRelay.LoadGen/bin/Release/net10.0/mediarelay-loadgen.dll
MEDIARELAY_DLL=$ROOT/src/MediaRelay.Host/bin/Release/net10.0/mediarelay.dll
RELAY_PID=

log() { printf '[compare %4ss] %s\n' "$(($(date +%s) - SCRIPT_START))" "$*"; }

stop_relay() {
  if [ -n "${RELAY_PID}" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill "$RELAY_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RELAY_PID" 2>/dev/null
  fi
  RELAY_PID=
}
trap stop_relay EXIT

# loadgen LABEL JSONFILE TIMEOUT_S ARGS... : one bounded generator run; its JSON line goes to JSONFILE.
loadgen() {
  local label=$1 json=$2 limit=$3
  shift 3
  log "run: $label"
  timeout --kill-after=5 "$limit" dotnet "$LOADGEN_DLL" --max-seconds "$((limit - 5))" --json-out "$json" \
    --send-threads "$SEND_THREADS" --recv-threads "$RECV_THREADS" "$@" 2>&1 | tee -a "$OUT/runs.log" | grep -v '^LOADGEN_JSON'
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || log "run $label ended with code $rc"
  return 0
}

# suite NAME NG_ADDRESS PID JSONFILE : every scenario against one relay.
suite() {
  local name=$1 ng=$2 pid=$3 json=$4
  local common=(--relay "$ng" --relay-name "$name" --relay-pid "$pid")
  for calls in $CALLS_LIST; do
    loadgen "$name calls-$calls" "$json" $((DURATION + 60)) --mode media --calls "$calls" --duration "$DURATION" \
      --scenario "calls-$calls" "${common[@]}"
  done
  # Flood with 4 calls (8 streams) as asked, then with 50 calls (100 streams): rtpengine guards each socket
  # against a deep queue, so the few-streams figure measures that guard as much as raw forwarding.
  loadgen "$name flood-4" "$json" 90 --mode flood --flood-calls 4 --flood-step-seconds "$FLOOD_STEP_SECONDS" \
    --flood-max-pps 400000 --scenario flood-4 "${common[@]}"
  loadgen "$name flood-50" "$json" 90 --mode flood --flood-calls 50 --flood-step-seconds "$FLOOD_STEP_SECONDS" \
    --flood-max-pps 400000 --scenario flood-50 "${common[@]}"
  loadgen "$name control" "$json" $((CONTROL_SECONDS + 40)) --mode control --duration "$CONTROL_SECONDS" \
    --concurrency 32 --scenario control "${common[@]}"
}

# wait_ng NAME NG_ADDRESS : true once the relay answers ng ping.
wait_ng() {
  timeout 30 dotnet "$LOADGEN_DLL" --mode ping --relay "$2" --relay-name "$1" --duration 15 >/dev/null 2>&1
}

ulimit -n 65536 2>/dev/null || ulimit -n 20000 2>/dev/null || true

# 1. Tools.
if ! command -v rtpengine >/dev/null 2>&1; then
  log "installing rtpengine-daemon"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rtpengine-daemon) >"$OUT/apt.log" 2>&1 \
    || log "apt-get install rtpengine-daemon failed (see $OUT/apt.log)"
fi
log "building the load generator (Release)"
if ! dotnet build "$ROOT/bench/MediaRelay.LoadGen/MediaRelay.LoadGen.csproj" -c Release -nologo -v q >"$OUT/build-loadgen.log" 2>&1; then
  log "load generator build failed: see $OUT/build-loadgen.log"
  exit 1
fi
MEDIARELAY_BUILT=0
if [ "$SKIP_MEDIARELAY" != 1 ]; then
  log "building MediaRelay (Release)"
  if dotnet build "$ROOT/src/MediaRelay.Host/MediaRelay.Host.csproj" -c Release -nologo -v q >"$OUT/build-mediarelay.log" 2>&1 \
    && [ -f "$MEDIARELAY_DLL" ]; then
    MEDIARELAY_BUILT=1
  else
    log "MediaRelay build failed: its column will read failed (see $OUT/build-mediarelay.log)"
  fi
fi

{
  echo "date: $(date -Is)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "rtpengine: $(rtpengine --version 2>&1 | head -1)"
  echo "loadavg at start: $(cat /proc/loadavg)"
} | tee "$OUT/machine.txt"

# 2. The generator's own ceiling: same code path, no relay.
if [ "$SKIP_LOOPBACK" != 1 ]; then
  loadgen "loopback calls-1000" "$OUT/loopback.jsonl" $((DURATION + 60)) --mode loopback --calls 1000 \
    --duration "$DURATION" --scenario calls-1000
  loadgen "loopback flood-4" "$OUT/loopback.jsonl" 90 --mode flood --loopback --flood-calls 4 \
    --flood-step-seconds "$FLOOD_STEP_SECONDS" --flood-max-pps 400000 --scenario flood-4
fi

# 3. rtpengine, user space only (--table=-1: no kernel forwarding), same loopback interface.
if command -v rtpengine >/dev/null 2>&1; then
  log "starting rtpengine on $RTPENGINE_NG, ports ${RTPENGINE_PORTS[0]}-${RTPENGINE_PORTS[1]}"
  rtpengine --config-file=none --table=-1 --interface=127.0.0.1 --listen-ng="$RTPENGINE_NG" \
    --port-min="${RTPENGINE_PORTS[0]}" --port-max="${RTPENGINE_PORTS[1]}" --foreground --log-stderr --log-level=3 \
    --delete-delay=0 --timeout=60 >"$OUT/rtpengine.log" 2>&1 &
  RELAY_PID=$!
  if wait_ng rtpengine "$RTPENGINE_NG"; then
    suite rtpengine "$RTPENGINE_NG" "$RELAY_PID" "$OUT/rtpengine.jsonl"
  else
    log "rtpengine did not answer ng ping: see $OUT/rtpengine.log"
  fi
  stop_relay
else
  log "rtpengine is not installed: its column will read failed"
fi

# 4. MediaRelay, same scenarios.
if [ "$MEDIARELAY_BUILT" = 1 ]; then
  log "starting MediaRelay on $MEDIARELAY_NG, ports ${MEDIARELAY_PORTS[0]}-${MEDIARELAY_PORTS[1]}"
  dotnet "$MEDIARELAY_DLL" run --relay-address 127.0.0.1 --port-min "${MEDIARELAY_PORTS[0]}" \
    --port-max "${MEDIARELAY_PORTS[1]}" --ng-listen "$MEDIARELAY_NG" >"$OUT/mediarelay.log" 2>&1 &
  RELAY_PID=$!
  if wait_ng MediaRelay "$MEDIARELAY_NG"; then
    suite MediaRelay "$MEDIARELAY_NG" "$RELAY_PID" "$OUT/MediaRelay.jsonl"
  else
    log "MediaRelay did not answer ng ping: its column will read failed (see $OUT/mediarelay.log)"
  fi
  stop_relay
fi

# 5. One table. A scenario missing from a file (relay not built, not answering, or a run that failed) reads failed.
echo
echo "== Generator ceiling (loopback, no relay)"
[ -f "$OUT/loopback.jsonl" ] && dotnet "$LOADGEN_DLL" --mode table "$OUT/loopback.jsonl" | tee "$OUT/loopback-table.txt"
echo
echo "== rtpengine vs MediaRelay (ratio = MediaRelay / rtpengine)"
touch "$OUT/rtpengine.jsonl" "$OUT/MediaRelay.jsonl"
dotnet "$LOADGEN_DLL" --mode table "$OUT/rtpengine.jsonl" "$OUT/MediaRelay.jsonl" | tee "$OUT/table.txt"
log "done; results in $OUT"
