#!/usr/bin/env bash
# Coverage-guided fuzzing of every MediaRelay wire parser and of the relay's packet path (issue 13).
#
#   fuzz/run.sh [INPUTS] [TARGET...]
#
# Runs each target (default: all, see `dotnet fuzz/out/bin/MediaRelay.Fuzz.dll list`) under afl-fuzz for INPUTS
# executions (default 1000000), each bounded by FUZZ_MAX_SECONDS (default 1200) of wall time. Seeds come from
# fuzz/corpus/TARGET; findings (crashes, hangs, the queue) go to fuzz/findings/TARGET; a summary of executions, time
# and crashes per target is printed and written to fuzz/findings/summary.tsv. Exits 1 when any target crashed.
#
# Not part of CI (CI replays the corpora: tests/MediaRelay.Fuzz.Tests). Needs afl-fuzz (Debian: afl++, installed
# here when missing) and the SharpFuzz.CommandLine dotnet tool (installed into fuzz/out/tools). The relay's assemblies
# are instrumented in a private copy (fuzz/out/bin); the normal build outputs are never touched.
set -euo pipefail
cd "$(dirname "$0")/.."

inputs=${1:-1000000}
shift || true
targets=("$@")
max_seconds=${FUZZ_MAX_SECONDS:-1200}
out=fuzz/out
findings=fuzz/findings

log() { printf 'fuzz: %s\n' "$*"; }

if ! command -v afl-fuzz >/dev/null 2>&1; then
  log "installing afl++"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

if [ ! -x "$out/tools/sharpfuzz" ]; then
  log "installing SharpFuzz.CommandLine 2.3.0"
  dotnet tool install --tool-path "$out/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

log "building and instrumenting a private copy in $out/bin"
rm -rf "$out/bin"
dotnet build fuzz/MediaRelay.Fuzz/MediaRelay.Fuzz.csproj -c Release -nologo -v q -o "$out/bin" >/dev/null
for assembly in MediaRelay.Protocols MediaRelay.Core MediaRelay.Control; do
  "$out/tools/sharpfuzz" "$out/bin/$assembly.dll" >/dev/null
done

if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(dotnet "$out/bin/MediaRelay.Fuzz.dll" list | cut -f1)
fi

# A shared machine: no CPU pinning, no core-dump or frequency checks, no UI; afl-fuzz's fork server is SharpFuzz's
# persistent loop inside one dotnet process, so the binary check does not apply.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=60000 DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0

mkdir -p "$findings"
summary="$findings/summary.tsv"
printf 'target\texecs\tseconds\texecs_per_sec\tcorpus\tcrashes\thangs\n' >"$summary"
crashed=0
for target in "${targets[@]}"; do
  dictionary=()
  [ -f "fuzz/dict/$target.dict" ] && dictionary=(-x "fuzz/dict/$target.dict")
  rm -rf "${findings:?}/$target"
  log "$target: up to $inputs inputs or ${max_seconds}s"
  afl-fuzz -i "fuzz/corpus/$target" -o "$findings/$target" -E "$inputs" -V "$max_seconds" -t 5000 -m none \
    "${dictionary[@]}" -- dotnet "$out/bin/MediaRelay.Fuzz.dll" "$target" >"$findings/$target.log" 2>&1 || true
  stats="$findings/$target/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    log "$target: afl-fuzz did not start; see $findings/$target.log"
    tail -n 20 "$findings/$target.log" >&2
    crashed=1
    continue
  fi
  field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  execs=$(field execs_done)
  seconds=$(($(field last_update) - $(field start_time)))
  crashes=$(field saved_crashes)
  crashes=${crashes:-$(field unique_crashes)}
  hangs=$(field saved_hangs)
  hangs=${hangs:-$(field unique_hangs)}
  corpus=$(field corpus_count)
  corpus=${corpus:-$(field paths_total)}
  rate=$((execs / (seconds > 0 ? seconds : 1)))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$execs" "$seconds" "$rate" "$corpus" "$crashes" "$hangs" >>"$summary"
  log "$target: $execs inputs in ${seconds}s ($rate/s), corpus $corpus, crashes $crashes, hangs $hangs"
  [ "${crashes:-0}" -eq 0 ] || crashed=1
done

column -t -s $'\t' "$summary"
exit "$crashed"
