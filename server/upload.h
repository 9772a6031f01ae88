/*
 * upload.h - request bodies other than plain JSON, turned into the same JSON
 * request the core reads:
 *
 *   - multipart/form-data, read as it streams in: a "request" part (the JSON
 *     request), a "model" part (a .keras file or a model JSON), and NumPy
 *     .npy parts named x, y, x.<input>, y.<output>, validation.x,
 *     validation.y, validation.x.<input>, validation.y.<output>. Each .npy
 *     part is scanned chunk by chunk (server/npy.h) and becomes a tensor
 *     header {shape, dtype, stats} under data.x, data.y or data.validation;
 *     the .npy bytes are never buffered;
 *   - a bare model file as application/octet-stream (buffered in r->body).
 *
 * Limits: the whole multipart body is bounded by app->max_upload, the
 * request and model parts together by app->max_body, and a multipart body
 * without .npy parts by app->max_body as a whole.
 */
#ifndef FITCHECK_UPLOAD_H
#define FITCHECK_UPLOAD_H

#include <jansson.h>

#include "app.h"

typedef enum fc_upload_status {
    FC_UPLOAD_OK = 0,
    FC_UPLOAD_INVALID,   /* 400: msg and pointer say what */
    FC_UPLOAD_TOO_LARGE, /* 413: past --max-body or --max-upload, or an archive inflates past --max-body */
    FC_UPLOAD_NOMEM      /* 500 */
} fc_upload_status;

/* A multipart/form-data body being read; see fc_upload_begin. */
typedef struct fc_upload fc_upload;

/* 1 when the Content-Type names multipart/form-data (leading spaces and parameters allowed). */
int fc_upload_is_multipart(const char *content_type);

/*
 * Starts reading r's multipart/form-data body: call before the first chunk
 * arrives. NULL only when out of memory. A Content-Type without a boundary
 * is not refused here: it is recorded and reported by fc_upload_request.
 * The caller owns the result (fc_upload_free); it borrows r, r->conn and
 * r->app for its lifetime.
 */
fc_upload *fc_upload_begin(fc_req *r);

/*
 * Reads the next chunk of the body: parts are split as the bytes come,
 * .npy parts scanned, the request and model parts copied. Cannot fail: the
 * first failure (malformed body or part, a limit passed, out of memory) is
 * kept for fc_upload_request, and later bytes are only counted.
 */
void fc_upload_feed(fc_upload *u, const char *data, size_t size);

/* 1 while nothing has gone wrong reading the body (0 once a failure is kept). */
int fc_upload_ok(const fc_upload *u);

/* Frees u and everything it owns. u may be NULL. */
void fc_upload_free(fc_upload *u);

/*
 * Builds the JSON request from r's body according to its Content-Type:
 * application/json and application/octet-stream from the buffered r->body,
 * multipart/form-data from what r->upload read (the whole body must have
 * been fed). On FC_UPLOAD_OK *out is a new reference. On failure msg holds
 * a sentence and pointer the JSON pointer (starting with '/', or "") or the
 * name of the part at fault; for malformed JSON *line / *column are set
 * (else 0).
 */
fc_upload_status fc_upload_request(fc_req *r, json_t **out, char *msg, size_t msg_size, char *pointer,
                                   size_t pointer_size, int *line, int *column);

#endif
