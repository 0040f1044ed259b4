#!/usr/bin/env bash
# Installs a published mediarelay (packaging/publish.sh) as a systemd service:
#   PREFIX/bin/mediarelay                          the executable (PREFIX defaults to /usr/local)
#   UNITDIR/mediarelay.service                     the unit (UNITDIR defaults to /etc/systemd/system)
#   SYSCONFDIR/mediarelay/mediarelay.json          the example configuration, every key at its default; an existing
#                                                  file is kept (SYSCONFDIR defaults to /etc)
#   /usr/lib/sysusers.d/mediarelay.conf            the mediarelay user and group, for systemd-sysusers
#   SYSCTLDIR/60-mediarelay.conf                   reserves the configuration's media port range in the kernel's
#                                                  ephemeral range (SYSCTLDIR defaults to /etc/sysctl.d); an
#                                                  existing file is kept; applied at once when nothing else is reserved
# and creates the user mediarelay. With DESTDIR everything goes under that directory instead of / (a package build
# or a test), and no user is created and no systemctl runs. Prints what it did; does not start or enable the service.
#
#   packaging/install.sh [BINARY]              BINARY defaults to artifacts/publish/RID/mediarelay for this machine
#   DESTDIR=/tmp/root packaging/install.sh artifacts/publish/linux-x64/mediarelay
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-/etc/systemd/system}
SYSUSERSDIR=${SYSUSERSDIR:-/usr/lib/sysusers.d}
SYSCTLDIR=${SYSCTLDIR:-/etc/sysctl.d}
DESTDIR=${DESTDIR:-}
user=mediarelay

say() { printf 'install.sh: %s\n' "$*"; }

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) rid=unknown ;;
esac
binary=${1:-$root/artifacts/publish/$rid/mediarelay}
if [ ! -x "$binary" ]; then
  echo "install.sh: no executable at $binary: publish it first (packaging/publish.sh $rid), or give its path" >&2
  exit 1
fi
if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root to install into /, or set DESTDIR to install into a directory" >&2
  exit 1
fi

bin_path=$PREFIX/bin/mediarelay
config_path=$SYSCONFDIR/mediarelay/mediarelay.json

install -D -m 0755 "$binary" "$DESTDIR$bin_path"
say "installed $DESTDIR$bin_path (from $binary)"

# The unit names the executable and the configuration where this install put them.
unit_tmp=$(mktemp)
trap 'rm -f "$unit_tmp"' EXIT
sed -e "s|/usr/local/bin/mediarelay|$bin_path|g" -e "s|/etc/mediarelay/mediarelay.json|$config_path|g" \
  "$here/mediarelay.service" >"$unit_tmp"
install -D -m 0644 "$unit_tmp" "$DESTDIR$UNITDIR/mediarelay.service"
say "installed $DESTDIR$UNITDIR/mediarelay.service (ExecStart=$bin_path run --config $config_path)"

install -D -m 0644 "$here/mediarelay.sysusers" "$DESTDIR$SYSUSERSDIR/mediarelay.conf"
say "installed $DESTDIR$SYSUSERSDIR/mediarelay.conf"

if [ -z "$DESTDIR" ]; then
  if getent passwd "$user" >/dev/null; then
    say "user $user exists"
  elif command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers "$SYSUSERSDIR/mediarelay.conf"
    say "created user and group $user (systemd-sysusers)"
  else
    useradd --system --user-group --home-dir /var/lib/mediarelay --no-create-home --shell /usr/sbin/nologin \
      --comment "MediaRelay SIP media relay" "$user"
    say "created user and group $user (useradd)"
  fi
else
  say "user $user not created (DESTDIR is set; systemd-sysusers creates it from mediarelay.conf on the target)"
fi

if [ -e "$DESTDIR$config_path" ]; then
  say "kept the existing $DESTDIR$config_path"
else
  # Readable by the relay's group only when that group exists here: the file may hold the management token.
  if [ -z "$DESTDIR" ] && getent group "$user" >/dev/null; then
    install -D -m 0640 -o root -g "$user" "$root/src/MediaRelay.Host/mediarelay.json" "$DESTDIR$config_path"
    say "installed $DESTDIR$config_path (every key at its default; mode 0640, group $user)"
  else
    install -D -m 0644 "$root/src/MediaRelay.Host/mediarelay.json" "$DESTDIR$config_path"
    say "installed $DESTDIR$config_path (every key at its default; mode 0644)"
  fi
fi

# The media range reserved in the kernel's ephemeral range, from the installed configuration (PortMin, PortMax). An
# existing file is kept, as the configuration is. The sysctl is one list for every program: applied at once only
# while nothing else is reserved; otherwise the script says what to merge.
sysctl_path=$SYSCTLDIR/60-mediarelay.conf
if [ -e "$DESTDIR$sysctl_path" ]; then
  say "kept the existing $DESTDIR$sysctl_path"
else
  port_min=$(sed -n 's/^[[:space:]]*"PortMin":[[:space:]]*\([0-9]*\).*/\1/p' "$DESTDIR$config_path" | head -n 1)
  port_max=$(sed -n 's/^[[:space:]]*"PortMax":[[:space:]]*\([0-9]*\).*/\1/p' "$DESTDIR$config_path" | head -n 1)
  range="${port_min:-40000}-${port_max:-59999}"
  sysctl_tmp=$(mktemp)
  sed "s/^net.ipv4.ip_local_reserved_ports = .*/net.ipv4.ip_local_reserved_ports = $range/" "$here/mediarelay.sysctl" >"$sysctl_tmp"
  install -D -m 0644 "$sysctl_tmp" "$DESTDIR$sysctl_path"
  rm -f "$sysctl_tmp"
  say "installed $DESTDIR$sysctl_path (net.ipv4.ip_local_reserved_ports = $range, the configuration's media range)"
  if [ -z "$DESTDIR" ] && command -v sysctl >/dev/null 2>&1; then
    current=$(sysctl -n net.ipv4.ip_local_reserved_ports 2>/dev/null || true)
    if [ -n "$current" ]; then
      say "not applied now: ports $current are reserved already; merge them into $sysctl_path (one list), then sysctl -p $sysctl_path"
    elif sysctl -q -p "$sysctl_path"; then
      say "applied $sysctl_path"
    else
      say "could not apply $sysctl_path now (a container?); it applies at the next boot"
    fi
  fi
fi

if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  say "systemctl daemon-reload done"
fi
say "next: edit $config_path (RelayAddress at least), then: systemctl enable --now mediarelay"
