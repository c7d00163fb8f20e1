/* Fuzz target for the action codec (openflow/ofp-actions.h).  The first
 * input byte picks the wire version and whether the rest is an action or
 * an instruction list; the rest is decoded.  Whatever decodes is checked,
 * formatted, encoded in the same version and decoded again, and the second
 * decoding must encode to the same bytes as the first (encode, decode,
 * encode is stable).  The formatted text must parse back.  A second pass
 * feeds the input, as text, to the action parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ofp_tlv_map *
fuzz_map(void)
{
    static struct ofp_tlv_map map;
    map.slots[0].len = 4;
    map.slots[1].ofs = 4;
    map.slots[1].len = 8;
    return &map;
}

static void
encode(const struct ofpbuf *acts, uint8_t version, bool inst,
       struct ofpbuf *out)
{
    const struct ofpact *a = (const struct ofpact *) acts->data;
    if (inst) {
        ofpacts_encode_instructions(a, acts->size, version, fuzz_map(), out);
    } else {
        ofpacts_encode_actions(a, acts->size, version, fuzz_map(), out);
    }
}

static enum ofperr
decode(const uint8_t *p, size_t n, uint8_t version, bool inst,
       struct ofpbuf *out)
{
    return inst ? ofpacts_decode_instructions(p, n, version, fuzz_map(), out)
           : ofpacts_decode_actions(p, n, version, fuzz_map(), out);
}

static void
fuzz_wire(const uint8_t *data, size_t size)
{
    static const uint8_t versions[] = { 0x01, 0x04, 0x05, 0x06 };
    struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
    uint8_t version;
    bool inst;

    if (!size) {
        return;
    }
    version = versions[data[0] & 3];
    inst = version != 0x01 && (data[0] & 4);
    if (!decode(data + 1, size - 1, version, inst, &acts)) {
        struct ofpbuf w1 = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf w2 = OFPBUF_EMPTY_INITIALIZER;
        struct ofpbuf again = OFPBUF_EMPTY_INITIALIZER;
        struct ds s = DS_EMPTY_INITIALIZER;
        struct ofp_match m;

        ofp_match_init_catchall(&m);
        enum ofperr err = ofpacts_check((const struct ofpact *) acts.data,
                                        acts.size, &m, fuzz_map(), 0xff00,
                                        0);
        ASSERT(!err || ofperr_is_valid(err));
        ofpacts_format((const struct ofpact *) acts.data, acts.size,
                       fuzz_map(), &s);
        encode(&acts, version, inst, &w1);
        ASSERT(!decode(w1.data, w1.size, version, inst, &again));
        encode(&again, version, inst, &w2);
        ASSERT(w1.size == w2.size
               && (!w1.size || !memcmp(w1.data, w2.data, w1.size)));
        ofpbuf_uninit(&w1);
        ofpbuf_uninit(&w2);
        ofpbuf_uninit(&again);
        ds_uninit(&s);
    }
    ofpbuf_uninit(&acts);
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
    struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
    char *s = xmemdup0((const char *) data, size);
    char *err = ofpacts_parse(s, fuzz_map(), &acts);

    if (!err) {
        struct ds text = DS_EMPTY_INITIALIZER;
        struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;
        ofpacts_format((const struct ofpact *) acts.data, acts.size,
                       fuzz_map(), &text);
        ofpacts_encode_instructions((const struct ofpact *) acts.data,
                                    acts.size, 0x06, fuzz_map(), &wire);
        ds_uninit(&text);
        ofpbuf_uninit(&wire);
    }
    free(err);
    free(s);
    ofpbuf_uninit(&acts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_wire(data, size);
    fuzz_text(data, size);
    return 0;
}
