/*
 * handlers_reports.c - GET /v1/reports (history, newest first, keyset
 * pagination), GET /v1/reports/{id}, and GET /v1/reports/{id}/diff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fitcheck/diff.h"
#include "fitcheck/jsonw.h"
#include "guard.h"
#include "http.h"
#include "ids.h"
#include "respond.h"
#include "routes.h"

static const char *query(fc_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result bad_param(fc_req *r, const char *name, const char *detail)
{
    return fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_PARAMETER, "Invalid query parameter",
                              detail, json_pack("{s:s}", "parameter", name), NULL);
}

/*
 * The page is written as it is read: the store's items are JSON objects
 * already (written with each report, or built by the store), so they are
 * copied into {"items": [...], "next_cursor": ...} without a parse.
 */
typedef struct list_ctx {
    char *buf;
    size_t len, cap;
    int n, failed;
    char last_id[40];
} list_ctx;

static void ctx_add(list_ctx *ctx, const char *s, size_t n)
{
    if (ctx->failed)
        return;
    if (ctx->len + n + 1 > ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap : 16384;
        char *p;

        while (ctx->len + n + 1 > cap)
            cap *= 2;
        p = realloc(ctx->buf, cap);
        if (p == NULL) {
            ctx->failed = 1;
            return;
        }
        ctx->buf = p;
        ctx->cap = cap;
    }
    memcpy(ctx->buf + ctx->len, s, n);
    ctx->len += n;
    ctx->buf[ctx->len] = '\0';
}

static int visit(void *cls, const char *id, const char *summary_json)
{
    list_ctx *ctx = cls;

    if (summary_json == NULL || summary_json[0] != '{')
        return -1;
    if (ctx->n++ > 0)
        ctx_add(ctx, ",", 1);
    ctx_add(ctx, summary_json, strlen(summary_json));
    snprintf(ctx->last_id, sizeof(ctx->last_id), "%s", id);
    return ctx->failed ? -1 : 0;
}

/*
 * An RFC 3339 UTC time ("2026-12-03T10:00:00Z", with optional fractional
 * seconds, "Z" or "+00:00") as Unix milliseconds; -1 when it is not one.
 */
static int64_t parse_time(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0, frac_digits = 0;
    int64_t ms = 0, days;
    const char *p;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    p = s + n;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, frac_digits++) {
            if (frac_digits < 3)
                ms = ms * 10 + (*p - '0');
        }
        if (frac_digits == 0)
            return -1;
        for (; frac_digits < 3; frac_digits++)
            ms *= 10;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "z") != 0 && strcmp(p, "+00:00") != 0)
        return -1;
    /* days from the civil date (Howard Hinnant's days_from_civil) */
    {
        int yy = y - (mo <= 2);
        int era = yy / 400, yoe = yy - era * 400;
        int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        days = (int64_t)era * 146097 + doe - 719468;
    }
    return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + ms;
}

/* 1 when s matches ^[A-Z][A-Z0-9_]*$ (a finding code) and is not too long. */
static int is_code(const char *s)
{
    size_t i;

    if (s[0] < 'A' || s[0] > 'Z' || strlen(s) > 64)
        return 0;
    for (i = 1; s[i]; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    }
    return 1;
}

enum MHD_Result fc_handle_reports_list(fc_req *r)
{
    const char *limit_s = query(r, "limit"), *verdict = query(r, "verdict"), *since = query(r, "since"),
               *until = query(r, "until");
    fc_report_query q = {.team_id = r->who.team_id,
                         .limit = 50,
                         .before_id = query(r, "cursor"),
                         .project = query(r, "project"),
                         .run = query(r, "run"),
                         .framework = query(r, "framework"),
                         .model_id = query(r, "model"),
                         .code = query(r, "code"),
                         .since_ms = 0,
                         .until_ms = 0};
    list_ctx ctx = {0};
    char msg[256], tail[80];
    int more = 0;
    enum MHD_Result ret;

    if (limit_s != NULL) {
        char *end;
        long v;

        errno = 0;
        v = strtol(limit_s, &end, 10);
        if (errno != 0 || end == limit_s || *end != '\0' || v < 1 || v > FC_STORE_MAX_LIMIT)
            return bad_param(r, "limit", "limit must be an integer from 1 to 200");
        q.limit = (int)v;
    }
    if (verdict != NULL && strcmp(verdict, "fail") != 0 && strcmp(verdict, "warn") != 0 &&
        strcmp(verdict, "pass") != 0)
        return bad_param(r, "verdict", "verdict must be one of fail, warn, pass");
    q.verdict = verdict;
    if (q.framework != NULL && strcmp(q.framework, "keras3") != 0 && strcmp(q.framework, "tf.keras2") != 0 &&
        strcmp(q.framework, "tfjs") != 0)
        return bad_param(r, "framework", "framework must be one of keras3, tf.keras2, tfjs");
    if (q.model_id != NULL && !fc_model_id_valid(q.model_id))
        return bad_param(r, "model", "model must be a model_id: sha256: and 64 lowercase hex digits");
    if (q.code != NULL && !is_code(q.code))
        return bad_param(r, "code", "code must be a finding code (GET /v1/findings lists them)");
    if (since != NULL && (q.since_ms = parse_time(since)) < 0)
        return bad_param(r, "since", "since must be an RFC 3339 UTC time, e.g. 2026-12-03T10:00:00Z");
    if (until != NULL && (q.until_ms = parse_time(until)) < 0)
        return bad_param(r, "until", "until must be an RFC 3339 UTC time, e.g. 2026-12-03T10:00:00Z");
    if (until != NULL && q.until_ms == 0)
        q.until_ms = 1; /* before the epoch's first millisecond: nothing (0 would mean no bound) */
    if (q.before_id != NULL && !fc_id_valid(q.before_id))
        return bad_param(r, "cursor", "cursor is not one this service returned as next_cursor");
    ctx_add(&ctx, "{\"items\":[", 10);
    if (r->app->store->ops->list(r->app->store, &q, visit, &ctx, &more, msg, sizeof(msg)) != FC_STORE_OK) {
        free(ctx.buf);
        fc_log_error("store_list", msg);
        return fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                  "the report store did not answer", NULL, NULL);
    }
    /* ids are UUID text: nothing to escape */
    if (more)
        snprintf(tail, sizeof(tail), "],\"next_cursor\":\"%s\"}", ctx.last_id);
    else
        snprintf(tail, sizeof(tail), "],\"next_cursor\":null}");
    ctx_add(&ctx, tail, strlen(tail));
    if (ctx.failed) {
        free(ctx.buf);
        return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                  "out of memory", NULL, NULL);
    }
    ret = fc_respond_cacheable(r, "application/json", ctx.buf, ctx.len, NULL);
    free(ctx.buf);
    return ret;
}

enum MHD_Result fc_handle_report_get(fc_req *r)
{
    char *text = NULL, msg[256];
    enum MHD_Result ret;

    if (!fc_id_valid(r->param))
        return fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found", "no report with this id",
                                  NULL, NULL);
    switch (r->app->store->ops->get(r->app->store, r->who.team_id, r->param, &text, msg, sizeof(msg))) {
    case FC_STORE_OK:
        break;
    case FC_STORE_NOT_FOUND:
        return fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found", "no report with this id",
                                  NULL, NULL);
    case FC_STORE_ERROR:
        fc_log_error("store_get", msg);
        return fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                  "the report store did not answer", NULL, NULL);
    }
    {
        /* a stored report never changes: its id is its tag */
        char etag[FC_REPORT_ID_LEN + 3];

        snprintf(etag, sizeof(etag), "\"%.36s\"", r->param);
        ret = fc_respond_cacheable(r, "application/json", text, strlen(text), etag);
    }
    free(text);
    return ret;
}

/* A stored report of the caller's team, parsed; NULL after queueing the answer (404, 503) in *ret. */
static json_t *load_report(fc_req *r, const char *id, const char *parameter, enum MHD_Result *ret)
{
    char *text = NULL, msg[256];
    fc_store_status st = fc_id_valid(id) ? r->app->store->ops->get(r->app->store, r->who.team_id, id, &text, msg,
                                                                   sizeof(msg))
                                         : FC_STORE_NOT_FOUND;
    json_t *report;

    if (st == FC_STORE_NOT_FOUND) {
        *ret = parameter == NULL
                   ? fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found",
                                        "no report with this id", NULL, NULL)
                   : fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found",
                                        "no report with the id given as against", json_pack("{s:s}", "parameter",
                                                                                             parameter),
                                        NULL);
        return NULL;
    }
    report = st == FC_STORE_OK ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (report == NULL) {
        if (st != FC_STORE_OK)
            fc_log_error("store_get", msg);
        *ret = fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                  "the report store did not answer", NULL, NULL);
    }
    return report;
}

/* GET /v1/reports/{id}/diff?against=previous|{id}: what changed since the project's previous report. */
enum MHD_Result fc_handle_report_diff(fc_req *r)
{
    const char *against = query(r, "against");
    json_t *report, *before = NULL, *diff;
    enum MHD_Result ret;
    char *text = NULL, *out, msg[256];
    size_t len;

    if (against != NULL && strcmp(against, "previous") != 0 && !fc_id_valid(against))
        return bad_param(r, "against", "against must be previous or the id of another report");
    report = load_report(r, r->param, NULL, &ret);
    if (report == NULL)
        return ret;
    if (against != NULL && strcmp(against, "previous") != 0) {
        before = load_report(r, against, "against", &ret);
        if (before == NULL) {
            json_decref(report);
            return ret;
        }
    } else {
        fc_store_status st = r->app->store->ops->previous(r->app->store, r->who.team_id, r->param, &text, msg,
                                                          sizeof(msg));

        /* NOT_FOUND: the project's first report, and everything in it is new */
        if (st == FC_STORE_OK) {
            before = json_loads(text, 0, NULL);
            free(text);
            if (before == NULL)
                snprintf(msg, sizeof(msg), "a stored report does not parse");
        }
        if (st == FC_STORE_ERROR || (st == FC_STORE_OK && before == NULL)) {
            fc_log_error("store_previous", msg);
            json_decref(report);
            return fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                      "the report store did not answer", NULL, NULL);
        }
    }
    diff = fc_report_diff(report, before);
    json_decref(report);
    json_decref(before);
    out = diff != NULL ? fc_json_dump(diff, 0, &len) : NULL;
    json_decref(diff);
    if (out == NULL)
        return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                  "out of memory while comparing the reports", NULL, NULL);
    ret = fc_respond_cacheable(r, "application/json", out, len, NULL);
    free(out);
    return ret;
}

/* A Last-Event-ID: the decimal sequence number of an event sent (0 and up), or -1 when it is not one. */
static int64_t event_id(const char *text)
{
    int64_t v = 0;
    size_t i;

    if (text[0] == '\0' || strlen(text) > 18)
        return -1;
    for (i = 0; text[i]; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

/* GET /v1/reports/events: the team's new reports as Server-Sent Events (see events.h). */
enum MHD_Result fc_handle_report_events(fc_req *r)
{
    const char *last = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    struct MHD_Response *resp;
    fc_events_status status;
    int64_t after = -1;
    enum MHD_Result ret;
    char detail[256];

    if (last == NULL)
        last = query(r, "last_event_id");
    if (last != NULL && (after = event_id(last)) < 0)
        return bad_param(r, "last_event_id",
                         "Last-Event-ID must be the id of an event this stream sent: a decimal number");
    resp = fc_events_stream(r->app->events, r->conn, r->who.team_id, r->who.key_id, after, &status);
    if (resp == NULL && status == FC_EVENTS_FULL) {
        snprintf(detail, sizeof(detail),
                 "this key already holds %lu event streams open, its limit (--key-streams): close one, or retry "
                 "in a second (streams whose clients have gone are being found and closed)",
                 r->app->key_streams);
        return fc_respond_problem_with(r, MHD_HTTP_TOO_MANY_REQUESTS, FC_PROBLEM_RATE_LIMITED, "Too many requests",
                                       detail, NULL, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    }
    if (resp == NULL)
        return fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                  "the server is stopping, the report store did not answer, or it is out of memory",
                                  NULL, NULL);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* a proxy in front must not hold events back */
    ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES) {
        r->status = MHD_HTTP_OK;
        fc_guard_answering(r->app->guard, r->conn); /* a stream has no deadline */
    }
    return ret;
}
