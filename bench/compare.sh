#!/usr/bin/env bash
# Compares MediaRelay with rtpengine and with refrelay (bench/reference-relay, a minimal C relay: the "physical
# limit" baseline) on this machine, loopback only, with the same load generator.
#   bench/compare.sh                                 full run (~13 min on 2 cores): 100/500/1000 calls x 15 s, two
#                                                    floods, control plane, per relay; then 10,000 calls (memory)
#   DURATION=5 CALLS_LIST="100" bench/compare.sh     quick run while developing
# Environment: DURATION (15), CALLS_LIST ("100 500 1000"), CONTROL_SECONDS (10), FLOOD_STEP_SECONDS (3),
#   FLOOD_BUDGET (40), SEND_THREADS (1), RECV_THREADS (1), OUT (bench/out/<time>), SKIP_LOOPBACK (0),
#   SKIP_MEDIARELAY (0), SKIP_MEDIARELAY_EPOLL (0), SKIP_MEDIARELAY_RT (0), SKIP_REFRELAY (0), SKIP_RTPENGINE (0), MEDIARELAY_ARGS (none),
#   MEDIARELAY_ACCOUNTING (empty: a new SQLite file per MediaRelay start, in OUT, deleted at its stop; "default": the
#   relay's own default file; anything else: the --accounting value),
#   MEDIARELAY_DLL (the Release build output's mediarelay.dll; another one, e.g. a ReadyToRun publish, to measure that), REFRELAY_THREADS (nproc), MEM_SCENARIO (1), MEM_CALLS (10000),
#   MEM_SECONDS (10), MEM_PTIME (1000), BUDGET_SECONDS (1140), SKIP_KERNEL (0), ONLY_KERNEL (0).
# The kernel path scenario (bench/kernel/run.sh: rtpengine, MediaRelay in user space and with --kernel-forwarding on,
# and a bare eBPF path, in network namespaces; needs root) runs last, in what is left of BUDGET_SECONDS;
#   ONLY_KERNEL=1 bench/compare.sh                   runs just it (about 15 minutes, after waiting for other test runs)
# The control path alone (issue 10): rtpengine then MediaRelay, each freshly started, the `control` scenario (offer +
# answer + delete, 32 calls in flight, CONTROL_SECONDS s), CONTROL_RUNS times (scenarios control-1, control-2, ...
# when more than one); before each relay's run it waits up to QUIET_WAIT (600) s until no other benchmark or test
# (mediarelay-loadgen, vstest, testhost, dotnet test) runs. Prints both relays' calls/s, offer/answer/delete
# p50/p99, relay CPU, idle and peak RSS, kB per call ((peak - idle RSS) / calls completed), the ratios MediaRelay /
# rtpengine, and the control-path goals (calls/s >= 1.5x, offer p99 <= 1x, kB per call <= 1x); about 1 min a run:
#   ONLY_CONTROL=1 bench/compare.sh                  one run per relay, table in $OUT/control-table.txt
#   ONLY_CONTROL=1 CONTROL_RUNS=2 bench/compare.sh   two runs per relay (rtpengine, MediaRelay, rtpengine, ...)
#   ONLY_CONTROL=1 CONTROL_WARMUP=10 bench/compare.sh   each relay first carries 10 s of the same load, not measured
#                                                    (steady state: no JIT; kB per call then counts from after it)
# Every run is bounded by `timeout` and the generator's own --max-seconds, and clamped to what is left of
# BUDGET_SECONDS (a run that no longer fits is skipped and reads failed): the whole script stays under 20 minutes.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-15}
CALLS_LIST=${CALLS_LIST:-"100 500 1000"}
CONTROL_SECONDS=${CONTROL_SECONDS:-10}
FLOOD_STEP_SECONDS=${FLOOD_STEP_SECONDS:-3}
FLOOD_BUDGET=${FLOOD_BUDGET:-40}
SEND_THREADS=${SEND_THREADS:-1}
RECV_THREADS=${RECV_THREADS:-1}
OUT=${OUT:-$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)}
SKIP_LOOPBACK=${SKIP_LOOPBACK:-0}
SKIP_MEDIARELAY=${SKIP_MEDIARELAY:-0}
SKIP_REFRELAY=${SKIP_REFRELAY:-0}
SKIP_RTPENGINE=${SKIP_RTPENGINE:-0}
SKIP_MEDIARELAY_EPOLL=${SKIP_MEDIARELAY_EPOLL:-0}
SKIP_MEDIARELAY_RT=${SKIP_MEDIARELAY_RT:-0}
SKIP_KERNEL=${SKIP_KERNEL:-0}
ONLY_KERNEL=${ONLY_KERNEL:-0}
ONLY_CONTROL=${ONLY_CONTROL:-0}
CONTROL_RUNS=${CONTROL_RUNS:-1}
if [ "$ONLY_CONTROL" = 1 ]; then
  SKIP_REFRELAY=1
fi
if [ "$ONLY_KERNEL" = 1 ]; then
  SKIP_REFRELAY=1
fi
# Extra arguments for MediaRelay, e.g. MEDIARELAY_ARGS="--transport sockets" for the portable packet path.
read -r -a MEDIARELAY_EXTRA <<<"${MEDIARELAY_ARGS:-}"
# Accounting stays on, as by default (SQLite), but each MediaRelay start writes a new, empty file in the output
# directory, deleted when that relay stops: every run starts as a fresh install does, whatever ran before, and the
# records of a few hundred thousand benchmark calls (about 5 kB each) do not pile up in /var/lib/mediarelay.
# MEDIARELAY_ACCOUNTING=default keeps the relay's own default file; any other value is passed as --accounting.
MEDIARELAY_ACCOUNTING=${MEDIARELAY_ACCOUNTING:-}
ACCOUNTING_FILE=

REFRELAY_THREADS=${REFRELAY_THREADS:-$(nproc)}
MEM_SCENARIO=${MEM_SCENARIO:-1}
MEM_CALLS=${MEM_CALLS:-10000}
MEM_SECONDS=${MEM_SECONDS:-10}
MEM_PTIME=${MEM_PTIME:-1000}
BUDGET_SECONDS=${BUDGET_SECONDS:-1140}

# Port plan, all on 127.0.0.1 and below the kernel's ephemeral range (where the generator's own sockets live).
# Each relay needs 4 ports per call: 1,000 calls = 4,000 ports; the ranges are wider so that the control-plane
# run, which creates and deletes calls as fast as it can, never runs dry. The relays run one after another, so
# refrelay reuses rtpengine's range.
RTPENGINE_NG=127.0.0.1:9900
RTPENGINE_PORTS=(20000 29999)
MEDIARELAY_NG=127.0.0.1:9901
MEDIARELAY_PORTS=(10000 19999)
REFRELAY_NG=127.0.0.1:9902
REFRELAY_PORTS=(20000 29999)
# The memory run (MEM_CALLS concurrent calls on MediaRelay) needs 4 ports per call, 40,000 for 10,000 calls: more
# than fits below the ephemeral range (32768 and up here; see /proc/sys/net/ipv4/ip_local_port_range). So that
# relay binds its media on 127.0.0.2, where no generator socket (all on 127.0.0.1) can take its ports; a port held
# by someone's wildcard socket fails to bind and MediaRelay skips it, hence the slack.
MEM_NG=127.0.0.1:9903
MEM_ADDRESS=127.0.0.2
MEM_PORTS=(10000 59999)

SCRIPT_START=$(date +%s)
mkdir -p "$OUT"
LOADGEN_DLL=$ROOT/bench/MediaRelay.LoadGen/bin/Release/net10.0/mediarelay-loadgen.dll
MEDIARELAY_DLL=${MEDIARELAY_DLL:-$ROOT/src/MediaRelay.Host/bin/Release/net10.0/mediarelay.dll}
REFRELAY_BIN=$ROOT/bench/reference-relay/refrelay
RELAY_PID=

log() { printf '[compare %4ss] %s\n' "$(($(date +%s) - SCRIPT_START))" "$*"; }

# remove_accounting_file : deletes ACCOUNTING_FILE with SQLite's files beside it and the relay's spool.
remove_accounting_file() {
  rm -f "$ACCOUNTING_FILE" "$ACCOUNTING_FILE"-wal "$ACCOUNTING_FILE"-shm "$ACCOUNTING_FILE".spool*
}

stop_relay() {
  if [ -n "${RELAY_PID}" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill "$RELAY_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RELAY_PID" 2>/dev/null
  fi
  RELAY_PID=
  if [ -n "$ACCOUNTING_FILE" ]; then
    remove_accounting_file
    ACCOUNTING_FILE=
  fi
}
trap stop_relay EXIT

# loadgen LABEL JSONFILE TIMEOUT_S ARGS... : one bounded generator run; its JSON line goes to JSONFILE.
# The limit is clamped to what is left of BUDGET_SECONDS; with less than 20 s left the run is skipped.
loadgen() {
  local label=$1 json=$2 limit=$3
  shift 3
  local left=$((BUDGET_SECONDS - ($(date +%s) - SCRIPT_START)))
  if [ "$left" -lt 20 ]; then
    log "skipped: $label (BUDGET_SECONDS=$BUDGET_SECONDS spent)"
    return 0
  fi
  [ "$limit" -le "$left" ] || limit=$left
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
  loadgen "$name flood-4" "$json" $((FLOOD_BUDGET + 45)) --mode flood --flood-calls 4 \
    --flood-step-seconds "$FLOOD_STEP_SECONDS" --flood-budget "$FLOOD_BUDGET" --flood-max-pps 400000 --scenario flood-4 \
    "${common[@]}"
  loadgen "$name flood-50" "$json" $((FLOOD_BUDGET + 45)) --mode flood --flood-calls 50 \
    --flood-step-seconds "$FLOOD_STEP_SECONDS" --flood-budget "$FLOOD_BUDGET" --flood-max-pps 400000 \
    --scenario flood-50 "${common[@]}"
  loadgen "$name control" "$json" $((CONTROL_SECONDS + 40)) --mode control --duration "$CONTROL_SECONDS" \
    --concurrency 32 --scenario control "${common[@]}"
}

# wait_ng NAME NG_ADDRESS : true once the relay answers ng ping.
wait_ng() {
  timeout 30 dotnet "$LOADGEN_DLL" --mode ping --relay "$2" --relay-name "$1" --duration 15 >/dev/null 2>&1
}

# accounting_for NAME : ACCOUNTING_ARGS for the next MediaRelay start (see MEDIARELAY_ACCOUNTING).
accounting_for() {
  ACCOUNTING_ARGS=()
  if [ -z "$MEDIARELAY_ACCOUNTING" ]; then
    ACCOUNTING_FILE="$OUT/accounting-${1,,}.db"
    remove_accounting_file
    ACCOUNTING_ARGS=(--accounting "sqlite:$ACCOUNTING_FILE")
  elif [ "$MEDIARELAY_ACCOUNTING" != default ]; then
    ACCOUNTING_ARGS=(--accounting "$MEDIARELAY_ACCOUNTING")
  fi
}

# start_mediarelay NAME ARGS... : starts MediaRelay (Release) on MEDIARELAY_NG with extra ARGS; true once it answers
# ng ping. --delete-delay 0 as rtpengine's --delete-delay=0: the default (30 s) keeps deleted calls' ports, and the
# control-plane run then runs out of them. --log-level Warning as rtpengine's --log-level=3: both log errors and
# warnings only, so neither pays for a log line per call in the control-plane run.
start_mediarelay() {
  local name=$1
  shift
  accounting_for "$name"
  log "starting $name on $MEDIARELAY_NG, ports ${MEDIARELAY_PORTS[0]}-${MEDIARELAY_PORTS[1]} (${ACCOUNTING_ARGS[*]} $*)"
  dotnet "$MEDIARELAY_DLL" run --relay-address 127.0.0.1 --port-min "${MEDIARELAY_PORTS[0]}" \
    --port-max "${MEDIARELAY_PORTS[1]}" --ng-listen "$MEDIARELAY_NG" --delete-delay 0 --log-level Warning "${ACCOUNTING_ARGS[@]}" "$@" \
    >"$OUT/${name,,}.log" 2>&1 &
  RELAY_PID=$!
  if wait_ng "$name" "$MEDIARELAY_NG"; then
    return 0
  fi
  log "$name did not answer ng ping: its column will read failed (see $OUT/${name,,}.log)"
  return 1
}

# 10,000 calls need ~40,000 descriptors in the relay and ~20,000 in the generator: raise the limit as far as allowed.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

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

REFRELAY_BUILT=0
if [ "$SKIP_REFRELAY" != 1 ]; then
  log "building refrelay (gcc -O2)"
  if gcc -O2 -Wall -Wextra -o "$REFRELAY_BIN" "$ROOT/bench/reference-relay/refrelay.c" -lpthread >"$OUT/build-refrelay.log" 2>&1; then
    REFRELAY_BUILT=1
  else
    log "refrelay build failed: its column will read failed (see $OUT/build-refrelay.log)"
  fi
fi

{
  echo "date: $(date -Is)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "rtpengine: $(rtpengine --version 2>&1 | head -1)"
  echo "gcc: $(gcc --version 2>&1 | head -1)"
  echo "open files limit: $(ulimit -n)"
  echo "loadavg at start: $(cat /proc/loadavg)"
} | tee "$OUT/machine.txt"

# run_kernel BUDGET QUIET_WAIT : the kernel path scenario (bench/kernel/run.sh), its output in $OUT/kernel.
run_kernel() {
  if [ "$(id -u)" != 0 ]; then
    log "kernel scenario skipped: it needs root (network namespaces, tc, bpf)"
    return 0
  fi
  if [ "$MEDIARELAY_BUILT" != 1 ]; then
    log "kernel scenario skipped: MediaRelay was not built"
    return 0
  fi
  if [ "$1" -lt 120 ]; then
    log "kernel scenario skipped: $1 s left of BUDGET_SECONDS"
    return 0
  fi
  log "kernel scenario (bench/kernel/run.sh, results in $OUT/kernel)"
  OUT="$OUT/kernel" SKIP_BUILD=1 KERNEL_BUDGET_SECONDS="$1" QUIET_WAIT="$2" KERNEL_DURATION="${KERNEL_DURATION:-$DURATION}" \
    FLOOD_STEP_SECONDS="$FLOOD_STEP_SECONDS" bash "$ROOT/bench/kernel/run.sh"
}

if [ "$ONLY_KERNEL" = 1 ]; then
  run_kernel "${KERNEL_BUDGET_SECONDS:-1200}" "${QUIET_WAIT:-600}"
  log "done in $(($(date +%s) - SCRIPT_START)) s; results in $OUT/kernel"
  exit 0
fi

# wait_quiet MAX : waits up to MAX s until no other benchmark or test run is in the process list and the cores were
# busy less than QUIET_BUSY_PCT (30) % of one core over 2 s (wall - idle, /proc/stat): a build counts as well.
QUIET_PATTERN='mediarelay-loadgen|vstest|testhost|dotnet test'
QUIET_BUSY_PCT=${QUIET_BUSY_PCT:-30}
busy_pct() {
  local before after hz
  hz=$(getconf CLK_TCK)
  before=$(awk '/^cpu / {print $5 + $6}' /proc/stat)
  sleep 2
  after=$(awk '/^cpu / {print $5 + $6}' /proc/stat)
  echo $(((100 * ($(nproc) * 2 * hz - (after - before))) / (2 * hz)))
}
wait_quiet() {
  local waited=0 busy
  busy=$(busy_pct)
  while { pgrep -f "$QUIET_PATTERN" >/dev/null || [ "$busy" -ge "$QUIET_BUSY_PCT" ]; } && [ "$waited" -lt "$1" ]; do
    [ $((waited % 60)) = 0 ] && log "waiting for other runs to end: $(pgrep -f "$QUIET_PATTERN" | wc -l) process(es), cores $busy % busy"
    sleep 3
    waited=$((waited + 5))
    busy=$(busy_pct)
  done
  if pgrep -f "$QUIET_PATTERN" >/dev/null || [ "$busy" -ge "$QUIET_BUSY_PCT" ]; then
    log "WARNING: not quiet after $1 s: the figures that follow are from a busy machine"
  fi
  log "quiet after $waited s (cores $busy % busy); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# control_warmup NAME NG : CONTROL_WARMUP s of the control load, not measured, through the relay just started: the
# measured run that follows then sees a warm process (a .NET relay's JIT done, both relays' tables grown), and its
# idle RSS, the base of kB per call, is taken after it.
control_warmup() {
  [ "${CONTROL_WARMUP:-0}" -gt 0 ] || return 0
  loadgen "$1 control warm-up (${CONTROL_WARMUP} s, not measured)" "$OUT/warmup.jsonl" $((CONTROL_WARMUP + 40)) --mode control \
    --duration "$CONTROL_WARMUP" --concurrency 32 --scenario warmup --relay "$2" --relay-name "$1" --relay-pid "$RELAY_PID"
}

if [ "$ONLY_CONTROL" = 1 ]; then
  for run in $(seq 1 "$CONTROL_RUNS"); do
    scenario=control
    [ "$CONTROL_RUNS" = 1 ] || scenario=control-$run
    if command -v rtpengine >/dev/null 2>&1; then
      wait_quiet "${QUIET_WAIT:-600}"
      rtpengine --config-file=none --table=-1 --interface=127.0.0.1 --listen-ng="$RTPENGINE_NG" \
        --port-min="${RTPENGINE_PORTS[0]}" --port-max="${RTPENGINE_PORTS[1]}" --foreground --log-stderr --log-level=3 \
        --delete-delay=0 --timeout=60 >>"$OUT/rtpengine.log" 2>&1 &
      RELAY_PID=$!
      if wait_ng rtpengine "$RTPENGINE_NG"; then
        control_warmup rtpengine "$RTPENGINE_NG"
        loadgen "rtpengine $scenario" "$OUT/rtpengine.jsonl" $((CONTROL_SECONDS + 40)) --mode control \
          --duration "$CONTROL_SECONDS" --concurrency 32 --scenario "$scenario" --relay "$RTPENGINE_NG" \
          --relay-name rtpengine --relay-pid "$RELAY_PID"
      else
        log "rtpengine did not answer ng ping: see $OUT/rtpengine.log"
      fi
      stop_relay
    fi
    if [ "$MEDIARELAY_BUILT" = 1 ]; then
      wait_quiet "${QUIET_WAIT:-600}"
      if start_mediarelay MediaRelay "${MEDIARELAY_EXTRA[@]}"; then
        control_warmup MediaRelay "$MEDIARELAY_NG"
        loadgen "MediaRelay $scenario" "$OUT/MediaRelay.jsonl" $((CONTROL_SECONDS + 40)) --mode control \
          --duration "$CONTROL_SECONDS" --concurrency 32 --scenario "$scenario" --relay "$MEDIARELAY_NG" \
          --relay-name MediaRelay --relay-pid "$RELAY_PID"
      fi
      stop_relay
    fi
  done
  echo
  echo "== control path: rtpengine vs MediaRelay (ratio: MediaRelay / rtpengine)"
  touch "$OUT/rtpengine.jsonl" "$OUT/MediaRelay.jsonl"
  dotnet "$LOADGEN_DLL" --mode table "$OUT/rtpengine.jsonl" "$OUT/MediaRelay.jsonl" | tee "$OUT/control-table.txt"
  log "done in $(($(date +%s) - SCRIPT_START)) s; results in $OUT"
  exit 0
fi

# 2. The generator's own ceiling: same code path, no relay.
if [ "$SKIP_LOOPBACK" != 1 ]; then
  loadgen "loopback calls-1000" "$OUT/loopback.jsonl" $((DURATION + 60)) --mode loopback --calls 1000 \
    --duration "$DURATION" --scenario calls-1000
  loadgen "loopback flood-4" "$OUT/loopback.jsonl" $((FLOOD_BUDGET + 45)) --mode flood --loopback --flood-calls 4 \
    --flood-step-seconds "$FLOOD_STEP_SECONDS" --flood-budget "$FLOOD_BUDGET" --flood-max-pps 400000 --scenario flood-4
fi

# 3. rtpengine, user space only (--table=-1: no kernel forwarding), same loopback interface.
if [ "$SKIP_RTPENGINE" != 1 ] && command -v rtpengine >/dev/null 2>&1; then
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

# 4. MediaRelay, same scenarios: its default packet path (io_uring where the kernel allows it), then the epoll path
#    (the column before io_uring), then the default path with --realtime-priority (calls-1000 only: the latency knob).
if [ "$MEDIARELAY_BUILT" = 1 ]; then
  if start_mediarelay MediaRelay "${MEDIARELAY_EXTRA[@]}"; then
    suite MediaRelay "$MEDIARELAY_NG" "$RELAY_PID" "$OUT/MediaRelay.jsonl"
  fi
  stop_relay
  if [ "$SKIP_MEDIARELAY_EPOLL" != 1 ] && start_mediarelay MediaRelay-epoll --transport epoll "${MEDIARELAY_EXTRA[@]}"; then
    suite MediaRelay-epoll "$MEDIARELAY_NG" "$RELAY_PID" "$OUT/MediaRelay-epoll.jsonl"
  fi
  stop_relay
  if [ "$SKIP_MEDIARELAY_RT" != 1 ] && start_mediarelay MediaRelay-rt --realtime-priority 10 "${MEDIARELAY_EXTRA[@]}"; then
    loadgen "MediaRelay-rt calls-1000" "$OUT/MediaRelay-rt.jsonl" $((DURATION + 60)) --mode media --calls 1000 \
      --duration "$DURATION" --scenario calls-1000 --relay "$MEDIARELAY_NG" --relay-name MediaRelay-rt --relay-pid "$RELAY_PID"
  fi
  stop_relay
fi

# 5. refrelay, same scenarios.
if [ "$REFRELAY_BUILT" = 1 ]; then
  log "starting refrelay on $REFRELAY_NG, ports ${REFRELAY_PORTS[0]}-${REFRELAY_PORTS[1]}, $REFRELAY_THREADS media thread(s)"
  "$REFRELAY_BIN" --ng "$REFRELAY_NG" --port-min "${REFRELAY_PORTS[0]}" --port-max "${REFRELAY_PORTS[1]}" \
    --threads "$REFRELAY_THREADS" >"$OUT/refrelay.log" 2>&1 &
  RELAY_PID=$!
  if wait_ng refrelay "$REFRELAY_NG"; then
    suite refrelay "$REFRELAY_NG" "$RELAY_PID" "$OUT/refrelay.jsonl"
  else
    log "refrelay did not answer ng ping: its column will read failed (see $OUT/refrelay.log)"
  fi
  stop_relay
fi

# 6. Memory per call: MEM_CALLS concurrent calls with slow media on a fresh MediaRelay (VmHWM is a lifetime peak).
#    relay_kb_per_call = (peak RSS - RSS before setup) / calls set up. Capped by the open-files limit: the relay
#    needs 4 descriptors per call, the generator 2.
MEM_RAN=0
if [ "$MEM_SCENARIO" = 1 ] && [ "$MEDIARELAY_BUILT" = 1 ]; then
  mem_calls=$MEM_CALLS
  fd_calls=$((($(ulimit -n) - 512) / 4))
  if [ "$fd_calls" -lt "$mem_calls" ]; then
    log "open-files limit $(ulimit -n) allows $fd_calls calls, not $MEM_CALLS: the memory run uses $fd_calls (raise the hard limit, ulimit -Hn, for the full figure)"
    mem_calls=$fd_calls
  fi
  log "starting MediaRelay on $MEM_NG, media $MEM_ADDRESS ports ${MEM_PORTS[0]}-${MEM_PORTS[1]} (memory run, $mem_calls calls)"
  accounting_for MediaRelay-mem
  dotnet "$MEDIARELAY_DLL" run --relay-address "$MEM_ADDRESS" --port-min "${MEM_PORTS[0]}" --port-max "${MEM_PORTS[1]}" \
    --ng-listen "$MEM_NG" --delete-delay 0 "${ACCOUNTING_ARGS[@]}" >"$OUT/mediarelay-mem.log" 2>&1 &
  RELAY_PID=$!
  if wait_ng MediaRelay "$MEM_NG"; then
    MEM_RAN=1
    loadgen "MediaRelay calls-$mem_calls-mem" "$OUT/MediaRelay-mem.jsonl" $((MEM_SECONDS + 120)) --mode media \
      --calls "$mem_calls" --duration "$MEM_SECONDS" --ptime "$MEM_PTIME" --rcvbuf 65536 \
      --scenario "calls-$mem_calls-mem" --relay "$MEM_NG" --relay-name MediaRelay --relay-pid "$RELAY_PID"
  else
    log "MediaRelay (memory run) did not answer ng ping (see $OUT/mediarelay-mem.log)"
  fi
  stop_relay
fi

# 7. The kernel path (namespaces; its own table, kernel/kernel-table.md), in what is left of the budget.
if [ "$SKIP_KERNEL" != 1 ]; then
  run_kernel $((BUDGET_SECONDS - ($(date +%s) - SCRIPT_START))) "${QUIET_WAIT:-0}"
fi

# 8. Tables. A scenario missing from a file (relay not built, not answering, or a run that failed) reads failed.
echo
echo "== Generator ceiling (loopback, no relay)"
[ -f "$OUT/loopback.jsonl" ] && dotnet "$LOADGEN_DLL" --mode table "$OUT/loopback.jsonl" | tee "$OUT/loopback-table.txt"
echo
echo "== rtpengine vs MediaRelay vs refrelay vs MediaRelay-epoll (ratios: MediaRelay / each other)"
touch "$OUT/rtpengine.jsonl" "$OUT/MediaRelay.jsonl" "$OUT/refrelay.jsonl"
tables=("$OUT/rtpengine.jsonl" "$OUT/MediaRelay.jsonl" "$OUT/refrelay.jsonl")
[ -s "$OUT/MediaRelay-epoll.jsonl" ] && tables+=("$OUT/MediaRelay-epoll.jsonl")
dotnet "$LOADGEN_DLL" --mode table "${tables[@]}" | tee "$OUT/table.txt"
if [ -s "$OUT/MediaRelay-rt.jsonl" ]; then
  echo
  echo "== MediaRelay with --realtime-priority 10 (SCHED_FIFO packet loops), calls-1000"
  dotnet "$LOADGEN_DLL" --mode table "$OUT/MediaRelay-rt.jsonl" | tee "$OUT/rt-table.txt"
fi
if [ "$MEM_RAN" = 1 ]; then
  echo
  echo "== MediaRelay memory per call (relay_kb_per_call = (peak RSS - RSS before setup) / calls set up)"
  touch "$OUT/MediaRelay-mem.jsonl"
  dotnet "$LOADGEN_DLL" --mode table "$OUT/MediaRelay-mem.jsonl" | tee "$OUT/mem-table.txt"
fi
log "done in $(($(date +%s) - SCRIPT_START)) s; results in $OUT"
