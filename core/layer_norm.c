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
 * A weight axis of unknown size leaves the count unknown without a problem;
 * so does an axis outside the input's rank (Keras raises, but no finding
 * code describes it yet).
 */
#include <stdio.h>
#include <string.h>

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

/*
 * Reads the "axis" config (an int or a list of ints; absent means -1) into
 * axes, each made non-negative for rank, after Keras 3's legacy rewrite.
 * Returns the number of axes, or -1 when one is malformed, outside the rank,
 * or repeated (Keras raises for each).
 */
static int read_axes(const fc_build *b, int rank, int allow_list, int *axes)
{
    const json_t *v = json_object_get(b->config, "axis");
    int64_t raw[MAX_AXES];
    size_t n = 0, i, j;

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
    for (i = 0; i < n; i++) {
        int64_t a = raw[i] < 0 ? raw[i] + rank : raw[i];

        if (a < 0 || a >= rank)
            return -1;
        for (j = 0; j < i; j++) {
            if (axes[j] == (int)a)
                return -1;
        }
        axes[i] = (int)a;
    }
    return (int)n;
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

    if (!keep_shape(b))
        return FC_OK;
    if (b->target == FC_FW_TFJS && tfjs_bn_list_refused(b, axis)) {
        b->params_unknown = 1;
        return FC_OK;
    }
    n = read_axes(b, b->inputs[0].rank, b->target == FC_FW_TFKERAS2, axes);
    if (json_is_array(axis) && is_keras3(b) && !keras3_legacy(b))
        n = -1; /* int(axis) of a list: TypeError */
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

    if (!keep_shape(b))
        return FC_OK;
    n = read_axes(b, b->inputs[0].rank, 1, axes);
    if (n < 0) {
        b->params_unknown = 1;
        return FC_OK;
    }
    rms = is_keras3(b) && fc_cfg_bool(b->config, "rms_scaling", 0);
    size = axes_size(&b->inputs[0], axes, n);
    add_weights(b, size, fc_cfg_bool(b->config, "scale", 1) || rms, 1);
    add_weights(b, size, fc_cfg_bool(b->config, "center", 1) && !rms, 1);
    return FC_OK;
}

/*
 * GroupNormalization: gamma and beta of the channel axis, both trainable.
 * keras3: keras/src/layers/normalization/group_normalization.py
 *   GroupNormalization.build (shape (input_shape[axis],); groups -1 means one
 *   per channel; groups above the channels or not dividing them raise, which
 *   no finding code describes yet, so the weights are still counted);
 * tf.keras2: tf_keras/layers/normalization/group_normalization.py (same);
 * tfjs: no such class (oracle: "Unknown layer: GroupNormalization").
 */
static fc_status group_normalization_build(fc_build *b)
{
    int axes[1], n;

    if (!keep_shape(b))
        return FC_OK;
    n = read_axes(b, b->inputs[0].rank, 0, axes);
    if (n != 1) {
        b->params_unknown = 1;
        return FC_OK;
    }
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

    if (!keep_shape(b))
        return FC_OK;
    n = read_axes(b, b->inputs[0].rank, 1, axes);
    if (n < 0) {
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
