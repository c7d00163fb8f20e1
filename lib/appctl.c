/* The management command server: JSON-RPC requests on a unix socket, each
 * naming a registered command. */
#include "lib/appctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/jsonrpc.h"
#include "lib/list.h"
#include "lib/stream.h"
#include "lib/util.h"

struct appctl_command {
    struct hmap_node node;      /* In 'commands', by name. */
    char *name;
    char *usage;
    int min_args, max_args;
    appctl_cb *cb;
    void *aux;
};

/* Registered commands, shared by every server in the process. */
static struct hmap commands = HMAP_INITIALIZER(&commands);

struct appctl_server {
    struct stream_listener *listener;
    char *path;
    struct list conns;          /* Contains "struct appctl_conn"s. */
};

struct appctl_conn {
    struct list node;           /* In 'server->conns'. */
    struct appctl_server *server;
    struct jsonrpc_conn *rpc;
    struct json *request_id;    /* Request being answered, or NULL. */
};

static struct appctl_command *
appctl_command_find(const char *name)
{
    struct appctl_command *c;
    HMAP_FOR_EACH_WITH_HASH (c, node, hash_string(name, 0), &commands) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

void
appctl_command_register(const char *name, const char *usage, int min_args,
                        int max_args, appctl_cb *cb, void *aux)
{
    struct appctl_command *c = appctl_command_find(name);
    if (!c) {
        c = xzalloc(sizeof *c);
        c->name = xstrdup(name);
        hmap_insert(&commands, &c->node, hash_string(name, 0));
    } else {
        free(c->usage);
    }
    c->usage = xstrdup(usage ? usage : "");
    c->min_args = min_args;
    c->max_args = max_args;
    c->cb = cb;
    c->aux = aux;
}

static void
appctl_send(struct appctl_conn *conn, bool ok, const char *body)
{
    if (!conn->request_id) {
        return;
    }
    struct json *text = json_string_create(body ? body : "");
    struct jsonrpc_msg *reply
        = (ok ? jsonrpc_msg_create_reply(text, conn->request_id)
           : jsonrpc_msg_create_error(text, conn->request_id));
    json_unref(conn->request_id);
    conn->request_id = NULL;
    if (conn->rpc) {
        jsonrpc_conn_send(conn->rpc, reply);
    } else {
        jsonrpc_msg_destroy(reply);
    }
}

void
appctl_reply(struct appctl_conn *conn, const char *body)
{
    appctl_send(conn, true, body);
}

void
appctl_reply_error(struct appctl_conn *conn, const char *body)
{
    appctl_send(conn, false, body);
}

static int
compare_command_names(const void *a_, const void *b_)
{
    const struct appctl_command *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
appctl_list_commands(struct appctl_conn *conn, int argc, const char *argv[],
                     void *aux)
{
    size_t n = hmap_count(&commands), i = 0;
    const struct appctl_command **all = xmalloc(n * sizeof *all);
    const struct appctl_command *c;
    HMAP_FOR_EACH (c, node, &commands) {
        all[i++] = c;
    }
    qsort(all, n, sizeof *all, compare_command_names);

    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "The available commands are:\n");
    for (i = 0; i < n; i++) {
        ds_put_format(&ds, "  %-23s %s\n", all[i]->name, all[i]->usage);
    }
    appctl_reply(conn, ds_cstr(&ds));
    ds_uninit(&ds);
    free(all);
}

static void
appctl_version(struct appctl_conn *conn, int argc, const char *argv[],
               void *aux)
{
    char *s = xasprintf("%s (Kiln) 0.1.0\n", program_name());
    appctl_reply(conn, s);
    free(s);
}

static void
appctl_register_builtins(void)
{
    if (!appctl_command_find("list-commands")) {
        appctl_command_register("list-commands", "", 0, 0,
                                appctl_list_commands, NULL);
        appctl_command_register("version", "", 0, 0, appctl_version, NULL);
    }
}

static void
appctl_received_cb(struct jsonrpc_conn *rpc, struct jsonrpc_msg *msg,
                   void *conn_)
{
    struct appctl_conn *conn = conn_;

    if (msg->type != JSONRPC_REQUEST) {
        jsonrpc_msg_destroy(msg);
        return;
    }
    json_unref(conn->request_id);
    conn->request_id = json_ref(msg->id);

    struct appctl_command *c = appctl_command_find(msg->method);
    size_t n = json_array_size(msg->params);
    if (!c) {
        char *e = xasprintf("\"%s\" is not a valid command (use "
                            "\"list-commands\" to see a list of valid "
                            "commands)", msg->method);
        appctl_reply_error(conn, e);
        free(e);
    } else if ((int) n < c->min_args || (int) n > c->max_args) {
        char *e = xasprintf("\"%s\" command takes at %s %d arguments",
                            msg->method,
                            (int) n < c->min_args ? "least" : "most",
                            (int) n < c->min_args ? c->min_args
                                                  : c->max_args);
        appctl_reply_error(conn, e);
        free(e);
    } else {
        const char **argv = xmalloc((n + 2) * sizeof *argv);
        argv[0] = c->name;
        size_t i;
        for (i = 0; i < n; i++) {
            const struct json *arg = json_array_at(msg->params, i);
            if (arg->type != JSON_STRING) {
                break;
            }
            argv[i + 1] = json_string(arg);
        }
        argv[n + 1] = NULL;
        if (i < n) {
            appctl_reply_error(conn, "command arguments must be strings");
        } else {
            c->cb(conn, n + 1, argv, c->aux);
        }
        free(argv);
    }
    jsonrpc_msg_destroy(msg);
}

static void
appctl_conn_destroy(struct appctl_conn *conn)
{
    list_remove(&conn->node);
    jsonrpc_conn_close(conn->rpc);
    json_unref(conn->request_id);
    free(conn);
}

static void
appctl_closed_cb(struct jsonrpc_conn *rpc, int error, void *conn_)
{
    appctl_conn_destroy(conn_);
}

static const struct jsonrpc_conn_callbacks appctl_rpc_callbacks = {
    .received = appctl_received_cb,
    .closed = appctl_closed_cb,
};

static void
appctl_accept_cb(struct stream_listener *listener, struct stream *stream,
                 void *server_)
{
    struct appctl_server *server = server_;
    struct appctl_conn *conn = xzalloc(sizeof *conn);
    conn->server = server;
    list_push_back(&server->conns, &conn->node);
    conn->rpc = jsonrpc_conn_create(stream, &appctl_rpc_callbacks, conn);
}

int
appctl_server_create(uv_loop_t *loop, const char *path,
                     struct appctl_server **serverp)
{
    appctl_register_builtins();

    struct appctl_server *server = xzalloc(sizeof *server);
    server->path = xstrdup(path);
    list_init(&server->conns);

    char *name = xasprintf("punix:%s", path);
    int error = stream_listen(loop, name, appctl_accept_cb, server,
                              &server->listener);
    free(name);
    if (error) {
        free(server->path);
        free(server);
        *serverp = NULL;
        return error;
    }
    *serverp = server;
    return 0;
}

const char *
appctl_server_path(const struct appctl_server *server)
{
    return server->path;
}

void
appctl_server_destroy(struct appctl_server *server)
{
    if (server) {
        struct appctl_conn *conn;
        LIST_FOR_EACH_SAFE (conn, node, &server->conns) {
            appctl_conn_destroy(conn);
        }
        stream_listener_close(server->listener);
        free(server->path);
        free(server);
    }
}
