/* kiln-appctl: sends one management command to a running Kiln daemon (or
 * any OVS daemon: the protocol is ovs-appctl's) and prints the answer.
 *
 *   kiln-appctl [-t TARGET] [-T SECS] COMMAND [ARG...]
 *
 * TARGET is a socket path (containing '/') or a program name, whose socket
 * is RUNDIR/NAME.PID.ctl with PID read from RUNDIR/NAME.pid. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/daemon.h"
#include "lib/ds.h"
#include "lib/json.h"
#include "lib/jsonrpc.h"
#include "lib/util.h"

static noreturn void
usage(void)
{
    printf("%s: send a command to a running daemon\n"
           "usage: %s [-t TARGET] [-T SECS] COMMAND [ARG...]\n"
           "  -t, --target=TARGET  socket path, or program name whose\n"
           "                       socket is in the run directory\n"
           "                       (default: kiln-switchd)\n"
           "  -T, --timeout=SECS   give up after SECS seconds\n"
           "  -h, --help           show this help\n"
           "COMMAND list-commands lists a daemon's commands.\n",
           program_name(), program_name());
    exit(0);
}

static noreturn void
fatal(const char *fmt, ...) PRINTF_FORMAT(1, 2);

static void
fatal(const char *fmt, ...)
{
    va_list args;
    fprintf(stderr, "%s: ", program_name());
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    exit(1);
}

/* Returns the control socket path for 'target' (caller frees). */
static char *
target_to_socket(const char *target)
{
    if (strchr(target, '/')) {
        return xstrdup(target);
    }
    char *pidfile = xasprintf("%s/%s.pid", daemon_rundir(), target);
    size_t size;
    char *contents = read_whole_file(pidfile, &size);
    if (!contents) {
        fatal("cannot read pidfile \"%s\" (%s)", pidfile, strerror(errno));
    }
    long pid = strtol(contents, NULL, 10);
    if (pid <= 0) {
        fatal("pidfile \"%s\" holds no pid", pidfile);
    }
    free(contents);
    free(pidfile);
    return xasprintf("%s/%s.%ld.ctl", daemon_rundir(), target, pid);
}

static int
connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sun.sun_path) {
        fatal("%s: socket path too long", path);
    }
    strcpy(sun.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
        fatal("cannot connect to \"%s\" (%s)", path, strerror(errno));
    }
    return fd;
}

static void
keep_reply(struct jsonrpc_msg *msg, void *replyp_)
{
    struct jsonrpc_msg **replyp = replyp_;
    if (!*replyp) {
        *replyp = msg;
    } else {
        jsonrpc_msg_destroy(msg);
    }
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        { "target", required_argument, NULL, 't' },
        { "timeout", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *target = "kiln-switchd";
    int timeout_ms = -1;

    util_set_program_name(argv[0]);
    for (;;) {
        int c = getopt_long(argc, argv, "+t:T:h", options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 't':
            target = optarg;
            break;
        case 'T':
            timeout_ms = atoi(optarg) * 1000;
            break;
        case 'h':
            usage();
        default:
            exit(1);
        }
    }
    if (optind >= argc) {
        fatal("at least one non-option argument is required "
              "(use --help for help)");
    }

    char *path = target_to_socket(target);
    int fd = connect_unix(path);

    struct json *params = json_array_create_empty();
    for (int i = optind + 1; i < argc; i++) {
        json_array_add(params, json_string_create(argv[i]));
    }
    struct jsonrpc_msg *request = jsonrpc_msg_create_request(
        argv[optind], params, json_integer_create(0));
    struct ds out = DS_EMPTY_INITIALIZER;
    jsonrpc_msg_to_ds(request, &out);
    jsonrpc_msg_destroy(request);
    for (size_t done = 0; done < out.length;) {
        ssize_t n = write(fd, out.string + done, out.length - done);
        if (n < 0 && errno != EINTR) {
            fatal("%s: write failed (%s)", path, strerror(errno));
        }
        done += n > 0 ? n : 0;
    }
    ds_uninit(&out);

    struct jsonrpc_parser parser;
    struct jsonrpc_msg *reply = NULL;
    struct ds in = DS_EMPTY_INITIALIZER;
    jsonrpc_parser_init(&parser);
    while (!reply) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0) {
            fatal("%s: timed out waiting for a reply", path);
        } else if (r < 0) {
            continue;
        }
        ds_reserve(&in, in.length + 65536);
        ssize_t n = read(fd, in.string + in.length, 65536);
        if (n <= 0) {
            fatal("%s: connection closed before a reply (%s)", path,
                  n ? strerror(errno) : "end of file");
        }
        in.length += n;
        in.string[in.length] = '\0';
        char *error;
        if (jsonrpc_parser_run(&parser, &in, keep_reply, &reply, &error)) {
            fatal("%s: bad reply (%s)", path, error);
        }
    }
    close(fd);
    ds_uninit(&in);
    free(path);

    int status = 0;
    if (reply->type == JSONRPC_ERROR) {
        const struct json *e = reply->error;
        fputs(e->type == JSON_STRING ? json_string(e) : "error", stderr);
        if (e->type != JSON_STRING) {
            char *s = json_to_string(e, 0);
            fprintf(stderr, ": %s\n", s);
            free(s);
        }
        fputs("\n", stderr);
        status = 2;
    } else if (reply->type == JSONRPC_REPLY) {
        if (reply->result->type == JSON_STRING) {
            fputs(json_string(reply->result), stdout);
        } else {
            char *s = json_to_string(reply->result, 0);
            puts(s);
            free(s);
        }
    } else {
        fatal("unexpected %s from daemon",
              jsonrpc_msg_type_to_string(reply->type));
    }
    jsonrpc_msg_destroy(reply);
    return status;
}
