/*
 * tfjs_compat.c - what TensorFlow.js Layers refuses that Python Keras
 * accepts. Every row was checked with ../shared/oracle (TF.js 4.22): a
 * one-layer model of each registry class, and the options below; the
 * classes that came late, or train only in some releases, were run in 24
 * releases from 1.0.0 to 4.22.0 (a copy of the oracle per release) and
 * dated by the tfjs-layers and tfjs repositories' history.
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

#define UNKNOWN_LAYER                                                                                          \
    "Unknown layer: {class}. This may be due to one of the following reasons:\n1. The layer is defined in "       \
    "Python, in which case it needs to be ported to TensorFlow.js or your JavaScript code.\n2. The custom layer "  \
    "is defined in JavaScript, but is not registered properly with tf.serialization.registerClass()."

/* Classes by release: unknown in the releases of `absent`, loaded but untrainable in those of `broken`. */
static const struct {
    const char *class_name;
    const char *absent;  /* release spec */
    const char *broken;  /* release spec where fit fails */
    const char *error;   /* what fit says there */
    const char *detail;
} by_release[] = {
    {"Conv3D", "tfjs 1.0.0-1.0.1", "", NULL, ""},
    {"GaussianNoise", "tfjs 1.0.0-1.0.1", "", NULL, ""},
    {"AlphaDropout", "tfjs 1.0.0-1.0.1", "tfjs 1.0.2-1.1", "Error in fused matMul: inner shapes ...",
     " (TF.js before 1.2 builds it but cannot train it: tfjs-layers commit 711b490 fixed it)"},
    {"GaussianDropout", "tfjs 1.0.0-1.0.1", "tfjs 1.0.2-1.1", "Error in fused matMul: inner shapes ...",
     " (TF.js before 1.2 builds it but cannot train it: tfjs-layers commit 711b490 fixed it)"},
    {"Masking", "tfjs 1.0", "", NULL, ""},
    {"MaxPooling3D", "tfjs 1.0-1.1; tfjs 1.2.0-1.2.7", "", NULL, ""},
    {"AveragePooling3D", "tfjs 1.0-1.1; tfjs 1.2.0-1.2.7", "", NULL, ""},
    {"LayerNormalization", "tfjs 1.0-1.2", "", NULL, ""},
    {"SpatialDropout1D", "tfjs 1.0-1.2; tfjs 1.3.0-1.3.1", "", NULL, ""},
    {"ConvLSTM2D", "tfjs 1.0-2.3", "", NULL, ""},
    {"DepthwiseConv2D", "", "tfjs 2.7-3.8", "Cannot read properties of null (reading 'length')",
     " (TF.js 2.7-3.8 cannot train it: the gradient lost its dilations in commit 7603952e5, fixed by 32f210986 "
     "in 3.9)"},
    {"Conv3DTranspose", "tfjs 1.0-3.3", "tfjs 3.4-",
     "Cannot compute gradient: gradient function not found for Conv3DBackpropInputV2.",
     " (TF.js builds it but has no gradient for it, so fit fails)"},
    {"Rescaling", "tfjs 1.0-3.20", "", NULL, ""},
    {"CategoryEncoding", "tfjs 1.0-3", "tfjs 4.0-",
     "input expected a batch of elements where each example has shape [...] ...",
     " (TF.js 4 registers it, but its computeOutputShape overwrites the input shape it is given, so the "
     "model's input no longer matches the data)"},
    {"Resizing", "tfjs 1.0-3", "tfjs 4.0-", "Error in resizeBilinear: x must be rank 3 or 4, but got rank 1.",
     " (TF.js 4 registers it, but its output shape has no batch axis and fit fails)"},
    {"CenterCrop", "tfjs 1.0-4.0", "tfjs 4.1-",
     "input expected a batch of elements where each example has shape [...] ...",
     " (TF.js 4.1+ registers it, but its computeOutputShape overwrites the model's input shape with the "
     "cropped one, so the data no longer matches)"},
};

int fc_tfjs_unsupported(const char *class_name, const json_t *config, const fc_target *t, fc_tfjs_refusal *out)
{
    const json_t *inner;
    size_t i;

    for (i = 0; class_name != NULL && i < sizeof(by_release) / sizeof(by_release[0]); i++) {
        if (strcmp(class_name, by_release[i].class_name) != 0)
            continue;
        if (by_release[i].absent[0] != '\0' && fc_target_in(t, by_release[i].absent)) {
            out->detail = " (TF.js has it only in later releases)";
            out->fix = "# a later TF.js has this layer (see docs/versions.md), or replace it before converting";
            out->error = UNKNOWN_LAYER;
            return 1;
        }
        if (by_release[i].broken[0] != '\0' && fc_target_in(t, by_release[i].broken)) {
            out->detail = by_release[i].detail;
            out->fix = "# replace the layer (or pick a TF.js release that trains it: docs/versions.md)";
            out->error = by_release[i].error;
            return 1;
        }
    }
    {
        if (bsearch(class_name, missing, sizeof(missing) / sizeof(missing[0]), sizeof(missing[0]), by_name) != NULL) {
            out->detail = "";
            out->fix = "# re-implement the layer as a TF.js custom layer, or replace it before converting";
            out->error = UNKNOWN_LAYER;
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
