/*
 * respond.h - queueing responses on a request: JSON, text, and RFC 9457
 * problem details. Every response of the server goes through here.
 */
#ifndef FITCHECK_RESPOND_H
#define FITCHECK_RESPOND_H

#include <jansson.h>

#include "app.h"

/* Problem types (RFC 9457 "type" members), relative to the service root. */
#define FC_PROBLEM_INVALID_JSON "/problems/invalid-json"
#define FC_PROBLEM_INVALID_REQUEST "/problems/invalid-request"
#define FC_PROBLEM_INVALID_PARAMETER "/problems/invalid-parameter"
#define FC_PROBLEM_NOT_FOUND "/problems/not-found"
#define FC_PROBLEM_METHOD_NOT_ALLOWED "/problems/method-not-allowed"
#define FC_PROBLEM_TOO_LARGE "/problems/payload-too-large"
#define FC_PROBLEM_MEDIA_TYPE "/problems/unsupported-media-type"
#define FC_PROBLEM_INTERNAL "/problems/internal"
#define FC_PROBLEM_UNAVAILABLE "/problems/unavailable"
#define FC_PROBLEM_UNAUTHORIZED "/problems/unauthorized"
#define FC_PROBLEM_FORBIDDEN "/problems/forbidden"
#define FC_PROBLEM_RATE_LIMITED "/problems/rate-limited"

/*
 * Queues a response whose body is copied from body[0..len). content_type may
 * be NULL. Extra headers come as name/value pairs ending with NULL.
 * Returns libmicrohttpd's result; records the status on r.
 */
enum MHD_Result fc_respond_bytes(fc_req *r, unsigned status, const char *content_type, const char *body,
                                 size_t len, ...);

/*
 * Queues a 200 with a strong ETag (etag, quoted; NULL: from the body's
 * SHA-256), Cache-Control "private, no-cache" and Vary: Authorization, or a
 * 304 without a body when the request's If-None-Match names that tag. For
 * the GETs a dashboard polls: the body is built either way (it is what the
 * tag is made of), but an unchanged page costs no transfer.
 */
enum MHD_Result fc_respond_cacheable(fc_req *r, const char *content_type, const char *body, size_t len,
                                     const char *etag);

/*
 * Queues a JSON response. Steals the reference to body (it is released even
 * on failure). location, when non-NULL, becomes the Location header.
 */
enum MHD_Result fc_respond_json(fc_req *r, unsigned status, json_t *body, const char *location);

/*
 * Queues an application/problem+json response {type, title, status, detail}
 * plus the members of ext (stolen; may be NULL). allow, when non-NULL, is
 * sent as the Allow header (405).
 */
enum MHD_Result fc_respond_problem(fc_req *r, unsigned status, const char *type, const char *title,
                                   const char *detail, json_t *ext, const char *allow);

/* fc_respond_problem with one more header (name and value; value NULL: none), e.g. WWW-Authenticate or
 * Retry-After. */
enum MHD_Result fc_respond_problem_with(fc_req *r, unsigned status, const char *type, const char *title,
                                        const char *detail, json_t *ext, const char *header, const char *value);

#endif
