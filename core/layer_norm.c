/*
 * layer_norm.c - normalization layers: BatchNormalization (and tf.keras 2's
 * SyncBatchNormalization), LayerNormalization, GroupNormalization,
 * RMSNormalization and UnitNormalization. All keep their input's shape; they
 * differ in which axes size their weights and which weights train.
 *
 * Sources checked (keras-team/keras 3422977a, keras-team/tf-keras dd0a7237,
 * tensorflow/tfjs 0fc04d95) and the oracle (TF.js Layers 4.22, which has only
 * BatchNormalization and LayerNormalization of these).
 *
 * A weight axis of unknown size leaves the count unknown without a problem.
 * An axis outside the input's rank, and GroupNormalization groups that do
 * not fit the channels, are LAYER_CONFIG_INVALID in each framework's words.
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "layers.h"

#define MAX_AXES FC_MAX_RANK

static int is_keras3(const fc_build *b)
{
    return b->target == FC_FW_KERAS3 || b->target == FC_FW_UNKNOWN;
}

/*
 * Keras 3 reads a layer config without "module" (Keras 2 writing) through
 * keras/src/legacy/saving/saving_utils.py model_from_config, which turns an
 * "axis" list of one into an int and drops any other list (leaving -1).
 */
static int keras3_legacy(const fc_build *b)
{
    return is_keras3(b) && json_object_get(b->layer, "module") == NULL;
}

/* Axes outside the input's rank, as read_axes found them, for the frameworks' texts. */
typedef struct axes_seen {
    int n;                  /* axes read (0 when read_axes gave up before) */
    int64_t norm[MAX_AXES]; /* each axis plus the rank when negative, as tf.keras and TF.js print them */
    int bad;                /* index of the first axis outside the rank, -1 when none */
} axes_seen;

/*
 * Reads the "axis" config (an int or a list of ints; absent means -1) into
 * axes, each made non-negative for rank, after Keras 3's legacy rewrite.
 * Returns the number of axes, or -1 when one is malformed, outside the rank,
 * or repeated (Keras raises for each); seen, when not NULL, tells an axis
 * outside the rank apart.
 */
static int read_axes_seen(const fc_build *b, int rank, int allow_list, int *axes, axes_seen *seen)
{
    const json_t *v = json_object_get(b->config, "axis");
    int64_t raw[MAX_AXES];
    size_t n = 0, i, j;
    axes_seen ignore;

    if (seen == NULL)
        seen = &ignore;
    seen->n = 0;
    seen->bad = -1;

    if (v == NULL || json_is_null(v)) {
        raw[n++] = -1;
    } else if (json_is_integer(v)) {
        raw[n++] = (int64_t)json_integer_value(v);
    } else if (json_is_array(v) && json_array_size(v) != 1 && keras3_legacy(b)) {
        raw[n++] = -1;
    } else if (json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= MAX_AXES &&
               (allow_list || json_array_size(v) == 1)) {
        for (i = 0; i < json_array_size(v); i++) {
            if (!json_is_integer(json_array_get(v, i)))
                return -1;
            raw[n++] = (int64_t)json_integer_value(json_array_get(v, i));
        }
    } else {
        return -1;
    }
    seen->n = (int)n;
    for (i = 0; i < n; i++)
        seen->norm[i] = raw[i] < 0 ? raw[i] + rank : raw[i];
    for (i = 0; i < n; i++) {
        int64_t a = raw[i] < 0 ? raw[i] + rank : raw[i];

        if (a < 0 || a >= rank) {
            seen->bad = (int)i;
            return -1;
        }
        for (j = 0; j < i; j++) {
            if (axes[j] == (int)a)
                return -1;
        }
        axes[i] = (int)a;
    }
    return (int)n;
}

enum norm_family { NORM_BATCH, NORM_LAYER, NORM_GROUP, NORM_RMS };

/*
 * Records LAYER_CONFIG_INVALID for an axis outside the input's rank, in the
 * words of each framework: Keras 3 (and standalone Keras 2) index the shape
 * tuple, an IndexError; tf.keras validates the axes (validate_axis in TF
 * 2.9+, the layers' own texts before); TF.js's BatchNormalization reads an
 * undefined size, its LayerNormalization says "Invalid axis".
 */
static void axis_problem(fc_build *b, const axes_seen *seen, enum norm_family family)
{
    static const char *const names[] = {"BatchNormalization", "LayerNormalization", "GroupNormalization",
                                        "RMSNormalization"};
    const fc_shape *in = &b->inputs[0];
    char tuple[160], list[160], k2[400], js[400], dims_js[190], found_js[200], shape[200];
    size_t ut = 0, ul = 0;
    fc_target t;
    int i;

    fc_build_target(b, &t);
    for (i = 0; i < seen->n; i++) {
        ut += (size_t)snprintf(tuple + ut, ut < sizeof(tuple) ? sizeof(tuple) - ut : 0, "%s%lld", i ? ", " : "(",
                               (long long)seen->norm[i]);
        ul += (size_t)snprintf(list + ul, ul < sizeof(list) ? sizeof(list) - ul : 0, "%s%lld", i ? ", " : "[",
                               (long long)seen->norm[i]);
    }
    if (ut < sizeof(tuple))
        snprintf(tuple + ut, sizeof(tuple) - ut, "%s", seen->n == 1 ? ",)" : ")");
    if (ul < sizeof(list))
        snprintf(list + ul, sizeof(list) - ul, "]");
    fc_shape_format(in, 0, shape, sizeof(shape));
    fc_shape_format_js(in, 0, dims_js, sizeof(dims_js)); /* as JSON.stringify prints it: [null,4] */
    snprintf(found_js, sizeof(found_js), "[%s]", dims_js);
    fc_build_problem(b, FC_LAYER_CONFIG_INVALID, "%s '%s' normalizes axis %lld of a rank-%d input %s",
                     names[family], b->name, (long long)seen->norm[seen->bad], in->rank, shape);
    {
        char rank_s[16], axis_s[32];
        fc_variant_id id;
        char *text;

        snprintf(rank_s, sizeof(rank_s), "%d", in->rank);
        snprintf(axis_s, sizeof(axis_s), "%lld", (long long)seen->norm[seen->bad]);
        fc_var vars[] = {{"rank", rank_s}, {"axis_tuple", tuple}, {"axis_list", list}, {"axis", axis_s},
                         {"found_js", found_js}};

        if (fc_target_in(&t, "keras2 2.0.0-2.3.1"))
            snprintf(k2, sizeof(k2), "tuple index out of range");
        else {
            id = fc_target_in(&t, "tf 1.0-2.6")
                     ? (family == NORM_BATCH ? FC_V_AXIS_TFKERAS26_BN : FC_V_AXIS_TFKERAS26_LN)
                     : FC_V_AXIS_TFKERAS29;
            text = fc_template_expand(fc_variant_text(id, &t), vars, sizeof(vars) / sizeof(vars[0]));
            snprintf(k2, sizeof(k2), "%s", text != NULL ? text : "Invalid axis");
            fc_free(text);
        }
        text = fc_template_expand(fc_variant_text(family == NORM_BATCH ? FC_V_AXIS_TFJS_BN : FC_V_AXIS_TFJS_LN, &t),
                                  vars, sizeof(vars) / sizeof(vars[0]));
        snprintf(js, sizeof(js), "%s", text != NULL ? text : "Invalid axis");
        fc_free(text);
    }
    fc_build_var(b, "detail", "normalizes axis %lld, but its input %s has rank %d (axes 0 to %d, or -%d to -1)",
                 (long long)seen->norm[seen->bad], shape, in->rank, in->rank - 1, in->rank);
    fc_build_var(b, "consequence", "%s", "The framework refuses the layer when the model is built, before any data "
                                         "is read.");
    fc_build_var(b, "fix_summary", "%s", "Normalize an axis the input has (-1, the features, is the usual one)");
    fc_build_var(b, "fix", "keras.layers.%s(axis=-1)", names[family]);
    fc_build_var(b, "k3_error", "%s", "tuple index out of range");
    fc_build_var(b, "k2_error", "%s", k2);
    fc_build_var(b, "js_error", "%s", js);
}

/* The product of the input's sizes on the axes; FC_DIM_UNKNOWN when one is unknown. */
static int64_t axes_size(const fc_shape *in, const int *axes, int n)
{
    int64_t size = 1;
    int i;

    for (i = 0; i < n; i++)
        size = fc_dim_mul(size, in->dims[axes[i]]);
    return size;
}

/* Output = input; returns 0 (after marking everything unknown) when the input's rank is unknown. */
static int keep_shape(fc_build *b)
{
    if (b->n_inputs == 0 || b->inputs[0].rank == FC_RANK_UNKNOWN) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return 0;
    }
    b->n_outputs = 1;
    b->outputs[0] = b->inputs[0];
    return 1;
}

/* Adds `copies` weights of `size` each, unknown when size is. */
static void add_weights(fc_build *b, int64_t size, int copies, int trainable)
{
    if (copies == 0)
        return;
    if (size < 0) {
        b->params_unknown = 1;
        return;
    }
    fc_build_add_params(b, fc_dim_mul(size, copies), trainable);
}

/*
 * BatchNormalization: gamma (scale) and beta (center) train; moving_mean and
 * moving_variance do not, so summary() splits them. renorm adds
 * moving_stddev, renorm_mean and renorm_stddev, none trainable.
 * keras3: keras/src/layers/normalization/batch_normalization.py
 *   BatchNormalization.__init__ (axis = int(axis): a list only passes the
 *   legacy loader as [k]), .build (every weight of shape
 *   (input_shape[axis],)), .compute_output_shape;
 * tf.keras2: tf_keras/layers/normalization/batch_normalization.py
 *   BatchNormalizationBase.build (axis an int or a list, written back as a
 *   list such as [3]; with several axes the weights span all of them);
 * tfjs: tfjs-layers/src/layers/normalization.ts BatchNormalization.build
 *   (gamma, beta, moving_mean, moving_variance of [dim]; no renorm: the
 *   oracle counts 24 for 6 channels with renorm: true; a list axis works
 *   only as [k] with k >= 0, by JavaScript coercion: the oracle accepts [2]
 *   and refuses [-1], reported as TFJS_UNSUPPORTED by tfjs_bn_list_refused).
 */
/*
 * TF.js's BatchNormalization.build on an axis list: `this.axis >= 0` and
 * `this.axis + rank` coerce the list to a string, so only [k] with k >= 0
 * indexes the shape; [-1] on rank 3 becomes the key "-13" and [1, 2] the key
 * "1,23" (oracle bnlistneg: "Axis -13 of input tensor should have a defined
 * dimension but the layer received an input with shape [null,4,6]."). Records
 * TFJS_UNSUPPORTED and returns 1 for such a list.
 */
static int tfjs_bn_list_refused(fc_build *b, const json_t *axis)
{
    char key[160], shape[256];
    size_t i, used = 0;

    if (!json_is_array(axis) || json_array_size(axis) == 0 ||
        (json_array_size(axis) == 1 && json_integer_value(json_array_get(axis, 0)) >= 0))
        return 0;
    key[0] = '\0';
    for (i = 0; i < json_array_size(axis) && used < sizeof(key); i++)
        used += (size_t)snprintf(key + used, sizeof(key) - used, "%s%lld", i > 0 ? "," : "",
                                 (long long)json_integer_value(json_array_get(axis, i)));
    if (used < sizeof(key))
        snprintf(key + used, sizeof(key) - used, "%d", b->inputs[0].rank);
    fc_shape_format_js(&b->inputs[0], 0, shape, sizeof(shape));
    fc_build_problem(b, FC_TFJS_UNSUPPORTED, "TF.js cannot read the axis list of BatchNormalization '%s'", b->name);
    fc_build_var(b, "detail", " whose axis is a list TF.js cannot read (only [k] with k >= 0 works)");
    fc_build_var(b, "fix", "keras.layers.BatchNormalization(axis=-1)  # an int axis");
    fc_build_var(b, "tfjs_error", "Axis %s of input tensor should have a defined dimension but the layer received "
                 "an input with shape [%s].", key, shape);
    return 1;
}

static fc_status batch_normalization_build(fc_build *b)
{
    const json_t *axis = json_object_get(b->config, "axis");
    int axes[MAX_AXES], n;
    int64_t size;
    axes_seen seen;

    if (!keep_shape(b))
        return FC_OK;
    if (b->target == FC_FW_TFJS && tfjs_bn_list_refused(b, axis)) {
        b->params_unknown = 1;
        return FC_OK;
    }
    n = read_axes_seen(b, b->inputs[0].rank, b->target == FC_FW_TFKERAS2, axes, &seen);
    if (json_is_array(axis) && is_keras3(b) && !keras3_legacy(b))
        n = -1; /* int(axis) of a list: TypeError */
    else if (n < 0 && seen.bad >= 0)
        axis_problem(b, &seen, NORM_BATCH);
    if (n < 0) {
        b->params_unknown = 1;
        return FC_OK;
    }
    size = axes_size(&b->inputs[0], axes, n);
    add_weights(b, size, fc_cfg_bool(b->config, "scale", 1) + fc_cfg_bool(b->config, "center", 1), 1);
    add_weights(b, size, 2, 0);
    if (b->target != FC_FW_TFJS && fc_cfg_bool(b->config, "renorm", 0))
        add_weights(b, size, 3, 0);
    return FC_OK;
}

/*
 * LayerNormalization: gamma and beta over the normalized axes, both trainable.
 * keras3: keras/src/layers/normalization/layer_normalization.py
 *   LayerNormalization.build (canonicalize_axes, duplicates refused; shape
 *   tuple(input_shape[dim] for dim in axis); gamma when scale or rms_scaling,
 *   beta when center and not rms_scaling);
 * tf.keras2: tf_keras/layers/normalization/layer_normalization.py
 *   LayerNormalization.build (same, no rms_scaling);
 * tfjs: tfjs-layers/src/layers/normalization.ts LayerNormalization.build
 *   (same; "Invalid axis", "Found duplicate axes").
 */
static fc_status layer_normalization_build(fc_build *b)
{
    int axes[MAX_AXES], n, rms;
    int64_t size;
    axes_seen seen;

    if (!keep_shape(b))
        return FC_OK;
    n = read_axes_seen(b, b->inputs[0].rank, 1, axes, &seen);
    if (n < 0) {
        if (seen.bad >= 0)
            axis_problem(b, &seen, NORM_LAYER);
        b->params_unknown = 1;
        return FC_OK;
    }
    rms = is_keras3(b) && fc_cfg_bool(b->config, "rms_scaling", 0);
    size = axes_size(&b->inputs[0], axes, n);
    add_weights(b, size, fc_cfg_bool(b->config, "scale", 1) || rms, 1);
    add_weights(b, size, fc_cfg_bool(b->config, "center", 1) && !rms, 1);
    return FC_OK;
}

/* GroupNormalization.build's check of groups against the channels (the same text in Keras 3 and tf.keras). */
static void groups_problem(fc_build *b, int64_t groups, int64_t dim)
{
    int more = dim < groups;
    fc_target t;
    char g[24], d[24], suggest[24];
    char *k3, *k2;
    int64_t s;

    fc_build_target(b, &t);
    snprintf(g, sizeof(g), "%lld", (long long)groups);
    snprintf(d, sizeof(d), "%lld", (long long)dim);
    for (s = groups < dim ? groups : dim; s > 1 && dim % s != 0; s--)
        ;
    snprintf(suggest, sizeof(suggest), "%lld", (long long)s);
    fc_var vars[] = {{"groups", g}, {"dim", d}};
    k3 = fc_template_expand(fc_variant_text(more ? FC_V_GROUPS_MORE_KERAS3 : FC_V_GROUPS_MULTIPLE_KERAS3, &t), vars, 2);
    k2 = fc_template_expand(fc_variant_text(more ? FC_V_GROUPS_MORE_TFKERAS2 : FC_V_GROUPS_MULTIPLE_TFKERAS2, &t), vars,
                            2);
    fc_build_problem(b, FC_LAYER_CONFIG_INVALID, "GroupNormalization '%s' splits %lld channels into %lld groups",
                     b->name, (long long)dim, (long long)groups);
    fc_build_var(b, "detail", "splits the %lld channels of its input into groups=%lld, %s", (long long)dim,
                 (long long)groups, more ? "more groups than channels" : "which does not divide them");
    fc_build_var(b, "consequence", "%s", "Each group must hold the same whole number of channels: the framework "
                                         "refuses the layer when the model is built.");
    fc_build_var(b, "fix_summary", "Use a number of groups that divides the %lld channels", (long long)dim);
    fc_build_var(b, "fix", "keras.layers.GroupNormalization(groups=%s)  # divides %lld", suggest, (long long)dim);
    fc_build_var(b, "k3_error", "%s", k3 != NULL ? k3 : "Number of groups");
    fc_build_var(b, "k2_error", "%s", k2 != NULL ? k2 : "Number of groups");
    fc_build_var(b, "js_error", "%s", "(TF.js has no GroupNormalization: see TFJS_UNSUPPORTED)");
    fc_free(k3);
    fc_free(k2);
}

/*
 * GroupNormalization: gamma and beta of the channel axis, both trainable.
 * keras3: keras/src/layers/normalization/group_normalization.py
 *   GroupNormalization.build (shape (input_shape[axis],); groups -1 means one
 *   per channel; groups above the channels or not dividing them raise:
 *   LAYER_CONFIG_INVALID);
 * tf.keras2: tf_keras/layers/normalization/group_normalization.py (same);
 * tfjs: no such class (oracle: "Unknown layer: GroupNormalization").
 */
static fc_status group_normalization_build(fc_build *b)
{
    int axes[1], n;
    int64_t dim, groups = fc_cfg_int(b->config, "groups", 32);
    axes_seen seen;

    if (!keep_shape(b))
        return FC_OK;
    n = read_axes_seen(b, b->inputs[0].rank, 0, axes, &seen);
    if (n != 1) {
        if (n < 0 && seen.bad >= 0)
            axis_problem(b, &seen, NORM_GROUP);
        b->params_unknown = 1;
        return FC_OK;
    }
    dim = b->inputs[0].dims[axes[0]];
    if (groups == -1)
        groups = dim;
    if (dim > 0 && groups > 0 && (dim < groups || dim % groups != 0))
        groups_problem(b, groups, dim);
    add_weights(b, b->inputs[0].dims[axes[0]],
                fc_cfg_bool(b->config, "scale", 1) + fc_cfg_bool(b->config, "center", 1), 1);
    return FC_OK;
}

/*
 * RMSNormalization: one trainable scale over the axes.
 * keras3: keras/src/layers/normalization/rms_normalization.py
 *   RMSNormalization.build; not in tf.keras 2 or TF.js.
 */
static fc_status rms_normalization_build(fc_build *b)
{
    int axes[MAX_AXES], n;
    axes_seen seen;

    if (!keep_shape(b))
        return FC_OK;
    n = read_axes_seen(b, b->inputs[0].rank, 1, axes, &seen);
    if (n < 0) {
        if (seen.bad >= 0)
            axis_problem(b, &seen, NORM_RMS);
        b->params_unknown = 1;
        return FC_OK;
    }
    add_weights(b, axes_size(&b->inputs[0], axes, n), 1, 1);
    return FC_OK;
}

/*
 * UnitNormalization: no weights.
 * keras3: keras/src/layers/normalization/unit_normalization.py
 *   UnitNormalization.compute_output_shape; tf.keras2:
 *   tf_keras/layers/normalization/unit_normalization.py; tfjs: no such class
 *   (oracle: "Unknown layer: UnitNormalization").
 */
static fc_status unit_normalization_build(fc_build *b)
{
    keep_shape(b);
    return FC_OK;
}

const fc_layer_kind fc_layers_norm[] = {
    {"BatchNormalization", batch_normalization_build},
    {"SyncBatchNormalization", batch_normalization_build},
    {"LayerNormalization", layer_normalization_build},
    {"GroupNormalization", group_normalization_build},
    {"RMSNormalization", rms_normalization_build},
    {"UnitNormalization", unit_normalization_build},
    {NULL, NULL},
};
