/*
 * test_error.c - core/error.c: the error record, JSON pointers, and the
 * allocator switch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/alloc.h"
#include "fitcheck/error.h"

static void test_error__set_fills_and_truncates(void **state)
{
    fc_error err;
    char long_path[1200];

    (void)state;
    fc_error_init(&err);
    assert_int_equal(err.code, FC_OK);
    assert_int_equal(fc_error_set(&err, FC_ERR_INVALID, "/a/b", "value %d is bad", 7), FC_ERR_INVALID);
    assert_string_equal(err.path, "/a/b");
    assert_string_equal(err.text, "value 7 is bad");
    memset(long_path, 'x', sizeof(long_path) - 1);
    long_path[sizeof(long_path) - 1] = '\0';
    fc_error_set(&err, FC_ERR_INVALID, long_path, "%s", long_path);
    assert_int_equal(strlen(err.path), sizeof(err.path) - 1);
    assert_int_equal(strlen(err.text), sizeof(err.text) - 1);
    assert_int_equal(fc_error_set(NULL, FC_ERR_NOMEM, NULL, "ignored"), FC_ERR_NOMEM);
    assert_string_equal(fc_status_name(FC_ERR_UNSUPPORTED), "unsupported");
    assert_string_equal(fc_status_name((fc_status)99), "unknown");
}

static void test_error__pointer_join_escapes_rfc6901(void **state)
{
    char out[32];

    (void)state;
    fc_pointer_join(out, sizeof(out), "/labels", "a/b~c");
    assert_string_equal(out, "/labels/a~1b~0c");
    fc_pointer_join(out, sizeof(out), "", "");
    assert_string_equal(out, "/");
    fc_pointer_join(out, 8, "/data/x", "input");
    assert_int_equal(strlen(out), 7);
    fc_pointer_join(out, 12, "/a", "////////////");
    assert_string_equal(out, "/a/~1~1~1~1"); /* never splits an escape */
}

static void test_error__utf8_sanitize_and_valid(void **state)
{
    char cut[] = "ab\xc3\xa9\xc3";      /* é, then the head of a second one */
    char cut4[] = "x\xf0\x9f\x98";      /* three bytes of a four-byte emoji */
    char bad[] = "a\xff" "b\xc0\xaf" "c";     /* a stray byte and an overlong '/' */
    char surrogate[] = "\xed\xa0\x80z"; /* UTF-16 surrogates are not UTF-8 */

    (void)state;
    assert_string_equal(fc_utf8_sanitize(cut), "ab\xc3\xa9");
    assert_string_equal(fc_utf8_sanitize(cut4), "x");
    assert_string_equal(fc_utf8_sanitize(bad), "a?b??c");
    assert_string_equal(fc_utf8_sanitize(surrogate), "???z");
    assert_true(fc_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    assert_false(fc_utf8_valid("\xc3", 1));
    assert_false(fc_utf8_valid("a\0b", 3)); /* a NUL inside a name is refused */
    assert_true(fc_utf8_valid("", 0));
}

static void test_error__calloc_refuses_overflow(void **state)
{
    (void)state;
    assert_null(fc_calloc(SIZE_MAX / 2, 4));
    fc_free(NULL);
    assert_null(fc_strdup(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error__set_fills_and_truncates),
        cmocka_unit_test(test_error__pointer_join_escapes_rfc6901),
        cmocka_unit_test(test_error__utf8_sanitize_and_valid),
        cmocka_unit_test(test_error__calloc_refuses_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
