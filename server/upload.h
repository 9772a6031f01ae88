/*
 * upload.h - request bodies other than plain JSON: multipart/form-data with
 * a "request" part (the JSON request) and a "model" part (a .keras file or a
 * model JSON), or a bare model file as application/octet-stream. Both are
 * turned into the same JSON request the core reads.
 */
#ifndef FITCHECK_UPLOAD_H
#define FITCHECK_UPLOAD_H

#include <jansson.h>

#include "app.h"

typedef enum fc_upload_status {
    FC_UPLOAD_OK = 0,
    FC_UPLOAD_INVALID,   /* 400: msg and pointer say what */
    FC_UPLOAD_TOO_LARGE, /* 413: an archive inflates past the body limit */
    FC_UPLOAD_NOMEM      /* 500 */
} fc_upload_status;

/*
 * Builds the JSON request from r's buffered body according to its
 * Content-Type (application/json, multipart/form-data or
 * application/octet-stream). On FC_UPLOAD_OK *out is a new reference. On
 * failure msg holds a sentence and pointer the JSON pointer (or part name)
 * at fault; for malformed JSON *line / *column are set (else 0).
 */
fc_upload_status fc_upload_request(fc_req *r, json_t **out, char *msg, size_t msg_size, char *pointer,
                                   size_t pointer_size, int *line, int *column);

#endif
