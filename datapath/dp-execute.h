/* Datapath action execution: runs a list of dp-actions.h over a batch of
 * packets, one action at a time over the whole batch.  What leaves the
 * datapath (output to a port, upcalls, recirculation, connection tracking)
 * goes through callbacks that the datapath supplies.
 *
 * Packets are copied only where a list needs two of them: an OUTPUT,
 * CLONE or CHECK_PKT_LEN that more packet-consuming actions follow gets
 * clones; the last one takes the originals.  Nothing else allocates.
 *
 * SET_MASKED expects the l2/l3/l4 offsets that flow_extract() set, and
 * keeps them (and a partial checksum's start) right when VLAN tags come
 * and go; IPv4 header and TCP/UDP/ICMPv6 checksums are updated
 * incrementally (RFC 1624), SCTP's CRC32c recomputed. */
#ifndef DATAPATH_DP_EXECUTE_H
#define DATAPATH_DP_EXECUTE_H 1

#include <stddef.h>
#include <stdint.h>

#include "datapath/dp-actions.h"

struct packet;
struct packet_batch;

struct dp_exec_ops {
    /* Sends 'batch' (nonempty) to datapath port 'port'.  Takes ownership
     * of the packets; may leave 'batch' with any count, which the executor
     * then ignores. */
    void (*output)(void *aux, uint32_t port, struct packet_batch *batch);
    /* Hands 'packet' to the switch with the USERSPACE action's cookie.
     * Borrows 'packet' (copy what must outlive the call); the executor
     * destroys it afterwards unless the action has
     * DP_USERSPACE_F_CONTINUE.  NULL: USERSPACE drops. */
    void (*upcall)(void *aux, struct packet *packet, const void *cookie,
                   size_t cookie_size);
    /* Runs 'batch' (nonempty) through the datapath again with
     * md.recirc_id = 'id' (already set).  Takes ownership of the packets.
     * NULL: RECIRC drops. */
    void (*recirculate)(void *aux, struct packet_batch *batch, uint32_t id);
    /* Connection tracking: updates each packet's md.ct_* (and rewrites it
     * for NAT) as 'ct' says.  May drop packets: it destroys them and
     * removes them from 'batch', keeping the others in order.  NULL:
     * packets get ct_state = trk|inv. */
    void (*conntrack)(void *aux, struct packet_batch *batch,
                      const struct dp_action_ct *ct);
    /* Runs 'batch' (nonempty) through datapath meter 'meter_id'
     * (datapath/dp-meter.h): it destroys and removes the packets it drops,
     * keeping the others in order.  NULL: METER passes every packet. */
    void (*meter)(void *aux, struct packet_batch *batch, uint32_t meter_id);
};

/* Runs the 'size' bytes of actions at 'actions' (dp_actions_validate()
 * must accept them) over every packet of 'batch'.  Takes ownership of the
 * packets: each is handed on through 'ops' (called with 'aux') or
 * destroyed.  Leaves 'batch' empty. */
void dp_execute(const struct dp_exec_ops *ops, void *aux,
                struct packet_batch *batch, const struct dp_action *actions,
                size_t size);

/* Applies the SET_MASKED action 'a' to 'p' (exposed for tests and for the
 * switch's slow path).  Packets without the header are left as they are. */
void dp_execute_set_masked(struct packet *p, const struct dp_action *a);

/* The CRC32c (RFC 3309) of the 'size' bytes at 'data', as SCTP stores it
 * (little-endian on the wire). */
uint32_t dp_execute_crc32c(const void *data, size_t size);

#endif /* datapath/dp-execute.h */
