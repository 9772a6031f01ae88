/*
 * layers.h - the layer registry (private to core/): one row per Keras layer
 * class, each with the function that builds the layer as Keras's
 * Layer.build / compute_output_shape do: from the input shapes and the
 * layer's config to the output shapes and the weight counts.
 *
 * A build function reads b->config and b->inputs and fills b->outputs,
 * b->params and, when the layer cannot accept its inputs, b->problem (a
 * finding code with its values). It never allocates; it returns FC_OK, or
 * FC_ERR_NOMEM only when a nested build (a wrapped or nested model) failed
 * for memory. It is only called when every input has a known rank (dims may
 * still be FC_DIM_UNKNOWN); a layer after an unknown one is unknown too. Shapes it cannot know stay unknown (rank FC_RANK_UNKNOWN or
 * dims FC_DIM_UNKNOWN); weights it cannot count set b->params_unknown.
 */
#ifndef FITCHECK_LAYERS_H
#define FITCHECK_LAYERS_H

#include <stdint.h>

#include <jansson.h>

#include "fitcheck/findings.h"
#include "fitcheck/model.h"
#include "fitcheck/shape.h"

#define FC_MAX_LAYER_IO 8  /* inputs or outputs of one layer call */
#define FC_MAX_BUILD_VARS 16 /* fc_build_var asserts below it: raise it when a layer needs more */

typedef struct fc_build {
    /* in */
    const char *name;        /* the layer's name */
    const char *class_name;  /* Keras class, e.g. "Conv2D" */
    const json_t *layer;     /* the whole layer object {class_name, config, ...} */
    const json_t *config;    /* its "config" (may be NULL) */
    const fc_shape *inputs;  /* input shapes of this call, batch axis first */
    size_t n_inputs;
    fc_framework target;
    const fc_version *version; /* the target's release; NULL for the newest */
    int depth;               /* nesting depth of wrapped layers and models */
    const char *pointer;     /* JSON pointer of the layer in the request ("" when not known) */
    const char *scope;       /* names of the enclosing models, "outer/inner/" ("" at the top) */
    fc_findings *findings;   /* where a nested model reports its own layers' problems (may be NULL) */
    int64_t *budget;         /* layer calls left for the whole request, shared by nested models (may be NULL) */
    /* out */
    fc_shape outputs[FC_MAX_LAYER_IO];
    size_t n_outputs;
    int64_t trainable;       /* weights updated by training */
    int64_t non_trainable;   /* weights not updated (moving statistics, frozen layers) */
    int params_unknown;      /* the weight count depends on something unknown */
    int params_overflow;     /* a weight count passed 2^53 (reported as DIM_OVERFLOW) */
    /* a problem: the framework would refuse this layer call */
    int has_problem;
    fc_finding_code problem;
    char message[256];                 /* what is wrong, in one sentence */
    char var_names[FC_MAX_BUILD_VARS][24];
    char var_values[FC_MAX_BUILD_VARS][400];
    size_t n_vars;
} fc_build;

typedef fc_status (*fc_build_fn)(fc_build *b);

typedef struct fc_layer_kind {
    const char *class_name; /* Keras class name as serialized */
    fc_build_fn build;
} fc_layer_kind;

/* The registry row for a class name (after stripping a "Custom>" or module prefix); NULL when unknown. */
const fc_layer_kind *fc_layer_kind_find(const char *class_name);

/*
 * Builds one layer call: resets the outputs, runs the class's build function
 * (or marks everything unknown for an unknown class, returning FC_OK with
 * *known = 0). Applies "trainable": false from the config. b's in-fields must be set.
 */
fc_status fc_layer_build(fc_build *b, int *known);

/* Builds a layer object (e.g. the one a wrapper holds) on the given inputs into *out. */
fc_status fc_layer_build_object(const json_t *layer, const fc_shape *inputs, size_t n_inputs, fc_framework target,
                                const fc_version *version, int depth, fc_build *out, int *known);

/* ---- helpers for build functions (layers.c) ------------------------------ */

/* The build's target and release (the newest when b->version is NULL). */
void fc_build_target(const fc_build *b, fc_target *out);

/* 1 when the build's target release is in spec (see fc_target_in). */
int fc_build_release_in(const fc_build *b, const char *spec);

/* Records a problem with a printf message; later fc_build_var calls add values. */
void fc_build_problem(fc_build *b, fc_finding_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a named value for the problem's templates (silently dropped past FC_MAX_BUILD_VARS). */
void fc_build_var(fc_build *b, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Checks the input rank against Keras's InputSpec: ndim (exact) when
 * ndim > 0, min_ndim when min_ndim > 0. On mismatch records
 * LAYER_INPUT_RANK with the values the messages need and returns 0.
 * An unknown rank passes (returns 1).
 */
int fc_build_expect_rank(fc_build *b, size_t input, int ndim, int min_ndim);

/* Sets a single output of unknown rank (used when the inputs are unknown). */
void fc_build_unknown_output(fc_build *b);

/* Adds n weights of the layer, overflow-checked (an overflow marks params unknown). */
void fc_build_add_params(fc_build *b, int64_t n, int trainable);

/* Config readers: a missing or mistyped key gives the default. */
int64_t fc_cfg_int(const json_t *config, const char *key, int64_t dflt);
int fc_cfg_bool(const json_t *config, const char *key, int dflt);
const char *fc_cfg_str(const json_t *config, const char *key, const char *dflt);
double fc_cfg_num(const json_t *config, const char *key, double dflt);

/*
 * Reads an int or a list of n ints (kernel_size, strides, ...): an int is
 * repeated n times. Returns 0 (leaving out filled with dflt) when absent or
 * malformed.
 */
int fc_cfg_ints(const json_t *config, const char *key, int n, int64_t dflt, int64_t *out);

/* The activation's name, whether serialized as a string or as {"class_name"/"config": {"name"}}. */
const char *fc_cfg_activation(const json_t *config);

/* 1 when channels come first (data_format "channels_first"), else 0. */
int fc_cfg_channels_first(const json_t *config);

/* Overflow-checked a*b and a+b that propagate unknown (-1) and clamp to FC_DIM_MAX + 1 on overflow. */
int64_t fc_dim_mul(int64_t a, int64_t b);
int64_t fc_dim_add(int64_t a, int64_t b);

/* Layer families (layer_<family>.c): each appends its rows to the registry through these tables. */
extern const fc_layer_kind fc_layers_core[];
extern const fc_layer_kind fc_layers_conv[];
extern const fc_layer_kind fc_layers_rnn[];
extern const fc_layer_kind fc_layers_merge[];
extern const fc_layer_kind fc_layers_norm[];
extern const fc_layer_kind fc_layers_model[]; /* nested models, graph.c */

#endif
