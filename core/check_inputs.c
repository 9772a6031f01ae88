/*
 * check_inputs.c - data.x against the model's inputs.
 *
 * Rank rules per target (see ../shared/research/keras-semantics.md, Q1):
 * Keras 3 (Functional._adjust_input_rank) and tf.keras 2
 * (Functional._conform_to_reference_input) accept x with one extra trailing
 * axis of size 1 (squeezed) or one missing trailing axis when the input's last
 * dimension is 1 (expanded). TF.js accepts only the input's rank, after
 * expanding a 1-D array to (N, 1) (ensureTensorsRank2OrHigher).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"

#define VAR(n, v) {n, v}

/* Everything the input findings' templates may name. */
typedef struct input_ctx {
    const fc_request *req;
    const fc_model_io *input;
    const fc_tensor *x;
    size_t index;
    char index_s[24];
    char expected[256], expected_sample[256], expected_sample_args[256], expected_js[256];
    char found[256], found_batch[256], found_js[256], found_sample_args[256];
    char expected_rank[16], found_rank[16];
} input_ctx;

static void ctx_fill(input_ctx *c)
{
    fc_shape sample, batched;
    int64_t n = c->x->shape.dims[0];
    int64_t bs = c->req->batch_size;
    int i;

    snprintf(c->index_s, sizeof(c->index_s), "%zu", c->index);
    fc_shape_format(&c->input->shape, 0, c->expected, sizeof(c->expected));
    fc_shape_format(&c->input->shape, 1, c->expected_sample_args, sizeof(c->expected_sample_args));
    fc_shape_format_js(&c->input->shape, 1, c->expected_js, sizeof(c->expected_js));
    sample.rank = c->input->shape.rank - 1;
    for (i = 0; i < sample.rank; i++)
        sample.dims[i] = c->input->shape.dims[i + 1];
    fc_shape_format(&sample, 0, c->expected_sample, sizeof(c->expected_sample));
    fc_shape_format(&c->x->shape, 0, c->found, sizeof(c->found));
    fc_shape_format_js(&c->x->shape, 0, c->found_js, sizeof(c->found_js));
    fc_shape_format(&c->x->shape, 1, c->found_sample_args, sizeof(c->found_sample_args));
    /* Keras batches the arrays: the batch axis prints as the batch size when
     * every batch is full, else as None (ArrayDataAdapter.get_tf_dataset). */
    batched = c->x->shape;
    batched.dims[0] = (n != FC_DIM_UNKNOWN && bs > 0 && n % bs == 0) ? bs : FC_DIM_UNKNOWN;
    fc_shape_format(&batched, 0, c->found_batch, sizeof(c->found_batch));
    snprintf(c->expected_rank, sizeof(c->expected_rank), "%d", c->input->shape.rank);
    snprintf(c->found_rank, sizeof(c->found_rank), "%d", c->x->shape.rank);
}

#define CTX_VARS(c)                                                                                            \
    VAR("input", (c)->input->name), VAR("input_index", (c)->index_s),                                          \
        VAR("model_name", (c)->req->model.name ? (c)->req->model.name : (c)->req->model.class_name),           \
        VAR("expected", (c)->expected), VAR("expected_sample", (c)->expected_sample),                          \
        VAR("expected_sample_args", (c)->expected_sample_args), VAR("expected_js", (c)->expected_js),          \
        VAR("expected_rank", (c)->expected_rank), VAR("found", (c)->found),                                    \
        VAR("found_batch", (c)->found_batch), VAR("found_js", (c)->found_js),                                  \
        VAR("found_sample_args", (c)->found_sample_args), VAR("found_rank", (c)->found_rank),                  \
        VAR("first_layer", (c)->req->model.n_layers ? (c)->req->model.layers[0].name : "")

static int is_sequential(const fc_request *req)
{
    return strcmp(req->model.class_name, "Sequential") == 0;
}

/* Compares axes 1.. of x (after adaptation) with the input; -1 when all match, else the axis. */
static int first_dim_mismatch(const fc_shape *in, const fc_shape *x)
{
    int i;

    for (i = 1; i < in->rank && i < x->rank; i++) {
        if (in->dims[i] != FC_DIM_UNKNOWN && x->dims[i] != FC_DIM_UNKNOWN && in->dims[i] != x->dims[i])
            return i;
    }
    return -1;
}

/*
 * The shape x takes after the target's own rank adaptation, or rank
 * FC_RANK_UNKNOWN when the target rejects the rank.
 */
static void adapt_rank(fc_framework target, const fc_shape *in, const fc_shape *x, fc_shape *out)
{
    *out = *x;
    if (target == FC_FW_TFJS) {
        if (x->rank == 1) {
            out->rank = 2;
            out->dims[1] = 1;
        }
        if (out->rank != in->rank)
            out->rank = FC_RANK_UNKNOWN;
        return;
    }
    if (x->rank == in->rank)
        return;
    if (x->rank == in->rank + 1 && x->dims[x->rank - 1] == 1) {
        out->rank = in->rank; /* squeezed */
        return;
    }
    if (x->rank + 1 == in->rank && in->dims[in->rank - 1] == 1 && x->rank < FC_MAX_RANK) {
        out->rank = in->rank; /* expanded */
        out->dims[in->rank - 1] = 1;
        return;
    }
    out->rank = FC_RANK_UNKNOWN;
}

/* Chooses the most likely repair for a rank mismatch. */
static fc_status rank_fix(input_ctx *c, fc_finding *f)
{
    const fc_shape *in = &c->input->shape;
    const fc_shape *x = &c->x->shape;
    int64_t in_elems, x_elems;
    int js = c->req->framework == FC_FW_TFJS;
    fc_var vars[] = {CTX_VARS(c)};
    size_t nv = sizeof(vars) / sizeof(vars[0]);
    int i, same_prefix = 1;

    for (i = 1; i < x->rank && i < in->rank; i++) {
        if (in->dims[i] != FC_DIM_UNKNOWN && in->dims[i] != x->dims[i])
            same_prefix = 0;
    }
    if (fc_shape_num_elements(in, 1, &in_elems) && fc_shape_num_elements(x, 1, &x_elems) && in_elems == x_elems) {
        return fc_finding_set_fix(f, 0,
                                  x->rank < in->rank ? "The samples are flattened: reshape them to {expected_sample}"
                                                     : "Reshape each sample to {expected_sample}",
                                  js ? "x = x.reshape([-1, {expected_sample_args}]);" : "x = x.reshape(-1, {expected_sample_args})",
                                  vars, nv);
    }
    if (x->rank + 1 == in->rank && same_prefix) {
        return fc_finding_set_fix(f, 0, "x lacks the last axis (e.g. a channel axis of size {expected_sample}): add it",
                                  js ? "x = x.expandDims(-1);" : "x = np.expand_dims(x, -1)", vars, nv);
    }
    if (x->rank + 1 == in->rank) {
        int match = 1;

        for (i = 0; i < x->rank; i++) {
            if (in->dims[i + 1] != FC_DIM_UNKNOWN && in->dims[i + 1] != x->dims[i])
                match = 0;
        }
        if (match)
            return fc_finding_set_fix(f, 0, "x is one sample without the batch axis: add the batch axis",
                                      js ? "x = x.expandDims(0);" : "x = np.expand_dims(x, 0)", vars, nv);
    }
    return fc_finding_set_fix(f, 0, "Build x so that each sample has shape {expected_sample}",
                              js ? "// x must have shape [n, {expected_sample_args}]"
                                 : "assert x.shape[1:] == ({expected_sample_args},), x.shape",
                              vars, nv);
}

static fc_status check_one(const fc_request *req, const fc_model_io *input, size_t index, const fc_tensor *x,
                           fc_findings *out)
{
    input_ctx c = {.req = req, .input = input, .x = x, .index = index};
    fc_shape adapted;
    fc_finding *f;
    int axis;

    if (input->shape.rank == FC_RANK_UNKNOWN || input->shape.rank < 1)
        return FC_OK; /* deferred build: the data decides the shape */
    ctx_fill(&c);
    fc_var vars[] = {CTX_VARS(&c)};
    size_t nv = sizeof(vars) / sizeof(vars[0]);

    adapt_rank(req->framework, &input->shape, &x->shape, &adapted);
    if (adapted.rank == FC_RANK_UNKNOWN) {
        f = fc_findings_add(out, FC_INPUT_RANK_MISMATCH, req->framework,
                            "x has shape {found} (rank {found_rank}) but model input '{input}' expects {expected} "
                            "(rank {expected_rank})",
                            x->pointer, input->name, NULL, vars, nv);
        if (f == NULL)
            return FC_ERR_NOMEM;
        if (req->framework == FC_FW_KERAS3 && is_sequential(req) &&
            fc_finding_set_error(f,
                                 "Exception encountered when calling Sequential.call().\n\nInvalid input shape for "
                                 "input \u2026. Expected shape {expected}, but input has incompatible shape "
                                 "{found_batch}",
                                 vars, nv) != FC_OK)
            return FC_ERR_NOMEM;
        return rank_fix(&c, f);
    }
    axis = first_dim_mismatch(&input->shape, &adapted);
    if (axis < 0)
        return FC_OK;
    {
        char axis_s[16], exp_d[24], found_d[24], axis_neg[16];

        snprintf(axis_s, sizeof(axis_s), "%d", axis);
        snprintf(axis_neg, sizeof(axis_neg), "%d", axis - input->shape.rank);
        snprintf(exp_d, sizeof(exp_d), "%lld", (long long)input->shape.dims[axis]);
        snprintf(found_d, sizeof(found_d), "%lld", (long long)adapted.dims[axis]);
        fc_var more[] = {CTX_VARS(&c), VAR("axis", axis_s), VAR("axis_neg", axis_neg), VAR("expected_dim", exp_d),
                         VAR("found_dim", found_d)};
        size_t nm = sizeof(more) / sizeof(more[0]);

        f = fc_findings_add(out, FC_INPUT_SHAPE_MISMATCH, req->framework,
                            "x has shape {found} but model input '{input}' expects {expected}: axis {axis} is "
                            "{found_dim}, not {expected_dim}",
                            x->pointer, input->name, NULL, more, nm);
        if (f == NULL)
            return FC_ERR_NOMEM;
        if (req->framework == FC_FW_KERAS3 && is_sequential(req)) {
            /* Keras 3's Sequential has no model-level input spec: the first
             * layer whose spec or weights depend on the axis raises. */
            const char *tmpl = axis == input->shape.rank - 1
                                   ? "Input 0 of layer \"{first_layer}\" is incompatible with the layer: expected axis "
                                     "{axis_neg} of input shape to have value {expected_dim}, but received input with "
                                     "shape {found_batch}"
                                   : "(no check at the model input: Keras 3's Sequential has no model-level input "
                                     "spec; the first layer whose weights depend on axis {axis} raises, or training "
                                     "runs on a differently shaped graph)";
            if (fc_finding_set_error(f, tmpl, more, nm) != FC_OK)
                return FC_ERR_NOMEM;
        }
    }
    return FC_OK;
}

/* Comma-separated quoted input names, and a dict literal keyed by them. */
static void input_names(const fc_model *m, char *names, size_t nsize, char *dict, size_t dsize)
{
    size_t i, un = 0, ud = 0;

    names[0] = dict[0] = '\0';
    ud = (size_t)snprintf(dict, dsize, "{");
    for (i = 0; i < m->n_inputs && un < nsize && ud < dsize; i++) {
        un += (size_t)snprintf(names + un, nsize - un, "%s'%s'", i ? ", " : "", m->inputs[i].name);
        if (un < nsize && ud < dsize)
            ud += (size_t)snprintf(dict + ud, dsize - ud, "%s\"%s\": x%zu", i ? ", " : "", m->inputs[i].name, i);
    }
    if (ud < dsize)
        snprintf(dict + ud, dsize - ud, "}");
}

static fc_status count_mismatch(const fc_request *req, size_t found, fc_findings *out)
{
    const fc_model *m = &req->model;
    char names[512], dict[512], expected[24], found_s[24];

    input_names(m, names, sizeof(names), dict, sizeof(dict));
    snprintf(expected, sizeof(expected), "%zu", m->n_inputs);
    snprintf(found_s, sizeof(found_s), "%zu", found);
    fc_var vars[] = {VAR("expected_count", expected), VAR("found_count", found_s), VAR("input_names", names),
                     VAR("x_dict_example", dict),
                     VAR("model_name", m->name ? m->name : m->class_name)};
    if (fc_findings_add(out, FC_INPUT_COUNT_MISMATCH, req->framework,
                        "the model has {expected_count} input(s) but x supplies {found_count} array(s)", "/data/x",
                        NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
        return FC_ERR_NOMEM;
    return FC_OK;
}

static fc_status check_dict(const fc_request *req, fc_findings *out)
{
    const fc_model *m = &req->model;
    size_t i, matched = 0;
    fc_status result;

    for (i = 0; i < req->x.len; i++) {
        const fc_tensor *t = &req->x.items[i];
        int idx = fc_model_find_input(m, t->key);

        if (idx >= 0) {
            matched++;
            result = check_one(req, &m->inputs[idx], (size_t)idx, t, out);
        } else {
            char names[512], dict[512];

            input_names(m, names, sizeof(names), dict, sizeof(dict));
            fc_var vars[] = {VAR("key", t->key), VAR("input_names", names), VAR("x_dict_example", dict),
                             VAR("first_input", m->inputs[0].name)};
            result = fc_findings_add(out, FC_INPUT_NAME_UNKNOWN, req->framework,
                                     "x has key '{key}', which is not a model input ({input_names})", t->pointer,
                                     NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) ? FC_OK : FC_ERR_NOMEM;
        }
        if (result != FC_OK)
            return result;
    }
    if (matched < m->n_inputs && matched == req->x.len)
        return count_mismatch(req, matched, out);
    return FC_OK;
}

fc_status fc_check_inputs(const fc_request *req, fc_findings *out)
{
    const fc_model *m = &req->model;
    size_t i;
    fc_status result;

    if (req->x.form == FC_DATA_NONE || m->n_inputs == 0)
        return FC_OK;
    if (req->x.form == FC_DATA_DICT)
        return check_dict(req, out);
    if (req->x.len != m->n_inputs)
        return count_mismatch(req, req->x.len, out);
    for (i = 0; i < m->n_inputs; i++) {
        result = check_one(req, &m->inputs[i], i, &req->x.items[i], out);
        if (result != FC_OK)
            return result;
    }
    return FC_OK;
}

/* Appends "label sizes" lines for one of x / y in the Keras 3 and tf.keras 2 layouts. */
static void sizes_lines(const fc_arrays *a, const char *label, char *k3, size_t k3size, char *k2, size_t k2size)
{
    char list[256] = "";
    size_t i, used = 0, l3 = strlen(k3), l2 = strlen(k2);

    for (i = 0; i < a->len && used < sizeof(list); i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%lld", i ? ", " : "",
                                 (long long)a->items[i].shape.dims[0]);
    if (a->len == 0)
        return;
    snprintf(k3 + l3, k3size - l3, "'%s' sizes: %s\n", label, list);
    snprintf(k2 + l2, k2size - l2, "  %s sizes: %s\n", label, list);
}

/* The distinct known sample count of a set, 0 when none, -2 when they differ. */
static int64_t set_count(const fc_arrays *a)
{
    int64_t n = 0;
    size_t i;

    for (i = 0; i < a->len; i++) {
        int64_t d = a->items[i].shape.dims[0];

        if (d == FC_DIM_UNKNOWN)
            continue;
        if (n == 0)
            n = d;
        else if (d != n)
            return -2;
    }
    return n;
}

static void shapes_json(const fc_arrays *a, char *buf, size_t size)
{
    size_t i, used = (size_t)snprintf(buf, size, "[");
    char js[160];

    for (i = 0; i < a->len && used < size; i++) {
        fc_shape_format_js(&a->items[i].shape, 0, js, sizeof(js));
        used += (size_t)snprintf(buf + used, size - used, "%s[%s]", i ? "," : "", js);
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

fc_status fc_check_cardinality(const fc_request *req, fc_findings *out)
{
    char k3[600] = "", k2[600] = "", js[700], shapes[400], detail[700];
    int64_t nx = set_count(&req->x), ny = set_count(&req->y);

    if (nx == -2) {
        shapes_json(&req->x, shapes, sizeof(shapes));
        snprintf(js, sizeof(js), "All input Tensors (x) should have the same number of samples. Got array shapes: %s",
                 shapes);
    } else if (ny == -2) {
        shapes_json(&req->y, shapes, sizeof(shapes));
        snprintf(js, sizeof(js), "All target Tensors (y) should have the same number of samples. Got array shapes: %s",
                 shapes);
    } else if (nx > 0 && ny > 0 && nx != ny) {
        snprintf(js, sizeof(js),
                 "Input Tensors should have the same number of samples as target Tensors. Found %lld input "
                 "sample(s) and %lld target sample(s).",
                 (long long)nx, (long long)ny);
    } else {
        return FC_OK;
    }
    sizes_lines(&req->x, "x", k3, sizeof(k3), k2, sizeof(k2));
    sizes_lines(&req->y, "y", k3, sizeof(k3), k2, sizeof(k2));
    snprintf(detail, sizeof(detail), "%s", k2);
    fc_var vars[] = {VAR("detail", detail), VAR("k3_sizes", k3), VAR("k2_sizes", k2), VAR("tfjs_message", js)};
    if (fc_findings_add(out, FC_SAMPLE_COUNT_MISMATCH, req->framework,
                        "x and y do not hold the same number of samples:\n{k2_sizes}", "/data", NULL, NULL, vars,
                        sizeof(vars) / sizeof(vars[0])) == NULL)
        return FC_ERR_NOMEM;
    return FC_OK;
}
