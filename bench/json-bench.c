/* json-bench: lib/json's parser and printer against jansson's, on
 * OVSDB-shaped messages.
 *
 * DESIGN.md lets Kiln keep its own JSON code on the database's hot path only
 * while a benchmark shows the library to be slower; this is that benchmark.
 * Three inputs, each the text of real OVSDB traffic:
 *
 *   bulk     one transact request inserting 10,000 Logical_Switch_Port rows
 *            and the Logical_Switch that holds them (ovsdb_bench.py "bulk")
 *   update   one update2 notification with 1,000 Logical_Switch_Port rows
 *            with the columns a CMS typically fills
 *   small    10,000 single-row transact requests (ovsdb_bench.py "seq"),
 *            each parsed or printed as a message of its own
 *
 * For each, "parse" turns every message's text into a complete in-memory
 * value and frees it; "print" turns a value (parsed beforehand, untimed) into
 * a compact, null-terminated string and frees it.  Both libraries get the
 * same bytes and do the same work: before timing, each must print back
 * exactly the text it parsed.  Rounds alternate between the libraries and
 * the best round of each counts, which filters out noise from other work on
 * the machine.  Prints MB/s (of JSON text) and messages/s, and their ratio
 * (lib/json / jansson: above 1 means lib/json is faster). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/json-bench-jansson.h"
#include "lib/ds.h"
#include "lib/json.h"
#include "lib/util.h"

/* One benchmark input: 'n_msgs' messages back to back in 'text'. */
struct input {
    const char *name;           /* Short name, e.g. "bulk". */
    const char *what;           /* Description for the table. */
    char *text;                 /* The messages; owned. */
    size_t size;                /* Bytes in 'text'. */
    size_t *offsets;            /* 'n_msgs' + 1 message starts; owned. */
    size_t n_msgs;              /* Number of messages. */
    size_t allocated;           /* Capacity of 'offsets'. */
};

/* The libraries compared. */
enum lib {
    LIB_KILN,
    LIB_JANSSON,
    N_LIBS
};

static const char *const lib_names[N_LIBS] = { "lib/json", "jansson" };

/* The operations timed. */
enum op {
    OP_PARSE,
    OP_PRINT,
    N_OPS
};

static const char *const op_names[N_OPS] = { "parse", "print" };

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Inputs. */

/* Ends the message that started at the previous offset. */
static void
input_end_msg(struct input *in, const struct ds *text)
{
    if (in->n_msgs + 2 > in->allocated) {
        in->offsets = x2nrealloc(in->offsets, &in->allocated,
                                 sizeof *in->offsets);
    }
    in->offsets[++in->n_msgs] = text->length;
}

static void
input_init(struct input *in, const char *name, const char *what)
{
    memset(in, 0, sizeof *in);
    in->name = name;
    in->what = what;
    in->allocated = 2;
    in->offsets = xcalloc(in->allocated, sizeof *in->offsets);
}

static void
input_finish(struct input *in, struct ds *text)
{
    in->size = text->length;
    in->text = ds_steal_cstr(text);
}

/* The request of ovsdb_bench.py's "bulk" test, byte for byte. */
static void
make_bulk(struct input *in, int n)
{
    struct ds t = DS_EMPTY_INITIALIZER;

    input_init(in, "bulk", "transact: 10,000-row insert");
    ds_put_cstr(&t, "{\"method\":\"transact\",\"id\":1,"
                "\"params\":[\"OVN_Northbound\"");
    for (int i = 0; i < n; i++) {
        ds_put_format(&t, ",{\"op\":\"insert\",\"table\":"
                      "\"Logical_Switch_Port\",\"uuid-name\":\"p%d\","
                      "\"row\":{\"name\":\"bbulk0-lsp-%d\",\"addresses\":"
                      "\"0a:00:%02x:%02x:%02x:%02x 10.%d.%d.%d\"}}", i, i,
                      (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255,
                      i & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255);
    }
    ds_put_cstr(&t, ",{\"op\":\"insert\",\"table\":\"Logical_Switch\","
                "\"row\":{\"name\":\"bbulk0-ls\",\"ports\":[\"set\",[");
    for (int i = 0; i < n; i++) {
        ds_put_format(&t, "%s[\"named-uuid\",\"p%d\"]", i ? "," : "", i);
    }
    ds_put_cstr(&t, "]]}}]}");
    input_end_msg(in, &t);
    input_finish(in, &t);
}

static void
put_uuid(struct ds *t, unsigned int kind, unsigned int i)
{
    ds_put_format(t, "%08x-%04x-4%03x-8%03x-%012x", i * 2654435761u, kind,
                  i & 0xfff, (i >> 12) & 0xfff, i * 40503u + kind);
}

/* An update2 notification (ovsdb-server(7)) inserting 'n' ports with the
 * columns a CMS typically sets; columns at their defaults are absent, as
 * in update2. */
static void
make_update(struct input *in, int n)
{
    struct ds t = DS_EMPTY_INITIALIZER;

    input_init(in, "update", "update2: 1,000 port rows");
    ds_put_cstr(&t, "{\"method\":\"update2\",\"params\":[[\"bench-mon\",0,"
                "0],{\"Logical_Switch_Port\":{");
    for (int i = 0; i < n; i++) {
        int a = (i >> 8) & 255, b = i & 255;
        ds_put_format(&t, "%s\"", i ? "," : "");
        put_uuid(&t, 1, i);
        ds_put_cstr(&t, "\":{\"insert\":{\"name\":\"");
        put_uuid(&t, 2, i);
        ds_put_format(&t, "\",\"addresses\":\"fa:16:3e:00:%02x:%02x "
                      "10.1.%d.%d\",\"port_security\":\"fa:16:3e:00:%02x:"
                      "%02x 10.1.%d.%d\",\"up\":true,\"enabled\":true,"
                      "\"tag\":%d,\"options\":[\"map\",[[\"requested-"
                      "chassis\",\"hv-%d\"]]],\"external_ids\":[\"map\",[["
                      "\"neutron:cidrs\",\"10.1.%d.%d/16\"],[\"neutron:"
                      "device_id\",\"", a, b, a, b, a, b, a, b,
                      1 + i % 4094, i % 64, a, b);
        put_uuid(&t, 3, i);
        ds_put_format(&t, "\"],[\"neutron:device_owner\",\"compute:nova\"],"
                      "[\"neutron:port_name\",\"port-%d\"],[\"neutron:"
                      "revision_number\",\"%d\"]]],\"dynamic_addresses\":"
                      "[\"set\",[]],\"ha_chassis_group\":[\"uuid\",\"",
                      i, 2 + i % 7);
        put_uuid(&t, 4, i % 16);
        ds_put_cstr(&t, "\"]}}");
    }
    ds_put_cstr(&t, "}}],\"id\":null}");
    input_end_msg(in, &t);
    input_finish(in, &t);
}

/* The requests of ovsdb_bench.py's "seq" test, byte for byte. */
static void
make_small(struct input *in, int n)
{
    struct ds t = DS_EMPTY_INITIALIZER;

    input_init(in, "small", "10,000 single-row transacts");
    for (int i = 0; i < n; i++) {
        ds_put_format(&t, "{\"method\":\"transact\",\"id\":%d,\"params\":"
                      "[\"OVN_Northbound\",{\"op\":\"insert\",\"table\":"
                      "\"Logical_Switch\",\"row\":{\"name\":\"bseq0-%d\"}}]}",
                      i + 1, i);
        input_end_msg(in, &t);
    }
    input_finish(in, &t);
}

static void
input_uninit(struct input *in)
{
    free(in->text);
    free(in->offsets);
}

/* The libraries behind one interface. */

static void *
lib_parse(enum lib lib, const char *s, size_t size)
{
    if (lib == LIB_JANSSON) {
        return jansson_bench_parse(s, size);
    }
    struct json *json;
    char *error = json_from_buffer(s, size, &json);
    if (error) {
        fprintf(stderr, "lib/json: %s\n", error);
        free(error);
    }
    return json;
}

static char *
lib_print(enum lib lib, const void *value)
{
    return (lib == LIB_JANSSON
            ? jansson_bench_print(value)
            : json_to_string(value, 0));
}

static void
lib_free(enum lib lib, void *value)
{
    if (lib == LIB_JANSSON) {
        jansson_bench_free(value);
    } else {
        json_unref(value);
    }
}

/* Parses every message of 'in' with 'lib' into 'values' (n_msgs entries)
 * and checks that printing each gives back its text exactly.  Returns false
 * with a message if not. */
static bool
check_round_trip(enum lib lib, const struct input *in, void **values)
{
    for (size_t i = 0; i < in->n_msgs; i++) {
        const char *msg = in->text + in->offsets[i];
        size_t size = in->offsets[i + 1] - in->offsets[i];
        values[i] = lib_parse(lib, msg, size);
        if (!values[i]) {
            fprintf(stderr, "json-bench: %s cannot parse %s message %zu\n",
                    lib_names[lib], in->name, i);
            return false;
        }
        char *s = lib_print(lib, values[i]);
        bool same = s && strlen(s) == size && !memcmp(s, msg, size);
        free(s);
        if (!same) {
            fprintf(stderr, "json-bench: %s prints %s message %zu "
                    "differently from its input\n", lib_names[lib],
                    in->name, i);
            return false;
        }
    }
    return true;
}

/* Runs 'op' with 'lib' over all of 'in', 'iterations' times; returns the
 * seconds taken.  OP_PRINT prints 'values' (parsed from 'in' by 'lib'). */
static double
run_op(enum lib lib, enum op op, const struct input *in, void **values,
       long iterations)
{
    double t0 = now_s();
    for (long k = 0; k < iterations; k++) {
        for (size_t i = 0; i < in->n_msgs; i++) {
            if (op == OP_PARSE) {
                void *v = lib_parse(lib, in->text + in->offsets[i],
                                    in->offsets[i + 1] - in->offsets[i]);
                if (!v) {
                    exit(1);
                }
                lib_free(lib, v);
            } else {
                free(lib_print(lib, values[i]));
            }
        }
    }
    return now_s() - t0;
}

/* Benchmark configuration. */
struct config {
    int rounds;                 /* Timed rounds per library and case. */
    double round_s;             /* Target length of one round. */
};

/* Times 'op' on 'in' for both libraries; stores the best seconds per
 * iteration of each in 'best'. */
static void
bench_case(const struct config *cfg, const struct input *in, enum op op,
           void **values[N_LIBS], double best[N_LIBS])
{
    /* Calibrate on the slower library so that both run the same count. */
    double once = 0;
    for (int lib = 0; lib < N_LIBS; lib++) {
        once = MAX(once, run_op(lib, op, in, values[lib], 1));
    }
    long iterations = MAX(1, (long) (cfg->round_s / MAX(once, 1e-6)));

    for (int lib = 0; lib < N_LIBS; lib++) {
        best[lib] = 1e99;
    }
    for (int r = 0; r < cfg->rounds; r++) {
        for (int k = 0; k < N_LIBS; k++) {
            /* Alternate which library goes first. */
            enum lib lib = (r % 2) ? N_LIBS - 1 - k : k;
            double t = run_op(lib, op, in, values[lib], iterations);
            best[lib] = MIN(best[lib], t / iterations);
        }
    }
}

static void
print_row(const struct input *in, enum op op, const double best[N_LIBS])
{
    double mbs[N_LIBS], mps[N_LIBS];
    for (int lib = 0; lib < N_LIBS; lib++) {
        mbs[lib] = in->size / best[lib] / 1e6;
        mps[lib] = in->n_msgs / best[lib];
    }
    printf("%-28s %8.2f %6zu  %-5s %9.1f %9.1f %11.0f %11.0f %6.2fx\n",
           in->what, in->size / 1e6, in->n_msgs, op_names[op],
           mbs[LIB_KILN], mbs[LIB_JANSSON], mps[LIB_KILN], mps[LIB_JANSSON],
           best[LIB_JANSSON] / best[LIB_KILN]);
}

static noreturn void
usage(void)
{
    printf("usage: json-bench [--quick] [--rounds N] [--round-time S]\n"
           "Compares lib/json with jansson on OVSDB-shaped messages; "
           "prints MB/s and\nmessages/s of each and lib/json's speed-up "
           "(above 1: lib/json is faster).\n");
    exit(0);
}

static void
parse_options(int argc, char *argv[], struct config *cfg)
{
    static const struct option longopts[] = {
        { "quick", no_argument, NULL, 'q' },
        { "rounds", required_argument, NULL, 'r' },
        { "round-time", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config) { .rounds = 5, .round_s = 0.2 };
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            cfg->rounds = 2;
            cfg->round_s = 0.02;
            break;
        case 'r':
            cfg->rounds = atoi(optarg);
            break;
        case 't':
            cfg->round_s = atof(optarg);
            break;
        case 'h':
            usage();
        default:
            exit(2);
        }
    }
    if (optind != argc || cfg->rounds < 1 || cfg->round_s <= 0) {
        fprintf(stderr, "json-bench: bad arguments (--help for usage)\n");
        exit(2);
    }
}

int
main(int argc, char *argv[])
{
    struct config cfg;
    struct input inputs[3];

    util_set_program_name(argv[0]);
    parse_options(argc, argv, &cfg);
    make_bulk(&inputs[0], 10000);
    make_update(&inputs[1], 1000);
    make_small(&inputs[2], 10000);

    printf("json-bench: lib/json vs jansson %s, best of %d rounds of "
           "~%.2f s; ratio = lib/json speed / jansson speed\n",
           jansson_bench_version(), cfg.rounds, cfg.round_s);
    printf("%-28s %8s %6s  %-5s %9s %9s %11s %11s %7s\n", "input", "MB",
           "msgs", "op", "kiln MB/s", "jans MB/s", "kiln msg/s",
           "jans msg/s", "ratio");

    int status = 0;
    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
        struct input *in = &inputs[i];
        void **values[N_LIBS];
        bool ok = true;
        for (int lib = 0; lib < N_LIBS; lib++) {
            values[lib] = xcalloc(in->n_msgs, sizeof *values[lib]);
            ok = check_round_trip(lib, in, values[lib]) && ok;
        }
        if (ok) {
            for (int op = 0; op < N_OPS; op++) {
                double best[N_LIBS];
                bench_case(&cfg, in, op, values, best);
                print_row(in, op, best);
                fflush(stdout);
            }
        } else {
            status = 1;
        }
        for (int lib = 0; lib < N_LIBS; lib++) {
            for (size_t k = 0; k < in->n_msgs; k++) {
                if (values[lib][k]) {
                    lib_free(lib, values[lib][k]);
                }
            }
            free(values[lib]);
        }
        input_uninit(in);
    }
    return status;
}
