/* Internals shared by ofp-actions.c (core, standard OpenFlow codecs,
 * validation), ofp-actions-nx.c (Nicira vendor actions) and
 * ofp-actions-text.c (text syntax).  Nothing else includes this. */
#ifndef OPENFLOW_OFP_ACTIONS_PRIVATE_H
#define OPENFLOW_OFP_ACTIONS_PRIVATE_H 1

#include "openflow/ofp-actions.h"
#include "openflow/ofpbuf.h"

/* Wire version numbers (the same as ofp-protocol.h, which clashes with
 * lib/flow.h on the OFPP_* port names, so it is not included here). */
#define OFPA_V10 0x01
#define OFPA_V13 0x04
#define OFPA_V14 0x05
#define OFPA_V15 0x06

#define OFPA_NX_VENDOR 0x00002320u  /* Nicira vendor / experimenter id. */
#define OFPA_OFPR_ACTION 1          /* Packet-in reason "action". */
#define OFPA_NO_METER UINT32_MAX    /* controller: no meter_id. */

/* Reading big-endian numbers from unaligned bytes. */
static inline uint16_t
ofpa_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
ofpa_get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static inline uint64_t
ofpa_get64(const uint8_t *p)
{
    return (uint64_t) ofpa_get32(p) << 32 | ofpa_get32(p + 4);
}

/* Whether the 'n' bytes at 'p' are all zero. */
bool ofpacts__is_zero(const uint8_t *p, size_t n);

/* OpenFlow 1.1+ 32-bit port numbers to and from the internal 16-bit ones.
 * ofpacts__port_from_ofp11() returns false for an unrepresentable port. */
bool ofpacts__port_from_ofp11(uint32_t port11, uint32_t *port);
uint32_t ofpacts__port_to_ofp11(uint32_t port);

/* Field headers inside actions (NXM/OXM, 4 bytes, or 8 with an
 * experimenter id).  ofpacts__pull_header() reads one at '*p' ('*left'
 * bytes), advancing both; stores the field (NULL if unknown), whether the
 * hasmask bit was set, and the payload length.  Returns false if
 * truncated. */
bool ofpacts__pull_header(const uint8_t **p, size_t *left,
                          const struct ofp_field **field, bool *hasmask,
                          unsigned int *length);
/* Appends the header of 'field' for 'version': its NXM code point when
 * 'prefer_nxm' and it has one, else its OXM one.  'payload' is the
 * value length (doubled by the caller when masked). */
void ofpacts__put_header(struct ofpbuf *out, const struct ofp_field *field,
                         uint8_t version, bool prefer_nxm, bool hasmask,
                         unsigned int payload);

/* Bit operations on big-endian byte strings (values of 'n' bytes; bit 0
 * is the least significant bit of the last byte). */
bool ofpacts__bit_get(const uint8_t *v, unsigned int n, unsigned int bit);
void ofpacts__bit_set(uint8_t *v, unsigned int n, unsigned int bit,
                      bool set);
/* Copies 'n_bits' bits from 'src' (of 'src_n' bytes) at bit 'src_ofs' to
 * 'dst' (of 'dst_n' bytes) at bit 'dst_ofs'. */
void ofpacts__bits_copy(const uint8_t *src, unsigned int src_n,
                        unsigned int src_ofs, uint8_t *dst,
                        unsigned int dst_n, unsigned int dst_ofs,
                        unsigned int n_bits);

/* Checks that 'sf' names a known field and a bit range within it.  For
 * writing, also that the field is writable. */
bool ofpacts__subfield_ok(const struct ofp_subfield *sf,
                          const struct ofp_tlv_map *map, bool write);
/* Width in bytes of 'field' under 'map' (0 if unmapped). */
unsigned int ofpacts__field_bytes(const struct ofp_field *field,
                                  const struct ofp_tlv_map *map);
/* Whether a set_field 'mask' of 'n' bytes is a single run of ones;
 * stores its first bit and width. */
bool ofpacts__mask_is_range(const union ofp_field_value *mask,
                            unsigned int n, unsigned int *ofs,
                            unsigned int *n_bits);

/* Appends a set_field ofpact. */
struct ofpact_set_field *ofpacts__put_set_field(
    struct ofpbuf *ofpacts, const struct ofp_field *field,
    const union ofp_field_value *value, const union ofp_field_value *mask,
    bool is_load);

/* The Nicira vendor action at 'p' of 'len' bytes (the whole action,
 * header included; len checked to be >= 16 and a multiple of 8). */
enum ofperr ofpacts__decode_nx(const uint8_t *p, size_t len,
                               uint8_t version,
                               const struct ofp_tlv_map *map,
                               struct ofpbuf *ofpacts, unsigned int depth);
/* Encodes 'a' as Nicira action(s).  Returns false if 'a' has no Nicira
 * form. */
bool ofpacts__encode_nx(const struct ofpact *a, uint8_t version,
                        const struct ofp_tlv_map *map, struct ofpbuf *out);
/* Encodes a set_field as NXAST_REG_LOAD (one per 64-bit piece of each run
 * of mask bits), or NXAST_REG_LOAD2 when the field has no 4-byte
 * header. */
void ofpacts__encode_reg_load(const struct ofpact_set_field *sf,
                              uint8_t version, const struct ofp_tlv_map *map,
                              struct ofpbuf *out);

/* Decodes an action list with the nesting 'depth' so far (lists nest at
 * most 16 deep). */
enum ofperr ofpacts__decode_actions(const uint8_t *p, size_t size,
                                    uint8_t version,
                                    const struct ofp_tlv_map *map,
                                    struct ofpbuf *ofpacts,
                                    unsigned int depth);

/* Starts an ofpact with trailing data or a nested list and returns its
 * offset (finish with ofpact_finish()). */
size_t ofpacts__start(struct ofpbuf *ofpacts, enum ofpact_type type,
                      size_t size);

#define OFPACTS_MAX_DEPTH 16

#endif /* openflow/ofp-actions-private.h */
