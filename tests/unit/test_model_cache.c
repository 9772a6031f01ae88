/*
 * test_model_cache.c - server/model_cache.c: a get hands out the stored
 * descriptor and makes it the most recent; putting past the byte bound
 * evicts the least recently used; a descriptor larger than the bound, or a
 * second put of an id, changes nothing; references are balanced.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../server/model_cache.h"

static void test_model_cache__lru_by_bytes(void **state)
{
    fc_model_cache *c = fc_model_cache_new(100);
    json_t *a = json_pack("{s:s}", "class_name", "A"), *b = json_pack("{s:s}", "class_name", "B");
    json_t *d = json_pack("{s:s}", "class_name", "D"), *big = json_pack("{s:s}", "class_name", "BIG"), *got;
    uint64_t hits, misses;
    size_t bytes;

    (void)state;
    assert_non_null(c);
    fc_model_cache_put(c, "a", a, NULL, 40);
    fc_model_cache_put(c, "b", b, NULL, 40);
    got = fc_model_cache_get(c, "a", NULL); /* a is now the most recent */
    assert_ptr_equal(got, a);
    json_decref(got);
    fc_model_cache_put(c, "d", d, NULL, 40); /* 120 > 100: b, the least recent, goes */
    got = fc_model_cache_get(c, "b", NULL);
    assert_null(got);
    got = fc_model_cache_get(c, "a", NULL);
    assert_ptr_equal(got, a);
    json_decref(got);
    fc_model_cache_put(c, "big", big, NULL, 101); /* larger than the whole cache: not kept */
    assert_null(fc_model_cache_get(c, "big", NULL));
    fc_model_cache_put(c, "a", b, NULL, 40); /* the id is there: unchanged */
    got = fc_model_cache_get(c, "a", NULL);
    assert_ptr_equal(got, a);
    json_decref(got);
    fc_model_cache_counts(c, &hits, &misses, &bytes);
    assert_int_equal(hits, 3);
    assert_int_equal(misses, 2);
    assert_int_equal(bytes, 80);
    fc_model_cache_free(c);
    /* only the test's references are left */
    assert_int_equal(a->refcount, 1);
    assert_int_equal(b->refcount, 1);
    assert_int_equal(d->refcount, 1);
    assert_int_equal(big->refcount, 1);
    json_decref(a);
    json_decref(b);
    json_decref(d);
    json_decref(big);
}

/* The canonical text travels with the descriptor and counts in the bound. */
static void test_model_cache__canonical_text(void **state)
{
    fc_model_cache *c = fc_model_cache_new(100);
    json_t *a = json_pack("{s:s}", "class_name", "A"), *text = json_string("{\"class_name\":\"A\"}");
    json_t *got, *canon = NULL;
    uint64_t hits, misses;
    size_t bytes;

    (void)state;
    fc_model_cache_put(c, "a", a, text, 40);
    got = fc_model_cache_get(c, "a", &canon);
    assert_ptr_equal(got, a);
    assert_non_null(canon);
    assert_string_equal(json_string_value(canon), "{\"class_name\":\"A\"}");
    fc_model_cache_counts(c, &hits, &misses, &bytes);
    assert_int_equal(bytes, 58);
    fc_model_cache_free(c); /* the caller's references outlive the cache */
    assert_string_equal(json_string_value(canon), "{\"class_name\":\"A\"}");
    json_decref(canon);
    json_decref(got);
    c = fc_model_cache_new(50);
    fc_model_cache_put(c, "a", a, text, 40); /* 58 > 50 with its text */
    assert_null(fc_model_cache_get(c, "a", &canon));
    assert_null(canon);
    fc_model_cache_free(c);
    assert_int_equal(a->refcount, 1);
    assert_int_equal(text->refcount, 1);
    json_decref(a);
    json_decref(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_cache__lru_by_bytes),
        cmocka_unit_test(test_model_cache__canonical_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
