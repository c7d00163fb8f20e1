/* Management commands over a unix socket, in the JSON-RPC protocol that
 * ovs-appctl(8) speaks: a request {"method": NAME, "params": [ARG...],
 * "id": ID} gets a reply whose "result" is the command's text output, or
 * whose "error" is an error message.  Every Kiln daemon runs one server so
 * that both kiln-appctl and Debian's `ovs-appctl -t SOCKET` work.
 *
 * Commands are registered globally (before or after the server starts);
 * each gets its arguments as strings and must answer exactly once, with
 * appctl_reply() or appctl_reply_error(), now or later. */
#ifndef LIB_APPCTL_H
#define LIB_APPCTL_H 1

#include <uv.h>

struct appctl_conn;
struct appctl_server;

typedef void appctl_cb(struct appctl_conn *, int argc, const char *argv[],
                       void *aux);

/* Registers 'name' ("log/set"), taking between 'min_args' and 'max_args'
 * arguments; 'usage' is shown by "list-commands".  Registering a name twice
 * replaces the first. */
void appctl_command_register(const char *name, const char *usage,
                             int min_args, int max_args, appctl_cb *,
                             void *aux);

/* Answers the command received on 'conn' with 'body' (may be NULL or ""). */
void appctl_reply(struct appctl_conn *, const char *body);
void appctl_reply_error(struct appctl_conn *, const char *body);

/* Starts serving on unix socket 'path' (a stale socket file is replaced;
 * daemons default it to RUNDIR/PROGRAM.PID.ctl, where ovs-appctl -t PROGRAM
 * looks).  Returns 0 or a negative errno. */
int appctl_server_create(uv_loop_t *, const char *path,
                         struct appctl_server **);
const char *appctl_server_path(const struct appctl_server *);
void appctl_server_destroy(struct appctl_server *);

#endif /* lib/appctl.h */
