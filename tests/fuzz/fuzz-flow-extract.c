/* Fuzz target for flow key extraction (datapath/flow-extract.h).  The
 * input is a packet; it is copied into a buffer of exactly its size, so
 * that ASan catches any read past its end.  Checks that
 *
 *   - the L2/L3/L4 offsets lie within the packet and in order;
 *   - a packet too short for Ethernet gets no headers and a zero key;
 *   - extraction is deterministic and overwrites every byte of the key
 *     (the same packet into a dirty key gives the same key);
 *   - the result is counted, and the debug formatter and 5-tuple hash run
 *     on whatever key came out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/flow-extract.h"
#include "datapath/packet.h"
#include "lib/ds.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct flow_extract_stats stats;
    struct flow a, b;

    if (size > 65535) {
        return 0;
    }

    /* A packet with no headroom or tailroom: data ends the allocation. */
    struct packet *p = packet_create(size, 0);
    memcpy(packet_put_uninit(p, size), data, size);

    memset(&stats, 0, sizeof stats);
    enum flow_extract_error err = flow_extract(p, &a, &stats);
    ASSERT((unsigned) err < FLOW_EXTRACT_N_ERRORS);
    ASSERT(stats.counts[err] == 1);

    uint16_t l2 = p->l2_ofs, l3 = p->l3_ofs, l4 = p->l4_ofs;
    if (size < 14) {
        ASSERT(err == FLOW_EXTRACT_ETH_TRUNC);
        ASSERT(l2 == PACKET_OFS_NONE && l3 == PACKET_OFS_NONE
               && l4 == PACKET_OFS_NONE);
        ASSERT(!a.dl_type);
    } else {
        ASSERT(l2 == 0);
        ASSERT(l3 != PACKET_OFS_NONE && l3 >= 14 && l3 <= size);
        ASSERT(l4 == PACKET_OFS_NONE || (l4 > l3 && l4 <= size));
        ASSERT(a.dl_type);
    }

    memset(&b, 0x5a, sizeof b);
    ASSERT(flow_extract(p, &b, NULL) == err);
    ASSERT(!memcmp(&a, &b, sizeof a));

    struct ds ds = DS_EMPTY_INITIALIZER;
    flow_format(&a, &ds);
    ds_uninit(&ds);
    (void) flow_hash_5tuple(&a, 0);

    packet_destroy(p);
    return 0;
}
