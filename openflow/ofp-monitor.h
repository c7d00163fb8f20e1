/* Flow monitors: the Nicira extension that lets a controller watch a flow
 * table change (ovs-ofctl(8) "monitor ... watch:[spec...]").
 *
 * Messages (OpenFlow 1.0 framing, Nicira vendor 0x2320):
 *   NXST_FLOW_MONITOR request: one or more 'struct ofpmon_request' entries,
 *     each 16 bytes (id, flags, out_port, match_len, table_id, 5 zero
 *     bytes) then an NXM match padded to 8 bytes.
 *   NXST_FLOW_MONITOR reply: update entries, each starting with a 16-bit
 *     length and a 16-bit event (NXFME_*).  ADDED, DELETED and MODIFIED
 *     carry the full flow (24 bytes: length, event, reason, priority,
 *     idle_timeout, hard_timeout, match_len, table_id, pad, cookie; then
 *     the NXM match padded to 8 and the OpenFlow 1.0 actions); ABBREV is 8
 *     bytes (length, event, xid) and stands for the changes that the
 *     receiving connection itself made with the request of that xid.  The
 *     reply to the request (same xid) lists the flows present at the start
 *     (NXFMF_INITIAL); later replies (xid 0) carry the changes.
 *   NXT_FLOW_MONITOR_CANCEL: a 32-bit monitor id.
 *   NXT_FLOW_MONITOR_PAUSED / _RESUMED: no body; the switch stopped
 *     sending updates because the connection fell behind, and started
 *     again.
 *
 * Decoders return 0 or an OpenFlow error and borrow from the message
 * bytes; the entry iterators return OFPMSG_EOF at the end.  Encoders
 * append to a struct ofpbuf (replies through struct ofpmsg_mp_reply). */
#ifndef OPENFLOW_OFP_MONITOR_H
#define OPENFLOW_OFP_MONITOR_H 1

#include <stdint.h>

#include "openflow/ofp-errors.h"
#include "openflow/ofp-msgs.h"
#include "openflow/ofpbuf.h"

/* Request flags. */
#define NXFMF_INITIAL 0x0001    /* Report the flows present now. */
#define NXFMF_ADD 0x0002        /* Report flows added. */
#define NXFMF_DELETE 0x0004     /* Report flows deleted. */
#define NXFMF_MODIFY 0x0008     /* Report flows modified. */
#define NXFMF_ACTIONS 0x0010    /* Include the actions in updates. */
#define NXFMF_OWN 0x0020        /* Report this connection's own changes in
                                 * full (else as one ABBREV each). */
#define NXFMF_ALL 0x003f        /* Every known flag. */

/* Update events. */
enum ofpmon_event {
    NXFME_ADDED = 0,            /* Flow added. */
    NXFME_DELETED = 1,          /* Flow deleted. */
    NXFME_MODIFIED = 2,         /* Flow's actions or cookie changed. */
    NXFME_ABBREV = 3,           /* Abbreviated: own change by xid. */
};

/* One monitor request. */
struct ofpmon_request {
    uint32_t id;                /* Controller-chosen monitor id. */
    uint16_t flags;             /* NXFMF_*. */
    uint16_t out_port;          /* OpenFlow 1.0 port; OFPP_NONE for any. */
    uint8_t table_id;           /* Table, or 0xff for all. */
    struct ofpmsg_match match;  /* NXM (borrowed when decoded). */
};

enum ofperr ofpmon_request_pull(struct ofpmsg_iter *,
                                struct ofpmon_request *);
void ofpmon_encode_request(uint32_t xid, const struct ofpmon_request *,
                           size_t n, struct ofpbuf *);

/* One update. */
struct ofpmon_update {
    enum ofpmon_event event;    /* NXFME_*. */
    uint32_t xid;               /* ABBREV only: the request's xid. */
    uint16_t reason;            /* DELETED only: OFPRR_*. */
    uint16_t priority;          /* Flow priority. */
    uint16_t idle_timeout;      /* Seconds. */
    uint16_t hard_timeout;      /* Seconds. */
    uint8_t table_id;           /* Table. */
    uint64_t cookie;            /* Cookie. */
    struct ofpmsg_match match;  /* NXM. */
    struct ofpmsg_actions actions; /* OpenFlow 1.0 actions (size 0 when
                                    * NXFMF_ACTIONS was not asked). */
};

void ofpmon_put_update(struct ofpmsg_mp_reply *, const struct ofpmon_update *);
enum ofperr ofpmon_update_pull(struct ofpmsg_iter *, struct ofpmon_update *);

/* NXT_FLOW_MONITOR_CANCEL (PAUSED and RESUMED: ofpmsg_encode_simple()). */
void ofpmon_encode_cancel(uint32_t xid, uint32_t id, struct ofpbuf *);
enum ofperr ofpmon_decode_cancel(const struct ofpmsg *, uint32_t *id);

#endif /* openflow/ofp-monitor.h */
