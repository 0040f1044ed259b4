#!/usr/bin/env bash
# One MediaRelay under the control load, with what its garbage collector did: for A/B runs of a change to the offer
# path or the accounting writer, where bench/compare.sh's p99 alone cannot tell a cause. Starts the relay (Release
# build output, or MEDIARELAY_DLL), carries 10 s of the control scenario (offer + answer + delete, 32 calls in flight,
# not measured), then measures 10 s more while dotnet-counters samples System.Runtime once a second. Prints one line:
#   cps 10,748 p50 0.785 p99 4.815 cpu 114 us/call gcpause 45 ms/s gen0 4.4/s gen1 6.8/s
# (calls/s, offer p50/p99 in ms, relay CPU per call, GC pause time per second, collections per second by generation).
#   bench/control-gc.sh                               defaults: accounting to a new SQLite file in OUT
#   bench/control-gc.sh --accounting off              extra arguments go to `mediarelay run`
#   RELAY_ENV="DOTNET_GCgen0size=0x4000000" bench/control-gc.sh   environment for the relay only
# Environment: OUT (bench/out/control-gc-<time>), MEDIARELAY_DLL, RELAY_ENV. The relay is stopped at the end (or
# when the script is interrupted) and its accounting file deleted. Alternate the variants being compared
# and repeat them: on two shared cores one run's figures move 15-20 % from the next one's. GC figures need
# dotnet-counters (`dotnet tool install -g dotnet-counters`); without it the line ends at the CPU. Loopback only;
# ng on 127.0.0.1:22222 and media ports 10000-19999 must be free. Every generator run is bounded by `timeout`.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/bench/out/control-gc-$(date -u +%Y%m%d-%H%M%S)}
MEDIARELAY_DLL=${MEDIARELAY_DLL:-$ROOT/src/MediaRelay.Host/bin/Release/net10.0/mediarelay.dll}
LOADGEN_DLL=$ROOT/bench/MediaRelay.LoadGen/bin/Release/net10.0/mediarelay-loadgen.dll
COUNTERS=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
NG=127.0.0.1:22222
mkdir -p "$OUT"
for dll in "$MEDIARELAY_DLL" "$LOADGEN_DLL"; do
  [ -f "$dll" ] || { echo "missing $dll: build first (dotnet build MediaRelay.slnx -c Release)" >&2; exit 2; }
done

accounting=(--accounting "sqlite:$OUT/accounting.db")
for arg in "$@"; do [ "$arg" = --accounting ] && accounting=(); done
rm -f "$OUT"/accounting.db*
# shellcheck disable=SC2086 # RELAY_ENV is a list of NAME=VALUE words
env ${RELAY_ENV:-} dotnet "$MEDIARELAY_DLL" run --relay-address 127.0.0.1 --port-min 10000 --port-max 19999 \
  --ng-listen "$NG" --delete-delay 0 --log-level Warning "${accounting[@]}" "$@" >"$OUT/relay.log" 2>&1 &
RELAY_PID=$!
trap 'kill -TERM $RELAY_PID 2>/dev/null; wait $RELAY_PID 2>/dev/null; rm -f "$OUT"/accounting.db*' EXIT
if ! timeout 30 dotnet "$LOADGEN_DLL" --mode ping --relay "$NG" --relay-name MediaRelay --duration 15 >/dev/null 2>&1 \
  || ! kill -0 "$RELAY_PID" 2>/dev/null; then
  # A relay left running on the address answers the ping while this one has exited.
  echo "MediaRelay did not start or did not answer ng ping on $NG (see $OUT/relay.log)" >&2
  exit 1
fi
timeout 60 dotnet "$LOADGEN_DLL" --mode control --duration 10 --concurrency 32 --scenario warm-up --relay "$NG" \
  --relay-name MediaRelay --relay-pid "$RELAY_PID" >"$OUT/warm-up.txt" 2>&1
if [ -x "$COUNTERS" ]; then
  timeout 30 "$COUNTERS" collect -p "$RELAY_PID" --refresh-interval 1 --counters System.Runtime -o "$OUT/counters.csv" \
    --format csv >/dev/null 2>&1 &
  sleep 1
fi
timeout 60 dotnet "$LOADGEN_DLL" --mode control --duration 10 --concurrency 32 --scenario measured --relay "$NG" \
  --relay-name MediaRelay --relay-pid "$RELAY_PID" >"$OUT/measured.txt" 2>&1
awk '/^ +calls /{gsub(",","",$2); c=$2} /^ +relay_cpu_pct/{p=$2} /^ +control_cps/{cps=$2} /^ +offer_p99_ms/{p99=$2}
  /^ +offer_p50_ms/{p50=$2}
  END{ if (!c) { print "the measured run failed: see '"$OUT"'/measured.txt"; exit 1 }
       printf "cps %s p50 %s p99 %s cpu %.0f us/call", cps, p50, p99, p/100*10/c*1e6 }' "$OUT/measured.txt" || exit 1
kill -TERM $RELAY_PID 2>/dev/null; wait $RELAY_PID 2>/dev/null
sleep 1
if [ -s "$OUT/counters.csv" ]; then
  awk -F, '/pause.time/{pt+=$5; n++} /collections/ && /generation=gen0\]/{g0+=$5} /collections/ && /generation=gen1\]/{g1+=$5}
    END{ if (n) printf " gcpause %.0f ms/s gen0 %.1f/s gen1 %.1f/s", pt/n*1000, g0/n, g1/n }' "$OUT/counters.csv"
fi
echo
