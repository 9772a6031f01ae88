/*
 * test_version.c - reading framework_version per target, the release specs
 * and the behaviour table they drive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/alloc.h"
#include "fitcheck/version.h"

typedef struct parse_case {
    fc_framework fw;
    const char *given;
    const char *text;  /* normalised; NULL: a 400 */
    fc_line line;
    int tf_minor;      /* for FC_LINE_TFKERAS */
    int newer;
} parse_case;

#define K3 FC_FW_KERAS3
#define K2 FC_FW_TFKERAS2
#define JS FC_FW_TFJS

static const parse_case parse_cases[] = {
    /* standalone Keras and tf.keras */
    {K2, "2.0.0", "2.0.0", FC_LINE_KERAS2, -1, 0},
    {K2, "2.2.4", "2.2.4", FC_LINE_KERAS2, -1, 0},
    {K2, "keras==2.3.1", "2.3.1", FC_LINE_KERAS2, -1, 0},
    {K2, "Keras 2.1", "2.1", FC_LINE_KERAS2, -1, 0},
    {K2, "2.2.4-tf", "2.2.4-tf", FC_LINE_TFKERAS, 1, 0},
    {K2, "2.3.0-tf", "2.3.0-tf", FC_LINE_TFKERAS, 2, 0},
    {K2, "2.1.6-tf", "2.1.6-tf", FC_LINE_TFKERAS, 12, 0},
    {K2, "2.4.3", "2.4.3", FC_LINE_TFKERAS, 4, 0},
    {K2, "2.6.0", "2.6.0", FC_LINE_TFKERAS, 6, 0},
    {K2, "v2.15.0", "2.15.0", FC_LINE_TFKERAS, 15, 0},
    {K2, "2.6.0rc0", "2.6.0", FC_LINE_TFKERAS, 6, 0},
    {K2, "tf-keras 2.17.0", "2.17.0", FC_LINE_TFKERAS, 17, 0},
    {K2, "tensorflow 2.0", "2.2.4-tf", FC_LINE_TFKERAS, 0, 0},
    {K2, "tensorflow==2.1.0", "2.2.4-tf", FC_LINE_TFKERAS, 1, 0},
    {K2, "tf 2.2", "2.3.0-tf", FC_LINE_TFKERAS, 2, 0},
    {K2, "tensorflow 2.3.1", "2.4.0", FC_LINE_TFKERAS, 3, 0},
    {K2, "TensorFlow 2.5", "2.5.0", FC_LINE_TFKERAS, 5, 0},
    {K2, "tensorflow 2.12", "2.12.0", FC_LINE_TFKERAS, 12, 0},
    {K2, "tf-keras 2.21", "2.21", FC_LINE_TFKERAS, 21, 1},
    {K2, "2.2.7", NULL, 0, 0, 0},
    {K2, "2.0.10", NULL, 0, 0, 0},
    {K2, "2.4.4", NULL, 0, 0, 0},
    {K2, "2.5.0-tf", NULL, 0, 0, 0},
    {K2, "1.2.2", NULL, 0, 0, 0},
    {K2, "3.5.0", NULL, 0, 0, 0},
    {K2, "tensorflow 1.15", NULL, 0, 0, 0},
    {K2, "2.40", "2.40", FC_LINE_TFKERAS, 40, 1},
    {K2, "2.100", NULL, 0, 0, 0},
    {K2, "tf-keras 2.10", NULL, 0, 0, 0},
    {K2, "keras_core 0.1.7", NULL, 0, 0, 0},
    /* Keras 3 and keras_core */
    {K3, "3.0.0", "3.0.0", FC_LINE_KERAS3, -1, 0},
    {K3, "3.3.3", "3.3.3", FC_LINE_KERAS3, -1, 0},
    {K3, "3.6", "3.6", FC_LINE_KERAS3, -1, 0},
    {K3, "keras==3.12.4", "3.12.4", FC_LINE_KERAS3, -1, 0},
    {K3, "3.15.1", "3.15.1", FC_LINE_KERAS3, -1, 0},
    {K3, "3.16.0", "3.16.0", FC_LINE_KERAS3, -1, 1},
    {K3, "3.20.0", "3.20.0", FC_LINE_KERAS3, -1, 1}, /* past the table, not past what exists */
    {K3, "3.99.0", "3.99.0", FC_LINE_KERAS3, -1, 1},
    {K3, "3.100.0", NULL, 0, 0, 0},
    {K3, "4.0.0", NULL, 0, 0, 0},
    {K3, "3.9.3.dev2025", "3.9.3", FC_LINE_KERAS3, -1, 0},
    {K3, "keras_core 0.1.7", "0.1.7", FC_LINE_KERAS_CORE, -1, 0},
    {K3, "0.1.0", "0.1.0", FC_LINE_KERAS_CORE, -1, 0},
    {K3, "3.0.9", NULL, 0, 0, 0},
    {K3, "3.5.1", NULL, 0, 0, 0},
    {K3, "3.40.0", "3.40.0", FC_LINE_KERAS3, -1, 1},
    {K3, "2.15.0", NULL, 0, 0, 0},
    {K3, "keras_core 0.1.8", NULL, 0, 0, 0},
    {K3, "tensorflow 2.16", NULL, 0, 0, 0},
    {K3, "9.8.7", NULL, 0, 0, 0},
    /* TF.js */
    {JS, "1.0.0", "1.0.0", FC_LINE_TFJS, -1, 0},
    {JS, "1.7.4", "1.7.4", FC_LINE_TFJS, -1, 0},
    {JS, "@tensorflow/tfjs@2.8.6", "2.8.6", FC_LINE_TFJS, -1, 0},
    {JS, "tfjs-layers 1.3.1", "1.3.1", FC_LINE_TFJS, -1, 0},
    {JS, "TensorFlow.js tfjs-layers v3.9.0", "3.9.0", FC_LINE_TFJS, -1, 0},
    {JS, "2.0.0-rc.4", "2.0.0", FC_LINE_TFJS, -1, 0},
    {JS, "4.22.0", "4.22.0", FC_LINE_TFJS, -1, 0},
    {JS, "4.23.0-rc.0", "4.23.0", FC_LINE_TFJS, -1, 1},
    {JS, "4.30.1", "4.30.1", FC_LINE_TFJS, -1, 1},
    {JS, "3", NULL, 0, 0, 0},
    {JS, "1.1.1", NULL, 0, 0, 0},
    {JS, "0.15.3", NULL, 0, 0, 0},
    {JS, "2.9.0", NULL, 0, 0, 0},
    {JS, "5.0.0", NULL, 0, 0, 0},
    {JS, "keras 2.2.4", NULL, 0, 0, 0},
    /* not versions at all */
    {K3, "", NULL, 0, 0, 0},
    {K3, "latest", NULL, 0, 0, 0},
    {K2, "2", NULL, 0, 0, 0},
    {K2, "2.x", NULL, 0, 0, 0},
    {K2, "2.2.4 final", NULL, 0, 0, 0},
    {K2, "99999999999.1", NULL, 0, 0, 0},
};

static void test_parse(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const parse_case *c = &parse_cases[i];
        fc_version v;
        fc_error err;
        fc_status result;

        fc_error_init(&err);
        result = fc_version_parse(c->fw, c->given, "/framework_version", &v, &err);
        if (c->text == NULL) {
            if (result != FC_ERR_INVALID)
                fail_msg("%s \"%s\": accepted as %s, want a 400", fc_framework_name(c->fw), c->given, v.text);
            assert_string_equal(err.path, "/framework_version");
            assert_non_null(strstr(err.text, "framework_version"));
            continue;
        }
        if (result != FC_OK)
            fail_msg("%s \"%s\": %s", fc_framework_name(c->fw), c->given, err.text);
        if (strcmp(v.text, c->text) != 0 || v.line != c->line || v.newer != c->newer ||
            (c->line == FC_LINE_TFKERAS && v.tf_minor != c->tf_minor))
            fail_msg("%s \"%s\": got %s line %d tf_minor %d newer %d, want %s line %d tf_minor %d newer %d",
                     fc_framework_name(c->fw), c->given, v.text, v.line, v.tf_minor, v.newer, c->text, c->line,
                     c->tf_minor, c->newer);
        assert_true(v.known);
        assert_string_equal(v.source, "request");
    }
}

static fc_target target(fc_framework fw, const char *version)
{
    fc_target t = {.framework = fw};

    if (version == NULL)
        fc_version_assume_newest(fw, &t.version);
    else
        assert_int_equal(fc_version_parse(fw, version, "", &t.version, NULL), FC_OK);
    return t;
}

static void test_specs(void **state)
{
    static const struct {
        fc_framework fw;
        const char *version;
        const char *spec;
        int in;
    } cases[] = {
        {K2, "2.2.4", "keras2 2.0.0-2.3.1", 1},
        {K2, "2.3.1", "keras2 2.0.0-2.3.1", 1},
        {K2, "2.2.4", "keras2 2.3", 0},
        {K2, "2.3.0", "keras2 2.3", 1},
        {K2, "2.2.4-tf", "keras2 2.0.0-2.3.1", 0},
        {K2, "2.2.4-tf", "keras2 2.0.0-2.3.1; tf 1.0-2.1", 1},
        {K2, "2.3.0-tf", "keras2 2.0.0-2.3.1; tf 1.0-2.1", 0},
        {K2, "tensorflow 2.3", "tf 2.2-2.6", 1},
        {K2, "2.6.0", "tf 2.2-2.6", 1},
        {K2, "2.7.0", "tf 2.2-2.6", 0},
        {K2, "2.11.0", "tf 2.4-2.11", 1},
        {K2, NULL, "tf 2.12-", 1},
        {K2, NULL, "tf 2.2-2.6", 0},
        {K3, "3.6.0", "keras3 3.7-", 0},
        {K3, "3.7.0", "keras3 3.7-", 1},
        {K3, NULL, "keras3 3.7-", 1},
        {K3, "0.1.7", "keras3 3.0-", 0},
        {K3, "0.1.7", "keras_core 0.1; keras3 3.0-3.6", 1},
        {K3, "3.13", "keras3 3.13", 1},
        {K3, "3.13.2", "keras3 3.13", 1},
        {K3, "3.14.0", "keras3 3.13", 0},
        {K3, "3.20.0", "keras3 3.13-3.15", 1}, /* newer: judged as the newest known */
        {JS, "4.30.0", "tfjs 4.0-4.22.0", 1},
        {K2, "tf-keras 2.25", "tf 2.16-2.20", 1},
        {JS, "1.7.4", "tfjs 1.0-2.8.6", 1},
        {JS, "2.8.6", "tfjs 1.0-2.8.6", 1},
        {JS, "3.0.0", "tfjs 1.0-2.8.6", 0},
        {JS, "1.7.4", "tfjs 1", 1},
        {JS, "1.7.4", "", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fc_target t = target(cases[i].fw, cases[i].version);

        assert_true(fc_release_spec_valid(cases[i].spec));
        if (fc_target_in(&t, cases[i].spec) != cases[i].in)
            fail_msg("%s %s in \"%s\": want %d", fc_framework_name(cases[i].fw),
                     cases[i].version ? cases[i].version : "(newest)", cases[i].spec, cases[i].in);
    }
    assert_false(fc_release_spec_valid("keras 2.0"));
    assert_false(fc_release_spec_valid("tf 2.0-x"));
    assert_false(fc_release_spec_valid("tfjs"));
}

static void test_spec_words(void **state)
{
    char buf[256];

    (void)state;
    fc_release_spec_words("keras2 2.0.0-2.3.1; tf 1.0-2.1", buf, sizeof(buf));
    assert_string_equal(buf, "standalone Keras 2.0.0-2.3.1; tf.keras in TensorFlow 1.0-2.1");
    fc_release_spec_words("keras3 3.13-", buf, sizeof(buf));
    assert_string_equal(buf, "Keras 3.13 on");
    fc_release_spec_words("", buf, sizeof(buf));
    assert_string_equal(buf, "every release");
}

/* Every row of the behaviour table has a well-formed spec, a summary and a source. */
static void test_behaviour_table(void **state)
{
    json_t *rows = fc_behaviours_json(), *row;
    size_t i;

    (void)state;
    assert_non_null(rows);
    assert_true(json_array_size(rows) > 0);
    json_array_foreach(rows, i, row) {
        const char *spec = json_string_value(json_object_get(row, "releases"));

        if (!fc_release_spec_valid(spec))
            fail_msg("row %zu: bad spec \"%s\"", i, spec);
        assert_true(strlen(json_string_value(json_object_get(row, "summary"))) > 20);
        assert_true(strlen(json_string_value(json_object_get(row, "reference"))) > 10);
        assert_non_null(json_string_value(json_object_get(row, "behaviour")));
    }
    json_decref(rows);
}

static void test_legacy_checks_by_version(void **state)
{
    fc_target t;

    (void)state;
    t = target(K2, "2.2.4");
    assert_true(fc_target_has(&t, FC_B_LEGACY_STANDARDIZE));
    t = target(K2, "2.2.4-tf");
    assert_true(fc_target_has(&t, FC_B_LEGACY_STANDARDIZE));
    t = target(K2, "tensorflow 2.2");
    assert_false(fc_target_has(&t, FC_B_LEGACY_STANDARDIZE));
    t = target(K2, NULL);
    assert_false(fc_target_has(&t, FC_B_LEGACY_STANDARDIZE));
    t = target(K3, "3.0.0");
    assert_false(fc_target_has(&t, FC_B_LEGACY_STANDARDIZE));
}

static void test_describe(void **state)
{
    char buf[160];
    fc_target t;

    (void)state;
    t = target(K2, "tensorflow 2.3");
    assert_string_equal(fc_version_describe(&t, buf, sizeof(buf)), "tf.keras 2.4.0 (TensorFlow 2.3)");
    t = target(K2, "2.4.0");
    assert_string_equal(fc_version_describe(&t, buf, sizeof(buf)), "tf.keras 2.4.0 (TensorFlow 2.3-2.4)");
    t = target(K2, "2.2.2");
    assert_string_equal(fc_version_describe(&t, buf, sizeof(buf)), "standalone Keras 2.2.2");
    t = target(K3, "3.17");
    assert_non_null(strstr(fc_version_describe(&t, buf, sizeof(buf)), "newer than the releases"));
    t = target(JS, NULL);
    assert_non_null(strstr(fc_version_describe(&t, buf, sizeof(buf)), "TF.js 4.22.0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),         cmocka_unit_test(test_specs),
        cmocka_unit_test(test_spec_words),    cmocka_unit_test(test_behaviour_table),
        cmocka_unit_test(test_legacy_checks_by_version), cmocka_unit_test(test_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
