/*
 * layer_conv.c - the convolutional family: Conv1D/2D/3D and their
 * transposes, SeparableConv1D/2D, DepthwiseConv1D/2D, max and average
 * pooling, global pooling, and ZeroPadding, Cropping and UpSampling 1D/2D/3D.
 *
 * Shapes and weights follow Keras 3 (keras/src/layers/convolutional,
 * pooling and reshaping; keras/src/ops/operation_utils.py and
 * keras/src/backend/common/backend_utils.py for the arithmetic). For the
 * tfjs target, a class TF.js implements is built as TF.js builds it
 * (tfjs-layers/src/layers/convolutional.ts, convolutional_depthwise.ts,
 * pooling.ts, padding.ts, utils/conv_utils.ts), checked with the oracle
 * against TF.js 4.22; where TF.js differs it ignores an option (groups,
 * output_padding, dilation of transposed and depthwise convolutions,
 * keepdims, data_format of 1D pooling) or only refuses a negative dimension
 * (Sequential.checkShape), never a zero one. Classes TF.js lacks
 * (Conv1DTranspose, SeparableConv1D, DepthwiseConv1D, GlobalPooling3D,
 * ZeroPadding/Cropping/UpSampling 1D and 3D, the MaxPool2D-style aliases)
 * are built as Keras builds them: TF.js refuses them as unknown layers.
 *
 * Every size goes through fc_dim_mul / fc_dim_add: a size past 2^53 becomes
 * FC_DIM_MAX + 1, which the graph reports as DIM_OVERFLOW, and a kernel,
 * stride or size that is not positive leaves what depends on it unknown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "layers.h"

#define MAX_SPATIAL 3
#define OUTPUT_PADDING_NONE (-1) /* a transposed convolution without output_padding */
#define OUTPUT_PADDING_BAD (-2)  /* negative or malformed: Keras refuses the layer */

typedef enum pad_mode { PAD_INVALID = 0, PAD_VALID, PAD_SAME, PAD_CAUSAL } pad_mode;

typedef enum conv_kind { CONV_PLAIN, CONV_TRANSPOSE, CONV_SEPARABLE, CONV_DEPTHWISE } conv_kind;

/* Where the axes of an input sit: lead batch axes, then channels and n spatial axes in data_format order. */
typedef struct layout {
    int n;              /* spatial axes: 1, 2 or 3 */
    int lead;           /* leading axes (1; more for a tf.keras 2 Conv over extra batch axes) */
    int channels_first; /* channels before the spatial axes */
} layout;

/* A sliding window: kernel or pool size, strides, dilation and padding per spatial axis. */
typedef struct window {
    int64_t size[MAX_SPATIAL];     /* -1 when absent or malformed */
    int64_t strides[MAX_SPATIAL];
    int64_t dilation[MAX_SPATIAL];
    pad_mode padding;
    const char *padding_name;      /* as written in the config */
} window;

/* ---- axes ------------------------------------------------------------------ */

static layout layout_make(const fc_shape *in, int n, int channels_first)
{
    layout l;

    l.n = n;
    l.lead = in->rank - n - 1;
    l.channels_first = channels_first;
    return l;
}

static int spatial_axis(const layout *l, int i)
{
    return l->lead + l->channels_first + i;
}

static int channel_axis(const layout *l)
{
    return l->channels_first ? l->lead : l->lead + l->n;
}

/* The output: lead axes of in, then spatial and channels in the input's order. */
static void layout_output(const layout *l, const fc_shape *in, const int64_t *spatial, int64_t channels,
                          fc_shape *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    out->rank = l->lead + l->n + 1;
    for (i = 0; i < l->lead; i++)
        out->dims[i] = in->dims[i];
    out->dims[channel_axis(l)] = channels;
    for (i = 0; i < l->n; i++)
        out->dims[spatial_axis(l, i)] = spatial[i];
}

/* ---- config ---------------------------------------------------------------- */

/* An int or a list of n ints: absent or null gives dflt on every axis, anything malformed -1. */
static void cfg_tuple(const json_t *config, const char *key, int n, int64_t dflt, int64_t *out)
{
    const json_t *v = json_object_get(config, key);
    int i;

    if (v == NULL || json_is_null(v)) {
        for (i = 0; i < n; i++)
            out[i] = dflt;
        return;
    }
    if (!fc_cfg_ints(config, key, n, dflt, out)) {
        for (i = 0; i < n; i++)
            out[i] = -1;
    }
}

/* A positive count from the config (filters, depth_multiplier), or -1. */
static int64_t cfg_count(const json_t *config, const char *key, int64_t dflt)
{
    int64_t v = fc_cfg_int(config, key, dflt);

    return v >= 1 ? v : -1;
}

/* One (before, after) amount: an int v is (v, v). Returns 0 when malformed or negative. */
static int read_pair(const json_t *v, int64_t *pair)
{
    if (json_is_integer(v)) {
        pair[0] = pair[1] = (int64_t)json_integer_value(v);
    } else if (json_is_array(v) && json_array_size(v) == 2 && json_is_integer(json_array_get(v, 0)) &&
               json_is_integer(json_array_get(v, 1))) {
        pair[0] = (int64_t)json_integer_value(json_array_get(v, 0));
        pair[1] = (int64_t)json_integer_value(json_array_get(v, 1));
    } else {
        return 0;
    }
    return pair[0] >= 0 && pair[1] >= 0;
}

/*
 * Padding or cropping amounts per spatial axis, as Keras's ZeroPadding*D and
 * Cropping*D (and TF.js's ZeroPadding2D, Cropping2D) read them: an int for
 * every side; for n == 1 one pair; else a list of n entries, each an int
 * (symmetric) or a pair. Absent or null gives dflt everywhere; malformed or
 * negative amounts (refused by Keras's standardize_tuple) give -1.
 */
static void cfg_pairs(const json_t *config, const char *key, int n, int64_t dflt, int64_t pairs[][2])
{
    const json_t *v = json_object_get(config, key);
    int i, ok = 1;

    for (i = 0; i < n; i++)
        pairs[i][0] = pairs[i][1] = dflt;
    if (v == NULL || json_is_null(v))
        return;
    if (json_is_integer(v) || n == 1) {
        for (i = 0; i < n; i++)
            ok &= read_pair(v, pairs[i]);
    } else if (json_is_array(v) && (int)json_array_size(v) == n) {
        for (i = 0; i < n; i++)
            ok &= read_pair(json_array_get(v, (size_t)i), pairs[i]);
    } else {
        ok = 0;
    }
    if (!ok) {
        for (i = 0; i < n; i++)
            pairs[i][0] = pairs[i][1] = -1;
    }
}

/*
 * The padding mode. Keras lowercases it (standardize_padding) and allows
 * "causal" only where allow_causal; TF.js compares exactly (checkPaddingMode
 * accepts valid, same and causal everywhere, the transposed and separable
 * convolutions then refuse causal).
 */
static pad_mode cfg_padding(const json_t *config, int allow_causal, int fold_case, const char **name)
{
    const char *s = fc_cfg_str(config, "padding", "valid");
    int (*cmp)(const char *, const char *) = fold_case ? strcasecmp : strcmp;

    *name = s;
    if (cmp(s, "valid") == 0)
        return PAD_VALID;
    if (cmp(s, "same") == 0)
        return PAD_SAME;
    if (allow_causal && cmp(s, "causal") == 0)
        return PAD_CAUSAL;
    return PAD_INVALID;
}

/* ---- arithmetic ------------------------------------------------------------ */

/* floor(a / s) for s > 0, as Python's // and JavaScript's Math.floor(a / s). */
static int64_t floor_div(int64_t a, int64_t s)
{
    int64_t q = a / s;

    if (a % s != 0 && a < 0)
        q--;
    return q;
}

/* The dilated window (k - 1) * d + 1, saturating at FC_DIM_MAX + 1; -1 when k or d is not positive. */
static int64_t effective_size(int64_t k, int64_t d)
{
    if (k < 1 || d < 1)
        return FC_DIM_UNKNOWN;
    return fc_dim_add(fc_dim_mul(k - 1, d), 1);
}

/*
 * One spatial axis of a convolution or pooling: keras3 operation_utils.py
 * compute_conv_output_shape and compute_pooling_output_shape compute
 * floor((in - eff) / s) + 1 for "valid" and floor((in - 1) / s) + 1 for
 * "same" and "causal"; tfjs conv_utils.ts convOutputLength computes
 * floor((in - eff + s) / s) for anything but "same", the same numbers.
 * *out is the framework's own value, zero or negative when the window does
 * not fit. Returns 0 (output unknown) for an unknown input, a non-positive
 * kernel, stride or dilation, or an unusable padding.
 */
static int window_length(int64_t in, int64_t k, int64_t s, int64_t d, pad_mode p, int64_t *out)
{
    int64_t eff = effective_size(k, d);

    if (in < 0 || eff < 0 || s < 1 || p == PAD_INVALID)
        return 0;
    if (p == PAD_VALID)
        *out = floor_div(in - eff, s) + 1; /* in <= INT64_MAX, eff <= 2^53 + 1: no overflow */
    else
        *out = in == 0 ? 0 : (in - 1) / s + 1;
    return 1;
}

/*
 * One spatial axis of a transposed convolution. keras3 backend_utils.py
 * _get_output_shape_given_tf_padding: without output_padding
 * "valid" gives (in - 1) * s + max(eff, s) = in * s + max(eff - s, 0) and
 * "same" in * s; with it, (in - 1) * s + eff + op ("valid") or
 * (in - 1) * s + eff % 2 + op ("same"). tfjs conv_utils.ts deconvLength is
 * the first pair with eff = k (TF.js passes neither dilation nor
 * output_padding). op is OUTPUT_PADDING_NONE, OUTPUT_PADDING_BAD (unknown)
 * or the value. Saturates at FC_DIM_MAX + 1; returns 0 when unknown.
 */
static int deconv_length(int64_t in, int64_t k, int64_t s, int64_t d, pad_mode p, int64_t op, int64_t *out)
{
    int64_t eff = effective_size(k, d), tail;

    if (in < 0 || eff < 0 || s < 1 || (p != PAD_VALID && p != PAD_SAME) || op == OUTPUT_PADDING_BAD)
        return 0;
    if (op == OUTPUT_PADDING_NONE) {
        tail = p == PAD_VALID && eff > s ? eff - s : 0;
        *out = fc_dim_add(fc_dim_mul(in, s), tail);
        return 1;
    }
    /* eff % 2 from k and d, exact even when eff saturated. */
    tail = p == PAD_VALID ? eff : (((k - 1) % 2) * (d % 2) + 1) % 2;
    tail = fc_dim_add(tail, op);
    if (in == 0)
        *out = tail - s; /* Keras's formula at in = 0; negative when s exceeds the tail */
    else
        *out = fc_dim_add(fc_dim_mul(in - 1, s), tail);
    return 1;
}

/* ---- problems -------------------------------------------------------------- */

/* snprintf into a fixed buffer where truncation is acceptable (texts end up in 160-byte vars anyway). */
static void format_text(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void format_text(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* "5x5", "3xNone": dims joined by 'x', unknown ones as None. */
static void join_dims(const int64_t *v, int n, char *buf, size_t size)
{
    size_t used = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; i < n && used < size; i++) {
        int w;

        if (v[i] < 0)
            w = snprintf(buf + used, size - used, "%sNone", i ? "x" : "");
        else
            w = snprintf(buf + used, size - used, "%s%lld", i ? "x" : "", (long long)v[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int any_above_one(const int64_t *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (v[i] > 1)
            return 1;
    }
    return 0;
}

/* The shape as JavaScript prints an array: "[,3,3,1]" for (None, 3, 3, 1) (null prints as nothing). */
static void format_js_array(const fc_shape *s, char *buf, size_t size)
{
    size_t used;
    int i;

    format_text(buf, size, "[");
    for (i = 0; i < s->rank; i++) {
        used = strlen(buf);
        if (s->dims[i] < 0)
            format_text(buf + used, size - used, "%s", i ? "," : "");
        else
            format_text(buf + used, size - used, "%s%lld", i ? "," : "", (long long)s->dims[i]);
    }
    used = strlen(buf);
    format_text(buf + used, size - used, "]");
}

/*
 * What the build's release says about the size (the row's text is Keras
 * 3.14+ for a convolution, TensorFlow's shape check for tf.keras): Keras
 * 3.0-3.13 convolutions and 3.0-3.14 poolings refuse only a negative size
 * and word it otherwise; Keras 3.15+ pooling has a text of its own; tf.keras
 * 2.7+ convolutions check a negative size themselves (base_conv.py
 * compute_output_shape). Set as "framework_error" (see graph.c layer_finding).
 */
static void non_positive_release_text(fc_build *b, int64_t dim)
{
    int pool = strstr(b->class_name, "Pool") != NULL;
    fc_target t;

    fc_build_target(b, &t);
    if (t.framework == FC_FW_KERAS3) {
        if (dim == 0 && ((pool && !fc_target_in(&t, "keras3 3.15-")) || (!pool && !fc_target_in(&t, "keras3 3.14-"))))
            fc_build_var(b, "framework_error", "%s", "(no error when the model is built: this release refuses only a "
                                                     "negative size, and the layers after it get an axis of 0)");
        else if (pool)
            fc_build_var(b, "framework_error", "%s", fc_variant_text(FC_V_NONPOS_KERAS3_POOL, &t));
        else if (!fc_target_in(&t, "keras3 3.14-"))
            fc_build_var(b, "framework_error", "%s", fc_variant_text(FC_V_NONPOS_KERAS3_OLD, &t));
    } else if (t.framework == FC_FW_TFKERAS2 && !pool && dim < 0 && fc_target_in(&t, "tf 2.7-")) {
        char list[256];
        size_t used = 0;
        int i;

        used += (size_t)snprintf(list, sizeof(list), "[");
        for (i = 0; i < b->inputs[0].rank && used < sizeof(list); i++) {
            if (b->inputs[0].dims[i] == FC_DIM_UNKNOWN)
                used += (size_t)snprintf(list + used, sizeof(list) - used, "%sNone", i ? ", " : "");
            else
                used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%lld", i ? ", " : "",
                                         (long long)b->inputs[0].dims[i]);
        }
        if (used < sizeof(list))
            snprintf(list + used, sizeof(list) - used, "]");
        fc_build_var(b, "found_list", "%s", list);
        fc_build_var(b, "framework_error", "%s", fc_variant_text(FC_V_NONPOS_CONV_TFKERAS27, &t));
    }
}

/*
 * Records NON_POSITIVE_DIM with its detail sentence and the values the
 * templates use; found_js is the input shape as TF.js's Sequential.checkShape
 * prints it ("Negative dimension size caused by adding layer l0 with input
 * shape [,3,3,1]").
 */
static void report_non_positive(fc_build *b, const char *detail, int64_t dim, int64_t window_size, int64_t size)
{
    char found[256], found_js[160];

    fc_shape_format(&b->inputs[0], 0, found, sizeof(found));
    format_js_array(&b->inputs[0], found_js, sizeof(found_js));
    fc_build_problem(b, FC_NON_POSITIVE_DIM, "%s '%s' %s: an output dimension would be %lld", b->class_name,
                     b->name, detail, (long long)dim);
    fc_build_var(b, "detail", "%s", detail);
    fc_build_var(b, "dim", "%lld", (long long)dim);
    fc_build_var(b, "window", "%lld", (long long)window_size);
    fc_build_var(b, "size", "%lld", (long long)size);
    fc_build_var(b, "found_shape", "%s", found);
    fc_build_var(b, "found_js", "%s", found_js);
    non_positive_release_text(b, dim);
}

/*
 * "applies a 3x3 kernel dilated to 5x5 with strides 2x2 and padding 'valid'
 * to a 4x4 input"; in 1D "a size-3 kernel ... to a length-4 input".
 */
static void report_window(fc_build *b, const char *what, const window *w, int n, const int64_t *spatial_in,
                          int axis, int64_t dim)
{
    char size[64], eff[64], strides[64], input[64], dilated[80], stride_text[80], detail[160];
    const char *as_valid = "";
    int64_t effs[MAX_SPATIAL];
    int i;

    for (i = 0; i < n; i++)
        effs[i] = effective_size(w->size[i], w->dilation[i]);
    join_dims(w->size, n, size, sizeof(size));
    join_dims(effs, n, eff, sizeof(eff));
    join_dims(w->strides, n, strides, sizeof(strides));
    join_dims(spatial_in, n, input, sizeof(input));
    dilated[0] = stride_text[0] = '\0';
    if (any_above_one(w->dilation, n))
        format_text(dilated, sizeof(dilated), " dilated to %s", eff);
    if (any_above_one(w->strides, n))
        format_text(stride_text, sizeof(stride_text), " strides %s and", strides);
    if (b->target == FC_FW_TFJS && strcmp(w->padding_name, "causal") == 0)
        as_valid = " (which TF.js builds as 'valid')";
    format_text(detail, sizeof(detail), "applies a %s%s %s%s with%s padding '%s'%s to a %s%s input",
                n == 1 ? "size-" : "", size, what, dilated, stride_text, w->padding_name, as_valid,
                n == 1 ? "length-" : "", input);
    report_non_positive(b, detail, dim, effs[axis], spatial_in[axis]);
}

/*
 * Whether a computed dimension makes the framework refuse the layer: Keras 3
 * raises for zero or less (compute_conv_output_shape,
 * compute_pooling_output_shape, Cropping*D.compute_output_shape); TF.js
 * builds zero-sized axes and trains with them, and only a Sequential's
 * checkShape refuses a negative dimension (a Functional model fails in fit).
 */
static int refused_dim(int tfjs, int64_t dim)
{
    return tfjs ? dim < 0 : dim <= 0;
}

/* ---- convolutions ---------------------------------------------------------- */

/* The classes TF.js registers (convolutional.ts, convolutional_depthwise.ts). */
static int tfjs_has_conv(conv_kind kind, int n)
{
    switch (kind) {
    case CONV_PLAIN:
        return 1;
    case CONV_TRANSPOSE:
        return n >= 2;
    default:
        return n == 2;
    }
}

/*
 * The input rank a convolution accepts. keras3: every base class declares
 * InputSpec(min_ndim=rank + 2) (base_conv.py BaseConv.__init__,
 * base_conv_transpose.py BaseConvTranspose.__init__,
 * base_separable_conv.py BaseSeparableConv.__init__,
 * base_depthwise_conv.py BaseDepthwiseConv.__init__), but a longer input
 * then fails in compute_output_shape (operation_utils.py
 * compute_conv_output_shape: "Kernel shape must have the same length as
 * input"; backend_utils.py compute_conv_transpose_output_shape indexes past
 * the kernel), so exactly rank + 2 builds. tf.keras2 base_conv.py Conv keeps
 * extra leading batch axes (compute_output_shape's batch_rank). tfjs: Conv1D
 * declares {ndim: 3}, Conv.build, Conv2DTranspose, Conv3DTranspose and
 * SeparableConv.build set ndim rank + 2 (checked again after build);
 * DepthwiseConv2D declares nothing and its build refuses rank < 4.
 */
static int conv_expect_rank(fc_build *b, int n, conv_kind kind, int tfjs)
{
    if (tfjs)
        return kind == CONV_DEPTHWISE ? fc_build_expect_rank(b, 0, 0, n + 2) : fc_build_expect_rank(b, 0, n + 2, 0);
    if (!fc_build_expect_rank(b, 0, 0, n + 2))
        return 0;
    if (b->target == FC_FW_TFKERAS2 && kind == CONV_PLAIN)
        return 1;
    return fc_build_expect_rank(b, 0, n + 2, 0);
}

/* What a convolution reads from its config, with the options TF.js ignores neutralized. */
typedef struct conv_config {
    window w;
    int64_t filters;        /* -1 when missing or not positive; unused by depthwise */
    int64_t depth_multiplier;
    int64_t groups;
    int64_t output_padding[MAX_SPATIAL]; /* OUTPUT_PADDING_NONE, OUTPUT_PADDING_BAD or >= 0 */
    int use_bias;
    int channels_first;
} conv_config;

static void conv_read_config(const fc_build *b, int n, conv_kind kind, int tfjs, conv_config *c)
{
    const json_t *cfg = b->config;
    int i, allow_causal;

    c->filters = kind == CONV_DEPTHWISE ? -1 : cfg_count(cfg, "filters", -1);
    c->depth_multiplier = cfg_count(cfg, "depth_multiplier", 1);
    c->groups = kind == CONV_PLAIN && !tfjs ? fc_cfg_int(cfg, "groups", 1) : 1;
    c->use_bias = fc_cfg_bool(cfg, "use_bias", 1);
    c->channels_first = fc_cfg_channels_first(cfg);
    cfg_tuple(cfg, "kernel_size", n, -1, c->w.size);
    cfg_tuple(cfg, "strides", n, 1, c->w.strides);
    cfg_tuple(cfg, "dilation_rate", n, 1, c->w.dilation);
    for (i = 0; i < n; i++)
        c->output_padding[i] = OUTPUT_PADDING_NONE;
    if (kind == CONV_TRANSPOSE && !tfjs && json_object_get(cfg, "output_padding") != NULL &&
        !json_is_null(json_object_get(cfg, "output_padding"))) {
        cfg_tuple(cfg, "output_padding", n, 0, c->output_padding);
        for (i = 0; i < n; i++) {
            if (c->output_padding[i] < 0)
                c->output_padding[i] = OUTPUT_PADDING_BAD; /* Keras refuses it: the axis is unknown */
        }
    }
    /* TF.js drops dilation for these two (deconvLength; DepthwiseConv2D.computeOutputShape and call). */
    if (tfjs && (kind == CONV_TRANSPOSE || kind == CONV_DEPTHWISE)) {
        for (i = 0; i < n; i++)
            c->w.dilation[i] = 1;
    }
    if (tfjs)
        allow_causal = kind == CONV_PLAIN || kind == CONV_DEPTHWISE;
    else
        allow_causal = kind == CONV_PLAIN && n == 1;
    c->w.padding = cfg_padding(cfg, allow_causal, !tfjs, &c->w.padding_name);
    /* TF.js builds "causal" as "valid" (convOutputLength), and then fails in fit (not implemented). */
    if (tfjs && c->w.padding == PAD_CAUSAL)
        c->w.padding = PAD_VALID;
}

/*
 * The weights. keras3 BaseConv.build: kernel kernel_size + (in / groups,
 * filters) and bias (filters,), refusing in or filters not divisible by
 * groups; BaseConvTranspose.build: kernel_size + (filters, in), bias
 * (filters,); BaseSeparableConv.build: depthwise kernel_size + (in, dm),
 * pointwise (1,)*rank + (in * dm, filters), bias (filters,);
 * BaseDepthwiseConv.build: kernel_size + (in, dm), bias (in * dm,). TF.js
 * the same without groups.
 */
static void conv_params(fc_build *b, int n, conv_kind kind, const conv_config *c, int64_t in_ch)
{
    int64_t kprod = 1, total, bias, mid;
    int i;

    for (i = 0; i < n; i++) {
        if (c->w.size[i] < 1) {
            b->params_unknown = 1;
            return;
        }
        kprod = fc_dim_mul(kprod, c->w.size[i]);
    }
    switch (kind) {
    case CONV_PLAIN:
        if (c->filters < 1 || c->groups < 1 || in_ch < 0 || in_ch % c->groups != 0 || c->filters % c->groups != 0) {
            b->params_unknown = 1;
            return;
        }
        total = fc_dim_mul(fc_dim_mul(kprod, in_ch / c->groups), c->filters);
        bias = c->filters;
        break;
    case CONV_TRANSPOSE:
        total = fc_dim_mul(fc_dim_mul(kprod, c->filters), in_ch);
        bias = c->filters;
        break;
    case CONV_SEPARABLE:
        mid = fc_dim_mul(in_ch, c->depth_multiplier);
        total = fc_dim_add(fc_dim_mul(kprod, mid), fc_dim_mul(mid, c->filters));
        bias = c->filters;
        break;
    default: /* CONV_DEPTHWISE */
        mid = fc_dim_mul(in_ch, c->depth_multiplier);
        total = fc_dim_mul(kprod, mid);
        bias = mid;
        break;
    }
    if (c->use_bias)
        total = fc_dim_add(total, bias);
    fc_build_add_params(b, total, 1);
}

/*
 * All convolutions. Output shapes: keras3 operation_utils.py
 * compute_conv_output_shape (BaseConv, BaseSeparableConv and
 * BaseDepthwiseConv.compute_output_shape; channels filters, or in *
 * depth_multiplier for depthwise) and backend_utils.py
 * compute_conv_transpose_output_shape (BaseConvTranspose). tfjs:
 * Conv.computeOutputShape (convOutputLength with dilation; groups ignored),
 * Conv2DTranspose/Conv3DTranspose.computeOutputShape (deconvLength),
 * DepthwiseConv2D.computeOutputShape (axes 1-3 whatever the rank, no
 * dilation). A spatial axis Keras computes as zero or less raises
 * ValueError ("Computed output size would be zero or negative").
 */
static fc_status conv_build(fc_build *b, int n, conv_kind kind)
{
    int tfjs = b->target == FC_FW_TFJS && tfjs_has_conv(kind, n);
    conv_config c;
    fc_shape in;
    layout l;
    int64_t spatial_in[MAX_SPATIAL], spatial_out[MAX_SPATIAL], in_ch, out_ch, dim;
    int i, bad = -1;

    if (b->n_inputs == 0 || b->inputs[0].rank == FC_RANK_UNKNOWN) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if (!conv_expect_rank(b, n, kind, tfjs)) {
        b->params_unknown = 1;
        return FC_OK;
    }
    in = b->inputs[0];
    if (tfjs && kind == CONV_DEPTHWISE)
        in.rank = 4; /* TF.js reads axes 0-3 of a longer input and outputs rank 4 */
    conv_read_config(b, n, kind, tfjs, &c);
    l = layout_make(&in, n, c.channels_first);
    for (i = 0; i < n; i++) {
        int known;

        spatial_in[i] = in.dims[spatial_axis(&l, i)];
        if (kind == CONV_TRANSPOSE)
            known = deconv_length(spatial_in[i], c.w.size[i], c.w.strides[i], c.w.dilation[i], c.w.padding,
                                  c.output_padding[i], &dim);
        else
            known = window_length(spatial_in[i], c.w.size[i], c.w.strides[i], c.w.dilation[i], c.w.padding, &dim);
        spatial_out[i] = known ? dim : FC_DIM_UNKNOWN;
        if (known && bad < 0 && (kind == CONV_TRANSPOSE ? dim < 0 : refused_dim(tfjs, dim)))
            bad = i;
    }
    in_ch = in.dims[channel_axis(&l)];
    out_ch = kind == CONV_DEPTHWISE ? fc_dim_mul(in_ch, c.depth_multiplier) : c.filters;
    b->n_outputs = 1;
    layout_output(&l, &in, spatial_out, out_ch, &b->outputs[0]);
    if (bad >= 0) {
        report_window(b, "kernel", &c.w, n, spatial_in, bad, spatial_out[bad]);
        b->params_unknown = 1; /* the framework refuses the layer before making its weights */
        return FC_OK;
    }
    conv_params(b, n, kind, &c, in_ch);
    return FC_OK;
}

static fc_status conv1d_build(fc_build *b) { return conv_build(b, 1, CONV_PLAIN); }
static fc_status conv2d_build(fc_build *b) { return conv_build(b, 2, CONV_PLAIN); }
static fc_status conv3d_build(fc_build *b) { return conv_build(b, 3, CONV_PLAIN); }
static fc_status conv1d_transpose_build(fc_build *b) { return conv_build(b, 1, CONV_TRANSPOSE); }
static fc_status conv2d_transpose_build(fc_build *b) { return conv_build(b, 2, CONV_TRANSPOSE); }
static fc_status conv3d_transpose_build(fc_build *b) { return conv_build(b, 3, CONV_TRANSPOSE); }
static fc_status separable_conv1d_build(fc_build *b) { return conv_build(b, 1, CONV_SEPARABLE); }
static fc_status separable_conv2d_build(fc_build *b) { return conv_build(b, 2, CONV_SEPARABLE); }
static fc_status depthwise_conv1d_build(fc_build *b) { return conv_build(b, 1, CONV_DEPTHWISE); }
static fc_status depthwise_conv2d_build(fc_build *b) { return conv_build(b, 2, CONV_DEPTHWISE); }

/* ---- pooling --------------------------------------------------------------- */

/*
 * Max and average pooling. keras3 base_pooling.py BasePooling.__init__
 * (InputSpec(ndim=pool_dimensions + 2); strides None means pool_size) and
 * compute_output_shape (operation_utils.py compute_pooling_output_shape:
 * "valid" or "same" only, zero or less raises). tfjs pooling.ts
 * Pooling1D/2D/3D (InputSpec ndim 3/4/5, computeOutputShape with
 * convOutputLength; Pooling1D ignores data_format; "causal" builds as
 * "valid"). No weights.
 */
static fc_status pool_build(fc_build *b, int n)
{
    int tfjs = b->target == FC_FW_TFJS;
    const json_t *strides = json_object_get(b->config, "strides");
    const fc_shape *in;
    window w;
    layout l;
    int64_t spatial_in[MAX_SPATIAL], spatial_out[MAX_SPATIAL], dim;
    int i, bad = -1;

    if (b->n_inputs == 0 || b->inputs[0].rank == FC_RANK_UNKNOWN) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    if (!fc_build_expect_rank(b, 0, n + 2, 0))
        return FC_OK;
    in = &b->inputs[0];
    cfg_tuple(b->config, "pool_size", n, 2, w.size);
    if (strides == NULL || json_is_null(strides))
        memcpy(w.strides, w.size, sizeof(w.strides));
    else
        cfg_tuple(b->config, "strides", n, 1, w.strides);
    for (i = 0; i < n; i++)
        w.dilation[i] = 1;
    w.padding = cfg_padding(b->config, tfjs, !tfjs, &w.padding_name);
    if (w.padding == PAD_CAUSAL)
        w.padding = PAD_VALID;
    l = layout_make(in, n, tfjs && n == 1 ? 0 : fc_cfg_channels_first(b->config));
    for (i = 0; i < n; i++) {
        spatial_in[i] = in->dims[spatial_axis(&l, i)];
        if (window_length(spatial_in[i], w.size[i], w.strides[i], 1, w.padding, &dim)) {
            spatial_out[i] = dim;
            if (bad < 0 && refused_dim(tfjs, dim))
                bad = i;
        } else {
            spatial_out[i] = FC_DIM_UNKNOWN;
        }
    }
    b->n_outputs = 1;
    layout_output(&l, in, spatial_out, in->dims[channel_axis(&l)], &b->outputs[0]);
    if (bad >= 0)
        report_window(b, "pool window", &w, n, spatial_in, bad, spatial_out[bad]);
    return FC_OK;
}

static fc_status pool1d_build(fc_build *b) { return pool_build(b, 1); }
static fc_status pool2d_build(fc_build *b) { return pool_build(b, 2); }
static fc_status pool3d_build(fc_build *b) { return pool_build(b, 3); }

/*
 * Global max and average pooling. keras3 base_global_pooling.py
 * BaseGlobalPooling.__init__ (InputSpec(ndim=pool_dimensions + 2)) and
 * compute_output_shape: (batch, channels), or with keepdims every spatial
 * axis kept as 1. tfjs pooling.ts GlobalPooling1D (ndim 3, [batch,
 * shape[2]] whatever data_format) and GlobalPooling2D (ndim 4, data_format
 * honoured); neither reads keepdims, and TF.js has no 3D version. No weights.
 */
static fc_status global_pool_build(fc_build *b, int n)
{
    int tfjs = b->target == FC_FW_TFJS && n <= 2;
    const fc_shape *in;
    fc_shape *out = &b->outputs[0];
    layout l;
    int keepdims, i;

    if (b->n_inputs == 0 || b->inputs[0].rank == FC_RANK_UNKNOWN) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    if (!fc_build_expect_rank(b, 0, n + 2, 0))
        return FC_OK;
    in = &b->inputs[0];
    l = layout_make(in, n, tfjs && n == 1 ? 0 : fc_cfg_channels_first(b->config));
    keepdims = !tfjs && fc_cfg_bool(b->config, "keepdims", 0);
    b->n_outputs = 1;
    if (keepdims) {
        int64_t ones[MAX_SPATIAL];

        for (i = 0; i < n; i++)
            ones[i] = 1;
        layout_output(&l, in, ones, in->dims[channel_axis(&l)], out);
        return FC_OK;
    }
    memset(out, 0, sizeof(*out));
    out->rank = 2;
    out->dims[0] = in->dims[0];
    out->dims[1] = in->dims[channel_axis(&l)];
    return FC_OK;
}

static fc_status global_pool1d_build(fc_build *b) { return global_pool_build(b, 1); }
static fc_status global_pool2d_build(fc_build *b) { return global_pool_build(b, 2); }
static fc_status global_pool3d_build(fc_build *b) { return global_pool_build(b, 3); }

/* ---- padding, cropping, upsampling ----------------------------------------- */

/* Checks the exact input rank of a reshaping layer; 0 when the output is settled (unknown or a problem). */
static int reshaping_input(fc_build *b, int n)
{
    if (b->n_inputs == 0 || b->inputs[0].rank == FC_RANK_UNKNOWN) {
        fc_build_unknown_output(b);
        return 0;
    }
    return fc_build_expect_rank(b, 0, n + 2, 0);
}

/*
 * ZeroPadding1D/2D/3D. keras3 reshaping/zero_padding{1,2,3}d.py:
 * InputSpec(ndim=3/4/5), compute_output_shape adds before + after to each
 * known spatial axis (data_format honoured, also by ZeroPadding1D).
 * Defaults 1 on every side. tfjs padding.ts ZeroPadding2D: ndim 4, the same.
 */
static fc_status zero_padding_build(fc_build *b, int n)
{
    int64_t pads[MAX_SPATIAL][2], spatial[MAX_SPATIAL];
    const fc_shape *in = &b->inputs[0];
    layout l;
    int i;

    if (!reshaping_input(b, n))
        return FC_OK;
    cfg_pairs(b->config, "padding", n, 1, pads);
    l = layout_make(in, n, fc_cfg_channels_first(b->config));
    for (i = 0; i < n; i++)
        spatial[i] = fc_dim_add(fc_dim_add(in->dims[spatial_axis(&l, i)], pads[i][0]), pads[i][1]);
    b->n_outputs = 1;
    layout_output(&l, in, spatial, in->dims[channel_axis(&l)], &b->outputs[0]);
    return FC_OK;
}

/*
 * Cropping1D/2D/3D. keras3 reshaping/cropping{1,2,3}d.py: InputSpec(ndim=3/4/5);
 * compute_output_shape subtracts both crops and raises when an axis would be
 * zero or less; Cropping1D crops axis 1 (no data_format). Defaults: 1D (1, 1),
 * 2D ((0, 0), (0, 0)), 3D 1 on every side. tfjs convolutional.ts Cropping2D:
 * ndim 4, the same subtraction without a check (a negative axis is refused by
 * Sequential.checkShape, zero passes), and from an undefined axis too: null
 * minus the crops is -(before + after) in JavaScript (checked with the
 * oracle: Cropping2D [[1, 0], [0, 2]] on (None, None, 4, 2) is refused).
 */
static fc_status cropping_build(fc_build *b, int n)
{
    int tfjs = b->target == FC_FW_TFJS && n == 2;
    int64_t crops[MAX_SPATIAL][2], spatial[MAX_SPATIAL];
    const fc_shape *in = &b->inputs[0];
    layout l;
    int i, bad = -1;

    if (!reshaping_input(b, n))
        return FC_OK;
    cfg_pairs(b->config, "cropping", n, n == 2 ? 0 : 1, crops);
    l = layout_make(in, n, n > 1 && fc_cfg_channels_first(b->config));
    for (i = 0; i < n; i++) {
        int64_t d = in->dims[spatial_axis(&l, i)];

        spatial[i] = FC_DIM_UNKNOWN;
        if (tfjs && d < 0)
            d = 0; /* TF.js subtracts from null, which JavaScript takes as 0 */
        if (d < 0 || crops[i][0] < 0 || crops[i][1] < 0)
            continue;
        spatial[i] = d - fc_dim_add(crops[i][0], crops[i][1]); /* both at most 2^53 + 1 apart from d */
        if (bad < 0 && refused_dim(tfjs, spatial[i]))
            bad = i;
    }
    b->n_outputs = 1;
    layout_output(&l, in, spatial, in->dims[channel_axis(&l)], &b->outputs[0]);
    if (bad >= 0) {
        char detail[160];
        int64_t d = in->dims[spatial_axis(&l, bad)];

        if (d < 0)
            format_text(detail, sizeof(detail), "crops %lld + %lld from a spatial axis of undefined size, which TF.js "
                        "computes as 0 - %lld", (long long)crops[bad][0], (long long)crops[bad][1],
                        (long long)fc_dim_add(crops[bad][0], crops[bad][1]));
        else
            format_text(detail, sizeof(detail), "crops %lld + %lld from a spatial axis of size %lld",
                        (long long)crops[bad][0], (long long)crops[bad][1], (long long)d);
        report_non_positive(b, detail, spatial[bad], fc_dim_add(crops[bad][0], crops[bad][1]), d < 0 ? 0 : d);
    }
    return FC_OK;
}

/*
 * UpSampling1D/2D/3D. keras3 reshaping/up_sampling{1,2,3}d.py:
 * InputSpec(ndim=3/4/5); compute_output_shape multiplies each known spatial
 * axis by size (UpSampling1D: axis 1, an int, no data_format). Default size 2.
 * tfjs convolutional.ts UpSampling2D: ndim 4, the same.
 */
static fc_status up_sampling_build(fc_build *b, int n)
{
    int64_t size[MAX_SPATIAL], spatial[MAX_SPATIAL];
    const fc_shape *in = &b->inputs[0];
    layout l;
    int i;

    if (!reshaping_input(b, n))
        return FC_OK;
    cfg_tuple(b->config, "size", n, 2, size);
    l = layout_make(in, n, n > 1 && fc_cfg_channels_first(b->config));
    for (i = 0; i < n; i++)
        spatial[i] = size[i] < 1 ? FC_DIM_UNKNOWN : fc_dim_mul(in->dims[spatial_axis(&l, i)], size[i]);
    b->n_outputs = 1;
    layout_output(&l, in, spatial, in->dims[channel_axis(&l)], &b->outputs[0]);
    return FC_OK;
}

static fc_status zero_padding1d_build(fc_build *b) { return zero_padding_build(b, 1); }
static fc_status zero_padding2d_build(fc_build *b) { return zero_padding_build(b, 2); }
static fc_status zero_padding3d_build(fc_build *b) { return zero_padding_build(b, 3); }
static fc_status cropping1d_build(fc_build *b) { return cropping_build(b, 1); }
static fc_status cropping2d_build(fc_build *b) { return cropping_build(b, 2); }
static fc_status cropping3d_build(fc_build *b) { return cropping_build(b, 3); }
static fc_status up_sampling1d_build(fc_build *b) { return up_sampling_build(b, 1); }
static fc_status up_sampling2d_build(fc_build *b) { return up_sampling_build(b, 2); }
static fc_status up_sampling3d_build(fc_build *b) { return up_sampling_build(b, 3); }

/* Aliases are the names keras3 exports besides the class (keras_export lists). */
const fc_layer_kind fc_layers_conv[] = {
    {"Conv1D", conv1d_build},
    {"Conv2D", conv2d_build},
    {"Conv3D", conv3d_build},
    {"Convolution1D", conv1d_build},
    {"Convolution2D", conv2d_build},
    {"Convolution3D", conv3d_build},
    {"Conv1DTranspose", conv1d_transpose_build},
    {"Conv2DTranspose", conv2d_transpose_build},
    {"Conv3DTranspose", conv3d_transpose_build},
    {"Convolution1DTranspose", conv1d_transpose_build},
    {"Convolution2DTranspose", conv2d_transpose_build},
    {"Convolution3DTranspose", conv3d_transpose_build},
    {"SeparableConv1D", separable_conv1d_build},
    {"SeparableConv2D", separable_conv2d_build},
    {"SeparableConvolution1D", separable_conv1d_build},
    {"SeparableConvolution2D", separable_conv2d_build},
    {"DepthwiseConv1D", depthwise_conv1d_build},
    {"DepthwiseConv2D", depthwise_conv2d_build},
    {"MaxPooling1D", pool1d_build},
    {"MaxPooling2D", pool2d_build},
    {"MaxPooling3D", pool3d_build},
    {"MaxPool1D", pool1d_build},
    {"MaxPool2D", pool2d_build},
    {"MaxPool3D", pool3d_build},
    {"AveragePooling1D", pool1d_build},
    {"AveragePooling2D", pool2d_build},
    {"AveragePooling3D", pool3d_build},
    {"AvgPool1D", pool1d_build},
    {"AvgPool2D", pool2d_build},
    {"AvgPool3D", pool3d_build},
    {"GlobalMaxPooling1D", global_pool1d_build},
    {"GlobalMaxPooling2D", global_pool2d_build},
    {"GlobalMaxPooling3D", global_pool3d_build},
    {"GlobalAveragePooling1D", global_pool1d_build},
    {"GlobalAveragePooling2D", global_pool2d_build},
    {"GlobalAveragePooling3D", global_pool3d_build},
    {"GlobalMaxPool1D", global_pool1d_build},
    {"GlobalMaxPool2D", global_pool2d_build},
    {"GlobalMaxPool3D", global_pool3d_build},
    {"GlobalAvgPool1D", global_pool1d_build},
    {"GlobalAvgPool2D", global_pool2d_build},
    {"GlobalAvgPool3D", global_pool3d_build},
    {"ZeroPadding1D", zero_padding1d_build},
    {"ZeroPadding2D", zero_padding2d_build},
    {"ZeroPadding3D", zero_padding3d_build},
    {"Cropping1D", cropping1d_build},
    {"Cropping2D", cropping2d_build},
    {"Cropping3D", cropping3d_build},
    {"UpSampling1D", up_sampling1d_build},
    {"UpSampling2D", up_sampling2d_build},
    {"UpSampling3D", up_sampling3d_build},
    {NULL, NULL},
};
