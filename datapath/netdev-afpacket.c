/* "system" netdevs: an existing Linux device through AF_PACKET.
 *
 * Receive: a TPACKET_V2 ring (packet(7), the kernel's
 * Documentation/networking/packet_mmap.rst) of AFP_N_FRAMES fixed-size
 * frames, each with its own status word, so the kernel hands over every
 * frame as soon as it is written and wakes a poll()ing thread at once.
 * (TPACKET_V3 hands over only whole blocks, when full or when the block
 * retire timer fires: a lone packet waited up to a timer tick at every
 * switch hop.)  Packets are lent zero-copy: a struct packet's 'base'
 * points at its frame in the ring and its 'pool' at the netdev; the frame
 * goes back to the kernel (TP_STATUS_KERNEL) when the packet is destroyed,
 * so the datapath can hold a batch as long as it runs actions on it.
 *
 * A frame bigger than a ring slot (a TCP or UDP GSO super-frame, a jumbo
 * frame) is not lost: with PACKET_COPY_THRESH the kernel puts the head of
 * it in the slot with TP_STATUS_COPY and queues the whole of it on the
 * socket, where recvmsg() reads it into one of the netdev's big buffers,
 * reused from a free list (no allocation once warm).
 *
 * A virtio-net header before each frame (PACKET_VNET_HDR) gives the
 * partial checksum and GSO state, so TCP super-frames cross the switch
 * whole.  PACKET_RESERVE leaves PACKET_HEADROOM bytes before each frame
 * for pushing tunnel headers in place.
 *
 * Receive steering.  A veth (like any device without receive queues of
 * its own in hardware) hands each frame its peer sends to the backlog of
 * the CPU the sender runs on, processed by that CPU's softirq.  When the
 * sender moves to the other CPU while its old CPU's backlog still waits
 * (the softirq deferred to ksoftirqd under load), later frames reach the
 * ring before earlier ones, and the receiving TCP takes the gap for a
 * loss (spurious fast retransmits: about 2,000 a 10 s iperf3 run on one
 * bridge here).  The switch cannot put them back in order, so it asks the
 * kernel to keep them in order: unless "rx-steering" is false, a port
 * whose receive queues have no RPS map gets one over every CPU the switch
 * may run on while it is busy, which puts each flow (by the kernel's flow
 * hash) on one CPU's backlog whichever CPU sent it.  Only while busy
 * with bulk data (AFP_RPS_ON_FRAMES frames of at least AFP_RPS_MIN_SIZE
 * bytes in an AFP_RPS_WINDOW_MS window; off again after AFP_RPS_OFF_MS
 * without such a window), because steering costs a packet whose flow
 * hashes to the other CPU an interprocessor interrupt, which on this kind
 * of virtual machine added about half to a ping's round trip, and under
 * connection churn (small frames only, one or two of a flow in flight,
 * nothing to reorder) took about a quarter of the switch's CPU and a
 * third of its connection rate (bench/ct-bench.py).  The map is written
 * through sysfs (there is no netlink attribute for it; a write takes
 * about 10 us), only after checking that /sys/class/net/NAME is this
 * namespace's device, and cleared on close.
 *
 * Transmit: sendmmsg() of up to a batch of frames on a second socket,
 * bound with protocol 0 so that it receives nothing, with
 * PACKET_QDISC_BYPASS and, unless "tx-offload" is false, a virtio-net
 * header per frame.  The rx socket ignores outgoing packets
 * (PACKET_IGNORE_OUTGOING), ours included. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
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
#include "lib/util.h"

LOG_MODULE(netdev_afpacket);

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* 4096 frames of 2 KiB in 64 blocks of 128 KiB: 8 MiB per port.  A
 * frame holds the tpacket2_hdr, PACKET_HEADROOM, the virtio-net header and
 * a 1500-byte-MTU frame with two VLAN tags; bigger ones take the copy
 * path. */
#define AFP_BLOCK_SIZE (128 * 1024)
#define AFP_N_BLOCKS 64
#define AFP_FRAME_SIZE 2048
#define AFP_FRAMES_PER_BLOCK (AFP_BLOCK_SIZE / AFP_FRAME_SIZE)
#define AFP_N_FRAMES (AFP_FRAMES_PER_BLOCK * AFP_N_BLOCKS)
#define AFP_SNDBUF (4 * 1024 * 1024)
#define AFP_RCVBUF (16 * 1024 * 1024) /* Room for queued big frames. */
/* A receive batch ends once its big frames hold this many bytes, so that
 * they and the kernel's copies of them on output stay in the CPU's cache
 * (32 GSO frames of 64 KiB did not: see TNL_RX_BATCH_BYTES). */
#define AFP_BATCH_BIG_BYTES (256 * 1024)
/* A big buffer: headroom plus the largest GSO frame the kernel makes
 * (64 KiB without BIG TCP) with its Ethernet and VLAN headers. */
#define AFP_BIG_DATA (65536 + 64)
#define AFP_BIG_SIZE (PACKET_HEADROOM + AFP_BIG_DATA)
/* Receive steering (see the file comment). */
#define AFP_RPS_WINDOW_MS 100
#define AFP_RPS_ON_FRAMES 64
#define AFP_RPS_MIN_SIZE 512     /* Smaller frames do not count. */
#define AFP_RPS_OFF_MS 1000

/* A packet lent from the ring. */
struct afp_packet {
    struct packet packet;       /* What the datapath sees. */
    uint32_t frame;             /* Ring frame of the packet, when
                                 * !big && !detached. */
    bool big;                   /* 'packet.base' is a big buffer of the
                                 * netdev's, not a ring frame. */
    bool detached;              /* 'packet.base' is a private buffer to
                                 * free(), the ring frame or big buffer
                                 * already given back. */
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
    uint8_t *ring;              /* AFP_N_FRAMES frames. */
    bool lent[AFP_N_FRAMES];    /* Per frame: read and lent, not yet given
                                 * back to the kernel. */
    uint32_t cur_frame;         /* The reader's place: frame to read next. */

    struct afp_packet *free_list; /* Structs of returned packets. */
    void *big_free;             /* Free big buffers (AFP_BIG_SIZE bytes),
                                 * each starting with the next's address.
                                 * Owned. */
    uint64_t kernel_drops;      /* Sum of PACKET_STATISTICS tp_drops. */

    /* Receive steering, touched only by the thread that receives. */
    uint64_t rps_queues;        /* Bit q: rx queue q (< 64) had no RPS map
                                 * at open, so we steer it. */
    bool rps_on;                /* Those queues have our map now. */
    char rps_map[256];          /* The map: every CPU we may run on. */
    long long rps_window;       /* Start of the current window (ms). */
    uint32_t rps_frames;        /* Frames of AFP_RPS_MIN_SIZE bytes or
                                 * more received in it. */
    long long rps_busy;         /* End of the last busy window (ms). */
};

static struct netdev_afpacket *
netdev_afpacket_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afpacket, up);
}

static struct tpacket2_hdr *
afp_frame(const struct netdev_afpacket *dev, uint32_t frame)
{
    return (struct tpacket2_hdr *) (dev->ring
                                    + (size_t) frame * AFP_FRAME_SIZE);
}

/* Gives ring frame 'frame', lent until now, back to the kernel. */
static void
afp_frame_release(struct netdev_afpacket *dev, uint32_t frame)
{
    ASSERT(dev->lent[frame]);
    dev->lent[frame] = false;
    __atomic_store_n(&afp_frame(dev, frame)->tp_status, TP_STATUS_KERNEL,
                     __ATOMIC_RELEASE);
}

/* A free big buffer, from the free list or new. */
static uint8_t *
afp_big_get(struct netdev_afpacket *dev)
{
    void *buf = dev->big_free;

    if (buf) {
        memcpy(&dev->big_free, buf, sizeof dev->big_free);
        return buf;
    }
    return xmalloc(AFP_BIG_SIZE);
}

/* Puts big buffer 'buf' on the free list. */
static void
afp_big_put(struct netdev_afpacket *dev, void *buf)
{
    memcpy(buf, &dev->big_free, sizeof dev->big_free);
    dev->big_free = buf;
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
        if (ap->big) {
            afp_big_put(dev, p->base);
        } else {
            afp_frame_release(dev, ap->frame);
        }
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
    int version = TPACKET_V2, one = 1, reserve = PACKET_HEADROOM;
    int rcvbuf = AFP_RCVBUF;
    struct tpacket_req req = {
        .tp_block_size = AFP_BLOCK_SIZE,
        .tp_block_nr = AFP_N_BLOCKS,
        .tp_frame_size = AFP_FRAME_SIZE,
        .tp_frame_nr = AFP_N_FRAMES,
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
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_COPY_THRESH, &one,
                      sizeof one)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_AUXDATA, &one,
                      sizeof one)
        || setsockopt(dev->rx_fd, SOL_PACKET, PACKET_RX_RING, &req,
                      sizeof req)) {
        return -errno;
    }
    /* Big frames wait on the socket's queue, within its rcvbuf. */
    if (setsockopt(dev->rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
                   sizeof rcvbuf)) {
        setsockopt(dev->rx_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
                   sizeof rcvbuf);
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

/* Reads up to 'size' - 1 bytes of sysfs file 'path' into 'buf', NUL
 * terminated.  0 or negative errno. */
static int
afp_sysfs_read(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    n = read(fd, buf, size - 1);
    if (n < 0) {
        int err = -errno;

        close(fd);
        return err;
    }
    close(fd);
    buf[n] = '\0';
    return 0;
}

/* Writes 's' to sysfs file 'path'.  0 or negative errno. */
static int
afp_sysfs_write(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(s);
    int err = 0;

    if (fd < 0) {
        return -errno;
    }
    if (write(fd, s, len) != (ssize_t) len) {
        err = errno ? -errno : -EIO;
    }
    close(fd);
    return err;
}

/* Whether RPS map text 's' (comma-separated hex words) has no CPU. */
static bool
afp_rps_map_empty(const char *s)
{
    for (; *s; s++) {
        if (*s != '0' && *s != ',' && *s != '\n') {
            return false;
        }
    }
    return true;
}

/* Writes into 'buf' (of 'size' bytes) the RPS map text of every CPU this
 * process may run on.  Returns false if there are fewer than two. */
static bool
afp_rps_map_all(char *buf, size_t size)
{
    cpu_set_t set;
    int top = -1;

    if (sched_getaffinity(0, sizeof set, &set) || CPU_COUNT(&set) < 2) {
        return false;
    }
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            top = cpu;
        }
    }
    /* 32-bit words, most significant first, as sysfs prints them. */
    size_t len = 0;
    for (int w = top / 32; w >= 0; w--) {
        uint32_t word = 0;

        for (int b = 0; b < 32; b++) {
            if (CPU_ISSET(w * 32 + b, &set)) {
                word |= UINT32_C(1) << b;
            }
        }
        int n = snprintf(buf + len, size - len, "%s%08x",
                         w == top / 32 ? "" : ",", word);
        if (n < 0 || (size_t) n >= size - len) {
            return false;
        }
        len += n;
    }
    return true;
}

/* Notes in dev->rps_queues each rx queue of 'dev' that has no RPS map,
 * to steer while busy (see the file comment). */
static void
afp_rps_setup(struct netdev_afpacket *dev)
{
    const char *name = dev->up.name;
    char path[320], buf[256];
    DIR *dir;
    struct dirent *de;

    if (!afp_rps_map_all(dev->rps_map, sizeof dev->rps_map)) {
        return;
    }
    /* /sys shows the devices of the namespace it was mounted in, which
     * need not be ours: the same name there may be another device. */
    snprintf(path, sizeof path, "/sys/class/net/%s/ifindex", name);
    if (afp_sysfs_read(path, buf, sizeof buf)
        || atoi(buf) != dev->ifindex) {
        LOG_INFO("%s: no sysfs entry of this namespace's device, receive "
                 "steering left as it is", name);
        return;
    }
    snprintf(path, sizeof path, "/sys/class/net/%s/queues", name);
    dir = opendir(path);
    if (!dir) {
        return;
    }
    while ((de = readdir(dir)) != NULL) {
        char *end;
        long q;

        if (strncmp(de->d_name, "rx-", 3)) {
            continue;
        }
        q = strtol(de->d_name + 3, &end, 10);
        if (*end || q < 0 || q >= 64) {
            continue;
        }
        snprintf(path, sizeof path, "/sys/class/net/%s/queues/%s/rps_cpus",
                 name, de->d_name);
        if (!afp_sysfs_read(path, buf, sizeof buf)
            && afp_rps_map_empty(buf)) {
            dev->rps_queues |= UINT64_C(1) << q;
        }                       /* Else unreadable, or someone's own map. */
    }
    closedir(dir);
}

/* Writes 'map' as the RPS map of the queues in dev->rps_queues; a queue
 * whose map cannot be written is left out from then on. */
static void
afp_rps_write(struct netdev_afpacket *dev, const char *map)
{
    for (int q = 0; q < 64; q++) {
        if (dev->rps_queues & (UINT64_C(1) << q)) {
            char path[128];
            int err;

            snprintf(path, sizeof path,
                     "/sys/class/net/%s/queues/rx-%d/rps_cpus",
                     dev->up.name, q);
            err = afp_sysfs_write(path, map);
            if (err) {
                LOG_WARN("%s: cannot set the RPS map of rx-%d (%s): a "
                         "sender moving between CPUs may reorder its "
                         "packets", dev->up.name, q, strerror(-err));
                dev->rps_queues &= ~(UINT64_C(1) << q);
            }
        }
    }
}

/* Counts the big frames of 'batch', just received (maybe none), and
 * turns steering on or off as the port became busy or idle. */
static void
afp_rps_update(struct netdev_afpacket *dev, const struct packet_batch *batch)
{
    if (!dev->rps_queues) {
        return;
    }
    long long now = time_msec();
    size_t n = 0;

    for (size_t i = 0; i < batch->count; i++) {
        n += batch->packets[i]->size >= AFP_RPS_MIN_SIZE;
    }

    dev->rps_frames += n;
    if (now - dev->rps_window >= AFP_RPS_WINDOW_MS) {
        if (dev->rps_frames >= AFP_RPS_ON_FRAMES) {
            dev->rps_busy = now;
        }
        dev->rps_window = now;
        dev->rps_frames = 0;
    }
    if (!dev->rps_on && dev->rps_frames >= AFP_RPS_ON_FRAMES) {
        dev->rps_on = true;
        dev->rps_busy = now;
        afp_rps_write(dev, dev->rps_map);
    } else if (dev->rps_on && now - dev->rps_busy > AFP_RPS_OFF_MS) {
        dev->rps_on = false;
        afp_rps_write(dev, "0");
    }
}

static void
afp_close(struct netdev *netdev)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);

    if (dev->rps_on) {
        afp_rps_write(dev, "0");
    }

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
    while (dev->big_free) {
        void *buf = dev->big_free;

        memcpy(&dev->big_free, buf, sizeof dev->big_free);
        free(buf);
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
    if (!options || strmap_find_bool(options, "rx-steering", true)) {
        afp_rps_setup(dev);
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

/* Fills packet 'p' of 'dev' for the frame of 'size' bytes at 'base' +
 * 'data_ofs' ('allocated' bytes at 'base' in all), whose offload state is
 * in 'vnet' and whose VLAN tag the kernel took off into the tpacket
 * 'status', 'tpid' and 'tci'.  Returns false if the frame is to be
 * dropped (counted). */
static bool
afp_fill_packet(struct netdev_afpacket *dev, struct packet *p, uint8_t *base,
                uint32_t data_ofs, uint32_t size, uint32_t allocated,
                const struct virtio_net_hdr *vnet, uint32_t status,
                uint16_t tpid, uint16_t tci)
{
    memset(p, 0, offsetof(struct packet, md));
    memset(&p->md, 0, sizeof p->md);
    p->base = base;
    p->pool = &dev->pool;
    p->data_ofs = data_ofs;
    p->size = size;
    p->allocated = allocated;
    p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
    if (netdev__vnet_to_packet(vnet, p)) {
        netdev__stats_add(&dev->up.stats.rx_errors, 1);
        return false;
    }

    /* A VLAN tag the device took off the frame goes back in. */
    if (status & TP_STATUS_VLAN_VALID && p->size >= 12) {
        uint8_t *d = packet_data(p) - 4;
        be16 tag[2] = {
            htonbe16(status & TP_STATUS_VLAN_TPID_VALID ? tpid
                                                        : ETH_P_8021Q),
            htonbe16(tci),
        };

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

/* Fills 'ap' to lend the ring frame at 'h', whose status word read
 * 'status'.  Returns false if the frame is to be skipped. */
static bool
afp_frame_to_packet(struct netdev_afpacket *dev, struct tpacket2_hdr *h,
                    uint32_t status, struct afp_packet *ap)
{
    const struct virtio_net_hdr *vnet;

    if (h->tp_snaplen < h->tp_len || h->tp_mac < sizeof *vnet
        || h->tp_mac + h->tp_snaplen > AFP_FRAME_SIZE) {
        netdev__stats_add(&dev->up.stats.rx_errors, 1);
        return false;
    }
    vnet = (const void *) ((uint8_t *) h + h->tp_mac - sizeof *vnet);
    /* No tailroom: the rest of the slot is not worth the bookkeeping. */
    return afp_fill_packet(dev, &ap->packet, (uint8_t *) h, h->tp_mac,
                           h->tp_snaplen, h->tp_mac + h->tp_snaplen, vnet,
                           status, h->tp_vlan_tpid, h->tp_vlan_tci);
}

/* Reads the frame that the kernel queued on the socket for a
 * TP_STATUS_COPY slot into a big buffer lent by 'ap'.  Returns false if
 * there was none or it is to be dropped (counted). */
static bool
afp_recv_big(struct netdev_afpacket *dev, struct afp_packet *ap)
{
    uint8_t *buf = afp_big_get(dev);
    struct virtio_net_hdr vnet;
    struct iovec iov[2] = {
        { .iov_base = &vnet, .iov_len = sizeof vnet },
        { .iov_base = buf + PACKET_HEADROOM, .iov_len = AFP_BIG_DATA },
    };
    union {
        struct cmsghdr align;   /* Alignment only. */
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))]; /* Data. */
    } control;
    struct msghdr mh = {
        .msg_iov = iov,
        .msg_iovlen = 2,
        .msg_control = &control,
        .msg_controllen = sizeof control,
    };
    struct tpacket_auxdata aux = { .tp_status = 0 };
    ssize_t n;

    do {
        n = recvmsg(dev->rx_fd, &mh, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < (ssize_t) sizeof vnet || mh.msg_flags & MSG_TRUNC) {
        goto error;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA
            && c->cmsg_len >= CMSG_LEN(sizeof aux)) {
            memcpy(&aux, CMSG_DATA(c), sizeof aux);
        }
    }
    if (!afp_fill_packet(dev, &ap->packet, buf, PACKET_HEADROOM,
                         n - sizeof vnet, AFP_BIG_SIZE, &vnet, aux.tp_status,
                         aux.tp_vlan_tpid, aux.tp_vlan_tci)) {
        afp_big_put(dev, buf);
        return false;
    }
    ap->big = true;
    ap->detached = false;
    return true;

error:
    netdev__stats_add(&dev->up.stats.rx_errors, 1);
    afp_big_put(dev, buf);
    return false;
}

static int
afp_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    size_t big_bytes = 0;

    while (batch->count < PACKET_BATCH_SIZE
           && big_bytes < AFP_BATCH_BIG_BYTES) {
        uint32_t frame = dev->cur_frame;
        struct tpacket2_hdr *h = afp_frame(dev, frame);
        uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

        if (!(status & TP_STATUS_USER) || dev->lent[frame]) {
            /* Nothing yet, or the kernel wrapped round to a frame that is
             * still lent (it drops until we give it back). */
            break;
        }
        dev->cur_frame = (frame + 1) % AFP_N_FRAMES;
        dev->lent[frame] = true;

        /* Everything needed from the frame's header is read before the
         * packet is lent, since pushing headers may overwrite it. */
        struct afp_packet *ap = afp_packet_get(dev);
        bool ok;
        if (status & TP_STATUS_COPY) {
            afp_frame_release(dev, frame);
            ok = afp_recv_big(dev, ap);
            big_bytes += ok ? packet_size(&ap->packet) : 0;
        } else {
            ok = afp_frame_to_packet(dev, h, status, ap);
            if (ok) {
                ap->frame = frame;
                ap->big = false;
                ap->detached = false;
            } else {
                afp_frame_release(dev, frame);
            }
        }
        if (ok) {
            packet_batch_add(batch, &ap->packet);
        } else {
            ap->next_free = dev->free_list;
            dev->free_list = ap;
        }
    }
    afp_rps_update(dev, batch);
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
    struct tpacket_stats st;
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
