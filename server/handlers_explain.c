/*
 * handlers_explain.c - POST /v1/explain: a pasted error text (JSON
 * {"error": ...} or the bare text as text/plain) to the catalog entries it
 * is, with the values in it; with a model and data along, the preflight
 * that says which finding produces it. Nothing is stored.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "fitcheck/explain.h"
#include "respond.h"
#include "routes.h"

enum MHD_Result fc_handle_explain(fc_req *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    json_t *body, *out = NULL, *ext;
    json_error_t jerr;
    fc_error err;
    enum MHD_Result ret;
    char detail[320];

    fc_error_init(&err);
    if (ct != NULL && strncasecmp(ct, "text/plain", 10) == 0) {
        body = json_pack("{s:s%}", "error", r->body ? r->body : "", r->body_len);
        if (body == NULL)
            return fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_REQUEST, "Invalid request",
                                      "the text is not valid UTF-8", json_pack("{s:s}", "pointer", ""), NULL);
    } else {
        body = json_loadb(r->body ? r->body : "", r->body_len, JSON_DECODE_ANY, &jerr);
        if (body == NULL) {
            snprintf(detail, sizeof(detail), "the body is not valid JSON: %s (line %d, column %d)", jerr.text,
                     jerr.line, jerr.column);
            return fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_JSON, "Malformed JSON", detail,
                                      json_pack("{s:i, s:i}", "line", jerr.line, "column", jerr.column), NULL);
        }
    }
    if (fc_explain_run(body, &out, &err) == FC_OK) {
        ret = fc_respond_json(r, MHD_HTTP_OK, out, NULL);
    } else if (err.code == FC_ERR_NOMEM || err.code == FC_ERR_INTERNAL) {
        ret = fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error", err.text,
                                 NULL, NULL);
    } else {
        ext = json_pack("{s:s}", "pointer", err.path);
        ret = fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_REQUEST, "Invalid request", err.text,
                                 ext, NULL);
    }
    json_decref(body);
    return ret;
}
