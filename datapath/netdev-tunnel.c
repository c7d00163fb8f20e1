/* Tunnel ports: "geneve" (RFC 8926), "vxlan" (RFC 7348) and "gre" (RFC
 * 2784/2890, Ethernet over GRE) netdevs whose underlay is the kernel's.
 *
 * Geneve and VXLAN ports send and receive the encapsulated frame as the
 * payload of a UDP socket bound to the tunnel's destination port (6081,
 * 4789 or option dst_port) on local_ip (or any address); the kernel routes
 * the underlay and adds the outer IP and UDP headers.  GRE ports use a raw
 * IPPROTO_GRE socket (IPv4), where the kernel adds the IP header.  Ports
 * of one type, port and local_ip share one socket: OVN makes one port per
 * remote chassis, all on 6081.  A received datagram goes to the port whose
 * remote_ip and key match it (a port with fixed remote_ip before one with
 * remote_ip=flow); one that another port's receive call reads waits in
 * that port's backlog, and an eventfd tells that port's poller: each
 * port's rx fd is an epoll fd watching the shared socket and the port's
 * eventfd, so a parked packet waits for no timeout.
 *
 * Received packets carry the outer header's parameters in md.tunnel
 * (tun_id, outer addresses, UDP ports, TTL, TOS, flags, Geneve options
 * through the TLV map).  Sent packets are encapsulated after their
 * md.tunnel, which a SET_TUNNEL action set: the destination is the port's
 * remote_ip, or md.tunnel.ip_dst for remote_ip=flow; the key the port's,
 * or md.tunnel.tun_id for key=flow.
 *
 * Offloads.  Where the socket takes UDP GSO, the port takes TCP GSO
 * packets and partial checksums: it cuts a TCP GSO packet itself, writing
 * only each segment's headers (packet_csum_segment_headers()) and pointing
 * iovecs at the payload, so the payload is copied once, by the kernel;
 * then it sends a run of same-sized segments bound for the same place as
 * one UDP GSO datagram (UDP_SEGMENT): one system call and one trip through
 * the kernel's stack per run instead of per segment.  (GRE ports take no
 * offload: netdev.c finishes checksums and cuts frames for them.)  On receive, UDP GRO (UDP_GRO) hands over coalesced
 * datagrams, which are split back into their tunnel packets here; a run
 * of them that carries consecutive segments of one inner TCP/IPv4 flow
 * with identical headers (what the sending side's GSO run was made of)
 * becomes one TCP GSO packet again, with a partial checksum, as the
 * kernel's GRO would make it: one trip through the datapath, and one
 * super-frame for the port it leaves by (the receiving VM's stack takes
 * it whole), instead of one per segment.  Each merged segment's TCP
 * checksum is verified first, as the kernel's GRO does (a bad one is
 * delivered alone, for the receiver to drop): the outer UDP checksum
 * only shows that nothing changed since encapsulation.
 *
 * Limits (XXX, issue 4): IPv4 underlay only; the UDP source port is the
 * socket's (no per-flow entropy); UDP checksums are always on (the "csum"
 * option only affects GRE). */
#include "datapath/netdev-tunnel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/netdev-provider.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/ds.h"
#include "lib/list.h"
#include "lib/log.h"
#include "lib/strmap.h"

LOG_MODULE(netdev_tunnel);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

enum tnl_kind { TNL_GENEVE, TNL_VXLAN, TNL_GRE };

#define GENEVE_PORT 6081
#define VXLAN_PORT 4789
#define ETH_TYPE_TEB 0x6558     /* Transparent Ethernet bridging. */
#define GENEVE_HDR_SIZE 8
#define GENEVE_MAX_OPTS 252     /* 6-bit length in 4-byte words. */
#define VXLAN_HDR_SIZE 8
#define GRE_MAX_HDR 16          /* Base, checksum, key, sequence. */
#define TNL_MAX_HDR (GENEVE_HDR_SIZE + GENEVE_MAX_OPTS)
#define TNL_RX_MSGS 16          /* Datagrams per recvmmsg(). */
/* With UDP GRO a datagram may be 64 KiB: fewer per recvmmsg(), and a
 * receive batch ends once it holds TNL_RX_BATCH_BYTES.  The datagrams,
 * the packets made of them and the kernel's copies of those packets on
 * output then stay in the CPU's cache: with 16 datagrams and 32 packets
 * of 64 KiB (3 MiB) they did not, and the output copy of a Geneve TCP
 * stream cost about 1.8 times as much a byte. */
#define TNL_RX_MSGS_GRO 4
#define TNL_RX_BATCH_BYTES (256 * 1024)
#define TNL_RX_BUF 65536        /* Bytes per datagram (GRO: many). */
#define TNL_MAX_GSO_SEGS 64     /* The kernel's UDP_MAX_SEGMENTS floor. */
#define TNL_MAX_GSO_BYTES 65000 /* UDP payload of one GSO send. */

#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_VERSION_MASK 0x0007

/* The Geneve option map. */

static pthread_rwlock_t tlv_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct netdev_tunnel_tlv tlv_map[FLOW_TUN_N_METADATA]; /* Guarded
                                                               * by
                                                               * tlv_lock. */
static size_t n_tlv;            /* Entries in tlv_map. */

int
netdev_tunnel_set_tlv_map(const struct netdev_tunnel_tlv *tlvs, size_t n)
{
    if (n > FLOW_TUN_N_METADATA) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct netdev_tunnel_tlv *t = &tlvs[i];

        if (!t->len || t->len % 4 || t->len > 124
            || t->slot >= FLOW_TUN_N_METADATA
            || t->offset + t->len > FLOW_TUN_OPTS_SIZE) {
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (tlvs[j].slot == t->slot
                || (tlvs[j].opt_class == t->opt_class
                    && tlvs[j].type == t->type)) {
                return -EINVAL;
            }
        }
    }
    pthread_rwlock_wrlock(&tlv_lock);
    if (n) {
        memcpy(tlv_map, tlvs, n * sizeof *tlvs);
    }
    n_tlv = n;
    pthread_rwlock_unlock(&tlv_lock);
    return 0;
}

void
netdev_tunnel_format_opts(uint64_t present, const uint8_t *opts,
                          struct ds *ds)
{
    const char *sep = "";

    pthread_rwlock_rdlock(&tlv_lock);
    for (size_t i = 0; i < n_tlv; i++) {
        const struct netdev_tunnel_tlv *t = &tlv_map[i];

        if (!(present & (UINT64_C(1) << t->slot))) {
            continue;
        }
        ds_put_format(ds, "%s{class=%#x,type=%#x,len=%u,0x", sep,
                      t->opt_class, t->type, t->len);
        for (size_t j = 0; j < t->len; j++) {
            ds_put_format(ds, "%02x", opts[t->offset + j]);
        }
        ds_put_char(ds, '}');
        sep = ",";
    }
    pthread_rwlock_unlock(&tlv_lock);
}

/* Sockets, shared by the ports of one (kind, port, local_ip). */

struct tnl_port;

struct tnl_socket {
    struct list node;           /* In 'sockets'. */
    enum tnl_kind kind;         /* Type of the ports. */
    uint16_t udp_port;          /* Bound UDP port (host order); 0 = GRE. */
    be32 local_ip;              /* Bound address, 0 = any. */
    int fd;                     /* The socket. */
    int n_ref;                  /* Ports using it.  Guarded by
                                 * sockets_mutex. */
    bool gso;                   /* UDP_SEGMENT works. */
    bool gro;                   /* UDP_GRO is on. */

    /* Receive state and the port list, guarded by 'mutex' (taken once
     * per receive call). */
    pthread_mutex_t mutex;
    struct tnl_port **ports;    /* Ports on this socket. */
    size_t n_ports;
    uint8_t *rx_buf;            /* TNL_RX_MSGS * TNL_RX_BUF bytes. */
    struct mmsghdr msgs[TNL_RX_MSGS];    /* Last recvmmsg(). */
    struct iovec iovs[TNL_RX_MSGS];
    struct sockaddr_in addrs[TNL_RX_MSGS];
    uint64_t cmsgs[TNL_RX_MSGS][16];     /* Control data (8-aligned). */
    int n_msgs;                 /* Datagrams received... */
    int cur_msg;                /* ...of which this is the next one... */
    size_t cur_ofs;             /* ...and this its next GRO segment. */
};

static pthread_mutex_t sockets_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct list sockets = LIST_INITIALIZER(&sockets); /* Guarded by
                                                          * sockets_mutex. */

struct tnl_port {
    struct netdev up;           /* Base; first. */
    enum tnl_kind kind;         /* Type. */
    struct tnl_socket *sock;    /* Shared socket. */
    be32 remote_ip;             /* Fixed remote, or 0 for "flow". */
    be32 local_ip;              /* Local address or 0. */
    bool key_flow;              /* key=flow: tun_id from/to the flow. */
    be64 key;                   /* Fixed key (tun_id) otherwise. */
    uint16_t dst_port;          /* UDP destination port (host order). */
    bool csum;                  /* GRE: send checksums. */
    /* Packets for this port that another port's receive read.  Guarded by
     * sock->mutex. */
    struct packet_batch backlog;
    int backlog_fd;             /* eventfd, readable while 'backlog' has
                                 * packets.  Owned. */
    int rx_fd;                  /* epoll fd over sock->fd and 'backlog_fd':
                                 * what tnl_rxq_fd() gives.  Owned. */
};

static struct tnl_port *
tnl_port_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct tnl_port, up);
}

static int
set_int_opt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) ? -errno : 0;
}

/* Opens the socket for 'kind' on 'udp_port' and 'local_ip'. */
static int
tnl_socket_open(enum tnl_kind kind, uint16_t udp_port, be32 local_ip,
                struct tnl_socket **sockp)
{
    bool gre = kind == TNL_GRE;
    int fd = socket(AF_INET, (gre ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK
                    | SOCK_CLOEXEC, gre ? IPPROTO_GRE : 0);
    struct sockaddr_in sin = { .sin_family = AF_INET };
    int err;

    if (fd < 0) {
        return -errno;
    }
    set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    sin.sin_port = gre ? 0 : htons(udp_port);
    sin.sin_addr.s_addr = (KILN_FORCE uint32_t) local_ip;
    if (bind(fd, (struct sockaddr *) &sin, sizeof sin)) {
        err = -errno;
        close(fd);
        return err;
    }
    /* Big buffers: a TCP stream's window of segments arrives at once. */
    if (set_int_opt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)) {
        set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, 8 << 20);
    }
    if (set_int_opt(fd, SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)) {
        set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, 8 << 20);
    }

    struct tnl_socket *s = xzalloc(sizeof *s);
    s->kind = kind;
    s->udp_port = gre ? 0 : udp_port;
    s->local_ip = local_ip;
    s->fd = fd;
    s->n_ref = 1;
    pthread_mutex_init(&s->mutex, NULL);
    if (!gre) {
        set_int_opt(fd, IPPROTO_IP, IP_PKTINFO, 1);
        set_int_opt(fd, IPPROTO_IP, IP_RECVTTL, 1);
        set_int_opt(fd, IPPROTO_IP, IP_RECVTOS, 1);
        s->gso = !set_int_opt(fd, SOL_UDP, UDP_SEGMENT, 0);
        s->gro = !set_int_opt(fd, SOL_UDP, UDP_GRO, 1);
    }
    s->rx_buf = xmalloc((size_t) TNL_RX_MSGS * TNL_RX_BUF);
    *sockp = s;
    return 0;
}

static void
tnl_socket_unref(struct tnl_socket *s)
{
    pthread_mutex_lock(&sockets_mutex);
    bool last = !--s->n_ref;
    if (last) {
        list_remove(&s->node);
    }
    pthread_mutex_unlock(&sockets_mutex);
    if (last) {
        close(s->fd);
        pthread_mutex_destroy(&s->mutex);
        free(s->ports);
        free(s->rx_buf);
        free(s);
    }
}

/* Ports. */

/* Parses IPv4 address option 'name' of 'options' into '*ipp' (0 if it is
 * absent, or "flow" and 'allow_flow').  Returns 0 or -EINVAL (logged). */
int
netdev_tunnel_parse_ip_option(const struct strmap *options,
                              const char *name, bool allow_flow, be32 *ipp)
{
    const char *s = options ? strmap_find(options, name) : NULL;
    uint32_t ip;

    *ipp = 0;
    if (!s || (allow_flow && !strcmp(s, "flow"))) {
        return 0;
    }
    if (!ip4_from_string(s, &ip)) {
        LOG_WARN("%s: bad %s (IPv4 only)", s, name);
        return -EINVAL;
    }
    *ipp = (KILN_FORCE be32) ip;
    return 0;
}

static int
tnl_open(const struct netdev_class *class, const char *name,
         const struct strmap *options, struct netdev **netdevp)
{
    enum tnl_kind kind = (!strcmp(class->type, "geneve") ? TNL_GENEVE
                          : !strcmp(class->type, "vxlan") ? TNL_VXLAN
                          : TNL_GRE);
    struct tnl_port *port = xzalloc(sizeof *port);
    const char *key = options ? strmap_find(options, "key") : NULL;
    const char *rip = options ? strmap_find(options, "remote_ip") : NULL;
    int err;

    port->kind = kind;
    port->backlog_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    port->rx_fd = epoll_create1(EPOLL_CLOEXEC);
    if (port->backlog_fd < 0 || port->rx_fd < 0) {
        err = -errno;
        goto error;
    }
    if (!rip) {
        LOG_WARN("%s: remote_ip is required", name);
        err = -EINVAL;
        goto error;
    }
    err = netdev_tunnel_parse_ip_option(options, "remote_ip", true,
                                        &port->remote_ip);
    if (!err) {
        err = netdev_tunnel_parse_ip_option(options, "local_ip", false,
                                            &port->local_ip);
    }
    if (err) {
        goto error;
    }
    if (key && !strcmp(key, "flow")) {
        port->key_flow = true;
    } else if (key) {
        char *end;
        unsigned long long k = strtoull(key, &end, 0);

        if (*end || k > (kind == TNL_GRE ? UINT32_MAX : 0xffffff)) {
            LOG_WARN("%s: bad key %s", name, key);
            err = -EINVAL;
            goto error;
        }
        port->key = htonbe64(k);
    }
    port->dst_port = (kind == TNL_GENEVE ? GENEVE_PORT
                      : kind == TNL_VXLAN ? VXLAN_PORT : 0);
    if (kind != TNL_GRE && options && strmap_find(options, "dst_port")) {
        int p = strmap_find_int(options, "dst_port", -1);

        if (p <= 0 || p > 65535) {
            err = -EINVAL;
            goto error;
        }
        port->dst_port = p;
    }
    port->csum = options && strmap_find_bool(options, "csum", false);

    /* Find or open the shared socket, and join it. */
    struct tnl_socket *s = NULL, *iter;
    pthread_mutex_lock(&sockets_mutex);
    LIST_FOR_EACH (iter, node, &sockets) {
        if (iter->kind == kind && iter->udp_port == port->dst_port
            && iter->local_ip == port->local_ip) {
            s = iter;
            break;
        }
    }
    if (s) {
        s->n_ref++;
    } else {
        err = tnl_socket_open(kind, port->dst_port, port->local_ip, &s);
        if (!err) {
            list_push_back(&sockets, &s->node);
        }
    }
    pthread_mutex_unlock(&sockets_mutex);
    if (err) {
        LOG_WARN("%s: cannot open %s socket (%s)", name, class->type,
                 strerror(-err));
        goto error;
    }

    struct epoll_event ev = { .events = EPOLLIN };
    if (epoll_ctl(port->rx_fd, EPOLL_CTL_ADD, s->fd, &ev)
        || epoll_ctl(port->rx_fd, EPOLL_CTL_ADD, port->backlog_fd, &ev)) {
        err = -errno;
        tnl_socket_unref(s);
        goto error;
    }

    pthread_mutex_lock(&s->mutex);
    for (size_t i = 0; i < s->n_ports; i++) {
        const struct tnl_port *o = s->ports[i];

        if (o->remote_ip == port->remote_ip && o->key_flow == port->key_flow
            && o->key == port->key) {
            err = -EEXIST;
        }
    }
    if (!err) {
        s->ports = xrealloc(s->ports, (s->n_ports + 1) * sizeof *s->ports);
        s->ports[s->n_ports++] = port;
    }
    pthread_mutex_unlock(&s->mutex);
    if (err) {
        LOG_WARN("%s: another %s port has the same remote_ip and key",
                 name, class->type);
        tnl_socket_unref(s);
        goto error;
    }
    port->sock = s;
    packet_batch_init(&port->backlog);
    /* With UDP GSO, TCP GSO packets are cut here (tnl_send()), into
     * iovecs over their payload; partial checksums are finished here. */
    netdev__init(&port->up, class, name, 1,
                 s->gso ? NETDEV_TX_TSO | NETDEV_TX_CSUM : 0);
    *netdevp = &port->up;
    return 0;

error:
    if (port->backlog_fd >= 0) {
        close(port->backlog_fd);
    }
    if (port->rx_fd >= 0) {
        close(port->rx_fd);
    }
    free(port);
    return err;
}

static void
tnl_close(struct netdev *netdev)
{
    struct tnl_port *port = tnl_port_cast(netdev);
    struct tnl_socket *s = port->sock;

    pthread_mutex_lock(&s->mutex);
    for (size_t i = 0; i < s->n_ports; i++) {
        if (s->ports[i] == port) {
            s->ports[i] = s->ports[--s->n_ports];
            break;
        }
    }
    packet_batch_destroy_all(&port->backlog);
    pthread_mutex_unlock(&s->mutex);
    tnl_socket_unref(s);
    close(port->backlog_fd);
    close(port->rx_fd);
    netdev__uninit(&port->up);
    free(port);
}

static int
tnl_rxq_fd(const struct netdev *netdev, int qid)
{
    return tnl_port_cast(netdev)->rx_fd;
}

/* Receive. */

/* What the outer headers of one received packet said. */
struct tnl_rx {
    struct flow_tnl tnl;        /* For md.tunnel. */
    const uint8_t *inner;       /* The encapsulated Ethernet frame... */
    size_t inner_size;          /* ...and its size. */
};

/* Parses Geneve options 'opts' ('size' bytes) into 'tnl'.  Returns false
 * if the packet must be dropped (an unknown critical option). */
static bool
geneve_parse_opts(const uint8_t *opts, size_t size, struct flow_tnl *tnl)
{
    while (size >= 4) {
        uint16_t cls = opts[0] << 8 | opts[1];
        uint8_t type = opts[2];
        size_t len = (opts[3] & 0x1f) * 4u;
        bool known = false;

        if (4 + len > size) {
            return false;
        }
        for (size_t i = 0; i < n_tlv; i++) {
            const struct netdev_tunnel_tlv *t = &tlv_map[i];

            if (t->opt_class == cls && t->type == type) {
                if (len == t->len) {
                    memcpy(tnl->opts + t->offset, opts + 4, len);
                    tnl->present |= UINT64_C(1) << t->slot;
                    known = true;
                }
                break;
            }
        }
        if (!known && type & 0x80) {
            return false;       /* RFC 8926 §3.5: must drop. */
        }
        opts += 4 + len;
        size -= 4 + len;
    }
    return size == 0;
}

/* Parses the UDP payload 'data' ('size' bytes) of 'kind'.  Returns false
 * for a malformed packet. */
static bool
parse_udp_payload(enum tnl_kind kind, const uint8_t *data, size_t size,
                  struct tnl_rx *rx)
{
    if (size < 8) {
        return false;
    }
    uint32_t vni = (uint32_t) data[4] << 16 | data[5] << 8 | data[6];

    rx->tnl.tun_id = htonbe64(vni);
    rx->tnl.flags |= FLOW_TNL_F_KEY;
    if (kind == TNL_VXLAN) {
        if (!(data[0] & 0x08)) {
            return false;       /* RFC 7348: I flag must be set. */
        }
        rx->inner = data + VXLAN_HDR_SIZE;
        rx->inner_size = size - VXLAN_HDR_SIZE;
        return true;
    }
    size_t opt_len = (data[0] & 0x3f) * 4u;
    if ((data[0] >> 6) != 0 || (data[2] << 8 | data[3]) != ETH_TYPE_TEB
        || GENEVE_HDR_SIZE + opt_len > size) {
        return false;
    }
    if (data[1] & 0x80) {
        rx->tnl.flags |= FLOW_TNL_F_OAM;
    }
    if (!geneve_parse_opts(data + GENEVE_HDR_SIZE, opt_len, &rx->tnl)) {
        return false;
    }
    rx->inner = data + GENEVE_HDR_SIZE + opt_len;
    rx->inner_size = size - GENEVE_HDR_SIZE - opt_len;
    return true;
}

/* Parses an IPv4 datagram with GRE from a raw socket. */
static bool
parse_gre(const uint8_t *data, size_t size, struct tnl_rx *rx)
{
    if (size < 20) {
        return false;
    }
    size_t ihl = (data[0] & 0xf) * 4u;
    if (ihl < 20 || ihl + 4 > size) {
        return false;
    }
    memcpy(&rx->tnl.ip_src, data + 12, 4);
    memcpy(&rx->tnl.ip_dst, data + 16, 4);
    rx->tnl.ip_tos = data[1];
    rx->tnl.ip_ttl = data[8];

    const uint8_t *gre = data + ihl;
    size_t gre_size = size - ihl;
    uint16_t flags = gre[0] << 8 | gre[1];
    size_t hlen = 4;

    if (flags & (GRE_F_ROUTING | GRE_VERSION_MASK)
        || (gre[2] << 8 | gre[3]) != ETH_TYPE_TEB) {
        return false;
    }
    if (flags & GRE_F_CSUM) {
        if (packet_csum_fold(packet_csum_add(0, gre, gre_size))) {
            return false;       /* Bad checksum. */
        }
        rx->tnl.flags |= FLOW_TNL_F_CSUM;
        hlen += 4;
    }
    if (flags & GRE_F_KEY) {
        uint32_t key;

        if (hlen + 4 > gre_size) {
            return false;
        }
        memcpy(&key, gre + hlen, 4);
        rx->tnl.tun_id = htonbe64(ntohl(key));
        rx->tnl.flags |= FLOW_TNL_F_KEY;
        hlen += 4;
    }
    if (flags & GRE_F_SEQ) {
        hlen += 4;
    }
    if (hlen > gre_size) {
        return false;
    }
    rx->inner = gre + hlen;
    rx->inner_size = gre_size - hlen;
    return true;
}

/* The port of 's' that the packet described by 'tnl' belongs to, or
 * NULL. */
static struct tnl_port *
tnl_demux(const struct tnl_socket *s, const struct flow_tnl *tnl)
{
    struct tnl_port *wild = NULL;

    for (size_t i = 0; i < s->n_ports; i++) {
        struct tnl_port *p = s->ports[i];
        bool key_ok = p->key_flow || p->key == tnl->tun_id;

        if (!key_ok) {
            continue;
        }
        if (p->local_ip && p->local_ip != tnl->ip_dst) {
            continue;
        }
        if (p->remote_ip == tnl->ip_src) {
            return p;
        } else if (!p->remote_ip) {
            wild = p;
        }
    }
    return wild;
}

/* Reads the UDP metadata of message 'i' of 's' into 'tnl'. */
static size_t
udp_msg_meta(const struct tnl_socket *s, int i, struct flow_tnl *tnl)
{
    const struct msghdr *mh = &s->msgs[i].msg_hdr;
    size_t seg = 0;

    memset(tnl, 0, sizeof *tnl);   /* opts too: no stale options. */
    tnl->ip_src = (KILN_FORCE be32) s->addrs[i].sin_addr.s_addr;
    tnl->tp_src = (KILN_FORCE be16) s->addrs[i].sin_port;
    tnl->tp_dst = htonbe16(s->udp_port);
    tnl->ip_dst = s->local_ip;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c;
         c = CMSG_NXTHDR((struct msghdr *) mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;

            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            tnl->ip_dst = (KILN_FORCE be32) pi.ipi_addr.s_addr;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            int ttl;

            memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            tnl->ip_ttl = ttl;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            tnl->ip_tos = *(const uint8_t *) CMSG_DATA(c);
        } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int size;

            memcpy(&size, CMSG_DATA(c), sizeof size);
            seg = size > 0 ? (size_t) size : 0;
        }
    }
    return seg;
}

static int
tnl_recvmmsg(struct tnl_socket *s)
{
    for (int i = 0; i < TNL_RX_MSGS; i++) {
        struct msghdr *mh = &s->msgs[i].msg_hdr;

        s->iovs[i].iov_base = s->rx_buf + (size_t) i * TNL_RX_BUF;
        s->iovs[i].iov_len = TNL_RX_BUF;
        memset(mh, 0, sizeof *mh);
        mh->msg_iov = &s->iovs[i];
        mh->msg_iovlen = 1;
        mh->msg_name = &s->addrs[i];
        mh->msg_namelen = sizeof s->addrs[i];
        mh->msg_control = s->cmsgs[i];
        mh->msg_controllen = sizeof s->cmsgs[i];
    }
    int n = recvmmsg(s->fd, s->msgs, s->gro ? TNL_RX_MSGS_GRO : TNL_RX_MSGS,
                     MSG_DONTWAIT, NULL);
    if (n < 0) {
        return errno == EINTR ? -EAGAIN : -errno;
    }
    s->n_msgs = n;
    s->cur_msg = 0;
    s->cur_ofs = 0;
    return n ? 0 : -EAGAIN;
}

/* Coalescing of inner TCP segments (see the file comment). */

#define TCP_F_PSH 0x08
#define TCP_F_ACK 0x10
#define TNL_ETH_IP4 (14 + 20)   /* Ethernet + option-less IPv4 header. */

/* A run of inner TCP/IPv4 segments to deliver as one packet: 'n' tunnel
 * packets of 'stride' bytes each (the last may be shorter) from 'first',
 * each with 'tnl_len' bytes of tunnel header and 'hdr_len' bytes of
 * Ethernet, IPv4 and TCP headers before its payload. */
struct tnl_gro {
    const uint8_t *first;       /* The first tunnel packet. */
    size_t stride;              /* Bytes from one to the next. */
    size_t n;                   /* Segments, >= 2. */
    size_t tnl_len;             /* Tunnel header bytes of each. */
    size_t hdr_len;             /* Inner header bytes of each. */
    size_t payload;             /* TCP payload bytes of all. */
    size_t mss;                 /* Payload bytes of each but the last. */
    bool psh;                   /* The last had PSH. */
};

static uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* If the 'size'-byte frame at 'f' is an Ethernet/IPv4 (no options, not a
 * fragment, right header checksum)/TCP segment with payload whose flags
 * are ACK or ACK|PSH, returns its header length; else 0. */
static size_t
gro_tcp4_hdr_len(const uint8_t *f, size_t size)
{
    if (size < TNL_ETH_IP4 + 20 || f[12] != 0x08 || f[13] != 0x00) {
        return 0;
    }
    const uint8_t *ip = f + 14, *th = f + TNL_ETH_IP4;
    size_t doff = (th[12] >> 4) * 4u;

    if (ip[0] != 0x45 || ip[9] != 6
        || (size_t) (ip[2] << 8 | ip[3]) != size - 14
        || (ip[6] & 0x3f) || ip[7] || doff < 20
        || TNL_ETH_IP4 + doff >= size
        || (th[13] & ~TCP_F_PSH) != TCP_F_ACK) {
        return 0;
    }
    /* The merged packet gets a fresh IPv4 header checksum, which would
     * hide a bad one (found by tests/fuzz/fuzz-tunnel-rx): such a segment
     * is not merged but delivered as it came, for the receiver to drop, as
     * the kernel's GRO does. */
    if (packet_csum_fold(packet_csum_add(0, ip, 20))) {
        return 0;
    }
    return TNL_ETH_IP4 + doff;
}

/* Copies the 'pay' payload bytes of the frame at 'f', which
 * gro_tcp4_hdr_len() accepted with header length 'hl', to 'dst', and
 * returns whether the frame's TCP checksum is right: the payload is summed
 * as it is copied, in one pass. */
static bool
gro_tcp4_copy_csum_ok(const uint8_t *f, size_t hl, size_t pay, uint8_t *dst)
{
    be32 src_ip, dst_ip;

    memcpy(&src_ip, f + 14 + 12, 4);
    memcpy(&dst_ip, f + 14 + 16, 4);
    uint32_t sum = packet_csum_pseudo_ipv4(src_ip, dst_ip, 6,
                                           hl - TNL_ETH_IP4 + pay);
    sum = packet_csum_add(sum, f + TNL_ETH_IP4, hl - TNL_ETH_IP4);
    /* The TCP header's length is a multiple of 4: the payload starts on a
     * word of the sum. */
    sum = packet_csum_copy(sum, dst, f + hl, pay);
    return !packet_csum_fold(sum);
}

/* Looks for a run of segments of one TCP flow in the 'avail' bytes at 'd'
 * (tunnel packets of 'seg' bytes, the last maybe shorter), the first of
 * which 'rx' describes.  Returns the bytes of 'd' the run takes and fills
 * 'gro', or returns 0 if there is no run of two or more.  Only headers
 * are looked at: tnl_gro_packet() verifies the checksums as it copies. */
static size_t
tnl_gro_find(const uint8_t *d, size_t avail, size_t seg,
             const struct tnl_rx *rx, struct tnl_gro *gro)
{
    const uint8_t *h0 = rx->inner;
    size_t tnl_len = h0 - d;
    size_t hl = gro_tcp4_hdr_len(h0, rx->inner_size);

    if (!hl || seg >= avail || h0[TNL_ETH_IP4 + 13] & TCP_F_PSH) {
        return 0;
    }
    size_t mss = rx->inner_size - hl, total = mss, ofs = seg, n = 1;
    uint32_t next_seq = get_be32(h0 + TNL_ETH_IP4 + 4) + mss;
    bool psh = false;

    while (ofs < avail && n < TNL_MAX_GSO_SEGS) {
        const uint8_t *h = d + ofs + tnl_len;
        size_t len = MIN(seg, avail - ofs);
        const uint8_t *th = h + 14 + 20, *th0 = h0 + 14 + 20;

        if (len <= tnl_len || memcmp(d + ofs, d, tnl_len)
            || gro_tcp4_hdr_len(h, len - tnl_len) != hl) {
            break;
        }
        size_t pay = len - tnl_len - hl;
        /* Same Ethernet header, IP version/IHL/TOS, DF, TTL, protocol,
         * addresses; same ports, ACK, data offset, window, options; the
         * next sequence number. */
        if (pay > mss || memcmp(h, h0, 16) || h[20] != h0[20]
            || memcmp(h + 22, h0 + 22, 2) || memcmp(h + 26, h0 + 26, 8)
            || memcmp(th, th0, 4) || get_be32(th + 4) != next_seq
            || memcmp(th + 8, th0 + 8, 5) || memcmp(th + 14, th0 + 14, 2)
            || memcmp(th + 20, th0 + 20, hl - TNL_ETH_IP4 - 20)
            || hl - 14 + total + pay > 65535) {
            break;
        }
        total += pay;
        next_seq += pay;
        ofs += len;
        n++;
        if (th[13] & TCP_F_PSH || pay < mss) {
            psh = th[13] & TCP_F_PSH;
            break;
        }
    }
    if (n < 2) {
        return 0;
    }
    *gro = (struct tnl_gro) {
        .first = d, .stride = seg, .n = n, .tnl_len = tnl_len,
        .hdr_len = hl, .payload = total, .mss = mss, .psh = psh,
    };
    return ofs;
}

/* Coalesced packets take big buffers, which are reused: a fresh 64 KiB
 * malloc() per packet cost page faults (glibc gives the memory back to the
 * kernel when freed) and cold caches.  The pool is process-wide, so a
 * packet may outlive its port, and small: buffers beyond TNL_BIG_KEEP
 * free ones are freed. */
#define TNL_BIG_SIZE (PACKET_HEADROOM + 65536 + 64)
#define TNL_BIG_KEEP 64

/* A packet of the big buffer pool. */
struct tnl_big {
    struct packet packet;       /* What the datapath sees. */
    uint8_t *buf;               /* TNL_BIG_SIZE bytes.  Owned. */
    bool detached;              /* packet.base is no longer 'buf' but a
                                 * private buffer (packet_realloc()). */
    struct tnl_big *next;       /* In 'big_free'. */
};

static pthread_mutex_t big_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct tnl_big *big_free; /* Free ones.  Guarded by big_mutex. */
static size_t n_big_free;       /* Their number.  Guarded by big_mutex. */

static void
tnl_big_release_buffer(struct packet_pool *pool,
                       struct packet *p)
{
    struct tnl_big *b = CONTAINER_OF(p, struct tnl_big, packet);

    (void) pool;
    if (b->detached) {
        free(p->base);
    }
    b->detached = true;
}

static void
tnl_big_free_packet(struct packet_pool *pool, struct packet *p)
{
    struct tnl_big *b = CONTAINER_OF(p, struct tnl_big, packet);

    tnl_big_release_buffer(pool, p);
    b->detached = false;
    pthread_mutex_lock(&big_mutex);
    if (n_big_free < TNL_BIG_KEEP) {
        b->next = big_free;
        big_free = b;
        n_big_free++;
        b = NULL;
    }
    pthread_mutex_unlock(&big_mutex);
    if (b) {
        free(b->buf);
        free(b);
    }
}

static struct packet_pool big_pool = {
    .free_packet = tnl_big_free_packet,
    .release_buffer = tnl_big_release_buffer,
};

/* A packet with a big buffer, data size 0 after PACKET_HEADROOM. */
static struct packet *
tnl_big_get(void)
{
    struct tnl_big *b;

    pthread_mutex_lock(&big_mutex);
    b = big_free;
    if (b) {
        big_free = b->next;
        n_big_free--;
    }
    pthread_mutex_unlock(&big_mutex);
    if (!b) {
        b = xmalloc(sizeof *b);
        b->buf = xmalloc(TNL_BIG_SIZE);
    }
    b->detached = false;

    struct packet *p = &b->packet;
    memset(p, 0, sizeof *p);
    p->base = b->buf;
    p->pool = &big_pool;
    p->allocated = TNL_BIG_SIZE;
    p->data_ofs = PACKET_HEADROOM;
    p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
    return p;
}

/* A new TCP GSO packet of the run 'gro', or of the segments of it before
 * the first whose TCP checksum is wrong (each is verified as it is
 * copied, as the kernel's GRO verifies what it merges; the bad one is
 * then delivered alone, for the receiver to drop).  Stores the number of
 * segments merged in '*n_merged' and returns the packet, or returns NULL
 * if that number is below 2. */
static struct packet *
tnl_gro_packet(const struct tnl_gro *gro, size_t *n_merged)
{
    size_t hl = gro->hdr_len;
    struct packet *p = tnl_big_get();
    uint8_t *d = packet_put_uninit(p, hl + gro->payload);
    uint8_t *ip = d + 14, *th = d + TNL_ETH_IP4;
    size_t ofs = hl, n;

    memcpy(d, gro->first + gro->tnl_len, hl);
    for (n = 0; n < gro->n; n++) {
        const uint8_t *f = gro->first + n * gro->stride + gro->tnl_len;
        size_t pay = n + 1 < gro->n ? gro->mss : gro->payload - gro->mss * n;

        if (!gro_tcp4_copy_csum_ok(f, hl, pay, d + ofs)) {
            break;
        }
        ofs += pay;
    }
    *n_merged = n;
    if (n < 2) {
        packet_destroy(p);
        return NULL;
    }
    /* Cut short by a bad segment: the ones merged all had 'mss' bytes and
     * no PSH. */
    size_t payload = ofs - hl;
    bool psh = n == gro->n && gro->psh;

    packet_set_size(p, ofs);

    uint16_t ip_len = hl - 14 + payload;
    be32 src, dst;

    ip[2] = ip_len >> 8;
    ip[3] = ip_len;
    memset(ip + 10, 0, 2);
    be16 ip_csum = packet_csum_ipv4_header(ip);
    memcpy(ip + 10, &ip_csum, 2);
    if (psh) {
        th[13] |= TCP_F_PSH;
    }
    memcpy(&src, ip + 12, 4);
    memcpy(&dst, ip + 16, 4);
    /* As virtio_net_hdr wants it: the pseudo-header sum, not negated. */
    be16 pseudo = ~packet_csum_fold(packet_csum_pseudo_ipv4(
                                        src, dst, 6, ip_len - 20));
    memcpy(th + 16, &pseudo, 2);
    p->csum = PACKET_CSUM_PARTIAL;
    p->csum_start = TNL_ETH_IP4;
    p->csum_offset = 16;
    p->gso = PACKET_GSO_TCPV4;
    p->gso_size = gro->mss;
    return p;
}

/* Delivers the packet 'rx' to its port: into 'batch' if it is 'self',
 * else into the other port's backlog.  If 'merged' is nonnull, it is
 * what is delivered (taking ownership): the 'n_merged' TCP segments that
 * 'rx' starts, made into one by tnl_gro_packet().  Returns false if it was
 * dropped. */
static bool
tnl_deliver(struct tnl_socket *s, struct tnl_port *self,
            const struct tnl_rx *rx, struct packet *merged, size_t n_merged,
            struct packet_batch *batch)
{
    struct tnl_port *port = tnl_demux(s, &rx->tnl);
    struct packet_batch *dst = port == self ? batch
                               : port ? &port->backlog : NULL;

    if (!dst || rx->inner_size < 14) {
        netdev__stats_add(&self->up.stats.rx_errors, 1);
        packet_destroy(merged);
        return false;
    }
    if (dst->count >= PACKET_BATCH_SIZE) {
        netdev__stats_add(&port->up.stats.rx_dropped,
                          merged ? n_merged : 1);
        packet_destroy(merged);
        return false;
    }
    struct packet *p;
    if (merged) {
        p = merged;
    } else {
        p = packet_create(rx->inner_size, PACKET_HEADROOM);
        memcpy(packet_put_uninit(p, rx->inner_size), rx->inner,
               rx->inner_size);
    }
    p->md.tunnel = rx->tnl;
    packet_batch_add(dst, p);
    if (dst != batch && dst->count == 1) {
        /* Wake whoever polls 'port'; tnl_rxq_recv() reads it back. */
        uint64_t one = 1;

        if (write(port->backlog_fd, &one, sizeof one) < 0) {
            /* Cannot overflow: it is read back to zero each time. */
        }
    }
    return true;
}

static int
tnl_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct tnl_port *port = tnl_port_cast(netdev);
    struct tnl_socket *s = port->sock;
    int err = 0;

    pthread_mutex_lock(&s->mutex);
    if (port->backlog.count) {
        uint64_t n;

        for (size_t i = 0; i < port->backlog.count; i++) {
            packet_batch_add(batch, port->backlog.packets[i]);
        }
        port->backlog.count = 0;
        if (read(port->backlog_fd, &n, sizeof n) < 0) {
            /* EAGAIN: nothing to clear. */
        }
    }

    pthread_rwlock_rdlock(&tlv_lock);
    size_t bytes = 0;
    while (batch->count < PACKET_BATCH_SIZE && bytes < TNL_RX_BATCH_BYTES) {
        if (s->cur_msg >= s->n_msgs) {
            err = tnl_recvmmsg(s);
            if (err) {
                break;
            }
        }
        int i = s->cur_msg;
        const uint8_t *data = s->iovs[i].iov_base;
        size_t len = s->msgs[i].msg_len;
        struct tnl_rx rx;

        if (s->kind == TNL_GRE) {
            memset(&rx.tnl, 0, sizeof rx.tnl);
            if (parse_gre(data, len, &rx)) {
                tnl_deliver(s, port, &rx, NULL, 0, batch);
            } else {
                netdev__stats_add(&port->up.stats.rx_errors, 1);
            }
            s->cur_msg++;
            continue;
        }

        /* A GRO datagram holds segments of 'seg' bytes (the last may be
         * shorter), each one tunnel packet. */
        size_t seg = udp_msg_meta(s, i, &rx.tnl);
        if (!seg || seg > len) {
            seg = len;
        }
        size_t ofs = s->cur_ofs;
        size_t n = MIN(seg, len - ofs);
        struct flow_tnl meta = rx.tnl;

        if (parse_udp_payload(s->kind, data + ofs, n, &rx)) {
            struct tnl_gro gro;
            size_t run = tnl_gro_find(data + ofs, len - ofs, seg, &rx,
                                      &gro);
            struct packet *merged = NULL;
            size_t n_merged = 0;

            if (run) {
                merged = tnl_gro_packet(&gro, &n_merged);
                if (merged && n_merged < gro.n) {
                    run = n_merged * seg;   /* All but the last: 'seg'. */
                }
            }
            tnl_deliver(s, port, &rx, merged, n_merged, batch);
            n = merged ? run : n;
            bytes += n;
        } else {
            netdev__stats_add(&port->up.stats.rx_errors, 1);
        }
        rx.tnl = meta;
        s->cur_ofs += n;
        if (s->cur_ofs >= len) {
            s->cur_msg++;
            s->cur_ofs = 0;
        }
    }
    pthread_rwlock_unlock(&tlv_lock);
    pthread_mutex_unlock(&s->mutex);

    if (batch->count) {
        return 0;
    }
    return err ? err : -EAGAIN;
}

/* Send. */

/* Writes the encapsulation header for 'p' on 'port' into 'hdr'; returns
 * its size, and the destination in '*dst' (0: no destination). */
static size_t
tnl_build_header(const struct tnl_port *port, const struct packet *p,
                 uint8_t *hdr, be32 *dst)
{
    const struct flow_tnl *t = &p->md.tunnel;
    uint32_t key = be64_to_host(port->key_flow ? t->tun_id : port->key);

    *dst = port->remote_ip ? port->remote_ip : t->ip_dst;
    if (port->kind == TNL_VXLAN) {
        memset(hdr, 0, VXLAN_HDR_SIZE);
        hdr[0] = 0x08;
        hdr[4] = key >> 16;
        hdr[5] = key >> 8;
        hdr[6] = key;
        return VXLAN_HDR_SIZE;
    } else if (port->kind == TNL_GENEVE) {
        size_t opt_len = 0;
        bool critical = false;

        if (t->present) {
            for (size_t i = 0; i < n_tlv; i++) {
                const struct netdev_tunnel_tlv *m = &tlv_map[i];
                uint8_t *o = hdr + GENEVE_HDR_SIZE + opt_len;

                if (!(t->present & (UINT64_C(1) << m->slot))
                    || opt_len + 4 + m->len > GENEVE_MAX_OPTS) {
                    continue;
                }
                o[0] = m->opt_class >> 8;
                o[1] = m->opt_class;
                o[2] = m->type;
                o[3] = m->len / 4;
                memcpy(o + 4, t->opts + m->offset, m->len);
                opt_len += 4 + m->len;
                critical |= (m->type & 0x80) != 0;
            }
        }
        hdr[0] = opt_len / 4;
        /* RFC 8926 §3.4: C is set when a critical option is present. */
        hdr[1] = ((t->flags & FLOW_TNL_F_OAM ? 0x80 : 0)
                  | (critical ? 0x40 : 0));
        hdr[2] = ETH_TYPE_TEB >> 8;
        hdr[3] = ETH_TYPE_TEB & 0xff;
        hdr[4] = key >> 16;
        hdr[5] = key >> 8;
        hdr[6] = key;
        hdr[7] = 0;
        return GENEVE_HDR_SIZE + opt_len;
    }

    /* GRE. */
    bool has_key = port->key_flow ? (t->flags & FLOW_TNL_F_KEY) || key
                                  : port->key != 0;
    uint16_t flags = (port->csum ? GRE_F_CSUM : 0) | (has_key ? GRE_F_KEY
                                                              : 0);
    size_t len = 4;

    hdr[0] = flags >> 8;
    hdr[1] = flags;
    hdr[2] = ETH_TYPE_TEB >> 8;
    hdr[3] = ETH_TYPE_TEB & 0xff;
    if (port->csum) {
        memset(hdr + 4, 0, 4);
        len += 4;
    }
    if (has_key) {
        uint32_t k = htonl(key);

        memcpy(hdr + len, &k, 4);
        len += 4;
    }
    if (port->csum) {
        uint32_t sum = packet_csum_add(0, hdr, len);
        be16 c;

        sum = packet_csum_add(sum, packet_data(p), p->size);
        c = packet_csum_fold(sum);
        memcpy(hdr + 4, &c, 2);
    }
    return len;
}

/* Sending.  A batch becomes a list of segments (a packet, or one segment
 * of a TCP GSO packet cut here without copying its payload), and runs of
 * segments that one UDP GSO datagram can carry (same header, destination,
 * TTL, TOS and port; same size but for the last) become one message of a
 * sendmmsg(); a message's iovecs are the tunnel header, then each
 * segment's headers and payload. */

#define TNL_TX_MSGS 32          /* Messages per sendmmsg(). */
#define TNL_TX_IOVS 512         /* Their iovecs. */
#define TNL_TX_SEG_HDRS 8192    /* Bytes for the headers of cut segments. */
#define TNL_TX_MAX_SEGS 64      /* Segments one TCP GSO packet may make. */

/* A message being built. */
struct tnl_tx_msg {
    uint8_t hdr[TNL_MAX_HDR];   /* The tunnel header of every segment. */
    size_t hdr_size;            /* Its bytes. */
    be32 dst;                   /* Destination. */
    const struct flow_tnl *tnl; /* TTL, TOS, UDP port of the first. */
    size_t seg_size;            /* Bytes of the first segment. */
    size_t last_size;           /* Bytes of the last one so far. */
    size_t bytes;               /* Bytes of all (headers included). */
    size_t n_segs;              /* Segments. */
    uint64_t inner_bytes;       /* Bytes without the tunnel headers. */
};

/* Everything one tnl_send() call builds. */
struct tnl_tx {
    struct tnl_port *port;
    struct mmsghdr mmsgs[TNL_TX_MSGS];
    struct sockaddr_in addrs[TNL_TX_MSGS];
    uint64_t cmsgs[TNL_TX_MSGS][8];
    struct tnl_tx_msg msgs[TNL_TX_MSGS];
    size_t n_msgs;
    struct iovec iovs[TNL_TX_IOVS];
    size_t n_iovs;
    uint8_t seg_hdrs[TNL_TX_SEG_HDRS]; /* Headers of cut segments. */
    size_t seg_hdrs_used;
    uint64_t n_ok, bytes, errors;
    int err;
};

/* Sends the messages of 'tx' and empties it. */
static void
tnl_tx_flush(struct tnl_tx *tx)
{
    struct tnl_port *port = tx->port;
    struct tnl_socket *s = port->sock;

    for (size_t i = 0; i < tx->n_msgs; i++) {
        const struct tnl_tx_msg *m = &tx->msgs[i];
        struct msghdr *mh = &tx->mmsgs[i].msg_hdr;
        struct sockaddr_in *sin = &tx->addrs[i];
        const struct flow_tnl *t = m->tnl;

        memset(sin, 0, sizeof *sin);
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = (KILN_FORCE uint32_t) m->dst;
        sin->sin_port = (s->kind == TNL_GRE ? 0
                         : t->tp_dst && !port->remote_ip
                         ? (KILN_FORCE uint16_t) t->tp_dst
                         : htons(port->dst_port));
        mh->msg_name = sin;
        mh->msg_namelen = sizeof *sin;

        /* Control: outer TTL and TOS, and the GSO segment size. */
        mh->msg_control = tx->cmsgs[i];
        mh->msg_controllen = sizeof tx->cmsgs[i];
        struct cmsghdr *c = CMSG_FIRSTHDR(mh);
        size_t clen = 0;
        int ttl = t->ip_ttl ? t->ip_ttl : 64, tos = t->ip_tos;

        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_TTL;
        c->cmsg_len = CMSG_LEN(sizeof ttl);
        memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
        clen += CMSG_SPACE(sizeof ttl);
        if (tos) {
            c = CMSG_NXTHDR(mh, c);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_TOS;
            c->cmsg_len = CMSG_LEN(sizeof tos);
            memcpy(CMSG_DATA(c), &tos, sizeof tos);
            clen += CMSG_SPACE(sizeof tos);
        }
        if (m->n_segs > 1) {
            uint16_t gso = m->seg_size;

            c = CMSG_NXTHDR(mh, c);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof gso);
            memcpy(CMSG_DATA(c), &gso, sizeof gso);
            clen += CMSG_SPACE(sizeof gso);
        }
        mh->msg_controllen = clen;
    }

    for (size_t r = 0; r < tx->n_msgs;) {
        int sent = sendmmsg(s->fd, &tx->mmsgs[r], tx->n_msgs - r, 0);

        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent <= 0) {
            /* The first message failed: count it and go on. */
            int e = sent < 0 ? -errno : -EIO;

            LOG_WARN_RL(&rl, "%s: send failed (%s)", port->up.name,
                        strerror(-e));
            tx->err = tx->err ? tx->err : e;
            tx->errors += tx->msgs[r].n_segs;
            r++;
            continue;
        }
        for (int k = 0; k < sent; k++, r++) {
            tx->n_ok += tx->msgs[r].n_segs;
            tx->bytes += tx->msgs[r].inner_bytes;
        }
    }
    tx->n_msgs = tx->n_iovs = tx->seg_hdrs_used = 0;
}

/* Whether a segment of 'size' bytes (tunnel header included) for 'p',
 * whose tunnel header 'hdr' and destination 'dst' were just built, may
 * join the open message 'm' as its next UDP GSO segment. */
static bool
tnl_tx_joins(const struct tnl_socket *s, const struct tnl_tx_msg *m,
             const struct packet *p, const uint8_t *hdr, size_t hdr_size,
             be32 dst, size_t size)
{
    const struct flow_tnl *t = &p->md.tunnel;

    return (s->gso && m->n_segs < TNL_MAX_GSO_SEGS
            && m->last_size == m->seg_size && size <= m->seg_size
            && m->bytes + size <= TNL_MAX_GSO_BYTES
            && dst == m->dst && hdr_size == m->hdr_size
            && t->ip_ttl == m->tnl->ip_ttl && t->ip_tos == m->tnl->ip_tos
            && t->tp_dst == m->tnl->tp_dst
            && !memcmp(hdr, m->hdr, hdr_size));
}

/* Adds one segment of 'p' (its 'n_parts' pieces in 'parts', the tunnel
 * header not among them) to 'tx', whose tunnel header for 'p' is
 * 'hdr'. */
static void
tnl_tx_add(struct tnl_tx *tx, const struct packet *p, const uint8_t *hdr,
           size_t hdr_size, be32 dst, const struct iovec *parts,
           size_t n_parts)
{
    size_t inner = 0;

    for (size_t i = 0; i < n_parts; i++) {
        inner += parts[i].iov_len;
    }
    size_t size = hdr_size + inner;
    struct tnl_tx_msg *m = tx->n_msgs ? &tx->msgs[tx->n_msgs - 1] : NULL;

    if (!m || !tnl_tx_joins(tx->port->sock, m, p, hdr, hdr_size, dst,
                            size)) {
        if (tx->n_msgs == TNL_TX_MSGS
            || tx->n_iovs + 1 + n_parts > TNL_TX_IOVS) {
            tnl_tx_flush(tx);
        }
        m = &tx->msgs[tx->n_msgs];
        memcpy(m->hdr, hdr, hdr_size);
        m->hdr_size = hdr_size;
        m->dst = dst;
        m->tnl = &p->md.tunnel;
        m->seg_size = size;
        m->bytes = m->n_segs = m->inner_bytes = 0;
        struct msghdr *mh = &tx->mmsgs[tx->n_msgs].msg_hdr;
        memset(mh, 0, sizeof *mh);
        mh->msg_iov = &tx->iovs[tx->n_iovs];
        tx->n_msgs++;
    } else if (tx->n_iovs + 1 + n_parts > TNL_TX_IOVS) {
        /* No room for this segment's iovecs: send what there is and
         * start again with a message of its own. */
        tnl_tx_flush(tx);
        tnl_tx_add(tx, p, hdr, hdr_size, dst, parts, n_parts);
        return;
    }

    struct msghdr *mh = &tx->mmsgs[tx->n_msgs - 1].msg_hdr;
    tx->iovs[tx->n_iovs++] = (struct iovec) {
        .iov_base = m->hdr, .iov_len = hdr_size,
    };
    for (size_t i = 0; i < n_parts; i++) {
        tx->iovs[tx->n_iovs++] = parts[i];
    }
    mh->msg_iovlen += 1 + n_parts;
    m->last_size = size;
    m->bytes += size;
    m->n_segs++;
    m->inner_bytes += inner;
}

/* Adds the TCP GSO packet 'p' to 'tx', cut into segments whose headers
 * go into tx->seg_hdrs.  Returns 0 or a negative errno (nothing added). */
static int
tnl_tx_add_gso(struct tnl_tx *tx, const struct packet *p,
               const uint8_t *hdr, size_t hdr_size, be32 dst)
{
    struct packet_segment segs[TNL_TX_MAX_SEGS];
    int n;

    n = packet_csum_segment_headers(p, tx->seg_hdrs + tx->seg_hdrs_used,
                                    TNL_TX_SEG_HDRS - tx->seg_hdrs_used,
                                    segs, ARRAY_SIZE(segs));
    if (n == -E2BIG && tx->seg_hdrs_used) {
        tnl_tx_flush(tx);
        n = packet_csum_segment_headers(p, tx->seg_hdrs, TNL_TX_SEG_HDRS,
                                        segs, ARRAY_SIZE(segs));
    }
    if (n < 0) {
        return n;
    }
    /* Flushing below must not reuse the header space just written. */
    tx->seg_hdrs_used += (size_t) n * segs[0].hdr_size;
    for (int i = 0; i < n; i++) {
        struct iovec parts[2] = {
            { .iov_base = (void *) segs[i].hdr,
              .iov_len = segs[i].hdr_size },
            { .iov_base = (void *) segs[i].payload,
              .iov_len = segs[i].payload_size },
        };
        size_t used = tx->seg_hdrs_used;

        tnl_tx_add(tx, p, hdr, hdr_size, dst, parts,
                   parts[1].iov_len ? 2 : 1);
        /* A flush inside tnl_tx_add() emptied the header space, but the
         * segments still to come have their headers in it. */
        tx->seg_hdrs_used = MAX(tx->seg_hdrs_used, used);
    }
    netdev__stats_add(&tx->port->up.stats.tx_sw_segments, n);
    return 0;
}

static int
tnl_send(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct tnl_port *port = tnl_port_cast(netdev);
    struct tnl_tx txs;          /* About 30 KiB: the stack has room. */
    struct tnl_tx *tx = &txs;

    (void) qid;
    tx->port = port;
    tx->n_msgs = tx->n_iovs = tx->seg_hdrs_used = 0;
    tx->n_ok = tx->bytes = tx->errors = 0;
    tx->err = 0;

    pthread_rwlock_rdlock(&tlv_lock);
    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];
        uint8_t hdr[TNL_MAX_HDR];
        be32 dst;
        size_t hdr_size = tnl_build_header(port, p, hdr, &dst);
        int error = 0;

        if (!dst) {
            LOG_WARN_RL(&rl, "%s: no tunnel destination: dropping",
                        netdev->name);
            tx->errors++;
            continue;
        }
        if (p->gso != PACKET_GSO_NONE) {
            error = tnl_tx_add_gso(tx, p, hdr, hdr_size, dst);
        } else {
            if (p->csum == PACKET_CSUM_PARTIAL) {
                error = packet_csum_finish(p);
                netdev__stats_add(&netdev->stats.tx_sw_csum, !error);
            }
            if (!error) {
                struct iovec part = {
                    .iov_base = packet_data(p), .iov_len = p->size,
                };

                tnl_tx_add(tx, p, hdr, hdr_size, dst, &part, 1);
            }
        }
        if (error) {
            LOG_WARN_RL(&rl, "%s: dropping a packet: no software offload "
                        "(%s)", netdev->name, strerror(-error));
            tx->errors++;
            tx->err = tx->err ? tx->err : error;
        }
    }
    pthread_rwlock_unlock(&tlv_lock);
    tnl_tx_flush(tx);

    netdev__stats_add(&netdev->stats.tx_packets, tx->n_ok);
    netdev__stats_add(&netdev->stats.tx_bytes, tx->bytes);
    netdev__stats_add(&netdev->stats.tx_errors, tx->errors);
    int err = tx->err ? tx->err : tx->errors ? -EHOSTUNREACH : 0;
    packet_batch_destroy_all(batch);
    return err;
}

#define TNL_CLASS(NAME)                         \
    {                                           \
        .type = NAME,                           \
        .open = tnl_open,                       \
        .close = tnl_close,                     \
        .rxq_recv = tnl_rxq_recv,               \
        .rxq_fd = tnl_rxq_fd,                   \
        .send = tnl_send,                       \
    }

const struct netdev_class netdev_geneve_class = TNL_CLASS("geneve");
const struct netdev_class netdev_vxlan_class = TNL_CLASS("vxlan");
const struct netdev_class netdev_gre_class = TNL_CLASS("gre");
