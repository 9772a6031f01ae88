/*
 * test_oracle_archs.c - property test: for every random architecture in
 * tests/oracle/random_archs.json, fitcheck (target tfjs) infers the total
 * parameters and the output shape a real TF.js build reported through
 * ../shared/oracle. Models TF.js refused to build must not pass silently:
 * fitcheck either reports an error finding or the refusal is one of the
 * TF.js-only limits listed below (pending their own findings).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/graph.h"
#include "fitcheck/model.h"

#define FIXTURE FITCHECK_SOURCE_DIR "/tests/oracle/random_archs.json"
#define CLASSICS FITCHECK_SOURCE_DIR "/tests/oracle/classic_archs.json"

static int shape_equals_json(const fc_shape *s, const json_t *want)
{
    size_t i;

    if (!json_is_array(want) || s->rank != (int)json_array_size(want))
        return 0;
    for (i = 0; i < json_array_size(want); i++) {
        const json_t *d = json_array_get(want, i);
        int64_t got = s->dims[i];

        if (json_is_null(d) ? got != FC_DIM_UNKNOWN : got != (int64_t)json_integer_value(d))
            return 0;
    }
    return 1;
}

/* Compares every built scenario of a fixture; returns the number that disagree. */
static int compare_fixture(const char *path, size_t *built_out)
{
    json_t *all = json_load_file(path, 0, NULL), *s;
    size_t i, built = 0, o;
    int failures = 0;

    assert_non_null(all);
    json_array_foreach(all, i, s) {
        const char *id = json_string_value(json_object_get(s, "id"));
        fc_model m;
        fc_graph g;
        fc_findings f;
        char got[256];

        if (json_object_get(s, "build_error") != NULL)
            continue;
        built++;
        if (fc_model_parse(json_object_get(s, "model"), "/model", &m, NULL) != FC_OK) {
            printf("%s: does not parse\n", id);
            failures++;
            continue;
        }
        fc_findings_init(&f);
        assert_int_equal(fc_graph_infer(&m, NULL, &(fc_target){.framework = FC_FW_TFJS}, 0, &g, &f), FC_OK);
        if (!g.params_known ||
            g.trainable + g.non_trainable != (int64_t)json_integer_value(json_object_get(s, "params"))) {
            printf("%s: params %lld (known %d), TF.js %lld\n", id, (long long)(g.trainable + g.non_trainable),
                   g.params_known, (long long)json_integer_value(json_object_get(s, "params")));
            failures++;
        }
        if (g.n_outputs != json_array_size(json_object_get(s, "output_shapes"))) {
            printf("%s: %zu outputs, TF.js %zu\n", id, g.n_outputs, json_array_size(json_object_get(s, "output_shapes")));
            failures++;
        }
        for (o = 0; o < g.n_outputs && o < json_array_size(json_object_get(s, "output_shapes")); o++) {
            const json_t *want_shape = json_array_get(json_object_get(s, "output_shapes"), o);

            fc_shape_format(&g.outputs[o], 0, got, sizeof(got));
            if (!shape_equals_json(&g.outputs[o], want_shape)) {
                char *want = json_dumps(want_shape, JSON_COMPACT);

                printf("%s: output %zu %s, TF.js %s\n", id, o, got, want);
                free(want);
                failures++;
            }
        }
        fc_findings_release(&f);
        fc_graph_release(&g);
        fc_model_release(&m);
    }
    json_decref(all);
    *built_out = built;
    return failures;
}

static void test_oracle_archs__params_and_shapes_match_tfjs(void **state)
{
    size_t built;
    int failures;

    (void)state;
    failures = compare_fixture(FIXTURE, &built);
    printf("%zu architectures built by TF.js, %d disagree\n", built, failures);
    assert_true(built >= 200);
    assert_int_equal(failures, 0);
}

/* MobileNetV2 (3,538,984 as Keras publishes), a BiLSTM text classifier, a two-input two-output model. */
static void test_oracle_archs__classic_architectures_match_tfjs(void **state)
{
    size_t built;
    int failures;

    (void)state;
    failures = compare_fixture(CLASSICS, &built);
    assert_int_equal(built, 3);
    assert_int_equal(failures, 0);
}

static int has_error(const fc_findings *f)
{
    size_t i;

    for (i = 0; i < f->len; i++) {
        if (f->items[i].severity == FC_SEV_ERROR)
            return 1;
    }
    return 0;
}

/* Models TF.js refused to build: fitcheck must fail them for the tfjs target. */
static void test_oracle_archs__tfjs_refusals_are_errors(void **state)
{
    json_t *all = json_load_file(FIXTURE, 0, NULL), *s;
    size_t i, refused = 0;
    int missed = 0;

    (void)state;
    assert_non_null(all);
    json_array_foreach(all, i, s) {
        fc_model m;
        fc_graph g;
        fc_findings f;

        if (json_object_get(s, "build_error") == NULL)
            continue;
        refused++;
        assert_int_equal(fc_model_parse(json_object_get(s, "model"), "/model", &m, NULL), FC_OK);
        fc_findings_init(&f);
        assert_int_equal(fc_graph_infer(&m, NULL, &(fc_target){.framework = FC_FW_TFJS}, 0, &g, &f), FC_OK);
        if (!has_error(&f)) {
            printf("%s: TF.js refused (%.100s), fitcheck found no error\n",
                   json_string_value(json_object_get(s, "id")),
                   json_string_value(json_object_get(s, "build_error")));
            missed++;
        }
        fc_findings_release(&f);
        fc_graph_release(&g);
        fc_model_release(&m);
    }
    printf("%zu architectures refused by TF.js, %d missed\n", refused, missed);
    assert_true(refused >= 20);
    assert_int_equal(missed, 0);
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_archs__params_and_shapes_match_tfjs),
        cmocka_unit_test(test_oracle_archs__classic_architectures_match_tfjs),
        cmocka_unit_test(test_oracle_archs__tfjs_refusals_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
