/*
 * test_graph.c - core/graph.c over real descriptors: every model of the
 * shared corpus gets the parameter total its source repository gives
 * (SOURCES.md, read at run time; skipped when the corpus is absent), and in
 * Keras 3 configs every layer's recorded build_config.input_shape equals the
 * output shape fitcheck infers for the layer feeding it. Plus graph
 * mechanics: shared layers, nested models, several inputs and outputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/graph.h"
#include "fitcheck/model.h"

#define CORPUS FITCHECK_CORPUS_DIR "/keras-models"

typedef struct expected_total {
    char file[200];
    int64_t params;
} expected_total;

/* Reads the files table of SOURCES.md: filename in column 2, ground-truth params in column 9. */
static size_t read_sources(expected_total *out, size_t cap)
{
    FILE *f = fopen(CORPUS "/SOURCES.md", "r");
    char line[8192];
    size_t n = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL && n < cap) {
        char *cols[12], *p = line, *bar;
        int c = 0;

        if (line[0] != '|')
            continue;
        while (c < 12 && (bar = strchr(p, '|')) != NULL) {
            *bar = '\0';
            cols[c++] = p;
            p = bar + 1;
        }
        if (c < 10 || strstr(cols[2], ".json") == NULL)
            continue;
        {
            char *file = cols[2], *num = cols[9], digits[32];
            size_t d = 0;

            while (isspace((unsigned char)*file))
                file++;
            file[strcspn(file, " \t")] = '\0';
            while (isspace((unsigned char)*num))
                num++;
            if (!isdigit((unsigned char)*num))
                continue; /* "(193 from manifest)": not a Layers model */
            for (; *num != '\0' && d + 1 < sizeof(digits); num++) {
                if (isdigit((unsigned char)*num))
                    digits[d++] = *num;
                else if (*num != ',')
                    break;
            }
            digits[d] = '\0';
            snprintf(out[n].file, sizeof(out[n].file), "%s", file);
            out[n].params = strtoll(digits, NULL, 10);
            n++;
        }
    }
    fclose(f);
    return n;
}

static int has_code(const fc_findings *list, fc_finding_code code)
{
    size_t i;

    for (i = 0; i < list->len; i++) {
        if (list->items[i].code == code)
            return 1;
    }
    return 0;
}

/* Keras 3 records each layer's input shape at build time: it must be the inferred output of its inbound layer. */
static int check_build_configs(const fc_model *m, const fc_graph *g, const char *file)
{
    size_t i;
    int checked = 0;

    for (i = 0; i < m->n_layers; i++) {
        const json_t *bc = json_object_get(json_object_get(m->layers[i].object, "build_config"), "input_shape");
        const fc_layer *src = NULL;
        size_t j;
        fc_shape want;
        char a[256], b[256];

        if (!json_is_array(bc) || m->layers[i].n_inbound != 1 || json_is_array(json_array_get(bc, 0)))
            continue;
        for (j = 0; j < m->n_layers; j++) {
            if (strcmp(m->layers[j].name, m->layers[i].inbound[0]) == 0)
                src = &m->layers[j];
        }
        if (src == NULL || fc_shape_from_json(bc, 1, "", &want, NULL) != FC_OK)
            continue;
        j = (size_t)(src - m->layers);
        if (g->layers[j].n_outputs != 1 || g->layers[j].outputs[0].rank == FC_RANK_UNKNOWN)
            continue; /* after an unknown layer */
        fc_shape_format(&want, 0, a, sizeof(a));
        fc_shape_format(&g->layers[j].outputs[0], 0, b, sizeof(b));
        if (strcmp(a, b) != 0)
            fail_msg("%s: layer '%s' was built on %s, fitcheck infers %s from '%s'", file, m->layers[i].name, a, b,
                     src->name);
        checked++;
    }
    return checked;
}

static void test_graph__corpus_totals_match_ground_truth(void **state)
{
    expected_total want[128];
    size_t n = read_sources(want, 128), i, exact = 0, unknown = 0;
    int shapes_checked = 0;

    (void)state;
    if (n == 0)
        skip();
    for (i = 0; i < n; i++) {
        char path[1024];
        json_t *desc;
        fc_model m;
        fc_graph g;
        fc_findings findings;
        fc_error err;

        snprintf(path, sizeof(path), "%s/%.200s", CORPUS, want[i].file);
        desc = json_load_file(path, 0, NULL);
        if (desc == NULL)
            fail_msg("%s listed in SOURCES.md does not load", want[i].file);
        if (fc_model_parse(desc, "/model", &m, &err) != FC_OK) {
            json_decref(desc);
            if (strncmp(want[i].file, "EDGE-", 5) == 0)
                continue; /* a subclassed model: nothing to count */
            fail_msg("%s: %s", want[i].file, err.text);
        }
        fc_findings_init(&findings);
        assert_int_equal(fc_graph_infer(&m, NULL, &(fc_target){.framework = m.framework}, 0, &g, &findings), FC_OK);
        if (g.params_known) {
            if (g.trainable + g.non_trainable != want[i].params)
                fail_msg("%s: fitcheck counts %lld params, the source says %lld", want[i].file,
                         (long long)(g.trainable + g.non_trainable), (long long)want[i].params);
            exact++;
        } else {
            /* Only a layer fitcheck cannot know or see through may make the total unknown. */
            if (!has_code(&findings, FC_UNKNOWN_LAYER) && !has_code(&findings, FC_OPAQUE_LAYER))
                fail_msg("%s: total unknown without an UNKNOWN_LAYER or OPAQUE_LAYER finding", want[i].file);
            unknown++;
        }
        shapes_checked += check_build_configs(&m, &g, want[i].file);
        fc_findings_release(&findings);
        fc_graph_release(&g);
        fc_model_release(&m);
        json_decref(desc);
    }
    printf("corpus: %zu exact totals, %zu unknown (custom layers), %d build_config shapes agree\n", exact, unknown,
           shapes_checked);
    assert_true(exact >= 30);
    assert_true(shapes_checked >= 50);
}

/* ---- graph mechanics ------------------------------------------------------ */

static void infer_text(const char *text, fc_model *m, fc_graph *g, fc_findings *f)
{
    json_t *desc = json_loads(text, 0, NULL);
    fc_error err;

    assert_non_null(desc);
    if (fc_model_parse(desc, "/model", m, &err) != FC_OK)
        fail_msg("%s", err.text);
    json_decref(desc);
    fc_findings_init(f);
    assert_int_equal(fc_graph_infer(m, NULL, &(fc_target){.framework = FC_FW_KERAS3}, 0, g, f), FC_OK);
}

static void assert_shape(const fc_shape *s, const char *want)
{
    char buf[256];

    fc_shape_format(s, 0, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_graph__shared_layer_counts_weights_once(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer_text("{\"class_name\": \"Functional\", \"config\": {\"name\": \"siamese\", \"layers\": ["
               "{\"class_name\": \"InputLayer\", \"name\": \"a\", \"config\": {\"name\": \"a\", \"batch_input_shape\": "
               "[null, 8]}, \"inbound_nodes\": []},"
               "{\"class_name\": \"InputLayer\", \"name\": \"b\", \"config\": {\"name\": \"b\", \"batch_input_shape\": "
               "[null, 8]}, \"inbound_nodes\": []},"
               "{\"class_name\": \"Dense\", \"name\": \"enc\", \"config\": {\"name\": \"enc\", \"units\": 4}, "
               "\"inbound_nodes\": [[[\"a\", 0, 0, {}]], [[\"b\", 0, 0, {}]]]},"
               "{\"class_name\": \"Dense\", \"name\": \"head_a\", \"config\": {\"name\": \"head_a\", \"units\": 1}, "
               "\"inbound_nodes\": [[[\"enc\", 0, 0, {}]]]},"
               "{\"class_name\": \"Dense\", \"name\": \"head_b\", \"config\": {\"name\": \"head_b\", \"units\": 2}, "
               "\"inbound_nodes\": [[[\"enc\", 1, 0, {}]]]}],"
               "\"input_layers\": [[\"a\", 0, 0], [\"b\", 0, 0]], "
               "\"output_layers\": [[\"head_a\", 0, 0], [\"head_b\", 0, 0]]}}",
               &m, &g, &f);
    assert_true(g.params_known);
    assert_int_equal(g.trainable, 8 * 4 + 4 + 4 + 1 + 4 * 2 + 2);
    assert_int_equal(g.n_outputs, 2);
    assert_shape(&g.outputs[0], "(None, 1)");
    assert_shape(&g.outputs[1], "(None, 2)");
    assert_int_equal(f.len, 0);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

static void test_graph__layer_order_does_not_matter(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer_text("{\"class_name\": \"Model\", \"config\": {\"name\": \"m\", \"layers\": ["
               "{\"class_name\": \"Dense\", \"name\": \"second\", \"config\": {\"name\": \"second\", \"units\": 3}, "
               "\"inbound_nodes\": [[[\"first\", 0, 0, {}]]]},"
               "{\"class_name\": \"Dense\", \"name\": \"first\", \"config\": {\"name\": \"first\", \"units\": 5}, "
               "\"inbound_nodes\": [[[\"in\", 0, 0, {}]]]},"
               "{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\", \"batch_input_shape\": "
               "[null, 2]}, \"inbound_nodes\": []}],"
               "\"input_layers\": [[\"in\", 0, 0]], \"output_layers\": [[\"second\", 0, 0]]}}",
               &m, &g, &f);
    assert_shape(&g.outputs[0], "(None, 3)");
    assert_int_equal(g.trainable, 2 * 5 + 5 + 5 * 3 + 3);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

static void test_graph__nested_sequential_and_frozen_layers(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer_text("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 6]}},"
               "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"base\", \"trainable\": false, \"layers\": ["
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d1\", \"units\": 4}},"
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d2\", \"units\": 3}}]}},"
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"head\", \"units\": 2, \"activation\": "
               "\"softmax\"}}]}}",
               &m, &g, &f);
    assert_true(g.params_known);
    assert_int_equal(g.non_trainable, 6 * 4 + 4 + 4 * 3 + 3);
    assert_int_equal(g.trainable, 3 * 2 + 2);
    assert_shape(&g.layers[1].outputs[0], "(None, 3)");
    assert_shape(&g.outputs[0], "(None, 2)");
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

static void test_graph__unknown_layer_makes_totals_unknown_and_shapes_after_it(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer_text("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 6]}},"
               "{\"class_name\": \"MyBlock\", \"config\": {\"name\": \"blk\"}},"
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": 2}}]}}",
               &m, &g, &f);
    assert_false(g.params_known);
    assert_int_equal(g.outputs[0].rank, FC_RANK_UNKNOWN);
    assert_int_equal(f.len, 1);
    assert_int_equal(f.items[0].code, FC_UNKNOWN_LAYER);
    assert_string_equal(f.items[0].layer, "blk");
    assert_string_equal(f.items[0].pointer, "/model/config/layers/1");
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

static void test_graph__dense_over_undefined_dim_and_single_softmax(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer_text("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, null, 4]}},"
               "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flat\"}},"
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 1, \"activation\": \"softmax\"}}]}}",
               &m, &g, &f);
    assert_int_equal(f.len, 1);
    assert_int_equal(f.items[0].code, FC_UNDEFINED_DIM);
    assert_string_equal(f.items[0].layer, "d");
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
    infer_text("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 4]}},"
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 1, \"activation\": \"softmax\"}}]}}",
               &m, &g, &f);
    assert_int_equal(f.len, 1);
    assert_int_equal(f.items[0].code, FC_SOFTMAX_SINGLE_UNIT);
    assert_int_equal(f.items[0].severity, FC_SEV_WARNING);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

static void test_graph__reshape_and_overflow(void **state)
{
    fc_model m;
    fc_graph g;
    fc_findings f;

    (void)state;
    infer_text("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 784]}},"
               "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"r\", \"target_shape\": [28, -1]}},"
               "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"bad\", \"target_shape\": [27, 27]}}]}}",
               &m, &g, &f);
    assert_shape(&g.layers[1].outputs[0], "(None, 28, 28)");
    assert_int_equal(f.len, 1);
    assert_int_equal(f.items[0].code, FC_RESHAPE_SIZE_MISMATCH);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
    infer_text("{\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
               "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, "
               "9007199254740992]}},"
               "{\"class_name\": \"Dense\", \"config\": {\"name\": \"huge\", \"units\": 9007199254740992}},"
               "{\"class_name\": \"RepeatVector\", \"config\": {\"name\": \"rep\", \"n\": 4611686018427387904}},"
               "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flat\"}}]}}",
               &m, &g, &f);
    assert_false(g.params_known);
    assert_true(f.len >= 1);
    assert_int_equal(f.items[f.len - 1].code, FC_DIM_OVERFLOW);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph__corpus_totals_match_ground_truth),
        cmocka_unit_test(test_graph__shared_layer_counts_weights_once),
        cmocka_unit_test(test_graph__layer_order_does_not_matter),
        cmocka_unit_test(test_graph__nested_sequential_and_frozen_layers),
        cmocka_unit_test(test_graph__unknown_layer_makes_totals_unknown_and_shapes_after_it),
        cmocka_unit_test(test_graph__dense_over_undefined_dim_and_single_softmax),
        cmocka_unit_test(test_graph__reshape_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
