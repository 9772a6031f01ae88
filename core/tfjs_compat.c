/*
 * tfjs_compat.c - what TensorFlow.js Layers refuses that Python Keras
 * accepts. Every row was checked with ../shared/oracle (TF.js 4.22): a
 * one-layer model of each registry class, and the options below.
 */
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "tfjs_compat.h"

/* Registry classes TF.js's deserializer does not know ("Unknown layer: X"), sorted for bsearch. */
static const char *const missing[] = {
    "ActivityRegularization", "AdditiveAttention", "Attention", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "Conv1DTranspose", "ConvLSTM1D", "ConvLSTM3D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
    "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "Cropping1D", "Cropping3D", "CuDNNGRU",
    "CuDNNLSTM", "DepthwiseConv1D", "EinsumDense", "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
    "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling3D",
    "GroupNormalization", "Lambda", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MultiHeadAttention", "Normalization",
    "RMSNormalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
    "RandomTranslation", "RandomZoom", "SeparableConv1D", "SeparableConvolution1D", "SeparableConvolution2D",
    "SpatialDropout2D", "SpatialDropout3D", "Subtract", "SyncBatchNormalization", "UnitNormalization",
    "UpSampling1D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding3D",
};

static int by_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int fc_tfjs_unsupported(const char *class_name, const json_t *config, fc_tfjs_refusal *out)
{
    const json_t *inner;

    {
        if (bsearch(class_name, missing, sizeof(missing) / sizeof(missing[0]), sizeof(missing[0]), by_name) != NULL) {
            out->detail = "";
            out->fix = "# re-implement the layer as a TF.js custom layer, or replace it before converting";
            out->error = "Unknown layer: {class}. This may be due to one of the following reasons:\n"
                         "1. The layer is defined in Python, in which case it needs to be ported to TensorFlow.js "
                         "or your JavaScript code.\n2. The custom layer is defined in JavaScript, but is not "
                         "registered properly with tf.serialization.registerClass().";
            return 1;
        }
    }
    /* GRU with reset_after=True, the default of Keras 2.x and 3: the cuDNN-compatible variant. */
    inner = config;
    if (strcmp(class_name, "Bidirectional") == 0 || strcmp(class_name, "TimeDistributed") == 0) {
        class_name = json_string_value(json_object_get(json_object_get(config, "layer"), "class_name"));
        inner = json_object_get(json_object_get(config, "layer"), "config");
    }
    if (class_name != NULL && strcmp(class_name, "GRU") == 0 && fc_cfg_bool(inner, "reset_after", 0)) {
        out->detail = " with reset_after=True (the Keras default since TF 2.0)";
        out->fix = "keras.layers.GRU(units, reset_after=False)  # and retrain: the weights differ";
        out->error = "GRUCell does not support reset_after parameter set to true.";
        return 1;
    }
    return 0;
}
