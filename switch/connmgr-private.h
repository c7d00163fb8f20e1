/* Internals shared by switch/connmgr.c (connections, session messages)
 * and switch/connmgr-handlers.c (requests on the ofproto, asynchronous
 * messages); nothing else includes this file. */
#ifndef SWITCH_CONNMGR_PRIVATE_H
#define SWITCH_CONNMGR_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "lib/list.h"
#include "openflow/ofp-msgs.h"
#include "switch/connmgr.h"
#include "switch/ofproto.h"

struct stream;
struct stream_listener;

/* Asynchronous messages are dropped for a connection whose output backlog
 * passes this many bytes (replies are always queued). */
#define CONNMGR_MAX_BACKLOG (1024 * 1024)

/* At most this many bundles open per connection. */
#define CONNMGR_MAX_BUNDLES 16

/* A Geneve option mapping (NXT_TLV_TABLE_MOD). */
struct connmgr_tlv {
    uint16_t option_class;      /* Option class. */
    uint8_t option_type;        /* Option type. */
    uint8_t option_len;         /* Bytes. */
};

struct connmgr {
    uv_loop_t *loop;            /* Event loop. */
    struct ofproto *ofproto;    /* The switch (not owned). */
    uint32_t allowed_versions;  /* Bitmap of wire versions. */
    struct stream_listener *mgmt; /* Service listener, or NULL.  Owned. */
    char *mgmt_name;            /* Its name.  Owned. */
    struct list conns;          /* "struct ofconn"s. */
    struct list controllers;    /* "struct controller"s. */
    uv_timer_t tick;            /* 1 s: probes, flow timeouts. */
    int probe_interval;         /* Msec, 0 for none. */
    uint64_t generation_id;     /* Last master/slave generation id. */
    bool have_generation_id;    /* 'generation_id' was set. */
    uint16_t frag_flags;        /* OFPC_FRAG_* from set_config. */
    connmgr_packet_out_func *packet_out_cb; /* Executes packet_outs. */
    void *packet_out_aux;       /* Its argument. */
    connmgr_resume_func *resume_cb; /* Executes NXT_RESUME, or NULL. */
    void *resume_aux;           /* Its argument. */
    struct connmgr_tlv tlvs[64]; /* Geneve options by tun_metadata index;
                                  * option_len 0 when unmapped. */
    size_t n_monitors;          /* Flow monitors of every connection. */
    struct ofconn *origin;      /* Connection whose request is being
                                 * handled (its own changes), or NULL. */
    uint32_t origin_xid;        /* That request's xid. */
};

/* A controller target. */
struct controller {
    struct list node;           /* In connmgr 'controllers'. */
    struct connmgr *mgr;        /* Owner. */
    char *target;               /* "tcp:IP:PORT", "punix:PATH", ...
                                 * Owned. */
    struct stream_listener *listener; /* Passive targets.  Owned. */
    struct ofconn *conn;        /* Active targets: current connection. */
    uv_timer_t reconnect;       /* Active targets: backoff timer. */
    int backoff_ms;             /* Current backoff, 0 after success. */
    bool removed;               /* Being destroyed. */
};

/* One OpenFlow connection. */
struct ofconn {
    struct list node;           /* In connmgr 'conns'. */
    struct connmgr *mgr;        /* Owner. */
    struct stream *stream;      /* Owned. */
    char *name;                 /* For logs.  Owned. */
    bool service;               /* Management (ovs-ofctl) connection. */
    struct controller *controller; /* Active controller it serves, or
                                    * NULL. */
    bool closing;               /* To be destroyed after this read. */

    /* Session. */
    uint32_t allowed_versions;  /* Bitmap offered in hello. */
    bool negotiated;            /* Hello exchanged. */
    uint8_t version;            /* Negotiated version. */
    long long last_rx;          /* time_msec() of the last input. */
    bool echo_sent;             /* Inactivity probe outstanding. */
    bool nxm;                   /* NXT_SET_FLOW_FORMAT: NXM (OF1.0). */
    bool flow_mod_table_id;     /* NXT_FLOW_MOD_TABLE_ID enabled. */
    uint32_t packet_in_format;  /* NXPIF_*. */
    uint16_t controller_id;     /* NXT_SET_CONTROLLER_ID. */
    uint32_t role;              /* OFPCR_ROLE_*. */
    uint16_t miss_send_len;     /* From set_config. */
    struct ofpmsg_async_config async; /* Which async messages it gets. */
    struct list bundles;        /* "struct conn_bundle"s. */
    struct list monitors;       /* "struct conn_monitor"s
                                 * (connmgr-monitor.c). */
    bool monitor_paused;        /* NXT_FLOW_MONITOR_PAUSED sent, RESUMED
                                 * not yet. */
    bool monitor_abbrev_sent;   /* An ABBREV is pending in
                                 * 'monitor_updates'. */
    struct ofpmsg_mp_reply *monitor_updates; /* Updates of the commit in
                                              * progress, or NULL.
                                              * Owned. */
};

void ofconn__send(struct ofconn *, const void *, size_t);
void ofconn__send_buf(struct ofconn *, struct ofpbuf *);
void ofconn__send_error(struct ofconn *, const struct ofpmsg *,
                        enum ofperr);
void ofconn__send_mp(struct ofconn *, struct ofpmsg_mp_reply *);
bool ofconn__has_room(const struct ofconn *);

struct ofpmsg_port *connmgr__collect_ports(struct ofproto *, uint8_t version,
                                          size_t *n);
void connmgr__handle_request(struct ofconn *, const struct ofpmsg *);
void connmgr__bundles_clear(struct ofconn *);
void connmgr__register_callbacks(struct connmgr *);

/* Shared by connmgr-handlers.c and connmgr-monitor.c. */
enum ofperr connmgr__decode_match(struct ofconn *, const struct ofpmsg_match *,
                                  struct ofp_match *);
void connmgr__encode_match(struct ofconn *, enum ofpmsg_match_format,
                           uint8_t version, const struct ofp_match *,
                           struct ofpbuf *tmp, struct ofpmsg_match *out);
void connmgr__encode_actions(struct ofconn *, uint8_t version,
                             const struct ofproto_actions *,
                             struct ofpbuf *tmp, struct ofpmsg_actions *out);

/* Flow monitors (connmgr-monitor.c).  Monitor updates are sent only to
 * connections with monitors: with none anywhere the callbacks return at
 * once.  A connection whose output backlog passes
 * CONNMGR_MONITOR_PAUSE_BACKLOG gets NXT_FLOW_MONITOR_PAUSED and no
 * updates until its backlog falls under a quarter of that (checked each
 * tick); then it gets every flow its monitors select as ADDED (a full
 * re-sync) and NXT_FLOW_MONITOR_RESUMED. */
#define CONNMGR_MONITOR_PAUSE_BACKLOG (128 * 1024)

void connmgr__monitor_request(struct ofconn *, const struct ofpmsg *);
void connmgr__monitor_cancel(struct ofconn *, const struct ofpmsg *);
void connmgr__monitors_clear(struct ofconn *);
void connmgr__monitors_run(struct connmgr *);
void connmgr__monitor_flow_changed(struct ofproto *,
                                   const struct ofproto_rule *,
                                   enum ofproto_flow_event,
                                   enum ofproto_removed_reason,
                                   const struct ofproto_actions *,
                                   void *mgr);
void connmgr__monitor_flows_done(struct ofproto *, void *mgr);

#endif /* switch/connmgr-private.h */
