/*
 * test_findings.c - core/findings.c: the catalog is complete and
 * consistent, templates expand as documented, and the findings list keeps
 * its contract.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ctype.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/alloc.h"
#include "fitcheck/findings.h"

/* Every row: code shape, title, explanation, fix, reference; an error text
 * for every target where the finding is an error (the framework raises). */
static void test_findings__catalog_rows_are_complete(void **state)
{
    size_t i, j;

    (void)state;
    for (i = 0; i < FC_FINDING_COUNT; i++) {
        const fc_catalog_entry *e = fc_catalog_get((fc_finding_code)i);

        assert_non_null(e);
        assert_true(isupper((unsigned char)e->code[0]));
        for (j = 0; e->code[j] != '\0'; j++)
            assert_true(isupper((unsigned char)e->code[j]) || isdigit((unsigned char)e->code[j]) || e->code[j] == '_');
        if (strlen(e->title) < 10 || strlen(e->explanation) < 80 || strlen(e->fix_summary) < 10 ||
            strlen(e->fix_code) < 5 || strlen(e->reference) < 20)
            fail_msg("%s: title, explanation, fix or reference missing or too short", e->code);
        if (e->severity == FC_SEV_ERROR &&
            (e->error_keras3 == NULL || e->error_tfkeras2 == NULL || e->error_tfjs == NULL))
            fail_msg("%s: an error finding needs each framework's error text", e->code);
        if (strstr(e->reference, "keras3:") == NULL || strstr(e->reference, "tf.keras2:") == NULL ||
            strstr(e->reference, "tfjs:") == NULL)
            fail_msg("%s: the reference must name the source checked for each target", e->code);
        assert_ptr_equal(fc_catalog_find(e->code), e);
    }
    assert_null(fc_catalog_get(FC_FINDING_COUNT));
    assert_null(fc_catalog_find("NO_SUCH_CODE"));
}

/* Codes are public: these must never move (append new rows after them). */
static void test_findings__codes_are_stable(void **state)
{
    (void)state;
    assert_string_equal(fc_catalog_get(FC_INPUT_RANK_MISMATCH)->code, "INPUT_RANK_MISMATCH");
    assert_int_equal(FC_INPUT_RANK_MISMATCH, 0);
    assert_int_equal(FC_INPUT_SHAPE_MISMATCH, 1);
    assert_int_equal(FC_INPUT_COUNT_MISMATCH, 2);
    assert_int_equal(FC_INPUT_NAME_UNKNOWN, 3);
    assert_int_equal(FC_INPUT_MISSING, 4);
    assert_int_equal(FC_SAMPLE_COUNT_MISMATCH, 5);
}

static void test_findings__template_expansion(void **state)
{
    fc_var vars[] = {{"a", "1"}, {"name", "dense"}, {"empty", ""}};
    struct {
        const char *tmpl, *want;
    } cases[] = {
        {"x = {a}", "x = 1"},
        {"{name}/{name}", "dense/dense"},
        {"[{empty}]", "[]"},
        {"{{literal}} {a}", "{literal} 1"},
        {"keep {unknown} as is", "keep {unknown} as is"},
        {"unclosed {a", "unclosed {a"},
        {"", ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = fc_template_expand(cases[i].tmpl, vars, 3);

        assert_non_null(out);
        assert_string_equal(out, cases[i].want);
        fc_free(out);
    }
    assert_null(fc_template_expand(NULL, vars, 3));
}

static void test_findings__add_fills_from_catalog_for_target(void **state)
{
    fc_findings list;
    fc_finding *f;
    fc_var vars[] = {{"input", "input_1"}, {"expected_rank", "3"}, {"found_js", "100,784"}};
    size_t counts[3];

    (void)state;
    fc_findings_init(&list);
    f = fc_findings_add(&list, FC_INPUT_RANK_MISMATCH, &(fc_target){.framework = FC_FW_TFJS}, "x vs {input}", "/data/x", "input_1", NULL, vars,
                        3);
    assert_non_null(f);
    assert_string_equal(f->message, "x vs input_1");
    assert_string_equal(f->framework_error,
                        "Error when checking input: expected input_1 to have 3 dimension(s). but got array with "
                        "shape 100,784");
    assert_string_equal(f->pointer, "/data/x");
    assert_string_equal(f->input, "input_1");
    assert_null(f->layer);
    assert_int_equal(f->n_fixes, 1);
    assert_int_equal(fc_finding_set_fix(f, 1, "second", "code()", NULL, 0), FC_OK);
    assert_int_equal(f->n_fixes, 2);
    assert_int_equal(fc_finding_set_fix(f, 0, "only", "only()", NULL, 0), FC_OK);
    assert_int_equal(f->n_fixes, 1);
    assert_string_equal(f->fixes[0].code, "only()");
    assert_int_equal(fc_finding_set_error(f, NULL, NULL, 0), FC_OK);
    assert_null(f->framework_error);
    /* A warning that raises nothing in Keras 3 has no framework error there. */
    f = fc_findings_add(&list, FC_INPUT_NAME_UNKNOWN, &(fc_target){.framework = FC_FW_KERAS3}, NULL, NULL, NULL, NULL, NULL, 0);
    assert_non_null(f);
    assert_null(f->framework_error);
    assert_string_equal(f->pointer, "");
    fc_findings_count(&list, counts);
    assert_int_equal(counts[FC_SEV_ERROR], 1);
    assert_int_equal(counts[FC_SEV_WARNING], 1);
    assert_int_equal(counts[FC_SEV_INFO], 0);
    assert_null(fc_findings_add(&list, FC_FINDING_COUNT, &(fc_target){.framework = FC_FW_KERAS3}, NULL, NULL, NULL, NULL, NULL, 0));
    fc_findings_release(&list);
    assert_int_equal(list.len, 0);
}

static void test_findings__list_grows(void **state)
{
    fc_findings list;
    size_t i;

    (void)state;
    fc_findings_init(&list);
    for (i = 0; i < 100; i++)
        assert_non_null(fc_findings_add(&list, FC_SAMPLE_COUNT_MISMATCH, &(fc_target){.framework = FC_FW_KERAS3}, NULL, "", NULL, NULL, NULL, 0));
    assert_int_equal(list.len, 100);
    fc_findings_release(&list);
}

/*
 * Every variant names the releases that print it (a well-formed spec), and
 * one that stands for another's text (OF) is of the same finding and
 * framework; a ROW variant's releases must not cover every release (it
 * would hide the catalog's own text).
 */
static void test_findings__variants_are_versioned_consistently(void **state)
{
    size_t i, k;

    (void)state;
    for (i = 0; i < FC_VARIANT_COUNT; i++) {
        const fc_variant *v = fc_variant_get((fc_variant_id)i);

        if (!fc_release_spec_valid(v->releases))
            fail_msg("variant %s: bad releases \"%s\"", v->name, v->releases);
        if (strcmp(v->of, "SELF") == 0 || strcmp(v->of, "HINT") == 0)
            continue;
        if (strcmp(v->of, "ROW") == 0 || strcmp(v->of, "ROW_HINT") == 0) {
            if (v->releases[0] == '\0')
                fail_msg("variant %s replaces the row's text for every release", v->name);
            continue;
        }
        for (k = 0; k < FC_VARIANT_COUNT; k++) {
            const fc_variant *base = fc_variant_get((fc_variant_id)k);

            if (strcmp(base->name, v->of) == 0) {
                assert_int_equal(base->code, v->code);
                assert_string_equal(base->framework, v->framework);
                break;
            }
        }
        if (k == FC_VARIANT_COUNT)
            fail_msg("variant %s is a version of %s, which is no variant", v->name, v->of);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings__catalog_rows_are_complete),
        cmocka_unit_test(test_findings__codes_are_stable),
        cmocka_unit_test(test_findings__template_expansion),
        cmocka_unit_test(test_findings__add_fills_from_catalog_for_target),
        cmocka_unit_test(test_findings__list_grows),
        cmocka_unit_test(test_findings__variants_are_versioned_consistently),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
