/* idl-load: the initial load of a northbound replica through ovsdb/idl,
 * beside the same load through python3-openvswitch's IDL (ovs.db.idl).
 *
 *     idl-load --remote REMOTE [--ports 20000] [--per-switch 100]
 *              [--reps 3] [--python SCRIPT]
 *
 * REMOTE is a server (kiln-db or ovsdb-server) serving OVN_Northbound.  If
 * its database has no Logical_Switch_Port, idl-load first creates --ports
 * ports, --per-switch to a switch, in ONE transaction through the IDL (and
 * prints how long the commit took); a database that already has exactly
 * that many is used as it is.  Then, --reps times and alternating, it
 * runs one load in a fresh process each (so peak RSS is the load's own):
 * itself with --load-only, and SCRIPT (bench/idl-load.py) under
 * /usr/bin/python3.  Each load replicates every column of Logical_Switch
 * and Logical_Switch_Port from the creation of the IDL to the end of the
 * initial sync.  It prints the medians and their ratio (Python / Kiln, so
 * above 1 means Kiln is better):
 *
 *     idl initial load: 20000 ports, 20200 rows, unix:/tmp/x/db.sock
 *     metric                    python ovs.db.idl     kiln idl     ratio
 *     load time s                           4.100        0.150    27.33x
 *     peak RSS MiB                          180.0         40.0     4.50x
 *
 *     idl-load --load-only --remote REMOTE
 *
 * does one load and prints "SECONDS PEAK_RSS_KIB ROWS". */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "lib/util.h"
#include "lib/uuid.h"
#include "ovsdb/idl.h"

#ifndef IDL_LOAD_PY
#define IDL_LOAD_PY "bench/idl-load.py"
#endif

#define DB "OVN_Northbound"

/* Command-line options. */
struct options {
    const char *remote;         /* Server. */
    int ports;                  /* Ports to create in an empty database. */
    int per_switch;             /* Ports per switch. */
    int reps;                   /* Loads of each kind. */
    const char *python;         /* The Python loader. */
    bool load_only;             /* Just one load. */
};

/* One load's figures. */
struct load {
    double seconds;             /* Creation to end of initial sync. */
    long rss_kib;               /* Peak RSS of the loading process. */
    long rows;                  /* Rows replicated. */
};

static noreturn void fatal(const char *fmt, ...) PRINTF_FORMAT(1, 2);

static void
fatal(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "idl-load: ");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Returns an IDL on 'loop' replicating every column of the two tables. */
static struct idl *
make_idl(uv_loop_t *loop, const char *remote, struct idl_table **ls,
         struct idl_table **lsp)
{
    struct idl *idl = idl_create(loop, remote, DB);
    idl_set_probe_interval(idl, 0);
    *ls = idl_add_table(idl, "Logical_Switch");
    idl_add_all_columns(*ls);
    *lsp = idl_add_table(idl, "Logical_Switch_Port");
    idl_add_all_columns(*lsp);
    return idl;
}

static void
load_only(const struct options *opts)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct idl_table *ls, *lsp;
    double start = now_seconds();
    struct idl *idl = make_idl(&loop, opts->remote, &ls, &lsp);
    int error = idl_wait_synced(idl, 600 * 1000);
    if (error) {
        fatal("%s: %s", opts->remote, idl_get_last_error(idl)
              ? idl_get_last_error(idl) : strerror(-error));
    }
    double seconds = now_seconds() - start;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%.3f %ld %zu\n", seconds, ru.ru_maxrss,
           idl_table_count(ls) + idl_table_count(lsp));
    fflush(stdout);
    _exit(0);                   /* The kernel frees it all. */
}

/* Creates 'opts->ports' ports in one transaction if the database has
 * none.  Returns the number of rows the loads will replicate. */
static long
populate(const struct options *opts)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct idl_table *ls, *lsp;
    struct idl *idl = make_idl(&loop, opts->remote, &ls, &lsp);
    if (idl_wait_synced(idl, 60 * 1000)) {
        fatal("%s: cannot sync: %s", opts->remote,
              idl_get_last_error(idl) ? idl_get_last_error(idl) : "?");
    }
    size_t n = idl_table_count(lsp);
    if (n && n != (size_t) opts->ports) {
        fatal("the database has %zu ports, not 0 or %d", n, opts->ports);
    }
    if (!n) {
        const struct idl_column *ls_name = idl_table_find_column(ls, "name");
        const struct idl_column *ls_ports = idl_table_find_column(ls,
                                                                  "ports");
        const struct idl_column *name = idl_table_find_column(lsp, "name");
        const struct idl_column *addresses = idl_table_find_column(
            lsp, "addresses");
        const struct idl_column *ids = idl_table_find_column(
            lsp, "external_ids");
        struct idl_txn *txn = idl_txn_create(idl);
        const struct idl_row *sw = NULL;
        for (int i = 0; i < opts->ports; i++) {
            char s[128];
            if (i % opts->per_switch == 0) {
                sw = idl_txn_insert(txn, ls);
                snprintf(s, sizeof s, "sw%d", i / opts->per_switch);
                idl_txn_set_string(txn, sw, ls_name, s);
            }
            const struct idl_row *port = idl_txn_insert(txn, lsp);
            snprintf(s, sizeof s, "lsp%d", i);
            idl_txn_set_string(txn, port, name, s);
            idl_txn_map_set_string(txn, port, ids, "neutron:port_name", s);
            snprintf(s, sizeof s, "0a:00:%02x:%02x:%02x:%02x 10.%d.%d.%d",
                     (i >> 24) & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff,
                     i & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
            union atom addr = { .string = s };
            idl_txn_add_to_set(txn, port, addresses, &addr);
            union atom ref = { .uuid = *idl_row_uuid(port) };
            idl_txn_add_to_set(txn, sw, ls_ports, &ref);
        }
        double start = now_seconds();
        enum idl_txn_status status = idl_txn_commit_block(txn);
        if (status != IDL_TXN_SUCCESS) {
            fatal("populating: %s: %s", idl_txn_status_to_string(status),
                  idl_txn_get_error(txn) ? idl_txn_get_error(txn) : "");
        }
        printf("created %d ports on %d switches in one transaction: "
               "%.3f s\n", opts->ports,
               (opts->ports + opts->per_switch - 1) / opts->per_switch,
               now_seconds() - start);
        idl_txn_destroy(txn);
    }
    long rows = idl_table_count(ls) + idl_table_count(lsp);
    idl_destroy(idl);
    uv_run(&loop, UV_RUN_NOWAIT);
    return rows;
}

/* Runs 'argv' and parses its "SECONDS RSS ROWS" line. */
static struct load
run_load(char *const argv[])
{
    int fds[2];
    if (pipe(fds)) {
        fatal("pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        fatal("fork: %s", strerror(errno));
    } else if (!pid) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "idl-load: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    struct load load;
    int n = fscanf(f, "%lf %ld %ld", &load.seconds, &load.rss_kib,
                   &load.rows);
    fclose(f);
    int status;
    waitpid(pid, &status, 0);
    if (n != 3 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fatal("%s failed", argv[0]);
    }
    return load;
}

static int
compare_doubles(const void *a_, const void *b_)
{
    double a = *(const double *) a_, b = *(const double *) b_;
    return a < b ? -1 : a > b;
}

static double
median(double *v, int n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
usage(void)
{
    printf("usage: idl-load --remote REMOTE [--ports N] [--per-switch N] "
           "[--reps N] [--python SCRIPT]\n"
           "       idl-load --load-only --remote REMOTE\n");
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"remote", required_argument, NULL, 'r'},
        {"ports", required_argument, NULL, 'n'},
        {"per-switch", required_argument, NULL, 's'},
        {"reps", required_argument, NULL, 'R'},
        {"python", required_argument, NULL, 'p'},
        {"load-only", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct options opts = {
        .ports = 20000, .per_switch = 100, .reps = 3, .python = IDL_LOAD_PY,
    };
    for (;;) {
        int c = getopt_long(argc, argv, "", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'r': opts.remote = optarg; break;
        case 'n': opts.ports = atoi(optarg); break;
        case 's': opts.per_switch = MAX(atoi(optarg), 1); break;
        case 'R': opts.reps = MAX(atoi(optarg), 1); break;
        case 'p': opts.python = optarg; break;
        case 'l': opts.load_only = true; break;
        case 'h': usage(); exit(EXIT_SUCCESS);
        default: exit(EXIT_FAILURE);
        }
    }
    if (!opts.remote) {
        usage();
        exit(EXIT_FAILURE);
    }
    if (opts.load_only) {
        load_only(&opts);
    }

    long rows = populate(&opts);
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0) {
        fatal("/proc/self/exe: %s", strerror(errno));
    }
    self[len] = '\0';
    char *kiln_argv[] = { self, "--load-only", "--remote",
                          (char *) opts.remote, NULL };
    char *py_argv[] = { "/usr/bin/python3", (char *) opts.python,
                        "--remote", (char *) opts.remote, NULL };

    double *k_time = xcalloc(opts.reps, sizeof *k_time);
    double *k_rss = xcalloc(opts.reps, sizeof *k_rss);
    double *p_time = xcalloc(opts.reps, sizeof *p_time);
    double *p_rss = xcalloc(opts.reps, sizeof *p_rss);
    for (int i = 0; i < opts.reps; i++) {
        /* Alternate which goes first. */
        for (int j = 0; j < 2; j++) {
            bool kiln = (i + j) % 2 == 0;
            struct load l = run_load(kiln ? kiln_argv : py_argv);
            if (l.rows != rows) {
                fatal("%s loaded %ld rows, expected %ld",
                      kiln ? "kiln idl" : "python idl", l.rows, rows);
            }
            (kiln ? k_time : p_time)[i] = l.seconds;
            (kiln ? k_rss : p_rss)[i] = l.rss_kib / 1024.0;
        }
    }
    double kt = median(k_time, opts.reps), kr = median(k_rss, opts.reps);
    double pt = median(p_time, opts.reps), pr = median(p_rss, opts.reps);
    printf("idl initial load: %d ports, %ld rows, %s (median of %d)\n",
           opts.ports, rows, opts.remote, opts.reps);
    printf("%-20s %20s %12s %9s\n", "metric", "python ovs.db.idl",
           "kiln idl", "ratio");
    printf("%-20s %20.3f %12.3f %8.2fx\n", "load time s", pt, kt, pt / kt);
    printf("%-20s %20.1f %12.1f %8.2fx\n", "peak RSS MiB", pr, kr, pr / kr);
    free(k_time);
    free(k_rss);
    free(p_time);
    free(p_rss);
    return 0;
}
