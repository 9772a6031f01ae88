/*
 * test_layer_merge.c - core/layer_merge.c: the element-wise merges and their
 * broadcasting, Concatenate, Dot, MultiHeadAttention, Attention and
 * AdditiveAttention, each built on given input shapes for a target
 * framework; the values their problems carry; and the problems as findings
 * through the graph.
 *
 * Expected values for the tfjs target come from the oracle (a real TF.js
 * 4.22 model.fit, ../shared/oracle): the ids in the comments (Add-p9,
 * Concat-p16, ...) name scenarios of the run made when this file was
 * written; each case carries its scenario's shapes and config, so any can
 * be replayed through the oracle as a one-layer Functional model. TF.js has no Subtract, MultiHeadAttention, Attention or
 * AdditiveAttention: their values come from the Keras sources named in
 * layer_merge.c and from Keras's own layer tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_json.h"

#include "fitcheck/graph.h"
#include "fitcheck/model.h"
#include "../../core/layers.h"

#define UNKNOWN_PARAMS (-1)
#define ANY_PARAMS (-2) /* not checked: the registry may or may not count after an unknown rank */

typedef struct build_case {
    const char *name;      /* what the case shows and where its values come from */
    const char *layer;     /* the layer object, with ' for " */
    const char *inputs;    /* the input shapes as a JSON list (null: rank unknown), ' for " */
    fc_framework target;
    const char *output;    /* the output as fc_shape_format prints it, when no problem */
    const char *problem;   /* the finding code the layer raises, or NULL */
    int64_t trainable;     /* UNKNOWN_PARAMS when the count is unknown, ANY_PARAMS when not checked */
    int64_t non_trainable;
} build_case;

/* Builds the case's layer on its inputs into *b. */
static void build(const build_case *c, fc_build *b, json_t **layer_out)
{
    json_t *layer = fixture_json(c->layer), *inputs = fixture_json(c->inputs);
    static fc_shape in[FC_MAX_LAYER_IO];
    size_t i;
    int known = 0;

    assert_true(json_array_size(inputs) <= FC_MAX_LAYER_IO);
    for (i = 0; i < json_array_size(inputs); i++) {
        const json_t *s = json_array_get(inputs, i);

        if (json_is_null(s))
            fc_shape_unknown(&in[i]);
        else if (fc_shape_from_json(s, 1, "", &in[i], NULL) != FC_OK)
            fail_msg("%s: bad input shape", c->name);
    }
    if (fc_layer_build_object(layer, in, json_array_size(inputs), c->target, NULL, 0, b, &known) != FC_OK || !known)
        fail_msg("%s: the layer does not build", c->name);
    json_decref(inputs);
    *layer_out = layer; /* the build's strings point into it */
}

static void check_case(const build_case *c)
{
    fc_build b;
    json_t *layer;
    char out[256];

    build(c, &b, &layer);
    if (c->problem != NULL) {
        if (!b.has_problem)
            fail_msg("%s: expected %s, got no problem", c->name, c->problem);
        if (strcmp(fc_catalog_get(b.problem)->code, c->problem) != 0)
            fail_msg("%s: expected %s, got %s", c->name, c->problem, fc_catalog_get(b.problem)->code);
    } else {
        if (b.has_problem)
            fail_msg("%s: unexpected %s: %s", c->name, fc_catalog_get(b.problem)->code, b.message);
        assert_int_equal(b.n_outputs, 1);
        fc_shape_format(&b.outputs[0], 0, out, sizeof(out));
        if (strcmp(out, c->output) != 0)
            fail_msg("%s: output %s, expected %s", c->name, out, c->output);
    }
    if (c->trainable == ANY_PARAMS) {
        /* nothing */
    } else if (c->trainable == UNKNOWN_PARAMS) {
        if (!b.params_unknown)
            fail_msg("%s: params should be unknown, got %lld/%lld", c->name, (long long)b.trainable,
                     (long long)b.non_trainable);
    } else if (b.params_unknown || b.trainable != c->trainable || b.non_trainable != c->non_trainable) {
        fail_msg("%s: params %s%lld/%lld, expected %lld/%lld", c->name, b.params_unknown ? "unknown " : "",
                 (long long)b.trainable, (long long)b.non_trainable, (long long)c->trainable,
                 (long long)c->non_trainable);
    }
    json_decref(layer);
}

static void check_cases(const build_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        check_case(&cases[i]);
}

/* The value of the problem's variable name; fails when absent. */
static const char *var(const fc_build *b, const char *name)
{
    size_t i;

    for (i = 0; i < b->n_vars; i++) {
        if (strcmp(b->var_names[i], name) == 0)
            return b->var_values[i];
    }
    fail_msg("no variable %s", name);
    return NULL;
}

#define ADD "{'class_name': 'Add', 'config': {'name': 'add'}}"
#define K3 FC_FW_KERAS3
#define K2 FC_FW_TFKERAS2
#define JS FC_FW_TFJS

/* ---- element-wise merges ------------------------------------------------- */

static const build_case elemwise_cases[] = {
    {"same shapes (oracle Add-p0)", ADD, "[[null,3],[null,3]]", JS, "(None, 3)", NULL, 0, 0},
    {"mismatch (oracle Add-p1)", ADD, "[[null,3],[null,5]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"1 broadcasts (oracle Add-p2)", ADD, "[[null,3],[null,1]]", JS, "(None, 3)", NULL, 0, 0},
    {"1 broadcasts either way (oracle Add-p3)", ADD, "[[null,1],[null,4]]", JS, "(None, 4)", NULL, 0, 0},
    {"lower rank aligns right (oracle Add-p5)", ADD, "[[null,2,3],[null,3]]", JS, "(None, 2, 3)", NULL, 0, 0},
    {"lower rank mismatch (oracle Add-p6)", ADD, "[[null,2,3],[null,2]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"broadcast across ranks (oracle Add-p7)", ADD, "[[null,2,1],[null,3]]", JS, "(None, 2, 3)", NULL, 0, 0},
    {"rank 3 with rank 2 (oracle Add-p8)", ADD, "[[null,4,1,3],[null,5,3]]", JS, "(None, 4, 5, 3)", NULL, 0, 0},
    {"both broadcast (oracle Add-p9)", ADD, "[[null,4,1,3],[null,2,1]]", JS, "(None, 4, 2, 3)", NULL, 0, 0},
    {"None with a size is None (oracle Add-p10)", ADD, "[[null,null,3],[null,4,3]]", JS, "(None, None, 3)", NULL,
     0, 0},
    {"None does not hide a mismatch elsewhere (oracle Add-p11)", ADD, "[[null,null,3],[null,4,5]]", JS, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"None with 3 (oracle Add-p12)", ADD, "[[null,null],[null,3]]", JS, "(None, None)", NULL, 0, 0},
    {"transposed (oracle Add-p16)", ADD, "[[null,2,3],[null,3,2]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"rank 1 sample with rank 3 (oracle Add-p19)", ADD, "[[null,1],[null,2,3,4]]", JS, "(None, 2, 3, 4)", NULL, 0,
     0},
    {"trailing None (oracle Add-p20)", ADD, "[[null,3,null],[null,3,7]]", JS, "(None, 3, None)", NULL, 0, 0},
    {"three inputs (oracle Add-t2)", ADD, "[[null,2,3],[null,3],[null,1]]", JS, "(None, 2, 3)", NULL, 0, 0},
    {"three inputs, third mismatches (oracle Add-t3)", ADD, "[[null,3],[null,3],[null,4]]", JS, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"accumulated shape mismatches (oracle Add-t5)", ADD, "[[null,2,1],[null,1,3],[null,3,3]]", JS, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"Multiply (oracle Multiply-p13)", "{'class_name': 'Multiply', 'config': {'name': 'm'}}",
     "[[null,2,3,4],[null,1,4]]", JS, "(None, 2, 3, 4)", NULL, 0, 0},
    {"Average (oracle Average-p18)", "{'class_name': 'Average', 'config': {'name': 'a'}}", "[[null,5],[null,5,5]]",
     JS, "(None, 5, 5)", NULL, 0, 0},
    {"Maximum (oracle Maximum-p17)", "{'class_name': 'Maximum', 'config': {'name': 'a'}}",
     "[[null,1,1],[null,2,3]]", JS, "(None, 2, 3)", NULL, 0, 0},
    {"Minimum mismatch (oracle Minimum-p1)", "{'class_name': 'Minimum', 'config': {'name': 'a'}}",
     "[[null,3],[null,5]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"Keras 3 broadcasts alike (base_merge.py)", ADD, "[[null,4,1,3],[null,2,1]]", K3, "(None, 4, 2, 3)", NULL, 0,
     0},
    {"known batch sizes must agree (base_merge.py Merge.build)", ADD, "[[2,3],[4,3]]", K3, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"the one known batch size is the output's", ADD, "[[8,3],[null,3]]", K3, "(8, 3)", NULL, 0, 0},
    {"a single input passes through in Keras", ADD, "[[null,3]]", K3, "(None, 3)", NULL, 0, 0},
    {"TF.js wants two (oracle add1: 'at least 2 inputs. Got 1 input(s).')", ADD, "[[null,3]]", JS, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"unknown rank: unknown output, no problem", ADD, "[null,[null,5]]", K3, "<unknown>", NULL, ANY_PARAMS, 0},
    {"Subtract of two (subtract.py)", "{'class_name': 'Subtract', 'config': {'name': 's'}}",
     "[[null,2,3],[null,3]]", K3, "(None, 2, 3)", NULL, 0, 0},
    {"Subtract of three (Subtract.build)", "{'class_name': 'Subtract', 'config': {'name': 's'}}",
     "[[null,3],[null,3],[null,3]]", K3, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"Subtract reports the shape mismatch first", "{'class_name': 'Subtract', 'config': {'name': 's'}}",
     "[[null,3],[null,4],[null,3]]", K2, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
};

static void test_layer_merge__elementwise_broadcasting(void **state)
{
    (void)state;
    check_cases(elemwise_cases, sizeof(elemwise_cases) / sizeof(elemwise_cases[0]));
}

/* The values MERGE_SHAPE_MISMATCH's templates use, and the pair each framework names. */
static void test_layer_merge__mismatch_values(void **state)
{
    static const build_case c = {"Add-t5", ADD, "[[null,2,1],[null,1,3],[null,3,3]]", JS, NULL,
                                 "MERGE_SHAPE_MISMATCH", 0, 0};
    fc_build b;
    json_t *layer;

    (void)state;
    build(&c, &b, &layer);
    assert_true(b.has_problem);
    assert_string_equal(var(&b, "shapes"), "[(None, 2, 1), (None, 1, 3), (None, 3, 3)]");
    assert_string_equal(var(&b, "shapes_js"), "[[null,2,1],[null,1,3],[null,3,3]]");
    assert_string_equal(var(&b, "want"), "3"); /* the first last axis above 1 */
    /* Keras: "Received shapes (2, 3) and (3, 3)"; oracle Add-t5: "... with shapes [2,3] [3,3]". */
    assert_string_equal(var(&b, "shape1"), "(2, 3)");
    assert_string_equal(var(&b, "shape2"), "(3, 3)");
    assert_string_equal(var(&b, "shape1_js"), "[2,3]");
    assert_string_equal(var(&b, "shape2_js"), "[3,3]");
    json_decref(layer);
}

/* The longer shape is named first, as _compute_elemwise_op_output_shape swaps them (oracle Add-p11, Add-p6). */
static void test_layer_merge__mismatch_names_longer_shape_first(void **state)
{
    static const build_case c = {"swap", ADD, "[[null,2],[null,2,3]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0};
    fc_build b;
    json_t *layer;

    (void)state;
    build(&c, &b, &layer);
    assert_string_equal(var(&b, "shape1_js"), "[2,3]");
    assert_string_equal(var(&b, "shape2_js"), "[2]");
    assert_string_equal(var(&b, "shape2"), "(2,)");
    assert_string_equal(var(&b, "want"), "2");
    json_decref(layer);
}

/* ---- Concatenate --------------------------------------------------------- */

#define CONCAT(axis) "{'class_name': 'Concatenate', 'config': {'name': 'cat', 'axis': " axis "}}"

static const build_case concat_cases[] = {
    {"last axis (oracle Concat-p0)", CONCAT("-1"), "[[null,3],[null,5]]", JS, "(None, 8)", NULL, 0, 0},
    {"axis 1 (oracle Concat-p3)", CONCAT("1"), "[[null,2,3],[null,4,3]]", JS, "(None, 6, 3)", NULL, 0, 0},
    {"negative axis (oracle Concat-p4)", CONCAT("-2"), "[[null,2,3],[null,4,3]]", JS, "(None, 6, 3)", NULL, 0, 0},
    {"differs off the axis (oracle Concat-p5)", CONCAT("1"), "[[null,2,3],[null,4,5]]", JS, NULL,
     "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"differs off the axis (oracle Concat-p6)", CONCAT("1"), "[[null,2,3],[null,2,5]]", JS, NULL,
     "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"unknown along the axis gives unknown (oracle Concat-p7)", CONCAT("1"), "[[null,null,3],[null,4,3]]", JS,
     "(None, None, 3)", NULL, 0, 0},
    {"unknown along the axis (oracle Concat-p9)", CONCAT("-1"), "[[null,2,null],[null,2,3]]", JS, "(None, 2, None)",
     NULL, 0, 0},
    {"rank 4 (oracle Concat-p11)", CONCAT("2"), "[[null,3,4,5],[null,3,2,5]]", JS, "(None, 3, 6, 5)", NULL, 0, 0},
    {"ranks differ (oracle Concat-p13)", CONCAT("-1"), "[[null,3,4,5],[null,3,4]]", JS, NULL,
     "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"ranks differ (oracle Concat-p14)", CONCAT("-1"), "[[null,3],[null,3,1]]", JS, NULL, "CONCAT_SHAPE_MISMATCH", 0,
     0},
    {"a 1 does not broadcast (oracle Concat-p19)", CONCAT("-1"), "[[null,1,3],[null,2,3]]", JS, NULL,
     "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"three inputs (oracle Concat-t0)", CONCAT("-1"), "[[null,2,3],[null,2,4],[null,2,5]]", JS, "(None, 2, 12)", NULL,
     0, 0},
    {"three inputs, third differs (oracle Concat-t1)", CONCAT("-1"), "[[null,2,3],[null,2,4],[null,3,5]]", JS, NULL,
     "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"None on every input (oracle Concat-t4)", CONCAT("-1"), "[[null,null,3],[null,null,3],[null,null,3]]", JS,
     "(None, None, 9)", NULL, 0, 0},
    /* TF.js refuses None against 4 off the axis (oracle Concat-p8, "Got input shapes: [[null,null,3],
     * [null,4,5]]"); Keras skips None; fitcheck never judges an unknown dimension. */
    {"unknown off the axis is not judged", CONCAT("-1"), "[[null,null,3],[null,4,5]]", JS, "(None, None, 8)", NULL, 0,
     0},
    {"Keras skips None off the axis (concatenate.py)", CONCAT("-1"), "[[null,null,3],[null,4,5]]", K3,
     "(None, None, 8)", NULL, 0, 0},
    {"axis past the rank: TF.js compares whole shapes (oracle Concat-p16)", CONCAT("5"), "[[null,3],[null,4]]", JS,
     NULL, "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"axis past the rank: IndexError in Keras, unknown", CONCAT("5"), "[[null,3],[null,4]]", K3, "<unknown>", NULL,
     0, 0},
    {"axis past the rank, equal shapes: TF.js builds nonsense (oracle Concat-p18)", CONCAT("3"),
     "[[null,2,3],[null,2,3]]", JS, "<unknown>", NULL, 0, 0},
    {"Keras 2's [axis] through Keras 3's legacy loader", CONCAT("[1]"), "[[null,2,3],[null,4,3]]", K3,
     "(None, 6, 3)", NULL, 0, 0},
    {"a longer list is dropped by that loader (axis -1)", CONCAT("[1, 2]"), "[[null,2,3],[null,2,5]]", K3,
     "(None, 2, 8)", NULL, 0, 0},
    {"a list in tf.keras 2 is not an axis", CONCAT("[1, 2]"), "[[null,2,3],[null,2,5]]", K2, "<unknown>", NULL, 0, 0},
    {"one input in Keras (concatenate.py: at least 1)", CONCAT("-1"), "[[null,4,3]]", K3, "(None, 4, 3)", NULL, 0,
     0},
    {"one input in TF.js (Concatenate.build: at least 2)", CONCAT("-1"), "[[null,4,3]]", JS, NULL,
     "CONCAT_SHAPE_MISMATCH", 0, 0},
    {"default axis -1", "{'class_name': 'Concatenate', 'config': {'name': 'cat'}}", "[[null,4,3],[null,4,2]]", K2,
     "(None, 4, 5)", NULL, 0, 0},
    {"sizes near 2^53 saturate past FC_DIM_MAX", CONCAT("-1"), "[[null,9007199254740992],[null,9007199254740992]]",
     K3, "(None, 9007199254740993)", NULL, 0, 0},
    {"huge negative axis", CONCAT("-9223372036854775807"), "[[null,3],[null,4]]", K3, "<unknown>", NULL, 0, 0},
    {"unknown rank: unknown, no problem", CONCAT("-1"), "[[null,3],null]", JS, "<unknown>", NULL, ANY_PARAMS, 0},
};

static void test_layer_merge__concatenate(void **state)
{
    (void)state;
    check_cases(concat_cases, sizeof(concat_cases) / sizeof(concat_cases[0]));
}

static void test_layer_merge__concat_mismatch_values(void **state)
{
    static const build_case c = {"Concat-p5", CONCAT("1"), "[[null,2,3],[null,4,5]]", JS, NULL,
                                 "CONCAT_SHAPE_MISMATCH", 0, 0};
    fc_build b;
    json_t *layer;

    (void)state;
    build(&c, &b, &layer);
    assert_string_equal(var(&b, "axis"), "1");
    assert_string_equal(var(&b, "shapes"), "[(None, 2, 3), (None, 4, 5)]");
    /* oracle Concat-p5: "... except for the concat axis. Got input shapes: [[null,2,3],[null,4,5]]" */
    assert_string_equal(var(&b, "shapes_js"), "[[null,2,3],[null,4,5]]");
    json_decref(layer);
}

/* ---- Dot ----------------------------------------------------------------- */

#define DOT(axes) "{'class_name': 'Dot', 'config': {'name': 'dot', 'normalize': false, 'axes': " axes "}}"

static const build_case dot_cases[] = {
    {"vectors (oracle Dot-p0-n0)", DOT("-1"), "[[null,3],[null,3]]", JS, "(None, 1)", NULL, 0, 0},
    {"normalize keeps the shape (oracle Dot-p0-n1)",
     "{'class_name': 'Dot', 'config': {'name': 'dot', 'normalize': true, 'axes': -1}}", "[[null,3],[null,3]]", JS,
     "(None, 1)", NULL, 0, 0},
    {"sizes differ (oracle Dot-p2-n0)", DOT("1"), "[[null,3],[null,4]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"matrices, last axes (oracle Dot-p3-n0)", DOT("-1"), "[[null,2,3],[null,2,3]]", JS, "(None, 2, 2)", NULL, 0, 0},
    {"matrices, axis 1 (oracle Dot-p4-n0)", DOT("1"), "[[null,2,3],[null,2,3]]", JS, "(None, 3, 3)", NULL, 0, 0},
    {"matrix product (oracle Dot-p6-n0)", DOT("[2, 1]"), "[[null,2,3],[null,3,4]]", JS, "(None, 2, 4)", NULL, 0, 0},
    {"list axes mismatch (oracle Dot-p8-n0)", DOT("[1, 1]"), "[[null,2,3],[null,4,3]]", JS, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"matrix and vector (oracle Dot-p10-n0)", DOT("[2, 1]"), "[[null,2,3],[null,3]]", JS, "(None, 2)", NULL, 0, 0},
    {"unknown other axis (oracle Dot-p12-n0)", DOT("-1"), "[[null,null,3],[null,4,3]]", JS, "(None, None, 4)", NULL, 0,
     0},
    {"both negative list entries (oracle Dot-p14-n0)", DOT("[-1, -2]"), "[[null,2,3],[null,3,4]]", JS, "(None, 2, 4)",
     NULL, 0, 0},
    {"one negative list entry reads undefined in TF.js (oracle Dot-p15-n0)", DOT("[-1, 1]"),
     "[[null,2,3],[null,3,4]]", JS, NULL, "MERGE_SHAPE_MISMATCH", 0, 0},
    {"Python indexing takes it from the end (dot.py)", DOT("[-1, 1]"), "[[null,2,3],[null,3,4]]", K3, "(None, 2, 4)",
     NULL, 0, 0},
    {"-3 is the batch axis (oracle Dot-p19-n0)", DOT("-3"), "[[null,2,3],[null,2,3]]", JS, "(2, 3, 3)", NULL, 0, 0},
    {"axis past one rank reads undefined in TF.js (oracle RDot-26)", DOT("2"), "[[null,2,3],[null,3]]", JS, NULL,
     "MERGE_SHAPE_MISMATCH", 0, 0},
    {"axis past both ranks: TF.js builds, fit fails (oracle RDot-32)", DOT("2"), "[[null,3],[null,3]]", JS,
     NULL, "LAYER_CONFIG_INVALID", 0, 0},
    {"axis past both ranks: an IndexError in Keras's Dot.build", DOT("2"), "[[null,3],[null,3]]", K3, NULL,
     "LAYER_CONFIG_INVALID", 0, 0},
    {"a list axis past one rank: an IndexError in Keras's Dot.build", DOT("[1, 3]"), "[[null,2,3],[null,3,4]]", K3,
     NULL, "LAYER_CONFIG_INVALID", 0, 0},
    {"TF.js stops at rank 3 (oracle dot4: 'does not support tensors of 4D')", DOT("-1"),
     "[[null,2,3,4],[null,2,3,4]]", JS, NULL, "TFJS_UNSUPPORTED", 0, 0},
    {"Keras 3 keeps rank 4 (dot.py batch_dot)", DOT("-1"), "[[null,2,3,4],[null,2,3,4]]", K3, "(None, 2, 3, 2, 3)",
     NULL, 0, 0},
    {"None against a size is not judged", DOT("-1"), "[[null,null],[null,3]]", K3, "(None, 1)", NULL, 0, 0},
    {"one input", DOT("-1"), "[[null,3]]", K3, "<unknown>", NULL, 0, 0},
    {"malformed axes", DOT("'x'"), "[[null,3],[null,3]]", K3, "<unknown>", NULL, 0, 0},
    {"huge axes: outside both shapes, refused (no overflow)", DOT("[9223372036854775807, -9223372036854775807]"),
     "[[null,3],[null,3]]", JS, NULL, "LAYER_CONFIG_INVALID", 0, 0},
};

static void test_layer_merge__dot(void **state)
{
    (void)state;
    check_cases(dot_cases, sizeof(dot_cases) / sizeof(dot_cases[0]));
}

static void test_layer_merge__dot_mismatch_values(void **state)
{
    static const build_case c = {"Dot-p15", DOT("[-1, 1]"), "[[null,2,3],[null,3,4]]", JS, NULL,
                                 "MERGE_SHAPE_MISMATCH", 0, 0};
    static const build_case d = {"Dot-p8", DOT("[1, 1]"), "[[null,2,3],[null,4,3]]", K3, NULL,
                                 "MERGE_SHAPE_MISMATCH", 0, 0};
    fc_build b;
    json_t *layer;

    (void)state;
    build(&c, &b, &layer);
    /* oracle Dot-p15-n0: "Dimension incompatibility: undefined !== 3" */
    assert_string_equal(var(&b, "dim1"), "undefined");
    assert_string_equal(var(&b, "dim2"), "3");
    json_decref(layer);
    build(&d, &b, &layer);
    /* dot.py: "axis values 2 (at axis 1) != 4 (at axis 1). Full input shapes: (None, 2, 3), (None, 4, 3)" */
    assert_string_equal(var(&b, "dim1"), "2");
    assert_string_equal(var(&b, "dim2"), "4");
    assert_string_equal(var(&b, "axis1"), "1");
    assert_string_equal(var(&b, "axis2"), "1");
    assert_string_equal(var(&b, "shape1"), "(None, 2, 3)");
    assert_string_equal(var(&b, "shape2"), "(None, 4, 3)");
    assert_string_equal(var(&b, "shapes"), "[(None, 2, 3), (None, 4, 3)]");
    json_decref(layer);
}

/* ---- MultiHeadAttention ---------------------------------------------------- */

#define MHA(cfg) "{'class_name': 'MultiHeadAttention', 'config': {'name': 'mha', " cfg "}}"

/*
 * Counts from multi_head_attention.py build: query, key and value kernels
 * (dim, heads, key_dim|value_dim) with biases (heads, key_dim|value_dim), and
 * the output kernel (heads, value_dim, *output_shape) with bias output_shape.
 * num_heads=2, key_dim=2 on (None, 8, 16): 3 x (16*2*2 + 2*2) + (2*2*16 + 16)
 * = 204 + 80 = 284.
 */
static const build_case mha_cases[] = {
    {"self-attention, num_heads=2 key_dim=2 (284)", MHA("'num_heads': 2, 'key_dim': 2"),
     "[[null,8,16],[null,8,16]]", K3, "(None, 8, 16)", NULL, 284, 0},
    {"value of another length (multi_head_attention_test.py test_basics)", MHA("'num_heads': 2, 'key_dim': 2"),
     "[[null,8,16],[null,4,16]]", K3, "(None, 8, 16)", NULL, 284, 0},
    {"tf.keras 2 counts alike", MHA("'num_heads': 2, 'key_dim': 2"), "[[null,8,16],[null,4,16]]", K2,
     "(None, 8, 16)", NULL, 284, 0},
    {"no bias: 3 x 64 + 64", MHA("'num_heads': 2, 'key_dim': 2, 'use_bias': false"), "[[null,8,16],[null,4,16]]",
     K3, "(None, 8, 16)", NULL, 256, 0},
    /* q 12*32+32, k 3*32+32, v 6*64+64, out 64*10+10 */
    {"value_dim, output_shape, separate key",
     MHA("'num_heads': 4, 'key_dim': 8, 'value_dim': 16, 'output_shape': [10]"),
     "[[null,5,12],[null,7,6],[null,7,3]]", K3, "(None, 5, 10)", NULL, 1642, 0},
    {"int output_shape (test_multi_head_attention_output_shape_as_int)",
     MHA("'num_heads': 2, 'key_dim': 16, 'output_shape': 8"), "[[null,4,16],[null,4,16]]", K3, "(None, 4, 8)", NULL,
     3 * (16 * 32 + 32) + (32 * 8 + 8), 0},
    {"tuple output_shape (test_multi_head_attention_output_shape_as_tuple)",
     MHA("'num_heads': 2, 'key_dim': 16, 'output_shape': [8, 8]"), "[[null,4,16],[null,4,16]]", K3,
     "(None, 4, 8, 8)", NULL, 3 * (16 * 32 + 32) + (32 * 64 + 64), 0},
    {"high-dim query (test_compute_output_shape high_dim_different_proj)",
     MHA("'num_heads': 2, 'key_dim': 2, 'value_dim': 2, 'output_shape': [3, 2]"),
     "[[null,4,2,3,8],[null,1,1,5,8],[null,1,1,5,2]]", K3, "(None, 4, 2, 3, 3, 2)", NULL,
     (8 * 4 + 4) + (2 * 4 + 4) + (8 * 4 + 4) + (4 * 6 + 6), 0},
    {"null output_shape means the query's", MHA("'num_heads': 2, 'key_dim': 2, 'output_shape': null"),
     "[[null,8,16],[null,4,16]]", K3, "(None, 8, 16)", NULL, 284, 0},
    {"use_gate adds a query projection of value_dim", MHA("'num_heads': 2, 'key_dim': 2, 'use_gate': true"),
     "[[null,8,16],[null,4,16]]", K3, "(None, 8, 16)", NULL, 284 + 68, 0},
    {"tf.keras 2 has no use_gate", MHA("'num_heads': 2, 'key_dim': 2, 'use_gate': true"),
     "[[null,8,16],[null,4,16]]", K2, "(None, 8, 16)", NULL, 284, 0},
    {"only the query known (Keras 2 passes value= as a kwarg)", MHA("'num_heads': 2, 'key_dim': 2"), "[[null,8,16]]",
     K2, "(None, 8, 16)", NULL, UNKNOWN_PARAMS, 0},
    {"query features unknown", MHA("'num_heads': 2, 'key_dim': 2"), "[[null,8,null],[null,4,16]]", K3,
     "(None, 8, None)", NULL, UNKNOWN_PARAMS, 0},
    {"num_heads missing", MHA("'key_dim': 2"), "[[null,8,16],[null,4,16]]", K3, "(None, 8, 16)", NULL,
     UNKNOWN_PARAMS, 0},
    {"absurd sizes overflow to unknown", MHA("'num_heads': 1099511627776, 'key_dim': 1099511627776"),
     "[[null,8,16],[null,4,16]]", K3, "(None, 8, 16)", NULL, UNKNOWN_PARAMS, 0},
    {"output_shape longer than a rank", MHA("'num_heads': 2, 'key_dim': 2, 'output_shape': [1,1,1,1,1,1,1,1,1,1,1,1,1,"
                                            "1,1,1,1]"),
     "[[null,8,16],[null,4,16]]", K3, "<unknown>", NULL, UNKNOWN_PARAMS, 0},
    {"negative output_shape is unknown", MHA("'num_heads': 2, 'key_dim': 2, 'output_shape': -3"),
     "[[null,8,16],[null,4,16]]", K3, "(None, 8, None)", NULL, UNKNOWN_PARAMS, 0},
};

static void test_layer_merge__multi_head_attention(void **state)
{
    (void)state;
    check_cases(mha_cases, sizeof(mha_cases) / sizeof(mha_cases[0]));
}

/* ---- Attention, AdditiveAttention ------------------------------------------ */

static const build_case attention_cases[] = {
    {"dot scores, no weights (attention_test.py test_attention_basics)",
     "{'class_name': 'Attention', 'config': {'name': 'at', 'score_mode': 'dot'}}", "[[null,3,4],[null,4,4]]", K3,
     "(None, 3, 4)", NULL, 0, 0},
    {"use_scale and concat: two scalars (attention_test.py)",
     "{'class_name': 'Attention', 'config': {'name': 'at', 'use_scale': true, 'score_mode': 'concat'}}",
     "[[null,3,4],[null,4,4]]", K3, "(None, 3, 4)", NULL, 2, 0},
    {"Keras 3: the value's last axis (Attention.compute_output_shape)",
     "{'class_name': 'Attention', 'config': {'name': 'at'}}", "[[null,3,4],[null,4,5],[null,4,4]]", K3,
     "(None, 3, 5)", NULL, 0, 0},
    {"tf.keras 2: the query's shape (BaseDenseAttention.compute_output_shape)",
     "{'class_name': 'Attention', 'config': {'name': 'at', 'use_scale': true}}", "[[null,3,4],[null,4,5]]", K2,
     "(None, 3, 4)", NULL, 1, 0},
    {"additive: a scale per feature by default (additive_attention_test.py)",
     "{'class_name': 'AdditiveAttention', 'config': {'name': 'ad'}}", "[[null,3,4],[null,4,4]]", K3, "(None, 3, 4)",
     NULL, 4, 0},
    {"additive without scale", "{'class_name': 'AdditiveAttention', 'config': {'name': 'ad', 'use_scale': false}}",
     "[[null,3,4],[null,4,4]]", K3, "(None, 3, 4)", NULL, 0, 0},
    {"tf.keras 2 sizes the scale by the value",
     "{'class_name': 'AdditiveAttention', 'config': {'name': 'ad'}}", "[[null,3,4],[null,4,6]]", K2, "(None, 3, 4)",
     NULL, 6, 0},
    {"additive, unknown features", "{'class_name': 'AdditiveAttention', 'config': {'name': 'ad'}}",
     "[[null,3,null],[null,4,4]]", K3, "(None, 3, 4)", NULL, UNKNOWN_PARAMS, 0},
};

static void test_layer_merge__attention(void **state)
{
    (void)state;
    check_cases(attention_cases, sizeof(attention_cases) / sizeof(attention_cases[0]));
}

/* ---- through the graph ------------------------------------------------------ */

static const char *const two_input_model =
    "{'class_name': 'Model', 'config': {'name': 'm', 'layers': ["
    "{'class_name': 'InputLayer', 'name': 'a', 'config': {'name': 'a', 'batch_input_shape': [null, 3]}, "
    "'inbound_nodes': []},"
    "{'class_name': 'InputLayer', 'name': 'b', 'config': {'name': 'b', 'batch_input_shape': [null, 5]}, "
    "'inbound_nodes': []},"
    "{'class_name': 'Add', 'name': 'sum', 'config': {'name': 'sum'}, "
    "'inbound_nodes': [[['a', 0, 0, {}], ['b', 0, 0, {}]]]},"
    "{'class_name': 'Dense', 'name': 'out', 'config': {'name': 'out', 'units': 2}, "
    "'inbound_nodes': [[['sum', 0, 0, {}]]]}],"
    "'input_layers': [['a', 0, 0], ['b', 0, 0]], 'output_layers': [['out', 0, 0]]}}";

static void test_layer_merge__mismatch_is_a_finding(void **state)
{
    json_t *desc = fixture_json(two_input_model);
    fc_model m;
    fc_error err;
    fc_graph g;
    fc_findings f;
    size_t i, found = 0;

    (void)state;
    fc_error_init(&err);
    assert_int_equal(fc_model_parse(desc, "/model", &m, &err), FC_OK);
    fc_graph_init(&g);
    fc_findings_init(&f);
    assert_int_equal(fc_graph_infer(&m, NULL, &(fc_target){.framework = FC_FW_TFJS}, 0, &g, &f), FC_OK);
    for (i = 0; i < f.len; i++) {
        if (f.items[i].code != FC_MERGE_SHAPE_MISMATCH)
            continue;
        found++;
        assert_string_equal(f.items[i].layer, "sum");
        assert_non_null(strstr(f.items[i].message, "[(None, 3), (None, 5)]"));
    }
    assert_int_equal(found, 1);
    /* Shapes after the refused layer are unknown. */
    assert_int_equal(g.outputs[0].rank, FC_RANK_UNKNOWN);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
    json_decref(desc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_merge__elementwise_broadcasting),
        cmocka_unit_test(test_layer_merge__mismatch_values),
        cmocka_unit_test(test_layer_merge__mismatch_names_longer_shape_first),
        cmocka_unit_test(test_layer_merge__concatenate),
        cmocka_unit_test(test_layer_merge__concat_mismatch_values),
        cmocka_unit_test(test_layer_merge__dot),
        cmocka_unit_test(test_layer_merge__dot_mismatch_values),
        cmocka_unit_test(test_layer_merge__multi_head_attention),
        cmocka_unit_test(test_layer_merge__attention),
        cmocka_unit_test(test_layer_merge__mismatch_is_a_finding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
