/*
 * refrelay: a deliberately minimal RTP relay, the "physical limit" baseline for bench/compare.sh.
 *
 * It does as little as a relay can do and still be driven by mediarelay-loadgen over rtpengine's ng protocol:
 *   - ng over UDP ("COOKIE SP bencode-dict"): ping, offer, answer, delete; retransmitted cookies get the cached reply.
 *   - per call two even/odd port pairs on the media address, one facing each side; the SDP is rewritten minimally
 *     (every "c=IN IP4" address and the first "m=audio" port).
 *   - media: each socket latches its remote from the first packet; every datagram goes out of the socket facing the
 *     other side to that side's learned remote (or its SDP address until learned). epoll + recvmmsg + sendmmsg.
 * No hijack protection, no timeouts, no statistics per call, no RTCP awareness, no IPv6: not a product.
 *
 * Threads: the main thread serves ng; --threads N media threads each own an epoll set. All four sockets of a call
 * belong to one media thread (call slot % N), so forwarding never crosses threads. The ng thread changes a call only
 * while holding its owner's mutex; a media thread holds its own mutex while it handles one epoll batch.
 *
 * Build: gcc -O2 -Wall -Wextra -o refrelay refrelay.c -lpthread
 * Usage: refrelay --ng ADDR:PORT --port-min N --port-max N [--threads N] [--addr MEDIA_IPV4]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 32
#define MAX_DRAIN_BATCHES 16 /* per socket per wake-up, so one busy socket cannot starve the others */
#define PKT_MAX 2048
#define CALLID_MAX 256
#define CACHE_SLOTS 4096
#define CACHE_REPLY_MAX 1536
#define COOKIE_MAX 64
#define MSG_MAX 65536

/* One media socket. Indexed by its fd; valid while call >= 0. */
struct endpoint {
    int call;                  /* owning call slot, -1 when the fd is not a media socket */
    int peer_fd;               /* the socket facing the other side, same component */
    int learned;               /* remote latched from the first packet */
    struct sockaddr_in remote; /* where the party this socket faces sends from */
    struct sockaddr_in sdp;    /* that party's SDP address (port 0: unknown) */
};

struct call {
    int used;
    int next;              /* hash chain */
    int fd[2][2];          /* [side: 0 faces the offerer, 1 faces the answerer][0 RTP, 1 RTCP] */
    int port[2];           /* RTP port of each side's pair */
    char id[CALLID_MAX];
};

struct worker {
    pthread_t thread;
    int epfd;
    pthread_mutex_t lock;
    unsigned long long forwarded, dropped;
};

struct cache_slot {
    char cookie[COOKIE_MAX];
    int len;
    char reply[CACHE_REPLY_MAX];
};

static volatile sig_atomic_t g_stop;
static struct endpoint *g_eps;  /* by fd */
static int g_eps_size;
static struct call *g_calls;
static int g_calls_size;
static int *g_buckets;          /* call-id hash -> first call slot, -1 empty */
static int g_buckets_size;      /* power of two */
static int *g_free_calls, g_free_calls_n;
static uint16_t *g_ports;       /* FIFO of free pair bases (even RTP port) */
static int g_ports_cap, g_ports_head, g_ports_n;
static struct worker *g_workers;
static int g_threads = 1;
static struct in_addr g_media_addr;
static char g_media_text[INET_ADDRSTRLEN];
static struct cache_slot g_cache[CACHE_SLOTS];

static void on_signal(int sig) { (void)sig; g_stop = 1; }

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* ---------- ports and sockets ---------- */

static uint16_t port_pop(void)
{
    uint16_t base = g_ports[g_ports_head];
    g_ports_head = (g_ports_head + 1) % g_ports_cap;
    g_ports_n--;
    return base;
}

static void port_push(uint16_t base)
{
    g_ports[(g_ports_head + g_ports_n) % g_ports_cap] = base;
    g_ports_n++;
}

static int bind_udp(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = g_media_addr };
    if (fd >= g_eps_size || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Takes one pair whose two ports both bind; a pair that fails goes to the back of the queue. */
static int open_pair(int fds[2], int *port)
{
    for (int tries = g_ports_n; tries > 0; tries--) {
        uint16_t base = port_pop();
        fds[0] = bind_udp(base);
        fds[1] = fds[0] >= 0 ? bind_udp(base + 1) : -1;
        if (fds[1] >= 0) {
            *port = base;
            return 0;
        }
        if (fds[0] >= 0) close(fds[0]);
        port_push(base);
    }
    return -1;
}

static void close_pair(int fds[2], int port)
{
    close(fds[0]);
    close(fds[1]);
    port_push((uint16_t)port);
}

/* ---------- calls ---------- */

static int call_find(const char *id, size_t n)
{
    for (int c = g_buckets[hash_bytes(id, n) & (g_buckets_size - 1)]; c >= 0; c = g_calls[c].next)
        if (strlen(g_calls[c].id) == n && memcmp(g_calls[c].id, id, n) == 0) return c;
    return -1;
}

static int call_create(const char *id, size_t n)
{
    if (n >= CALLID_MAX || g_free_calls_n == 0) return -1;
    int c = g_free_calls[g_free_calls_n - 1];
    struct call *call = &g_calls[c];
    if (open_pair(call->fd[0], &call->port[0]) < 0) return -1;
    if (open_pair(call->fd[1], &call->port[1]) < 0) {
        close_pair(call->fd[0], call->port[0]);
        return -1;
    }
    g_free_calls_n--;
    memcpy(call->id, id, n);
    call->id[n] = '\0';
    call->used = 1;
    uint32_t b = hash_bytes(id, n) & (g_buckets_size - 1);
    call->next = g_buckets[b];
    g_buckets[b] = c;

    struct worker *w = &g_workers[c % g_threads];
    pthread_mutex_lock(&w->lock);
    for (int side = 0; side < 2; side++)
        for (int comp = 0; comp < 2; comp++) {
            int fd = call->fd[side][comp];
            g_eps[fd] = (struct endpoint){ .call = c, .peer_fd = call->fd[1 - side][comp] };
            struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
            epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
        }
    pthread_mutex_unlock(&w->lock);
    return c;
}

static void call_delete(int c)
{
    struct call *call = &g_calls[c];
    struct worker *w = &g_workers[c % g_threads];
    pthread_mutex_lock(&w->lock);
    for (int side = 0; side < 2; side++) {
        for (int comp = 0; comp < 2; comp++) {
            epoll_ctl(w->epfd, EPOLL_CTL_DEL, call->fd[side][comp], NULL);
            g_eps[call->fd[side][comp]].call = -1;
        }
        close_pair(call->fd[side], call->port[side]);
    }
    pthread_mutex_unlock(&w->lock);
    int *link = &g_buckets[hash_bytes(call->id, strlen(call->id)) & (g_buckets_size - 1)];
    while (*link != c) link = &g_calls[*link].next;
    *link = call->next;
    call->used = 0;
    g_free_calls[g_free_calls_n++] = c;
}

/* Records the SDP address of the party that `side` faces (RTP at port, RTCP at port + 1). */
static void call_set_sdp(int c, int side, struct in_addr addr, int port)
{
    struct worker *w = &g_workers[c % g_threads];
    pthread_mutex_lock(&w->lock);
    for (int comp = 0; comp < 2; comp++) {
        struct endpoint *e = &g_eps[g_calls[c].fd[side][comp]];
        e->sdp = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr = addr,
                                       .sin_port = htons(port > 0 ? (uint16_t)(port + comp) : 0) };
    }
    pthread_mutex_unlock(&w->lock);
}

/* ---------- media ---------- */

/* Reads one socket in batches and forwards each batch with one sendmmsg out of the peer socket. */
static void drain(struct worker *w, int fd, struct mmsghdr *in, struct mmsghdr *out, struct sockaddr_in *src)
{
    struct endpoint *e = &g_eps[fd];
    for (int round = 0; round < MAX_DRAIN_BATCHES; round++) {
        for (int i = 0; i < BATCH; i++) in[i].msg_hdr.msg_namelen = sizeof src[i];
        int n = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) return;
        if (!e->learned) {
            e->remote = src[0];
            e->learned = 1;
        }
        struct endpoint *peer = &g_eps[e->peer_fd];
        struct sockaddr_in *dest = peer->learned ? &peer->remote : peer->sdp.sin_port ? &peer->sdp : NULL;
        if (dest == NULL) {
            w->dropped += n;
        } else {
            for (int i = 0; i < n; i++) {
                out[i].msg_hdr.msg_name = dest;
                out[i].msg_hdr.msg_namelen = sizeof *dest;
                out[i].msg_hdr.msg_iov->iov_len = in[i].msg_len;
            }
            for (int sent = 0; sent < n;) {
                int k = sendmmsg(e->peer_fd, out + sent, n - sent, 0);
                if (k < 0 && errno == EINTR) continue;
                if (k <= 0) { /* the first message failed (e.g. ICMP refused): drop it, go on */
                    w->dropped++;
                    sent++;
                    continue;
                }
                w->forwarded += k;
                sent += k;
            }
        }
        if (n < BATCH) return;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    static __thread char bufs[BATCH][PKT_MAX];
    struct mmsghdr in[BATCH], out[BATCH];
    struct iovec iov_in[BATCH], iov_out[BATCH];
    struct sockaddr_in src[BATCH];
    struct epoll_event evs[64];
    memset(in, 0, sizeof in);
    memset(out, 0, sizeof out);
    for (int i = 0; i < BATCH; i++) {
        iov_in[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = PKT_MAX };
        iov_out[i] = (struct iovec){ .iov_base = bufs[i] };
        in[i].msg_hdr = (struct msghdr){ .msg_name = &src[i], .msg_iov = &iov_in[i], .msg_iovlen = 1 };
        out[i].msg_hdr = (struct msghdr){ .msg_iov = &iov_out[i], .msg_iovlen = 1 };
    }
    while (!g_stop) {
        int n = epoll_wait(w->epfd, evs, 64, 200);
        if (n <= 0) continue;
        pthread_mutex_lock(&w->lock);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            /* The call may have been deleted (and the fd reused) since epoll_wait returned: re-check. */
            if (g_eps[fd].call >= 0 && g_calls[g_eps[fd].call].used) drain(w, fd, in, out, src);
        }
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

/* ---------- bencode (enough for well-formed ng messages; never reads past end) ---------- */

/* Returns the end of the value at p, or NULL when malformed. */
static const char *skip_value(const char *p, const char *end, int depth)
{
    if (p >= end || depth > 32) return NULL;
    if (*p == 'i') {
        const char *e = memchr(p, 'e', end - p);
        return e ? e + 1 : NULL;
    }
    if (*p == 'l' || *p == 'd') {
        int dict = *p == 'd';
        for (p++; p < end && *p != 'e';) {
            if (dict && (*p < '0' || *p > '9')) return NULL;
            if (dict && (p = skip_value(p, end, depth + 1)) == NULL) return NULL;
            if ((p = skip_value(p, end, depth + 1)) == NULL) return NULL;
        }
        return p < end ? p + 1 : NULL;
    }
    size_t len = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        len = len * 10 + (size_t)(*p - '0');
        if (len > MSG_MAX) return NULL;
    }
    if (p >= end || *p != ':' || len > (size_t)(end - p - 1)) return NULL;
    return p + 1 + len;
}

/* Reads the string at p; on success s and n give its bytes inside the message. */
static int read_string(const char *p, const char *end, const char **s, size_t *n)
{
    const char *after = skip_value(p, end, 0);
    if (after == NULL || *p < '0' || *p > '9') return -1;
    const char *colon = memchr(p, ':', end - p);
    *s = colon + 1;
    *n = (size_t)(after - *s);
    return 0;
}

struct ng_request {
    const char *command, *call_id, *sdp;
    size_t command_n, call_id_n, sdp_n;
};

static int parse_request(const char *p, const char *end, struct ng_request *r)
{
    memset(r, 0, sizeof *r);
    if (p >= end || *p != 'd' || skip_value(p, end, 0) != end) return -1;
    for (p++; *p != 'e';) {
        const char *key, *val;
        size_t key_n, val_n;
        if (read_string(p, end, &key, &key_n) < 0) return -1;
        p = key + key_n;
        const char *next = skip_value(p, end, 1);
        if (next == NULL) return -1;
        if (read_string(p, end, &val, &val_n) == 0) {
            if (key_n == 7 && memcmp(key, "command", 7) == 0) r->command = val, r->command_n = val_n;
            else if (key_n == 7 && memcmp(key, "call-id", 7) == 0) r->call_id = val, r->call_id_n = val_n;
            else if (key_n == 3 && memcmp(key, "sdp", 3) == 0) r->sdp = val, r->sdp_n = val_n;
        }
        p = next;
    }
    return r->command ? 0 : -1;
}

/* ---------- SDP ---------- */

/* Copies sdp to out with every "c=IN IP4 x" set to the media address and the first m=audio port set to port.
 * Reports the first c= address and the first audio port it saw. Returns the output length or -1. */
static int rewrite_sdp(const char *sdp, size_t n, int port, char *out, size_t cap,
                       struct in_addr *seen_addr, int *seen_port)
{
    size_t o = 0;
    int have_addr = 0;
    *seen_port = 0;
    for (const char *line = sdp, *end = sdp + n; line < end;) {
        const char *nl = memchr(line, '\n', end - line);
        const char *next = nl ? nl + 1 : end;
        size_t body = (size_t)(next - line);                       /* the line with its terminator */
        size_t text = body - (nl ? 1 : 0) - (nl && nl > line && nl[-1] == '\r' ? 1 : 0);
        char tmp[128];
        int w = -1;
        if (text > 9 && memcmp(line, "c=IN IP4 ", 9) == 0) {
            if (!have_addr && text - 9 < INET_ADDRSTRLEN) {
                char a[INET_ADDRSTRLEN] = { 0 };
                memcpy(a, line + 9, text - 9);
                have_addr = inet_pton(AF_INET, a, seen_addr) == 1;
            }
            w = snprintf(tmp, sizeof tmp, "c=IN IP4 %s", g_media_text);
        } else if (*seen_port == 0 && text > 8 && memcmp(line, "m=audio ", 8) == 0) {
            const char *q = line + 8;
            while (q < line + text && *q >= '0' && *q <= '9') *seen_port = *seen_port * 10 + (*q++ - '0');
            if (*seen_port == 0 || *seen_port > 65535) return -1;
            w = snprintf(tmp, sizeof tmp, "m=audio %d%.*s", port, (int)(line + text - q), q);
            if (w >= (int)sizeof tmp) return -1;
        }
        size_t add = w >= 0 ? (size_t)w + (body - text) : body;
        if (o + add > cap) return -1;
        if (w >= 0) {
            memcpy(out + o, tmp, (size_t)w);
            memcpy(out + o + w, line + text, body - text);
        } else {
            memcpy(out + o, line, body);
        }
        o += add;
        line = next;
    }
    return have_addr && *seen_port ? (int)o : -1;
}

/* ---------- ng ---------- */

static int reply_error(char *out, size_t cap, const char *cookie, const char *why)
{
    return snprintf(out, cap, "%s d6:result5:error12:error-reason%zu:%se", cookie, strlen(why), why);
}

/* Handles one command; writes the whole reply datagram into out and returns its length. */
static int handle(const char *cookie, const char *body, const char *end, char *out, size_t cap)
{
    struct ng_request r;
    if (parse_request(body, end, &r) < 0) return reply_error(out, cap, cookie, "malformed message");
#define IS(word) (r.command_n == sizeof(word) - 1 && memcmp(r.command, word, sizeof(word) - 1) == 0)
    if (IS("ping")) return snprintf(out, cap, "%s d6:result4:ponge", cookie);
    if (!r.call_id) return reply_error(out, cap, cookie, "no call-id");
    int c = call_find(r.call_id, r.call_id_n);
    if (IS("delete")) {
        if (c < 0) return reply_error(out, cap, cookie, "Call-ID not found");
        call_delete(c);
        return snprintf(out, cap, "%s d6:result2:oke", cookie);
    }
    int offer = IS("offer");
    if (!offer && !IS("answer")) return reply_error(out, cap, cookie, "unsupported command");
    if (!r.sdp) return reply_error(out, cap, cookie, "no sdp");
    if (c < 0 && !offer) return reply_error(out, cap, cookie, "Call-ID not found");
    int created = c < 0;
    if (created && (c = call_create(r.call_id, r.call_id_n)) < 0) return reply_error(out, cap, cookie, "no ports or calls left");
    /* The offer's SDP is from side 0 and goes to side 1: it advertises side 1's port; the answer the reverse. */
    int from = offer ? 0 : 1;
    char sdp[8192];
    struct in_addr addr;
    int port;
    int n = rewrite_sdp(r.sdp, r.sdp_n, g_calls[c].port[1 - from], sdp, sizeof sdp, &addr, &port);
    if (n < 0) {
        if (created) call_delete(c);
        return reply_error(out, cap, cookie, "unusable sdp");
    }
    call_set_sdp(c, from, addr, port);
    int head = snprintf(out, cap, "%s d6:result2:ok3:sdp%d:", cookie, n);
    if (head < 0 || (size_t)head + (size_t)n + 2 > cap) return reply_error(out, cap, cookie, "reply too large");
    memcpy(out + head, sdp, (size_t)n);
    out[head + n] = 'e';
    return head + n + 1;
#undef IS
}

static void serve_ng(int fd)
{
    static char msg[MSG_MAX], reply[MSG_MAX / 4];
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(fd, msg, sizeof msg - 1, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
    if (n <= 0) return;
    msg[n] = '\0';
    char *space = memchr(msg, ' ', (size_t)n);
    if (space == NULL || space == msg || space - msg >= COOKIE_MAX) return; /* no cookie: nothing to answer */
    *space = '\0';
    struct cache_slot *slot = &g_cache[hash_bytes(msg, (size_t)(space - msg)) % CACHE_SLOTS];
    if (slot->len > 0 && strcmp(slot->cookie, msg) == 0) {
        sendto(fd, slot->reply, (size_t)slot->len, 0, (struct sockaddr *)&from, from_len);
        return;
    }
    int len = handle(msg, space + 1, msg + n, reply, sizeof reply);
    if (len <= 0 || len >= (int)sizeof reply) len = reply_error(reply, sizeof reply, msg, "internal error");
    sendto(fd, reply, (size_t)len, 0, (struct sockaddr *)&from, from_len);
    slot->len = 0;
    if (len <= CACHE_REPLY_MAX) {
        strcpy(slot->cookie, msg);
        memcpy(slot->reply, reply, (size_t)len);
        slot->len = len;
    }
}

/* ---------- main ---------- */

static void usage(void)
{
    fprintf(stderr, "usage: refrelay --ng ADDR:PORT --port-min N --port-max N [--threads N] [--addr MEDIA_IPV4]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *ng = NULL, *media = "127.0.0.1";
    long port_min = 0, port_max = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--ng") == 0) ng = argv[++i];
        else if (strcmp(argv[i], "--port-min") == 0) port_min = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--port-max") == 0) port_max = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--threads") == 0) g_threads = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--addr") == 0) media = argv[++i];
        else usage();
    }
    port_min += port_min & 1; /* pairs start on an even port */
    if (!ng || port_min < 1024 || port_max > 65535 || port_max < port_min + 3 || g_threads < 1 || g_threads > 64) usage();
    if (inet_pton(AF_INET, media, &g_media_addr) != 1) usage();
    snprintf(g_media_text, sizeof g_media_text, "%s", media);

    char host[64];
    const char *colon = strrchr(ng, ':');
    struct sockaddr_in ng_addr = { .sin_family = AF_INET };
    if (!colon || colon - ng >= (long)sizeof host) usage();
    memcpy(host, ng, (size_t)(colon - ng));
    host[colon - ng] = '\0';
    ng_addr.sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10));
    if (inet_pton(AF_INET, host, &ng_addr.sin_addr) != 1) usage();

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    g_eps_size = rl.rlim_cur > 1 << 20 ? 1 << 20 : (int)rl.rlim_cur;
    g_ports_cap = (int)((port_max - port_min + 1) / 2);
    g_calls_size = g_ports_cap / 2;
    for (g_buckets_size = 1; g_buckets_size < 2 * g_calls_size; g_buckets_size <<= 1) {}
    g_eps = calloc((size_t)g_eps_size, sizeof *g_eps);
    g_calls = calloc((size_t)g_calls_size, sizeof *g_calls);
    g_buckets = malloc((size_t)g_buckets_size * sizeof *g_buckets);
    g_free_calls = malloc((size_t)g_calls_size * sizeof *g_free_calls);
    g_ports = malloc((size_t)g_ports_cap * sizeof *g_ports);
    g_workers = calloc((size_t)g_threads, sizeof *g_workers);
    if (!g_eps || !g_calls || !g_buckets || !g_free_calls || !g_ports || !g_workers) {
        fprintf(stderr, "refrelay: out of memory\n");
        return 1;
    }
    for (int i = 0; i < g_eps_size; i++) g_eps[i].call = -1;
    for (int i = 0; i < g_buckets_size; i++) g_buckets[i] = -1;
    for (int i = 0; i < g_calls_size; i++) g_free_calls[g_free_calls_n++] = g_calls_size - 1 - i;
    for (int i = 0; i < g_ports_cap; i++) port_push((uint16_t)(port_min + 2 * i));

    int ngfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int big = 4 << 20;
    setsockopt(ngfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (ngfd < 0 || bind(ngfd, (struct sockaddr *)&ng_addr, sizeof ng_addr) < 0) {
        fprintf(stderr, "refrelay: cannot bind ng %s: %s\n", ng, strerror(errno));
        return 1;
    }

    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < g_threads; i++) {
        g_workers[i].epfd = epoll_create1(EPOLL_CLOEXEC);
        pthread_mutex_init(&g_workers[i].lock, NULL);
        if (g_workers[i].epfd < 0 || pthread_create(&g_workers[i].thread, NULL, worker_main, &g_workers[i]) != 0) {
            fprintf(stderr, "refrelay: cannot start media thread %d\n", i);
            return 1;
        }
    }
    printf("refrelay ready: ng %s, media %s ports %ld-%ld (%d calls), %d media thread(s), pid %d\n", ng, media,
           port_min, port_max, g_calls_size, g_threads, (int)getpid());
    fflush(stdout);

    struct pollfd pfd = { .fd = ngfd, .events = POLLIN };
    while (!g_stop)
        if (poll(&pfd, 1, 200) > 0) serve_ng(ngfd);

    unsigned long long forwarded = 0, dropped = 0;
    for (int i = 0; i < g_threads; i++) {
        pthread_join(g_workers[i].thread, NULL);
        forwarded += g_workers[i].forwarded;
        dropped += g_workers[i].dropped;
    }
    printf("refrelay stopped: %llu packets forwarded, %llu dropped, %d calls open\n", forwarded, dropped,
           g_calls_size - g_free_calls_n);
    return 0;
}
