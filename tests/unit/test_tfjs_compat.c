/*
 * test_tfjs_compat.c - core/tfjs_compat.c: every class the oracle sweep found
 * missing from TF.js 4.22 ("Unknown layer: X") is refused (this also fails if
 * the table loses its sort order, which the lookup's binary search needs),
 * classes TF.js has are not, and GRU's reset_after is caught directly and
 * inside wrappers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "../../core/tfjs_compat.h"

static const fc_target newest = {.framework = FC_FW_TFJS}; /* no version: the newest release */

static void test_tfjs_compat__swept_classes_are_refused(void **state)
{
    static const char *const missing[] = {
        "ActivityRegularization", "AdditiveAttention", "Attention", "AvgPool1D", "AvgPool2D", "AvgPool3D",
        "Conv1DTranspose", "ConvLSTM1D", "ConvLSTM3D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
        "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "Cropping1D", "Cropping3D", "CuDNNGRU",
        "CuDNNLSTM", "DepthwiseConv1D", "EinsumDense", "GlobalAveragePooling3D", "GlobalAvgPool1D",
        "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
        "GlobalMaxPooling3D", "GroupNormalization", "Lambda", "MaxPool1D", "MaxPool2D", "MaxPool3D",
        "MultiHeadAttention", "Normalization", "RMSNormalization", "RandomBrightness", "RandomContrast",
        "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "SeparableConv1D",
        "SeparableConvolution1D", "SeparableConvolution2D", "SpatialDropout2D", "SpatialDropout3D", "Subtract",
        "SyncBatchNormalization", "UnitNormalization", "UpSampling1D", "UpSampling3D", "ZeroPadding1D",
        "ZeroPadding3D",
    };
    static const char *const present[] = {"Dense", "Conv2D", "LSTM", "BatchNormalization", "Add", "Rescaling",
                                          "Flatten", "Bidirectional", "DepthwiseConv2D", "ZeroPadding2D"};
    fc_tfjs_refusal why;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        if (!fc_tfjs_unsupported(missing[i], NULL, &newest, -1, &why))
            fail_msg("%s is not refused", missing[i]);
    }
    for (i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
        if (fc_tfjs_unsupported(present[i], NULL, &newest, -1, &why))
            fail_msg("%s is refused", present[i]);
    }
}

static void test_tfjs_compat__gru_reset_after(void **state)
{
    json_t *on = json_pack("{s:b}", "reset_after", 1), *off = json_pack("{s:b}", "reset_after", 0);
    json_t *wrapped = json_pack("{s:{s:s, s:{s:b}}}", "layer", "class_name", "GRU", "config", "reset_after", 1);
    fc_tfjs_refusal why;

    (void)state;
    assert_true(fc_tfjs_unsupported("GRU", on, &newest, -1, &why));
    assert_string_equal(why.error, "GRUCell does not support reset_after parameter set to true.");
    assert_false(fc_tfjs_unsupported("GRU", off, &newest, -1, &why));
    assert_false(fc_tfjs_unsupported("GRU", NULL, &newest, -1, &why)); /* absent: TF.js's default is false */
    assert_true(fc_tfjs_unsupported("Bidirectional", wrapped, &newest, -1, &why));
    json_decref(on);
    json_decref(off);
    json_decref(wrapped);
}

static fc_target release(const char *version)
{
    fc_target t = {.framework = FC_FW_TFJS};

    assert_int_equal(fc_version_parse(FC_FW_TFJS, version, "", &t.version, NULL), FC_OK);
    return t;
}

/* Classes by release, as the sweep over 24 TF.js releases found them. */
static void test_tfjs_compat__classes_by_release(void **state)
{
    static const struct {
        const char *class_name, *version;
        int refused;
    } cases[] = {
        {"Conv3D", "1.0.0", 1},           {"Conv3D", "1.0.2", 0},         {"Masking", "1.0.4", 1},
        {"Masking", "1.1.0", 0},          {"LayerNormalization", "1.2.11", 1}, {"LayerNormalization", "1.3.0", 0},
        {"SpatialDropout1D", "1.3.1", 1}, {"SpatialDropout1D", "1.3.2", 0}, {"MaxPooling3D", "1.2.7", 1},
        {"MaxPooling3D", "1.2.8", 0},     {"ConvLSTM2D", "2.0.0", 1},     {"ConvLSTM2D", "2.4.0", 0},
        {"Rescaling", "3.10.0", 1},       {"Rescaling", "3.21.0", 0},     {"DepthwiseConv2D", "2.4.0", 0},
        {"DepthwiseConv2D", "2.8.6", 1},  {"DepthwiseConv2D", "3.8.0", 1}, {"DepthwiseConv2D", "3.9.0", 0},
        {"AlphaDropout", "1.0.2", 1},     {"AlphaDropout", "1.2.7", 0},   {"Conv3DTranspose", "3.0.0", 1},
        {"Conv3DTranspose", "4.22.0", 1}, {"CenterCrop", "4.0.0", 1},     {"CenterCrop", "4.22.0", 1},
        {"Resizing", "4.22.0", 1},        {"CategoryEncoding", "4.0.0", 1}, {"Dense", "1.0.0", 0},
    };
    fc_tfjs_refusal why;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fc_target t = release(cases[i].version);

        if (fc_tfjs_unsupported(cases[i].class_name, NULL, &t, -1, &why) != cases[i].refused)
            fail_msg("%s in TF.js %s: refused should be %d", cases[i].class_name, cases[i].version,
                     cases[i].refused);
    }
}

/* Layer options, as the sweep of options through 24 TF.js releases found them (tfjs-config-sweep). */
static void test_tfjs_compat__options_by_release(void **state)
{
    static const struct {
        const char *class_name, *config, *version;
        int rank;
        int outcome; /* 0 accepted, 1 refused, 2 ignored (a warning) */
        const char *name;
    } cases[] = {
        {"GRU", "{\"reset_after\": true}", "2.0.0", 3, 2, NULL},
        {"GRU", "{\"reset_after\": true}", "2.4.0", 3, 1, NULL},
        {"Dense", "{\"kernel_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}}", "4.22.0", 2, 1, "L2"},
        {"Dense", "{\"kernel_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0, \"l2\": 0.01}}}", "4.22.0", 2,
         0, NULL},
        {"Dense", "{\"activity_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0.01}}}", "1.7.4", 2, 1,
         NULL},
        {"Dense", "{\"activation\": \"leaky_relu\"}", "4.22.0", 2, 1, "leakyRelu"},
        {"Dense", "{\"activation\": \"silu\"}", "4.22.0", 2, 1, "silu"},
        {"Dense", "{\"activation\": \"gelu\"}", "4.18.0", 2, 1, "gelu"},
        {"Dense", "{\"activation\": \"gelu\"}", "4.22.0", 2, 0, NULL},
        {"Dense", "{\"activation\": \"swish\"}", "2.4.0", 2, 1, "swish"},
        {"Dense", "{\"activation\": \"swish\"}", "2.8.6", 2, 0, NULL},
        {"LSTM", "{\"recurrent_activation\": \"hard_sigmoid\"}", "1.7.4", 3, 0, NULL},
        {"Dense", "{\"kernel_initializer\": {\"class_name\": \"LecunNormal\", \"config\": {}}}", "3.21.0", 2, 1,
         "LecunNormal"},
        {"Dense", "{\"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"distribution\": "
                  "\"truncated_normal\"}}}", "1.0.2", 2, 1, "truncatedNormal"},
        {"Dense", "{\"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"distribution\": "
                  "\"truncated_normal\"}}}", "1.0.4", 2, 0, NULL},
        {"Dense", "{\"kernel_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {}}}", "4.22.0", 2, 0, NULL},
        {"Dense", "{\"kernel_constraint\": {\"class_name\": \"RadialConstraint\", \"config\": {}}}", "4.22.0", 2, 1,
         "RadialConstraint"},
        {"BatchNormalization", "{\"scale\": false}", "2.8.6", 4, 1, NULL},
        {"BatchNormalization", "{\"axis\": 1}", "4.22.0", 4, 1, NULL},
        {"BatchNormalization", "{\"axis\": 1}", "1.2.11", 4, 0, NULL},
        {"BatchNormalization", "{\"axis\": [3]}", "4.22.0", 4, 0, NULL},
        {"BatchNormalization", "{\"axis\": 1}", "4.22.0", 2, 0, NULL},
        {"Softmax", "{\"axis\": 1}", "4.22.0", 3, 1, "1"},
        {"Conv2D", "{\"dilation_rate\": [2, 2]}", "3.21.0", 4, 1, NULL},
        {"Conv1D", "{\"dilation_rate\": 2}", "1.7.4", 3, 1, NULL},
        {"Conv2D", "{\"dilation_rate\": [1, 1], \"groups\": 2}", "4.22.0", 4, 2, NULL},
        {"DepthwiseConv2D", "{\"dilation_rate\": [2, 2]}", "4.22.0", 4, 2, NULL},
        {"SeparableConv2D", "{\"data_format\": \"channels_first\"}", "4.22.0", 4, 1, NULL},
        {"UpSampling2D", "{\"interpolation\": \"bicubic\"}", "2.8.6", 4, 1, "bicubic"},
        {"UpSampling2D", "{\"interpolation\": \"bilinear\"}", "1.7.4", 4, 2, NULL},
        {"MaxPooling1D", "{\"data_format\": \"channels_first\"}", "4.22.0", 3, 2, NULL},
        {"GlobalAveragePooling2D", "{\"keepdims\": true}", "4.22.0", 4, 2, NULL},
        {"ReLU", "{\"negative_slope\": 0.1}", "4.22.0", 2, 2, NULL},
        {"LeakyReLU", "{\"negative_slope\": 0.2}", "4.22.0", 2, 2, NULL},
        {"LeakyReLU", "{\"alpha\": 0.2}", "4.22.0", 2, 0, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fc_target t = release(cases[i].version);
        json_t *config = json_loads(cases[i].config, 0, NULL);
        fc_tfjs_refusal why;
        int got;

        assert_non_null(config);
        got = fc_tfjs_unsupported(cases[i].class_name, config, &t, cases[i].rank, &why);
        got = got ? (why.ignored ? 2 : 1) : 0;
        if (got != cases[i].outcome)
            fail_msg("%s %s in TF.js %s: outcome %d, want %d", cases[i].class_name, cases[i].config,
                     cases[i].version, got, cases[i].outcome);
        if (cases[i].name != NULL)
            assert_string_equal(why.name, cases[i].name);
        json_decref(config);
    }
}

/* A config with more options of one kind than the one-sweep gather keeps (16) is still judged whole:
 * the refused initializer is the 20th; a null option is no option. */
static void test_tfjs_compat__many_options(void **state)
{
    json_t *config = json_object();
    fc_tfjs_refusal why;
    char key[32];
    int i;

    (void)state;
    for (i = 0; i < 19; i++) {
        snprintf(key, sizeof(key), "k%02d_initializer", i);
        json_object_set_new(config, key, json_pack("{s:s, s:{}}", "class_name", "GlorotUniform", "config"));
    }
    json_object_set_new(config, "bias_regularizer", json_null());
    json_object_set_new(config, "activation", json_null());
    assert_false(fc_tfjs_unsupported("Dense", config, &newest, 2, &why));
    json_object_set_new(config, "k19_initializer", json_pack("{s:s, s:{}}", "class_name", "LecunUniform", "config"));
    assert_true(fc_tfjs_unsupported("Dense", config, &newest, 2, &why));
    assert_string_equal(why.name, "LecunUniform");
    json_decref(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tfjs_compat__swept_classes_are_refused),
        cmocka_unit_test(test_tfjs_compat__gru_reset_after),
        cmocka_unit_test(test_tfjs_compat__classes_by_release),
        cmocka_unit_test(test_tfjs_compat__options_by_release),
        cmocka_unit_test(test_tfjs_compat__many_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
