/* kiln-nbctl: the switch command family (see nbctl-private.h). */
#include "tools/nbctl-private.h"

#include <stddef.h>

const struct dbctl_command nbctl_switch_commands[] = {
    { NULL, 0, 0, NULL, NULL },
};
