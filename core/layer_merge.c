/*
 * layer_merge.c - layers that combine several tensors: the element-wise
 * merges (Add, Subtract, Multiply, Average, Maximum, Minimum) with Keras's
 * broadcasting, Concatenate, Dot, and the attention layers
 * (MultiHeadAttention, Attention, AdditiveAttention).
 *
 * Sources checked (keras-team/keras 3422977a, keras-team/tf-keras dd0a7237,
 * tensorflow/tfjs 0fc04d95) and the oracle (TF.js Layers 4.22, which has no
 * Subtract, MultiHeadAttention, Attention or AdditiveAttention).
 *
 * A dimension fitcheck does not know (FC_DIM_UNKNOWN) never raises a
 * problem, even where a framework compares None literally (TF.js
 * Concatenate.build, every framework's Dot.build): see dims_conflict.
 */
#include <stdio.h>
#include <string.h>

#include "layers.h"

/* ---- formatting for problem values --------------------------------------- */

typedef struct textbuf {
    char *buf;
    size_t size;
    size_t len; /* may pass size: the text is then truncated */
} textbuf;

static void tb_init(textbuf *tb, char *buf, size_t size)
{
    tb->buf = buf;
    tb->size = size;
    tb->len = 0;
    buf[0] = '\0';
}

static void tb_add(textbuf *tb, const char *s)
{
    size_t n = strlen(s);

    if (tb->size > 0 && tb->len < tb->size - 1) {
        size_t room = tb->size - 1 - tb->len;

        memcpy(tb->buf + tb->len, s, n < room ? n : room);
        tb->buf[tb->len + (n < room ? n : room)] = '\0';
    }
    tb->len += n;
}

/* The shapes as Python prints a list of tuples: "[(None, 3), (None, 5)]". */
static void format_shapes_py(const fc_shape *shapes, size_t n, char *buf, size_t size)
{
    char one[256];
    textbuf tb;
    size_t i;

    tb_init(&tb, buf, size);
    tb_add(&tb, "[");
    for (i = 0; i < n; i++) {
        fc_shape_format(&shapes[i], 0, one, sizeof(one));
        tb_add(&tb, i > 0 ? ", " : "");
        tb_add(&tb, one);
    }
    tb_add(&tb, "]");
}

/* One shape as JSON.stringify writes it: "[null,3]". */
static void format_shape_js(const fc_shape *shape, char *buf, size_t size)
{
    char inner[256];
    textbuf tb;

    fc_shape_format_js(shape, 0, inner, sizeof(inner));
    tb_init(&tb, buf, size);
    tb_add(&tb, "[");
    tb_add(&tb, inner);
    tb_add(&tb, "]");
}

/* The shapes as JSON.stringify writes a list of shapes: "[[null,3],[null,5]]". */
static void format_shapes_js(const fc_shape *shapes, size_t n, char *buf, size_t size)
{
    char one[256];
    textbuf tb;
    size_t i;

    tb_init(&tb, buf, size);
    tb_add(&tb, "[");
    for (i = 0; i < n; i++) {
        format_shape_js(&shapes[i], one, sizeof(one));
        tb_add(&tb, i > 0 ? "," : "");
        tb_add(&tb, one);
    }
    tb_add(&tb, "]");
}

/* The values every merge problem carries: shapes (Python) and shapes_js (TF.js). */
static void add_shape_vars(fc_build *b)
{
    char text[512];

    format_shapes_py(b->inputs, b->n_inputs, text, sizeof(text));
    fc_build_var(b, "shapes", "%s", text);
    format_shapes_js(b->inputs, b->n_inputs, text, sizeof(text));
    fc_build_var(b, "shapes_js", "%s", text);
}

/*
 * Whether two dimensions the framework compares make it refuse the layer.
 * Unknown dimensions never conflict: fitcheck cannot tell a None the user
 * declared from one it could not infer, and a false alarm is worse than a
 * late error. (TF.js and Keras's Dot do refuse None against a number; the
 * oracle confirms it for Concatenate.)
 */
static int dims_conflict(int64_t a, int64_t b)
{
    return a >= 0 && b >= 0 && a != b;
}

static int any_rank_unknown(const fc_build *b)
{
    size_t i;

    for (i = 0; i < b->n_inputs; i++) {
        if (b->inputs[i].rank == FC_RANK_UNKNOWN)
            return 1;
    }
    return 0;
}

/* Python's a % n for n > 0 (the result has n's sign). */
static int64_t py_mod(int64_t a, int64_t n)
{
    int64_t r = a % n;

    return r < 0 ? r + n : r;
}

/* ---- element-wise merges ------------------------------------------------- */

/* The shape without its batch axis (a rank-0 shape stays rank 0). */
static void sample_shape(const fc_shape *in, fc_shape *out)
{
    int i;

    out->rank = in->rank > 0 ? in->rank - 1 : 0;
    for (i = 0; i < out->rank; i++)
        out->dims[i] = in->dims[i + 1];
}

/*
 * One step of _compute_elemwise_op_output_shape: the longer shape keeps its
 * leading axes, the trailing ones broadcast pairwise. On a conflict returns
 * 0 and leaves in *first, *second the pair in the order Keras reports them
 * (the longer shape first).
 */
static int broadcast_step(const fc_shape *s1, const fc_shape *s2, fc_shape *out, fc_shape *first,
                          fc_shape *second)
{
    const fc_shape *l = s1, *s = s2;
    fc_shape r;
    int off, k;

    if (s1->rank < s2->rank) {
        l = s2;
        s = s1;
    }
    off = l->rank - s->rank;
    r.rank = l->rank;
    for (k = 0; k < off; k++)
        r.dims[k] = l->dims[k];
    for (k = 0; k < s->rank; k++) {
        int64_t i = l->dims[off + k], j = s->dims[k];

        if (i < 0 || j < 0)
            r.dims[off + k] = FC_DIM_UNKNOWN;
        else if (i == 1)
            r.dims[off + k] = j;
        else if (j == 1 || i == j)
            r.dims[off + k] = i;
        else {
            *first = *l;
            *second = *s;
            return 0;
        }
    }
    *out = r;
    return 1;
}

/* The size to project a branch to (the fix's Dense units): the first known last axis above 1. */
static void want_var(fc_build *b)
{
    int64_t fallback = FC_DIM_UNKNOWN;
    size_t i;

    for (i = 0; i < b->n_inputs; i++) {
        const fc_shape *s = &b->inputs[i];
        int64_t d = s->rank >= 2 ? s->dims[s->rank - 1] : FC_DIM_UNKNOWN;

        if (d > 1) {
            fc_build_var(b, "want", "%lld", (long long)d);
            return;
        }
        if (d >= 0 && fallback < 0)
            fallback = d;
    }
    if (fallback >= 0)
        fc_build_var(b, "want", "%lld", (long long)fallback);
    else
        fc_build_var(b, "want", "units");
}

static void merge_batch_problem(fc_build *b)
{
    char shapes[512];

    format_shapes_py(b->inputs, b->n_inputs, shapes, sizeof(shapes));
    fc_build_problem(b, FC_MERGE_SHAPE_MISMATCH, "%s '%s' merges tensors with different batch sizes: %s",
                     b->class_name, b->name, shapes);
    add_shape_vars(b);
    want_var(b);
}

static void merge_shape_problem(fc_build *b, const fc_shape *first, const fc_shape *second)
{
    char shapes[512], s1[256], s2[256];

    format_shapes_py(b->inputs, b->n_inputs, shapes, sizeof(shapes));
    fc_build_problem(b, FC_MERGE_SHAPE_MISMATCH, "%s '%s' cannot broadcast its inputs together: %s",
                     b->class_name, b->name, shapes);
    add_shape_vars(b);
    want_var(b);
    /* The pair the framework names: Keras "Received shapes {shape1} and {shape2}",
     * TF.js "... with shapes {shape1_js} {shape2_js}" (batch axis dropped). */
    fc_shape_format(first, 0, s1, sizeof(s1));
    fc_shape_format(second, 0, s2, sizeof(s2));
    fc_build_var(b, "shape1", "%s", s1);
    fc_build_var(b, "shape2", "%s", s2);
    format_shape_js(first, s1, sizeof(s1));
    format_shape_js(second, s2, sizeof(s2));
    fc_build_var(b, "shape1_js", "%s", s1);
    fc_build_var(b, "shape2_js", "%s", s2);
}

/*
 * Add, Multiply, Average, Maximum, Minimum (and Subtract's shapes).
 * keras3: keras/src/layers/merging/base_merge.py Merge.build,
 *   Merge._compute_elemwise_op_output_shape, Merge.compute_output_shape;
 * tf.keras2: tf_keras/layers/merging/base_merge.py _Merge.build (same rules);
 * tfjs: tfjs-layers/src/layers/merge.ts Merge.build,
 *   Merge.computeElementwiseOpOutputShape, Merge.computeOutputShape.
 * Batch sizes must agree where known; the per-sample shapes broadcast from
 * the right (a lower-rank input gains axes after the batch axis); the
 * output's batch axis is the one known batch size, else None. Keras accepts
 * a single input, TF.js wants two or more.
 */
static fc_status elemwise_build(fc_build *b)
{
    fc_shape acc, cur, first, second;
    int64_t batch = FC_DIM_UNKNOWN;
    size_t i;

    if (b->n_inputs == 0 || any_rank_unknown(b)) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    for (i = 0; i < b->n_inputs; i++) {
        int64_t d = b->inputs[i].rank >= 1 ? b->inputs[i].dims[0] : FC_DIM_UNKNOWN;

        if (d < 0)
            continue;
        if (batch >= 0 && d != batch) {
            merge_batch_problem(b);
            return FC_OK;
        }
        batch = d;
    }
    if (b->n_inputs == 1 && b->target == FC_FW_TFJS) {
        /* oracle: "A merge layer should be called on an Array of at least 2 inputs. Got 1 input(s)." */
        fc_build_problem(b, FC_MERGE_SHAPE_MISMATCH, "%s '%s' merges a single input, which TF.js refuses",
                         b->class_name, b->name);
        add_shape_vars(b);
        want_var(b);
        return FC_OK;
    }
    sample_shape(&b->inputs[0], &acc);
    for (i = 1; i < b->n_inputs; i++) {
        sample_shape(&b->inputs[i], &cur);
        if (!broadcast_step(&acc, &cur, &acc, &first, &second)) {
            merge_shape_problem(b, &first, &second);
            return FC_OK;
        }
    }
    if (acc.rank + 1 > FC_MAX_RANK) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    b->n_outputs = 1;
    b->outputs[0].rank = acc.rank + 1;
    b->outputs[0].dims[0] = batch;
    for (i = 0; i < (size_t)acc.rank; i++)
        b->outputs[0].dims[i + 1] = acc.dims[i];
    return FC_OK;
}

/*
 * Subtract: the element-wise rules, then exactly two inputs.
 * keras3: keras/src/layers/merging/subtract.py Subtract.build ("A `Subtract`
 *   layer should be called on exactly 2 inputs. Received: input_shape=...",
 *   raised after Merge.build); tf.keras2: tf_keras/layers/merging/subtract.py
 *   Subtract.build (same); tfjs: no Subtract class (oracle: "Unknown layer:
 *   Subtract").
 */
static fc_status subtract_build(fc_build *b)
{
    char shapes[512];

    elemwise_build(b);
    if (b->has_problem || b->n_inputs == 2 || b->n_inputs == 0)
        return FC_OK;
    format_shapes_py(b->inputs, b->n_inputs, shapes, sizeof(shapes));
    fc_build_problem(b, FC_MERGE_SHAPE_MISMATCH, "Subtract '%s' needs exactly 2 inputs but receives %zu: %s",
                     b->name, b->n_inputs, shapes);
    add_shape_vars(b);
    want_var(b);
    return FC_OK;
}

/* ---- Concatenate --------------------------------------------------------- */

/*
 * The axis of a Concatenate config: an int, or (Keras 2 writing, read by
 * Keras 3's legacy loader keras/src/legacy/saving/saving_utils.py
 * model_from_config when the layer has no "module") a list of one int. That
 * loader drops any other list, leaving the default -1. Returns 0 when the
 * framework cannot use the axis.
 */
static int concat_axis(const fc_build *b, int64_t *axis)
{
    const json_t *v = json_object_get(b->config, "axis");
    int legacy = (b->target == FC_FW_KERAS3 || b->target == FC_FW_UNKNOWN) &&
                 json_object_get(b->layer, "module") == NULL;

    *axis = -1;
    if (v == NULL || json_is_null(v))
        return 1;
    if (json_is_integer(v)) {
        *axis = (int64_t)json_integer_value(v);
        return 1;
    }
    if (!json_is_array(v) || !legacy)
        return 0;
    if (json_array_size(v) == 1) {
        if (!json_is_integer(json_array_get(v, 0)))
            return 0;
        *axis = (int64_t)json_integer_value(json_array_get(v, 0));
    }
    return 1;
}

static void concat_problem(fc_build *b, int64_t axis)
{
    char shapes[512];

    format_shapes_py(b->inputs, b->n_inputs, shapes, sizeof(shapes));
    fc_build_problem(b, FC_CONCAT_SHAPE_MISMATCH,
                     "Concatenate '%s' joins along axis %lld inputs that differ on another axis: %s", b->name,
                     (long long)axis, shapes);
    fc_build_var(b, "axis", "%lld", (long long)axis);
    add_shape_vars(b);
}

/* Removes what JavaScript's shape.splice(axis, 1) removes (nothing past the end). */
static void js_splice(const fc_shape *in, int64_t axis, fc_shape *out)
{
    int64_t start = axis < 0 ? (axis + in->rank > 0 ? axis + in->rank : 0) : axis;
    int i;

    out->rank = 0;
    for (i = 0; i < in->rank; i++) {
        if (i != start)
            out->dims[out->rank++] = in->dims[i];
    }
}

/*
 * TF.js Concatenate.build with an axis outside the rank: each shape loses
 * what splice removes there, and the rest must agree. Returns 1 when they
 * do not (TF.js then refuses the layer; when they do, it builds a shape
 * that fails at fit, which fitcheck leaves unknown).
 */
static int tfjs_splice_mismatch(const fc_build *b, int64_t axis)
{
    fc_shape first, cur;
    size_t i;
    int d;

    js_splice(&b->inputs[0], axis, &first);
    for (i = 1; i < b->n_inputs; i++) {
        js_splice(&b->inputs[i], axis, &cur);
        if (cur.rank != first.rank)
            return 1;
        for (d = 0; d < cur.rank; d++) {
            if (dims_conflict(cur.dims[d], first.dims[d]))
                return 1;
        }
    }
    return 0;
}

/*
 * Concatenate.
 * keras3: keras/src/layers/merging/concatenate.py Concatenate.build (drop the
 *   concat axis from each shape; ranks must agree; on every other axis the
 *   known sizes must agree), Concatenate.compute_output_shape (the first
 *   input's shape, the concat axis summed, None once any is None);
 * tf.keras2: tf_keras/layers/merging/concatenate.py Concatenate.build (same);
 * tfjs: tfjs-layers/src/layers/merge.ts Concatenate.build (the shapes without
 *   the axis must be equal, null included: stricter, see dims_conflict),
 *   Concatenate.computeOutputShape (same as Keras).
 * An axis outside an input's rank is an IndexError in Keras: the output is
 * left unknown. TF.js then compares the shapes less what splice removes
 * (see tfjs_splice_mismatch); with a list axis it builds a nonsense shape
 * (oracle: [-1] gives the first input's shape), also left unknown.
 */
static fc_status concatenate_build(fc_build *b)
{
    int64_t axis, a, sum;
    int rank, d;
    size_t i;

    if (b->n_inputs == 0 || any_rank_unknown(b) || !concat_axis(b, &axis)) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    if (b->n_inputs == 1 && b->target == FC_FW_TFJS) {
        /* TF.js Concatenate.build (oracle): "A `Concatenate` layer should be called on a list of at
         * least 2 inputs" */
        char shapes[512];

        format_shapes_py(b->inputs, 1, shapes, sizeof(shapes));
        fc_build_problem(b, FC_CONCAT_SHAPE_MISMATCH, "Concatenate '%s' has a single input, which TF.js refuses: %s",
                         b->name, shapes);
        fc_build_var(b, "axis", "%lld", (long long)axis);
        add_shape_vars(b);
        return FC_OK;
    }
    rank = b->inputs[0].rank;
    for (i = 0; i < b->n_inputs; i++) {
        int r = b->inputs[i].rank;

        if (axis >= r || axis < -(int64_t)r) {
            if (b->target == FC_FW_TFJS && tfjs_splice_mismatch(b, axis))
                concat_problem(b, axis);
            else
                fc_build_unknown_output(b);
            return FC_OK;
        }
    }
    for (i = 1; i < b->n_inputs; i++) {
        if (b->inputs[i].rank != rank) {
            concat_problem(b, axis);
            return FC_OK;
        }
    }
    a = axis < 0 ? axis + rank : axis;
    for (d = 0; d < rank; d++) {
        if (d == a)
            continue;
        for (i = 1; i < b->n_inputs; i++) {
            size_t j;

            for (j = 0; j < i; j++) {
                if (dims_conflict(b->inputs[i].dims[d], b->inputs[j].dims[d])) {
                    concat_problem(b, axis);
                    return FC_OK;
                }
            }
        }
    }
    b->n_outputs = 1;
    b->outputs[0] = b->inputs[0];
    sum = b->inputs[0].dims[a];
    for (i = 1; i < b->n_inputs && sum >= 0; i++)
        sum = fc_dim_add(sum, b->inputs[i].dims[a]);
    b->outputs[0].dims[a] = sum;
    return FC_OK;
}

/* ---- Dot ------------------------------------------------------------------ */

/* Dot's axes as configured: *x, *y for the two inputs; 0 when malformed. *is_list tells the list form. */
static int dot_raw_axes(const json_t *v, int64_t *x, int64_t *y, int *is_list)
{
    *is_list = json_is_array(v);
    if (json_is_integer(v)) {
        *x = *y = (int64_t)json_integer_value(v);
        return 1;
    }
    if (json_is_array(v) && json_array_size(v) == 2 && json_is_integer(json_array_get(v, 0)) &&
        json_is_integer(json_array_get(v, 1))) {
        *x = (int64_t)json_integer_value(json_array_get(v, 0));
        *y = (int64_t)json_integer_value(json_array_get(v, 1));
        return 1;
    }
    return 0;
}

/*
 * Keras's axes for ranks r1, r2 into (a0, a1): a negative int is taken
 * modulo the rank (self.axes % len(shape); TF.js interpretAxis adds the rank
 * until >= 0, the same); a list is used as given, so Python indexing takes a
 * negative entry from the end. 0 when an axis is outside its shape (an
 * IndexError in Keras).
 */
static int dot_axes(int64_t x, int64_t y, int is_list, int r1, int r2, int *a0, int *a1)
{
    if (r1 < 1 || r2 < 1)
        return 0;
    if (!is_list && x < 0) {
        x = py_mod(x, r1);
        y = py_mod(y, r2);
    } else if (is_list) {
        x = x < 0 ? x + r1 : x;
        y = y < 0 ? y + r2 : y;
    }
    if (x < 0 || x >= r1 || y < 0 || y >= r2)
        return 0;
    *a0 = (int)x;
    *a1 = (int)y;
    return 1;
}

/*
 * Records Dot's size mismatch between axis x of the first input and axis y
 * of the second. u0 / u1 mark a side where TF.js reads undefined (an axis it
 * does not normalize: a negative list entry, or one past the rank).
 */
static void dot_problem(fc_build *b, int64_t x, int64_t y, int u0, int u1)
{
    const json_t *axes = json_object_get(b->config, "axes");
    char shapes[512], d1[32], d2[32], ax[64];

    if (u0)
        snprintf(d1, sizeof(d1), "undefined");
    else
        snprintf(d1, sizeof(d1), "%lld", (long long)b->inputs[0].dims[x]);
    if (u1)
        snprintf(d2, sizeof(d2), "undefined");
    else
        snprintf(d2, sizeof(d2), "%lld", (long long)b->inputs[1].dims[y]);
    if (json_is_array(axes))
        snprintf(ax, sizeof(ax), "[%lld, %lld]", (long long)json_integer_value(json_array_get(axes, 0)),
                 (long long)json_integer_value(json_array_get(axes, 1)));
    else
        snprintf(ax, sizeof(ax), "%lld", (long long)json_integer_value(axes));
    format_shapes_py(b->inputs, 2, shapes, sizeof(shapes));
    if (u0 || u1)
        fc_build_problem(b, FC_MERGE_SHAPE_MISMATCH,
                         "Dot '%s' has axes=%s: TF.js does not normalize that axis, reads an undefined size, and "
                         "refuses to compare it with %s: %s",
                         b->name, ax, u0 ? d2 : d1, shapes);
    else
        fc_build_problem(b, FC_MERGE_SHAPE_MISMATCH,
                         "Dot '%s' (axes=%s) takes the dot product over axis %lld of size %s and axis %lld of "
                         "size %s: %s",
                         b->name, ax, (long long)x, d1, (long long)y, d2, shapes);
    add_shape_vars(b);
    fc_build_var(b, "want", "%s", u1 ? d1 : d2);
    fc_build_var(b, "axes", "%s", ax);
    /* Keras: "axis values {dim1} (at axis {axis1}) != {dim2} (at axis {axis2}). Full input shapes:
     * {shape1}, {shape2}"; TF.js: "Dimension incompatibility: {dim1} !== {dim2}". */
    fc_build_var(b, "dim1", "%s", d1);
    fc_build_var(b, "dim2", "%s", d2);
    fc_build_var(b, "axis1", "%lld", (long long)x);
    fc_build_var(b, "axis2", "%lld", (long long)y);
    fc_shape_format(&b->inputs[0], 0, shapes, sizeof(shapes));
    fc_build_var(b, "shape1", "%s", shapes);
    fc_shape_format(&b->inputs[1], 0, shapes, sizeof(shapes));
    fc_build_var(b, "shape2", "%s", shapes);
}

/*
 * Dot's axes outside an input's shape: Keras's Dot.build indexes the shape
 * tuple (an IndexError); TF.js, where both sides read undefined, builds the
 * layer with an output shape its fit cannot produce (oracle: the target
 * check then fails on a rank the model does not really have).
 */
static void dot_axis_problem(fc_build *b, int64_t x, int64_t y)
{
    const json_t *axes = json_object_get(b->config, "axes");
    char shapes[512], ax[64];

    if (json_is_array(axes))
        snprintf(ax, sizeof(ax), "[%lld, %lld]", (long long)x, (long long)y);
    else
        snprintf(ax, sizeof(ax), "%lld", (long long)x);
    format_shapes_py(b->inputs, 2, shapes, sizeof(shapes));
    fc_build_problem(b, FC_LAYER_CONFIG_INVALID, "Dot '%s' has axes=%s, outside its inputs %s", b->name, ax, shapes);
    fc_build_var(b, "detail", "takes the dot product over axes=%s, but its inputs %s have ranks %d and %d "
                 "(axes 0 to %d and 0 to %d, the batch axis included)", ax, shapes, b->inputs[0].rank,
                 b->inputs[1].rank, b->inputs[0].rank - 1, b->inputs[1].rank - 1);
    fc_build_var(b, "consequence", "%s", "Keras refuses the layer when the model is built; TF.js builds it with an "
                                         "output shape its fit cannot produce, and fails later.");
    fc_build_var(b, "fix_summary", "%s", "Take the product over an axis both inputs have (-1: the features)");
    fc_build_var(b, "fix", "%s", "keras.layers.Dot(axes=-1)");
    fc_build_var(b, "k3_error", "%s", "tuple index out of range");
    fc_build_var(b, "k2_error", "%s", "tuple index out of range");
    fc_build_var(b, "js_error", "%s", "(no error when the model is built: TF.js reads the size of each axis as "
                                      "undefined; fit fails later, on the output shape)");
}

/*
 * TF.js's Dot.build check: an int axis is normalized (interpretAxis), a
 * list is used as given, and shape[axis] outside the shape is undefined.
 * undefined matches only undefined (oracle: "Dimension incompatibility: 3
 * !== undefined", "undefined !== 3"). Returns 0 after recording a problem.
 */
static int tfjs_dot_check(fc_build *b, int64_t x, int64_t y, int is_list)
{
    int r1 = b->inputs[0].rank, r2 = b->inputs[1].rank, u0, u1;

    if (r1 < 1 || r2 < 1)
        return 1; /* no batch axis: left to dot_axes, which gives up */
    if (!is_list && x < 0) {
        x = py_mod(x, r1);
        y = py_mod(y, r2);
    }
    u0 = x < 0 || x >= r1;
    u1 = y < 0 || y >= r2;
    if (u0 != u1) {
        dot_problem(b, x, y, u0, u1);
        return 0;
    }
    if (!u0 && dims_conflict(b->inputs[0].dims[x], b->inputs[1].dims[y])) {
        dot_problem(b, x, y, 0, 0);
        return 0;
    }
    return 1;
}

/*
 * Dot (axes, normalize: normalize adds no weights and keeps the shape).
 * keras3: keras/src/layers/merging/dot.py Dot.build ("Incompatible input
 *   shapes: axis values {d1} (at axis {a0}) != {d2} (at axis {a1}). Full
 *   input shapes: {shape1}, {shape2}"), Dot.compute_output_shape (shape1
 *   without axes[0], then shape2 without axes[1] and its first remaining
 *   axis; a single axis gains a 1);
 * tf.keras2: tf_keras/layers/merging/dot.py Dot.build, compute_output_shape
 *   (same);
 * tfjs: tfjs-layers/src/layers/merge.ts Dot.build ("Dimension
 *   incompatibility: {d1} !== {d2}", with the axis reading of
 *   tfjs_dot_check; rank above 3 is a NotImplementedError, reported as
 *   TFJS_UNSUPPORTED), Dot.computeOutputShape (same shape rule).
 * A dimension mismatch is reported as MERGE_SHAPE_MISMATCH. An axis outside
 * a shape is LAYER_CONFIG_INVALID (dot_axis_problem): Keras raises
 * IndexError, and where TF.js builds it gives a shape its fit cannot produce.
 */
static fc_status dot_build(fc_build *b)
{
    const fc_shape *s1, *s2;
    fc_shape out;
    int64_t x, y;
    int a0, a1, i, k, is_list;

    if (b->n_inputs != 2 || any_rank_unknown(b) ||
        !dot_raw_axes(json_object_get(b->config, "axes"), &x, &y, &is_list)) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    s1 = &b->inputs[0];
    s2 = &b->inputs[1];
    if (b->target == FC_FW_TFJS && (s1->rank > 3 || s2->rank > 3)) {
        /* TF.js Dot.build, before the axes (oracle dot4) */
        fc_build_problem(b, FC_TFJS_UNSUPPORTED, "TF.js's Dot '%s' takes inputs of rank 3 at most, not %d and %d",
                         b->name, s1->rank, s2->rank);
        fc_build_var(b, "detail", " on inputs of rank above 3 (batch axis included)");
        fc_build_var(b, "fix", "keras.layers.Reshape((-1, n))  # bring each input to rank 3 before Dot");
        fc_build_var(b, "tfjs_error", "Dot layer does not support tensors of 4D or higher rank yet.");
        return FC_OK;
    }
    if (b->target == FC_FW_TFJS && !tfjs_dot_check(b, x, y, is_list))
        return FC_OK;
    if (!dot_axes(x, y, is_list, s1->rank, s2->rank, &a0, &a1)) {
        dot_axis_problem(b, x, y);
        return FC_OK;
    }
    if (s2->rank < 2 || s1->rank - 1 + s2->rank - 2 > FC_MAX_RANK) {
        fc_build_unknown_output(b);
        return FC_OK;
    }
    if (b->target != FC_FW_TFJS && dims_conflict(s1->dims[a0], s2->dims[a1])) {
        dot_problem(b, a0, a1, 0, 0);
        return FC_OK;
    }
    out.rank = 0;
    for (i = 0; i < s1->rank; i++) {
        if (i != a0)
            out.dims[out.rank++] = s1->dims[i];
    }
    k = 0; /* shape2 after popping axes[1]: its first remaining axis is dropped too */
    for (i = 0; i < s2->rank; i++) {
        if (i == a1)
            continue;
        if (k++ > 0)
            out.dims[out.rank++] = s2->dims[i];
    }
    if (out.rank == 1)
        out.dims[out.rank++] = 1;
    b->n_outputs = 1;
    b->outputs[0] = out;
    return FC_OK;
}

/* ---- attention ------------------------------------------------------------ */

/* Adds weights, marking the count unknown when n is (a negative size). */
static void add_weights(fc_build *b, int64_t n)
{
    if (n < 0)
        b->params_unknown = 1;
    else
        fc_build_add_params(b, n, 1);
}

/* One EinsumDense projection: kernel in_dim x units, and a bias of units when use_bias. */
static void add_projection(fc_build *b, int64_t in_dim, int64_t units, int use_bias)
{
    add_weights(b, fc_dim_mul(in_dim, units));
    if (use_bias)
        add_weights(b, units);
}

/*
 * MHA's output_shape: absent, null, 0 or [] mean the query's last axis (Python
 * "if output_shape:"); an int is one axis; a list gives several. Fills dims
 * (FC_DIM_UNKNOWN for a non-integer entry) and returns the count, or -1 when
 * the default applies, or -2 when the list is too long to hold.
 */
static int mha_output_shape(const json_t *v, int64_t *dims, int max)
{
    size_t i;

    if (json_is_integer(v) && json_integer_value(v) != 0) {
        dims[0] = json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : FC_DIM_UNKNOWN;
        return 1;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return -1;
    if (json_array_size(v) > (size_t)max)
        return -2;
    for (i = 0; i < json_array_size(v); i++) {
        const json_t *d = json_array_get(v, i);

        dims[i] = json_is_integer(d) && json_integer_value(d) >= 0 ? (int64_t)json_integer_value(d)
                                                                   : FC_DIM_UNKNOWN;
    }
    return (int)json_array_size(v);
}

/*
 * MultiHeadAttention, called as (query, value[, key]).
 * keras3: keras/src/layers/attention/multi_head_attention.py
 *   MultiHeadAttention.__init__ (value_dim defaults to key_dim), .build (four
 *   EinsumDense: query/key kernels (dim, heads, key_dim), value kernel (dim,
 *   heads, value_dim), biases (heads, key_dim|value_dim); use_gate adds a gate
 *   projection of the query like the value one; _make_output_dense: kernel
 *   (heads, value_dim, *output_shape), bias output_shape, with output_shape
 *   defaulting to [query_shape[-1]]), .compute_output_shape (query_shape[:-1]
 *   + output_shape); _build_proj_equation for the kernel and bias axes;
 * tf.keras2: tf_keras/layers/attention/multi_head_attention.py
 *   _build_from_signature (same weights, no use_gate);
 * tfjs: not registered in TF.js Layers 4.22 (oracle: "Unknown layer:
 *   MultiHeadAttention").
 * A call with only the query known (Keras 2 writes value= as a call kwarg)
 * gives the output shape but unknown weights.
 */
static fc_status multi_head_attention_build(fc_build *b)
{
    const fc_shape *q, *v, *k;
    int64_t heads = fc_cfg_int(b->config, "num_heads", -1), key_dim = fc_cfg_int(b->config, "key_dim", -1);
    int64_t value_dim = fc_cfg_int(b->config, "value_dim", 0), out_dims[FC_MAX_RANK], out_units = 1;
    int use_bias = fc_cfg_bool(b->config, "use_bias", 1);
    int use_gate = b->target != FC_FW_TFKERAS2 && fc_cfg_bool(b->config, "use_gate", 0);
    int n_out, i;
    int64_t qd, hk, hv;

    if (b->n_inputs == 0 || any_rank_unknown(b) || b->inputs[0].rank < 1) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    q = &b->inputs[0];
    v = b->n_inputs >= 2 ? &b->inputs[1] : NULL;
    k = b->n_inputs >= 3 ? &b->inputs[2] : v;
    qd = q->dims[q->rank - 1];
    n_out = mha_output_shape(json_object_get(b->config, "output_shape"), out_dims, FC_MAX_RANK);
    if (n_out == -1) {
        out_dims[0] = qd;
        n_out = 1;
    }
    b->n_outputs = 1;
    if (n_out < 0 || q->rank - 1 + n_out > FC_MAX_RANK) {
        fc_shape_unknown(&b->outputs[0]);
        b->params_unknown = 1;
        return FC_OK;
    }
    b->outputs[0] = *q;
    b->outputs[0].rank = q->rank - 1 + n_out;
    for (i = 0; i < n_out; i++) {
        b->outputs[0].dims[q->rank - 1 + i] = out_dims[i];
        out_units = fc_dim_mul(out_units, out_dims[i]);
    }
    if (value_dim <= 0)
        value_dim = key_dim;
    if (heads < 1 || key_dim < 1 || v == NULL || v->rank < 1 || k->rank < 1) {
        b->params_unknown = 1;
        return FC_OK;
    }
    hk = fc_dim_mul(heads, key_dim);
    hv = fc_dim_mul(heads, value_dim);
    add_projection(b, qd, hk, use_bias);                      /* query */
    add_projection(b, k->dims[k->rank - 1], hk, use_bias);    /* key */
    add_projection(b, v->dims[v->rank - 1], hv, use_bias);    /* value */
    if (use_gate)
        add_projection(b, qd, hv, use_bias);                  /* gate */
    add_weights(b, fc_dim_mul(hv, out_units));                /* attention_output kernel */
    if (use_bias)
        add_weights(b, out_units);
    return FC_OK;
}

/*
 * Attention and AdditiveAttention, called on [query, value] or [query,
 * value, key].
 * keras3: keras/src/layers/attention/attention.py Attention.build (scale ()
 *   when use_scale, default False; concat_score_weight () when score_mode is
 *   "concat"), Attention.compute_output_shape ((*query_shape[:-1],
 *   value_shape[-1]));
 *   keras/src/layers/attention/additive_attention.py AdditiveAttention.build
 *   (scale (query_shape[-1],) when use_scale, default True);
 * tf.keras2: tf_keras/layers/attention/attention.py Attention.build (same
 *   weights), base_dense_attention.py BaseDenseAttention.compute_output_shape
 *   (the query's shape), additive_attention.py AdditiveAttention.build (scale
 *   sized by the value's last axis);
 * tfjs: neither class exists in TF.js Layers 4.22 (oracle: "Unknown layer").
 */
static fc_status attention_common(fc_build *b, int additive)
{
    const fc_shape *q, *v;
    int keras2 = b->target == FC_FW_TFKERAS2 || b->target == FC_FW_TFJS;

    if (b->n_inputs == 0 || any_rank_unknown(b) || b->inputs[0].rank < 1) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    q = &b->inputs[0];
    v = b->n_inputs >= 2 ? &b->inputs[1] : q;
    b->n_outputs = 1;
    b->outputs[0] = *q;
    if (!keras2)
        b->outputs[0].dims[q->rank - 1] = v->rank >= 1 ? v->dims[v->rank - 1] : FC_DIM_UNKNOWN;
    if (additive) {
        const fc_shape *from = keras2 ? v : q;

        if (fc_cfg_bool(b->config, "use_scale", 1))
            add_weights(b, from->rank >= 1 ? from->dims[from->rank - 1] : FC_DIM_UNKNOWN);
        return FC_OK;
    }
    if (fc_cfg_bool(b->config, "use_scale", 0))
        add_weights(b, 1);
    if (strcmp(fc_cfg_str(b->config, "score_mode", "dot"), "concat") == 0)
        add_weights(b, 1);
    return FC_OK;
}

static fc_status attention_build(fc_build *b)
{
    return attention_common(b, 0);
}

static fc_status additive_attention_build(fc_build *b)
{
    return attention_common(b, 1);
}

const fc_layer_kind fc_layers_merge[] = {
    {"Add", elemwise_build},
    {"Subtract", subtract_build},
    {"Multiply", elemwise_build},
    {"Average", elemwise_build},
    {"Maximum", elemwise_build},
    {"Minimum", elemwise_build},
    {"Concatenate", concatenate_build},
    {"Dot", dot_build},
    {"MultiHeadAttention", multi_head_attention_build},
    {"Attention", attention_build},
    {"AdditiveAttention", additive_attention_build},
    {NULL, NULL},
};
