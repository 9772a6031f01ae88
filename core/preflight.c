/*
 * preflight.c - reading a preflight request, running the checks, and
 * building the report object.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "fitcheck/alloc.h"
#include "fitcheck/preflight.h"
#include "fitcheck/resources.h"

void fc_request_release(fc_request *req)
{
    if (req == NULL)
        return;
    fc_graph_release(&req->graph);
    fc_model_release(&req->model);
    fc_arrays_release(&req->x);
    fc_arrays_release(&req->y);
    fc_arrays_release(&req->vx);
    fc_arrays_release(&req->vy);
    memset(req, 0, sizeof(*req));
}

/* Reads an optional integer >= min at key of obj into *out (default kept when absent or null). */
static fc_status opt_int(const json_t *obj, const char *key, const char *base, int64_t min, int64_t *out,
                         fc_error *err)
{
    const json_t *v = json_object_get(obj, key);
    char path[96];

    if (v == NULL || json_is_null(v))
        return FC_OK;
    snprintf(path, sizeof(path), "%s/%s", base, key);
    if (!json_is_integer(v) || json_integer_value(v) < min)
        return fc_error_set(err, FC_ERR_INVALID, path, "%s must be an integer >= %lld", key, (long long)min);
    *out = (int64_t)json_integer_value(v);
    return FC_OK;
}

static fc_status read_fit(const json_t *fit, fc_request *req, fc_error *err)
{
    const json_t *split;
    fc_status result;

    req->batch_size = 32;
    req->epochs = 1;
    req->validation_split = 0.0;
    if (fit == NULL || json_is_null(fit))
        return FC_OK;
    if (!json_is_object(fit))
        return fc_error_set(err, FC_ERR_INVALID, "/fit", "fit must be an object of model.fit arguments");
    req->batch_size_given = json_is_integer(json_object_get(fit, "batch_size"));
    result = opt_int(fit, "batch_size", "/fit", 1, &req->batch_size, err);
    if (result == FC_OK)
        result = opt_int(fit, "epochs", "/fit", 1, &req->epochs, err);
    if (result == FC_OK)
        result = opt_int(fit, "steps_per_epoch", "/fit", 1, &req->steps_per_epoch, err);
    if (result == FC_OK)
        result = opt_int(fit, "validation_steps", "/fit", 1, &req->validation_steps, err);
    if (result != FC_OK)
        return result;
    split = json_object_get(fit, "validation_split");
    if (split != NULL && !json_is_null(split)) {
        if (!json_is_number(split) || json_number_value(split) < 0.0 || json_number_value(split) > 1.0)
            return fc_error_set(err, FC_ERR_INVALID, "/fit/validation_split",
                                "validation_split must be a number between 0 and 1");
        req->validation_split = json_number_value(split);
    }
    return FC_OK;
}

static fc_status read_environment(const json_t *env, fc_request *req, fc_error *err)
{
    fc_status result;

    req->host_memory_bytes = -1;
    req->device_memory_bytes = -1;
    if (env == NULL || json_is_null(env))
        return FC_OK;
    if (!json_is_object(env))
        return fc_error_set(err, FC_ERR_INVALID, "/environment", "environment must be an object");
    result = opt_int(env, "host_memory_bytes", "/environment", 0, &req->host_memory_bytes, err);
    if (result == FC_OK)
        result = opt_int(env, "device_memory_bytes", "/environment", 0, &req->device_memory_bytes, err);
    if (result == FC_OK && json_object_get(env, "device") != NULL && !json_is_null(json_object_get(env, "device"))) {
        const fc_device_preset *p = fc_device_preset_find(json_string_value(json_object_get(env, "device")));

        if (p == NULL) {
            char names[512];

            fc_device_preset_names(names, sizeof(names));
            return fc_error_set(err, FC_ERR_INVALID, "/environment/device", "device must be one of %s", names);
        }
        req->device = p->name;
        /* numbers given beside the preset win: they describe this machine */
        if (req->device_memory_bytes < 0)
            req->device_memory_bytes = p->device_bytes > 0 ? p->device_bytes : p->host_bytes;
        if (req->host_memory_bytes < 0)
            req->host_memory_bytes = p->host_bytes;
    }
    return result;
}

/* Number of characters (UTF-8 code points) in a valid UTF-8 string. */
static size_t utf8_chars(const char *s, size_t bytes)
{
    size_t i, n = 0;

    for (i = 0; i < bytes; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    }
    return n;
}

static fc_status read_labels(const json_t *labels, fc_request *req, fc_error *err)
{
    const char *key;
    json_t *value;
    char path[128];

    if (labels == NULL || json_is_null(labels))
        return FC_OK;
    if (!json_is_object(labels))
        return fc_error_set(err, FC_ERR_INVALID, "/labels", "labels must be an object of strings");
    json_object_foreach((json_t *)labels, key, value) {
        fc_pointer_join(path, sizeof(path), "/labels", key);
        if (!json_is_string(value) ||
            utf8_chars(json_string_value(value), json_string_length(value)) > FC_MAX_LABEL_LEN)
            return fc_error_set(err, FC_ERR_INVALID, path, "a label must be a string of at most %d characters",
                                FC_MAX_LABEL_LEN);
    }
    req->labels = labels;
    return FC_OK;
}

/*
 * The release: the request's framework_version (a 400 when it names no
 * release of the target), else the descriptor's when it is one of the
 * target's, else the newest release (source "assumed").
 */
static fc_status read_version(const json_t *version, fc_request *req, fc_error *err)
{
    const char *desc = req->target.framework == FC_FW_TFJS ? req->model.tfjs_version : req->model.framework_version;

    if (version != NULL && !json_is_null(version)) {
        if (!json_is_string(version))
            return fc_error_set(err, FC_ERR_INVALID, "/framework_version", "framework_version must be a string");
        return fc_version_parse(req->target.framework, json_string_value(version), "/framework_version",
                                &req->target.version, err);
    }
    if (desc != NULL && fc_version_parse(req->target.framework, desc, "", &req->target.version, NULL) == FC_OK) {
        req->target.version.source = "descriptor";
        return FC_OK;
    }
    fc_version_assume_newest(req->target.framework, &req->target.version);
    return FC_OK;
}

static fc_status read_framework(const json_t *body, fc_request *req, fc_error *err)
{
    const json_t *fw = json_object_get(body, "framework");

    if (fw != NULL && !json_is_null(fw)) {
        req->target.framework = fc_framework_parse(json_string_value(fw));
        if (req->target.framework == FC_FW_UNKNOWN)
            return fc_error_set(err, FC_ERR_INVALID, "/framework",
                                "framework must be one of \"keras3\", \"tf.keras2\", \"tfjs\"");
        req->framework_source = "request";
    } else if (req->model.framework != FC_FW_UNKNOWN) {
        req->target.framework = req->model.framework;
        req->framework_source = "detected";
    } else {
        req->target.framework = FC_FW_KERAS3;
        req->framework_source = "default";
    }
    return read_version(json_object_get(body, "framework_version"), req, err);
}

/* A pandas.Series becomes a (N, 1) column where the release does so (FC_B_SERIES_AS_COLUMN). */
static void series_as_columns(const fc_request *req, fc_arrays *a)
{
    size_t i;

    for (i = 0; i < a->len; i++) {
        fc_tensor *t = &a->items[i];

        if (t->container == FC_CONTAINER_SERIES && t->shape.rank == 1 &&
            fc_target_has(&req->target, FC_B_SERIES_AS_COLUMN)) {
            t->shape.rank = 2;
            t->shape.dims[1] = 1;
        }
    }
}

fc_status fc_request_parse(const json_t *body, fc_request *req, fc_error *err)
{
    const json_t *data, *model;
    fc_status result;

    memset(req, 0, sizeof(*req));
    req->body = body;
    if (!json_is_object(body))
        return fc_error_set(err, FC_ERR_INVALID, "", "the request body must be a JSON object");
    model = json_object_get(body, "model");
    if (model == NULL || json_is_null(model))
        return fc_error_set(err, FC_ERR_INVALID, "/model", "the request needs a \"model\": the Keras model descriptor");
    data = json_object_get(body, "data");
    if (data != NULL && !json_is_null(data) && !json_is_object(data))
        return fc_error_set(err, FC_ERR_INVALID, "/data", "data must be an object with \"x\" and optionally \"y\"");
    if (json_object_get(body, "compile") != NULL && !json_is_object(json_object_get(body, "compile")) &&
        !json_is_null(json_object_get(body, "compile")))
        return fc_error_set(err, FC_ERR_INVALID, "/compile", "compile must be an object of model.compile arguments");

    result = fc_model_parse(model, "/model", &req->model, err);
    if (result == FC_OK)
        result = read_framework(body, req, err);
    if (result == FC_OK)
        result = fc_arrays_parse(json_object_get(data, "x"), "/data/x", &req->x, err);
    if (result == FC_OK)
        result = fc_arrays_parse(json_object_get(data, "y"), "/data/y", &req->y, err);
    if (result == FC_OK) {
        const json_t *v = json_object_get(data, "validation");

        if (v != NULL && !json_is_null(v) && !json_is_object(v))
            result = fc_error_set(err, FC_ERR_INVALID, "/data/validation",
                                  "validation must be an object with \"x\" and \"y\", like data");
        if (result == FC_OK)
            result = fc_arrays_parse(json_object_get(v, "x"), "/data/validation/x", &req->vx, err);
        if (result == FC_OK)
            result = fc_arrays_parse(json_object_get(v, "y"), "/data/validation/y", &req->vy, err);
    }
    if (result == FC_OK) {
        series_as_columns(req, &req->x);
        series_as_columns(req, &req->y);
        series_as_columns(req, &req->vx);
        series_as_columns(req, &req->vy);
        result = read_fit(json_object_get(body, "fit"), req, err);
    }
    if (result == FC_OK)
        result = read_environment(json_object_get(body, "environment"), req, err);
    if (result == FC_OK)
        result = read_labels(json_object_get(body, "labels"), req, err);
    if (result != FC_OK)
        fc_request_release(req);
    return result;
}

/* The first layer's name and, from x, the sample shape ("10" or "28, 28") for the fix. */
static fc_status deferred_input(fc_request *req, fc_findings *findings)
{
    fc_model *m = &req->model;
    const fc_tensor *x = req->x.len == 1 ? &req->x.items[0] : NULL;
    char args[256] = "...", pointer[560];
    fc_finding *f;
    int i, refused;

    if (x != NULL && x->shape.rank >= 1) {
        m->inputs[0].shape = x->shape;
        m->inputs[0].shape.dims[0] = FC_DIM_UNKNOWN;
        fc_shape_format(&x->shape, 1, args, sizeof(args));
        for (i = 1; i < x->shape.rank; i++) {
            if (x->shape.dims[i] == FC_DIM_UNKNOWN)
                m->inputs[0].shape.dims[i] = FC_DIM_UNKNOWN;
        }
    }
    snprintf(pointer, sizeof(pointer), "%s/0", m->layers_pointer);
    fc_var vars[] = {{"layer", m->layers[0].name}, {"input_args", args}};
    /* standalone Keras 2.0-2.1 refused it in Sequential.add, as TF.js does; 2.2 brought the deferred build */
    refused = req->target.framework == FC_FW_TFJS || fc_target_in(&req->target, "keras2 2.0.0-2.1.6");
    f = fc_findings_add(findings, FC_SEQUENTIAL_NO_INPUT_SHAPE, &req->target,
                        req->target.framework == FC_FW_TFJS
                            ? "the first layer '{layer}' has no input shape: TF.js refuses to build the model"
                        : refused ? "the first layer '{layer}' has no input shape: Keras before 2.2 refuses the "
                                    "Sequential model"
                                  : "the first layer '{layer}' has no input shape: Keras builds the model from the "
                                    "first batch of x",
                        pointer, NULL, m->layers[0].name, vars, sizeof(vars) / sizeof(vars[0]));
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (refused)
        f->severity = FC_SEV_ERROR;
    if (x != NULL && x->shape.rank >= 1 && strncmp(pointer, "/model", 6) == 0) {
        /* the machine-applicable form: declare the shape on the first layer */
        char path[600];

        if (req->target.framework == FC_FW_KERAS3) {
            /* Keras 3 layers take no batch_input_shape: insert an InputLayer instead */
            snprintf(path, sizeof(path), "%s", pointer + 6);
            return fc_finding_add_patch_fix(
                f, "Or insert an InputLayer in the descriptor", "# keras.Input(shape=({input_args},)) first",
                json_pack("[{s:s, s:s, s:{s:s, s:{s:o, s:s}}}]", "op", "add", "path", path, "value", "class_name",
                          "InputLayer", "config", "batch_shape", fc_shape_to_json(&m->inputs[0].shape), "name",
                          "input_layer"),
                vars, sizeof(vars) / sizeof(vars[0]));
        }
        snprintf(path, sizeof(path), "%s/config/batch_input_shape", pointer + 6);
        return fc_finding_add_patch_fix(f, "Or declare the input shape on the first layer",
                                        "# batch_input_shape=[None, {input_args}] on '{layer}'",
                                        json_pack("[{s:s, s:s, s:o}]", "op", "add", "path", path, "value",
                                                  fc_shape_to_json(&m->inputs[0].shape)),
                                        vars, sizeof(vars) / sizeof(vars[0]));
    }
    return FC_OK;
}

/*
 * TF.js before 2.4 knows the Functional model class as "Model" only; Keras
 * 2.4 (TensorFlow 2.3) and later write "Functional". Renaming it is the fix.
 */
static fc_status tfjs_functional_class(fc_request *req, fc_findings *findings)
{
    const fc_model *m = &req->model;
    char pointer[512], *at;
    fc_finding *f;

    if (req->target.framework != FC_FW_TFJS || strcmp(m->class_name, "Functional") != 0 ||
        fc_target_has(&req->target, FC_B_TFJS_FUNCTIONAL_CLASS))
        return FC_OK;
    snprintf(pointer, sizeof(pointer), "%s", m->layers_pointer);
    at = strstr(pointer, "/config/layers");
    if (at != NULL)
        *at = '\0';
    fc_var vars[] = {{"layer", m->name ? m->name : "model"},
                     {"class", "Functional"},
                     {"detail", " model (the class name Keras 2.4 / TensorFlow 2.3 and later write; TF.js reads it "
                                "from 2.4 on, and reads \"Model\" in every release)"},
                     {"fix", "# rename the model's class_name from \"Functional\" to \"Model\" in model.json"},
                     {"tfjs_error", "Unknown layer: Functional. This may be due to one of the following reasons:"}};
    f = fc_findings_add(findings, FC_TFJS_UNSUPPORTED, &req->target,
                        "TF.js before 2.4 cannot load a model of class \"Functional\"", pointer, NULL, NULL, vars,
                        sizeof(vars) / sizeof(vars[0]));
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (strncmp(pointer, "/model", 6) == 0) {
        char path[600];

        snprintf(path, sizeof(path), "%s/class_name", pointer + 6);
        return fc_finding_add_patch_fix(f, "Rename the model class in the descriptor", "class_name = \"Model\"",
                                        json_pack("[{s:s, s:s, s:s}]", "op", "replace", "path", path, "value",
                                                  "Model"),
                                        NULL, 0);
    }
    return FC_OK;
}

/* Sum of the weight values a TF.js weightsManifest lists; -1 when absent or unreadable. */
static int64_t manifest_params(const json_t *descriptor, int64_t *count)
{
    const json_t *groups = json_object_get(descriptor, "weightsManifest"), *group, *w;
    int64_t total = 0;
    size_t g, i, k;

    *count = 0;
    if (!json_is_array(groups))
        return -1;
    json_array_foreach(groups, g, group) {
        json_array_foreach(json_object_get(group, "weights"), i, w) {
            const json_t *shape = json_object_get(w, "shape");
            int64_t n = 1;

            if (!json_is_array(shape))
                return -1;
            for (k = 0; k < json_array_size(shape); k++) {
                json_int_t d = json_integer_value(json_array_get(shape, k));

                if (!json_is_integer(json_array_get(shape, k)) || d < 0 || !fc_mul_i64(n, d, &n))
                    return -1;
            }
            if (n > INT64_MAX - total)
                return -1;
            total += n;
            (*count)++;
        }
    }
    return *count > 0 ? total : -1;
}

static fc_status check_manifest(const fc_request *req, fc_findings *findings)
{
    const fc_graph *g = &req->graph;
    int64_t count, listed = manifest_params(req->model.descriptor, &count);
    int64_t model = g->trainable + g->non_trainable;
    char a[32], b[32], c[32];

    if (listed < 0 || !g->params_known || listed == model)
        return FC_OK;
    snprintf(a, sizeof(a), "%lld", (long long)listed);
    snprintf(b, sizeof(b), "%lld", (long long)model);
    snprintf(c, sizeof(c), "%lld", (long long)count);
    fc_var vars[] = {{"manifest_params", a}, {"model_params", b}, {"manifest_count", c}};
    if (fc_findings_add(findings, FC_WEIGHTS_MANIFEST_MISMATCH, &req->target,
                        "the weights manifest lists {manifest_params} values; the layers need {model_params}",
                        "/model/weightsManifest", NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
        return FC_ERR_NOMEM;
    return FC_OK;
}

fc_status fc_request_infer(fc_request *req, fc_findings *findings)
{
    fc_status result = FC_OK;

    if (req->model.deferred_input)
        result = deferred_input(req, findings);
    if (result == FC_OK)
        result = fc_graph_infer(&req->model, NULL, &req->target, 0, &req->graph, findings);
    if (result == FC_OK)
        result = check_manifest(req, findings);
    if (result == FC_OK)
        result = tfjs_functional_class(req, findings);
    return result;
}

fc_status fc_preflight_check(const fc_request *req, fc_findings *findings)
{
    fc_status result;

    result = fc_check_inputs(req, findings);
    if (result == FC_OK)
        result = fc_check_cardinality(req, findings);
    if (result == FC_OK)
        result = fc_check_containers(req, findings);
    if (result == FC_OK)
        result = fc_check_activation_loss(req, findings);
    if (result == FC_OK)
        result = fc_check_tfjs_names(req, findings);
    if (result == FC_OK)
        result = fc_check_optimizer(req, findings);
    if (result == FC_OK)
        result = fc_check_labels(req, findings);
    if (result == FC_OK)
        result = fc_check_data(req, findings);
    if (result == FC_OK && req->vx.form != FC_DATA_NONE) {
        /* validation_data goes through the same checks as the training arrays (a
         * shallow view: same model and graph, the validation arrays as x and y). */
        fc_request view = *req;

        view.x = req->vx;
        view.y = req->vy;
        view.validation_split = 0.0;
        view.steps_per_epoch = 0;
        view.batch_size_given = 0;
        view.validation_view = 1;
        result = fc_check_inputs(&view, findings);
        if (result == FC_OK)
            result = fc_check_cardinality(&view, findings);
        if (result == FC_OK)
            result = fc_check_labels(&view, findings);
        if (result == FC_OK)
            result = fc_check_data(&view, findings);
    }
    if (result == FC_OK) {
        fc_resources res;

        fc_resources_compute(req, &res);
        result = fc_check_resources(req, &res, findings);
    }
    return result;
}

const char *fc_verdict(const fc_findings *findings)
{
    size_t counts[3];

    fc_findings_count(findings, counts);
    if (counts[FC_SEV_ERROR])
        return "fail";
    if (counts[FC_SEV_WARNING])
        return "warn";
    return "pass";
}

/* ---- report ------------------------------------------------------------- */

/* json_string that maps NULL to JSON null. New reference (NULL on OOM). */
static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *finding_json(const fc_finding *f)
{
    const fc_catalog_entry *entry = fc_catalog_get(f->code);
    json_t *obj = json_object(), *loc = json_object(), *fixes = json_array();
    size_t i;

    if (obj == NULL || loc == NULL || fixes == NULL) {
        json_decref(obj);
        json_decref(loc);
        json_decref(fixes);
        return NULL;
    }
    json_object_set_new(loc, "pointer", json_string(f->pointer));
    if (f->input)
        json_object_set_new(loc, "input", json_string(f->input));
    if (f->layer)
        json_object_set_new(loc, "layer", json_string(f->layer));
    for (i = 0; i < f->n_fixes; i++)
        json_array_append_new(fixes, json_pack("{s:s, s:s, s:s, s:O*}", "summary", f->fixes[i].summary, "code",
                                               f->fixes[i].code, "language", f->fixes[i].language, "patch",
                                               f->fixes[i].patch));
    if (json_object_size(loc) != 1u + (f->input != NULL) + (f->layer != NULL) || json_array_size(fixes) != f->n_fixes) {
        json_decref(obj);
        json_decref(loc);
        json_decref(fixes);
        return NULL;
    }
    json_object_set_new(obj, "code", json_string(entry->code));
    json_object_set_new(obj, "severity", json_string(fc_severity_name(f->severity)));
    json_object_set_new(obj, "title", json_string(entry->title));
    json_object_set_new(obj, "message", json_string(f->message));
    json_object_set_new(obj, "explanation", json_string(f->explanation));
    json_object_set_new(obj, "framework_error", string_or_null(f->framework_error));
    json_object_set_new(obj, "location", loc);
    json_object_set_new(obj, "fixes", fixes);
    json_object_set_new(obj, "reference", json_string(entry->reference));
    {
        char href[96];

        snprintf(href, sizeof(href), "/v1/findings/%s", entry->code);
        json_object_set_new(obj, "href", json_string(href));
    }
    /* A member that failed to allocate is missing: the finding is lost. */
    if (json_object_size(obj) != 10) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *io_json(const fc_model_io *io, int with_dtype)
{
    json_t *obj = json_object();

    if (obj == NULL)
        return NULL;
    json_object_set_new(obj, "name", json_string(io->name));
    json_object_set_new(obj, "shape", fc_shape_to_json(&io->shape));
    if (with_dtype)
        json_object_set_new(obj, "dtype", string_or_null(io->dtype));
    if (json_object_size(obj) != 2 + (with_dtype != 0)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* A layer's output shape: one shape, a list of shapes for several outputs, or null. */
static json_t *layer_output_json(const fc_layer_summary *s)
{
    json_t *list;
    size_t i;

    if (s->n_outputs == 0)
        return json_null();
    if (s->n_outputs == 1)
        return fc_shape_to_json(&s->outputs[0]);
    list = json_array();
    for (i = 0; list != NULL && i < s->n_outputs; i++) {
        if (json_array_append_new(list, fc_shape_to_json(&s->outputs[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *int_or_null(int known, int64_t v)
{
    return known ? json_integer((json_int_t)v) : json_null();
}

static json_t *model_json(const fc_model *m, const fc_graph *g)
{
    json_t *obj = json_object(), *inputs = json_array(), *outputs = json_array(), *layers = json_array();
    size_t i, j;

    if (obj == NULL || inputs == NULL || outputs == NULL || layers == NULL) {
        json_decref(obj);
        json_decref(inputs);
        json_decref(outputs);
        json_decref(layers);
        return NULL;
    }
    for (i = 0; i < m->n_inputs; i++)
        json_array_append_new(inputs, io_json(&m->inputs[i], 1));
    for (i = 0; i < m->n_outputs; i++) {
        fc_model_io io = m->outputs[i];

        if (i < g->n_outputs)
            io.shape = g->outputs[i];
        json_array_append_new(outputs, io_json(&io, 0));
    }
    for (i = 0; i < m->n_layers; i++) {
        json_t *inbound = json_array();

        for (j = 0; j < m->layers[i].n_inbound; j++)
            json_array_append_new(inbound, json_string(m->layers[i].inbound[j]));
        if (json_array_size(inbound) != m->layers[i].n_inbound) {
            json_decref(inbound);
            inbound = NULL; /* json_pack fails on a NULL "o" value: the layer is lost below */
        }
        json_array_append_new(layers, json_pack("{s:s, s:s, s:o?, s:o?, s:o}", "name", m->layers[i].name, "class",
                                                m->layers[i].class_name, "output_shape",
                                                layer_output_json(&g->layers[i]), "params",
                                                int_or_null(g->layers[i].params_known,
                                                            g->layers[i].trainable + g->layers[i].non_trainable),
                                                "inbound", inbound));
    }
    if (json_array_size(inputs) != m->n_inputs || json_array_size(outputs) != m->n_outputs ||
        json_array_size(layers) != m->n_layers) {
        json_decref(obj);
        json_decref(inputs);
        json_decref(outputs);
        json_decref(layers);
        return NULL;
    }
    json_object_set_new(obj, "class", json_string(m->class_name));
    json_object_set_new(obj, "name", string_or_null(m->name));
    json_object_set_new(obj, "inputs", inputs);
    json_object_set_new(obj, "outputs", outputs);
    json_object_set_new(obj, "layers", layers);
    json_object_set_new(obj, "total_params", int_or_null(g->params_known, g->trainable + g->non_trainable));
    json_object_set_new(obj, "trainable_params", int_or_null(g->params_known, g->trainable));
    json_object_set_new(obj, "non_trainable_params", int_or_null(g->params_known, g->non_trainable));
    /* Variables are float32 under every dtype policy Keras ships (mixed precision keeps them float32). */
    json_object_set_new(obj, "weight_bytes",
                        int_or_null(g->params_known && g->trainable + g->non_trainable <= INT64_MAX / 4,
                                    4 * (g->trainable + g->non_trainable)));
    if (json_object_size(obj) != 9) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *summary_json(const char *verdict, const size_t counts[3], const fc_findings *findings)
{
    char text[512];
    size_t used;

    used = (size_t)snprintf(text, sizeof(text), "%s: %zu error(s), %zu warning(s), %zu info", verdict,
                            counts[FC_SEV_ERROR], counts[FC_SEV_WARNING], counts[FC_SEV_INFO]);
    if (findings->len > 0 && used < sizeof(text))
        snprintf(text + used, sizeof(text) - used, "; first: %s %s", fc_catalog_get(findings->items[0].code)->code,
                 findings->items[0].message);
    return json_string(fc_utf8_sanitize(text)); /* the message may be cut inside a character */
}

/* Errors first, then warnings, then info; stable within a severity. */
static void sort_findings(fc_findings *list)
{
    size_t i, j;

    for (i = 1; i < list->len; i++) {
        fc_finding tmp = list->items[i];

        for (j = i; j > 0 && list->items[j - 1].severity < tmp.severity; j--)
            list->items[j] = list->items[j - 1];
        list->items[j] = tmp;
    }
}

/* The report object; without labels (model_only) for an inspection. */
/* {"version", "source", "description", "newer"}: the release the verdicts are for. */
static json_t *release_json(const fc_target *t)
{
    char words[160];

    return json_pack("{s:o, s:s, s:s, s:b}", "version", t->version.known ? json_string(t->version.text) : json_null(),
                     "source", t->version.source ? t->version.source : "assumed", "description",
                     fc_version_describe(t, words, sizeof(words)), "newer", t->version.newer);
}

static json_t *report_json(const fc_request *req, fc_findings *findings, int model_only)
{
    json_t *report = json_object(), *list = json_array();
    const char *verdict;
    size_t counts[3], i;

    if (report == NULL || list == NULL) {
        json_decref(report);
        json_decref(list);
        return NULL;
    }
    sort_findings(findings);
    for (i = 0; i < findings->len; i++) {
        if (json_array_append_new(list, finding_json(&findings->items[i])) != 0) {
            json_decref(report);
            json_decref(list);
            return NULL;
        }
    }
    fc_findings_count(findings, counts);
    verdict = fc_verdict(findings);
    json_object_set_new(report, "framework", json_string(fc_framework_name(req->target.framework)));
    json_object_set_new(report, "framework_source", json_string(req->framework_source));
    json_object_set_new(report, "framework_version",
                        req->target.version.known ? json_string(req->target.version.text) : json_null());
    json_object_set_new(report, "release", release_json(&req->target));
    json_object_set_new(report, "verdict", json_string(verdict));
    json_object_set_new(report, "summary", summary_json(verdict, counts, findings));
    json_object_set_new(report, "counts", json_pack("{s:I, s:I, s:I}", "error", (json_int_t)counts[FC_SEV_ERROR],
                                                    "warning", (json_int_t)counts[FC_SEV_WARNING], "info",
                                                    (json_int_t)counts[FC_SEV_INFO]));
    json_object_set_new(report, "findings", list);
    json_object_set_new(report, "model", model_json(&req->model, &req->graph));
    if (!model_only) {
        fc_resources res;

        fc_resources_compute(req, &res);
        json_object_set_new(report, "resources", fc_resources_json(&res));
        json_object_set_new(report, "labels", req->labels ? json_deep_copy(req->labels) : json_object());
    }
    /* A member that failed to allocate is missing: treat the report as lost. */
    if (json_object_size(report) != (model_only ? 9u : 11u) || json_array_size(list) != findings->len) {
        json_decref(report);
        return NULL;
    }
    return report;
}

/* Parse, infer, (check,) report: the preflight, or with model_only the inspection. */
static fc_status run(const json_t *body, int model_only, json_t **out, fc_error *err)
{
    fc_request req;
    fc_findings findings;
    fc_status result;

    *out = NULL;
    fc_findings_init(&findings);
    result = fc_request_parse(body, &req, err);
    if (result != FC_OK)
        return result;
    result = fc_request_infer(&req, &findings);
    if (result == FC_OK && !model_only)
        result = fc_preflight_check(&req, &findings);
    else if (result == FC_OK)
        result = fc_check_activation_loss(&req, &findings);
    if (result == FC_OK) {
        *out = report_json(&req, &findings, model_only);
        if (*out == NULL)
            result = FC_ERR_NOMEM;
    }
    if (result != FC_OK)
        fc_error_set(err, result, "", "out of memory while checking the request");
    fc_findings_release(&findings);
    fc_request_release(&req);
    return result;
}

fc_status fc_preflight_run(const json_t *body, json_t **report_out, fc_error *err)
{
    return run(body, 0, report_out, err);
}

fc_status fc_inspect_run(const json_t *body, json_t **out, fc_error *err)
{
    return run(body, 1, out, err);
}
