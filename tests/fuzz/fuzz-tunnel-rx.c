/* Fuzz target for the Geneve and VXLAN receive path
 * (datapath/netdev-tunnel.c): header and option parsing, the splitting of
 * UDP GRO datagrams into tunnel packets, and the merging of runs of inner
 * TCP/IPv4 segments into one TCP GSO packet.
 *
 * The input is sent as a real datagram over loopback to tunnel ports that
 * this process opens once, and read back with netdev_rxq_recv(), so the
 * kernel makes the UDP_GRO control message exactly as it does for a peer:
 *
 *   byte 0      bit 0: 0 = Geneve, 1 = VXLAN; bit 1 (Geneve): receive
 *               first on the port with remote_ip=flow rather than the one
 *               with remote_ip=127.0.0.1 (see below);
 *   bytes 1-2   segment size, big-endian: 0 sends a plain datagram, else
 *               one with UDP_SEGMENT of that size (clamped; a plain send
 *               if the kernel refuses it), which a UDP_GRO socket receives
 *               as one datagram holding segments of that size;
 *   the rest    the UDP payload (at most 65507 bytes are sent).
 *
 * Geneve has two ports on one socket: "fix" (remote_ip=127.0.0.1, key=5)
 * takes VNI 5, "wild" (remote_ip=flow, key=flow) every other VNI, so that
 * packets also go through the other port's backlog.  A TLV map with three
 * entries (one critical) makes option parsing store options.
 *
 * Every packet delivered is checked:
 *
 *   - its data lies within its buffer, and every byte is read (ASan sees
 *     any overread of a short buffer);
 *   - it holds only bytes of the datagram sent: a plain packet is a slice
 *     of it, and each segment of a GSO packet has a slice of it as its
 *     payload.  The receive buffer is bigger than a datagram, so this is
 *     what catches a read past the datagram's end (stale bytes of an
 *     earlier one), which ASan cannot;
 *   - a GSO packet is a well-formed merge (IPv4 total length and header
 *     checksum right, gso_size its MSS) that packet_csum_segment() cuts
 *     into 2 to 64 segments with the MSS as their payload, and its first
 *     segment is in the datagram with a valid IPv4 header checksum (see
 *     first_header_ok()). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/netdev-tunnel.h"
#include "datapath/netdev.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/strmap.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FT_MAX_PAYLOAD 65507    /* Largest UDP payload over IPv4. */
#define FT_MAX_SEGS 128         /* Beyond what the merge can make (64). */
#define FT_ETH_IP4 (14 + 20)

/* The ports and the sending socket, opened on the first input and kept
 * for the life of the process. */
static struct netdev *gnv_fix;  /* Geneve, remote_ip=127.0.0.1, key=5. */
static struct netdev *gnv_wild; /* Geneve, remote_ip=flow, key=flow. */
static struct netdev *vxlan;    /* VXLAN, remote_ip=127.0.0.1, key=flow. */
static uint16_t gnv_port, vxlan_port;  /* Their UDP ports. */
static int tx_fd = -1;          /* The sending socket. */
/* Set once a datagram did not show up in time: a late one may then be
 * read with the next input, whose bytes it is not made of, so the slice
 * check is off from then on. */
static bool desynced;
/* Sums of the bytes read, so that the reads are not optimized out. */
static volatile uint32_t touch_sum;

/* Opens a tunnel netdev 'name' of 'type' on UDP 'port'. */
static int
open_port(const char *name, const char *type, uint16_t port,
          const char *remote_ip, const char *key, struct netdev **devp)
{
    struct strmap options;
    char ps[16];

    snprintf(ps, sizeof ps, "%u", port);
    strmap_init(&options);
    strmap_replace(&options, "remote_ip", remote_ip);
    strmap_replace(&options, "key", key);
    strmap_replace(&options, "dst_port", ps);
    int err = netdev_open(name, type, &options, devp);
    strmap_uninit(&options);
    return err;
}

static void
fuzz_init(void)
{
    static const struct netdev_tunnel_tlv map[] = {
        { .opt_class = 0x0102, .type = 0x80, .len = 4, .slot = 0,
          .offset = 0 },
        { .opt_class = 0xffff, .type = 0x01, .len = 8, .slot = 1,
          .offset = 4 },
        { .opt_class = 0x0103, .type = 0x7f, .len = 124, .slot = 5,
          .offset = 128 },
    };

    if (netdev_tunnel_set_tlv_map(map, ARRAY_SIZE(map))) {
        abort();
    }
    /* Ports below the usual ephemeral range, apart from those of
     * test-netdev-tunnel (30000-49999), chosen by pid so that parallel
     * runs differ; the next pair if one cannot be bound. */
    unsigned int base = 10000 + (unsigned int) (getpid() % 9000) * 2;
    for (int try = 0; try < 50 && !vxlan; try++, base += 2) {
        gnv_port = 10000 + (base - 10000) % 18000;
        vxlan_port = gnv_port + 1;
        if (open_port("ft-gnv-fix", "geneve", gnv_port, "127.0.0.1", "5",
                      &gnv_fix)) {
            continue;
        }
        if (open_port("ft-gnv-wild", "geneve", gnv_port, "flow", "flow",
                      &gnv_wild)) {
            abort();
        }
        if (open_port("ft-vxlan", "vxlan", vxlan_port, "127.0.0.1", "flow",
                      &vxlan)) {
            netdev_close(gnv_wild);
            netdev_close(gnv_fix);
            gnv_fix = gnv_wild = NULL;
        }
    }
    tx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (!vxlan || tx_fd < 0) {
        fprintf(stderr, "fuzz-tunnel-rx: cannot open the tunnel ports or "
                "the sending socket\n");
        abort();
    }
}

/* Sends 'payload' to 127.0.0.1:'port', as UDP GSO segments of 'gso'
 * bytes if 'gso' is nonzero and the kernel takes it.  Returns whether a
 * datagram went out. */
static bool
send_datagram(uint16_t port, const uint8_t *payload, size_t size,
              uint16_t gso)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(uint16_t))];
    } control;
    struct iovec iov = { .iov_base = (void *) payload, .iov_len = size };
    struct msghdr mh = {
        .msg_name = &sin, .msg_namelen = sizeof sin,
        .msg_iov = &iov, .msg_iovlen = 1,
    };

    if (gso) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof control);
        mh.msg_control = &control;
        mh.msg_controllen = sizeof control;
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof gso);
        memcpy(CMSG_DATA(c), &gso, sizeof gso);
        if (sendmsg(tx_fd, &mh, 0) == (ssize_t) size) {
            return true;
        }
        /* Too many segments, or a size the kernel refuses. */
        mh.msg_control = NULL;
        mh.msg_controllen = 0;
    }
    return sendmsg(tx_fd, &mh, 0) == (ssize_t) size;
}

/* Whether the 'n' bytes at 'p' occur in the 'size' bytes at 'hay'. */
static bool
is_slice(const uint8_t *hay, size_t size, const uint8_t *p, size_t n)
{
    return !n || memmem(hay, size, p, n) != NULL;
}

/* Reads every byte of 'p' and checks that its data lies in its buffer;
 * returns a sum of the bytes. */
static uint32_t
touch(const struct packet *p)
{
    const uint8_t *d = packet_data(p);
    uint32_t sum = 0;

    ASSERT((uint64_t) p->data_ofs + p->size <= p->allocated);
    for (size_t i = 0; i < p->size; i++) {
        sum += d[i];
    }
    return sum;
}

/* Whether the datagram 'dg' ('size' bytes) holds the first segment that
 * the TCP GSO packet 'p' (headers 'hl' bytes) was merged from, with a
 * valid IPv4 header checksum.  That segment's headers are those of 'p'
 * but for the IPv4 total length (it had gso_size bytes of payload), the
 * IPv4 and TCP checksums, and PSH (never on the first).  A merge must not
 * hide a bad IPv4 header by giving it a fresh checksum: the kernel's GRO
 * does not merge such a segment, so its receiver drops it. */
static bool
first_header_ok(const struct packet *p, size_t hl, const uint8_t *dg,
                size_t size)
{
    uint8_t want[FT_ETH_IP4 + 60];
    uint8_t *ip = want + 14, *th = want + FT_ETH_IP4;
    size_t tot_len = hl - 14 + p->gso_size;

    memcpy(want, packet_data(p), hl);
    ip[2] = tot_len >> 8;
    ip[3] = tot_len;
    th[13] &= ~0x08;
    for (size_t ofs = 0; ofs + hl <= size; ofs++) {
        const uint8_t *f = memmem(dg + ofs, size - ofs, want, 24);

        if (!f || (size_t) (f - dg) + hl > size) {
            break;
        }
        ofs = f - dg;
        /* Addresses, TCP header before and after the checksum. */
        if (!memcmp(f + 26, want + 26, 8 + 16)
            && !memcmp(f + FT_ETH_IP4 + 18, th + 18, hl - FT_ETH_IP4 - 18)
            && !packet_csum_fold(packet_csum_add(0, f + 14, 20))) {
            return true;
        }
    }
    return false;
}

/* Checks the TCP GSO packet 'p', merged from the datagram 'dg' ('size'
 * bytes), and cuts it. */
static void
check_gso(const struct packet *p, const uint8_t *dg, size_t size)
{
    const uint8_t *d = packet_data(p), *ip = d + 14;

    ASSERT(p->gso == PACKET_GSO_TCPV4);
    ASSERT(p->gso_size > 0);
    ASSERT(p->size > FT_ETH_IP4 + 20 && p->size - 14 <= 65535);
    ASSERT((size_t) (ip[2] << 8 | ip[3]) == p->size - 14);
    ASSERT(!packet_csum_fold(packet_csum_add(0, ip, 20)));
    ASSERT(p->csum == PACKET_CSUM_PARTIAL && p->csum_start == FT_ETH_IP4
           && p->csum_offset == 16);

    size_t hl = FT_ETH_IP4 + (d[FT_ETH_IP4 + 12] >> 4) * 4u;
    ASSERT(hl < p->size && p->size - hl > p->gso_size);

    if (!desynced) {
        ASSERT(first_header_ok(p, hl, dg, size));
    }

    struct packet *segs[FT_MAX_SEGS];
    int n = packet_csum_segment(p, segs, ARRAY_SIZE(segs));

    /* What was merged is at least two segments, at most 64. */
    ASSERT(n >= 2 && n <= 64);
    for (int i = 0; i < n; i++) {
        const struct packet *s = segs[i];

        touch_sum += touch(s);
        ASSERT(s->size > hl && s->size - hl <= p->gso_size);
        ASSERT(i == n - 1 || s->size - hl == p->gso_size);
        if (!desynced) {
            ASSERT(is_slice(dg, size, packet_data(s) + hl, s->size - hl));
        }
        packet_destroy(segs[i]);
    }
}

/* Receives what 'dev' has, checks every packet against the datagram 'dg'
 * ('size' bytes), and destroys it.  Returns the number received. */
static size_t
drain(struct netdev *dev, const uint8_t *dg, size_t size)
{
    size_t n = 0;

    for (;;) {
        struct packet_batch b;

        packet_batch_init(&b);
        int err = netdev_rxq_recv(dev, 0, &b);
        if (err) {
            ASSERT(err == -EAGAIN && !b.count);
            return n;
        }
        ASSERT(b.count > 0 && b.count <= PACKET_BATCH_SIZE);
        for (size_t i = 0; i < b.count; i++) {
            struct packet *p = b.packets[i];

            touch_sum += touch(p);
            ASSERT(p->size >= 14);
            ASSERT(be64_to_host(p->md.tunnel.tun_id) <= 0xffffff);
            if (p->gso != PACKET_GSO_NONE) {
                check_gso(p, dg, size);
            } else if (!desynced) {
                ASSERT(is_slice(dg, size, packet_data(p), p->size));
            }
            packet_destroy(p);
        }
        n += b.count;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!vxlan) {
        fuzz_init();
    }
    if (size < 3) {
        return 0;
    }

    bool is_vxlan = data[0] & 1;
    bool wild_first = data[0] & 2;
    uint16_t gso = data[1] << 8 | data[2];
    const uint8_t *payload = data + 3;
    size_t len = MIN(size - 3, (size_t) FT_MAX_PAYLOAD);
    struct netdev *first = (is_vxlan ? vxlan
                            : wild_first ? gnv_wild : gnv_fix);
    struct netdev *second = is_vxlan ? NULL
                            : wild_first ? gnv_fix : gnv_wild;

    /* The kernel takes segments that fit the loopback MTU (64 KiB). */
    if (gso > FT_MAX_PAYLOAD) {
        gso = FT_MAX_PAYLOAD;
    }
    if (!send_datagram(is_vxlan ? vxlan_port : gnv_port, payload, len,
                       gso)) {
        return 0;
    }

    /* Loopback delivers before sendmsg() returns, unless the machine is
     * busy; a second is plenty. */
    struct pollfd pfd = { .fd = netdev_rxq_fd(first, 0), .events = POLLIN };
    if (poll(&pfd, 1, 1000) != 1 && !desynced) {
        fprintf(stderr, "fuzz-tunnel-rx: a datagram is late; slice "
                "checks are off from now on\n");
        desynced = true;
    }
    /* Until neither port gets anything: each may leave packets in the
     * other's backlog. */
    size_t got;
    do {
        got = drain(first, payload, len);
        if (second) {
            got += drain(second, payload, len);
        }
    } while (got);
    return 0;
}
