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
#include <stdarg.h>
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
    char found[256], found_batch[256], found_js[256], found_sample_args[256], found_sample[256];
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
    if (c->req->target.framework == FC_FW_TFJS && c->x->shape.rank == 1) {
        fc_shape expanded = c->x->shape; /* TF.js makes a 1-D array (N, 1) before it checks it */

        expanded.rank = 2;
        expanded.dims[1] = 1;
        fc_shape_format_js(&expanded, 0, c->found_js, sizeof(c->found_js));
    } else {
        fc_shape_format_js(&c->x->shape, 0, c->found_js, sizeof(c->found_js));
    }
    fc_shape_format(&c->x->shape, 1, c->found_sample_args, sizeof(c->found_sample_args));
    {
        /* x's sample shape as a Python tuple; a 1-D x is one value per sample, (1,) once TF.js expands it */
        fc_shape s = {0};

        s.rank = c->x->shape.rank > 1 ? c->x->shape.rank - 1 : 1;
        s.dims[0] = 1;
        for (i = 0; i + 1 < c->x->shape.rank; i++)
            s.dims[i] = c->x->shape.dims[i + 1];
        fc_shape_format(&s, 0, c->found_sample, sizeof(c->found_sample));
    }
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
        VAR("found_sample_args", (c)->found_sample_args), VAR("found_sample", (c)->found_sample),              \
        VAR("found_rank", (c)->found_rank),                                                                    \
        VAR("first_layer", first_layer(&(c)->req->model) ? first_layer(&(c)->req->model)->name : "")

/* The first layer after the InputLayer, or NULL. */
static const fc_layer *first_layer(const fc_model *m)
{
    size_t i;

    for (i = 0; i < m->n_layers; i++) {
        if (strcmp(m->layers[i].class_name, "InputLayer") != 0)
            return &m->layers[i];
    }
    return NULL;
}

/* Layers whose InputSpec pins the last axis once built (Dense, convolutions, channels last). */
static int spec_pins_last_axis(const fc_layer *layer)
{
    return layer != NULL && (strcmp(layer->class_name, "Dense") == 0 || strstr(layer->class_name, "Conv") != NULL);
}

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
    int js = c->req->target.framework == FC_FW_TFJS;
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
    if (x->rank + 1 == in->rank) {
        int missing_batch = 1;

        for (i = 0; i < x->rank; i++) {
            if (in->dims[i + 1] != FC_DIM_UNKNOWN && in->dims[i + 1] != x->dims[i])
                missing_batch = 0;
        }
        if (missing_batch && x->rank >= 2)
            return fc_finding_set_fix(f, 0, "x is one sample without the batch axis: add the batch axis",
                                      js ? "x = x.expandDims(0);" : "x = np.expand_dims(x, 0)", vars, nv);
    }
    if (x->rank + 1 == in->rank && same_prefix && in->dims[in->rank - 1] == 1) {
        /* Only TF.js gets here: Keras adds a trailing axis of size 1 itself. */
        return fc_finding_set_fix(f, 0, "x lacks the trailing axis of size 1: add it",
                                  js ? "x = x.expandDims(-1);" : "x = np.expand_dims(x, -1)", vars, nv);
    }
    if (x->rank + 1 == in->rank && same_prefix && in->dims[in->rank - 1] == 3 && in->rank >= 4) {
        return fc_finding_set_fix(f, 0, "x has no channel axis and the model wants 3 (RGB): for grayscale images, "
                                  "repeat the single channel",
                                  js ? "x = x.expandDims(-1).tile([1, 1, 1, 3]);"
                                     : "x = np.repeat(x[..., np.newaxis], 3, axis=-1)  # grayscale to RGB",
                                  vars, nv);
    }
    /* No reshape can make up missing values (and zero-padding them only hides the bug). */
    return fc_finding_set_fix(f, 0, "Supply samples of shape {expected_sample}: the data lacks values the model "
                              "needs, and padding them with zeros would only hide it",
                              js ? "// x must have shape [n, {expected_sample_args}]"
                                 : "assert x.shape[1:] == ({expected_sample_args},), x.shape",
                              vars, nv);
}

/*
 * tf.keras 2 lets a 1-D x through the model's input spec (it compares with
 * zip) and the first Dense fails on it; up to 2.6 expand_1d first made it
 * (N, 1), which then fails on the last axis (keras-semantics.md Q1).
 */
static fc_status tfkeras2_1d_error(const fc_request *req, const fc_model_io *input, fc_finding *f, const fc_var *vars,
                                   size_t nv)
{
    char dim[32];

    snprintf(dim, sizeof(dim), "%lld", (long long)input->shape.dims[1]);
    if (fc_target_has(&req->target, FC_B_EXPAND_1D)) {
        fc_var more[64];
        size_t i, n = 0;

        for (i = 0; i < nv && n < 63; i++)
            more[n++] = vars[i];
        more[n++] = (fc_var){"dim", dim};
        return fc_finding_set_error(f, fc_variant_text(FC_V_RANK_TFKERAS26_EXPANDED, &req->target), more, n);
    }
    return fc_finding_set_error(f, fc_variant_text(FC_V_RANK_TFKERAS2_DENSE_1D, &req->target), vars, nv);
}

/* A Dataset of single samples: each element's first axis is taken as the batch axis. */
static fc_status not_batched(const fc_request *req, const fc_model_io *input, const fc_tensor *x, fc_findings *out)
{
    char found[256], expected[256];

    fc_shape_format(&x->shape, 0, found, sizeof(found));
    fc_shape_format(&input->shape, 0, expected, sizeof(expected));
    fc_var vars[] = {VAR("input", input->name), VAR("found", found), VAR("expected", expected)};
    return fc_findings_add(out, FC_DATASET_NOT_BATCHED, &req->target,
                           "x yields single samples of shape {found}: model input '{input}' wants batches {expected}",
                           x->pointer, input->name, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL
               ? FC_ERR_NOMEM
               : FC_OK;
}

/* A 1-D array as standardize_input_data and TF.js see it: (N, 1). */
static fc_shape at_least_2d(const fc_shape *s)
{
    fc_shape r = *s;

    if (r.rank == 1) {
        r.rank = 2;
        r.dims[1] = 1;
    }
    return r;
}

/*
 * Standalone Keras 2.0-2.3 and tf.keras up to TensorFlow 2.1: fit checks x
 * before training, with no axis added or squeezed except the 1-D expansion
 * (standardize_input_data; see the variants RANK_LEGACY and SHAPE_LEGACY).
 */
static fc_status check_one_legacy(input_ctx *c, fc_findings *out)
{
    const fc_shape *in = &c->input->shape;
    fc_shape x = at_least_2d(&c->x->shape), sample;
    char found_legacy[256], found_sample[256], axis_s[16], exp_d[24], found_d[24];
    fc_finding *f;
    int i, axis = -1;

    fc_shape_format(&x, 0, found_legacy, sizeof(found_legacy));
    sample.rank = x.rank - 1;
    for (i = 0; i < sample.rank; i++)
        sample.dims[i] = x.dims[i + 1];
    fc_shape_format(&sample, 0, found_sample, sizeof(found_sample));
    if (x.rank == in->rank) {
        axis = first_dim_mismatch(in, &x);
        if (axis < 0)
            return FC_OK;
        snprintf(axis_s, sizeof(axis_s), "%d", axis);
        snprintf(exp_d, sizeof(exp_d), "%lld", (long long)in->dims[axis]);
        snprintf(found_d, sizeof(found_d), "%lld", (long long)x.dims[axis]);
    } else {
        axis_s[0] = exp_d[0] = found_d[0] = '\0';
    }
    fc_var vars[] = {CTX_VARS(c), VAR("found_legacy", found_legacy), VAR("found_sample_legacy", found_sample),
                     VAR("axis", axis_s), VAR("expected_dim", exp_d), VAR("found_dim", found_d)};
    size_t nv = sizeof(vars) / sizeof(vars[0]);

    if (axis >= 0) {
        f = fc_findings_add(out, FC_INPUT_SHAPE_MISMATCH, &c->req->target,
                            "x has shape {found} but model input '{input}' expects {expected}: axis {axis} is "
                            "{found_dim}, not {expected_dim}",
                            c->x->pointer, c->input->name, NULL, vars, nv);
        return f == NULL ? FC_ERR_NOMEM : FC_OK;
    }
    f = fc_findings_add(out, FC_INPUT_RANK_MISMATCH, &c->req->target,
                        "x has shape {found} (rank {found_rank}) but model input '{input}' expects {expected} "
                        "(rank {expected_rank}); this release adds or removes no axis",
                        c->x->pointer, c->input->name, NULL, vars, nv);
    if (f == NULL)
        return FC_ERR_NOMEM;
    return rank_fix(c, f);
}

/*
 * Keras 3 and tf.keras from TensorFlow 2.2 add or squeeze one trailing axis of
 * size 1: training runs, but older releases and TF.js refuse the same data.
 */
static fc_status axis_adapted(input_ctx *c, fc_findings *out)
{
    int added = c->x->shape.rank < c->input->shape.rank;
    const char *how = added ? "adds a trailing axis of size 1 to x" : "squeezes x's trailing axis of size 1";
    char fix[300];

    snprintf(fix, sizeof(fix), "%s  # to %s", added ? "x = np.expand_dims(x, -1)" : "x = np.squeeze(x, -1)",
             c->expected);
    fc_var vars[] = {CTX_VARS(c), VAR("how", how), VAR("fix_code", fix)};
    return fc_findings_add(out, FC_INPUT_AXIS_ADAPTED, &c->req->target,
                           added ? "x has shape {found}: Keras adds a trailing axis of size 1 to fit model input "
                                   "'{input}' {expected}"
                                 : "x has shape {found}: Keras squeezes its trailing axis of size 1 to fit model "
                                   "input '{input}' {expected}",
                           c->x->pointer, c->input->name, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL
               ? FC_ERR_NOMEM
               : FC_OK;
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
    if (fc_tensor_unbatched(x))
        return not_batched(req, input, x, out);
    ctx_fill(&c);
    if (fc_target_has(&req->target, FC_B_LEGACY_STANDARDIZE))
        return check_one_legacy(&c, out);
    fc_var vars[] = {CTX_VARS(&c)};
    size_t nv = sizeof(vars) / sizeof(vars[0]);

    adapt_rank(req->target.framework, &input->shape, &x->shape, &adapted);
    if (adapted.rank == FC_RANK_UNKNOWN) {
        f = fc_findings_add(out, FC_INPUT_RANK_MISMATCH, &req->target,
                            "x has shape {found} (rank {found_rank}) but model input '{input}' expects {expected} "
                            "(rank {expected_rank})",
                            x->pointer, input->name, NULL, vars, nv);
        if (f == NULL)
            return FC_ERR_NOMEM;
        if (req->target.framework == FC_FW_KERAS3 && is_sequential(req)) {
            /* raised inside Sequential.call, so Keras 3 wraps it */
            char tmpl[512];

            snprintf(tmpl, sizeof(tmpl), "Exception encountered when calling Sequential.call().\n\n%s",
                     fc_variant_text(FC_V_RANK_KERAS3_SEQUENTIAL, &req->target));
            if (fc_finding_set_error(f, tmpl, vars, nv) != FC_OK)
                return FC_ERR_NOMEM;
        }
        if (req->target.framework == FC_FW_TFKERAS2 && x->shape.rank == 1 && input->shape.rank == 2 &&
            first_layer(&req->model) != NULL && strcmp(first_layer(&req->model)->class_name, "Dense") == 0 &&
            tfkeras2_1d_error(req, input, f, vars, nv) != FC_OK)
            return FC_ERR_NOMEM;
        return rank_fix(&c, f);
    }
    axis = first_dim_mismatch(&input->shape, &adapted);
    if (axis < 0)
        return adapted.rank != x->shape.rank && x->shape.rank > 1 && fc_target_has(&req->target, FC_B_TRAILING_AXIS_ADAPT)
                   ? axis_adapted(&c, out)
                   : FC_OK;
    {
        char axis_s[16], exp_d[24], found_d[24], axis_neg[16], n_s[24], adapted_js[256], adapted_sample_js[256];
        char expected_join[256];

        snprintf(axis_s, sizeof(axis_s), "%d", axis);
        snprintf(axis_neg, sizeof(axis_neg), "%d", axis - input->shape.rank);
        snprintf(exp_d, sizeof(exp_d), "%lld", (long long)input->shape.dims[axis]);
        snprintf(found_d, sizeof(found_d), "%lld", (long long)adapted.dims[axis]);
        snprintf(n_s, sizeof(n_s), "%lld", (long long)x->shape.dims[0]);
        fc_shape_format_js(&adapted, 0, adapted_js, sizeof(adapted_js));
        fc_shape_format_js_join(&input->shape, 0, expected_join, sizeof(expected_join));
        fc_shape_format_js(&adapted, 1, adapted_sample_js, sizeof(adapted_sample_js));
        fc_var more[] = {CTX_VARS(&c),         VAR("axis", axis_s),
                         VAR("axis_neg", axis_neg), VAR("expected_dim", exp_d),
                         VAR("found_dim", found_d), VAR("n_samples", n_s),
                         VAR("adapted_js", adapted_js), VAR("adapted_sample_js", adapted_sample_js),
                         VAR("expected_join", expected_join)};
        size_t nm = sizeof(more) / sizeof(more[0]);

        f = fc_findings_add(out, FC_INPUT_SHAPE_MISMATCH, &req->target,
                            "x has shape {found} but model input '{input}' expects {expected}: axis {axis} is "
                            "{found_dim}, not {expected_dim}",
                            x->pointer, input->name, NULL, more, nm);
        if (f == NULL)
            return FC_ERR_NOMEM;
        if (req->target.framework == FC_FW_KERAS3 && is_sequential(req)) {
            /* Keras 3's Sequential has no model-level input spec: the first
             * layer whose spec or weights depend on the axis raises. */
            const char *tmpl = axis == input->shape.rank - 1 && spec_pins_last_axis(first_layer(&req->model))
                                   ? fc_variant_text(FC_V_SHAPE_KERAS3_SEQUENTIAL_AXIS, &req->target)
                                   : "(no check at the model input: Keras 3's Sequential has no model-level input "
                                     "spec; the first layer whose weights depend on axis {axis} raises, or training "
                                     "runs on a differently shaped graph)";
            if (fc_finding_set_error(f, tmpl, more, nm) != FC_OK)
                return FC_ERR_NOMEM;
        }
    }
    return FC_OK;
}

/* Input names in the forms the messages use: 'a', 'b' / ['a', 'b'] / a,b, and a dict literal. */
typedef struct name_forms {
    char quoted[512];
    char py[512];
    char js[512];
    char dict[512];
} name_forms;

static size_t add(char *buf, size_t size, size_t used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Appends to buf at used (truncating, never overflowing); returns the new used. */
static size_t add(char *buf, size_t size, size_t used, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (used >= size)
        return used;
    va_start(ap, fmt);
    n = vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
    return n < 0 ? used : used + (size_t)n;
}

static void input_names(const fc_model *m, name_forms *f)
{
    size_t i, uq = 0, up = 0, uj = 0, ud = 0;
    char idx[24];

    up = add(f->py, sizeof(f->py), up, "[");
    ud = add(f->dict, sizeof(f->dict), ud, "{");
    f->quoted[0] = f->js[0] = '\0';
    for (i = 0; i < m->n_inputs; i++) {
        const char *sep = i ? ", " : "";

        snprintf(idx, sizeof(idx), "x%zu", i);
        uq = add(f->quoted, sizeof(f->quoted), uq, "%s'%s'", sep, m->inputs[i].name);
        up = add(f->py, sizeof(f->py), up, "%s'%s'", sep, m->inputs[i].name);
        uj = add(f->js, sizeof(f->js), uj, "%s%s", i ? "," : "", m->inputs[i].name);
        ud = add(f->dict, sizeof(f->dict), ud, "%s\"%s\": ", sep, m->inputs[i].name);
        ud = add(f->dict, sizeof(f->dict), ud, "%s", idx);
    }
    add(f->py, sizeof(f->py), up, "]");
    add(f->dict, sizeof(f->dict), ud, "}");
}

static fc_status count_mismatch(const fc_request *req, size_t found, fc_findings *out)
{
    const fc_model *m = &req->model;
    name_forms names;
    char expected[24], found_s[24], found_js[256] = "", found_py[256] = "";
    fc_finding *f;

    input_names(m, &names);
    snprintf(expected, sizeof(expected), "%zu", m->n_inputs);
    snprintf(found_s, sizeof(found_s), "%zu", found);
    if (req->x.len > 0) {
        fc_shape_format_js(&req->x.items[0].shape, 0, found_js, sizeof(found_js));
        fc_shape_format(&req->x.items[0].shape, 0, found_py, sizeof(found_py));
    }
    fc_var vars[] = {VAR("expected_count", expected), VAR("found_count", found_s), VAR("input_names", names.quoted),
                     VAR("names_py", names.py),
                     VAR("found_py", found_py), VAR("x_dict_example", names.dict), VAR("found_js", found_js),
                     VAR("model_name", m->name ? m->name : m->class_name)};
    size_t nv = sizeof(vars) / sizeof(vars[0]);

    f = fc_findings_add(out, FC_INPUT_COUNT_MISMATCH, &req->target,
                        "the model has {expected_count} input(s) but x supplies {found_count} array(s)", "/data/x",
                        NULL, NULL, vars, nv);
    if (f == NULL)
        return FC_ERR_NOMEM;
    /* TF.js words a single tensor for a multi-input model differently (standardizeInputData). */
    if (req->target.framework == FC_FW_TFJS && req->x.form == FC_DATA_SINGLE &&
        fc_finding_set_error(f, fc_variant_text(FC_V_COUNT_TFJS_SINGLE, &req->target), vars, nv) != FC_OK)
        return FC_ERR_NOMEM;
    /* standalone Keras up to 2.1.2 worded a single array for several inputs apart (training.py) */
    if (req->x.form == FC_DATA_SINGLE && fc_target_in(&req->target, "keras2 2.0.0-2.1.2") &&
        fc_finding_set_error(f, fc_variant_text(FC_V_COUNT_LEGACY_SINGLE, &req->target), vars, nv) != FC_OK)
        return FC_ERR_NOMEM;
    return FC_OK;
}

/* The dict's keys as Python prints a list: ['a', 'c']. */
static void dict_keys(const fc_arrays *x, char *buf, size_t size)
{
    size_t i, used = add(buf, size, 0, "[");

    for (i = 0; i < x->len; i++)
        used = add(buf, size, used, "%s'%s'", i ? ", " : "", x->items[i].key);
    add(buf, size, used, "]");
}

static int dict_has(const fc_arrays *x, const char *name)
{
    size_t i;

    for (i = 0; i < x->len; i++) {
        if (strcmp(x->items[i].key, name) == 0)
            return 1;
    }
    return 0;
}

/*
 * The order in which Keras checks the inputs: the model's, or sorted by name
 * when the model was built on a dict of inputs (Functional.input_spec sorts
 * it). order receives n_inputs indices.
 */
static void check_order(const fc_model *m, size_t *order)
{
    size_t i;

    for (i = 0; i < m->n_inputs; i++) {
        size_t k = i;

        if (m->inputs_keyed) {
            while (k > 0 && strcmp(m->inputs[order[k - 1]].name, m->inputs[i].name) > 0) {
                order[k] = order[k - 1];
                k--;
            }
        }
        order[k] = i;
    }
}

static fc_status check_dict(const fc_request *req, fc_findings *out)
{
    const fc_model *m = &req->model;
    name_forms names;
    char keys[512], unknown[512] = "", unknown_py[512] = "", expected_py[512];
    size_t i, n_unknown = 0, n_missing = 0, uu = 0, up = 0, ue = 0, order[FC_MAX_MODEL_IO];
    const char *first_unknown = NULL;
    fc_status result = FC_OK;

    input_names(m, &names);
    dict_keys(&req->x, keys, sizeof(keys));
    check_order(m, order);
    ue = add(expected_py, sizeof(expected_py), ue, "[");
    for (i = 0; i < m->n_inputs; i++) {
        ue = add(expected_py, sizeof(expected_py), ue, "%s'%s'", i ? ", " : "", m->inputs[order[i]].name);
        n_missing += !dict_has(&req->x, m->inputs[i].name);
    }
    add(expected_py, sizeof(expected_py), ue, "]");
    up = add(unknown_py, sizeof(unknown_py), up, "[");
    for (i = 0; i < req->x.len && result == FC_OK; i++) {
        const fc_tensor *t = &req->x.items[i];
        int idx = fc_model_find_input(m, t->key);

        if (idx >= 0) {
            result = check_one(req, &m->inputs[idx], (size_t)idx, t, out);
            continue;
        }
        uu = add(unknown, sizeof(unknown), uu, "%s'%s'", n_unknown ? ", " : "", t->key);
        up = add(unknown_py, sizeof(unknown_py), up, "%s'%s'", n_unknown ? ", " : "", t->key);
        if (n_unknown++ == 0)
            first_unknown = t->pointer;
    }
    add(unknown_py, sizeof(unknown_py), up, "]");
    if (n_unknown > 0 && result == FC_OK) {
        fc_var vars[] = {VAR("unknown", unknown), VAR("unknown_py", unknown_py), VAR("input_names", names.quoted),
                         VAR("x_dict_example", names.dict)};
        fc_finding *f = fc_findings_add(out, FC_INPUT_NAME_UNKNOWN, &req->target,
                                        n_unknown == 1 ? "x has key {unknown}, which is not a model input "
                                                         "({input_names}): it is ignored"
                                                       : "x has keys {unknown}, which are not model inputs "
                                                         "({input_names}): they are ignored",
                                        first_unknown, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0]));

        if (f == NULL)
            result = FC_ERR_NOMEM;
        else if (fc_target_has(&req->target, FC_B_LEGACY_STANDARDIZE) || n_missing > 0)
            /* standardize_input_data reads only the names it needs; a missing input raises before the warning */
            result = fc_finding_set_error(f, NULL, NULL, 0);
    }
    for (i = 0; i < m->n_inputs && result == FC_OK; i++) {
        const fc_model_io *in = &m->inputs[order[i]];

        if (dict_has(&req->x, in->name))
            continue;
        fc_var vars[] = {VAR("input", in->name), VAR("keys_py", keys), VAR("names_py", expected_py),
                         VAR("names_js", names.js), VAR("x_dict_example", names.dict)};
        if (fc_findings_add(out, FC_INPUT_MISSING, &req->target,
                            "model input '{input}' gets no array: x has keys {keys_py}", "/data/x", in->name,
                            NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            result = FC_ERR_NOMEM;
    }
    return result;
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

/* The shapes as Python prints a list of tuples: [(100, 3), (90, 3)]. */
static void shapes_py(const fc_arrays *a, char *buf, size_t size)
{
    size_t i, used = (size_t)snprintf(buf, size, "[");
    char py[160];

    for (i = 0; i < a->len && used < size; i++) {
        fc_shape_format(&a->items[i].shape, 0, py, sizeof(py));
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", py);
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
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
    char k3[600] = "", k2[600] = "", shapes[400], py[400] = "", detail[700], nx_s[24], ny_s[24];
    int64_t nx = set_count(&req->x), ny = set_count(&req->y);
    int js = -1; /* a variant for TF.js's other two wordings; -1 for the catalog's own */
    fc_finding *f;

    shapes[0] = '\0';
    if (nx == -2) {
        shapes_json(&req->x, shapes, sizeof(shapes));
        shapes_py(&req->x, py, sizeof(py));
        js = FC_V_CARDINALITY_TFJS_X;
    } else if (ny == -2) {
        shapes_json(&req->y, shapes, sizeof(shapes));
        shapes_py(&req->y, py, sizeof(py));
        js = FC_V_CARDINALITY_TFJS_Y;
    } else if (!(nx > 0 && ny > 0 && nx != ny)) {
        return FC_OK;
    }
    snprintf(nx_s, sizeof(nx_s), "%lld", (long long)nx);
    snprintf(ny_s, sizeof(ny_s), "%lld", (long long)ny);
    sizes_lines(&req->x, "x", k3, sizeof(k3), k2, sizeof(k2));
    sizes_lines(&req->y, "y", k3, sizeof(k3), k2, sizeof(k2));
    snprintf(detail, sizeof(detail), "%s", k2);
    fc_var vars[] = {VAR("detail", detail), VAR("k3_sizes", k3), VAR("k2_sizes", k2), VAR("shapes", shapes),
                     VAR("nx", nx_s), VAR("ny", ny_s), VAR("shapes_py", py)};
    f = fc_findings_add(out, FC_SAMPLE_COUNT_MISMATCH, &req->target,
                        "x and y do not hold the same number of samples:\n{k2_sizes}", "/data", NULL, NULL, vars,
                        sizeof(vars) / sizeof(vars[0]));
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (req->target.framework == FC_FW_TFJS && js >= 0)
        return fc_finding_set_error(f, fc_variant_text((fc_variant_id)js, &req->target), vars, sizeof(vars) / sizeof(vars[0]));
    if (fc_target_has(&req->target, FC_B_LEGACY_STANDARDIZE) && js >= 0)
        return fc_finding_set_error(f,
                                    fc_variant_text(js == FC_V_CARDINALITY_TFJS_X ? FC_V_CARDINALITY_LEGACY_X
                                                                                  : FC_V_CARDINALITY_LEGACY_Y,
                                                    &req->target),
                                    vars, sizeof(vars) / sizeof(vars[0]));
    return FC_OK;
}
