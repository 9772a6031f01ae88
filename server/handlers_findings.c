/*
 * handlers_findings.c - GET /v1/findings (the whole catalog) and
 * GET /v1/findings/{code} (one entry), straight from the core's table.
 */
#include <jansson.h>

#include "fitcheck/findings.h"
#include "respond.h"
#include "routes.h"

enum MHD_Result fc_handle_findings_list(fc_req *r)
{
    json_t *items = json_array();
    size_t i;

    for (i = 0; items != NULL && i < FC_FINDING_COUNT; i++) {
        if (json_array_append_new(items, fc_catalog_entry_json(fc_catalog_get((fc_finding_code)i))) != 0) {
            json_decref(items);
            items = NULL;
        }
    }
    if (items == NULL)
        return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                  "out of memory", NULL, NULL);
    return fc_respond_json(r, MHD_HTTP_OK, json_pack("{s:o}", "items", items), NULL);
}

enum MHD_Result fc_handle_finding_get(fc_req *r)
{
    const fc_catalog_entry *e = fc_catalog_find(r->param);
    json_t *body;

    if (e == NULL)
        return fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found",
                                  "no finding with this code (GET /v1/findings lists them)", NULL, NULL);
    body = fc_catalog_entry_json(e);
    if (body == NULL)
        return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                  "out of memory", NULL, NULL);
    return fc_respond_json(r, MHD_HTTP_OK, body, NULL);
}
