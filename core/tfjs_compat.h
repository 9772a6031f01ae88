/*
 * tfjs_compat.h - layers and options TF.js Layers refuses (private to core/).
 */
#ifndef FITCHECK_TFJS_COMPAT_H
#define FITCHECK_TFJS_COMPAT_H

#include <jansson.h>

typedef struct fc_tfjs_refusal {
    int ignored;        /* 1: TF.js loads and trains it but ignores or changes an option (a warning) */
    const char *detail; /* appended to the class name in the explanation; for an ignored option, the sentence */
    const char *fix;    /* fix code template */
    const char *error;  /* TF.js's error text template ({class} is the class, {name} the option's value) */
    const char *name;   /* the offending value as TF.js prints it ("L2", "leakyRelu"); "" when none */
    char buf[64];       /* storage for name when it is rewritten */
    char detail_buf[400], error_buf[640], fix_buf[96]; /* storage for texts computed from the shapes */
} fc_tfjs_refusal;

#include "fitcheck/shape.h"
#include "fitcheck/version.h"

/*
 * 1 (and *out filled: static strings, name borrowed from config or kept in
 * out->buf) when TF.js in target t's release cannot load this layer, cannot
 * train a model that holds it, or ignores one of its options (out->ignored),
 * else 0. in_rank is the rank of the layer's input with the batch axis, or
 * -1 when unknown.
 */
int fc_tfjs_unsupported(const char *class_name, const json_t *config, const fc_target *t, int in_rank,
                        fc_tfjs_refusal *out);

/*
 * The same for what TF.js does with the shapes a layer call receives (n
 * inputs, every rank known): 1 and *out filled when it refuses or silently
 * changes the call, else 0. Concatenate with a negative axis other than -1
 * joins on the last axis (tfjs-layers/src/backend/tfjs_backend.ts
 * concatenate): an error at the first batch when the inputs differ on
 * another axis, else a different layout without a word.
 */
int fc_tfjs_shape_refusal(const char *class_name, const json_t *config, const fc_shape *inputs, size_t n,
                          fc_tfjs_refusal *out);

#endif
