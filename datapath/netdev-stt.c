/* STT tunnel ports ("stt"), draft-davie-stt, in userspace.
 *
 * Send.  Each port has a raw IPv4 socket of protocol TCP: the kernel
 * routes the underlay and adds the outer IP header, we write the TCP-like
 * header.  A frame (STT header + inner Ethernet frame) larger than the
 * path MTU allows is cut into segments of at most (MTU - 40) bytes, each
 * with its own TCP-like header and checksum; the path MTU and the source
 * address (for the checksum's pseudo-header) come from a connected UDP
 * socket's view of the route, cached per destination for a second.  The
 * port takes checksum and TCP segmentation offloads (NETDEV_TX_CSUM,
 * NETDEV_TX_TSO): a partial checksum or a TCP GSO frame is described in
 * the STT header (flags, L4 offset, MSS) and finished by the receiver, as
 * the draft intends, so a 64 KiB TCP super-frame crosses as one frame.
 *
 * Receive.  The same raw socket reads TCP datagrams; a classic BPF filter
 * (SO_ATTACH_FILTER) lets through only those to the STT port (and, for a
 * port with a fixed remote_ip, from that address), so the switch does not
 * copy the host's other TCP traffic.  Segments are checked (IP and TCP
 * headers, TCP checksum, offset and length), whole frames go straight on,
 * the others are reassembled in a bounded table (NETDEV_STT_REASM_SLOTS
 * frames, NETDEV_STT_REASM_TIMEOUT_MS each; the oldest is evicted when it
 * is full).  Malformed segments count as rx_errors, frames lost to
 * timeout or eviction as rx_dropped.
 *
 * No TCP RSTs.  No TCP socket owns port 7471, so the kernel would answer
 * every STT segment with a RST.  A listening socket alone does not stop
 * that (it resets non-SYN segments), but a listening socket with a socket
 * filter that accepts nothing does: the kernel runs a socket's filter
 * before any TCP processing and discards what it rejects silently.  Raw
 * sockets get their copy before TCP sees the packet, so the port still
 * receives everything.  Each port opens such a listener (SO_REUSEPORT, so
 * several ports share the port number); if that fails (another program
 * owns the port), the port works but RSTs go out, and a firewall rule
 * dropping outgoing RSTs from the STT port is the remedy.
 *
 * Demultiplexing.  Every port's socket sees the frames its filter lets
 * through; a port with remote_ip=flow leaves to a port with a fixed
 * remote_ip what that port takes (same remote and key), as the other
 * tunnel ports do.
 *
 * Limits (XXX): IPv4 underlay only; the STT header's VLAN field is read
 * (the tag is put back into the frame) but never written (tags stay in the
 * frame on send). */
#include "datapath/netdev-stt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/netdev-provider.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "datapath/netdev-tunnel.h"
#include "lib/counter.h"
#include "lib/hash.h"
#include "lib/list.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "lib/strmap.h"

LOG_MODULE(netdev_stt);

COUNTER_DEFINE(stt_tx_segments);
COUNTER_DEFINE(stt_rx_malformed);
COUNTER_DEFINE(stt_rx_reassembled);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

#define TCP_F_PSH 0x08
#define TCP_F_ACK 0x10
#define STT_VLAN_V 0x1000       /* "VLAN TCI present" bit of the field. */
#define ETH_TYPE_VLAN 0x8100
#define ETH_TYPE_QINQ 0x88a8
#define ETH_TYPE_IPV4 0x0800

/* ---- Encapsulation. ---- */

void
netdev_stt_tx_init(struct netdev_stt_tx *tx)
{
    tx->n_segs = tx->n_iovs = tx->n_frames = 0;
}

/* The inner frame's EtherType after up to two VLAN tags, or 0. */
static uint16_t
inner_eth_type(const struct packet *p)
{
    const uint8_t *d = packet_data(p);
    size_t ofs = 12;

    for (int i = 0; i < 3 && ofs + 2 <= p->size; i++) {
        uint16_t type = d[ofs] << 8 | d[ofs + 1];

        if (type != ETH_TYPE_VLAN && type != ETH_TYPE_QINQ) {
            return type;
        }
        ofs += 4;
    }
    return 0;
}

bool
netdev_stt_can_encap(const struct packet *p)
{
    if (p->size < 14 || p->size + NETDEV_STT_HDR_LEN > NETDEV_STT_MAX_FRAME) {
        return false;
    }
    if (p->csum == PACKET_CSUM_PARTIAL
        && (p->csum_start > UINT8_MAX
            || (p->csum_offset != 16 && p->csum_offset != 6)
            || p->csum_start + p->csum_offset + 2u > p->size)) {
        return false;
    }
    if (p->gso != PACKET_GSO_NONE
        && ((p->gso != PACKET_GSO_TCPV4 && p->gso != PACKET_GSO_TCPV6)
            || p->csum != PACKET_CSUM_PARTIAL || p->csum_offset != 16
            || !p->gso_size)) {
        return false;
    }
    return true;
}

/* Writes the STT frame header for 'p' with context 'key' to 'h'. */
static void
build_stt_header(const struct packet *p, be64 key, uint8_t *h)
{
    uint8_t flags = 0, l4 = 0;
    uint16_t mss = 0;

    if (p->csum == PACKET_CSUM_PARTIAL) {
        uint16_t type = inner_eth_type(p);

        flags |= NETDEV_STT_F_CSUM_PARTIAL;
        flags |= p->csum_offset == 16 ? NETDEV_STT_F_TCP : 0;
        flags |= (p->gso == PACKET_GSO_TCPV4
                  || (p->gso == PACKET_GSO_NONE && type == ETH_TYPE_IPV4)
                  ? NETDEV_STT_F_IPV4 : 0);
        l4 = p->csum_start;
        if (p->gso != PACKET_GSO_NONE) {
            mss = p->gso_size;
        }
    } else if (p->csum == PACKET_CSUM_VALID) {
        flags |= NETDEV_STT_F_CSUM_VERIFIED;
    }
    uint64_t k = be64_to_host(key);

    h[0] = 0;                   /* Version. */
    h[1] = flags;
    h[2] = l4;
    h[3] = 0;
    h[4] = mss >> 8;
    h[5] = mss;
    h[6] = h[7] = 0;            /* No VLAN TCI: tags stay in the frame. */
    for (int i = 0; i < 8; i++) {
        h[8 + i] = k >> (56 - 8 * i);
    }
    h[16] = h[17] = 0;          /* Padding. */
}

static void
put_be16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
}

static void
put_be32(uint8_t *p, uint32_t x)
{
    p[0] = x >> 24;
    p[1] = x >> 16;
    p[2] = x >> 8;
    p[3] = x;
}

static uint16_t
get_be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

int
netdev_stt_encap(struct netdev_stt_tx *tx, const struct packet *p,
                 const struct netdev_stt_encap_params *params)
{
    size_t total = NETDEV_STT_HDR_LEN + p->size;
    /* Even segment sizes keep every piece but the last of even length, as
     * packet_csum_add() wants. */
    size_t per = params->max_payload & ~(size_t) 7;

    if (total > NETDEV_STT_MAX_FRAME || per < 64) {
        return -EMSGSIZE;
    }
    size_t n = (total + per - 1) / per;
    if (n > NETDEV_STT_MAX_SEGS) {
        return -EMSGSIZE;
    }
    if (tx->n_segs + n > NETDEV_STT_MAX_SEGS) {
        return 0;
    }

    uint8_t *hdr = tx->hdrs[tx->n_frames++];
    const uint8_t *inner = packet_data(p);

    build_stt_header(p, params->key, hdr);
    for (size_t k = 0; k < n; k++) {
        size_t off = k * per, len = MIN(per, total - off);
        size_t s = tx->n_segs++;
        uint8_t *tcp = tx->tcp[s];
        struct iovec *iov = &tx->iovs[tx->n_iovs];
        size_t n_iov = 1;

        put_be16(tcp, params->src_port);
        put_be16(tcp + 2, params->dst_port);
        put_be32(tcp + 4, (uint32_t) total << 16 | off);
        put_be32(tcp + 8, params->frame_id);
        tcp[12] = (NETDEV_STT_TCP_LEN / 4) << 4;
        tcp[13] = TCP_F_ACK | TCP_F_PSH;
        put_be16(tcp + 14, UINT16_MAX);  /* Window. */
        put_be16(tcp + 16, 0);           /* Checksum, below. */
        put_be16(tcp + 18, 0);           /* Urgent pointer. */
        iov[0].iov_base = tcp;
        iov[0].iov_len = NETDEV_STT_TCP_LEN;

        uint32_t sum = packet_csum_pseudo_ipv4(params->ip_src,
                                               params->ip_dst, IPPROTO_TCP,
                                               NETDEV_STT_TCP_LEN + len);
        sum = packet_csum_add(sum, tcp, NETDEV_STT_TCP_LEN);
        if (off < NETDEV_STT_HDR_LEN) {
            size_t hl = MIN(NETDEV_STT_HDR_LEN - off, len);

            iov[n_iov].iov_base = hdr + off;
            iov[n_iov++].iov_len = hl;
            sum = packet_csum_add(sum, hdr + off, hl);
        }
        size_t start = MAX(off, (size_t) NETDEV_STT_HDR_LEN);
        if (off + len > start) {
            const uint8_t *d = inner + (start - NETDEV_STT_HDR_LEN);
            size_t dl = off + len - start;

            iov[n_iov].iov_base = (void *) d;
            iov[n_iov++].iov_len = dl;
            sum = packet_csum_add(sum, d, dl);
        }
        be16 c = packet_csum_fold(sum);
        memcpy(tcp + 16, &c, 2);

        tx->seg_iov[s] = tx->n_iovs;
        tx->seg_n_iov[s] = n_iov;
        tx->seg_dst[s] = params->ip_dst;
        tx->seg_ttl[s] = params->ttl;
        tx->seg_tos[s] = params->tos;
        tx->n_iovs += n_iov;
    }
    return n;
}

/* ---- Segment parsing. ---- */

int
netdev_stt_parse_segment(const uint8_t *ip, size_t size, uint16_t dst_port,
                         struct netdev_stt_seg *seg)
{
    if (size < 20 || ip[0] >> 4 != 4) {
        return -EINVAL;
    }
    size_t ihl = (ip[0] & 0xf) * 4u;
    size_t tot = get_be16(ip + 2);
    if (ihl < 20 || tot > size || tot < ihl + NETDEV_STT_TCP_LEN
        || ip[9] != IPPROTO_TCP || get_be16(ip + 6) & 0x3fff) {
        return -EINVAL;         /* Also: a fragment (never from the kernel,
                                 * which reassembles first). */
    }
    const uint8_t *tcp = ip + ihl;
    size_t tcp_len = tot - ihl;
    size_t doff = (tcp[12] >> 4) * 4u;
    if (doff < NETDEV_STT_TCP_LEN || doff > tcp_len
        || get_be16(tcp + 2) != dst_port) {
        return -EINVAL;
    }
    memcpy(&seg->ip_src, ip + 12, 4);
    memcpy(&seg->ip_dst, ip + 16, 4);
    uint32_t sum = packet_csum_pseudo_ipv4(seg->ip_src, seg->ip_dst,
                                           IPPROTO_TCP, tcp_len);
    if (packet_csum_fold(packet_csum_add(sum, tcp, tcp_len))) {
        return -EINVAL;         /* Bad checksum. */
    }
    uint32_t seq = get_be32(tcp + 4);
    seg->ip_tos = ip[1];
    seg->ip_ttl = ip[8];
    seg->src_port = get_be16(tcp);
    seg->dst_port = dst_port;
    seg->frame_len = seq >> 16;
    seg->offset = seq & 0xffff;
    seg->frame_id = get_be32(tcp + 8);
    seg->data = tcp + doff;
    seg->size = tcp_len - doff;
    if (!seg->size || seg->offset + seg->size > seg->frame_len
        || seg->frame_len < NETDEV_STT_HDR_LEN + 14
        || (!seg->offset && seg->size < NETDEV_STT_HDR_LEN)) {
        return -EINVAL;
    }
    return 0;
}

/* ---- Reassembly. ---- */

/* One frame being reassembled. */
struct reasm_slot {
    bool used;                  /* Holds a frame in progress. */
    be32 ip_src, ip_dst;        /* The frame's key: outer addresses, */
    uint16_t src_port;          /* TCP source port */
    uint32_t frame_id;          /* and identifier. */
    uint16_t frame_len;         /* Its length. */
    long long start_ms;         /* When its first segment came. */
    size_t n_ivs;               /* Received byte ranges, sorted, disjoint */
    uint32_t ivs[NETDEV_STT_MAX_SEGS][2]; /* and not adjacent: [a, b). */
    uint8_t *buf;               /* NETDEV_STT_MAX_FRAME bytes, allocated on
                                 * first use and kept.  Owned. */
};

struct netdev_stt_reasm {
    struct reasm_slot slots[NETDEV_STT_REASM_SLOTS];
    struct netdev_stt_reasm_stats stats; /* Counters. */
};

struct netdev_stt_reasm *
netdev_stt_reasm_create(void)
{
    return xzalloc(sizeof(struct netdev_stt_reasm));
}

void
netdev_stt_reasm_destroy(struct netdev_stt_reasm *r)
{
    if (r) {
        for (size_t i = 0; i < NETDEV_STT_REASM_SLOTS; i++) {
            free(r->slots[i].buf);
        }
        free(r);
    }
}

void
netdev_stt_reasm_get_stats(const struct netdev_stt_reasm *r,
                           struct netdev_stt_reasm_stats *stats)
{
    *stats = r->stats;
}

static bool
slot_expired(const struct reasm_slot *s, long long now_ms)
{
    return now_ms - s->start_ms >= NETDEV_STT_REASM_TIMEOUT_MS
           || now_ms < s->start_ms;
}

void
netdev_stt_reasm_expire(struct netdev_stt_reasm *r, long long now_ms)
{
    for (size_t i = 0; i < NETDEV_STT_REASM_SLOTS; i++) {
        struct reasm_slot *s = &r->slots[i];

        if (s->used && slot_expired(s, now_ms)) {
            s->used = false;
            r->stats.timeouts++;
        }
    }
}

/* Adds [a, b) to the ranges of 's'.  Returns false if it brings no new
 * byte (a duplicate) or the range table is full. */
static bool
slot_add_range(struct reasm_slot *s, uint32_t a, uint32_t b)
{
    uint32_t out[NETDEV_STT_MAX_SEGS][2];
    size_t n = 0, i = 0;

    for (size_t j = 0; j < s->n_ivs; j++) {
        if (s->ivs[j][0] <= a && s->ivs[j][1] >= b) {
            return false;
        }
    }
    /* Ranges wholly before [a, b), not touching it. */
    while (i < s->n_ivs && s->ivs[i][1] < a) {
        out[n][0] = s->ivs[i][0];
        out[n++][1] = s->ivs[i++][1];
    }
    /* Ranges that overlap or touch it merge into it. */
    while (i < s->n_ivs && s->ivs[i][0] <= b) {
        a = MIN(a, s->ivs[i][0]);
        b = MAX(b, s->ivs[i][1]);
        i++;
    }
    out[n][0] = a;
    out[n++][1] = b;
    while (i < s->n_ivs) {
        if (n >= NETDEV_STT_MAX_SEGS) {
            return false;
        }
        out[n][0] = s->ivs[i][0];
        out[n++][1] = s->ivs[i++][1];
    }
    memcpy(s->ivs, out, n * sizeof out[0]);
    s->n_ivs = n;
    return true;
}

int
netdev_stt_reasm_add(struct netdev_stt_reasm *r,
                     const struct netdev_stt_seg *seg, long long now_ms,
                     const uint8_t **framep)
{
    if (!seg->offset && seg->size == seg->frame_len) {
        *framep = seg->data;
        return seg->frame_len;
    }

    struct reasm_slot *slot = NULL, *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < NETDEV_STT_REASM_SLOTS; i++) {
        struct reasm_slot *s = &r->slots[i];

        if (s->used && slot_expired(s, now_ms)) {
            s->used = false;
            r->stats.timeouts++;
        }
        if (!s->used) {
            free_slot = free_slot ? free_slot : s;
            continue;
        }
        if (s->ip_src == seg->ip_src && s->ip_dst == seg->ip_dst
            && s->src_port == seg->src_port
            && s->frame_id == seg->frame_id) {
            slot = s;
            break;
        }
        if (!oldest || s->start_ms < oldest->start_ms) {
            oldest = s;
        }
    }
    if (slot && slot->frame_len != seg->frame_len) {
        /* Segments of one frame that disagree: the frame is lost. */
        slot->used = false;
        r->stats.bad++;
        return -EINVAL;
    }
    if (!slot) {
        slot = free_slot;
        if (!slot) {
            slot = oldest;
            r->stats.evicted++;
        }
        if (!slot->buf) {
            slot->buf = xmalloc(NETDEV_STT_MAX_FRAME);
        }
        slot->used = true;
        slot->ip_src = seg->ip_src;
        slot->ip_dst = seg->ip_dst;
        slot->src_port = seg->src_port;
        slot->frame_id = seg->frame_id;
        slot->frame_len = seg->frame_len;
        slot->start_ms = now_ms;
        slot->n_ivs = 0;
    }
    if (!slot_add_range(slot, seg->offset, seg->offset + seg->size)) {
        r->stats.bad++;
        return -EINVAL;
    }
    memcpy(slot->buf + seg->offset, seg->data, seg->size);
    if (slot->n_ivs == 1 && slot->ivs[0][0] == 0
        && slot->ivs[0][1] == slot->frame_len) {
        slot->used = false;
        r->stats.frames++;
        *framep = slot->buf;
        return slot->frame_len;
    }
    return 0;
}

/* ---- Decapsulation. ---- */

struct packet *
netdev_stt_decap(const uint8_t *frame, size_t size,
                 const struct netdev_stt_seg *seg)
{
    if (size < NETDEV_STT_HDR_LEN + 14 || frame[0] != 0) {
        return NULL;
    }
    uint8_t flags = frame[1];
    size_t l4 = frame[2];
    uint16_t mss = get_be16(frame + 4);
    uint16_t tci = get_be16(frame + 6);
    bool vlan = (tci & STT_VLAN_V) != 0;
    const uint8_t *inner = frame + NETDEV_STT_HDR_LEN;
    size_t isize = size - NETDEV_STT_HDR_LEN;
    size_t psize = isize + (vlan ? 4 : 0);
    struct packet *p = packet_create(psize, PACKET_HEADROOM);
    uint8_t *d = packet_put_uninit(p, psize);

    if (vlan) {
        memcpy(d, inner, 12);
        put_be16(d + 12, ETH_TYPE_VLAN);
        put_be16(d + 14, tci & ~STT_VLAN_V);
        memcpy(d + 16, inner + 12, isize - 12);
        l4 += 4;
    } else {
        memcpy(d, inner, isize);
    }

    if (flags & NETDEV_STT_F_CSUM_PARTIAL) {
        size_t csum_offset = flags & NETDEV_STT_F_TCP ? 16 : 6;

        if (l4 < 14 || l4 + csum_offset + 2 > psize) {
            packet_destroy(p);
            return NULL;
        }
        p->csum = PACKET_CSUM_PARTIAL;
        p->csum_start = l4;
        p->csum_offset = csum_offset;
        if (mss && flags & NETDEV_STT_F_TCP) {
            size_t thl = (d[l4 + 12] >> 4) * 4u;

            if (thl < 20 || l4 + thl > psize) {
                packet_destroy(p);
                return NULL;
            }
            if (psize - l4 - thl > mss) {
                p->gso = (flags & NETDEV_STT_F_IPV4 ? PACKET_GSO_TCPV4
                          : PACKET_GSO_TCPV6);
                p->gso_size = mss;
            }
        }
    } else if (flags & NETDEV_STT_F_CSUM_VERIFIED) {
        p->csum = PACKET_CSUM_VALID;
    }

    struct flow_tnl *t = &p->md.tunnel;
    uint64_t key = 0;
    for (int i = 0; i < 8; i++) {
        key = key << 8 | frame[8 + i];
    }
    memset(t, 0, sizeof *t);
    t->tun_id = htonbe64(key);
    t->ip_src = seg->ip_src;
    t->ip_dst = seg->ip_dst;
    t->ip_tos = seg->ip_tos;
    t->ip_ttl = seg->ip_ttl;
    t->tp_src = htonbe16(seg->src_port);
    t->tp_dst = htonbe16(seg->dst_port);
    t->flags = FLOW_TNL_F_KEY | FLOW_TNL_F_CSUM;
    return p;
}

/* ---- The netdev. ---- */

#define STT_RX_MSGS 16          /* Datagrams per recvmmsg(). */
#define STT_RX_BUF 65536        /* Bytes per datagram. */
#define STT_ROUTES 16           /* Cached routes per port. */
#define STT_ROUTE_MS 1000       /* A cached route's life. */

/* What the kernel's routing says about one destination. */
struct stt_route {
    be32 dst;                   /* Destination (0: unused entry). */
    be32 src;                   /* Source address it picks. */
    int mtu;                    /* Path MTU. */
    long long expires_ms;       /* When to ask again. */
};

struct stt_port {
    struct netdev up;           /* Base; first. */
    struct list node;           /* In 'stt_ports'. */
    be32 remote_ip;             /* Fixed remote, or 0 for "flow". */
    be32 local_ip;              /* Local address or 0. */
    bool key_flow;              /* key=flow: tun_id from/to the flow. */
    be64 key;                   /* Fixed key (tun_id) otherwise. */
    uint16_t dst_port;          /* TCP destination port (host order). */
    int fd;                     /* Raw IPPROTO_TCP socket.  Owned. */
    int rst_fd;                 /* Listener that swallows segments, or
                                 * -1.  Owned. */
    uint32_t next_id;           /* Next frame id (atomic adds). */

    pthread_mutex_t route_mutex; /* Guards 'routes'. */
    struct stt_route routes[STT_ROUTES];

    /* Receive state, used only by the thread polling the rx queue. */
    struct netdev_stt_reasm *reasm;      /* Owned. */
    uint64_t reasm_lost;        /* Timeouts + evictions counted so far. */
    uint8_t *rx_buf;            /* STT_RX_MSGS * STT_RX_BUF.  Owned. */
    struct mmsghdr msgs[STT_RX_MSGS];
    struct iovec iovs[STT_RX_MSGS];
};

/* All open STT ports, for demultiplexing between them. */
static pthread_rwlock_t stt_ports_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct list stt_ports = LIST_INITIALIZER(&stt_ports); /* Guarded by
                                                          * stt_ports_lock. */

static struct stt_port *
stt_port_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct stt_port, up);
}

static int
set_int_opt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) ? -errno : 0;
}

static int
attach_filter(int fd, struct sock_filter *code, size_t n)
{
    struct sock_fprog prog = { .len = n, .filter = code };

    return (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog)
            ? -errno : 0);
}

/* The filter of the raw socket: TCP to 'dst_port', from 'remote' if it is
 * not 0.  The raw socket's packets start at the IPv4 header. */
static int
attach_rx_filter(int fd, uint16_t dst_port, be32 remote)
{
    uint32_t rip = be32_to_host(remote);
    struct sock_filter code[] = {
        /* X = IPv4 header length. */
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        /* A = TCP destination port. */
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, dst_port, 0, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0), /* Patched below. */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),       /* Source. */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, rip, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0x40000),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    if (!remote) {
        /* Port matched: accept without looking at the source. */
        code[3] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, 2, 0, 0);
    } else {
        code[3] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
    }
    return attach_filter(fd, code, ARRAY_SIZE(code));
}

/* Opens the listener that keeps the kernel from resetting STT segments. */
static int
open_rst_guard(be32 local_ip, uint16_t dst_port)
{
    struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(dst_port),
        .sin_addr.s_addr = (KILN_FORCE uint32_t) local_ip,
    };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int err;

    if (fd < 0) {
        return -errno;
    }
    set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    set_int_opt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    err = attach_filter(fd, drop, ARRAY_SIZE(drop));
    if (!err && (bind(fd, (struct sockaddr *) &sin, sizeof sin)
                 || listen(fd, 1))) {
        err = -errno;
    }
    if (err) {
        close(fd);
        return err;
    }
    return fd;
}

static void stt_close(struct netdev *);

static int
stt_open(const struct netdev_class *class, const char *name,
         const struct strmap *options, struct netdev **netdevp)
{
    const char *key = options ? strmap_find(options, "key") : NULL;
    const char *rip = options ? strmap_find(options, "remote_ip") : NULL;
    struct stt_port *port;
    be32 remote_ip, local_ip;
    int err;

    if (!rip) {
        LOG_WARN("%s: remote_ip is required", name);
        return -EINVAL;
    }
    err = netdev_tunnel_parse_ip_option(options, "remote_ip", true,
                                        &remote_ip);
    if (!err) {
        err = netdev_tunnel_parse_ip_option(options, "local_ip", false,
                                            &local_ip);
    }
    if (err) {
        return err;
    }
    port = xzalloc(sizeof *port);
    port->remote_ip = remote_ip;
    port->local_ip = local_ip;
    port->rst_fd = -1;
    port->fd = -1;
    pthread_mutex_init(&port->route_mutex, NULL);
    netdev__init(&port->up, class, name, 1,
                 NETDEV_TX_CSUM | NETDEV_TX_TSO);
    list_init(&port->node);
    if (key && !strcmp(key, "flow")) {
        port->key_flow = true;
    } else if (key) {
        char *end;
        unsigned long long k = strtoull(key, &end, 0);

        if (*end || !key[0]) {
            LOG_WARN("%s: bad key %s", name, key);
            err = -EINVAL;
            goto error;
        }
        port->key = htonbe64(k);
    }
    port->dst_port = NETDEV_STT_PORT;
    if (options && strmap_find(options, "dst_port")) {
        int p = strmap_find_int(options, "dst_port", -1);

        if (p <= 0 || p > 65535) {
            err = -EINVAL;
            goto error;
        }
        port->dst_port = p;
    }
    port->next_id = (uint32_t) time_msec() * 2654435761u;

    port->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      IPPROTO_TCP);
    if (port->fd < 0) {
        err = -errno;
        LOG_WARN("%s: cannot open raw socket (%s)", name, strerror(-err));
        goto error;
    }
    err = attach_rx_filter(port->fd, port->dst_port, port->remote_ip);
    if (!err && port->local_ip) {
        struct sockaddr_in sin = {
            .sin_family = AF_INET,
            .sin_addr.s_addr = (KILN_FORCE uint32_t) port->local_ip,
        };
        if (bind(port->fd, (struct sockaddr *) &sin, sizeof sin)) {
            err = -errno;
        }
    }
    if (err) {
        LOG_WARN("%s: cannot set up raw socket (%s)", name, strerror(-err));
        goto error;
    }
    if (set_int_opt(port->fd, SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)) {
        set_int_opt(port->fd, SOL_SOCKET, SO_RCVBUF, 8 << 20);
    }
    if (set_int_opt(port->fd, SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)) {
        set_int_opt(port->fd, SOL_SOCKET, SO_SNDBUF, 8 << 20);
    }
    port->rst_fd = open_rst_guard(port->local_ip, port->dst_port);
    if (port->rst_fd < 0) {
        LOG_WARN("%s: cannot listen on TCP port %u (%s): the kernel will "
                 "answer STT segments with resets", name, port->dst_port,
                 strerror(-port->rst_fd));
        port->rst_fd = -1;
    }
    port->reasm = netdev_stt_reasm_create();
    port->rx_buf = xmalloc((size_t) STT_RX_MSGS * STT_RX_BUF);

    pthread_rwlock_wrlock(&stt_ports_lock);
    list_push_back(&stt_ports, &port->node);
    pthread_rwlock_unlock(&stt_ports_lock);
    *netdevp = &port->up;
    return 0;

error:
    stt_close(&port->up);
    return err;
}

static void
stt_close(struct netdev *netdev)
{
    struct stt_port *port = stt_port_cast(netdev);

    pthread_rwlock_wrlock(&stt_ports_lock);
    list_remove(&port->node);   /* A lone node too (list_init()ed). */
    pthread_rwlock_unlock(&stt_ports_lock);
    if (port->fd >= 0) {
        close(port->fd);
    }
    if (port->rst_fd >= 0) {
        close(port->rst_fd);
    }
    netdev_stt_reasm_destroy(port->reasm);
    free(port->rx_buf);
    pthread_mutex_destroy(&port->route_mutex);
    netdev__uninit(&port->up);
    free(port);
}

static int
stt_rxq_fd(const struct netdev *netdev, int qid)
{
    return stt_port_cast(netdev)->fd;
}

/* Whether 'port' takes a frame from 'src' with context 'key'. */
static bool
stt_port_takes(const struct stt_port *port, be32 src, be32 dst, be64 key)
{
    return ((!port->remote_ip || port->remote_ip == src)
            && (!port->local_ip || port->local_ip == dst)
            && (port->key_flow || port->key == key));
}

/* Whether a port other than 'self' takes the frame, one with a fixed
 * remote_ip if 'fixed_only'.  Caller holds stt_ports_lock. */
static bool
stt_other_takes(const struct stt_port *self, be32 src, be32 dst, be64 key,
                bool fixed_only)
{
    const struct stt_port *p;

    LIST_FOR_EACH (p, node, &stt_ports) {
        if (p != self && p->dst_port == self->dst_port
            && (!fixed_only || p->remote_ip)
            && stt_port_takes(p, src, dst, key)) {
            return true;
        }
    }
    return false;
}

/* Delivers the complete 'frame' ('len' bytes) from 'seg' into 'batch' if
 * it is 'port''s.  Caller holds stt_ports_lock for reading. */
static void
stt_deliver(struct stt_port *port, const uint8_t *frame, size_t len,
            const struct netdev_stt_seg *seg, struct packet_batch *batch)
{
    be64 key;

    if (len < NETDEV_STT_HDR_LEN) {
        netdev__stats_add(&port->up.stats.rx_errors, 1);
        return;
    }
    memcpy(&key, frame + 8, 8);
    if (!stt_port_takes(port, seg->ip_src, seg->ip_dst, key)) {
        if (!stt_other_takes(port, seg->ip_src, seg->ip_dst, key, false)) {
            netdev__stats_add(&port->up.stats.rx_errors, 1);
        }
        return;
    }
    if (!port->remote_ip
        && stt_other_takes(port, seg->ip_src, seg->ip_dst, key, true)) {
        return;                 /* A port for that remote takes it. */
    }
    struct packet *p = netdev_stt_decap(frame, len, seg);
    if (!p) {
        COUNTER_INC(stt_rx_malformed);
        netdev__stats_add(&port->up.stats.rx_errors, 1);
        return;
    }
    packet_batch_add(batch, p);
}

static int
stt_rxq_recv(struct netdev *netdev, int qid,
             struct packet_batch *batch)
{
    struct stt_port *port = stt_port_cast(netdev);
    long long now = time_msec();
    int err = 0;

    pthread_rwlock_rdlock(&stt_ports_lock);
    while (batch->count < PACKET_BATCH_SIZE) {
        /* Each datagram makes at most one packet: never read more than
         * the batch can take. */
        int want = MIN(STT_RX_MSGS, PACKET_BATCH_SIZE - (int) batch->count);

        for (int i = 0; i < want; i++) {
            struct msghdr *mh = &port->msgs[i].msg_hdr;

            port->iovs[i].iov_base = port->rx_buf + (size_t) i * STT_RX_BUF;
            port->iovs[i].iov_len = STT_RX_BUF;
            memset(mh, 0, sizeof *mh);
            mh->msg_iov = &port->iovs[i];
            mh->msg_iovlen = 1;
        }
        int n = recvmmsg(port->fd, port->msgs, want, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            err = n < 0 && errno != EINTR ? -errno : -EAGAIN;
            break;
        }
        for (int i = 0; i < n; i++) {
            struct netdev_stt_seg seg;
            const uint8_t *frame;

            if (netdev_stt_parse_segment(port->iovs[i].iov_base,
                                         port->msgs[i].msg_len,
                                         port->dst_port, &seg)) {
                COUNTER_INC(stt_rx_malformed);
                netdev__stats_add(&netdev->stats.rx_errors, 1);
                continue;
            }
            int len = netdev_stt_reasm_add(port->reasm, &seg, now, &frame);
            if (len < 0) {
                COUNTER_INC(stt_rx_malformed);
                netdev__stats_add(&netdev->stats.rx_errors, 1);
            } else if (len > 0) {
                if (seg.size != (size_t) len) {
                    COUNTER_INC(stt_rx_reassembled);
                }
                stt_deliver(port, frame, len, &seg, batch);
            }
        }
        if (n < want) {
            break;
        }
    }
    pthread_rwlock_unlock(&stt_ports_lock);

    /* Frames lost in reassembly count as drops. */
    struct netdev_stt_reasm_stats rs;
    netdev_stt_reasm_expire(port->reasm, now);
    netdev_stt_reasm_get_stats(port->reasm, &rs);
    uint64_t lost = rs.timeouts + rs.evicted;
    netdev__stats_add(&netdev->stats.rx_dropped, lost - port->reasm_lost);
    port->reasm_lost = lost;

    if (batch->count) {
        return 0;
    }
    return err == -EAGAIN || !err ? -EAGAIN : err;
}

/* Finds the source address and path MTU for 'dst'. */
static int
stt_route_lookup(struct stt_port *port, be32 dst, be32 *srcp, int *mtup)
{
    long long now = time_msec();
    struct stt_route *slot = &port->routes[0];

    pthread_mutex_lock(&port->route_mutex);
    for (size_t i = 0; i < STT_ROUTES; i++) {
        struct stt_route *r = &port->routes[i];

        if (r->dst == dst && r->expires_ms > now) {
            *srcp = r->src;
            *mtup = r->mtu;
            pthread_mutex_unlock(&port->route_mutex);
            return 0;
        }
        if (r->dst == dst || r->expires_ms < slot->expires_ms) {
            slot = r;
        }
    }
    pthread_mutex_unlock(&port->route_mutex);

    /* Ask the kernel: a connected UDP socket knows both. */
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port->dst_port),
        .sin_addr.s_addr = (KILN_FORCE uint32_t) dst,
    };
    socklen_t len = sizeof sin;
    int mtu = 0, err = 0;
    socklen_t mlen = sizeof mtu;

    if (fd < 0) {
        return -errno;
    }
    if (port->local_ip) {
        struct sockaddr_in local = {
            .sin_family = AF_INET,
            .sin_addr.s_addr = (KILN_FORCE uint32_t) port->local_ip,
        };
        if (bind(fd, (struct sockaddr *) &local, sizeof local)) {
            err = -errno;
        }
    }
    if (!err && connect(fd, (struct sockaddr *) &sin, sizeof sin)) {
        err = -errno;
    }
    if (!err && (getsockname(fd, (struct sockaddr *) &sin, &len)
                 || getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &mlen))) {
        err = -errno;
    }
    close(fd);
    if (err) {
        return err;
    }
    if (mtu < 576) {
        mtu = 576;
    }
    *srcp = (KILN_FORCE be32) sin.sin_addr.s_addr;
    *mtup = mtu;
    pthread_mutex_lock(&port->route_mutex);
    slot->dst = dst;
    slot->src = *srcp;
    slot->mtu = mtu;
    slot->expires_ms = now + STT_ROUTE_MS;
    pthread_mutex_unlock(&port->route_mutex);
    return 0;
}

/* A TCP source port for 'p' in 49152..65535, the same for all packets of
 * a flow (for the underlay's ECMP), from the inner addresses and ports. */
static uint16_t
stt_src_port(const struct packet *p)
{
    const uint8_t *d = packet_data(p);
    uint32_t h = hash_bytes(d, MIN(p->size, 12u), 0);

    if (p->size >= 14 + 20 && get_be16(d + 12) == ETH_TYPE_IPV4) {
        const uint8_t *ip = d + 14;
        size_t ihl = (ip[0] & 0xf) * 4u;

        h = hash_bytes(ip + 12, 8, h);
        h = hash_add(h, ip[9]);
        if (!(get_be16(ip + 6) & 0x3fff) && 14 + ihl + 4 <= p->size
            && (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP)) {
            h = hash_bytes(ip + ihl, 4, h);
        }
    }
    return 49152 + (hash_finish(h, 0) & 0x3fff);
}

/* Sends the segments of 'tx' from 'port'; counts errors in '*errors' (by
 * segment) and returns the first negative errno, or 0. */
static int
stt_flush(struct stt_port *port, struct netdev_stt_tx *tx, uint64_t *errors)
{
    struct mmsghdr msgs[NETDEV_STT_MAX_SEGS];
    struct sockaddr_in addrs[NETDEV_STT_MAX_SEGS];
    uint64_t cmsgs[NETDEV_STT_MAX_SEGS][4]; /* IP_TTL, IP_TOS (8-aligned). */
    size_t n = tx->n_segs;
    int err = 0;

    for (size_t i = 0; i < n; i++) {
        struct msghdr *mh = &msgs[i].msg_hdr;

        memset(mh, 0, sizeof *mh);
        memset(&addrs[i], 0, sizeof addrs[i]);
        addrs[i].sin_family = AF_INET;
        addrs[i].sin_addr.s_addr = (KILN_FORCE uint32_t) tx->seg_dst[i];
        mh->msg_name = &addrs[i];
        mh->msg_namelen = sizeof addrs[i];
        mh->msg_iov = &tx->iovs[tx->seg_iov[i]];
        mh->msg_iovlen = tx->seg_n_iov[i];

        /* Outer TTL and TOS, as the tunnel metadata asks. */
        int vals[2] = { tx->seg_ttl[i], tx->seg_tos[i] };
        static const int types[2] = { IP_TTL, IP_TOS };
        size_t clen = 0;

        mh->msg_control = cmsgs[i];
        mh->msg_controllen = sizeof cmsgs[i];
        for (size_t k = 0; k < 2; k++) {
            if (vals[k]) {
                struct cmsghdr *c = (struct cmsghdr *) ((uint8_t *) cmsgs[i]
                                                        + clen);

                c->cmsg_level = IPPROTO_IP;
                c->cmsg_type = types[k];
                c->cmsg_len = CMSG_LEN(sizeof vals[k]);
                memcpy(CMSG_DATA(c), &vals[k], sizeof vals[k]);
                clen += CMSG_SPACE(sizeof vals[k]);
            }
        }
        mh->msg_controllen = clen;
        if (!clen) {
            mh->msg_control = NULL;
        }
    }
    for (size_t i = 0; i < n;) {
        int sent = sendmmsg(port->fd, &msgs[i], n - i, 0);

        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent <= 0) {
            int e = sent < 0 ? -errno : -EIO;

            LOG_WARN_RL(&rl, "%s: send failed (%s)", port->up.name,
                        strerror(-e));
            err = err ? err : e;
            (*errors)++;
            i++;
            continue;
        }
        i += sent;
    }
    COUNTER_ADD(stt_tx_segments, n);
    netdev_stt_tx_init(tx);
    return err;
}

static int
stt_send(struct netdev *netdev, int qid,
         struct packet_batch *batch)
{
    struct stt_port *port = stt_port_cast(netdev);
    struct netdev_stt_tx tx;
    struct packet *extra[NETDEV_STT_MAX_SEGS]; /* Software segments that
                                                * 'tx' points into. */
    size_t n_extra = 0;
    uint64_t n_ok = 0, bytes = 0, errors = 0;
    int err = 0, e;

    netdev_stt_tx_init(&tx);
    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];
        const struct flow_tnl *t = &p->md.tunnel;
        struct netdev_stt_encap_params params;
        struct packet *segs[NETDEV_STT_MAX_SEGS];
        int n_segs = 1, mtu = 0;

        memset(&params, 0, sizeof params);
        params.ip_dst = port->remote_ip ? port->remote_ip : t->ip_dst;
        params.key = port->key_flow ? t->tun_id : port->key;
        if (!params.ip_dst) {
            LOG_WARN_RL(&rl, "%s: no tunnel destination: dropping",
                        netdev->name);
            errors++;
            continue;
        }
        e = stt_route_lookup(port, params.ip_dst, &params.ip_src, &mtu);
        if (e) {
            char addr[INET_ADDRSTRLEN];

            inet_ntop(AF_INET, &params.ip_dst, addr, sizeof addr);
            LOG_WARN_RL(&rl, "%s: no route to %s (%s)", netdev->name, addr,
                        strerror(-e));
            err = err ? err : e;
            errors++;
            continue;
        }
        params.src_port = stt_src_port(p);
        params.dst_port = port->dst_port;
        params.ttl = t->ip_ttl;
        params.tos = t->ip_tos;
        params.max_payload = mtu - 20 - NETDEV_STT_TCP_LEN;

        segs[0] = p;
        if (!netdev_stt_can_encap(p)) {
            /* What the STT header cannot describe is finished here. */
            if (p->gso != PACKET_GSO_NONE) {
                n_segs = packet_csum_segment(p, segs, ARRAY_SIZE(segs));
                if (n_segs > 0) {
                    netdev__stats_add(&netdev->stats.tx_sw_segments,
                                      n_segs);
                }
            } else if (packet_csum_finish(p)) {
                n_segs = -EINVAL;
            }
            if (n_segs < 0 || (n_segs == 1 && segs[0] == p
                               && !netdev_stt_can_encap(p))) {
                errors++;
                continue;
            }
        }
        for (int k = 0; k < n_segs; k++) {
            struct packet *q = segs[k];

            params.frame_id = __atomic_fetch_add(&port->next_id, 1,
                                                 __ATOMIC_RELAXED);
            int r = netdev_stt_encap(&tx, q, &params);
            if (!r) {
                e = stt_flush(port, &tx, &errors);
                err = err ? err : e;
                for (size_t x = 0; x < n_extra; x++) {
                    packet_destroy(extra[x]);
                }
                n_extra = 0;
                r = netdev_stt_encap(&tx, q, &params);
            }
            if (r < 0) {
                errors++;
            } else {
                n_ok++;
                bytes += q->size;
            }
            if (q != p) {
                if (n_extra == ARRAY_SIZE(extra)) {
                    e = stt_flush(port, &tx, &errors);
                    err = err ? err : e;
                    for (size_t x = 0; x < n_extra; x++) {
                        packet_destroy(extra[x]);
                    }
                    n_extra = 0;
                }
                extra[n_extra++] = q;
            }
        }
    }
    e = stt_flush(port, &tx, &errors);
    err = err ? err : e;
    for (size_t x = 0; x < n_extra; x++) {
        packet_destroy(extra[x]);
    }

    netdev__stats_add(&netdev->stats.tx_packets, n_ok);
    netdev__stats_add(&netdev->stats.tx_bytes, bytes);
    netdev__stats_add(&netdev->stats.tx_errors, errors);
    packet_batch_destroy_all(batch);
    return err ? err : errors ? -EHOSTUNREACH : 0;
}

const struct netdev_class netdev_stt_class = {
    .type = "stt",
    .open = stt_open,
    .close = stt_close,
    .rxq_recv = stt_rxq_recv,
    .rxq_fd = stt_rxq_fd,
    .send = stt_send,
};
