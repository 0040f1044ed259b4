#!/usr/bin/env bash
# Adds what afl-fuzz found to the committed corpora, so that CI replays it (tests/MediaRelay.Fuzz.Tests).
#
#   fuzz/harvest.sh [PER_TARGET] [TARGET...]
#
# From fuzz/findings/TARGET/default/queue (left by fuzz/run.sh) takes the entries that brought new coverage
# ("+cov": afl-fuzz has already trimmed them), at most PER_TARGET (default 30) spread evenly over the run, replaces the
# earlier harvest (fuzz/corpus/TARGET/afl-*) with them, and replays the corpus through the uninstrumented target.
# Seeds (seed-*) and regression inputs (crash-*) stay.
set -euo pipefail
cd "$(dirname "$0")/.."

per_target=${1:-30}
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(ls fuzz/findings/*/default/queue -d 2>/dev/null | cut -d/ -f3)
fi

dotnet build fuzz/MediaRelay.Fuzz/MediaRelay.Fuzz.csproj -c Release -nologo -v q >/dev/null
fuzzer=fuzz/MediaRelay.Fuzz/bin/Release/net10.0/MediaRelay.Fuzz.dll

for target in "${targets[@]}"; do
  queue="fuzz/findings/$target/default/queue"
  [ -d "$queue" ] || { echo "harvest: no queue for $target" >&2; continue; }
  mapfile -t found < <(ls "$queue" | grep '+cov' | sort)
  rm -f "fuzz/corpus/$target"/afl-*
  count=${#found[@]}
  take=$((count < per_target ? count : per_target))
  for ((i = 0; i < take; i++)); do
    entry=${found[$((i * count / take))]}
    id=${entry#id:}
    id=${id%%,*}
    cp "$queue/$entry" "fuzz/corpus/$target/afl-$id"
  done
  echo "harvest: $target: $take of $count new-coverage inputs"
  dotnet "$fuzzer" replay "$target" "fuzz/corpus/$target" | tail -n 1
done
