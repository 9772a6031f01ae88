/*
 * routes.h - the route table: path template and method to handler.
 */
#ifndef FITCHECK_ROUTES_H
#define FITCHECK_ROUTES_H

#include "app.h"

typedef enum MHD_Result (*fc_handler_fn)(fc_req *r);

typedef struct fc_route {
    const char *method;   /* "GET" routes also answer HEAD */
    const char *pattern;  /* "/v1/reports/{id}": {id} matches one non-empty segment */
    fc_handler_fn handler;
    int takes_body;       /* the handler reads a body */
    const char *const *accepts; /* Content-Types it takes (NULL-ended); NULL: JSON, multipart and octet-stream */
    fc_auth_need need;    /* the key it asks for with --auth keys */
} fc_route;

typedef enum fc_route_match {
    FC_ROUTE_FOUND,
    FC_ROUTE_NO_PATH,    /* 404 */
    FC_ROUTE_NO_METHOD   /* 405: allow holds the Allow header value */
} fc_route_match;

/*
 * Finds the route for method and path; on FC_ROUTE_FOUND sets r->route and
 * r->param; on FC_ROUTE_NO_METHOD writes the methods the path accepts into
 * allow ("GET, HEAD").
 */
fc_route_match fc_route_find(fc_req *r, char *allow, size_t allow_size);

/* The route label for metrics and logs: the template, or "unmatched". Static. */
const char *fc_route_label(const fc_req *r);

/* Handlers (handlers_*.c). */
enum MHD_Result fc_handle_preflight(fc_req *r);
enum MHD_Result fc_handle_inspect(fc_req *r);
enum MHD_Result fc_handle_model_put(fc_req *r);
enum MHD_Result fc_handle_explain(fc_req *r);
enum MHD_Result fc_handle_reports_list(fc_req *r);
enum MHD_Result fc_handle_report_get(fc_req *r);
enum MHD_Result fc_handle_report_diff(fc_req *r);
enum MHD_Result fc_handle_report_events(fc_req *r);
enum MHD_Result fc_handle_findings_list(fc_req *r);
enum MHD_Result fc_handle_finding_get(fc_req *r);
enum MHD_Result fc_handle_healthz(fc_req *r);
enum MHD_Result fc_handle_dashboard(fc_req *r);
enum MHD_Result fc_handle_dashboard_file(fc_req *r);
enum MHD_Result fc_handle_metrics(fc_req *r);

#endif
