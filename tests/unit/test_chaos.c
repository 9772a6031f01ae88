/*
 * test_chaos.c - fail every allocation in turn (jansson's test_chaos, curl's
 * torture mode): the core's own allocations through fc_set_alloc_funcs and
 * jansson's through json_set_alloc_funcs. Each run must end in FC_OK or
 * FC_ERR_NOMEM, never crash, and (under the sanitizer build) never leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fitcheck/alloc.h"
#include "fitcheck/preflight.h"

static long countdown = -1; /* allocations left before the one that fails; -1 never fails */
static long calls;

static void *chaos_malloc(size_t size)
{
    calls++;
    if (countdown == 0)
        return NULL;
    if (countdown > 0)
        countdown--;
    return malloc(size);
}

static const char *requests[] = {
    "{\"model\": {\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": "
    "\"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 28, 28]}}, {\"class_name\": \"Flatten\", "
    "\"config\": {\"name\": \"f\"}}]}}, \"data\": {\"x\": {\"shape\": [100, 784]}, \"y\": {\"shape\": [99]}}, "
    "\"labels\": {\"project\": \"p\"}}",
    "{\"model\": {\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": [{\"class_name\": "
    "\"InputLayer\", \"name\": \"a\", \"config\": {\"name\": \"a\", \"batch_input_shape\": [null, 3]}, "
    "\"inbound_nodes\": []}, {\"class_name\": \"InputLayer\", \"name\": \"b\", \"config\": {\"name\": \"b\", "
    "\"batch_input_shape\": [null, 5]}, \"inbound_nodes\": []}, {\"class_name\": \"Concatenate\", \"name\": \"c\", "
    "\"config\": {\"name\": \"c\"}, \"inbound_nodes\": [[[\"a\", 0, 0, {}], [\"b\", 0, 0, {}]]]}], \"input_layers\": "
    "[[\"a\", 0, 0], [\"b\", 0, 0]], \"output_layers\": [[\"c\", 0, 0]]}}, \"framework\": \"tfjs\", "
    "\"data\": {\"x\": {\"a\": {\"shape\": [10, 3]}, \"z\": {\"shape\": [10, 5]}}}}",
};

static char *baseline; /* the report of the current request with no failure */

/* Runs one request with the n-th allocation failing; returns the number of allocations made.
 * A run that succeeds despite the failure must produce the very same report. */
static long run_failing_at(const char *text, long n, int jansson_too)
{
    json_t *body, *report = NULL;
    fc_status result;
    fc_error err;

    body = json_loads(text, 0, NULL);
    assert_non_null(body);
    calls = 0;
    countdown = n;
    fc_set_alloc_funcs(chaos_malloc, free);
    if (jansson_too)
        json_set_alloc_funcs(chaos_malloc, free);
    result = fc_preflight_run(body, &report, &err);
    json_set_alloc_funcs(malloc, free);
    fc_set_alloc_funcs(NULL, NULL);
    countdown = -1;
    if (result == FC_OK) {
        char *dump = json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);

        assert_non_null(dump);
        if (n < 0) {
            free(baseline);
            baseline = dump;
        } else {
            assert_string_equal(dump, baseline);
            free(dump);
        }
    } else {
        assert_null(report);
    }
    if (!jansson_too && n >= 0 && result != FC_OK)
        assert_int_equal(result, FC_ERR_NOMEM);
    json_decref(report);
    json_decref(body);
    return calls;
}

static void fail_each(int jansson_too)
{
    size_t r;

    for (r = 0; r < sizeof(requests) / sizeof(requests[0]); r++) {
        long total = run_failing_at(requests[r], -1, jansson_too), n;

        assert_true(total > 10);
        for (n = 0; n < total; n++)
            run_failing_at(requests[r], n, jansson_too);
    }
    free(baseline);
    baseline = NULL;
}

static void test_chaos__core_allocations_fail_cleanly(void **state)
{
    (void)state;
    fail_each(0);
}

static void test_chaos__jansson_allocations_fail_cleanly(void **state)
{
    (void)state;
    fail_each(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chaos__core_allocations_fail_cleanly),
        cmocka_unit_test(test_chaos__jansson_allocations_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
