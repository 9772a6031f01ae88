/*
 * jsonw.c - compact JSON out of jansson trees, as json_dumps writes it (see
 * fitcheck/jsonw.h), into a growing buffer or straight into a SHA-256.
 *
 * json_dumps spends most of its time outside the text: for every array and
 * object it formats the container's address with snprintf and inserts it in
 * a hashtable (its cycle check), and it hands every token to a callback that
 * appends it to a string buffer. Here a token is a memcpy into the buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitcheck/jsonw.h"

void fc_jw_init(fc_jw *w)
{
    w->buf = NULL;
    w->len = w->cap = 0;
    w->sha = NULL;
    w->failed = 0;
}

void fc_jw_init_digest(fc_jw *w, fc_sha256 *sha)
{
    fc_jw_init(w);
    w->sha = sha;
}

/* Room for n more bytes in a buffer writer; 0, or -1 (and failed) when out of memory. */
static int reserve(fc_jw *w, size_t n)
{
    size_t cap;
    char *grown;

    if (w->len + n + 1 <= w->cap)
        return 0;
    cap = w->cap ? w->cap : 1024;
    while (cap < w->len + n + 1) {
        if (cap > ((size_t)-1) / 2) {
            w->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    grown = realloc(w->buf, cap);
    if (grown == NULL) {
        w->failed = 1;
        return -1;
    }
    w->buf = grown;
    w->cap = cap;
    return 0;
}

void fc_jw_raw(fc_jw *w, const char *text, size_t len)
{
    if (w->failed || len == 0)
        return;
    if (w->sha != NULL) {
        if (w->len + len > sizeof(w->small)) {
            fc_sha256_update(w->sha, w->small, w->len);
            w->len = 0;
            if (len > sizeof(w->small)) {
                fc_sha256_update(w->sha, text, len);
                return;
            }
        }
        memcpy(w->small + w->len, text, len);
        w->len += len;
        return;
    }
    if (reserve(w, len) != 0)
        return;
    memcpy(w->buf + w->len, text, len);
    w->len += len;
}

void fc_jw_cstr(fc_jw *w, const char *text)
{
    fc_jw_raw(w, text, strlen(text));
}

/* jansson's escapes: '"', '\\', and code points below 0x20 (short forms where JSON has them). */
void fc_jw_string(fc_jw *w, const char *text, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)text, *run = s, *end = s + len;
    char esc[6];

    fc_jw_raw(w, "\"", 1);
    for (; s < end; s++) {
        size_t n = 2;

        if (*s >= 0x20 && *s != '"' && *s != '\\')
            continue;
        fc_jw_raw(w, (const char *)run, (size_t)(s - run));
        run = s + 1;
        esc[0] = '\\';
        switch (*s) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[*s >> 4];
            esc[5] = hex[*s & 0xF];
            n = 6;
        }
        fc_jw_raw(w, esc, n);
    }
    fc_jw_raw(w, (const char *)run, (size_t)(end - run));
    fc_jw_raw(w, "\"", 1);
}

void fc_jw_int(fc_jw *w, long long value)
{
    char digits[24], *p = digits + sizeof(digits);
    unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (value < 0)
        *--p = '-';
    fc_jw_raw(w, p, (size_t)(digits + sizeof(digits) - p));
}

/* jansson's jsonp_dtostr without dtoa (Debian's build): "%.17g", a ".0" when it reads as an
 * integer, the exponent without '+' or leading zeros. */
static void write_real(fc_jw *w, double value)
{
    char text[40], *start, *end;
    int n = snprintf(text, sizeof(text), "%.17g", value);
    size_t len;

    if (n < 0 || (size_t)n >= sizeof(text) - 3) {
        w->failed = 1;
        return;
    }
    len = (size_t)n;
    if (strchr(text, '.') == NULL && strchr(text, 'e') == NULL) {
        memcpy(text + len, ".0", 3);
        len += 2;
    }
    start = strchr(text, 'e');
    if (start != NULL) {
        start++;
        end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - text) + 1);
            len -= (size_t)(end - start);
        }
    }
    fc_jw_raw(w, text, len);
}

typedef struct key_ref {
    const char *key;
    size_t len;
} key_ref;

static int key_less(const key_ref *a, const key_ref *b)
{
    int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);

    return c < 0 || (c == 0 && a->len < b->len);
}

static int key_cmp(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;

    return key_less(x, y) ? -1 : key_less(y, x) ? 1 : 0;
}

/* A member whose value is written from text instead (fc_jw_object_splice), or none. */
typedef struct splice {
    const char *key, *raw;
    size_t key_len, raw_len;
} splice;

static void write_member(fc_jw *w, const char *key, size_t len, const json_t *value, unsigned flags,
                         const splice *sp)
{
    fc_jw_string(w, key, len);
    fc_jw_raw(w, ":", 1);
    if (sp != NULL && sp->key_len == len && memcmp(sp->key, key, len) == 0)
        fc_jw_raw(w, sp->raw, sp->raw_len);
    else
        fc_jw_value(w, value, flags);
}

static void write_object(fc_jw *w, const json_t *object, unsigned flags, const splice *sp)
{
    key_ref stack[32], *keys = stack;
    size_t n = json_object_size(object), i = 0, j;
    void *iter = json_object_iter((json_t *)object);

    if (!(flags & FC_JW_SORT_KEYS) || n < 2) {
        fc_jw_raw(w, "{", 1);
        for (; iter != NULL; iter = json_object_iter_next((json_t *)object, iter), i++) {
            if (i > 0)
                fc_jw_raw(w, ",", 1);
            write_member(w, json_object_iter_key(iter), json_object_iter_key_len(iter),
                         json_object_iter_value(iter), flags, sp);
        }
        fc_jw_raw(w, "}", 1);
        return;
    }
    if (n > sizeof(stack) / sizeof(stack[0])) {
        keys = malloc(n * sizeof(*keys));
        if (keys == NULL) {
            w->failed = 1;
            return;
        }
    }
    for (; iter != NULL && i < n; iter = json_object_iter_next((json_t *)object, iter), i++) {
        keys[i].key = json_object_iter_key(iter);
        keys[i].len = json_object_iter_key_len(iter);
    }
    if (n <= 16) { /* insertion sort: report and request objects have a handful of keys */
        for (i = 1; i < n; i++) {
            key_ref k = keys[i];

            for (j = i; j > 0 && key_less(&k, &keys[j - 1]); j--)
                keys[j] = keys[j - 1];
            keys[j] = k;
        }
    } else {
        qsort(keys, n, sizeof(*keys), key_cmp);
    }
    fc_jw_raw(w, "{", 1);
    for (i = 0; i < n; i++) {
        if (i > 0)
            fc_jw_raw(w, ",", 1);
        write_member(w, keys[i].key, keys[i].len, json_object_getn(object, keys[i].key, keys[i].len), flags, sp);
    }
    fc_jw_raw(w, "}", 1);
    if (keys != stack)
        free(keys);
}

void fc_jw_value(fc_jw *w, const json_t *value, unsigned flags)
{
    size_t i, n;

    if (value == NULL) {
        w->failed = 1;
        return;
    }
    switch (json_typeof(value)) {
    case JSON_NULL:
        fc_jw_raw(w, "null", 4);
        break;
    case JSON_TRUE:
        fc_jw_raw(w, "true", 4);
        break;
    case JSON_FALSE:
        fc_jw_raw(w, "false", 5);
        break;
    case JSON_INTEGER:
        fc_jw_int(w, (long long)json_integer_value(value));
        break;
    case JSON_REAL:
        write_real(w, json_real_value(value));
        break;
    case JSON_STRING:
        fc_jw_string(w, json_string_value(value), json_string_length(value));
        break;
    case JSON_ARRAY:
        n = json_array_size(value);
        fc_jw_raw(w, "[", 1);
        for (i = 0; i < n; i++) {
            if (i > 0)
                fc_jw_raw(w, ",", 1);
            fc_jw_value(w, json_array_get(value, i), flags);
        }
        fc_jw_raw(w, "]", 1);
        break;
    case JSON_OBJECT:
        write_object(w, value, flags, NULL);
        break;
    default:
        w->failed = 1;
    }
}

void fc_jw_object_splice(fc_jw *w, const json_t *object, unsigned flags, const char *key, const char *raw,
                         size_t raw_len)
{
    splice sp = {key, raw, strlen(key), raw_len};

    if (!json_is_object(object)) {
        w->failed = 1;
        return;
    }
    write_object(w, object, flags, &sp);
}

char *fc_jw_finish(fc_jw *w, size_t *len)
{
    if (!w->failed && w->sha == NULL && reserve(w, 0) == 0) {
        w->buf[w->len] = '\0';
        if (len != NULL)
            *len = w->len;
        return w->buf;
    }
    free(w->buf);
    w->buf = NULL;
    return NULL;
}

int fc_jw_finish_digest(fc_jw *w)
{
    if (w->sha == NULL || w->failed)
        return -1;
    fc_sha256_update(w->sha, w->small, w->len);
    w->len = 0;
    return 0;
}

char *fc_json_dump(const json_t *value, unsigned flags, size_t *len)
{
    fc_jw w;

    fc_jw_init(&w);
    fc_jw_value(&w, value, flags);
    return fc_jw_finish(&w, len);
}
