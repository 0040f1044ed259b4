#!/usr/bin/env bash
# Proves the kernel forwarding program (src/MediaRelay.Transport/Kernel/Bpf/mr_forward.bpf.c) in network
# namespaces of its own, with tc and bpftool only (no relay, no C#). Run as root:
#
#   scripts/bpf-selftest.sh [OBJECT]     # OBJECT: a built mr_forward.bpf.o; default: compiled here with clang
#
# Topology (documentation ranges only; every namespace is created here and removed on exit):
#
#   A 198.51.100.10/24 (+.11)     R (the relay)                        B 192.0.2.10/24
#     2001:db8:1::10/64 (+::11)     r-a 198.51.100.1/24 2001:db8:1::1/64   2001:db8:2::10/64
#     a-r  <------------------->    r-b 192.0.2.1/24    2001:db8:2::1/64   b-r, default routes via R
#                                   mr_ingress on ingress of r-a and r-b (one program, one map)
#   L: everything on 127.0.0.1 / ::1, mr_ingress on lo ingress (relay and phones on one host)
#
# What it shows (one PASS/FAIL line per check; exit status 1 when any check fails):
#   - RTP from A:30000 to the relay's 40000 reaches B:31000 from the relay's 40002, and back, for IPv4 and
#     IPv6: valid IP and UDP checksums (checked twice: B's socket, as the kernel drops bad checksums with
#     the veths' offloads off, and byte by byte on a packet socket), TTL / hop limit unchanged, the entry's
#     counters (its slot of mr_counters) equal to what was sent (packets, UDP payload bytes) and last_ns set;
#   - an IPv4 datagram without UDP checksum (zero) is forwarded with zero;
#   - a one-armed relay (receiver on the sender's own link) sends back out of the interface it came in on;
#   - STUN (first byte 0), DTLS (22), 192, a payload under 8 bytes, and RTP from another source port are
#     NOT forwarded: they reach the socket bound in R on 40000 unchanged and the counters do not move;
#   - bpf_fib_lookup refuses while forwarding is off on the ingress interface (BPF_FIB_LKUP_RET_FWD_DISABLED):
#     the packet then goes up to the socket. Forwarding on the media interfaces (per interface, not
#     net.ipv4.ip_forward) is what the kernel path needs; this script turns it on after that check;
#   - loopback: relay and phones on 127.0.0.1 (and ::1) with the program on lo ingress, including a relay
#     loop (the rewritten packet would hit the map again) that the program refuses. IPv4 on lo needs, besides
#     forwarding on lo, route_localnet=1 and accept_local=1 on lo: the ingress redirect drops the packet's
#     route, and the stack then takes 127.0.0.1 for a martian (shown first, then fixed). ::1 needs nothing.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src="$here/../src/MediaRelay.Transport/Kernel/Bpf/mr_forward.bpf.c"

if [ "$(id -u)" != 0 ]; then echo "bpf-selftest: run as root" >&2; exit 2; fi
for tool in ip tc bpftool ethtool python3; do
  command -v "$tool" >/dev/null || { echo "bpf-selftest: $tool is missing" >&2; exit 2; }
done

id=$$
NA=mrA$id NR=mrR$id NB=mrB$id NL=mrL$id
tmp=$(mktemp -d /tmp/mr-bpf-selftest.XXXXXX)
pin="$tmp/bpffs"

cleanup() {
  for ns in "$NA" "$NR" "$NB" "$NL"; do ip netns del "$ns" 2>/dev/null; done
  mountpoint -q "$pin" && umount "$pin"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
must() { "$@" || { echo "bpf-selftest: setup step failed: $*" >&2; exit 2; }; }
nx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- the object ----------------------------------------------------------------------------------------
obj=${1:-}
if [ -z "$obj" ]; then
  command -v clang >/dev/null || { echo "bpf-selftest: clang is missing (or pass a built object)" >&2; exit 2; }
  obj="$tmp/mr_forward.bpf.o"
  must clang -O2 -g -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$src" -o "$obj"
fi

# ---- the traffic helper: one process enters each namespace (setns) to open its sockets there -------------
cat >"$tmp/peer.py" <<'PY'
import ctypes, os, select, socket, struct, subprocess, sys, time, json

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 = 0x0003, 0x0800, 0x86DD
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_CSUMNOTREADY = 263, 8, 1 << 3
SO_NO_CHECK = 11

def in_ns(ns, make):
    """Runs make() inside network namespace ns; sockets keep the namespace they were opened in."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(there, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        return make()
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(there)
        os.close(home)

def endpoint(text):
    """NS/ADDRESS/PORT or ADDRESS/PORT -> (ns or None, address, port)."""
    parts = text.split("/")
    if len(parts) == 3:
        return parts[0], parts[1], int(parts[2])
    return None, parts[0], int(parts[1])

def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def addr16(addr):
    raw = socket.inet_pton(fam(addr), addr)
    return raw + bytes(16 - len(raw))

def next_slot():
    """A counter slot no other entry of this run has (a counter file next to this script)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slots")
    slot = int(open(path).read()) if os.path.exists(path) else 1
    with open(path, "w") as f:
        f.write(str(slot + 1))
    return slot

def flow_hex(local, remote, src, dst):
    """The map's key and value (mr_flow_key, mr_flow_value) as bpftool's hex bytes."""
    f = 6 if ":" in local[0] else 4
    key = struct.pack("!B3xHH", f, local[1], remote[1]) + addr16(local[0]) + addr16(remote[0])
    # ifindex 0 and flags 0: "ask the FIB", the program's fallback path, which this script exercises (the relay
    # resolves the egress itself and fills ifindex / MR_FLOW_LOCAL); then the entry's own counter slot.
    value = struct.pack("!B3xHH", f, src[1], dst[1]) + addr16(src[0]) + addr16(dst[0]) \
        + struct.pack("=IIII", 0, 0, next_slot(), 0)
    assert len(key) == 40 and len(value) == 56
    return " ".join(f"{b:02x}" for b in key), " ".join(f"{b:02x}" for b in value)

def lookup(map_id, key):
    out = subprocess.run(["bpftool", "-j", "map", "lookup", "id", str(map_id), "key", "hex", *key.split()],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return bytes(int(b, 16) for b in json.loads(out.stdout)["value"])

def counters(map_id, key_hex, counters_id):
    """(packets, bytes, last_ns) of the entry: its slot (value offset 48) in mr_counters."""
    value = lookup(map_id, key_hex)
    if value is None:
        return None
    slot = struct.unpack_from("<I", value, 48)[0]
    raw = lookup(counters_id, " ".join(f"{b:02x}" for b in struct.pack("<I", slot)))
    return None if raw is None else struct.unpack_from("<QQQ", raw, 0)

def fold(total):
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total

def sum16(data):
    if len(data) % 2:
        data += b"\0"
    return fold(sum(struct.unpack(f"!{len(data) // 2}H", data)))

def inspect(frame, status):
    """Headers of a captured UDP frame, with both checksums checked."""
    proto = struct.unpack_from("!H", frame, 12)[0]
    ip = frame[14:]
    if proto == ETH_P_IP and len(ip) >= 28 and ip[9] == 17:
        ihl = (ip[0] & 15) * 4
        src, dst, ttl = socket.inet_ntop(socket.AF_INET, ip[12:16]), socket.inet_ntop(socket.AF_INET, ip[16:20]), ip[8]
        ip_ok = sum16(ip[:ihl]) == 0xFFFF
        udp = ip[ihl:struct.unpack_from("!H", ip, 2)[0]]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    elif proto == ETH_P_IPV6 and len(ip) >= 48 and ip[6] == 17:
        src, dst, ttl = socket.inet_ntop(socket.AF_INET6, ip[8:24]), socket.inet_ntop(socket.AF_INET6, ip[24:40]), ip[7]
        ip_ok = True
        udp = ip[40:40 + struct.unpack_from("!H", ip, 4)[0]]
        pseudo = ip[8:40] + struct.pack("!IxxxB", len(udp), 17)
    else:
        return None
    sport, dport, ulen, check = struct.unpack_from("!HHHH", udp)
    if check == 0:
        udp_state = "zero"
    elif status & TP_STATUS_CSUMNOTREADY:
        # CHECKSUM_PARTIAL (loopback): the field holds the pseudo header's sum, the rest is added on output.
        udp_state = "partial-ok" if check % 0xFFFF == sum16(pseudo) % 0xFFFF else "partial-bad"
    else:
        udp_state = "ok" if sum16(pseudo + udp) == 0xFFFF else "bad"
    return dict(src=src, dst=dst, sport=sport, dport=dport, ttl=ttl, ip_ok=ip_ok, udp=udp_state,
                payload=bytes(udp[8:]))

def drain(sock, seconds):
    got, end = [], time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return got
        got.append(sock.recvfrom(65535))

def collect(up, recv, expected, count, deadline=1.5, grace=0.15):
    socks = [s for s in (up, recv) if s is not None]
    got = {s: [] for s in socks}
    end = time.monotonic() + deadline
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready = select.select(socks, [], [], left)[0]
        if not ready:
            break
        for s in ready:
            got[s].append(s.recvfrom(65535))
        if len(got[expected]) >= count:
            end = min(end, time.monotonic() + grace)
    return got[up], got.get(recv, []) if recv is not None else []

def drain_packets(sock, seconds):
    got, end = [], time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return got
        data, anc, _, addr = sock.recvmsg(65535, socket.CMSG_SPACE(32))
        if addr[2] != socket.PACKET_HOST:
            continue
        status = 0
        for level, kind, blob in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status = struct.unpack_from("I", blob)[0]
        got.append((data, status))

def udp_socket(ns, addr, port, nocheck=False):
    def make():
        s = socket.socket(fam(addr), socket.SOCK_DGRAM)
        if fam(addr) == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if nocheck:
            s.setsockopt(socket.SOL_SOCKET, SO_NO_CHECK, 1)
        s.bind((addr, port))
        return s
    return in_ns(ns, make)

def case(args):
    """One traffic case; prints PASS/FAIL lines, returns the number of failures."""
    name = args["name"]
    sender_ns, sender_addr, sender_port = endpoint(args["send"])
    _, relay_addr, relay_port = endpoint(args["to"])
    payloads = []
    for spec in args["payloads"].split(","):
        first, length = spec.split(":")
        first, length = int(first, 0), int(length)
        payloads.append(bytes([first]) + bytes((first + i) & 0xFF for i in range(1, length)))
    forward = args["expect"] == "forward"
    lost = args["expect"] == "lost"     # forwarded by the program, then dropped by the stack
    fails = 0

    def check(ok, what):
        nonlocal fails
        print(("PASS " if ok else "FAIL ") + f"{name}: {what}")
        fails += 0 if ok else 1

    sender = udp_socket(sender_ns, sender_addr, sender_port, args.get("nocheck") == "1")
    up_ns, up_addr, up_port = endpoint(args["up"])
    up = udp_socket(up_ns, up_addr, up_port)
    recv = sniff = None
    if "recv" in args:
        recv_ns, recv_addr, recv_port = endpoint(args["recv"])
        recv = udp_socket(recv_ns, recv_addr, recv_port)
    if "sniff" in args:
        sniff_ns, sniff_dev = args["sniff"].split("/")
        def make_sniffer():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind((sniff_dev, 0))
            return s
        sniff = in_ns(sniff_ns, make_sniffer)
    before = counters(args["map"], args["key"], args["cmap"]) if "key" in args else None

    started = time.monotonic_ns()
    for p in payloads:
        sender.sendto(p, (relay_addr, relay_port))
    # Wait for the expected socket to have them all (or a deadline), then a short grace for strays.
    at_up, at_recv = collect(up, recv, (recv if forward else up), len(payloads), 0.7 if lost else 1.5)
    finished = time.monotonic_ns()
    want = [(p, (sender_addr, sender_port)) for p in payloads]

    if lost:
        check(not at_up and not at_recv, f"neither the receiver nor the relay socket got it ({len(at_recv)}, {len(at_up)})")
    elif forward:
        _, src_addr, src_port = endpoint(args["from"])
        got = [(d, (a[0], a[1])) for d, a in at_recv]
        check(len(got) == len(payloads), f"receiver got {len(got)} of {len(payloads)} datagrams")
        check(all(a == (src_addr, src_port) for _, a in got),
              f"each from the relay {src_addr}/{src_port} (got {sorted(set(a for _, a in got))})")
        check([d for d, _ in got] == payloads, "payloads unchanged")
        check(not at_up, f"nothing went up to the relay socket (got {len(at_up)})")
    else:
        got = [(d, (a[0], a[1])) for d, a in at_up]
        check(got == want, f"went up to the relay socket unchanged ({len(got)} of {len(payloads)})")
        if recv:
            check(not at_recv, f"receiver got nothing (got {len(at_recv)})")

    if sniff is not None:
        _, recv_addr, recv_port = endpoint(args["recv"])
        seen = [h for h in (inspect(d, st) for d, st in drain_packets(sniff, 0.1)) if h]
        seen = [h for h in seen if h["dport"] == recv_port and h["dst"] == recv_addr]
        ok_udp = {"ok", "partial-ok"} | ({"zero"} if args.get("nocheck") == "1" else set())
        check(len(seen) == len(payloads), f"packet socket saw {len(seen)} of {len(payloads)} rewritten frames")
        check(all(h["ip_ok"] for h in seen), "IPv4 header checksums valid" if "." in recv_addr else "IPv6 (no header checksum)")
        check(all(h["udp"] in ok_udp for h in seen), f"UDP checksums {sorted(set(h['udp'] for h in seen))}")
        check(all(h["ttl"] == 64 for h in seen), f"TTL / hop limit unchanged at 64 (got {sorted(set(h['ttl'] for h in seen))})")

    if "key" in args:
        after = counters(args["map"], args["key"], args["cmap"])
        if before is None or after is None:
            check(False, "the map entry is there")
            return fails
        packets, octets = after[0] - before[0], after[1] - before[1]
        if forward or lost:
            want_bytes = sum(len(p) for p in payloads)
            check(packets == len(payloads) and octets == want_bytes,
                  f"counters +{packets} packets +{octets} bytes (sent {len(payloads)} / {want_bytes} payload bytes)")
            check(started <= after[2] <= finished, "last_ns is the time of the last packet")
        else:
            check(packets == 0 and octets == 0, f"counters did not move (+{packets} packets +{octets} bytes)")
    return fails

def main():
    verb = sys.argv[1]
    if verb == "hex":
        local, remote, src, dst = (endpoint(x)[1:] for x in sys.argv[2:6])
        key, value = flow_hex(local, remote, src, dst)
        print(key + "|" + value)
        return 0
    if verb == "case":
        args = dict(a.split("=", 1) for a in sys.argv[2:])
        return 1 if case(args) else 0
    if verb == "badsum":
        # A raw IPv4 UDP datagram with a wrong checksum from NS/ADDR/PORT to ADDR/PORT: the control that
        # shows the kernel does verify checksums on these veths (so a socket's receipt proves the rewrite).
        ns, src, sport = endpoint(sys.argv[2])
        _, dst, dport = endpoint(sys.argv[3])
        up_ns, up_addr, up_port = endpoint(sys.argv[4])
        up = udp_socket(up_ns, up_addr, up_port)
        raw = in_ns(ns, lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP))
        payload = b"\x00" + bytes(19)
        raw.sendto(struct.pack("!HHHH", sport, dport, 8 + len(payload), 0x1234) + payload, (dst, 0))
        ok = not drain(up, 0.5)
        print(("PASS " if ok else "FAIL ") + "control: a datagram with a wrong UDP checksum is dropped by the kernel on these veths")
        return 0 if ok else 1
    raise SystemExit(f"unknown verb {verb}")

sys.exit(main())
PY
peer() { python3 "$tmp/peer.py" "$@"; }

# ---- namespaces ---------------------------------------------------------------------------------------
for ns in "$NA" "$NR" "$NB" "$NL"; do must ip netns add "$ns"; must ip -n "$ns" link set dev lo up; done
must ip link add r-a netns "$NR" type veth peer name a-r netns "$NA"
must ip link add r-b netns "$NR" type veth peer name b-r netns "$NB"
must ip -n "$NA" addr add 198.51.100.10/24 dev a-r
must ip -n "$NA" addr add 198.51.100.11/24 dev a-r
must ip -n "$NA" addr add 2001:db8:1::10/64 dev a-r nodad
must ip -n "$NA" addr add 2001:db8:1::11/64 dev a-r nodad
must ip -n "$NR" addr add 198.51.100.1/24 dev r-a
must ip -n "$NR" addr add 2001:db8:1::1/64 dev r-a nodad
must ip -n "$NR" addr add 192.0.2.1/24 dev r-b
must ip -n "$NR" addr add 2001:db8:2::1/64 dev r-b nodad
must ip -n "$NB" addr add 192.0.2.10/24 dev b-r
must ip -n "$NB" addr add 2001:db8:2::10/64 dev b-r nodad
for pair in "$NA a-r" "$NR r-a" "$NR r-b" "$NB b-r"; do
  set -- $pair
  must ip -n "$1" link set dev "$2" up
  # DESIGN 4.1: with checksum offload on, a veth delivers a wrong UDP checksum; off, the kernel checks it.
  must nx "$1" ethtool -K "$2" tx off rx off >/dev/null
done
must ip -n "$NB" route add default via 192.0.2.1
must ip -n "$NB" -6 route add default via 2001:db8:2::1
must ip -n "$NA" route add default via 198.51.100.1
must ip -n "$NA" -6 route add default via 2001:db8:1::1

# ---- the program: loaded once by tc, pinned, attached to both veths and to L's lo ---------------------
must mkdir -p "$pin"
must mount -t bpf bpf "$pin"
must nx "$NR" tc qdisc add dev r-a clsact
if ! nx "$NR" tc filter add dev r-a ingress bpf da obj "$obj" sec tc 2>"$tmp/load.log"; then
  fail "the kernel loads mr_ingress (verifier log: $tmp/load.log)"; cat "$tmp/load.log" >&2; exit 1
fi
prog=$(nx "$NR" tc filter show dev r-a ingress | grep -o ' id [0-9]*' | awk '{print $2}' | head -n 1)
# map_by_name NAME: the id of the program's map called NAME (mr_flows, mr_counters).
map_by_name() {
  local id
  for id in $(bpftool -j prog show id "$prog" | python3 -c 'import json,sys; print(*json.load(sys.stdin)["map_ids"])'); do
    bpftool -j map show id "$id" | python3 -c 'import json,sys; m=json.load(sys.stdin); sys.exit(m["name"] != sys.argv[1])' "$1" \
      && echo "$id"
  done
}
map=$(map_by_name mr_flows)
cmap=$(map_by_name mr_counters)
[ -n "$prog" ] && [ -n "$map" ] && [ -n "$cmap" ] || { fail "found the loaded program and its maps"; exit 1; }
pass "the kernel loads mr_ingress (prog id $prog, map id $map): $(bpftool prog show id "$prog" | grep -o 'xlated [0-9]*B  jited [0-9]*B')"
must bpftool prog pin id "$prog" "$pin/mr_ingress"
must nx "$NR" tc qdisc add dev r-b clsact
must nx "$NR" tc filter add dev r-b ingress bpf da object-pinned "$pin/mr_ingress"
must nx "$NL" tc qdisc add dev lo clsact
must nx "$NL" tc filter add dev lo ingress bpf da object-pinned "$pin/mr_ingress"

mapinfo=$(bpftool -j map show id "$map")
python3 - "$mapinfo" <<'PY' && pass "map mr_flows: hash, key 40, value 56, max_entries 131072, BPF_F_NO_PREALLOC" || fail "map mr_flows has the agreed shape: $mapinfo"
import json, sys
m = json.loads(sys.argv[1])
ok = m["name"] == "mr_flows" and m["type"] == "hash" and m["bytes_key"] == 40 and m["bytes_value"] == 56 \
     and m["max_entries"] == 131072 and m["flags"] == 1
sys.exit(0 if ok else 1)
PY
cmapinfo=$(bpftool -j map show id "$cmap")
python3 - "$cmapinfo" <<'PY' && pass "map mr_counters: array, key 4, value 24, max_entries 131072, BPF_F_MMAPABLE" || fail "map mr_counters has the agreed shape: $cmapinfo"
import json, sys
m = json.loads(sys.argv[1])
ok = m["name"] == "mr_counters" and m["type"] == "array" and m["bytes_key"] == 4 and m["bytes_value"] == 24 \
     and m["max_entries"] == 131072 and m["flags"] == 0x400
sys.exit(0 if ok else 1)
PY

# flow LOCAL REMOTE NEWSRC NEWDST: one map entry (addresses ADDRESS/PORT); prints the key's hex.
flow() {
  local kv key value
  kv=$(peer hex "$@") || exit 2
  key=${kv%%|*} value=${kv#*|}
  # shellcheck disable=SC2086 # bpftool takes the bytes as separate words
  must bpftool map update id "$map" key hex $key value hex $value
  echo "$key"
}
run() { peer case map="$map" cmap="$cmap" "$@" || fails=$((fails + 1)); }

# ---- IPv4 through R -------------------------------------------------------------------------------------
k4ab=$(flow 198.51.100.1/40000 198.51.100.10/30000 198.51.100.1/40002 192.0.2.10/31000)
k4ba=$(flow 198.51.100.1/40002 192.0.2.10/31000 198.51.100.1/40000 198.51.100.10/30000)

peer badsum "$NA/198.51.100.10/30009" 198.51.100.1/40000 "$NR/0.0.0.0/40000" || fails=$((fails + 1))

nx "$NR" sysctl -qw net.ipv4.conf.r-a.forwarding=0 net.ipv4.conf.r-b.forwarding=0
run name="v4 forwarding off on r-a (fib: FWD_DISABLED)" key="$k4ab" expect=up \
  send="$NA/198.51.100.10/30000" to=198.51.100.1/40000 up="$NR/0.0.0.0/40000" payloads=0x80:160
must nx "$NR" sysctl -qw net.ipv4.conf.r-a.forwarding=1 net.ipv4.conf.r-b.forwarding=1
echo "     (R: net.ipv4.ip_forward=$(nx "$NR" sysctl -n net.ipv4.ip_forward); forwarding on r-a and r-b only)"

run name="v4 A->B RTP" key="$k4ab" expect=forward send="$NA/198.51.100.10/30000" to=198.51.100.1/40000 \
  up="$NR/0.0.0.0/40000" recv="$NB/192.0.2.10/31000" from=198.51.100.1/40002 sniff="$NB/b-r" \
  payloads=0x80:172,0x80:20,0x80:1200,0xbf:8,0x80:8,0x81:52
run name="v4 B->A RTP" key="$k4ba" expect=forward send="$NB/192.0.2.10/31000" to=198.51.100.1/40002 \
  up="$NR/0.0.0.0/40002" recv="$NA/198.51.100.10/30000" from=198.51.100.1/40000 sniff="$NA/a-r" \
  payloads=0x80:172,0x81:1400,0x80:33
run name="v4 A->B without UDP checksum" key="$k4ab" expect=forward nocheck=1 \
  send="$NA/198.51.100.10/30000" to=198.51.100.1/40000 up="$NR/0.0.0.0/40000" \
  recv="$NB/192.0.2.10/31000" from=198.51.100.1/40002 sniff="$NB/b-r" payloads=0x80:172,0x80:20
for first in 0x00 0x16 0xc0 0x7f; do
  run name="v4 first byte $first is not forwarded" key="$k4ab" expect=up send="$NA/198.51.100.10/30000" \
    to=198.51.100.1/40000 up="$NR/0.0.0.0/40000" recv="$NB/192.0.2.10/31000" payloads=$first:20
done
run name="v4 RTP with a 7-byte payload is not forwarded" key="$k4ab" expect=up \
  send="$NA/198.51.100.10/30000" to=198.51.100.1/40000 up="$NR/0.0.0.0/40000" recv="$NB/192.0.2.10/31000" \
  payloads=0x80:7
run name="v4 RTP from another source port is not forwarded" key="$k4ab" expect=up \
  send="$NA/198.51.100.10/30001" to=198.51.100.1/40000 up="$NR/0.0.0.0/40000" recv="$NB/192.0.2.10/31000" \
  payloads=0x80:172

k4one=$(flow 198.51.100.1/40004 198.51.100.10/30000 198.51.100.1/40006 198.51.100.11/32000)
run name="v4 one-armed (back out of r-a)" key="$k4one" expect=forward send="$NA/198.51.100.10/30000" \
  to=198.51.100.1/40004 up="$NR/0.0.0.0/40004" recv="$NA/198.51.100.11/32000" from=198.51.100.1/40006 \
  sniff="$NA/a-r" payloads=0x80:172,0x80:60

# ---- IPv6 through R -------------------------------------------------------------------------------------
k6ab=$(flow 2001:db8:1::1/40000 2001:db8:1::10/30000 2001:db8:1::1/40002 2001:db8:2::10/31000)
k6ba=$(flow 2001:db8:1::1/40002 2001:db8:2::10/31000 2001:db8:1::1/40000 2001:db8:1::10/30000)
nx "$NR" sysctl -qw net.ipv6.conf.r-a.forwarding=0 net.ipv6.conf.r-b.forwarding=0
run name="v6 forwarding off on r-a (fib: FWD_DISABLED)" key="$k6ab" expect=up \
  send="$NA/2001:db8:1::10/30000" to=2001:db8:1::1/40000 up="$NR/::/40000" payloads=0x80:160
must nx "$NR" sysctl -qw net.ipv6.conf.r-a.forwarding=1 net.ipv6.conf.r-b.forwarding=1
echo "     (R: net.ipv6.conf.all.forwarding=$(nx "$NR" sysctl -n net.ipv6.conf.all.forwarding); forwarding on r-a and r-b only)"

run name="v6 A->B RTP" key="$k6ab" expect=forward send="$NA/2001:db8:1::10/30000" to=2001:db8:1::1/40000 \
  up="$NR/::/40000" recv="$NB/2001:db8:2::10/31000" from=2001:db8:1::1/40002 sniff="$NB/b-r" \
  payloads=0x80:172,0x80:20,0x80:1200,0xbf:8,0x81:52
run name="v6 B->A RTP" key="$k6ba" expect=forward send="$NB/2001:db8:2::10/31000" to=2001:db8:1::1/40002 \
  up="$NR/::/40002" recv="$NA/2001:db8:1::10/30000" from=2001:db8:1::1/40000 sniff="$NA/a-r" \
  payloads=0x80:172,0x81:1400,0x80:33
for first in 0x00 0x16 0xc0; do
  run name="v6 first byte $first is not forwarded" key="$k6ab" expect=up send="$NA/2001:db8:1::10/30000" \
    to=2001:db8:1::1/40000 up="$NR/::/40000" recv="$NB/2001:db8:2::10/31000" payloads=$first:20
done
run name="v6 RTP from another source port is not forwarded" key="$k6ab" expect=up \
  send="$NA/2001:db8:1::10/30001" to=2001:db8:1::1/40000 up="$NR/::/40000" recv="$NB/2001:db8:2::10/31000" \
  payloads=0x80:172
k6one=$(flow 2001:db8:1::1/40004 2001:db8:1::10/30000 2001:db8:1::1/40006 2001:db8:1::11/32000)
run name="v6 one-armed (back out of r-a)" key="$k6one" expect=forward send="$NA/2001:db8:1::10/30000" \
  to=2001:db8:1::1/40004 up="$NR/::/40004" recv="$NA/2001:db8:1::11/32000" from=2001:db8:1::1/40006 \
  sniff="$NA/a-r" payloads=0x80:172,0x80:60

# ---- loopback: relay and phones on one host, program on lo ingress ------------------------------------
kl4ab=$(flow 127.0.0.1/40000 127.0.0.1/30000 127.0.0.1/40002 127.0.0.1/31000)
kl4ba=$(flow 127.0.0.1/40002 127.0.0.1/31000 127.0.0.1/40000 127.0.0.1/30000)
nx "$NL" sysctl -qw net.ipv4.conf.lo.forwarding=0
run name="lo v4 forwarding off on lo (fib: FWD_DISABLED)" key="$kl4ab" expect=up \
  send="$NL/127.0.0.1/30000" to=127.0.0.1/40000 up="$NL/127.0.0.1/40000" payloads=0x80:160
must nx "$NL" sysctl -qw net.ipv4.conf.lo.forwarding=1
# bpf_redirect(lo, BPF_F_INGRESS) scrubs the skb's route (dst), so IPv4 routes the rewritten packet again
# as if it had come in from outside: 127.0.0.1 is a martian destination on lo unless route_localnet=1,
# and the relay's own address as source is a martian source unless accept_local=1 (dmesg with
# log_martians=1 says so). IPv6 ::1 needs neither.
nx "$NL" sysctl -qw net.ipv4.conf.lo.route_localnet=0 net.ipv4.conf.lo.accept_local=0
run name="lo v4 redirected without route_localnet and accept_local on lo (a martian)" key="$kl4ab" expect=lost \
  send="$NL/127.0.0.1/30000" to=127.0.0.1/40000 up="$NL/127.0.0.1/40000" recv="$NL/127.0.0.1/31000" \
  payloads=0x80:160
must nx "$NL" sysctl -qw net.ipv4.conf.lo.route_localnet=1 net.ipv4.conf.lo.accept_local=1
run name="lo v4 A->B RTP" key="$kl4ab" expect=forward send="$NL/127.0.0.1/30000" to=127.0.0.1/40000 \
  up="$NL/127.0.0.1/40000" recv="$NL/127.0.0.1/31000" from=127.0.0.1/40002 sniff="$NL/lo" \
  payloads=0x80:172,0x80:20,0x80:1200
run name="lo v4 B->A RTP" key="$kl4ba" expect=forward send="$NL/127.0.0.1/31000" to=127.0.0.1/40002 \
  up="$NL/127.0.0.1/40002" recv="$NL/127.0.0.1/30000" from=127.0.0.1/40000 sniff="$NL/lo" payloads=0x80:172
run name="lo v4 STUN is not forwarded" key="$kl4ab" expect=up send="$NL/127.0.0.1/30000" to=127.0.0.1/40000 \
  up="$NL/127.0.0.1/40000" recv="$NL/127.0.0.1/31000" payloads=0x00:20
# A relay loop: 40010's receiver is the relay's own 40012, whose entry would send the packet on again.
kloop=$(flow 127.0.0.1/40010 127.0.0.1/30000 127.0.0.1/40011 127.0.0.1/40012)
flow 127.0.0.1/40012 127.0.0.1/40011 127.0.0.1/40013 127.0.0.1/31000 >/dev/null
run name="lo v4 a relay loop is refused" key="$kloop" expect=up send="$NL/127.0.0.1/30000" to=127.0.0.1/40010 \
  up="$NL/127.0.0.1/40010" payloads=0x80:172

echo "     (L: net.ipv6.conf.lo.forwarding=$(nx "$NL" sysctl -n net.ipv6.conf.lo.forwarding): the FIB answers NOT_FWDED for ::1 before it checks forwarding)"
kl6ab=$(flow ::1/40000 ::1/30000 ::1/40002 ::1/31000)
kl6ba=$(flow ::1/40002 ::1/31000 ::1/40000 ::1/30000)
run name="lo v6 A->B RTP" key="$kl6ab" expect=forward send="$NL/::1/30000" to=::1/40000 up="$NL/::1/40000" \
  recv="$NL/::1/31000" from=::1/40002 sniff="$NL/lo" payloads=0x80:172,0x80:20,0x80:1200
run name="lo v6 B->A RTP" key="$kl6ba" expect=forward send="$NL/::1/31000" to=::1/40002 up="$NL/::1/40002" \
  recv="$NL/::1/30000" from=::1/40000 sniff="$NL/lo" payloads=0x80:172
run name="lo v6 STUN is not forwarded" key="$kl6ab" expect=up send="$NL/::1/30000" to=::1/40000 \
  up="$NL/::1/40000" recv="$NL/::1/31000" payloads=0x00:20

echo "program: $(bpftool prog show id "$prog" | tr -s ' \n\t' ' ')"
if [ "$fails" -eq 0 ]; then echo "bpf-selftest: all checks passed"; exit 0; fi
echo "bpf-selftest: $fails case(s) with a failing check"
exit 1
