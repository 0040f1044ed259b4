#!/usr/bin/env bash
# The kernel path benchmark (issue 9): one run measures, with the same load through a namespace topology,
#   rtpengine       rtpengine-daemon in user space (--table=-1: no kernel module, none is installed here)
#   MediaRelay      MediaRelay in user space (--kernel-forwarding off)
#   MediaRelay-k    MediaRelay with the kernel path (--kernel-forwarding on: mr_forward.bpf.c on TC ingress)
#   bare-kernel     no relay: the same eBPF program on the same hook (a tcx link on 6.6+, as MediaRelay attaches it),
#                   its map entries written at answer time by bench/kernel/static-ng.py (an ng stub that never
#                   touches a packet): the physical limit of this forwarding path
# and prints one table (kernel-table.md) with the issue's targets. Run as root (namespaces, tc, bpf):
#
#   bench/kernel/run.sh                              # about 8 minutes; or: ONLY_KERNEL=1 bench/compare.sh
#   KERNEL_CALLS_LIST=200 KERNEL_DURATION=5 KERNEL_FLOOD_BUDGET=20 bench/kernel/run.sh   # quick
#
# Topology (documentation range; both namespaces are created here and deleted on exit):
#
#   P (phones: the load generator)          R (the relay)
#   p0 198.51.100.10/24  <---- veth ---->   r0 198.51.100.1/24, ng on 198.51.100.1:2223, media ports 40000-49999
#
# One-armed: every call's two legs are on P, so the relay sends each packet back out of r0. Checksum offload is off
# on both ends (DESIGN 4.1: a veth with offload on delivers a wrong UDP checksum; off, a bad rewrite shows as loss).
# CPU (DESIGN 4.1): the relay (or the stub) runs on core RELAY_CORE and R's receive processing is steered there (RPS
# on r0); the generator and P's receive processing run on core GEN_CORE. So the relay core's busy time (wall − idle
# from /proc/stat) is everything the relay path costs, softirq included, and both cores' is the whole machine.
#
# Environment: KERNEL_CALLS_LIST ("300 1000": 300 calls is a load every relay carries on one core here, 1000 is not),
#   KERNEL_DURATION (DURATION or 15), KERNEL_FLOOD_CALLS (50), KERNEL_FLOOD_START_PPS (40000),
#   KERNEL_FLOOD_STEP_FACTOR (1.15), KERNEL_FLOOD_BUDGET (60), KERNEL_INSTALL_CALLS (50),
#   KERNEL_INSTALL_CALLS_FEW (5), KERNEL_CPU_WARMUP (3: the
#   media run's CPU figures start this many seconds in, after learning and installs), KERNEL_RELAY_WARMUP (90: seconds
#   of media, the first KERNEL_CALLS_LIST count, after 10 s of the control load, through each freshly started relay
#   before anything is measured, so that a .NET relay's tier-up JIT is behind it; 0 measures a fresh process),
#   FLOOD_STEP_SECONDS (3),
#   RELAY_CORE (1), GEN_CORE (0), QUIET_BUSY_PCT (20),
#   KERNEL_CONFIGS ("rtpengine mediarelay-user mediarelay-kernel bare-kernel"), QUIET_WAIT (600: seconds to wait for
#   other test runs to end before measuring), QUIET_WAIT_EACH (QUIET_WAIT: the same before each configuration),
#   KERNEL_BUDGET_SECONDS (1200: load runs only, waits not counted), SKIP_BUILD (0), OUT (bench/out/<time>-kernel).
# Every load run is bounded by `timeout` and the generator's --max-seconds; relays get SIGTERM, then SIGKILL after
# 30 s; the namespaces go on exit, whatever the exit.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/kernel
KERNEL_CALLS_LIST=${KERNEL_CALLS_LIST:-"300 1000"}
KERNEL_DURATION=${KERNEL_DURATION:-${DURATION:-15}}
KERNEL_FLOOD_CALLS=${KERNEL_FLOOD_CALLS:-50}
KERNEL_FLOOD_START_PPS=${KERNEL_FLOOD_START_PPS:-40000}
KERNEL_FLOOD_STEP_FACTOR=${KERNEL_FLOOD_STEP_FACTOR:-1.15}
KERNEL_FLOOD_BUDGET=${KERNEL_FLOOD_BUDGET:-60}
KERNEL_INSTALL_CALLS=${KERNEL_INSTALL_CALLS:-50}
KERNEL_INSTALL_CALLS_FEW=${KERNEL_INSTALL_CALLS_FEW:-5}
KERNEL_CPU_WARMUP=${KERNEL_CPU_WARMUP:-3}
KERNEL_RELAY_WARMUP=${KERNEL_RELAY_WARMUP:-90}
FLOOD_STEP_SECONDS=${FLOOD_STEP_SECONDS:-3}
RELAY_CORE=${RELAY_CORE:-1}
GEN_CORE=${GEN_CORE:-0}
KERNEL_CONFIGS=${KERNEL_CONFIGS:-"rtpengine mediarelay-user mediarelay-kernel bare-kernel"}
QUIET_WAIT=${QUIET_WAIT:-600}
QUIET_WAIT_EACH=${QUIET_WAIT_EACH:-$QUIET_WAIT}
KERNEL_BUDGET_SECONDS=${KERNEL_BUDGET_SECONDS:-1200}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT:-$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)-kernel}

LOADGEN_DLL=$ROOT/bench/MediaRelay.LoadGen/bin/Release/net10.0/mediarelay-loadgen.dll
MEDIARELAY_DLL=$ROOT/src/MediaRelay.Host/bin/Release/net10.0/mediarelay.dll
BPF_SRC=$ROOT/src/MediaRelay.Transport/Kernel/Bpf/mr_forward.bpf.c

P_ADDR=198.51.100.10
R_ADDR=198.51.100.1
NG=$R_ADDR:2223
PORT_MIN=40000
PORT_MAX=49999
NP=mrkP$$
NR=mrkR$$
RELAY_PID=
START=$(date +%s)

log() { printf '[kernel %4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
die() { log "$*"; exit 1; }

if [ "$(id -u)" != 0 ]; then die "run as root (network namespaces, tc, bpf)"; fi
for tool in ip tc bpftool ethtool taskset timeout clang python3 dotnet; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[ "$(nproc)" -gt "$RELAY_CORE" ] && [ "$(nproc)" -gt "$GEN_CORE" ] && [ "$RELAY_CORE" != "$GEN_CORE" ] \
  || die "RELAY_CORE=$RELAY_CORE and GEN_CORE=$GEN_CORE must be two different cores of the $(nproc) here"
mkdir -p "$OUT"
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

stop_relay() {
  if [ -n "$RELAY_PID" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill "$RELAY_PID" 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RELAY_PID" 2>/dev/null && log "relay $RELAY_PID did not stop within 30 s: killed"
  fi
  [ -z "$RELAY_PID" ] || wait "$RELAY_PID" 2>/dev/null
  RELAY_PID=
  # MediaRelay's accounting file of this run (a new one per start, as compare.sh does), not kept.
  if [ -n "${ACCOUNTING_FILE:-}" ]; then
    rm -f "$ACCOUNTING_FILE" "$ACCOUNTING_FILE"-wal "$ACCOUNTING_FILE"-shm "$ACCOUNTING_FILE".spool*
    ACCOUNTING_FILE=
  fi
}
cleanup() {
  [ -z "${WATCH_PID:-}" ] || kill "$WATCH_PID" 2>/dev/null
  stop_relay
  ip netns del "$NP" 2>/dev/null
  ip netns del "$NR" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
nx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
must() { "$@" || die "setup step failed: $*"; }

# ---- builds ------------------------------------------------------------------------------------------------
if [ "$SKIP_BUILD" != 1 ]; then
  log "building the load generator and MediaRelay (Release)"
  dotnet build "$ROOT/bench/MediaRelay.LoadGen/MediaRelay.LoadGen.csproj" -c Release -nologo -v q >"$OUT/build-loadgen.log" 2>&1 \
    || die "load generator build failed: see $OUT/build-loadgen.log"
  dotnet build "$ROOT/src/MediaRelay.Host/MediaRelay.Host.csproj" -c Release -nologo -v q >"$OUT/build-mediarelay.log" 2>&1 \
    || die "MediaRelay build failed: see $OUT/build-mediarelay.log"
fi
[ -f "$LOADGEN_DLL" ] && [ -f "$MEDIARELAY_DLL" ] || die "missing $LOADGEN_DLL or $MEDIARELAY_DLL"
BPF_OBJ=$OUT/mr_forward.bpf.o
must clang -O2 -g -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$BPF_SRC" -o "$BPF_OBJ"

# ---- the topology ------------------------------------------------------------------------------------------
must ip netns add "$NP"
must ip netns add "$NR"
must ip -n "$NP" link set lo up
must ip -n "$NR" link set lo up
must ip link add p0 netns "$NP" type veth peer name r0 netns "$NR"
must ip -n "$NP" addr add "$P_ADDR/24" dev p0
must ip -n "$NR" addr add "$R_ADDR/24" dev r0
for pair in "$NP p0 $GEN_CORE" "$NR r0 $RELAY_CORE"; do
  set -- $pair
  must nx "$1" ethtool -K "$2" tx off rx off >/dev/null
  must ip -n "$1" link set "$2" up
  # RPS: this end's receive processing (softirq) runs on its side's core, whoever sent the packet.
  must nx "$1" sh -c "printf '%x' $((1 << $3)) > /sys/class/net/$2/queues/rx-0/rps_cpus"
done
R_IFINDEX=$(nx "$NR" cat /sys/class/net/r0/ifindex)

# ---- wait for a quiet machine: a test suite or a build on these 2 cores would distort every figure ---------------
# Quiet = no test run (vstest, testhost, dotnet test) and no build (dotnet build) in the process list,
# and the cores busy less than QUIET_BUSY_PCT (20) % of one core over 3 s (wall − idle, /proc/stat).
QUIET_BUSY_PCT=${QUIET_BUSY_PCT:-20}
HEAVY='vstest|testhost|dotnet test|dotnet build'
idle_ticks() { awk '/^cpu / {print $5 + $6}' /proc/stat; }
busy_pct() {
  local before after hz
  hz=$(getconf CLK_TCK)
  before=$(idle_ticks)
  sleep 3
  after=$(idle_ticks)
  echo $(((100 * ($(nproc) * 3 * hz - (after - before))) / (3 * hz)))
}
# wait_quiet MAX : waits up to MAX s for a quiet machine; sets BUSY, adds the wait to WAITED.
WAITED=0
wait_quiet() {
  local max=$1 waited=0
  BUSY=$(busy_pct)
  while [ "$waited" -lt "$max" ] && { pgrep -f "$HEAVY" >/dev/null || [ "$BUSY" -ge "$QUIET_BUSY_PCT" ]; }; do
    [ $((waited % 60)) = 0 ] && log "waiting for a quiet machine: $(pgrep -fc "$HEAVY") test/build process(es), cores ${BUSY} % busy (of one core)"
    sleep 7
    waited=$((waited + 10))
    BUSY=$(busy_pct)
  done
  WAITED=$((WAITED + waited))
  if pgrep -f "$HEAVY" >/dev/null || [ "$BUSY" -ge "$QUIET_BUSY_PCT" ]; then
    log "WARNING: not quiet after $max s ($(pgrep -fc "$HEAVY") test/build process(es), ${BUSY} % busy): the figures that follow are from a busy machine"
  fi
}
# While a configuration runs, a sampler notes every 2 s when a test or build process is there (disturbed-NAME.txt):
# the table marks that configuration's figures.
WATCH_PID=
watch_start() {
  ( while :; do c=$(pgrep -fc "$HEAVY"); [ "$c" = 0 ] || echo "$(date +%T) $c test/build process(es)"; sleep 2; done ) \
    >"$OUT/disturbed-$1.txt" 2>/dev/null &
  WATCH_PID=$!
}
watch_stop() {
  [ -z "$WATCH_PID" ] || { kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; }
  WATCH_PID=
  [ -s "$OUT/disturbed-$1.txt" ] && log "WARNING: test/build processes ran during $1 (see $OUT/disturbed-$1.txt)"
  return 0
}
wait_quiet "$QUIET_WAIT"
START_MEASURE=$(date +%s)

{
  echo "date: $(date -Is)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "rtpengine: $(rtpengine --version 2>&1 | head -1)"
  echo "clang: $(clang --version 2>&1 | head -1)"
  echo "topology: P $P_ADDR (p0) <-veth-> R $R_ADDR (r0), one-armed; relay core $RELAY_CORE (RPS r0), generator core $GEN_CORE (RPS p0)"
  echo "quiet check: $(pgrep -fc "$HEAVY") test/build process(es), cores ${BUSY} % busy (of one core) after waiting ${WAITED} s"
  echo "loadavg before measuring: $(cat /proc/loadavg)"
  echo "load: $KERNEL_CALLS_LIST calls x $KERNEL_DURATION s at 20 ms; flood $KERNEL_FLOOD_CALLS calls from $KERNEL_FLOOD_START_PPS pps x$KERNEL_FLOOD_STEP_FACTOR per $FLOOD_STEP_SECONDS s, budget $KERNEL_FLOOD_BUDGET s"
} | tee "$OUT/machine.txt"

# loadgen LABEL JSONFILE LIMIT ARGS... : one bounded generator run inside P, pinned to GEN_CORE.
loadgen() {
  local label=$1 json=$2 limit=$3
  shift 3
  local left=$((KERNEL_BUDGET_SECONDS - ($(date +%s) - START_MEASURE - WAITED)))
  if [ "$left" -lt 20 ]; then
    log "skipped: $label (KERNEL_BUDGET_SECONDS=$KERNEL_BUDGET_SECONDS spent)"
    return 0
  fi
  [ "$limit" -le "$left" ] || limit=$left
  log "run: $label"
  timeout --kill-after=5 "$limit" ip netns exec "$NP" taskset -c "$GEN_CORE" dotnet "$LOADGEN_DLL" \
    --max-seconds "$((limit - 5))" --json-out "$json" --relay "$NG" --media-address "$P_ADDR" --relay-core "$RELAY_CORE" \
    "$@" 2>&1 | tee -a "$OUT/runs.log" | grep -v '^LOADGEN_JSON'
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || log "run $label ended with code $rc"
}

wait_ng() {
  timeout 40 ip netns exec "$NP" dotnet "$LOADGEN_DLL" --mode ping --relay "$NG" --relay-name "$1" --duration 30 >/dev/null 2>&1
}

# suite NAME : the media run and the flood search against whatever listens on NG (its process is RELAY_PID).
suite() {
  local name=$1 json=$OUT/kernel-$1.jsonl
  local common=(--relay-name "$name" --relay-pid "$RELAY_PID") calls
  if [ "$KERNEL_RELAY_WARMUP" -gt 0 ]; then
    # Not measured: a fresh .NET process re-compiles its busy methods (tier 1) in its first half minute or so, and
    # the methods that run once a second (the sweep, the counter reads, the management sample) reach the 30 calls
    # that move them to the instrumented tier after 30 s and to tier 1 after another 30: on loopback at 300 calls the
    # tiering thread took 13.5 ms in one second at 30 s and 4.2 ms at 60 s, then nothing (docs/results/
    # kernel-fixed-cost-timeline-20261130.txt), so the warm-up lasts 90 s. A relay runs for months; the figures
    # below are its steady state. A C relay has nothing to warm.
    # First calls set up and torn down without pause (the control load): a media run sets all its calls up in a
    # fraction of a second, inside the runtime's tiering delay, so its control path would stay unoptimised and be
    # compiled in the middle of the next measured run (2 s of JIT at 1,000 calls, issue 9).
    loadgen "$name warm-up, control load 10 s (not measured)" "$OUT/warmup-$name.jsonl" 60 \
      --mode control --duration 10 --concurrency 32 --scenario warmup-control "${common[@]}"
    loadgen "$name warm-up, ${KERNEL_RELAY_WARMUP} s (not measured)" "$OUT/warmup-$name.jsonl" $((KERNEL_RELAY_WARMUP + 60)) \
      --mode media --calls "${KERNEL_CALLS_LIST%% *}" --duration "$KERNEL_RELAY_WARMUP" --scenario warmup "${common[@]}"
  fi
  for calls in $KERNEL_CALLS_LIST; do
    loadgen "$name media, $calls calls" "$json" $((KERNEL_DURATION + 60)) --mode media --calls "$calls" \
      --duration "$KERNEL_DURATION" --cpu-warmup "$KERNEL_CPU_WARMUP" --scenario "calls-$calls" "${common[@]}"
  done
  loadgen "$name flood, $KERNEL_FLOOD_CALLS calls" "$json" $((KERNEL_FLOOD_BUDGET + 45)) --mode flood \
    --flood-calls "$KERNEL_FLOOD_CALLS" --flood-start-pps "$KERNEL_FLOOD_START_PPS" \
    --flood-step-factor "$KERNEL_FLOOD_STEP_FACTOR" --flood-step-seconds "$FLOOD_STEP_SECONDS" \
    --flood-budget "$KERNEL_FLOOD_BUDGET" --flood-max-pps 2000000 --scenario "flood-$KERNEL_FLOOD_CALLS" "${common[@]}"
}

# start_mediarelay NAME on|off : MediaRelay inside R on RELAY_CORE, as compare.sh runs it (--delete-delay 0,
# --log-level Warning, accounting to a new SQLite file in OUT, deleted at the stop), with the host's own lines
# (start, stop, the kernel figures) kept at Information.
start_mediarelay() {
  local name=$1 mode=$2
  log "starting $name in R on core $RELAY_CORE (--kernel-forwarding $mode)"
  ip netns exec "$NR" taskset -c "$RELAY_CORE" env \
    'MEDIARELAY_Logging__LogLevel__MediaRelay.Host=Information' \
    'MEDIARELAY_Logging__LogLevel__MediaRelay.Transport.Kernel=Information' \
    dotnet "$MEDIARELAY_DLL" run --relay-address "$R_ADDR" --port-min "$PORT_MIN" --port-max "$PORT_MAX" \
    --ng-listen "$NG" --delete-delay 0 --log-level Warning --kernel-forwarding "$mode" \
    --accounting "sqlite:$OUT/accounting-$name.db" >"$OUT/$name.log" 2>&1 &
  RELAY_PID=$!
  ACCOUNTING_FILE="$OUT/accounting-$name.db"
}

# Installs: "NAME installs mean_us refused" from the relay's stop line.
install_line() {
  local name=$1
  sed -n 's/.*kernel forwarding: \([0-9]*\) direction(s) installed (mean \([0-9.]*\) us from learning to the kernel), \([0-9]*\) refused.*/\1 \2 \3/p' \
    "$OUT/$name.log" | tail -n 1 | while read -r n mean refused; do echo "$name $n $mean $refused"; done >>"$OUT/install.txt"
}

# What the relay says it attached (tcx links, or cls_bpf filters where the kernel has no tcx), from its log.
attached() { grep -h 'kernel forwarding: eBPF\|kernel forwarding is not available' "$OUT/$1.log" | sed 's/.*\] //' | tail -n 1; }

: >"$OUT/install.txt"
for config in $KERNEL_CONFIGS; do
  # Each configuration waits for quiet again (up to QUIET_WAIT_EACH s): other engineers' test runs come and go.
  wait_quiet "$QUIET_WAIT_EACH"
  log "$config: loadavg $(cut -d' ' -f1-3 /proc/loadavg), cores ${BUSY} % busy (of one core) just before"
  watch_start "$config"
  case $config in
    rtpengine)
      command -v rtpengine >/dev/null || { log "rtpengine is not installed: skipped"; continue; }
      log "starting rtpengine in R on core $RELAY_CORE (--table=-1: user space)"
      ip netns exec "$NR" taskset -c "$RELAY_CORE" rtpengine --config-file=none --table=-1 --interface="$R_ADDR" \
        --listen-ng="$NG" --port-min="$PORT_MIN" --port-max="$PORT_MAX" --foreground --log-stderr --log-level=3 \
        --delete-delay=0 --timeout=60 >"$OUT/rtpengine.log" 2>&1 &
      RELAY_PID=$!
      if wait_ng rtpengine; then suite rtpengine; else log "rtpengine did not answer ng ping: see $OUT/rtpengine.log"; fi
      stop_relay
      ;;
    mediarelay-user)
      start_mediarelay MediaRelay off
      if wait_ng MediaRelay; then suite MediaRelay; else log "MediaRelay did not answer: see $OUT/MediaRelay.log"; fi
      stop_relay
      ;;
    mediarelay-kernel)
      start_mediarelay MediaRelay-kernel on
      if wait_ng MediaRelay-kernel; then
        log "$(attached MediaRelay-kernel)"
        suite MediaRelay-kernel
      else
        log "MediaRelay-kernel did not answer: see $OUT/MediaRelay-kernel.log"
      fi
      stop_relay
      install_line MediaRelay-kernel
      log "$(grep -h 'direction(s) installed' "$OUT/MediaRelay-kernel.log" | sed 's/.*\] //')"
      # The media run's figure is the mean over a burst (every call's first packets come within 20 ms, so its
      # directions queue for the one kernel worker), and every mean includes the relay's first install (JIT, the
      # interface list). So two fresh relays more, with KERNEL_INSTALL_CALLS_FEW and KERNEL_INSTALL_CALLS calls at a
      # 100 ms ptime (calls start 100 ms / 2N apart: no queue); the two means give the first install and each later.
      for probe in "$KERNEL_INSTALL_CALLS_FEW" "$KERNEL_INSTALL_CALLS"; do
        start_mediarelay "MediaRelay-kernel-install-$probe" on
        if wait_ng "MediaRelay-kernel-install-$probe"; then
          loadgen "MediaRelay-kernel install, $probe calls" "$OUT/kernel-MediaRelay-kernel-install.jsonl" 45 \
            --mode media --calls "$probe" --duration 3 --ptime 100 --scenario "install-$probe" \
            --relay-name "MediaRelay-kernel-install" --relay-pid "$RELAY_PID"
        fi
        stop_relay
        install_line "MediaRelay-kernel-install-$probe"
      done
      ;;
    bare-kernel)
      log "loading mr_forward.bpf.o onto r0 ingress with tc (no relay process)"
      # MediaRelay detaches its filter at stop and leaves the clsact qdisc: add it only where it is missing.
      nx "$NR" tc qdisc show dev r0 | grep -q clsact || must nx "$NR" tc qdisc add dev r0 clsact
      must nx "$NR" tc filter add dev r0 ingress bpf da obj "$BPF_OBJ" sec tc
      prog=$(nx "$NR" tc filter show dev r0 ingress | grep -o ' id [0-9]*' | awk '{print $2}' | head -n 1)
      # The program's maps are mr_flows and mr_counters: the stub writes mr_flows.
      map=$(for id in $(bpftool -j prog show id "$prog" | "$PYTHON" -c 'import json,sys; print(*json.load(sys.stdin)["map_ids"])'); do
        bpftool -j map show id "$id" | "$PYTHON" -c 'import json,sys; m=json.load(sys.stdin); print(m["id"]) if m["name"] == "mr_flows" else None'
      done)
      # The stub moves the program to a tcx link (MediaRelay's hook on this kernel); tc's filter then goes.
      ip netns exec "$NR" taskset -c "$RELAY_CORE" "$PYTHON" "$HERE/static-ng.py" --listen "$NG" --relay-address "$R_ADDR" \
        --map-id "$map" --ifindex "$R_IFINDEX" --port-min "$PORT_MIN" --port-max "$PORT_MAX" --tcx-prog-id "$prog" \
        >"$OUT/bare-kernel.log" 2>&1 &
      RELAY_PID=$!
      if wait_ng bare-kernel; then
        if grep -q 'attached by a tcx link' "$OUT/bare-kernel.log"; then
          nx "$NR" tc filter del dev r0 ingress
        fi
        log "$(head -n 1 "$OUT/bare-kernel.log")"
        suite bare-kernel
      else
        log "static-ng did not answer: see $OUT/bare-kernel.log"
      fi
      stop_relay
      log "$(tail -n 1 "$OUT/bare-kernel.log"); map entries left: $(bpftool -j map dump id "$map" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')"
      nx "$NR" tc qdisc del dev r0 clsact 2>/dev/null
      ;;
    *) log "unknown configuration $config (known: rtpengine mediarelay-user mediarelay-kernel bare-kernel)" ;;
  esac
  watch_stop "$config"
done

# ---- the table -----------------------------------------------------------------------------------------------
echo
"$PYTHON" "$HERE/table.py" "$OUT" "$KERNEL_CALLS_LIST" "$KERNEL_FLOOD_CALLS" "$KERNEL_INSTALL_CALLS_FEW" "$KERNEL_INSTALL_CALLS" | tee "$OUT/kernel-table.md"
log "done in $(($(date +%s) - START)) s (measuring $(($(date +%s) - START_MEASURE)) s); results in $OUT"
