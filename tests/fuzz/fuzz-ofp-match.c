/* Fuzz target for the match decoders (openflow/ofp-match.h): the input is
 * decoded as NXM TLVs, as an OXM struct ofp_match and as an OpenFlow 1.0
 * match.  Whatever decodes is re-encoded in the same form and decoded
 * again, and must give the same match. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ofp_tlv_map map;
    struct ofp_match m, m2;
    struct ofpbuf b;
    size_t consumed;

    memset(&map, 0, sizeof map);
    map.slots[0].len = 4;
    map.slots[1].ofs = 4;
    map.slots[1].len = 8;

    if (!ofp_match_decode_nxm(data, size, &map, &m)) {
        ofpbuf_init(&b);
        size_t n = ofp_match_put_nxm(&m, &map, &b);
        ASSERT(!ofp_match_decode_nxm(b.data, n, &map, &m2));
        ASSERT(ofp_match_equal(&m, &m2));
        ofpbuf_uninit(&b);
    }
    if (!ofp_match_decode_oxm(data, size, &map, &m, &consumed)) {
        ASSERT(consumed <= size);
    }
    if (size >= OFP10_MATCH_LEN) {
        uint8_t out[OFP10_MATCH_LEN];
        if (!ofp_match_from_ofp10(data, &m)) {
            ofp_match_to_ofp10(&m, out);
            ASSERT(!ofp_match_from_ofp10(out, &m2));
            ASSERT(ofp_match_equal(&m, &m2));
        }
    }
    return 0;
}
