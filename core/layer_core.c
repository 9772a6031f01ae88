/*
 * layer_core.c - core layers: InputLayer, Dense, EinsumDense, Embedding,
 * activations, dropout and noise, Flatten, Reshape, Permute, RepeatVector,
 * Lambda, Masking, and the preprocessing layers that keep or resize images.
 */
#include <stdio.h>
#include <string.h>

#include "layers.h"

/* Output = input (activations, dropout, noise, masking, augmentation). */
static fc_status identity_build(fc_build *b)
{
    if (b->n_inputs == 0) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    b->outputs[0] = b->inputs[0];
    b->n_outputs = 1;
    return FC_OK;
}

static fc_status input_layer_build(fc_build *b)
{
    fc_shape s;
    const json_t *shape = json_object_get(b->config, "batch_shape");

    if (shape == NULL)
        shape = json_object_get(b->config, "batch_input_shape");
    b->n_outputs = 1;
    if (b->n_inputs > 0)
        b->outputs[0] = b->inputs[0];
    else if (fc_shape_read_declared(shape, &s))
        b->outputs[0] = s;
    else
        fc_shape_unknown(&b->outputs[0]);
    return FC_OK;
}

/* Dense: applies to the last axis; kernel (in, units) and bias (units). */
static fc_status dense_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    /* Keras 1 wrote output_dim and bias (TF.js refuses both: units only). */
    int64_t units = fc_cfg_int(b->config, "units",
                               b->target == FC_FW_TFJS ? -1 : fc_cfg_int(b->config, "output_dim", -1));
    int use_bias = fc_cfg_bool(b->config, "use_bias", b->target == FC_FW_TFJS ? 1 : fc_cfg_bool(b->config, "bias", 1));
    char found[256];

    if (!fc_build_expect_rank(b, 0, 0, 2))
        return FC_OK;
    b->n_outputs = 1;
    b->outputs[0] = *in;
    b->outputs[0].dims[in->rank - 1] = units > 0 ? units : FC_DIM_UNKNOWN;
    if (units < 1) {
        b->params_unknown = 1;
        return FC_OK;
    }
    if (in->dims[in->rank - 1] == FC_DIM_UNKNOWN) {
        fc_shape_format(in, 0, found, sizeof(found));
        fc_build_problem(b, FC_UNDEFINED_DIM, "Dense '%s' receives %s: its last axis is undefined, so the kernel "
                         "size is unknown", b->name, found);
        fc_build_var(b, "axis", "-1");
        fc_build_var(b, "found_shape", "%s", found);
        b->params_unknown = 1;
        return FC_OK;
    }
    fc_build_add_params(b, fc_dim_mul(in->dims[in->rank - 1], units), 1);
    if (use_bias)
        fc_build_add_params(b, units, 1);
    return FC_OK;
}

/*
 * EinsumDense: equation "ab,bc->ac" with output_shape (without the batch
 * axis) and bias_axes. Kernel axes take their size from the input when the
 * letter is in the input spec, else from the output.
 */
static int64_t einsum_dim(const char *spec, const char *letters_end, char letter, const fc_shape *shape, int offset)
{
    const char *p = memchr(spec, letter, (size_t)(letters_end - spec));

    if (p == NULL)
        return -2;
    if (offset + (p - spec) >= shape->rank)
        return FC_DIM_UNKNOWN;
    return shape->dims[offset + (p - spec)];
}

static fc_status einsum_dense_build(fc_build *b)
{
    const char *eq = fc_cfg_str(b->config, "equation", NULL);
    const char *bias = fc_cfg_str(b->config, "bias_axes", NULL);
    const json_t *oshape = json_object_get(b->config, "output_shape");
    const char *comma, *arrow, *in_end;
    fc_shape out;
    int64_t kernel = 1, bias_n = 1;
    size_t i, n_out, in_len, out_len;
    const char *p;

    if (eq == NULL || (comma = strchr(eq, ',')) == NULL || (arrow = strstr(eq, "->")) == NULL || arrow < comma ||
        strchr(eq, '.') != NULL) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    in_end = comma;
    in_len = (size_t)(comma - eq);
    out_len = strlen(arrow + 2);
    if (in_len == 0 || in_len > FC_MAX_RANK || out_len == 0 || out_len > FC_MAX_RANK) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    if ((int)in_len != b->inputs[0].rank && b->inputs[0].rank != FC_RANK_UNKNOWN) {
        fc_build_expect_rank(b, 0, (int)in_len, 0);
        return FC_OK;
    }
    /* Output: batch axis from the input, the rest from output_shape. */
    fc_shape_unknown(&out);
    out.rank = (int)out_len;
    if (json_is_integer(oshape)) {
        for (i = 1; i < out_len; i++)
            out.dims[i] = (int64_t)json_integer_value(oshape);
    } else {
        n_out = json_array_size(oshape);
        for (i = 1; i < out_len; i++) {
            const json_t *d = json_array_get(oshape, i - 1 + (n_out + 1 > out_len ? n_out + 1 - out_len : 0));

            out.dims[i] = json_is_integer(d) ? (int64_t)json_integer_value(d) : FC_DIM_UNKNOWN;
        }
    }
    out.dims[0] = FC_DIM_UNKNOWN;
    for (i = 0; i < out_len; i++) {
        int64_t d = einsum_dim(eq, in_end, arrow[2 + i], &b->inputs[0], 0);

        if (d != -2 && out.dims[i] == FC_DIM_UNKNOWN)
            out.dims[i] = d;
    }
    b->outputs[0] = out;
    b->n_outputs = 1;
    for (p = comma + 1; p < arrow; p++) {
        int64_t d = einsum_dim(eq, in_end, *p, &b->inputs[0], 0);

        if (d == -2)
            d = einsum_dim(arrow + 2, arrow + 2 + out_len, *p, &out, 0);
        kernel = fc_dim_mul(kernel, d);
    }
    if (kernel < 0) {
        b->params_unknown = 1;
        return FC_OK;
    }
    fc_build_add_params(b, kernel, 1);
    if (bias != NULL && bias[0] != '\0') {
        for (p = bias; *p != '\0'; p++)
            bias_n = fc_dim_mul(bias_n, einsum_dim(arrow + 2, arrow + 2 + out_len, *p, &out, 0));
        if (bias_n < 0)
            b->params_unknown = 1;
        else
            fc_build_add_params(b, bias_n, 1);
    }
    return FC_OK;
}

static fc_status embedding_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    int64_t vocab = fc_cfg_int(b->config, "input_dim", -1), dim = fc_cfg_int(b->config, "output_dim", -1);

    b->n_outputs = 1;
    if (in->rank == FC_RANK_UNKNOWN || in->rank >= FC_MAX_RANK) {
        fc_shape_unknown(&b->outputs[0]);
    } else {
        b->outputs[0] = *in;
        b->outputs[0].rank = in->rank + 1;
        b->outputs[0].dims[in->rank] = dim > 0 ? dim : FC_DIM_UNKNOWN;
    }
    if (vocab < 1 || dim < 1)
        b->params_unknown = 1;
    else
        fc_build_add_params(b, fc_dim_mul(vocab, dim), 1);
    return FC_OK;
}

/* PReLU: one alpha per input element, except along shared_axes. */
static fc_status prelu_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    const json_t *shared = json_object_get(b->config, "shared_axes");
    int64_t n = 1;
    int i;

    identity_build(b);
    if (in->rank == FC_RANK_UNKNOWN) {
        b->params_unknown = 1;
        return FC_OK;
    }
    for (i = 1; i < in->rank; i++) {
        int is_shared = 0;
        size_t k;

        for (k = 0; k < json_array_size(shared); k++)
            is_shared |= json_integer_value(json_array_get(shared, k)) == i;
        if (json_is_integer(shared))
            is_shared |= json_integer_value(shared) == i;
        if (!is_shared)
            n = fc_dim_mul(n, in->dims[i]);
    }
    if (n < 0)
        b->params_unknown = 1;
    else
        fc_build_add_params(b, n, 1);
    return FC_OK;
}

static fc_status flatten_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    int64_t n;

    if (!fc_build_expect_rank(b, 0, 0, 1))
        return FC_OK;
    b->n_outputs = 1;
    b->outputs[0].rank = 2;
    b->outputs[0].dims[0] = in->dims[0];
    if (in->rank == 1)
        b->outputs[0].dims[1] = 1;
    else if (fc_shape_num_elements(in, 1, &n) && n <= FC_DIM_MAX)
        b->outputs[0].dims[1] = n;
    else
        b->outputs[0].dims[1] = fc_shape_num_elements(in, 1, &n) ? FC_DIM_MAX + 1 : FC_DIM_UNKNOWN;
    return FC_OK;
}

/* The largest divisor of n that is at most cap (1 when none is larger). */
static int64_t divisor_at_most(int64_t n, int64_t cap)
{
    int64_t d;

    for (d = cap < n ? cap : n; d > 1; d--) {
        if (n % d == 0)
            return d;
    }
    return 1;
}

/*
 * A target_shape that holds the sample's `elems` values, kept as close to
 * the written one (`dims`, rank r, -1 at `unknown_at` or -1 for none) as
 * Reshape allows: one axis turned into -1 when the other sizes divide the
 * sample; else, with a -1 already there, another axis shrunk to the largest
 * divisor that fits; else a flat (-1,). Written as a Python tuple into buf,
 * with a note on what changed.
 */
static void reshape_suggest(const int64_t *dims, int r, int unknown_at, int64_t elems, char *buf, size_t size,
                            char *note, size_t note_size)
{
    int64_t t[FC_MAX_RANK];
    int i, j, found = 0;
    size_t used = 0;

    for (i = 0; i < r; i++)
        t[i] = dims[i];
    if (unknown_at < 0) {
        for (i = r - 1; i >= 0 && !found; i--) {
            int64_t p = 1;

            for (j = 0; j < r; j++)
                p = j == i ? p : fc_dim_mul(p, t[j]);
            if (p > 0 && elems % p == 0) {
                t[i] = -1;
                found = 1;
                snprintf(note, note_size, "-1 lets Reshape compute axis %d (%lld)", i + 1, (long long)(elems / p));
            }
        }
    } else {
        for (i = r - 1; i >= 0 && !found; i--) {
            int64_t p = 1;

            if (i == unknown_at || t[i] <= 1)
                continue;
            for (j = 0; j < r; j++)
                p = j == i || j == unknown_at ? p : fc_dim_mul(p, t[j]);
            if (p > 0 && elems % p == 0 && divisor_at_most(elems / p, t[i]) > 1) {
                t[i] = divisor_at_most(elems / p, t[i]);
                found = 1;
                snprintf(note, note_size, "axis %d: %lld divides the %lld values, and -1 takes the rest", i + 1,
                         (long long)t[i], (long long)elems);
            }
        }
    }
    if (!found) {
        r = 1;
        t[0] = -1;
        snprintf(note, note_size, "flat: one axis of %lld values", (long long)elems);
    }
    used += (size_t)snprintf(buf, size, "(");
    for (i = 0; i < r && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "", (long long)t[i]);
    if (used < size)
        snprintf(buf + used, size - used, "%s", r == 1 ? ",)" : ")");
}

static fc_status reshape_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    const json_t *target = json_object_get(b->config, "target_shape");
    fc_shape out;
    int64_t in_elems, known = 1;
    int i, unknown_at = -1;
    char found[256], tgt[256], sample[256];

    if (!json_is_array(target) || json_array_size(target) + 1 > FC_MAX_RANK) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    out.rank = (int)json_array_size(target) + 1;
    out.dims[0] = in->rank >= 1 ? in->dims[0] : FC_DIM_UNKNOWN;
    for (i = 1; i < out.rank; i++) {
        json_int_t d = json_integer_value(json_array_get(target, (size_t)(i - 1)));

        if (json_is_integer(json_array_get(target, (size_t)(i - 1))) && (d < -1 || (d == -1 && unknown_at > 0))) {
            /* Keras refuses a negative size other than -1, or two -1s: leave the output unknown */
            fc_build_unknown_output(b);
            return FC_OK;
        }
        if (!json_is_integer(json_array_get(target, (size_t)(i - 1))) || d == -1) {
            out.dims[i] = FC_DIM_UNKNOWN;
            unknown_at = i;
        } else {
            out.dims[i] = d;
            known = fc_dim_mul(known, d);
        }
    }
    b->outputs[0] = out;
    b->n_outputs = 1;
    if (in->rank == FC_RANK_UNKNOWN || !fc_shape_num_elements(in, 1, &in_elems) || known < 0)
        return FC_OK;
    if (unknown_at > 0 && known > 0 && in_elems % known == 0) {
        /* TF.js infers the -1 axis only when no input axis is unknown, and
         * the batch axis always is (layers/core.ts Reshape.computeOutputShape):
         * the axis stays null there, which a Dense after it cannot build on. */
        if (b->target != FC_FW_TFJS)
            b->outputs[0].dims[unknown_at] = in_elems / known;
        return FC_OK;
    }
    if (unknown_at < 0 && known == in_elems)
        return FC_OK;
    fc_shape_format(in, 0, found, sizeof(found));
    fc_shape_format(in, 1, sample, sizeof(sample));
    {
        fc_shape t = out;
        t.dims[0] = FC_DIM_UNKNOWN;
        fc_shape_format(&t, 1, tgt, sizeof(tgt));
    }
    fc_build_problem(b, FC_RESHAPE_SIZE_MISMATCH,
                     "Reshape '%s' turns samples of %lld elements (%s) into (%s), which holds %lld", b->name,
                     (long long)in_elems, found, tgt, (long long)known);
    /* Python prints the sample shape as a tuple in Keras 3, a list in tf.keras 2, and the target as given */
    {
        char raw[256];
        size_t k, n = 0;

        raw[0] = '\0';
        for (k = 0; k < json_array_size(target) && n < sizeof(raw); k++)
            n += (size_t)snprintf(raw + n, sizeof(raw) - n, "%s%lld", k ? ", " : "",
                                  (long long)json_integer_value(json_array_get(target, k)));
        fc_build_var(b, "target_py_list", "[%s]", raw);
        fc_build_var(b, "target_tuple", json_array_size(target) == 1 ? "(%s,)" : "(%s)", raw);
    }
    fc_build_var(b, "found_tuple", in->rank == 2 ? "(%s,)" : "(%s)", sample);
    fc_build_var(b, "k3_detail", "%s",
                 unknown_at > 0 ? ", however, the input size cannot by divided by the specified dimensions in "
                                  "target_shape"
                                : "");
    fc_build_var(b, "found_shape", "%s", found);
    fc_build_var(b, "found_sample", "[%s]", sample);
    fc_build_var(b, "found_elems", "%lld", (long long)in_elems);
    fc_build_var(b, "target", "(%s)", tgt);
    fc_build_var(b, "target_elems", "%lld", (long long)known);
    {
        int64_t dims[FC_MAX_RANK];
        char suggest[256], note[160];

        for (i = 1; i < out.rank; i++)
            dims[i - 1] = out.dims[i] == FC_DIM_UNKNOWN ? -1 : out.dims[i];
        reshape_suggest(dims, out.rank - 1, unknown_at > 0 ? unknown_at - 1 : -1, in_elems, suggest, sizeof(suggest),
                        note, sizeof(note));
        fc_build_var(b, "suggest", "%s", suggest);
        fc_build_var(b, "suggest_note", "%s", note);
    }
    return FC_OK;
}

static fc_status permute_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    const json_t *dims = json_object_get(b->config, "dims");
    size_t i;

    if (!json_is_array(dims) || !fc_build_expect_rank(b, 0, (int)json_array_size(dims) + 1, 0))
        return identity_build(b);
    b->n_outputs = 1;
    b->outputs[0] = *in;
    for (i = 0; i < json_array_size(dims); i++) {
        json_int_t d = json_integer_value(json_array_get(dims, i));

        b->outputs[0].dims[i + 1] = d >= 1 && d < in->rank ? in->dims[d] : FC_DIM_UNKNOWN;
    }
    return FC_OK;
}

static fc_status repeat_vector_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    int64_t n = fc_cfg_int(b->config, "n", -1);

    if (!fc_build_expect_rank(b, 0, 2, 0))
        return FC_OK;
    b->n_outputs = 1;
    b->outputs[0].rank = 3;
    b->outputs[0].dims[0] = in->dims[0];
    b->outputs[0].dims[1] = n > 0 ? n : FC_DIM_UNKNOWN;
    b->outputs[0].dims[2] = in->dims[1];
    return FC_OK;
}

/* Lambda runs arbitrary code: no weights; the output shape is known only when declared. */
static fc_status lambda_build(fc_build *b)
{
    const json_t *os = json_object_get(b->config, "output_shape");
    fc_shape s;

    b->n_outputs = 1;
    fc_shape_unknown(&b->outputs[0]);
    if (json_is_array(os) && json_array_size(os) + 1 <= FC_MAX_RANK &&
        fc_shape_from_json(os, 1, "", &s, NULL) == FC_OK && b->n_inputs > 0 && b->inputs[0].rank >= 1) {
        int i;

        b->outputs[0].rank = s.rank + 1;
        b->outputs[0].dims[0] = b->inputs[0].dims[0];
        for (i = 0; i < s.rank; i++)
            b->outputs[0].dims[i + 1] = s.dims[i];
    }
    return FC_OK;
}

/* Resizing and CenterCrop: (height, width) replace the spatial axes. */
static fc_status resize_build(fc_build *b)
{
    int64_t h = fc_cfg_int(b->config, "height", -1), w = fc_cfg_int(b->config, "width", -1);
    int first = fc_cfg_channels_first(b->config);

    if (!fc_build_expect_rank(b, 0, 0, 3))
        return FC_OK;
    b->n_outputs = 1;
    b->outputs[0] = b->inputs[0];
    if (b->inputs[0].rank >= 3) {
        int hi = first ? b->inputs[0].rank - 2 : b->inputs[0].rank - 3;

        b->outputs[0].dims[hi] = h > 0 ? h : FC_DIM_UNKNOWN;
        b->outputs[0].dims[hi + 1] = w > 0 ? w : FC_DIM_UNKNOWN;
    }
    return FC_OK;
}

/* Normalization: mean and variance per kept axis plus a count, none trainable. */
static fc_status normalization_build(fc_build *b)
{
    const fc_shape *in = &b->inputs[0];
    const json_t *axis = json_object_get(b->config, "axis");
    int64_t n = 1;
    size_t k;

    identity_build(b);
    if (in->rank == FC_RANK_UNKNOWN) {
        b->params_unknown = 1;
        return FC_OK;
    }
    if (json_is_integer(axis) || axis == NULL) {
        json_int_t a = axis ? json_integer_value(axis) : -1;

        a = a < 0 ? a + in->rank : a;
        n = a >= 1 && a < in->rank ? in->dims[a] : FC_DIM_UNKNOWN;
    } else if (json_is_array(axis)) {
        for (k = 0; k < json_array_size(axis); k++) {
            json_int_t a = json_integer_value(json_array_get(axis, k));

            a = a < 0 ? a + in->rank : a;
            n = fc_dim_mul(n, a >= 1 && a < in->rank ? in->dims[a] : FC_DIM_UNKNOWN);
        }
    }
    /* axis null: a single mean over everything. */
    if (n < 0) {
        b->params_unknown = 1;
        return FC_OK;
    }
    fc_build_add_params(b, fc_dim_add(fc_dim_mul(n, 2), 1), 0);
    return FC_OK;
}

const fc_layer_kind fc_layers_core[] = {
    {"InputLayer", input_layer_build},
    {"Dense", dense_build},
    {"EinsumDense", einsum_dense_build},
    {"Embedding", embedding_build},
    {"Activation", identity_build},
    {"ReLU", identity_build},
    {"LeakyReLU", identity_build},
    {"ELU", identity_build},
    {"ThresholdedReLU", identity_build},
    {"Softmax", identity_build},
    {"PReLU", prelu_build},
    {"Dropout", identity_build},
    {"SpatialDropout1D", identity_build},
    {"SpatialDropout2D", identity_build},
    {"SpatialDropout3D", identity_build},
    {"GaussianNoise", identity_build},
    {"GaussianDropout", identity_build},
    {"AlphaDropout", identity_build},
    {"ActivityRegularization", identity_build},
    {"Masking", identity_build},
    {"Identity", identity_build},
    {"Flatten", flatten_build},
    {"Reshape", reshape_build},
    {"Permute", permute_build},
    {"RepeatVector", repeat_vector_build},
    {"Lambda", lambda_build},
    {"Rescaling", identity_build},
    {"Normalization", normalization_build},
    {"Resizing", resize_build},
    {"CenterCrop", resize_build},
    {"RandomFlip", identity_build},
    {"RandomRotation", identity_build},
    {"RandomZoom", identity_build},
    {"RandomContrast", identity_build},
    {"RandomBrightness", identity_build},
    {"RandomTranslation", identity_build},
    {"RandomCrop", resize_build},
    {NULL, NULL},
};
