/*
 * loss.h - the loss a model is compiled with, read from the request's
 * "compile" or from the descriptor (Keras 3 compile_config, TF.js and
 * Keras 2 training_config), in every form Keras serializes it.
 */
#ifndef FITCHECK_LOSS_H
#define FITCHECK_LOSS_H

#include <stddef.h>

#include <jansson.h>

typedef enum fc_loss_kind {
    FC_LOSS_NONE = 0,       /* no loss given */
    FC_LOSS_OTHER,          /* a loss fitcheck has no rules for (custom, hinge, ...) */
    FC_LOSS_SPARSE_CCE,     /* sparse_categorical_crossentropy */
    FC_LOSS_CCE,            /* categorical_crossentropy */
    FC_LOSS_BCE,            /* binary_crossentropy */
    FC_LOSS_REGRESSION      /* mse, mae, mape, msle, huber, log_cosh */
} fc_loss_kind;

typedef struct fc_loss {
    fc_loss_kind kind;
    int from_logits;   /* config.from_logits of a loss object; 0 for a plain name */
    char name[64];     /* the name as given, for messages ("sparse_categorical_crossentropy") */
} fc_loss;

/*
 * Reads the loss that applies to model output `index` (named `name`) from
 * spec: a name ("mse", "categoricalCrossentropy"), a serialized loss object
 * ({"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": true}}),
 * a list (one per output) or a dict keyed by output name. Unknown forms give
 * FC_LOSS_OTHER; a NULL or absent spec gives FC_LOSS_NONE.
 */
void fc_loss_for_output(const json_t *spec, size_t index, const char *name, fc_loss *out);

/*
 * A name reduced to its lowercase letters and digits, as loss, metric and
 * optimizer names are compared ("sparse_categorical_crossentropy",
 * "sparseCategoricalCrossentropy" and "SparseCategoricalCrossentropy" agree).
 * Writes into out[size] (always terminated) and returns it.
 */
char *fc_name_squash(const char *name, char *out, size_t size);

/* snake_case to camelCase ("leaky_relu" -> "leakyRelu"), as TF.js spells names. Returns out. */
char *fc_name_camel(const char *name, char *out, size_t size);

/*
 * The loss spec the descriptor carries (compile_config / training_config), or
 * NULL. Borrowed. When pointer is not NULL it receives the JSON pointer of
 * that spec in a request body whose descriptor sits at /model (static string).
 */
const json_t *fc_loss_from_descriptor(const json_t *descriptor, const char **pointer);

/*
 * The loss a request trains with: its compile.loss, else the descriptor's
 * (fc_loss_from_descriptor). Borrowed; NULL when neither names one. pointer,
 * when not NULL, receives the spec's JSON pointer (static string).
 */
const json_t *fc_loss_spec(const json_t *body, const json_t *descriptor, const char **pointer);

/*
 * The compile settings a descriptor carries (Keras 3 compile_config, a TF.js
 * model.json's or Keras 2's training_config), borrowed, or NULL; pointer,
 * when not NULL, receives their JSON pointer in a request whose descriptor
 * sits at /model ("/model/compile_config"; static string, NULL when none).
 */
const json_t *fc_descriptor_compile(const json_t *descriptor, const char **pointer);

/*
 * Looks for the metric `metric` (matched exactly, as Keras 2 and TF.js match
 * "accuracy") among the metrics that apply to output `index` (named `name`)
 * in the request body's compile.metrics, else the descriptor's compile or
 * training config. The spec may be a name, a list (applied to every output),
 * a list of lists (one per output) or a dict keyed by output name (a name or
 * a list). Returns 1 and writes the JSON pointer of the match into
 * pointer[size] when found, else 0.
 */
int fc_metric_find(const json_t *body, const json_t *descriptor, size_t index, const char *name, const char *metric,
                   char *pointer, size_t size);

#endif
