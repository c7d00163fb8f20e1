/* Network devices of the userspace datapath: packet I/O in batches.
 *
 * A netdev is opened by name and type:
 *   "system"    an existing Linux device (a veth end, a NIC), through an
 *               AF_PACKET socket with a TPACKET_V3 rx ring
 *               (netdev-afpacket.c);
 *   "internal"  a tap device that Kiln creates, named after the port, gone
 *               when the netdev closes (netdev-tap.c);
 *   "tap"       an existing tap device, by name (netdev-tap.c);
 *   "afxdp"     an existing Linux device through AF_XDP sockets
 *               (netdev-afxdp.c), or through AF_PACKET as "system" if
 *               AF_XDP cannot be set up there (netdev_get_status() says
 *               which, and why).
 *
 * Receive is zero-copy where the backend allows: the packets of a batch
 * are lent by the netdev (their 'pool' is set) and go back to it when
 * packet_destroy()ed, so the datapath may hold a batch while it runs
 * actions and sends it elsewhere.  A lent packet must be destroyed by the
 * thread that received it (or cloned to travel further), and all of them
 * before the netdev is closed.
 *
 * Offloads: a received packet carries the kernel's offload state (partial
 * checksum, GSO super-frame) in struct packet's csum/gso fields.  On send,
 * a packet whose offloads the port cannot take has its checksum finished
 * or is segmented in software (packet-csum.h) before it leaves.
 *
 * Threads: each rx queue is polled by one thread at a time; netdev_send()
 * may be called from several threads at once with different 'qid's. */
#ifndef DATAPATH_NETDEV_H
#define DATAPATH_NETDEV_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/flow.h"
#include "lib/util.h"

struct netdev;
struct packet_batch;
struct strmap;

/* Counters kept by the netdev itself (what the datapath saw). */
struct netdev_stats {
    uint64_t rx_packets;        /* Frames received (a GSO frame is one). */
    uint64_t rx_bytes;          /* Their bytes, without virtio headers. */
    uint64_t rx_dropped;        /* Dropped before we saw them (ring full). */
    uint64_t rx_errors;         /* Truncated or unreadable frames. */
    uint64_t tx_packets;        /* Frames handed to the kernel. */
    uint64_t tx_bytes;          /* Their bytes. */
    uint64_t tx_dropped;        /* Not sent: queue full, no buffer. */
    uint64_t tx_errors;         /* Not sent: the kernel refused them. */
    uint64_t rx_gso_packets;    /* Received GSO super-frames. */
    uint64_t tx_sw_csum;        /* Checksums finished in software. */
    uint64_t tx_sw_segments;    /* Segments made by software GSO. */
};

/* What a netdev's transmit path accepts (netdev_get_tx_offloads()). */
enum netdev_tx_offload {
    NETDEV_TX_CSUM = 1 << 0,    /* PACKET_CSUM_PARTIAL packets. */
    NETDEV_TX_TSO = 1 << 1,     /* PACKET_GSO_TCPV4 and TCPV6. */
    NETDEV_TX_USO = 1 << 2,     /* PACKET_GSO_UDP_L4. */
};

/* Opens the device 'name' of 'type' ("system", "internal", "tap",
 * "afxdp", ...) and stores it in '*netdevp'.  'options' (may be NULL)
 * tunes it:
 *   "tx-offload"  "false" makes the port send only complete, unsegmented
 *                 frames (software checksum and GSO); default "true".
 *   "xdp-mode"    "afxdp": best-effort (default), native-with-zerocopy,
 *                 native or generic (ovs-vswitchd.conf.db(5)).
 *   "n_rxq"       "afxdp": rx queues (AF_XDP sockets), 1 to 16.
 * An "afxdp" port that cannot have AF_XDP opens as "system" instead
 * (netdev_get_type() then says "system"), with a warning in the log.
 * Returns 0, or a negative errno (-EAFNOSUPPORT for an unknown type) and
 * sets '*netdevp' to NULL.  The caller owns the netdev. */
int netdev_open(const char *name, const char *type,
                const struct strmap *options, struct netdev **netdevp)
    WARN_UNUSED_RESULT;
/* Closes 'netdev' (NULL is fine): its sockets, rings and, for "internal",
 * the device itself.  Every packet it lent must be destroyed already. */
void netdev_close(struct netdev *netdev);

/* The name and type given to netdev_open(). */
const char *netdev_get_name(const struct netdev *);
const char *netdev_get_type(const struct netdev *);

/* The number of rx queues (at least 1). */
int netdev_n_rxq(const struct netdev *);
/* Receives up to PACKET_BATCH_SIZE packets from rx queue 'qid' into
 * 'batch' (which must be empty).  Returns 0 with batch->count > 0, -EAGAIN
 * if nothing is waiting, or another negative errno.  The packets are
 * lent (see the top of this file); the caller destroys them. */
int netdev_rxq_recv(struct netdev *, int qid, struct packet_batch *batch);
/* A file descriptor that polls readable (POLLIN / EPOLLIN) when rx queue
 * 'qid' has packets, so an idle thread can block.  Owned by the netdev. */
int netdev_rxq_fd(const struct netdev *, int qid);

/* Sends every packet of 'batch' on 'netdev' through tx queue 'qid' (any
 * value; queues are per-thread hints), finishing checksums and segmenting
 * in software what the port cannot take.  Takes ownership of the packets
 * and empties 'batch', whatever the result.  Returns 0 if all were sent,
 * else the negative errno of the first failure (the rest still tried). */
int netdev_send(struct netdev *, int qid, struct packet_batch *batch);

/* Flags of enum netdev_tx_offload that 'netdev' accepts on transmit. */
uint32_t netdev_get_tx_offloads(const struct netdev *);

/* Device properties, read from the kernel on each call.  Each returns 0
 * or a negative errno. */
int netdev_get_etheraddr(const struct netdev *, struct eth_addr *);
int netdev_set_etheraddr(struct netdev *, const struct eth_addr *);
int netdev_get_mtu(const struct netdev *, int *mtup);
/* The kernel's ifindex (> 0), or a negative errno. */
int netdev_get_ifindex(const struct netdev *);
/* '*upp': administratively up (IFF_UP); '*carrierp': link detected
 * (IFF_LOWER_UP).  Either pointer may be NULL. */
int netdev_get_link_state(const struct netdev *, bool *upp,
                          bool *carrierp);
/* Brings the device up or down (IFF_UP). */
int netdev_set_up(struct netdev *, bool up);
/* Fills '*stats' with the counters kept since netdev_open(). */
void netdev_get_stats(const struct netdev *, struct netdev_stats *stats);
/* Adds to 'status' (a strmap owned by the caller) what the port uses for
 * packet I/O: "io_backend" ("af_packet", "af_xdp", "tap"; absent for
 * others), for AF_XDP "xdp_mode" (the mode in use) and "n_rxq", and for a
 * port that fell back from the backend its type asked for "io_fallback"
 * with the reason. */
void netdev_get_status(const struct netdev *, struct strmap *status);

#endif /* datapath/netdev.h */
