/* Flow monitor messages (see ofp-monitor.h for the layouts). */
#include "openflow/ofp-monitor.h"

#include <string.h>

#include "lib/util.h"
#include "openflow/ofp-msgs-private.h"

#define REQUEST_LEN 16          /* Fixed part of a monitor request. */
#define UPDATE_FULL_LEN 24      /* Fixed part of a full update. */
#define UPDATE_ABBREV_LEN 8     /* An abbreviated update. */

/* Pulls the next monitor request of an NXST_FLOW_MONITOR request body
 * (iterate with ofpmsg_iter_init() over msg->body).  Returns 0, OFPMSG_EOF
 * at the end, or an error for a short or malformed entry. */
enum ofperr
ofpmon_request_pull(struct ofpmsg_iter *it, struct ofpmon_request *r)
{
    if (!it->left) {
        return OFPMSG_EOF;
    }
    if (it->left < REQUEST_LEN) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = it->p;
    memset(r, 0, sizeof *r);
    r->id = ofpmsg__get32(p);
    r->flags = ofpmsg__get16(p + 4);
    r->out_port = ofpmsg__get16(p + 6);
    size_t match_len = ofpmsg__get16(p + 8);
    r->table_id = p[10];
    if (r->flags & ~NXFMF_ALL) {
        return OFPERR_OFPMOFC_BAD_FLAGS;
    }
    const uint8_t *q = p + REQUEST_LEN;
    size_t left = it->left - REQUEST_LEN;
    enum ofperr err = ofpmsg__pull_nxm_match(&q, &left, match_len,
                                             &r->match);
    if (err) {
        return err;
    }
    it->p = q;
    it->left = left;
    it->index++;
    return 0;
}

/* Appends an NXST_FLOW_MONITOR request (OpenFlow 1.0) with the 'n'
 * requests 'reqs' (NXM matches) to 'b'. */
void
ofpmon_encode_request(uint32_t xid, const struct ofpmon_request *reqs,
                      size_t n, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_FLOW_MONITOR_REQUEST, OFPMSG_NX,
                                 OFP10_VERSION, xid);
    for (size_t i = 0; i < n; i++) {
        const struct ofpmon_request *r = &reqs[i];
        ofpbuf_put_be32(b, r->id);
        ofpbuf_put_be16(b, r->flags);
        ofpbuf_put_be16(b, r->out_port);
        size_t len_ofs = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_u8(b, r->table_id);
        ofpbuf_put_zeros(b, 5);
        size_t mlen = ofpmsg__put_nxm_match(b, &r->match, 0, 0);
        ofpbuf_set_be16(b, len_ofs, mlen);
    }
    ofpmsg__finish(b, start);
}

/* Appends update 'u' to the NXST_FLOW_MONITOR reply 'r' (begun with
 * ofpmsg_mp_reply_init(OFPMSG_FLOW_MONITOR_REPLY, OFPMSG_NX, 1.0, xid)). */
void
ofpmon_put_update(struct ofpmsg_mp_reply *r, const struct ofpmon_update *u)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    if (u->event == NXFME_ABBREV) {
        ofpbuf_put_be16(b, UPDATE_ABBREV_LEN);
        ofpbuf_put_be16(b, NXFME_ABBREV);
        ofpbuf_put_be32(b, u->xid);
    } else {
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_be16(b, u->event);
        ofpbuf_put_be16(b, u->reason);
        ofpbuf_put_be16(b, u->priority);
        ofpbuf_put_be16(b, u->idle_timeout);
        ofpbuf_put_be16(b, u->hard_timeout);
        size_t len_ofs = b->size;
        ofpbuf_put_be16(b, 0);
        ofpbuf_put_u8(b, u->table_id);
        ofpbuf_put_u8(b, 0);
        ofpbuf_put_be64(b, u->cookie);
        size_t mlen = ofpmsg__put_nxm_match(b, &u->match, 0, 0);
        ofpbuf_set_be16(b, len_ofs, mlen);
        if (u->actions.size) {
            ofpbuf_put(b, u->actions.data, u->actions.size);
        }
        ofpbuf_set_be16(b, start, b->size - start);
    }
    ofpmsg_mp_reply_end_entry(r, start);
}

/* Pulls the next update of an NXST_FLOW_MONITOR reply body.  Returns 0,
 * OFPMSG_EOF at the end, or an error. */
enum ofperr
ofpmon_update_pull(struct ofpmsg_iter *it, struct ofpmon_update *u)
{
    if (!it->left) {
        return OFPMSG_EOF;
    }
    if (it->left < 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = it->p;
    size_t length = ofpmsg__get16(p);
    memset(u, 0, sizeof *u);
    u->event = ofpmsg__get16(p + 2);
    if (length > it->left || length % 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if (u->event == NXFME_ABBREV) {
        if (length != UPDATE_ABBREV_LEN) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        u->xid = ofpmsg__get32(p + 4);
    } else if (u->event <= NXFME_MODIFIED) {
        if (length < UPDATE_FULL_LEN) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        u->reason = ofpmsg__get16(p + 4);
        u->priority = ofpmsg__get16(p + 6);
        u->idle_timeout = ofpmsg__get16(p + 8);
        u->hard_timeout = ofpmsg__get16(p + 10);
        size_t match_len = ofpmsg__get16(p + 12);
        u->table_id = p[14];
        u->cookie = ofpmsg__get64(p + 16);
        const uint8_t *q = p + UPDATE_FULL_LEN;
        size_t left = length - UPDATE_FULL_LEN;
        enum ofperr err = ofpmsg__pull_nxm_match(&q, &left, match_len,
                                                 &u->match);
        if (err) {
            return err;
        }
        u->actions.format = OFPMSG_ACTIONS_OF10;
        u->actions.version = OFP10_VERSION;
        u->actions.data = q;
        u->actions.size = left;
        err = ofpmsg__check_actions(&u->actions);
        if (err) {
            return err;
        }
    } else {
        return OFPERR_OFPBRC_BAD_TYPE;
    }
    it->p += length;
    it->left -= length;
    it->index++;
    return 0;
}

/* Appends NXT_FLOW_MONITOR_CANCEL for monitor 'id'. */
void
ofpmon_encode_cancel(uint32_t xid, uint32_t id, struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_NXT_FLOW_MONITOR_CANCEL,
                                 OFPMSG_NX, OFP10_VERSION, xid);
    ofpbuf_put_be32(b, id);
    ofpmsg__finish(b, start);
}

/* Decodes NXT_FLOW_MONITOR_CANCEL into '*id'. */
enum ofperr
ofpmon_decode_cancel(const struct ofpmsg *msg, uint32_t *id)
{
    if (msg->body_size != 4) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *id = ofpmsg__get32(msg->body);
    return 0;
}
