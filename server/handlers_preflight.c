/*
 * handlers_preflight.c - POST /v1/preflight: run the core on the request
 * body, store the report, answer 201 once it is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fitcheck/preflight.h"
#include "fitcheck/jsonw.h"
#include "fitcheck/sha256.h"
#include "http.h"
#include "ids.h"
#include "respond.h"
#include "routes.h"
#include "upload.h"

/* Retry-After of a 503 for a write the database refused: a disk that is full or read-only, or a database server
 * that is down, stays so for a while. */
#define STORE_RETRY_AFTER "5"

/*
 * Reads the request from the body in any accepted form. Returns the request
 * (new reference), or NULL after queueing the error response (*ret).
 */
static json_t *load_request(fc_req *r, enum MHD_Result *ret)
{
    char msg[400], pointer[128];
    int line, column;
    json_t *body = NULL, *ext;

    switch (fc_upload_request(r, &body, msg, sizeof(msg), pointer, sizeof(pointer), &line, &column)) {
    case FC_UPLOAD_OK:
        return body;
    case FC_UPLOAD_TOO_LARGE:
        *ret = fc_respond_problem(r, MHD_HTTP_CONTENT_TOO_LARGE, FC_PROBLEM_TOO_LARGE, "Payload too large", msg,
                                  NULL, NULL);
        return NULL;
    case FC_UPLOAD_NOMEM:
        *ret = fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error", msg,
                                  NULL, NULL);
        return NULL;
    case FC_UPLOAD_INVALID:
        break;
    }
    if (line > 0 || column > 0) {
        ext = json_pack("{s:i, s:i}", "line", line, "column", column);
        if (ext != NULL && pointer[0] != '\0')
            json_object_set_new(ext, pointer[0] == '/' ? "pointer" : "part", json_string(pointer));
        *ret = fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_JSON, "Malformed JSON", msg, ext,
                                  NULL);
        return NULL;
    }
    /* A JSON pointer into the request, or the name of a multipart part. */
    *ret = fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_REQUEST, "Invalid request", msg,
                              json_pack("{s:s}", pointer[0] == '/' || pointer[0] == '\0' ? "pointer" : "part",
                                        pointer),
                              NULL);
    return NULL;
}

static enum MHD_Result core_error(fc_req *r, const fc_error *err)
{
    json_t *ext;

    if (err->code == FC_ERR_NOMEM || err->code == FC_ERR_INTERNAL)
        return fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                  err->text, NULL, NULL);
    ext = json_pack("{s:s}", "pointer", err->path);
    if (ext != NULL && err->code == FC_ERR_JSON) {
        json_object_set_new(ext, "line", json_integer(err->line));
        json_object_set_new(ext, "column", json_integer(err->column));
    }
    return fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_REQUEST, "Invalid request", err->text,
                              ext, NULL);
}

/* Adds the identity fields in front of the core's report. New reference or NULL. */
static json_t *identify(json_t *core_report, const char *id, int64_t created_ms, const char *digest,
                        const char *model_id, int64_t timing_us)
{
    char created[32];
    json_t *report;

    fc_format_time_ms(created_ms, created);
    report = json_pack("{s:s, s:s}", "id", id, "created_at", created);
    if (report == NULL || json_object_update(report, core_report) != 0 ||
        json_object_set_new(report, "request_digest", json_string(digest)) != 0 ||
        json_object_set_new(report, "model_id", model_id[0] ? json_string(model_id) : json_null()) != 0 ||
        json_object_set_new(report, "timing_us", json_integer(timing_us)) != 0) {
        json_decref(report);
        return NULL;
    }
    return report;
}

/* The codes of the report's findings, each once, in the order they first appear. New reference. */
static json_t *distinct_codes(const json_t *report)
{
    const json_t *findings = json_object_get(report, "findings"), *f, *c;
    json_t *codes = json_array();
    size_t i, k;

    json_array_foreach(findings, i, f) {
        const json_t *code = json_object_get(f, "code");
        int seen = 0;

        json_array_foreach(codes, k, c) {
            seen |= json_equal(c, code);
        }
        if (json_is_string(code) && !seen)
            json_array_append(codes, (json_t *)code);
    }
    return codes;
}

/*
 * The report's history-list item as GET /v1/reports lists it (the store
 * keeps it beside the report, so that a page does not parse reports):
 * malloc'd compact JSON, NULL when out of memory.
 */
static char *list_json(const json_t *report)
{
    const json_t *counts = json_object_get(report, "counts"), *labels = json_object_get(report, "labels");
    json_t *item = json_pack("{s:O, s:O, s:O, s:O, s:O?, s:{s:O, s:O, s:O}}", "id", json_object_get(report, "id"),
                             "created_at", json_object_get(report, "created_at"), "framework",
                             json_object_get(report, "framework"), "verdict", json_object_get(report, "verdict"),
                             "summary", json_object_get(report, "summary"), "counts", "error",
                             json_object_get(counts, "error"), "warning", json_object_get(counts, "warning"), "info",
                             json_object_get(counts, "info"));
    char *text;

    if (item == NULL || json_object_set_new(item, "labels", labels != NULL ? json_copy((json_t *)labels)
                                                                           : json_object()) != 0 ||
        json_object_set_new(item, "codes", distinct_codes(report)) != 0) {
        json_decref(item);
        return NULL;
    }
    text = fc_json_dump(item, 0, NULL);

    json_decref(item);
    return text;
}

static void fill_row(fc_report_row *row, const json_t *report)
{
    const json_t *counts = json_object_get(report, "counts");
    const json_t *labels = json_object_get(report, "labels");

    snprintf(row->verdict, sizeof(row->verdict), "%s", json_string_value(json_object_get(report, "verdict")));
    snprintf(row->framework, sizeof(row->framework), "%s", json_string_value(json_object_get(report, "framework")));
    row->n_error = json_integer_value(json_object_get(counts, "error"));
    row->n_warning = json_integer_value(json_object_get(counts, "warning"));
    row->n_info = json_integer_value(json_object_get(counts, "info"));
    row->project = json_string_value(json_object_get(labels, "project"));
    row->run = json_string_value(json_object_get(labels, "run"));
}

/*
 * "sha256:<hex>" of a request's canonical JSON (compact, keys sorted: the
 * same whatever the key order or spacing it came in) into digest, hashed as
 * it is written. model_text, when non-NULL, is the canonical text of the
 * request's "model" (a cached model's), written instead of its tree.
 * Returns 0, or -1 when the value cannot be written.
 */
static int canonical_digest(const json_t *value, const json_t *model_text, char digest[8 + 65])
{
    char hex[65];
    fc_sha256 sha;
    fc_jw w;

    fc_sha256_init(&sha);
    fc_jw_init_digest(&w, &sha);
    if (model_text != NULL)
        fc_jw_object_splice(&w, value, FC_JW_SORT_KEYS, "model", json_string_value(model_text),
                            json_string_length(model_text));
    else
        fc_jw_value(&w, value, FC_JW_SORT_KEYS);
    if (fc_jw_finish_digest(&w) != 0)
        return -1;
    fc_sha256_final_hex(&sha, hex);
    snprintf(digest, 8 + 65, "sha256:%s", hex);
    return 0;
}

/*
 * A descriptor's canonical text (compact, keys sorted) as a JSON string: its
 * model_id is the text's digest, and a preflight by model_id hashes it into
 * request_digest. New reference, NULL when out of memory.
 */
static json_t *canonical_text(const json_t *descriptor)
{
    size_t len = 0;
    char *text = fc_json_dump(descriptor, FC_JW_SORT_KEYS, &len);
    /* our own dump of validated strings: no need to check its UTF-8 again */
    json_t *s = text != NULL ? json_stringn_nocheck(text, len) : NULL;

    free(text);
    return s;
}

/* The model cache's key: the id within the team that stored it (a team sees only its own models). */
static void cache_key(const fc_req *r, const char *id, char *key, size_t size)
{
    snprintf(key, size, "%lld/%s", (long long)r->who.team_id, id);
}

/*
 * A request that names its model by model_id gets the stored descriptor as
 * its "model" (shared from the cache: nothing modifies it), and *canonical
 * the descriptor's canonical text (a new reference, or NULL: then the digest
 * writes the tree). Returns 0, or -1 after queueing the error response
 * (*ret): 404 for an id nobody stored.
 */
static int resolve_model(fc_req *r, json_t *body, json_t **canonical, char model_id[8 + 65], enum MHD_Result *ret)
{
    const json_t *id = json_object_get(body, "model_id");
    json_t *descriptor;
    char msg[256], key[128];
    char *text = NULL;

    *canonical = NULL;
    if (id == NULL || json_object_get(body, "model") != NULL)
        return 0;
    if (!json_is_string(id)) {
        *ret = fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_REQUEST, "Invalid request",
                                  "model_id must be the id POST /v1/models returned", json_pack("{s:s}", "pointer",
                                                                                                 "/model_id"),
                                  NULL);
        return -1;
    }
    cache_key(r, json_string_value(id), key, sizeof(key));
    descriptor = fc_model_id_valid(json_string_value(id)) ? fc_model_cache_get(r->app->models, key, canonical) : NULL;
    if (descriptor == NULL) {
        fc_store_status st = !fc_model_id_valid(json_string_value(id))
                                 ? FC_STORE_NOT_FOUND
                                 : r->app->store->ops->get_model(r->app->store, r->who.team_id, json_string_value(id),
                                                                 &text, msg, sizeof(msg));

        if (st == FC_STORE_NOT_FOUND) {
            *ret = fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found",
                                      "no model is stored under this model_id (POST the descriptor to /v1/models)",
                                      json_pack("{s:s}", "pointer", "/model_id"), NULL);
            return -1;
        }
        descriptor = st == FC_STORE_OK ? json_loads(text, 0, NULL) : NULL;
        if (descriptor == NULL) {
            free(text);
            *ret = fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                      "the model store did not answer", NULL, NULL);
            return -1;
        }
        *canonical = canonical_text(descriptor);
        fc_model_cache_put(r->app->models, key, descriptor, *canonical, strlen(text));
        free(text);
    }
    snprintf(model_id, 8 + 65, "%s", json_string_value(id));
    json_object_set_new(body, "model", descriptor);
    json_object_del(body, "model_id"); /* the digest is the inline request's (and id is gone with it) */
    return 0;
}

/*
 * The model_id of an inline model (what POST /v1/models would name it: the
 * SHA-256 of its canonical text) into model_id, and, for a descriptor
 * object, its canonical text into *canonical for the request digest to
 * splice (so the text is written once). A model given as a JSON string is
 * named by the descriptor it holds; anything else has no id ("").
 */
static void inline_model_id(const json_t *body, json_t **canonical, char model_id[8 + 65])
{
    const json_t *model = json_object_get(body, "model");
    json_t *parsed = NULL, *text;
    char hex[65];

    model_id[0] = '\0';
    if (json_is_string(model))
        model = parsed = json_loads(json_string_value(model), 0, NULL);
    if (!json_is_object(model)) {
        json_decref(parsed);
        return;
    }
    text = canonical_text(model);
    if (text != NULL) {
        fc_sha256_hex(json_string_value(text), json_string_length(text), hex);
        snprintf(model_id, 8 + 65, "sha256:%s", hex);
        if (parsed == NULL)
            *canonical = text; /* the body's own object: its text serves the digest */
        else
            json_decref(text);
    }
    json_decref(parsed);
}

/* The codes of the report's findings (borrowed from it), for the history's code filter; NULL when none. */
static const char **finding_codes(const json_t *report, size_t *n)
{
    const json_t *findings = json_object_get(report, "findings"), *f;
    const char **codes;
    size_t i;

    *n = 0;
    if (json_array_size(findings) == 0 || (codes = calloc(json_array_size(findings), sizeof(*codes))) == NULL)
        return NULL;
    json_array_foreach(findings, i, f) {
        const char *code = json_string_value(json_object_get(f, "code"));

        if (code != NULL)
            codes[(*n)++] = code;
    }
    return codes;
}

/* POST /v1/models: stores a descriptor once, named by its digest, for preflights to send by model_id. */
enum MHD_Result fc_handle_model_put(fc_req *r)
{
    json_t *body, *descriptor, *check = NULL, *summary = NULL, *canonical = NULL;
    char id[8 + 65], hex[65], msg[256], key[128];
    char *text = NULL;
    enum MHD_Result ret;
    fc_error err;
    size_t len;
    int created = 0;

    fc_error_init(&err);
    body = load_request(r, &ret);
    if (body == NULL)
        return ret;
    /* the descriptor itself, or {"model": descriptor} as a preflight would carry it */
    descriptor = json_object_get(body, "model") != NULL ? json_object_get(body, "model") : body;
    if (json_is_string(descriptor))
        descriptor = check = json_loads(json_string_value(descriptor), 0, NULL);
    if (!json_is_object(descriptor)) {
        ret = fc_respond_problem(r, MHD_HTTP_BAD_REQUEST, FC_PROBLEM_INVALID_REQUEST, "Invalid request",
                                 "the body must be a model descriptor (what model.to_json() returns)",
                                 json_pack("{s:s}", "pointer", ""), NULL);
        goto done;
    }
    {
        /* only what the core can read is stored */
        json_t *wrapped = json_pack("{s:O}", "model", descriptor);

        if (wrapped == NULL || fc_inspect_run(wrapped, &summary, &err) != FC_OK) {
            json_decref(wrapped);
            ret = core_error(r, &err);
            goto done;
        }
        json_decref(wrapped);
    }
    canonical = canonical_text(descriptor);
    text = canonical != NULL ? fc_json_dump(descriptor, 0, &len) : NULL;
    if (text == NULL) {
        ret = fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                 "out of memory while storing the model", NULL, NULL);
        goto done;
    }
    fc_sha256_hex(json_string_value(canonical), json_string_length(canonical), hex);
    snprintf(id, sizeof(id), "sha256:%s", hex);
    if (r->app->store->ops->put_model(r->app->store, r->who.team_id, id, text, &created, msg, sizeof(msg)) != FC_STORE_OK) {
        fc_log_error("store_model", msg);
        ret = fc_respond_problem_with(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                      "the model could not be stored (the database refused the write); retry later",
                                      NULL, MHD_HTTP_HEADER_RETRY_AFTER, STORE_RETRY_AFTER);
        goto done;
    }
    cache_key(r, id, key, sizeof(key));
    fc_model_cache_put(r->app->models, key, descriptor, canonical, len);
    ret = fc_respond_json(r, created ? MHD_HTTP_CREATED : MHD_HTTP_OK,
                          json_pack("{s:s, s:b, s:I, s:O?}", "model_id", id, "created", created, "bytes",
                                    (json_int_t)len, "model", json_object_get(summary, "model")),
                          NULL);

done:
    json_decref(canonical);
    free(text);
    json_decref(summary);
    json_decref(check);
    json_decref(body);
    return ret;
}

enum MHD_Result fc_handle_preflight(fc_req *r)
{
    json_t *body = NULL, *core_report = NULL, *report = NULL, *model_text = NULL;
    fc_report_row row;
    fc_error err;
    char digest[8 + 65], location[64], msg[256], model_id[8 + 65] = "";
    char *text = NULL, *list_item = NULL;
    const char **codes = NULL;
    size_t text_len = 0;
    int64_t t0 = fc_now_us();
    enum MHD_Result ret;
    fc_status result;

    memset(&row, 0, sizeof(row));
    fc_error_init(&err);
    body = load_request(r, &ret);
    if (body == NULL)
        return ret;
    if (resolve_model(r, body, &model_text, model_id, &ret) != 0)
        goto cleanup;
    if (model_text == NULL)
        inline_model_id(body, &model_text, model_id);
    result = fc_preflight_run(body, &core_report, &err);
    if (result != FC_OK) {
        ret = core_error(r, &err);
        goto cleanup;
    }
    /* The digest of the request as read (uploaded arrays as the headers read from them): the same
     * call gets the same digest whatever the key order, spacing or body form. */
    if (canonical_digest(body, model_text, digest) != 0) {
        ret = fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                 "out of memory while digesting the request", NULL, NULL);
        goto cleanup;
    }
    if (fc_id_new(row.id, &row.created_ms) != 0) {
        ret = fc_respond_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                 "no randomness available for a report id", NULL, NULL);
        goto cleanup;
    }
    report = identify(core_report, row.id, row.created_ms, digest, model_id, fc_now_us() - t0);
    text = report ? fc_json_dump(report, 0, &text_len) : NULL;
    if (text == NULL) {
        ret = fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                 "out of memory while building the report", NULL, NULL);
        goto cleanup;
    }
    fill_row(&row, report);
    row.team_id = r->who.team_id;
    row.digest = digest;
    row.report_json = text;
    list_item = list_json(report);
    if (list_item == NULL) {
        ret = fc_respond_problem(r, MHD_HTTP_INTERNAL_SERVER_ERROR, FC_PROBLEM_INTERNAL, "Internal error",
                                 "out of memory while building the report", NULL, NULL);
        goto cleanup;
    }
    row.list_json = list_item;
    row.model_id = model_id[0] ? model_id : NULL;
    row.codes = codes = finding_codes(report, &row.n_codes);
    if (r->app->store->ops->put(r->app->store, &row, msg, sizeof(msg)) != FC_STORE_OK) {
        fc_log_error("store_put", msg);
        ret = fc_respond_problem_with(r, MHD_HTTP_SERVICE_UNAVAILABLE, FC_PROBLEM_UNAVAILABLE, "Unavailable",
                                      "the report could not be stored (the database refused or did not take the write: "
                                      "a full disk, a read-only file system, a database server that does not "
                                      "answer); nothing was saved, retry later",
                                      NULL, MHD_HTTP_HEADER_RETRY_AFTER, STORE_RETRY_AFTER);
        goto cleanup;
    }
    fc_events_notify(r->app->events, r->who.team_id);
    snprintf(r->report_id, sizeof(r->report_id), "%s", row.id);
    snprintf(location, sizeof(location), "/v1/reports/%s", row.id);
    ret = fc_respond_bytes(r, MHD_HTTP_CREATED, "application/json", text, text_len, MHD_HTTP_HEADER_LOCATION,
                           location, NULL);

cleanup:
    free(codes);
    json_decref(model_text);
    free(list_item);
    free(text);
    json_decref(report);
    json_decref(core_report);
    json_decref(body);
    return ret;
}

enum MHD_Result fc_handle_inspect(fc_req *r)
{
    json_t *body, *summary = NULL;
    fc_error err;
    enum MHD_Result ret;

    fc_error_init(&err);
    body = load_request(r, &ret);
    if (body == NULL)
        return ret;
    if (fc_inspect_run(body, &summary, &err) != FC_OK)
        ret = core_error(r, &err);
    else
        ret = fc_respond_json(r, MHD_HTTP_OK, summary, NULL);
    json_decref(body);
    return ret;
}
