/* "afxdp" netdevs: an existing Linux device through AF_XDP sockets, with
 * a fall-back to AF_PACKET ("system") where AF_XDP cannot be set up.
 *
 * Done with the raw bpf(2) and AF_XDP socket calls rather than libxdp /
 * libbpf: the XDP program is six instructions (below), and only a BPF
 * link ties its attachment to our file descriptor, so that a killed
 * switch leaves the device as it found it.  libxdp 1.3 (Debian 12)
 * attaches its dispatcher through netlink and pins it in bpffs, where it
 * outlives the process; and the optional build dependency would buy
 * nothing the kernel's uapi headers do not give.
 *
 * Per rx queue q (options:n_rxq, default 1) there is one AF_XDP socket,
 * bound to (device, q), with a UMEM of its own: AFXDP_N_FRAMES frames of
 * AFXDP_FRAME_SIZE bytes, the first AFXDP_N_RX_FRAMES for receive (in the
 * fill ring, in the rx ring, lent to the datapath, or free), the rest for
 * transmit (free, or in the tx or completion ring).  One XSKMAP holds the
 * sockets by queue index, and the XDP program redirects each frame to
 * the socket of its rx queue, or passes it to the kernel's stack if that
 * queue has none:
 *
 *     r2 = ((struct xdp_md *) r1)->rx_queue_index
 *     r1 = &xskmap                    (two instructions: ld_imm64)
 *     r3 = XDP_PASS                   (the action if the lookup fails)
 *     r0 = bpf_redirect_map(r1, r2, r3)
 *     exit
 *
 * The program is attached with BPF_LINK_CREATE in the mode asked for
 * (options:xdp-mode): "native" with XDP_FLAGS_DRV_MODE, "generic" with
 * XDP_FLAGS_SKB_MODE, "best-effort" (the default) native and then
 * generic, "native-with-zerocopy" native with sockets bound XDP_ZEROCOPY
 * (which a veth refuses: no zero-copy support in its driver).  Closing
 * the link's fd, by netdev_close() or by the process's death, detaches
 * it.
 *
 * Receive: rx descriptors point into receive frames, which are lent to
 * the datapath zero-copy (the packet's 'pool' is its queue); a frame goes
 * back to the free stack when its packet is destroyed, and from there
 * into the fill ring at the next receive.  The 256 bytes the kernel keeps
 * before each frame (XDP_PACKET_HEADROOM) are the packet's headroom.
 * Transmit copies each packet into a free transmit frame, queues it on
 * the tx ring of queue (qid mod n_rxq) under that queue's lock, and kicks
 * the kernel with sendto(MSG_DONTWAIT); the completion ring is reaped
 * before each send.  AF_XDP carries no offload state: the port takes no
 * transmit offloads (netdev.c finishes checksums and segments first) and
 * received frames are complete (csum NONE, no GSO).
 *
 * Veth notes (measured on Linux 6.18).  A veth's peer hands it TCP and
 * UDP frames with partial checksums (CHECKSUM_PARTIAL: the checksum field
 * holds only the pseudo-header sum), and XDP sees them as they are: such
 * a frame forwarded from an AF_XDP port reaches its receiver with a bad
 * checksum and is dropped (ping works, TCP never connects).  So the peer
 * must have transmit offloads off (ethtool -K PEER tx off), as for OVS's
 * afxdp ports; the switch cannot tell a partial checksum from a corrupt
 * one.  Native XDP on a veth makes the kernel turn off the peer's GSO
 * (tx-*-segmentation "off [fixed]" while the program is attached), so
 * the peer sends frames no bigger than its MTU.  Generic XDP leaves the
 * peer's GSO on, and a GSO super-frame (up to 64 KiB) does not fit an
 * AF_XDP frame (the kernel drops it); "tx off" takes TSO with it, which
 * covers TCP.  The "peer needs an XDP program or GRO" rule of veth
 * concerns frames
 * redirected INTO a veth by XDP (ndo_xdp_xmit); AF_XDP transmit in copy
 * mode builds an skb and sends it through the normal transmit path,
 * which needs nothing of the peer. */
#include "datapath/netdev-afxdp.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "datapath/netdev-provider.h"
#include "datapath/packet.h"
#include "lib/log.h"
#include "lib/strmap.h"
#include "lib/util.h"

/* Without the uapi headers (or with -DKILN_NO_AFXDP) every "afxdp" port
 * falls back to AF_PACKET. */
#if (!defined(KILN_NO_AFXDP) && __has_include(<linux/if_xdp.h>) \
     && __has_include(<linux/bpf.h>))
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#if defined(XDP_UMEM_PGOFF_COMPLETION_RING) && defined(XDP_FLAGS_DRV_MODE)
#define AFXDP_SUPPORTED 1
#endif
#endif

LOG_MODULE(netdev_afxdp);

const char *
afxdp_mode_to_string(enum afxdp_mode mode)
{
    switch (mode) {
    case AFXDP_MODE_BEST_EFFORT:
        return "best-effort";
    case AFXDP_MODE_NATIVE_ZC:
        return "native-with-zerocopy";
    case AFXDP_MODE_NATIVE:
        return "native";
    case AFXDP_MODE_GENERIC:
        return "generic";
    }
    return "?";
}

const char *
afxdp_parse_options(const struct strmap *options, struct afxdp_config *cfg)
{
    static const enum afxdp_mode modes[] = {
        AFXDP_MODE_BEST_EFFORT, AFXDP_MODE_NATIVE_ZC, AFXDP_MODE_NATIVE,
        AFXDP_MODE_GENERIC,
    };
    const char *mode = options ? strmap_find(options, "xdp-mode") : NULL;
    const char *n_rxq = options ? strmap_find(options, "n_rxq") : NULL;

    cfg->mode = AFXDP_MODE_BEST_EFFORT;
    cfg->n_rxq = 1;
    if (mode) {
        size_t i;

        for (i = 0; i < ARRAY_SIZE(modes); i++) {
            if (!strcmp(mode, afxdp_mode_to_string(modes[i]))) {
                break;
            }
        }
        if (i == ARRAY_SIZE(modes)) {
            return "unknown xdp-mode (want best-effort, native-with-zerocopy, "
                   "native or generic)";
        }
        cfg->mode = modes[i];
    }
    if (n_rxq) {
        char *end;
        long n = strtol(n_rxq, &end, 10);

        if (end == n_rxq || *end || n < 1 || n > AFXDP_MAX_RXQ) {
            cfg->mode = AFXDP_MODE_BEST_EFFORT;
            return "n_rxq must be an integer from 1 to 16";
        }
        cfg->n_rxq = n;
    }
    return NULL;
}

#ifdef AFXDP_SUPPORTED

static struct log_rate_limit rl = LOG_RATE_LIMIT_INIT(5, 20);

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

/* UMEM geometry, per queue: 16 MiB.  A frame holds the kernel's 256 bytes
 * of XDP headroom and a frame of up to 3840 bytes. */
#define AFXDP_FRAME_SIZE 4096
#define AFXDP_N_RX_FRAMES 2048
#define AFXDP_N_TX_FRAMES 2048
#define AFXDP_N_FRAMES (AFXDP_N_RX_FRAMES + AFXDP_N_TX_FRAMES)
#define AFXDP_RX_RING 2048      /* Rx and fill rings. */
#define AFXDP_TX_RING 2048      /* Tx and completion rings. */
#define AFXDP_KICKS 8           /* sendto()s per send that found more to
                                 * do before giving up till next time. */

/* A packet lent from a receive frame: one per receive frame, so lending
 * allocates nothing. */
struct afxdp_packet {
    struct packet packet;       /* What the datapath sees. */
    bool lent;                  /* Lent out, not yet given back. */
    bool detached;              /* packet_realloc() replaced 'base' by a
                                 * private buffer (to free()); the frame
                                 * stays ours until the packet is
                                 * destroyed. */
};

/* One rx queue's socket, UMEM and rings. */
struct afxdp_queue {
    struct packet_pool pool;    /* 'pool' of the packets lent from here. */
    int fd;                     /* The AF_XDP socket, or -1. */
    uint8_t *umem;              /* AFXDP_N_FRAMES frames, or NULL. */
    struct afxdp_ring fill;     /* We produce free receive frames. */
    struct afxdp_ring rx;       /* We consume received frames. */
    struct afxdp_ring tx;       /* We produce frames to send. */
    struct afxdp_ring comp;     /* We consume sent frames. */
    void *maps[4];              /* mmap()ed rings (fill, rx, tx, comp). */
    size_t map_sizes[4];        /* Their sizes. */

    /* Receive side, touched only by the thread that receives. */
    struct afxdp_packet *pkts;  /* AFXDP_N_RX_FRAMES, by frame.  Owned. */
    uint32_t *rx_free;          /* Free receive frames (stack).  Owned. */
    uint32_t n_rx_free;         /* Entries in 'rx_free'. */

    /* Transmit side, under 'tx_mutex' (several threads may send). */
    pthread_mutex_t tx_mutex;   /* Guards the members below and 'tx',
                                 * 'comp'. */
    uint32_t *tx_free;          /* Free transmit frames (stack).  Owned. */
    uint32_t n_tx_free;         /* Entries in 'tx_free'. */
};

struct netdev_afxdp {
    struct netdev up;           /* Base; must be first. */
    int ifindex;                /* The device's, when opened. */
    enum afxdp_mode mode;       /* In use: NATIVE_ZC, NATIVE or GENERIC. */
    int map_fd;                 /* The XSKMAP, or -1. */
    int prog_fd;                /* The XDP program, or -1. */
    int link_fd;                /* Its BPF link to the device, or -1. */
    int n_queues;               /* Entries in 'queues'. */
    struct afxdp_queue *queues; /* One per rx queue.  Owned. */
};

static struct netdev_afxdp *
netdev_afxdp_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afxdp, up);
}

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
    int r = syscall(__NR_bpf, cmd, attr, sizeof *attr);

    return r < 0 ? -errno : r;
}

/* Creates the XSKMAP for 'n' queues.  An fd or a negative errno. */
static int
afxdp_map_create(int n)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_XSKMAP;
    attr.key_size = sizeof(uint32_t);
    attr.value_size = sizeof(uint32_t);
    attr.max_entries = n;
    snprintf(attr.map_name, sizeof attr.map_name, "kiln_xsks");
    return sys_bpf(BPF_MAP_CREATE, &attr);
}

/* Loads the redirect program over XSKMAP 'map_fd'.  An fd or a negative
 * errno. */
static int
afxdp_prog_load(int map_fd)
{
    struct bpf_insn insns[] = {
        /* r2 = ctx->rx_queue_index */
        { .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2,
          .src_reg = BPF_REG_1,
          .off = offsetof(struct xdp_md, rx_queue_index) },
        /* r1 = the map (ld_imm64 of a map fd takes two slots) */
        { .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
          .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
        { .code = 0 },
        /* r3 = XDP_PASS */
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3,
          .imm = XDP_PASS },
        /* r0 = bpf_redirect_map(r1, r2, r3) */
        { .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
        { .code = BPF_JMP | BPF_EXIT },
    };
    static const char license[] = "Apache-2.0";
    union bpf_attr attr;

    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_XDP;
    attr.expected_attach_type = BPF_XDP;
    attr.insn_cnt = ARRAY_SIZE(insns);
    attr.insns = (uintptr_t) insns;
    attr.license = (uintptr_t) license;
    snprintf(attr.prog_name, sizeof attr.prog_name, "kiln_xsk");
    return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* Attaches 'prog_fd' to 'ifindex' with XDP 'flags' through a BPF link.
 * The link's fd or a negative errno. */
static int
afxdp_link_create(int prog_fd, int ifindex, uint32_t flags)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof attr);
    attr.link_create.prog_fd = prog_fd;
    attr.link_create.target_ifindex = ifindex;
    attr.link_create.attach_type = BPF_XDP;
    attr.link_create.flags = flags;
    return sys_bpf(BPF_LINK_CREATE, &attr);
}

/* Sets XSKMAP entry 'key' to socket 'fd'.  0 or negative errno. */
static int
afxdp_map_set(int map_fd, uint32_t key, uint32_t fd)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof attr);
    attr.map_fd = map_fd;
    attr.key = (uintptr_t) &key;
    attr.value = (uintptr_t) &fd;
    attr.flags = BPF_ANY;
    int r = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
    return r < 0 ? r : 0;
}

/* Lent packets. */

static void
afxdp_release_buffer(struct packet_pool *pool, struct packet *p)
{
    struct afxdp_packet *ap = CONTAINER_OF(p, struct afxdp_packet, packet);

    /* The frame itself goes back with the struct, in free_packet(). */
    if (ap->detached) {
        free(p->base);
    }
    ap->detached = true;
}

static void
afxdp_free_packet(struct packet_pool *pool, struct packet *p)
{
    struct afxdp_queue *q = CONTAINER_OF(pool, struct afxdp_queue, pool);
    struct afxdp_packet *ap = CONTAINER_OF(p, struct afxdp_packet, packet);

    if (ap->detached) {
        free(p->base);
    }
    ap->lent = false;
    q->rx_free[q->n_rx_free++] = ap - q->pkts;
}

/* Setup and teardown. */

/* Maps ring 'idx' (0 fill, 1 rx, 2 tx, 3 comp) of 'q' at mmap 'pgoff'
 * with 'n' entries of 'esize' bytes laid out as 'off' says, into 'r'.
 * 0 or negative errno. */
static int
afxdp_ring_map(struct afxdp_queue *q, int idx, uint64_t pgoff, uint32_t n,
               size_t esize, const struct xdp_ring_offset *off,
               struct afxdp_ring *r)
{
    size_t size = off->desc + n * esize;
    uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, q->fd, pgoff);

    if (m == MAP_FAILED) {
        return -errno;
    }
    q->maps[idx] = m;
    q->map_sizes[idx] = size;
    memset(r, 0, sizeof *r);
    r->producer = (uint32_t *) (m + off->producer);
    r->consumer = (uint32_t *) (m + off->consumer);
    r->flags = (uint32_t *) (m + off->flags);
    r->ring = m + off->desc;
    r->size = n;
    r->mask = n - 1;
    r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
    r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
    return 0;
}

static void
afxdp_queue_close(struct afxdp_queue *q)
{
    for (int i = 0; i < 4; i++) {
        if (q->maps[i]) {
            munmap(q->maps[i], q->map_sizes[i]);
        }
    }
    if (q->fd >= 0) {
        close(q->fd);
    }
    if (q->umem) {
        munmap(q->umem, (size_t) AFXDP_N_FRAMES * AFXDP_FRAME_SIZE);
    }
    free(q->pkts);
    free(q->rx_free);
    free(q->tx_free);
    pthread_mutex_destroy(&q->tx_mutex);
}

/* Moves free receive frames of 'q' into its fill ring. */
static void
afxdp_refill(struct afxdp_queue *q)
{
    uint32_t n = afxdp_ring_prod_free(&q->fill, q->n_rx_free);
    uint64_t *addrs = q->fill.ring;

    for (uint32_t i = 0; i < n; i++) {
        uint32_t frame = q->rx_free[--q->n_rx_free];

        addrs[afxdp_ring_slot(&q->fill, q->fill.cached_prod + i)]
            = (uint64_t) frame * AFXDP_FRAME_SIZE;
    }
    if (n) {
        afxdp_ring_prod_submit(&q->fill, n);
    }
}

/* Opens queue 'qid' of 'dev' into 'q': socket, UMEM, rings, bound with
 * 'bind_flags'.  On error says what failed in '*what'.  0 or negative
 * errno; 'q' is to be closed with afxdp_queue_close() either way. */
static int
afxdp_queue_open(struct netdev_afxdp *dev, int qid, struct afxdp_queue *q,
                 uint16_t bind_flags, const char **what)
{
    size_t umem_size = (size_t) AFXDP_N_FRAMES * AFXDP_FRAME_SIZE;
    struct xdp_mmap_offsets off;
    socklen_t len = sizeof off;
    int rx_ring = AFXDP_RX_RING, tx_ring = AFXDP_TX_RING;
    int err;

    q->pool.free_packet = afxdp_free_packet;
    q->pool.release_buffer = afxdp_release_buffer;
    pthread_mutex_init(&q->tx_mutex, NULL);
    q->pkts = xcalloc(AFXDP_N_RX_FRAMES, sizeof *q->pkts);
    q->rx_free = xcalloc(AFXDP_N_RX_FRAMES, sizeof *q->rx_free);
    q->tx_free = xcalloc(AFXDP_N_TX_FRAMES, sizeof *q->tx_free);
    for (uint32_t i = 0; i < AFXDP_N_RX_FRAMES; i++) {
        q->rx_free[q->n_rx_free++] = AFXDP_N_RX_FRAMES - 1 - i;
    }
    for (uint32_t i = 0; i < AFXDP_N_TX_FRAMES; i++) {
        q->tx_free[q->n_tx_free++] = AFXDP_N_FRAMES - 1 - i;
    }

    q->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (q->fd < 0) {
        *what = "AF_XDP socket";
        return -errno;
    }
    q->umem = mmap(NULL, umem_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (q->umem == MAP_FAILED) {
        q->umem = NULL;
        *what = "UMEM allocation";
        return -errno;
    }

    struct xdp_umem_reg reg = {
        .addr = (uintptr_t) q->umem,
        .len = umem_size,
        .chunk_size = AFXDP_FRAME_SIZE,
        .headroom = 0,
    };
    if (setsockopt(q->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof reg)
        || setsockopt(q->fd, SOL_XDP, XDP_UMEM_FILL_RING, &rx_ring,
                      sizeof rx_ring)
        || setsockopt(q->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &tx_ring,
                      sizeof tx_ring)
        || setsockopt(q->fd, SOL_XDP, XDP_RX_RING, &rx_ring, sizeof rx_ring)
        || setsockopt(q->fd, SOL_XDP, XDP_TX_RING, &tx_ring, sizeof tx_ring)
        || getsockopt(q->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len)) {
        *what = "UMEM and ring setup";
        return -errno;
    }
    err = afxdp_ring_map(q, 0, XDP_UMEM_PGOFF_FILL_RING, rx_ring,
                         sizeof(uint64_t), &off.fr, &q->fill);
    if (!err) {
        err = afxdp_ring_map(q, 1, XDP_PGOFF_RX_RING, rx_ring,
                             sizeof(struct xdp_desc), &off.rx, &q->rx);
    }
    if (!err) {
        err = afxdp_ring_map(q, 2, XDP_PGOFF_TX_RING, tx_ring,
                             sizeof(struct xdp_desc), &off.tx, &q->tx);
    }
    if (!err) {
        err = afxdp_ring_map(q, 3, XDP_UMEM_PGOFF_COMPLETION_RING, tx_ring,
                             sizeof(uint64_t), &off.cr, &q->comp);
    }
    if (err) {
        *what = "ring mmap";
        return err;
    }
    afxdp_refill(q);

    struct sockaddr_xdp sxdp = {
        .sxdp_family = AF_XDP,
        .sxdp_ifindex = dev->ifindex,
        .sxdp_queue_id = qid,
        .sxdp_flags = bind_flags,
    };
    if (bind(q->fd, (struct sockaddr *) &sxdp, sizeof sxdp)) {
        *what = (bind_flags & XDP_ZEROCOPY
                 ? "zero-copy bind (the driver has no zero-copy AF_XDP)"
                 : "bind");
        return -errno;
    }
    return 0;
}

static void
afxdp_close(struct netdev *netdev)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);

    /* The link first: from then on no frame is redirected to us. */
    if (dev->link_fd >= 0) {
        close(dev->link_fd);
    }
    if (dev->prog_fd >= 0) {
        close(dev->prog_fd);
    }
    if (dev->map_fd >= 0) {
        close(dev->map_fd);
    }
    for (int i = 0; i < dev->n_queues; i++) {
        afxdp_queue_close(&dev->queues[i]);
    }
    free(dev->queues);
    netdev__uninit(&dev->up);
    free(dev);
}

/* Tries to set up AF_XDP on 'dev' as 'cfg' asks.  Returns 0, or a
 * negative errno with what failed in '*what'. */
static int
afxdp_setup(struct netdev_afxdp *dev, const struct afxdp_config *cfg,
            const char **what)
{
    uint16_t bind_flags = (cfg->mode == AFXDP_MODE_NATIVE_ZC ? XDP_ZEROCOPY
                                                             : XDP_COPY);
    int err;

    dev->map_fd = afxdp_map_create(cfg->n_rxq);
    if (dev->map_fd < 0) {
        *what = "XSKMAP creation";
        return dev->map_fd;
    }
    dev->prog_fd = afxdp_prog_load(dev->map_fd);
    if (dev->prog_fd < 0) {
        *what = "XDP program load";
        return dev->prog_fd;
    }

    dev->queues = xcalloc(cfg->n_rxq, sizeof *dev->queues);
    for (int i = 0; i < cfg->n_rxq; i++) {
        struct afxdp_queue *q = &dev->queues[i];

        q->fd = -1;
        dev->n_queues++;
        err = afxdp_queue_open(dev, i, q, bind_flags, what);
        if (!err) {
            err = afxdp_map_set(dev->map_fd, i, q->fd);
            *what = "XSKMAP update";
        }
        if (err) {
            return err;
        }
    }

    /* Attach: native or generic, best-effort trying native first. */
    static const struct {
        enum afxdp_mode mode;   /* Mode this attempt gives. */
        uint32_t flags;         /* XDP_FLAGS_*. */
    } tries[] = {
        { AFXDP_MODE_NATIVE, XDP_FLAGS_DRV_MODE },
        { AFXDP_MODE_GENERIC, XDP_FLAGS_SKB_MODE },
    };
    err = -EINVAL;
    for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
        bool want = (cfg->mode == AFXDP_MODE_BEST_EFFORT
                     || cfg->mode == tries[i].mode
                     || (cfg->mode == AFXDP_MODE_NATIVE_ZC
                         && tries[i].mode == AFXDP_MODE_NATIVE));
        if (!want) {
            continue;
        }
        err = afxdp_link_create(dev->prog_fd, dev->ifindex, tries[i].flags);
        if (err >= 0) {
            dev->link_fd = err;
            dev->mode = (cfg->mode == AFXDP_MODE_NATIVE_ZC
                         ? AFXDP_MODE_NATIVE_ZC : tries[i].mode);
            return 0;
        }
        LOG_INFO("%s: XDP attach in %s mode failed (%s)", dev->up.name,
                 afxdp_mode_to_string(tries[i].mode), strerror(-err));
    }
    *what = "XDP attach";
    return err;
}

/* Opens 'name' as a "system" (AF_PACKET) port because AF_XDP could not be
 * set up, for 'reason' (consumed). */
static int
afxdp_fall_back(const char *name, const struct strmap *options,
                char *reason, struct netdev **netdevp)
{
    LOG_WARN("%s: AF_XDP not available (%s): falling back to AF_PACKET",
             name, reason);
    int err = netdev_afpacket_class.open(&netdev_afpacket_class, name,
                                         options, netdevp);
    if (err) {
        free(reason);
        return err;
    }
    (*netdevp)->fallback = reason;
    return 0;
}

static int
afxdp_open(const struct netdev_class *class, const char *name,
           const struct strmap *options, struct netdev **netdevp)
{
    struct afxdp_config cfg;
    const char *msg = afxdp_parse_options(options, &cfg);

    *netdevp = NULL;
    if (msg) {
        return afxdp_fall_back(name, options, xstrdup(msg), netdevp);
    }

    struct netdev_afxdp *dev = xzalloc(sizeof *dev);
    dev->map_fd = dev->prog_fd = dev->link_fd = -1;
    netdev__init(&dev->up, class, name, cfg.n_rxq, 0);
    dev->ifindex = if_nametoindex(name);
    if (!dev->ifindex) {
        afxdp_close(&dev->up);
        return -ENODEV;
    }

    const char *what = "setup";
    int err = afxdp_setup(dev, &cfg, &what);
    if (err) {
        char *reason = xasprintf("xdp-mode %s: %s: %s",
                                 afxdp_mode_to_string(cfg.mode), what,
                                 strerror(-err));
        afxdp_close(&dev->up);
        return afxdp_fall_back(name, options, reason, netdevp);
    }
    LOG_INFO("%s: AF_XDP in %s mode on %d queue%s", name,
             afxdp_mode_to_string(dev->mode), dev->n_queues,
             dev->n_queues == 1 ? "" : "s");
    *netdevp = &dev->up;
    return 0;
}

/* Packet I/O. */

static int
afxdp_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    struct afxdp_queue *q = &dev->queues[qid];
    const struct xdp_desc *descs = q->rx.ring;
    uint32_t n = afxdp_ring_cons_avail(&q->rx, PACKET_BATCH_SIZE);
    uint32_t errors = 0;

    for (uint32_t i = 0; i < n; i++) {
        const struct xdp_desc *d
            = &descs[afxdp_ring_slot(&q->rx, q->rx.cached_cons + i)];
        uint64_t frame = d->addr / AFXDP_FRAME_SIZE;
        uint32_t ofs = d->addr % AFXDP_FRAME_SIZE;

        if (frame >= AFXDP_N_RX_FRAMES || q->pkts[frame].lent
            || d->len > AFXDP_FRAME_SIZE - ofs) {
            /* Not a frame we gave: never happens with a sane kernel. */
            errors++;
            continue;
        }

        struct afxdp_packet *ap = &q->pkts[frame];
        struct packet *p = &ap->packet;

        ap->lent = true;
        ap->detached = false;
        memset(p, 0, offsetof(struct packet, md));
        memset(&p->md, 0, sizeof p->md);
        p->base = q->umem + frame * AFXDP_FRAME_SIZE;
        p->pool = &q->pool;
        p->allocated = AFXDP_FRAME_SIZE;
        p->data_ofs = ofs;
        p->size = d->len;
        p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
        packet_batch_add(batch, p);
    }
    if (n) {
        afxdp_ring_cons_release(&q->rx, n);
    }
    netdev__stats_add(&dev->up.stats.rx_errors, errors);
    afxdp_refill(q);
    return batch->count ? 0 : -EAGAIN;
}

static int
afxdp_rxq_fd(const struct netdev *netdev, int qid)
{
    return netdev_afxdp_cast(netdev)->queues[qid].fd;
}

/* Gives the frames the kernel has sent back to 'q''s free stack.  Called
 * with the tx mutex held. */
static void
afxdp_reap(struct afxdp_queue *q)
{
    uint32_t n = afxdp_ring_cons_avail(&q->comp, AFXDP_TX_RING);
    const uint64_t *addrs = q->comp.ring;

    for (uint32_t i = 0; i < n; i++) {
        uint64_t frame = (addrs[afxdp_ring_slot(&q->comp,
                                                q->comp.cached_cons + i)]
                          / AFXDP_FRAME_SIZE);

        if (frame >= AFXDP_N_RX_FRAMES && frame < AFXDP_N_FRAMES
            && q->n_tx_free < AFXDP_N_TX_FRAMES) {
            q->tx_free[q->n_tx_free++] = frame;
        }
    }
    if (n) {
        afxdp_ring_cons_release(&q->comp, n);
    }
}

/* Makes the kernel send what is on 'q''s tx ring.  0 or negative errno.
 * Called with the tx mutex held. */
static int
afxdp_kick(struct netdev_afxdp *dev, struct afxdp_queue *q)
{
    for (int i = 0; i < AFXDP_KICKS; i++) {
        if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0) {
            return 0;
        }
        if (errno != EAGAIN && errno != EBUSY && errno != EINTR
            && errno != ENOBUFS) {
            int err = -errno;

            LOG_WARN_RL(&rl, "%s: AF_XDP transmit failed (%s)", dev->up.name,
                        strerror(-err));
            return err;
        }
        /* The kernel sends a budget of frames per call: until the tx ring
         * is empty, call again. */
        if (__atomic_load_n(q->tx.consumer, __ATOMIC_ACQUIRE)
            == q->tx.cached_prod) {
            return 0;
        }
    }
    return 0;                   /* The rest goes with the next kick. */
}

static int
afxdp_send(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    struct afxdp_queue *q = &dev->queues[(unsigned int) qid % dev->n_queues];
    uint64_t bytes = 0, dropped = 0, errors = 0;
    uint32_t n_sent = 0;
    int err = 0;

    pthread_mutex_lock(&q->tx_mutex);
    afxdp_reap(q);
    uint32_t room = afxdp_ring_prod_free(&q->tx, batch->count);
    struct xdp_desc *descs = q->tx.ring;
    for (size_t i = 0; i < batch->count; i++) {
        const struct packet *p = batch->packets[i];

        if (p->size > AFXDP_FRAME_SIZE) {
            errors++;
            continue;
        }
        if (n_sent >= room || !q->n_tx_free) {
            dropped++;
            continue;
        }
        uint32_t frame = q->tx_free[--q->n_tx_free];
        uint64_t addr = (uint64_t) frame * AFXDP_FRAME_SIZE;
        struct xdp_desc *d
            = &descs[afxdp_ring_slot(&q->tx, q->tx.cached_prod + n_sent)];

        memcpy(q->umem + addr, packet_data(p), p->size);
        d->addr = addr;
        d->len = p->size;
        d->options = 0;
        bytes += p->size;
        n_sent++;
    }
    if (n_sent) {
        afxdp_ring_prod_submit(&q->tx, n_sent);
    }
    /* Kick even with nothing new: frames left by an earlier kick. */
    if (q->tx.cached_prod != __atomic_load_n(q->tx.consumer,
                                             __ATOMIC_ACQUIRE)) {
        err = afxdp_kick(dev, q);
    }
    pthread_mutex_unlock(&q->tx_mutex);

    if (!err && (dropped || errors)) {
        err = errors ? -EMSGSIZE : -ENOBUFS;
    }
    packet_batch_destroy_all(batch);
    netdev__stats_add(&dev->up.stats.tx_packets, n_sent);
    netdev__stats_add(&dev->up.stats.tx_bytes, bytes);
    netdev__stats_add(&dev->up.stats.tx_dropped, dropped);
    netdev__stats_add(&dev->up.stats.tx_errors, errors);
    return err;
}

static void
afxdp_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);

    for (int i = 0; i < dev->n_queues; i++) {
        struct xdp_statistics st;
        socklen_t len = sizeof st;

        /* Cumulative counters of the socket's life. */
        if (!getsockopt(dev->queues[i].fd, SOL_XDP, XDP_STATISTICS, &st,
                        &len)) {
            stats->rx_dropped += st.rx_dropped + st.rx_ring_full;
            stats->rx_errors += st.rx_invalid_descs;
            stats->tx_errors += st.tx_invalid_descs;
        }
    }
}

static void
afxdp_get_status(const struct netdev *netdev, struct strmap *status)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);

    strmap_replace(status, "io_backend", "af_xdp");
    strmap_replace(status, "xdp_mode", afxdp_mode_to_string(dev->mode));
    strmap_add_format(status, "n_rxq", "%d", dev->n_queues);
}

#else  /* !AFXDP_SUPPORTED */

static int
afxdp_open(const struct netdev_class *class, const char *name,
           const struct strmap *options, struct netdev **netdevp)
{
    LOG_WARN("%s: AF_XDP not available (built without AF_XDP headers): "
             "falling back to AF_PACKET", name);
    int err = netdev_afpacket_class.open(&netdev_afpacket_class, name,
                                         options, netdevp);
    if (!err) {
        (*netdevp)->fallback = xstrdup("built without AF_XDP support");
    }
    return err;
}

static void
afxdp_close(struct netdev *netdev)
{
}

static int
afxdp_rxq_recv(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    return -EOPNOTSUPP;
}

static int
afxdp_rxq_fd(const struct netdev *netdev, int qid)
{
    return -1;
}

static int
afxdp_send(struct netdev *netdev, int qid, struct packet_batch *batch)
{
    packet_batch_destroy_all(batch);
    return -EOPNOTSUPP;
}

#define afxdp_get_stats NULL
#define afxdp_get_status NULL

#endif /* AFXDP_SUPPORTED */

const struct netdev_class netdev_afxdp_class = {
    .type = "afxdp",
    .open = afxdp_open,
    .close = afxdp_close,
    .rxq_recv = afxdp_rxq_recv,
    .rxq_fd = afxdp_rxq_fd,
    .send = afxdp_send,
    .get_stats = afxdp_get_stats,
    .get_status = afxdp_get_status,
};
