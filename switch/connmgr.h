/* The OpenFlow connections of one bridge: the management listener that
 * ovs-ofctl uses (punix:RUNDIR/BRIDGE.mgmt), the bridge's controllers
 * (active "tcp:"/"unix:" targets reconnected with backoff, passive
 * "ptcp:"/"punix:" listeners), and per connection the OpenFlow session:
 * hello and version negotiation (1.0, 1.3, 1.4, 1.5), echo and the
 * inactivity probe, features, switch config, the Nicira session settings
 * (flow format, packet-in format, flow_mod table id, controller id), role,
 * async config, barrier, bundles, and every request the switch answers
 * from its ofproto (switch/ofproto.h): flow, group, port and table
 * modifications and statistics, TLV table, packet_out.
 *
 * Asynchronous messages go out from the ofproto's notifications (flow
 * removed, port status) and from connmgr_send_packet_in(), which the
 * datapath side calls, to each connection whose role and async config ask
 * for them, in the packet-in format it chose.
 *
 * Everything runs on the loop's thread. */
#ifndef SWITCH_CONNMGR_H
#define SWITCH_CONNMGR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "lib/flow.h"
#include "lib/util.h"
#include "openflow/ofp-errors.h"
#include "openflow/ofp-match.h"

struct ds;
struct ofpact;
struct ofproto;
struct connmgr;

/* A decoded packet_out, handed to the datapath side.  Everything is
 * borrowed for the duration of the callback. */
struct connmgr_packet_out {
    const void *packet;         /* Frame. */
    size_t packet_size;         /* Bytes at 'packet'. */
    struct ofp_match metadata;  /* in_port (OFPP_* numbering) and, in
                                 * OpenFlow 1.5, the other metadata. */
    const struct ofpact *ofpacts; /* Validated actions. */
    size_t ofpacts_size;        /* Bytes at 'ofpacts'. */
};

/* Executes a packet_out.  Returns 0 or an OpenFlow error for the
 * controller. */
typedef enum ofperr connmgr_packet_out_func(struct connmgr *,
                                            const struct connmgr_packet_out *,
                                            void *aux);

/* A decoded NXT_RESUME, handed to the datapath side.  Everything is
 * borrowed for the duration of the callback. */
struct connmgr_resume {
    const void *packet;         /* Frame. */
    size_t packet_size;         /* Bytes at 'packet'. */
    struct ofp_match metadata;  /* Pipeline fields (in_port, registers,
                                 * ...) under their mask. */
    const void *continuation;   /* Opaque continuation. */
    size_t continuation_size;   /* Bytes at 'continuation'. */
};

/* Continues a paused pipeline.  Returns 0 or an OpenFlow error. */
typedef enum ofperr connmgr_resume_func(struct connmgr *,
                                        const struct connmgr_resume *,
                                        void *aux);

/* A packet to send to controllers. */
struct connmgr_packet_in {
    const void *packet;         /* Frame (borrowed). */
    size_t packet_size;         /* Bytes at 'packet'. */
    uint8_t reason;             /* OFPR_*: 0 no_match, 1 action, ... */
    uint8_t table_id;           /* Table of the rule. */
    uint64_t cookie;            /* Cookie of the rule. */
    const struct flow *flow;    /* Pipeline metadata: in_port, registers,
                                 * metadata, tunnel, ... (borrowed). */
    uint16_t max_len;           /* Bytes of the packet to send (0xffff:
                                 * all). */
    uint16_t controller_id;     /* Only to connections with this id (0:
                                 * default id). */
    const void *userdata;       /* controller(userdata=...), or NULL. */
    size_t userdata_size;       /* Bytes at 'userdata'. */
    const void *continuation;   /* Opaque continuation for NXT_RESUME, or
                                 * NULL. */
    size_t continuation_size;   /* Bytes at 'continuation'. */
};

struct connmgr *connmgr_create(uv_loop_t *, struct ofproto *);
void connmgr_destroy(struct connmgr *);

/* Allowed versions, as a bitmap of wire versions (bit 1 = OpenFlow 1.0,
 * bit 4 = 1.3, ...).  Applies to connections made after the call. */
void connmgr_set_allowed_versions(struct connmgr *, uint32_t bitmap);
/* Starts listening on 'name' (punix:PATH or ptcp:PORT[:IP]) for service
 * connections (ovs-ofctl).  Returns 0 or a negative errno. */
int connmgr_set_mgmt(struct connmgr *, const char *name) WARN_UNUSED_RESULT;
/* Sets the controller targets to the 'n' names in 'targets' (active
 * tcp:/unix: or passive ptcp:/punix:), keeping connections to targets
 * already present. */
void connmgr_set_controllers(struct connmgr *, const char *const *targets,
                             size_t n);
/* Inactivity probe interval in msec (0 disables) for controllers. */
void connmgr_set_probe_interval(struct connmgr *, int msec);
void connmgr_set_packet_out_cb(struct connmgr *, connmgr_packet_out_func *,
                               void *aux);

/* Without a resume callback, NXT_RESUME is answered with an error. */
void connmgr_set_resume_cb(struct connmgr *, connmgr_resume_func *,
                           void *aux);

void connmgr_send_packet_in(struct connmgr *,
                            const struct connmgr_packet_in *);

/* The Geneve option that tun_metadata'index' (< 64) stands for in the
 * TLV table (NXT_TLV_TABLE_MOD): returns true and fills the outputs, or
 * false if 'index' is unmapped. */
bool connmgr_get_tlv(const struct connmgr *, unsigned int index,
                     uint16_t *opt_class, uint8_t *type, uint8_t *len);

/* Number of open OpenFlow connections. */
size_t connmgr_n_connections(const struct connmgr *);
/* Appends one line per connection (name, version, role) to 's'. */
void connmgr_describe(const struct connmgr *, struct ds *s);

#endif /* switch/connmgr.h */
