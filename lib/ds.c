/* Growable strings. */
#include "lib/ds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ds_init(struct ds *ds)
{
    ds->string = NULL;
    ds->length = ds->allocated = 0;
}

void
ds_uninit(struct ds *ds)
{
    free(ds->string);
    ds_init(ds);
}

void
ds_clear(struct ds *ds)
{
    ds->length = 0;
    if (ds->string) {
        ds->string[0] = '\0';
    }
}

void
ds_reserve(struct ds *ds, size_t min_length)
{
    if (min_length > ds->allocated || !ds->string) {
        size_t n = MAX(min_length, ds->allocated * 2);
        n = MAX(n, 32);
        ds->string = xrealloc(ds->string, n + 1);
        ds->allocated = n;
        ds->string[ds->length] = '\0';
    }
}

/* Appends 'n' bytes of unspecified content and returns a pointer to them. */
char *
ds_put_uninit(struct ds *ds, size_t n)
{
    ds_reserve(ds, ds->length + n);
    char *p = &ds->string[ds->length];
    ds->length += n;
    ds->string[ds->length] = '\0';
    return p;
}

void
ds_put_char(struct ds *ds, char c)
{
    if (LIKELY(ds->length < ds->allocated)) {
        ds->string[ds->length++] = c;
        ds->string[ds->length] = '\0';
    } else {
        *ds_put_uninit(ds, 1) = c;
    }
}

void
ds_put_buffer(struct ds *ds, const char *s, size_t n)
{
    memcpy(ds_put_uninit(ds, n), s, n);
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buffer(ds, s, strlen(s));
}

void
ds_put_char_multiple(struct ds *ds, char c, size_t n)
{
    memset(ds_put_uninit(ds, n), c, n);
}

void
ds_put_format(struct ds *ds, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    ds_put_format_valist(ds, fmt, args);
    va_end(args);
}

void
ds_put_format_valist(struct ds *ds, const char *fmt, va_list args_)
{
    va_list args;
    size_t avail = ds->string ? ds->allocated - ds->length + 1 : 0;

    va_copy(args, args_);
    int needed = vsnprintf(avail ? &ds->string[ds->length] : NULL, avail,
                           fmt, args);
    va_end(args);
    if (needed < 0) {
        return;
    }
    if ((size_t) needed < avail) {
        ds->length += needed;
        return;
    }
    ds_reserve(ds, ds->length + needed);
    va_copy(args, args_);
    vsnprintf(&ds->string[ds->length], needed + 1, fmt, args);
    va_end(args);
    ds->length += needed;
}

void
ds_truncate(struct ds *ds, size_t new_length)
{
    if (ds->length > new_length) {
        ds->length = new_length;
        ds->string[new_length] = '\0';
    }
}

/* Removes trailing 'c's. */
void
ds_chomp(struct ds *ds, int c)
{
    while (ds->length > 0 && ds->string[ds->length - 1] == (char) c) {
        ds->string[--ds->length] = '\0';
    }
}

/* Returns the string, valid until the next change to 'ds'. */
const char *
ds_cstr(struct ds *ds)
{
    if (!ds->string) {
        ds_reserve(ds, 0);
    }
    return ds->string;
}

/* Returns the string, which the caller must free, and reinitializes 'ds'. */
char *
ds_steal_cstr(struct ds *ds)
{
    ds_cstr(ds);
    char *s = ds->string;
    ds_init(ds);
    return s;
}
