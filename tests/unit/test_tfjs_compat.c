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
        if (!fc_tfjs_unsupported(missing[i], NULL, &newest, &why))
            fail_msg("%s is not refused", missing[i]);
    }
    for (i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
        if (fc_tfjs_unsupported(present[i], NULL, &newest, &why))
            fail_msg("%s is refused", present[i]);
    }
}

static void test_tfjs_compat__gru_reset_after(void **state)
{
    json_t *on = json_pack("{s:b}", "reset_after", 1), *off = json_pack("{s:b}", "reset_after", 0);
    json_t *wrapped = json_pack("{s:{s:s, s:{s:b}}}", "layer", "class_name", "GRU", "config", "reset_after", 1);
    fc_tfjs_refusal why;

    (void)state;
    assert_true(fc_tfjs_unsupported("GRU", on, &newest, &why));
    assert_string_equal(why.error, "GRUCell does not support reset_after parameter set to true.");
    assert_false(fc_tfjs_unsupported("GRU", off, &newest, &why));
    assert_false(fc_tfjs_unsupported("GRU", NULL, &newest, &why)); /* absent: TF.js's default is false */
    assert_true(fc_tfjs_unsupported("Bidirectional", wrapped, &newest, &why));
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

        if (fc_tfjs_unsupported(cases[i].class_name, NULL, &t, &why) != cases[i].refused)
            fail_msg("%s in TF.js %s: refused should be %d", cases[i].class_name, cases[i].version,
                     cases[i].refused);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tfjs_compat__swept_classes_are_refused),
        cmocka_unit_test(test_tfjs_compat__gru_reset_after),
        cmocka_unit_test(test_tfjs_compat__classes_by_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
