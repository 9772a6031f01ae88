/*
 * test_oracle_data.c - agreement with a real model.fit: every scenario of
 * tests/oracle/data_scenarios.json (small models fed correct data, or data with
 * exactly one mistake, run through TF.js 4.22 by ../shared/oracle) is checked
 * with fc_preflight_run, and fitcheck's verdict for the tfjs target must agree
 * with what the fit did:
 *
 *   oracle error at any stage, or ok with a non-finite loss  ->  "fail"
 *   oracle ok with a finite loss                             ->  "pass" or "warn"
 *
 * Scenarios tagged silent_nonsense (TF.js trains without an error on labels
 * the loss cannot mean: out-of-range sparse labels, binary cross-entropy on
 * labels outside {0, 1}) must be "fail"; they are counted apart from the
 * agreement ratio, which must be at least 99 %. Every disagreement is printed
 * with its id, mistake and the oracle's text.
 *
 * For scenarios TF.js rejects with an error text that fitcheck also fails,
 * one finding's framework_error should be that text (a "…" in fitcheck's text
 * stands for a tensor dump and matches anything): the ones that differ are
 * printed and counted, but do not fail the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/explain.h"
#include "fitcheck/preflight.h"

#define FIXTURE FITCHECK_SOURCE_DIR "/tests/oracle/data_scenarios.json"
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, where fitcheck's texts elide a tensor dump */

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s != NULL ? s : "";
}

/*
 * 1 when fitcheck's text matches the oracle's: equal, or (for a text with
 * "…") every piece between the ellipses appears in the oracle's text, in order,
 * the first piece at its start.
 */
static int framework_error_matches(const char *ours, const char *oracle)
{
    const char *p = ours, *at = oracle;
    int first = 1;

    if (strcmp(ours, oracle) == 0)
        return 1;
    if (strstr(ours, ELLIPSIS) == NULL)
        return 0;
    while (*p != '\0') {
        const char *end = strstr(p, ELLIPSIS);
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char piece[2048];
        const char *hit;

        if (len >= sizeof(piece))
            return 0;
        memcpy(piece, p, len);
        piece[len] = '\0';
        if (len > 0) {
            hit = strstr(at, piece);
            if (hit == NULL || (first && hit != at))
                return 0;
            at = hit + len;
        }
        first = 0;
        if (end == NULL)
            break;
        p = end + strlen(ELLIPSIS);
    }
    return 1;
}

/* "CODE(severity), ..." of a report's findings, into buf. */
static void finding_codes(const json_t *report, char *buf, size_t size)
{
    size_t i, used = 0;
    const json_t *f;

    buf[0] = '\0';
    json_array_foreach(json_object_get(report, "findings"), i, f) {
        int n = snprintf(buf + used, size - used, "%s%s(%s)", used ? ", " : "", str(f, "code"), str(f, "severity"));

        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

/* The framework_error texts of a report's error findings, one per line, into buf. */
static void error_texts(const json_t *report, char *buf, size_t size)
{
    size_t i, used = 0;
    const json_t *f;

    buf[0] = '\0';
    json_array_foreach(json_object_get(report, "findings"), i, f) {
        int n;

        if (strcmp(str(f, "severity"), "error") != 0)
            continue;
        n = snprintf(buf + used, size - used, "      %s: %s\n", str(f, "code"),
                     json_is_string(json_object_get(f, "framework_error")) ? str(f, "framework_error") : "(none)");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static int some_framework_error_matches(const json_t *report, const char *oracle_error)
{
    size_t i;
    const json_t *f;

    json_array_foreach(json_object_get(report, "findings"), i, f) {
        const char *fe = json_string_value(json_object_get(f, "framework_error"));

        if (fe != NULL && framework_error_matches(fe, oracle_error))
            return 1;
    }
    return 0;
}

static void test_oracle_data__tfjs_verdicts_agree_with_model_fit(void **state)
{
    json_t *all = json_load_file(FIXTURE, 0, NULL), *s;
    size_t i, total = 0, counted = 0, agree = 0, nonsense = 0, nonsense_failed = 0;
    size_t text_checked = 0, text_differs = 0, want_fail = 0;
    char codes[2048], texts[8192];

    (void)state;
    assert_non_null(all);
    json_array_foreach(all, i, s) {
        const json_t *oracle = json_object_get(s, "oracle");
        const char *id = str(s, "id"), *mistake = str(s, "mistake");
        int oracle_error = strcmp(str(oracle, "outcome"), "error") == 0;
        int silent = json_is_true(json_object_get(s, "silent_nonsense"));
        int expect_fail = oracle_error || !json_is_true(json_object_get(oracle, "loss_finite"));
        json_t *report = NULL;
        fc_error err;
        const char *verdict;
        int ok;

        memset(&err, 0, sizeof(err));
        total++;
        if (fc_preflight_run(json_object_get(s, "request"), &report, &err) != FC_OK) {
            printf("DISAGREE %s [%s]: fitcheck refused the request (%s at %s); oracle: %s\n", id, mistake,
                   err.text, err.path, str(oracle, "text"));
            if (!silent)
                counted++;
            else
                nonsense++;
            continue;
        }
        verdict = str(report, "verdict");
        finding_codes(report, codes, sizeof(codes));
        if (silent) {
            /* TF.js trains on nonsense without an error: fitcheck must stop it. */
            nonsense++;
            if (strcmp(verdict, "fail") == 0)
                nonsense_failed++;
            else
                printf("SILENT NONSENSE NOT FAILED %s [%s] %s: fitcheck %s [%s]\n", id, mistake, str(s, "note"), verdict,
                       codes);
            json_decref(report);
            continue;
        }
        counted++;
        want_fail += (size_t)expect_fail;
        ok = expect_fail ? strcmp(verdict, "fail") == 0 : strcmp(verdict, "fail") != 0;
        if (ok) {
            agree++;
        } else {
            printf("DISAGREE %s [%s] %s: fitcheck %s [%s]; oracle %s at %s: %s\n", id, mistake, str(s, "note"), verdict,
                   codes, str(oracle, "outcome"), str(oracle, "stage"), str(oracle, "text"));
        }
        if (oracle_error && strcmp(verdict, "fail") == 0 && json_is_string(json_object_get(oracle, "error"))) {
            text_checked++;
            if (!some_framework_error_matches(report, str(oracle, "error"))) {
                text_differs++;
                error_texts(report, texts, sizeof(texts));
                printf("TEXT DIFFERS %s [%s]\n    TF.js:    %s\n    fitcheck:\n%s", id, mistake, str(oracle, "error"),
                       texts);
            }
        }
        json_decref(report);
    }
    json_decref(all);

    printf("%zu scenarios: %zu/%zu agree with TF.js (%.2f %%; %zu fail in TF.js), %zu disagree\n", total, agree, counted,
           counted ? 100.0 * (double)agree / (double)counted : 0.0, want_fail, counted - agree);
    printf("silent nonsense: %zu/%zu failed by fitcheck\n", nonsense_failed, nonsense);
    printf("framework_error: %zu/%zu TF.js error texts reproduced, %zu differ\n", text_checked - text_differs,
           text_checked, text_differs);
    fflush(stdout);
    assert_true(total >= 300);
    assert_true(nonsense >= 10);
    assert_true((double)agree >= 0.99 * (double)counted);
    assert_int_equal(nonsense_failed, nonsense);
}

/* The matcher itself: exact texts, and "…" standing for a tensor dump. */
/*
 * /v1/explain on the real texts: every TF.js error of the fixture, pasted
 * alone, must be explained as one of the codes fitcheck reports for that
 * scenario (texts with a tensor dump after "following list" included).
 */
static void test_oracle_data__explain_maps_real_tfjs_errors(void **state)
{
    json_t *all = json_load_file(FIXTURE, 0, NULL), *s;
    size_t i, texts = 0, explained = 0;

    (void)state;
    assert_non_null(all);
    json_array_foreach(all, i, s) {
        const json_t *oracle = json_object_get(s, "oracle");
        json_t *report = NULL, *out, *f, *m;
        fc_error err;
        size_t j, k;
        int hit = 0;

        if (strcmp(str(oracle, "outcome"), "error") != 0 || !json_is_string(json_object_get(oracle, "error")))
            continue;
        if (fc_preflight_run(json_object_get(s, "request"), &report, &err) != FC_OK)
            continue;
        texts++;
        out = fc_explain_text(str(oracle, "error"), "tfjs");
        assert_non_null(out);
        json_array_foreach(json_object_get(report, "findings"), j, f) {
            json_array_foreach(json_object_get(out, "matches"), k, m) {
                if (json_equal(json_object_get(m, "code"), json_object_get(f, "code")))
                    hit = 1;
            }
        }
        if (hit)
            explained++;
        else
            printf("EXPLAIN MISSES %s: %.200s\n", str(s, "id"), str(oracle, "error"));
        json_decref(out);
        json_decref(report);
    }
    printf("explain: %zu/%zu real TF.js error texts explained as a code the preflight reports\n", explained, texts);
    assert_true(texts >= 200);
    assert_int_equal(explained, texts);
    json_decref(all);
}

static void test_oracle_data__framework_error_matcher(void **state)
{
    (void)state;
    assert_true(framework_error_matches("abc", "abc"));
    assert_false(framework_error_matches("abc", "abcd"));
    assert_true(framework_error_matches("Expected 2 Tensor(s): " ELLIPSIS, "Expected 2 Tensor(s): Tensor [1, 2]"));
    assert_false(framework_error_matches("Expected 3 Tensor(s): " ELLIPSIS, "Expected 2 Tensor(s): Tensor [1, 2]"));
    assert_false(framework_error_matches("Tensor(s): " ELLIPSIS, "Expected 2 Tensor(s): Tensor"));
    assert_true(framework_error_matches("a " ELLIPSIS " c", "a b c"));
    assert_false(framework_error_matches("a " ELLIPSIS " d", "a b c"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oracle_data__framework_error_matcher),
        cmocka_unit_test(test_oracle_data__tfjs_verdicts_agree_with_model_fit),
        cmocka_unit_test(test_oracle_data__explain_maps_real_tfjs_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
