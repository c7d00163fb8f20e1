/* Group mods, buckets (shared with group desc replies) and bundles (the
 * OpenFlow 1.4 messages and the ONF extension ovs-ofctl --bundle uses with
 * OpenFlow 1.3). */
#include "openflow/ofp-msgs.h"

#include <string.h>

#include "openflow/ofp-msgs-private.h"

/* Groups. */

/* Appends 'n' buckets in the layout of 'version'. */
void
ofpmsg__put_buckets(struct ofpbuf *b, uint8_t version,
                    const struct ofpmsg_bucket *buckets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ofpmsg_bucket *bk = &buckets[i];
        size_t start = b->size;
        if (version <= OFP14_VERSION) {
            ofpbuf_put_be16(b, 0);
            ofpbuf_put_be16(b, bk->weight);
            ofpbuf_put_be32(b, bk->watch_port);
            ofpbuf_put_be32(b, bk->watch_group);
            ofpbuf_put_zeros(b, 4);
            ofpmsg__put_actions(b, &bk->actions);
        } else {
            ofpbuf_put_be16(b, 0);
            ofpbuf_put_be16(b, (uint16_t) bk->actions.size);
            ofpbuf_put_be32(b, bk->bucket_id);
            ofpmsg__put_actions(b, &bk->actions);
            /* OFPGBPT15_WEIGHT, _WATCH_PORT, _WATCH_GROUP. */
            ofpbuf_put_be16(b, 0);
            ofpbuf_put_be16(b, 8);
            ofpbuf_put_be16(b, bk->weight);
            ofpbuf_put_zeros(b, 2);
            if (bk->watch_port != OFP11_PORT_ANY) {
                ofpbuf_put_be16(b, 1);
                ofpbuf_put_be16(b, 8);
                ofpbuf_put_be32(b, bk->watch_port);
            }
            if (bk->watch_group != OFPG_ANY) {
                ofpbuf_put_be16(b, 2);
                ofpbuf_put_be16(b, 8);
                ofpbuf_put_be32(b, bk->watch_group);
            }
        }
        ofpbuf_set_be16(b, start, (uint16_t) (b->size - start));
    }
}

/* Reads the OF1.5 bucket properties at 'p'. */
static enum ofperr
get_bucket_props(const uint8_t *p, size_t left, struct ofpmsg_bucket *bk)
{
    enum ofperr err = OFPERR_OFPGMFC_BAD_BUCKET;
    while (left) {
        if (left < 4) {
            return err;
        }
        uint16_t type = ofpmsg__get16(p);
        uint16_t len = ofpmsg__get16(p + 2);
        if (len < 4 || OFPMSG_PAD8(len) > left) {
            return err;
        }
        if (type <= 2 && len != 8) {
            return err;
        }
        if (type == 0) {
            bk->weight = ofpmsg__get16(p + 4);
        } else if (type == 1) {
            bk->watch_port = ofpmsg__get32(p + 4);
        } else if (type == 2) {
            bk->watch_group = ofpmsg__get32(p + 4);
        }
        p += OFPMSG_PAD8(len);
        left -= OFPMSG_PAD8(len);
    }
    return 0;
}

/* Pulls the next bucket from 'it' (a group_mod's or group desc entry's
 * bucket list).  Returns 0, OFPMSG_EOF or an error. */
enum ofperr
ofpmsg_bucket_pull(struct ofpmsg_iter *it, struct ofpmsg_bucket *bk)
{
    enum ofperr err = OFPERR_OFPGMFC_BAD_BUCKET;
    memset(bk, 0, sizeof *bk);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    if (it->left < 16) {
        return err;
    }
    const uint8_t *p = it->p;
    uint16_t len = ofpmsg__get16(p);
    if (len < (it->version <= OFP14_VERSION ? 16 : 8) || len % 8
        || len > it->left) {
        return err;
    }
    bk->watch_port = OFP11_PORT_ANY;
    bk->watch_group = OFPG_ANY;
    bk->actions.version = it->version;
    bk->actions.format = OFPMSG_ACTIONS_OF11;
    if (it->version <= OFP14_VERSION) {
        bk->bucket_id = it->index;
        bk->weight = ofpmsg__get16(p + 2);
        bk->watch_port = ofpmsg__get32(p + 4);
        bk->watch_group = ofpmsg__get32(p + 8);
        bk->actions.data = p + 16;
        bk->actions.size = len - 16;
    } else {
        uint16_t actions_len = ofpmsg__get16(p + 2);
        if (actions_len > len - 8) {
            return err;
        }
        bk->bucket_id = ofpmsg__get32(p + 4);
        bk->actions.data = p + 8;
        bk->actions.size = actions_len;
        enum ofperr perr = get_bucket_props(p + 8 + actions_len,
                                         len - 8 - actions_len, bk);
        if (perr) {
            return perr;
        }
    }
    enum ofperr aerr = ofpmsg__check_actions(&bk->actions);
    if (aerr) {
        return aerr;
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* Appends a group mod (OF1.3+). */
void
ofpmsg_encode_group_mod(uint8_t version, uint32_t xid,
                        const struct ofpmsg_group_mod *gm, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_GROUP_MOD, OFPMSG_STD, version,
                                 xid);
    ofpbuf_put_be16(b, gm->command);
    ofpbuf_put_u8(b, gm->type);
    ofpbuf_put_zeros(b, 1);
    ofpbuf_put_be32(b, gm->group_id);
    if (version <= OFP14_VERSION) {
        ofpmsg__put_buckets(b, version, gm->buckets, gm->n_buckets);
    } else {
        size_t len_ofs = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_zeros(b, 2);
        ofpbuf_put_be32(b, gm->command_bucket_id);
        size_t bstart = b->size;
        ofpmsg__put_buckets(b, version, gm->buckets, gm->n_buckets);
        ofpbuf_set_be16(b, len_ofs, (uint16_t) (b->size - bstart));
    }
    ofpmsg__finish(b, start);
}

/* Decodes a group mod.  Buckets are left in 'buckets_raw' and checked
 * here once, so that iterating them later cannot fail. */
enum ofperr
ofpmsg_decode_group_mod(const struct ofpmsg *msg, struct ofpmsg_group_mod *gm)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    memset(gm, 0, sizeof *gm);
    if (left < 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    gm->command = ofpmsg__get16(p);
    gm->type = p[2];
    gm->group_id = ofpmsg__get32(p + 4);
    gm->command_bucket_id = OFPG_BUCKET_ALL;
    p += 8;
    left -= 8;
    if (msg->version >= OFP15_VERSION) {
        if (left < 8) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint16_t blen = ofpmsg__get16(p);
        gm->command_bucket_id = ofpmsg__get32(p + 4);
        p += 8;
        left -= 8;
        if (blen > left) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        left = blen;            /* Group properties after it are ignored. */
    }
    gm->buckets_raw = p;
    gm->buckets_raw_size = left;

    struct ofpmsg_iter it;
    struct ofpmsg_bucket bk;
    enum ofperr err;
    ofpmsg_iter_init(&it, msg, p, left);
    while (!(err = ofpmsg_bucket_pull(&it, &bk))) {
        continue;
    }
    return err == OFPMSG_EOF ? 0 : err;
}

/* Bundles. */

static enum ofpmsg_family
bundle_family(uint8_t version)
{
    ASSERT(version >= OFP13_VERSION);
    return version == OFP13_VERSION ? OFPMSG_ONF : OFPMSG_STD;
}

/* Appends a bundle control message (OF1.4+, or ONF 2300 in OF1.3). */
void
ofpmsg_encode_bundle_ctrl(uint8_t version, uint32_t xid,
                          const struct ofpmsg_bundle_ctrl *bc,
                          struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_BUNDLE_CONTROL,
                                 bundle_family(version), version, xid);
    ofpbuf_put_be32(b, bc->bundle_id);
    ofpbuf_put_be16(b, bc->type);
    ofpbuf_put_be16(b, bc->flags);
    if (bc->props_size) {
        ofpbuf_put(b, bc->props, bc->props_size);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a bundle control message. */
enum ofperr
ofpmsg_decode_bundle_ctrl(const struct ofpmsg *msg,
                          struct ofpmsg_bundle_ctrl *bc)
{
    const uint8_t *p = msg->body;
    if (msg->body_size < 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    bc->bundle_id = ofpmsg__get32(p);
    bc->type = ofpmsg__get16(p + 4);
    bc->flags = ofpmsg__get16(p + 6);
    bc->props = p + 8;
    bc->props_size = msg->body_size - 8;
    return 0;
}

/* Appends a bundle add message wrapping 'ba->msg'. */
void
ofpmsg_encode_bundle_add(uint8_t version, uint32_t xid,
                         const struct ofpmsg_bundle_add *ba,
                         struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_BUNDLE_ADD,
                                 bundle_family(version), version, xid);
    ofpbuf_put_be32(b, ba->bundle_id);
    ofpbuf_put_zeros(b, 2);
    ofpbuf_put_be16(b, ba->flags);
    ofpbuf_put(b, ba->msg, ba->msg_size);
    if (ba->props_size) {
        ofpbuf_pad_to(b, 8, start);
        ofpbuf_put(b, ba->props, ba->props_size);
    }
    ofpmsg__finish(b, start);
}

/* Decodes a bundle add message.  The inner message's header length must
 * fit; classifying it is the caller's next step. */
enum ofperr
ofpmsg_decode_bundle_add(const struct ofpmsg *msg,
                         struct ofpmsg_bundle_add *ba)
{
    const uint8_t *p = msg->body;
    size_t left = msg->body_size;
    if (left < 8 + OFP_HEADER_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    ba->bundle_id = ofpmsg__get32(p);
    ba->flags = ofpmsg__get16(p + 6);
    p += 8;
    left -= 8;
    uint16_t inner = ofpmsg__get16(p + 2);
    if (inner < OFP_HEADER_LEN || inner > left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (p[0] != msg->version) {
        return OFPERR_OFPBRC_BAD_VERSION;
    }
    ba->msg = p;
    ba->msg_size = inner;
    size_t after = left - inner;
    size_t pad = (msg->size - after) % 8 ? 8 - (msg->size - after) % 8 : 0;
    if (after) {
        if (after < pad) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        ba->props = p + inner + pad;
        ba->props_size = after - pad;
    } else {
        ba->props = p + inner;
        ba->props_size = 0;
    }
    return 0;
}
