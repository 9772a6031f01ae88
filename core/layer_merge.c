/* layer_merge.c - (to come). */
#include "layers.h"

const fc_layer_kind fc_layers_merge[] = {
    {NULL, NULL},
};
