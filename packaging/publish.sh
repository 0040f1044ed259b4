#!/usr/bin/env bash
# Publishes mediarelay as one self-contained Linux executable (the .NET runtime and ASP.NET Core inside; libbpf1 from
# the system for kernel forwarding), with the publish profile of the runtime identifier given.
#
#   packaging/publish.sh linux-x64|linux-arm64 [OUTPUT_DIR]
#
# OUTPUT_DIR defaults to artifacts/publish/RID; the executable is OUTPUT_DIR/mediarelay. The build runs in its own
# folder (artifacts/build/RID, or $MEDIARELAY_BUILD_DIR) so it never touches the bin/ and obj/ of a developer's build.
# Extra arguments for dotnet publish may follow "--". Prints the executable's path and size at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: $0 linux-x64|linux-arm64 [OUTPUT_DIR] [-- DOTNET_PUBLISH_ARGS...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
rid=$1
shift
case "$rid" in
  linux-x64 | linux-arm64) ;;
  *) echo "publish.sh: no publish profile for '$rid' (linux-x64, linux-arm64)" >&2; exit 2 ;;
esac
out="$root/artifacts/publish/$rid"
if [ $# -ge 1 ] && [ "$1" != "--" ]; then
  out=$1
  shift
fi
[ $# -eq 0 ] || { [ "$1" = "--" ] || usage; shift; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${MEDIARELAY_BUILD_DIR:-$root/artifacts/build/$rid}

if ! command -v clang >/dev/null 2>&1; then
  echo "publish.sh: warning: clang is not installed: the kernel forwarding program is not built into this binary (apt-get install clang llvm libbpf-dev)" >&2
fi

echo "publish.sh: dotnet publish $rid (self-contained, single file) to $out"
dotnet publish "$root/src/MediaRelay.Host/MediaRelay.Host.csproj" -c Release -p:PublishProfile="$rid" \
  -p:DebugType=embedded --artifacts-path "$build" -o "$out" -nologo -v q "$@"

binary="$out/mediarelay"
[ -x "$binary" ] || { echo "publish.sh: $binary was not produced" >&2; exit 1; }
echo "publish.sh: $binary ($(du -h "$binary" | cut -f1))"
