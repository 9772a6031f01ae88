/*
 * test_oracle_sgd.c - SGD_DIVERGES against 422 real fits: every scenario of
 * tests/oracle/sgd_divergence.json (Dense models trained with mean squared
 * error or cross-entropy, SGD at several learning rates and momenta, Adam and
 * RMSprop, on data of every scale, run by a seeded copy of the oracle, TF.js
 * 4.22) goes through fc_preflight_run with the array statistics the fit
 * measured, and the finding must agree with what the fit did:
 *
 *   a finding that promises Inf/NaN          ->  the fit went non-finite, or at least blew up
 *   a linear model (no hidden layer) warned  ->  the fit went non-finite or diverged
 *   a non-SGD optimizer                      ->  never warned
 *
 * A linear model the fit blew up on may go unwarned only where the array
 * statistics cannot tell (centred features, whose largest curvature can be
 * 14x their bound's): at most 5 % of those blow-ups.
 *
 * For ReLU networks the outcome depends on the seed; there the warnings must
 * be right for at least 90 % of the scenarios and a fit the finding let pass
 * must not have gone non-finite in more than 1 % of them. Every disagreement
 * is printed with its id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/preflight.h"

#define FIXTURE FITCHECK_SOURCE_DIR "/tests/oracle/sgd_divergence.json"

/* The SGD_DIVERGES finding of a report, or NULL. */
static const json_t *divergence(const json_t *report)
{
    size_t i;
    const json_t *f;

    json_array_foreach(json_object_get(report, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "code")), "SGD_DIVERGES") == 0)
            return f;
    }
    return NULL;
}

/* Hidden Dense layers of a scenario's Sequential model. */
static size_t hidden_layers(const json_t *request)
{
    const json_t *layers = json_object_get(json_object_get(json_object_get(request, "model"), "config"), "layers");
    size_t n = json_array_size(layers);

    return n > 0 ? n - 1 : 0;
}

static int is_sgd(const json_t *request)
{
    const json_t *opt = json_object_get(json_object_get(request, "compile"), "optimizer");
    const char *name = json_is_string(opt) ? json_string_value(opt) : json_string_value(json_object_get(opt, "class_name"));

    return name != NULL && (strcmp(name, "sgd") == 0 || strcmp(name, "SGD") == 0);
}

static void test_oracle_sgd__findings_agree_with_the_fits(void **state)
{
    json_t *all = json_load_file(FIXTURE, 0, NULL), *sc;
    size_t i, mlp = 0, mlp_right = 0, passed = 0, passed_nan = 0, warned = 0, nan_claims = 0;
    size_t linear_blowups = 0, linear_missed = 0;
    int failures = 0;

    (void)state;
    assert_non_null(all);
    assert_true(json_array_size(all) >= 400);
    json_array_foreach(all, i, sc) {
        const char *id = json_string_value(json_object_get(sc, "id"));
        const json_t *request = json_object_get(sc, "request");
        const char *real = json_string_value(json_object_get(json_object_get(sc, "real"), "class"));
        json_t *report = NULL;
        fc_error err;
        const json_t *f;
        const char *message;
        int blew_up = strcmp(real, "ok") != 0, claims_nan;

        assert_int_equal(fc_preflight_run(request, &report, &err), FC_OK);
        f = divergence(report);
        message = f ? json_string_value(json_object_get(f, "message")) : "";
        claims_nan = f != NULL && strstr(message, "overflows to Inf/NaN") != NULL;
        warned += f != NULL;
        nan_claims += claims_nan;
        if (f == NULL) {
            passed++;
            passed_nan += strcmp(real, "nan") == 0;
        }
        if (f != NULL && !is_sgd(request)) {
            printf("%s: warned, but the optimizer is not SGD\n", id);
            failures++;
        } else if (claims_nan && !blew_up) {
            printf("%s: promises Inf/NaN, the fit was %s: %s\n", id, real, message);
            failures++;
        } else if (hidden_layers(request) == 0 && f != NULL && !blew_up) {
            printf("%s (linear): %s, the fit was %s\n", id, message, real);
            failures++;
        } else if (hidden_layers(request) == 0) {
            linear_blowups += blew_up && is_sgd(request);
            if (blew_up && is_sgd(request) && f == NULL) {
                printf("%s (linear): not warned, the fit was %s\n", id, real);
                linear_missed++;
            }
        } else if (hidden_layers(request) > 0) {
            mlp++;
            if ((f != NULL) == blew_up)
                mlp_right++;
            else
                printf("%s (ReLU, seed-dependent): %s, the fit was %s\n", id, f ? "warned" : "not warned", real);
        }
        json_decref(report);
    }
    printf("%zu fits: %zu warned (%zu promising Inf/NaN), %zu passed (%zu of those went non-finite); linear "
           "blow-ups %zu, %zu unwarned; ReLU networks %zu of %zu right\n",
           json_array_size(all), warned, nan_claims, passed, passed_nan, linear_blowups, linear_missed, mlp_right,
           mlp);
    assert_int_equal(failures, 0);
    assert_true(linear_missed * 20 <= linear_blowups);
    assert_true(mlp_right * 10 >= mlp * 9);
    assert_true(passed_nan * 100 <= passed);
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_sgd__findings_agree_with_the_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
