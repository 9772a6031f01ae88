/* layer_conv.c - convolution, pooling, padding, cropping and upsampling layers (to come). */
#include "layers.h"

const fc_layer_kind fc_layers_conv[] = {
    {NULL, NULL},
};
