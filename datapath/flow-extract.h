/* Flow key extraction: parses a packet's headers, from Ethernet down to
 * TCP/UDP/SCTP/ICMP, into a struct flow (lib/flow.h) with the meaning
 * ovs-fields(7) gives each field, and records where the L2/L3/L4 headers
 * start in the packet (struct packet, datapath/packet.h).  Runs once per
 * packet on every flow cache lookup, so it allocates nothing, takes no
 * lock and reads each header byte at most once.
 *
 * Malformed or truncated packets never make it read past the end of the
 * packet: the fields that were valid are filled, the rest stay zero, and
 * the reason is returned (and counted, if the caller gives counters).
 * The datapath then drops the packet if flow_extract_error_is_drop() says
 * so: a frame too short for Ethernet, or an IPv4/IPv6 header that is
 * truncated or whose lengths disagree with the packet (including a
 * truncated IPv6 extension header chain).  Every other problem (truncated
 * VLAN tag, ARP, L4 header or ND option) only stops parsing: the packet
 * still matches on what came before, as in ovs-vswitchd. */
#ifndef DATAPATH_FLOW_EXTRACT_H
#define DATAPATH_FLOW_EXTRACT_H 1

#include <stdbool.h>
#include <stdint.h>

#include "datapath/packet.h"
#include "lib/flow.h"

struct ds;

/* flow->dl_type of an 802.3 frame without an LLC/SNAP header carrying an
 * Ethertype (ovs-fields(7) "dl_type"). */
#define FLOW_DL_TYPE_NONE 0x05ff

/* Why extraction stopped early.  The first stopping reason wins. */
enum flow_extract_error {
    FLOW_EXTRACT_OK,            /* Every header present was parsed. */
    /* These make the datapath drop the packet. */
    FLOW_EXTRACT_ETH_TRUNC,     /* Shorter than an Ethernet header. */
    FLOW_EXTRACT_IP4_TRUNC,     /* Shorter than a minimal IPv4 header. */
    FLOW_EXTRACT_IP4_BAD_HLEN,  /* IHL < 5 or header past the end. */
    FLOW_EXTRACT_IP4_BAD_LEN,   /* Total length < IHL*4 or > packet. */
    FLOW_EXTRACT_IP6_TRUNC,     /* Shorter than the IPv6 header. */
    FLOW_EXTRACT_IP6_BAD_LEN,   /* Payload length past the end. */
    FLOW_EXTRACT_IP6_EXT_TRUNC, /* Extension header past the end. */
    /* These only stop parsing. */
    FLOW_EXTRACT_VLAN_TRUNC,    /* VLAN TPID without tag + Ethertype. */
    FLOW_EXTRACT_ARP_TRUNC,     /* ARP short, or not Ethernet/IPv4. */
    FLOW_EXTRACT_L4_TRUNC,      /* TCP/UDP/SCTP/ICMP header truncated, or
                                 * TCP data offset < 5 or past the end. */
    FLOW_EXTRACT_ND_TRUNC,      /* ND target missing or option past the
                                 * end or of length 0. */
    FLOW_EXTRACT_ND_BAD_OPT,    /* Repeated SLL/TLL option: ND fields
                                 * cleared. */
    FLOW_EXTRACT_N_ERRORS
};

/* Counts of flow_extract() results, one per enum flow_extract_error
 * (counts[FLOW_EXTRACT_OK] counts clean packets).  Owned by the caller,
 * typically one per packet thread, so no atomics are needed. */
struct flow_extract_stats {
    uint64_t counts[FLOW_EXTRACT_N_ERRORS]; /* Packets per result. */
};

/* Parses the packet 'p' (Ethernet at its data start) into 'flow', which
 * is overwritten entirely; copies the metadata of p->md; sets p->l2_ofs,
 * l3_ofs, l4_ofs (PACKET_OFS_NONE where there is no such header).  If
 * 'stats' is nonnull, increments its count for the result.  Returns the
 * first reason parsing stopped early, or FLOW_EXTRACT_OK. */
enum flow_extract_error flow_extract(struct packet *p, struct flow *flow,
                                     struct flow_extract_stats *stats);

/* Whether a packet for which flow_extract() returned 'error' is to be
 * dropped rather than processed on its partial key. */
bool flow_extract_error_is_drop(enum flow_extract_error error);

/* A short name for 'error' ("ok", "ip4_bad_hlen", ...), for counters and
 * tests. */
const char *flow_extract_error_to_string(enum flow_extract_error error);

/* TCP flags (low 12 bits of the offset/flags word) of the TCP header at
 * 'tcp', which has 'size' bytes; 0 if 'size' is under 20.  Network byte
 * order, as flow->tcp_flags. */
be16 flow_tcp_flags(const void *tcp, size_t size);

/* A hash of the IPv4/IPv6 addresses, IP protocol and, for TCP, UDP and
 * SCTP, ports of 'flow', seeded with 'basis'; only 'basis' for non-IP
 * flows.  For dp_hash, select groups and RSS. */
uint32_t flow_hash_5tuple(const struct flow *flow, uint32_t basis);

/* Appends to 'ds' the nonzero fields of 'flow' in ovs-ofctl's syntax
 * ("in_port=1,dl_src=...,tcp,tp_dst=80"), for logs and debugging. */
void flow_format(const struct flow *flow, struct ds *ds);

#endif /* datapath/flow-extract.h */
