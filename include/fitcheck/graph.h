/*
 * graph.h - shape inference and weight counts over a model's layer graph,
 * as Keras builds it: every layer call's output shapes, every layer's
 * trainable and non-trainable parameters, the model's outputs and totals.
 */
#ifndef FITCHECK_GRAPH_H
#define FITCHECK_GRAPH_H

#include <stdint.h>

#include "fitcheck/findings.h"
#include "fitcheck/model.h"

#define FC_MAX_OUTPUTS_PER_LAYER 8
/* Layer calls one inference may build, nested models included (bounded work per request). */
#define FC_MAX_LAYER_CALLS 50000

typedef struct fc_layer_summary {
    const fc_shape *outputs; /* of the layer's first call; points into fc_graph.shapes */
    size_t n_outputs;     /* 0 when the layer was never reached */
    int64_t trainable;    /* weights, valid when params_known */
    int64_t non_trainable;
    int params_known;     /* 0 for unknown classes and unknown input sizes */
    int known_class;      /* the registry knows the class */
} fc_layer_summary;

typedef struct fc_graph {
    fc_layer_summary *layers; /* owned; parallel to model->layers */
    size_t n_layers;
    fc_shape *outputs;        /* owned; parallel to model->outputs */
    size_t n_outputs;
    int64_t trainable;        /* totals, valid when params_known */
    int64_t non_trainable;
    int params_known;
    fc_shape *shapes;         /* owned; every call's output shapes, one compact pool */
    size_t n_shapes;
} fc_graph;

/* Zeroes *graph. */
void fc_graph_init(fc_graph *graph);

/* Frees what *graph owns and zeroes it. */
void fc_graph_release(fc_graph *graph);

/*
 * Infers every layer of model for the target framework. inputs, when not
 * NULL, replaces the model's declared input shapes (n must equal
 * model->n_inputs; an entry of unknown rank keeps the declared shape): this
 * is how a lazily built Sequential gets its shape from the data, and how a
 * nested model is built on its caller's shapes. depth is the nesting level
 * (0 for the top model). Problems the framework would raise become findings
 * in *findings (which may be NULL), located by layer name and JSON pointer.
 * Returns FC_OK or FC_ERR_NOMEM (then *graph is released).
 */
fc_status fc_graph_infer(const fc_model *model, const fc_shape *inputs, const fc_target *target, int depth,
                         fc_graph *graph, fc_findings *findings);

/*
 * The same for a model nested inside another: findings name layers as
 * scope + name ("mobilenet/conv1") so the user can find them, and budget
 * (shared with the enclosing inference) counts down the layer calls left:
 * past FC_MAX_LAYER_CALLS the rest is unknown and GRAPH_TOO_LARGE reported.
 */
fc_status fc_graph_infer_scoped(const fc_model *model, const fc_shape *inputs, const fc_target *target, int depth,
                                const char *scope, int64_t *budget, fc_graph *graph, fc_findings *findings);

#endif
