/* Allocation, assertions and time: the helpers under everything else. */
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *prog_name = "kiln";

void
util_abort(const char *file, int line, const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "%s: %s:%d: ", prog_name, file, line);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

static noreturn void
out_of_memory(void)
{
    util_abort(__FILE__, __LINE__, "virtual memory exhausted");
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xzalloc(size_t size)
{
    return xcalloc(1, size);
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        out_of_memory();
    }
    return p;
}

void *
xmemdup(const void *p, size_t size)
{
    void *q = xmalloc(size);
    memcpy(q, p, size);
    return q;
}

char *
xmemdup0(const char *p, size_t length)
{
    char *q = xmalloc(length + 1);
    memcpy(q, p, length);
    q[length] = '\0';
    return q;
}

char *
xstrdup(const char *s)
{
    return xmemdup0(s, strlen(s));
}

char *
xasprintf(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    if (vasprintf(&s, fmt, args) < 0) {
        out_of_memory();
    }
    va_end(args);
    return s;
}

/* Grows array 'p' of '*n' elements of 'size' bytes each, doubling it, and
 * returns the new array; updates '*n'. */
void *
x2nrealloc(void *p, size_t *n, size_t size)
{
    *n = *n ? *n * 2 : MAX(4, 64 / (size ? size : 1));
    return xrealloc(p, *n * size);
}

long long
time_wall_msec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long
time_msec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

const char *
program_name(void)
{
    return prog_name;
}

void
util_set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    prog_name = slash ? slash + 1 : argv0;
}

char *
read_whole_file(const char *path, size_t *sizep)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }

    size_t allocated = 4096, size = 0;
    char *buf = xmalloc(allocated);
    for (;;) {
        if (size + 1 >= allocated) {
            allocated *= 2;
            buf = xrealloc(buf, allocated);
        }
        ssize_t n = read(fd, buf + size, allocated - size - 1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            free(buf);
            close(fd);
            errno = err;
            return NULL;
        }
        if (n == 0) {
            break;
        }
        size += n;
    }
    close(fd);
    buf[size] = '\0';
    if (sizep) {
        *sizep = size;
    }
    return buf;
}
