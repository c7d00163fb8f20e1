/* "system" netdevs: an existing Linux device through AF_PACKET.
 *
 * Receive: a TPACKET_V3 ring (packet(7), the kernel's
 * Documentation/networking/packet_mmap.rst) of AFP_N_BLOCKS blocks, each
 * handed to us whole by the kernel when full or after AFP_BLOCK_TOV_MS.
 * Packets are lent zero-copy: a struct packet's 'base' points at its frame
 * in the ring and its 'pool' at the netdev.  Each block counts the packets
 * lent from it plus one while the reader is still walking it, and goes
 * back to the kernel (TP_STATUS_KERNEL) when the count drops to zero, so
 * the datapath can hold a batch as long as it runs actions on it.  A
 * virtio-net header before each frame (PACKET_VNET_HDR) gives the partial
 * checksum and GSO state, so TCP super-frames cross the switch whole.
 * PACKET_RESERVE leaves PACKET_HEADROOM bytes before each frame for
 * pushing tunnel headers in place.
 *
 * Transmit: sendmmsg() of up to a batch of frames on a second socket,
 * bound with protocol 0 so that it receives nothing, with
 * PACKET_QDISC_BYPASS and, unless "tx-offload" is false, a virtio-net
 * header per frame.  The rx socket ignores outgoing packets
 * (PACKET_IGNORE_OUTGOING), ours included. */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "datapath/netdev-provider.h"
#include "datapath/packet.h"
#include "lib/log.h"
#include "lib/strmap.h"

LOG_MODULE(netdev_afpacket);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* 64 blocks of 128 KiB: 8 MiB per port, room for a 64 KiB GSO frame in
 * every block and for a TCP window in flight. */
#define AFP_BLOCK_SIZE (128 * 1024)
#define AFP_N_BLOCKS 64
#define AFP_FRAME_SIZE 2048     /* Only for the kernel's sanity check. */
#define AFP_BLOCK_TOV_MS 1      /* Latency bound for a part-full block. */
#define AFP_SNDBUF (4 * 1024 * 1024)

/* A packet lent from the ring. */
struct afp_packet {
    struct packet packet;       /* What the datapath sees. */
    uint32_t block;             /* Ring block of the frame, while the
                                 * packet uses it. */
    bool detached;              /* 'packet.base' is a private buffer, the
                                 * block's reference already dropped. */
    struct afp_packet *next_free; /* In netdev_afpacket's 'free_list'. */
};

struct netdev_afpacket {
    struct netdev up;           /* Base; must be first. */
    struct packet_pool pool;    /* 'pool' of every lent packet. */
    int ifindex;                /* The device's, when opened. */
    int rx_fd;                  /* AF_PACKET socket with the rx ring. */
    int tx_fd;                  /* AF_PACKET socket for sendmmsg(). */
    bool tx_vnet;               /* tx_fd has PACKET_VNET_HDR. */

    /* The rx ring, mmap()ed from rx_fd. */
    uint8_t *ring;              /* AFP_N_BLOCKS blocks. */
    uint32_t refs[AFP_N_BLOCKS]; /* Per block: lent packets, plus one
                                  * while 'cur_block' is being read. */

    /* The reader's place in the ring. */
    uint32_t cur_block;         /* Block to read next or being read. */
    bool in_block;              /* 'cur_block' is ours and being read. */
    uint32_t pkts_left;         /* Frames left in 'cur_block'. */
    uint8_t *next_frame;        /* Next frame's tpacket3_hdr in it. */

    struct afp_packet *free_list; /* Structs of returned packets. */
    uint64_t kernel_drops;      /* Sum of PACKET_STATISTICS tp_drops. */
};

static struct netdev_afpacket *
netdev_afpacket_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afpacket, up);
}

static struct tpacket_block_desc *
afp_block(const struct netdev_afpacket *dev, uint32_t block)
{
    return (struct tpacket_block_desc *) (dev->ring
                                          + (size_t) block * AFP_BLOCK_SIZE);
}

/* Drops a reference to 'block', giving it back to the kernel on the last
 * one. */
static void
afp_block_unref(struct netdev_afpacket *dev, uint32_t block)
{
    ASSERT(dev->refs[block] > 0);
    if (!--dev->refs[block]) {
        __atomic_store_n(&afp_block(dev, block)->hdr.bh1.block_status,
                         TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    }
}

static void
afp_release_buffer(struct packet_pool *pool, struct packet *p)
{
    struct netdev_afpacket *dev = CONTAINER_OF(pool, struct netdev_afpacket,
                                               pool);
    struct afp_packet *ap = CONTAINER_OF(p, struct afp_packet, packet);

    if (ap->detached) {
        free(p->base);
    } else {
        ap->detached = true;
        afp_block_unref(dev, ap->block);
    }
}

static void
afp_free_packet(struct packet_pool *pool, struct packet *p)
{
    struct netdev_afpacket *dev = CONTAINER_OF(pool, struct netdev_afpacket,
                                               pool);
    struct afp_packet *ap = CONTAINER_OF(p, struct afp_packet, packet);

    afp_release_buffer(pool, p);
    ap->next_free = dev->free_list;
    dev->free_list = ap;
}

/* Sets up the rx socket and its ring.  0 or negative errno. */
static int
afp_open_rx(struct netdev_afpacket *dev)
{
    int version = TPACKET_V3, one = 1, reserve = PACKET_HEADROOM;
    struct tpacket_req3 req = {
        .tp_block_size = AFP_BLOCK_SIZE,
        .tp_block_nr = AFP_N_BLOCKS,
        .tp_frame_size = AFP_FRAME_SIZE,
        .tp_frame_nr = AFP_BLOCK_SIZE / AFP_FRAME_SIZE * AFP_N_BLOCKS,
        .tp_retire_blk_tov = AFP_BLOCK_TOV_MS,
    };
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = dev->ifindex,
    };
    struct packet_mreq mreq = {
        .mr_ifindex = dev->ifindex,
        .mr_type = PACKET_MR_PROMISC,
    };

    /* Protocol 0 until bound, so no other device's packets get in. */
    dev->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        0);
    if (dev->rx_fd < 0) {
        return -errno;
    }
    if (setsockopt(dev->rx_fd, SOL_PACKET, PACKET_VERSION, &version,
                   sizeof version)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_VNET_HDR, &one,
                      sizeof one)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_RESERVE, &reserve,
                      sizeof reserve)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
                      sizeof one)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_RX_RING, &req,
                      sizeof req)) {
        return -errno;
    }
    dev->ring = mmap(NULL, (size_t) AFP_BLOCK_SIZE * AFP_N_BLOCKS,
                     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     dev->rx_fd, 0);
    if (dev->ring == MAP_FAILED) {
        dev->ring = NULL;
        return -errno;
    }
    if (bind(dev->rx_fd, (struct sockaddr *) &sll, sizeof sll)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq,
                      sizeof mreq)) {
        return -errno;
    }
    return 0;
}

/* Sets up the tx socket.  0 or negative errno. */
static int
afp_open_tx(struct netdev_afpacket *dev)
{
    int one = 1, sndbuf = AFP_SNDBUF;
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = 0,
        .sll_ifindex = dev->ifindex,
    };

    dev->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (dev->tx_fd < 0) {
        return -errno;
    }
    if ((dev->tx_vnet
         && setsockopt(dev->tx_fd, SOL_PACKET, PACKET_VNET_HDR, &one,
                       sizeof one))
        || setsockopt(dev->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
                      sizeof one)
        || bind(dev->tx_fd, (struct sockaddr *) &sll, sizeof sll)) {
        return -errno;
    }
    /* Beyond rmem_max needs CAP_NET_ADMIN; the plain one is a fallback. */
    if (setsockopt(dev->tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
                   sizeof sndbuf)) {
        setsockopt(dev->tx_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
    return 0;
}

static void
afp_close(struct netdev *netdev)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);

    if (dev->ring) {
        munmap(dev->ring, (size_t) AFP_BLOCK_SIZE * AFP_N_BLOCKS);
    }
    if (dev->rx_fd >= 0) {
        close(dev->rx_fd);
    }
    if (dev->tx_fd >= 0) {
        close(dev->tx_fd);
    }
    while (dev->free_list) {
        struct afp_packet *ap = dev->free_list;

        dev->free_list = ap->next_free;
        free(ap);
    }
    netdev__uninit(&dev->up);
    free(dev);
}

static int
afp_open(const struct netdev_class *class, const char *name,
         const struct strmap *options, struct netdev **netdevp)
{
    struct netdev_afpacket *dev = xzalloc(sizeof *dev);
    bool offload = !options || strmap_find_bool(options, "tx-offload", true);
    int err;

    dev->rx_fd = dev->tx_fd = -1;
    dev->tx_vnet = offload;
    dev->pool.free_packet = afp_free_packet;
    dev->pool.release_buffer = afp_release_buffer;
    netdev__init(&dev->up, class, name, 1,
                 offload ? NETDEV_TX_CSUM | NETDEV_TX_TSO | NETDEV_TX_USO
                         : 0);

    dev->ifindex = if_nametoindex(name);
    if (!dev->ifindex) {
        err = -ENODEV;
        goto error;
    }
    err = afp_open_rx(dev);
    if (!err) {
        err = afp_open_tx(dev);
    }
    if (err) {
        goto error;
    }
    *netdevp = &dev->up;
    return 0;

error:
    LOG_WARN("%s: cannot open AF_PACKET port (%s)", name, strerror(-err));
    afp_close(&dev->up);
    return err;
}

/* Takes the next frame's struct, reusing a returned one if there is. */
static struct afp_packet *
afp_packet_get(struct netdev_afpacket *dev)
{
    struct afp_packet *ap = dev->free_list;

    if (ap) {
        dev->free_list = ap->next_free;
    } else {
        ap = xmalloc(sizeof *ap);
    }
    return ap;
}

/* Fills 'ap' to lend the frame at 'h' of the current block.  Returns
 * false if the frame is to be skipped. */
static bool
afp_frame_to_packet(struct netdev_afpacket *dev, struct tpacket3_hdr *h,
                    struct afp_packet *ap)
{
    struct packet *p = &ap->packet;
    const struct virtio_net_hdr *vnet;

    if (h->tp_snaplen < h->tp_len || h->tp_mac < sizeof *vnet) {
        netdev__stats_add(&dev->up.stats.rx_errors, 1);
        return false;
    }
    vnet = (const void *) ((uint8_t *) h + h->tp_mac - sizeof *vnet);

    memset(p, 0, offsetof(struct packet, md));
    memset(&p->md, 0, sizeof p->md);
    p->base = (uint8_t *) h;
    p->pool = &dev->pool;
    p->data_ofs = h->tp_mac;
    p->size = h->tp_snaplen;
    /* No tailroom: the next frame follows. */
    p->allocated = h->tp_mac + h->tp_snaplen;
    p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
    if (netdev__vnet_to_packet(vnet, p)) {
        netdev__stats_add(&dev->up.stats.rx_errors, 1);
        return false;
    }

    /* A VLAN tag the device took off the frame goes back in. */
    if (h->tp_status & TP_STATUS_VLAN_VALID && p->size >= 12) {
        uint16_t tpid = h->tp_status & TP_STATUS_VLAN_TPID_VALID
                        ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
        uint8_t *d = packet_data(p) - 4;
        be16 tag[2] = { htonbe16(tpid), htonbe16(h->hv1.tp_vlan_tci) };

        memmove(d, d + 4, 12);
        memcpy(d + 12, tag, sizeof tag);
        p->data_ofs -= 4;
        p->size += 4;
        if (p->csum == PACKET_CSUM_PARTIAL) {
            p->csum_start += 4;
        }
    }
    return true;
}

/* Ends the reader's walk of the current block. */
static void
afp_block_done(struct netdev_afpacket *dev)
{
    afp_block_unref(dev, dev->cur_block);
    dev->in_block = false;
    dev->cur_block = (dev->cur_block + 1) % AFP_N_BLOCKS;
}

static int
afp_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);

    while (batch->count < PACKET_BATCH_SIZE) {
        if (!dev->in_block) {
            struct tpacket_block_desc *bd = afp_block(dev, dev->cur_block);

            if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
                                  __ATOMIC_ACQUIRE) & TP_STATUS_USER)
                || dev->refs[dev->cur_block]) {
                /* Nothing yet, or the kernel wrapped round to a block
                 * whose packets are still lent (it waits, so do we). */
                break;
            }
            dev->in_block = true;
            dev->refs[dev->cur_block] = 1;
            dev->pkts_left = bd->hdr.bh1.num_pkts;
            dev->next_frame = (uint8_t *) bd
                              + bd->hdr.bh1.offset_to_first_pkt;
        }
        if (!dev->pkts_left) {
            afp_block_done(dev);
            continue;
        }

        /* Everything needed from the frame's header is read before the
         * packet is lent, since pushing headers may overwrite it. */
        struct tpacket3_hdr *h = (struct tpacket3_hdr *) dev->next_frame;
        dev->next_frame += h->tp_next_offset;
        dev->pkts_left--;

        struct afp_packet *ap = afp_packet_get(dev);
        if (afp_frame_to_packet(dev, h, ap)) {
            ap->block = dev->cur_block;
            ap->detached = false;
            dev->refs[dev->cur_block]++;
            packet_batch_add(batch, &ap->packet);
        } else {
            ap->next_free = dev->free_list;
            dev->free_list = ap;
        }
    }
    if (dev->in_block && !dev->pkts_left) {
        afp_block_done(dev);
    }
    return batch->count ? 0 : -EAGAIN;
}

static int
afp_rxq_fd(const struct netdev *netdev, int qid)
{
    return netdev_afpacket_cast(netdev)->rx_fd;
}

static int
afp_send(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    struct virtio_net_hdr vnets[PACKET_BATCH_SIZE];
    struct iovec iovs[PACKET_BATCH_SIZE][2];
    struct mmsghdr msgs[PACKET_BATCH_SIZE];
    size_t n = batch->count, i = 0;
    uint64_t bytes = 0, sent = 0, dropped = 0, errors = 0;
    int err = 0;

    memset(msgs, 0, n * sizeof msgs[0]);
    for (size_t k = 0; k < n; k++) {
        struct packet *p = batch->packets[k];
        struct iovec *iov = iovs[k];

        if (dev->tx_vnet) {
            netdev__packet_to_vnet(p, &vnets[k]);
            iov[0].iov_base = &vnets[k];
            iov[0].iov_len = sizeof vnets[k];
            iov++;
        }
        iov[0].iov_base = packet_data(p);
        iov[0].iov_len = p->size;
        msgs[k].msg_hdr.msg_iov = iovs[k];
        msgs[k].msg_hdr.msg_iovlen = dev->tx_vnet ? 2 : 1;
    }

    while (i < n) {
        int r = sendmmsg(dev->tx_fd, &msgs[i], n - i, MSG_DONTWAIT);

        if (r > 0) {
            for (int k = 0; k < r; k++) {
                bytes += batch->packets[i + k]->size;
            }
            sent += r;
            i += r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
            /* The device or socket is full: the rest waits no better. */
            err = err ? err : -errno;
            dropped += n - i;
            break;
        } else {
            /* This frame is refused (too big, device down): skip it. */
            err = err ? err : (r < 0 ? -errno : -EIO);
            LOG_WARN_RL(&rl, "%s: send failed (%s)", dev->up.name,
                        strerror(-err));
            errors++;
            i++;
        }
    }
    packet_batch_destroy_all(batch);
    netdev__stats_add(&dev->up.stats.tx_packets, sent);
    netdev__stats_add(&dev->up.stats.tx_bytes, bytes);
    netdev__stats_add(&dev->up.stats.tx_dropped, dropped);
    netdev__stats_add(&dev->up.stats.tx_errors, errors);
    return err;
}

static void
afp_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof st;

    /* The kernel's counters reset on each read: accumulate them. */
    if (!getsockopt(dev->rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len)) {
        netdev__stats_add(&dev->kernel_drops, st.tp_drops);
    }
    stats->rx_dropped += __atomic_load_n(&dev->kernel_drops,
                                         __ATOMIC_RELAXED);
}

const struct netdev_class netdev_afpacket_class = {
    .type = "system",
    .open = afp_open,
    .close = afp_close,
    .rxq_recv = afp_rxq_recv,
    .rxq_fd = afp_rxq_fd,
    .send = afp_send,
    .get_stats = afp_get_stats,
};
