/*
 * test_shape.c - core/shape.c: reading shapes from JSON, printing them as
 * Python and TF.js do, and overflow-safe element counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/shape.h"

static fc_shape parse_ok(const char *text)
{
    json_t *arr = json_loads(text, 0, NULL);
    fc_shape s;

    assert_non_null(arr);
    assert_int_equal(fc_shape_from_json(arr, 1, "/s", &s, NULL), FC_OK);
    json_decref(arr);
    return s;
}

static void test_shape__format_like_python(void **state)
{
    fc_shape s = parse_ok("[null, 28, 28]");
    char buf[64];

    (void)state;
    fc_shape_format(&s, 0, buf, sizeof(buf));
    assert_string_equal(buf, "(None, 28, 28)");
    fc_shape_format(&s, 1, buf, sizeof(buf));
    assert_string_equal(buf, "28, 28");
    s = parse_ok("[100]");
    fc_shape_format(&s, 0, buf, sizeof(buf));
    assert_string_equal(buf, "(100,)");
    s = parse_ok("[]");
    fc_shape_format(&s, 0, buf, sizeof(buf));
    assert_string_equal(buf, "()");
}

static void test_shape__format_like_tfjs(void **state)
{
    fc_shape s = parse_ok("[100, 784]");
    char buf[64];

    (void)state;
    fc_shape_format_js(&s, 0, buf, sizeof(buf));
    assert_string_equal(buf, "100,784");
    s = parse_ok("[null, 10]");
    fc_shape_format_js(&s, 0, buf, sizeof(buf));
    assert_string_equal(buf, "null,10");
}

static void test_shape__format_truncates_safely(void **state)
{
    fc_shape s = parse_ok("[100000, 100000, 100000, 100000]");
    char buf[8];

    (void)state;
    fc_shape_format(&s, 0, buf, sizeof(buf));
    assert_int_equal(strlen(buf), 7);
    assert_memory_equal(buf, "(100000", 7);
}

static void test_shape__rejects_bad_dims_with_path(void **state)
{
    const char *bad[] = {"[100, -1]", "[100, 1.5]", "[100, \"a\"]", "{\"a\": 1}", "[100, 9007199254740993]"};
    const char *paths[] = {"/s/1", "/s/1", "/s/1", "/s", "/s/1"};
    fc_error err;
    fc_shape s;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = json_loads(bad[i], 0, NULL);

        assert_non_null(v);
        fc_error_init(&err);
        assert_int_equal(fc_shape_from_json(v, 1, "/s", &s, &err), FC_ERR_INVALID);
        assert_string_equal(err.path, paths[i]);
        assert_int_equal(s.rank, FC_RANK_UNKNOWN);
        json_decref(v);
    }
}

static void test_shape__null_only_when_allowed(void **state)
{
    json_t *v = json_loads("[null, 3]", 0, NULL);
    fc_shape s;

    (void)state;
    assert_int_equal(fc_shape_from_json(v, 0, "/s", &s, NULL), FC_ERR_INVALID);
    assert_int_equal(fc_shape_from_json(v, 1, "/s", &s, NULL), FC_OK);
    assert_int_equal(s.dims[0], FC_DIM_UNKNOWN);
    json_decref(v);
}

static void test_shape__rank_is_capped(void **state)
{
    json_t *v = json_loads("[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", 0, NULL);
    fc_shape s;

    (void)state;
    assert_int_equal(fc_shape_from_json(v, 1, "/s", &s, NULL), FC_ERR_INVALID);
    json_decref(v);
}

static void test_shape__num_elements_overflow_is_refused(void **state)
{
    fc_shape s = parse_ok("[null, 9007199254740992, 9007199254740992]");
    int64_t n = 42;

    (void)state;
    assert_int_equal(fc_shape_num_elements(&s, 1, &n), 0);
    assert_int_equal(n, 42);
    s = parse_ok("[null, 28, 28, 3]");
    assert_int_equal(fc_shape_num_elements(&s, 1, &n), 1);
    assert_int_equal(n, 28 * 28 * 3);
    assert_int_equal(fc_shape_num_elements(&s, 0, &n), 0); /* unknown batch axis */
}

static void test_shape__mul_limits(void **state)
{
    int64_t out = 0;

    (void)state;
    assert_int_equal(fc_mul_i64(INT64_MAX, 1, &out), 1);
    assert_int_equal(fc_mul_i64(INT64_MAX, 2, &out), 0);
    assert_int_equal(fc_mul_i64((int64_t)1 << 62, 2, &out), 0);
    assert_int_equal(fc_mul_i64(0, INT64_MAX, &out), 1);
    assert_int_equal(out, 0);
    assert_int_equal(fc_mul_i64(-1, 2, &out), 0);
}

static void test_shape__to_json_round_trip(void **state)
{
    fc_shape s = parse_ok("[null, 7, 0]"), unknown;
    json_t *j = fc_shape_to_json(&s);
    char *text = json_dumps(j, JSON_COMPACT);

    (void)state;
    assert_string_equal(text, "[null,7,0]");
    free(text);
    json_decref(j);
    fc_shape_unknown(&unknown);
    j = fc_shape_to_json(&unknown);
    assert_true(json_is_null(j));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape__format_like_python),
        cmocka_unit_test(test_shape__format_like_tfjs),
        cmocka_unit_test(test_shape__format_truncates_safely),
        cmocka_unit_test(test_shape__rejects_bad_dims_with_path),
        cmocka_unit_test(test_shape__null_only_when_allowed),
        cmocka_unit_test(test_shape__rank_is_capped),
        cmocka_unit_test(test_shape__num_elements_overflow_is_refused),
        cmocka_unit_test(test_shape__mul_limits),
        cmocka_unit_test(test_shape__to_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
