/* OpenFlow error values: names, and the (type, code) numbering of each
 * wire version.  See ofp-errors.h. */
#include "openflow/ofp-errors.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

/* OpenFlow 1.2+ error type numbers used below (ofp-protocol.h has them all,
 * but also port numbers that clash with lib/flow.h's). */
enum {
    ERR_HELLO_FAILED = 0,
    ERR_BAD_REQUEST = 1,
    ERR_BAD_ACTION = 2,
    ERR_FLOW_MOD_FAILED = 5,
    ERR_PORT_MOD_FAILED = 7,
    ERR_QUEUE_OP_FAILED = 9,
};

struct ofperr_info {
    enum ofperr error;          /* The value. */
    const char *name;           /* Its OpenFlow name. */
};

static const struct ofperr_info ofperr_infos[] = {
#define OFPERR_INFO(NAME, TYPE, CODE) { OFPERR_##NAME, #NAME },
    OFPERR_LIST(OFPERR_INFO)
#undef OFPERR_INFO
};

static const struct ofperr_info *
ofperr_find(enum ofperr error)
{
    for (size_t i = 0; i < ARRAY_SIZE(ofperr_infos); i++) {
        if (ofperr_infos[i].error == error) {
            return &ofperr_infos[i];
        }
    }
    return NULL;
}

/* Whether 'error' is a known error value. */
bool
ofperr_is_valid(enum ofperr error)
{
    return ofperr_find(error) != NULL;
}

/* The OpenFlow 1.2+ type of 'error'. */
uint16_t
ofperr_type(enum ofperr error)
{
    return ((unsigned int) error >> 16) & 0xff;
}

/* The OpenFlow 1.2+ code of 'error'. */
uint16_t
ofperr_code(enum ofperr error)
{
    return (unsigned int) error & 0xffff;
}

/* The error numbered ('type', 'code') in OpenFlow 1.2+, or 0. */
enum ofperr
ofperr_from_type_code(uint16_t type, uint16_t code)
{
    if (type > 0xff) {
        return 0;
    }
    enum ofperr error = OFPERR_MAKE(type, code);
    return ofperr_is_valid(error) ? error : 0;
}

/* The name of 'error'; see the header for unknown values. */
const char *
ofperr_to_string(enum ofperr error)
{
    static __thread char buf[48];
    const struct ofperr_info *info;

    if (!error) {
        return "success";
    }
    info = ofperr_find(error);
    if (info) {
        return info->name;
    }
    snprintf(buf, sizeof buf, "OFPERR_%u_%u",
             ofperr_type(error), ofperr_code(error));
    return buf;
}

/* The error called 'name', or 0. */
enum ofperr
ofperr_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(ofperr_infos); i++) {
        if (!strcmp(ofperr_infos[i].name, name)) {
            return ofperr_infos[i].error;
        }
    }
    return 0;
}

/* OpenFlow 1.0's flow_mod_failed codes, indexed by their 1.0 value. */
static const enum ofperr ofp10_flow_mod_failed[] = {
    OFPERR_OFPFMFC_TABLE_FULL, OFPERR_OFPFMFC_OVERLAP,
    OFPERR_OFPFMFC_EPERM, OFPERR_OFPFMFC_BAD_TIMEOUT,
    OFPERR_OFPFMFC_BAD_COMMAND,
};

/* Maps 'error' to 'version''s numbering; see the header. */
bool
ofperr_encode(enum ofperr error, uint8_t version,
              uint16_t *type, uint16_t *code)
{
    uint16_t t = ofperr_type(error), c = ofperr_code(error);

    if (!ofperr_is_valid(error)) {
        return false;
    }
    if (version != 0x01) {
        *type = t;
        *code = c;
        return true;
    }
    /* OpenFlow 1.0 §5.4.4: hello, bad request and bad action share the
     * 1.2+ codes up to 8. */
    switch (t) {
    case ERR_HELLO_FAILED:
        *type = ERR_HELLO_FAILED;
        *code = c;
        return true;
    case ERR_BAD_REQUEST:
    case ERR_BAD_ACTION:
        if (c > 8) {
            return false;
        }
        *type = t;
        *code = c;
        return true;
    case ERR_FLOW_MOD_FAILED:
        for (size_t i = 0; i < ARRAY_SIZE(ofp10_flow_mod_failed); i++) {
            if (ofp10_flow_mod_failed[i] == error) {
                *type = OFPERR_OF10_FLOW_MOD_FAILED;
                *code = i;
                return true;
            }
        }
        return false;
    case ERR_PORT_MOD_FAILED:
        if (c > 1) {
            return false;
        }
        *type = OFPERR_OF10_PORT_MOD_FAILED;
        *code = c;
        return true;
    case ERR_QUEUE_OP_FAILED:
        *type = OFPERR_OF10_QUEUE_OP_FAILED;
        *code = c;
        return true;
    default:
        return false;
    }
}

/* The error 'version' sends as ('type', 'code'), or 0. */
enum ofperr
ofperr_decode(uint8_t version, uint16_t type, uint16_t code)
{
    if (version != 0x01) {
        return ofperr_from_type_code(type, code);
    }
    switch (type) {
    case ERR_HELLO_FAILED:
        return ofperr_from_type_code(ERR_HELLO_FAILED, code);
    case ERR_BAD_REQUEST:
    case ERR_BAD_ACTION:
        return code <= 8 ? ofperr_from_type_code(type, code) : 0;
    case OFPERR_OF10_FLOW_MOD_FAILED:
        return (code < ARRAY_SIZE(ofp10_flow_mod_failed)
                ? ofp10_flow_mod_failed[code] : 0);
    case OFPERR_OF10_PORT_MOD_FAILED:
        return code <= 1 ? ofperr_from_type_code(ERR_PORT_MOD_FAILED,
                                                 code) : 0;
    case OFPERR_OF10_QUEUE_OP_FAILED:
        return ofperr_from_type_code(ERR_QUEUE_OP_FAILED, code);
    default:
        return 0;
    }
}
