/* kiln-ofctl: administers an OpenFlow switch, like ovs-ofctl(8).
 *
 *   kiln-ofctl [OPTIONS] COMMAND SWITCH [ARGS...]
 *
 * SWITCH is a bridge name (RUNDIR/BRIDGE.mgmt, RUNDIR from $KILN_RUNDIR,
 * $OVS_RUNDIR or /var/run/kiln, as kiln-switchd uses), a socket path,
 * unix:PATH or tcp:IP:PORT.  Output follows Debian's ovs-ofctl 3.1 byte for
 * byte for the commands it has (docs/kiln-ofctl.md lists them and the
 * known differences).  The connection is in tools/ofctl-conn.c; the group
 * and table printing is here. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/flow.h"
#include "lib/util.h"
#include "openflow/ofp-actions.h"
#include "openflow/ofp-flow.h"
#include "openflow/ofp-match.h"
#include "openflow/ofp-msgs.h"
#include "tools/ofctl-private.h"

#define OFCTL_UNUSED __attribute__((__unused__))

struct ofctl_options ofctl_opts;

static bool opt_strict;
static bool opt_no_stats;
static bool opt_readd;
static bool opt_bundle;
static int opt_sort;            /* 0 none, 1 ascending, -1 descending. */
static char *opt_sort_field;    /* Field name, NULL for priority. */

/* ---------------------------------------------------------------------
 * Small helpers. */

static void
print_ds(struct ds *s)
{
    fputs(ds_cstr(s), stdout);
    ds_clear(s);
}

static void
open_switch(struct ofctl_conn *c, const char *target, uint32_t versions)
{
    ofctl_conn_open(c, target, versions);
}

/* Default version set for commands that need OpenFlow 1.1+ features. */
static uint32_t
versions_for_of13(void)
{
    if (ofctl_opts.versions_given) {
        return ofctl_opts.versions;
    }
    return (1u << OFP13_VERSION) | (1u << OFP14_VERSION)
           | (1u << OFP15_VERSION);
}

static uint32_t
default_versions(void)
{
    return ofctl_opts.versions;
}

/* Port number (OF1.1+ numbering) text as ovs-ofctl prints it. */
static void
format_port(uint32_t port, struct ds *s)
{
    switch (port) {
    case OFP11_PORT_IN_PORT: ds_put_cstr(s, "IN_PORT"); break;
    case 0xfffffff9u: ds_put_cstr(s, "TABLE"); break;
    case 0xfffffffau: ds_put_cstr(s, "NORMAL"); break;
    case 0xfffffffbu: ds_put_cstr(s, "FLOOD"); break;
    case 0xfffffffcu: ds_put_cstr(s, "ALL"); break;
    case OFP11_PORT_CONTROLLER: ds_put_cstr(s, "CONTROLLER"); break;
    case OFP11_PORT_LOCAL: ds_put_cstr(s, "LOCAL"); break;
    case OFP11_PORT_ANY: ds_put_cstr(s, "ANY"); break;
    default: ds_put_format(s, "%"PRIu32, port); break;
    }
}

/* Parses a port name or number into OF1.1+ numbering; false if bad. */
static bool
parse_port(const char *s, uint32_t *port)
{
    static const struct { const char *name; uint32_t port; } names[] = {
        { "IN_PORT", OFP11_PORT_IN_PORT }, { "TABLE", 0xfffffff9u },
        { "NORMAL", 0xfffffffau }, { "FLOOD", 0xfffffffbu },
        { "ALL", 0xfffffffcu }, { "CONTROLLER", OFP11_PORT_CONTROLLER },
        { "LOCAL", OFP11_PORT_LOCAL }, { "ANY", OFP11_PORT_ANY },
        { "NONE", OFP11_PORT_ANY },
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcasecmp(s, names[i].name)) {
            *port = names[i].port;
            return true;
        }
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (!*s || *end || errno || v > UINT32_MAX) {
        return false;
    }
    *port = v < 0xff00 ? v : (v <= 0xffff ? v + 0xffff0000u : v);
    return true;
}

/* Converts a 16-bit OFPP_* port to OF1.1+ numbering. */
static uint32_t
port_16_to_32(uint32_t p)
{
    return p >= 0xff00 && p <= 0xffff ? p + 0xffff0000u : p;
}

static bool
parse_hex_bytes(const char *s, struct ofpbuf *out)
{
    while (*s) {
        if (isspace((unsigned char) *s) || *s == '.' || *s == ':') {
            s++;
            continue;
        }
        if (!isxdigit((unsigned char) s[0])
            || !isxdigit((unsigned char) s[1])) {
            return false;
        }
        char hex[3] = { s[0], s[1], 0 };
        ofpbuf_put_u8(out, strtoul(hex, NULL, 16));
        s += 2;
    }
    return true;
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* Appends 'size' bytes at 'p' as ovs-ofctl's hex dump: offset, 16 bytes
 * with a '-' after the eighth, and the printable characters. */
static void
hex_dump(const uint8_t *p, size_t size, struct ds *s)
{
    for (size_t ofs = 0; ofs < size; ofs += 16) {
        size_t n = MIN(16, size - ofs);
        ds_put_format(s, "%08zx  ", ofs);
        for (size_t i = 0; i < 16; i++) {
            if (i < n) {
                ds_put_format(s, "%02x%c", p[ofs + i],
                              i == 7 && n > 8 ? '-' : ' ');
            } else {
                ds_put_cstr(s, "   ");
            }
        }
        ds_put_char(s, '|');
        for (size_t i = 0; i < n; i++) {
            uint8_t ch = p[ofs + i];
            ds_put_char(s, ch >= 32 && ch < 127 ? ch : '.');
        }
        ds_put_cstr(s, "|\n");
    }
}

/* ---------------------------------------------------------------------
 * Error printing (declared in ofctl-private.h). */

static void format_group_mod_body(const struct ofpmsg *, struct ds *);

void
ofctl_format_error(const struct ofpmsg *msg, struct ds *s)
{
    struct ofpmsg_error e;
    struct ofpmsg inner;

    ds_put_format(s, "OFPT_ERROR%s (xid=0x%"PRIx32"): ",
                  ofctl_version_tag(msg->version), msg->xid);
    if (ofpmsg_decode_error(msg, &e)) {
        ds_put_cstr(s, "***decode error***\n");
        return;
    }
    if (e.error == OFPERR_OFPBRC_BAD_MULTIPART
        && msg->version == OFP10_VERSION) {
        ds_put_cstr(s, "OFPBRC_BAD_STAT\n");
    } else if (e.error) {
        ds_put_format(s, "%s\n", ofperr_to_string(e.error));
    } else {
        ds_put_format(s, "OFPERR type %u code %u\n", e.type, e.code);
    }
    if (e.size >= 12 && e.data[0] == OFP10_VERSION
        && e.data[1] == OFPT10_STATS_REQUEST && e.data[8] == 0
        && e.data[9] == OFPMP_PORT_DESC) {
        ds_put_format(s, "OFPST_PORT_DESC request (xid=0x%"PRIx32"): "
                      "port=ANY\n", get32(e.data + 4));
    } else if (e.size >= OFP_HEADER_LEN
               && (size_t) ((e.data[2] << 8) | e.data[3]) > e.size) {
        /* Truncated copy: name it from its header, then dump it. */
        uint8_t *copy = xmemdup(e.data, e.size);
        copy[2] = e.size >> 8;
        copy[3] = e.size;
        const char *name = "***unknown***";
        if (!ofpmsg_classify(copy, e.size, &inner)) {
            name = ofpmsg_type_name(inner.type);
        }
        ds_put_format(s, "%s%s%s (xid=0x%"PRIx32"):\n"
                      "(***truncated to %zu bytes from %u***)\n",
                      strncmp(name, "NXT_", 4) && strncmp(name, "OFP", 3)
                      ? "OFPT_" : "", name, ofctl_version_tag(e.data[0]),
                      get32(e.data + 4), e.size,
                      (e.data[2] << 8) | e.data[3]);
        hex_dump(e.data, e.size, s);
        free(copy);
    } else if (e.size >= OFP_HEADER_LEN
        && !ofpmsg_classify(e.data, e.size, &inner)) {
        const char *name = ofpmsg_type_name(inner.type);
        ds_put_format(s, "%s%s%s (xid=0x%"PRIx32"):",
                      strncmp(name, "NXT_", 4) && strncmp(name, "OFP", 3)
                      ? "OFPT_" : "", name,
                      ofctl_version_tag(inner.version), inner.xid);
        if (inner.type == OFPMSG_METER_MOD) {
            ofctl_format_meter_mod(&inner, s);
            return;
        }
        if (inner.type == OFPMSG_GROUP_MOD) {
            ds_put_cstr(s, "\n");
            format_group_mod_body(&inner, s);
        }
        ds_put_cstr(s, "\n");
    }
}

/* ---------------------------------------------------------------------
 * show, dump-desc, dump-ports-desc. */

static void
format_port_features(uint32_t f, uint8_t version, struct ds *s)
{
    static const char *names11[] = {
        "10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD", "1GB-FD",
        "10GB-FD", "40GB-FD", "100GB-FD", "1TB-FD", "OTHER", "COPPER",
        "FIBER", "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM",
    };
    if (version == OFP10_VERSION) {
        /* OF1.0: bits 0-6 speeds, 7 copper, 8 fiber, 9 autoneg, 10-11
         * pause. */
        f = (f & 0x7f) | ((f >> 7) & 0x1f) << 11;
    }
    for (int i = 0; i < 16; i++) {
        if (f & (1u << i)) {
            ds_put_format(s, "%s ", names11[i]);
        }
    }
    ds_chomp(s, ' ');
}

static uint32_t
features_speed_mbps(uint32_t f, uint8_t version)
{
    if (version == OFP10_VERSION) {
        f = (f & 0x7f) | ((f >> 7) & 0x1f) << 11;
    }
    if (f & (1u << 9)) return 1000000;
    if (f & (1u << 8)) return 100000;
    if (f & (1u << 7)) return 40000;
    if (f & (1u << 6)) return 10000;
    if (f & (3u << 4)) return 1000;
    if (f & (3u << 2)) return 100;
    if (f & 3u) return 10;
    return 0;
}

static void
format_phy_port(const struct ofpmsg_port *p, uint8_t version, struct ds *s)
{
    static const char *cfg10[] = { "PORT_DOWN", "NO_STP", "NO_RECV",
                                   "NO_RECV_STP", "NO_FLOOD", "NO_FWD",
                                   "NO_PACKET_IN" };
    static const char *cfg11[] = { "PORT_DOWN", NULL, "NO_RECV", NULL, NULL,
                                   "NO_FWD", "NO_PACKET_IN" };
    ds_put_char(s, ' ');
    format_port(p->port_no, s);
    ds_put_format(s, "(%s): addr:%02x:%02x:%02x:%02x:%02x:%02x\n", p->name,
                  p->hw_addr[0], p->hw_addr[1], p->hw_addr[2],
                  p->hw_addr[3], p->hw_addr[4], p->hw_addr[5]);
    ds_put_cstr(s, "     config:     ");
    if (!p->config) {
        ds_put_cstr(s, "0");
    }
    for (int i = 0; i < 7; i++) {
        const char *n = version == OFP10_VERSION ? cfg10[i] : cfg11[i];
        if ((p->config & (1u << i)) && n) {
            ds_put_format(s, "%s ", n);
        }
    }
    ds_chomp(s, ' ');
    ds_put_cstr(s, "\n     state:      ");
    size_t start = s->length;
    if (p->state & 1) {
        ds_put_cstr(s, "LINK_DOWN ");
    }
    if (version == OFP10_VERSION) {
        static const char *stp[] = { NULL, "STP_LEARN", "STP_FORWARD",
                                     "STP_BLOCK" };
        uint32_t st = (p->state >> 8) & 3;
        if (stp[st]) {
            ds_put_format(s, "%s ", stp[st]);
        }
    } else {
        if (p->state & 2) {
            ds_put_cstr(s, "BLOCKED ");
        }
        if (p->state & 4) {
            ds_put_cstr(s, "LIVE ");
        }
    }
    if (s->length == start) {
        ds_put_cstr(s, "0");
    }
    ds_chomp(s, ' ');
    ds_put_char(s, '\n');
    const struct { const char *label; uint32_t f; } feats[] = {
        { "current:    ", p->curr }, { "advertised: ", p->advertised },
        { "supported:  ", p->supported }, { "peer:       ", p->peer },
    };
    for (size_t i = 0; i < ARRAY_SIZE(feats); i++) {
        if (feats[i].f) {
            ds_put_format(s, "     %s", feats[i].label);
            format_port_features(feats[i].f, version, s);
            ds_put_char(s, '\n');
        }
    }
    uint32_t now, max;
    if (version == OFP10_VERSION) {
        now = features_speed_mbps(p->curr, version);
        max = features_speed_mbps(p->supported, version);
    } else {
        now = p->curr_speed / 1000;
        max = p->max_speed / 1000;
    }
    ds_put_format(s, "     speed: %"PRIu32" Mbps now, %"PRIu32" Mbps max\n",
                  now, max);
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct ofpmsg_port *a = a_, *b = b_;
    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

/* Decodes and prints a list of ports, sorted by number. */
static void
format_port_list(const struct ofpmsg *msg, const uint8_t *p, size_t size,
                 struct ds *s)
{
    struct ofpmsg_iter it;
    struct ofpmsg_port *ports = NULL;
    size_t n = 0, allocated = 0;
    struct ofpmsg_port port;
    enum ofperr err;

    ofpmsg_iter_init(&it, msg, p, size);
    while (!(err = ofpmsg_port_pull(&it, &port))) {
        if (n >= allocated) {
            ports = x2nrealloc(ports, &allocated, sizeof *ports);
        }
        ports[n++] = port;
    }
    qsort(ports, n, sizeof *ports, compare_ports);
    for (size_t i = 0; i < n; i++) {
        format_phy_port(&ports[i], msg->version, s);
    }
    if (err != OFPMSG_EOF) {
        ds_put_format(s, "***decode error: %s***\n", ofperr_to_string(err));
    }
    free(ports);
}

/* Runs a request whose reply is one or more port desc messages. */
static void
dump_port_desc(struct ofctl_conn *c, struct ds *s)
{
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    size_t n;
    uint32_t xid = ofctl_conn_xid(c);

    if (c->version >= OFP15_VERSION) {
        ofpmsg_encode_mp_request(OFPMSG_PORT_DESC_REQUEST, c->version, xid,
                                 OFP11_PORT_ANY, &req);
    } else if (c->version == OFP10_VERSION) {
        /* OpenFlow 1.0 stats request of type 13 (port desc), no body. */
        ofpbuf_put_u8(&req, OFP10_VERSION);
        ofpbuf_put_u8(&req, OFPT10_STATS_REQUEST);
        ofpbuf_put_be16(&req, 12);
        ofpbuf_put_be32(&req, xid);
        ofpbuf_put_be16(&req, OFPMP_PORT_DESC);
        ofpbuf_put_be16(&req, 0);
    } else {
        ofpmsg_encode_simple(OFPMSG_PORT_DESC_REQUEST, c->version, xid,
                             &req);
    }
    ofctl_conn_transact(c, &req, &r, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        ds_put_format(s, "OFPST_PORT_DESC reply%s (xid=0x%"PRIx32"):\n",
                      ofctl_version_tag(msg.version), msg.xid);
        format_port_list(&msg, msg.body, msg.body_size, s);
    }
    ofctl_free_replies(r, n);
    ofpbuf_uninit(&req);
}

static void
cmd_show(int argc OFCTL_UNUSED, char *argv[])
{
    static const char *caps10[] = { "FLOW_STATS", "TABLE_STATS",
                                    "PORT_STATS", "STP", "RESERVED",
                                    "IP_REASM", "QUEUE_STATS",
                                    "ARP_MATCH_IP" };
    static const char *caps11[] = { "FLOW_STATS", "TABLE_STATS",
                                    "PORT_STATS", "GROUP_STATS", NULL,
                                    "IP_REASM", "QUEUE_STATS", NULL,
                                    "PORT_BLOCKED", "BUNDLES",
                                    "FLOW_MONITORING" };
    static const char *acts10[] = { "output", "set_vlan_vid",
                                    "set_vlan_pcp", "strip_vlan",
                                    "mod_dl_src", "mod_dl_dst",
                                    "mod_nw_src", "mod_nw_dst",
                                    "mod_nw_tos", "mod_tp_src",
                                    "mod_tp_dst", "enqueue" };
    struct ofctl_conn c;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpmsg msg;
    struct ofpmsg_features f;
    size_t n;

    open_switch(&c, argv[1], default_versions());
    ofpmsg_encode_simple(OFPMSG_FEATURES_REQUEST, c.version,
                         ofctl_conn_xid(&c), &req);
    ofctl_conn_transact(&c, &req, &r, &n);
    if (ofpmsg_classify(r[0].data, r[0].size, &msg)
        || ofpmsg_decode_features_reply(&msg, &f)) {
        ofctl_fatal(0, "%s: bad features reply", c.name);
    }
    ds_put_format(&s, "OFPT_FEATURES_REPLY%s (xid=0x%"PRIx32"): "
                  "dpid:%016"PRIx64"\n", ofctl_version_tag(msg.version),
                  msg.xid, f.datapath_id);
    ds_put_format(&s, "n_tables:%u, n_buffers:%"PRIu32"\n", f.n_tables,
                  f.n_buffers);
    if (f.auxiliary_id) {
        ds_put_format(&s, "auxiliary_id:%u\n", f.auxiliary_id);
    }
    ds_put_cstr(&s, "capabilities: ");
    for (int i = 0; i < 11; i++) {
        const char *name = (msg.version == OFP10_VERSION
                            ? (i < 8 ? caps10[i] : NULL) : caps11[i]);
        if ((f.capabilities & (1u << i)) && name) {
            ds_put_format(&s, "%s ", name);
        }
    }
    ds_chomp(&s, ' ');
    ds_put_char(&s, '\n');
    if (msg.version == OFP10_VERSION) {
        static const int order[] = { 0, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        ds_put_cstr(&s, "actions: ");
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
            if (f.actions & (1u << order[i])) {
                ds_put_format(&s, "%s ", acts10[order[i]]);
            }
        }
        ds_chomp(&s, ' ');
        ds_put_char(&s, '\n');
        format_port_list(&msg, f.ports_raw, f.ports_raw_size, &s);
    }
    ofctl_free_replies(r, n);
    if (c.version >= OFP13_VERSION) {
        dump_port_desc(&c, &s);
    }
    c.next_xid = msg.xid + 2;
    if (c.version >= OFP13_VERSION) {
        c.next_xid++;
    }
    ofpbuf_clear(&req);
    ofpmsg_encode_simple(OFPMSG_GET_CONFIG_REQUEST, c.version,
                         ofctl_conn_xid(&c), &req);
    ofctl_conn_transact(&c, &req, &r, &n);
    struct ofpmsg_switch_config cfg;
    if (!ofpmsg_classify(r[0].data, r[0].size, &msg)
        && !ofpmsg_decode_switch_config(&msg, &cfg)) {
        static const char *frags[] = { "normal", "drop", "reassemble",
                                       "nx_match" };
        ds_put_format(&s, "OFPT_GET_CONFIG_REPLY%s (xid=0x%"PRIx32"): "
                      "frags=%s miss_send_len=%u\n",
                      ofctl_version_tag(msg.version), msg.xid,
                      frags[cfg.flags & 3], cfg.miss_send_len);
    }
    ofctl_free_replies(r, n);
    print_ds(&s);
    ds_uninit(&s);
    ofpbuf_uninit(&req);
    ofctl_conn_close(&c);
}

static void
cmd_dump_ports_desc(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofctl_conn c;
    struct ds s = DS_EMPTY_INITIALIZER;

    open_switch(&c, argv[1], default_versions());
    dump_port_desc(&c, &s);
    print_ds(&s);
    ds_uninit(&s);
    ofctl_conn_close(&c);
}

/* Sends a body-less multipart request; returns the replies. */
static void
simple_mp(struct ofctl_conn *c, enum ofpmsg_type type, struct ofpbuf **r,
          size_t *n)
{
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER;
    ofpmsg_encode_simple(type, c->version, ofctl_conn_xid(c), &req);
    ofctl_conn_transact(c, &req, r, n);
    ofpbuf_uninit(&req);
}

static void
cmd_dump_desc(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf *r;
    size_t n;
    struct ofpmsg msg;
    struct ofpmsg_desc d;

    open_switch(&c, argv[1], default_versions());
    simple_mp(&c, OFPMSG_DESC_REQUEST, &r, &n);
    if (ofpmsg_classify(r[0].data, r[0].size, &msg)
        || ofpmsg_decode_desc_reply(&msg, &d)) {
        ofctl_fatal(0, "%s: bad desc reply", c.name);
    }
    printf("OFPST_DESC reply%s (xid=0x%"PRIx32"):\n"
           "Manufacturer: %s\nHardware: %s\nSoftware: %s\n"
           "Serial Num: %s\nDP Description: %s\n",
           ofctl_version_tag(msg.version), msg.xid, d.mfr_desc, d.hw_desc,
           d.sw_desc, d.serial_num, d.dp_desc);
    ofctl_free_replies(r, n);
    ofctl_conn_close(&c);
}

/* ---------------------------------------------------------------------
 * dump-tables, dump-table-features. */

static bool
table_stats_same(const struct ofpmsg_table_stats *a,
                 const struct ofpmsg_table_stats *b)
{
    return (a->active_count == b->active_count
            && a->lookup_count == b->lookup_count
            && a->matched_count == b->matched_count
            && a->wildcards == b->wildcards
            && a->max_entries == b->max_entries);
}

static bool
table_name_is_default(const char *name, unsigned int id OFCTL_UNUSED)
{
    return !name[0];
}

static void
flush_ditto(int first, int last, struct ds *s)
{
    if (first < 0) {
        return;
    }
    if (first == last) {
        ds_put_format(s, "  table %d: ditto\n", first);
    } else {
        ds_put_format(s, "  tables %d...%d: ditto\n", first, last);
    }
}

static void
cmd_dump_tables(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n;

    open_switch(&c, argv[1], default_versions());
    simple_mp(&c, OFPMSG_TABLE_STATS_REQUEST, &r, &n);
    struct ofpmsg_table_stats prev;
    bool have_prev = false;
    int ditto_first = -1, ditto_last = -1;
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        struct ofpmsg_iter it;
        struct ofpmsg_table_stats ts;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        if (!i) {
            ds_put_format(&s, "OFPST_TABLE reply%s (xid=0x%"PRIx32"):\n",
                          ofctl_version_tag(msg.version), msg.xid);
        }
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        while (!ofpmsg_table_stats_pull(&it, &ts)) {
            if (have_prev && table_stats_same(&prev, &ts)
                && !table_name_is_default(ts.name, ts.table_id)) {
                flush_ditto(ditto_first, ditto_last, &s);
                ditto_first = -1;
                ds_put_format(&s, "  table %u (\"%s\"): ditto\n",
                              ts.table_id, ts.name);
                continue;
            }
            if (have_prev && table_stats_same(&prev, &ts)) {
                if (ditto_first < 0) {
                    ditto_first = ts.table_id;
                }
                ditto_last = ts.table_id;
                continue;
            }
            flush_ditto(ditto_first, ditto_last, &s);
            ditto_first = -1;
            ds_put_format(&s, "  table %u", ts.table_id);
            if (!table_name_is_default(ts.name, ts.table_id)) {
                ds_put_format(&s, " (\"%s\")", ts.name);
            }
            ds_put_format(&s, ":\n    active=%"PRIu32", lookup=%"PRIu64
                          ", matched=%"PRIu64"\n", ts.active_count,
                          ts.lookup_count, ts.matched_count);
            if (msg.version == OFP10_VERSION) {
                if (have_prev && prev.wildcards == ts.wildcards
                    && prev.max_entries == ts.max_entries) {
                    ds_put_cstr(&s, "    (same features)\n");
                } else {
                    ds_put_format(&s, "    max_entries=%"PRIu32"\n"
                                  "    matching:\n", ts.max_entries);
                    ds_put_cstr(&s, "      exact match or wildcard: in_port "
                                "eth_{src,dst,type} vlan_{vid,pcp} "
                                "ip_{src,dst} nw_{proto,tos} "
                                "tcp_{src,dst}\n");
                }
            }
            ds_put_char(&s, '\n');
            prev = ts;
            have_prev = true;
        }
    }
    flush_ditto(ditto_first, ditto_last, &s);
    print_ds(&s);
    ds_uninit(&s);
    ofctl_free_replies(r, n);
    ofctl_conn_close(&c);
}


static void
cmd_dump_table_features(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n;

    open_switch(&c, argv[1], default_versions());
    if (c.version < OFP13_VERSION) {
        ofctl_fatal(0, "dump-table-features needs OpenFlow 1.3 or later "
                    "('-O OpenFlow13')");
    }
    simple_mp(&c, OFPMSG_TABLE_FEATURES_REQUEST, &r, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        const uint8_t *p = msg.body;
        size_t left = msg.body_size;
        while (left >= 64) {
            size_t len = (p[0] << 8) | p[1];
            if (len < 64 || len > left) {
                break;
            }
            char name[33];
            memcpy(name, p + 8, 32);
            name[32] = '\0';
            ds_put_format(&s, "  table %u", p[2]);
            if (!table_name_is_default(name, p[2])) {
                ds_put_format(&s, " (\"%s\")", name);
            }
            ds_put_format(&s, ":\n    metadata: match=%#"PRIx64
                          " write=%#"PRIx64"\n    max_entries=%"PRIu32"\n",
                          ((uint64_t) get32(p + 40) << 32) | get32(p + 44),
                          ((uint64_t) get32(p + 48) << 32) | get32(p + 52),
                          get32(p + 60));
            p += len;
            left -= len;
        }
    }
    print_ds(&s);
    ds_uninit(&s);
    ofctl_free_replies(r, n);
    ofctl_conn_close(&c);
}

/* ---------------------------------------------------------------------
 * dump-ports. */

static void
put_stat(struct ds *s, const char *name, uint64_t v, bool comma)
{
    if (v == UINT64_MAX) {
        ds_put_format(s, "%s=?", name);
    } else {
        ds_put_format(s, "%s=%"PRIu64, name, v);
    }
    if (comma) {
        ds_put_cstr(s, ", ");
    }
}

static void
cmd_dump_ports(int argc, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    uint32_t port = OFP11_PORT_ANY;
    size_t n;

    if (argc > 2 && !parse_port(argv[2], &port)) {
        ofctl_fatal(0, "%s: port name or number expected", argv[2]);
    }
    open_switch(&c, argv[1], default_versions());
    ofpmsg_encode_mp_request(OFPMSG_PORT_STATS_REQUEST, c.version,
                             ofctl_conn_xid(&c), port, &req);
    ofctl_conn_transact(&c, &req, &r, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        struct ofpmsg_iter it;
        struct ofpmsg_port_stats ps;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        size_t count = 0;
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        while (!ofpmsg_port_stats_pull(&it, &ps)) {
            count++;
        }
        ds_put_format(&s, "OFPST_PORT reply%s (xid=0x%"PRIx32"): %zu ports\n",
                      ofctl_version_tag(msg.version), msg.xid, count);
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        while (!ofpmsg_port_stats_pull(&it, &ps)) {
            ds_put_cstr(&s, "  port ");
            if (ps.port_no < 10) {
                ds_put_char(&s, ' ');
            }
            format_port(ps.port_no, &s);
            ds_put_cstr(&s, ": rx ");
            put_stat(&s, "pkts", ps.rx_packets, true);
            put_stat(&s, "bytes", ps.rx_bytes, true);
            put_stat(&s, "drop", ps.rx_dropped, true);
            put_stat(&s, "errs", ps.rx_errors, true);
            put_stat(&s, "frame", ps.rx_frame_err, true);
            put_stat(&s, "over", ps.rx_over_err, true);
            put_stat(&s, "crc", ps.rx_crc_err, false);
            ds_put_cstr(&s, "\n           tx ");
            put_stat(&s, "pkts", ps.tx_packets, true);
            put_stat(&s, "bytes", ps.tx_bytes, true);
            put_stat(&s, "drop", ps.tx_dropped, true);
            put_stat(&s, "errs", ps.tx_errors, true);
            put_stat(&s, "coll", ps.collisions, false);
            ds_put_char(&s, '\n');
            if (msg.version >= OFP13_VERSION
                && ps.duration_sec != UINT32_MAX) {
                ds_put_format(&s, "           duration=%"PRIu32".%03"PRIu32
                              "s\n", ps.duration_sec,
                              ps.duration_nsec / 1000000);
            }
        }
    }
    print_ds(&s);
    ds_uninit(&s);
    ofctl_free_replies(r, n);
    ofpbuf_uninit(&req);
    ofctl_conn_close(&c);
}

/* ---------------------------------------------------------------------
 * Flows. */

/* Asks an OpenFlow 1.0 connection for NXM flow format. */
static void
set_nxm(struct ofctl_conn *c)
{
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    if (c->version != OFP10_VERSION) {
        return;
    }
    ofpmsg_encode_nx_u32(OFPMSG_NXT_SET_FLOW_FORMAT, c->version,
                         ofctl_conn_xid(c), NXFF_NXM, &b);
    ofctl_conn_transact_noreply(c, &b, 1);
    ofpbuf_uninit(&b);
}

static void
enable_table_id(struct ofctl_conn *c)
{
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    if (c->version != OFP10_VERSION) {
        return;
    }
    ofpmsg_encode_nx_u32(OFPMSG_NXT_FLOW_MOD_TABLE_ID, c->version,
                         ofctl_conn_xid(c), 1, &b);
    ofctl_conn_send(c, &b);
    ofpbuf_uninit(&b);
}

/* Encodes 'm' in the match format of 'version' into 'buf' and points
 * 'out' at it. */
static void
encode_match(const struct ofp_match *m, uint8_t version, struct ofpbuf *buf,
             struct ofpmsg_match *out)
{
    ofpbuf_clear(buf);
    if (version == OFP10_VERSION) {
        ofp_match_put_nxm(m, NULL, buf);
        out->format = OFPMSG_MATCH_NXM;
    } else {
        ofp_match_put_oxm_tlvs(m, NULL, version, buf);
        out->format = OFPMSG_MATCH_OXM;
    }
    out->data = buf->data;
    out->size = buf->size;
}

/* Builds a flow_mod message for 'spec' and 'command' (OFPFC_*). */
static void
encode_flow_mod(struct ofctl_conn *c, const struct ofp_flow_spec *spec,
                uint8_t command, struct ofpbuf *out)
{
    struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf abuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg_flow_mod fm;

    memset(&fm, 0, sizeof fm);
    encode_match(&spec->match, c->version, &mbuf, &fm.match);
    fm.cookie = spec->cookie;
    fm.cookie_mask = spec->cookie_mask;
    fm.table_id = spec->table_id;
    if (command == 0 && spec->table_id == 255) {
        fm.table_id = 0;
    }
    fm.command = command;
    fm.idle_timeout = spec->idle_timeout;
    fm.hard_timeout = spec->hard_timeout;
    fm.priority = spec->priority;
    fm.buffer_id = OFP_NO_BUFFER;
    fm.out_port = (spec->out_port == OFPP_NONE ? OFP11_PORT_ANY
                   : port_16_to_32(spec->out_port));
    fm.out_group = spec->out_group;
    fm.flags = spec->flags;
    fm.importance = c->version >= OFP14_VERSION ? spec->importance : 0;
    const struct ofpact *acts = (const struct ofpact *) spec->ofpacts.data;
    if (c->version == OFP10_VERSION) {
        ofpacts_encode_actions(acts, spec->ofpacts.size, c->version, NULL,
                               &abuf);
        fm.actions.format = OFPMSG_ACTIONS_OF10;
    } else {
        ofpacts_encode_instructions(acts, spec->ofpacts.size, c->version,
                                    NULL, &abuf);
        fm.actions.format = OFPMSG_INSTRUCTIONS;
    }
    fm.actions.version = c->version;
    fm.actions.data = abuf.data;
    fm.actions.size = abuf.size;
    ofpmsg_encode_flow_mod(c->version, ofctl_conn_xid(c), &fm, out);
    ofpbuf_uninit(&mbuf);
    ofpbuf_uninit(&abuf);
}

/* Which flow keywords a command accepts (as ovs-ofctl(8) documents per
 * command). */
enum {
    FK_ACTIONS = 1 << 0,        /* actions=. */
    FK_TIMEOUT = 1 << 1,        /* idle_timeout=, hard_timeout=. */
    FK_PRIORITY = 1 << 2,       /* priority=. */
    FK_FLAGS = 1 << 3,          /* send_flow_rem, check_overlap, ... */
    FK_OUT_PORT = 1 << 4,       /* out_port=, out_group=. */
    FK_IMPORTANCE = 1 << 5,     /* importance=. */
};
static unsigned int flow_keywords = ~0u;

/* Refuses keywords that the current command does not take, with
 * ovs-ofctl's message. */
static void
check_flow_keywords(const char *s)
{
    static const struct { const char *name; unsigned int kind; } kws[] = {
        { "actions", FK_ACTIONS }, { "action", FK_ACTIONS },
        { "idle_timeout", FK_TIMEOUT }, { "hard_timeout", FK_TIMEOUT },
        { "priority", FK_PRIORITY }, { "send_flow_rem", FK_FLAGS },
        { "check_overlap", FK_FLAGS }, { "reset_counts", FK_FLAGS },
        { "no_packet_counts", FK_FLAGS }, { "no_byte_counts", FK_FLAGS },
        { "out_port", FK_OUT_PORT }, { "out_group", FK_OUT_PORT },
        { "importance", FK_IMPORTANCE },
    };
    const char *p = s;
    while (*p) {
        size_t len = strcspn(p, "=, \t");
        for (size_t i = 0; i < ARRAY_SIZE(kws); i++) {
            if (len == strlen(kws[i].name) && !strncmp(p, kws[i].name, len)
                && !(flow_keywords & kws[i].kind)) {
                ofctl_fatal(0, "unknown keyword %.*s", (int) len, p);
            }
        }
        if (len == 7 && !strncmp(p, "actions", 7) && p[len] == '=') {
            return;
        }
        p += len;
        if (*p == '=') {
            int depth = 0;
            for (p++; *p && (depth || !strchr(", \t", *p)); p++) {
                depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
            }
        }
        p += strspn(p, ", \t");
    }
}

/* Turns the codec's parse errors into ovs-ofctl's wording where they
 * differ.  Takes ownership of 'err'. */
static char *
reword_parse_error(const char *flow, char *err)
{
    size_t len = strlen(err);
    static const char suffix[] = ": unknown field";
    if (len > sizeof suffix - 1
        && !strcmp(err + len - (sizeof suffix - 1), suffix)) {
        char *name = xmemdup0(err, len - (sizeof suffix - 1));
        size_t n = strlen(name);
        const char *p = strstr(flow, name);
        char *new;
        if (p && p[n] != '=') {
            new = xasprintf("field %s missing value", name);
        } else {
            new = xasprintf("unknown keyword %s", name);
        }
        free(name);
        free(err);
        return new;
    }
    const char *bad = strstr(err, ": bad value for ");
    if (bad && (strstr(bad, "ip_src") || strstr(bad, "ip_dst")
                || strstr(bad, "nw_src") || strstr(bad, "nw_dst"))) {
        char *new = xasprintf("%.*s: invalid IP address",
                              (int) (bad - err), err);
        free(err);
        return new;
    }
    return err;
}

/* Parses a flow; exits on error. */
static void
parse_flow(struct ofp_flow_spec *spec, const char *s, bool need_actions,
           bool forbid_actions)
{
    check_flow_keywords(s);
    char *err = ofp_flow_spec_parse(spec, s, NULL, need_actions,
                                    forbid_actions);
    if (err) {
        err = reword_parse_error(s, err);
        ofctl_fatal(0, "%s", err);
    }
}

/* A list of parsed flows. */
struct flow_list {
    struct ofp_flow_spec *specs; /* Owned. */
    size_t n, allocated;         /* Used and allocated. */
};

/* Reads flows from 'file' ("-" = stdin), one per line; '#' comments and
 * blank lines skipped. */
static void
read_flow_file(const char *file, bool need_actions, struct flow_list *fl)
{
    FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    if (!f) {
        ofctl_fatal(errno, "%s: open failed", file);
    }
    memset(fl, 0, sizeof *fl);
    while ((len = getline(&line, &cap, f)) >= 0) {
        char *p = line, *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
        }
        while (isspace((unsigned char) *p)) {
            p++;
        }
        size_t l = strlen(p);
        while (l && isspace((unsigned char) p[l - 1])) {
            p[--l] = '\0';
        }
        if (!*p) {
            continue;
        }
        if (fl->n >= fl->allocated) {
            fl->specs = x2nrealloc(fl->specs, &fl->allocated,
                                   sizeof *fl->specs);
        }
        parse_flow(&fl->specs[fl->n], p, need_actions, false);
        fl->n++;
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
}

static void
flow_list_destroy(struct flow_list *fl)
{
    for (size_t i = 0; i < fl->n; i++) {
        ofp_flow_spec_uninit(&fl->specs[i]);
    }
    free(fl->specs);
}

/* Sends flow_mods (each already encoded), in a bundle with --bundle. */
static void
send_flow_mods(struct ofctl_conn *c, struct ofpbuf *mods, size_t n)
{
    if (!opt_bundle) {
        ofctl_conn_transact_noreply(c, mods, n);
        return;
    }
    if (c->version < OFP13_VERSION) {
        ofctl_fatal(0, "bundles need OpenFlow 1.3 or later "
                    "('-O OpenFlow14')");
    }
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ofpmsg_bundle_ctrl bc = { .bundle_id = 0, .flags = 3 };
    size_t nr;

    bc.type = OFPBCT_OPEN_REQUEST;
    ofpmsg_encode_bundle_ctrl(c->version, ofctl_conn_xid(c), &bc, &b);
    ofctl_conn_transact(c, &b, &r, &nr);
    ofctl_free_replies(r, nr);
    struct ofpbuf *adds = xcalloc(n ? n : 1, sizeof *adds);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg_bundle_add ba = { .bundle_id = 0, .flags = 3,
                                        .msg = mods[i].data,
                                        .msg_size = mods[i].size };
        struct ofpmsg inner;
        uint32_t xid = 0;
        if (!ofpmsg_classify(mods[i].data, mods[i].size, &inner)) {
            xid = inner.xid;
        }
        ofpmsg_encode_bundle_add(c->version, xid, &ba, &adds[i]);
    }
    for (size_t i = 0; i < n; i++) {
        ofctl_conn_send(c, &adds[i]);
        ofpbuf_uninit(&adds[i]);
    }
    free(adds);
    ofpbuf_clear(&b);
    bc.type = OFPBCT_COMMIT_REQUEST;
    ofpmsg_encode_bundle_ctrl(c->version, ofctl_conn_xid(c), &bc, &b);
    ofctl_conn_transact(c, &b, &r, &nr);
    ofctl_free_replies(r, nr);
    ofpbuf_uninit(&b);
}

static bool
specs_need_table(const struct ofp_flow_spec *specs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (specs[i].table_id != 255 && specs[i].table_id != 0) {
            return true;
        }
    }
    return false;
}

/* Opens a connection for flow mods and sends 'specs' with 'command'. */
static void
do_flow_mods(const char *target, const struct ofp_flow_spec *specs,
             size_t n, uint8_t command)
{
    struct ofctl_conn c;
    struct ofpbuf *mods = xcalloc(n ? n : 1, sizeof *mods);

    open_switch(&c, target, opt_bundle ? versions_for_of13()
                : default_versions());
    set_nxm(&c);
    if (specs_need_table(specs, n) || command != 0) {
        enable_table_id(&c);
    }
    if (c.version >= OFP13_VERSION) {
        c.next_xid += 4;        /* As ovs-ofctl's protocol probing. */
    }
    for (size_t i = 0; i < n; i++) {
        encode_flow_mod(&c, &specs[i], command, &mods[i]);
    }
    send_flow_mods(&c, mods, n);
    for (size_t i = 0; i < n; i++) {
        ofpbuf_uninit(&mods[i]);
    }
    free(mods);
    ofctl_conn_close(&c);
}

enum { FC_ADD = 0, FC_MODIFY = 1, FC_MODIFY_STRICT = 2, FC_DELETE = 3,
       FC_DELETE_STRICT = 4 };

static void
cmd_add_flow(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofp_flow_spec spec;
    parse_flow(&spec, argv[2], true, false);
    do_flow_mods(argv[1], &spec, 1, FC_ADD);
    ofp_flow_spec_uninit(&spec);
}

static void
cmd_add_flows(int argc OFCTL_UNUSED, char *argv[])
{
    struct flow_list fl;
    read_flow_file(argv[2], true, &fl);
    do_flow_mods(argv[1], fl.specs, fl.n, FC_ADD);
    flow_list_destroy(&fl);
}

static void
cmd_mod_flows(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofp_flow_spec spec;
    flow_keywords = FK_ACTIONS | FK_TIMEOUT | FK_PRIORITY | FK_FLAGS;
    parse_flow(&spec, argv[2], true, false);
    do_flow_mods(argv[1], &spec, 1,
                 opt_strict ? FC_MODIFY_STRICT : FC_MODIFY);
    ofp_flow_spec_uninit(&spec);
}

static void
cmd_del_flows(int argc, char *argv[])
{
    struct ofp_flow_spec spec;
    flow_keywords = FK_OUT_PORT | (opt_strict ? FK_PRIORITY : 0);
    parse_flow(&spec, argc > 2 ? argv[2] : "", false, true);
    do_flow_mods(argv[1], &spec, 1,
                 opt_strict ? FC_DELETE_STRICT : FC_DELETE);
    ofp_flow_spec_uninit(&spec);
}

/* One flow fetched from a switch or read from a file. */
struct flow_entry {
    struct ofp_match match;     /* Match. */
    struct ofp_flow_stats_entry e; /* Stats; e.match points at 'match',
                                    * e.ofpacts into 'acts'. */
    struct ofpbuf acts;         /* Owned actions. */
    char *text;                 /* Owned: the formatted line. */
    char *key;                  /* Owned: table+priority+match text. */
};

/* Fetches flows matching 'spec' from the connection. */
static void
fetch_flows(struct ofctl_conn *c, const struct ofp_flow_spec *spec,
            bool have_filter, bool aggregate, struct ofpbuf **r, size_t *n)
{
    struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg_flow_stats_request fsr;

    memset(&fsr, 0, sizeof fsr);
    fsr.table_id = spec->table_id;
    fsr.out_port = (spec->out_port == OFPP_NONE ? OFP11_PORT_ANY
                    : port_16_to_32(spec->out_port));
    fsr.out_group = spec->out_group;
    fsr.cookie = spec->cookie;
    fsr.cookie_mask = spec->cookie_mask;
    encode_match(&spec->match, c->version, &mbuf, &fsr.match);
    if (have_filter) {
        /* ovs-ofctl spends four transaction ids probing the switch before
         * a filtered dump; keep its numbering. */
        c->next_xid += 4;
    }
    ofpmsg_encode_flow_stats_request(c->version, ofctl_conn_xid(c),
                                     aggregate, &fsr, &req);
    ofctl_conn_transact(c, &req, r, n);
    ofpbuf_uninit(&req);
    ofpbuf_uninit(&mbuf);
}

/* Decodes one flow stats entry into 'fe'; returns an error. */
static enum ofperr
decode_flow_entry(const struct ofpmsg_flow_stats *fs, uint8_t version,
                  struct flow_entry *fe)
{
    enum ofperr err;

    memset(fe, 0, sizeof *fe);
    switch (fs->match.format) {
    case OFPMSG_MATCH_OF10:
        err = ofp_match_from_ofp10(fs->match.data, &fe->match);
        break;
    case OFPMSG_MATCH_NXM:
        err = ofp_match_decode_nxm(fs->match.data, fs->match.size, NULL,
                                   &fe->match);
        break;
    case OFPMSG_MATCH_OXM:
        err = ofp_match_decode_tlvs(fs->match.data, fs->match.size, NULL,
                                    &fe->match);
        break;
    default:
        ofp_match_init_catchall(&fe->match);
        err = 0;
        break;
    }
    if (err) {
        return err;
    }
    ofpbuf_init(&fe->acts);
    err = ofpacts_decode_msg(&fs->actions, NULL, &fe->acts);
    if (err) {
        ofpbuf_uninit(&fe->acts);
        return err;
    }
    struct ofp_flow_stats_entry *e = &fe->e;
    e->match = &fe->match;
    e->table_id = fs->table_id;
    e->priority = fs->priority;
    e->cookie = fs->cookie;
    e->idle_timeout = fs->idle_timeout;
    e->hard_timeout = fs->hard_timeout;
    e->flags = fs->flags;
    e->duration_sec = fs->duration_sec;
    e->duration_nsec = fs->duration_nsec;
    e->n_packets = fs->packet_count;
    e->n_bytes = fs->byte_count;
    if (version == OFP10_VERSION) {
        e->idle_age = (int) fs->idle_age - 1;
        e->hard_age = (int) fs->hard_age - 1;
        e->flags = 0;
    } else {
        e->idle_age = version >= OFP15_VERSION ? fs->idle_age : -1;
        e->hard_age = -1;
    }
    e->ofpacts = (const struct ofpact *) fe->acts.data;
    e->ofpacts_size = fe->acts.size;
    return 0;
}

/* The diff-flows form of a flow: "[table=N ]priority=P,MATCH[ cookie=C]
 * [ idle_timeout=I][ hard_timeout=H][ importance=M] actions=A". */
static char *
format_diff_text(const struct flow_entry *fe)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (fe->e.table_id) {
        ds_put_format(&s, "table=%u ", fe->e.table_id);
    }
    if (fe->e.priority != 32768) {
        ds_put_format(&s, "priority=%u,", fe->e.priority);
    }
    ofp_match_format(&fe->match, NULL, &s);
    ds_chomp(&s, ',');
    if (fe->e.cookie) {
        ds_put_format(&s, " cookie=0x%"PRIx64, fe->e.cookie);
    }
    if (fe->e.idle_timeout) {
        ds_put_format(&s, " idle_timeout=%u", fe->e.idle_timeout);
    }
    if (fe->e.hard_timeout) {
        ds_put_format(&s, " hard_timeout=%u", fe->e.hard_timeout);
    }
    if (fe->e.importance) {
        ds_put_format(&s, " importance=%u", fe->e.importance);
    }
    ds_put_cstr(&s, " actions=");
    ofpacts_format(fe->e.ofpacts, fe->e.ofpacts_size, NULL, &s);
    return ds_steal_cstr(&s);
}

static void
flow_entry_finish(struct flow_entry *fe, int no_stats)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (no_stats == 2) {
        fe->text = format_diff_text(fe);
    } else {
        ofp_flow_format_stats(&s, &fe->e, NULL, no_stats);
        fe->text = ds_steal_cstr(&s);
    }
    ds_put_format(&s, "%u/%u/", fe->e.table_id, fe->e.priority);
    ofp_match_format(&fe->match, NULL, &s);
    fe->key = ds_steal_cstr(&s);
}

static void
flow_entry_destroy(struct flow_entry *fe)
{
    ofpbuf_uninit(&fe->acts);
    free(fe->text);
    free(fe->key);
}

/* Collects every entry of the replies. */
static struct flow_entry *
collect_flows(struct ofpbuf *r, size_t n, int no_stats, size_t *n_out)
{
    struct flow_entry *fes = NULL;
    size_t count = 0, allocated = 0;

    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        struct ofpmsg_iter it;
        struct ofpmsg_flow_stats fs;
        enum ofperr err;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        while (!(err = ofpmsg_flow_stats_pull(&it, &fs))) {
            if (count >= allocated) {
                fes = x2nrealloc(fes, &allocated, sizeof *fes);
            }
            if (decode_flow_entry(&fs, msg.version, &fes[count])) {
                continue;
            }
            fes[count].e.match = &fes[count].match;
            if (opt_sort) {
                /* ovs-ofctl's sorted dump shows no ages or flags. */
                fes[count].e.idle_age = fes[count].e.hard_age = -1;
                fes[count].e.flags = 0;
            }
            flow_entry_finish(&fes[count], no_stats);
            count++;
        }
    }
    /* The realloc may have moved entries: repoint. */
    for (size_t i = 0; i < count; i++) {
        fes[i].e.match = &fes[i].match;
    }
    *n_out = count;
    return fes;
}

static int
compare_flows(const void *a_, const void *b_)
{
    const struct flow_entry *a = a_, *b = b_;
    int c = 0;
    if (!opt_sort_field || !strcmp(opt_sort_field, "priority")) {
        c = (a->e.priority > b->e.priority) - (a->e.priority < b->e.priority);
    } else {
        /* Flows with the field first, then by its text value. */
        const char *fa = strstr(a->text, opt_sort_field);
        const char *fb = strstr(b->text, opt_sort_field);
        if (!fa != !fb) {
            c = fa ? -1 : 1;
        } else if (fa) {
            c = strcmp(fa, fb);
        }
    }
    if (!c) {
        c = strcmp(a->key, b->key);
    }
    return opt_sort * c;
}

static void
cmd_dump_flows(int argc, char *argv[])
{
    struct ofctl_conn c;
    struct ofp_flow_spec spec;
    struct ofpbuf *r;
    size_t n, n_fes;

    flow_keywords = FK_OUT_PORT;
    parse_flow(&spec, argc > 2 ? argv[2] : "", false, false);
    open_switch(&c, argv[1], default_versions());
    set_nxm(&c);
    fetch_flows(&c, &spec, argc > 2 && argv[2][0], false, &r, &n);
    struct flow_entry *fes = collect_flows(r, n, opt_no_stats, &n_fes);
    if (opt_sort) {
        qsort(fes, n_fes, sizeof *fes, compare_flows);
    } else if (!opt_no_stats) {
        struct ofpmsg msg;
        if (!ofpmsg_classify(r[0].data, r[0].size, &msg)) {
            printf("%s reply%s (xid=0x%"PRIx32"):\n",
                   msg.family == OFPMSG_NX ? "NXST_FLOW" : "OFPST_FLOW",
                   ofctl_version_tag(msg.version), msg.xid);
        }
    }
    for (size_t i = 0; i < n_fes; i++) {
        printf("%s\n", fes[i].text);
        flow_entry_destroy(&fes[i]);
    }
    free(fes);
    ofctl_free_replies(r, n);
    ofp_flow_spec_uninit(&spec);
    ofctl_conn_close(&c);
}

static void
cmd_dump_aggregate(int argc, char *argv[])
{
    struct ofctl_conn c;
    struct ofp_flow_spec spec;
    struct ofpbuf *r;
    struct ofpmsg msg;
    struct ofpmsg_aggregate ag;
    size_t n;

    flow_keywords = FK_OUT_PORT;
    parse_flow(&spec, argc > 2 ? argv[2] : "", false, false);
    open_switch(&c, argv[1], default_versions());
    set_nxm(&c);
    fetch_flows(&c, &spec, argc > 2 && argv[2][0], true, &r, &n);
    if (!ofpmsg_classify(r[0].data, r[0].size, &msg)
        && !ofpmsg_decode_aggregate_reply(&msg, &ag)) {
        printf("%s reply%s (xid=0x%"PRIx32"): packet_count=%"PRIu64
               " byte_count=%"PRIu64" flow_count=%"PRIu32"\n",
               msg.family == OFPMSG_NX ? "NXST_AGGREGATE"
               : "OFPST_AGGREGATE", ofctl_version_tag(msg.version),
               msg.xid, ag.packet_count, ag.byte_count, ag.flow_count);
    }
    ofctl_free_replies(r, n);
    ofp_flow_spec_uninit(&spec);
    ofctl_conn_close(&c);
}

/* Flows of a bridge or a file, as flow entries with --no-stats text,
 * sorted by key. */
static int
compare_keys(const void *a_, const void *b_)
{
    const struct flow_entry *a = a_, *b = b_;
    return strcmp(a->key, b->key);
}

static struct flow_entry *
load_flows(const char *source, bool is_switch, size_t *n_out)
{
    struct flow_entry *fes;
    struct stat st;
    size_t n;

    if (!is_switch && !stat(source, &st) && S_ISREG(st.st_mode)) {
        struct flow_list fl;
        read_flow_file(source, true, &fl);
        fes = xcalloc(fl.n ? fl.n : 1, sizeof *fes);
        for (size_t i = 0; i < fl.n; i++) {
            struct ofp_flow_spec *sp = &fl.specs[i];
            struct flow_entry *fe = &fes[i];
            fe->match = sp->match;
            fe->acts = sp->ofpacts;
            ofpbuf_init(&sp->ofpacts);
            fe->e.match = &fe->match;
            fe->e.table_id = sp->table_id == 255 ? 0 : sp->table_id;
            fe->e.priority = sp->priority;
            fe->e.cookie = sp->cookie;
            fe->e.idle_timeout = sp->idle_timeout;
            fe->e.hard_timeout = sp->hard_timeout;
            fe->e.importance = sp->importance;
            fe->e.idle_age = fe->e.hard_age = -1;
            fe->e.ofpacts = (const struct ofpact *) fe->acts.data;
            fe->e.ofpacts_size = fe->acts.size;
            flow_entry_finish(fe, 2);
        }
        n = fl.n;
        (void) 0;
        flow_list_destroy(&fl);
    } else {
        struct ofctl_conn c;
        struct ofp_flow_spec spec;
        struct ofpbuf *r;
        size_t nr;
        parse_flow(&spec, "", false, false);
        open_switch(&c, source, default_versions());
        set_nxm(&c);
        fetch_flows(&c, &spec, false, false, &r, &nr);
        fes = collect_flows(r, nr, 2, &n);
        ofctl_free_replies(r, nr);
        ofp_flow_spec_uninit(&spec);
        ofctl_conn_close(&c);
    }
    qsort(fes, n, sizeof *fes, compare_keys);
    for (size_t i = 0; i < n; i++) {
        fes[i].e.match = &fes[i].match;
    }
    *n_out = n;
    return fes;
}

/* Whether two entries differ in what a flow_mod would change. */
static bool
flow_entries_differ(const struct flow_entry *a, const struct flow_entry *b)
{
    return strcmp(a->text, b->text) != 0;
}

static void
cmd_diff_flows(int argc OFCTL_UNUSED, char *argv[])
{
    size_t na, nb, i = 0, j = 0;
    struct flow_entry *a = load_flows(argv[1], false, &na);
    struct flow_entry *b = load_flows(argv[2], false, &nb);
    bool differ = false;

    while (i < na || j < nb) {
        int c = (i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].key, b[j].key));
        if (c < 0) {
            printf("-%s\n", a[i++].text);
            differ = true;
        } else if (c > 0) {
            printf("+%s\n", b[j++].text);
            differ = true;
        } else {
            if (flow_entries_differ(&a[i], &b[j])) {
                printf("-%s\n+%s\n", a[i].text, b[j].text);
                differ = true;
            }
            i++;
            j++;
        }
    }
    for (i = 0; i < na; i++) {
        flow_entry_destroy(&a[i]);
    }
    for (j = 0; j < nb; j++) {
        flow_entry_destroy(&b[j]);
    }
    free(a);
    free(b);
    exit(differ ? 2 : 0);
}

static void
entry_to_spec(const struct flow_entry *fe, struct ofp_flow_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->match = fe->match;
    spec->table_id = fe->e.table_id;
    spec->priority = fe->e.priority;
    spec->cookie = fe->e.cookie;
    spec->idle_timeout = fe->e.idle_timeout;
    spec->hard_timeout = fe->e.hard_timeout;
    spec->importance = fe->e.importance;
    spec->out_port = OFPP_NONE;
    spec->out_group = OFPG_ANY;
    ofpbuf_init(&spec->ofpacts);
    ofpbuf_put(&spec->ofpacts, fe->acts.data, fe->acts.size);
}

static void
cmd_replace_flows(int argc OFCTL_UNUSED, char *argv[])
{
    size_t nf, ns, i = 0, j = 0;
    struct flow_entry *want = load_flows(argv[2], false, &nf);
    struct flow_entry *have = load_flows(argv[1], true, &ns);
    struct ofp_flow_spec *dels = xcalloc(ns + 1, sizeof *dels);
    struct ofp_flow_spec *adds = xcalloc(nf + 1, sizeof *adds);
    size_t n_dels = 0, n_adds = 0;

    while (i < nf || j < ns) {
        int c = (i >= nf ? 1 : j >= ns ? -1
                 : strcmp(want[i].key, have[j].key));
        if (c < 0) {
            entry_to_spec(&want[i++], &adds[n_adds++]);
        } else if (c > 0) {
            entry_to_spec(&have[j++], &dels[n_dels++]);
        } else {
            if (opt_readd || flow_entries_differ(&want[i], &have[j])) {
                entry_to_spec(&want[i], &adds[n_adds++]);
            }
            i++;
            j++;
        }
    }
    struct ofctl_conn c;
    size_t n_mods = n_dels + n_adds;
    struct ofpbuf *mods = xcalloc(n_mods + 1, sizeof *mods);
    open_switch(&c, argv[1], opt_bundle ? versions_for_of13()
                : default_versions());
    set_nxm(&c);
    enable_table_id(&c);
    for (size_t k = 0; k < n_dels; k++) {
        encode_flow_mod(&c, &dels[k], FC_DELETE_STRICT, &mods[k]);
    }
    for (size_t k = 0; k < n_adds; k++) {
        encode_flow_mod(&c, &adds[k], FC_ADD, &mods[n_dels + k]);
    }
    send_flow_mods(&c, mods, n_mods);
    for (size_t k = 0; k < n_mods; k++) {
        ofpbuf_uninit(&mods[k]);
    }
    for (size_t k = 0; k < n_dels; k++) {
        ofp_flow_spec_uninit(&dels[k]);
    }
    for (size_t k = 0; k < n_adds; k++) {
        ofp_flow_spec_uninit(&adds[k]);
    }
    for (i = 0; i < nf; i++) {
        flow_entry_destroy(&want[i]);
    }
    for (j = 0; j < ns; j++) {
        flow_entry_destroy(&have[j]);
    }
    free(mods);
    free(dels);
    free(adds);
    free(want);
    free(have);
    ofctl_conn_close(&c);
}

/* ---------------------------------------------------------------------
 * Groups. */

#define OFPG_ALL 0xfffffffcu      /* All groups, for deletes. */

enum { GT_ALL = 0, GT_SELECT = 1, GT_INDIRECT = 2, GT_FF = 3 };
static const char *group_types[] = { "all", "select", "indirect", "ff" };

/* A parsed group. */
struct group_spec {
    uint32_t group_id;          /* Group, OFPG_ANY (= all) if absent. */
    bool has_id;                /* group_id= was given. */
    int type;                   /* GT_*, -1 if absent. */
    uint32_t command_bucket_id; /* OF1.5, or OFPG_BUCKET_ALL. */
    size_t n_buckets;           /* Buckets. */
    struct ofpmsg_bucket *buckets; /* Owned array. */
    struct ofpbuf *acts;        /* Owned: ofpacts per bucket. */
};

static char *
parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (!*s || *end || errno || x > UINT32_MAX) {
        return xasprintf("invalid numeric format %s", s);
    }
    *v = x;
    return NULL;
}

/* Splits a bucket's text into its options and actions. */
static char *
parse_bucket(char *s, struct ofpmsg_bucket *bk, struct ofpbuf *acts,
             size_t index)
{
    memset(bk, 0, sizeof *bk);
    bk->bucket_id = index;
    bk->weight = 1;
    bk->watch_port = OFP11_PORT_ANY;
    bk->watch_group = OFPG_ANY;
    ofpbuf_init(acts);
    for (;;) {
        static const char *keys[] = { "weight", "watch_port", "watch_group",
                                      "bucket_id" };
        size_t k;
        size_t klen = 0;
        for (k = 0; k < ARRAY_SIZE(keys); k++) {
            klen = strlen(keys[k]);
            if (!strncmp(s, keys[k], klen)
                && (s[klen] == ':' || s[klen] == '=')) {
                break;
            }
        }
        if (k == ARRAY_SIZE(keys)) {
            break;
        }
        char *val = s + klen + 1;
        char *comma = strchr(val, ',');
        if (comma) {
            *comma = '\0';
        }
        uint32_t v;
        char *err = NULL;
        if (k == 1) {
            if (!parse_port(val, &v)) {
                err = xasprintf("%s: port name or number expected", val);
            }
        } else {
            err = parse_u32(val, &v);
        }
        if (err) {
            return err;
        }
        switch (k) {
        case 0: bk->weight = v; break;
        case 1: bk->watch_port = v; break;
        case 2: bk->watch_group = v; break;
        case 3: bk->bucket_id = v; break;
        }
        s = comma ? comma + 1 : val + strlen(val);
    }
    if (!strncmp(s, "actions=", 8)) {
        s += 8;
    } else if (!strncmp(s, "action=", 7)) {
        s += 7;
    }
    return ofpacts_parse(s, NULL, acts);
}

static void
group_spec_uninit(struct group_spec *g)
{
    for (size_t i = 0; i < g->n_buckets; i++) {
        ofpbuf_uninit(&g->acts[i]);
    }
    free(g->acts);
    free(g->buckets);
}

/* Parses "group_id=N,type=T,bucket=...,bucket=...". */
static char *
parse_group(const char *text, struct group_spec *g, bool need_type)
{
    char *copy = xstrdup(text), *err = NULL;
    char *p = copy;

    memset(g, 0, sizeof *g);
    g->group_id = OFPG_ANY;
    g->type = -1;
    g->command_bucket_id = OFPG_BUCKET_ALL;
    /* Split off the buckets at top-level ",bucket=" / "bucket=". */
    char *first_bucket = NULL;
    int depth = 0;
    for (char *q = p; *q; q++) {
        if (*q == '(') {
            depth++;
        } else if (*q == ')') {
            depth--;
        } else if (!depth && !strncmp(q, "bucket=", 7)
                   && (q == p || q[-1] == ',' || q[-1] == ' ')) {
            first_bucket = q;
            break;
        }
    }
    if (first_bucket) {
        if (first_bucket > p) {
            first_bucket[-1] = '\0';
        } else {
            *first_bucket = '\0';
        }
    }
    /* Options. */
    for (char *save = NULL, *tok = strtok_r(p, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        char *eq = strchr(tok, '=');
        char *val = eq ? eq + 1 : NULL;
        if (eq) {
            *eq = '\0';
        }
        if (!strcmp(tok, "group_id") && val) {
            if (!strcmp(val, "all")) {
                g->group_id = OFPG_ALL;
            } else if ((err = parse_u32(val, &g->group_id))) {
                goto out;
            }
            g->has_id = true;
        } else if (!strcmp(tok, "type") && val) {
            size_t i;
            for (i = 0; i < ARRAY_SIZE(group_types); i++) {
                if (!strcmp(val, group_types[i])) {
                    break;
                }
            }
            if (!strcmp(val, "fast_failover")) {
                i = GT_FF;
            }
            if (i == ARRAY_SIZE(group_types)) {
                err = xasprintf("invalid group type %s", val);
                goto out;
            }
            g->type = i;
        } else if (!strcmp(tok, "command_bucket_id") && val) {
            if (!strcmp(val, "all")) {
                g->command_bucket_id = OFPG_BUCKET_ALL;
            } else if ((err = parse_u32(val, &g->command_bucket_id))) {
                goto out;
            }
        } else {
            err = xasprintf("unknown keyword %s", tok);
            goto out;
        }
    }
    if (need_type && !g->has_id) {
        err = xstrdup("must specify a group_id");
        goto out;
    }
    if (need_type && g->type < 0) {
        err = xstrdup("must specify a type");
        goto out;
    }
    /* Buckets. */
    char *b = first_bucket ? first_bucket + 7 : NULL;
    while (b) {
        char *next = NULL;
        depth = 0;
        for (char *q = b; *q; q++) {
            if (*q == '(') {
                depth++;
            } else if (*q == ')') {
                depth--;
            } else if (!depth && *q == ',' && !strncmp(q + 1, "bucket=", 7)) {
                *q = '\0';
                next = q + 8;
                break;
            }
        }
        g->buckets = xrealloc(g->buckets,
                              (g->n_buckets + 1) * sizeof *g->buckets);
        g->acts = xrealloc(g->acts, (g->n_buckets + 1) * sizeof *g->acts);
        err = parse_bucket(b, &g->buckets[g->n_buckets],
                           &g->acts[g->n_buckets], g->n_buckets);
        g->n_buckets++;
        if (err) {
            goto out;
        }
        b = next;
    }
out:
    free(copy);
    return err;
}

static void
send_group_mod(const char *target, const struct group_spec *g,
               uint16_t command)
{
    struct ofctl_conn c;
    struct ofpbuf msg = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf *wire = xcalloc(g->n_buckets + 1, sizeof *wire);
    struct ofpmsg_bucket *bks = xcalloc(g->n_buckets + 1, sizeof *bks);
    struct ofpmsg_group_mod gm;

    open_switch(&c, target, versions_for_of13());
    if (c.version < OFP13_VERSION) {
        ofctl_fatal(0, "%s: group commands need OpenFlow 1.1 or later",
                    c.name);
    }
    c.next_xid += 4;            /* As ovs-ofctl's protocol probing. */
    for (size_t i = 0; i < g->n_buckets; i++) {
        bks[i] = g->buckets[i];
        if (g->type != GT_SELECT) {
            bks[i].weight = 0;  /* Only select groups weigh buckets. */
        }
        ofpbuf_init(&wire[i]);
        ofpacts_encode_actions((const struct ofpact *) g->acts[i].data,
                               g->acts[i].size, c.version, NULL, &wire[i]);
        bks[i].actions.format = OFPMSG_ACTIONS_OF11;
        bks[i].actions.version = c.version;
        bks[i].actions.data = wire[i].data;
        bks[i].actions.size = wire[i].size;
    }
    memset(&gm, 0, sizeof gm);
    gm.command = command;
    gm.type = g->type < 0 ? GT_ALL : g->type;
    gm.group_id = g->group_id;
    gm.command_bucket_id = g->command_bucket_id;
    gm.buckets = bks;
    gm.n_buckets = g->n_buckets;
    ofpmsg_encode_group_mod(c.version, ofctl_conn_xid(&c), &gm, &msg);
    send_flow_mods(&c, &msg, 1);
    for (size_t i = 0; i < g->n_buckets; i++) {
        ofpbuf_uninit(&wire[i]);
    }
    free(wire);
    free(bks);
    ofpbuf_uninit(&msg);
    ofctl_conn_close(&c);
}

enum { GC_ADD = 0, GC_MODIFY = 1, GC_DELETE = 2 };

static void
group_command(const char *target, const char *text, uint16_t command,
              bool need_type)
{
    struct group_spec g;
    char *err = parse_group(text, &g, need_type);
    if (err) {
        ofctl_fatal(0, "%s", err);
    }
    send_group_mod(target, &g, command);
    group_spec_uninit(&g);
}

static void
cmd_add_group(int argc OFCTL_UNUSED, char *argv[])
{
    group_command(argv[1], argv[2], GC_ADD, true);
}

static void
cmd_mod_group(int argc OFCTL_UNUSED, char *argv[])
{
    group_command(argv[1], argv[2], GC_MODIFY, true);
}

static void
cmd_add_groups(int argc OFCTL_UNUSED, char *argv[])
{
    FILE *f = strcmp(argv[2], "-") ? fopen(argv[2], "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    if (!f) {
        ofctl_fatal(errno, "%s: open failed", argv[2]);
    }
    while (getline(&line, &cap, f) >= 0) {
        line[strcspn(line, "#\n")] = '\0';
        if (line[strspn(line, " \t")]) {
            group_command(argv[1], line, GC_ADD, true);
        }
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
}

static void
cmd_del_groups(int argc, char *argv[])
{
    group_command(argv[1], argc > 2 ? argv[2] : "group_id=all", GC_DELETE,
                  false);
}

/* Appends ",bucket=..." items of a decoded bucket list. */
static void
format_buckets(const struct ofpmsg *msg, const uint8_t *raw, size_t size,
               uint8_t type, struct ds *s)
{
    struct ofpmsg_iter it;
    struct ofpmsg_bucket bk;

    ofpmsg_iter_init(&it, msg, raw, size);
    while (!ofpmsg_bucket_pull(&it, &bk)) {
        struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
        ds_put_cstr(s, ",bucket=");
        if (msg->version >= OFP15_VERSION) {
            ds_put_format(s, "bucket_id:%"PRIu32",", bk.bucket_id);
        }
        if (type == GT_SELECT && bk.weight != 1) {
            ds_put_format(s, "weight:%u,", bk.weight);
        }
        if (bk.watch_port != OFP11_PORT_ANY) {
            ds_put_cstr(s, "watch_port:");
            format_port(bk.watch_port, s);
            ds_put_char(s, ',');
        }
        if (bk.watch_group != OFPG_ANY) {
            ds_put_format(s, "watch_group:%"PRIu32",", bk.watch_group);
        }
        ds_put_cstr(s, "actions=");
        if (!ofpacts_decode_msg(&bk.actions, NULL, &acts)) {
            ofpacts_format((const struct ofpact *) acts.data, acts.size,
                           NULL, s);
        }
        ofpbuf_uninit(&acts);
    }
}

static void
format_group_mod_body(const struct ofpmsg *msg, struct ds *s)
{
    static const char *cmds[] = { "ADD", "MOD", "DEL" };
    struct ofpmsg_group_mod gm;
    if (ofpmsg_decode_group_mod(msg, &gm)) {
        return;
    }
    ds_put_format(s, " %s ", gm.command < 3 ? cmds[gm.command] : "???");
    if (gm.group_id == OFPG_ALL) {
        ds_put_cstr(s, "group_id=all");
    } else {
        ds_put_format(s, "group_id=%"PRIu32, gm.group_id);
    }
    if (gm.command != GC_DELETE) {
        ds_put_format(s, ",type=%s",
                      gm.type < 4 ? group_types[gm.type] : "?");
    }
    format_buckets(msg, gm.buckets_raw, gm.buckets_raw_size, gm.type, s);
}

static void
cmd_dump_groups(int argc, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    uint32_t group = OFPG_ANY;
    size_t n;

    if (argc > 2) {
        struct group_spec g;
        char *err = parse_group(argv[2], &g, false);
        if (err) {
            ofctl_fatal(0, "%s", err);
        }
        group = g.group_id;
        group_spec_uninit(&g);
    }
    open_switch(&c, argv[1], versions_for_of13());
    if (c.version >= OFP15_VERSION) {
        ofpmsg_encode_mp_request(OFPMSG_GROUP_DESC_REQUEST, c.version,
                                 ofctl_conn_xid(&c), group, &req);
    } else {
        ofpmsg_encode_simple(OFPMSG_GROUP_DESC_REQUEST, c.version,
                             ofctl_conn_xid(&c), &req);
    }
    ofctl_conn_transact(&c, &req, &r, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        struct ofpmsg_iter it;
        struct ofpmsg_group_desc gd;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        if (!i) {
            ds_put_format(&s, "OFPST_GROUP_DESC reply%s (xid=0x%"PRIx32
                          "):\n", ofctl_version_tag(msg.version), msg.xid);
        }
        enum ofperr err;
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        while (!(err = ofpmsg_group_desc_pull(&it, &gd))) {
            if (group != OFPG_ANY && gd.group_id != group) {
                continue;
            }
            ds_put_format(&s, " group_id=%"PRIu32",type=%s", gd.group_id,
                          gd.type < 4 ? group_types[gd.type] : "?");
            format_buckets(&msg, gd.buckets_raw, gd.buckets_raw_size,
                           gd.type, &s);
            ds_put_char(&s, '\n');
        }
        if (err != OFPMSG_EOF) {
            ds_put_format(&s, "***decode error: %s***\n",
                          ofperr_to_string(err));
        }
    }
    print_ds(&s);
    ds_uninit(&s);
    ofctl_free_replies(r, n);
    ofpbuf_uninit(&req);
    ofctl_conn_close(&c);
}

static void
cmd_dump_group_stats(int argc, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    uint32_t group = OFPG_ANY;
    size_t n;

    if (argc > 2) {
        struct group_spec g;
        char *err = parse_group(argv[2], &g, false);
        if (err) {
            ofctl_fatal(0, "%s", err);
        }
        group = g.group_id;
        group_spec_uninit(&g);
    }
    open_switch(&c, argv[1], versions_for_of13());
    c.next_xid += 4;            /* As ovs-ofctl's protocol probing. */
    ofpmsg_encode_mp_request(OFPMSG_GROUP_STATS_REQUEST, c.version,
                             ofctl_conn_xid(&c), group, &req);
    ofctl_conn_transact(&c, &req, &r, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        struct ofpmsg_iter it;
        struct ofpmsg_group_stats gs;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        if (!i) {
            ds_put_format(&s, "OFPST_GROUP reply%s (xid=0x%"PRIx32"):\n",
                          ofctl_version_tag(msg.version), msg.xid);
        }
        enum ofperr err;
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        while (!(err = ofpmsg_group_stats_pull(&it, &gs))) {
            ds_put_format(&s, " group_id=%"PRIu32",duration=%"PRIu32
                          ".%03"PRIu32"s,ref_count=%"PRIu32",packet_count="
                          "%"PRIu64",byte_count=%"PRIu64, gs.group_id,
                          gs.duration_sec, gs.duration_nsec / 1000000,
                          gs.ref_count, gs.packet_count, gs.byte_count);
            for (size_t b = 0; b < gs.n_buckets; b++) {
                uint64_t pk, by;
                ofpmsg_group_stats_bucket(&gs, b, &pk, &by);
                ds_put_format(&s, ",bucket%zu:packet_count=%"PRIu64
                              ",byte_count=%"PRIu64, b, pk, by);
            }
            ds_put_char(&s, '\n');
        }
        if (err != OFPMSG_EOF) {
            ds_put_format(&s, "***decode error: %s***\n",
                          ofperr_to_string(err));
        }
    }
    print_ds(&s);
    ds_uninit(&s);
    ofctl_free_replies(r, n);
    ofpbuf_uninit(&req);
    ofctl_conn_close(&c);
}

/* ---------------------------------------------------------------------
 * TLV maps. */

static char *
parse_tlv_maps(const char *text, struct ofpmsg_tlv_table *t)
{
    const char *p = text;
    while (*p) {
        unsigned int cls, type, len, idx;
        int consumed = 0;
        if (t->n_maps >= OFPMSG_MAX_TLV_MAPS) {
            return xstrdup("too many TLV mappings");
        }
        if (sscanf(p, "{class=%i,type=%i,len=%i}->tun_metadata%u%n",
                   &cls, &type, &len, &idx, &consumed) != 4 || !consumed) {
            return xasprintf("%s: bad TLV mapping syntax", p);
        }
        struct ofpmsg_tlv_map *m = &t->maps[t->n_maps++];
        m->option_class = cls;
        m->option_type = type;
        m->option_len = len;
        m->index = idx;
        p += consumed;
        if (*p == ',') {
            p++;
        }
    }
    return NULL;
}

static void
tlv_mod(const char *target, const char *text, uint16_t command)
{
    struct ofpmsg_tlv_table t;
    struct ofctl_conn c;
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;

    memset(&t, 0, sizeof t);
    t.command = command;
    if (text) {
        char *err = parse_tlv_maps(text, &t);
        if (err) {
            ofctl_fatal(0, "%s", err);
        }
    }
    open_switch(&c, target, default_versions());
    ofpmsg_encode_tlv_table(c.version, ofctl_conn_xid(&c), false, &t, &b);
    ofctl_conn_transact_noreply(&c, &b, 1);
    ofpbuf_uninit(&b);
    ofctl_conn_close(&c);
}

static void
cmd_add_tlv_map(int argc OFCTL_UNUSED, char *argv[])
{
    tlv_mod(argv[1], argv[2], NXTTMC_ADD);
}

static void
cmd_del_tlv_map(int argc, char *argv[])
{
    tlv_mod(argv[1], argc > 2 ? argv[2] : NULL,
            argc > 2 ? NXTTMC_DELETE : NXTTMC_CLEAR);
}

static void
cmd_dump_tlv_map(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ofpmsg msg;
    struct ofpmsg_tlv_table t;
    size_t n;

    open_switch(&c, argv[1], default_versions());
    ofpmsg_encode_simple(OFPMSG_NXT_TLV_TABLE_REQUEST, c.version,
                         ofctl_conn_xid(&c), &req);
    ofctl_conn_transact(&c, &req, &r, &n);
    if (ofpmsg_classify(r[0].data, r[0].size, &msg)
        || ofpmsg_decode_tlv_table(&msg, &t)) {
        ofctl_fatal(0, "%s: bad TLV table reply", c.name);
    }
    unsigned int allocated = 0;
    for (size_t i = 0; i < t.n_maps; i++) {
        allocated += t.maps[i].option_len;
    }
    printf("NXT_TLV_TABLE_REPLY%s (xid=0x%"PRIx32"):\n"
           " max option space=%"PRIu32" max fields=%u\n"
           " allocated option space=%u\n\n mapping table:\n"
           "  class  type  length  match field\n"
           " ------  ----  ------  --------------\n",
           ofctl_version_tag(msg.version), msg.xid, t.max_option_space,
           t.max_fields, allocated);
    for (size_t i = 0; i < t.n_maps; i++) {
        printf(" %#6"PRIx16"  %#4x  %6u  tun_metadata%u\n",
               t.maps[i].option_class, t.maps[i].option_type,
               t.maps[i].option_len, t.maps[i].index);
    }
    ofctl_free_replies(r, n);
    ofpbuf_uninit(&req);
    ofctl_conn_close(&c);
}

/* ---------------------------------------------------------------------
 * packet-out, monitor, snoop. */

static void
send_packet_out(struct ofctl_conn *c, uint32_t in_port, const char *actions,
                const struct ofpbuf *packet)
{
    struct ofpbuf acts = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf wire = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf mbuf = OFPBUF_EMPTY_INITIALIZER;
    struct ofpbuf msg = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg_packet_out po;
    char *err = ofpacts_parse(actions, NULL, &acts);

    if (err) {
        ofctl_fatal(0, "%s", err);
    }
    ofpacts_encode_actions((const struct ofpact *) acts.data, acts.size,
                           c->version, NULL, &wire);
    memset(&po, 0, sizeof po);
    po.buffer_id = OFP_NO_BUFFER;
    po.in_port = in_port;
    if (c->version >= OFP15_VERSION) {
        struct ofp_match m;
        ofp_match_init_catchall(&m);
        m.flow.in_port = in_port >= 0xffffff00u ? in_port - 0xffff0000u
                         : in_port;
        m.wc.masks.in_port = UINT32_MAX;
        encode_match(&m, c->version, &mbuf, &po.match);
    }
    po.actions.format = (c->version == OFP10_VERSION ? OFPMSG_ACTIONS_OF10
                         : OFPMSG_ACTIONS_OF11);
    po.actions.version = c->version;
    po.actions.data = wire.data;
    po.actions.size = wire.size;
    po.packet = packet->data;
    po.packet_size = packet->size;
    ofpmsg_encode_packet_out(c->version, ofctl_conn_xid(c), &po, &msg);
    ofctl_conn_transact_noreply(c, &msg, 1);
    ofpbuf_uninit(&acts);
    ofpbuf_uninit(&wire);
    ofpbuf_uninit(&mbuf);
    ofpbuf_uninit(&msg);
}

static void
cmd_packet_out(int argc, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf packet = OFPBUF_EMPTY_INITIALIZER;
    uint32_t in_port = OFP11_PORT_CONTROLLER;
    char *actions = NULL;

    if (argc == 3) {
        /* "in_port=P packet=HEX actions=A" (spaces or commas between the
         * first two). */
        char *copy = xstrdup(argv[2]);
        char *a = strstr(copy, "actions=");
        if (!a) {
            ofctl_fatal(0, "must specify actions");
        }
        actions = xstrdup(a + 8);
        *a = '\0';
        for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok;
             tok = strtok_r(NULL, ", ", &save)) {
            if (!strncmp(tok, "in_port=", 8)) {
                if (!parse_port(tok + 8, &in_port)) {
                    ofctl_fatal(0, "%s: port name or number expected",
                                tok + 8);
                }
            } else if (!strncmp(tok, "packet=", 7)) {
                if (!parse_hex_bytes(tok + 7, &packet)) {
                    ofctl_fatal(0, "%s: invalid packet hex", tok + 7);
                }
            } else {
                ofctl_fatal(0, "unknown keyword %s", tok);
            }
        }
        free(copy);
        if (!packet.size) {
            ofctl_fatal(0, "must specify packet");
        }
    } else if (argc >= 5) {
        if (!parse_port(argv[2], &in_port)) {
            ofctl_fatal(0, "%s: port name or number expected", argv[2]);
        }
        actions = xstrdup(argv[3]);
    } else {
        ofctl_fatal(0, "'packet-out' command requires at least 2 "
                    "arguments");
    }
    open_switch(&c, argv[1], default_versions());
    if (argc == 3) {
        send_packet_out(&c, in_port, actions, &packet);
    } else {
        for (int i = 4; i < argc; i++) {
            ofpbuf_clear(&packet);
            if (!parse_hex_bytes(argv[i], &packet)) {
                ofctl_fatal(0, "%s: invalid packet hex", argv[i]);
            }
            send_packet_out(&c, in_port, actions, &packet);
        }
    }
    free(actions);
    ofpbuf_uninit(&packet);
    ofctl_conn_close(&c);
}

static void
print_packet_in(const struct ofpmsg *msg)
{
    struct ofpmsg_packet_in pi;
    struct ofpmsg_packet_in2 pi2;
    const uint8_t *data = NULL;
    size_t size = 0, total = 0;
    unsigned int reason = 0, table = 0;
    uint64_t cookie = 0;

    if (msg->type == OFPMSG_PACKET_IN && !ofpmsg_decode_packet_in(msg, &pi)) {
        data = pi.packet;
        size = pi.packet_size;
        total = pi.total_len;
        reason = pi.reason;
        table = pi.table_id;
        cookie = pi.cookie;
    } else if (msg->type == OFPMSG_NXT_PACKET_IN2
               && !ofpmsg_decode_packet_in2(msg, &pi2)) {
        data = pi2.packet;
        size = pi2.packet_size;
        total = pi2.full_len;
        reason = pi2.reason;
        table = pi2.table_id;
        cookie = pi2.cookie;
    } else {
        return;
    }
    static const char *reasons[] = { "no_match", "action", "invalid_ttl",
                                     "action_set", "group", "packet_out" };
    printf("%s%s (xid=0x%"PRIx32"): table_id=%u cookie=0x%"PRIx64
           " total_len=%zu (via %s) data_len=%zu (unbuffered)\n",
           ofpmsg_type_name(msg->type), ofctl_version_tag(msg->version),
           msg->xid, table, cookie, total,
           reason < 6 ? reasons[reason] : "?", size);
    for (size_t i = 0; i < size; i++) {
        printf("%02x", data[i]);
    }
    printf("\n");
    fflush(stdout);
}

static void
cmd_monitor(int argc OFCTL_UNUSED, char *argv[])
{
    struct ofctl_conn c;
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;
    struct ofpmsg_switch_config cfg = { .flags = 0, .miss_send_len = 65535 };

    if (argc > 2) {
        cfg.miss_send_len = atoi(argv[2]);
    }
    open_switch(&c, argv[1], default_versions());
    ofpmsg_encode_switch_config(c.version, ofctl_conn_xid(&c), true, &cfg,
                                &b);
    ofctl_conn_transact_noreply(&c, &b, 1);
    for (;;) {
        struct ofpmsg msg;
        int err = ofctl_conn_recv(&c, &b);
        if (err) {
            ofctl_fatal(err, "%s: receive failed", c.name);
        }
        if (ofpmsg_classify(b.data, b.size, &msg)) {
            continue;
        }
        if (msg.type == OFPMSG_PACKET_IN
            || msg.type == OFPMSG_NXT_PACKET_IN2) {
            print_packet_in(&msg);
        } else if (msg.type != OFPMSG_BARRIER_REPLY) {
            printf("%s%s (xid=0x%"PRIx32"):\n", ofpmsg_type_name(msg.type),
                   ofctl_version_tag(msg.version), msg.xid);
            fflush(stdout);
        }
    }
}

/* ---------------------------------------------------------------------
 * Main. */

struct command {
    const char *name;           /* Command name. */
    int min_args, max_args;     /* Arguments after the name. */
    void (*handler)(int argc, char *argv[]); /* argv[0] is the name. */
};

static const struct command commands[] = {
    { "show", 1, 1, cmd_show },
    { "dump-desc", 1, 1, cmd_dump_desc },
    { "dump-tables", 1, 1, cmd_dump_tables },
    { "dump-table-features", 1, 2, cmd_dump_table_features },
    { "dump-ports", 1, 2, cmd_dump_ports },
    { "dump-ports-desc", 1, 2, cmd_dump_ports_desc },
    { "dump-flows", 1, 2, cmd_dump_flows },
    { "dump-aggregate", 1, 2, cmd_dump_aggregate },
    { "add-flow", 2, 2, cmd_add_flow },
    { "add-flows", 2, 2, cmd_add_flows },
    { "mod-flows", 2, 2, cmd_mod_flows },
    { "del-flows", 1, 2, cmd_del_flows },
    { "replace-flows", 2, 2, cmd_replace_flows },
    { "diff-flows", 2, 2, cmd_diff_flows },
    { "add-group", 2, 2, cmd_add_group },
    { "add-groups", 2, 2, cmd_add_groups },
    { "mod-group", 2, 2, cmd_mod_group },
    { "del-groups", 1, 2, cmd_del_groups },
    { "dump-groups", 1, 2, cmd_dump_groups },
    { "dump-group-stats", 1, 2, cmd_dump_group_stats },
    { "add-meter", 2, 2, ofctl_cmd_add_meter },
    { "mod-meter", 2, 2, ofctl_cmd_mod_meter },
    { "del-meter", 1, 2, ofctl_cmd_del_meters },
    { "del-meters", 1, 2, ofctl_cmd_del_meters },
    { "dump-meter", 1, 2, ofctl_cmd_dump_meters },
    { "dump-meters", 1, 2, ofctl_cmd_dump_meters },
    { "meter-stats", 1, 2, ofctl_cmd_meter_stats },
    { "meter-features", 1, 1, ofctl_cmd_meter_features },
    { "packet-out", 2, INT_MAX, cmd_packet_out },
    { "add-tlv-map", 2, 2, cmd_add_tlv_map },
    { "del-tlv-map", 1, 2, cmd_del_tlv_map },
    { "dump-tlv-map", 1, 1, cmd_dump_tlv_map },
    { "monitor", 1, 3, cmd_monitor },
    { "snoop", 1, 1, cmd_monitor },
};

static void
usage(void)
{
    printf("%s: OpenFlow switch management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n\n"
           "For OpenFlow switches:\n"
           "  show SWITCH                 show OpenFlow information\n"
           "  dump-desc SWITCH            print switch description\n"
           "  dump-tables SWITCH          print table stats\n"
           "  dump-table-features SWITCH  print table features\n"
           "  dump-ports SWITCH [PORT]    print port statistics\n"
           "  dump-ports-desc SWITCH      print port descriptions\n"
           "  dump-flows SWITCH [FLOW]    print matching FLOWs\n"
           "  dump-aggregate SWITCH [FLOW] print aggregate flow stats\n"
           "  add-flow SWITCH FLOW        add flow described by FLOW\n"
           "  add-flows SWITCH FILE       add flows from FILE (- = stdin)\n"
           "  mod-flows SWITCH FLOW       modify actions of matching FLOWs\n"
           "  del-flows SWITCH [FLOW]     delete matching FLOWs\n"
           "  replace-flows SWITCH FILE   replace flows with those in FILE\n"
           "  diff-flows SOURCE1 SOURCE2  compare flows from two sources\n"
           "  add-group SWITCH GROUP      add group described by GROUP\n"
           "  add-groups SWITCH FILE      add groups from FILE\n"
           "  mod-group SWITCH GROUP      modify specific group\n"
           "  del-groups SWITCH [GROUP]   delete matching GROUPs\n"
           "  dump-groups SWITCH [GROUP]  print group descriptions\n"
           "  dump-group-stats SWITCH [GROUP]  print group statistics\n"
           "  add-meter SWITCH METER      add meter described by METER\n"
           "  mod-meter SWITCH METER      modify specific METER\n"
           "  del-meters SWITCH [METER]   delete METER (default: all)\n"
           "  dump-meters SWITCH [METER]  print METER configuration\n"
           "  meter-stats SWITCH [METER]  print meter statistics\n"
           "  meter-features SWITCH       print meter features\n"
           "  packet-out SWITCH IN_PORT ACTIONS PACKET...\n"
           "  packet-out SWITCH \"in_port=P packet=HEX actions=A\"\n"
           "  add-tlv-map SWITCH MAP      add TLV option mappings\n"
           "  del-tlv-map SWITCH [MAP]    delete TLV option mappings\n"
           "  dump-tlv-map SWITCH         print TLV option mappings\n"
           "  monitor SWITCH [MISSLEN]    print packets received\n"
           "  snoop SWITCH                same as monitor\n"
           "\nSWITCH is a bridge name, a socket path, unix:PATH or "
           "tcp:IP:PORT.\n"
           "\nOptions:\n"
           "  -O, --protocols=LIST        OpenFlow10..OpenFlow15 "
           "(default OpenFlow10)\n"
           "  --strict                    use strict match for flow "
           "commands\n"
           "  --readd                     replace-flows re-adds every "
           "flow\n"
           "  --bundle                    send changes in one bundle\n"
           "  --no-stats                  dump-flows without statistics\n"
           "  --sort[=FIELD], --rsort[=FIELD]  sort dump-flows output\n"
           "  --names, --no-names         accepted for compatibility\n"
           "  -t, --timeout=SECS          give up after SECS seconds\n"
           "  -v, --verbose               verbose output\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n",
           program_name(), program_name());
    exit(0);
}

static uint32_t
parse_protocols(const char *list)
{
    static const struct { const char *name; uint8_t v; } names[] = {
        { "OpenFlow10", OFP10_VERSION }, { "OpenFlow11", OFP11_VERSION },
        { "OpenFlow12", OFP12_VERSION }, { "OpenFlow13", OFP13_VERSION },
        { "OpenFlow14", OFP14_VERSION }, { "OpenFlow15", OFP15_VERSION },
    };
    uint32_t bitmap = 0;
    char *copy = xstrdup(list);
    for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        size_t i;
        for (i = 0; i < ARRAY_SIZE(names); i++) {
            if (!strcasecmp(tok, names[i].name)) {
                bitmap |= 1u << names[i].v;
                break;
            }
        }
        if (i == ARRAY_SIZE(names)) {
            ofctl_fatal(0, "Unknown OpenFlow version: \"%s\"", tok);
        }
    }
    free(copy);
    return bitmap;
}

static void
on_alarm(int sig OFCTL_UNUSED)
{
    static const char msg[] = "kiln-ofctl: timeout\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* Nothing to do. */
    }
    _exit(1);
}

int
main(int argc, char *argv[])
{
    enum { OPT_STRICT = 256, OPT_READD, OPT_BUNDLE, OPT_NO_STATS, OPT_SORT,
           OPT_RSORT, OPT_NAMES, OPT_NO_NAMES };
    static const struct option long_options[] = {
        { "protocols", required_argument, NULL, 'O' },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "readd", no_argument, NULL, OPT_READD },
        { "bundle", no_argument, NULL, OPT_BUNDLE },
        { "no-stats", no_argument, NULL, OPT_NO_STATS },
        { "sort", optional_argument, NULL, OPT_SORT },
        { "rsort", optional_argument, NULL, OPT_RSORT },
        { "names", no_argument, NULL, OPT_NAMES },
        { "no-names", no_argument, NULL, OPT_NO_NAMES },
        { "timeout", required_argument, NULL, 't' },
        { "verbose", optional_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };

    util_set_program_name(argv[0]);
    ofctl_opts.versions = 1u << OFP10_VERSION;
    for (;;) {
        int c = getopt_long(argc, argv, "+O:t:v::hV", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'O':
            ofctl_opts.versions = parse_protocols(optarg);
            ofctl_opts.versions_given = true;
            break;
        case OPT_STRICT: opt_strict = true; break;
        case OPT_READD: opt_readd = true; break;
        case OPT_BUNDLE: opt_bundle = true; break;
        case OPT_NO_STATS: opt_no_stats = true; break;
        case OPT_SORT:
        case OPT_RSORT:
            opt_sort = c == OPT_SORT ? 1 : -1;
            free(opt_sort_field);
            opt_sort_field = optarg ? xstrdup(optarg) : NULL;
            break;
        case OPT_NAMES:
        case OPT_NO_NAMES:
            break;
        case 't':
            ofctl_opts.timeout = atoi(optarg);
            if (ofctl_opts.timeout <= 0) {
                ofctl_fatal(0, "value %s on -t or --timeout is invalid",
                            optarg);
            }
            break;
        case 'v':
            ofctl_opts.verbose = true;
            break;
        case 'h':
            usage();
            break;
        case 'V':
            printf("kiln-ofctl (Kiln) 0.1\nOpenFlow versions 0x1:0x6\n");
            exit(0);
        default:
            exit(1);
        }
    }
    if (ofctl_opts.timeout) {
        signal(SIGALRM, on_alarm);
        alarm(ofctl_opts.timeout);
    }
    if (opt_bundle && !ofctl_opts.versions_given) {
        ofctl_opts.versions = 1u << OFP14_VERSION;
    }
    argc -= optind;
    argv += optind;
    if (argc < 1) {
        ofctl_fatal(0, "missing command name; use --help for help");
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct command *cmd = &commands[i];
        if (!strcmp(argv[0], cmd->name)) {
            if (argc - 1 < cmd->min_args) {
                ofctl_fatal(0, "'%s' command requires at least %d "
                            "arguments", cmd->name, cmd->min_args);
            }
            if (argc - 1 > cmd->max_args) {
                ofctl_fatal(0, "'%s' command takes at most %d arguments",
                            cmd->name, cmd->max_args);
            }
            cmd->handler(argc, argv);
            return 0;
        }
    }
    ofctl_fatal(0, "unknown command '%s'; use --help for help", argv[0]);
}
