/* layer_norm.c - (to come). */
#include "layers.h"

const fc_layer_kind fc_layers_norm[] = {
    {NULL, NULL},
};
