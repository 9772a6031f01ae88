/*
 * test_explain.c - core/explain.c: every real error text in
 * tests/explain/messages.json is explained as its finding code (among the
 * full matches, and first unless several codes share the wording), with
 * the values it carries; text matching nothing gets no match and at most
 * three nearest entries.
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
#include "fitcheck/findings.h"

#define MESSAGES FITCHECK_SOURCE_DIR "/tests/explain/messages.json"
#define CORPUS FITCHECK_SOURCE_DIR "/tests/explain/corpus.json"

static json_t *find_code(json_t *matches, const char *code, size_t *rank)
{
    size_t i;
    json_t *m;

    json_array_foreach(matches, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "code")), code) == 0) {
            *rank = i;
            return m;
        }
    }
    return NULL;
}

static void test_explain__real_messages_map_to_their_codes(void **state)
{
    json_t *all = json_load_file(MESSAGES, 0, NULL), *msg;
    size_t i, first = 0;
    int failures = 0;

    (void)state;
    assert_non_null(all);
    json_array_foreach(all, i, msg) {
        const char *code = json_string_value(json_object_get(msg, "code"));
        json_t *out = fc_explain_text(json_string_value(json_object_get(msg, "text")),
                                      json_string_value(json_object_get(msg, "framework")));
        json_t *hit, *values = json_object_get(msg, "values"), *v;
        const char *key;
        size_t rank = 0;

        assert_non_null(out);
        hit = find_code(json_object_get(out, "matches"), code, &rank);
        if (hit == NULL) {
            char *dump = json_dumps(out, JSON_COMPACT);

            printf("message %zu (%s): no match for %s: %.300s\n", i, json_string_value(json_object_get(msg, "source")),
                   code, dump);
            free(dump);
            failures++;
        } else {
            first += rank == 0;
            json_object_foreach(values, key, v) {
                const char *got = json_string_value(json_object_get(json_object_get(hit, "values"), key));

                if (got == NULL || strcmp(got, json_string_value(v)) != 0) {
                    printf("message %zu (%s): value %s is '%s', want '%s'\n", i, code, key, got ? got : "(none)",
                           json_string_value(v));
                    failures++;
                }
            }
        }
        json_decref(out);
    }
    printf("%zu messages, %zu explained first by their own code, %d failures\n", json_array_size(all), first, failures);
    assert_int_equal(failures, 0);
    assert_true(first * 10 >= json_array_size(all) * 8); /* shared wordings may rank another code first */
    json_decref(all);
}

static void test_explain__fixes_are_filled_from_the_text(void **state)
{
    json_t *out = fc_explain_text("ValueError: Input 0 of layer \"functional\" is incompatible with the layer: "
                                  "expected shape=(None, 28, 28), found shape=(None, 784)", "keras3");
    json_t *m = json_array_get(json_object_get(out, "matches"), 0);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(m, "code")), "INPUT_RANK_MISMATCH");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(m, "fixes"), 0), "code")),
                        "x = x.reshape(-1, 28, 28)");
    assert_string_equal(json_string_value(json_object_get(m, "href")), "/v1/findings/INPUT_RANK_MISMATCH");
    json_decref(out);
}

static void test_explain__unknown_text_is_no_match(void **state)
{
    json_t *out = fc_explain_text("Segmentation fault (core dumped)", NULL);

    (void)state;
    assert_false(json_is_true(json_object_get(out, "matched")));
    assert_int_equal(json_array_size(json_object_get(out, "matches")), 0);
    json_decref(out);
    /* a near miss: the right words, the wrong numbers' surroundings */
    out = fc_explain_text("Data cardinality is ambiguous", NULL);
    assert_false(json_is_true(json_object_get(out, "matched")));
    assert_true(json_array_size(json_object_get(out, "nearest")) >= 1);
    assert_true(json_array_size(json_object_get(out, "nearest")) <= 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "nearest"), 0), "code")),
                        "SAMPLE_COUNT_MISMATCH");
    json_decref(out);
}

/* The code (or one of the alt_codes) of a corpus entry. */
static int wanted(const json_t *entry, const char *code)
{
    size_t i;
    const json_t *alt;

    if (code == NULL)
        return 0;
    if (strcmp(json_string_value(json_object_get(entry, "code")), code) == 0)
        return 1;
    json_array_foreach(json_object_get(entry, "alt_codes"), i, alt) {
        if (strcmp(json_string_value(alt), code) == 0)
            return 1;
    }
    return 0;
}

/*
 * tests/explain/corpus.json: real texts as users pasted them in public threads
 * (each with its source), across Keras 2.0-3.x, tf.keras and TF.js 0.x-4.x.
 * Recall is the share of those with a code that come back matched with it
 * ranked first; with the labelled guesses it is the share whose first answer
 * (match or guess) is right. Texts outside a preflight's scope (code null)
 * should match nothing, but some are real framework texts for a mistake of
 * ours in another setting (raw TensorFlow): those are counted.
 */
static void test_explain__corpus_recall(void **state)
{
    json_t *all = json_load_file(CORPUS, 0, NULL), *e;
    size_t i, coded = 0, first = 0, first_or_guess = 0, outside = 0, false_matches = 0;

    (void)state;
    assert_non_null(all);
    json_array_foreach(all, i, e) {
        const char *code = json_string_value(json_object_get(e, "code"));
        json_t *out = fc_explain_text(json_string_value(json_object_get(e, "text")), NULL);
        json_t *top = json_array_get(json_object_get(out, "matches"), 0);
        const char *got = json_string_value(json_object_get(top, "code"));
        const char *guess = json_string_value(json_object_get(json_object_get(out, "guess"), "code"));

        assert_non_null(out);
        if (code == NULL) {
            outside++;
            false_matches += top != NULL;
        } else {
            coded++;
            first += wanted(e, got);
            first_or_guess += wanted(e, got) || (top == NULL && wanted(e, guess));
            if (!wanted(e, got))
                printf("corpus %zu (%s): %s, want %s: %.120s\n", i, json_string_value(json_object_get(e, "source")),
                       got ? got : guess ? "guess only" : "no match", code,
                       json_string_value(json_object_get(e, "text")));
        }
        json_decref(out);
    }
    printf("corpus: %zu texts with a code, %zu matched first (%.1f %%), %zu with the guesses (%.1f %%); %zu outside "
           "the scope, %zu of them matched\n",
           coded, first, 100.0 * (double)first / (double)coded, first_or_guess,
           100.0 * (double)first_or_guess / (double)coded, outside, false_matches);
    assert_true(coded >= 150);
    assert_true(first * 100 >= coded * 95);
    assert_true(first_or_guess * 100 >= coded * 97);
    assert_true(false_matches * 100 <= outside * 30);
    json_decref(all);
}

/* A value of the kind a placeholder names, as the frameworks print it. */
static const char *sample_value(const char *name)
{
    if (strstr(name, "_js") != NULL || strstr(name, "join") != NULL)
        return "7,3";
    if (strstr(name, "shape") != NULL || strstr(name, "found") != NULL || strstr(name, "expected") != NULL ||
        strstr(name, "batch") != NULL || strncmp(name, "y_", 2) == 0 || strncmp(name, "want", 4) == 0 ||
        strstr(name, "sizes") != NULL)
        return "(None, 7, 3)";
    if (strstr(name, "count") != NULL || strstr(name, "rank") != NULL || strstr(name, "dim") != NULL ||
        strcmp(name, "n") == 0 || strcmp(name, "units") == 0 || strcmp(name, "bad") == 0)
        return "12";
    return "dense_2";
}

/* tmpl with every {name} replaced by a sample value (and U+2026 by some text). */
static void render(const char *tmpl, char *out, size_t size)
{
    size_t n = 0;

    while (*tmpl != '\0' && n + 64 < size) {
        const char *close = tmpl[0] == '{' && tmpl[1] != '{' ? strchr(tmpl, '}') : NULL;

        if (close != NULL && close - tmpl < 32) {
            char name[32];

            memcpy(name, tmpl + 1, (size_t)(close - tmpl - 1));
            name[close - tmpl - 1] = '\0';
            n += (size_t)snprintf(out + n, size - n, "%s", sample_value(name));
            tmpl = close + 1;
        } else if (strncmp(tmpl, "\xe2\x80\xa6", 3) == 0) {
            n += (size_t)snprintf(out + n, size - n, "[1, 2, 3]");
            tmpl += 3;
        } else {
            out[n++] = *tmpl++;
        }
    }
    out[n] = '\0';
}

/* Every wording of the catalog and its variants, printed with sample values, is explained as its code. */
static void test_explain__every_wording_explains_itself(void **state)
{
    static const char *const fws[] = {"keras3", "tf.keras2", "tfjs"};
    char text[4096];
    size_t i, fw, tried = 0;
    int failures = 0;

    (void)state;
    for (i = 0; i < FC_FINDING_COUNT + FC_VARIANT_COUNT; i++) {
        const fc_catalog_entry *e = i < FC_FINDING_COUNT ? fc_catalog_get((fc_finding_code)i) : NULL;
        const fc_variant *v = i >= FC_FINDING_COUNT ? fc_variant_get((fc_variant_id)(i - FC_FINDING_COUNT)) : NULL;

        for (fw = 0; fw < 3; fw++) {
            const char *tmpl = e != NULL ? (fw == 0 ? e->error_keras3 : fw == 1 ? e->error_tfkeras2 : e->error_tfjs)
                                         : (fw == 0 ? v->text : NULL);
            const char *code = e != NULL ? e->code : fc_catalog_get(v->code)->code;
            json_t *out, *hit;
            size_t rank;

            if (tmpl == NULL || tmpl[0] == '(' || (tmpl[0] == '{' && strchr(tmpl, ' ') == NULL))
                continue; /* silent, or a text the check composes */
            render(tmpl, text, sizeof(text));
            out = fc_explain_text(text, e != NULL ? fws[fw] : v->framework);
            if (v != NULL && fc_variant_is_hint(v)) {
                /* a text other mistakes print too: a guess, never a match */
                const char *guess = json_string_value(json_object_get(json_object_get(out, "guess"), "code"));

                tried++;
                if (find_code(json_object_get(out, "matches"), code, &rank) != NULL) {
                    printf("%s: a hint matched as its code: %.200s\n", v->name, text);
                    failures++;
                } else if (guess == NULL || strcmp(guess, code) != 0) {
                    printf("%s: a hint not offered as a guess of its code: %.200s\n", v->name, text);
                    failures++;
                }
                json_decref(out);
                continue;
            }
            hit = find_code(json_object_get(out, "matches"), code, &rank);
            tried++;
            if (hit == NULL) {
                printf("%s (%s): not explained by its own wording: %.200s\n", e != NULL ? code : v->name,
                       e != NULL ? fws[fw] : v->framework, text);
                failures++;
            }
            json_decref(out);
        }
    }
    printf("%zu wordings tried, %d not explained as their code\n", tried, failures);
    assert_int_equal(failures, 0);
}

/*
 * TF.js prints one count text for an array of samples, an array of
 * per-sample tensors and a wrong number of input tensors; what it lists
 * tells them apart (texts from TF.js 4.22's fit).
 */
static void test_explain__tfjs_tensor_count_text_ranked_by_what_it_lists(void **state)
{
    static const char head[] = "Error: Error when checking model input: the Array of Tensors that you are passing "
                               "to your model is not the size the model expected. Expected to see %s Tensor(s), "
                               "but instead got the following list of Tensor(s): %s";
    static const struct {
        const char *count, *listed, *code;
    } cases[] = {
        {"1", "0.1,0.2,0.3,0.4,0.1,0.2,0.3,0.4,0.1,0.2,0.3,0.4", "LIST_NOT_ACCEPTED"},
        {"1", "Tensor\n    [1, 2, 3, 4],Tensor\n    [1, 2, 3, 4],Tensor\n    [1, 2, 3, 4],Tensor\n    [1, 2, 3, 4],"
              "Tensor\n    [1, 2, 3, 4],Tensor\n    [1, 2, 3, 4],Tensor\n    [1, 2, 3, 4],Tensor\n    [1, 2, 3, 4]",
         "LIST_OF_SAMPLE_ARRAYS"},
        {"2", "Tensor\n    [[1, 2, 3, 4],]", "INPUT_COUNT_MISMATCH"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        json_t *out, *m;

        snprintf(text, sizeof(text), head, cases[i].count, cases[i].listed);
        out = fc_explain_text(text, "tfjs");
        m = json_array_get(json_object_get(out, "matches"), 0);
        assert_non_null(m);
        if (strcmp(json_string_value(json_object_get(m, "code")), cases[i].code) != 0)
            fail_msg("case %zu: %s, want %s", i, json_string_value(json_object_get(m, "code")), cases[i].code);
        json_decref(out);
    }
}

/* What users paste: Jupyter's coloured traceback with Windows line ends. */
static void test_explain__colours_and_crlf_are_ignored(void **state)
{
    json_t *out = fc_explain_text("\x1b[0;31m---------------------------------------------------------------------------\x1b[0m\r\n"
                                  "\x1b[0;31mValueError\x1b[0m                                Traceback (most recent call last)\r\n"
                                  "\x1b[0;32m<ipython-input-5-1b2c>\x1b[0m in \x1b[0;36m<module>\x1b[0;34m\x1b[0m\r\n"
                                  "\x1b[0;31mValueError\x1b[0m: Error when checking input: expected conv2d_1_input to "
                                  "have 4 dimensions, but got array with shape (60000, 28, 28)\r\n",
                                  NULL);
    json_t *m = json_array_get(json_object_get(out, "matches"), 0);

    (void)state;
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "code")), "INPUT_RANK_MISMATCH");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "values"), "found_legacy")), "(60000, 28, 28)");
    json_decref(out);
}

/* A notebook's whole paste: TF's C++ log lines, a chained exception, the graph-execution frame. */
static void test_explain__chained_traceback_with_log_noise(void **state)
{
    json_t *out = fc_explain_text(
        "2023-03-01 10:12:01.123456: I tensorflow/core/platform/cpu_feature_guard.cc:193] This TensorFlow "
        "binary is optimized with oneDNN\n"
        "2023-03-01 10:12:03.000001: W tensorflow/core/framework/op_kernel.cc:1768] OP_REQUIRES failed at "
        "sparse_xent_op.cc:103 : INVALID_ARGUMENT: Received a label value of 10 which is outside the valid "
        "range of [0, 10).  Label values: 3 10 1 7\n"
        "Traceback (most recent call last):\n"
        "  File \"train.py\", line 40, in <module>\n"
        "    model.fit(x, y, epochs=5)\n"
        "tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:\n\n"
        "Detected at node 'sparse_categorical_crossentropy/SparseSoftmaxCrossEntropyWithLogits' defined at "
        "(most recent call last):\n"
        "Node: 'sparse_categorical_crossentropy/SparseSoftmaxCrossEntropyWithLogits'\n"
        "Received a label value of 10 which is outside the valid range of [0, 10).  Label values: 3 10 1 7\n"
        "\t [[{{node sparse_categorical_crossentropy/SparseSoftmaxCrossEntropyWithLogits}}]] "
        "[Op:__inference_train_function_812]\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "KeyboardInterrupt\n",
        NULL);
    json_t *m = json_array_get(json_object_get(out, "matches"), 0);

    (void)state;
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "code")), "LABEL_OUT_OF_RANGE");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "values"), "bad")), "10");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "values"), "units")), "10");
    json_decref(out);
}

/* TF.js prints one wording for three target mistakes; the captured shapes rank the right one first. */
static void test_explain__shared_tfjs_target_text_ranked_by_shapes(void **state)
{
    static const char *const cases[][2] = {
        {"target expected a batch of elements where each example has shape [10] (i.e.,tensor shape [*,10]) but "
         "the target received an input with 20 examples, each with shape [1] (tensor shape [20,1])",
         "LABELS_SPARSE_FOR_CATEGORICAL"},
        {"target expected a batch of elements where each example has shape [1] (i.e.,tensor shape [*,1]) but the "
         "target received an input with 100 examples, each with shape [10] (tensor shape [100,10])",
         "LABELS_ONE_HOT_FOR_SPARSE"},
        {"target expected a batch of elements where each example has shape [10] (i.e.,tensor shape [*,10]) but "
         "the target received an input with 20 examples, each with shape [3] (tensor shape [20,3])",
         "LABEL_SHAPE_MISMATCH"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *out = fc_explain_text(cases[i][0], "tfjs");
        json_t *first = json_array_get(json_object_get(out, "matches"), 0);

        assert_non_null(first);
        assert_string_equal(json_string_value(json_object_get(first, "code")), cases[i][1]);
        json_decref(out);
    }
}

/* A value longer than the capture limit, of multi-byte characters, still gives valid JSON. */
static void test_explain__long_multibyte_value_is_cut_cleanly(void **state)
{
    char text[2048];
    size_t used = (size_t)snprintf(text, sizeof(text), "ValueError: Input 0 of layer \"");
    json_t *out;
    int i;

    (void)state;
    for (i = 0; i < 200; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "\xc3\xa9"); /* é: two bytes */
    snprintf(text + used, sizeof(text) - used, "\" is incompatible with the layer: expected shape=(None, 28, 28), "
             "found shape=(None, 784)");
    out = fc_explain_text(text, "keras3");
    assert_non_null(out);
    assert_true(json_is_true(json_object_get(out, "matched")));
    json_decref(out);
}

static void test_explain__run_with_a_model_names_the_finding(void **state)
{
    json_t *body = json_loads(
        "{\"error\": \"Error when checking input: expected input_1 to have 3 dimension(s). but got array with shape "
        "100,784\", \"framework\": \"tfjs\", \"model\": {\"class_name\": \"Sequential\", \"config\": {\"layers\": "
        "[{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"input_1\", \"batch_input_shape\": [null, 28, "
        "28]}}, {\"class_name\": \"Flatten\", \"config\": {\"name\": \"f\"}}]}}, \"data\": {\"x\": {\"shape\": "
        "[100, 784]}}}",
        0, NULL);
    json_t *out = NULL;
    fc_error err;

    (void)state;
    assert_non_null(body);
    assert_int_equal(fc_explain_run(body, &out, &err), FC_OK);
    assert_string_equal(json_string_value(json_object_get(out, "produced_by")), "INPUT_RANK_MISMATCH");
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "preflight"), "verdict")), "fail");
    json_decref(out);
    json_decref(body);
    body = json_loads("{\"error\": 5}", 0, NULL);
    assert_int_equal(fc_explain_run(body, &out, &err), FC_ERR_INVALID);
    assert_string_equal(err.path, "/error");
    json_decref(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain__real_messages_map_to_their_codes),
        cmocka_unit_test(test_explain__fixes_are_filled_from_the_text),
        cmocka_unit_test(test_explain__unknown_text_is_no_match),
        cmocka_unit_test(test_explain__colours_and_crlf_are_ignored),
        cmocka_unit_test(test_explain__tfjs_tensor_count_text_ranked_by_what_it_lists),
        cmocka_unit_test(test_explain__corpus_recall),
        cmocka_unit_test(test_explain__chained_traceback_with_log_noise),
        cmocka_unit_test(test_explain__every_wording_explains_itself),
        cmocka_unit_test(test_explain__shared_tfjs_target_text_ranked_by_shapes),
        cmocka_unit_test(test_explain__long_multibyte_value_is_cut_cleanly),
        cmocka_unit_test(test_explain__run_with_a_model_names_the_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
