/* geneve-floor: the least work any userspace Geneve switch on kernel
 * sockets must do, as a forwarder between one VM port and one tunnel, to
 * measure the fastest such a switch can be on this machine (issue 4;
 * bench/switchd-bench.py runs one in each host namespace of its "geneve"
 * topology and prints it as the "floor" column).
 *
 *   geneve-floor --vm-dev DEV --local IP --remote IP [--vni N]
 *                [--seconds S] [--csum]
 *
 * One process, one thread, one poll() loop over two sockets:
 *
 * - VM -> tunnel.  An AF_PACKET socket bound to DEV with PACKET_VNET_HDR
 *   receives the VM's frames whole (TCP GSO frames up to 64 KiB, partial
 *   checksums) with recvmmsg() into reused buffers.  A TCP/IPv4 GSO frame
 *   leaves as UDP GSO datagrams (UDP_SEGMENT) on a UDP socket bound to
 *   local:6081 and connected to remote:6081, one per run of at most 64
 *   segments and 64 KiB: each segment is an iovec pair, a header block
 *   built here (Geneve header, then the inner Ethernet/IPv4/TCP headers
 *   with that segment's IP length, id and checksum, TCP sequence number and
 *   flags) and the payload slice inside the receive buffer, so no payload
 *   byte is copied in user space.  The inner TCP checksum is NOT computed:
 *   the floor takes checksums as free.  Other frames go out as one
 *   datagram [Geneve header][frame], their partial checksum (small: ACKs)
 *   finished here first, because the other side hands them to its VM as
 *   finished frames.
 * - Tunnel -> VM.  The UDP socket has UDP_GRO on; recvmmsg() into reused
 *   64 KiB buffers, the UDP_GRO control message giving the segment size.
 *   When every segment of a datagram is a TCP/IPv4 segment of one flow
 *   with identical headers and consecutive sequence numbers, they leave as
 *   ONE TCP GSO frame on the AF_PACKET socket (virtio-net header: GSO
 *   TCPV4, gso_size = the first segment's payload, partial checksum over
 *   the pseudo-header), gathered from the first segment's frame (IP length
 *   and checksum, TCP flags and checksum rewritten in place) and the other
 *   segments' payloads.  Checksums are not verified (free, by
 *   assumption).  Anything else leaves segment by segment, each with a
 *   zero virtio-net header, for the VM to verify.
 *
 * All the messages made from one receive batch go out with one
 * sendmmsg(); sends block (the kernel's veths hardly ever make them wait),
 * receives do not.  The AF_PACKET socket ignores its own transmissions
 * (PACKET_IGNORE_OUTGOING).  The VM port's offloads are left as they are.
 *
 * With --csum it also does the checksum work any switch that talks to
 * others must do, reading the payload in place (Kiln's packet_csum_add(),
 * the fastest sum we have): each segment it sends gets its inner TCP
 * checksum, and the segments of a received datagram are merged only if
 * each one's TCP checksum is right (else they go one by one, for the VM
 * to check), as the kernel's GRO verifies what it merges.  Without it the
 * other side of a kiln-switchd must also be a geneve-floor without it:
 * its segments' checksums are not finished.
 *
 * It stops after --seconds (default 600) or on SIGTERM/SIGINT, and prints
 * one JSON line of counters on standard output.  Plain libc: no lib/. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "datapath/packet-csum.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define GENEVE_PORT 6081        /* RFC 8926 §3.3: the IANA UDP port. */
#define GENEVE_HLEN 8           /* Geneve header without options. */
#define ETH_HLEN_ 14            /* Ethernet header, untagged. */
#define VNET_HLEN ((int) sizeof(struct virtio_net_hdr))

#define BATCH 32                /* Frames or datagrams per recvmmsg(). */
#define MAX_ROUNDS 8            /* Full batches read per poll() wake-up. */
#define FRAME_BUF (VNET_HLEN + 65536 + 1024)  /* One received VM frame. */
#define UDP_BUF 65536           /* One received (GRO) datagram. */
#define MAX_UDP_PAYLOAD 65507   /* 65535 - IPv4 - UDP headers. */
#define MAX_UDP_SEGS 64         /* Segments per UDP GSO send (kernel). */
#define MAX_SEGS 256            /* Segments one frame or datagram holds. */
#define HDR_ROOM 160            /* Geneve + Ethernet + IPv4 + TCP, max. */
#define SOCK_BUF (16 << 20)     /* Socket buffers: room for big frames. */

/* Messages gathered for one sendmmsg(): their iovecs, the header blocks
 * and control messages they point to.  The payload iovecs point into the
 * receive buffers, which stay untouched until tx_batch_flush(). */
struct tx_batch {
    int fd;                     /* Socket the batch is sent on. */
    struct mmsghdr msgs[2 * BATCH + 64];   /* Messages, n_msgs used. */
    int n_msgs;                 /* Messages in 'msgs'. */
    struct iovec iovs[4 * MAX_SEGS + 4 * BATCH];  /* n_iovs used. */
    int n_iovs;                 /* Iovecs in 'iovs'. */
    uint8_t (*hdrs)[HDR_ROOM];  /* 2 * MAX_SEGS header blocks (owned). */
    int n_hdrs;                 /* Header blocks in use. */
    union {
        char buf[CMSG_SPACE(sizeof(uint16_t))];  /* One UDP_SEGMENT. */
        struct cmsghdr align;   /* Alignment only. */
    } cmsgs[2 * BATCH + 64];    /* Control message of msgs[i]. */
    struct virtio_net_hdr vnets[2 * BATCH + 64];  /* Header of msgs[i]. */
    uint64_t *n_sent;           /* Counter of messages sent. */
    uint64_t *n_errors;         /* Counter of messages that failed. */
};

/* Counters, printed as JSON at exit. */
struct counters {
    uint64_t vm_rx_frames;      /* Frames received from the VM port. */
    uint64_t vm_rx_gso;         /* ... of which TCP GSO frames. */
    uint64_t vm_rx_csum;        /* ... non-GSO with a checksum finished. */
    uint64_t vm_rx_drops;       /* ... dropped (truncated, unsupported). */
    uint64_t vm_rx_kernel_drops;  /* Dropped by the kernel: queue full. */
    uint64_t tun_tx_msgs;       /* UDP sends (a GSO send counts once). */
    uint64_t tun_tx_segments;   /* Tunnel packets in them. */
    uint64_t tun_tx_errors;     /* UDP sends that failed. */
    uint64_t tun_rx_datagrams;  /* UDP datagrams received (GRO: one). */
    uint64_t tun_rx_segments;   /* Tunnel packets in them. */
    uint64_t tun_rx_coalesced;  /* Datagrams delivered as one GSO frame. */
    uint64_t tun_rx_drops;      /* Tunnel packets dropped (bad header). */
    uint64_t tun_rx_kernel_drops;  /* Dropped by the kernel: queue full. */
    uint64_t vm_tx_frames;      /* Frames sent to the VM port. */
    uint64_t vm_tx_gso;         /* ... of which TCP GSO frames. */
    uint64_t vm_tx_errors;      /* Frame sends that failed. */
};

/* The forwarder's state. */
struct floor {
    int pkt_fd;                 /* AF_PACKET socket on the VM port. */
    int udp_fd;                 /* UDP socket, local:6081 <-> remote. */
    uint8_t geneve[GENEVE_HLEN];  /* The Geneve header (VNI) we send. */
    uint8_t (*frames)[FRAME_BUF];  /* BATCH VM frame buffers (owned). */
    uint8_t (*dgrams)[UDP_BUF];    /* BATCH datagram buffers (owned). */
    struct tx_batch to_tun;     /* Messages for the UDP socket. */
    struct tx_batch to_vm;      /* Messages for the AF_PACKET socket. */
    bool csum;                  /* --csum: write and verify TCP checksums. */
    struct counters c;          /* Counters. */
};

/* Whether the TCP/IPv4 checksum of the segment whose IPv4 header is at
 * 'ip', TCP header at 'tcp' ('tcp_hlen' bytes) and payload at 'payload'
 * ('plen' bytes) is right (--csum). */
static bool
tcp4_csum_ok(const uint8_t *ip, const uint8_t *tcp, size_t tcp_hlen,
             const uint8_t *payload, size_t plen)
{
    be32 src, dst;

    memcpy(&src, ip + 12, 4);
    memcpy(&dst, ip + 16, 4);
    uint32_t sum = packet_csum_pseudo_ipv4(src, dst, IPPROTO_TCP,
                                           tcp_hlen + plen);
    sum = packet_csum_add(sum, tcp, tcp_hlen);
    sum = packet_csum_add(sum, payload, plen);
    return !packet_csum_fold(sum);
}

static volatile sig_atomic_t stop_requested;  /* Set by SIGTERM/SIGINT. */

static void
on_signal(int sig)
{
    (void) sig;
    stop_requested = 1;
}

static void
die(const char *what)
{
    fprintf(stderr, "geneve-floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *
xcalloc_or_die(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        die("calloc");
    }
    return p;
}

/* ----------------------------------------------------------- checksums */

/* Adds the 16-bit big-endian words of 'size' bytes at 'p' to 'sum'. */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t size)
{
    while (size >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        sum += (w & 0xffffffff) + (w >> 32);
        p += 8;
        size -= 8;
    }
    while (size >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        sum += w;
        p += 2;
        size -= 2;
    }
    if (size) {
        uint16_t w = 0;
        memcpy(&w, p, 1);
        sum += w;
    }
    return sum;
}

/* Folds 'sum' (words in network order, as added by csum_add()) to 16
 * bits, not complemented. */
static uint16_t
csum_fold(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* Rewrites the checksum of the IPv4 header at 'ip' ('ihl' bytes). */
static void
ip_set_csum(uint8_t *ip, size_t ihl)
{
    uint16_t c;
    memset(ip + 10, 0, 2);
    c = ~csum_fold(csum_add(0, ip, ihl));
    memcpy(ip + 10, &c, 2);
}

/* The TCP/IPv4 pseudo-header sum, folded, not complemented, for a TCP
 * header and payload of 'tcp_len' bytes after the IPv4 header 'ip': the
 * value a partial checksum's field holds. */
static uint16_t
tcp_pseudo_csum(const uint8_t *ip, size_t tcp_len)
{
    uint64_t sum = csum_add(0, ip + 12, 8);
    sum += htons(IPPROTO_TCP) + htons(tcp_len);
    return csum_fold(sum);
}

/* ----------------------------------------------------------- tx batches */

static void
tx_batch_init(struct tx_batch *b, int fd, uint64_t *n_sent,
              uint64_t *n_errors)
{
    memset(b, 0, sizeof *b);
    b->fd = fd;
    b->hdrs = xcalloc_or_die(2 * MAX_SEGS, HDR_ROOM);
    b->n_sent = n_sent;
    b->n_errors = n_errors;
}

/* Whether 'b' has room for 'n_msgs' more messages with 'n_iovs' iovecs and
 * 'n_hdrs' header blocks. */
static bool
tx_batch_room(const struct tx_batch *b, int n_msgs, int n_iovs, int n_hdrs)
{
    return (b->n_msgs + n_msgs <= (int) (sizeof b->msgs / sizeof *b->msgs)
            && b->n_iovs + n_iovs <= (int) (sizeof b->iovs / sizeof *b->iovs)
            && b->n_hdrs + n_hdrs <= 2 * MAX_SEGS);
}

/* Sends every message of 'b' (blocking) and empties it.  A message the
 * kernel refuses is counted and skipped. */
static void
tx_batch_flush(struct tx_batch *b)
{
    int i = 0;
    while (i < b->n_msgs) {
        int n = sendmmsg(b->fd, b->msgs + i, b->n_msgs - i, 0);
        if (n > 0) {
            *b->n_sent += n;
            i += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            (*b->n_errors)++;
            i++;
        }
    }
    b->n_msgs = b->n_iovs = b->n_hdrs = 0;
}

/* Starts a message in 'b' whose iovecs are the next ones added; returns
 * it.  The caller checked tx_batch_room(). */
static struct msghdr *
tx_batch_msg(struct tx_batch *b)
{
    struct msghdr *m = &b->msgs[b->n_msgs].msg_hdr;
    memset(m, 0, sizeof *m);
    m->msg_iov = &b->iovs[b->n_iovs];
    b->n_msgs++;
    return m;
}

/* Appends an iovec of 'size' bytes at 'p' to the last message of 'b'. */
static void
tx_batch_iov(struct tx_batch *b, const void *p, size_t size)
{
    struct iovec *iov = &b->iovs[b->n_iovs++];
    iov->iov_base = (void *) p;
    iov->iov_len = size;
    b->msgs[b->n_msgs - 1].msg_hdr.msg_iovlen++;
}

/* --------------------------------------------------------- VM -> tunnel */

/* Queues the TCP/IPv4 GSO frame 'frame' ('size' bytes, segment payload
 * 'mss') as UDP GSO sends of Geneve segments.  Returns 1 if it did, 0 if
 * the frame holds at most one segment (the caller sends it as it is), -1
 * if it is not one this can cut (the caller drops it). */
static int
vm_gso_frame(struct floor *f, uint8_t *frame, size_t size, size_t mss)
{
    struct tx_batch *b = &f->to_tun;
    size_t ihl, l4, hlen, payload, n_segs, seg_size, per_chunk, n_chunks;
    uint16_t id0;
    uint32_t seq0;

    if (size < ETH_HLEN_ + 20 || frame[12] != 0x08 || frame[13] != 0x00
        || frame[14] >> 4 != 4 || frame[ETH_HLEN_ + 9] != IPPROTO_TCP
        || !mss) {
        return -1;
    }
    ihl = (frame[14] & 0xf) * 4;
    l4 = ETH_HLEN_ + ihl;
    if (ihl < 20 || size < l4 + 20) {
        return -1;
    }
    hlen = l4 + (frame[l4 + 12] >> 4) * 4;
    if (hlen < l4 + 20 || hlen > size || GENEVE_HLEN + hlen > HDR_ROOM) {
        return -1;
    }
    payload = size - hlen;
    n_segs = (payload + mss - 1) / mss;
    if (n_segs <= 1) {
        return 0;
    }
    if (n_segs > MAX_SEGS) {
        return -1;
    }
    seg_size = GENEVE_HLEN + hlen + mss;
    per_chunk = MAX_UDP_PAYLOAD / seg_size;
    if (per_chunk > MAX_UDP_SEGS) {
        per_chunk = MAX_UDP_SEGS;
    }
    if (!per_chunk) {
        return -1;
    }
    /* Even chunks, so that no chunk is a lone segment: the receiver hands
     * a lone segment to its VM as a finished frame, and this one's TCP
     * checksum is not. */
    n_chunks = (n_segs + per_chunk - 1) / per_chunk;
    per_chunk = (n_segs + n_chunks - 1) / n_chunks;
    if (!tx_batch_room(b, n_chunks, 2 * n_segs, n_segs)) {
        tx_batch_flush(b);
    }

    memcpy(&id0, frame + ETH_HLEN_ + 4, 2);
    id0 = ntohs(id0);
    memcpy(&seq0, frame + l4 + 4, 4);
    seq0 = ntohl(seq0);
    for (size_t i = 0; i < n_segs; i++) {
        uint8_t *h = b->hdrs[b->n_hdrs++];
        uint8_t *ip = h + GENEVE_HLEN + ETH_HLEN_;
        uint8_t *tcp = h + GENEVE_HLEN + l4;
        size_t plen = i + 1 < n_segs ? mss : payload - i * mss;
        uint16_t v16;
        uint32_t v32;

        if (i % per_chunk == 0) {
            struct msghdr *m = tx_batch_msg(b);
            struct cmsghdr *cm;
            uint16_t gso = seg_size;

            m->msg_control = b->cmsgs[b->n_msgs - 1].buf;
            m->msg_controllen = CMSG_SPACE(sizeof gso);
            cm = CMSG_FIRSTHDR(m);
            cm->cmsg_level = SOL_UDP;
            cm->cmsg_type = UDP_SEGMENT;
            cm->cmsg_len = CMSG_LEN(sizeof gso);
            memcpy(CMSG_DATA(cm), &gso, sizeof gso);
        }
        memcpy(h, f->geneve, GENEVE_HLEN);
        memcpy(h + GENEVE_HLEN, frame, hlen);
        v16 = htons(ihl + (hlen - l4) + plen);
        memcpy(ip + 2, &v16, 2);
        v16 = htons((uint16_t) (id0 + i));
        memcpy(ip + 4, &v16, 2);
        ip_set_csum(ip, ihl);
        v32 = htonl(seq0 + (uint32_t) (i * mss));
        memcpy(tcp + 4, &v32, 4);
        if (i + 1 < n_segs) {
            tcp[13] &= ~(TH_FIN | TH_PUSH);
        }
        if (i) {
            tcp[13] &= ~0x80;   /* CWR only on the first segment. */
        }
        if (f->csum) {
            be32 src, dst;
            be16 c;

            memcpy(&src, ip + 12, 4);
            memcpy(&dst, ip + 16, 4);
            memset(tcp + 16, 0, 2);
            uint32_t sum = packet_csum_pseudo_ipv4(src, dst, IPPROTO_TCP,
                                                   hlen - l4 + plen);
            sum = packet_csum_add(sum, tcp, hlen - l4);
            sum = packet_csum_add(sum, frame + hlen + i * mss, plen);
            c = packet_csum_fold(sum);
            memcpy(tcp + 16, &c, 2);
        }
        tx_batch_iov(b, h, GENEVE_HLEN + hlen);
        tx_batch_iov(b, frame + hlen + i * mss, plen);
    }
    f->c.vm_rx_gso++;
    f->c.tun_tx_segments += n_segs;
    return 1;
}

/* Finishes the partial checksum of 'frame' ('size' bytes) that 'vh'
 * describes.  Returns false if 'vh' points outside the frame. */
static bool
finish_csum(uint8_t *frame, size_t size, const struct virtio_net_hdr *vh)
{
    size_t start = vh->csum_start, off = start + vh->csum_offset;
    uint16_t c;

    if (start >= size || off + 2 > size) {
        return false;
    }
    c = ~csum_fold(csum_add(0, frame + start, size - start));
    memcpy(frame + off, &c, 2);
    return true;
}

/* Handles one received VM frame: 'buf' holds the virtio-net header and the
 * frame, 'size' bytes in all. */
static void
vm_frame(struct floor *f, uint8_t *buf, size_t size)
{
    struct virtio_net_hdr vh;
    uint8_t *frame = buf + VNET_HLEN;
    size_t fsize;
    struct tx_batch *b = &f->to_tun;

    f->c.vm_rx_frames++;
    if (size < VNET_HLEN + ETH_HLEN_) {
        f->c.vm_rx_drops++;
        return;
    }
    memcpy(&vh, buf, sizeof vh);
    fsize = size - VNET_HLEN;
    if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        if ((vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN)
            != VIRTIO_NET_HDR_GSO_TCPV4) {
            f->c.vm_rx_drops++;
            return;
        }
        int r = vm_gso_frame(f, frame, fsize, vh.gso_size);
        if (r) {
            f->c.vm_rx_drops += r < 0;
            return;
        }
        /* At most one segment: sent whole, checksum finished below. */
    }
    if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        if (!finish_csum(frame, fsize, &vh)) {
            f->c.vm_rx_drops++;
            return;
        }
        f->c.vm_rx_csum++;
    }
    if (!tx_batch_room(b, 1, 2, 0)) {
        tx_batch_flush(b);
    }
    tx_batch_msg(b);
    tx_batch_iov(b, f->geneve, GENEVE_HLEN);
    tx_batch_iov(b, frame, fsize);
    f->c.tun_tx_segments++;
}

/* Reads and forwards what the VM port has; returns when it has nothing
 * more or after MAX_ROUNDS full batches. */
static void
vm_rx(struct floor *f)
{
    struct mmsghdr msgs[BATCH];
    struct iovec iovs[BATCH];

    for (int round = 0; round < MAX_ROUNDS; round++) {
        int n;

        memset(msgs, 0, sizeof msgs);
        for (int i = 0; i < BATCH; i++) {
            iovs[i].iov_base = f->frames[i];
            iovs[i].iov_len = FRAME_BUF;
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        n = recvmmsg(f->pkt_fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                die("recvmmsg (VM port)");
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
                f->c.vm_rx_frames++;
                f->c.vm_rx_drops++;
                continue;
            }
            vm_frame(f, f->frames[i], msgs[i].msg_len);
        }
        tx_batch_flush(&f->to_tun);
        if (n < BATCH) {
            return;
        }
    }
}

/* --------------------------------------------------------- tunnel -> VM */

/* A tunnel packet's inner frame. */
struct seg {
    uint8_t *p;                 /* Inner Ethernet frame. */
    size_t size;                /* Its size in bytes. */
};

/* Whether the inner headers of 's' equal those of 's0' ('hlen' bytes, IPv4
 * header at 14 of 'ihl' bytes, TCP after it) outside the fields that
 * differ between segments: IP length, id, checksum; TCP sequence number,
 * flags, checksum. */
static bool
same_headers(const uint8_t *s, const uint8_t *s0, size_t ihl, size_t hlen)
{
    size_t l4 = ETH_HLEN_ + ihl;
    return (!memcmp(s, s0, ETH_HLEN_ + 2)
            && !memcmp(s + ETH_HLEN_ + 6, s0 + ETH_HLEN_ + 6, 4)
            && !memcmp(s + ETH_HLEN_ + 12, s0 + ETH_HLEN_ + 12, ihl - 12)
            && !memcmp(s + l4, s0 + l4, 4)
            && !memcmp(s + l4 + 8, s0 + l4 + 8, 5)
            && !memcmp(s + l4 + 14, s0 + l4 + 14, 2)
            && !memcmp(s + l4 + 18, s0 + l4 + 18, hlen - l4 - 18));
}

/* Queues 'segs' (n >= 2) as one TCP GSO frame for the VM if they are
 * consecutive segments of one TCP/IPv4 flow with identical headers;
 * returns false, having changed nothing, if they are not. */
static bool
coalesce(struct floor *f, struct seg *segs, size_t n)
{
    struct tx_batch *b = &f->to_vm;
    uint8_t *s0 = segs[0].p, *ip, *tcp;
    size_t ihl, l4, hlen, tot, mss, total;
    uint32_t seq0;
    uint16_t v16;
    uint8_t last_flags;
    struct virtio_net_hdr *vh;

    if (segs[0].size < ETH_HLEN_ + 40 || s0[12] != 0x08 || s0[13] != 0x00
        || s0[14] >> 4 != 4 || s0[ETH_HLEN_ + 9] != IPPROTO_TCP
        || (s0[ETH_HLEN_ + 6] & 0x3f) || s0[ETH_HLEN_ + 7]) {
        return false;
    }
    ihl = (s0[14] & 0xf) * 4;
    l4 = ETH_HLEN_ + ihl;
    if (ihl < 20 || segs[0].size < l4 + 20) {
        return false;
    }
    hlen = l4 + (s0[l4 + 12] >> 4) * 4;
    if (hlen < l4 + 20 || hlen > segs[0].size) {
        return false;
    }
    memcpy(&v16, s0 + ETH_HLEN_ + 2, 2);
    tot = ntohs(v16);
    if (ETH_HLEN_ + tot > segs[0].size || ETH_HLEN_ + tot <= hlen) {
        return false;
    }
    mss = ETH_HLEN_ + tot - hlen;
    memcpy(&seq0, s0 + l4 + 4, 4);
    seq0 = ntohl(seq0);
    total = mss;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = segs[i].p;
        uint8_t flags, allowed = TH_ACK | TH_PUSH | (i + 1 == n ? TH_FIN : 0);
        size_t plen;
        uint32_t seq;

        if (segs[i].size < hlen) {
            return false;
        }
        flags = s[l4 + 13];
        if (!(flags & TH_ACK) || (flags & ~allowed)) {
            return false;
        }
        if (!i) {
            continue;
        }
        if (!same_headers(s, s0, ihl, hlen)) {
            return false;
        }
        memcpy(&v16, s + ETH_HLEN_ + 2, 2);
        plen = ETH_HLEN_ + ntohs(v16);
        if (plen > segs[i].size || plen <= hlen) {
            return false;
        }
        plen -= hlen;
        if (i + 1 < n ? plen != mss : plen > mss) {
            return false;
        }
        memcpy(&seq, s + l4 + 4, 4);
        if (ntohl(seq) != seq0 + (uint32_t) total) {
            return false;
        }
        total += plen;
    }
    if (hlen - ETH_HLEN_ + total > 65535) {
        return false;
    }
    for (size_t i = 0; f->csum && i < n; i++) {
        size_t plen = i + 1 < n ? mss : total - (n - 1) * mss;

        if (!tcp4_csum_ok(segs[i].p + ETH_HLEN_, segs[i].p + l4, hlen - l4,
                          segs[i].p + hlen, plen)) {
            return false;
        }
    }
    if (!tx_batch_room(b, 1, n + 1, 0)) {
        tx_batch_flush(b);
    }

    /* The first segment's headers become the GSO frame's. */
    ip = s0 + ETH_HLEN_;
    tcp = s0 + l4;
    last_flags = segs[n - 1].p[l4 + 13];
    v16 = htons(hlen - ETH_HLEN_ + total);
    memcpy(ip + 2, &v16, 2);
    ip_set_csum(ip, ihl);
    tcp[13] = (tcp[13] & ~(TH_PUSH | TH_FIN))
              | (last_flags & (TH_PUSH | TH_FIN));
    v16 = tcp_pseudo_csum(ip, hlen - l4 + total);
    memcpy(tcp + 16, &v16, 2);

    tx_batch_msg(b);
    vh = &b->vnets[b->n_msgs - 1];
    memset(vh, 0, sizeof *vh);
    vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    vh->gso_size = mss;
    vh->hdr_len = hlen;
    vh->csum_start = l4;
    vh->csum_offset = 16;
    tx_batch_iov(b, vh, sizeof *vh);
    tx_batch_iov(b, s0, hlen + mss);
    for (size_t i = 1; i < n; i++) {
        size_t plen = i + 1 < n ? mss : total - (n - 1) * mss;
        tx_batch_iov(b, segs[i].p + hlen, plen);
    }
    f->c.tun_rx_coalesced++;
    f->c.vm_tx_gso++;
    return true;
}

/* Returns the size of the Geneve header at 'p' ('size' bytes) if it is
 * one for us (version 0, not a control packet, Ethernet payload, our
 * VNI), else 0. */
static size_t
geneve_parse(const struct floor *f, const uint8_t *p, size_t size)
{
    size_t hlen;

    if (size < GENEVE_HLEN || p[0] >> 6 || (p[1] & 0x80)
        || p[2] != 0x65 || p[3] != 0x58
        || memcmp(p + 4, f->geneve + 4, 3)) {
        return 0;
    }
    hlen = GENEVE_HLEN + (p[0] & 0x3f) * 4;
    return hlen + ETH_HLEN_ <= size ? hlen : 0;
}

/* Handles one received datagram of 'size' bytes at 'p' whose segments are
 * 'gso' bytes each (0: one segment). */
static void
tun_datagram(struct floor *f, uint8_t *p, size_t size, size_t gso)
{
    static const struct virtio_net_hdr zero_vh;
    struct tx_batch *b = &f->to_vm;
    struct seg segs[MAX_SEGS];
    size_t n = 0;

    f->c.tun_rx_datagrams++;
    if (!gso || gso > size) {
        gso = size;
    }
    for (size_t off = 0; off < size; off += gso) {
        size_t len = size - off < gso ? size - off : gso;
        size_t hlen = geneve_parse(f, p + off, len);

        f->c.tun_rx_segments++;
        if (!hlen || n >= MAX_SEGS) {
            f->c.tun_rx_drops++;
            continue;
        }
        segs[n].p = p + off + hlen;
        segs[n].size = len - hlen;
        n++;
    }
    if (n >= 2 && coalesce(f, segs, n)) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!tx_batch_room(b, 1, 2, 0)) {
            tx_batch_flush(b);
        }
        tx_batch_msg(b);
        tx_batch_iov(b, &zero_vh, sizeof zero_vh);
        tx_batch_iov(b, segs[i].p, segs[i].size);
    }
}

/* Reads and forwards what the tunnel socket has; returns when it has
 * nothing more or after MAX_ROUNDS full batches. */
static void
tun_rx(struct floor *f)
{
    struct mmsghdr msgs[BATCH];
    struct iovec iovs[BATCH];
    union {
        char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } cmsgs[BATCH];

    for (int round = 0; round < MAX_ROUNDS; round++) {
        int n;

        memset(msgs, 0, sizeof msgs);
        for (int i = 0; i < BATCH; i++) {
            iovs[i].iov_base = f->dgrams[i];
            iovs[i].iov_len = UDP_BUF;
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = cmsgs[i].buf;
            msgs[i].msg_hdr.msg_controllen = sizeof cmsgs[i].buf;
        }
        n = recvmmsg(f->udp_fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EINTR
                && errno != ECONNREFUSED) {
                die("recvmmsg (tunnel)");
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            struct msghdr *m = &msgs[i].msg_hdr;
            size_t gso = 0;

            if (m->msg_flags & MSG_TRUNC) {
                f->c.tun_rx_datagrams++;
                f->c.tun_rx_drops++;
                continue;
            }
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm;
                 cm = CMSG_NXTHDR(m, cm)) {
                if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
                    int v;
                    memcpy(&v, CMSG_DATA(cm), sizeof v);
                    gso = v > 0 ? v : 0;
                } else if (cm->cmsg_level == SOL_SOCKET
                           && cm->cmsg_type == SO_RXQ_OVFL) {
                    uint32_t v;
                    memcpy(&v, CMSG_DATA(cm), sizeof v);
                    f->c.tun_rx_kernel_drops = v;
                }
            }
            tun_datagram(f, f->dgrams[i], msgs[i].msg_len, gso);
        }
        tx_batch_flush(&f->to_vm);
        if (n < BATCH) {
            return;
        }
    }
}

/* ---------------------------------------------------------------- setup */

static void
set_int(int fd, int level, int name, int value, const char *what)
{
    if (setsockopt(fd, level, name, &value, sizeof value) < 0) {
        die(what);
    }
}

/* Sets a socket buffer to SOCK_BUF, beyond the sysctl limit if allowed. */
static void
set_buf(int fd, int force_name, int name)
{
    int v = SOCK_BUF;
    if (setsockopt(fd, SOL_SOCKET, force_name, &v, sizeof v) < 0) {
        setsockopt(fd, SOL_SOCKET, name, &v, sizeof v);
    }
}

static int
open_packet(const char *dev)
{
    struct sockaddr_ll sll;
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    int ifindex = if_nametoindex(dev);

    if (fd < 0) {
        die("socket(AF_PACKET)");
    }
    if (!ifindex) {
        die(dev);
    }
    set_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
    set_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1,
            "PACKET_IGNORE_OUTGOING");
    set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        die("bind(AF_PACKET)");
    }
    return fd;
}

static int
open_udp(struct in_addr local, struct in_addr remote)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0) {
        die("socket(UDP)");
    }
    set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    set_int(fd, SOL_UDP, UDP_GRO, 1, "UDP_GRO");
    set_int(fd, SOL_SOCKET, SO_RXQ_OVFL, 1, "SO_RXQ_OVFL");
    set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(GENEVE_PORT);
    sin.sin_addr = local;
    if (bind(fd, (struct sockaddr *) &sin, sizeof sin) < 0) {
        die("bind(UDP)");
    }
    sin.sin_addr = remote;
    if (connect(fd, (struct sockaddr *) &sin, sizeof sin) < 0) {
        die("connect(UDP)");
    }
    return fd;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
print_counters(const struct counters *c)
{
    printf("{\"vm_rx_frames\": %" PRIu64 ", \"vm_rx_gso\": %" PRIu64
           ", \"vm_rx_csum\": %" PRIu64 ", \"vm_rx_drops\": %" PRIu64
           ", \"vm_rx_kernel_drops\": %" PRIu64
           ", \"tun_tx_msgs\": %" PRIu64 ", \"tun_tx_segments\": %" PRIu64
           ", \"tun_tx_errors\": %" PRIu64
           ", \"tun_rx_datagrams\": %" PRIu64
           ", \"tun_rx_segments\": %" PRIu64
           ", \"tun_rx_coalesced\": %" PRIu64
           ", \"tun_rx_drops\": %" PRIu64
           ", \"tun_rx_kernel_drops\": %" PRIu64
           ", \"vm_tx_frames\": %" PRIu64
           ", \"vm_tx_gso\": %" PRIu64 ", \"vm_tx_errors\": %" PRIu64
           "}\n",
           c->vm_rx_frames, c->vm_rx_gso, c->vm_rx_csum, c->vm_rx_drops,
           c->vm_rx_kernel_drops, c->tun_tx_msgs, c->tun_tx_segments,
           c->tun_tx_errors, c->tun_rx_datagrams, c->tun_rx_segments,
           c->tun_rx_coalesced, c->tun_rx_drops, c->tun_rx_kernel_drops,
           c->vm_tx_frames, c->vm_tx_gso,
           c->vm_tx_errors);
    fflush(stdout);
}

static void
usage(void)
{
    fprintf(stderr, "usage: geneve-floor --vm-dev DEV --local IP "
            "--remote IP [--vni N] [--seconds S] [--csum]\n");
    exit(2);
}

int
main(int argc, char *argv[])
{
    static const struct option opts[] = {
        {"vm-dev", required_argument, NULL, 'd'},
        {"local", required_argument, NULL, 'l'},
        {"remote", required_argument, NULL, 'r'},
        {"vni", required_argument, NULL, 'v'},
        {"seconds", required_argument, NULL, 's'},
        {"csum", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *dev = NULL;
    struct in_addr local = {0}, remote = {0};
    bool have_local = false, have_remote = false;
    double seconds = 600, deadline;
    bool csum = false;
    unsigned long vni = 0;
    struct floor *f;
    struct sigaction sa;
    int opt;

    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            dev = optarg;
            break;
        case 'l':
            have_local = inet_pton(AF_INET, optarg, &local) == 1;
            break;
        case 'r':
            have_remote = inet_pton(AF_INET, optarg, &remote) == 1;
            break;
        case 'v':
            vni = strtoul(optarg, NULL, 0);
            break;
        case 's':
            seconds = strtod(optarg, NULL);
            break;
        case 'c':
            csum = true;
            break;
        default:
            usage();
        }
    }
    if (!dev || !have_local || !have_remote || vni > 0xffffff
        || optind != argc) {
        usage();
    }

    f = xcalloc_or_die(1, sizeof *f);
    f->csum = csum;
    f->geneve[2] = 0x65;        /* Protocol: Transparent Ethernet. */
    f->geneve[3] = 0x58;
    f->geneve[4] = vni >> 16;
    f->geneve[5] = vni >> 8;
    f->geneve[6] = vni;
    f->frames = xcalloc_or_die(BATCH, FRAME_BUF);
    f->dgrams = xcalloc_or_die(BATCH, UDP_BUF);
    f->pkt_fd = open_packet(dev);
    f->udp_fd = open_udp(local, remote);
    tx_batch_init(&f->to_tun, f->udp_fd, &f->c.tun_tx_msgs,
                  &f->c.tun_tx_errors);
    tx_batch_init(&f->to_vm, f->pkt_fd, &f->c.vm_tx_frames,
                  &f->c.vm_tx_errors);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;  /* No SA_RESTART: poll() returns EINTR. */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    deadline = now_s() + seconds;
    while (!stop_requested) {
        struct pollfd pfds[2] = {
            {.fd = f->pkt_fd, .events = POLLIN},
            {.fd = f->udp_fd, .events = POLLIN},
        };
        double left = deadline - now_s();
        int n;

        if (left <= 0) {
            break;
        }
        n = poll(pfds, 2, left > 1 ? 1000 : (int) (left * 1000) + 1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll");
        }
        if (pfds[0].revents) {
            vm_rx(f);
        }
        if (pfds[1].revents) {
            tun_rx(f);
        }
    }
    {
        struct tpacket_stats st;
        socklen_t len = sizeof st;
        if (!getsockopt(f->pkt_fd, SOL_PACKET, PACKET_STATISTICS, &st,
                        &len)) {
            f->c.vm_rx_kernel_drops = st.tp_drops;
        }
    }
    print_counters(&f->c);
    return 0;
}
