/*
 * fitcheck/jsonw.h: a JSON writer for trees built with jansson, byte for byte
 * what json_dumps(value, JSON_COMPACT [| JSON_SORT_KEYS]) writes with
 * Debian's jansson 2.14, without its per-container loop check (a snprintf of
 * the pointer and a hashtable insert for every array and object) and its
 * callback per token. Reports, list pages and request digests are written
 * with it on every request.
 *
 * The trees it writes must be acyclic (everything fitcheck builds is); a cycle
 * is not detected. Strings are written as jansson holds them (it validated
 * their UTF-8 when they were made): '"', '\\' and control characters are
 * escaped exactly as jansson escapes them, nothing else is.
 */
#ifndef FITCHECK_JSONW_H
#define FITCHECK_JSONW_H

#include <stddef.h>

#include <jansson.h>

#include "fitcheck/sha256.h"

/* Write object keys sorted bytewise (JSON_SORT_KEYS's order). */
#define FC_JW_SORT_KEYS 0x1

/*
 * A writer: either a growing heap buffer, or a SHA-256 it feeds through a
 * small buffer of its own. The fields are private to jsonw.c.
 */
typedef struct fc_jw {
    char *buf;        /* heap buffer (buffer writers), else NULL */
    size_t len, cap;  /* bytes written / allocated (buffer); pending bytes in small (digest) */
    fc_sha256 *sha;   /* digest writers: the hash fed, else NULL */
    int failed;       /* out of memory, or a value that cannot be written */
    char small[1024]; /* digest writers: bytes not yet hashed */
} fc_jw;

/* Starts a writer into a heap buffer. w must be non-NULL. Cannot fail. */
void fc_jw_init(fc_jw *w);

/*
 * Starts a writer that hashes what it is given into *sha (initialised by the
 * caller) instead of keeping it. Cannot fail.
 */
void fc_jw_init_digest(fc_jw *w, fc_sha256 *sha);

/* Appends len bytes as they are. */
void fc_jw_raw(fc_jw *w, const char *text, size_t len);

/* Appends a NUL-terminated text as it is. */
void fc_jw_cstr(fc_jw *w, const char *text);

/* Appends a JSON string literal of len bytes of (valid UTF-8) text, escaped as jansson does. */
void fc_jw_string(fc_jw *w, const char *text, size_t len);

/* Appends a decimal integer. */
void fc_jw_int(fc_jw *w, long long value);

/* Appends value in compact form (flags: FC_JW_SORT_KEYS or 0). A NULL value marks the writer failed. */
void fc_jw_value(fc_jw *w, const json_t *value, unsigned flags);

/*
 * Appends object like fc_jw_value, except that the value of its top-level
 * member key (when it has one) is raw_len bytes of raw, written as they are:
 * JSON text the caller already wrote the same way (a cached model's
 * canonical text). A non-object marks the writer failed.
 */
void fc_jw_object_splice(fc_jw *w, const json_t *object, unsigned flags, const char *key, const char *raw,
                         size_t raw_len);

/*
 * Ends a buffer writer: returns the NUL-terminated text (the caller frees it)
 * and its length in *len when len is non-NULL, or NULL when anything failed
 * (then there is nothing to free). Not for digest writers.
 */
char *fc_jw_finish(fc_jw *w, size_t *len);

/* Ends a digest writer: flushes what is pending into its hash. Returns 0, or -1 when anything failed. */
int fc_jw_finish_digest(fc_jw *w);

/*
 * json_dumps(value, JSON_COMPACT | (flags & FC_JW_SORT_KEYS ? JSON_SORT_KEYS : 0)
 * | JSON_ENCODE_ANY), faster: malloc'd text (the caller frees it), its length
 * in *len when len is non-NULL; NULL when out of memory or value is NULL.
 */
char *fc_json_dump(const json_t *value, unsigned flags, size_t *len);

#endif /* FITCHECK_JSONW_H */
