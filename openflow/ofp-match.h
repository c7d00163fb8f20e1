/* OpenFlow matches: a flow key and a mask over it, with the three wire
 * encodings Kiln speaks (OXM for OpenFlow 1.2+, NXM for Nicira extension
 * messages, struct ofp10_match for OpenFlow 1.0) and the text syntax of
 * ovs-ofctl(8) ("ip,nw_src=10.0.0.0/8,tcp,tp_dst=80").  Built on the field
 * table of ofp-fields.h; decoders never trust their input and return an
 * OpenFlow error (ofp-errors.h) instead. */
#ifndef OPENFLOW_OFP_MATCH_H
#define OPENFLOW_OFP_MATCH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"
#include "openflow/ofp-errors.h"
#include "openflow/ofp-fields.h"

struct ds;
struct ofpbuf;

/* A match.  Invariant after ofp_match_normalize(): flow == flow & wc. */
struct ofp_match {
    struct flow flow;           /* Values of the matched bits. */
    struct flow_wildcards wc;   /* 1-bits: bits that must match. */
};

/* Sets 'm' to match every packet. */
void ofp_match_init_catchall(struct ofp_match *m);
/* Matches 'field' exactly / under 'mask' (value & mask is stored). */
void ofp_match_set(struct ofp_match *m, const struct ofp_field *field,
                   const struct ofp_tlv_map *map,
                   const union ofp_field_value *value);
void ofp_match_set_masked(struct ofp_match *m, const struct ofp_field *field,
                          const struct ofp_tlv_map *map,
                          const union ofp_field_value *value,
                          const union ofp_field_value *mask);
/* Stops matching on 'field'. */
void ofp_match_clear(struct ofp_match *m, const struct ofp_field *field,
                     const struct ofp_tlv_map *map);
/* flow &= wc. */
void ofp_match_normalize(struct ofp_match *m);
/* Whether 'a' and 'b' match the same packets (both normalized). */
bool ofp_match_equal(const struct ofp_match *a, const struct ofp_match *b);
/* Whether every matched field's prerequisites hold; if not, returns
 * OFPERR_OFPBMC_BAD_PREREQ. */
enum ofperr ofp_match_check_prereqs(const struct ofp_match *m,
                                    const struct ofp_tlv_map *map);

/* NXM: appends the nx_match TLVs of 'm' to 'b' (no padding).  Returns
 * their length in bytes. */
size_t ofp_match_put_nxm(const struct ofp_match *m,
                         const struct ofp_tlv_map *map, struct ofpbuf *b);
/* OXM: appends a whole struct ofp_match (type OFPMT_OXM, length, the OXM
 * TLVs, padding to 8 bytes) for wire 'version' (0x03..0x06) to 'b'.
 * Returns the bytes appended. */
size_t ofp_match_put_oxm(const struct ofp_match *m,
                         const struct ofp_tlv_map *map, uint8_t version,
                         struct ofpbuf *b);
/* Appends bare OXM/NXM TLVs in OXM style for 'version' (no ofp_match
 * header or padding), e.g. for NXT_PACKET_IN2 or set_field. */
size_t ofp_match_put_oxm_tlvs(const struct ofp_match *m,
                              const struct ofp_tlv_map *map,
                              uint8_t version, struct ofpbuf *b);

/* Decodes 'size' bytes of NXM/OXM TLVs at 'p' into 'm'.  Checks lengths,
 * known fields (OFPBMC_BAD_FIELD), masks (OFPBMC_BAD_MASK,
 * OFPBMC_BAD_WILDCARDS), values (OFPBMC_BAD_VALUE), duplicates
 * (OFPBMC_DUP_FIELD) and prerequisites in order (OFPBMC_BAD_PREREQ).
 * NXM_NX_COOKIE(_W), which NXT_FLOW_MOD and NXST_FLOW requests carry in
 * their match, is skipped (ofp-msgs decodes it into the message's
 * cookie/cookie_mask).  Returns 0 or the error; 'm' is then
 * unspecified. */
enum ofperr ofp_match_decode_tlvs(const uint8_t *p, size_t size,
                                  const struct ofp_tlv_map *map,
                                  struct ofp_match *m);
/* Decodes an nx_match of 'size' bytes (the match_len of the message). */
enum ofperr ofp_match_decode_nxm(const uint8_t *p, size_t size,
                                 const struct ofp_tlv_map *map,
                                 struct ofp_match *m);
/* Decodes a struct ofp_match (OXM type) at the start of 'size' bytes at
 * 'p'.  Stores the bytes it occupies, padding included, in '*consumed'. */
enum ofperr ofp_match_decode_oxm(const uint8_t *p, size_t size,
                                 const struct ofp_tlv_map *map,
                                 struct ofp_match *m, size_t *consumed);

/* OpenFlow 1.0 struct ofp_match (40 bytes). */
#define OFP10_MATCH_LEN 40
/* OpenFlow 1.0 wildcard bits (ofp_flow_wildcards). */
#define OFPFW10_IN_PORT (1u << 0)
#define OFPFW10_DL_VLAN (1u << 1)
#define OFPFW10_DL_SRC (1u << 2)
#define OFPFW10_DL_DST (1u << 3)
#define OFPFW10_DL_TYPE (1u << 4)
#define OFPFW10_NW_PROTO (1u << 5)
#define OFPFW10_TP_SRC (1u << 6)
#define OFPFW10_TP_DST (1u << 7)
#define OFPFW10_NW_SRC_SHIFT 8
#define OFPFW10_NW_DST_SHIFT 14
#define OFPFW10_DL_VLAN_PCP (1u << 20)
#define OFPFW10_NW_TOS (1u << 21)
#define OFPFW10_ALL ((1u << 22) - 1)

/* Whether 'm' can be expressed as an OpenFlow 1.0 match. */
bool ofp_match_fits_ofp10(const struct ofp_match *m);
/* Writes 'm' as a 40-byte OpenFlow 1.0 match to 'out' (fields it cannot
 * express are left out: check ofp_match_fits_ofp10() first). */
void ofp_match_to_ofp10(const struct ofp_match *m,
                        uint8_t out[OFP10_MATCH_LEN]);
/* Decodes a 40-byte OpenFlow 1.0 match. */
enum ofperr ofp_match_from_ofp10(const uint8_t in[OFP10_MATCH_LEN],
                                 struct ofp_match *m);

/* Text, as ovs-ofctl(8) writes matches: appends 'm' to 's' in the field
 * order and shorthand of `ovs-ofctl dump-flows` (nothing for a catch-all
 * match). */
void ofp_match_format(const struct ofp_match *m,
                      const struct ofp_tlv_map *map, struct ds *s);
/* The same, as an ovs-appctl ofproto/trace "Megaflow:" line prints its
 * match: a match on "no VLAN tag" (untagged vlan_tci) is omitted. */
void ofp_match_format_megaflow(const struct ofp_match *m,
                               const struct ofp_tlv_map *map, struct ds *s);
/* Parses one "name[=value[/mask]]" item, or a shorthand ("tcp"), into
 * 'm'.  Returns NULL or an error message the caller frees. */
char *ofp_match_parse_field(struct ofp_match *m,
                            const struct ofp_tlv_map *map, const char *name,
                            const char *value) WARN_UNUSED_RESULT;
/* Parses a comma- (or space-) separated match, "ip,nw_src=10.0.0.0/8".
 * Unknown names are errors.  Returns NULL or an error message the caller
 * frees. */
char *ofp_match_from_string(struct ofp_match *m,
                            const struct ofp_tlv_map *map, const char *s)
    WARN_UNUSED_RESULT;

#endif /* openflow/ofp-match.h */
