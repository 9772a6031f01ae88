/*
 * error.h - status codes and the caller-owned error record of the fitcheck core.
 *
 * Errors are not findings: an error means the core could not do its job
 * (malformed request, out of memory); a finding is a verdict about the
 * user's model and data and goes in the report.
 */
#ifndef FITCHECK_ERROR_H
#define FITCHECK_ERROR_H

#include <stddef.h>

typedef enum fc_status {
    FC_OK = 0,
    FC_ERR_INVALID,     /* the request does not have the documented shape */
    FC_ERR_JSON,        /* text that should hold JSON does not parse */
    FC_ERR_UNSUPPORTED, /* well-formed, but a kind of input the core cannot read */
    FC_ERR_NOMEM,       /* an allocation failed */
    FC_ERR_INTERNAL     /* a bug: an invariant did not hold */
} fc_status;

/*
 * Details of a failure, filled by the function that failed. Fixed buffers so
 * that reporting never allocates; every function taking an fc_error * accepts
 * NULL for "not interested".
 */
typedef struct fc_error {
    fc_status code;  /* FC_OK until something fails */
    char path[512];  /* JSON pointer into the request, e.g. "/data/x/shape/1" */
    char text[256];  /* one human sentence, no trailing newline */
    int line;        /* for FC_ERR_JSON: 1-based line in the text, else 0 */
    int column;      /* for FC_ERR_JSON: 1-based column, else 0 */
} fc_error;

/* Resets err to FC_OK with empty path and text. err may be NULL. */
void fc_error_init(fc_error *err);

/*
 * Records a failure: code, the JSON pointer path (may be NULL for "") and a
 * printf-style text. Texts and paths too long are truncated, never overflowed.
 * Returns code, so callers can write `return fc_error_set(err, ...)`.
 * err may be NULL, in which case only code is returned.
 */
fc_status fc_error_set(fc_error *err, fc_status code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Writes base + "/" + token into out as a JSON pointer (RFC 6901), escaping
 * '~' as "~0" and '/' as "~1" in token. Always NUL-terminates out; a pointer
 * too long for out is truncated.
 */
void fc_pointer_join(char *out, size_t size, const char *base, const char *token);

/*
 * Makes s well-formed UTF-8 in place: a character cut short at the end of
 * s is dropped, and every other byte that is not part of a well-formed
 * sequence becomes '?'. Fixed buffers cut long texts at a byte limit,
 * possibly inside a character, and everything reported goes into JSON,
 * which must be valid UTF-8. Returns s.
 */
char *fc_utf8_sanitize(char *s);

/* 1 when the n bytes at s are well-formed UTF-8 (and hold no NUL), else 0. */
int fc_utf8_valid(const char *s, size_t n);

/* A short stable name for a status ("ok", "invalid", ...). Never NULL. */
const char *fc_status_name(fc_status code);

#endif
