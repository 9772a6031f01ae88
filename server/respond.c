/*
 * respond.c - building and queueing libmicrohttpd responses.
 *
 * Memory mode: every body is handed to libmicrohttpd with
 * MHD_RESPMEM_MUST_COPY (it copies before we return), so our buffers stay
 * ours and are freed here, whatever happens to the response.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitcheck/error.h"
#include "fitcheck/jsonw.h"
#include "fitcheck/sha256.h"
#include "guard.h"
#include "respond.h"

/* Queues body with the given Cache-Control and the name/value pairs of ap. */
static enum MHD_Result queue(fc_req *r, unsigned status, const char *content_type, const char *body, size_t len,
                             const char *cache_control, va_list ap)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    const char *name;

    resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    if (content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);

        if (value != NULL)
            MHD_add_response_header(resp, name, value);
    }
    ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES) {
        r->status = status;
        /* answered at the first call and no body comes (the final call marks the others; a body still on
         * its way keeps its deadline) */
        if (!r->body_expected && !r->body_done)
            fc_guard_answering(r->app->guard, r->conn);
    }
    return ret;
}

enum MHD_Result fc_respond_bytes(fc_req *r, unsigned status, const char *content_type, const char *body,
                                 size_t len, ...)
{
    enum MHD_Result ret;
    va_list ap;

    va_start(ap, len);
    ret = queue(r, status, content_type, body, len, "no-store", ap);
    va_end(ap);
    return ret;
}

static enum MHD_Result queue_cacheable(fc_req *r, unsigned status, const char *content_type, const char *body,
                                       size_t len, ...)
{
    enum MHD_Result ret;
    va_list ap;

    va_start(ap, len);
    ret = queue(r, status, content_type, body, len, "private, no-cache", ap);
    va_end(ap);
    return ret;
}

/*
 * 1 when an If-None-Match value names etag (RFC 9110 13.1.2: "*", or a list
 * of entity tags compared weakly, so W/"x" matches "x").
 */
static int none_match(const char *header, const char *etag)
{
    const char *p = header;
    size_t n = strlen(etag);

    while (p != NULL && *p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return 1;
        p = strchr(p, ',');
    }
    return 0;
}

enum MHD_Result fc_respond_cacheable(fc_req *r, const char *content_type, const char *body, size_t len,
                                     const char *etag)
{
    char made[2 + 64 + 1];
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);

    if (etag == NULL) {
        char hex[65];

        fc_sha256_hex(body, len, hex);
        snprintf(made, sizeof(made), "\"%.40s\"", hex);
        etag = made;
    }
    if (inm != NULL && none_match(inm, etag))
        /* (libmicrohttpd 0.9.75 writes "Content-Length: 0" on it; clients ignore it on a 304) */
        return queue_cacheable(r, MHD_HTTP_NOT_MODIFIED, NULL, "", 0, MHD_HTTP_HEADER_ETAG, etag,
                               MHD_HTTP_HEADER_VARY, "Authorization", NULL);
    return queue_cacheable(r, MHD_HTTP_OK, content_type, body, len, MHD_HTTP_HEADER_ETAG, etag,
                           MHD_HTTP_HEADER_VARY, "Authorization", NULL);
}

enum MHD_Result fc_respond_json(fc_req *r, unsigned status, json_t *body, const char *location)
{
    size_t len = 0;
    char *text = body ? fc_json_dump(body, 0, &len) : NULL;
    enum MHD_Result ret;

    json_decref(body);
    if (text == NULL) {
        static const char oom[] = "{\"type\":\"/problems/internal\",\"title\":\"Internal error\",\"status\":500,"
                                  "\"detail\":\"out of memory while writing the response\"}";
        return fc_respond_bytes(r, 500, "application/problem+json", oom, sizeof(oom) - 1, NULL);
    }
    ret = fc_respond_bytes(r, status, "application/json", text, len, MHD_HTTP_HEADER_LOCATION, location,
                           NULL);
    free(text);
    return ret;
}

static enum MHD_Result problem(fc_req *r, unsigned status, const char *type, const char *title, const char *detail,
                               json_t *ext, const char *header, const char *value)
{
    char clean[1024];
    json_t *body;
    enum MHD_Result ret;
    size_t len = 0;
    char *text;

    /* Details quote user input (names, keys); jansson refuses invalid
     * UTF-8, so repair a bounded copy rather than lose the whole body. */
    snprintf(clean, sizeof(clean), "%s", detail ? detail : title);
    fc_utf8_sanitize(clean);
    body = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", (int)status, "detail", clean);
    if (body != NULL && ext != NULL)
        json_object_update(body, ext);
    json_decref(ext);
    text = body ? fc_json_dump(body, 0, &len) : NULL;
    json_decref(body);
    if (text == NULL) {
        char fallback[160];
        int n = snprintf(fallback, sizeof(fallback),
                         "{\"type\":\"/problems/internal\",\"title\":\"Internal error\",\"status\":%u,"
                         "\"detail\":\"the error description could not be encoded\"}",
                         status);

        return fc_respond_bytes(r, status, "application/problem+json", fallback, (size_t)n, NULL);
    }
    ret = fc_respond_bytes(r, status, "application/problem+json", text, len, header, value, NULL);
    free(text);
    return ret;
}

enum MHD_Result fc_respond_problem(fc_req *r, unsigned status, const char *type, const char *title,
                                   const char *detail, json_t *ext, const char *allow)
{
    return problem(r, status, type, title, detail, ext, MHD_HTTP_HEADER_ALLOW, allow);
}

enum MHD_Result fc_respond_problem_with(fc_req *r, unsigned status, const char *type, const char *title,
                                        const char *detail, json_t *ext, const char *header, const char *value)
{
    return problem(r, status, type, title, detail, ext, header, value);
}
