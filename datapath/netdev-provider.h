/* The backend side of netdev.h: what each packet I/O backend
 * (netdev-afpacket.c, netdev-tap.c) implements, and the base struct it
 * embeds.  Only netdev.c and the backends include this file. */
#ifndef DATAPATH_NETDEV_PROVIDER_H
#define DATAPATH_NETDEV_PROVIDER_H 1

#include <linux/virtio_net.h>
#include <stdint.h>

#include "datapath/netdev.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5  /* Linux 4.18; older uapi headers. */
#endif

struct packet;

struct packet_batch;
struct strmap;

/* The part of every netdev that netdev.c manages; a backend embeds it as
 * its first member and fills it through netdev__init(). */
struct netdev {
    const struct netdev_class *class; /* The backend. */
    char *name;                 /* Device name.  Owned. */
    int n_rxq;                  /* Number of rx queues, >= 1. */
    uint32_t tx_offloads;       /* enum netdev_tx_offload flags. */
    char *fallback;             /* Why this port runs on another backend
                                 * than its type asked for (an "afxdp"
                                 * port on AF_PACKET), or NULL.  Owned;
                                 * set by the backend that fell back. */
    /* Updated with relaxed atomic adds (netdev__stats_add()), since
     * several threads may send at once. */
    struct netdev_stats stats;
};

/* A backend: one per type name. */
struct netdev_class {
    const char *type;           /* "system", "internal", "tap", "afxdp". */

    /* Opens device 'name' with 'options' (may be NULL) and stores a new
     * netdev in '*netdevp' after netdev__init() on its base.  Returns 0
     * or a negative errno. */
    int (*open)(const struct netdev_class *, const char *name,
                const struct strmap *options, struct netdev **netdevp);
    /* Frees 'netdev' and its resources (netdev__uninit() on the base). */
    void (*close)(struct netdev *netdev);

    /* As netdev_rxq_recv(), without the rx counters (netdev.c keeps
     * those). */
    int (*rxq_recv)(struct netdev *, int qid, struct packet_batch *);
    /* As netdev_rxq_fd(). */
    int (*rxq_fd)(const struct netdev *, int qid);
    /* Sends 'batch', whose packets ask only for the offloads in
     * 'tx_offloads' (netdev.c did the rest in software).  Takes ownership
     * of the packets and empties 'batch'; counts tx_packets, tx_bytes,
     * tx_dropped and tx_errors.  Returns 0 or the first negative errno. */
    int (*send)(struct netdev *, int qid, struct packet_batch *);
    /* Adds the backend's own counters (kernel drops) to '*stats'.  May be
     * NULL. */
    void (*get_stats)(const struct netdev *, struct netdev_stats *stats);
    /* Adds the backend's keys to 'status' (netdev_get_status()).  May be
     * NULL. */
    void (*get_status)(const struct netdev *, struct strmap *status);
};

extern const struct netdev_class netdev_afpacket_class;
extern const struct netdev_class netdev_internal_class;
extern const struct netdev_class netdev_tap_class;
extern const struct netdev_class netdev_afxdp_class;

/* Fills the base 'netdev' of a new device of 'class' called 'name'. */
void netdev__init(struct netdev *netdev, const struct netdev_class *class,
                  const char *name, int n_rxq, uint32_t tx_offloads);
/* Frees what netdev__init() allocated. */
void netdev__uninit(struct netdev *netdev);

/* Adds 'n' to the counter at 'counter' (a member of netdev->stats). */
static inline void
netdev__stats_add(uint64_t *counter, uint64_t n)
{
    if (n) {
        __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
    }
}

/* An AF_INET datagram socket for interface ioctls, shared by the whole
 * process (opened on first use), or a negative errno. */
int netdev__ioctl_fd(void);
/* Brings device 'name' up (IFF_UP) if it is not.  0 or negative errno. */
int netdev__set_up_by_name(const char *name, bool up);

/* Sets the offload state of 'p' (csum, csum_start, csum_offset, gso,
 * gso_size) from the virtio-net header 'vnet' that the kernel put before
 * it.  Returns 0, or -EINVAL for a GSO type we cannot carry (UFO). */
int netdev__vnet_to_packet(const struct virtio_net_hdr *vnet,
                           struct packet *p);
/* Fills 'vnet' to hand 'p' to the kernel with its offload state. */
void netdev__packet_to_vnet(const struct packet *p,
                            struct virtio_net_hdr *vnet);

#endif /* datapath/netdev-provider.h */
