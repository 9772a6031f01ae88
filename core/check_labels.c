/*
 * check_labels.c - targets (y) against the model's outputs and the loss.
 *
 * Per loss, what each framework does with y (../shared/research/keras-semantics.md Q3):
 * Keras 3 squeezes or expands y only when the ranks differ by one and the
 * longer ends in 1 (losses/loss.py squeeze_or_expand_to_same_rank);
 * tf.keras 2 first expands any rank-1 y to (N, 1) when the output has rank 2
 * (compile_utils.match_dtype_and_rank), which makes some mistakes silent
 * broadcasts; TF.js wants exactly the output's shape (the last axis 1 for a
 * sparse loss) after expanding a 1-D y to (N, 1) (training.ts standardizeInputData).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "fitcheck/alloc.h"
#include "fitcheck/loss.h"

#define VAR(n, v) {n, v}

/* The y array feeding output i, or NULL. */
static const fc_tensor *target_for(const fc_request *req, size_t i)
{
    const fc_arrays *y = &req->y;
    size_t k;

    switch (y->form) {
    case FC_DATA_NONE:
        return NULL;
    case FC_DATA_SINGLE:
        return i == 0 ? &y->items[0] : NULL;
    case FC_DATA_LIST:
        return i < y->len ? &y->items[i] : NULL;
    case FC_DATA_DICT:
        for (k = 0; k < y->len; k++) {
            if (strcmp(y->items[k].key, req->model.outputs[i].name) == 0)
                return &y->items[k];
        }
        return NULL;
    }
    return NULL;
}

/* Everything the label findings' templates may name. */
typedef struct label_ctx {
    const fc_request *req;
    const char *output;
    const fc_shape *out;
    const fc_tensor *y;
    fc_loss loss;
    int64_t units, n;
    char units_s[24], n_s[24], batch_s[24], flat_s[32];
    char y_shape[256], out_shape[256], y_batch[256], out_batch[256], y_js[256], y_sample_js[256], y_k2[256];
    char min_s[32], max_s[32];
} label_ctx;

void fc_fmt_num(char *buf, size_t size, double v)
{
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v)
        snprintf(buf, size, "%lld", (long long)v);
    else
        snprintf(buf, size, "%g", v);
}

/* Shape with the batch axis shown as Keras shows it: the batch size when every batch is full, else None. */
static void batched(const fc_shape *s, int64_t n, int64_t bs, char *buf, size_t size)
{
    fc_shape b = *s;

    if (b.rank >= 1)
        b.dims[0] = (n != FC_DIM_UNKNOWN && bs > 0 && n % bs == 0) ? bs : FC_DIM_UNKNOWN;
    fc_shape_format(&b, 0, buf, size);
}

static void ctx_fill(label_ctx *c)
{
    const fc_shape *ys = &c->y->shape;
    fc_shape k2 = *ys;
    int64_t bs = c->req->batch_size, flat;

    c->units = c->out->dims[c->out->rank - 1];
    c->n = ys->dims[0];
    snprintf(c->units_s, sizeof(c->units_s), "%lld", (long long)c->units);
    snprintf(c->n_s, sizeof(c->n_s), "%lld", (long long)c->n);
    snprintf(c->batch_s, sizeof(c->batch_s), "%lld", (long long)(c->n != FC_DIM_UNKNOWN && c->n < bs ? c->n : bs));
    fc_shape_format(ys, 0, c->y_shape, sizeof(c->y_shape));
    fc_shape_format(c->out, 0, c->out_shape, sizeof(c->out_shape));
    batched(ys, c->n, bs, c->y_batch, sizeof(c->y_batch));
    batched(c->out, c->n, bs, c->out_batch, sizeof(c->out_batch));
    {
        fc_shape js = *ys; /* TF.js expands a 1-D target to (N, 1) before it checks it */

        if (js.rank == 1) {
            js.rank = 2;
            js.dims[1] = 1;
        }
        fc_shape_format_js(&js, 0, c->y_js, sizeof(c->y_js));
        fc_shape_format_js(&js, 1, c->y_sample_js, sizeof(c->y_sample_js));
    }
    if (ys->rank == 1 && c->out->rank == 2) { /* tf.keras 2 expands (N,) to (N, 1) */
        k2.rank = 2;
        k2.dims[1] = 1;
    }
    batched(&k2, c->n, bs, c->y_k2, sizeof(c->y_k2));
    flat = 1;
    if (!fc_shape_num_elements(ys, 1, &flat) || !fc_mul_i64(flat, c->n > 0 && c->n < bs ? c->n : bs, &flat))
        flat = 0;
    snprintf(c->flat_s, sizeof(c->flat_s), "%lld", (long long)flat);
    fc_fmt_num(c->min_s, sizeof(c->min_s), c->y->stats.min);
    fc_fmt_num(c->max_s, sizeof(c->max_s), c->y->stats.max);
}

#define LABEL_VARS(c)                                                                                          \
    VAR("output", (c)->output), VAR("loss", (c)->loss.name), VAR("units", (c)->units_s), VAR("n", (c)->n_s),  \
        VAR("batch", (c)->batch_s), VAR("flat", (c)->flat_s), VAR("y_shape", (c)->y_shape),                    \
        VAR("out_shape", (c)->out_shape), VAR("y_batch", (c)->y_batch), VAR("out_batch", (c)->out_batch),       \
        VAR("y_js", (c)->y_js), VAR("y_sample_js", (c)->y_sample_js), VAR("y_k2", (c)->y_k2),                  \
        VAR("min", (c)->min_s), VAR("max", (c)->max_s)

/*
 * What TF.js says about y for this output, or 0 when it accepts it. expected
 * is the output shape, with the last axis 1 for a sparse loss.
 */
static int tfjs_rejects(const label_ctx *c, int sparse, char *buf, size_t size)
{
    fc_shape want = *c->out, y = c->y->shape;
    char want_s[200], got_s[200], ys[200], join[200], n[24];
    char *text;
    int i;

    if (sparse)
        want.dims[want.rank - 1] = 1;
    if (y.rank == 1) {
        y.rank = 2;
        y.dims[1] = 1;
    }
    fc_shape_format_js(&y, 0, ys, sizeof(ys));
    if (y.rank != want.rank) {
        snprintf(buf, size, "Error when checking target: expected %s to have %d dimension(s). but got array with "
                 "shape %s", c->output, want.rank, ys);
        return 1;
    }
    for (i = 1; i < want.rank; i++) {
        if (want.dims[i] != FC_DIM_UNKNOWN && y.dims[i] != FC_DIM_UNKNOWN && want.dims[i] != y.dims[i])
            break;
    }
    if (i == want.rank)
        return 0;
    fc_shape_format_js(&want, 1, want_s, sizeof(want_s));
    fc_shape_format_js(&y, 1, got_s, sizeof(got_s));
    fc_shape_format_js_join(&want, 0, join, sizeof(join));
    snprintf(n, sizeof(n), "%lld", (long long)c->n);
    {
        /* the text of the target's release (TF.js 3.9 reworded it) */
        fc_var vars[] = {VAR("expected_js", want_s), VAR("y_sample_js", got_s), VAR("y_js", ys), VAR("n", n),
                         VAR("output", c->output), VAR("expected_join", join)};

        text = fc_template_expand(fc_variant_text(FC_V_TARGET_TFJS_SHAPE, &c->req->target), vars,
                                  sizeof(vars) / sizeof(vars[0]));
    }
    snprintf(buf, size, "%s", text != NULL ? text : "target expected a batch of elements ...");
    fc_free(text);
    return 1;
}

/*
 * What standalone Keras 2.0-2.3 (and tf.keras up to TensorFlow 2.1) says about
 * y for this output before training, or 0 when it accepts it: the rules are
 * TF.js's (the last axis 1 for a sparse loss, a 1-D y taken as (N, 1)), the
 * texts standardize_input_data's.
 */
static int legacy_rejects(const label_ctx *c, int sparse, char *buf, size_t size)
{
    fc_shape want = *c->out, y = c->y->shape, want_sample, y_sample;
    char rank[16], y_legacy[200], want_s[200], y_s[200], want_full[200];
    const char *tmpl;
    char *text;
    int i;

    if (sparse)
        want.dims[want.rank - 1] = 1;
    if (y.rank == 1) {
        y.rank = 2;
        y.dims[1] = 1;
    }
    fc_shape_format(&y, 0, y_legacy, sizeof(y_legacy));
    fc_shape_format(&want, 0, want_full, sizeof(want_full));
    snprintf(rank, sizeof(rank), "%d", want.rank);
    if (y.rank != want.rank) {
        tmpl = fc_variant_text(FC_V_TARGET_LEGACY_RANK, &c->req->target);
    } else {
        for (i = 1; i < want.rank; i++) {
            if (want.dims[i] != FC_DIM_UNKNOWN && y.dims[i] != want.dims[i])
                break;
        }
        if (i == want.rank)
            return 0;
        tmpl = fc_variant_text(FC_V_TARGET_LEGACY_SHAPE, &c->req->target);
    }
    want_sample.rank = want.rank - 1;
    y_sample.rank = y.rank - 1;
    for (i = 1; i < want.rank; i++)
        want_sample.dims[i - 1] = want.dims[i];
    for (i = 1; i < y.rank; i++)
        y_sample.dims[i - 1] = y.dims[i];
    fc_shape_format(&want_sample, 0, want_s, sizeof(want_s));
    fc_shape_format(&y_sample, 0, y_s, sizeof(y_s));
    {
        fc_var vars[] = {VAR("output", c->output), VAR("rank", rank), VAR("y_legacy", y_legacy),
                         VAR("want_sample", want_s), VAR("y_sample_legacy", y_s), VAR("want_full", want_full)};

        text = fc_template_expand(tmpl, vars, sizeof(vars) / sizeof(vars[0]));
    }
    snprintf(buf, size, "%s", text != NULL ? text : "Error when checking target: ...");
    fc_free(text);
    return 1;
}

/* The release checks the targets before training: TF.js, and standalone Keras up to TensorFlow 2.1's tf.keras. */
static int strict_rejects(const label_ctx *c, char *buf, size_t size)
{
    int sparse = c->loss.kind == FC_LOSS_SPARSE_CCE;

    if (c->req->target.framework == FC_FW_TFJS)
        return tfjs_rejects(c, sparse, buf, size);
    if (fc_target_has(&c->req->target, FC_B_LEGACY_TARGET_CHECK))
        return legacy_rejects(c, sparse, buf, size);
    return 0;
}

/* y's per-sample shape equals out's without its last axis, optionally followed by a 1. */
static int sparse_shape_ok(const fc_shape *y, const fc_shape *out)
{
    int i, r = out->rank;

    if (y->rank == r - 1 || (y->rank == r && y->dims[r - 1] == 1)) {
        for (i = 1; i < r - 1; i++) {
            if (out->dims[i] != FC_DIM_UNKNOWN && y->dims[i] != FC_DIM_UNKNOWN && out->dims[i] != y->dims[i])
                return 0;
        }
        return 1;
    }
    return 0;
}

static int same_shape(const fc_shape *y, const fc_shape *out)
{
    int i;

    if (y->rank != out->rank)
        return 0;
    for (i = 1; i < y->rank; i++) {
        if (out->dims[i] != FC_DIM_UNKNOWN && y->dims[i] != FC_DIM_UNKNOWN && out->dims[i] != y->dims[i])
            return 0;
    }
    return 1;
}

/*
 * What Keras 3's loss (TF backend) raises for y against the output: the loss
 * wrapper's squeeze_or_expand_to_same_rank (3.0-3.2 squeeze only:
 * squeeze_to_same_rank), then keras/src/backend/tensorflow/nn.py's rank and
 * shape checks (sparse: its own squeeze of a trailing 1, then rank
 * target.ndim - 1 and the axes up to the last). Writes the text, with the
 * shapes as the loss sees them, and returns 1; returns 0 when those checks
 * pass (a broadcast may still follow).
 */
static int keras3_loss_rejects(const label_ctx *c, char *buf, size_t size)
{
    fc_shape t = c->y->shape, p = *c->out;
    int sparse = c->loss.kind == FC_LOSS_SPARSE_CCE, expand = !fc_target_in(&c->req->target, "keras3 3.0-3.2");
    int i, off;
    char ts[256], ps[256];
    fc_variant_id id;
    char *text;

    if (t.rank == p.rank + 1 && t.dims[t.rank - 1] == 1) {
        if (p.rank == 1 && expand)
            p.dims[p.rank++] = 1;
        else
            t.rank--;
    } else if (p.rank == t.rank + 1 && p.dims[p.rank - 1] == 1) {
        if (t.rank == 1 && expand)
            t.dims[t.rank++] = 1;
        else
            p.rank--;
    }
    if (sparse && t.rank == p.rank && t.dims[t.rank - 1] == 1)
        t.rank--;
    off = sparse ? 1 : 0;
    if (t.rank != p.rank - off) {
        id = sparse ? FC_V_TARGET_KERAS3_SPARSE_RANK : FC_V_TARGET_KERAS3_RANK;
    } else {
        for (i = 1; i < t.rank; i++) {
            if (t.dims[i] != FC_DIM_UNKNOWN && p.dims[i] != FC_DIM_UNKNOWN && t.dims[i] != p.dims[i])
                break;
        }
        if (i == t.rank) {
            snprintf(buf, size, "(Keras 3 accepts this shape)");
            return 0;
        }
        id = sparse ? FC_V_TARGET_KERAS3_SPARSE : FC_V_TARGET_KERAS3_SHAPE;
    }
    batched(&t, c->n, c->req->batch_size, ts, sizeof(ts));
    batched(&p, c->n, c->req->batch_size, ps, sizeof(ps));
    {
        fc_var vars[] = {VAR("y_batch", ts), VAR("out_batch", ps)};

        text = fc_template_expand(fc_variant_text(id, &c->req->target), vars, 2);
    }
    snprintf(buf, size, "%s", text != NULL ? text : "Arguments `target` and `output` must have the same shape");
    fc_free(text);
    return 1;
}

static fc_status add(label_ctx *c, fc_finding_code code, const char *message, const fc_var *extra, size_t n_extra,
                     fc_findings *out)
{
    fc_var vars[40];
    fc_var base[] = {LABEL_VARS(c)};
    size_t n = 0, i;

    for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
        vars[n++] = base[i];
    for (i = 0; i < n_extra && n < sizeof(vars) / sizeof(vars[0]); i++)
        vars[n++] = extra[i];
    if (fc_findings_add(out, code, &c->req->target, message, c->y->pointer, NULL, NULL, vars, n) == NULL)
        return FC_ERR_NOMEM;
    return FC_OK;
}

static fc_status shape_mismatch(label_ctx *c, const char *consequence, const char *k3, const char *k2,
                                const char *fix, fc_findings *out)
{
    char js[1024];

    if (!tfjs_rejects(c, c->loss.kind == FC_LOSS_SPARSE_CCE, js, sizeof(js)))
        snprintf(js, sizeof(js), "(TF.js accepts this shape)");
    fc_var extra[] = {VAR("consequence", consequence), VAR("k3_error", k3), VAR("k2_error", k2),
                      VAR("js_error", js), VAR("fix_code", fix)};
    return add(c, FC_LABEL_SHAPE_MISMATCH, "y has shape {y_shape}; output '{output}' has shape {out_shape} "
               "({loss})", extra, sizeof(extra) / sizeof(extra[0]), out);
}

/* The machine-applicable form of "one unit per class": set the output layer's units. */
static fc_status units_patch(label_ctx *c, int64_t units, fc_finding *f)
{
    const fc_model *m = &c->req->model;
    char path[600];
    size_t i;

    for (i = 0; i < m->n_layers; i++) {
        if (strcmp(m->layers[i].name, c->output) == 0 && json_object_get(m->layers[i].config, "units") != NULL &&
            strncmp(m->layers_pointer, "/model", 6) == 0) {
            snprintf(path, sizeof(path), "%s/%zu/config/units", m->layers_pointer + 6, i);
            return fc_finding_add_patch_fix(f, "Or set the output layer's units in the model",
                                            "units = int(y.max()) + 1  # the patch sets the output layer's units",
                                            json_pack("[{s:s, s:s, s:I}]", "op", "replace", "path", path, "value",
                                                      (json_int_t)units),
                                            NULL, 0);
        }
    }
    return FC_OK;
}

static fc_status check_sparse(label_ctx *c, fc_findings *out)
{
    const fc_stats *st = &c->y->stats;
    int js = c->req->target.framework == FC_FW_TFJS;
    char bad[32], summary[160], fix[200], diagnosis[300], k3[1024], units1[32];
    fc_status result;

    if (c->req->target.framework == FC_FW_TFJS && fc_dtype_is_integer(c->y->dtype) && strcmp(c->y->dtype, "bool") != 0 &&
        fc_target_has(&c->req->target, FC_B_TFJS_SPARSE_FLOAT_ONLY)) {
        fc_var extra[] = {VAR("dtype", c->y->dtype), VAR("tfjs_dtype", "int32")};
        result = add(c, FC_TFJS_SPARSE_INT_LABELS, "y is {dtype}: TF.js's sparse loss needs float32 labels", extra,
                     sizeof(extra) / sizeof(extra[0]), out);
        if (result != FC_OK)
            return result;
    }

    if (c->y->shape.rank == c->out->rank && c->units > 1 && c->y->shape.dims[c->y->shape.rank - 1] == c->units)
        return add(c, FC_LABELS_ONE_HOT_FOR_SPARSE, "y has shape {y_shape}: one-hot labels, but the loss is sparse",
                   NULL, 0, out);
    if (!sparse_shape_ok(&c->y->shape, c->out) &&
        (keras3_loss_rejects(c, k3, sizeof(k3)) || c->req->target.framework != FC_FW_KERAS3)) {
        return shape_mismatch(c, "A sparse loss wants one class index per output position: y should have the "
                              "output's shape without its last axis.",
                              k3, "logits and labels must have the same first dimension", "y = y.reshape(-1)", out);
    }
    if (st->all_integers == 0) {
        fc_var extra[] = {VAR("which", "y"), VAR("what", "a sparse categorical loss"), VAR("var", "y"),
                          VAR("consequence", "label 2.7 trains as class 2.")};
        result = add(c, FC_LABELS_NOT_INTEGER, "y holds fractional labels for a sparse loss", extra,
                     sizeof(extra) / sizeof(extra[0]), out);
        if (result != FC_OK)
            return result;
    }
    if (!st->has_range || c->units == FC_DIM_UNKNOWN || (st->min >= 0 && st->max < (double)c->units))
        return FC_OK;
    fc_fmt_num(bad, sizeof(bad), st->max >= (double)c->units ? st->max : st->min);
    if (st->min >= 1 && st->max == (double)c->units) {
        snprintf(diagnosis, sizeof(diagnosis), "The labels run from 1 to %lld: they are 1-based, and label %lld has "
                 "no unit.", (long long)c->units, (long long)c->units);
        snprintf(summary, sizeof(summary), "Shift the labels to start at 0");
        snprintf(fix, sizeof(fix), js ? "ys = ys.sub(1);" : "y = y - 1");
    } else if (st->min < 0) {
        snprintf(diagnosis, sizeof(diagnosis), "Negative labels have no class.");
        snprintf(summary, sizeof(summary), "Map the labels to 0 .. %lld", (long long)(c->units - 1));
        snprintf(fix, sizeof(fix), js ? "const classes = [...new Set(labels)].sort((a, b) => a - b);\n"
                                        "ys = tf.tensor1d(labels.map((l) => classes.indexOf(l)), 'int32');"
                                      : "classes, y = np.unique(y, return_inverse=True)");
    } else {
        snprintf(diagnosis, sizeof(diagnosis), "There are more classes than output units.");
        snprintf(summary, sizeof(summary), "Give the output layer one unit per class");
        fc_fmt_num(units1, sizeof(units1), st->max + 1);
        if (js)
            snprintf(fix, sizeof(fix), "// max label + 1\nmodel.add(tf.layers.dense({units: %s, activation: "
                     "'softmax'}));", units1);
        else
            snprintf(fix, sizeof(fix), "keras.layers.Dense(%s, activation=\"softmax\")  # max label + 1", units1);
    }
    fc_var extra[] = {VAR("bad", bad), VAR("diagnosis", diagnosis), VAR("fix_summary", summary),
                      VAR("fix_code", fix)};
    result = add(c, FC_LABEL_OUT_OF_RANGE, "labels run from {min} to {max}, outside [0, {units})", extra,
                 sizeof(extra) / sizeof(extra[0]), out);
    if (result == FC_OK && st->min >= 0 && st->max >= (double)c->units && st->max < 1e9 &&
        !(st->min >= 1 && st->max == (double)c->units))
        result = units_patch(c, (int64_t)st->max + 1, &out->items[out->len - 1]);
    return result;
}

/* The activation of the layer named like the output, when it has one. */
static const char *output_activation(const fc_model *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->n_layers; i++) {
        if (strcmp(m->layers[i].name, name) == 0) {
            const json_t *a = json_object_get(m->layers[i].config, "activation");

            if (json_is_string(a))
                return json_string_value(a);
            if (strcmp(m->layers[i].class_name, "Activation") == 0)
                return NULL;
        }
    }
    return NULL;
}

/*
 * One-hot rows: each should hold exactly one 1. Several (multi-label data
 * under a softmax) or none (a sample with no class, usually a one-hot depth
 * below the number of classes) train silently on the wrong thing.
 */
static fc_status check_rows(label_ctx *c, fc_findings *out)
{
    const fc_stats *st = &c->y->stats;
    const char *act = output_activation(&c->req->model, c->output);
    char max_hot[32], row_min[32];

    if (!st->has_row_sums || c->units < 2)
        return FC_OK;
    fc_fmt_num(max_hot, sizeof(max_hot), st->row_sum_max);
    fc_fmt_num(row_min, sizeof(row_min), st->row_sum_min);
    fc_var extra[] = {VAR("max_hot", max_hot), VAR("row_min", row_min),
                      VAR("activation_words", act != NULL && strcmp(act, "softmax") == 0
                                                  ? "a softmax"
                                                  : "read as a distribution over the classes")};
    if (st->all_integers == 1 && st->row_sum_max >= 2)
        return add(c, FC_LABELS_MULTI_HOT, "rows of y hold up to {max_hot} ones: multi-label targets under {loss}",
                   extra, sizeof(extra) / sizeof(extra[0]), out);
    if (st->row_sum_min <= 0)
        return add(c, FC_LABELS_EMPTY_ROWS, "some rows of y are all zeros: those samples have no class", extra,
                   sizeof(extra) / sizeof(extra[0]), out);
    return FC_OK;
}

static fc_status check_categorical(label_ctx *c, fc_findings *out)
{
    const fc_stats *st = &c->y->stats;
    const fc_shape *ys = &c->y->shape;
    char k3[1024], k2[1024];

    if (c->out->rank >= 3 && ys->rank == c->out->rank - 1 && ys->dims[ys->rank - 1] == c->units) {
        /* one-hot rows per sample against an output per position: the extra axes are not reduced */
        keras3_loss_rejects(c, k3, sizeof(k3));
        snprintf(k2, sizeof(k2), "Shapes %s and %s are incompatible", c->y_batch, c->out_batch);
        return shape_mismatch(c, "y holds one one-hot row per sample, but the output has a row per position of "
                              "the sequence or image it follows: reduce the extra axes before the output layer.",
                              k3, k2,
                              "keras.layers.LSTM(units, return_sequences=False)  # or Flatten() / "
                              "GlobalAveragePooling before the softmax",
                              out);
    }
    if (c->units > 1 && (ys->rank == c->out->rank - 1 || (ys->rank == c->out->rank && ys->dims[ys->rank - 1] == 1))) {
        fc_var extra[] = {VAR("what", ys->rank == c->out->rank - 1 ? "rank (ndim)" : "shape")};
        return add(c, FC_LABELS_SPARSE_FOR_CATEGORICAL,
                   "y has shape {y_shape}: class indices, but the loss wants one-hot rows of {units}", extra, 1, out);
    }
    if (c->units == 1 && (same_shape(ys, c->out) || ys->rank == c->out->rank - 1))
        return FC_OK; /* y is expanded to the output's (N, 1) and the loss is 0: the activation/loss warning says so */
    if (!same_shape(ys, c->out) &&
        (keras3_loss_rejects(c, k3, sizeof(k3)) || c->req->target.framework != FC_FW_KERAS3)) {
        snprintf(k2, sizeof(k2), "Shapes %s and %s are incompatible", c->y_k2, c->out_batch);
        return shape_mismatch(c, "One-hot labels need exactly one column per output unit.", k3, k2,
                              "y = keras.utils.to_categorical(class_indices, num_classes=units)", out);
    }
    if (st->has_range && (st->min < 0 || st->max > 1))
        return add(c, FC_LABELS_NOT_ONE_HOT, "y has the output's shape but values from {min} to {max}", NULL, 0, out);
    return check_rows(c, out);
}

#define BATCH_DIM (-2) /* the batch axis in loss_broadcast: any size, equal only to itself (or 1) */

/*
 * What the loss of Keras 3 or tf.keras 2 (from TensorFlow 2.2) does with y
 * against an output of rank 3 or more: tf.keras first makes a 1-D y (N, 1)
 * (data_adapter.expand_1d up to 2.6; compile_utils.match_dtype_and_rank for a
 * rank-2 output), then either squeezes a trailing 1 when the ranks differ by
 * one (losses_utils.squeeze_or_expand_dimensions; Keras 3 losses/loss.py
 * squeeze_or_expand_to_same_rank), and the element-wise loss broadcasts the
 * two. Returns -1 when the shapes cannot broadcast (batch against a fixed
 * axis, unless every batch is full and as long as it, or two sizes that
 * differ), 0 when they agree, 1 when one is silently
 * broadcast over the other; pred and res receive y_pred after the squeeze and
 * the broadcast shape.
 */
static int loss_broadcast(const fc_request *req, const fc_shape *y, const fc_shape *out, fc_shape *pred, fc_shape *res)
{
    fc_shape t = *y, p = *out;
    int i, k3 = req->target.framework == FC_FW_KERAS3;
    int64_t n = y->dims[0], bs = req->batch_size > 0 ? req->batch_size : 32;
    int64_t full_batch = n != FC_DIM_UNKNOWN && n % bs == 0 ? bs : -3; /* -3: no size the batch always has */

    if (!k3 && t.rank == 1 && (fc_target_has(&req->target, FC_B_EXPAND_1D) || p.rank == 2)) {
        t.rank = 2;
        t.dims[1] = 1;
    }
    if (p.rank == t.rank + 1 && p.dims[p.rank - 1] == 1) {
        if (k3 && t.rank == 1) {
            t.rank = 2;
            t.dims[1] = 1;
        } else {
            p.rank--;
        }
    } else if (t.rank == p.rank + 1 && t.dims[t.rank - 1] == 1) {
        t.rank--;
    }
    *pred = p;
    t.dims[0] = p.dims[0] = BATCH_DIM;
    res->rank = t.rank > p.rank ? t.rank : p.rank;
    for (i = 1; i <= res->rank; i++) {
        int64_t a = i <= t.rank ? t.dims[t.rank - i] : 1, b = i <= p.rank ? p.dims[p.rank - i] : 1, d;

        if (a == b || b == 1 || b == FC_DIM_UNKNOWN)
            d = a;
        else if (a == 1 || a == FC_DIM_UNKNOWN)
            d = b;
        else if ((a == BATCH_DIM && b == full_batch) || (b == BATCH_DIM && a == full_batch))
            d = full_batch; /* every batch is full and as long as the axis it meets: it broadcasts */
        else
            return -1; /* a batch against a fixed size, or two sizes */
        res->dims[res->rank - i] = d;
    }
    if (res->rank != t.rank || res->rank != p.rank)
        return 1;
    for (i = 0; i < res->rank; i++) {
        if (res->dims[i] != t.dims[i] || res->dims[i] != p.dims[i])
            return 1;
    }
    return 0;
}

/* A shape from loss_broadcast as Keras prints it, the batch axis as None. */
static void format_broadcast(const fc_shape *s, char *buf, size_t size)
{
    fc_shape f = *s;
    int i;

    for (i = 0; i < f.rank; i++) {
        if (f.dims[i] == BATCH_DIM)
            f.dims[i] = FC_DIM_UNKNOWN;
    }
    fc_shape_format(&f, 0, buf, size);
}

/*
 * y against an output of rank 3 or more (a Dense on a sequence or an image)
 * under an element-wise loss: the squeeze-and-broadcast of the release.
 */
static fc_status check_high_rank(label_ctx *c, int sigmoid_bce, fc_findings *out)
{
    fc_shape pred, res;
    char pred_s[200], res_s[200], consequence[1400];
    int r = loss_broadcast(c->req, &c->y->shape, c->out, &pred, &res);

    if (r == 0)
        return FC_OK;
    format_broadcast(&pred, pred_s, sizeof(pred_s));
    if (r < 0 || (sigmoid_bce && c->req->target.framework == FC_FW_TFKERAS2)) {
        snprintf(consequence, sizeof(consequence), "The loss compares y with the output element by element after "
                 "squeezing a trailing axis of 1 (y_pred becomes %s), and the two shapes do not broadcast: the "
                 "first train step fails (a TensorFlow shape error; it passes only if the batch size happens to "
                 "equal the axis it meets).", pred_s);
        return shape_mismatch(c, consequence, "Incompatible shapes in the loss (TensorFlow broadcast error)",
                              sigmoid_bce ? "`logits` and `labels` must have the same shape (TensorFlow shape error)"
                                          : "Incompatible shapes in the loss (TensorFlow broadcast error)",
                              "y = y.reshape((-1,) + model.output_shape[1:])  # or reduce the output's extra axes",
                              out);
    }
    format_broadcast(&res, res_s, sizeof(res_s));
    snprintf(consequence, sizeof(consequence), "The output keeps the %d-D shape of the layer it follows: the loss "
             "squeezes its trailing axis of 1 where it can (y_pred becomes %s) and broadcasts y %s against it to "
             "%s, without an error. Every position of the sequence or image is trained toward the sample's one "
             "target, which is not the model that was meant, and predict() returns %s. A per-sample target needs "
             "the extra axes reduced before the output layer.", c->out->rank, pred_s, c->y_shape, res_s,
             c->out_shape);
    return shape_mismatch(c, consequence, "(no error: y is broadcast over the output's extra axes and training goes on)",
                          "(no error: y is broadcast over the output's extra axes and training goes on)",
                          c->out->rank == 3 ? "# reduce the sequence before the output layer, e.g.\n"
                                              "keras.layers.LSTM(units, return_sequences=False)  # or "
                                              "GlobalAveragePooling1D() before Dense"
                                            : "# reduce the image before the output layer, e.g.\n"
                                              "keras.layers.Flatten()  # or GlobalAveragePooling2D(), before Dense",
                          out);
}

/*
 * metrics=["accuracy"] with binary cross-entropy on one-hot rows, where the
 * release picks the metric by the loss (FC_B_ACCURACY_BY_LOSS): binary
 * accuracy, which reads 1 - 1/K for a model that predicts nothing.
 */
static fc_status accuracy_by_loss(label_ctx *c, const char *activation, fc_findings *out)
{
    const fc_stats *st = &c->y->stats;
    const fc_request *req = c->req;
    const char *evidence;
    char pointer[512], trivial[32];
    size_t i;

    if (!fc_target_has(&req->target, FC_B_ACCURACY_BY_LOSS) || c->units < 2 || !same_shape(&c->y->shape, c->out))
        return FC_OK;
    for (i = 0; i < req->model.n_outputs; i++) {
        if (strcmp(req->model.outputs[i].name, c->output) == 0)
            break;
    }
    if (!fc_metric_find(req->body, req->model.descriptor, i, c->output, "accuracy", pointer, sizeof(pointer)) &&
        !fc_metric_find(req->body, req->model.descriptor, i, c->output, "acc", pointer, sizeof(pointer)))
        return FC_OK;
    if (st->has_row_sums && st->row_sum_min == 1 && st->row_sum_max == 1)
        evidence = ": every row of y sums to 1";
    else if (!st->has_row_sums && activation != NULL && strcmp(activation, "softmax") == 0)
        evidence = ": a softmax output holds one class per sample";
    else
        return FC_OK; /* multi-label data, where binary accuracy is the metric meant */
    snprintf(trivial, sizeof(trivial), "%.3g", 1.0 - 1.0 / (double)c->units);
    {
        fc_var vars[] = {LABEL_VARS(c), VAR("evidence", evidence), VAR("trivial", trivial)};

        if (fc_findings_add(out, FC_BINARY_ACCURACY_ON_ONE_HOT, &req->target,
                            "metrics \"accuracy\" on output '{output}' will be binary accuracy, {trivial} for a "
                            "model that predicts nothing",
                            pointer, NULL, c->output, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    return FC_OK;
}

static fc_status check_binary(label_ctx *c, const char *activation, fc_findings *out)
{
    const fc_stats *st = &c->y->stats;
    const fc_shape *ys = &c->y->shape;
    char k3[1024], k2[1024], summary[160], fix[200], classes[32];

    if (c->out->rank >= 3 && !same_shape(ys, c->out)) {
        if (c->req->target.framework == FC_FW_KERAS3) {
            /* Keras 3's binary_crossentropy wants the same rank and shape after the squeeze (nn.py) */
            fc_shape pred, res;

            if (loss_broadcast(c->req, ys, c->out, &pred, &res) != 0 && keras3_loss_rejects(c, k3, sizeof(k3)))
                return shape_mismatch(c, "Binary cross-entropy wants one 0/1 target per output unit.", k3,
                                      "(see the tf.keras 2 target)", "y = y.reshape((-1,) + model.output_shape[1:])",
                                      out);
        } else {
            fc_shape pred, res;

            if (loss_broadcast(c->req, ys, c->out, &pred, &res) != 0)
                return check_high_rank(c, activation != NULL && strcmp(activation, "sigmoid") == 0, out);
        }
    }
    if (c->out->rank < 3 && !same_shape(ys, c->out) && !(ys->rank == c->out->rank - 1 && c->units == 1) &&
        (keras3_loss_rejects(c, k3, sizeof(k3)) || c->req->target.framework != FC_FW_KERAS3)) {
        if (activation != NULL && strcmp(activation, "sigmoid") == 0)
            snprintf(k2, sizeof(k2), "`logits` and `labels` must have the same shape, received (%s vs %s).",
                     c->out_batch, c->y_k2);
        else
            snprintf(k2, sizeof(k2), "(no error: y is broadcast against the output and training goes on)");
        return shape_mismatch(c, "Binary cross-entropy wants one 0/1 target per output unit.", k3, k2,
                              "y = y.reshape(-1, 1)  # with a single sigmoid unit", out);
    }
    if (!st->has_range || (st->min >= 0 && st->max <= 1))
        return accuracy_by_loss(c, activation, out);
    if (st->min >= 0 && st->all_integers == 1) {
        fc_fmt_num(classes, sizeof(classes), st->max + 1);
        snprintf(summary, sizeof(summary), "The labels look like class indices: use a softmax over %s classes", classes);
        snprintf(fix, sizeof(fix), "keras.layers.Dense(%s, activation=\"softmax\")  # loss=\"sparse_categorical_crossentropy\"",
                 classes);
    } else {
        snprintf(summary, sizeof(summary), "Rescale the targets into [0, 1], or use a regression loss");
        snprintf(fix, sizeof(fix), "y = (y - y.min()) / (y.max() - y.min())  # or loss=\"mse\"");
    }
    fc_var extra[] = {VAR("fix_summary", summary), VAR("fix_code", fix)};
    return add(c, FC_BINARY_LABELS_OUT_OF_RANGE, "binary_crossentropy on labels from {min} to {max}", extra,
               sizeof(extra) / sizeof(extra[0]), out);
}

static fc_status check_regression(label_ctx *c, fc_findings *out)
{
    const fc_shape *ys = &c->y->shape;
    char k3[1024];
    int one_d = ys->rank == c->out->rank - 1;

    if (c->out->rank >= 3 && fc_target_has(&c->req->target, FC_B_LOSS_SQUEEZE_BROADCAST))
        return check_high_rank(c, 0, out);

    if (same_shape(ys, c->out) || (one_d && c->units == 1))
        return FC_OK;
    if (one_d) {
        snprintf(k3, sizeof(k3), "Incompatible shapes: [%s] vs. [%s,%s] (a broadcast error in the loss; silent "
                 "when the batch size is %s or 1)", c->batch_s, c->batch_s, c->units_s, c->units_s);
        return shape_mismatch(c, "Keras 3 fails when it broadcasts (N,) against (N, units) in the loss; tf.keras 2 "
                              "first expands y to (N, 1) and then silently broadcasts it over every unit, training on "
                              "nonsense.",
                              k3, "(no error: y is broadcast over every output unit and training goes on)",
                              "y = y.reshape(-1, units)  # or an output layer of 1 unit", out);
    }
    if (ys->rank == c->out->rank && ys->dims[ys->rank - 1] == 1)
        return shape_mismatch(c, "Keras broadcasts a (N, 1) target over every output unit without an error: every "
                              "unit learns the same target.",
                              "(no error: y is broadcast over every output unit and training goes on)",
                              "(no error: y is broadcast over every output unit and training goes on)",
                              "# give y one column per output unit, or use an output of 1 unit", out);
    return shape_mismatch(c, "The loss compares y and the output element by element, so their shapes must agree.",
                          "Incompatible shapes in the loss (TensorFlow broadcast error)",
                          "Incompatible shapes in the loss (TensorFlow broadcast error)",
                          "# reshape y to the output's shape", out);
}

/*
 * TF.js or an old Keras refused y's shape: the finding that names the mistake
 * (one-hot for a sparse loss, indices for a categorical one, else a plain
 * shape mismatch) with the release's own text.
 */
static fc_status strict_shape_finding(label_ctx *c, const char *js, fc_findings *out)
{
    int is_js = c->req->target.framework == FC_FW_TFJS;
    const fc_shape *ys = &c->y->shape;
    int same_rank = ys->rank == c->out->rank;
    fc_status result;

    if (c->loss.kind == FC_LOSS_SPARSE_CCE && same_rank && c->units > 1 && ys->dims[ys->rank - 1] == c->units)
        result = add(c, FC_LABELS_ONE_HOT_FOR_SPARSE, "y has shape {y_shape}: one-hot labels, but the loss is sparse",
                     NULL, 0, out);
    else if (c->loss.kind == FC_LOSS_CCE && c->units > 1 &&
             ((ys->rank == c->out->rank - 1 && !(c->out->rank >= 3 && ys->dims[ys->rank - 1] == c->units)) ||
              (same_rank && ys->dims[ys->rank - 1] == 1))) {
        fc_var extra[] = {VAR("what", ys->rank == c->out->rank - 1 ? "rank (ndim)" : "shape")};
        result = add(c, FC_LABELS_SPARSE_FOR_CATEGORICAL,
                     "y has shape {y_shape}: class indices, but the loss wants one-hot rows of {units}", extra, 1, out);
    } else {
        fc_var extra[] = {VAR("consequence", is_js ? "TF.js wants the target to have exactly the output's shape "
                                                     "(the last axis 1 for a sparse loss); it only expands a 1-D "
                                                     "target to (N, 1)."
                                                   : "This release checks every target against its output before "
                                                     "training: the same rank and every declared axis (the last axis "
                                                     "1 for sparse_categorical_crossentropy); it only expands a 1-D "
                                                     "target to (N, 1)."),
                          VAR("k3_error", "(see the Keras targets)"), VAR("k2_error", js), VAR("js_error", js),
                          VAR("fix_code", is_js ? "ys = ys.reshape([-1, ...model.outputs[0].shape.slice(1)]);"
                                                : "y = y.reshape((-1,) + model.output_shape[1:])")};
        result = add(c, FC_LABEL_SHAPE_MISMATCH, "y has shape {y_shape}; output '{output}' has shape {out_shape} "
                     "({loss})", extra, sizeof(extra) / sizeof(extra[0]), out);
    }
    if (result != FC_OK)
        return result;
    return fc_finding_set_error(&out->items[out->len - 1], js, NULL, 0);
}

/*
 * categorical_crossentropy over one unit: TF.js and old Keras refuse a target
 * with one column (checkLossAndTargetCompatibility), which then replaces the
 * activation/loss warning.
 */
static fc_status cce_one_column(label_ctx *c, fc_findings *out)
{
    fc_shape y = c->y->shape;
    char y_legacy[200];
    size_t i;

    if (y.rank == 1) {
        y.rank = 2;
        y.dims[1] = 1;
    }
    fc_shape_format(&y, 0, y_legacy, sizeof(y_legacy));
    for (i = 0; i < out->len; i++) {
        if (out->items[i].code == FC_ACTIVATION_LOSS_MISMATCH && out->items[i].layer != NULL &&
            strcmp(out->items[i].layer, c->output) == 0)
            fc_findings_remove(out, i--);
    }
    fc_var extra[] = {VAR("y_legacy", y_legacy)};
    return add(c, FC_CCE_TARGET_ONE_COLUMN, "output '{output}' has one unit and the loss is categorical_crossentropy: "
               "the release refuses the one-column target", extra, 1, out);
}

/*
 * Standalone Keras 2.x and tf.keras up to TF 2.1 check the targets' count
 * before training, as they check the inputs: an error, in the release's
 * words (a single array for several outputs had the inputs' text, "input
 * arrays" included, until 2.1.2).
 */
static fc_status legacy_target_count(const fc_request *req, fc_finding *f)
{
    char expected[24], found[24], shape[256] = "";
    const char *tmpl;

    f->severity = FC_SEV_ERROR;
    snprintf(expected, sizeof(expected), "%zu", req->model.n_outputs);
    snprintf(found, sizeof(found), "%zu", req->y.form == FC_DATA_SINGLE ? (size_t)1 : req->y.len);
    if (req->y.len > 0)
        fc_shape_format(&req->y.items[0].shape, 0, shape, sizeof(shape));
    if (req->y.form == FC_DATA_SINGLE && fc_target_in(&req->target, "keras2 2.0.0-2.1.2"))
        tmpl = fc_variant_text(FC_V_TARGET_COUNT_LEGACY_SINGLE, &req->target);
    else
        tmpl = fc_variant_text(FC_V_TARGET_COUNT_LEGACY, &req->target);
    {
        fc_var vars[] = {VAR("expected_count", expected), VAR("found_count", found), VAR("found_py", shape)};

        return fc_finding_set_error(f, tmpl, vars, sizeof(vars) / sizeof(vars[0]));
    }
}

/* "*" per leaf of a structure of n leaves, as Python prints it: a list, or a tuple (tf.data's). */
static void star_struct(size_t n, int tuple, char *buf, size_t size)
{
    size_t i, u = 0;

    u += (size_t)snprintf(buf, size, "%s", tuple ? "(" : "[");
    for (i = 0; i < n && u < size; i++)
        u += (size_t)snprintf(buf + u, size - u, "%s'*'", i ? ", " : "");
    if (u < size)
        snprintf(buf + u, size - u, "%s", tuple ? (n == 1 ? ",)" : ")") : "]");
}

/*
 * TARGET_COUNT_MISMATCH as each Keras 3 release behaves. 3.0-3.6 flatten y
 * and zip it with the outputs and their losses (trainers/compile_utils.py
 * CompileLoss.call): no error, the outputs past y's arrays get no loss (and
 * extra arrays are dropped). 3.7+ try to fit y to the outputs' structure:
 * when y holds as many arrays as compile's loss has non-None entries, y is
 * packed like the loss and _build_nested fails at path (0,); otherwise
 * call raises "y_true and y_pred have different structures" (a list y
 * reaches the loss as a tuple: array_data_adapter.py lists_to_tuples).
 */
static fc_status keras3_target_count(const fc_request *req, fc_finding *f)
{
    const json_t *loss = fc_loss_spec(req->body, req->model.descriptor, NULL);
    size_t n_y = req->y.form == FC_DATA_SINGLE ? 1 : req->y.len, n_loss = 1, i;
    char yt[256], yp[256], text[700];

    if (fc_target_in(&req->target, "keras3 3.0-3.6; keras_core 0.1")) {
        char why[400];

        f->severity = FC_SEV_WARNING;
        snprintf(why, sizeof(why), "(no error: Keras %s zips the %zu target array(s) with the %zu outputs; %s)",
                 req->target.version.text[0] ? req->target.version.text : "3.0-3.6", n_y, req->model.n_outputs,
                 n_y < req->model.n_outputs ? "the outputs past them get no loss and do not train"
                                            : "the extra arrays are dropped");
        return fc_finding_set_error(f, why, NULL, 0);
    }
    if (json_is_array(loss)) {
        n_loss = 0;
        for (i = 0; i < json_array_size(loss); i++)
            n_loss += !json_is_null(json_array_get(loss, i));
    } else if (json_is_object(loss)) {
        n_loss = json_object_size(loss);
    }
    if (n_y == n_loss)
        return FC_OK; /* the catalog text: path (0,) */
    if (req->y.form == FC_DATA_SINGLE)
        snprintf(yt, sizeof(yt), "*");
    else
        star_struct(n_y, 1, yt, sizeof(yt));
    star_struct(req->model.n_outputs, 0, yp, sizeof(yp));
    snprintf(text, sizeof(text), "y_true and y_pred have different structures.\ny_true: %s\ny_pred: %s\n", yt, yp);
    return fc_finding_set_error(f, text, NULL, 0);
}

/* y's structure against the outputs: one array per output. */
static fc_status check_target_count(const fc_request *req, fc_findings *out)
{
    const fc_model *m = &req->model;
    size_t found = req->y.len, i, un = 0, ud = 0;
    char expected[24], found_s[24], names[512] = "", dict[512] = "", js[256];
    fc_finding *f;

    if (req->y.form == FC_DATA_NONE || req->y.form == FC_DATA_DICT || found == m->n_outputs ||
        (req->y.form == FC_DATA_LIST && found == 1 && m->n_outputs == 1))
        return FC_OK;
    for (i = 0; i < m->n_outputs; i++) {
        if (un < sizeof(names))
            un += (size_t)snprintf(names + un, sizeof(names) - un, "%s'%s'", i ? ", " : "", m->outputs[i].name);
        if (ud < sizeof(dict))
            ud += (size_t)snprintf(dict + ud, sizeof(dict) - ud, "%s\"%s\": y%zu", i ? ", " : "{",
                                   m->outputs[i].name, i);
    }
    if (ud < sizeof(dict))
        snprintf(dict + ud, sizeof(dict) - ud, "}");
    snprintf(expected, sizeof(expected), "%zu", m->n_outputs);
    snprintf(found_s, sizeof(found_s), "%zu", found);
    if (req->y.form == FC_DATA_SINGLE)
        snprintf(js, sizeof(js), "The model target expects %zu Tensor(s), but only received one Tensor. Found: Tensor "
                 "with shape ...", m->n_outputs);
    else
        snprintf(js, sizeof(js), "Error when checking model target: the Array of Tensors that you are passing to "
                 "your model is not the size the model expected. Expected to see %zu Tensor(s), but instead got the "
                 "following list of Tensor(s): ...", m->n_outputs);
    fc_var vars[] = {
        VAR("expected_count", expected), VAR("found_count", found_s), VAR("output_names", names),
        VAR("y_dict_example", dict), VAR("tfjs_error", js),
        VAR("k2_behaviour", req->y.form == FC_DATA_SINGLE ? "the same y is used as the target of every output"
                                                          : "targets and outputs are paired up to the shorter list; "
                                                            "the rest get no loss"),
        VAR("behaviour", fc_target_has(&req->target, FC_B_LEGACY_STANDARDIZE)
                             ? "This release (standalone Keras 2.x, or tf.keras up to TensorFlow 2.1) counts the "
                               "target arrays before training and refuses them; tf.keras from TensorFlow 2.2 "
                               "trains without a word."
                         : req->y.form == FC_DATA_SINGLE
                             ? "Keras 3 and TF.js refuse this; tf.keras 2 silently uses the same y as the target of "
                               "every output."
                             : "Keras 3 and TF.js refuse this; tf.keras 2 silently pairs targets and outputs up to the "
                               "shorter list, so some outputs train on nothing.")};
    f = fc_findings_add(out, FC_TARGET_COUNT_MISMATCH, &req->target,
                        "the model has {expected_count} outputs but y supplies {found_count} array(s)", "/data/y",
                        NULL, NULL, vars, sizeof(vars) / sizeof(vars[0]));
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (fc_target_has(&req->target, FC_B_LEGACY_STANDARDIZE))
        return legacy_target_count(req, f);
    if (req->target.framework == FC_FW_TFKERAS2)
        f->severity = FC_SEV_WARNING; /* it trains, if not on what was meant */
    if (req->target.framework == FC_FW_KERAS3)
        return keras3_target_count(req, f);
    return FC_OK;
}

fc_status fc_check_labels(const fc_request *req, fc_findings *out)
{
    const json_t *spec = fc_loss_spec(req->body, req->model.descriptor, NULL);
    size_t i;
    fc_status result;

    result = check_target_count(req, out);
    for (i = 0; i < req->model.n_outputs && i < req->graph.n_outputs && result == FC_OK; i++) {
        label_ctx c;

        memset(&c, 0, sizeof(c));
        c.req = req;
        c.output = req->model.outputs[i].name;
        c.out = &req->graph.outputs[i];
        c.y = target_for(req, i);
        fc_loss_for_output(spec, i, c.output, &c.loss);
        if (c.y == NULL || c.out->rank < 2 || c.y->shape.rank < 1 || fc_tensor_unbatched(c.y) ||
            c.loss.kind == FC_LOSS_NONE ||
            c.loss.kind == FC_LOSS_OTHER)
            continue;
        ctx_fill(&c);
        {
            /* TF.js and old Keras check the target's exact shape before any loss sees it */
            char js[1024];

            if (strict_rejects(&c, js, sizeof(js))) {
                result = strict_shape_finding(&c, js, out);
                continue;
            }
        }
        if (c.loss.kind == FC_LOSS_CCE && c.units == 1 && (c.y->shape.rank == 1 || c.y->shape.dims[c.y->shape.rank - 1] == 1) &&
            (req->target.framework == FC_FW_TFJS || fc_target_has(&req->target, FC_B_LEGACY_TARGET_CHECK))) {
            result = cce_one_column(&c, out);
            continue;
        }
        switch (c.loss.kind) {
        case FC_LOSS_SPARSE_CCE:
            result = check_sparse(&c, out);
            break;
        case FC_LOSS_CCE:
            result = check_categorical(&c, out);
            break;
        case FC_LOSS_BCE:
            result = check_binary(&c, output_activation(&req->model, c.output), out);
            break;
        case FC_LOSS_REGRESSION:
            result = check_regression(&c, out);
            break;
        case FC_LOSS_NONE:
        case FC_LOSS_OTHER:
            break;
        }
    }
    return result;
}
