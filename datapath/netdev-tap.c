/* "internal" and "tap" netdevs: a Linux tap device read and written
 * through /dev/net/tun (the kernel's Documentation/networking/tuntap.rst).
 *
 * "internal" creates the device, named after the port; it disappears when
 * the netdev closes.  "tap" attaches to an existing (persistent) tap
 * device.  Both open it IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and declare
 * with TUNSETOFFLOAD that we take partial checksums and TSO frames, so the
 * kernel hands TCP super-frames over whole; with "tx-offload" false,
 * neither (plain frames both ways).
 *
 * The fd is non-blocking; receive is a readv() loop of up to a batch into
 * buffers of a free list (lent like the AF_PACKET ring's frames, back on
 * packet_destroy()), send a writev() per frame. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "datapath/netdev-provider.h"
#include "datapath/packet.h"
#include "lib/log.h"
#include "lib/strmap.h"

LOG_MODULE(netdev_tap);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

/* The largest frame a tap hands over: a 64 KiB GSO frame plus Ethernet
 * and two VLAN tags. */
#define TAP_MAX_FRAME (65536 + 14 + 8)
#define TAP_BUF_SIZE (PACKET_HEADROOM + TAP_MAX_FRAME)

/* A receive buffer and the packet that lends it. */
struct tap_packet {
    struct packet packet;       /* What the datapath sees. */
    uint8_t *buf;               /* TAP_BUF_SIZE bytes.  Owned. */
    struct tap_packet *next_free; /* In netdev_tap's 'free_list'. */
};

struct netdev_tap {
    struct netdev up;           /* Base; must be first. */
    struct packet_pool pool;    /* 'pool' of every lent packet. */
    int fd;                     /* /dev/net/tun, attached to the device. */
    bool vnet;                  /* IFF_VNET_HDR is on. */
    struct tap_packet *free_list; /* Buffers not lent out. */
};

static struct netdev_tap *
netdev_tap_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_tap, up);
}

static void
tap_release_buffer(struct packet_pool *pool, struct packet *p)
{
    struct tap_packet *tp = CONTAINER_OF(p, struct tap_packet, packet);

    if (p->base != tp->buf) {
        free(p->base);
    }
    p->base = tp->buf;
}

static void
tap_free_packet(struct packet_pool *pool, struct packet *p)
{
    struct netdev_tap *dev = CONTAINER_OF(pool, struct netdev_tap, pool);
    struct tap_packet *tp = CONTAINER_OF(p, struct tap_packet, packet);

    tap_release_buffer(pool, p);
    tp->next_free = dev->free_list;
    dev->free_list = tp;
}

static void
tap_close(struct netdev *netdev)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);

    if (dev->fd >= 0) {
        close(dev->fd);
    }
    while (dev->free_list) {
        struct tap_packet *tp = dev->free_list;

        dev->free_list = tp->next_free;
        free(tp->buf);
        free(tp);
    }
    netdev__uninit(&dev->up);
    free(dev);
}

/* Opens /dev/net/tun on device 'name' for 'dev'.  0 or negative errno. */
static int
tap_attach(struct netdev_tap *dev, const char *name)
{
    struct ifreq ifr = { 0 };

    dev->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (dev->fd < 0) {
        return -errno;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (dev->vnet ? IFF_VNET_HDR : 0);
    strncpy(ifr.ifr_name, name, sizeof ifr.ifr_name - 1);
    if (ioctl(dev->fd, TUNSETIFF, &ifr) < 0) {
        return -errno;
    }
    if (dev->vnet) {
        int size = sizeof (struct virtio_net_hdr);
        unsigned int offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6
                                | TUN_F_TSO_ECN;

        if (ioctl(dev->fd, TUNSETVNETHDRSZ, &size) < 0
            || ioctl(dev->fd, TUNSETOFFLOAD, offloads) < 0) {
            return -errno;
        }
    }
    return 0;
}

static int
tap_open(const struct netdev_class *class, const char *name,
         const struct strmap *options, struct netdev **netdevp)
{
    struct netdev_tap *dev = xzalloc(sizeof *dev);
    bool offload = !options || strmap_find_bool(options, "tx-offload", true);
    bool create = class == &netdev_internal_class;
    int err;

    dev->fd = -1;
    dev->vnet = offload;
    dev->pool.free_packet = tap_free_packet;
    dev->pool.release_buffer = tap_release_buffer;
    netdev__init(&dev->up, class, name, 1,
                 offload ? NETDEV_TX_CSUM | NETDEV_TX_TSO : 0);

    /* TUNSETIFF creates a missing device and attaches to an existing one:
     * check first which the type asks for. */
    if (create == !!if_nametoindex(name)) {
        err = create ? -EEXIST : -ENODEV;
        goto error;
    }
    err = tap_attach(dev, name);
    if (err) {
        goto error;
    }
    *netdevp = &dev->up;
    return 0;

error:
    LOG_WARN("%s: cannot open %s port (%s)", name, class->type,
             strerror(-err));
    tap_close(&dev->up);
    return err;
}

/* Takes a receive buffer from the free list, or makes one. */
static struct tap_packet *
tap_packet_get(struct netdev_tap *dev)
{
    struct tap_packet *tp = dev->free_list;

    if (tp) {
        dev->free_list = tp->next_free;
    } else {
        tp = xmalloc(sizeof *tp);
        tp->buf = xmalloc(TAP_BUF_SIZE);
    }
    return tp;
}

static int
tap_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    int err = 0;

    while (batch->count < PACKET_BATCH_SIZE) {
        struct tap_packet *tp = tap_packet_get(dev);
        struct packet *p = &tp->packet;
        struct virtio_net_hdr vnet;
        struct iovec iov[2] = {
            { .iov_base = &vnet, .iov_len = sizeof vnet },
            { .iov_base = tp->buf + PACKET_HEADROOM,
              .iov_len = TAP_MAX_FRAME },
        };
        ssize_t n = readv(dev->fd, dev->vnet ? iov : iov + 1,
                          dev->vnet ? 2 : 1);

        tp->next_free = dev->free_list;
        if (n < 0) {
            dev->free_list = tp;
            if (errno == EINTR) {
                continue;
            }
            err = errno == EAGAIN ? 0 : -errno;
            break;
        }
        n -= dev->vnet ? sizeof vnet : 0;

        memset(p, 0, sizeof *p);
        p->base = tp->buf;
        p->pool = &dev->pool;
        p->allocated = TAP_BUF_SIZE;
        p->data_ofs = PACKET_HEADROOM;
        p->size = n;
        p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
        if (n < 14 || (dev->vnet && netdev__vnet_to_packet(&vnet, p))) {
            netdev__stats_add(&dev->up.stats.rx_errors, 1);
            dev->free_list = tp;
            continue;
        }
        packet_batch_add(batch, p);
    }
    if (batch->count) {
        return 0;
    }
    return err ? err : -EAGAIN;
}

static int
tap_rxq_fd(const struct netdev *netdev, int qid)
{
    return netdev_tap_cast(netdev)->fd;
}

static int
tap_send(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    uint64_t bytes = 0, sent = 0, dropped = 0, errors = 0;
    int err = 0;

    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];
        struct virtio_net_hdr vnet;
        struct iovec iov[2] = {
            { .iov_base = &vnet, .iov_len = sizeof vnet },
            { .iov_base = packet_data(p), .iov_len = p->size },
        };
        ssize_t n;

        if (dev->vnet) {
            netdev__packet_to_vnet(p, &vnet);
        }
        do {
            n = writev(dev->fd, dev->vnet ? iov : iov + 1,
                       dev->vnet ? 2 : 1);
        } while (n < 0 && errno == EINTR);

        if (n >= 0) {
            sent++;
            bytes += p->size;
        } else {
            err = err ? err : -errno;
            if (errno == EAGAIN || errno == ENOBUFS) {
                dropped++;
            } else {
                LOG_WARN_RL(&rl, "%s: write failed (%s)", dev->up.name,
                            strerror(errno));
                errors++;
            }
        }
    }
    packet_batch_destroy_all(batch);
    netdev__stats_add(&dev->up.stats.tx_packets, sent);
    netdev__stats_add(&dev->up.stats.tx_bytes, bytes);
    netdev__stats_add(&dev->up.stats.tx_dropped, dropped);
    netdev__stats_add(&dev->up.stats.tx_errors, errors);
    return err;
}

const struct netdev_class netdev_internal_class = {
    .type = "internal",
    .open = tap_open,
    .close = tap_close,
    .rxq_recv = tap_rxq_recv,
    .rxq_fd = tap_rxq_fd,
    .send = tap_send,
};

const struct netdev_class netdev_tap_class = {
    .type = "tap",
    .open = tap_open,
    .close = tap_close,
    .rxq_recv = tap_rxq_recv,
    .rxq_fd = tap_rxq_fd,
    .send = tap_send,
};
