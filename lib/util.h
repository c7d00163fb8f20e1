/* Small helpers every Kiln module uses: allocation that aborts on failure,
 * assertions that stay on in release builds, and a few macros. */
#ifndef LIB_UTIL_H
#define LIB_UTIL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define PRINTF_FORMAT(FMT, ARG0) __attribute__((__format__(printf, FMT, ARG0)))
#define WARN_UNUSED_RESULT __attribute__((__warn_unused_result__))
#define LIKELY(X) __builtin_expect(!!(X), 1)
#define UNLIKELY(X) __builtin_expect(!!(X), 0)

#define ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])
/* <sys/param.h> (pulled in by uv.h) may define these the same way. */
#ifndef MIN
#define MIN(A, B) ((A) < (B) ? (A) : (B))
#endif
#ifndef MAX
#define MAX(A, B) ((A) > (B) ? (A) : (B))
#endif

/* Given 'POINTER' to member 'MEMBER' of a struct of type 'STRUCT', returns
 * the struct. */
#define CONTAINER_OF(POINTER, STRUCT, MEMBER)                           \
    ((STRUCT *) (void *) ((char *) (POINTER) - offsetof(STRUCT, MEMBER)))

/* Like CONTAINER_OF, but typed after the variable 'OBJECT' so that loops can
 * be written without naming the struct. */
#define OBJECT_CONTAINING(POINTER, OBJECT, MEMBER)                      \
    ((__typeof__(OBJECT)) (void *)                                      \
     ((char *) (POINTER) - offsetof(__typeof__(*(OBJECT)), MEMBER)))

noreturn void util_abort(const char *file, int line, const char *fmt, ...)
    PRINTF_FORMAT(3, 4);

#define ASSERT(COND)                                                    \
    (LIKELY(COND) ? (void) 0                                            \
     : util_abort(__FILE__, __LINE__, "assertion %s failed", #COND))
#define NOT_REACHED() util_abort(__FILE__, __LINE__, "unreachable code")

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xmemdup(const void *p, size_t size);
char *xstrdup(const char *s);
char *xmemdup0(const char *p, size_t length);
char *xasprintf(const char *fmt, ...) PRINTF_FORMAT(1, 2);
void *x2nrealloc(void *p, size_t *n, size_t size);

/* Wall-clock and monotonic time in milliseconds. */
long long time_wall_msec(void);
long long time_msec(void);

/* Returns a static string naming the program (set by util_set_program_name). */
const char *program_name(void);
void util_set_program_name(const char *argv0);

/* Reads a whole file into a null-terminated, allocated string.  Returns NULL
 * and sets errno on failure. */
char *read_whole_file(const char *path, size_t *sizep);

#endif /* lib/util.h */
