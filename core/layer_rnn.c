/* layer_rnn.c - (to come). */
#include "layers.h"

const fc_layer_kind fc_layers_rnn[] = {
    {NULL, NULL},
};
