/* OpenFlow actions and instructions in one version-independent internal
 * form, with the wire codecs (OpenFlow 1.0 actions, OpenFlow 1.3-1.5
 * instructions and actions, Nicira vendor actions) and the text syntax of
 * ovs-actions(7) / ovs-ofctl(8).
 *
 * The internal form is a sequence of "ofpact"s in one buffer: each starts
 * with a struct ofpact header giving its type and its length in bytes,
 * padding included, always a multiple of 8, so the whole list is 8-byte
 * aligned and walked with OFPACT_FOR_EACH.  Each type has a struct whose
 * first member is the header.  Lists that nest (write_actions, clone, ct's
 * exec) hold their inner list right after their struct, inside their
 * length.  Instructions are ofpacts too; a valid list keeps them in
 * OpenFlow order: meter, the apply-actions, clear_actions, write_actions,
 * write_metadata, goto_table.
 *
 * Port numbers inside ofpacts use OpenFlow 1.0 numbering (OFPP_* of
 * lib/flow.h: 0xff00 and up are reserved), as struct flow does; the codecs
 * convert OpenFlow 1.1+ 32-bit numbers.
 *
 * Decoders never read past their input and return 0 or an OpenFlow error
 * (OFPBAC_*, OFPBIC_*).  ofpacts_check() then validates a decoded or parsed
 * list against the flow's match (field prerequisites, ports, tables). */
#ifndef OPENFLOW_OFP_ACTIONS_H
#define OPENFLOW_OFP_ACTIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "openflow/ofp-errors.h"
#include "openflow/ofp-fields.h"

struct ds;
struct ofp_match;
struct ofpbuf;
struct ofpmsg_actions;

/* Every kind of ofpact. */
enum ofpact_type {
    /* Output. */
    OFPACT_OUTPUT,              /* struct ofpact_output. */
    OFPACT_CONTROLLER,          /* struct ofpact_controller. */
    OFPACT_ENQUEUE,             /* struct ofpact_enqueue. */
    OFPACT_OUTPUT_REG,          /* struct ofpact_output_reg. */
    OFPACT_GROUP,               /* struct ofpact_group. */

    /* Header changes. */
    OFPACT_SET_FIELD,           /* struct ofpact_set_field. */
    OFPACT_REG_MOVE,            /* struct ofpact_reg_move. */
    OFPACT_PUSH_VLAN,           /* struct ofpact_push_vlan. */
    OFPACT_POP_VLAN,            /* struct ofpact_pop_vlan. */
    OFPACT_SET_VLAN_VID,        /* struct ofpact_u16 (VID). */
    OFPACT_SET_VLAN_PCP,        /* struct ofpact_u8 (PCP). */
    OFPACT_SET_ETH_SRC,         /* struct ofpact_mac. */
    OFPACT_SET_ETH_DST,         /* struct ofpact_mac. */
    OFPACT_SET_IPV4_SRC,        /* struct ofpact_u32 (network order). */
    OFPACT_SET_IPV4_DST,        /* struct ofpact_u32 (network order). */
    OFPACT_SET_IP_DSCP,         /* struct ofpact_u8 (DSCP << 2, as TOS). */
    OFPACT_SET_IP_ECN,          /* struct ofpact_u8. */
    OFPACT_SET_IP_TTL,          /* struct ofpact_u8. */
    OFPACT_SET_L4_SRC,          /* struct ofpact_u16. */
    OFPACT_SET_L4_DST,          /* struct ofpact_u16. */
    OFPACT_DEC_TTL,             /* struct ofpact_dec_ttl. */
    OFPACT_SET_MPLS_TTL,        /* struct ofpact_u8. */
    OFPACT_DEC_MPLS_TTL,        /* struct ofpact (no arguments). */
    OFPACT_PUSH_MPLS,           /* struct ofpact_u16 (Ethertype 0x8847 or
                                 * 0x8848). */
    OFPACT_POP_MPLS,            /* struct ofpact_u16 (Ethertype of what
                                 * follows the popped entry). */
    OFPACT_SET_TUNNEL,          /* struct ofpact_tunnel. */

    /* Metadata and queues. */
    OFPACT_SET_QUEUE,           /* struct ofpact_u32. */
    OFPACT_POP_QUEUE,           /* struct ofpact. */
    OFPACT_FIN_TIMEOUT,         /* struct ofpact_fin_timeout. */

    /* Control flow. */
    OFPACT_RESUBMIT,            /* struct ofpact_resubmit. */
    OFPACT_CLONE,               /* struct ofpact_nest. */
    OFPACT_CHECK_PKT_LARGER,    /* struct ofpact_check_pkt_larger. */
    OFPACT_EXIT,                /* struct ofpact. */
    OFPACT_CONJUNCTION,         /* struct ofpact_conjunction. */
    OFPACT_LEARN,               /* struct ofpact_learn. */
    OFPACT_MULTIPATH,           /* struct ofpact_multipath. */
    OFPACT_NOTE,                /* struct ofpact_note. */

    /* Connection tracking. */
    OFPACT_CT,                  /* struct ofpact_ct. */
    OFPACT_NAT,                 /* struct ofpact_nat (only inside ct). */
    OFPACT_CT_CLEAR,            /* struct ofpact. */

    /* Instructions, in their required order. */
    OFPACT_METER,               /* struct ofpact_u32. */
    OFPACT_CLEAR_ACTIONS,       /* struct ofpact. */
    OFPACT_WRITE_ACTIONS,       /* struct ofpact_nest. */
    OFPACT_WRITE_METADATA,      /* struct ofpact_metadata. */
    OFPACT_GOTO_TABLE,          /* struct ofpact_u8 (table). */

    OFPACT_N_TYPES
};

/* The header of every ofpact. */
struct ofpact {
    uint16_t type;              /* enum ofpact_type. */
    uint16_t len;               /* Bytes, this header and any nested list
                                 * or trailing data included; a multiple
                                 * of OFPACT_ALIGNTO. */
};

#define OFPACT_ALIGNTO 8
#define OFPACT_ALIGN(SIZE) (((SIZE) + OFPACT_ALIGNTO - 1) \
                            & ~(size_t) (OFPACT_ALIGNTO - 1))
#define OFPACT_NEXT(A) \
    ((struct ofpact *) (void *) ((uint8_t *) (A) + (A)->len))
#define OFPACT_END(OFPACTS, SIZE) \
    ((struct ofpact *) (void *) ((uint8_t *) (OFPACTS) + (SIZE)))

/* Iterates 'POS' over the 'SIZE' bytes of ofpacts at 'OFPACTS' (not into
 * nested lists). */
#define OFPACT_FOR_EACH(POS, OFPACTS, SIZE)                             \
    for ((POS) = (OFPACTS); (SIZE) && (POS) < OFPACT_END(OFPACTS, SIZE); \
         (POS) = OFPACT_NEXT(POS))

/* Casts an ofpact header to its type's struct: OFPACT_CAST(output, a). */
#define OFPACT_CAST(KIND, A) ((struct ofpact_##KIND *) (void *) (A))
#define OFPACT_CAST_CONST(KIND, A) \
    ((const struct ofpact_##KIND *) (const void *) (A))

/* Generic one-value ofpacts. */
struct ofpact_u8 {
    struct ofpact ofpact;       /* Header. */
    uint8_t value;              /* Argument. */
};

struct ofpact_u16 {
    struct ofpact ofpact;       /* Header. */
    uint16_t value;             /* Argument, host order. */
};

struct ofpact_u32 {
    struct ofpact ofpact;       /* Header. */
    uint32_t value;             /* Argument (host order, except IPv4
                                 * addresses, kept in network order). */
};

struct ofpact_mac {
    struct ofpact ofpact;       /* Header. */
    struct eth_addr mac;        /* New address. */
};

/* OFPACT_OUTPUT. */
struct ofpact_output {
    struct ofpact ofpact;       /* Header. */
    uint32_t port;              /* OFPP_* (OpenFlow 1.0 numbering), never
                                 * OFPP_CONTROLLER (that is
                                 * OFPACT_CONTROLLER). */
    uint16_t max_len;           /* Bytes to send to a controller. */
};

/* OFPACT_ENQUEUE (OpenFlow 1.0 "enqueue:port:queue"). */
struct ofpact_enqueue {
    struct ofpact ofpact;       /* Header. */
    uint32_t port;              /* OFPP_*. */
    uint32_t queue;             /* Queue id. */
};

/* OFPACT_CONTROLLER: output to the controller (ovs-actions(7)
 * "controller"). */
struct ofpact_controller {
    struct ofpact ofpact;       /* Header. */
    uint16_t max_len;           /* Bytes of the packet to send. */
    uint16_t controller_id;     /* Controller connection id. */
    uint8_t reason;             /* OFPR_*: 0 no_match, 1 action, ... */
    bool pause;                 /* Pause the pipeline (NXT_RESUME). */
    uint32_t meter_id;          /* NXAC2PT_METER_ID, or UINT32_MAX. */
    uint16_t userdata_len;      /* Bytes of userdata following. */
    uint8_t userdata[];         /* 'userdata_len' bytes. */
};

/* A bit range of a field: "NXM_NX_REG0[0..15]". */
struct ofp_subfield {
    const struct ofp_field *field; /* The field, NULL if none. */
    uint16_t ofs;               /* First bit, counted from the LSB. */
    uint16_t n_bits;            /* Width in bits (at least 1). */
};

/* OFPACT_OUTPUT_REG: "output:SUBFIELD". */
struct ofpact_output_reg {
    struct ofpact ofpact;       /* Header. */
    struct ofp_subfield src;    /* Where the port number is. */
    uint16_t max_len;           /* For output to the controller. */
};

/* OFPACT_GROUP. */
struct ofpact_group {
    struct ofpact ofpact;       /* Header. */
    uint32_t group_id;          /* Group. */
};

/* OFPACT_SET_FIELD, also what "load" makes.  Only the bits of 'mask' are
 * written: value & mask is stored. */
struct ofpact_set_field {
    struct ofpact ofpact;       /* Header. */
    const struct ofp_field *field; /* Writable field. */
    bool is_load;               /* Came from or is shown as "load" /
                                 * NXAST_REG_LOAD: affects only the text
                                 * form and the OpenFlow 1.0-1.4 encoding. */
    union ofp_field_value value; /* n_bytes of the field, big-endian. */
    union ofp_field_value mask; /* Same width; all-ones for a whole field. */
};

/* OFPACT_REG_MOVE: "move:SRC->DST" (NXAST_REG_MOVE, OF1.5 copy_field). */
struct ofpact_reg_move {
    struct ofpact ofpact;       /* Header. */
    struct ofp_subfield src;    /* Source bits. */
    struct ofp_subfield dst;    /* Destination bits (same width). */
};

/* OFPACT_PUSH_VLAN. */
struct ofpact_push_vlan {
    struct ofpact ofpact;       /* Header. */
    uint16_t ethertype;         /* 0x8100 or 0x88a8. */
};

/* OFPACT_POP_VLAN. */
struct ofpact_pop_vlan {
    struct ofpact ofpact;       /* Header. */
    bool strip_vlan;            /* Shown as "strip_vlan" (OpenFlow 1.0 form)
                                 * rather than "pop_vlan". */
};

/* OFPACT_DEC_TTL. */
struct ofpact_dec_ttl {
    struct ofpact ofpact;       /* Header. */
    uint16_t n_ids;             /* Controller ids following; 0 for plain
                                 * "dec_ttl", which means controller 0. */
    uint16_t ids[];             /* Ids to send the packet to when the TTL
                                 * expires. */
};

/* OFPACT_SET_TUNNEL. */
struct ofpact_tunnel {
    struct ofpact ofpact;       /* Header. */
    bool tun64;                 /* Shown / sent as set_tunnel64. */
    uint64_t tun_id;            /* New tun_id. */
};

/* OFPACT_FIN_TIMEOUT. */
struct ofpact_fin_timeout {
    struct ofpact ofpact;       /* Header. */
    uint16_t idle_timeout;      /* Seconds, 0 for unchanged. */
    uint16_t hard_timeout;      /* Seconds, 0 for unchanged. */
};

/* OFPACT_RESUBMIT: "resubmit(port,table[,ct])". */
struct ofpact_resubmit {
    struct ofpact ofpact;       /* Header. */
    uint32_t in_port;           /* OFPP_IN_PORT to keep the packet's. */
    uint8_t table_id;           /* 255 for the current table. */
    bool with_ct_orig;          /* Look up with the conntrack original
                                 * tuple (NXAST_RESUBMIT_TABLE_CT). */
};

/* OFPACT_CLONE, OFPACT_WRITE_ACTIONS: a nested list. */
struct ofpact_nest {
    struct ofpact ofpact;       /* Header. */
    uint32_t pad;               /* Keeps 'actions' 8-byte aligned. */
    struct ofpact actions[];    /* Up to ofpact.len. */
};

/* OFPACT_CHECK_PKT_LARGER: "check_pkt_larger(LEN)->DST". */
struct ofpact_check_pkt_larger {
    struct ofpact ofpact;       /* Header. */
    uint16_t pkt_len;           /* Threshold in bytes. */
    struct ofp_subfield dst;    /* One bit, set to the result. */
};

/* OFPACT_CONJUNCTION: "conjunction(id,clause/n_clauses)". */
struct ofpact_conjunction {
    struct ofpact ofpact;       /* Header. */
    uint8_t clause;             /* 0-based clause number. */
    uint8_t n_clauses;          /* 2..64. */
    uint32_t id;                /* Conjunction id. */
};

/* OFPACT_LEARN. */
enum ofpact_learn_src {
    OFPACT_LEARN_SRC_FIELD,     /* A subfield of the packet. */
    OFPACT_LEARN_SRC_IMMEDIATE, /* A constant. */
};

enum ofpact_learn_dst {
    OFPACT_LEARN_DST_MATCH,     /* Match on the learned flow. */
    OFPACT_LEARN_DST_LOAD,      /* A load action in the learned flow. */
    OFPACT_LEARN_DST_OUTPUT,    /* An output action in the learned flow. */
};

struct ofpact_learn_spec {
    enum ofpact_learn_src src_type; /* Where the bits come from. */
    enum ofpact_learn_dst dst_type; /* What they become. */
    uint16_t n_bits;            /* Width. */
    struct ofp_subfield src;    /* SRC_FIELD: the source. */
    struct ofp_subfield dst;    /* MATCH, LOAD: the destination. */
    union ofp_field_value src_imm; /* SRC_IMMEDIATE: the value, right-
                                    * aligned in ceil(n_bits/16)*2 bytes,
                                    * big-endian. */
};

/* learn flags (NX_LEARN_F_*). */
#define OFPACT_LEARN_SEND_FLOW_REM 0x1
#define OFPACT_LEARN_DELETE_LEARNED 0x2

struct ofpact_learn {
    struct ofpact ofpact;       /* Header. */
    uint16_t idle_timeout;      /* Of the learned flow. */
    uint16_t hard_timeout;      /* Of the learned flow. */
    uint16_t priority;          /* Of the learned flow. */
    uint16_t fin_idle_timeout;  /* Of the learned flow. */
    uint16_t fin_hard_timeout;  /* Of the learned flow. */
    uint16_t flags;             /* OFPACT_LEARN_*. */
    uint8_t table_id;           /* Table of the learned flow. */
    uint64_t cookie;            /* Of the learned flow. */
    uint32_t n_specs;           /* Entries in 'specs'. */
    struct ofpact_learn_spec specs[]; /* What to learn. */
};

/* OFPACT_MULTIPATH. */
struct ofpact_multipath {
    struct ofpact ofpact;       /* Header. */
    uint16_t fields;            /* NX_HASH_FIELDS_*: 0 eth_src,
                                 * 1 symmetric_l4, ... */
    uint16_t basis;             /* Hash basis. */
    uint16_t algorithm;         /* NX_MP_ALG_*: 0 modulo_n, 1 hash_threshold,
                                 * 2 hrw, 3 iter_hash. */
    uint16_t max_link;          /* Number of links - 1. */
    uint32_t arg;               /* Algorithm argument. */
    struct ofp_subfield dst;    /* Where the link number goes. */
};

/* OFPACT_NOTE. */
struct ofpact_note {
    struct ofpact ofpact;       /* Header. */
    uint16_t length;            /* Bytes in 'data'. */
    uint8_t data[];             /* The note, as on the wire (padding
                                 * included, as ovs-ofctl shows it). */
};

/* OFPACT_CT. */
#define OFPACT_CT_COMMIT 0x1    /* NX_CT_F_COMMIT. */
#define OFPACT_CT_FORCE 0x2     /* NX_CT_F_FORCE. */
#define OFPACT_CT_NO_RECIRC 0xff /* recirc_table: no recirculation. */

struct ofpact_ct {
    struct ofpact ofpact;       /* Header. */
    uint16_t flags;             /* OFPACT_CT_*. */
    uint16_t zone_imm;          /* Zone, if 'zone_src.field' is NULL. */
    struct ofp_subfield zone_src; /* Zone from a field, or field NULL. */
    uint8_t recirc_table;       /* Table to resubmit to, or
                                 * OFPACT_CT_NO_RECIRC. */
    uint16_t alg;               /* Helper: 0 none, 21 ftp, 69 tftp. */
    uint32_t pad;               /* Keeps 'actions' 8-byte aligned. */
    struct ofpact actions[];    /* Nested list: nat, set_field of ct_mark /
                                 * ct_label. */
};

/* OFPACT_NAT (inside ct). */
#define OFPACT_NAT_SRC 0x01         /* NX_NAT_F_SRC. */
#define OFPACT_NAT_DST 0x02         /* NX_NAT_F_DST. */
#define OFPACT_NAT_PERSISTENT 0x04  /* NX_NAT_F_PERSISTENT. */
#define OFPACT_NAT_HASH 0x08        /* NX_NAT_F_PROTO_HASH. */
#define OFPACT_NAT_RANDOM 0x10      /* NX_NAT_F_PROTO_RANDOM. */

struct ofpact_nat {
    struct ofpact ofpact;       /* Header. */
    uint16_t flags;             /* OFPACT_NAT_*. */
    int family;                 /* AF_INET, AF_INET6, or 0 for no address
                                 * range. */
    struct in6_addr addr_min;   /* AF_INET: first 4 bytes hold the IPv4
                                 * address (network order). */
    struct in6_addr addr_max;   /* Same; equal to addr_min if no range. */
    uint16_t port_min;          /* 0 if no port range. */
    uint16_t port_max;          /* 0 if only port_min. */
};

/* OFPACT_WRITE_METADATA. */
struct ofpact_metadata {
    struct ofpact ofpact;       /* Header. */
    uint64_t metadata;          /* New bits, host order. */
    uint64_t mask;              /* Bits to change. */
};

/* Building lists.  Each ofpact is appended to a struct ofpbuf whose data
 * must stay 8-byte aligned (heap memory is). */

/* Appends an ofpact of 'type' and 'size' bytes (the type's struct size),
 * zeroed but for its header, to 'ofpacts'.  Returns it; the pointer is
 * valid until the next append. */
void *ofpact_put(struct ofpbuf *ofpacts, enum ofpact_type type, size_t size);
/* Ends the ofpact that starts at offset 'ofs' of 'ofpacts' after trailing
 * data or a nested list was appended: pads to 8 bytes and sets its length.
 * Returns false if it exceeds the 16-bit length (caller's error). */
bool ofpact_finish(struct ofpbuf *ofpacts, size_t ofs) WARN_UNUSED_RESULT;
/* The nested list of an OFPACT_CLONE / WRITE_ACTIONS / CT ofpact, and its
 * size in bytes. */
const struct ofpact *ofpact_nested(const struct ofpact *a, size_t *size);

/* The name ovs-ofctl uses for 'type' ("output", "set_field", ...). */
const char *ofpact_type_name(enum ofpact_type type);
/* Whether 'a' and 'b' are the same list, byte for byte. */
bool ofpacts_equal(const struct ofpact *a, size_t a_size,
                   const struct ofpact *b, size_t b_size);
/* Whether the list outputs to 'port' (OFPP_* numbering), for flow_mod
 * out_port filters. */
bool ofpacts_output_to_port(const struct ofpact *, size_t, uint32_t port);
/* Whether the list sends to group 'group_id'. */
bool ofpacts_output_to_group(const struct ofpact *, size_t,
                             uint32_t group_id);

/* Decoding.  'version' is the wire version (0x01, 0x04, 0x05, 0x06); 'map'
 * (may be NULL) gives the widths of tun_metadata fields.  Each appends the
 * decoded ofpacts to 'ofpacts' and returns 0, or returns an error with
 * 'ofpacts' truncated back to its original size. */

/* An action list (OpenFlow 1.0 OFPAT10_* in version 0x01, OFPAT_* in
 * 0x04+, and Nicira actions in both) of 'size' bytes at 'data'. */
enum ofperr ofpacts_decode_actions(const void *data, size_t size,
                                   uint8_t version,
                                   const struct ofp_tlv_map *map,
                                   struct ofpbuf *ofpacts)
    WARN_UNUSED_RESULT;
/* An OpenFlow 1.1+ instruction list. */
enum ofperr ofpacts_decode_instructions(const void *data, size_t size,
                                        uint8_t version,
                                        const struct ofp_tlv_map *map,
                                        struct ofpbuf *ofpacts)
    WARN_UNUSED_RESULT;
/* Whichever 'a' holds (a byte range from openflow/ofp-msgs.h). */
enum ofperr ofpacts_decode_msg(const struct ofpmsg_actions *a,
                               const struct ofp_tlv_map *map,
                               struct ofpbuf *ofpacts) WARN_UNUSED_RESULT;

/* Encoding.  Appends 'ofpacts' to 'out' in wire 'version' and returns the
 * bytes appended (a multiple of 8).  What the version cannot express is
 * translated the way ovs-ofctl does (goto_table becomes resubmit in
 * OpenFlow 1.0, set_field becomes a legacy action or NXAST_REG_LOAD, ...)
 * or left out (meter, write_actions and clear_actions in 1.0; what
 * ofpacts_check_version() refuses).  A caller sending what a user wrote
 * calls ofpacts_check_version() first and reports its error; one
 * re-encoding what it holds (a switch's flow stats) may let it drop. */
size_t ofpacts_encode_actions(const struct ofpact *ofpacts, size_t size,
                              uint8_t version, const struct ofp_tlv_map *map,
                              struct ofpbuf *out);
/* As an OpenFlow 1.1+ instruction list (version 0x04+). */
size_t ofpacts_encode_instructions(const struct ofpact *ofpacts, size_t size,
                                   uint8_t version,
                                   const struct ofp_tlv_map *map,
                                   struct ofpbuf *out);
/* Checks that wire 'version' can carry 'ofpacts' as an action list
 * (packet-out, bucket, OpenFlow 1.0 flow mod) or, with 'instructions', as
 * an OpenFlow 1.3+ instruction list, the way ovs-ofctl decides which
 * protocols a flow may use: push_vlan needs 1.1+, meter 1.3+ (in an
 * action list 1.5+), write_actions/clear_actions/write_metadata/
 * goto_table are instructions in 1.3+ (1.0 translates the last two and
 * drops the first two, as ovs-ofctl does).  Returns 0, or
 * OFPBAC_BAD_TYPE / OFPBIC_UNSUP_INST and the first action refused in
 * '*bad' (if nonnull; its name is ofpact_type_name(bad->type)). */
enum ofperr ofpacts_check_version(const struct ofpact *ofpacts, size_t size,
                                  uint8_t version, bool instructions,
                                  const struct ofpact **bad);
/* The bitmap (1 << wire version) of 0x01, 0x04, 0x05 and 0x06 whose flow
 * mods can carry 'ofpacts'.  With a flow's match, this is what
 * ovs-ofctl's "none of the usable flow formats (OXM-OpenFlow13,...) is
 * among the allowed flow formats (OpenFlow10,NXM)" compares against the
 * versions allowed with -O. */
uint32_t ofpacts_usable_versions(const struct ofpact *ofpacts, size_t size);

/* Validation.  Checks 'ofpacts' against the flow's 'match' (NULL for a
 * packet_out: no match): fields written or read satisfy their
 * prerequisites (OFPBAC_MATCH_INCONSISTENT), ct fields are set only inside
 * ct, output ports are below 'max_ports' or reserved (OFPBAC_BAD_OUT_PORT),
 * tables exist (OFPBIC_BAD_TABLE_ID / OFPBAC_BAD_ARGUMENT), goto_table goes
 * forward from 'table_id' (OFPBRC_BAD_TABLE_ID with 255 = no check), and
 * instructions are in order (OFPBIC_UNSUP_INST). */
enum ofperr ofpacts_check(const struct ofpact *ofpacts, size_t size,
                          const struct ofp_match *match,
                          const struct ofp_tlv_map *map, uint32_t max_ports,
                          uint8_t table_id) WARN_UNUSED_RESULT;

/* Text.  Parses an ovs-ofctl(8) action list ("output:1,resubmit(,5)";
 * "drop" or "" for none), appending to 'ofpacts'.  Returns NULL or an
 * error message the caller frees ('ofpacts' then unspecified). */
char *ofpacts_parse(const char *s, const struct ofp_tlv_map *map,
                    struct ofpbuf *ofpacts) WARN_UNUSED_RESULT;
/* Appends the list as `ovs-ofctl dump-flows` prints it ("drop" when
 * empty). */
void ofpacts_format(const struct ofpact *ofpacts, size_t size,
                    const struct ofp_tlv_map *map, struct ds *s);

/* Subfields (also for kiln-ofctl and the translator). */

/* Parses "NAME[]", "NAME[N]" or "NAME[A..B]" (NXM, OXM or plain field
 * names) at '*s', advancing '*s' past it.  Returns NULL or an error. */
char *ofp_subfield_parse(const char **s, struct ofp_subfield *sf)
    WARN_UNUSED_RESULT;
/* Appends "NAME[...]" as ovs-ofctl prints it. */
void ofp_subfield_format(const struct ofp_subfield *sf, struct ds *s);

#endif /* openflow/ofp-actions.h */
