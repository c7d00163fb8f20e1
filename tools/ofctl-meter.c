/* kiln-ofctl's meter commands (ovs-ofctl(8) add-meter, mod-meter,
 * del-meters, dump-meters, meter-stats, meter-features), printing what
 * Debian's ovs-ofctl prints. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "openflow/ofp-meter.h"
#include "openflow/ofp-msgs.h"
#include "tools/ofctl-private.h"

/* Meters need OpenFlow 1.3 or later. */
static void
meter_open(struct ofctl_conn *c, const char *target)
{
    uint32_t versions = (ofctl_opts.versions_given ? ofctl_opts.versions
                         : ((1u << OFP13_VERSION) | (1u << OFP14_VERSION)
                            | (1u << OFP15_VERSION)));
    ofctl_conn_open(c, target, versions);
    if (c->version < OFP13_VERSION) {
        ofctl_fatal(0, "%s: meter commands need OpenFlow 1.3 or later",
                    target);
    }
}

static void
parse_or_die(const char *text, uint16_t command, struct ofp_meter_mod *mm)
{
    char *err = ofp_meter_mod_parse(text, command, mm);
    if (err) {
        ofctl_fatal(0, "%s", err);
    }
}

static void
meter_mod(const char *target, const char *text, uint16_t command)
{
    struct ofp_meter_mod mm;
    struct ofctl_conn c;
    struct ofpbuf b = OFPBUF_EMPTY_INITIALIZER;

    parse_or_die(text, command, &mm);
    meter_open(&c, target);
    ofp_meter_mod_encode(c.version, ofctl_conn_xid(&c), &mm, &b);
    ofctl_conn_transact_noreply(&c, &b, 1);
    ofpbuf_uninit(&b);
    ofctl_conn_close(&c);
}

/* add-meter SWITCH METER */
void
ofctl_cmd_add_meter(int argc, char *argv[])
{
    (void) argc;
    meter_mod(argv[1], argv[2], OFPMC_ADD);
}

/* mod-meter SWITCH METER */
void
ofctl_cmd_mod_meter(int argc, char *argv[])
{
    (void) argc;
    meter_mod(argv[1], argv[2], OFPMC_MODIFY);
}

/* del-meters SWITCH [METER] (and del-meter) */
void
ofctl_cmd_del_meters(int argc, char *argv[])
{
    meter_mod(argv[1], argc > 2 ? argv[2] : "", OFPMC_DELETE);
}

/* Sends a METER, METER_CONFIG or METER_FEATURES request and prints the
 * reply. */
static void
meter_request(const char *target, const char *text, enum ofpmsg_type type)
{
    struct ofp_meter_mod mm;
    struct ofctl_conn c;
    struct ofpbuf req = OFPBUF_EMPTY_INITIALIZER, *r;
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n;

    parse_or_die(text, OFPMC_DELETE, &mm);
    meter_open(&c, target);
    if (type == OFPMSG_METER_FEATURES_REQUEST) {
        ofpmsg_encode_simple(type, c.version, ofctl_conn_xid(&c), &req);
    } else {
        ofp_meter_request_encode(type, c.version, ofctl_conn_xid(&c),
                                 mm.meter.meter_id, &req);
    }
    ofctl_conn_transact(&c, &req, &r, &n);
    for (size_t i = 0; i < n; i++) {
        struct ofpmsg msg;
        if (ofpmsg_classify(r[i].data, r[i].size, &msg)) {
            continue;
        }
        ds_put_format(&s, "%s%s (xid=0x%"PRIx32"):\n",
                      ofpmsg_type_name(msg.type),
                      ofctl_version_tag(msg.version), msg.xid);
        if (msg.type == OFPMSG_METER_FEATURES_REPLY) {
            struct ofp_meter_features mf;
            if (ofp_meter_features_decode(&msg, &mf)) {
                ds_put_cstr(&s, "***decode error***\n");
            } else {
                ofp_meter_features_format(&mf, &s);
            }
            continue;
        }
        struct ofpmsg_iter it;
        enum ofperr err;
        size_t k = 0;
        ofpmsg_iter_init(&it, &msg, msg.body, msg.body_size);
        for (;; k++) {
            if (msg.type == OFPMSG_METER_CONFIG_REPLY) {
                struct ofp_meter_config mc;
                if ((err = ofp_meter_config_pull(&it, &mc))) {
                    break;
                }
                ds_put_cstr(&s, k ? "\n" : "");
                ofp_meter_config_format(&mc, &s);
            } else {
                struct ofp_meter_stats ms;
                if ((err = ofp_meter_stats_pull(&it, &ms))) {
                    break;
                }
                ds_put_cstr(&s, k ? "\n" : "");
                ofp_meter_stats_format(&ms, &s);
            }
        }
        if (err != OFPMSG_EOF) {
            ds_put_format(&s, "***decode error: %s***\n",
                          ofperr_to_string(err));
        }
    }
    fputs(ds_cstr(&s), stdout);
    ds_uninit(&s);
    ofctl_free_replies(r, n);
    ofpbuf_uninit(&req);
    ofctl_conn_close(&c);
}

/* dump-meters SWITCH [METER] (and dump-meter) */
void
ofctl_cmd_dump_meters(int argc, char *argv[])
{
    meter_request(argv[1], argc > 2 ? argv[2] : "",
                  OFPMSG_METER_CONFIG_REQUEST);
}

/* meter-stats SWITCH [METER] */
void
ofctl_cmd_meter_stats(int argc, char *argv[])
{
    meter_request(argv[1], argc > 2 ? argv[2] : "",
                  OFPMSG_METER_STATS_REQUEST);
}

/* meter-features SWITCH */
void
ofctl_cmd_meter_features(int argc, char *argv[])
{
    (void) argc;
    meter_request(argv[1], "", OFPMSG_METER_FEATURES_REQUEST);
}

/* Appends the body of a METER_MOD as ovs-ofctl prints it in an error:
 * " ADD meter=1 kbps bands=\ntype=drop rate=100\n". */
void
ofctl_format_meter_mod(const struct ofpmsg *msg, struct ds *s)
{
    static const char *commands[] = { "ADD", "MOD", "DEL" };
    struct ofp_meter_mod mm;
    if (ofp_meter_mod_decode(msg, &mm)) {
        ds_put_cstr(s, " ***decode error***\n");
        return;
    }
    if (mm.command < ARRAY_SIZE(commands)) {
        ds_put_format(s, " %s ", commands[mm.command]);
    } else {
        ds_put_format(s, " cmd:%u ", mm.command);
    }
    ofp_meter_config_format(&mm.meter, s);
}
