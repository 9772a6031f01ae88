/*
 * check_data.c - what the arrays hold and how fit will walk them: dtypes
 * (non-numeric arrays, silent casts, unscaled pixels), non-finite and
 * constant values, batch_size / steps_per_epoch / validation_split against
 * the number of samples, and fit without a loss.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "fitcheck/loss.h"
#include "fitcheck/resources.h"
#include "layers.h"

#define VAR(n, v) {n, v}

/* "x", "x['pixels']", "y[1]" as the user would write the array. */
static void array_name(const char *base, const fc_arrays *a, size_t i, char *buf, size_t size)
{
    if (a->form == FC_DATA_DICT)
        snprintf(buf, size, "%s['%s']", base, a->items[i].key);
    else if (a->form == FC_DATA_LIST)
        snprintf(buf, size, "%s[%zu]", base, i);
    else
        snprintf(buf, size, "%s", base);
}

/* Bytes of an array, or -1 when a dimension or the dtype is unknown. */
int64_t fc_tensor_bytes(const fc_tensor *t, const char *dtype_override)
{
    int64_t n, bytes;
    int size = fc_dtype_size(dtype_override ? dtype_override : (t->dtype ? t->dtype : "float32"));

    if (size == 0 || !fc_shape_num_elements(&t->shape, 0, &n) || !fc_mul_i64(n, size, &bytes))
        return -1;
    return bytes;
}

static int model_rescales(const fc_model *m)
{
    size_t i;

    for (i = 0; i < m->n_layers; i++) {
        const char *c = m->layers[i].class_name;

        if (strcmp(c, "Rescaling") == 0 || strcmp(c, "Normalization") == 0 || strcmp(c, "BatchNormalization") == 0 ||
            strcmp(c, "LayerNormalization") == 0)
            return 1;
    }
    return 0;
}

/* The model input an x array feeds has this array's dtype (or another of its kind: ints into an int Input). */
static int same_as_input(const fc_request *req, const fc_tensor *t)
{
    const fc_model *m = &req->model;
    const char *want = NULL;
    size_t i;

    if (req->x.form == FC_DATA_DICT) {
        int k = fc_model_find_input(m, t->key);

        want = k >= 0 ? m->inputs[k].dtype : NULL;
    } else {
        i = (size_t)(t - req->x.items);
        want = i < m->n_inputs ? m->inputs[i].dtype : NULL;
    }
    if (want == NULL || t->dtype == NULL)
        return 0;
    return strcmp(want, t->dtype) == 0 || (fc_dtype_is_integer(want) && fc_dtype_is_integer(t->dtype));
}

/* A NumPy unicode dtype ("str", "<U12"): Keras 3 names it "str<bits>" in its dtype check. */
static int is_unicode_dtype(const char *dtype)
{
    return strcmp(dtype, "str") == 0 || strncmp(dtype, "<U", 2) == 0 || strncmp(dtype, ">U", 2) == 0 ||
           (strncmp(dtype, "str", 3) == 0 && dtype[3] >= '0' && dtype[3] <= '9');
}

/* Code points of a UTF-8 string. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The output y item i feeds (by position, or by name in a dict), or -1. */
static int output_of(const fc_request *req, size_t i)
{
    size_t k;

    if (req->y.form != FC_DATA_DICT)
        return i < req->model.n_outputs ? (int)i : -1;
    for (k = 0; k < req->model.n_outputs; k++) {
        if (strcmp(req->model.outputs[k].name, req->y.items[i].key) == 0)
            return (int)k;
    }
    return -1;
}

/*
 * y holds class names (strings): every release fails on them, each in its own
 * place; the fix encodes them the way the loss wants.
 */
static fc_status string_labels(const fc_request *req, const fc_tensor *t, const char *which, fc_findings *out)
{
    const fc_stats *st = &t->stats;
    const json_t *spec = fc_loss_spec(req->body, req->model.descriptor, NULL);
    int k = output_of(req, (size_t)(t - req->y.items)), tfjs = req->target.framework == FC_FW_TFJS;
    int64_t classes = st->string_count >= 0 ? st->string_count : (int64_t)st->n_string_examples;
    int64_t units = -1;
    char examples[256], more[64], last[24], n_classes[24], units_note[64], np_dtype[32], fix[512], summary[128];
    const char *first = st->n_string_examples > 0 ? st->string_examples[0] : "cat";
    const char *second = st->n_string_examples > 1 ? st->string_examples[1] : "dog";
    const char *behaviour, *error = NULL, *dtype = t->dtype != NULL ? t->dtype : "object";
    size_t i, used = 0, maxlen = 0;
    fc_loss loss;
    fc_finding *f;

    memset(&loss, 0, sizeof(loss));
    if (k >= 0) {
        fc_loss_for_output(spec, (size_t)k, req->model.outputs[k].name, &loss);
        if ((size_t)k < req->graph.n_outputs && req->graph.outputs[k].rank >= 2)
            units = req->graph.outputs[k].dims[req->graph.outputs[k].rank - 1];
    }
    examples[0] = '\0';
    for (i = 0; i < st->n_string_examples && i < 4; i++) {
        int w = snprintf(examples + used, sizeof(examples) - used, "%s'%s'", i ? ", " : "", st->string_examples[i]);

        if (w < 0 || (size_t)w >= sizeof(examples) - used)
            break;
        used += (size_t)w;
    }
    for (i = 0; i < st->n_string_examples; i++) {
        size_t n = utf8_length(st->string_examples[i]);

        maxlen = n > maxlen ? n : maxlen;
    }
    if (st->string_count < 0)
        snprintf(more, sizeof(more), ", \u2026 and more");
    else if ((size_t)st->string_count > i)
        snprintf(more, sizeof(more), ", \u2026 %lld in all", (long long)st->string_count);
    else
        more[0] = '\0';
    snprintf(n_classes, sizeof(n_classes), "%s%lld", st->string_count < 0 ? "at least " : "", (long long)classes);
    snprintf(last, sizeof(last), "%lld", (long long)(classes > 0 ? classes - 1 : 0));
    units_note[0] = '\0';
    if (units > 0 && st->string_count >= 0 && loss.kind != FC_LOSS_BCE && units != classes)
        snprintf(units_note, sizeof(units_note), " (it has %lld)", (long long)units);
    if (strncmp(dtype, "<U", 2) == 0 || strncmp(dtype, ">U", 2) == 0)
        snprintf(np_dtype, sizeof(np_dtype), "str%lld", 32LL * atoll(dtype + 2));
    else if (strncmp(dtype, "str", 3) == 0 && dtype[3] >= '0' && dtype[3] <= '9')
        snprintf(np_dtype, sizeof(np_dtype), "%s", dtype);
    else if (maxlen > 0 && st->string_count >= 0)
        snprintf(np_dtype, sizeof(np_dtype), "str%zu", 32 * maxlen);
    else
        snprintf(np_dtype, sizeof(np_dtype), "str\u2026");

    if (tfjs) {
        snprintf(summary, sizeof(summary), "Map each name to its class index before making the tensor");
        if (loss.kind == FC_LOSS_CCE)
            snprintf(fix, sizeof(fix), "const classes = [...new Set(labels)].sort();\n"
                     "const ys = tf.oneHot(tf.tensor1d(labels.map((l) => classes.indexOf(l)), 'int32'), "
                     "classes.length);");
        else
            snprintf(fix, sizeof(fix), "const classes = [...new Set(labels)].sort();\n"
                     "const ys = tf.tensor1d(labels.map((l) => classes.indexOf(l)), 'float32');");
        behaviour = "TF.js cannot slice a string tensor into batches, so fit fails on the first batch.";
    } else {
        if (loss.kind == FC_LOSS_BCE && st->string_count == 2) {
            snprintf(summary, sizeof(summary), "Encode the two names as 0 and 1");
            snprintf(fix, sizeof(fix), "y = (y == \"%s\").astype(\"float32\")  # 1 for \"%s\", 0 for \"%s\"",
                     second, second, first);
        } else if (loss.kind == FC_LOSS_CCE) {
            snprintf(summary, sizeof(summary), "Encode the names as one-hot rows");
            snprintf(fix, sizeof(fix), "classes, idx = np.unique(y, return_inverse=True)  # classes[i] names class i\n"
                     "y = keras.utils.to_categorical(idx, num_classes=len(classes))");
        } else {
            snprintf(summary, sizeof(summary), "Encode the names as integer class indices");
            snprintf(fix, sizeof(fix), "classes, y = np.unique(y, return_inverse=True)  # classes[i] names "
                     "class i\n# in the model instead: keras.layers.StringLookup(num_oov_indices=0)");
        }
        if (req->target.framework == FC_FW_KERAS3 &&
            (is_unicode_dtype(dtype) || (fc_target_has(&req->target, FC_B_OBJECT_INVALID_DTYPE) &&
                                         (t->container != FC_CONTAINER_NUMPY || t->shape.rank != 1))))
            behaviour = "Keras 3's data adapter refuses this dtype before training.";
        else if (req->target.framework == FC_FW_KERAS3)
            behaviour = "Keras 3 turns an object array of names into a string tensor, and the first batch fails "
                        "where the loss casts it to float.";
        else if (req->target.version.line == FC_LINE_KERAS2)
            behaviour = "standalone Keras feeds y to the session through NumPy, which cannot read a name as a "
                        "float.";
        else
            behaviour = "tf.keras turns the names into a string tensor, and the first batch fails where the loss "
                        "casts it to a number.";
        /* from 3.7 only a 1-D NumPy object array of str is turned into a string tensor first; a pandas
         * column or a 2-D array meets the dtype check (array_slicing.py is_non_floatx_float) */
        if (req->target.framework == FC_FW_KERAS3 && is_unicode_dtype(dtype))
            error = fc_variant_text(FC_V_STRINGS_KERAS3_UNICODE, &req->target);
        else if (req->target.framework == FC_FW_KERAS3 && fc_target_has(&req->target, FC_B_OBJECT_INVALID_DTYPE) &&
                 (t->container != FC_CONTAINER_NUMPY || t->shape.rank != 1))
            error = fc_variant_text(FC_V_STRINGS_KERAS37_OBJECT, &req->target);
        else if (req->target.framework == FC_FW_TFKERAS2 && loss.kind == FC_LOSS_SPARSE_CCE)
            error = fc_variant_text(FC_V_STRINGS_TFKERAS2_SPARSE, &req->target);
    }
    {
        fc_var vars[] = {VAR("which", which), VAR("examples", examples), VAR("more", more),
                         VAR("behaviour", behaviour), VAR("last_class", last), VAR("n_classes", n_classes),
                         VAR("units_note", units_note), VAR("fix_summary", summary), VAR("fix_code", fix),
                         VAR("np_dtype", np_dtype), VAR("first", first), VAR("var", "y")};

        f = fc_findings_add(out, FC_LABELS_ARE_STRINGS, &req->target, "{which} holds class names ({examples}{more})",
                            t->pointer, NULL, k >= 0 ? req->model.outputs[k].name : NULL, vars,
                            sizeof(vars) / sizeof(vars[0]));
        if (f == NULL)
            return FC_ERR_NOMEM;
        if (error != NULL)
            return fc_finding_set_error(f, error, vars, sizeof(vars) / sizeof(vars[0]));
    }
    return FC_OK;
}

static fc_status check_dtype(const fc_request *req, const fc_tensor *t, const char *which, const char *var, int is_x,
                             fc_findings *out)
{
    const char *dtype = t->dtype;
    char cast[32], range[128];
    int64_t bytes;

    if (!is_x && (t->stats.strings || (fc_dtype_is_non_numeric(dtype) && strcmp(dtype, "object") != 0 &&
                                       strcmp(dtype, "O") != 0)))
        return string_labels(req, t, which, out);
    if (dtype == NULL)
        return FC_OK;
    if (fc_dtype_is_non_numeric(dtype)) {
        fc_var vars[] = {VAR("which", which), VAR("dtype", dtype), VAR("var", var),
                         VAR("object_type", strcmp(dtype, "object") == 0 ? "float" : dtype)};
        fc_finding *f = fc_findings_add(out, FC_DTYPE_NOT_NUMERIC, &req->target, "{which} has dtype {dtype}",
                                        t->pointer, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0]));

        if (f == NULL)
            return FC_ERR_NOMEM;
        /* Keras 3.0-3.6 still handed object arrays to TensorFlow (the "Invalid dtype" check came with 3.7). */
        if (req->target.framework == FC_FW_KERAS3 && !fc_target_has(&req->target, FC_B_OBJECT_INVALID_DTYPE))
            return fc_finding_set_error(f, fc_variant_text(FC_V_OBJECT_KERAS36, &req->target), vars,
                                        sizeof(vars) / sizeof(vars[0]));
        return FC_OK;
    }
    if (is_x && req->target.framework != FC_FW_TFJS && !same_as_input(req, t) &&
        (strcmp(dtype, "float64") == 0 || strcmp(dtype, "float16") == 0 || fc_dtype_is_integer(dtype))) {
        bytes = fc_tensor_bytes(t, "float32");
        if (bytes >= 0)
            fc_human_bytes((double)bytes, cast, sizeof(cast));
        else
            snprintf(cast, sizeof(cast), "unknown size");
        fc_var vars[] = {VAR("which", which), VAR("dtype", dtype), VAR("var", var), VAR("target_dtype", "float32"),
                         VAR("cast_bytes", cast),
                         VAR("how", fc_dtype_is_integer(dtype)
                                        ? "Keras casts integer arrays to the input's dtype when it feeds the model."
                                        : "Keras's data adapter casts every floating array to float32 (floatx).")};
        if (fc_findings_add(out, FC_DTYPE_CAST, &req->target, "{which} is {dtype}: Keras casts it to float32",
                            t->pointer, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    if (is_x && !model_rescales(&req->model) &&
        ((strcmp(dtype, "uint8") == 0 && (!t->stats.has_range || t->stats.max > 1)) ||
         (t->stats.has_range && t->stats.min >= 0 && t->stats.max > 2 && t->stats.max <= 255 &&
          strncmp(dtype, "int", 3) != 0 && t->shape.rank >= 3))) {
        if (t->stats.has_range)
            snprintf(range, sizeof(range), "holds values from %g to %g", t->stats.min, t->stats.max);
        else
            snprintf(range, sizeof(range), "is uint8 (0-255)");
        fc_var vars[] = {VAR("which", which), VAR("range_detail", range)};
        if (fc_findings_add(out, FC_UNSCALED_INPUT, &req->target, "{which} {range_detail}, with no rescaling",
                            t->pointer, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    return FC_OK;
}

static fc_status check_values(const fc_request *req, const fc_tensor *t, const char *which, const char *var,
                              int is_x, fc_findings *out)
{
    const fc_stats *st = &t->stats;
    char nan[32], inf[32], value[32];

    if (st->nan_count > 0 || st->inf_count > 0) {
        snprintf(nan, sizeof(nan), "%lld", (long long)(st->nan_count > 0 ? st->nan_count : 0));
        snprintf(inf, sizeof(inf), "%lld", (long long)(st->inf_count > 0 ? st->inf_count : 0));
        fc_var vars[] = {VAR("which", which), VAR("nan", nan), VAR("inf", inf), VAR("var", var)};
        if (fc_findings_add(out, FC_DATA_NOT_FINITE, &req->target, "{which} holds {nan} NaN and {inf} infinite values",
                            t->pointer, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    if (st->has_range && st->min == st->max && t->shape.dims[0] > 1) {
        snprintf(value, sizeof(value), "%g", st->min);
        fc_var vars[] = {
            VAR("which", which), VAR("value", value), VAR("var", var),
            VAR("consequence", is_x ? "the model sees no difference between samples and can only learn the average "
                                      "target."
                                    : "there is a single target (a single class), so there is nothing to learn.")};
        if (fc_findings_add(out, FC_CONSTANT_DATA, &req->target, "{which} is constant ({value})", t->pointer, NULL,
                            NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    return FC_OK;
}

/* class_counts {"0": 900, "1": 100} (given, or counted in values): a warning when the largest class is 10x the smallest. */
static fc_status check_balance(const fc_request *req, const fc_tensor *t, const char *which, fc_findings *out)
{
    const json_t *counts = t->stats.class_counts;
    const char *key, *max_key = NULL;
    json_t *value;
    json_int_t lo = -1, hi = -1, total = 0;
    char a[24], b[24], c[24], d[24], e[32], weights[512];
    size_t used = 0, n = 0;

    json_object_foreach((json_t *)counts, key, value) {
        json_int_t v = json_integer_value(value);

        if (!json_is_integer(value) || v <= 0 || v > FC_DIM_MAX || total > FC_DIM_MAX)
            return FC_OK; /* counts beyond 2^53 are not counts of samples */
        if (lo < 0 || v < lo)
            lo = v;
        if (v > hi) {
            hi = v;
            max_key = key;
        }
        total += v;
        n++;
    }
    if (n < 2 || hi < 10 * lo)
        return FC_OK;
    used = (size_t)snprintf(weights, sizeof(weights), "{");
    json_object_foreach((json_t *)counts, key, value) {
        if (used < sizeof(weights))
            used += (size_t)snprintf(weights + used, sizeof(weights) - used, "%s%s: %.2f", used > 1 ? ", " : "", key,
                                     (double)total / ((double)n * (double)json_integer_value(value)));
    }
    if (used < sizeof(weights))
        snprintf(weights + used, sizeof(weights) - used, "}");
    snprintf(a, sizeof(a), "%zu", n);
    snprintf(b, sizeof(b), "%lld", (long long)lo);
    snprintf(c, sizeof(c), "%lld", (long long)hi);
    snprintf(d, sizeof(d), "%.0f", (double)hi / (double)lo);
    snprintf(e, sizeof(e), "%.0f%%", 100.0 * (double)hi / (double)total);
    fc_var vars[] = {VAR("which", which), VAR("n_classes", a), VAR("min_count", b), VAR("max_count", c), VAR("ratio", d),
                     VAR("majority", e), VAR("majority_class", max_key), VAR("class_weight_example", weights)};
    return fc_findings_add(out, FC_CLASS_IMBALANCE, &req->target, "{which}: classes from {min_count} to {max_count} "
                           "samples ({ratio}:1)", t->pointer, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0]))
               ? FC_OK
               : FC_ERR_NOMEM;
}

/* The Embedding layer the model input at index i feeds directly, or NULL. */
static const fc_layer *embedding_fed_by(const fc_model *m, size_t i, size_t *index)
{
    size_t k;

    for (k = 0; k < m->n_layers; k++) {
        const fc_layer *l = &m->layers[k];

        if (strcmp(l->class_name, "Embedding") == 0 && l->n_inbound == 1 &&
            strcmp(l->inbound[0], m->inputs[i].name) == 0) {
            *index = k;
            return l;
        }
    }
    return NULL;
}

/* x's values against the vocabulary of the Embedding it feeds. */
static fc_status check_token_ids(const fc_request *req, fc_findings *out)
{
    const fc_model *m = &req->model;
    size_t i, k;

    for (i = 0; i < m->n_inputs; i++) {
        const fc_tensor *t = NULL;
        const fc_layer *emb;
        int64_t dim;
        char a[32], b[32], c[32], d[32], e[32], f[32];

        if (req->x.form == FC_DATA_DICT) {
            for (k = 0; k < req->x.len; k++) {
                if (strcmp(req->x.items[k].key, m->inputs[i].name) == 0)
                    t = &req->x.items[k];
            }
        } else if (i < req->x.len && req->x.len == m->n_inputs) {
            t = &req->x.items[i];
        }
        emb = embedding_fed_by(m, i, &k);
        if (t == NULL || emb == NULL || !t->stats.has_range)
            continue;
        if (t->stats.all_integers == 0) {
            char lo[32], hi[32];

            snprintf(lo, sizeof(lo), "%g", t->stats.min);
            snprintf(hi, sizeof(hi), "%g", t->stats.max);
            fc_var vars[] = {VAR("which", "x"), VAR("what", "an Embedding, whose inputs are token ids"),
                             VAR("var", "x"), VAR("min", lo), VAR("max", hi),
                             VAR("consequence", "every value below 1 becomes token 0, so the model sees the same "
                                                "token everywhere.")};
            if (fc_findings_add(out, FC_LABELS_NOT_INTEGER, &req->target, "x holds fractional token ids",
                                t->pointer, m->inputs[i].name, emb->name, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
                return FC_ERR_NOMEM;
        }
        dim = fc_cfg_int(emb->config, "input_dim", -1);
        if (dim < 1 || (t->stats.min >= 0 && t->stats.max < (double)dim))
            continue;
        snprintf(a, sizeof(a), "%lld", (long long)dim);
        fc_fmt_num(b, sizeof(b), t->stats.min);
        fc_fmt_num(c, sizeof(c), t->stats.max);
        fc_fmt_num(d, sizeof(d), t->stats.min < 0 ? t->stats.min : t->stats.max);
        snprintf(e, sizeof(e), "%lld", (long long)(dim - 1));
        snprintf(f, sizeof(f), "%lld",
                 (long long)(t->stats.max >= (double)dim && t->stats.max < 9.0e18 ? (int64_t)t->stats.max + 1 : dim));
        if (req->target.framework == FC_FW_KERAS3) {
            /* Keras 3's TF backend: 3.0-3.2 clip every id into range, 3.3+ wrap -input_dim..-1 */
            int clip = fc_target_in(&req->target, "keras3 3.0-3.2; keras_core 0.1");
            char fix_dim[96];

            snprintf(fix_dim, sizeof(fix_dim), "keras.layers.Embedding(input_dim=%s, output_dim=...)", f);

            if (clip || (t->stats.max < (double)dim && t->stats.min >= -(double)dim)) {
                fc_var vars[] = {
                    VAR("input", m->inputs[i].name), VAR("layer", emb->name), VAR("input_dim", a), VAR("min", b),
                    VAR("max", c), VAR("suggest", f),
                    VAR("how", clip ? "This Keras 3 release looks ids up with tf.experimental.numpy.take, which "
                                      "clips them into [0, input_dim - 1]: negative ids read row 0 and ids past "
                                      "the end read the last row."
                                    : "Keras 3 (TensorFlow backend) adds input_dim to negative ids before the "
                                      "lookup, as NumPy indexing does: -1 reads the last row, -input_dim row 0."),
                    VAR("fix_summary", t->stats.min < 0 ? "Map negative ids to a reserved id (or shift the ids "
                                                          "so that they start at 0)"
                                                        : "Make input_dim cover the vocabulary (max id + 1)"),
                    VAR("fix_code", t->stats.min < 0 ? "x = np.where(x < 0, 0, x)  # 0: a reserved out-of-vocabulary id"
                                                     : fix_dim),
                    VAR("no_error", clip ? "ids are clipped into [0, input_dim - 1] and training goes on"
                                         : "negative ids wrap to input_dim + id and training goes on")};

                if (fc_findings_add(out, FC_EMBEDDING_IDS_REMAPPED, &req->target,
                                    "x for '{input}' holds ids from {min} to {max}; Embedding '{layer}' has "
                                    "input_dim {input_dim}, and Keras 3 remaps the ids outside it silently",
                                    t->pointer, m->inputs[i].name, emb->name, vars,
                                    sizeof(vars) / sizeof(vars[0])) == NULL)
                    return FC_ERR_NOMEM;
                continue;
            }
            if (t->stats.max < (double)dim) /* the wrapped id is still negative: gather names it */
                fc_fmt_num(d, sizeof(d), t->stats.min + (double)dim);
        }
        fc_var vars[] = {VAR("input", m->inputs[i].name), VAR("layer", emb->name), VAR("input_dim", a),
                         VAR("min", b), VAR("max", c), VAR("bad", d), VAR("last", e), VAR("suggest", f)};
        {
            fc_finding *ef = fc_findings_add(out, FC_EMBEDDING_INDEX_OUT_OF_RANGE, &req->target,
                                             "x for '{input}' holds ids from {min} to {max}; Embedding '{layer}' has "
                                             "input_dim {input_dim}",
                                             t->pointer, m->inputs[i].name, emb->name, vars,
                                             sizeof(vars) / sizeof(vars[0]));

            if (ef == NULL)
                return FC_ERR_NOMEM;
            /* TF.js's CPU GatherV2 checks its indices from 3.10.0 (oracle): before, it trains on whatever it reads */
            if (fc_target_in(&req->target, "tfjs 1.0-3.9"))
                ef->severity = FC_SEV_WARNING;
        }
    }
    return FC_OK;
}

static fc_status check_set(const fc_request *req, const fc_arrays *a, const char *base, int is_x, fc_findings *out)
{
    char which[160];
    size_t i;
    fc_status result = FC_OK;

    for (i = 0; i < a->len && result == FC_OK; i++) {
        array_name(base, a, i, which, sizeof(which));
        result = check_dtype(req, &a->items[i], which, base, is_x, out);
        if (result == FC_OK)
            result = check_values(req, &a->items[i], which, base, is_x, out);
        if (result == FC_OK && !is_x)
            result = check_balance(req, &a->items[i], which, out);
    }
    return result;
}

/* Samples fit sees: the first known sample count of x. */
static int64_t samples(const fc_request *req)
{
    size_t i;

    for (i = 0; i < req->x.len; i++) {
        if (req->x.items[i].shape.dims[0] != FC_DIM_UNKNOWN)
            return req->x.items[i].shape.dims[0];
    }
    return -1;
}

static fc_status check_fit(const fc_request *req, fc_findings *out)
{
    int64_t n = samples(req), train = n, split_at, batches, needed;
    double vs = req->validation_split;
    char a[32], b[32], c[32], d[32], e[32], f[32];
    const json_t *compile = json_object_get(req->body, "compile");

    if (json_is_object(compile) &&
        (json_object_get(compile, "loss") == NULL || json_is_null(json_object_get(compile, "loss")))) {
        char n_out[24];
        fc_var vars[] = {VAR("suggest", "sparse_categorical_crossentropy"),
                         VAR("suggest_js", "sparseCategoricalCrossentropy"), VAR("n_outputs", n_out),
                         VAR("loss", "")};
        size_t nv = sizeof(vars) / sizeof(vars[0]);
        fc_finding *nl;

        snprintf(n_out, sizeof(n_out), "%zu", req->model.n_outputs);
        nl = fc_findings_add(out, FC_FIT_WITHOUT_LOSS, &req->target, "compile has no loss", "/compile", NULL, NULL,
                            vars, nv);
        if (nl == NULL)
            return FC_ERR_NOMEM;
        /* The row's texts are for fit without compile; compile without a loss reads otherwise. */
        const char *text = req->target.framework == FC_FW_KERAS3 ? fc_variant_text(FC_V_LOSS_KERAS3_NONE, &req->target)
                           : req->target.framework == FC_FW_TFJS ? fc_variant_text(FC_V_LOSS_TFJS_NONE, &req->target)
                           : req->target.framework == FC_FW_TFKERAS2
                               ? fc_variant_text(fc_target_in(&req->target, "keras2 2.0.0-2.3.1; tf 1.0-2.1")
                                                     ? FC_V_NO_LOSS_TO_OPTIMIZE_LEGACY
                                                 : fc_target_in(&req->target, "tf 2.2-2.6") ? FC_V_NO_GRADIENTS_TF26
                                                 : fc_target_in(&req->target, "tf 2.7") ? FC_V_NO_GRADIENTS_TF27
                                                                                         : FC_V_NO_LOSS_FOUND_TF28,
                                                 &req->target)
                               : NULL;
        if (text != NULL && fc_finding_set_error(nl, text, vars, nv) != FC_OK)
            return FC_ERR_NOMEM;
    }
    if (n == 0) {
        fc_var vars[] = {VAR("which", "x")};
        if (fc_findings_add(out, FC_EMPTY_DATASET, &req->target, "x has no samples", "/data/x", NULL, NULL, vars,
                            1) == NULL)
            return FC_ERR_NOMEM;
        return FC_OK;
    }
    if (n < 0)
        return FC_OK;
    /* validation_split: Keras and TF.js take the last fraction, floor(n * (1 - split)) for training. */
    if (vs > 0.0 && (req->target.framework != FC_FW_TFJS || vs < 1.0)) {
        split_at = (int64_t)floor((double)n * (1.0 - vs));
        if (split_at <= 0 || split_at >= n) {
            snprintf(a, sizeof(a), "%g", vs);
            snprintf(b, sizeof(b), "%lld", (long long)n);
            snprintf(c, sizeof(c), "%lld", (long long)split_at);
            snprintf(d, sizeof(d), "%g", n >= 10 ? 0.1 : (n >= 2 ? 1.0 / (double)n : 0.0));
            fc_var vars[] = {VAR("split", a), VAR("n", b), VAR("split_at", c), VAR("suggest", d),
                             VAR("which_empty", split_at <= 0 ? "no sample is left for training"
                                                              : "no sample is left for validation"),
                             /* what TF.js does instead (checked with the oracle) */
                             VAR("tfjs_behaviour", split_at <= 0
                                                       ? "(no error: an empty training slice trains on nothing and "
                                                         "the loss is NaN)"
                                                       : fc_variant_text(FC_V_SPLIT_TFJS_EMPTY_VALIDATION, &req->target))};
            /* An error for TF.js too: it does not raise, but an empty training slice gives a NaN loss
             * (checked with the oracle). */
            if (fc_findings_add(out, FC_VALIDATION_SPLIT_EMPTY, &req->target,
                                "validation_split={split} on {n} samples: {which_empty}", "/fit/validation_split",
                                NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
                return FC_ERR_NOMEM;
        }
        if (split_at > 0)
            train = split_at;
    }
    batches = train / req->batch_size + (train % req->batch_size != 0);
    if (req->batch_size_given && req->batch_size > train) {
        snprintf(a, sizeof(a), "%lld", (long long)req->batch_size);
        snprintf(b, sizeof(b), "%lld", (long long)train);
        snprintf(c, sizeof(c), "%lld", (long long)(train >= 32 ? 32 : train));
        fc_var vars[] = {VAR("batch_size", a), VAR("n", b), VAR("suggest", c)};
        if (fc_findings_add(out, FC_BATCH_LARGER_THAN_DATASET, &req->target,
                            "batch_size {batch_size} > {n} samples: one batch per epoch", "/fit/batch_size", NULL,
                            NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    if (req->steps_per_epoch > 0 && req->steps_per_epoch > batches && req->target.framework != FC_FW_TFJS) {
        needed = req->steps_per_epoch > INT64_MAX / req->epochs ? INT64_MAX : req->steps_per_epoch * req->epochs;
        snprintf(a, sizeof(a), "%lld", (long long)req->steps_per_epoch);
        snprintf(b, sizeof(b), "%lld", (long long)req->epochs);
        snprintf(c, sizeof(c), "%lld", (long long)needed);
        snprintf(d, sizeof(d), "%lld", (long long)train);
        snprintf(e, sizeof(e), "%lld", (long long)req->batch_size);
        snprintf(f, sizeof(f), "%lld", (long long)batches);
        fc_var vars[] = {
            VAR("steps", a), VAR("epochs", b), VAR("needed", c), VAR("n", d), VAR("batch_size", e),
            VAR("available", f),
            VAR("behaviour", req->target.framework == FC_FW_KERAS3
                                 ? "Keras 3 runs the batches there are in every epoch and warns each time: each "
                                   "epoch is shorter than asked."
                                 : "tf.keras 2 runs steps across epoch boundaries until all batches of all epochs "
                                   "are used, then stops the remaining epochs: training ends early.")};
        if (fc_findings_add(out, FC_INPUT_RAN_OUT, &req->target,
                            "steps_per_epoch={steps} but the arrays give {available} batches per epoch",
                            "/fit/steps_per_epoch", NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    return FC_OK;
}

fc_status fc_check_data(const fc_request *req, fc_findings *out)
{
    fc_status result = check_set(req, &req->x, "x", 1, out);

    if (result == FC_OK)
        result = check_token_ids(req, out);
    if (result == FC_OK)
        result = check_set(req, &req->y, "y", 0, out);
    if (result == FC_OK && !req->validation_view)
        result = check_fit(req, out);
    return result;
}
