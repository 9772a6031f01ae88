/*
 * test_layer_norm.c - core/layer_norm.c: BatchNormalization's trainable and
 * non-trainable weights (and the split model.summary() shows), its axis as an
 * int or as Keras 2's list, LayerNormalization's axes, GroupNormalization,
 * RMSNormalization and UnitNormalization; unknown sizes and absurd configs.
 *
 * Expected totals for the tfjs target come from the oracle (a real TF.js
 * 4.22 model.fit, ../shared/oracle; the ids in the comments, BN-4-c0s1 and
 * so on, name scenarios of the run made when this file was written, and
 * each case carries the scenario's shape and config to replay it). The
 * oracle reports only totals: the split follows the sources (gamma and beta
 * train, the moving statistics do not). TF.js has no GroupNormalization,
 * RMSNormalization or UnitNormalization: those follow the Keras sources
 * named in layer_norm.c.
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

/* Most cases expect no problem and leave norm_case.problem out (NULL). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef struct norm_case {
    const char *name;      /* what the case shows and where its values come from */
    const char *layer;     /* the layer object, with ' for " */
    const char *input;     /* the input shape, JSON with null for None */
    fc_framework target;
    int64_t trainable;     /* UNKNOWN_PARAMS when the count is unknown */
    int64_t non_trainable;
    const char *problem;   /* NULL, or what the LAYER_CONFIG_INVALID message must say */
} norm_case;

static void check_case(const norm_case *c)
{
    json_t *layer = fixture_json(c->layer), *shape = fixture_json(c->input);
    fc_shape in;
    fc_build b;
    char expected[256], out[256];
    int known = 0;

    if (fc_shape_from_json(shape, 1, "", &in, NULL) != FC_OK)
        fail_msg("%s: bad input shape", c->name);
    if (fc_layer_build_object(layer, &in, 1, c->target, NULL, 0, &b, &known) != FC_OK || !known)
        fail_msg("%s: the layer does not build", c->name);
    if (c->problem != NULL && (!b.has_problem || b.problem != FC_LAYER_CONFIG_INVALID ||
                               strstr(b.message, c->problem) == NULL))
        fail_msg("%s: expected LAYER_CONFIG_INVALID saying \"%s\", got %s", c->name, c->problem,
                 b.has_problem ? b.message : "no problem");
    if (c->problem == NULL && b.has_problem)
        fail_msg("%s: unexpected problem: %s", c->name, b.message);
    if (c->problem != NULL) { /* a refused layer has no output to check */
        json_decref(shape);
        json_decref(layer);
        return;
    }
    /* Normalization keeps the shape. */
    fc_shape_format(&in, 0, expected, sizeof(expected));
    fc_shape_format(&b.outputs[0], 0, out, sizeof(out));
    if (b.n_outputs != 1 || strcmp(out, expected) != 0)
        fail_msg("%s: output %s, expected %s", c->name, out, expected);
    if (c->trainable == UNKNOWN_PARAMS) {
        if (!b.params_unknown)
            fail_msg("%s: params should be unknown, got %lld/%lld", c->name, (long long)b.trainable,
                     (long long)b.non_trainable);
    } else if (b.params_unknown || b.trainable != c->trainable || b.non_trainable != c->non_trainable) {
        fail_msg("%s: params %s%lld/%lld, expected %lld/%lld", c->name, b.params_unknown ? "unknown " : "",
                 (long long)b.trainable, (long long)b.non_trainable, (long long)c->trainable,
                 (long long)c->non_trainable);
    }
    json_decref(shape);
    json_decref(layer);
}

static void check_cases(const norm_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        check_case(&cases[i]);
}

#define K3 FC_FW_KERAS3
#define K2 FC_FW_TFKERAS2
#define JS FC_FW_TFJS
#define BN(cfg) "{'class_name': 'BatchNormalization', 'config': {'name': 'bn'" cfg "}}"
#define BN3(cfg) "{'module': 'keras.layers', 'class_name': 'BatchNormalization', 'config': {'name': 'bn'" cfg "}}"
#define LN(cfg) "{'class_name': 'LayerNormalization', 'config': {'name': 'ln'" cfg "}}"
#define LN3(cfg) "{'module': 'keras.layers', 'class_name': 'LayerNormalization', 'config': {'name': 'ln'" cfg "}}"

/* ---- BatchNormalization -------------------------------------------------- */

static const norm_case bn_cases[] = {
    {"features (oracle BN-0-c1s1: 12)", BN(", 'axis': -1"), "[null,3]", JS, 6, 6},
    {"no center (oracle BN-0-c0s1: 9)", BN(", 'axis': -1, 'center': false"), "[null,3]", JS, 3, 6},
    {"no scale (oracle BN-0-c1s0: 9)", BN(", 'axis': -1, 'scale': false"), "[null,3]", JS, 3, 6},
    {"neither (oracle BN-0-c0s0: 6)", BN(", 'axis': -1, 'center': false, 'scale': false"), "[null,3]", JS, 0, 6},
    {"sequence channels (oracle BN-2-c1s1: 24)", BN(", 'axis': -1"), "[null,4,6]", JS, 12, 12},
    {"axis 1 (oracle BN-3-c1s1: 16)", BN(", 'axis': 1"), "[null,4,6]", JS, 8, 8},
    {"rank 4, axis -2 (oracle BN-8-c1s1: 20)", BN(", 'axis': -2"), "[null,4,5,6]", JS, 10, 10},
    {"Keras 2's [3] (oracle BN-9-c1s1: 24)", BN(", 'axis': [3]"), "[null,4,5,6]", JS, 12, 12},
    {"Keras 2's [1] (oracle BN-10-c1s1: 16)", BN(", 'axis': [1]"), "[null,4,5,6]", JS, 8, 8},
    {"unknown length, known channels (oracle BN-11-c1s1: 24)", BN(", 'axis': -1"), "[null,null,6]", JS, 12, 12},
    {"channels unknown (oracle BN-12: refused; graph reports UNDEFINED_DIM)", BN(", 'axis': -1"), "[null,4,null]",
     JS, UNKNOWN_PARAMS, 0},
    {"rank 5 (oracle BN-14-c1s1: 20)", BN(", 'axis': -1"), "[null,2,3,4,5]", JS, 10, 10},
    {"default axis (oracle BN-default: 24)", BN(""), "[null,4,6]", JS, 12, 12},
    {"TF.js has no renorm (oracle bnrenorm: 24)", BN(", 'renorm': true"), "[null,4,6]", JS, 12, 12},
    {"renorm adds three statistics (batch_normalization.py build)", BN(", 'renorm': true"), "[null,4,6]", K3, 12, 30},
    {"Keras 3 reads [3] through the legacy loader", BN(", 'axis': [3]"), "[null,4,5,6]", K3, 12, 12},
    {"... and drops a longer list (axis -1)", BN(", 'axis': [1, 2]"), "[null,4,5,6]", K3, 12, 12},
    {"a Keras 3 config cannot hold a list (int(axis))", BN3(", 'axis': [3]"), "[null,4,5,6]", K3, UNKNOWN_PARAMS, 0},
    {"a Keras 3 config with an int", BN3(", 'axis': 1"), "[null,4,5,6]", K3, 8, 8},
    {"tf.keras 2 spans several axes", BN(", 'axis': [1, 2]"), "[null,4,5,6]", K2, 40, 40},
    {"axis past the rank", BN(", 'axis': 3"), "[null,4,6]", K3, UNKNOWN_PARAMS, 0, "normalizes axis 3 of a rank-3"},
    {"axis far below (an IndexError in Keras: refused, no overflow)", BN(", 'axis': -9223372036854775807"), "[null,4,6]",
     K3, UNKNOWN_PARAMS, 0, "normalizes axis -9223372036854775804 of a rank-3"},
    {"malformed axis", BN(", 'axis': 'last'"), "[null,4,6]", K3, UNKNOWN_PARAMS, 0},
    {"channels near 2^53 overflow the count", BN(""), "[null,9007199254740992]", K3, UNKNOWN_PARAMS, 0},
    {"SyncBatchNormalization counts alike",
     "{'class_name': 'SyncBatchNormalization', 'config': {'name': 's', 'axis': -1}}", "[null,4,6]", K2, 12, 12},
};

static void test_layer_norm__batch_normalization(void **state)
{
    (void)state;
    check_cases(bn_cases, sizeof(bn_cases) / sizeof(bn_cases[0]));
}

/* TF.js reads a list axis through string coercion (oracle bnlistneg: "Axis -13 of input tensor ..."). */
static void test_layer_norm__tfjs_refuses_negative_axis_list(void **state)
{
    json_t *layer = fixture_json(BN(", 'axis': [-1]"));
    fc_shape in = {3, {FC_DIM_UNKNOWN, 4, 6}};
    fc_build b;
    size_t i;
    int known;

    (void)state;
    assert_int_equal(fc_layer_build_object(layer, &in, 1, FC_FW_TFJS, NULL, 0, &b, &known), FC_OK);
    assert_true(b.has_problem);
    assert_int_equal(b.problem, FC_TFJS_UNSUPPORTED);
    for (i = 0; i < b.n_vars && strcmp(b.var_names[i], "tfjs_error") != 0; i++)
        ;
    assert_true(i < b.n_vars);
    assert_string_equal(b.var_values[i], "Axis -13 of input tensor should have a defined dimension but the layer "
                                         "received an input with shape [null,4,6].");
    /* Keras 3 reads [-1] through its legacy loader as -1. */
    assert_int_equal(fc_layer_build_object(layer, &in, 1, FC_FW_KERAS3, NULL, 0, &b, &known), FC_OK);
    assert_false(b.has_problem);
    assert_int_equal(b.trainable, 12);
    json_decref(layer);
}

/* "trainable": false moves gamma and beta to the non-trainable side (oracle BN-frozen: 24 in all). */
static void test_layer_norm__frozen_batch_normalization(void **state)
{
    static const norm_case c = {"frozen", BN(", 'trainable': false"), "[null,4,6]", JS, 0, 24};

    (void)state;
    check_case(&c);
}

/* model.summary()'s split through the graph: Dense(6) then BatchNormalization. */
static void test_layer_norm__summary_splits_trainable(void **state)
{
    json_t *desc = fixture_json(
        "{'class_name': 'Sequential', 'config': {'name': 's', 'layers': ["
        "{'class_name': 'Dense', 'config': {'name': 'd', 'units': 6, 'batch_input_shape': [null, 4]}},"
        "{'class_name': 'BatchNormalization', 'config': {'name': 'bn', 'axis': [1]}}]}}");
    fc_model m;
    fc_error err;
    fc_graph g;

    (void)state;
    fc_error_init(&err);
    assert_int_equal(fc_model_parse(desc, "/model", &m, &err), FC_OK);
    fc_graph_init(&g);
    assert_int_equal(fc_graph_infer(&m, NULL, &(fc_target){.framework = FC_FW_TFKERAS2}, 0, &g, NULL), FC_OK);
    assert_true(g.params_known);
    assert_int_equal(g.layers[1].trainable, 12);
    assert_int_equal(g.layers[1].non_trainable, 12);
    assert_int_equal(g.trainable, 4 * 6 + 6 + 12);
    assert_int_equal(g.non_trainable, 12);
    fc_graph_release(&g);
    fc_model_release(&m);
    json_decref(desc);
}

/* ---- LayerNormalization ------------------------------------------------------ */

static const norm_case ln_cases[] = {
    {"features (oracle LN-0-c1s1: 6)", LN(", 'axis': -1"), "[null,3]", JS, 6, 0},
    {"no center (oracle LN-0-c0s1: 3)", LN(", 'axis': -1, 'center': false"), "[null,3]", JS, 3, 0},
    {"neither (oracle LN-0-c0s0: 0)", LN(", 'axis': -1, 'center': false, 'scale': false"), "[null,3]", JS, 0, 0},
    {"axis 1 (oracle LN-2-c1s1: 8)", LN(", 'axis': 1"), "[null,4,6]", JS, 8, 0},
    {"two axes (oracle LN-3-c1s1: 48)", LN(", 'axis': [1, 2]"), "[null,4,6]", JS, 48, 0},
    {"two axes, no scale (oracle LN-3-c1s0: 24)", LN(", 'axis': [1, 2], 'scale': false"), "[null,4,6]", JS, 24, 0},
    {"[-1] (oracle LN-4-c1s1: 12)", LN(", 'axis': [-1]"), "[null,4,6]", JS, 12, 0},
    {"unordered axes (oracle LN-6-c1s1: 40)", LN(", 'axis': [2, 1]"), "[null,4,5,6]", JS, 40, 0},
    {"negative axes (oracle LN-7-c1s1: 60)", LN(", 'axis': [-2, -1]"), "[null,4,5,6]", JS, 60, 0},
    {"three axes (oracle LN-13-c1s1: 240)", LN(", 'axis': [1, 2, 3]"), "[null,4,5,6]", JS, 240, 0},
    {"unknown length (oracle LN-9-c1s1: 12)", LN(", 'axis': -1"), "[null,null,6]", JS, 12, 0},
    {"an unknown normalized axis (oracle LN-10: refused)", LN(", 'axis': [1, 2]"), "[null,null,6]", JS,
     UNKNOWN_PARAMS, 0},
    {"duplicate axes (oracle LN-11: refused)", LN(", 'axis': [1, 1]"), "[null,4,6]", JS, UNKNOWN_PARAMS, 0},
    {"axis past the rank (oracle LN-12: refused)", LN(", 'axis': 3"), "[null,4,6]", JS, UNKNOWN_PARAMS, 0,
     "normalizes axis 3 of a rank-3"},
    {"tf.keras 2 keeps the list", LN(", 'axis': [1, 2]"), "[null,4,6]", K2, 48, 0},
    {"Keras 3's legacy loader drops a list of two (axis -1)", LN(", 'axis': [1, 2]"), "[null,4,6]", K3, 12, 0},
    {"a Keras 3 config keeps it", LN3(", 'axis': [1, 2]"), "[null,4,6]", K3, 48, 0},
    {"rms_scaling: gamma only (layer_normalization.py build)", LN3(", 'axis': -1, 'rms_scaling': true"),
     "[null,4,6]", K3, 6, 0},
    {"too many axes", LN(", 'axis': [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"), "[null,4,6]", K2, UNKNOWN_PARAMS, 0},
    {"a non-integer entry", LN(", 'axis': [1, 'x']"), "[null,4,6]", K2, UNKNOWN_PARAMS, 0},
    {"sizes whose product passes 2^53", LN(", 'axis': [1, 2]"), "[null,4294967296,4294967296]", K2, UNKNOWN_PARAMS,
     0},
};

static void test_layer_norm__layer_normalization(void **state)
{
    (void)state;
    check_cases(ln_cases, sizeof(ln_cases) / sizeof(ln_cases[0]));
}

/* ---- the rest ---------------------------------------------------------------- */

static const norm_case other_cases[] = {
    {"GroupNormalization: gamma and beta per channel (group_normalization.py build)",
     "{'class_name': 'GroupNormalization', 'config': {'name': 'g', 'groups': 2, 'axis': -1}}", "[null,4,6]", K3, 12,
     0},
    {"GroupNormalization without center",
     "{'class_name': 'GroupNormalization', 'config': {'name': 'g', 'groups': 3, 'center': false}}",
     "[null,8,8,6]", K3, 6, 0},
    {"GroupNormalization, channels unknown",
     "{'class_name': 'GroupNormalization', 'config': {'name': 'g', 'groups': 2}}", "[null,4,null]", K3,
     UNKNOWN_PARAMS, 0},
    {"GroupNormalization: more groups than channels (group_normalization.py build raises)",
     "{'class_name': 'GroupNormalization', 'config': {'name': 'g', 'groups': 8}}", "[null,4,6]", K3, 12, 0,
     "splits 6 channels into 8 groups"},
    {"GroupNormalization: groups that do not divide the channels",
     "{'class_name': 'GroupNormalization', 'config': {'name': 'g', 'groups': 4}}", "[null,4,6]", K3, 12, 0,
     "splits 6 channels into 4 groups"},
    {"GroupNormalization: groups -1 is one per channel",
     "{'class_name': 'GroupNormalization', 'config': {'name': 'g', 'groups': -1}}", "[null,4,6]", K3, 12, 0},
    {"GroupNormalization: axis past the rank", "{'class_name': 'GroupNormalization', 'config': {'name': 'g', "
     "'groups': 2, 'axis': 5}}", "[null,4,6]", K3, UNKNOWN_PARAMS, 0, "normalizes axis 5 of a rank-3"},
    {"RMSNormalization: axis below the rank", "{'class_name': 'RMSNormalization', 'config': {'name': 'r', "
     "'axis': -4}}", "[null,4,6]", K3, UNKNOWN_PARAMS, 0, "normalizes axis -1 of a rank-3"},
    {"RMSNormalization: one scale (rms_normalization.py build)",
     "{'class_name': 'RMSNormalization', 'config': {'name': 'r', 'axis': -1}}", "[null,4,6]", K3, 6, 0},
    {"UnitNormalization has no weights (unit_normalization.py)",
     "{'class_name': 'UnitNormalization', 'config': {'name': 'u', 'axis': -1}}", "[null,4,6]", K3, 0, 0},
};

static void test_layer_norm__group_rms_unit(void **state)
{
    (void)state;
    check_cases(other_cases, sizeof(other_cases) / sizeof(other_cases[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_norm__batch_normalization),
        cmocka_unit_test(test_layer_norm__tfjs_refuses_negative_axis_list),
        cmocka_unit_test(test_layer_norm__frozen_batch_normalization),
        cmocka_unit_test(test_layer_norm__summary_splits_trainable),
        cmocka_unit_test(test_layer_norm__layer_normalization),
        cmocka_unit_test(test_layer_norm__group_rms_unit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
