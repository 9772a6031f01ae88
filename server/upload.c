/*
 * upload.c - multipart/form-data and application/octet-stream bodies for
 * POST /v1/preflight and /v1/models/inspect.
 *
 * A multipart body is read as it arrives: server/http.c feeds each chunk to
 * fc_upload_feed, which hands it to libmicrohttpd's post processor; the
 * processor calls on_part with each part's bytes in pieces of at most
 * PP_BUFFER bytes. The request and model parts are copied (bounded by
 * --max-body together); a .npy part goes through the .npy scanner and only
 * its tensor header is kept, so memory does not grow with the arrays.
 * The first failure is remembered and the rest of the body is drained;
 * the handler reports it (libmicrohttpd 0.9.75 answers only once the whole
 * body has been received).
 *
 * A model part is a .keras archive (config.json is read out of it) or the
 * text of a model JSON. A bare model file (application/octet-stream) is
 * buffered whole in r->body by http.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fitcheck/error.h"
#include "keras_file.h"
#include "npy.h"
#include "upload.h"

#define PP_BUFFER (64 * 1024) /* the post processor's buffer: bounds part headers and data pieces */
#define MAX_NPY_PARTS 1024

typedef enum part_kind { PART_REQUEST, PART_MODEL, PART_NPY } part_kind;

/* A text part, copied whole. */
typedef struct text_part {
    char *data; /* owned, NUL-terminated once seen */
    size_t len;
    size_t cap;
    int seen;
} text_part;

/* One .npy part and where its tensor header goes. */
typedef struct npy_part {
    char *name;        /* owned: the part name, e.g. "validation.x.pixels" */
    int validation;    /* under data.validation rather than data */
    char arg[2];       /* "x" or "y" */
    const char *key;   /* into name: the input/output name, NULL for a single array */
    json_t *header;    /* owned: {shape, dtype, stats} once the part is complete */
} npy_part;

struct fc_upload {
    fc_req *r;                    /* borrowed */
    struct MHD_PostProcessor *pp; /* owned; NULL once destroyed (or never made) */
    uint64_t total;               /* body bytes fed */
    int in_part;                  /* a part is open */
    part_kind kind;               /* of the open part */
    char *name;                   /* owned: the open part's name */
    uint64_t part_bytes;          /* bytes of the open part so far */
    fc_npy_scanner *scanner;      /* owned; made at the first .npy part, reset for each */
    text_part request;
    text_part model;
    npy_part *npy;                /* owned array */
    size_t n_npy;
    size_t cap_npy;
    int finished;                 /* fc_upload_request ran the end-of-body checks */
    fc_upload_status status;      /* the first failure; FC_UPLOAD_OK until one */
    char msg[400];                /* its sentence */
    char where[128];              /* its part name or JSON pointer */
};

int fc_upload_is_multipart(const char *ct)
{
    if (ct == NULL)
        return 0;
    while (*ct == ' ')
        ct++;
    return strncasecmp(ct, "multipart/form-data", 19) == 0;
}

/* Records the first failure; later ones are dropped. Returns MHD_NO to stop the post processor. */
__attribute__((format(printf, 4, 5))) static enum MHD_Result fail(fc_upload *u, fc_upload_status status,
                                                                  const char *where, const char *fmt, ...)
{
    va_list ap;

    if (u->status != FC_UPLOAD_OK)
        return MHD_NO;
    u->status = status;
    snprintf(u->where, sizeof(u->where), "%s", where ? where : "");
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
    va_end(ap);
    /* Both may quote a client's part name, and may cut a character in two. */
    fc_utf8_sanitize(u->where);
    fc_utf8_sanitize(u->msg);
    return MHD_NO;
}

/* Appends to a text part, keeping a NUL after the data. */
static int text_append(text_part *p, const char *data, size_t size)
{
    if (p->len + size + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        char *grown;

        while (cap < p->len + size + 1)
            cap *= 2;
        grown = realloc(p->data, cap);
        if (grown == NULL)
            return -1;
        p->data = grown;
        p->cap = cap;
    }
    if (size > 0)
        memcpy(p->data + p->len, data, size);
    p->len += size;
    p->data[p->len] = '\0';
    return 0;
}

/*
 * Splits a .npy part name: [validation.](x|y)[.<name>]. Returns 0 when the
 * name is none of these.
 */
static int parse_target(const char *name, npy_part *t)
{
    const char *p = name;

    t->validation = strncmp(p, "validation.", 11) == 0;
    if (t->validation)
        p += 11;
    if (p[0] != 'x' && p[0] != 'y')
        return 0;
    t->arg[0] = p[0];
    t->arg[1] = '\0';
    if (p[1] == '\0') {
        t->key = NULL;
        return 1;
    }
    if (p[1] == '.' && p[2] != '\0') {
        t->key = p + 2;
        return 1;
    }
    return 0;
}

/* Refuses a .npy part that repeats one already read, or mixes x with x.<name>. */
static enum MHD_Result check_target(fc_upload *u, const npy_part *t)
{
    const char *group = t->validation ? "validation." : "";
    size_t i;

    if (u->n_npy == MAX_NPY_PARTS)
        return fail(u, FC_UPLOAD_INVALID, t->name, "more than %d .npy parts", MAX_NPY_PARTS);
    for (i = 0; i < u->n_npy; i++) {
        const npy_part *e = &u->npy[i];

        if (e->validation != t->validation || e->arg[0] != t->arg[0])
            continue;
        if (strcmp(e->name, t->name) == 0)
            return fail(u, FC_UPLOAD_INVALID, t->name, "the part '%s' is given twice", t->name);
        if ((e->key == NULL) != (t->key == NULL))
            return fail(u, FC_UPLOAD_INVALID, t->name,
                        "the parts '%s' and '%s' mix two forms: '%s%s' is one array, '%s%s.<name>' parts make a "
                        "dict keyed by input or output name; send one form or the other",
                        e->name, t->name, group, t->arg, group, t->arg);
    }
    return MHD_YES;
}

/* Opens a .npy part: registers it and readies the scanner. */
static enum MHD_Result npy_begin(fc_upload *u, const char *name)
{
    npy_part t;

    memset(&t, 0, sizeof(t));
    t.name = (char *)name;
    if (!parse_target(name, &t))
        return fail(u, FC_UPLOAD_INVALID, name,
                    "unknown part '%s': the parts are 'request' (JSON), 'model' (a .keras or model JSON file), and "
                    ".npy arrays named x, y, x.<input>, y.<output>, validation.x, validation.y, "
                    "validation.x.<input> and validation.y.<output>",
                    name);
    if (check_target(u, &t) != MHD_YES)
        return MHD_NO;
    if (u->n_npy == u->cap_npy) {
        size_t cap = u->cap_npy ? 2 * u->cap_npy : 8;
        npy_part *grown = realloc(u->npy, cap * sizeof(*grown));

        if (grown == NULL)
            return fail(u, FC_UPLOAD_NOMEM, name, "out of memory reading the upload");
        u->npy = grown;
        u->cap_npy = cap;
    }
    if (u->scanner == NULL)
        u->scanner = fc_npy_new();
    else
        fc_npy_reset(u->scanner);
    t.name = strdup(name);
    if (u->scanner == NULL || t.name == NULL) {
        free(t.name);
        return fail(u, FC_UPLOAD_NOMEM, name, "out of memory reading the upload");
    }
    if (t.key != NULL)
        t.key = t.name + (t.key - name);
    u->npy[u->n_npy++] = t;
    return MHD_YES;
}

static enum MHD_Result npy_failed(fc_upload *u, const fc_error *err)
{
    return fail(u, err->code == FC_ERR_NOMEM ? FC_UPLOAD_NOMEM : FC_UPLOAD_INVALID, u->name, "part '%s': %s",
                u->name, err->text);
}

/* Closes the open part: a .npy part is checked for completeness and its header kept. */
static enum MHD_Result part_end(fc_upload *u)
{
    npy_part *t;
    fc_error err;

    u->in_part = 0;
    if (u->kind != PART_NPY)
        return MHD_YES;
    fc_error_init(&err);
    if (fc_npy_finish(u->scanner, &err) != FC_OK)
        return npy_failed(u, &err);
    t = &u->npy[u->n_npy - 1];
    t->header = fc_npy_header_json(u->scanner);
    if (t->header == NULL)
        return fail(u, FC_UPLOAD_NOMEM, u->name, "out of memory reading the upload");
    return MHD_YES;
}

/* Opens a part by name. */
static enum MHD_Result part_begin(fc_upload *u, const char *key)
{
    const char *name = key ? key : "";
    text_part *text = NULL;

    if (!fc_utf8_valid(name, strlen(name)))
        return fail(u, FC_UPLOAD_INVALID, NULL, "a multipart part name is not valid UTF-8");
    free(u->name);
    u->name = strdup(name);
    if (u->name == NULL)
        return fail(u, FC_UPLOAD_NOMEM, NULL, "out of memory reading the upload");
    u->in_part = 1;
    u->part_bytes = 0;
    if (strcmp(name, "request") == 0) {
        u->kind = PART_REQUEST;
        text = &u->request;
    } else if (strcmp(name, "model") == 0) {
        u->kind = PART_MODEL;
        text = &u->model;
    } else {
        u->kind = PART_NPY;
        return npy_begin(u, name);
    }
    if (text->seen)
        return fail(u, FC_UPLOAD_INVALID, name, "the part '%s' is given twice", name);
    text->seen = 1;
    if (text_append(text, "", 0) != 0)
        return fail(u, FC_UPLOAD_NOMEM, name, "out of memory reading the upload");
    return MHD_YES;
}

/*
 * libmicrohttpd 0.9.75 does not say where a part ends: a part begins with a
 * call at offset 0, and its first call may carry no bytes when the data
 * had not arrived yet (the next one is then at offset 0 too). So a call at
 * offset 0 opens a new part unless the open part has the same name and has
 * had no bytes yet. (An empty part followed by a part of the same name is
 * therefore read as one part.)
 */
static int starts_part(const fc_upload *u, const char *key, uint64_t off)
{
    if (!u->in_part)
        return 1;
    if (off != 0)
        return 0;
    return u->part_bytes != 0 || strcmp(u->name, key ? key : "") != 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    fc_upload *u = cls;
    text_part *text;
    fc_error err;

    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    if (u->status != FC_UPLOAD_OK)
        return MHD_NO;
    if (starts_part(u, key, off)) {
        if (u->in_part && part_end(u) != MHD_YES)
            return MHD_NO;
        if (part_begin(u, key) != MHD_YES)
            return MHD_NO;
    }
    u->part_bytes += size;
    if (size == 0)
        return MHD_YES;
    if (u->kind == PART_NPY) {
        fc_error_init(&err);
        if (fc_npy_feed(u->scanner, data, size, &err) != FC_OK)
            return npy_failed(u, &err);
        return MHD_YES;
    }
    text = u->kind == PART_REQUEST ? &u->request : &u->model;
    if (u->request.len + u->model.len + size > u->r->app->max_body)
        return fail(u, FC_UPLOAD_TOO_LARGE, u->name,
                    "the request and model parts together are larger than the --max-body limit of %zu bytes",
                    u->r->app->max_body);
    if (text_append(text, data, size) != 0)
        return fail(u, FC_UPLOAD_NOMEM, u->name, "out of memory reading the upload");
    return MHD_YES;
}

fc_upload *fc_upload_begin(fc_req *r)
{
    fc_upload *u = calloc(1, sizeof(*u));

    if (u == NULL)
        return NULL;
    u->r = r;
    u->pp = MHD_create_post_processor(r->conn, PP_BUFFER, on_part, u);
    if (u->pp == NULL)
        fail(u, FC_UPLOAD_INVALID, NULL, "the multipart body has no boundary in its Content-Type");
    return u;
}

void fc_upload_feed(fc_upload *u, const char *data, size_t size)
{
    u->total += size;
    if (u->status != FC_UPLOAD_OK)
        return;
    if (u->total > u->r->app->max_upload) {
        fail(u, FC_UPLOAD_TOO_LARGE, NULL, "the multipart body is larger than the --max-upload limit of %llu bytes",
             (unsigned long long)u->r->app->max_upload);
        return;
    }
    if (MHD_post_process(u->pp, data, size) != MHD_YES)
        fail(u, FC_UPLOAD_INVALID, NULL, "the multipart body is malformed");
}

int fc_upload_ok(const fc_upload *u)
{
    return u->status == FC_UPLOAD_OK;
}

void fc_upload_free(fc_upload *u)
{
    size_t i;

    if (u == NULL)
        return;
    if (u->pp != NULL)
        MHD_destroy_post_processor(u->pp);
    fc_npy_free(u->scanner);
    for (i = 0; i < u->n_npy; i++) {
        free(u->npy[i].name);
        json_decref(u->npy[i].header);
    }
    free(u->npy);
    free(u->name);
    free(u->request.data);
    free(u->model.data);
    free(u);
}

/* The body has ended: close the last part, check the closing boundary and the no-.npy limit. */
static void upload_finish(fc_upload *u)
{
    enum MHD_Result complete;

    if (u->finished)
        return;
    u->finished = 1;
    if (u->status == FC_UPLOAD_OK && u->in_part)
        part_end(u);
    if (u->pp != NULL) {
        complete = MHD_destroy_post_processor(u->pp);
        u->pp = NULL;
        if (complete != MHD_YES)
            fail(u, FC_UPLOAD_INVALID, NULL, "the multipart body is malformed: it ends before its closing boundary");
    }
    if (u->n_npy == 0 && u->total > u->r->app->max_body)
        fail(u, FC_UPLOAD_TOO_LARGE, NULL,
             "the multipart body is larger than the --max-body limit of %zu bytes (--max-upload applies only to "
             "bodies with .npy parts)",
             u->r->app->max_body);
}

/*
 * Copies text into a fixed buffer. The copy may cut a character in two (a
 * part name longer than the pointer buffer, e.g. "x.<long UTF-8 name>"), and
 * the handler puts msg and pointer into the problem's JSON, which jansson
 * refuses unless it is valid UTF-8 (an invalid pointer lost the problem its
 * "part" member): so the copy is repaired like fail()'s.
 */
static void set(char *buf, size_t size, const char *text)
{
    snprintf(buf, size, "%s", text);
    fc_utf8_sanitize(buf);
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
    char *config = NULL, version[64];
    size_t config_len;

    *model = NULL;
    if (!fc_keras_file_is_zip(data, len)) {
        *model = parse_json(data, len, "the model file", msg, msg_size, line, column);
        return *model ? FC_UPLOAD_OK : FC_UPLOAD_INVALID;
    }
    switch (fc_keras_file_config(data, len, r->app->max_body, &config, &config_len, version, sizeof(version), msg,
                                 msg_size)) {
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
    if (*model == NULL)
        return FC_UPLOAD_INVALID;
    fc_keras_file_stamp_version(*model, version); /* out of memory here only loses the version */
    return FC_UPLOAD_OK;
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

/* The object at key in obj, made when missing. NULL when obj[key] is something else, or out of memory. */
static json_t *object_member(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        v = json_object();
        if (json_object_set_new(obj, key, v) != 0)
            return NULL;
    }
    return json_is_object(v) ? v : NULL;
}

/*
 * Puts each .npy part's tensor header under data (or data.validation):
 * x -> data.x, x.<name> -> data.x.<name>. An argument the request part
 * already gives is refused rather than merged.
 */
static fc_upload_status attach_arrays(fc_upload *u, json_t *req, char *msg, size_t msg_size, char *pointer,
                                      size_t pointer_size)
{
    json_t *data, *group, *given;
    size_t i;

    if (u->n_npy == 0)
        return FC_UPLOAD_OK;
    data = json_object_get(req, "data");
    if (data != NULL && !json_is_null(data) && !json_is_object(data)) {
        set(pointer, pointer_size, "/data");
        set(msg, msg_size, "data must be an object when arrays come as .npy parts");
        return FC_UPLOAD_INVALID;
    }
    group = data ? json_object_get(data, "validation") : NULL;
    for (i = 0; i < u->n_npy && !u->npy[i].validation; i++)
        ;
    if (i < u->n_npy && group != NULL && !json_is_null(group) && !json_is_object(group)) {
        set(pointer, pointer_size, "/data/validation");
        set(msg, msg_size, "data.validation must be an object ({\"x\": ..., \"y\": ...}) when validation arrays "
                           "come as .npy parts");
        return FC_UPLOAD_INVALID;
    }
    for (i = 0; i < u->n_npy; i++) {
        const npy_part *t = &u->npy[i];

        given = json_object_get(t->validation ? group : data, t->arg);
        if (given != NULL && !json_is_null(given)) {
            set(pointer, pointer_size, t->name);
            snprintf(msg, msg_size, "%s%s is given twice: in the request part (/data%s/%s) and as the part '%s'",
                     t->validation ? "validation." : "", t->arg, t->validation ? "/validation" : "", t->arg, t->name);
            return FC_UPLOAD_INVALID;
        }
    }
    data = object_member(req, "data");
    for (i = 0; i < u->n_npy; i++) {
        npy_part *t = &u->npy[i];
        json_t *header = t->header;

        t->header = NULL; /* json_object_set_new steals it, even on failure */
        group = data != NULL && t->validation ? object_member(data, "validation") : data;
        if (group != NULL && t->key != NULL)
            group = object_member(group, t->arg);
        if (group == NULL) {
            json_decref(header);
            break;
        }
        if (json_object_set_new(group, t->key ? t->key : t->arg, header) != 0)
            break;
    }
    if (i < u->n_npy) {
        set(msg, msg_size, "out of memory building the request");
        return FC_UPLOAD_NOMEM;
    }
    return FC_UPLOAD_OK;
}

static fc_upload_status multipart(fc_req *r, json_t **out, char *msg, size_t msg_size, char *pointer,
                                  size_t pointer_size, int *line, int *column)
{
    fc_upload *u = r->upload;
    json_t *req = NULL, *model = NULL;
    fc_upload_status status = FC_UPLOAD_INVALID;

    if (u == NULL) {
        set(msg, msg_size, "the multipart body was not read");
        return FC_UPLOAD_NOMEM;
    }
    upload_finish(u);
    if (u->status != FC_UPLOAD_OK) {
        set(msg, msg_size, u->msg);
        set(pointer, pointer_size, u->where);
        return u->status;
    }
    if (u->request.seen) {
        set(pointer, pointer_size, "request");
        req = parse_json(u->request.data, u->request.len, "the request part", msg, msg_size, line, column);
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
    if (u->model.seen) {
        set(pointer, pointer_size, "/model");
        if (json_object_get(req, "model") != NULL) {
            set(msg, msg_size, "the model is given twice: in the request part and as the model part");
            goto cleanup;
        }
        status = model_from_file(r, u->model.data, u->model.len, &model, msg, msg_size, line, column);
        if (status != FC_UPLOAD_OK)
            goto cleanup;
        json_object_set_new(req, "model", model);
    }
    pointer[0] = '\0';
    status = attach_arrays(u, req, msg, msg_size, pointer, pointer_size);
    if (status != FC_UPLOAD_OK)
        goto cleanup;
    *out = req;
    req = NULL;

cleanup:
    json_decref(req);
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
    if (fc_upload_is_multipart(ct))
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
