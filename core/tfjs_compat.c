/*
 * tfjs_compat.c - what TensorFlow.js Layers refuses that Python Keras
 * accepts. Every row was checked with ../shared/oracle (TF.js 4.22): a
 * one-layer model of each registry class, and the options below; the
 * classes that came late, or train only in some releases, were run in 24
 * releases from 1.0.0 to 4.22.0 (a copy of the oracle per release) and
 * dated by the tfjs-layers and tfjs repositories' history.
 */
#include <stdlib.h>
#include <string.h>

#include "fitcheck/loss.h"
#include "layers.h"
#include "tfjs_compat.h"

/* Registry classes TF.js's deserializer does not know ("Unknown layer: X"), sorted for bsearch. */
static const char *const missing[] = {
    "ActivityRegularization", "AdditiveAttention", "Attention", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "Conv1DTranspose", "ConvLSTM1D", "ConvLSTM3D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
    "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "Cropping1D", "Cropping3D", "CuDNNGRU",
    "CuDNNLSTM", "DepthwiseConv1D", "EinsumDense", "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
    "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling3D",
    "GroupNormalization", "Lambda", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MultiHeadAttention", "Normalization",
    "RMSNormalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
    "RandomTranslation", "RandomZoom", "SeparableConv1D", "SeparableConvolution1D", "SeparableConvolution2D",
    "SpatialDropout2D", "SpatialDropout3D", "Subtract", "SyncBatchNormalization", "UnitNormalization",
    "UpSampling1D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding3D",
};

static int by_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

#define UNKNOWN_LAYER                                                                                          \
    "Unknown layer: {class}. This may be due to one of the following reasons:\n1. The layer is defined in "       \
    "Python, in which case it needs to be ported to TensorFlow.js or your JavaScript code.\n2. The custom layer "  \
    "is defined in JavaScript, but is not registered properly with tf.serialization.registerClass()."

/* Classes by release: unknown in the releases of `absent`, loaded but untrainable in those of `broken`. */
static const struct {
    const char *class_name;
    const char *absent;  /* release spec */
    const char *broken;  /* release spec where fit fails */
    const char *error;   /* what fit says there */
    const char *detail;
} by_release[] = {
    {"Conv3D", "tfjs 1.0.0-1.0.1", "", NULL, ""},
    {"GaussianNoise", "tfjs 1.0.0-1.0.1", "", NULL, ""},
    {"AlphaDropout", "tfjs 1.0.0-1.0.1", "tfjs 1.0.2-1.1", "Error in fused matMul: inner shapes ...",
     " (TF.js before 1.2 builds it but cannot train it: tfjs-layers commit 711b490 fixed it)"},
    {"GaussianDropout", "tfjs 1.0.0-1.0.1", "tfjs 1.0.2-1.1", "Error in fused matMul: inner shapes ...",
     " (TF.js before 1.2 builds it but cannot train it: tfjs-layers commit 711b490 fixed it)"},
    {"Masking", "tfjs 1.0", "", NULL, ""},
    {"MaxPooling3D", "tfjs 1.0-1.1; tfjs 1.2.0-1.2.7", "", NULL, ""},
    {"AveragePooling3D", "tfjs 1.0-1.1; tfjs 1.2.0-1.2.7", "", NULL, ""},
    {"LayerNormalization", "tfjs 1.0-1.2", "", NULL, ""},
    {"SpatialDropout1D", "tfjs 1.0-1.2; tfjs 1.3.0-1.3.1", "", NULL, ""},
    {"ConvLSTM2D", "tfjs 1.0-2.3", "", NULL, ""},
    {"DepthwiseConv2D", "", "tfjs 2.7-3.8", "Cannot read properties of null (reading 'length')",
     " (TF.js 2.7-3.8 cannot train it: the gradient lost its dilations in commit 7603952e5, fixed by 32f210986 "
     "in 3.9)"},
    {"Conv3DTranspose", "tfjs 1.0-3.3", "tfjs 3.4-",
     "Cannot compute gradient: gradient function not found for Conv3DBackpropInputV2.",
     " (TF.js builds it but has no gradient for it, so fit fails)"},
    {"Rescaling", "tfjs 1.0-3.20", "", NULL, ""},
    {"CategoryEncoding", "tfjs 1.0-3", "tfjs 4.0-",
     "input expected a batch of elements where each example has shape [...] ...",
     " (TF.js 4 registers it, but its computeOutputShape overwrites the input shape it is given, so the "
     "model's input no longer matches the data)"},
    {"Resizing", "tfjs 1.0-3", "tfjs 4.0-", "Error in resizeBilinear: x must be rank 3 or 4, but got rank 1.",
     " (TF.js 4 registers it, but its output shape has no batch axis and fit fails)"},
    {"CenterCrop", "tfjs 1.0-4.0", "tfjs 4.1-",
     "input expected a batch of elements where each example has shape [...] ...",
     " (TF.js 4.1+ registers it, but its computeOutputShape overwrites the model's input shape with the "
     "cropped one, so the data no longer matches)"},
};

#define UNKNOWN_OBJECT(kind)                                                                                   \
    "Unknown " kind ": {name}. This may be due to one of the following reasons:\n\u2026"

/*
 * The options config_refusal judges by key, gathered in one sweep of the config: jansson's
 * json_object_foreach looks each next key up in the hash again, and four sweeps of every layer's
 * config were most of the time a ResNet50 spent in this file. Each kind keeps the config's order;
 * a kind with more than FC_OPTS_MAX options (only a crafted config has that many) is swept whole.
 */
#define FC_OPTS_MAX 16
enum { OPT_REGULARIZER, OPT_ACTIVATION, OPT_INITIALIZER, OPT_CONSTRAINT, OPT_KINDS };

typedef struct opts {
    const json_t *v[OPT_KINDS][FC_OPTS_MAX];
    size_t n[OPT_KINDS];
    int overflow[OPT_KINDS];
} opts;

/* The kind of option a key names, or -1. `activation` and `recurrent_activation` by name, the
 * others by their suffix; a null value (no regularizer, ...) is no option. */
static int opt_kind(const char *key, size_t len)
{
    static const struct {
        const char *suffix;
        size_t len;
        int kind;
    } by_suffix[] = {{"_regularizer", 12, OPT_REGULARIZER},
                     {"_initializer", 12, OPT_INITIALIZER},
                     {"_constraint", 11, OPT_CONSTRAINT}};
    size_t i;

    if ((len == 10 && memcmp(key, "activation", 10) == 0) ||
        (len == 20 && memcmp(key, "recurrent_activation", 20) == 0))
        return OPT_ACTIVATION;
    for (i = 0; i < sizeof(by_suffix) / sizeof(by_suffix[0]); i++) {
        if (len >= by_suffix[i].len && memcmp(key + len - by_suffix[i].len, by_suffix[i].suffix, by_suffix[i].len) == 0)
            return by_suffix[i].kind;
    }
    return -1;
}

static void gather_opts(const json_t *config, opts *o)
{
    void *it;

    memset(o->n, 0, sizeof(o->n));
    memset(o->overflow, 0, sizeof(o->overflow));
    for (it = json_object_iter((json_t *)config); it != NULL; it = json_object_iter_next((json_t *)config, it)) {
        const json_t *v = json_object_iter_value(it);
        int kind = json_is_null(v) ? -1 : opt_kind(json_object_iter_key(it), json_object_iter_key_len(it));

        if (kind < 0)
            continue;
        if (o->n[kind] < FC_OPTS_MAX)
            o->v[kind][o->n[kind]++] = v;
        else
            o->overflow[kind] = 1;
    }
}

/* The i-th option of a kind, NULL after the last. For a kind that overflowed it sweeps the config
 * (i counting that kind's options there). */
static const json_t *opt_at(const opts *o, const json_t *config, int kind, size_t i)
{
    const char *key;
    const json_t *v;
    size_t seen = 0;

    if (!o->overflow[kind])
        return i < o->n[kind] ? o->v[kind][i] : NULL;
    json_object_foreach((json_t *)config, key, v) {
        if (!json_is_null(v) && opt_kind(key, strlen(key)) == kind && seen++ == i)
            return v;
    }
    return NULL;
}

/* The class name of a serialized object (or the string itself). */
static const char *object_class(const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    return json_string_value(json_object_get(v, "class_name"));
}

static int refuse(fc_tfjs_refusal *out, const char *detail, const char *fix, const char *error, const char *name)
{
    out->ignored = 0;
    out->detail = detail;
    out->fix = fix;
    out->error = error;
    out->name = name != NULL ? name : "";
    return 1;
}

static int ignore(fc_tfjs_refusal *out, const char *sentence, const char *fix)
{
    out->ignored = 1;
    out->detail = sentence;
    out->fix = fix;
    out->error = "(no error: TF.js trains another model than the Keras one)";
    out->name = "";
    return 1;
}

/* An activation name TF.js's deserializer knows in release t (tfjs-layers/src/activations.ts). */
static int activation_known(const char *name, const fc_target *t)
{
    static const char *const always[] = {"elu", "selu", "relu", "relu6", "linear", "sigmoid", "hard_sigmoid",
                                         "softplus", "softsign", "tanh", "softmax", "hardSigmoid"};
    static const struct {
        const char *name;
        const char *from;
    } late[] = {{"log_softmax", "tfjs 1.2.7-"}, {"logSoftmax", "tfjs 1.2.7-"}, {"swish", "tfjs 2.5-"},
                {"mish", "tfjs 3.5-"}, {"gelu", "tfjs 4.19-"}};
    size_t i;

    for (i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
        if (strcmp(name, always[i]) == 0)
            return 1;
    }
    for (i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
        if (strcmp(name, late[i].name) == 0)
            return fc_target_in(t, late[i].from);
    }
    return 0;
}

/* An axis option (an int or a one-element list) that is not the last axis of a rank-`rank` input. */
static int not_last_axis(const json_t *axis, int rank, int64_t *which)
{
    const json_t *a = json_is_array(axis) && json_array_size(axis) == 1 ? json_array_get(axis, 0) : axis;
    int64_t v;

    if (!json_is_integer(a) || rank < 2)
        return 0;
    v = json_integer_value(a);
    *which = v;
    return v != -1 && v != rank - 1;
}

/*
 * Options of a known class that TF.js refuses or ignores: a sweep of layer
 * options through the oracle in 24 releases (1.0.0-4.22.0), the messages as
 * they printed them.
 */
static int config_refusal(const char *class_name, const json_t *config, const fc_target *t, int in_rank,
                          fc_tfjs_refusal *out)
{
    const char *name;
    const json_t *v;
    int64_t axis;
    size_t i;
    opts o;
    int is_conv = strcmp(class_name, "Conv1D") == 0 || strcmp(class_name, "Conv2D") == 0 ||
                  strcmp(class_name, "Conv3D") == 0 || strcmp(class_name, "SeparableConv2D") == 0 ||
                  strcmp(class_name, "ConvLSTM2D") == 0;

    gather_opts(config, &o);
    /* regularizers: only L1L2 exists (tfjs-layers/src/regularizers.ts), Keras 2.4+ writes L1 / L2 */
    for (i = 0; (v = opt_at(&o, config, OPT_REGULARIZER, i)) != NULL; i++) {
        name = object_class(v);
        if (name != NULL && strcmp(name, "L1L2") != 0)
            return refuse(out, " with a regularizer TF.js does not have (only L1L2 exists)",
                          "keras.regularizers.L1L2(l2=0.01)  # serialized as L1L2, the one regularizer TF.js reads",
                          UNKNOWN_OBJECT("regularizer"), name);
    }
    v = json_object_get(config, "activity_regularizer");
    if (v != NULL && !json_is_null(v))
        return refuse(out, " with an activity_regularizer (TF.js builds no layer that has one)",
                      "activity_regularizer=None  # and add the penalty to the loss in TF.js",
                      "Layer invocation in the presence of activity regularizer(s) is not supported yet.", NULL);
    /* activations (activation, recurrent_activation) by name */
    for (i = 0; (v = opt_at(&o, config, OPT_ACTIVATION, i)) != NULL; i++) {
        name = object_class(v);
        if (json_is_object(v) && name != NULL && strcmp(name, "function") == 0)
            return refuse(out, " whose activation is a Python function", "activation=\"relu\"  # a built-in name",
                          UNKNOWN_OBJECT("activation"), "function");
        if (name != NULL && !activation_known(name, t))
            return refuse(out, " with an activation this TF.js release does not have",
                          strcmp(name, "silu") == 0 && fc_target_in(t, "tfjs 2.5-")
                              ? "activation=\"swish\"  # the same function under the name TF.js knows"
                              : strcmp(name, "leaky_relu") == 0 ? "keras.layers.LeakyReLU()  # as a layer after it"
                                                                : "# a later TF.js (docs/versions.md), or an activation "
                                                                  "TF.js has",
                          UNKNOWN_OBJECT("activation"), fc_name_camel(name, out->buf, sizeof(out->buf)));
    }
    /* initializers */
    for (i = 0; (v = opt_at(&o, config, OPT_INITIALIZER, i)) != NULL; i++) {
        const char *dist;

        name = object_class(v);
        if (name != NULL && (strcmp(name, "LecunNormal") == 0 || strcmp(name, "LecunUniform") == 0 ||
                             strcmp(name, "lecun_normal") == 0 || strcmp(name, "lecun_uniform") == 0))
            return refuse(out, " with a LeCun initializer (TF.js spells it LeCunNormal / LeCunUniform)",
                          "keras.initializers.VarianceScaling(scale=1.0, mode=\"fan_in\", "
                          "distribution=\"truncated_normal\")  # LecunNormal, under a name TF.js reads",
                          UNKNOWN_OBJECT("initializer"),
                          name[0] == 'l' ? fc_name_camel(name, out->buf, sizeof(out->buf)) : name);
        dist = fc_cfg_str(json_object_get(v, "config"), "distribution", "");
        if (name != NULL && strcmp(name, "VarianceScaling") == 0 &&
            (strcmp(dist, "untruncated_normal") == 0 ||
             (strcmp(dist, "truncated_normal") == 0 && fc_target_in(t, "tfjs 1.0.0-1.0.2"))))
            return refuse(out, " with a VarianceScaling distribution this TF.js release does not have",
                          "distribution=\"normal\"  # TF.js's name for Keras's truncated normal",
                          fc_target_in(t, "tfjs 1.0.0-1.0.2")
                              ? "{name} is not a valid Distribution.  Valid values are normal,uniform or null/undefined."
                              : "{name} is not a valid Distribution.  Valid values are normal,uniform,truncatedNormal "
                                "or null/undefined.",
                          fc_name_camel(dist, out->buf, sizeof(out->buf)));
    }
    /* constraints (tfjs-layers/src/constraints.ts) */
    for (i = 0; (v = opt_at(&o, config, OPT_CONSTRAINT, i)) != NULL; i++) {
        static const char *const known[] = {"MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg",
                                            "unit_norm", "min_max_norm", "maxNorm", "nonNeg", "unitNorm",
                                            "minMaxNorm"};
        size_t k;
        int ok = 0;

        if ((name = object_class(v)) == NULL)
            continue;
        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            ok |= strcmp(name, known[k]) == 0;
        if (!ok)
            return refuse(out, " with a constraint TF.js does not have",
                          "kernel_constraint=keras.constraints.MaxNorm(2.0)  # or no constraint",
                          UNKNOWN_OBJECT("constraint"), name);
    }
    /* normalization.ts: BatchNormalization.call's training path reads this.gamma and this.beta whether build made
     * them or not; LayerNormalization read both until 3.17.0 (commit c6c75a7cd), and its gradient still fails
     * without them. Oracle, 24 releases 1.0.0-4.22.0: fit fails at the first batch, predict works. */
    if ((strcmp(class_name, "BatchNormalization") == 0 || strcmp(class_name, "LayerNormalization") == 0) &&
        (!fc_cfg_bool(config, "center", 1) || !fc_cfg_bool(config, "scale", 1))) {
        const char *error;

        if (class_name[0] == 'B')
            error = fc_target_in(t, "tfjs 1.2.11") ? "Cannot read properties of null (reading 'read')"
                                                  : "Cannot read properties of undefined (reading 'read')";
        else if (fc_target_in(t, "tfjs 1.0-3.16"))
            error = "Cannot read properties of null (reading 'read')";
        else
            error = fc_cfg_bool(config, "scale", 1) ? "Cannot read properties of undefined (reading 'id')"
                                                    : "Cannot read properties of undefined (reading 'dataId')";
        return refuse(out, " with center=False or scale=False (it loads and predicts, but fit fails at the first "
                      "batch: TF.js's training step reads the beta or gamma the layer did not make)",
                      class_name[0] == 'B' ? "keras.layers.BatchNormalization(center=True, scale=True)  # TF.js "
                                             "trains the layer only with both"
                                           : "keras.layers.LayerNormalization(center=True, scale=True)  # TF.js "
                                             "trains the layer only with both",
                      error, NULL);
    }
    /* (an axis outside the rank fails in build first: LAYER_CONFIG_INVALID) */
    if (strcmp(class_name, "BatchNormalization") == 0 && !fc_target_in(t, "tfjs 1.2.11") &&
        not_last_axis(json_object_get(config, "axis"), in_rank, &axis) && axis < in_rank && axis >= -in_rank)
        return refuse(out, " normalizing another axis than the last (fit fails: TF.js broadcasts its statistics "
                      "over the last axis)",
                      "# channels_last data and axis=-1: TF.js normalizes the last axis only",
                      "Size(\u2026) must match the product of shape \u2026", NULL);
    if (strcmp(class_name, "Softmax") == 0 && not_last_axis(json_object_get(config, "axis"), in_rank, &axis)) {
        snprintf(out->buf, sizeof(out->buf), "%lld", (long long)axis);
        return refuse(out, " over another axis than the last (fit fails)",
                      "keras.layers.Permute(...)  # bring the axis last, then Softmax(axis=-1)",
                      "Softmax along a non-last dimension is not yet supported. Logits was rank \u2026 and dim was "
                      "{name}",
                      out->buf);
    }
    if (is_conv) {
        int64_t d[3];
        int n = strcmp(class_name, "Conv1D") == 0 ? 1 : strcmp(class_name, "Conv3D") == 0 ? 3 : 2, k, dilated = 0;

        if (fc_cfg_ints(config, "dilation_rate", n, 1, d))
            for (k = 0; k < n; k++)
                dilated |= d[k] > 1;
        if (dilated)
            return refuse(out, " with dilation_rate > 1 (fit fails: TF.js has no gradient for a dilated convolution; "
                          "predict works)",
                          "# train the dilated model in Python Keras and convert it for inference only",
                          "Error in gradient of \u2026: dilation rates greater than 1 are not yet supported in "
                          "gradients. Got dilations '\u2026'",
                          NULL);
    }
    if (strcmp(class_name, "SeparableConv2D") == 0 && fc_cfg_channels_first(config) && fc_cfg_bool(config, "use_bias", 1))
        return refuse(out, " with data_format=\"channels_first\" and a bias (fit fails: TF.js adds the bias on the "
                      "wrong axis)",
                      "data_format=\"channels_last\"", "Operands could not be broadcast together with shapes "
                      "\u2026",
                      NULL);
    if (strcmp(class_name, "UpSampling2D") == 0) {
        const char *interp = fc_cfg_str(config, "interpolation", "nearest");

        if (strcmp(interp, "nearest") != 0 && strcmp(interp, "bilinear") != 0 && fc_target_in(t, "tfjs 2.8-"))
            return refuse(out, " with an interpolation TF.js does not have", "interpolation=\"bilinear\"",
                          "{name} is not a valid InterpolationFormat.  Valid values are nearest,bilinear or "
                          "null/undefined.",
                          interp);
        if (strcmp(interp, "nearest") != 0 && fc_target_in(t, "tfjs 1.0-2.7"))
            return ignore(out, "interpolation other than \"nearest\", which TF.js before 2.8 ignores: it upsamples "
                          "by repeating pixels", "interpolation=\"nearest\"  # what this TF.js computes");
    }
    /* options TF.js reads nowhere */
    if ((strcmp(class_name, "Conv1D") == 0 || strcmp(class_name, "Conv2D") == 0) && fc_cfg_int(config, "groups", 1) > 1)
        return ignore(out, "groups > 1, which TF.js ignores: it builds a full convolution, with more weights "
                      "than the Keras layer (a Python model's weights do not load)",
                      "groups=1  # or split the channels with Lambda-free slicing layers");
    if (strcmp(class_name, "DepthwiseConv2D") == 0 || strcmp(class_name, "Conv2DTranspose") == 0) {
        int64_t d[2];
        int dilated = fc_cfg_ints(config, "dilation_rate", 2, 1, d) && (d[0] > 1 || d[1] > 1);
        const json_t *op = json_object_get(config, "output_padding");

        if (dilated || (op != NULL && !json_is_null(op)))
            return ignore(out, dilated ? "dilation_rate > 1, which TF.js ignores for this class: its output is "
                                         "larger than the Keras layer's"
                                       : "output_padding, which TF.js ignores: its output is smaller than the "
                                         "Keras layer's",
                          "# build the model for TF.js without the option, and check the output shapes");
    }
    if ((strcmp(class_name, "MaxPooling1D") == 0 || strcmp(class_name, "AveragePooling1D") == 0 ||
         strcmp(class_name, "GlobalAveragePooling1D") == 0 || strcmp(class_name, "GlobalMaxPooling1D") == 0) &&
        fc_cfg_channels_first(config))
        return ignore(out, "data_format=\"channels_first\", which TF.js ignores for 1-D pooling: it pools the "
                      "channel axis instead of the steps",
                      "data_format=\"channels_last\"  # with the data transposed to (batch, steps, channels)");
    if (strncmp(class_name, "Global", 6) == 0 && fc_cfg_bool(config, "keepdims", 0))
        return ignore(out, "keepdims=True, which TF.js ignores: the output loses its pooled axes (rank 2), so "
                      "what follows sees another shape than in Keras",
                      "keepdims=False  # and keras.layers.Reshape((1, 1, channels)) where the axes are needed");
    if (strcmp(class_name, "ReLU") == 0 &&
        (fc_cfg_num(config, "negative_slope", 0) != 0 || fc_cfg_num(config, "threshold", 0) != 0))
        return ignore(out, "negative_slope or threshold, which TF.js's ReLU ignores: it computes a plain ReLU",
                      "keras.layers.LeakyReLU(alpha=negative_slope)  # when threshold is 0");
    if (strcmp(class_name, "LeakyReLU") == 0 && json_object_get(config, "negative_slope") != NULL &&
        json_object_get(config, "alpha") == NULL)
        return ignore(out, "negative_slope (the Keras 3 name), which TF.js ignores: it reads alpha and uses its "
                      "default, 0.3",
                      "# in the JSON for TF.js: \"alpha\": <negative_slope>");
    return 0;
}

int fc_tfjs_unsupported(const char *class_name, const json_t *config, const fc_target *t, int in_rank,
                        fc_tfjs_refusal *out)
{
    const json_t *inner;
    size_t i;

    out->ignored = 0;
    out->name = "";

    for (i = 0; class_name != NULL && i < sizeof(by_release) / sizeof(by_release[0]); i++) {
        if (strcmp(class_name, by_release[i].class_name) != 0)
            continue;
        if (by_release[i].absent[0] != '\0' && fc_target_in(t, by_release[i].absent)) {
            out->detail = " (TF.js has it only in later releases)";
            out->fix = "# a later TF.js has this layer (see docs/versions.md), or replace it before converting";
            out->error = UNKNOWN_LAYER;
            return 1;
        }
        if (by_release[i].broken[0] != '\0' && fc_target_in(t, by_release[i].broken)) {
            out->detail = by_release[i].detail;
            out->fix = "# replace the layer (or pick a TF.js release that trains it: docs/versions.md)";
            out->error = by_release[i].error;
            return 1;
        }
    }
    {
        if (bsearch(class_name, missing, sizeof(missing) / sizeof(missing[0]), sizeof(missing[0]), by_name) != NULL) {
            out->detail = "";
            out->fix = "# re-implement the layer as a TF.js custom layer, or replace it before converting";
            out->error = UNKNOWN_LAYER;
            return 1;
        }
    }
    /* GRU with reset_after=True, the default of Keras 2.x and 3: the cuDNN-compatible variant. */
    inner = config;
    if (strcmp(class_name, "Bidirectional") == 0 || strcmp(class_name, "TimeDistributed") == 0) {
        class_name = json_string_value(json_object_get(json_object_get(config, "layer"), "class_name"));
        inner = json_object_get(json_object_get(config, "layer"), "config");
    }
    if (class_name != NULL && strcmp(class_name, "GRU") == 0 && fc_cfg_bool(inner, "reset_after", 0)) {
        if (fc_target_in(t, "tfjs 1.0-2.0.0"))
            return ignore(out, "reset_after=True (the Keras default since TF 2.0), which TF.js before 2.0.1 ignores: "
                          "it builds the reset_after=False GRU, whose bias has another shape, so the Keras weights "
                          "do not load and the cell computes another function",
                          "keras.layers.GRU(units, reset_after=False)  # and retrain: the weights differ");
        out->detail = " with reset_after=True (the Keras default since TF 2.0)";
        out->fix = "keras.layers.GRU(units, reset_after=False)  # and retrain: the weights differ";
        out->error = "GRUCell does not support reset_after parameter set to true.";
        return 1;
    }
    if (class_name == NULL || inner == NULL)
        return 0;
    return config_refusal(class_name, inner, t, config == inner ? in_rank : -1, out);
}

/* A shape as TF.js prints a tensor's (Array.toString), the batch axis as N. */
static void js_tensor_shape(const fc_shape *s, char *buf, size_t size)
{
    size_t u = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; i < s->rank && u < size; i++) {
        if (i == 0 || s->dims[i] == FC_DIM_UNKNOWN)
            u += (size_t)snprintf(buf + u, size - u, "%s%s", i ? "," : "", i == 0 ? "N" : "null");
        else
            u += (size_t)snprintf(buf + u, size - u, "%s%lld", i ? "," : "", (long long)s->dims[i]);
    }
}

/* The same axis written as TF.js reads it: positive. */
static void concat_fix(fc_tfjs_refusal *out, int64_t axis)
{
    snprintf(out->fix_buf, sizeof(out->fix_buf), "keras.layers.Concatenate(axis=%lld)  # the same axis, positive",
             (long long)axis);
    out->fix = out->fix_buf;
}

int fc_tfjs_shape_refusal(const char *class_name, const json_t *config, const fc_shape *inputs, size_t n,
                          fc_tfjs_refusal *out)
{
    const json_t *v = json_object_get(config, "axis");
    int64_t axis;
    int rank, r;
    size_t i;

    out->ignored = 0;
    out->name = "";
    if (class_name == NULL || strcmp(class_name, "Concatenate") != 0 || n < 2 || !json_is_integer(v))
        return 0;
    axis = (int64_t)json_integer_value(v);
    rank = inputs[0].rank;
    if (axis >= -1 || axis < -(int64_t)rank || rank < 2)
        return 0; /* -1, a positive axis, or one Concatenate.build refuses first */
    for (i = 1; i < n; i++) {
        if (inputs[i].rank != rank)
            return 0;
    }
    for (i = 1; i < n; i++) {
        for (r = 1; r < rank - 1; r++) {
            if (inputs[i].dims[r] != FC_DIM_UNKNOWN && inputs[0].dims[r] != FC_DIM_UNKNOWN &&
                inputs[i].dims[r] != inputs[0].dims[r]) {
                char shape_i[160], shape_0[160];

                js_tensor_shape(&inputs[i], shape_i, sizeof(shape_i));
                js_tensor_shape(&inputs[0], shape_0, sizeof(shape_0));
                /* tfjs-core concat_util.assertParamsConsistent prints the tensor's index as the axis */
                snprintf(out->error_buf, sizeof(out->error_buf),
                         "Error in concat%dD: Shape of tensors[%zu] (%s) does not match the shape of the rest (%s) "
                         "along the non-concatenated axis %zu.", rank, i, shape_i, shape_0, i);
                snprintf(out->detail_buf, sizeof(out->detail_buf),
                         " with axis=%lld: TF.js turns every negative axis into the last one, so it joins the "
                         "inputs on axis %d, where they differ on axis %d; the model builds, but fit fails at the "
                         "first batch", (long long)axis, rank - 1, r);
                out->detail = out->detail_buf;
                out->error = out->error_buf;
                concat_fix(out, axis + rank);
                return 1;
            }
        }
    }
    snprintf(out->detail_buf, sizeof(out->detail_buf),
             "axis=%lld, which TF.js turns into the last axis: it joins the inputs on axis %d, not %lld, so the "
             "tensors that follow have another layout than the shape the model declares (and than Keras builds)",
             (long long)axis, rank - 1, (long long)(axis + rank));
    out->ignored = 1;
    out->detail = out->detail_buf;
    concat_fix(out, axis + rank);
    out->error = "(no error: TF.js trains another model than the Keras one)";
    return 1;
}
