/* TCP connection tracking: a state machine over the flags of both
 * directions and window tracking in the manner of G. van Rooij's "Real
 * Stateful TCP Packet Filtering in IP Filter" (the scheme the BSD and
 * Linux trackers use): each sender's highest sequence end, the furthest
 * point the other side's acknowledgements and windows let it reach, and
 * its largest window.  A segment whose data lies outside what the
 * receiver allowed, or that acknowledges data never sent, is invalid. */
#include <string.h>

#include "datapath/conntrack-private.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define MAX_ACK_WINDOW 66000    /* Slack for acks of data in flight. */

struct tcp_seg {
    uint32_t seq;               /* Sequence number. */
    uint32_t ack;               /* Acknowledgement (if TH_ACK). */
    uint32_t end;               /* seq + payload + SYN + FIN. */
    uint32_t win;               /* Raw window. */
    uint8_t flags;              /* TH_*. */
    int wscale;                 /* Window-scale option, -1 if none. */
};

static bool
parse_seg(const struct ct_pkt *pp, struct tcp_seg *s)
{
    const uint8_t *th = pp->l4;
    size_t doff = (th[12] >> 4) * 4u;

    if (doff < 20 || doff > pp->l4_size) {
        return false;
    }
    s->seq = ct_get32(th + 4);
    s->ack = ct_get32(th + 8);
    s->flags = th[13] & 0x3f;
    s->win = ct_get16(th + 14);
    s->end = s->seq + (uint32_t) (pp->l4_size - doff)
             + (s->flags & TH_SYN ? 1 : 0) + (s->flags & TH_FIN ? 1 : 0);
    s->wscale = -1;
    if (s->flags & TH_SYN) {
        for (size_t i = 20; i < doff;) {
            uint8_t kind = th[i];

            if (kind == 0) {
                break;
            } else if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= doff || th[i + 1] < 2 || i + th[i + 1] > doff) {
                break;
            }
            if (kind == 3 && th[i + 1] == 3) {
                s->wscale = MIN(th[i + 2], 14);
            }
            i += th[i + 1];
        }
    }
    return true;
}

/* Flag combinations no stack sends. */
static bool
flags_valid(uint8_t f)
{
    if (!(f & (TH_SYN | TH_RST | TH_ACK | TH_FIN))) {
        return false;
    }
    if ((f & TH_SYN) && (f & (TH_RST | TH_FIN))) {
        return false;
    }
    if ((f & TH_FIN) && !(f & TH_ACK)) {
        return false;
    }
    return true;
}

/* Whether 'pp' may open a connection: a plain SYN. */
bool
conntrack__tcp_valid_new(const struct ct_pkt *pp)
{
    uint8_t f = pp->l4[13] & 0x3f;

    return (f & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN;
}

/* Prepares 'conn' for its first segment 'pp'. */
void
conntrack__tcp_init(struct ct_conn *conn, const struct ct_pkt *pp)
{
    (void) pp;
    memset(conn->peer, 0, sizeof conn->peer);
    conn->state = CT_TCP_NONE;
}

static void
peer_start(struct ct_tcp_peer *p, const struct tcp_seg *s)
{
    p->end = s->end;
    p->maxend = s->end;
    p->maxwin = MAX(s->win, 1);
    p->wscale = 0;
    p->flags = CT_PEER_F_SEEN | (s->wscale >= 0 ? CT_PEER_F_WSCALE : 0);
    p->pad = s->wscale >= 0 ? (uint16_t) s->wscale : 0;
}

static enum ct_timeout
state_tm(uint8_t state)
{
    switch (state) {
    case CT_TCP_SYN_SENT: return CT_TM_TCP_SYN_SENT;
    case CT_TCP_SYN_RECV: return CT_TM_TCP_SYN_RECV;
    case CT_TCP_ESTABLISHED: return CT_TM_TCP_ESTABLISHED;
    case CT_TCP_FIN_WAIT:
    case CT_TCP_CLOSE_WAIT:
    case CT_TCP_LAST_ACK: return CT_TM_TCP_FIN_WAIT;
    case CT_TCP_TIME_WAIT: return CT_TM_TCP_TIME_WAIT;
    default: return CT_TM_TCP_CLOSE;
    }
}

/* The window checks; updates the peers if the segment passes. */
static bool
in_window(struct ct_tcp_peer *snd, struct ct_tcp_peer *rcv,
          const struct tcp_seg *s)
{
    uint32_t ack = s->flags & TH_ACK ? s->ack : rcv->end;
    uint32_t win = (s->flags & TH_SYN) ? s->win : s->win << snd->wscale;
    uint32_t ack_slack = MAX(snd->maxwin, MAX_ACK_WINDOW);

    if (s->flags & TH_RST && !(s->flags & TH_ACK)) {
        ack = rcv->end;
    }
    bool ok = !ct_seq_after(s->seq, snd->maxend)
              && !ct_seq_before(s->end, snd->end - rcv->maxwin - 1)
              && !ct_seq_after(ack, rcv->end)
              && !ct_seq_before(ack, rcv->end - ack_slack);
    if (!ok) {
        return false;
    }
    if (win > snd->maxwin) {
        snd->maxwin = win;
    }
    if (ct_seq_after(s->end, snd->end)) {
        snd->end = s->end;
    }
    if (s->flags & TH_ACK) {
        uint32_t reach = ack + MAX(win, 1);
        if (ct_seq_after(reach, rcv->maxend)) {
            rcv->maxend = reach;
        }
        if ((rcv->flags & CT_PEER_F_FIN) && ack == rcv->end) {
            rcv->flags |= CT_PEER_F_FIN_ACKED;
        }
    }
    if (s->flags & TH_FIN) {
        snd->flags |= CT_PEER_F_FIN;
    }
    return true;
}

/* Runs segment 'pp' of direction 'dir' through 'conn' (spinlock held).
 * See conntrack-private.h. */
bool
conntrack__tcp_update(struct ct_conn *conn, const struct ct_pkt *pp,
                      enum ct_dir dir, enum ct_timeout *tm)
{
    struct ct_tcp_peer *snd = &conn->peer[dir];
    struct ct_tcp_peer *rcv = &conn->peer[!dir];
    struct tcp_seg s;

    *tm = state_tm(conn->state);
    if (!parse_seg(pp, &s) || !flags_valid(s.flags)) {
        return false;
    }

    switch (conn->state) {
    case CT_TCP_NONE:
        if (dir != CT_DIR_ORIG || (s.flags & (TH_SYN | TH_ACK)) != TH_SYN) {
            return false;
        }
        peer_start(snd, &s);
        conn->state = CT_TCP_SYN_SENT;
        break;

    case CT_TCP_SYN_SENT:
        if (dir == CT_DIR_ORIG) {
            if ((s.flags & (TH_SYN | TH_ACK)) == TH_SYN) {
                peer_start(snd, &s);    /* Retransmission or new ISN. */
                break;
            }
            return false;
        }
        if ((s.flags & TH_RST) && (s.flags & TH_ACK) && s.ack == rcv->end) {
            conn->state = CT_TCP_CLOSE;
            break;
        }
        if ((s.flags & (TH_SYN | TH_ACK)) != (TH_SYN | TH_ACK)
            || s.ack != rcv->end) {
            return false;
        }
        peer_start(snd, &s);
        if ((snd->flags & CT_PEER_F_WSCALE)
            && (rcv->flags & CT_PEER_F_WSCALE)) {
            snd->wscale = (uint8_t) snd->pad;
            rcv->wscale = (uint8_t) rcv->pad;
        } else {
            snd->wscale = rcv->wscale = 0;
        }
        /* The SYN's window told how far the replier may send. */
        snd->maxend = snd->end + rcv->maxwin;
        rcv->maxend = s.ack + MAX(s.win, 1);
        conn->state = CT_TCP_SYN_RECV;
        break;

    case CT_TCP_CLOSE:
        return (s.flags & TH_RST) != 0;

    default:
        if (s.flags & TH_SYN) {
            /* A retransmitted SYN or SYN-ACK is harmless; anything else
             * with SYN is not. */
            return (conn->state == CT_TCP_SYN_RECV
                    && ((dir == CT_DIR_REPLY && (s.flags & TH_ACK)
                         && s.seq + 1 == snd->end)
                        || (dir == CT_DIR_ORIG && !(s.flags & TH_ACK)
                            && s.seq + 1 == snd->end)));
        }
        if (!(snd->flags & CT_PEER_F_SEEN) || !in_window(snd, rcv, &s)) {
            return false;
        }
        if (s.flags & TH_RST) {
            conn->state = CT_TCP_CLOSE;
            break;
        }
        if (conn->state == CT_TCP_SYN_RECV) {
            if (dir == CT_DIR_ORIG && (s.flags & TH_ACK)) {
                conn->state = CT_TCP_ESTABLISHED;
            } else {
                break;
            }
        }
        uint8_t fo = conn->peer[CT_DIR_ORIG].flags;
        uint8_t fr = conn->peer[CT_DIR_REPLY].flags;
        uint8_t next;
        if ((fo & CT_PEER_F_FIN_ACKED) && (fr & CT_PEER_F_FIN_ACKED)) {
            next = CT_TCP_TIME_WAIT;
        } else if ((fo & CT_PEER_F_FIN) && (fr & CT_PEER_F_FIN)) {
            next = CT_TCP_LAST_ACK;
        } else if (fo & CT_PEER_F_FIN) {
            next = CT_TCP_FIN_WAIT;
        } else if (fr & CT_PEER_F_FIN) {
            next = CT_TCP_CLOSE_WAIT;
        } else {
            next = CT_TCP_ESTABLISHED;
        }
        if (next > conn->state) {
            conn->state = next;
        }
        break;
    }
    *tm = state_tm(conn->state);
    return true;
}

/* The name `dpctl/dump-conntrack` shows for 'state'. */
const char *
conntrack__tcp_state_name(enum ct_tcp_state state)
{
    static const char *const names[] = {
        [CT_TCP_NONE] = "NONE", [CT_TCP_SYN_SENT] = "SYN_SENT",
        [CT_TCP_SYN_RECV] = "SYN_RECV",
        [CT_TCP_ESTABLISHED] = "ESTABLISHED",
        [CT_TCP_FIN_WAIT] = "FIN_WAIT", [CT_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
        [CT_TCP_LAST_ACK] = "LAST_ACK", [CT_TCP_TIME_WAIT] = "TIME_WAIT",
        [CT_TCP_CLOSE] = "CLOSE",
    };
    return state < ARRAY_SIZE(names) ? names[state] : "UNKNOWN";
}
