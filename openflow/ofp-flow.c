/* Flow text for kiln-ofctl: flow specs and dump-flows lines.  See
 * ofp-flow.h. */
#include "openflow/ofp-flow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"

static bool
parse_num(const char *s, uint64_t max, uint64_t *x)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v > max) {
        return false;
    }
    *x = v;
    return true;
}

static bool
parse_port(const char *s, uint32_t *port)
{
    static const struct { const char *name; uint32_t port; } names[] = {
        { "IN_PORT", OFPP_IN_PORT }, { "TABLE", OFPP_TABLE },
        { "NORMAL", OFPP_NORMAL }, { "FLOOD", OFPP_FLOOD },
        { "ALL", OFPP_ALL }, { "CONTROLLER", OFPP_CONTROLLER },
        { "LOCAL", OFPP_LOCAL }, { "ANY", OFPP_NONE }, { "NONE", OFPP_NONE },
    };
    uint64_t x;

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcasecmp(s, names[i].name)) {
            *port = names[i].port;
            return true;
        }
    }
    if (!parse_num(s, UINT32_MAX, &x)) {
        return false;
    }
    *port = x >= 0xffffff00u ? x - 0xffff0000u : x;
    return *port <= OFPP_NONE;
}

/* One "key[=value]" item before "actions=". */
static char *
parse_item(struct ofp_flow_spec *spec, const struct ofp_tlv_map *map,
           char *name, char *value)
{
    static const struct { const char *name; uint16_t flag; } flags[] = {
        { "send_flow_rem", OFP_FLOW_SEND_FLOW_REM },
        { "check_overlap", OFP_FLOW_CHECK_OVERLAP },
        { "reset_counts", OFP_FLOW_RESET_COUNTS },
        { "no_packet_counts", OFP_FLOW_NO_PKT_COUNTS },
        { "no_byte_counts", OFP_FLOW_NO_BYT_COUNTS },
    };
    struct {
        const char *name;
        uint16_t *p;
    } u16s[] = {
        { "priority", &spec->priority },
        { "idle_timeout", &spec->idle_timeout },
        { "hard_timeout", &spec->hard_timeout },
        { "importance", &spec->importance },
    };
    uint64_t x;

    /* Error texts are ovs-ofctl's (checked with Debian's ovs-ofctl
     * parse-flow and del-flows). */
    static const char *const valued[] = {
        "priority", "idle_timeout", "hard_timeout", "importance", "table",
        "cookie", "out_port", "out_group",
    };
    for (size_t i = 0; i < ARRAY_SIZE(valued); i++) {
        if (!strcmp(name, valued[i]) && !value) {
            return xasprintf("field %s missing value", name);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        if (!strcmp(name, flags[i].name)) {
            spec->flags |= flags[i].flag;       /* A value is ignored. */
            return NULL;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(u16s); i++) {
        if (!strcmp(name, u16s[i].name)) {
            if (!parse_num(value, UINT16_MAX, &x)) {
                return xasprintf("invalid %s \"%s\"", name, value);
            }
            *u16s[i].p = x;
            return NULL;
        }
    }
    if (!strcmp(name, "table")) {
        if (!parse_num(value, 254, &x)) {
            return xasprintf("unknown table \"%s\"", value);
        }
        spec->table_id = x;
        return NULL;
    }
    if (!strcmp(name, "cookie")) {
        char *slash = strchr(value, '/');
        if (slash) {
            *slash++ = '\0';
            if (!strcmp(slash, "-1")) {
                spec->cookie_mask = UINT64_MAX;
            } else if (!parse_num(slash, UINT64_MAX, &spec->cookie_mask)) {
                return xasprintf("invalid numeric format %s", slash);
            }
        }
        if (!parse_num(value, UINT64_MAX, &spec->cookie)) {
            return xasprintf("invalid numeric format %s", value);
        }
        return NULL;
    }
    if (!strcmp(name, "out_port")) {
        return parse_port(value, &spec->out_port) ? NULL
               : xasprintf("%s is not a valid OpenFlow port", value);
    }
    if (!strcmp(name, "out_group")) {
        if (!strcasecmp(value, "ANY")) {
            spec->out_group = UINT32_MAX;
        } else if (!parse_num(value, UINT32_MAX, &x)) {
            return xasprintf("%s is not a valid OpenFlow group", value);
        } else {
            spec->out_group = x;
        }
        return NULL;
    }
    return ofp_match_parse_field(&spec->match, map, name, value);
}

/* Parses a flow. */
char *
ofp_flow_spec_parse(struct ofp_flow_spec *spec, const char *s,
                    const struct ofp_tlv_map *map, bool need_actions,
                    bool forbid_actions)
{
    char *copy = xstrdup(s), *acts, *save = NULL, *err = NULL;
    enum ofperr oerr;

    memset(spec, 0, sizeof *spec);
    ofp_match_init_catchall(&spec->match);
    ofpbuf_init(&spec->ofpacts);
    spec->table_id = 255;
    spec->priority = 32768;
    spec->out_port = OFPP_NONE;
    spec->out_group = UINT32_MAX;

    acts = strstr(copy, "actions=");
    if (acts) {
        *acts = '\0';
        acts += strlen("actions=");
        spec->has_actions = true;
    }
    if (need_actions && !acts) {
        err = xstrdup("must specify an action");
        goto out;
    }
    if (forbid_actions && acts) {
        err = xstrdup("unknown keyword actions");   /* ovs-ofctl's words. */
        goto out;
    }
    for (char *tok = strtok_r(copy, ", \t\r\n", &save); tok && !err;
         tok = strtok_r(NULL, ", \t\r\n", &save)) {
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq++ = '\0';
        }
        err = parse_item(spec, map, tok, eq);
    }
    if (err) {
        goto out;
    }
    ofp_match_normalize(&spec->match);
    if (acts) {
        err = ofpacts_parse(acts, map, &spec->ofpacts);
        if (err) {
            goto out;
        }
        oerr = ofpacts_check((const struct ofpact *) spec->ofpacts.data,
                             spec->ofpacts.size, &spec->match, map,
                             OFPP_MAX_PORT, 255);
        if (oerr) {
            err = xasprintf("actions are invalid with specified match (%s)",
                            ofperr_to_string(oerr));
        }
    }
out:
    free(copy);
    return err;
}

/* Frees what 'spec' owns. */
void
ofp_flow_spec_uninit(struct ofp_flow_spec *spec)
{
    ofpbuf_uninit(&spec->ofpacts);
}

/* Appends a dump-flows line. */
void
ofp_flow_format_stats(struct ds *s, const struct ofp_flow_stats_entry *e,
                      const struct ofp_tlv_map *map, bool no_stats)
{
    size_t match_start;

    ds_put_char(s, ' ');
    if (!no_stats || e->cookie) {
        ds_put_format(s, "cookie=0x%"PRIx64", ", e->cookie);
    }
    if (!no_stats) {
        ds_put_format(s, "duration=%"PRIu32".%03"PRIu32"s, ",
                      e->duration_sec, e->duration_nsec / 1000000);
    }
    if (!no_stats || e->table_id) {
        ds_put_format(s, "table=%u, ", e->table_id);
    }
    if (!no_stats) {
        ds_put_format(s, "n_packets=%"PRIu64", n_bytes=%"PRIu64", ",
                      e->n_packets, e->n_bytes);
    }
    if (e->idle_timeout) {
        ds_put_format(s, "idle_timeout=%"PRIu16", ", e->idle_timeout);
    }
    if (e->hard_timeout) {
        ds_put_format(s, "hard_timeout=%"PRIu16", ", e->hard_timeout);
    }
    if (e->flags & OFP_FLOW_SEND_FLOW_REM) {
        ds_put_cstr(s, "send_flow_rem ");
    }
    if (e->flags & OFP_FLOW_CHECK_OVERLAP) {
        ds_put_cstr(s, "check_overlap ");
    }
    if (e->flags & OFP_FLOW_RESET_COUNTS) {
        ds_put_cstr(s, "reset_counts ");
    }
    if (e->flags & OFP_FLOW_NO_PKT_COUNTS) {
        ds_put_cstr(s, "no_packet_counts ");
    }
    if (e->flags & OFP_FLOW_NO_BYT_COUNTS) {
        ds_put_cstr(s, "no_byte_counts ");
    }
    if (e->importance) {
        ds_put_format(s, "importance=%"PRIu16", ", e->importance);
    }
    if (!no_stats && e->idle_age >= 0) {
        ds_put_format(s, "idle_age=%d, ", e->idle_age);
    }
    if (!no_stats && e->hard_age >= 0
        && (uint32_t) e->hard_age != e->duration_sec) {
        ds_put_format(s, "hard_age=%d, ", e->hard_age);
    }
    match_start = s->length;
    if (e->priority != 32768) {
        ds_put_format(s, "priority=%"PRIu16",", e->priority);
    }
    ofp_match_format(e->match, map, s);
    ds_chomp(s, ',');
    if (s->length > match_start) {
        ds_put_char(s, ' ');
    }
    ds_put_cstr(s, "actions=");
    ofpacts_format(e->ofpacts, e->ofpacts_size, map, s);
}
