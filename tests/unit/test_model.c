/*
 * test_model.c - core/model.c: every descriptor format read into inputs,
 * outputs and layers; framework detection; errors with their JSON pointer;
 * and every descriptor of the shared corpus (skipped when it is absent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/model.h"

static fc_status parse_text(const char *text, fc_model *m, fc_error *err)
{
    json_error_t jerr;
    json_t *desc = json_loads(text, 0, &jerr);
    fc_status result;

    if (desc == NULL)
        fail_msg("fixture does not parse: %s at %d:%d", jerr.text, jerr.line, jerr.column);
    fc_error_init(err);
    result = fc_model_parse(desc, "/model", m, err);
    json_decref(desc);
    return result;
}

static void assert_shape(const fc_shape *s, const char *expected)
{
    char buf[128];

    fc_shape_format(s, 0, buf, sizeof(buf));
    assert_string_equal(buf, expected);
}

static void test_model__keras2_sequential_batch_input_shape(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(parse_text("{\"class_name\": \"Sequential\", \"keras_version\": \"2.2.4\", \"config\": {\"name\": "
                                "\"seq\", \"layers\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", "
                                "\"units\": 4, \"batch_input_shape\": [null, 60], \"dtype\": \"float32\"}}]}}",
                                &m, &err),
                     FC_OK);
    assert_int_equal(m.framework, FC_FW_TFKERAS2);
    assert_string_equal(m.framework_version, "2.2.4");
    assert_int_equal(m.n_inputs, 1);
    assert_string_equal(m.inputs[0].name, "dense_1_input");
    assert_shape(&m.inputs[0].shape, "(None, 60)");
    assert_string_equal(m.inputs[0].dtype, "float32");
    assert_int_equal(m.n_outputs, 1);
    assert_string_equal(m.outputs[0].name, "dense_1");
    assert_int_equal(m.layers[0].n_inbound, 1);
    assert_string_equal(m.layers[0].inbound[0], "dense_1_input");
    assert_false(m.deferred_input);
    fc_model_release(&m);
}

static void test_model__keras1_bare_list_and_input_shape(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(parse_text("{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": "
                                "{\"name\": \"d\", \"input_shape\": [8]}}, {\"class_name\": \"Dense\", \"config\": "
                                "{\"name\": \"e\"}}]}",
                                &m, &err),
                     FC_OK);
    assert_shape(&m.inputs[0].shape, "(None, 8)");
    assert_int_equal(m.n_layers, 2);
    assert_string_equal(m.layers[1].inbound[0], "d");
    fc_model_release(&m);
}

static void test_model__keras3_sequential_input_layer(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(
        parse_text("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", "
                   "\"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": "
                   "{\"batch_shape\": [null, 28, 28], \"dtype\": \"float32\", \"name\": \"input_layer\"}}, "
                   "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flatten\"}}]}}",
                   &m, &err),
        FC_OK);
    assert_int_equal(m.framework, FC_FW_KERAS3);
    assert_null(m.framework_version);
    assert_string_equal(m.inputs[0].name, "input_layer");
    assert_shape(&m.inputs[0].shape, "(None, 28, 28)");
    assert_int_equal(m.layers[0].n_inbound, 0);
    assert_string_equal(m.layers[1].inbound[0], "input_layer");
    fc_model_release(&m);
}

static void test_model__sequential_without_input_is_deferred(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(parse_text("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": "
                                "\"Dense\", \"config\": {\"name\": \"dense\", \"units\": 1}}]}}",
                                &m, &err),
                     FC_OK);
    assert_true(m.deferred_input);
    assert_int_equal(m.inputs[0].shape.rank, FC_RANK_UNKNOWN);
    assert_int_equal(m.framework, FC_FW_UNKNOWN);
    fc_model_release(&m);
}

static void test_model__keras2_functional_two_inputs(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(
        parse_text("{\"class_name\": \"Functional\", \"keras_version\": \"2.15.0\", \"config\": {\"name\": \"m\", "
                   "\"layers\": ["
                   "{\"class_name\": \"InputLayer\", \"name\": \"a\", \"config\": {\"name\": \"a\", "
                   "\"batch_input_shape\": [null, 3], \"dtype\": \"float32\"}, \"inbound_nodes\": []},"
                   "{\"class_name\": \"InputLayer\", \"name\": \"b\", \"config\": {\"name\": \"b\", "
                   "\"batch_input_shape\": [null, 5], \"dtype\": \"int32\"}, \"inbound_nodes\": []},"
                   "{\"class_name\": \"Concatenate\", \"name\": \"cat\", \"config\": {\"name\": \"cat\"}, "
                   "\"inbound_nodes\": [[[\"a\", 0, 0, {}], [\"b\", 0, 0, {}]]]}],"
                   "\"input_layers\": [[\"a\", 0, 0], [\"b\", 0, 0]], \"output_layers\": [[\"cat\", 0, 0]]}}",
                   &m, &err),
        FC_OK);
    assert_int_equal(m.framework, FC_FW_TFKERAS2);
    assert_int_equal(m.n_inputs, 2);
    assert_string_equal(m.inputs[1].name, "b");
    assert_shape(&m.inputs[1].shape, "(None, 5)");
    assert_string_equal(m.inputs[1].dtype, "int32");
    assert_int_equal(fc_model_find_input(&m, "b"), 1);
    assert_int_equal(fc_model_find_input(&m, "zz"), -1);
    assert_int_equal(m.layers[2].n_inbound, 2);
    assert_string_equal(m.outputs[0].name, "cat");
    fc_model_release(&m);
}

static void test_model__keras3_functional_keras_history(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(
        parse_text("{\"module\": \"keras.src.models.functional\", \"class_name\": \"Functional\", \"config\": "
                   "{\"name\": \"functional\", \"layers\": ["
                   "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"name\": \"input_layer\", "
                   "\"config\": {\"batch_shape\": [null, null, 41], \"dtype\": \"float32\", \"name\": "
                   "\"input_layer\"}, \"inbound_nodes\": []},"
                   "{\"module\": \"keras.layers\", \"class_name\": \"LSTM\", \"name\": \"lstm\", \"config\": "
                   "{\"name\": \"lstm\", \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", "
                   "\"config\": {\"name\": \"float32\"}}}, \"inbound_nodes\": [{\"args\": [{\"class_name\": "
                   "\"__keras_tensor__\", \"config\": {\"shape\": [null, null, 41], \"dtype\": \"float32\", "
                   "\"keras_history\": [\"input_layer\", 0, 0]}}], \"kwargs\": {\"training\": false}}]}],"
                   "\"input_layers\": [\"input_layer\", 0, 0], \"output_layers\": [\"lstm\", 0, 0]}}",
                   &m, &err),
        FC_OK);
    assert_int_equal(m.framework, FC_FW_KERAS3);
    assert_int_equal(m.n_inputs, 1);
    assert_shape(&m.inputs[0].shape, "(None, None, 41)");
    assert_int_equal(m.layers[1].n_inbound, 1);
    assert_string_equal(m.layers[1].inbound[0], "input_layer");
    fc_model_release(&m);
}

static void test_model__tfjs_model_json(void **state)
{
    fc_model m;
    fc_error err;

    (void)state;
    assert_int_equal(parse_text("{\"modelTopology\": {\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", "
                                "\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 5, \"name\": "
                                "\"dense_Dense1\", \"batch_input_shape\": [null, 60]}}]}, \"keras_version\": "
                                "\"tfjs-layers 3.9.0\"}, \"weightsManifest\": [], \"format\": \"layers-model\"}",
                                &m, &err),
                     FC_OK);
    assert_int_equal(m.framework, FC_FW_TFJS);
    assert_string_equal(m.framework_version, "tfjs-layers 3.9.0");
    assert_shape(&m.inputs[0].shape, "(None, 60)");
    fc_model_release(&m);
}

static void test_model__string_descriptor(void **state)
{
    json_t *desc = json_string("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": "
                               "\"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 4]}}]}}");
    fc_model m;
    fc_error err;

    (void)state;
    fc_error_init(&err);
    assert_int_equal(fc_model_parse(desc, "/model", &m, &err), FC_OK);
    assert_shape(&m.inputs[0].shape, "(None, 4)");
    fc_model_release(&m);
    json_decref(desc);
}

static void test_model__string_descriptor_that_does_not_parse(void **state)
{
    json_t *desc = json_string("{\"class_name\": \n \"Sequential\",, }");
    fc_model m;
    fc_error err;

    (void)state;
    fc_error_init(&err);
    assert_int_equal(fc_model_parse(desc, "/model", &m, &err), FC_ERR_JSON);
    assert_string_equal(err.path, "/model");
    assert_int_equal(err.line, 2);
    assert_true(err.column > 0);
    json_decref(desc);
}

static void test_model__errors_point_at_the_problem(void **state)
{
    static const struct {
        const char *text;
        fc_status code;
        const char *path;
    } cases[] = {
        {"[1, 2]", FC_ERR_INVALID, "/model"},
        {"{\"config\": {}}", FC_ERR_INVALID, "/model"},
        {"{\"class_name\": \"Sequential\", \"config\": {\"layers\": []}}", FC_ERR_INVALID, "/model/config/layers"},
        {"{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"config\": {}}]}}", FC_ERR_INVALID,
         "/model/config/layers/0"},
        {"{\"class_name\": \"Functional\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": "
         "{\"name\": \"d\"}}], \"input_layers\": [[\"missing\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}}",
         FC_ERR_INVALID, "/model/config/input_layers"},
        {"{\"class_name\": \"VAE\", \"config\": {}}", FC_ERR_UNSUPPORTED, "/model"},
        {"{\"format\": \"graph-model\", \"modelTopology\": {\"node\": []}}", FC_ERR_UNSUPPORTED, "/model"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *desc = json_loads(cases[i].text, JSON_DECODE_ANY, NULL);
        fc_model m;
        fc_error err;

        assert_non_null(desc);
        fc_error_init(&err);
        assert_int_equal(fc_model_parse(desc, "/model", &m, &err), cases[i].code);
        assert_string_equal(err.path, cases[i].path);
        assert_true(strlen(err.text) > 10);
        json_decref(desc);
    }
}

static void test_model__nesting_is_bounded(void **state)
{
    char text[8192];
    size_t used = 0;
    int i, depth = 40;
    fc_model m;
    fc_error err;

    (void)state;
    for (i = 0; i < depth; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used,
                                 "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [");
    used += (size_t)snprintf(text + used, sizeof(text) - used, "{\"class_name\": \"Dense\", \"config\": {}}");
    for (i = 0; i < depth; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "]}}");
    assert_int_equal(parse_text(text, &m, &err), FC_ERR_INVALID);
    assert_non_null(strstr(err.text, "nested"));
}

/* ---- the shared corpus of real descriptors ------------------------------ */

static void test_model__corpus_parses(void **state)
{
    DIR *dir = opendir(FITCHECK_CORPUS_DIR "/keras-models");
    struct dirent *e;
    int parsed = 0;

    (void)state;
    if (dir == NULL)
        skip();
    while ((e = readdir(dir)) != NULL) {
        char path[1024];
        json_error_t jerr;
        json_t *desc;
        fc_model m;
        fc_error err;
        fc_status result;
        size_t len = strlen(e->d_name);

        if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/keras-models/%s", FITCHECK_CORPUS_DIR, e->d_name);
        desc = json_load_file(path, 0, &jerr);
        assert_non_null(desc);
        fc_error_init(&err);
        result = fc_model_parse(desc, "/model", &m, &err);
        if (strncmp(e->d_name, "NEGATIVE-", 9) == 0 || strncmp(e->d_name, "EDGE-", 5) == 0) {
            if (result != FC_ERR_UNSUPPORTED)
                fail_msg("%s: expected unsupported, got %s", e->d_name, fc_status_name(result));
        } else {
            if (result != FC_OK)
                fail_msg("%s: %s at %s: %s", e->d_name, fc_status_name(result), err.path, err.text);
            assert_true(m.n_inputs >= 1);
            assert_true(m.n_outputs >= 1);
            assert_true(m.n_layers >= 1);
            if (strncmp(e->d_name, "tfjs-", 5) == 0)
                assert_int_equal(m.framework, FC_FW_TFJS);
            else if (strncmp(e->d_name, "keras3", 6) == 0)
                assert_int_equal(m.framework, FC_FW_KERAS3);
            else if (strncmp(e->d_name, "keras2", 6) == 0)
                assert_int_equal(m.framework, FC_FW_TFKERAS2);
            /* Every input but a deferred Sequential's has a known rank. */
            if (!m.deferred_input)
                assert_true(m.inputs[0].shape.rank >= 1);
            parsed++;
        }
        fc_model_release(&m);
        json_decref(desc);
    }
    closedir(dir);
    assert_true(parsed >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model__keras2_sequential_batch_input_shape),
        cmocka_unit_test(test_model__keras1_bare_list_and_input_shape),
        cmocka_unit_test(test_model__keras3_sequential_input_layer),
        cmocka_unit_test(test_model__sequential_without_input_is_deferred),
        cmocka_unit_test(test_model__keras2_functional_two_inputs),
        cmocka_unit_test(test_model__keras3_functional_keras_history),
        cmocka_unit_test(test_model__tfjs_model_json),
        cmocka_unit_test(test_model__string_descriptor),
        cmocka_unit_test(test_model__string_descriptor_that_does_not_parse),
        cmocka_unit_test(test_model__errors_point_at_the_problem),
        cmocka_unit_test(test_model__nesting_is_bounded),
        cmocka_unit_test(test_model__corpus_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
