/*
 * tests/unit/test_jsonw.c: fc_json_dump and the digest writer against
 * jansson's own json_dumps (JSON_COMPACT, with and without JSON_SORT_KEYS) on
 * hand-picked values and on thousands of random trees: every escape, reals
 * of every magnitude, integers at the limits, keys that sort by length and
 * by byte, objects past the writer's stack of keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fitcheck/jsonw.h"

/* Both writers must give exactly json_dumps's text (and its digest) for value. */
static void check_same(const json_t *value)
{
    static const unsigned modes[2] = {0, FC_JW_SORT_KEYS};

    for (int m = 0; m < 2; m++) {
        size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | (modes[m] ? JSON_SORT_KEYS : 0);
        char *want = json_dumps(value, flags), *got, hex_want[65], hex_got[65];
        unsigned char digest[32];
        size_t len = 0;
        fc_sha256 sha;
        fc_jw w;

        assert_non_null(want);
        got = fc_json_dump(value, modes[m], &len);
        assert_non_null(got);
        assert_string_equal(got, want);
        assert_int_equal(len, strlen(want));

        fc_sha256_init(&sha);
        fc_jw_init_digest(&w, &sha);
        fc_jw_value(&w, value, modes[m]);
        assert_int_equal(fc_jw_finish_digest(&w), 0);
        fc_sha256_final(&sha, digest);
        for (int i = 0; i < 32; i++)
            snprintf(hex_got + 2 * i, 3, "%02x", digest[i]);
        fc_sha256_hex(want, strlen(want), hex_want);
        assert_string_equal(hex_got, hex_want);
        free(got);
        free(want);
    }
}

static void test_jsonw__scalars(void **state)
{
    static const double reals[] = {0.0, -0.0, 0.1, 1.0, -1.5, 1e16, 1e17, 1e-5, 1e-4, 123456789012345678.0,
                                   1e300, -1e-300, 5e-324, 1.7976931348623157e308, 0.30000000000000004,
                                   2.5e-7, 100.0, 1e21, 3.14159};
    static const json_int_t ints[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN};
    json_t *v;

    (void)state;
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
        v = json_real(reals[i]);
        check_same(v);
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        v = json_integer(ints[i]);
        check_same(v);
        json_decref(v);
    }
    check_same(json_null());
    check_same(json_true());
    check_same(json_false());
}

static void test_jsonw__strings(void **state)
{
    char every[128];
    json_t *v;

    (void)state;
    for (int i = 1; i < 128; i++)
        every[i - 1] = (char)i;
    every[127] = '\0';
    v = json_string(every); /* every ASCII byte, control characters included */
    check_same(v);
    json_decref(v);
    v = json_stringn("a\0b", 3); /* an embedded NUL */
    check_same(v);
    json_decref(v);
    v = json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 / \\ \"q\""); /* not escaped: UTF-8 and '/' */
    check_same(v);
    json_decref(v);
    v = json_string("");
    check_same(v);
    json_decref(v);
}

static void test_jsonw__containers(void **state)
{
    json_t *v = json_object(), *big = json_object();
    char key[16];

    (void)state;
    /* keys that sort by length ("a" < "aa") and by byte ("B" < "a"), and an empty key */
    json_object_set_new(v, "aa", json_integer(1));
    json_object_set_new(v, "a", json_array());
    json_object_set_new(v, "B", json_object());
    json_object_set_new(v, "", json_pack("[i, [], {}, [null]]", 3));
    json_object_set_new(v, "a\xc3\xa9", json_true());
    check_same(v);
    /* 20 keys (qsort) and 40 keys (beyond the stack of 32) in reverse order */
    for (int i = 39; i >= 0; i--) {
        snprintf(key, sizeof(key), "k%02d", i);
        json_object_set_new(big, key, json_integer(i));
        if (i == 20)
            check_same(big);
    }
    check_same(big);
    json_object_set_new(v, "big", big);
    check_same(v);
    json_decref(v);
    v = json_array();
    check_same(v);
    json_decref(v);
}

/* A small deterministic PRNG, so that a failure reproduces. */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static json_t *random_string(void)
{
    static const char *pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f",
                                   "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "name", "conv2d_1"};
    char text[64] = "";
    size_t n = rng() % 6;

    for (size_t i = 0; i < n; i++)
        strcat(text, pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))]);
    return json_string(text);
}

static json_t *random_value(int depth)
{
    int kind = (int)(rng() % (depth > 3 ? 6 : 8));
    json_t *v;
    size_t n;

    switch (kind) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rng() & 1);
    case 2:
        return json_integer((json_int_t)(rng() >> (rng() % 64)) * ((rng() & 1) ? 1 : -1));
    case 3: {
        double d = ldexp((double)(rng() >> 11), (int)(rng() % 200) - 150);

        return json_real((rng() & 1) ? d : -d);
    }
    case 4:
    case 5:
        return random_string();
    case 6:
        v = json_array();
        for (n = rng() % 5; n > 0; n--)
            json_array_append_new(v, random_value(depth + 1));
        return v;
    default:
        v = json_object();
        for (n = rng() % 7; n > 0; n--) {
            json_t *k = random_string();

            json_object_set_new(v, json_string_value(k), random_value(depth + 1));
            json_decref(k);
        }
        return v;
    }
}

static void test_jsonw__random_trees(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++) {
        json_t *v = random_value(0);

        check_same(v);
        json_decref(v);
    }
}

/* A spliced member's text stands in for its value, sorted or not, wherever the key falls. */
static void test_jsonw__splice(void **state)
{
    json_t *model = json_pack("{s:s, s:[i, f]}", "z", "last", "a", 1, 0.5);
    json_t *body = json_pack("{s:s, s:O, s:{s:i}}", "framework", "keras3", "model", model, "fit", "epochs", 3);
    char *canon = fc_json_dump(model, FC_JW_SORT_KEYS, NULL);
    char *want, *got;
    fc_jw w;

    (void)state;
    for (unsigned flags = 0; flags <= FC_JW_SORT_KEYS; flags++) {
        want = fc_json_dump(body, flags, NULL);
        fc_jw_init(&w);
        fc_jw_object_splice(&w, body, flags, "model", canon, strlen(canon));
        got = fc_jw_finish(&w, NULL);
        if (flags & FC_JW_SORT_KEYS)
            assert_string_equal(got, want);
        else /* insertion order: only the model's own keys come sorted from the text */
            assert_string_equal(got, "{\"framework\":\"keras3\",\"model\":{\"a\":[1,0.5],\"z\":\"last\"},"
                                     "\"fit\":{\"epochs\":3}}");
        free(got);
        free(want);
    }
    fc_jw_init(&w);
    fc_jw_object_splice(&w, body, FC_JW_SORT_KEYS, "absent", "!", 1); /* no such member: the plain text */
    got = fc_jw_finish(&w, NULL);
    want = fc_json_dump(body, FC_JW_SORT_KEYS, NULL);
    assert_string_equal(got, want);
    free(got);
    free(want);
    fc_jw_init(&w);
    fc_jw_object_splice(&w, json_object_get(model, "a"), 0, "model", "1", 1); /* not an object */
    assert_null(fc_jw_finish(&w, NULL));
    free(canon);
    json_decref(body);
    json_decref(model);
}

static void test_jsonw__null_fails(void **state)
{
    fc_jw w;

    (void)state;
    assert_null(fc_json_dump(NULL, 0, NULL));
    fc_jw_init(&w);
    fc_jw_raw(&w, "[", 1);
    fc_jw_value(&w, NULL, 0);
    assert_null(fc_jw_finish(&w, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonw__scalars),
        cmocka_unit_test(test_jsonw__strings),
        cmocka_unit_test(test_jsonw__containers),
        cmocka_unit_test(test_jsonw__random_trees),
        cmocka_unit_test(test_jsonw__splice),
        cmocka_unit_test(test_jsonw__null_fails),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
