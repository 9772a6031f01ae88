/*
 * upload.c - multipart/form-data and application/octet-stream bodies for
 * POST /v1/preflight and /v1/models/inspect.
 *
 * The body is already buffered (bounded by --max-body); libmicrohttpd's post
 * processor splits it into parts, which are copied (so the whole upload is
 * at most twice the limit in memory). A model part is a .keras archive
 * (config.json is read out of it) or the text of a model JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keras_file.h"
#include "upload.h"

typedef struct part {
    char *data;
    size_t len;
    int seen;
} part;

typedef struct parts {
    part request;
    part model;
    char unknown[64]; /* the first part with another name */
    int failed;       /* out of memory */
} parts;

static int part_append(part *p, const char *data, size_t size)
{
    char *grown = realloc(p->data, p->len + size + 1);

    if (grown == NULL)
        return -1;
    p->data = grown;
    memcpy(p->data + p->len, data, size);
    p->len += size;
    p->data[p->len] = '\0';
    return 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    parts *ps = cls;
    part *p = NULL;

    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    (void)off;
    if (key != NULL && strcmp(key, "request") == 0)
        p = &ps->request;
    else if (key != NULL && strcmp(key, "model") == 0)
        p = &ps->model;
    if (p == NULL) {
        if (ps->unknown[0] == '\0')
            snprintf(ps->unknown, sizeof(ps->unknown), "%s", key ? key : "");
        return MHD_YES;
    }
    p->seen = 1;
    if (size > 0 && part_append(p, data, size) != 0) {
        ps->failed = 1;
        return MHD_NO;
    }
    if (p->data == NULL && part_append(p, "", 0) != 0) {
        ps->failed = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

static void set(char *buf, size_t size, const char *text)
{
    snprintf(buf, size, "%s", text);
}

/* Parses JSON text; on failure fills msg/line/column. New reference or NULL. */
static json_t *parse_json(const char *text, size_t len, const char *what, char *msg, size_t msg_size, int *line,
                          int *column)
{
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &jerr);

    if (v == NULL) {
        snprintf(msg, msg_size, "%s is not valid JSON: %s (line %d, column %d)", what, jerr.text, jerr.line,
                 jerr.column);
        *line = jerr.line;
        *column = jerr.column;
    }
    return v;
}

/* A model file's bytes: a .keras archive or JSON text. New reference or NULL with msg set. */
static fc_upload_status model_from_file(fc_req *r, const char *data, size_t len, json_t **model, char *msg,
                                        size_t msg_size, int *line, int *column)
{
    char *config = NULL;
    size_t config_len;

    *model = NULL;
    if (!fc_keras_file_is_zip(data, len)) {
        *model = parse_json(data, len, "the model file", msg, msg_size, line, column);
        return *model ? FC_UPLOAD_OK : FC_UPLOAD_INVALID;
    }
    switch (fc_keras_file_config(data, len, r->app->max_body, &config, &config_len, msg, msg_size)) {
    case FC_KERAS_OK:
        break;
    case FC_KERAS_TOO_LARGE:
        return FC_UPLOAD_TOO_LARGE;
    case FC_KERAS_NOMEM:
        return FC_UPLOAD_NOMEM;
    case FC_KERAS_NOT_ZIP:
    case FC_KERAS_NO_CONFIG:
        return FC_UPLOAD_INVALID;
    }
    *model = parse_json(config, config_len, "config.json in the archive", msg, msg_size, line, column);
    free(config);
    return *model ? FC_UPLOAD_OK : FC_UPLOAD_INVALID;
}

/* Query-string settings for a bare model upload: framework, project, run. */
static json_t *request_from_query(fc_req *r)
{
    static const char *const keys[] = {"framework", "framework_version"};
    json_t *req = json_object(), *labels = json_object();
    const char *v;
    size_t i;

    if (req == NULL || labels == NULL) {
        json_decref(req);
        json_decref(labels);
        return NULL;
    }
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if ((v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, keys[i])) != NULL)
            json_object_set_new(req, keys[i], json_string(v));
    }
    if ((v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "project")) != NULL)
        json_object_set_new(labels, "project", json_string(v));
    if ((v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "run")) != NULL)
        json_object_set_new(labels, "run", json_string(v));
    if (json_object_size(labels) > 0)
        json_object_set_new(req, "labels", labels);
    else
        json_decref(labels);
    return req;
}

static fc_upload_status multipart(fc_req *r, json_t **out, char *msg, size_t msg_size, char *pointer,
                                  size_t pointer_size, int *line, int *column)
{
    parts ps;
    struct MHD_PostProcessor *pp;
    json_t *req = NULL, *model = NULL;
    fc_upload_status status = FC_UPLOAD_INVALID;
    enum MHD_Result ok;

    memset(&ps, 0, sizeof(ps));
    pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, &ps);
    if (pp == NULL) {
        set(msg, msg_size, "the multipart body has no boundary in its Content-Type");
        return FC_UPLOAD_INVALID;
    }
    ok = MHD_post_process(pp, r->body ? r->body : "", r->body_len);
    MHD_destroy_post_processor(pp);
    if (ps.failed) {
        status = FC_UPLOAD_NOMEM;
        set(msg, msg_size, "out of memory reading the upload");
        goto cleanup;
    }
    if (ok != MHD_YES) {
        set(msg, msg_size, "the multipart body is malformed");
        goto cleanup;
    }
    if (ps.unknown[0] != '\0') {
        snprintf(msg, msg_size, "unknown part '%s': the parts are 'request' (JSON) and 'model' (a .keras or model "
                 "JSON file)", ps.unknown);
        set(pointer, pointer_size, ps.unknown);
        goto cleanup;
    }
    if (ps.request.seen) {
        set(pointer, pointer_size, "request");
        req = parse_json(ps.request.data, ps.request.len, "the request part", msg, msg_size, line, column);
        if (req == NULL)
            goto cleanup;
        if (!json_is_object(req)) {
            set(msg, msg_size, "the request part must be a JSON object");
            goto cleanup;
        }
    } else {
        req = json_object();
        if (req == NULL) {
            status = FC_UPLOAD_NOMEM;
            goto cleanup;
        }
    }
    if (ps.model.seen) {
        set(pointer, pointer_size, "/model");
        if (json_object_get(req, "model") != NULL) {
            set(msg, msg_size, "the model is given twice: in the request part and as the model part");
            goto cleanup;
        }
        status = model_from_file(r, ps.model.data, ps.model.len, &model, msg, msg_size, line, column);
        if (status != FC_UPLOAD_OK)
            goto cleanup;
        json_object_set_new(req, "model", model);
    }
    *out = req;
    req = NULL;
    status = FC_UPLOAD_OK;

cleanup:
    json_decref(req);
    free(ps.request.data);
    free(ps.model.data);
    return status;
}

fc_upload_status fc_upload_request(fc_req *r, json_t **out, char *msg, size_t msg_size, char *pointer,
                                   size_t pointer_size, int *line, int *column)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *body = r->body ? r->body : "";
    json_t *model = NULL;
    fc_upload_status status;

    *out = NULL;
    *line = *column = 0;
    pointer[0] = '\0';
    msg[0] = '\0';
    if (ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0)
        return multipart(r, out, msg, msg_size, pointer, pointer_size, line, column);
    if (ct != NULL && strncasecmp(ct, "application/octet-stream", 24) == 0) {
        set(pointer, pointer_size, "/model");
        status = model_from_file(r, body, r->body_len, &model, msg, msg_size, line, column);
        if (status != FC_UPLOAD_OK)
            return status;
        *out = request_from_query(r);
        if (*out == NULL || json_object_set_new(*out, "model", model) != 0) {
            json_decref(*out);
            *out = NULL;
            return FC_UPLOAD_NOMEM;
        }
        return FC_UPLOAD_OK;
    }
    *out = parse_json(body, r->body_len, "the body", msg, msg_size, line, column);
    return *out ? FC_UPLOAD_OK : FC_UPLOAD_INVALID;
}
