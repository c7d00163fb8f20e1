/* Connection tracking for UDP, ICMP/ICMPv6 echo and every other IP
 * protocol: no state machine, only "first packet" versus "replied", which
 * picks the timeout. */
#include "datapath/conntrack-private.h"

/* Whether 'pp' may open a connection: anything but an ICMP message other
 * than an echo request (replies, errors and the rest need a connection
 * or are related). */
bool
conntrack__other_valid_new(const struct ct_pkt *pp)
{
    switch (pp->key.proto) {
    case IPPROTO_ICMP:
        return pp->icmp_type == 8;
    case IPPROTO_ICMPV6:
        return pp->icmp_type == 128;
    default:
        return true;
    }
}

/* The timeout of a new connection of protocol 'proto' (not TCP). */
enum ct_timeout
conntrack__other_first_tm(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_UDP:
        return CT_TM_UDP_FIRST;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return CT_TM_ICMP;
    default:
        return CT_TM_OTHER_FIRST;
    }
}

/* Notes packet 'pp' of direction 'dir' on 'conn' (spinlock held) and
 * returns the timeout now in force. */
enum ct_timeout
conntrack__other_update(struct ct_conn *conn, const struct ct_pkt *pp,
                        enum ct_dir dir)
{
    if (dir == CT_DIR_REPLY) {
        conn->state = 1;
    }
    switch (pp->key.proto) {
    case IPPROTO_UDP:
        return conn->state ? CT_TM_UDP_MULTIPLE : CT_TM_UDP_FIRST;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return CT_TM_ICMP;
    default:
        return conn->state ? CT_TM_OTHER_MULTIPLE : CT_TM_OTHER_FIRST;
    }
}
