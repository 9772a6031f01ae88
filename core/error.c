/*
 * error.c - filling the caller-owned fc_error record, and the core allocator.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/error.h"

void fc_error_init(fc_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
    err->code = FC_OK;
}

fc_status fc_error_set(fc_error *err, fc_status code, const char *path, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof(err->text), fmt, ap);
    va_end(ap);
    fc_utf8_sanitize(err->path);
    fc_utf8_sanitize(err->text);
    return code;
}

void fc_pointer_join(char *out, size_t size, const char *base, const char *token)
{
    size_t used;
    const char *p;

    if (size == 0)
        return;
    used = (size_t)snprintf(out, size, "%s/", base);
    if (used >= size) {
        out[size - 1] = '\0';
        return;
    }
    for (p = token; *p != '\0' && used + 2 < size; p++) {
        if (*p == '~' || *p == '/') {
            out[used++] = '~';
            out[used++] = *p == '~' ? '0' : '1';
        } else {
            out[used++] = *p;
        }
    }
    out[used] = '\0';
}

/* Length of the well-formed UTF-8 sequence at p (at most avail bytes), 0 when there is none. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
    size_t k;

    if (n == 0 || n > avail || (n == 2 && *p < 0xc2) || (n == 4 && *p > 0xf4))
        return 0;
    for (k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    }
    if (n == 3 && ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90)))
        return 0;
    return n;
}

char *fc_utf8_sanitize(char *s)
{
    unsigned char *p = (unsigned char *)s;
    size_t left = strlen(s);

    while (*p != '\0') {
        size_t n = utf8_seq(p, left);

        if (n == 0) {
            size_t need = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC2 ? 2 : 0;
            size_t k = 1;

            /* a character cut in two by a bounded copy: drop its head */
            while (k < left && (p[k] & 0xC0) == 0x80)
                k++;
            if (need > left && k == left && *p <= 0xF4) {
                *p = '\0';
                break;
            }
            *p++ = '?';
            left--;
            continue;
        }
        p += n;
        left -= n;
    }
    return s;
}

int fc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;

    while (n > 0) {
        size_t k = *p == '\0' ? 0 : utf8_seq(p, n);

        if (k == 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

const char *fc_status_name(fc_status code)
{
    static const char *const names[] = {
        [FC_OK] = "ok",
        [FC_ERR_INVALID] = "invalid",
        [FC_ERR_JSON] = "json",
        [FC_ERR_UNSUPPORTED] = "unsupported",
        [FC_ERR_NOMEM] = "nomem",
        [FC_ERR_INTERNAL] = "internal",
    };
    if ((unsigned)code < sizeof(names) / sizeof(names[0]) && names[code] != NULL)
        return names[code];
    return "unknown";
}

/* ---- allocator ---------------------------------------------------------- */

static fc_malloc_fn alloc_malloc = malloc;
static fc_free_fn alloc_free = free;

void fc_set_alloc_funcs(fc_malloc_fn malloc_fn, fc_free_fn free_fn)
{
    alloc_malloc = malloc_fn ? malloc_fn : malloc;
    alloc_free = free_fn ? free_fn : free;
}

void *fc_malloc(size_t size)
{
    return alloc_malloc(size ? size : 1);
}

void *fc_calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    p = fc_malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

char *fc_strdup(const char *s)
{
    size_t len;
    char *copy;

    if (s == NULL)
        return NULL;
    len = strlen(s);
    copy = fc_malloc(len + 1);
    if (copy != NULL)
        memcpy(copy, s, len + 1);
    return copy;
}

void fc_free(void *ptr)
{
    if (ptr != NULL)
        alloc_free(ptr);
}
