#!/usr/bin/env bash
# Installs what the end-to-end tests (tests/MediaRelay.EndToEnd.Tests) run besides .NET: Kamailio with its
# rtpengine module, sipp (Debian package sip-tester) and rtpengine (rtpengine-daemon, the harness self-check), and
# what the kernel forwarding path needs to build and to be tested (clang, libbpf, iproute2, ethtool); and the
# PostgreSQL server the accounting tests (tests/MediaRelay.Accounting.Tests) run clusters of their own with.
#
# Idempotent: when all three are installed it installs nothing. Either way it then makes sure no service of these
# packages is running or enabled, and that nothing listens on the ports their services use (SIP 5060, rtpengine ng
# 2223 and 22222), because every test starts its own processes on its own ports.
# Debian/Ubuntu only; runs as root or through sudo.
set -euo pipefail

# clang, llvm and libbpf-dev build the kernel forwarding program (src/MediaRelay.Transport/Kernel/Bpf); libbpf1 loads
# it; iproute2 and ethtool build the kernel tests' network namespaces; bpftool is used by scripts/bpf-selftest.sh.
# systemd gives systemd-analyze, which the packaging tests run on the installed unit (nothing of it is started).
packages=(kamailio sip-tester rtpengine-daemon clang llvm libbpf-dev libbpf1 bpftool iproute2 ethtool systemd)
# The accounting tests start their own cluster (initdb and pg_ctl from /usr/lib/postgresql/*/bin, a private port and
# data directory under /tmp), so the package's own cluster "main" is never started (policy-rc.d below, then disabled).
packages+=(postgresql)
# The management tests (tests/MediaRelay.Management.Tests): Prometheus scrapes the relay's /metrics (and promtool lints
# it), and headless Chromium drives the dashboard. Installed without their recommends (node-exporter, a desktop).
bare_packages=(prometheus chromium-headless-shell)
# Services the packages (and the ones they recommend) install; the Debian scripts start some at install time.
services=(kamailio rtpengine-daemon rtpengine rtpengine-recording-daemon rtpengine-recording prometheus postgresql)
ports=(5060 2223 22222)

log() { printf 'install-deps: %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  log "must run as root or have sudo" >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  log "needs a Debian-based system (dpkg and apt-get)" >&2
  exit 1
fi

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for package in "${packages[@]}" "${bare_packages[@]}"; do
  installed "$package" || missing+=("$package")
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "already installed: ${packages[*]} ${bare_packages[*]}"
else
  log "missing: ${missing[*]}"
  # policy-rc.d exit code 101 tells invoke-rc.d not to start services while packages install (Debian policy
  # 9.3.3); keep an existing one (Docker images ship one), otherwise add ours for the install only.
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=1
  fi
  remove_policy() { [ "$added_policy" -eq 1 ] && "${sudo[@]}" rm -f "$policy"; return 0; }
  trap remove_policy EXIT

  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${bare_packages[@]}"
fi

# Stop and disable every service of these packages, whichever init system is in charge.
for service in "${services[@]}"; do
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    if systemctl list-unit-files "$service.service" --no-legend 2>/dev/null | grep -q .; then
      "${sudo[@]}" systemctl disable --now "$service.service" >/dev/null 2>&1 || true
      log "systemd unit $service stopped and disabled"
    fi
  elif [ -x "/etc/init.d/$service" ]; then
    "${sudo[@]}" "/etc/init.d/$service" stop >/dev/null 2>&1 || true
    if command -v update-rc.d >/dev/null 2>&1; then
      "${sudo[@]}" update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
    log "init script $service stopped and disabled"
  fi
done

# "port inode" for every TCP socket in LISTEN or UDP socket bound, from /proc so no extra tool is needed.
# Column 2 is local address:port (port in hex), column 4 the state (0A: TCP LISTEN, 07: unconnected UDP),
# column 10 the socket inode.
listening() {
  local table
  for table in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
    [ -r "$table" ] || continue
    awk 'NR > 1 && ($4 == "0A" || $4 == "07") { n = split($2, a, ":"); print a[n], $10 }' "$table"
  done | while read -r hex inode; do printf '%d %s\n' "0x$hex" "$inode"; done
}

busy_ports() {
  local port
  for port in "${ports[@]}"; do
    listening | awk -v p="$port" '$1 == p { found = 1 } END { exit !found }' && echo "$port"
  done
  return 0
}

# Processes holding a socket on the given port.
owners() {
  local inode pid
  for inode in $(listening | awk -v p="$1" '$1 == p { print $2 }'); do
    for pid in /proc/[0-9]*; do
      ls -l "$pid/fd" 2>/dev/null | grep -q "socket:\[$inode\]" && echo "${pid#/proc/}"
    done
  done | sort -u
}

mapfile -t busy < <(busy_ports)
if [ "${#busy[@]}" -ne 0 ]; then
  # A daemon the packages started outside any service manager (a container without systemd): stop it if, and only
  # if, it is kamailio or rtpengine holding one of these ports; anything else is reported, never killed.
  for port in "${busy[@]}"; do
    for pid in $(owners "$port"); do
      name=$(cat "/proc/$pid/comm" 2>/dev/null || true)
      case "$name" in
        kamailio | rtpengine | prometheus)
          log "stopping leftover $name (pid $pid) on port $port"
          "${sudo[@]}" kill "$pid" 2>/dev/null || true
          ;;
      esac
    done
  done
  sleep 2
  mapfile -t busy < <(busy_ports)
  if [ "${#busy[@]}" -ne 0 ]; then
    for port in "${busy[@]}"; do
      log "port $port is still in use by pid(s): $(owners "$port" | tr '\n' ' ')" >&2
    done
    exit 1
  fi
fi

log "ready: $(kamailio -v 2>/dev/null | head -1); $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ ]*' | head -1); rtpengine $(rtpengine --version 2>&1 | head -1)"
log "accounting tests: PostgreSQL $(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1) (initdb, pg_ctl in /usr/lib/postgresql/*/bin)"
log "nothing listens on ${ports[*]}"
