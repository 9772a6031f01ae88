/*
 * test_layer_conv.c - core/layer_conv.c: output shapes, weight counts and
 * problems of the convolution, pooling, padding, cropping and upsampling
 * layers, one table row per case, for the tfjs and keras3 targets (and
 * tf.keras2 where it differs).
 *
 * Rows for the tfjs target (FC_FW_TFJS) carry what TF.js 4.22 itself
 * reported through ../shared/oracle (`model.countParams()`, the model's
 * output shape, or the build error) for a one-layer Sequential model with
 * the same config and batch_input_shape; every such row was run through
 * the oracle. Rows for keras3 follow the Keras 3 source where TF.js differs
 * or lacks the class (operation_utils.py compute_conv_output_shape and
 * compute_pooling_output_shape, backend_utils.py
 * compute_conv_transpose_output_shape, the layers' build and
 * compute_output_shape), with the arithmetic written next to the row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fixture_json.h"

#include "../../core/layers.h"
#include "fitcheck/graph.h"
#include "fitcheck/model.h"

#define TFJS FC_FW_TFJS
#define K3 FC_FW_KERAS3
#define K2 FC_FW_TFKERAS2
#define NO_PROBLEM (-1)
#define UNKNOWN (-1)
#define OVERFLOW (-2) /* params_overflow: a weight count past 2^53 */

typedef struct conv_case {
    fc_framework target;
    const char *class_name;
    const char *config; /* JSON with ' for " */
    const char *input;  /* JSON array, batch axis first, null for None */
    const char *output; /* Python-formatted shape; NULL when a problem is expected */
    int64_t params;     /* UNKNOWN, OVERFLOW, or the count */
    int problem;        /* finding code, or NO_PROBLEM */
} conv_case;

/* clang-format off */
static const conv_case cases[] = {
    /* ---- Conv1D/2D/3D: oracle (TF.js 4.22) ---- */
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 3}", "[null, 9, 9, 3]", "(None, 7, 7, 2)", 56, NO_PROBLEM},
    {TFJS, "Conv2D", "{'filters': 3, 'kernel_size': 3, 'padding': 'same', 'use_bias': false, 'strides': [3, 2]}",
     "[null, 10, 11, 3]", "(None, 4, 6, 3)", 81, NO_PROBLEM},
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 3, 'strides': 3}", "[null, 2, 9, 1]", "(None, 0, 3, 2)", 20,
     NO_PROBLEM},
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': [3, 1], 'dilation_rate': [2, 1]}", "[null, 9, 9, 1]",
     "(None, 5, 9, 2)", 8, NO_PROBLEM},
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 3, 'dilation_rate': 2, 'data_format': 'channels_first'}",
     "[null, 3, 9, 8]", "(None, 2, 5, 4)", 56, NO_PROBLEM},
    {TFJS, "Conv1D", "{'filters': 3, 'kernel_size': 2, 'data_format': 'channels_first'}", "[null, 4, 6]",
     "(None, 3, 5)", 27, NO_PROBLEM},
    {TFJS, "Conv3D", "{'filters': 2, 'kernel_size': [1, 2, 3], 'strides': [1, 1, 2], 'data_format': 'channels_first'}",
     "[null, 2, 3, 4, 7]", "(None, 2, 3, 3, 3)", 26, NO_PROBLEM},
    /* TF.js ignores groups: kernel 3*3*4*4 + 4 */
    {TFJS, "Conv2D", "{'filters': 4, 'kernel_size': 3, 'groups': 2}", "[null, 6, 6, 4]", "(None, 4, 4, 4)", 148,
     NO_PROBLEM},
    /* TF.js builds 'causal' as 'valid' (convOutputLength; fit then fails) */
    {TFJS, "Conv1D", "{'filters': 2, 'kernel_size': 3, 'padding': 'causal'}", "[null, 10, 3]", "(None, 8, 2)", 20,
     NO_PROBLEM},
    {TFJS, "Conv2D", "{'filters': 3, 'kernel_size': 3}", "[null, null, null, 2]", "(None, None, None, 3)", 57,
     NO_PROBLEM},
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 5}", "[null, 3, 3, 1]", NULL, UNKNOWN, FC_NON_POSITIVE_DIM},
    {TFJS, "Conv1D", "{'filters': 2, 'kernel_size': 7, 'padding': 'causal'}", "[null, 3, 1]", NULL, UNKNOWN,
     FC_NON_POSITIVE_DIM},
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 3}", "[null, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 3}", "[null, 9, 9, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    {TFJS, "Conv1D", "{'filters': 2, 'kernel_size': 3}", "[null, 9, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    /* ---- Conv: keras3 ---- */
    /* groups: kernel 3*3*(4/2)*4 + 4 (base_conv.py BaseConv.build) */
    {K3, "Conv2D", "{'filters': 4, 'kernel_size': 3, 'groups': 2}", "[null, 6, 6, 4]", "(None, 4, 4, 4)", 76,
     NO_PROBLEM},
    /* 'causal' is 'same' in compute_conv_output_shape; kernel 3*(4/2)*4 + 4 */
    {K3, "Conv1D", "{'filters': 4, 'kernel_size': 3, 'groups': 2, 'padding': 'causal', 'dilation_rate': 2}",
     "[null, 10, 4]", "(None, 10, 4)", 28, NO_PROBLEM},
    {K3, "Conv1D", "{'filters': 2, 'kernel_size': 3, 'padding': 'CAUSAL', 'strides': 2}", "[null, 10, 3]",
     "(None, 5, 2)", 20, NO_PROBLEM},
    /* input channels not divisible by groups: Keras refuses the weights */
    {K3, "Conv2D", "{'filters': 4, 'kernel_size': 3, 'groups': 2}", "[null, 6, 6, 3]", "(None, 4, 4, 4)", UNKNOWN,
     NO_PROBLEM},
    /* 'causal' is Conv1D-only in Keras (standardize_padding): spatial axes unknown */
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': 3, 'padding': 'causal'}", "[null, 5, 5, 2]",
     "(None, None, None, 2)", 38, NO_PROBLEM},
    /* floor((5 - 5) / 1) + 1 = 1; floor((4 - 5) / 1) + 1 = 0 raises */
    {K3, "Conv2D", "{'filters': 1, 'kernel_size': 5}", "[null, 5, 5, 1]", "(None, 1, 1, 1)", 26, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': 1, 'kernel_size': 5}", "[null, 4, 5, 1]", NULL, UNKNOWN, FC_NON_POSITIVE_DIM},
    /* min_ndim=4 passes, compute_conv_output_shape refuses a longer input; tf.keras2 keeps extra batch axes */
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': 3}", "[null, 2, 9, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    {K2, "Conv2D", "{'filters': 2, 'kernel_size': 3}", "[null, 2, 9, 9, 3]", "(None, 2, 7, 7, 2)", 56, NO_PROBLEM},
    {K3, "Conv3D", "{'filters': 2, 'kernel_size': 3}", "[null, 9, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    /* channel axis undefined: no weight count (the graph reports UNDEFINED_DIM) */
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': 3, 'data_format': 'channels_first'}", "[null, null, 5, 5]",
     "(None, 2, 3, 3)", UNKNOWN, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': 2}", "[null, 5, 5, 1]", "(None, None, None, 2)", UNKNOWN, NO_PROBLEM},

    /* ---- transposed: oracle (TF.js ignores output_padding and dilation_rate) ---- */
    {TFJS, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3, 'strides': 2, 'output_padding': 1}",
     "[null, 5, 5, 3]", "(None, 11, 11, 2)", 56, NO_PROBLEM},
    {TFJS, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3, 'dilation_rate': 2}", "[null, 5, 5, 3]",
     "(None, 7, 7, 2)", 56, NO_PROBLEM},
    {TFJS, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 1, 'strides': 3}", "[null, 3, 3, 2]",
     "(None, 9, 9, 2)", 6, NO_PROBLEM},
    {TFJS, "Conv3DTranspose", "{'filters': 2, 'kernel_size': [1, 2, 3], 'strides': [1, 2, 3], "
     "'data_format': 'channels_first'}", "[null, 2, 3, 3, 3]", "(None, 2, 3, 6, 9)", 26, NO_PROBLEM},
    {TFJS, "Conv2DTranspose", "{'filters': 3, 'kernel_size': 3, 'strides': 2}", "[null, null, 4, 2]",
     "(None, None, 9, 3)", 57, NO_PROBLEM},
    {TFJS, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3}", "[null, 9, 3]", NULL, UNKNOWN,
     FC_LAYER_INPUT_RANK},
    /* ---- transposed: keras3 (_get_output_shape_given_tf_padding) ---- */
    /* valid with output_padding: (5 - 1) * 2 + 3 + 1 */
    {K3, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3, 'strides': 2, 'output_padding': 1}",
     "[null, 5, 5, 3]", "(None, 12, 12, 2)", 56, NO_PROBLEM},
    /* same with output_padding: (5 - 1) * 2 + 3 % 2 + 1 */
    {K3, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3, 'strides': 2, 'padding': 'same', "
     "'output_padding': [1, 0]}", "[null, 5, 5, 3]", "(None, 10, 9, 2)", 56, NO_PROBLEM},
    /* dilated kernel (3 - 1) * 2 + 1 = 5: (5 - 1) * 1 + max(5, 1) */
    {K3, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3, 'dilation_rate': 2}", "[null, 5, 5, 3]",
     "(None, 9, 9, 2)", 56, NO_PROBLEM},
    /* Conv1DTranspose (no TF.js class): 5 * 2 + max(3 - 2, 0); kernel 3*2*3 + 2 */
    {K3, "Conv1DTranspose", "{'filters': 2, 'kernel_size': 3, 'strides': 2}", "[null, 5, 3]", "(None, 11, 2)", 20,
     NO_PROBLEM},
    /* a negative output_padding is refused by Keras (standardize_tuple): that axis is unknown; (5 - 1) * 2 + 3 + 1 */
    {K3, "Conv2DTranspose", "{'filters': 2, 'kernel_size': 3, 'strides': 2, 'output_padding': [-1, 1]}",
     "[null, 5, 5, 3]", "(None, None, 12, 2)", 56, NO_PROBLEM},
    {K3, "Conv3DTranspose", "{'filters': 1, 'kernel_size': 2, 'strides': 2, 'use_bias': false, "
     "'data_format': 'channels_first'}", "[null, 4, 2, 3, 1]", "(None, 1, 4, 6, 2)", 32, NO_PROBLEM},

    /* ---- separable and depthwise: oracle ---- */
    {TFJS, "SeparableConv2D", "{'filters': 5, 'kernel_size': [1, 3], 'strides': [1, 2], 'depth_multiplier': 2, "
     "'use_bias': false, 'data_format': 'channels_first'}", "[null, 3, 7, 9]", "(None, 5, 7, 4)", 48, NO_PROBLEM},
    {TFJS, "SeparableConv2D", "{'filters': 2, 'kernel_size': 3, 'dilation_rate': 2, 'depth_multiplier': 2}",
     "[null, 9, 9, 3]", "(None, 5, 5, 2)", 68, NO_PROBLEM},
    {TFJS, "SeparableConv2D", "{'filters': 2, 'kernel_size': 5}", "[null, 3, 3, 2]", NULL, UNKNOWN,
     FC_NON_POSITIVE_DIM},
    {TFJS, "SeparableConv2D", "{'filters': 2, 'kernel_size': 3}", "[null, 5, 5, 5, 3]", NULL, UNKNOWN,
     FC_LAYER_INPUT_RANK},
    /* TF.js DepthwiseConv2D ignores dilation_rate: 9 - 3 + 1 */
    {TFJS, "DepthwiseConv2D", "{'kernel_size': 3, 'dilation_rate': 2, 'depth_multiplier': 2}", "[null, 9, 9, 3]",
     "(None, 7, 7, 6)", 60, NO_PROBLEM},
    {TFJS, "DepthwiseConv2D", "{'kernel_size': [3, 1], 'strides': [2, 1], 'depth_multiplier': 3, "
     "'data_format': 'channels_first'}", "[null, 2, 7, 5]", "(None, 6, 3, 5)", 24, NO_PROBLEM},
    /* no InputSpec: a rank-5 input is read on axes 1-3 and gives rank 4 */
    {TFJS, "DepthwiseConv2D", "{'kernel_size': 3}", "[null, 9, 9, 9, 3]", "(None, 7, 7, 9)", 90, NO_PROBLEM},
    {TFJS, "DepthwiseConv2D", "{'kernel_size': 3}", "[null, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    {TFJS, "DepthwiseConv2D", "{'kernel_size': 5}", "[null, 3, 3, 2]", NULL, UNKNOWN, FC_NON_POSITIVE_DIM},
    /* ---- separable and depthwise: keras3 ---- */
    /* dilation honoured: (9 - 5) + 1; depthwise 3*3*3*2 + bias 6 */
    {K3, "DepthwiseConv2D", "{'kernel_size': 3, 'dilation_rate': 2, 'depth_multiplier': 2}", "[null, 9, 9, 3]",
     "(None, 5, 5, 6)", 60, NO_PROBLEM},
    {K3, "DepthwiseConv2D", "{'kernel_size': 3}", "[null, 9, 9, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK},
    /* depthwise 3*3*2 + pointwise 3*2*4 + bias 4 */
    {K3, "SeparableConv1D", "{'filters': 4, 'kernel_size': 3, 'depth_multiplier': 2}", "[null, 10, 3]",
     "(None, 8, 4)", 46, NO_PROBLEM},
    /* 3*3*2 + bias 6 */
    {K3, "DepthwiseConv1D", "{'kernel_size': 3, 'depth_multiplier': 2, 'strides': 2, 'padding': 'same'}",
     "[null, 9, 3]", "(None, 5, 6)", 24, NO_PROBLEM},
    {K3, "DepthwiseConv2D", "{'kernel_size': 3}", "[null, 5, 5, null]", "(None, 3, 3, None)", UNKNOWN, NO_PROBLEM},

    /* ---- pooling: oracle ---- */
    {TFJS, "MaxPooling2D", "{'pool_size': [2, 2]}", "[null, 5, 5, 2]", "(None, 2, 2, 2)", 0, NO_PROBLEM},
    {TFJS, "AveragePooling3D", "{'pool_size': [1, 2, 3], 'strides': [1, 1, 2], 'padding': 'same'}",
     "[null, 5, 6, 7, 2]", "(None, 5, 6, 4, 2)", 0, NO_PROBLEM},
    {TFJS, "MaxPooling3D", "{'pool_size': [2, 2, 2], 'data_format': 'channels_first'}", "[null, 2, 5, 6, 7]",
     "(None, 2, 2, 3, 3)", 0, NO_PROBLEM},
    /* TF.js Pooling1D ignores data_format */
    {TFJS, "MaxPooling1D", "{'pool_size': [2], 'data_format': 'channels_first'}", "[null, 6, 4]", "(None, 3, 4)", 0,
     NO_PROBLEM},
    /* TF.js builds a zero-sized axis (only a negative one is refused) */
    {TFJS, "MaxPooling2D", "{'pool_size': [4, 4]}", "[null, 3, 3, 1]", "(None, 0, 0, 1)", 0, NO_PROBLEM},
    {TFJS, "MaxPooling2D", "{'pool_size': [3, 3], 'strides': [5, 5]}", "[null, 3, 9, 1]", "(None, 1, 2, 1)", 0,
     NO_PROBLEM},
    /* strides default to pool_size: floor((3 - 5) / 5) + 1 = 0 passes; with strides 1 it is -1 */
    {TFJS, "MaxPooling2D", "{'pool_size': [5, 5]}", "[null, 3, 3, 1]", "(None, 0, 0, 1)", 0, NO_PROBLEM},
    {TFJS, "MaxPooling2D", "{'pool_size': [5, 5], 'strides': [1, 1]}", "[null, 3, 3, 1]", NULL, 0,
     FC_NON_POSITIVE_DIM},
    {TFJS, "MaxPooling2D", "{'pool_size': [2, 2], 'padding': 'causal'}", "[null, 5, 5, 2]", "(None, 2, 2, 2)", 0,
     NO_PROBLEM},
    {TFJS, "MaxPooling2D", "{}", "[null, 9, 3]", NULL, 0, FC_LAYER_INPUT_RANK},
    {TFJS, "MaxPooling2D", "{'pool_size': [2, 2]}", "[null, null, 5, 2]", "(None, None, 2, 2)", 0, NO_PROBLEM},
    /* ---- pooling: keras3 (compute_pooling_output_shape) ---- */
    /* floor((3 - 4) / 4) + 1 = 0 raises in Keras */
    {K3, "MaxPooling2D", "{'pool_size': [4, 4]}", "[null, 3, 3, 1]", NULL, 0, FC_NON_POSITIVE_DIM},
    {K3, "MaxPool1D", "{'pool_size': 2, 'data_format': 'channels_first'}", "[null, 4, 7]", "(None, 4, 3)", 0,
     NO_PROBLEM},
    {K3, "AvgPool2D", "{'pool_size': 3, 'strides': 2, 'padding': 'same'}", "[null, 7, 8, 1]", "(None, 4, 4, 1)", 0,
     NO_PROBLEM},
    {K3, "MaxPooling2D", "{'pool_size': 2, 'padding': 'causal'}", "[null, 4, 4, 1]", "(None, None, None, 1)", 0,
     NO_PROBLEM},
    {K3, "AveragePooling1D", "{}", "[null, 4, 4, 1]", NULL, 0, FC_LAYER_INPUT_RANK},

    /* ---- global pooling: oracle (TF.js ignores keepdims, and data_format in 1D) ---- */
    {TFJS, "GlobalAveragePooling2D", "{'keepdims': true}", "[null, 4, 4, 3]", "(None, 3)", 0, NO_PROBLEM},
    {TFJS, "GlobalAveragePooling2D", "{'data_format': 'channels_first', 'keepdims': true}", "[null, 3, 5, 6]",
     "(None, 3)", 0, NO_PROBLEM},
    {TFJS, "GlobalMaxPooling1D", "{'data_format': 'channels_first', 'keepdims': true}", "[null, 3, 5]", "(None, 5)",
     0, NO_PROBLEM},
    {TFJS, "GlobalMaxPooling1D", "{}", "[null, 9, 9, 3]", NULL, 0, FC_LAYER_INPUT_RANK},
    /* ---- global pooling: keras3 (BaseGlobalPooling.compute_output_shape) ---- */
    {K3, "GlobalAveragePooling2D", "{'keepdims': true}", "[null, 4, 4, 3]", "(None, 1, 1, 3)", 0, NO_PROBLEM},
    {K3, "GlobalMaxPool1D", "{'data_format': 'channels_first'}", "[null, 3, 5]", "(None, 3)", 0, NO_PROBLEM},
    {K3, "GlobalMaxPooling3D", "{'data_format': 'channels_first', 'keepdims': true}", "[null, 2, 3, 4, 5]",
     "(None, 2, 1, 1, 1)", 0, NO_PROBLEM},
    {K3, "GlobalAvgPool3D", "{}", "[null, null, 3, 4, 5]", "(None, 5)", 0, NO_PROBLEM},

    /* ---- padding, cropping, upsampling: oracle ---- */
    {TFJS, "ZeroPadding2D", "{'padding': [[1, 2], [3, 0]]}", "[null, null, 4, 2]", "(None, None, 7, 2)", 0,
     NO_PROBLEM},
    {TFJS, "ZeroPadding2D", "{'padding': 2, 'data_format': 'channels_first'}", "[null, 2, 3, 4]", "(None, 2, 7, 8)", 0,
     NO_PROBLEM},
    {TFJS, "Cropping2D", "{'cropping': [1, 2], 'data_format': 'channels_first'}", "[null, 2, 5, 6]",
     "(None, 2, 3, 2)", 0, NO_PROBLEM},
    {TFJS, "Cropping2D", "{'cropping': [[2, 1], [0, 0]]}", "[null, 3, 5, 1]", "(None, 0, 5, 1)", 0, NO_PROBLEM},
    {TFJS, "Cropping2D", "{'cropping': [[2, 2], [0, 0]]}", "[null, 3, 5, 1]", NULL, 0, FC_NON_POSITIVE_DIM},
    /* TF.js subtracts the crops from null (0 in JavaScript): a negative axis, refused */
    {TFJS, "Cropping2D", "{'cropping': [[1, 0], [0, 2]]}", "[null, null, 4, 2]", NULL, 0, FC_NON_POSITIVE_DIM},
    {TFJS, "Cropping2D", "{'cropping': 0}", "[null, null, 8, 2]", "(None, 0, 8, 2)", 0, NO_PROBLEM},
    {TFJS, "UpSampling2D", "{'size': [2, 2], 'data_format': 'channels_first'}", "[null, 2, 3, 4]",
     "(None, 2, 6, 8)", 0, NO_PROBLEM},
    {TFJS, "UpSampling2D", "{'size': [3, 1]}", "[null, null, 4, 2]", "(None, None, 4, 2)", 0, NO_PROBLEM},
    {TFJS, "UpSampling2D", "{}", "[null, 9, 9, 9, 3]", NULL, 0, FC_LAYER_INPUT_RANK},
    /* ---- padding, cropping, upsampling: keras3 ---- */
    {K3, "ZeroPadding1D", "{'padding': [1, 2], 'data_format': 'channels_first'}", "[null, 3, 5]", "(None, 3, 8)", 0,
     NO_PROBLEM},
    {K3, "ZeroPadding3D", "{}", "[null, 1, 2, 3, 4]", "(None, 3, 4, 5, 4)", 0, NO_PROBLEM},
    {K3, "Cropping1D", "{}", "[null, 5, 2]", "(None, 3, 2)", 0, NO_PROBLEM},
    {K3, "Cropping1D", "{'cropping': [1, 1]}", "[null, 2, 2]", NULL, 0, FC_NON_POSITIVE_DIM},
    {K3, "Cropping2D", "{'cropping': [[2, 1], [0, 0]]}", "[null, 3, 5, 1]", NULL, 0, FC_NON_POSITIVE_DIM},
    {K3, "Cropping2D", "{'cropping': [[1, 0], [0, 2]]}", "[null, null, 4, 2]", "(None, None, 2, 2)", 0, NO_PROBLEM},
    {K3, "Cropping3D", "{'cropping': [1, [0, 2], 0], 'data_format': 'channels_first'}", "[null, 2, 4, 4, 4]",
     "(None, 2, 2, 2, 4)", 0, NO_PROBLEM},
    {K3, "Cropping2D", "{'cropping': -1}", "[null, 4, 4, 2]", "(None, None, None, 2)", 0, NO_PROBLEM},
    {K3, "UpSampling1D", "{'size': 3}", "[null, 4, 2]", "(None, 12, 2)", 0, NO_PROBLEM},
    {K3, "UpSampling3D", "{'size': [1, 2, 3], 'data_format': 'channels_first'}", "[null, 2, 3, 4, 5]",
     "(None, 2, 3, 8, 15)", 0, NO_PROBLEM},

    /* ---- absurd configs: no undefined behaviour, nothing bogus ---- */
    /* 2^53 * 2^40 saturates to 2^53 + 1, which the graph reports as DIM_OVERFLOW */
    {TFJS, "Conv2DTranspose", "{'filters': 1, 'kernel_size': 1, 'strides': [1099511627776, 1]}",
     "[null, 9007199254740992, 4, 1]", "(None, 9007199254740993, 4, 1)", 2, NO_PROBLEM},
    {K3, "Conv2DTranspose", "{'filters': 1, 'kernel_size': 3, 'strides': [9223372036854775807, 1], "
     "'output_padding': [9223372036854775807, 0]}", "[null, 9007199254740992, 4, 1]",
     "(None, 9007199254740993, 6, 1)", 10, NO_PROBLEM},
    {K3, "UpSampling2D", "{'size': [9223372036854775807, 2]}", "[null, 9007199254740992, 4, 1]",
     "(None, 9007199254740993, 8, 1)", 0, NO_PROBLEM},
    {K3, "ZeroPadding2D", "{'padding': [[9223372036854775807, 9223372036854775807], [0, 0]]}", "[null, 3, 4, 1]",
     "(None, 9007199254740993, 4, 1)", 0, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': 3, 'strides': 9223372036854775807, 'padding': 'same'}",
     "[null, 9007199254740992, 1, 1]", "(None, 1, 1, 2)", 20, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': [9223372036854775807, 1], 'dilation_rate': 9223372036854775807}",
     "[null, 9007199254740992, 1, 1]", NULL, UNKNOWN, FC_NON_POSITIVE_DIM},
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': [9223372036854775807, 1], 'padding': 'same'}",
     "[null, 9007199254740992, 1, 1]", "(None, 9007199254740992, 1, 2)", OVERFLOW, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': 1099511627776, 'kernel_size': 1048576}", "[null, 1048576, 1048576, 1]",
     "(None, 1, 1, 1099511627776)", OVERFLOW, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': 2, 'kernel_size': [0, -3], 'strides': 0}", "[null, 5, 5, 1]",
     "(None, None, None, 2)", UNKNOWN, NO_PROBLEM},
    {K3, "Conv2D", "{'filters': -4, 'kernel_size': 3, 'strides': -1}", "[null, 5, 5, 1]",
     "(None, None, None, None)", UNKNOWN, NO_PROBLEM},
    {K3, "MaxPooling2D", "{'pool_size': [2, 0], 'strides': [-1, 2]}", "[null, 5, 5, 1]",
     "(None, None, None, 1)", 0, NO_PROBLEM},
    {K3, "Cropping2D", "{'cropping': [[9223372036854775807, 9223372036854775807], [0, 0]]}", "[null, 3, 4, 1]", NULL,
     0, FC_NON_POSITIVE_DIM},
    {K3, "DepthwiseConv2D", "{'kernel_size': 1, 'depth_multiplier': 9223372036854775807}", "[null, 4, 4, 3]",
     "(None, 4, 4, 9007199254740993)", OVERFLOW, NO_PROBLEM},
};
/* clang-format on */

/* Builds the row's layer on its input; the caller owns *layer. */
static void build_case(const conv_case *c, fc_build *out, json_t **layer)
{
    json_t *config, *shape;
    json_error_t jerr;
    fc_shape in;
    int known;

    config = fixture_json(c->config);
    json_object_set_new(config, "name", json_string("l0"));
    shape = json_loads(c->input, 0, &jerr);
    if (shape == NULL)
        fail_msg("%s input does not parse: %s", c->class_name, jerr.text);
    assert_int_equal(fc_shape_from_json(shape, 1, "", &in, NULL), FC_OK);
    json_decref(shape);
    *layer = json_pack("{s:s, s:o}", "class_name", c->class_name, "config", config);
    assert_int_equal(fc_layer_build_object(*layer, &in, 1, c->target, NULL, 0, out, &known), FC_OK);
    assert_true(known);
}

static void check_case(size_t row, const conv_case *c)
{
    fc_build b;
    json_t *layer;
    char shape[256];

    build_case(c, &b, &layer);
    fc_shape_format(&b.outputs[0], 0, shape, sizeof(shape));
    if (c->problem != NO_PROBLEM) {
        if (!b.has_problem || (int)b.problem != c->problem)
            fail_msg("row %zu %s %s on %s: expected problem %d, got %s (%d), output %s", row, c->class_name,
                     c->config, c->input, c->problem, b.has_problem ? "problem" : "none", (int)b.problem, shape);
    } else {
        if (b.has_problem)
            fail_msg("row %zu %s %s on %s: unexpected problem: %s", row, c->class_name, c->config, c->input,
                     b.message);
        if (strcmp(shape, c->output) != 0)
            fail_msg("row %zu %s %s on %s: output %s, expected %s", row, c->class_name, c->config, c->input, shape,
                     c->output);
    }
    if (c->params == OVERFLOW) {
        if (!b.params_overflow)
            fail_msg("row %zu %s: expected params_overflow", row, c->class_name);
    } else if (c->params == UNKNOWN) {
        if (!b.params_unknown)
            fail_msg("row %zu %s %s on %s: expected unknown params, got %lld", row, c->class_name, c->config,
                     c->input, (long long)b.trainable);
    } else if (b.params_unknown || b.trainable + b.non_trainable != c->params) {
        fail_msg("row %zu %s %s on %s: params %s%lld, expected %lld", row, c->class_name, c->config, c->input,
                 b.params_unknown ? "unknown " : "", (long long)(b.trainable + b.non_trainable),
                 (long long)c->params);
    }
    json_decref(layer);
}

static void test_layer_conv__table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(i, &cases[i]);
}

static const char *var(const fc_build *b, const char *name)
{
    size_t i;

    for (i = 0; i < b->n_vars; i++) {
        if (strcmp(b->var_names[i], name) == 0)
            return b->var_values[i];
    }
    fail_msg("no var %s", name);
    return NULL;
}

/*
 * The values NON_POSITIVE_DIM's templates use; TF.js itself says "Negative
 * dimension size caused by adding layer l0 with input shape [,3,3,1]".
 */
static void test_layer_conv__non_positive_dim_values(void **state)
{
    const conv_case c = {TFJS, "Conv2D", "{'filters': 2, 'kernel_size': 5}", "[null, 3, 3, 1]", NULL, UNKNOWN,
                         FC_NON_POSITIVE_DIM};
    const conv_case dil = {K3, "Conv1D", "{'filters': 2, 'kernel_size': 4, 'dilation_rate': 3}", "[null, 9, 1]", NULL,
                           UNKNOWN, FC_NON_POSITIVE_DIM};
    fc_build b;
    json_t *layer;

    (void)state;
    build_case(&c, &b, &layer);
    assert_true(b.has_problem);
    assert_string_equal(var(&b, "detail"), "applies a 5x5 kernel with padding 'valid' to a 3x3 input");
    assert_string_equal(var(&b, "dim"), "-1");
    assert_string_equal(var(&b, "window"), "5");
    assert_string_equal(var(&b, "size"), "3");
    assert_string_equal(var(&b, "found_shape"), "(None, 3, 3, 1)");
    assert_string_equal(var(&b, "found_js"), "[,3,3,1]");
    json_decref(layer);

    /* kernel 4 dilated by 3 spans 10 > 9: floor((9 - 10) / 1) + 1 = 0 */
    build_case(&dil, &b, &layer);
    assert_string_equal(var(&b, "detail"),
                        "applies a size-4 kernel dilated to 10 with padding 'valid' to a length-9 input");
    assert_string_equal(var(&b, "dim"), "0");
    assert_string_equal(var(&b, "window"), "10");
    json_decref(layer);
}

static void test_layer_conv__input_rank_values(void **state)
{
    const conv_case c = {K3, "MaxPooling2D", "{}", "[null, 9, 3]", NULL, UNKNOWN, FC_LAYER_INPUT_RANK};
    fc_build b;
    json_t *layer;

    (void)state;
    build_case(&c, &b, &layer);
    assert_string_equal(var(&b, "spec"), "ndim=4");
    assert_string_equal(var(&b, "found_ndim"), "3");
    json_decref(layer);
}

/* Through the graph: a saturated dimension becomes DIM_OVERFLOW, not a size. */
static void test_layer_conv__overflow_reported_by_graph(void **state)
{
    const char *text =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": [{\"class_name\": "
        "\"Conv2DTranspose\", \"config\": {\"name\": \"up\", \"filters\": 1, \"kernel_size\": 1, \"strides\": "
        "[1099511627776, 1], \"batch_input_shape\": [null, 9007199254740992, 4, 1]}}, {\"class_name\": \"Flatten\", "
        "\"config\": {\"name\": \"f\"}}]}}";
    json_t *desc = json_loads(text, 0, NULL);
    fc_model m;
    fc_graph g;
    fc_findings f;
    fc_error err;
    size_t i;
    int overflow = 0;

    (void)state;
    assert_non_null(desc);
    fc_error_init(&err);
    assert_int_equal(fc_model_parse(desc, "/model", &m, &err), FC_OK);
    json_decref(desc);
    fc_findings_init(&f);
    assert_int_equal(fc_graph_infer(&m, NULL, &(fc_target){.framework = FC_FW_TFJS}, 0, &g, &f), FC_OK);
    for (i = 0; i < f.len; i++)
        overflow |= f.items[i].code == FC_DIM_OVERFLOW;
    assert_true(overflow);
    assert_int_equal(g.layers[0].outputs[0].rank, FC_RANK_UNKNOWN);
    fc_findings_release(&f);
    fc_graph_release(&g);
    fc_model_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_conv__table),
        cmocka_unit_test(test_layer_conv__non_positive_dim_values),
        cmocka_unit_test(test_layer_conv__input_rank_values),
        cmocka_unit_test(test_layer_conv__overflow_reported_by_graph),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
