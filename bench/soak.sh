#!/usr/bin/env bash
# The soak (issue 13): MediaRelay as installed (built-in defaults: delete delay 30 s, kernel forwarding auto, SQLite
# accounting) with CALLS calls of RTP both ways at 20 ms ptime for DURATION seconds, while the churn re-INVITEs,
# holds and resumes, moves a phone to its other address and replaces calls (delete + new Call-ID) at random,
# CHURN_RATE actions per second. Every SAMPLE seconds the generator writes one CSV row (loss, latency, the relay's
# RSS, GC heap, descriptors, ports, sessions, kernel streams, CPU); at the end it deletes every call, waits out the
# delete delay and checks that no port and no session is left. gnuplot draws the rows as one PNG.
#   bench/soak.sh                            one hour, 500 calls (about 62 minutes)
#   DURATION=120 CALLS=100 bench/soak.sh     a quick run
# Environment: CALLS (500), DURATION (3600), CHURN_RATE (5), SAMPLE (10), SEED (1), OUT (bench/out/soak-<time>),
#   ACCOUNTING (sqlite:$OUT/sessions.db; "off" for none), MEDIARELAY_ARGS (none: e.g. "--kernel-forwarding off" for
#   user space only).
# Output in $OUT: soak.csv, soak.jsonl (the final report), soak.png, mediarelay.log, loadgen.log, and smaps.csv
# (where the relay's resident memory lies, by kind, from bench/smaps-sample.py; needs python3).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CALLS=${CALLS:-500}
DURATION=${DURATION:-3600}
CHURN_RATE=${CHURN_RATE:-5}
SAMPLE=${SAMPLE:-10}
SEED=${SEED:-1}
OUT=${OUT:-$ROOT/bench/out/soak-$(date +%Y%m%d-%H%M%S)}
ACCOUNTING=${ACCOUNTING:-sqlite:$OUT/sessions.db}
read -r -a MEDIARELAY_EXTRA <<<"${MEDIARELAY_ARGS:-}"
NG=127.0.0.1:22290
MGMT=127.0.0.1:9990
LOADGEN_DLL=$ROOT/bench/MediaRelay.LoadGen/bin/Release/net10.0/mediarelay-loadgen.dll
MEDIARELAY_DLL=$ROOT/src/MediaRelay.Host/bin/Release/net10.0/mediarelay.dll
mkdir -p "$OUT"
log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

RELAY_PID=
stop_relay() {
  if [ -n "$RELAY_PID" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill "$RELAY_PID"
    for _ in $(seq 1 100); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$RELAY_PID" 2>/dev/null
  fi
}
trap stop_relay EXIT
ulimit -n 65536 2>/dev/null || true

log "building MediaRelay and the load generator (Release)"
dotnet build "$ROOT/src/MediaRelay.Host/MediaRelay.Host.csproj" -c Release -nologo -v q >"$OUT/build.log" 2>&1 \
  && dotnet build "$ROOT/bench/MediaRelay.LoadGen/MediaRelay.LoadGen.csproj" -c Release -nologo -v q >>"$OUT/build.log" 2>&1 \
  || { log "build failed: see $OUT/build.log"; exit 1; }

log "starting MediaRelay: ng $NG, management $MGMT, ports 20000-29999 (outside the generator's ephemeral ports: the relay refuses media from its own range), accounting $ACCOUNTING ${MEDIARELAY_EXTRA[*]}"
dotnet "$MEDIARELAY_DLL" run --relay-address 127.0.0.1 --port-min 20000 --port-max 29999 --ng-listen "$NG" \
  --management-listen "$MGMT" --accounting "$ACCOUNTING" "${MEDIARELAY_EXTRA[@]}" >"$OUT/mediarelay.log" 2>&1 &
RELAY_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://$MGMT/api/summary" >/dev/null 2>&1 && break
  kill -0 "$RELAY_PID" 2>/dev/null || { log "MediaRelay exited: see $OUT/mediarelay.log"; exit 1; }
  sleep 0.2
done

SAMPLER_PID=
if command -v python3 >/dev/null 2>&1; then
  python3 "$ROOT/bench/smaps-sample.py" "$RELAY_PID" "$OUT/smaps.csv" "$SAMPLE" &
  SAMPLER_PID=$!
fi

log "soak: $CALLS calls, $DURATION s, $CHURN_RATE actions/s, a sample every $SAMPLE s"
timeout --kill-after=10 $((DURATION + 600)) dotnet "$LOADGEN_DLL" --mode soak --relay "$NG" --relay-name MediaRelay \
  --relay-pid "$RELAY_PID" --management "http://$MGMT/" --calls "$CALLS" --duration "$DURATION" --churn-rate "$CHURN_RATE" \
  --sample-seconds "$SAMPLE" --seed "$SEED" --settle-seconds 35 --max-seconds $((DURATION + 590)) \
  --csv-out "$OUT/soak.csv" --json-out "$OUT/soak.jsonl" 2>&1 | tee "$OUT/loadgen.log" | grep -v '^LOADGEN_JSON'
RC=${PIPESTATUS[0]}
stop_relay
[ -n "$SAMPLER_PID" ] && wait "$SAMPLER_PID" 2>/dev/null

if command -v gnuplot >/dev/null 2>&1 && [ -s "$OUT/soak.csv" ]; then
  gnuplot <<GNUPLOT
set datafile separator ","
set terminal pngcairo size 1400,1000 font "DejaVu Sans,10"
set output "$OUT/soak.png"
set multiplot layout 2,2 title "MediaRelay soak: $CALLS calls, $CHURN_RATE churn actions/s, $DURATION s (bench/soak.sh)"
set xlabel "minutes"
set key top left
set grid
set title "media loss per ${SAMPLE}-s interval"
set ylabel "%"
set yrange [0:*]
plot "$OUT/soak.csv" using (\$1/60):6 skip 1 with lines lw 1.5 title "loss %"
set title "one-way latency through the relay per interval"
set ylabel "µs"
set logscale y
set yrange [*:*]
plot "$OUT/soak.csv" using (\$1/60):7 skip 1 with lines title "p50", "" using (\$1/60):8 skip 1 with lines title "p99", "" using (\$1/60):9 skip 1 with lines title "max"
unset logscale y
set title "relay memory"
set ylabel "MiB"
set yrange [0:*]
plot "$OUT/soak.csv" using (\$1/60):10 skip 1 with lines lw 1.5 title "RSS", "" using (\$1/60):11 skip 1 with lines lw 1.5 title "GC heap"
set title "relay descriptors, ports and calls"
set ylabel "count"
plot "$OUT/soak.csv" using (\$1/60):12 skip 1 with lines lw 1.5 title "open fds", "" using (\$1/60):13 skip 1 with lines title "ports used", "" using (\$1/60):2 skip 1 with lines title "calls with media", "" using (\$1/60):15 skip 1 with lines title "kernel streams"
unset multiplot
GNUPLOT
  log "plot: $OUT/soak.png"
else
  log "gnuplot not found (apt-get install gnuplot-nox): no plot; the figures are in $OUT/soak.csv"
fi
log "done (generator exit code $RC): $OUT"
exit "$RC"
