/*
 * tests/unit/test_ids.c: report ids (server/ids.c): fc_id_new gives valid,
 * strictly increasing UUIDv7 text with version 7, variant 10xx and the
 * millisecond timestamp it reports, distinct across threads; fc_id_valid
 * rejects near misses; fc_format_time_ms against values computed with
 * `date -u -d @<seconds> +%Y-%m-%dT%H:%M:%S.%3NZ`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids.h"

#define N_IDS 10000
#define N_THREADS 4
#define IDS_PER_THREAD 2500

typedef char id_text[37];

/* The 48-bit big-endian millisecond timestamp in the first 12 hex digits. */
static int64_t embedded_ms(const char *id)
{
    int64_t v = 0;

    for (int i = 0; i < 13; i++) {
        char c = id[i];

        if (i == 8)
            continue; /* the dash */
        v = v * 16 + (c >= 'a' ? c - 'a' + 10 : c - '0');
    }
    return v;
}

static void test_ids__strictly_increasing_and_valid(void **state)
{
    id_text *ids = calloc(N_IDS, sizeof(*ids));
    int64_t ms, prev_ms = -1;

    (void)state;
    assert_non_null(ids);
    for (int i = 0; i < N_IDS; i++) {
        memset(ids[i], 'x', sizeof(ids[i]));
        assert_int_equal(fc_id_new(ids[i], &ms), 0);
        assert_int_equal(strlen(ids[i]), 36);
        assert_true(fc_id_valid(ids[i]));
        assert_true(ms >= prev_ms);
        if (i > 0)
            assert_true(strcmp(ids[i - 1], ids[i]) < 0);
        prev_ms = ms;
    }
    free(ids);
}

static void test_ids__version_and_variant(void **state)
{
    char id[37];
    int64_t ms;

    (void)state;
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(fc_id_new(id, &ms), 0);
        assert_int_equal(id[8], '-');
        assert_int_equal(id[13], '-');
        assert_int_equal(id[18], '-');
        assert_int_equal(id[23], '-');
        assert_int_equal(id[14], '7');
        assert_non_null(strchr("89ab", id[19]));
        assert_int_not_equal(id[19], '\0');
    }
}

static void test_ids__timestamp_matches_ms(void **state)
{
    char id[37];
    int64_t ms, before, after;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        before = (int64_t)time(NULL) * 1000;
        assert_int_equal(fc_id_new(id, &ms), 0);
        after = (int64_t)time(NULL) * 1000;
        assert_int_equal(embedded_ms(id), ms);
        /* time() truncates to the second; allow a few seconds either side */
        assert_true(ms >= before - 3000);
        assert_true(ms <= after + 4000);
    }
}

typedef struct id_batch {
    pthread_barrier_t *start;    /* all threads begin together, to contend */
    id_text ids[IDS_PER_THREAD]; /* OUT */
    int failures;                /* OUT: no cmocka asserts off the main thread */
} id_batch;

static void *make_ids(void *arg)
{
    id_batch *b = arg;
    int64_t ms;

    pthread_barrier_wait(b->start);
    for (int i = 0; i < IDS_PER_THREAD; i++) {
        if (fc_id_new(b->ids[i], &ms) != 0 || !fc_id_valid(b->ids[i]) || embedded_ms(b->ids[i]) != ms)
            b->failures++;
        /* each thread sees its own ids increase: they are handed out under one lock */
        else if (i > 0 && strcmp(b->ids[i - 1], b->ids[i]) >= 0)
            b->failures++;
    }
    return NULL;
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_ids__distinct_across_threads(void **state)
{
    id_batch *batches = calloc(N_THREADS, sizeof(*batches));
    id_text *all = calloc(N_THREADS * IDS_PER_THREAD, sizeof(*all));
    pthread_t threads[N_THREADS];
    pthread_barrier_t start;

    (void)state;
    assert_non_null(batches);
    assert_non_null(all);
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    for (int t = 0; t < N_THREADS; t++) {
        batches[t].start = &start;
        assert_int_equal(pthread_create(&threads[t], NULL, make_ids, &batches[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    pthread_barrier_destroy(&start);
    for (int t = 0; t < N_THREADS; t++) {
        assert_int_equal(batches[t].failures, 0);
        memcpy(all[t * IDS_PER_THREAD], batches[t].ids, sizeof(batches[t].ids));
    }
    qsort(all, N_THREADS * IDS_PER_THREAD, sizeof(*all), compare_ids);
    for (int i = 1; i < N_THREADS * IDS_PER_THREAD; i++)
        assert_true(strcmp(all[i - 1], all[i]) < 0);
    free(all);
    free(batches);
}

static void test_ids__valid_rejects_near_misses(void **state)
{
    static const char *const bad[] = {
        "0193B2C4-5D6E-7ABC-8DEF-0123456789AB",  /* uppercase */
        "0193b2c4-5d6e-7abc-8def-0123456789aB",  /* one uppercase digit */
        "0193b2c4-5d6e-7Abc-8def-0123456789ab",  /* uppercase next to the version */
        "0193b2c4-5d6e-7abc-8def-0123456789a",   /* 35 characters */
        "0193b2c4-5d6e-7abc-8def-0123456789abc", /* 37 characters */
        "",                                      /* empty */
        "0193b2c4-5d6e-4abc-8def-0123456789ab",  /* version 4 */
        "0193b2c4-5d6e-1abc-8def-0123456789ab",  /* version 1 */
        "0193b2c4-5d6e-8abc-8def-0123456789ab",  /* version 8 */
        "0193b2c4-5d6e-7abc-cdef-0123456789ab",  /* variant 110x */
        "0193b2c4-5d6e-7abc-7def-0123456789ab",  /* variant 0xxx */
        "0193b2c4-5d6e-7abc-0def-0123456789ab",  /* variant 0000 */
        "0193b2c4-5d6e-7abc-fdef-0123456789ab",  /* variant 1111 */
        "0193b2c45d6e7abc8def0123456789ab",      /* no dashes */
        "0193b2c405d6e-7abc-8def-0123456789ab",  /* first dash replaced by a digit */
        "0193b2c4-5d6e07abc-8def-0123456789ab",  /* second dash replaced */
        "0193b2c4-5d6e-7abc08def-0123456789ab",  /* third dash replaced */
        "0193b2c4-5d6e-7abc-8def00123456789ab",  /* fourth dash replaced */
        "0193b2c-45d6e-7abc-8def-0123456789ab",  /* dash moved */
        "0193b2c4-5d6e-7abc-8def-0123456789ag",  /* not hex */
        "0193b2c4-5d6e-7abc-8def-01234567 9ab",  /* space */
        "{0193b2c4-5d6e-7abc-8def-0123456789}",  /* braces */
    };
    char id[37];
    int64_t ms;

    (void)state;
    /* the good base the misses are made from */
    assert_true(fc_id_valid("0193b2c4-5d6e-7abc-8def-0123456789ab"));
    assert_true(fc_id_valid("0193b2c4-5d6e-7fff-bfff-ffffffffffff"));
    assert_true(fc_id_valid("00000000-0000-7000-9000-000000000000"));
    assert_true(fc_id_valid("0193b2c4-5d6e-7abc-adef-0123456789ab"));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (fc_id_valid(bad[i]))
            print_error("accepted: \"%s\"\n", bad[i]);
        assert_false(fc_id_valid(bad[i]));
    }
    assert_false(fc_id_valid(NULL));

    /* a generated id, uppercased, is no longer valid */
    assert_int_equal(fc_id_new(id, &ms), 0);
    assert_true(fc_id_valid(id));
    for (int i = 0; i < 36; i++)
        if (id[i] >= 'a' && id[i] <= 'f')
            id[i] = (char)(id[i] - 'a' + 'A');
    if (strpbrk(id, "ABCDEF") != NULL)
        assert_false(fc_id_valid(id));
}

static void check_time(int64_t ms, const char *expected)
{
    char out[32];

    memset(out, 'x', sizeof(out));
    fc_format_time_ms(ms, out);
    assert_string_equal(out, expected);
}

static void test_ids__format_time_ms(void **state)
{
    (void)state;
    check_time(0, "1970-01-01T00:00:00.000Z");
    check_time(1, "1970-01-01T00:00:00.001Z");
    check_time(999, "1970-01-01T00:00:00.999Z");
    check_time(1000, "1970-01-01T00:00:01.000Z");
    /* date -u -d @1795459815.227 +%Y-%m-%dT%H:%M:%S.%3NZ */
    check_time(1795459815227, "2026-11-23T18:50:15.227Z");
    /* date -u -d @951782400.5: leap day of a century leap year */
    check_time(951782400500, "2000-02-29T00:00:00.500Z");
    /* date -u -d @1735689599.999: last millisecond of 2024 */
    check_time(1735689599999, "2024-12-31T23:59:59.999Z");
    /* date -u -d @4102444800: 2100 (not a leap year) */
    check_time(4102444800000, "2100-01-01T00:00:00.000Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids__strictly_increasing_and_valid),
        cmocka_unit_test(test_ids__version_and_variant),
        cmocka_unit_test(test_ids__timestamp_matches_ms),
        cmocka_unit_test(test_ids__distinct_across_threads),
        cmocka_unit_test(test_ids__valid_rejects_near_misses),
        cmocka_unit_test(test_ids__format_time_ms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
