/*
 * tfjs_compat.h - layers and options TF.js Layers refuses (private to core/).
 */
#ifndef FITCHECK_TFJS_COMPAT_H
#define FITCHECK_TFJS_COMPAT_H

#include <jansson.h>

typedef struct fc_tfjs_refusal {
    const char *detail; /* appended to the class name in the explanation */
    const char *fix;    /* fix code template */
    const char *error;  /* TF.js's error text template ({class} is the class) */
} fc_tfjs_refusal;

#include "fitcheck/version.h"

/*
 * 1 (and *out filled with static strings) when TF.js in target t's release
 * cannot load this layer or cannot train a model that holds it, else 0.
 */
int fc_tfjs_unsupported(const char *class_name, const json_t *config, const fc_target *t, fc_tfjs_refusal *out);

#endif
