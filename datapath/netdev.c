/* Network devices: the type-independent layer over the backends of
 * netdev-provider.h.  It keeps the rx counters, does in software the
 * offloads a port cannot take before its backend sends, and answers the
 * device property queries with the kernel's interface ioctls. */
#include "datapath/netdev.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/netdev-provider.h"
#include "datapath/packet-csum.h"
#include "datapath/packet.h"
#include "lib/log.h"
#include "lib/strmap.h"

LOG_MODULE(netdev);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

/* Tunnel ports (netdev-tunnel.c). */
extern const struct netdev_class netdev_geneve_class;
extern const struct netdev_class netdev_vxlan_class;
extern const struct netdev_class netdev_gre_class;
/* STT ports (netdev-stt.c). */
extern const struct netdev_class netdev_stt_class;

static const struct netdev_class *const netdev_classes[] = {
    &netdev_afpacket_class,
    &netdev_internal_class,
    &netdev_tap_class,
    &netdev_afxdp_class,
    &netdev_geneve_class,
    &netdev_vxlan_class,
    &netdev_gre_class,
    &netdev_stt_class,
};

/* At most this many segments of one GSO frame: 64 KiB cut into the
 * smallest segments a sane sender uses (IPv4's 576-byte minimum MTU). */
#define NETDEV_MAX_SEGS 128

int
netdev_open(const char *name, const char *type, const struct strmap *options,
            struct netdev **netdevp)
{
    *netdevp = NULL;
    if (strlen(name) >= IFNAMSIZ || !name[0]) {
        return -EINVAL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(netdev_classes); i++) {
        const struct netdev_class *class = netdev_classes[i];

        if (!strcmp(class->type, type)) {
            return class->open(class, name, options, netdevp);
        }
    }
    return -EAFNOSUPPORT;
}

void
netdev_close(struct netdev *netdev)
{
    if (netdev) {
        netdev->class->close(netdev);
    }
}

void
netdev__init(struct netdev *netdev, const struct netdev_class *class,
             const char *name, int n_rxq, uint32_t tx_offloads)
{
    memset(netdev, 0, sizeof *netdev);
    netdev->class = class;
    netdev->name = xstrdup(name);
    netdev->n_rxq = n_rxq;
    netdev->tx_offloads = tx_offloads;
}

void
netdev__uninit(struct netdev *netdev)
{
    free(netdev->name);
    free(netdev->fallback);
}

const char *
netdev_get_name(const struct netdev *netdev)
{
    return netdev->name;
}

const char *
netdev_get_type(const struct netdev *netdev)
{
    return netdev->class->type;
}

int
netdev_n_rxq(const struct netdev *netdev)
{
    return netdev->n_rxq;
}

int
netdev_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    ASSERT(qid >= 0 && qid < netdev->n_rxq);
    ASSERT(batch->count == 0);

    int err = netdev->class->rxq_recv(netdev, qid, batch);
    if (!err) {
        uint64_t bytes = 0, gso = 0;

        for (size_t i = 0; i < batch->count; i++) {
            bytes += batch->packets[i]->size;
            gso += batch->packets[i]->gso != PACKET_GSO_NONE;
        }
        /* One reader per queue, but netdev_get_stats() may read from
         * another thread: atomic adds keep the counters whole. */
        netdev__stats_add(&netdev->stats.rx_packets, batch->count);
        netdev__stats_add(&netdev->stats.rx_bytes, bytes);
        netdev__stats_add(&netdev->stats.rx_gso_packets, gso);
    }
    return err;
}

int
netdev_rxq_fd(const struct netdev *netdev, int qid)
{
    ASSERT(qid >= 0 && qid < netdev->n_rxq);
    return netdev->class->rxq_fd(netdev, qid);
}

uint32_t
netdev_get_tx_offloads(const struct netdev *netdev)
{
    return netdev->tx_offloads;
}

/* Sends 'out' through the backend if it is full or 'force', keeping the
 * first error in '*errp'. */
static void
netdev_flush(struct netdev *netdev, int qid, struct packet_batch *out,
             bool force, int *errp)
{
    if (out->count && (force || out->count == PACKET_BATCH_SIZE)) {
        int err = netdev->class->send(netdev, qid, out);

        if (err && !*errp) {
            *errp = err;
        }
    }
}

/* Cuts the GSO frame 'p' into 'out' (flushing as it fills) and destroys
 * it.  Returns 0 or a negative errno. */
static int
netdev_segment(struct netdev *netdev, int qid, struct packet *p,
               struct packet_batch *out, int *errp)
{
    struct packet *segs[NETDEV_MAX_SEGS];
    int n = packet_csum_segment(p, segs, ARRAY_SIZE(segs));

    packet_destroy(p);
    if (n < 0) {
        return n;
    }
    netdev__stats_add(&netdev->stats.tx_sw_segments, n);
    for (int i = 0; i < n; i++) {
        packet_batch_add(out, segs[i]);
        netdev_flush(netdev, qid, out, false, errp);
    }
    return 0;
}

int
netdev_send(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    uint32_t offloads = netdev->tx_offloads;
    struct packet_batch out;
    int err = 0;

    /* The common case: every packet goes as it is. */
    bool direct = true;
    for (size_t i = 0; i < batch->count && direct; i++) {
        const struct packet *p = batch->packets[i];

        direct = ((p->gso == PACKET_GSO_NONE
                   || (p->gso == PACKET_GSO_UDP_L4
                       ? offloads & NETDEV_TX_USO
                       : offloads & NETDEV_TX_TSO))
                  && (p->csum != PACKET_CSUM_PARTIAL
                      || offloads & NETDEV_TX_CSUM));
    }
    if (direct) {
        return batch->count ? netdev->class->send(netdev, qid, batch) : 0;
    }

    packet_batch_init(&out);
    for (size_t i = 0; i < batch->count; i++) {
        struct packet *p = batch->packets[i];
        bool tso = p->gso == PACKET_GSO_UDP_L4 ? offloads & NETDEV_TX_USO
                                               : offloads & NETDEV_TX_TSO;
        int error = 0;

        if (p->gso != PACKET_GSO_NONE && !tso) {
            error = netdev_segment(netdev, qid, p, &out, &err);
            p = NULL;
        } else if (p->csum == PACKET_CSUM_PARTIAL
                   && !(offloads & NETDEV_TX_CSUM)) {
            error = packet_csum_finish(p);
            netdev__stats_add(&netdev->stats.tx_sw_csum, !error);
        }
        if (error) {
            LOG_WARN_RL(&rl, "%s: dropping a packet: no software offload "
                        "(%s)", netdev->name, strerror(-error));
            netdev__stats_add(&netdev->stats.tx_errors, 1);
            packet_destroy(p);
            err = err ? err : error;
        } else if (p) {
            packet_batch_add(&out, p);
            netdev_flush(netdev, qid, &out, false, &err);
        }
    }
    batch->count = 0;
    netdev_flush(netdev, qid, &out, true, &err);
    return err;
}

void
netdev_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    const uint64_t *src = (const uint64_t *) &netdev->stats;
    uint64_t *dst = (uint64_t *) stats;

    for (size_t i = 0; i < sizeof *stats / sizeof (uint64_t); i++) {
        dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
    }
    if (netdev->class->get_stats) {
        netdev->class->get_stats(netdev, stats);
    }
}

void
netdev_get_status(const struct netdev *netdev, struct strmap *status)
{
    if (netdev->class == &netdev_afpacket_class) {
        strmap_replace(status, "io_backend", "af_packet");
    } else if (netdev->class == &netdev_internal_class
               || netdev->class == &netdev_tap_class) {
        strmap_replace(status, "io_backend", "tap");
    }
    if (netdev->fallback) {
        strmap_replace(status, "io_fallback", netdev->fallback);
    }
    if (netdev->class->get_status) {
        netdev->class->get_status(netdev, status);
    }
}

int
netdev__vnet_to_packet(const struct virtio_net_hdr *vnet, struct packet *p)
{
    if (vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        p->csum = PACKET_CSUM_PARTIAL;
        p->csum_start = vnet->csum_start;
        p->csum_offset = vnet->csum_offset;
    } else if (vnet->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
        p->csum = PACKET_CSUM_VALID;
    } else {
        p->csum = PACKET_CSUM_NONE;
    }

    switch (vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_NONE:
        p->gso = PACKET_GSO_NONE;
        break;
    case VIRTIO_NET_HDR_GSO_TCPV4:
        p->gso = PACKET_GSO_TCPV4;
        break;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        p->gso = PACKET_GSO_TCPV6;
        break;
    case VIRTIO_NET_HDR_GSO_UDP_L4:
        p->gso = PACKET_GSO_UDP_L4;
        break;
    default:
        return -EINVAL;
    }
    p->gso_size = p->gso == PACKET_GSO_NONE ? 0 : vnet->gso_size;
    return 0;
}

void
netdev__packet_to_vnet(const struct packet *p, struct virtio_net_hdr *vnet)
{
    static const uint8_t gso_types[] = {
        [PACKET_GSO_NONE] = VIRTIO_NET_HDR_GSO_NONE,
        [PACKET_GSO_TCPV4] = VIRTIO_NET_HDR_GSO_TCPV4,
        [PACKET_GSO_TCPV6] = VIRTIO_NET_HDR_GSO_TCPV6,
        [PACKET_GSO_UDP_L4] = VIRTIO_NET_HDR_GSO_UDP_L4,
    };

    memset(vnet, 0, sizeof *vnet);
    if (p->csum == PACKET_CSUM_PARTIAL) {
        vnet->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        vnet->csum_start = p->csum_start;
        vnet->csum_offset = p->csum_offset;
        vnet->hdr_len = p->csum_start + p->csum_offset + 2;
    } else if (p->csum == PACKET_CSUM_VALID) {
        vnet->flags = VIRTIO_NET_HDR_F_DATA_VALID;
    }
    if (p->gso != PACKET_GSO_NONE && p->gso < ARRAY_SIZE(gso_types)) {
        vnet->gso_type = gso_types[p->gso];
        vnet->gso_size = p->gso_size;
    }
}

/* Interface ioctls. */

static int ioctl_fd = -1;
static int ioctl_fd_error;
static pthread_once_t ioctl_once = PTHREAD_ONCE_INIT;

static void
ioctl_fd_init(void)
{
    ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ioctl_fd < 0) {
        ioctl_fd_error = -errno;
    }
}

int
netdev__ioctl_fd(void)
{
    pthread_once(&ioctl_once, ioctl_fd_init);
    return ioctl_fd >= 0 ? ioctl_fd : ioctl_fd_error;
}

/* Runs 'cmd' on 'ifr' for device 'name'.  0 or negative errno. */
static int
netdev_ioctl(const char *name, unsigned long cmd, struct ifreq *ifr)
{
    int fd = netdev__ioctl_fd();

    if (fd < 0) {
        return fd;
    }
    strncpy(ifr->ifr_name, name, sizeof ifr->ifr_name - 1);
    ifr->ifr_name[sizeof ifr->ifr_name - 1] = '\0';
    return ioctl(fd, cmd, ifr) < 0 ? -errno : 0;
}

int
netdev_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct ifreq ifr = { 0 };
    int err = netdev_ioctl(netdev->name, SIOCGIFHWADDR, &ifr);

    if (err) {
        return err;
    }
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
        return -EINVAL;
    }
    memcpy(mac, ifr.ifr_hwaddr.sa_data, sizeof *mac);
    return 0;
}

int
netdev_set_etheraddr(struct netdev *netdev, const struct eth_addr *mac)
{
    struct ifreq ifr = { 0 };

    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, sizeof *mac);
    return netdev_ioctl(netdev->name, SIOCSIFHWADDR, &ifr);
}

int
netdev_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct ifreq ifr = { 0 };
    int err = netdev_ioctl(netdev->name, SIOCGIFMTU, &ifr);

    *mtup = err ? 0 : ifr.ifr_mtu;
    return err;
}

int
netdev_get_ifindex(const struct netdev *netdev)
{
    struct ifreq ifr = { 0 };
    int err = netdev_ioctl(netdev->name, SIOCGIFINDEX, &ifr);

    return err ? err : ifr.ifr_ifindex;
}

int
netdev_get_link_state(const struct netdev *netdev, bool *upp,
                      bool *carrierp)
{
    struct ifreq ifr = { 0 };
    int err = netdev_ioctl(netdev->name, SIOCGIFFLAGS, &ifr);
    unsigned int flags = err ? 0 : (unsigned short) ifr.ifr_flags;

    if (upp) {
        *upp = flags & IFF_UP;
    }
    if (carrierp) {
        /* IFF_LOWER_UP lies above the 16 bits of ifr_flags; IFF_RUNNING
         * is the kernel's "operationally up", which needs the carrier. */
        *carrierp = flags & IFF_RUNNING;
    }
    return err;
}

int
netdev__set_up_by_name(const char *name, bool up)
{
    struct ifreq ifr = { 0 };
    int err = netdev_ioctl(name, SIOCGIFFLAGS, &ifr);

    if (err || !(ifr.ifr_flags & IFF_UP) == !up) {
        return err;
    }
    ifr.ifr_flags = up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP;
    return netdev_ioctl(name, SIOCSIFFLAGS, &ifr);
}

int
netdev_set_up(struct netdev *netdev, bool up)
{
    return netdev__set_up_by_name(netdev->name, up);
}
