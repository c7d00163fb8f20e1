/* OpenFlow actions: the text syntax of ovs-actions(7) and ovs-ofctl(8),
 * parsed into ofpacts and printed the way `ovs-ofctl dump-flows` prints
 * them.  Field values are parsed by the match parser (ofp-match.h), so
 * "set_field:10.0.0.1->ip_src" accepts exactly what "ip_src=10.0.0.1"
 * does. */
#include "openflow/ofp-actions.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/ds.h"
#include "lib/netaddr.h"
#include "lib/util.h"
#include "openflow/ofp-actions-private.h"
#include "openflow/ofp-match.h"
#include "openflow/ofpbuf.h"

/* ---- Small parsers. ---- */

static const struct { const char *name; uint32_t port; } port_names[] = {
    { "IN_PORT", OFPP_IN_PORT }, { "TABLE", OFPP_TABLE },
    { "NORMAL", OFPP_NORMAL }, { "FLOOD", OFPP_FLOOD },
    { "ALL", OFPP_ALL }, { "CONTROLLER", OFPP_CONTROLLER },
    { "LOCAL", OFPP_LOCAL }, { "ANY", OFPP_NONE }, { "NONE", OFPP_NONE },
};

static const char *const reason_names[] = {
    "no_match", "action", "invalid_ttl", "action_set", "group", "packet_out",
};

static const char *const mp_fields[] = {
    "eth_src", "symmetric_l4", "symmetric_l3l4", "symmetric_l3l4+udp",
    "nw_src", "nw_dst", "symmetric_l3",
};

static const char *const mp_algs[] = {
    "modulo_n", "hash_threshold", "hrw", "iter_hash",
};

static bool
parse_u64(const char *s, uint64_t max, uint64_t *x)
{
    char *end;
    unsigned long long v;

    if (!*s || *s == '-' || *s == ' ') {
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

static char *
parse_uint_arg(const char *name, const char *s, uint64_t max, uint64_t *x)
{
    return parse_u64(s, max, x) ? NULL
           : xasprintf("%s: bad argument \"%s\"", name, s);
}

/* A port: a number below 0xff00, or a reserved name. */
static bool
parse_port(const char *s, uint32_t *port)
{
    uint64_t x;

    for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
        if (!strcasecmp(s, port_names[i].name)) {
            *port = port_names[i].port;
            return true;
        }
    }
    if (!parse_u64(s, UINT32_MAX, &x)) {
        return false;
    }
    if (x >= 0xffffff00u) {
        x -= 0xffff0000u;
    }
    *port = x;
    return true;
}

static void
format_port(struct ds *s, uint32_t port)
{
    for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
        if (port_names[i].port == port) {
            ds_put_cstr(s, port_names[i].name);
            return;
        }
    }
    ds_put_format(s, "%"PRIu32, port);
}

/* An unsigned number of any width into 'n' big-endian bytes: decimal up
 * to 64 bits, or hex ("0x...") of any length. */
static bool
parse_wide(const char *s, uint8_t *v, unsigned int n)
{
    memset(v, 0, n);
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
        const char *h = s + 2;
        size_t len = strlen(h);
        if (!len) {
            return false;
        }
        for (size_t i = 0; i < len; i++) {
            char c = h[len - 1 - i];
            int d = (c >= '0' && c <= '9' ? c - '0'
                     : c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
            if (d < 0) {
                return false;
            }
            if (i / 2 >= n) {
                if (d) {
                    return false;
                }
                continue;
            }
            v[n - 1 - i / 2] |= d << (4 * (i % 2));
        }
        return true;
    } else {
        uint64_t x;
        if (!parse_u64(s, UINT64_MAX, &x)) {
            return false;
        }
        for (unsigned int i = 0; i < n && i < 8; i++) {
            v[n - 1 - i] = x >> (8 * i);
        }
        return n >= 8 || !(x >> (8 * n));
    }
}

/* Hex of 'n' big-endian bytes without leading zeros ("0x1a2"), or "0". */
static void
format_hex(struct ds *s, const uint8_t *v, unsigned int n)
{
    unsigned int i = 0;

    while (i < n && !v[i]) {
        i++;
    }
    if (i == n) {
        ds_put_cstr(s, "0");
        return;
    }
    ds_put_format(s, "0x%x", v[i]);
    for (i++; i < n; i++) {
        ds_put_format(s, "%02x", v[i]);
    }
}

static uint64_t
value_u64(const uint8_t *v, unsigned int n)
{
    uint64_t x = 0;
    for (unsigned int i = n > 8 ? n - 8 : 0; i < n; i++) {
        x = x << 8 | v[i];
    }
    return x;
}

/* Splits a comma-separated list at top level (parentheses nest).  Returns
 * the next item at '*s' (null-terminated in place) and advances '*s', or
 * NULL at the end. */
static char *
next_item(char **s)
{
    char *start, *p;
    int depth = 0;

    while (**s == ',' || **s == ' ' || **s == '\t') {
        (*s)++;
    }
    if (!**s) {
        return NULL;
    }
    start = p = *s;
    for (; *p; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if ((*p == ',' || *p == ' ') && depth <= 0) {
            break;
        }
    }
    if (*p) {
        *p++ = '\0';
    }
    *s = p;
    return start;
}

/* ---- Subfields. ---- */

static const char *
field_label(const struct ofp_field *f)
{
    return f->nxm_name ? f->nxm_name : f->oxm_name ? f->oxm_name : f->name;
}

char *
ofp_subfield_parse(const char **sp, struct ofp_subfield *sf)
{
    const char *s = *sp, *p = s;
    char *name;
    const struct ofp_field *f;
    unsigned int width;

    while (*p && (isalnum((unsigned char) *p) || *p == '_')) {
        p++;
    }
    if (p == s) {
        return xasprintf("%s: missing field name", s);
    }
    name = xmemdup0(s, p - s);
    f = ofp_field_from_name(name);
    if (!f) {
        char *err = xasprintf("%s: unknown field `%s'", s, name);
        free(name);
        return err;
    }
    free(name);
    width = f->kind == OFPFK_TUN_METADATA ? f->n_bytes * 8 : f->n_bits;
    if (*p != '[') {
        *sf = (struct ofp_subfield) { f, 0, width };
        *sp = p;
        return NULL;
    }
    p++;
    if (*p == ']') {
        *sf = (struct ofp_subfield) { f, 0, width };
        *sp = p + 1;
        return NULL;
    } else {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (end == p) {
            return xasprintf("%s: bad bit range", s);
        }
        if (!strncmp(end, "..", 2)) {
            p = end + 2;
            b = strtoul(p, &end, 10);
            if (end == p) {
                return xasprintf("%s: bad bit range", s);
            }
        }
        if (*end != ']' || b < a || b >= width) {
            return xasprintf("%s: bad bit range for %s (%u bits)", s,
                             f->name, width);
        }
        *sf = (struct ofp_subfield) { f, a, b - a + 1 };
        *sp = end + 1;
        return NULL;
    }
}

/* Parses a whole string as a subfield of a field 'map' gives a width
 * (a whole tun_metadata field takes its mapped width). */
static char *
parse_subfield_map(const char *s, const struct ofp_tlv_map *map,
                   struct ofp_subfield *sf)
{
    const char *p = s;
    char *err = ofp_subfield_parse(&p, sf);
    if (!err && *p) {
        err = xasprintf("%s: trailing garbage after subfield", s);
    }
    if (!err && sf->field->kind == OFPFK_TUN_METADATA && !sf->ofs
        && sf->n_bits == sf->field->n_bytes * 8) {
        sf->n_bits = ofp_field_n_bytes(sf->field, map) * 8;
    }
    if (!err && !ofpacts__subfield_ok(sf, map, false)) {
        err = xasprintf("%s: field not mapped or bits out of range", s);
    }
    return err;
}

void
ofp_subfield_format(const struct ofp_subfield *sf, struct ds *s)
{
    unsigned int width = sf->field->kind == OFPFK_TUN_METADATA
                         ? sf->field->n_bytes * 8 : sf->field->n_bits;

    ds_put_cstr(s, field_label(sf->field));
    if (!sf->ofs && sf->n_bits == width) {
        ds_put_cstr(s, "[]");
    } else if (sf->n_bits == 1) {
        ds_put_format(s, "[%u]", sf->ofs);
    } else {
        ds_put_format(s, "[%u..%u]", sf->ofs, sf->ofs + sf->n_bits - 1);
    }
}

/* Whether 'sf' covers its whole field. */
static bool
subfield_is_whole(const struct ofp_subfield *sf,
                  const struct ofp_tlv_map *map)
{
    unsigned int n = ofp_field_n_bytes(sf->field, map);
    return !sf->ofs && (sf->n_bits == sf->field->n_bits
                        || sf->n_bits == n * 8);
}

/* ---- Field values. ---- */

/* Parses "VALUE[/MASK]" for 'f' with the match parser. */
static char *
parse_field_value(const struct ofp_field *f, const struct ofp_tlv_map *map,
                  const char *s, union ofp_field_value *value,
                  union ofp_field_value *mask)
{
    struct ofp_match m;
    char *err;

    ofp_match_init_catchall(&m);
    err = ofp_match_parse_field(&m, map, f->name, s);
    if (err) {
        return err;
    }
    ofp_field_get_value(f, map, &m.flow, value);
    ofp_field_get_mask(f, map, &m.wc, mask);
    return NULL;
}

static void
format_ip(struct ds *s, const struct ofp_field *f, const uint8_t *v,
          unsigned int n)
{
    struct ip_prefix p;

    memset(&p, 0, sizeof p);
    p.family = f->format == OFPFF_IPV4 ? AF_INET : AF_INET6;
    p.plen = n * 8;
    memcpy(p.family == AF_INET ? (void *) &p.ip4 : (void *) &p.ip6, v, n);
    ip_prefix_format_addr(&p, s);
}

/* Appends 'value' (under 'mask', if not NULL and not all-ones) of 'f' as
 * ovs-ofctl prints field values. */
static void
format_field_value(struct ds *s, const struct ofp_field *f, unsigned int n,
                   const union ofp_field_value *value,
                   const union ofp_field_value *mask)
{
    bool exact = !mask || ofp_field_value_is_ones(mask, n);

    switch (f->format) {
    case OFPFF_ETHERNET:
        ds_put_format(s, ETH_ADDR_FMT, ETH_ADDR_ARGS(value->mac));
        if (!exact) {
            ds_put_format(s, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(mask->mac));
        }
        return;
    case OFPFF_IPV4:
    case OFPFF_IPV6: {
        unsigned int ofs, nb;
        format_ip(s, f, value->b, n);
        if (!exact) {
            ds_put_char(s, '/');
            if (ofpacts__mask_is_range(mask, n, &ofs, &nb)
                && ofs + nb == n * 8) {
                ds_put_format(s, "%u", nb);
            } else {
                format_ip(s, f, mask->b, n);
            }
        }
        return;
    }
    case OFPFF_OFP10_PORT:
    case OFPFF_OFP11_PORT: {
        uint32_t port = value_u64(value->b, n);
        if (port >= 0xffffff00u) {
            port -= 0xffff0000u;
        }
        if (exact) {
            format_port(s, port);
            return;
        }
        break;
    }
    case OFPFF_DECIMAL:
        if (exact && n <= 8) {
            ds_put_format(s, "%"PRIu64, value_u64(value->b, n));
            return;
        }
        break;
    default:
        break;
    }
    format_hex(s, value->b, n);
    if (!exact) {
        ds_put_char(s, '/');
        format_hex(s, mask->b, n);
    }
}

/* ---- Parsing actions. ---- */

struct parse_ctx {
    const struct ofp_tlv_map *map; /* TLV map. */
    struct ofpbuf *ofpacts;        /* Output. */
    unsigned int depth;            /* Nesting of lists. */
};

static char *parse_list(struct parse_ctx *, char *s, bool instructions);

static char *
parse_set_field(struct parse_ctx *ctx, char *arg)
{
    char *arrow = strstr(arg, "->");
    const struct ofp_field *f;
    union ofp_field_value value, mask;
    char *err;

    if (!arrow) {
        return xasprintf("%s: missing `->'", arg);
    }
    *arrow = '\0';
    f = ofp_field_from_name(arrow + 2);
    if (!f) {
        return xasprintf("%s: unknown field", arrow + 2);
    }
    if (!f->writable) {
        return xasprintf("%s is read-only", f->name);
    }
    err = parse_field_value(f, ctx->map, arg, &value, &mask);
    if (err) {
        return err;
    }
    ofpacts__put_set_field(ctx->ofpacts, f, &value, &mask, false);
    return NULL;
}

static char *
parse_load(struct parse_ctx *ctx, char *arg)
{
    char *arrow = strstr(arg, "->");
    struct ofp_subfield dst;
    union ofp_field_value imm, value, mask;
    unsigned int n;
    char *err;

    if (!arrow) {
        return xasprintf("%s: missing `->'", arg);
    }
    *arrow = '\0';
    err = parse_subfield_map(arrow + 2, ctx->map, &dst);
    if (err) {
        return err;
    }
    if (!dst.field->writable) {
        return xasprintf("%s is read-only", dst.field->name);
    }
    n = ofp_field_n_bytes(dst.field, ctx->map);
    if (!n) {
        return xasprintf("%s: field not mapped", dst.field->name);
    }
    memset(&imm, 0, sizeof imm);
    if (!parse_wide(arg, imm.b, n)) {
        return xasprintf("%s: bad value for load", arg);
    }
    for (unsigned int i = dst.n_bits; i < n * 8; i++) {
        if (ofpacts__bit_get(imm.b, n, i)) {
            return xasprintf("%s: value does not fit in %u bits", arg,
                             dst.n_bits);
        }
    }
    memset(&value, 0, sizeof value);
    memset(&mask, 0, sizeof mask);
    ofpacts__bits_copy(imm.b, n, 0, value.b, n, dst.ofs, dst.n_bits);
    for (unsigned int i = 0; i < dst.n_bits; i++) {
        ofpacts__bit_set(mask.b, n, dst.ofs + i, true);
    }
    ofpacts__put_set_field(ctx->ofpacts, dst.field, &value, &mask, true);
    return NULL;
}

static char *
parse_move(struct parse_ctx *ctx, char *arg)
{
    char *arrow = strstr(arg, "->");
    struct ofpact_reg_move *m;
    struct ofp_subfield src, dst;
    char *err;

    if (!arrow) {
        return xasprintf("%s: missing `->'", arg);
    }
    *arrow = '\0';
    err = parse_subfield_map(arg, ctx->map, &src);
    if (!err) {
        err = parse_subfield_map(arrow + 2, ctx->map, &dst);
    }
    if (err) {
        return err;
    }
    if (src.n_bits != dst.n_bits) {
        return xasprintf("source field is %u bits wide but destination is "
                         "%u bits wide", src.n_bits, dst.n_bits);
    }
    if (!dst.field->writable) {
        return xasprintf("%s is read-only", dst.field->name);
    }
    m = ofpact_put(ctx->ofpacts, OFPACT_REG_MOVE, sizeof *m);
    m->src = src;
    m->dst = dst;
    return NULL;
}

static char *
parse_output(struct parse_ctx *ctx, char *arg)
{
    uint32_t port;

    if (strchr(arg, '[')) {
        struct ofpact_output_reg *o;
        struct ofp_subfield sf;
        char *err = parse_subfield_map(arg, ctx->map, &sf);
        if (err) {
            return err;
        }
        o = ofpact_put(ctx->ofpacts, OFPACT_OUTPUT_REG, sizeof *o);
        o->src = sf;
        o->max_len = UINT16_MAX;
        return NULL;
    }
    if (!parse_port(arg, &port)) {
        return xasprintf("%s: output to unknown port", arg);
    }
    if (port == OFPP_CONTROLLER) {
        struct ofpact_controller *c = ofpact_put(ctx->ofpacts,
                                                 OFPACT_CONTROLLER,
                                                 sizeof *c);
        c->max_len = UINT16_MAX;
        c->reason = OFPA_OFPR_ACTION;
        c->meter_id = OFPA_NO_METER;
    } else {
        struct ofpact_output *o = ofpact_put(ctx->ofpacts, OFPACT_OUTPUT,
                                             sizeof *o);
        o->port = port;
    }
    return NULL;
}

/* "dd.dd.dd" or "dddd" hex bytes into 'out'. */
static char *
parse_hex_bytes(const char *s, struct ofpbuf *out)
{
    while (*s) {
        int hi, lo;
        if (*s == '.' || *s == ' ') {
            s++;
            continue;
        }
        hi = isxdigit((unsigned char) s[0]) ? s[0] : -1;
        lo = hi >= 0 && isxdigit((unsigned char) s[1]) ? s[1] : -1;
        if (lo < 0) {
            return xasprintf("%s: bad hex digits", s);
        }
        hi = isdigit(hi) ? hi - '0' : (hi | 0x20) - 'a' + 10;
        lo = isdigit(lo) ? lo - '0' : (lo | 0x20) - 'a' + 10;
        ofpbuf_put_u8(out, hi << 4 | lo);
        s += 2;
    }
    return NULL;
}

static void
format_hex_bytes(struct ds *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, i ? ".%02x" : "%02x", p[i]);
    }
}

static char *
parse_controller(struct parse_ctx *ctx, char *arg, bool parens)
{
    size_t ofs = ofpacts__start(ctx->ofpacts, OFPACT_CONTROLLER,
                                offsetof(struct ofpact_controller, userdata));
    struct ofpact_controller *c = ofpbuf_at(ctx->ofpacts, ofs);
    struct ofpbuf userdata = OFPBUF_EMPTY_INITIALIZER;
    char *item, *err = NULL;
    uint8_t reason = OFPA_OFPR_ACTION;
    uint64_t max_len = UINT16_MAX, id = 0, meter = OFPA_NO_METER;
    bool pause = false;

    if (!parens) {
        if (arg && (err = parse_uint_arg("controller", arg, UINT16_MAX,
                                         &max_len))) {
            return err;
        }
    } else {
        while (!err && (item = next_item(&arg))) {
            char *eq = strchr(item, '=');
            if (eq) {
                *eq++ = '\0';
            }
            if (!strcmp(item, "max_len") && eq) {
                err = parse_uint_arg(item, eq, UINT16_MAX, &max_len);
            } else if (!strcmp(item, "id") && eq) {
                err = parse_uint_arg(item, eq, UINT16_MAX, &id);
            } else if (!strcmp(item, "meter_id") && eq) {
                err = parse_uint_arg(item, eq, UINT32_MAX, &meter);
            } else if (!strcmp(item, "reason") && eq) {
                size_t i;
                for (i = 0; i < ARRAY_SIZE(reason_names); i++) {
                    if (!strcmp(eq, reason_names[i])) {
                        break;
                    }
                }
                if (i == ARRAY_SIZE(reason_names)) {
                    err = xasprintf("%s: unknown controller reason", eq);
                }
                reason = i;
            } else if (!strcmp(item, "userdata") && eq) {
                ofpbuf_clear(&userdata);
                err = parse_hex_bytes(eq, &userdata);
            } else if (!strcmp(item, "pause") && !eq) {
                pause = true;
            } else {
                err = xasprintf("%s: unknown controller option", item);
            }
        }
    }
    if (!err && userdata.size > UINT16_MAX - 64) {
        err = xstrdup("controller: userdata too long");
    }
    if (!err) {
        if (userdata.size) {
            ofpbuf_put(ctx->ofpacts, userdata.data, userdata.size);
        }
        c = ofpbuf_at(ctx->ofpacts, ofs);
        c->max_len = max_len;
        c->controller_id = id;
        c->reason = reason;
        c->pause = pause;
        c->meter_id = meter;
        c->userdata_len = userdata.size;
        if (!ofpact_finish(ctx->ofpacts, ofs)) {
            err = xstrdup("controller: too long");
        }
    }
    ofpbuf_uninit(&userdata);
    return err;
}

static char *
parse_resubmit(struct parse_ctx *ctx, char *arg, bool parens)
{
    struct ofpact_resubmit r;
    char *port, *table, *ct;
    uint64_t t;

    memset(&r, 0, sizeof r);
    r.in_port = OFPP_IN_PORT;
    r.table_id = 255;
    if (!parens) {
        if (!parse_port(arg, &r.in_port)) {
            return xasprintf("%s: resubmit to unknown port", arg);
        }
    } else {
        port = arg;
        table = strchr(port, ',');
        if (table) {
            *table++ = '\0';
        } else {
            table = port + strlen(port);
        }
        ct = strchr(table, ',');
        if (ct) {
            *ct++ = '\0';
            if (strcmp(ct, "ct")) {
                return xasprintf("%s: unknown resubmit option", ct);
            }
            r.with_ct_orig = true;
        }
        if (*port && !parse_port(port, &r.in_port)) {
            return xasprintf("%s: resubmit to unknown port", port);
        }
        if (*table) {
            if (!parse_u64(table, 254, &t)) {
                return xasprintf("%s: bad table id", table);
            }
            r.table_id = t;
        }
        if (r.in_port == OFPP_IN_PORT && r.table_id == 255) {
            return xstrdup("at least one \"in_port\" or \"table\" must be "
                           "specified on resubmit");
        }
    }
    struct ofpact_resubmit *p = ofpact_put(ctx->ofpacts, OFPACT_RESUBMIT,
                                           sizeof *p);
    r.ofpact = p->ofpact;
    *p = r;
    return NULL;
}

static char *
parse_nested(struct parse_ctx *ctx, enum ofpact_type type, size_t size,
             char *arg)
{
    size_t ofs = ofpacts__start(ctx->ofpacts, type, size);
    char *err;

    if (ctx->depth >= OFPACTS_MAX_DEPTH) {
        return xstrdup("actions nested too deeply");
    }
    ctx->depth++;
    err = parse_list(ctx, arg, false);
    ctx->depth--;
    if (!err && !ofpact_finish(ctx->ofpacts, ofs)) {
        err = xstrdup("nested actions too long");
    }
    return err;
}

/* "IP[-IP][:PORT[-PORT]]" with IPv6 addresses in brackets or bare. */
static char *
parse_nat_range(struct ofpact_nat *nat, char *s)
{
    char *ports = NULL, *dash;
    struct ip_prefix a, b;

    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close) {
            return xasprintf("%s: missing `]'", s);
        }
        /* "[a]-[b]:p" */
        char *rest = close + 1;
        *close = '\0';
        if (!ip_from_string(s + 1, &a)) {
            return xasprintf("%s: bad address", s + 1);
        }
        b = a;
        if (*rest == '-') {
            char *s2 = rest + 1;
            if (*s2 != '[' || !(close = strchr(s2, ']'))) {
                return xasprintf("%s: bad address range", rest);
            }
            *close = '\0';
            if (!ip_from_string(s2 + 1, &b)) {
                return xasprintf("%s: bad address", s2 + 1);
            }
            rest = close + 1;
        }
        if (*rest == ':') {
            ports = rest + 1;
        } else if (*rest) {
            return xasprintf("%s: trailing garbage", rest);
        }
    } else {
        char *colon = strchr(s, ':');
        if (colon && strchr(colon + 1, ':')) {
            colon = NULL;       /* Bare IPv6: no ports. */
        }
        if (colon) {
            *colon = '\0';
            ports = colon + 1;
        }
        dash = strchr(s, '-');
        if (dash) {
            *dash++ = '\0';
        }
        if (!ip_from_string(s, &a) || (dash && !ip_from_string(dash, &b))) {
            return xasprintf("%s: bad address", s);
        }
        if (!dash) {
            b = a;
        }
    }
    if (a.family != b.family) {
        return xstrdup("nat: address family mismatch");
    }
    nat->family = a.family;
    if (a.family == AF_INET) {
        memcpy(&nat->addr_min, &a.ip4, 4);
        memcpy(&nat->addr_max, &b.ip4, 4);
    } else {
        nat->addr_min = a.ip6;
        nat->addr_max = b.ip6;
    }
    if (ports) {
        uint64_t lo, hi;
        dash = strchr(ports, '-');
        if (dash) {
            *dash++ = '\0';
        }
        if (!parse_u64(ports, UINT16_MAX, &lo)
            || (dash && !parse_u64(dash, UINT16_MAX, &hi))) {
            return xasprintf("%s: bad port range", ports);
        }
        nat->port_min = lo;
        nat->port_max = dash ? hi : 0;
    }
    return NULL;
}

static char *
parse_nat(struct parse_ctx *ctx, char *arg)
{
    struct ofpact_nat nat;
    char *item, *err = NULL;

    memset(&nat, 0, sizeof nat);
    while (arg && !err && (item = next_item(&arg))) {
        char *eq = strchr(item, '=');
        if (eq) {
            *eq++ = '\0';
        }
        if (!strcmp(item, "src") || !strcmp(item, "dst")) {
            if (nat.flags & (OFPACT_NAT_SRC | OFPACT_NAT_DST)) {
                err = xstrdup("nat: only one of src or dst");
                break;
            }
            nat.flags |= item[0] == 's' ? OFPACT_NAT_SRC : OFPACT_NAT_DST;
            if (eq) {
                err = parse_nat_range(&nat, eq);
            }
        } else if (!strcmp(item, "persistent") && !eq) {
            nat.flags |= OFPACT_NAT_PERSISTENT;
        } else if (!strcmp(item, "hash") && !eq) {
            nat.flags |= OFPACT_NAT_HASH;
        } else if (!strcmp(item, "random") && !eq) {
            nat.flags |= OFPACT_NAT_RANDOM;
        } else {
            err = xasprintf("%s: unknown nat option", item);
        }
    }
    if (!err && (nat.flags & OFPACT_NAT_HASH)
        && (nat.flags & OFPACT_NAT_RANDOM)) {
        err = xstrdup("nat: hash and random are mutually exclusive");
    }
    if (!err) {
        struct ofpact_nat *p = ofpact_put(ctx->ofpacts, OFPACT_NAT,
                                          sizeof *p);
        nat.ofpact = p->ofpact;
        *p = nat;
    }
    return err;
}

static char *
parse_ct(struct parse_ctx *ctx, char *arg)
{
    size_t ofs = ofpacts__start(ctx->ofpacts, OFPACT_CT,
                                sizeof(struct ofpact_ct));
    struct ofpact_ct ct;
    char *item, *err = NULL, *exec = NULL;
    uint64_t x;

    memset(&ct, 0, sizeof ct);
    ct.recirc_table = OFPACT_CT_NO_RECIRC;
    while (arg && !err && (item = next_item(&arg))) {
        char *eq = strchr(item, '='), *paren = strchr(item, '(');
        if (eq && (!paren || eq < paren)) {
            *eq++ = '\0';
        } else {
            eq = NULL;
        }
        if (!strcmp(item, "commit") && !eq) {
            ct.flags |= OFPACT_CT_COMMIT;
        } else if (!strcmp(item, "force") && !eq) {
            ct.flags |= OFPACT_CT_FORCE;
        } else if (!strcmp(item, "table") && eq) {
            if (!parse_u64(eq, 254, &x)) {
                err = xasprintf("%s: bad table", eq);
            }
            ct.recirc_table = x;
        } else if (!strcmp(item, "zone") && eq) {
            if (parse_u64(eq, UINT16_MAX, &x)) {
                ct.zone_imm = x;
            } else {
                err = parse_subfield_map(eq, ctx->map, &ct.zone_src);
                if (!err && ct.zone_src.n_bits != 16) {
                    err = xstrdup("ct: zone must be 16 bits");
                }
            }
        } else if (!strcmp(item, "alg") && eq) {
            if (!strcmp(eq, "ftp")) {
                ct.alg = 21;
            } else if (!strcmp(eq, "tftp")) {
                ct.alg = 69;
            } else if (!parse_u64(eq, UINT16_MAX, &x)) {
                err = xasprintf("%s: unknown alg", eq);
            } else {
                ct.alg = x;
            }
        } else if (!strcmp(item, "nat")) {
            err = parse_nat(ctx, NULL);
        } else if (!strncmp(item, "nat(", 4)) {
            size_t len = strlen(item);
            if (item[len - 1] != ')') {
                err = xasprintf("%s: missing `)'", item);
            } else {
                item[len - 1] = '\0';
                err = parse_nat(ctx, item + 4);
            }
        } else if (!strncmp(item, "exec(", 5)) {
            size_t len = strlen(item);
            if (item[len - 1] != ')') {
                err = xasprintf("%s: missing `)'", item);
            } else {
                item[len - 1] = '\0';
                exec = item + 5;
                ctx->depth++;
                err = parse_list(ctx, exec, false);
                ctx->depth--;
            }
        } else {
            err = xasprintf("%s: unknown ct option", item);
        }
    }
    if (!err && (ct.flags & OFPACT_CT_FORCE)
        && !(ct.flags & OFPACT_CT_COMMIT)) {
        err = xstrdup("ct: force requires commit");
    }
    if (!err) {
        struct ofpact_ct *p = ofpbuf_at(ctx->ofpacts, ofs);
        ct.ofpact = p->ofpact;
        *p = ct;
        if (!ofpact_finish(ctx->ofpacts, ofs)) {
            err = xstrdup("ct: too long");
        }
    }
    return err;
}

static char *
parse_learn_spec(struct parse_ctx *ctx, char *item,
                 struct ofpact_learn_spec *spec)
{
    char *eq, *err;

    memset(spec, 0, sizeof *spec);
    if (!strncmp(item, "load:", 5) || !strncmp(item, "output:", 7)) {
        bool load = item[0] == 'l';
        char *src = item + (load ? 5 : 7), *arrow = strstr(src, "->");
        spec->dst_type = load ? OFPACT_LEARN_DST_LOAD
                         : OFPACT_LEARN_DST_OUTPUT;
        if (load) {
            if (!arrow) {
                return xasprintf("%s: missing `->'", item);
            }
            *arrow = '\0';
            err = parse_subfield_map(arrow + 2, ctx->map, &spec->dst);
            if (err) {
                return err;
            }
            if (!spec->dst.field->writable) {
                return xasprintf("%s is read-only", spec->dst.field->name);
            }
            spec->n_bits = spec->dst.n_bits;
        }
        if (isdigit((unsigned char) src[0])) {
            unsigned int k;
            if (!load) {
                return xasprintf("%s: output needs a field", src);
            }
            spec->src_type = OFPACT_LEARN_SRC_IMMEDIATE;
            k = (spec->n_bits + 15) / 16 * 2;
            if (!parse_wide(src, spec->src_imm.b, k)) {
                return xasprintf("%s: bad value", src);
            }
            return NULL;
        }
        err = parse_subfield_map(src, ctx->map, &spec->src);
        if (err) {
            return err;
        }
        if (load && spec->src.n_bits != spec->n_bits) {
            return xstrdup("learn: load source and destination widths "
                           "differ");
        }
        spec->n_bits = spec->src.n_bits;
        return NULL;
    }

    spec->dst_type = OFPACT_LEARN_DST_MATCH;
    eq = strchr(item, '=');
    if (eq) {
        *eq++ = '\0';
    }
    err = parse_subfield_map(item, ctx->map, &spec->dst);
    if (err) {
        return err;
    }
    spec->n_bits = spec->dst.n_bits;
    if (!eq) {
        spec->src = spec->dst;
        return NULL;
    }
    {
        struct ofp_subfield src;
        char *probe = parse_subfield_map(eq, ctx->map, &src);
        if (!probe) {
            if (src.n_bits != spec->n_bits) {
                return xstrdup("learn: source and destination widths "
                               "differ");
            }
            spec->src = src;
            return NULL;
        }
        free(probe);
    }
    spec->src_type = OFPACT_LEARN_SRC_IMMEDIATE;
    {
        unsigned int k = (spec->n_bits + 15) / 16 * 2;
        if (subfield_is_whole(&spec->dst, ctx->map)) {
            union ofp_field_value v, m;
            unsigned int n = ofp_field_n_bytes(spec->dst.field, ctx->map);
            err = parse_field_value(spec->dst.field, ctx->map, eq, &v, &m);
            if (err) {
                return err;
            }
            ofpacts__bits_copy(v.b, n, 0, spec->src_imm.b, k, 0,
                               spec->n_bits);
        } else if (!parse_wide(eq, spec->src_imm.b, k)) {
            return xasprintf("%s: bad value for %s", eq, item);
        }
    }
    return NULL;
}

static char *
parse_learn(struct parse_ctx *ctx, char *arg)
{
    size_t ofs = ofpacts__start(ctx->ofpacts, OFPACT_LEARN,
                                offsetof(struct ofpact_learn, specs));
    struct ofpact_learn l;
    char *item, *err = NULL;
    uint64_t x;

    memset(&l, 0, sizeof l);
    l.priority = 32768;
    l.table_id = 1;
    while (!err && (item = next_item(&arg))) {
        char *eq = strchr(item, '=');
        char *name = eq ? xmemdup0(item, eq - item) : xstrdup(item);
        struct {
            const char *name;
            uint16_t *p;
        } opts[] = {
            { "idle_timeout", &l.idle_timeout },
            { "hard_timeout", &l.hard_timeout },
            { "priority", &l.priority },
            { "fin_idle_timeout", &l.fin_idle_timeout },
            { "fin_hard_timeout", &l.fin_hard_timeout },
        };
        bool done = false;

        for (size_t i = 0; i < ARRAY_SIZE(opts) && eq; i++) {
            if (!strcmp(name, opts[i].name)) {
                err = parse_uint_arg(name, eq + 1, UINT16_MAX, &x);
                *opts[i].p = x;
                done = true;
            }
        }
        if (done) {
        } else if (!strcmp(name, "table") && eq) {
            err = parse_uint_arg(name, eq + 1, 254, &x);
            l.table_id = x;
        } else if (!strcmp(name, "cookie") && eq) {
            err = parse_uint_arg(name, eq + 1, UINT64_MAX, &l.cookie);
        } else if (!strcmp(name, "send_flow_rem") && !eq) {
            l.flags |= OFPACT_LEARN_SEND_FLOW_REM;
        } else if (!strcmp(name, "delete_learned") && !eq) {
            l.flags |= OFPACT_LEARN_DELETE_LEARNED;
        } else {
            struct ofpact_learn_spec spec;
            err = parse_learn_spec(ctx, item, &spec);
            if (!err) {
                ofpbuf_put(ctx->ofpacts, &spec, sizeof spec);
                l.n_specs++;
            }
        }
        free(name);
    }
    if (!err) {
        struct ofpact_learn *p = ofpbuf_at(ctx->ofpacts, ofs);
        l.ofpact = p->ofpact;
        memcpy(p, &l, sizeof l);
        if (!ofpact_finish(ctx->ofpacts, ofs)) {
            err = xstrdup("learn: too long");
        }
    }
    return err;
}

static char *
parse_multipath(struct parse_ctx *ctx, char *arg)
{
    char *items[6], *err;
    struct ofpact_multipath mp;
    uint64_t x;
    size_t i, n = 0;

    while (n < 6 && (items[n] = next_item(&arg))) {
        n++;
    }
    if (n != 6 || next_item(&arg)) {
        return xstrdup("multipath: needs 6 arguments");
    }
    memset(&mp, 0, sizeof mp);
    for (i = 0; i < ARRAY_SIZE(mp_fields); i++) {
        if (!strcmp(items[0], mp_fields[i])) {
            break;
        }
    }
    if (i == ARRAY_SIZE(mp_fields)) {
        return xasprintf("%s: unknown fields", items[0]);
    }
    mp.fields = i;
    if ((err = parse_uint_arg("multipath", items[1], UINT16_MAX, &x))) {
        return err;
    }
    mp.basis = x;
    for (i = 0; i < ARRAY_SIZE(mp_algs); i++) {
        if (!strcmp(items[2], mp_algs[i])) {
            break;
        }
    }
    if (i == ARRAY_SIZE(mp_algs)) {
        return xasprintf("%s: unknown algorithm", items[2]);
    }
    mp.algorithm = i;
    if (!parse_u64(items[3], 65536, &x) || !x) {
        return xasprintf("%s: bad number of links", items[3]);
    }
    mp.max_link = x - 1;
    if ((err = parse_uint_arg("multipath", items[4], UINT32_MAX, &x))) {
        return err;
    }
    mp.arg = x;
    if ((err = parse_subfield_map(items[5], ctx->map, &mp.dst))) {
        return err;
    }
    if (mp.dst.n_bits < 16 && mp.max_link >= (1u << mp.dst.n_bits)) {
        return xasprintf("%s: too narrow for %u links", items[5],
                         mp.max_link + 1);
    }
    struct ofpact_multipath *p = ofpact_put(ctx->ofpacts, OFPACT_MULTIPATH,
                                            sizeof *p);
    mp.ofpact = p->ofpact;
    *p = mp;
    return NULL;
}

static char *
parse_dec_ttl(struct parse_ctx *ctx, char *arg)
{
    size_t ofs = ofpacts__start(ctx->ofpacts, OFPACT_DEC_TTL,
                                offsetof(struct ofpact_dec_ttl, ids));
    uint16_t n = 0;
    char *item;

    while (arg && (item = next_item(&arg))) {
        uint64_t x;
        uint16_t id;
        if (!parse_u64(item, UINT16_MAX, &x)) {
            return xasprintf("%s: bad controller id", item);
        }
        id = x;
        ofpbuf_put(ctx->ofpacts, &id, sizeof id);
        n++;
    }
    OFPACT_CAST(dec_ttl, ofpbuf_at(ctx->ofpacts, ofs))->n_ids = n;
    return ofpact_finish(ctx->ofpacts, ofs) ? NULL
           : xstrdup("dec_ttl: too many ids");
}

static char *
parse_u_action(struct parse_ctx *ctx, const char *name, char *arg,
               enum ofpact_type type, uint64_t max)
{
    uint64_t x;
    char *err;

    if (!arg) {
        return xasprintf("%s: needs an argument", name);
    }
    err = parse_uint_arg(name, arg, max, &x);
    if (err) {
        return err;
    }
    switch (type) {
    case OFPACT_SET_VLAN_VID:
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        OFPACT_CAST(u16, ofpact_put(ctx->ofpacts, type,
                                    sizeof(struct ofpact_u16)))->value = x;
        break;
    case OFPACT_SET_QUEUE:
    case OFPACT_METER:
        OFPACT_CAST(u32, ofpact_put(ctx->ofpacts, type,
                                    sizeof(struct ofpact_u32)))->value = x;
        break;
    case OFPACT_GROUP:
        OFPACT_CAST(group, ofpact_put(ctx->ofpacts, type,
                                      sizeof(struct ofpact_group)))
            ->group_id = x;
        break;
    default:
        OFPACT_CAST(u8, ofpact_put(ctx->ofpacts, type,
                                   sizeof(struct ofpact_u8)))->value = x;
        break;
    }
    return NULL;
}

/* Parses one action "name[:arg]" or "name(args)[suffix]". */
static char *
parse_one(struct parse_ctx *ctx, char *item)
{
    char *name = item, *arg = NULL, *suffix = NULL;
    bool parens = false;
    size_t n = strcspn(item, ":(");
    uint64_t x;

    if (item[n] == ':') {
        item[n] = '\0';
        arg = item + n + 1;
    } else if (item[n] == '(') {
        char *close = strrchr(item, ')');
        if (!close) {
            return xasprintf("%s: missing `)'", item);
        }
        item[n] = '\0';
        *close = '\0';
        arg = item + n + 1;
        suffix = close + 1;
        parens = true;
    }
    if (suffix && *suffix && strcmp(name, "check_pkt_larger")) {
        return xasprintf("%s: trailing garbage after `)'", suffix);
    }

    if (!strcmp(name, "output")) {
        return arg && !parens ? parse_output(ctx, arg)
               : xstrdup("output: syntax is output:PORT or output:FIELD");
    } else if (!strcmp(name, "controller")) {
        return parse_controller(ctx, arg, parens);
    } else if (!strcmp(name, "enqueue")) {
        char *q = arg ? strchr(arg, ':') : NULL;
        struct ofpact_enqueue *e;
        uint32_t port;
        if (!q) {
            return xstrdup("enqueue: needs port:queue");
        }
        *q++ = '\0';
        if (!parse_port(arg, &port) || !parse_u64(q, UINT32_MAX, &x)) {
            return xasprintf("%s:%s: bad enqueue arguments", arg, q);
        }
        e = ofpact_put(ctx->ofpacts, OFPACT_ENQUEUE, sizeof *e);
        e->port = port;
        e->queue = x;
        return NULL;
    } else if (!strcmp(name, "group")) {
        return parse_u_action(ctx, name, arg, OFPACT_GROUP, UINT32_MAX);
    } else if (!strcmp(name, "set_field")) {
        return arg ? parse_set_field(ctx, arg) : xstrdup("set_field: needs "
                                                         "an argument");
    } else if (!strcmp(name, "load")) {
        return arg ? parse_load(ctx, arg) : xstrdup("load: needs an "
                                                    "argument");
    } else if (!strcmp(name, "move")) {
        return arg ? parse_move(ctx, arg) : xstrdup("move: needs an "
                                                    "argument");
    } else if (!strcmp(name, "push_vlan")) {
        if (!arg || !parse_u64(arg, UINT16_MAX, &x)
            || (x != 0x8100 && x != 0x88a8)) {
            return xasprintf("push_vlan: bad ethertype");
        }
        OFPACT_CAST(push_vlan, ofpact_put(ctx->ofpacts, OFPACT_PUSH_VLAN,
                                          sizeof(struct ofpact_push_vlan)))
            ->ethertype = x;
        return NULL;
    } else if (!strcmp(name, "push_mpls") || !strcmp(name, "pop_mpls")) {
        bool push = name[1] == 'u';
        if (!arg || !parse_u64(arg, UINT16_MAX, &x)
            || (push && x != 0x8847 && x != 0x8848)) {
            return xasprintf("%s: bad ethertype", name);
        }
        OFPACT_CAST(u16, ofpact_put(ctx->ofpacts, push ? OFPACT_PUSH_MPLS
                                    : OFPACT_POP_MPLS,
                                    sizeof(struct ofpact_u16)))->value = x;
        return NULL;
    } else if (!strcmp(name, "pop_vlan") || !strcmp(name, "strip_vlan")) {
        OFPACT_CAST(pop_vlan, ofpact_put(ctx->ofpacts, OFPACT_POP_VLAN,
                                         sizeof(struct ofpact_pop_vlan)))
            ->strip_vlan = name[0] == 's';
        return NULL;
    } else if (!strcmp(name, "mod_vlan_vid")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_VLAN_VID,
                              VLAN_VID_MASK);
    } else if (!strcmp(name, "mod_vlan_pcp")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_VLAN_PCP, 7);
    } else if (!strcmp(name, "mod_dl_src") || !strcmp(name, "mod_dl_dst")) {
        struct eth_addr mac;
        if (!arg || !eth_addr_from_string(arg, &mac)) {
            return xasprintf("%s: bad Ethernet address", name);
        }
        OFPACT_CAST(mac, ofpact_put(ctx->ofpacts, name[7] == 's'
                                    ? OFPACT_SET_ETH_SRC : OFPACT_SET_ETH_DST,
                                    sizeof(struct ofpact_mac)))->mac = mac;
        return NULL;
    } else if (!strcmp(name, "mod_nw_src") || !strcmp(name, "mod_nw_dst")) {
        uint32_t ip;
        if (!arg || !ip4_from_string(arg, &ip)) {
            return xasprintf("%s: bad IPv4 address", name);
        }
        OFPACT_CAST(u32, ofpact_put(ctx->ofpacts, name[7] == 's'
                                    ? OFPACT_SET_IPV4_SRC
                                    : OFPACT_SET_IPV4_DST,
                                    sizeof(struct ofpact_u32)))->value = ip;
        return NULL;
    } else if (!strcmp(name, "mod_nw_tos")) {
        char *err = parse_u_action(ctx, name, arg, OFPACT_SET_IP_DSCP, 255);
        if (!err && (x = OFPACT_CAST(u8, ofpbuf_at(ctx->ofpacts,
                                                   ctx->ofpacts->size - 8))
                     ->value) & 3) {
            return xasprintf("%s: low 2 bits of TOS must be zero", arg);
        }
        return err;
    } else if (!strcmp(name, "mod_nw_ecn")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_IP_ECN, 3);
    } else if (!strcmp(name, "mod_nw_ttl")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_IP_TTL, 255);
    } else if (!strcmp(name, "mod_tp_src")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_L4_SRC, UINT16_MAX);
    } else if (!strcmp(name, "mod_tp_dst")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_L4_DST, UINT16_MAX);
    } else if (!strcmp(name, "dec_ttl")) {
        return parse_dec_ttl(ctx, arg);
    } else if (!strcmp(name, "set_mpls_ttl")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_MPLS_TTL, 255);
    } else if (!strcmp(name, "dec_mpls_ttl")) {
        ofpact_put(ctx->ofpacts, OFPACT_DEC_MPLS_TTL, sizeof(struct ofpact));
        return NULL;
    } else if (!strcmp(name, "set_tunnel") || !strcmp(name, "set_tunnel64")) {
        struct ofpact_tunnel *t;
        if (!arg || !parse_u64(arg, UINT64_MAX, &x)) {
            return xasprintf("%s: bad tunnel id", name);
        }
        t = ofpact_put(ctx->ofpacts, OFPACT_SET_TUNNEL, sizeof *t);
        t->tun_id = x;
        t->tun64 = name[10] == '6' || x > UINT32_MAX;
        return NULL;
    } else if (!strcmp(name, "set_queue")) {
        return parse_u_action(ctx, name, arg, OFPACT_SET_QUEUE, UINT32_MAX);
    } else if (!strcmp(name, "pop_queue") || !strcmp(name, "exit")
               || !strcmp(name, "ct_clear")
               || !strcmp(name, "clear_actions")) {
        ofpact_put(ctx->ofpacts,
                   name[0] == 'p' ? OFPACT_POP_QUEUE
                   : name[0] == 'e' ? OFPACT_EXIT
                   : name[1] == 't' ? OFPACT_CT_CLEAR : OFPACT_CLEAR_ACTIONS,
                   sizeof(struct ofpact));
        return NULL;
    } else if (!strcmp(name, "fin_timeout")) {
        struct ofpact_fin_timeout ft;
        char *it;
        memset(&ft, 0, sizeof ft);
        while (arg && (it = next_item(&arg))) {
            char *eq = strchr(it, '=');
            if (!eq) {
                return xasprintf("%s: bad fin_timeout option", it);
            }
            *eq++ = '\0';
            if (!parse_u64(eq, UINT16_MAX, &x)
                || (strcmp(it, "idle_timeout")
                    && strcmp(it, "hard_timeout"))) {
                return xasprintf("%s: bad fin_timeout option", it);
            }
            if (it[0] == 'i') {
                ft.idle_timeout = x;
            } else {
                ft.hard_timeout = x;
            }
        }
        struct ofpact_fin_timeout *p = ofpact_put(ctx->ofpacts,
                                                  OFPACT_FIN_TIMEOUT,
                                                  sizeof *p);
        ft.ofpact = p->ofpact;
        *p = ft;
        return NULL;
    } else if (!strcmp(name, "resubmit")) {
        return arg ? parse_resubmit(ctx, arg, parens)
               : xstrdup("resubmit: needs an argument");
    } else if (!strcmp(name, "clone")) {
        return parse_nested(ctx, OFPACT_CLONE, sizeof(struct ofpact_nest),
                            arg ? arg : (char *) "");
    } else if (!strcmp(name, "write_actions")) {
        return parse_nested(ctx, OFPACT_WRITE_ACTIONS,
                            sizeof(struct ofpact_nest),
                            arg ? arg : (char *) "");
    } else if (!strcmp(name, "check_pkt_larger")) {
        struct ofpact_check_pkt_larger *c;
        struct ofp_subfield sf;
        char *err;
        if (!parens || !suffix || strncmp(suffix, "->", 2)
            || !parse_u64(arg, UINT16_MAX, &x)) {
            return xstrdup("check_pkt_larger: syntax is "
                           "check_pkt_larger(LEN)->DST");
        }
        err = parse_subfield_map(suffix + 2, ctx->map, &sf);
        if (err) {
            return err;
        }
        if (sf.n_bits != 1) {
            return xstrdup("check_pkt_larger: destination must be 1 bit");
        }
        c = ofpact_put(ctx->ofpacts, OFPACT_CHECK_PKT_LARGER, sizeof *c);
        c->pkt_len = x;
        c->dst = sf;
        return NULL;
    } else if (!strcmp(name, "conjunction")) {
        unsigned int id, k, n_clauses;
        char c;
        struct ofpact_conjunction *cj;
        if (!arg || sscanf(arg, "%u , %u / %u %c", &id, &k, &n_clauses, &c)
                    != 3 || n_clauses < 2 || n_clauses > 64 || !k
            || k > n_clauses) {
            return xstrdup("conjunction: syntax is conjunction(ID,K/N) with "
                           "1 <= K <= N and 2 <= N <= 64");
        }
        cj = ofpact_put(ctx->ofpacts, OFPACT_CONJUNCTION, sizeof *cj);
        cj->id = id;
        cj->clause = k - 1;
        cj->n_clauses = n_clauses;
        return NULL;
    } else if (!strcmp(name, "learn")) {
        return parse_learn(ctx, arg ? arg : (char *) "");
    } else if (!strcmp(name, "multipath")) {
        return parse_multipath(ctx, arg ? arg : (char *) "");
    } else if (!strcmp(name, "note")) {
        size_t ofs = ofpacts__start(ctx->ofpacts, OFPACT_NOTE,
                                    offsetof(struct ofpact_note, data));
        size_t len;
        char *err = parse_hex_bytes(arg ? arg : "", ctx->ofpacts);
        if (err) {
            return err;
        }
        /* The wire form pads the note to fill its action; ovs-ofctl
         * shows the padding, so keep it from the start. */
        len = ctx->ofpacts->size - ofs - offsetof(struct ofpact_note, data);
        ofpbuf_put_zeros(ctx->ofpacts,
                         MAX(OFPACT_ALIGN(len + 10), 16) - 10 - len);
        len = ctx->ofpacts->size - ofs - offsetof(struct ofpact_note, data);
        OFPACT_CAST(note, ofpbuf_at(ctx->ofpacts, ofs))->length = len;
        return ofpact_finish(ctx->ofpacts, ofs) ? NULL
               : xstrdup("note: too long");
    } else if (!strcmp(name, "ct")) {
        return parse_ct(ctx, parens ? arg : NULL);
    } else if (!strcmp(name, "meter")) {
        return parse_u_action(ctx, name, arg, OFPACT_METER, UINT32_MAX);
    } else if (!strcmp(name, "goto_table")) {
        return parse_u_action(ctx, name, arg, OFPACT_GOTO_TABLE, 254);
    } else if (!strcmp(name, "write_metadata")) {
        struct ofpact_metadata *md;
        char *slash = arg ? strchr(arg, '/') : NULL;
        uint64_t v, m = UINT64_MAX;
        if (slash) {
            *slash++ = '\0';
        }
        if (!arg || !parse_u64(arg, UINT64_MAX, &v)
            || (slash && !parse_u64(slash, UINT64_MAX, &m))) {
            return xstrdup("write_metadata: bad value");
        }
        md = ofpact_put(ctx->ofpacts, OFPACT_WRITE_METADATA, sizeof *md);
        md->metadata = v & m;
        md->mask = m;
        return NULL;
    } else if (!arg && !parens) {
        uint32_t port;
        if (parse_port(name, &port)) {
            char *p = name;
            return parse_output(ctx, p);
        }
    }
    return xasprintf("unknown action %s", name);
}

/* Rank of an ofpact in instruction order (see ofp-actions.h). */
static int
inst_rank(enum ofpact_type type)
{
    switch (type) {
    case OFPACT_METER:
        return 0;
    case OFPACT_CLEAR_ACTIONS:
        return 2;
    case OFPACT_WRITE_ACTIONS:
        return 3;
    case OFPACT_WRITE_METADATA:
        return 4;
    case OFPACT_GOTO_TABLE:
        return 5;
    default:
        return 1;
    }
}

static char *
parse_list(struct parse_ctx *ctx, char *s, bool instructions)
{
    size_t start = ctx->ofpacts->size;
    char *item;
    bool drop = false;
    int n = 0, last = -1;

    while ((item = next_item(&s))) {
        char *err;
        if (!strcmp(item, "drop")) {
            drop = true;
            n++;
            continue;
        }
        size_t before = ctx->ofpacts->size;
        err = parse_one(ctx, item);
        if (err) {
            return err;
        }
        n++;
        if (ctx->ofpacts->size > before) {
            const struct ofpact *a = ofpbuf_at(ctx->ofpacts, before);
            int r = inst_rank(a->type);
            if (r != 1 && !instructions) {
                return xasprintf("%s not allowed inside a nested action list",
                                 ofpact_type_name(a->type));
            }
            if (r < last || (r == last && r != 1)) {
                return xasprintf("instruction %s may not follow %s",
                                 ofpact_type_name(a->type),
                                 last == 1 ? "apply actions" : "another "
                                 "instruction of its kind or a later one");
            }
            last = r;
        }
    }
    if (drop && n > 1) {
        return xstrdup("\"drop\" must not be accompanied by any other action "
                       "or instruction");
    }
    (void) start;
    return NULL;
}

/* Parses an action list. */
char *
ofpacts_parse(const char *s, const struct ofp_tlv_map *map,
              struct ofpbuf *ofpacts)
{
    struct parse_ctx ctx = { map, ofpacts, 0 };
    char *copy = xstrdup(s);
    char *err = parse_list(&ctx, copy, true);

    free(copy);
    return err;
}

/* ---- Formatting. ---- */

static void format_list(const struct ofpact *, size_t,
                        const struct ofp_tlv_map *, struct ds *);

static void
format_set_field(const struct ofpact_set_field *sf,
                 const struct ofp_tlv_map *map, struct ds *s)
{
    unsigned int n = ofp_field_n_bytes(sf->field, map);
    unsigned int ofs, n_bits;

    if (sf->is_load && ofpacts__mask_is_range(&sf->mask, n, &ofs, &n_bits)) {
        struct ofp_subfield dst = { sf->field, ofs, n_bits };
        union ofp_field_value v;
        unsigned int k = (n_bits + 7) / 8;

        memset(&v, 0, sizeof v);
        ofpacts__bits_copy(sf->value.b, n, ofs, v.b, k, 0, n_bits);
        ds_put_cstr(s, "load:");
        format_hex(s, v.b, k);
        ds_put_cstr(s, "->");
        ofp_subfield_format(&dst, s);
        return;
    }
    ds_put_cstr(s, "set_field:");
    format_field_value(s, sf->field, n, &sf->value, &sf->mask);
    ds_put_format(s, "->%s", sf->field->name);
}

static void
format_controller(const struct ofpact_controller *c, struct ds *s)
{
    if (c->reason == OFPA_OFPR_ACTION && !c->controller_id
        && !c->userdata_len && !c->pause && c->meter_id == OFPA_NO_METER) {
        ds_put_format(s, "CONTROLLER:%"PRIu16, c->max_len);
        return;
    }
    ds_put_cstr(s, "controller(");
    if (c->reason != OFPA_OFPR_ACTION) {
        if (c->reason < ARRAY_SIZE(reason_names)) {
            ds_put_format(s, "reason=%s,", reason_names[c->reason]);
        } else {
            ds_put_format(s, "reason=%u,", c->reason);
        }
    }
    if (c->max_len != UINT16_MAX) {
        ds_put_format(s, "max_len=%"PRIu16",", c->max_len);
    }
    if (c->controller_id) {
        ds_put_format(s, "id=%"PRIu16",", c->controller_id);
    }
    if (c->userdata_len) {
        ds_put_cstr(s, "userdata=");
        format_hex_bytes(s, c->userdata, c->userdata_len);
        ds_put_char(s, ',');
    }
    if (c->pause) {
        ds_put_cstr(s, "pause,");
    }
    if (c->meter_id != OFPA_NO_METER) {
        ds_put_format(s, "meter_id=%"PRIu32",", c->meter_id);
    }
    ds_chomp(s, ',');
    ds_put_char(s, ')');
}

static void
format_nat(const struct ofpact_nat *nat, struct ds *s)
{
    ds_put_cstr(s, "nat");
    if (nat->flags & (OFPACT_NAT_SRC | OFPACT_NAT_DST)) {
        ds_put_format(s, "(%s", nat->flags & OFPACT_NAT_SRC ? "src" : "dst");
        if (nat->family) {
            struct ip_prefix p;
            bool v6 = nat->family == AF_INET6;
            bool range = memcmp(&nat->addr_min, &nat->addr_max,
                                v6 ? 16 : 4);
            bool brackets = v6 && nat->port_min;

            memset(&p, 0, sizeof p);
            p.family = nat->family;
            ds_put_char(s, '=');
            for (int i = 0; i < (range ? 2 : 1); i++) {
                const struct in6_addr *a = i ? &nat->addr_max
                                           : &nat->addr_min;
                if (i) {
                    ds_put_char(s, '-');
                }
                if (v6) {
                    p.ip6 = *a;
                } else {
                    memcpy(&p.ip4, a, 4);
                }
                if (brackets) {
                    ds_put_char(s, '[');
                }
                ip_prefix_format_addr(&p, s);
                if (brackets) {
                    ds_put_char(s, ']');
                }
            }
            if (nat->port_min) {
                ds_put_format(s, ":%"PRIu16, nat->port_min);
                if (nat->port_max && nat->port_max != nat->port_min) {
                    ds_put_format(s, "-%"PRIu16, nat->port_max);
                }
            }
        }
        if (nat->flags & OFPACT_NAT_PERSISTENT) {
            ds_put_cstr(s, ",persistent");
        }
        if (nat->flags & OFPACT_NAT_HASH) {
            ds_put_cstr(s, ",hash");
        }
        if (nat->flags & OFPACT_NAT_RANDOM) {
            ds_put_cstr(s, ",random");
        }
        ds_put_char(s, ')');
    }
}

static void
format_ct(const struct ofpact_ct *ct, const struct ofp_tlv_map *map,
          struct ds *s)
{
    const struct ofpact *nested, *a;
    size_t n;
    bool exec = false;

    ds_put_cstr(s, "ct(");
    if (ct->flags & OFPACT_CT_COMMIT) {
        ds_put_cstr(s, "commit,");
    }
    if (ct->flags & OFPACT_CT_FORCE) {
        ds_put_cstr(s, "force,");
    }
    if (ct->recirc_table != OFPACT_CT_NO_RECIRC) {
        ds_put_format(s, "table=%u,", ct->recirc_table);
    }
    if (ct->zone_src.field) {
        ds_put_cstr(s, "zone=");
        ofp_subfield_format(&ct->zone_src, s);
        ds_put_char(s, ',');
    } else if (ct->zone_imm) {
        ds_put_format(s, "zone=%"PRIu16",", ct->zone_imm);
    }
    if (ct->alg == 21) {
        ds_put_cstr(s, "alg=ftp,");
    } else if (ct->alg == 69) {
        ds_put_cstr(s, "alg=tftp,");
    } else if (ct->alg) {
        ds_put_format(s, "alg=%"PRIu16",", ct->alg);
    }
    nested = ofpact_nested(&ct->ofpact, &n);
    OFPACT_FOR_EACH (a, nested, n) {
        if (a->type == OFPACT_NAT) {
            format_nat(OFPACT_CAST_CONST(nat, a), s);
            ds_put_char(s, ',');
        } else {
            exec = true;
        }
    }
    if (exec) {
        size_t mark;
        ds_put_cstr(s, "exec(");
        OFPACT_FOR_EACH (a, nested, n) {
            if (a->type != OFPACT_NAT) {
                mark = s->length;
                format_list(a, a->len, map, s);
                (void) mark;
                ds_put_char(s, ',');
            }
        }
        ds_chomp(s, ',');
        ds_put_cstr(s, "),");
    }
    ds_chomp(s, ',');
    ds_put_char(s, ')');
}

static void
format_learn(const struct ofpact_learn *l, const struct ofp_tlv_map *map,
             struct ds *s)
{
    ds_put_format(s, "learn(table=%u", l->table_id);
    if (l->idle_timeout) {
        ds_put_format(s, ",idle_timeout=%"PRIu16, l->idle_timeout);
    }
    if (l->hard_timeout) {
        ds_put_format(s, ",hard_timeout=%"PRIu16, l->hard_timeout);
    }
    if (l->fin_idle_timeout) {
        ds_put_format(s, ",fin_idle_timeout=%"PRIu16, l->fin_idle_timeout);
    }
    if (l->fin_hard_timeout) {
        ds_put_format(s, ",fin_hard_timeout=%"PRIu16, l->fin_hard_timeout);
    }
    if (l->priority != 32768) {
        ds_put_format(s, ",priority=%"PRIu16, l->priority);
    }
    if (l->flags & OFPACT_LEARN_SEND_FLOW_REM) {
        ds_put_cstr(s, ",send_flow_rem");
    }
    if (l->flags & OFPACT_LEARN_DELETE_LEARNED) {
        ds_put_cstr(s, ",delete_learned");
    }
    if (l->cookie) {
        ds_put_format(s, ",cookie=%#"PRIx64, l->cookie);
    }
    for (uint32_t i = 0; i < l->n_specs; i++) {
        const struct ofpact_learn_spec *sp = &l->specs[i];
        unsigned int k = (sp->n_bits + 15) / 16 * 2;

        ds_put_char(s, ',');
        switch (sp->dst_type) {
        case OFPACT_LEARN_DST_MATCH:
            if (sp->src_type == OFPACT_LEARN_SRC_IMMEDIATE) {
                if (subfield_is_whole(&sp->dst, map)) {
                    unsigned int n = ofp_field_n_bytes(sp->dst.field, map);
                    union ofp_field_value v;
                    memset(&v, 0, sizeof v);
                    ofpacts__bits_copy(sp->src_imm.b, k, 0, v.b, n, 0,
                                       sp->n_bits);
                    ds_put_format(s, "%s=", sp->dst.field->name);
                    format_field_value(s, sp->dst.field, n, &v, NULL);
                } else {
                    ofp_subfield_format(&sp->dst, s);
                    ds_put_char(s, '=');
                    format_hex(s, sp->src_imm.b, k);
                }
            } else if (sp->src.field == sp->dst.field
                       && sp->src.ofs == sp->dst.ofs) {
                ofp_subfield_format(&sp->src, s);
            } else {
                ofp_subfield_format(&sp->dst, s);
                ds_put_char(s, '=');
                ofp_subfield_format(&sp->src, s);
            }
            break;
        case OFPACT_LEARN_DST_LOAD:
            ds_put_cstr(s, "load:");
            if (sp->src_type == OFPACT_LEARN_SRC_IMMEDIATE) {
                format_hex(s, sp->src_imm.b, k);
            } else {
                ofp_subfield_format(&sp->src, s);
            }
            ds_put_cstr(s, "->");
            ofp_subfield_format(&sp->dst, s);
            break;
        case OFPACT_LEARN_DST_OUTPUT:
            ds_put_cstr(s, "output:");
            ofp_subfield_format(&sp->src, s);
            break;
        }
    }
    ds_put_char(s, ')');
}

static void
format_one(const struct ofpact *a, const struct ofp_tlv_map *map,
           struct ds *s)
{
    switch ((enum ofpact_type) a->type) {
    case OFPACT_OUTPUT: {
        uint32_t port = OFPACT_CAST_CONST(output, a)->port;
        if (port < OFPP_MAX_PORT) {
            ds_put_format(s, "output:%"PRIu32, port);
        } else {
            format_port(s, port);
        }
        return;
    }
    case OFPACT_CONTROLLER:
        format_controller(OFPACT_CAST_CONST(controller, a), s);
        return;
    case OFPACT_ENQUEUE:
        ds_put_cstr(s, "enqueue:");
        format_port(s, OFPACT_CAST_CONST(enqueue, a)->port);
        ds_put_format(s, ":%"PRIu32, OFPACT_CAST_CONST(enqueue, a)->queue);
        return;
    case OFPACT_OUTPUT_REG:
        ds_put_cstr(s, "output:");
        ofp_subfield_format(&OFPACT_CAST_CONST(output_reg, a)->src, s);
        return;
    case OFPACT_GROUP:
        ds_put_format(s, "group:%"PRIu32,
                      OFPACT_CAST_CONST(group, a)->group_id);
        return;
    case OFPACT_SET_FIELD:
        format_set_field(OFPACT_CAST_CONST(set_field, a), map, s);
        return;
    case OFPACT_REG_MOVE:
        ds_put_cstr(s, "move:");
        ofp_subfield_format(&OFPACT_CAST_CONST(reg_move, a)->src, s);
        ds_put_cstr(s, "->");
        ofp_subfield_format(&OFPACT_CAST_CONST(reg_move, a)->dst, s);
        return;
    case OFPACT_PUSH_VLAN:
        ds_put_format(s, "push_vlan:%#"PRIx16,
                      OFPACT_CAST_CONST(push_vlan, a)->ethertype);
        return;
    case OFPACT_PUSH_MPLS:
    case OFPACT_POP_MPLS:
        ds_put_format(s, "%s:%#06"PRIx16, ofpact_type_name(a->type),
                      OFPACT_CAST_CONST(u16, a)->value);
        return;
    case OFPACT_POP_VLAN:
        ds_put_cstr(s, OFPACT_CAST_CONST(pop_vlan, a)->strip_vlan
                    ? "strip_vlan" : "pop_vlan");
        return;
    case OFPACT_SET_VLAN_VID:
    case OFPACT_SET_L4_SRC:
    case OFPACT_SET_L4_DST:
        ds_put_format(s, "%s:%"PRIu16, ofpact_type_name(a->type),
                      OFPACT_CAST_CONST(u16, a)->value);
        return;
    case OFPACT_SET_VLAN_PCP:
    case OFPACT_SET_IP_DSCP:
    case OFPACT_SET_IP_ECN:
    case OFPACT_SET_IP_TTL:
        ds_put_format(s, "%s:%u", ofpact_type_name(a->type),
                      OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_SET_ETH_SRC:
    case OFPACT_SET_ETH_DST:
        ds_put_format(s, "%s:"ETH_ADDR_FMT, ofpact_type_name(a->type),
                      ETH_ADDR_ARGS(OFPACT_CAST_CONST(mac, a)->mac));
        return;
    case OFPACT_SET_IPV4_SRC:
    case OFPACT_SET_IPV4_DST: {
        uint32_t ip = OFPACT_CAST_CONST(u32, a)->value;
        const uint8_t *b = (const uint8_t *) &ip;
        ds_put_format(s, "%s:%u.%u.%u.%u", ofpact_type_name(a->type),
                      b[0], b[1], b[2], b[3]);
        return;
    }
    case OFPACT_DEC_TTL: {
        const struct ofpact_dec_ttl *d = OFPACT_CAST_CONST(dec_ttl, a);
        ds_put_cstr(s, "dec_ttl");
        if (d->n_ids) {
            ds_put_char(s, '(');
            for (uint16_t i = 0; i < d->n_ids; i++) {
                ds_put_format(s, i ? ",%"PRIu16 : "%"PRIu16, d->ids[i]);
            }
            ds_put_char(s, ')');
        }
        return;
    }
    case OFPACT_SET_MPLS_TTL:
        ds_put_format(s, "set_mpls_ttl(%u)", OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_SET_TUNNEL: {
        const struct ofpact_tunnel *t = OFPACT_CAST_CONST(tunnel, a);
        ds_put_format(s, "set_tunnel%s:%#"PRIx64,
                      t->tun64 || t->tun_id > UINT32_MAX ? "64" : "",
                      t->tun_id);
        return;
    }
    case OFPACT_SET_QUEUE:
    case OFPACT_METER:
        ds_put_format(s, "%s:%"PRIu32, ofpact_type_name(a->type),
                      OFPACT_CAST_CONST(u32, a)->value);
        return;
    case OFPACT_POP_QUEUE:
    case OFPACT_DEC_MPLS_TTL:
    case OFPACT_EXIT:
    case OFPACT_CT_CLEAR:
    case OFPACT_CLEAR_ACTIONS:
        ds_put_cstr(s, ofpact_type_name(a->type));
        return;
    case OFPACT_FIN_TIMEOUT: {
        const struct ofpact_fin_timeout *ft = OFPACT_CAST_CONST(fin_timeout,
                                                                a);
        ds_put_cstr(s, "fin_timeout(");
        if (ft->idle_timeout) {
            ds_put_format(s, "idle_timeout=%"PRIu16",", ft->idle_timeout);
        }
        if (ft->hard_timeout) {
            ds_put_format(s, "hard_timeout=%"PRIu16",", ft->hard_timeout);
        }
        ds_chomp(s, ',');
        ds_put_char(s, ')');
        return;
    }
    case OFPACT_RESUBMIT: {
        const struct ofpact_resubmit *r = OFPACT_CAST_CONST(resubmit, a);
        if (r->in_port != OFPP_IN_PORT && r->table_id == 255
            && !r->with_ct_orig) {
            ds_put_cstr(s, "resubmit:");
            format_port(s, r->in_port);
            return;
        }
        ds_put_cstr(s, "resubmit(");
        if (r->in_port != OFPP_IN_PORT) {
            format_port(s, r->in_port);
        }
        ds_put_char(s, ',');
        if (r->table_id != 255) {
            ds_put_format(s, "%u", r->table_id);
        }
        if (r->with_ct_orig) {
            ds_put_cstr(s, ",ct");
        }
        ds_put_char(s, ')');
        return;
    }
    case OFPACT_CLONE:
    case OFPACT_WRITE_ACTIONS: {
        size_t n;
        const struct ofpact *nested = ofpact_nested(a, &n);
        ds_put_format(s, "%s(", ofpact_type_name(a->type));
        format_list(nested, n, map, s);
        ds_put_char(s, ')');
        return;
    }
    case OFPACT_CHECK_PKT_LARGER: {
        const struct ofpact_check_pkt_larger *c
            = OFPACT_CAST_CONST(check_pkt_larger, a);
        ds_put_format(s, "check_pkt_larger(%"PRIu16")->", c->pkt_len);
        ofp_subfield_format(&c->dst, s);
        return;
    }
    case OFPACT_CONJUNCTION: {
        const struct ofpact_conjunction *c = OFPACT_CAST_CONST(conjunction,
                                                               a);
        ds_put_format(s, "conjunction(%"PRIu32",%u/%u)", c->id,
                      c->clause + 1, c->n_clauses);
        return;
    }
    case OFPACT_LEARN:
        format_learn(OFPACT_CAST_CONST(learn, a), map, s);
        return;
    case OFPACT_MULTIPATH: {
        const struct ofpact_multipath *mp = OFPACT_CAST_CONST(multipath, a);
        ds_put_format(s, "multipath(%s,%"PRIu16",%s,%u,%"PRIu32",",
                      mp->fields < ARRAY_SIZE(mp_fields)
                      ? mp_fields[mp->fields] : "<unknown>", mp->basis,
                      mp->algorithm < ARRAY_SIZE(mp_algs)
                      ? mp_algs[mp->algorithm] : "<unknown>",
                      mp->max_link + 1u, mp->arg);
        ofp_subfield_format(&mp->dst, s);
        ds_put_char(s, ')');
        return;
    }
    case OFPACT_NOTE: {
        const struct ofpact_note *note = OFPACT_CAST_CONST(note, a);
        ds_put_cstr(s, "note:");
        format_hex_bytes(s, note->data, note->length);
        return;
    }
    case OFPACT_CT:
        format_ct(OFPACT_CAST_CONST(ct, a), map, s);
        return;
    case OFPACT_NAT:
        format_nat(OFPACT_CAST_CONST(nat, a), s);
        return;
    case OFPACT_WRITE_METADATA: {
        const struct ofpact_metadata *md = OFPACT_CAST_CONST(metadata, a);
        ds_put_format(s, "write_metadata:%#"PRIx64, md->metadata);
        if (md->mask != UINT64_MAX) {
            ds_put_format(s, "/%#"PRIx64, md->mask);
        }
        return;
    }
    case OFPACT_GOTO_TABLE:
        ds_put_format(s, "goto_table:%u", OFPACT_CAST_CONST(u8, a)->value);
        return;
    case OFPACT_N_TYPES:
        break;
    }
    ds_put_cstr(s, "<unknown>");
}

static void
format_list(const struct ofpact *ofpacts, size_t size,
            const struct ofp_tlv_map *map, struct ds *s)
{
    const struct ofpact *a;
    bool first = true;

    OFPACT_FOR_EACH (a, ofpacts, size) {
        if (!first) {
            ds_put_char(s, ',');
        }
        first = false;
        format_one(a, map, s);
    }
}

/* Appends the list as ovs-ofctl prints it. */
void
ofpacts_format(const struct ofpact *ofpacts, size_t size,
               const struct ofp_tlv_map *map, struct ds *s)
{
    if (!size) {
        ds_put_cstr(s, "drop");
        return;
    }
    format_list(ofpacts, size, map, s);
}
