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

enum MHD_Result fc_handle_reports_list(fc_req *r)
{
    const char *limit_s = query(r, "limit"), *verdict = query(r, "verdict");
    fc_report_query q = {
        .team_id = r->who.team_id, .limit = 50, .before_id = query(r, "cursor"), .project = query(r, "project")};
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
    if (q.before_id != NULL && !fc_id_valid(q.before_id))
        return bad_param(r, "cursor", "cursor is not one this service returned as next_cursor");
    ctx_add(&ctx, "{\"items\":[", 10);
    if (r->app->store->ops->list(r->app->store, &q, visit, &ctx, &more, msg, sizeof(msg)) != FC_STORE_OK) {
        free(ctx.buf);
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"store_list\",\"message\":\"%s\"}\n", msg);
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
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"store_get\",\"message\":\"%s\"}\n", msg);
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
            fprintf(stderr, "{\"level\":\"error\",\"event\":\"store_get\",\"message\":\"%s\"}\n", msg);
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
            fprintf(stderr, "{\"level\":\"error\",\"event\":\"store_previous\",\"message\":\"%s\"}\n", msg);
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
