/*
 * routes.c - the route table and path matching.
 */
#include <stdio.h>
#include <string.h>

#include "routes.h"

static const char *const explain_types[] = {"application/json", "text/plain", NULL};

static const fc_route routes[] = {
    {"POST", "/v1/preflight", fc_handle_preflight, 1, NULL, FC_NEED_TEAM},
    {"POST", "/v1/models", fc_handle_model_put, 1, NULL, FC_NEED_TEAM},
    {"POST", "/v1/models/inspect", fc_handle_inspect, 1, NULL, FC_NEED_TEAM},
    {"POST", "/v1/explain", fc_handle_explain, 1, explain_types, FC_NEED_TEAM},
    {"GET", "/v1/reports", fc_handle_reports_list, 0, NULL, FC_NEED_TEAM},
    {"GET", "/v1/reports/events", fc_handle_report_events, 0, NULL, FC_NEED_TEAM}, /* before {id} */
    {"GET", "/v1/reports/{id}", fc_handle_report_get, 0, NULL, FC_NEED_TEAM},
    {"GET", "/v1/reports/{id}/diff", fc_handle_report_diff, 0, NULL, FC_NEED_TEAM},
    {"GET", "/v1/findings", fc_handle_findings_list, 0, NULL, FC_NEED_TEAM},
    {"GET", "/v1/findings/{code}", fc_handle_finding_get, 0, NULL, FC_NEED_TEAM},
    {"GET", "/healthz", fc_handle_healthz, 0, NULL, FC_NEED_NOTHING},
    {"GET", "/", fc_handle_dashboard, 0, NULL, FC_NEED_NOTHING},
    {"GET", "/dashboard/{file}", fc_handle_dashboard_file, 0, NULL, FC_NEED_NOTHING},
    {"GET", "/metrics", fc_handle_metrics, 0, NULL, FC_NEED_ADMIN},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* Matches path against pattern; a {param} segment is copied into param. */
static int path_matches(const char *pattern, const char *path, char *param, size_t param_size)
{
    while (*pattern != '\0') {
        if (*pattern == '{') {
            const char *end = strchr(pattern, '}');
            size_t n = strcspn(path, "/");

            if (end == NULL || n == 0 || n >= param_size)
                return 0;
            memcpy(param, path, n);
            param[n] = '\0';
            path += n;
            pattern = end + 1;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *path == '\0';
}

static int method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 || (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

fc_route_match fc_route_find(fc_req *r, char *allow, size_t allow_size)
{
    char param[sizeof(r->param)];
    size_t i, used = 0;
    int path_seen = 0;

    allow[0] = '\0';
    for (i = 0; i < N_ROUTES; i++) {
        if (!path_matches(routes[i].pattern, r->path, param, sizeof(param)))
            continue;
        path_seen = 1;
        if (method_matches(routes[i].method, r->method)) {
            r->route = &routes[i];
            memcpy(r->param, param, sizeof(param));
            return FC_ROUTE_FOUND;
        }
        if (used < allow_size)
            used += (size_t)snprintf(allow + used, allow_size - used, "%s%s%s", used ? ", " : "", routes[i].method,
                                     strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
    }
    return path_seen ? FC_ROUTE_NO_METHOD : FC_ROUTE_NO_PATH;
}

const char *fc_route_label(const fc_req *r)
{
    return r->route ? r->route->pattern : "unmatched";
}
