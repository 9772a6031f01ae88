/*
 * http.c - the request lifecycle on libmicrohttpd: context per request,
 * the body as it arrives (JSON and octet-stream bodies accumulated under
 * --max-body; multipart bodies handed chunk by chunk to server/upload.c,
 * under --max-upload, so .npy parts are never held whole), the body's
 * SHA-256, routing, the access log and metrics at completion, and the
 * daemon's start and graceful stop.
 */
#include <arpa/inet.h>
#include <sys/select.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fitcheck/error.h"
#include "fitcheck/jsonw.h"
#include "guard.h"
#include "http.h"
#include "ids.h"
#include "respond.h"
#include "routes.h"
#include "upload.h"

int64_t fc_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void fc_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

void fc_deadline_ms(struct timespec *until, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, until);
    until->tv_sec += ms / 1000;
    until->tv_nsec += (ms % 1000) * 1000000L;
    if (until->tv_nsec >= 1000000000L) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000L;
    }
}

/* 1 when ct is one of types (parameters such as charset allowed). */
static int content_type_in(const char *ct, const char *const *types)
{
    size_t i, n;

    if (ct == NULL)
        return 0;
    while (*ct == ' ')
        ct++;
    for (i = 0; types[i] != NULL; i++) {
        n = strlen(types[i]);
        if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

static const char *const default_types[] = {"application/json", "multipart/form-data", "application/octet-stream",
                                            NULL};

/* Appends upload data, or marks the body too large and drops it. */
static int body_append(fc_req *r, const char *data, size_t size)
{
    if (r->body_too_large || r->body_len + size > r->app->max_body) {
        r->body_too_large = 1;
        return 0;
    }
    if (r->body_len + size + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        char *grown;

        while (cap < r->body_len + size + 1)
            cap *= 2;
        grown = realloc(r->body, cap);
        if (grown == NULL)
            return -1;
        r->body = grown;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, size);
    r->body_len += size;
    r->body[r->body_len] = '\0';
    return 0;
}

static enum MHD_Result too_large(fc_req *r)
{
    char detail[160];

    snprintf(detail, sizeof(detail), "the request body is larger than the --max-body limit of %zu bytes",
             r->app->max_body);
    return fc_respond_problem(r, MHD_HTTP_CONTENT_TOO_LARGE, FC_PROBLEM_TOO_LARGE, "Payload too large", detail,
                              NULL, NULL);
}

/* A declared Content-Length past the limit for this kind of body: 413 before reading it. */
static enum MHD_Result declared_too_large(fc_req *r, int multipart)
{
    char detail[160];

    if (!multipart)
        return too_large(r);
    snprintf(detail, sizeof(detail), "the multipart body is larger than the --max-upload limit of %llu bytes",
             (unsigned long long)r->app->max_upload);
    return fc_respond_problem(r, MHD_HTTP_CONTENT_TOO_LARGE, FC_PROBLEM_TOO_LARGE, "Payload too large", detail,
                              NULL, NULL);
}

/* The answer to a request its key does not let through (see auth.h). */
static enum MHD_Result refuse(fc_req *r, fc_auth_result why, unsigned retry_after)
{
    const fc_auth_config *cfg = fc_auth_config_of(r->app->auth);
    char detail[256], retry[24];

    snprintf(retry, sizeof(retry), "%u", retry_after > 0 ? retry_after : 1);
    switch (why) {
    case FC_AUTH_MISSING:
        return fc_respond_problem_with(r, MHD_HTTP_UNAUTHORIZED, FC_PROBLEM_UNAUTHORIZED, "Unauthorized",
                                       "this endpoint needs an API key: send Authorization: Bearer <key> (an "
                                       "administrator makes one with fitcheckd keys create)",
                                       NULL, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"fitcheck\"");
    case FC_AUTH_INVALID:
        return fc_respond_problem_with(r, MHD_HTTP_UNAUTHORIZED, FC_PROBLEM_UNAUTHORIZED, "Unauthorized",
                                       "the API key is not valid: unknown, revoked, or mistyped", NULL,
                                       MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                       "Bearer realm=\"fitcheck\", error=\"invalid_token\"");
    case FC_AUTH_FORBIDDEN:
        return fc_respond_problem(r, MHD_HTTP_FORBIDDEN, FC_PROBLEM_FORBIDDEN, "Forbidden",
                                  r->route->need == FC_NEED_ADMIN
                                      ? "this endpoint needs an admin key (fitcheckd keys create --admin)"
                                      : "an admin key reads /metrics only: use a team's key",
                                  NULL, NULL);
    case FC_AUTH_RATE_LIMITED:
        snprintf(detail, sizeof(detail),
                 "this key sent more than %g requests per second (bursts of %g); retry in %s s", cfg->rate,
                 cfg->burst, retry);
        return fc_respond_problem_with(r, MHD_HTTP_TOO_MANY_REQUESTS, FC_PROBLEM_RATE_LIMITED, "Too many requests",
                                       detail, NULL, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    case FC_AUTH_BUSY:
        snprintf(detail, sizeof(detail), "this key already has %u request bodies in flight, its limit; retry when "
                 "one is answered", cfg->inflight);
        return fc_respond_problem_with(r, MHD_HTTP_TOO_MANY_REQUESTS, FC_PROBLEM_RATE_LIMITED, "Too many requests",
                                       detail, NULL, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    case FC_AUTH_UNAVAILABLE:
    default:
        return fc_respond_problem_with(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                       "the key store did not answer", NULL, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    }
}

/* Checks made before any body is read: route, method, the caller's key, content type, declared length. */
static enum MHD_Result first_call(fc_req *r, int *answered)
{
    char allow[64];
    const char *ct, *cl;
    int multipart;

    *answered = 1;
    switch (fc_route_find(r, allow, sizeof(allow))) {
    case FC_ROUTE_NO_PATH:
        return fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found",
                                  "no resource at this path", NULL, NULL);
    case FC_ROUTE_NO_METHOD:
        return fc_respond_problem(r, MHD_HTTP_METHOD_NOT_ALLOWED, FC_PROBLEM_METHOD_NOT_ALLOWED,
                                  "Method not allowed", "this path does not accept this method", NULL, allow);
    case FC_ROUTE_FOUND:
        break;
    }
    {
        unsigned retry_after = 0;
        fc_auth_result why = fc_auth_check(
            r->app->auth, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
            r->route->need, r->route->takes_body, fc_now_us() / 1000, &r->who, &retry_after);

        if (why != FC_AUTH_OK)
            return refuse(r, why, retry_after);
    }
    if (r->route->takes_body) {
        ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!content_type_in(ct, r->route->accepts ? r->route->accepts : default_types))
            return fc_respond_problem(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, FC_PROBLEM_MEDIA_TYPE,
                                      "Unsupported media type",
                                      r->route->accepts ? "send application/json, or the text as text/plain"
                                                        : "send application/json, multipart/form-data (parts "
                                                          "'request', 'model' and .npy arrays), or a model file as "
                                                          "application/octet-stream",
                                      NULL, NULL);
        multipart = r->route->accepts == NULL && fc_upload_is_multipart(ct);
        cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > (multipart ? r->app->max_upload : (uint64_t)r->app->max_body))
            return declared_too_large(r, multipart);
        if (multipart) {
            r->upload = fc_upload_begin(r);
            if (r->upload == NULL)
                return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                          "out of memory starting to read the upload", NULL, NULL);
        }
    }
    *answered = 0;
    return MHD_YES;
}

/* The headers announce a body: a Content-Length other than 0, or a Transfer-Encoding (chunked). */
static int announces_body(struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

    return (cl != NULL && strspn(cl, "0") != strlen(cl)) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    fc_req *r = *con_cls;
    int answered;
    enum MHD_Result ret;

    (void)version;
    if (r == NULL) {
        r = calloc(1, sizeof(*r));
        if (r == NULL)
            return MHD_NO;
        r->app = cls;
        r->conn = conn;
        r->method = method;
        r->path = url;
        r->start_us = fc_now_us();
        r->body_expected = announces_body(conn);
        *con_cls = r;
        atomic_fetch_add(&r->app->in_flight, 1);
        fc_guard_headers_done(r->app->guard, conn);
        ret = first_call(r, &answered);
        return ret;
    }
    fc_guard_body(r->app->guard, conn, *upload_data_size);
    if (*upload_data_size == 0) {
        r->body_done = 1;
        if (r->status == 0)
            fc_guard_answering(r->app->guard, conn);
    }
    if (r->status != 0) {
        *upload_data_size = 0; /* answered early: drop whatever body follows */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (r->upload != NULL)
            fc_upload_feed(r->upload, upload_data, *upload_data_size);
        else if (r->route->takes_body && body_append(r, upload_data, *upload_data_size) != 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->body_too_large)
        return too_large(r);
    return r->route->handler(r);
}

/* One JSON access-log line per request on stderr, written in one call. */
static void log_request(const fc_req *r, int64_t duration_us)
{
    char when[32], path[512];
    struct timespec ts;
    fc_jw w;
    char *text;
    size_t len;

    clock_gettime(CLOCK_REALTIME, &ts);
    fc_format_time_ms((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, when);
    fc_jw_init(&w);
    fc_jw_cstr(&w, "{\"time\":");
    fc_jw_string(&w, when, strlen(when));
    fc_jw_cstr(&w, ",\"method\":");
    fc_jw_string(&w, r->method, strlen(r->method));
    fc_jw_cstr(&w, ",\"path\":");
    snprintf(path, sizeof(path), "%s", r->path); /* a URL's bytes need not be UTF-8 */
    fc_utf8_sanitize(path);
    fc_jw_string(&w, path, strlen(path));
    fc_jw_cstr(&w, ",\"status\":");
    fc_jw_int(&w, (long long)r->status);
    fc_jw_cstr(&w, ",\"duration_us\":");
    fc_jw_int(&w, (long long)duration_us);
    if (r->report_id[0]) {
        fc_jw_cstr(&w, ",\"report_id\":");
        fc_jw_string(&w, r->report_id, strlen(r->report_id));
    }
    if (r->who.key_id[0]) {
        fc_jw_cstr(&w, ",\"key\":");
        fc_jw_string(&w, r->who.key_id, strlen(r->who.key_id));
        fc_jw_cstr(&w, ",\"team_id\":");
        fc_jw_int(&w, (long long)r->who.team_id);
    }
    fc_jw_cstr(&w, "}\n");
    text = fc_jw_finish(&w, &len);
    if (text != NULL)
        fwrite(text, 1, len, stderr);
    free(text);
}

void fc_log_error(const char *event, const char *message)
{
    char text[1024];
    fc_jw w;
    char *line;
    size_t len;

    snprintf(text, sizeof(text), "%s", message ? message : "");
    fc_utf8_sanitize(text);
    fc_jw_init(&w);
    fc_jw_cstr(&w, "{\"level\":\"error\",\"event\":");
    fc_jw_string(&w, event, strlen(event));
    fc_jw_cstr(&w, ",\"message\":");
    fc_jw_string(&w, text, strlen(text));
    fc_jw_cstr(&w, "}\n");
    line = fc_jw_finish(&w, &len);
    if (line != NULL)
        fwrite(line, 1, len, stderr);
    free(line);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    fc_req *r = *con_cls;
    int64_t duration;

    (void)cls;
    (void)toe;
    if (r == NULL)
        return;
    duration = fc_now_us() - r->start_us;
    log_request(r, duration);
    fc_metrics_observe(r->app->metrics, fc_route_label(r), r->method, r->status, duration);
    atomic_fetch_sub(&r->app->in_flight, 1);
    fc_guard_request_done(r->app->guard, conn);
    fc_auth_done(r->app->auth, &r->who);
    fc_upload_free(r->upload);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

struct MHD_Daemon *fc_http_start(const fc_http_config *cfg, fc_app *app, unsigned *bound_port, char *msg,
                                 size_t msg_size)
{
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    struct sockaddr *addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME; /* event streams wait suspended */
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;

    memset(&v4, 0, sizeof(v4));
    memset(&v6, 0, sizeof(v6));
    if (inet_pton(AF_INET, cfg->listen, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)cfg->port);
        addr = (struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, cfg->listen, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)cfg->port);
        addr = (struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(msg, msg_size, "--listen %s is not an IPv4 or IPv6 address", cfg->listen);
        return NULL;
    }
    d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR, addr,
                         MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT,
                         cfg->max_connections ? cfg->max_connections : (unsigned)FD_SETSIZE - 4,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                         cfg->per_ip, MHD_OPTION_NOTIFY_CONNECTION, app->guard ? fc_guard_notify : NULL, app->guard,
                         MHD_OPTION_END);
    if (d == NULL) {
        snprintf(msg, msg_size, "cannot listen on %s port %u (in use, or not permitted)", cfg->listen, cfg->port);
        return NULL;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : cfg->port;
    return d;
}

void fc_http_stop(struct MHD_Daemon *daemon, fc_app *app, int grace_ms)
{
    MHD_socket fd;
    int waited = 0;

    if (daemon == NULL)
        return;
    fd = MHD_quiesce_daemon(daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    fc_events_close(app->events); /* event streams end (none may stay suspended at the daemon's stop) */
    /* Idle keep-alive connections hold no request: wait only for requests. */
    while (waited < grace_ms && atomic_load(&app->in_flight) > 0) {
        usleep(5 * 1000);
        waited += 5;
    }
    MHD_stop_daemon(daemon);
}
