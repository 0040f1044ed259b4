// SPDX-License-Identifier: (MIT OR GPL-2.0-only)
/*
 * mr_forward: MediaRelay's kernel forwarding path (issue 9, DESIGN 4.1).
 *
 * A TC ingress program (cls_bpf, direct action) for the relay's media interfaces. A UDP packet whose
 * (relay address, relay port, sender address, sender port) is in mr_flows and whose payload looks like
 * RTP or RTCP (RFC 7983: first byte 128..191, at least 8 bytes) is rewritten to leave the relay port
 * facing the receiver towards the receiver's learned address, counted, and redirected. Everything else
 * is returned with TC_ACT_UNSPEC (the next filter, if any, decides; else the packet passes), untouched, and goes up to the relay's socket as before: STUN, DTLS,
 * unknown senders, fragments, IP options, extension headers, anything the program cannot parse.
 *
 * User space (MediaRelay.Transport/Kernel) owns the maps: it writes mr_flow_key / mr_flow_value byte for
 * byte, so their layout below is a wire format; the static asserts keep it from drifting. Each direction's
 * counters live apart from its entry, in the slot of mr_counters the entry names: that array is mmapable, so
 * the relay reads every direction's counters from memory, with no bpf() call and no walk of the hash map.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define MR_FAMILY_IPV4 4
#define MR_FAMILY_IPV6 6

struct mr_flow_key {
	__u8 family;       /* 4 = IPv4, 6 = IPv6 */
	__u8 pad[3];       /* zero */
	__be16 local_port; /* relay port the packet arrives on (its UDP destination), network order */
	__be16 remote_port;/* sender's port (UDP source), network order */
	__u8 local[16];    /* relay address (packet's IP destination); IPv4 in the first 4 bytes, rest zero */
	__u8 remote[16];   /* sender's address (packet's IP source); IPv4 likewise */
};

struct mr_flow_value {
	__u8 family;       /* 4 or 6: must equal the key's (no v4<->v6 bridging) */
	__u8 pad[3];
	__be16 src_port;   /* new UDP source: the relay port facing the receiver */
	__be16 dst_port;   /* new UDP destination: the receiver's learned port */
	__u8 src[16];      /* new IP source: relay address facing the receiver */
	__u8 dst[16];      /* new IP destination: the receiver's learned address */
	__u32 ifindex;     /* egress interface towards the receiver, resolved by the relay at install; 0 = ask the FIB */
	__u32 flags;       /* MR_FLOW_LOCAL: the receiver is on this host (delivered by the stack, not redirected) */
	__u32 slot;        /* this direction's counters: mr_counters[slot] (user space gives each entry its own) */
	__u32 pad2;        /* zero */
};

/* One direction's counters (mr_counters), written by the program only. */
struct mr_counter {
	__u64 packets;     /* atomic adds */
	__u64 bytes;       /* UDP payload bytes (not IP, not Ethernet), as user space counts */
	__u64 last_ns;     /* bpf_ktime_get_ns() of the last forwarded packet */
};

#define MR_FLOW_LOCAL 1

/* A packet the program does not take: TC_ACT_UNSPEC lets the next filter on the hook (another MediaRelay
 * instance's, or anyone's) classify it, and at the end of the chain the packet goes up unchanged. */
#define MR_PASS TC_ACT_UNSPEC

_Static_assert(sizeof(struct mr_flow_key) == 40, "mr_flow_key is 40 bytes");
_Static_assert(__builtin_offsetof(struct mr_flow_key, local_port) == 4, "mr_flow_key.local_port at 4");
_Static_assert(__builtin_offsetof(struct mr_flow_key, remote_port) == 6, "mr_flow_key.remote_port at 6");
_Static_assert(__builtin_offsetof(struct mr_flow_key, local) == 8, "mr_flow_key.local at 8");
_Static_assert(__builtin_offsetof(struct mr_flow_key, remote) == 24, "mr_flow_key.remote at 24");
_Static_assert(sizeof(struct mr_flow_value) == 56, "mr_flow_value is 56 bytes");
_Static_assert(__builtin_offsetof(struct mr_flow_value, ifindex) == 40, "mr_flow_value.ifindex at 40");
_Static_assert(__builtin_offsetof(struct mr_flow_value, flags) == 44, "mr_flow_value.flags at 44");
_Static_assert(__builtin_offsetof(struct mr_flow_value, slot) == 48, "mr_flow_value.slot at 48");
_Static_assert(__builtin_offsetof(struct mr_flow_value, src_port) == 4, "mr_flow_value.src_port at 4");
_Static_assert(__builtin_offsetof(struct mr_flow_value, dst_port) == 6, "mr_flow_value.dst_port at 6");
_Static_assert(__builtin_offsetof(struct mr_flow_value, src) == 8, "mr_flow_value.src at 8");
_Static_assert(__builtin_offsetof(struct mr_flow_value, dst) == 24, "mr_flow_value.dst at 24");
_Static_assert(sizeof(struct mr_counter) == 24, "mr_counter is 24 bytes");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mr_flow_key);
	__type(value, struct mr_flow_value);
} mr_flows SEC(".maps");

/* Counters by slot; the relay maps the array into its memory (BPF_F_MMAPABLE) and reads them there. The
 * relay sizes both maps to its port range before loading; 131072 is the most it asks for. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 131072);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct mr_counter);
} mr_counters SEC(".maps");

/* Counts one forwarded packet in the entry's slot (a slot out of range counts nowhere; the packet still goes). */
static __always_inline void count(const struct mr_flow_value *v, __u32 payload)
{
	struct mr_counter *c = bpf_map_lookup_elem(&mr_counters, &v->slot);
	if (!c)
		return;
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, payload);
	c->last_ns = bpf_ktime_get_ns();
}

/* Offsets from the start of the frame: TC ingress sees the 14-byte Ethernet header (loopback too). */
#define ETH_LEN 14
#define IP4_OFF ETH_LEN
#define IP4_CSUM_OFF (IP4_OFF + 10)
#define IP4_ADDRS_OFF (IP4_OFF + 12)
#define UDP4_OFF (IP4_OFF + 20)
#define IP6_OFF ETH_LEN
#define IP6_ADDRS_OFF (IP6_OFF + 8)
#define UDP6_OFF (IP6_OFF + 40)
#define UDP_HDR_LEN 8
#define UDP_CSUM_AT 6
#define MIN_PAYLOAD 8

#define AF_INET_ 2
#define AF_INET6_ 10

/* bpf_l4_csum_replace: the pseudo header is IPv6, so a CHECKSUM_COMPLETE skb->csum is left alone (the
 * address change and the checksum change cancel out there). Kernels before the flag reject it with
 * -EINVAL before touching anything; the program then retries without it. */
#define MR_F_IPV6 (1ULL << 7)

/* IPv4 fragment bits: MF and the 13-bit offset (DF is fine). */
#define IP4_MF_OFFSET 0x3fff

/* What the parser hands the forwarder: the packet's addresses and ports as they are on the wire. */
struct mr_packet {
	__u32 udp_off;
	__u32 payload;      /* UDP payload bytes */
	__u16 ip_len;       /* IPv4 total length or IPv6 40 + payload length, for the FIB's MTU check */
	__be32 flowinfo;    /* IPv6 first word, masked to class + label; IPv4: TOS in the low byte */
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline int rtp_or_rtcp(const __u8 *first, const void *data_end)
{
	if ((const void *)(first + 1) > data_end)
		return 0;
	return (*first & 0xc0) == 0x80; /* 128..191 */
}

/* Makes the first `need` bytes readable through direct packet access; 0 when the packet is shorter. */
static __always_inline int linear(struct __sk_buff *skb, __u32 need)
{
	if ((__u64)skb->data + need <= (__u64)skb->data_end)
		return 1;
	if (skb->len < need)
		return 0;
	return bpf_skb_pull_data(skb, need) == 0 && (__u64)skb->data + need <= (__u64)skb->data_end;
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, struct mr_packet *p)
{
	if (!linear(skb, UDP4_OFF + UDP_HDR_LEN + 1))
		return 0;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + IP4_OFF;
	struct udphdr *udp = data + UDP4_OFF;
	if ((void *)(udp + 1) + 1 > data_end)
		return 0;
	if (*(__u8 *)ip != 0x45) /* version 4, IHL 5: no options */
		return 0;
	if (ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(IP4_MF_OFFSET)) != 0)
		return 0;
	__u32 tot = bpf_ntohs(ip->tot_len);
	__u32 ulen = bpf_ntohs(udp->len);
	if (tot < 20 + UDP_HDR_LEN + MIN_PAYLOAD || tot > skb->len - ETH_LEN ||
	    ulen < UDP_HDR_LEN + MIN_PAYLOAD || ulen > tot - 20)
		return 0;
	if (!rtp_or_rtcp((__u8 *)(udp + 1), data_end))
		return 0;
	p->udp_off = UDP4_OFF;
	p->payload = ulen - UDP_HDR_LEN;
	p->ip_len = tot;
	p->flowinfo = ip->tos;
	p->sport = udp->source;
	p->dport = udp->dest;
	__builtin_memcpy(p->saddr, &ip->saddr, 4);
	__builtin_memcpy(p->daddr, &ip->daddr, 4);
	return 1;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct mr_packet *p)
{
	if (!linear(skb, UDP6_OFF + UDP_HDR_LEN + 1))
		return 0;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip = data + IP6_OFF;
	struct udphdr *udp = data + UDP6_OFF;
	if ((void *)(udp + 1) + 1 > data_end)
		return 0;
	if (ip->version != 6 || ip->nexthdr != IPPROTO_UDP) /* no extension headers */
		return 0;
	__u32 plen = bpf_ntohs(ip->payload_len);
	__u32 ulen = bpf_ntohs(udp->len);
	if (plen > skb->len - ETH_LEN - 40 || ulen < UDP_HDR_LEN + MIN_PAYLOAD || ulen > plen)
		return 0;
	if (udp->check == 0) /* mandatory over IPv6: let the stack drop it */
		return 0;
	if (!rtp_or_rtcp((__u8 *)(udp + 1), data_end))
		return 0;
	p->udp_off = UDP6_OFF;
	p->payload = ulen - UDP_HDR_LEN;
	p->ip_len = 40 + plen;
	p->flowinfo = *(__be32 *)ip & bpf_htonl(0x0fffffff);
	p->sport = udp->source;
	p->dport = udp->dest;
	__builtin_memcpy(p->saddr, &ip->saddr, 16);
	__builtin_memcpy(p->daddr, &ip->daddr, 16);
	return 1;
}

/* A destination the FIB calls "not forwarded" is taken as local only when it is plain unicast:
 * never multicast, limited broadcast or (IPv6) link-local, which the FIB reports the same way. */
static __always_inline int plain_unicast(__u8 family, const __u8 *a)
{
	if (family == MR_FAMILY_IPV4)
		return (a[0] & 0xf0) != 0xe0 && !(a[0] == 0xff && a[1] == 0xff && a[2] == 0xff && a[3] == 0xff);
	return a[0] != 0xff && !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* Rewrites addresses and ports with their checksums. -1: nothing changed yet; -2: the packet is half
 * rewritten (a helper failed after the first change). */
static __always_inline int rewrite(struct __sk_buff *skb, __u8 family, const struct mr_packet *p,
				   const struct mr_flow_value *v)
{
	__u32 udp_csum = p->udp_off + UDP_CSUM_AT;
	/* Old and new (source, destination) addresses and (source, destination) ports, as they lie on the wire. */
	__u8 old_addrs[32], new_addrs[32];
	__be16 old_ports[2] = { p->sport, p->dport };
	__be16 new_ports[2] = { v->src_port, v->dst_port };
	__builtin_memcpy(old_addrs, p->saddr, 16);
	__builtin_memcpy(old_addrs + 16, p->daddr, 16);
	__builtin_memcpy(new_addrs, v->src, 16);
	__builtin_memcpy(new_addrs + 16, v->dst, 16);

	__s64 addr_diff, port_diff;
	if (family == MR_FAMILY_IPV4) {
		/* IPv4 addresses are contiguous: saddr then daddr. */
		__be32 o[2], n[2];
		__builtin_memcpy(&o[0], old_addrs, 4);
		__builtin_memcpy(&o[1], old_addrs + 16, 4);
		__builtin_memcpy(&n[0], new_addrs, 4);
		__builtin_memcpy(&n[1], new_addrs + 16, 4);
		addr_diff = bpf_csum_diff(o, 8, n, 8, 0);
	} else {
		addr_diff = bpf_csum_diff((__be32 *)old_addrs, 32, (__be32 *)new_addrs, 32, 0);
	}
	port_diff = bpf_csum_diff((__be32 *)old_ports, 4, (__be32 *)new_ports, 4, 0);
	if (addr_diff < 0 || port_diff < 0)
		return -1;

	/* From here on the packet changes; a failure leaves it inconsistent and the caller drops it. */
	if (family == MR_FAMILY_IPV4) {
		/* A zero UDP checksum (none) stays zero; a computed zero becomes 0xffff. */
		if (bpf_l3_csum_replace(skb, IP4_CSUM_OFF, 0, addr_diff, 0) ||
		    bpf_l4_csum_replace(skb, udp_csum, 0, addr_diff, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0))
			return -2;
		__be32 n4[2];
		__builtin_memcpy(&n4[0], new_addrs, 4);
		__builtin_memcpy(&n4[1], new_addrs + 16, 4);
		if (bpf_skb_store_bytes(skb, IP4_ADDRS_OFF, n4, 8, 0))
			return -2;
	} else {
		long rc = bpf_l4_csum_replace(skb, udp_csum, 0, addr_diff,
					      BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | MR_F_IPV6);
		if (rc == -22 /* EINVAL: a kernel without BPF_F_IPV6 */)
			rc = bpf_l4_csum_replace(skb, udp_csum, 0, addr_diff, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0);
		if (rc || bpf_skb_store_bytes(skb, IP6_ADDRS_OFF, new_addrs, 32, 0))
			return -2;
	}
	if (bpf_l4_csum_replace(skb, udp_csum, 0, port_diff, BPF_F_MARK_MANGLED_0) ||
	    bpf_skb_store_bytes(skb, p->udp_off, new_ports, 4, 0))
		return -2;
	return 0;
}

/* Rewrites and counts; -1 passes the packet up untouched, another negative value drops it half-rewritten. */
static __always_inline int rewrite_and_count(struct __sk_buff *skb, __u8 family, const struct mr_packet *p,
					     struct mr_flow_value *v)
{
	/* Writable headers before the first change, so a failure can still pass the packet up intact. */
	if (bpf_skb_pull_data(skb, p->udp_off + UDP_HDR_LEN))
		return -1;
	int err = rewrite(skb, family, p, v);
	if (err < 0)
		return err;
	count(v, p->payload);
	return 0;
}

/* To a receiver elsewhere, out of the interface the relay resolved: the neighbour is resolved by the kernel. */
static __always_inline int forward_to(struct __sk_buff *skb, __u8 family, const struct mr_packet *p,
				      struct mr_flow_value *v, __u32 egress)
{
	int err = rewrite_and_count(skb, family, p, v);
	if (err == -1)
		return MR_PASS;
	if (err < 0)
		return TC_ACT_SHOT;
	return bpf_redirect_neigh(egress, NULL, 0, 0);
}

/* To a receiver on this host: rewritten at ingress, before the stack routes the packet, so the stack delivers
 * it to the receiver's socket. Refuse a loop: the rewritten packet must not be one of our own flows again. */
static __always_inline int forward_local(struct __sk_buff *skb, __u8 family, const struct mr_packet *p,
					 struct mr_flow_value *v)
{
	struct mr_flow_key again = {};
	again.family = family;
	again.local_port = v->dst_port;
	again.remote_port = v->src_port;
	__builtin_memcpy(again.local, v->dst, 16);
	__builtin_memcpy(again.remote, v->src, 16);
	if (bpf_map_lookup_elem(&mr_flows, &again))
		return MR_PASS;
	int err = rewrite_and_count(skb, family, p, v);
	if (err == -1)
		return MR_PASS;
	if (err < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK; /* handled: rewritten, the stack delivers it */
}

SEC("tc")
int mr_ingress(struct __sk_buff *skb)
{
	if (skb->pkt_type != PACKET_HOST || skb->vlan_present || skb->gso_segs > 1)
		return MR_PASS;
	__u32 ingress = skb->ingress_ifindex;

	struct mr_packet p = {};
	struct mr_flow_key key = {};
	__u8 family;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (!parse_ipv4(skb, &p))
			return MR_PASS;
		family = MR_FAMILY_IPV4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (!parse_ipv6(skb, &p))
			return MR_PASS;
		family = MR_FAMILY_IPV6;
	} else {
		return MR_PASS;
	}

	key.family = family;
	key.local_port = p.dport;
	key.remote_port = p.sport;
	__builtin_memcpy(key.local, p.daddr, 16);
	__builtin_memcpy(key.remote, p.saddr, 16);
	struct mr_flow_value *v = bpf_map_lookup_elem(&mr_flows, &key);
	if (!v || v->family != family)
		return MR_PASS;

	/* The relay resolved the egress when it installed the entry: no FIB lookup per packet, and none of the
	 * FIB's demands (bpf_fib_lookup refuses while forwarding is off on the ingress interface). */
	if (v->flags & MR_FLOW_LOCAL)
		return forward_local(skb, family, &p, v);
	if (v->ifindex != 0)
		return forward_to(skb, family, &p, v, v->ifindex);

	/* The egress for the packet as it will be, asked before it changes. */
	struct bpf_fib_lookup fib = {};
	fib.l4_protocol = IPPROTO_UDP;
	fib.sport = v->src_port;
	fib.dport = v->dst_port;
	fib.tot_len = p.ip_len;
	fib.ifindex = ingress;
	if (family == MR_FAMILY_IPV4) {
		fib.family = AF_INET_;
		fib.tos = (__u8)p.flowinfo;
		__builtin_memcpy(&fib.ipv4_src, v->src, 4);
		__builtin_memcpy(&fib.ipv4_dst, v->dst, 4);
	} else {
		fib.family = AF_INET6_;
		fib.flowinfo = p.flowinfo;
		__builtin_memcpy(fib.ipv6_src, v->src, 16);
		__builtin_memcpy(fib.ipv6_dst, v->dst, 16);
	}
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	int local;
	if (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		local = 0;
	} else if (rc == BPF_FIB_LKUP_RET_NOT_FWDED && plain_unicast(family, v->dst)) {
		/* The receiver is on this host. Refuse a loop: the rewritten packet must not hit the map again,
		 * or it would go round through ingress for ever. */
		struct mr_flow_key again = {};
		again.family = family;
		again.local_port = v->dst_port;
		again.remote_port = v->src_port;
		__builtin_memcpy(again.local, v->dst, 16);
		__builtin_memcpy(again.remote, v->src, 16);
		if (bpf_map_lookup_elem(&mr_flows, &again))
			return MR_PASS;
		local = 1;
	} else {
		return MR_PASS;
	}
	__u32 egress = local ? ingress : fib.ifindex;

	/* Writable headers before the first change, so a failure can still pass the packet up intact. */
	if (bpf_skb_pull_data(skb, p.udp_off + UDP_HDR_LEN))
		return MR_PASS;
	int err = rewrite(skb, family, &p, v);
	if (err == -1)
		return MR_PASS;
	if (err < 0)
		return TC_ACT_SHOT;

	count(v, p.payload);

	if (local)
		return bpf_redirect(egress, BPF_F_INGRESS);
	return bpf_redirect_neigh(egress, NULL, 0, 0);
}
