/*
 * test_diff.c - core/diff.c: findings added, resolved, changed and kept by
 * code and location; layers by name; the one-line summary; no earlier report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fitcheck/diff.h"

static json_t *finding(const char *code, const char *severity, const char *pointer, const char *message)
{
    return json_pack("{s:s, s:s, s:s, s:{s:s}, s:[]}", "code", code, "severity", severity, "message", message,
                     "location", "pointer", pointer, "fixes");
}

static json_t *layer(const char *name, const char *cls, int units, int params)
{
    return json_pack("{s:s, s:s, s:[n, i], s:i}", "name", name, "class", cls, "output_shape", units, "params",
                     params);
}

static json_t *report(const char *id, const char *verdict, json_t *findings, json_t *layers, int total)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:{s:o, s:i}}", "id", id, "created_at", "2026-12-03T10:00:00.000Z",
                     "verdict", verdict, "findings", findings, "model", "layers", layers, "total_params", total);
}

static void test_diff__fix_resolves_and_warns(void **state)
{
    json_t *before = report("a", "fail",
                            json_pack("[o, o, o]",
                                      finding("LABEL_SHAPE_MISMATCH", "error", "/data/y/shape", "y is (N, 1)"),
                                      finding("LEARNING_RATE", "warning", "/compile/optimizer", "lr 1.0"),
                                      finding("DTYPE_CAST", "info", "/data/x/dtype", "float64 cast")),
                            json_pack("[o, o]", layer("dense", "Dense", 64, 50240), layer("out", "Dense", 1, 65)), 50305);
    json_t *after = report("b", "warn",
                           json_pack("[o, o, o]", finding("LEARNING_RATE", "warning", "/compile/optimizer", "lr 1.0"),
                                     finding("DTYPE_CAST", "warning", "/data/x/dtype", "float64 cast, large"),
                                     finding("CLASS_IMBALANCE", "warning", "/data/y/stats", "90 % one class")),
                           json_pack("[o, o, o]", layer("dense", "Dense", 64, 50240), layer("out", "Dense", 10, 650),
                                     layer("drop", "Dropout", 64, 0)),
                           50890);
    json_t *d = fc_report_diff(after, before);
    const json_t *f, *layers;

    (void)state;
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "summary")),
                        "LABEL_SHAPE_MISMATCH resolved, 1 new warning, 1 finding changed, 2 layers changed");
    f = json_object_get(d, "findings");
    assert_int_equal(json_array_size(json_object_get(f, "added")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(f, "added"), 0), "code")),
                        "CLASS_IMBALANCE");
    assert_int_equal(json_array_size(json_object_get(f, "resolved")), 1);
    assert_int_equal(json_array_size(json_object_get(f, "changed")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(f, "changed"), 0), "from"),
                                          "severity")),
        "info");
    assert_int_equal(json_integer_value(json_object_get(f, "unchanged")), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "verdict"), "from")), "fail");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "verdict"), "to")), "warn");
    layers = json_object_get(json_object_get(d, "model"), "layers");
    assert_int_equal(json_array_size(json_object_get(layers, "added")), 1);
    assert_int_equal(json_array_size(json_object_get(layers, "removed")), 0);
    assert_int_equal(json_array_size(json_object_get(layers, "changed")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(
                         json_array_get(json_object_get(layers, "changed"), 0), "to"), "params")),
                     650);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(json_object_get(d, "model"), "total_params"), "from")),
        50305);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "against"), "id")), "a");
    json_decref(d);
    /* the other way round: what was added is resolved */
    d = fc_report_diff(before, after);
    assert_string_equal(json_string_value(json_object_get(d, "summary")),
                        "CLASS_IMBALANCE resolved, 1 new error, 1 finding changed, 2 layers changed");
    json_decref(d);
    json_decref(before);
    json_decref(after);
}

/* The same code at another place is another finding. */
static void test_diff__location_is_identity(void **state)
{
    json_t *a = report("a", "fail", json_pack("[o]", finding("INPUT_RANK_MISMATCH", "error", "/data/x", "m")),
                       json_array(), 0);
    json_t *b = report("b", "fail", json_pack("[o]", finding("INPUT_RANK_MISMATCH", "error", "/data/validation/x", "m")),
                       json_array(), 0);
    json_t *d = fc_report_diff(b, a);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(d, "summary")), "INPUT_RANK_MISMATCH resolved, 1 new error");
    json_decref(d);
    d = fc_report_diff(a, a);
    assert_string_equal(json_string_value(json_object_get(d, "summary")), "no change");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "findings"), "unchanged")), 1);
    json_decref(d);
    json_decref(a);
    json_decref(b);
}

static void test_diff__no_earlier_report(void **state)
{
    json_t *a = report("a", "warn", json_pack("[o]", finding("X", "warning", "/fit", "m")),
                       json_pack("[o]", layer("d", "Dense", 2, 6)), 6);
    json_t *d = fc_report_diff(a, NULL);

    (void)state;
    assert_non_null(d);
    assert_true(json_is_null(json_object_get(d, "against")));
    assert_true(json_is_null(json_object_get(json_object_get(d, "verdict"), "from")));
    assert_string_equal(json_string_value(json_object_get(d, "summary")), "no earlier report to compare with: 1 finding");
    assert_int_equal(json_array_size(json_object_get(json_object_get(d, "findings"), "added")), 1);
    assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(d, "model"), "layers"), "added")),
                     1);
    json_decref(d);
    assert_null(fc_report_diff(NULL, a));
    {
        json_t *arr = json_array();

        assert_null(fc_report_diff(arr, NULL));
        json_decref(arr);
    }
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff__fix_resolves_and_warns),
        cmocka_unit_test(test_diff__location_is_identity),
        cmocka_unit_test(test_diff__no_earlier_report),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
