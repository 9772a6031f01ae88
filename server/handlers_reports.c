/*
 * handlers_reports.c - GET /v1/reports (history, newest first, keyset
 * pagination) and GET /v1/reports/{id}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

typedef struct list_ctx {
    json_t *items;
    char last_id[40];
} list_ctx;

static int visit(void *cls, const char *id, const char *summary_json)
{
    list_ctx *ctx = cls;
    json_t *item = json_loads(summary_json, 0, NULL);

    if (item == NULL || json_array_append_new(ctx->items, item) != 0)
        return -1;
    snprintf(ctx->last_id, sizeof(ctx->last_id), "%s", id);
    return 0;
}

enum MHD_Result fc_handle_reports_list(fc_req *r)
{
    const char *limit_s = query(r, "limit"), *verdict = query(r, "verdict");
    fc_report_query q = {.limit = 50, .before_id = query(r, "cursor"), .project = query(r, "project")};
    list_ctx ctx = {.items = json_array()};
    char msg[256];
    int more = 0;

    if (ctx.items == NULL)
        return fc_respond_problem(r, 500, FC_PROBLEM_INTERNAL, "Internal error", "out of memory", NULL, NULL);
    if (limit_s != NULL) {
        char *end;
        long v;

        errno = 0;
        v = strtol(limit_s, &end, 10);
        if (errno != 0 || end == limit_s || *end != '\0' || v < 1 || v > FC_STORE_MAX_LIMIT) {
            json_decref(ctx.items);
            return bad_param(r, "limit", "limit must be an integer from 1 to 200");
        }
        q.limit = (int)v;
    }
    if (verdict != NULL && strcmp(verdict, "fail") != 0 && strcmp(verdict, "warn") != 0 &&
        strcmp(verdict, "pass") != 0) {
        json_decref(ctx.items);
        return bad_param(r, "verdict", "verdict must be one of fail, warn, pass");
    }
    q.verdict = verdict;
    if (q.before_id != NULL && !fc_id_valid(q.before_id)) {
        json_decref(ctx.items);
        return bad_param(r, "cursor", "cursor is not one this service returned as next_cursor");
    }
    if (r->app->store->ops->list(r->app->store, &q, visit, &ctx, &more, msg, sizeof(msg)) != FC_STORE_OK) {
        json_decref(ctx.items);
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"store_list\",\"message\":\"%s\"}\n", msg);
        return fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                  "the report store did not answer", NULL, NULL);
    }
    return fc_respond_json(r, MHD_HTTP_OK,
                           json_pack("{s:o, s:s?}", "items", ctx.items, "next_cursor", more ? ctx.last_id : NULL),
                           NULL);
}

enum MHD_Result fc_handle_report_get(fc_req *r)
{
    char *text = NULL, msg[256];
    enum MHD_Result ret;

    if (!fc_id_valid(r->param))
        return fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found", "no report with this id",
                                  NULL, NULL);
    switch (r->app->store->ops->get(r->app->store, r->param, &text, msg, sizeof(msg))) {
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
    ret = fc_respond_bytes(r, MHD_HTTP_OK, "application/json", text, strlen(text), NULL);
    free(text);
    return ret;
}
