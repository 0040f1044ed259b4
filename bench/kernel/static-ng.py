#!/usr/bin/env python3
"""The control plane of the "bare kernel" baseline (bench/kernel/run.sh): no relay process touches a packet.

It answers the load generator's ng commands (ping, offer, answer, delete: bencode over UDP, "cookie SP dict")
with relay ports of its own and, at answer, writes the call's two directions into the map of the same eBPF
program MediaRelay uses (mr_forward.bpf.c, attached to R's veth by tc): byte for byte the entries
MediaRelay writes (mr_flow_key / mr_flow_value, the egress ifindex filled in, so the program asks no FIB; every
entry names counter slot 0),
with the bpf(2) command BPF_MAP_UPDATE_ELEM, as `bpftool map update` does, before it replies, so no packet
can arrive ahead of its entry. It opens no media socket and never runs while media flows: the map entries
are the whole forwarding path.

  static-ng.py --listen ADDR:PORT --relay-address IPV4 --map-id N --ifindex N [--port-min 40000] [--port-max 49999]
               [--tcx-prog-id N]

With --tcx-prog-id it also attaches the (already loaded) program to the interface's ingress with a tcx link, as
MediaRelay does on Linux 6.6+, so the packets meet the same hook; bench/kernel/run.sh loads the program with tc and
removes tc's filter once the link holds it. Prints "static-ng ready" once listening; on SIGTERM prints the calls and entries it wrote and exits 0.
"""
import argparse
import ctypes
import ipaddress
import os
import signal
import socket
import struct
import sys

BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID, BPF_LINK_CREATE = 2, 3, 13, 14, 28
BPF_TCX_INGRESS = 46
SYS_BPF = {"x86_64": 321, "aarch64": 280}

libc = ctypes.CDLL(None, use_errno=True)


class MapElemAttr(ctypes.Structure):
    _fields_ = [("map_fd", ctypes.c_uint32), ("pad", ctypes.c_uint32), ("key", ctypes.c_uint64),
                ("value", ctypes.c_uint64), ("flags", ctypes.c_uint64)]


class GetFdAttr(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("next_id", ctypes.c_uint32), ("open_flags", ctypes.c_uint32)]


class LinkCreateAttr(ctypes.Structure):
    """link_create with its tcx part (relative_fd, expected_revision) zero: attach after whatever is there."""
    _fields_ = [("prog_fd", ctypes.c_uint32), ("target_ifindex", ctypes.c_uint32), ("attach_type", ctypes.c_uint32),
                ("flags", ctypes.c_uint32), ("relative_fd", ctypes.c_uint32), ("pad", ctypes.c_uint32),
                ("expected_revision", ctypes.c_uint64)]


def tcx_attach(prog_id, ifindex):
    """Attaches program prog_id to ifindex's TC ingress with a tcx link, as MediaRelay does on 6.6+; the link (and
    the attachment) lasts as long as this process holds its descriptor."""
    prog_fd = bpf(BPF_PROG_GET_FD_BY_ID, GetFdAttr(id=prog_id))
    return bpf(BPF_LINK_CREATE, LinkCreateAttr(prog_fd=prog_fd, target_ifindex=ifindex, attach_type=BPF_TCX_INGRESS))


def bpf(cmd, attr):
    number = SYS_BPF[os.uname().machine]
    rc = libc.syscall(number, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bpf({cmd}): {os.strerror(err)}")
    return rc


class FlowMap:
    def __init__(self, map_id):
        self.fd = bpf(BPF_MAP_GET_FD_BY_ID, GetFdAttr(id=map_id))
        self.written = 0

    def update(self, key, value):
        k, v = ctypes.create_string_buffer(key, len(key)), ctypes.create_string_buffer(value, len(value))
        bpf(BPF_MAP_UPDATE_ELEM, MapElemAttr(map_fd=self.fd, key=ctypes.addressof(k), value=ctypes.addressof(v)))
        self.written += 1

    def delete(self, key):
        k = ctypes.create_string_buffer(key, len(key))
        try:
            bpf(BPF_MAP_DELETE_ELEM, MapElemAttr(map_fd=self.fd, key=ctypes.addressof(k)))
        except OSError:
            pass


def addr16(address):
    return ipaddress.IPv4Address(address).packed + bytes(12)


def flow_key(local, local_port, remote, remote_port):
    """mr_flow_key: family, pad, local port, remote port (network order), local, remote (16 bytes each)."""
    return struct.pack("!B3xHH", 4, local_port, remote_port) + addr16(local) + addr16(remote)


def flow_value(src, src_port, dst, dst_port, ifindex):
    """mr_flow_value: the rewrite, the egress ifindex (host order), flags 0, counter slot 0 (every direction
    counts into the same slot: nobody reads them here)."""
    return (struct.pack("!B3xHH", 4, src_port, dst_port) + addr16(src) + addr16(dst)
            + struct.pack("=IIII", ifindex, 0, 0, 0))


# ---- bencode (what ng needs: byte strings, integers, lists, dictionaries) ----------------------------------
def bdecode(data, i=0):
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c == b"l":
        items, i = [], i + 1
        while data[i:i + 1] != b"e":
            item, i = bdecode(data, i)
            items.append(item)
        return items, i + 1
    if c == b"d":
        items, i = {}, i + 1
        while data[i:i + 1] != b"e":
            key, i = bdecode(data, i)
            items[key], i = bdecode(data, i)
        return items, i + 1
    colon = data.index(b":", i)
    length = int(data[i:colon])
    return data[colon + 1:colon + 1 + length], colon + 1 + length


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(v) for k, v in sorted(value.items())) + b"e"


def sdp_endpoint(sdp):
    """The first audio m-line's port and its connection address (media level, else session level)."""
    address, port = None, None
    for line in sdp.decode(errors="replace").splitlines():
        if line.startswith("c=") and (address is None or port is not None):
            address = line.split()[2].split("/")[0]
        elif line.startswith("m=audio ") and port is None:
            port = int(line.split()[1])
    return address, port


def sdp_for(relay, port):
    return ("v=0\r\no=static-ng 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n" % (relay, relay, port))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True)
    parser.add_argument("--relay-address", required=True)
    parser.add_argument("--map-id", type=int, required=True)
    parser.add_argument("--ifindex", type=int, required=True)
    parser.add_argument("--port-min", type=int, default=40000)
    parser.add_argument("--port-max", type=int, default=49999)
    parser.add_argument("--tcx-prog-id", type=int, default=0,
                        help="also attach this loaded program to --ifindex's ingress with a tcx link, held until exit")
    args = parser.parse_args()

    flows = FlowMap(args.map_id)
    attach = "no attachment of its own"
    if args.tcx_prog_id:
        try:
            tcx_attach(args.tcx_prog_id, args.ifindex)
            attach = "program %d attached by a tcx link" % args.tcx_prog_id
        except OSError as e:
            attach = "tcx link refused (%s): the program stays on its cls_bpf filter" % e
    relay = args.relay_address
    host, port = args.listen.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, int(port)))
    calls = {}        # call-id -> {"caller": (addr, port), "base": relay port, "keys": [...]}
    replies = {}      # cookie -> reply (a retransmitted command gets the same answer)
    next_base = args.port_min - (args.port_min % 4)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    print("static-ng ready on %s, map id %d, egress ifindex %d, %s" % (args.listen, args.map_id, args.ifindex, attach),
          flush=True)
    total_calls = 0
    while not stopping:
        try:
            sock.settimeout(0.5)
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        space = data.find(b" ")
        if space < 0:
            continue
        cookie = data[:space]
        if cookie in replies:
            sock.sendto(cookie + b" " + replies[cookie], peer)
            continue
        try:
            command, _ = bdecode(data, space + 1)
            verb = command.get(b"command", b"").decode()
            call_id = command.get(b"call-id", b"")
            if verb == "ping":
                reply = {"result": "pong"}
            elif verb == "offer":
                address, media_port = sdp_endpoint(command[b"sdp"])
                call = calls.get(call_id)
                if call is None:
                    base = next_base
                    next_base = base + 4 if base + 7 <= args.port_max else args.port_min - (args.port_min % 4)
                    call = calls[call_id] = {"base": base, "keys": []}
                    total_calls += 1
                call["caller"] = (address, media_port)
                # The callee sends to base; the caller (in the answer's SDP) to base + 2.
                reply = {"result": "ok", "sdp": sdp_for(relay, call["base"])}
            elif verb == "answer":
                call = calls[call_id]
                callee = sdp_endpoint(command[b"sdp"])
                caller, base = call["caller"], call["base"]
                to_callee = flow_key(relay, base + 2, *caller)
                to_caller = flow_key(relay, base, *callee)
                flows.update(to_callee, flow_value(relay, base, callee[0], callee[1], args.ifindex))
                flows.update(to_caller, flow_value(relay, base + 2, caller[0], caller[1], args.ifindex))
                call["keys"] = [to_callee, to_caller]
                reply = {"result": "ok", "sdp": sdp_for(relay, base + 2)}
            elif verb == "delete":
                call = calls.pop(call_id, None)
                for key in (call or {}).get("keys", []):
                    flows.delete(key)
                reply = {"result": "ok"}
            else:
                reply = {"result": "error", "error-reason": "unsupported command " + verb}
        except (KeyError, ValueError, IndexError, TypeError, OSError) as e:
            reply = {"result": "error", "error-reason": "%s: %s" % (type(e).__name__, e)}
        body = bencode(reply)
        if len(replies) > 65536:
            replies.clear()
        replies[cookie] = body
        sock.sendto(cookie + b" " + body, peer)
    print("static-ng: %d call(s), %d map entries written" % (total_calls, flows.written), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
