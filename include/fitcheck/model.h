/*
 * model.h - a Keras model descriptor read into the core's model summary.
 *
 * Reads what Keras 2 / tf.keras `model.to_json()`, Keras 3 `to_json()` and the
 * `config.json` of a `.keras` file, and TensorFlow.js `model.json` hold:
 * Sequential and Functional models, their inputs (name, shape, dtype), their
 * outputs and the top-level layers with the layers feeding each.
 */
#ifndef FITCHECK_MODEL_H
#define FITCHECK_MODEL_H

#include <stddef.h>

#include <jansson.h>

#include "fitcheck/error.h"
#include "fitcheck/shape.h"

/* Caps on what one descriptor may hold (bounded work per request). */
#define FC_MAX_LAYERS 20000
#define FC_MAX_MODEL_IO 256
#define FC_MAX_NESTING 16

typedef enum fc_framework {
    FC_FW_UNKNOWN = 0,
    FC_FW_KERAS3,   /* "keras3": Keras 3 (TensorFlow backend) */
    FC_FW_TFKERAS2, /* "tf.keras2": Keras 2.x as tf.keras */
    FC_FW_TFJS      /* "tfjs": TensorFlow.js Layers */
} fc_framework;

/* The wire name of a framework ("keras3", "tf.keras2", "tfjs"); "unknown" for FC_FW_UNKNOWN. */
const char *fc_framework_name(fc_framework fw);

/* Parses a wire name; returns FC_FW_UNKNOWN for anything else (including NULL). */
fc_framework fc_framework_parse(const char *name);

typedef struct fc_model_io {
    char *name;     /* owned; the input or output layer's name */
    fc_shape shape; /* with the batch axis; FC_RANK_UNKNOWN when not declared */
    char *dtype;    /* owned; e.g. "float32"; NULL when not declared */
} fc_model_io;

typedef struct fc_layer {
    char *name;        /* owned */
    char *class_name;  /* owned; Keras class, e.g. "Dense" */
    char **inbound;    /* owned array of owned names of the layers feeding this one */
    size_t n_inbound;
    const json_t *config; /* borrowed from fc_model.descriptor: the layer's "config" */
    const json_t *object; /* borrowed: the whole layer entry (class_name, config, inbound_nodes) */
} fc_layer;

typedef struct fc_model {
    char *class_name;           /* owned; "Sequential", "Functional" or "Model" */
    char *name;                 /* owned; may be NULL */
    fc_framework framework;     /* detected from the descriptor; FC_FW_UNKNOWN if no clue */
    char *framework_version;    /* owned; keras_version as written, or NULL */
    char *tfjs_version;         /* owned; the TF.js release that wrote a model.json ("1.3.1"), or NULL */
    fc_model_io *inputs;        /* owned array */
    size_t n_inputs;
    int inputs_keyed;           /* input_layers is a dict: Keras checks the inputs in sorted key order */
    fc_model_io *outputs;       /* owned array; shapes unknown until inference exists */
    size_t n_outputs;
    fc_layer *layers;           /* owned array, in descriptor order */
    size_t n_layers;
    int deferred_input;         /* Sequential whose first layer declares no input shape */
    const json_t *topology;     /* borrowed: the {class_name, config} object the model was read from */
    char layers_pointer[512];   /* JSON pointer of the layer list in the request, e.g. "/model/config/layers" */
    json_t *descriptor;         /* owned reference to the parsed descriptor (whole document) */
} fc_model;

/* Zeroes *model so that fc_model_release is safe on it. */
void fc_model_init(fc_model *model);

/*
 * Reads a model descriptor. desc is the JSON object, or a JSON string holding
 * the serialized object (as `model.to_json()` returns it). path is the JSON
 * pointer of desc in the request ("/model"), used in error paths.
 *
 * On FC_OK, *model owns everything it points to; release it with
 * fc_model_release. On failure *model is left released (safe to release
 * again) and err says why: FC_ERR_JSON for a string that does not parse (with
 * line/column), FC_ERR_INVALID for a document that is not a Keras model
 * descriptor, FC_ERR_UNSUPPORTED for a TF.js graph model, FC_ERR_NOMEM.
 * desc is borrowed; the model keeps its own reference.
 */
fc_status fc_model_parse(const json_t *desc, const char *path, fc_model *model, fc_error *err);

/* Frees everything *model owns and zeroes it. model may be NULL. */
void fc_model_release(fc_model *model);

/* Index of the input named name, or -1. */
int fc_model_find_input(const fc_model *model, const char *name);

#endif
