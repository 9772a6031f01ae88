/*
 * handlers_health.c - GET /healthz and GET /metrics.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "guard.h"
#include "respond.h"
#include "routes.h"

enum MHD_Result fc_handle_healthz(fc_req *r)
{
    int version = r->app->store->ops->schema_version(r->app->store);

    if (version < 0)
        return fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                  "the database does not answer", NULL, NULL);
    return fc_respond_json(r, MHD_HTTP_OK,
                           json_pack("{s:s, s:s, s:s, s:i}", "status", "ok", "version", r->app->version, "database",
                                     "ok", "schema_version", version),
                           NULL);
}

enum MHD_Result fc_handle_metrics(fc_req *r)
{
    fc_store_stats stats;
    char *text;
    enum MHD_Result ret;

    r->app->store->ops->stats(r->app->store, &stats);
    text = fc_metrics_render(r->app->metrics, r->app->store->ops->count(r->app->store), &stats, r->app->version);
    if (text != NULL) {
        /* the event streams open now (each a suspended connection while it waits) */
        char tail[600];
        uint64_t slow[2];
        size_t n = strlen(text), k;

        fc_guard_closed(r->app->guard, slow);
        k = (size_t)snprintf(tail, sizeof(tail),
                             "# HELP fitcheck_event_streams Event streams open.\n"
                             "# TYPE fitcheck_event_streams gauge\n"
                             "fitcheck_event_streams %d\n"
                             "# HELP fitcheck_slow_clients_closed_total Connections closed for sending their headers "
                             "or body too slowly (--header-timeout, --body-min-rate).\n"
                             "# TYPE fitcheck_slow_clients_closed_total counter\n"
                             "fitcheck_slow_clients_closed_total{phase=\"headers\"} %llu\n"
                             "fitcheck_slow_clients_closed_total{phase=\"body\"} %llu\n",
                             fc_events_open(r->app->events), (unsigned long long)slow[0],
                             (unsigned long long)slow[1]);
        char *grown = realloc(text, n + k + 1);

        if (grown == NULL) {
            free(text);
            text = NULL;
        } else {
            memcpy(grown + n, tail, k + 1);
            text = grown;
        }
    }
    if (text == NULL)
        return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                  "out of memory", NULL, NULL);
    ret = fc_respond_bytes(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), NULL);
    free(text);
    return ret;
}
