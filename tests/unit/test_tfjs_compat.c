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
        if (!fc_tfjs_unsupported(missing[i], NULL, &why))
            fail_msg("%s is not refused", missing[i]);
    }
    for (i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
        if (fc_tfjs_unsupported(present[i], NULL, &why))
            fail_msg("%s is refused", present[i]);
    }
}

static void test_tfjs_compat__gru_reset_after(void **state)
{
    json_t *on = json_pack("{s:b}", "reset_after", 1), *off = json_pack("{s:b}", "reset_after", 0);
    json_t *wrapped = json_pack("{s:{s:s, s:{s:b}}}", "layer", "class_name", "GRU", "config", "reset_after", 1);
    fc_tfjs_refusal why;

    (void)state;
    assert_true(fc_tfjs_unsupported("GRU", on, &why));
    assert_string_equal(why.error, "GRUCell does not support reset_after parameter set to true.");
    assert_false(fc_tfjs_unsupported("GRU", off, &why));
    assert_false(fc_tfjs_unsupported("GRU", NULL, &why)); /* absent: TF.js's default is false */
    assert_true(fc_tfjs_unsupported("Bidirectional", wrapped, &why));
    json_decref(on);
    json_decref(off);
    json_decref(wrapped);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tfjs_compat__swept_classes_are_refused),
        cmocka_unit_test(test_tfjs_compat__gru_reset_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
