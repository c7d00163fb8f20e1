/* OpenFlow meter messages and their text syntax: see ofp-meter.h.  Part
 * of the message codec, so it shares ofp-msgs-private.h (framing and
 * unaligned reads) with ofp-msgs*.c. */
#include "openflow/ofp-meter.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-msgs-private.h"

#define BAND_LEN 16             /* Every band type is 16 bytes. */

/* Bands. */

static void
put_bands(struct ofpbuf *b, const struct ofp_meter_config *mc)
{
    for (size_t i = 0; i < mc->n_bands; i++) {
        const struct ofp_meter_band *band = &mc->bands[i];
        ofpbuf_put_be16(b, band->type);
        ofpbuf_put_be16(b, BAND_LEN);
        ofpbuf_put_be32(b, band->rate);
        ofpbuf_put_be32(b, band->burst_size);
        if (band->type == OFPMBT_DSCP_REMARK) {
            ofpbuf_put_u8(b, band->prec_level);
            ofpbuf_put_zeros(b, 3);
        } else if (band->type == OFPMBT_EXPERIMENTER) {
            ofpbuf_put_be32(b, band->experimenter);
        } else {
            ofpbuf_put_zeros(b, 4);
        }
    }
}

/* Reads the band list of 'size' bytes at 'p' into 'mc'. */
static enum ofperr
pull_bands(const uint8_t *p, size_t size, struct ofp_meter_config *mc)
{
    mc->n_bands = 0;
    while (size) {
        if (size < BAND_LEN) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        uint16_t len = ofpmsg__get16(p + 2);
        if (len < BAND_LEN || len % 8 || len > size) {
            return OFPERR_OFPBRC_BAD_LEN;
        }
        if (mc->n_bands >= OFP_METER_MAX_BANDS) {
            return OFPERR_OFPMMFC_OUT_OF_BANDS;
        }
        struct ofp_meter_band *band = &mc->bands[mc->n_bands++];
        memset(band, 0, sizeof *band);
        band->type = ofpmsg__get16(p);
        band->rate = ofpmsg__get32(p + 4);
        band->burst_size = ofpmsg__get32(p + 8);
        if (band->type == OFPMBT_DSCP_REMARK) {
            band->prec_level = p[12];
        } else if (band->type == OFPMBT_EXPERIMENTER) {
            band->experimenter = ofpmsg__get32(p + 12);
        }
        p += len;
        size -= len;
    }
    return 0;
}

/* meter_mod. */

/* Appends 'mm' as an OFPT_METER_MOD. */
void
ofp_meter_mod_encode(uint8_t version, uint32_t xid,
                     const struct ofp_meter_mod *mm, struct ofpbuf *b)
{
    ASSERT(version >= OFP13_VERSION);
    size_t start = ofpmsg__start(b, OFPMSG_METER_MOD, OFPMSG_STD, version,
                                 xid);
    ofpbuf_put_be16(b, mm->command);
    ofpbuf_put_be16(b, mm->meter.flags);
    ofpbuf_put_be32(b, mm->meter.meter_id);
    put_bands(b, &mm->meter);
    ofpmsg__finish(b, start);
}

/* Decodes an OFPT_METER_MOD; see the header. */
enum ofperr
ofp_meter_mod_decode(const struct ofpmsg *msg, struct ofp_meter_mod *mm)
{
    memset(mm, 0, sizeof *mm);
    if (msg->type != OFPMSG_METER_MOD || msg->body_size < 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = msg->body;
    mm->command = ofpmsg__get16(p);
    mm->meter.flags = ofpmsg__get16(p + 2);
    mm->meter.meter_id = ofpmsg__get32(p + 4);
    return pull_bands(p + 8, msg->body_size - 8, &mm->meter);
}

/* Requests. */

/* Appends a METER or METER_CONFIG request for 'meter_id'. */
void
ofp_meter_request_encode(enum ofpmsg_type type, uint8_t version,
                         uint32_t xid, uint32_t meter_id, struct ofpbuf *b)
{
    ASSERT(type == OFPMSG_METER_STATS_REQUEST
           || type == OFPMSG_METER_CONFIG_REQUEST);
    size_t start = ofpmsg__start(b, type, OFPMSG_STD, version, xid);
    ofpbuf_put_be32(b, meter_id);
    ofpbuf_put_zeros(b, 4);
    ofpmsg__finish(b, start);
}

/* Decodes a METER or METER_CONFIG request's meter id; the METER_FEATURES
 * request (empty body) gives OFPM_ALL. */
enum ofperr
ofp_meter_request_decode(const struct ofpmsg *msg, uint32_t *meter_id)
{
    *meter_id = OFPM_ALL;
    if (msg->type == OFPMSG_METER_FEATURES_REQUEST) {
        return msg->body_size ? OFPERR_OFPBRC_BAD_LEN : 0;
    }
    if (msg->body_size != 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    *meter_id = ofpmsg__get32(msg->body);
    return 0;
}

/* METER stats. */

/* Appends one METER stats entry to 'r'. */
void
ofp_meter_stats_put(struct ofpmsg_mp_reply *r, uint8_t version,
                    const struct ofp_meter_stats *ms)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    ofpbuf_put_be32(b, ms->meter_id);
    ofpbuf_put_be16(b, (uint16_t) (40 + 16 * ms->n_bands));
    ofpbuf_put_zeros(b, 6);
    ofpbuf_put_be32(b, ms->flow_count);
    ofpbuf_put_be64(b, ms->packet_in_count);
    ofpbuf_put_be64(b, ms->byte_in_count);
    ofpbuf_put_be32(b, ms->duration_sec);
    ofpbuf_put_be32(b, ms->duration_nsec);
    for (size_t i = 0; i < ms->n_bands; i++) {
        ofpbuf_put_be64(b, ms->bands[i].packet_count);
        ofpbuf_put_be64(b, ms->bands[i].byte_count);
    }
    ofpmsg_mp_reply_end_entry(r, start);
    (void) version;
}

/* Pulls the next METER stats entry. */
enum ofperr
ofp_meter_stats_pull(struct ofpmsg_iter *it, struct ofp_meter_stats *ms)
{
    memset(ms, 0, sizeof *ms);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    if (it->left < 40) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(p + 4);
    if (len < 40 || (len - 40) % 16 || len > it->left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    if ((len - 40) / 16 > OFP_METER_MAX_BANDS) {
        return OFPERR_OFPMMFC_OUT_OF_BANDS;
    }
    ms->meter_id = ofpmsg__get32(p);
    ms->flow_count = ofpmsg__get32(p + 12);
    ms->packet_in_count = ofpmsg__get64(p + 16);
    ms->byte_in_count = ofpmsg__get64(p + 24);
    ms->duration_sec = ofpmsg__get32(p + 32);
    ms->duration_nsec = ofpmsg__get32(p + 36);
    ms->n_bands = (uint16_t) ((len - 40) / 16);
    for (size_t i = 0; i < ms->n_bands; i++) {
        ms->bands[i].packet_count = ofpmsg__get64(p + 40 + 16 * i);
        ms->bands[i].byte_count = ofpmsg__get64(p + 48 + 16 * i);
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* METER_CONFIG / METER_DESC. */

/* Appends one METER_CONFIG entry to 'r'. */
void
ofp_meter_config_put(struct ofpmsg_mp_reply *r, uint8_t version,
                     const struct ofp_meter_config *mc)
{
    size_t start;
    struct ofpbuf *b = ofpmsg_mp_reply_start_entry(r, &start);
    ofpbuf_put_be16(b, (uint16_t) (8 + BAND_LEN * mc->n_bands));
    ofpbuf_put_be16(b, mc->flags);
    ofpbuf_put_be32(b, mc->meter_id);
    put_bands(b, mc);
    ofpmsg_mp_reply_end_entry(r, start);
    (void) version;
}

/* Pulls the next METER_CONFIG entry. */
enum ofperr
ofp_meter_config_pull(struct ofpmsg_iter *it, struct ofp_meter_config *mc)
{
    memset(mc, 0, sizeof *mc);
    if (!it->left) {
        return OFPMSG_EOF;
    }
    const uint8_t *p = it->p;
    if (it->left < 8) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    uint16_t len = ofpmsg__get16(p);
    if (len < 8 || len % 8 || len > it->left) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    mc->flags = ofpmsg__get16(p + 2);
    mc->meter_id = ofpmsg__get32(p + 4);
    enum ofperr err = pull_bands(p + 8, len - 8, mc);
    if (err) {
        return err;
    }
    it->p += len;
    it->left -= len;
    it->index++;
    return 0;
}

/* METER_FEATURES. */

/* Appends a METER_FEATURES reply. */
void
ofp_meter_features_encode(uint8_t version, uint32_t xid,
                          const struct ofp_meter_features *mf,
                          struct ofpbuf *b)
{
    size_t start = ofpmsg__start(b, OFPMSG_METER_FEATURES_REPLY, OFPMSG_STD,
                                 version, xid);
    ofpbuf_put_be32(b, mf->max_meters);
    ofpbuf_put_be32(b, mf->band_types);
    ofpbuf_put_be32(b, mf->capabilities);
    ofpbuf_put_u8(b, mf->max_bands);
    ofpbuf_put_u8(b, mf->max_color);
    ofpbuf_put_zeros(b, 2);
    /* OpenFlow 1.5.1 adds 'features' and 4 bytes of padding, but
     * ovs-ofctl and ovn-controller (OVS 3.1's codec) refuse the longer
     * reply: send the 16-byte form in every version. */
    ofpmsg__finish(b, start);
}

/* Decodes a METER_FEATURES reply. */
enum ofperr
ofp_meter_features_decode(const struct ofpmsg *msg,
                          struct ofp_meter_features *mf)
{
    memset(mf, 0, sizeof *mf);
    size_t want = msg->body_size;
    if (want != 16 && (want != 24 || msg->version < OFP15_VERSION)) {
        return OFPERR_OFPBRC_BAD_LEN;
    }
    const uint8_t *p = msg->body;
    mf->max_meters = ofpmsg__get32(p);
    mf->band_types = ofpmsg__get32(p + 4);
    mf->capabilities = ofpmsg__get32(p + 8);
    mf->max_bands = p[12];
    mf->max_color = p[13];
    if (want == 24) {
        mf->features = ofpmsg__get32(p + 16);
    }
    return 0;
}

/* Text. */

static char *
parse_u32_value(const char *name, const char *value, uint32_t *out)
{
    char *end;
    if (!value || !*value) {
        return xasprintf("%s: missing value", name);
    }
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (*end || errno || v > UINT32_MAX || value[0] == '-') {
        return xasprintf("%s: invalid value \"%s\"", name, value);
    }
    *out = (uint32_t) v;
    return NULL;
}

static char *
parse_meter_id(const char *value, uint32_t *id)
{
    if (value && !strcmp(value, "all")) {
        *id = OFPM_ALL;
    } else if (value && !strcmp(value, "controller")) {
        *id = OFPM_CONTROLLER;
    } else if (value && !strcmp(value, "slowpath")) {
        *id = OFPM_SLOWPATH;
    } else {
        char *err = parse_u32_value("meter", value, id);
        if (err) {
            return err;
        }
        if (*id == 0 || (*id > OFPM_MAX && *id != OFPM_ALL
                         && *id != OFPM_CONTROLLER
                         && *id != OFPM_SLOWPATH)) {
            return xasprintf("invalid meter id %s", value);
        }
    }
    return NULL;
}

/* One "key=value" of a band into 'band'. */
static char *
parse_band_field(const char *key, const char *value,
                 struct ofp_meter_band *band)
{
    uint32_t v;
    char *err;
    if (!strcmp(key, "type")) {
        if (value && !strcmp(value, "drop")) {
            band->type = OFPMBT_DROP;
        } else if (value && !strcmp(value, "dscp_remark")) {
            band->type = OFPMBT_DSCP_REMARK;
        } else {
            return xasprintf("field %s unknown value %s", key,
                             value ? value : "");
        }
    } else if (!strcmp(key, "rate")) {
        if ((err = parse_u32_value(key, value, &band->rate))) {
            return err;
        }
    } else if (!strcmp(key, "burst_size")) {
        if ((err = parse_u32_value(key, value, &band->burst_size))) {
            return err;
        }
    } else if (!strcmp(key, "prec_level")) {
        if ((err = parse_u32_value(key, value, &v))) {
            return err;
        }
        if (v > UINT8_MAX) {
            return xasprintf("prec_level: %"PRIu32" out of range", v);
        }
        band->prec_level = (uint8_t) v;
    } else {
        return xasprintf("unknown band field %s", key);
    }
    return NULL;
}

/* Parses a meter in ovs-ofctl syntax; see the header. */
char *
ofp_meter_mod_parse(const char *text, uint16_t command,
                    struct ofp_meter_mod *mm)
{
    memset(mm, 0, sizeof *mm);
    mm->command = command;
    mm->meter.meter_id = OFPM_ALL;

    char *copy = xstrdup(text ? text : "");
    char *save = NULL, *err = NULL;
    bool has_id = false, in_bands = false;
    struct ofp_meter_band *band = NULL;

    for (char *tok = strtok_r(copy, ", \t\n", &save); tok;
         tok = strtok_r(NULL, ", \t\n", &save)) {
        char *value = strchr(tok, '=');
        if (value) {
            *value++ = '\0';
        }
        if (!strcmp(tok, "bands")) {
            in_bands = true;
            if (value && *value) {
                /* "bands=type=drop": the first band field follows. */
                char *v2 = strchr(value, '=');
                if (v2) {
                    *v2++ = '\0';
                }
                tok = value;
                value = v2;
            } else {
                continue;
            }
        }
        if (in_bands) {
            if (!strcmp(tok, "type")) {
                if (mm->meter.n_bands >= OFP_METER_MAX_BANDS) {
                    err = xasprintf("too many bands (at most %d)",
                                    OFP_METER_MAX_BANDS);
                    break;
                }
                band = &mm->meter.bands[mm->meter.n_bands++];
            } else if (!band) {
                err = xstrdup("band type must come first");
                break;
            }
            if ((err = parse_band_field(tok, value, band))) {
                break;
            }
        } else if (!strcmp(tok, "meter")) {
            if ((err = parse_meter_id(value, &mm->meter.meter_id))) {
                break;
            }
            has_id = true;
        } else if (!strcmp(tok, "kbps") && !value) {
            mm->meter.flags |= OFPMF_KBPS;
        } else if (!strcmp(tok, "pktps") && !value) {
            mm->meter.flags |= OFPMF_PKTPS;
        } else if (!strcmp(tok, "burst") && !value) {
            mm->meter.flags |= OFPMF_BURST;
        } else if (!strcmp(tok, "stats") && !value) {
            mm->meter.flags |= OFPMF_STATS;
        } else {
            err = xasprintf("unknown keyword %s", tok);
            break;
        }
    }
    free(copy);
    if (err) {
        return err;
    }
    if (command == OFPMC_ADD || command == OFPMC_MODIFY) {
        if (!has_id) {
            return xstrdup("must specify a meter id");
        }
        if (!mm->meter.n_bands) {
            return xstrdup("must specify bands");
        }
        for (size_t i = 0; i < mm->meter.n_bands; i++) {
            if (!mm->meter.bands[i].rate) {
                return xstrdup("must specify a band rate");
            }
        }
        if (!(mm->meter.flags & (OFPMF_KBPS | OFPMF_PKTPS))) {
            mm->meter.flags |= OFPMF_KBPS;
        }
    } else {
        mm->meter.flags = 0;
        mm->meter.n_bands = 0;
    }
    return NULL;
}

/* Appends a meter id; see the header. */
void
ofp_meter_id_format(uint32_t id, struct ds *s)
{
    if (id == OFPM_ALL) {
        ds_put_cstr(s, "all");
    } else if (id == OFPM_CONTROLLER) {
        ds_put_cstr(s, "controller");
    } else if (id == OFPM_SLOWPATH) {
        ds_put_cstr(s, "slowpath");
    } else {
        ds_put_format(s, "%"PRIu32, id);
    }
}

/* Appends a meter config in dump-meters form; see the header. */
void
ofp_meter_config_format(const struct ofp_meter_config *mc, struct ds *s)
{
    ds_put_cstr(s, "meter=");
    ofp_meter_id_format(mc->meter_id, s);
    ds_put_char(s, ' ');
    if (mc->flags & OFPMF_KBPS) {
        ds_put_cstr(s, "kbps ");
    }
    if (mc->flags & OFPMF_PKTPS) {
        ds_put_cstr(s, "pktps ");
    }
    if (mc->flags & OFPMF_BURST) {
        ds_put_cstr(s, "burst ");
    }
    if (mc->flags & OFPMF_STATS) {
        ds_put_cstr(s, "stats ");
    }
    ds_put_cstr(s, "bands=\n");
    for (size_t i = 0; i < mc->n_bands; i++) {
        const struct ofp_meter_band *band = &mc->bands[i];
        ds_put_cstr(s, "type=");
        if (band->type == OFPMBT_DROP) {
            ds_put_cstr(s, "drop");
        } else if (band->type == OFPMBT_DSCP_REMARK) {
            ds_put_cstr(s, "dscp_remark");
        } else {
            ds_put_format(s, "%u", band->type);
        }
        ds_put_format(s, " rate=%"PRIu32, band->rate);
        if (mc->flags & OFPMF_BURST) {
            ds_put_format(s, " burst_size=%"PRIu32, band->burst_size);
        }
        if (band->type == OFPMBT_DSCP_REMARK) {
            ds_put_format(s, " prec_level=%u", band->prec_level);
        }
        ds_put_char(s, '\n');
    }
}

/* Appends meter stats in meter-stats form; see the header. */
void
ofp_meter_stats_format(const struct ofp_meter_stats *ms, struct ds *s)
{
    ds_put_cstr(s, "meter:");
    ofp_meter_id_format(ms->meter_id, s);
    ds_put_format(s, " flow_count:%"PRIu32" packet_in_count:%"PRIu64
                  " byte_in_count:%"PRIu64" duration:%"PRIu32".%09"PRIu32
                  "s bands:\n", ms->flow_count, ms->packet_in_count,
                  ms->byte_in_count, ms->duration_sec, ms->duration_nsec);
    for (size_t i = 0; i < ms->n_bands; i++) {
        ds_put_format(s, "%zu: packet_count:%"PRIu64" byte_count:%"PRIu64
                      "\n", i, ms->bands[i].packet_count,
                      ms->bands[i].byte_count);
    }
}

/* Appends the meter-features lines; see the header. */
void
ofp_meter_features_format(const struct ofp_meter_features *mf,
                          struct ds *s)
{
    ds_put_format(s, "max_meter:%"PRIu32" max_bands:%u max_color:%u\n",
                  mf->max_meters, mf->max_bands, mf->max_color);
    ds_put_cstr(s, "band_types:");
    if (mf->band_types & (1u << OFPMBT_DROP)) {
        ds_put_cstr(s, " drop");
    }
    if (mf->band_types & (1u << OFPMBT_DSCP_REMARK)) {
        ds_put_cstr(s, " dscp_remark");
    }
    ds_put_cstr(s, "\ncapabilities:");
    static const char *names[] = { "kbps", "pktps", "burst", "stats" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (mf->capabilities & (1u << i)) {
            ds_put_format(s, " %s", names[i]);
        }
    }
    ds_put_char(s, '\n');
}
