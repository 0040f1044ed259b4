#!/usr/bin/env bash
# Runs every test of MediaRelay: unit, loopback UDP, and end-to-end with a real Kamailio and sipp.
# Installs what the end-to-end tests need (kamailio, sip-tester, rtpengine-daemon) when it is missing.
# Ends with one plain line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh || { echo "test.sh: installing test dependencies failed; see the lines above" >&2; }

# install-deps.sh installs rtpengine too, so the end-to-end harness also checks itself against the real peer.
export MEDIARELAY_E2E_RTPENGINE=${MEDIARELAY_E2E_RTPENGINE:-1}

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build MediaRelay.slnx -c Release -warnaserror -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
dotnet test MediaRelay.slnx -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=3000000
status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run itself failed (a crashed test host, a timeout): never report it green
fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
