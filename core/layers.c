/*
 * layers.c - the layer registry: class name to build function, over the
 * family tables of layer_<family>.c, and the helpers build functions share
 * (config readers, Keras's convolution arithmetic, rank checks, problems).
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "fitcheck/error.h"
#include "layers.h"

static const fc_layer_kind *const families[] = {
    fc_layers_core, fc_layers_conv, fc_layers_rnn, fc_layers_merge, fc_layers_norm, fc_layers_model,
};

/*
 * All rows of all families sorted by class name, built once and read-only
 * after: a lookup is a binary search instead of a scan of every family,
 * which mattered for models of hundreds of layers. pthread_once rather than
 * C11's call_once: both order the build before every lookup, but
 * ThreadSanitizer sees only the first (glibc's call_once is not intercepted).
 */
#define MAX_KINDS 512

static const fc_layer_kind *sorted_kinds[MAX_KINDS];
static size_t n_sorted_kinds;
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_class(const void *a, const void *b)
{
    return strcmp((*(const fc_layer_kind *const *)a)->class_name, (*(const fc_layer_kind *const *)b)->class_name);
}

static void sort_kinds(void)
{
    size_t f;

    for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        const fc_layer_kind *k;

        for (k = families[f]; k->class_name != NULL && n_sorted_kinds < MAX_KINDS; k++)
            sorted_kinds[n_sorted_kinds++] = k;
    }
    qsort(sorted_kinds, n_sorted_kinds, sizeof(sorted_kinds[0]), by_class);
}

const fc_layer_kind *fc_layer_kind_find(const char *class_name)
{
    const char *dot;
    size_t lo = 0, hi;

    if (class_name == NULL)
        return NULL;
    /* "keras.layers.Dense" or "Custom>Dense": the class is the last part. */
    dot = strrchr(class_name, '>');
    if (dot == NULL)
        dot = strrchr(class_name, '.');
    if (dot != NULL)
        class_name = dot + 1;
    pthread_once(&sorted_once, sort_kinds);
    hi = n_sorted_kinds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(class_name, sorted_kinds[mid]->class_name);

        if (c == 0)
            return sorted_kinds[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

void fc_build_unknown_output(fc_build *b)
{
    b->n_outputs = 1;
    fc_shape_unknown(&b->outputs[0]);
}

fc_status fc_layer_build(fc_build *b, int *known)
{
    const fc_layer_kind *kind = fc_layer_kind_find(b->class_name);
    fc_status result = FC_OK;
    size_t i;
    int any_unknown = 0;

    b->n_outputs = 0;
    b->trainable = b->non_trainable = 0;
    b->params_unknown = 0;
    b->params_overflow = 0;
    b->has_problem = 0;
    b->n_vars = 0;
    b->message[0] = '\0';
    *known = kind != NULL;
    if (kind == NULL) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    for (i = 0; i < b->n_inputs; i++)
        any_unknown |= b->inputs[i].rank == FC_RANK_UNKNOWN;
    /* Only an InputLayer or a nested model builds without inputs (a descriptor may
     * hold a layer that nothing calls); build functions may assume one. */
    if (b->n_inputs == 0 && strcmp(kind->class_name, "InputLayer") != 0 && strcmp(kind->class_name, "Sequential") != 0 &&
        strcmp(kind->class_name, "Functional") != 0 && strcmp(kind->class_name, "Model") != 0)
        any_unknown = 1;
    if (any_unknown) {
        /* After an unknown layer nothing can be judged or counted: build
         * functions may assume every input has a known rank. */
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        return FC_OK;
    }
    result = kind->build(b);
    if (b->n_outputs == 0)
        fc_build_unknown_output(b);
    if (b->has_problem) {
        for (i = 0; i < b->n_outputs; i++)
            fc_shape_unknown(&b->outputs[i]);
    }
    if (!fc_cfg_bool(b->config, "trainable", 1)) {
        b->non_trainable += b->trainable;
        b->trainable = 0;
    }
    return result;
}

fc_status fc_layer_build_object(const json_t *layer, const fc_shape *inputs, size_t n_inputs, fc_framework target,
                                const fc_version *version, int depth, fc_build *out, int *known)
{
    const json_t *config = json_object_get(layer, "config");

    memset(out, 0, sizeof(*out));
    out->layer = layer;
    out->config = config;
    out->class_name = json_string_value(json_object_get(layer, "class_name"));
    out->name = fc_cfg_str(config, "name", "");
    out->inputs = inputs;
    out->n_inputs = n_inputs;
    out->target = target;
    out->version = version;
    out->depth = depth + 1;
    out->pointer = "";
    out->scope = "";
    if (out->depth > FC_MAX_NESTING) {
        *known = 0;
        fc_build_unknown_output(out);
        out->params_unknown = 1;
        return FC_OK;
    }
    return fc_layer_build(out, known);
}

/* ---- problems ------------------------------------------------------------ */

void fc_build_target(const fc_build *b, fc_target *out)
{
    out->framework = b->target == FC_FW_UNKNOWN ? FC_FW_KERAS3 : b->target;
    if (b->version != NULL)
        out->version = *b->version;
    else
        fc_version_assume_newest(out->framework, &out->version);
}

int fc_build_release_in(const fc_build *b, const char *spec)
{
    fc_target t;

    fc_build_target(b, &t);
    return fc_target_in(&t, spec);
}

void fc_build_problem(fc_build *b, fc_finding_code code, const char *fmt, ...)
{
    va_list ap;

    if (b->has_problem)
        return; /* the first problem of a call is the one the framework raises */
    b->has_problem = 1;
    b->problem = code;
    va_start(ap, fmt);
    vsnprintf(b->message, sizeof(b->message), fmt, ap);
    va_end(ap);
}

void fc_build_var(fc_build *b, const char *name, const char *fmt, ...)
{
    va_list ap;

    /* a value dropped here leaves its template's placeholder unfilled: fail in every test build */
    assert(b->n_vars < FC_MAX_BUILD_VARS && "fc_build_var: raise FC_MAX_BUILD_VARS");
    if (b->n_vars == FC_MAX_BUILD_VARS)
        return;
    snprintf(b->var_names[b->n_vars], sizeof(b->var_names[0]), "%s", name);
    va_start(ap, fmt);
    vsnprintf(b->var_values[b->n_vars], sizeof(b->var_values[0]), fmt, ap);
    va_end(ap);
    fc_utf8_sanitize(b->var_values[b->n_vars]); /* a long name may be cut inside a character */
    b->n_vars++;
}

int fc_build_expect_rank(fc_build *b, size_t input, int ndim, int min_ndim)
{
    const fc_shape *s = &b->inputs[input];
    char found[256];

    if (input >= b->n_inputs || s->rank == FC_RANK_UNKNOWN)
        return 1;
    if ((ndim > 0 && s->rank == ndim) || (ndim <= 0 && min_ndim > 0 && s->rank >= min_ndim))
        return 1;
    fc_shape_format(s, 0, found, sizeof(found));
    fc_build_problem(b, FC_LAYER_INPUT_RANK, "%s '%s' expects input of %s %d but receives %s (rank %d)",
                     b->class_name, b->name, ndim > 0 ? "rank" : "rank at least", ndim > 0 ? ndim : min_ndim, found,
                     s->rank);
    fc_build_var(b, "spec", "%s=%d", ndim > 0 ? "ndim" : "min_ndim", ndim > 0 ? ndim : min_ndim);
    fc_build_var(b, "expected_rank", "%d", ndim > 0 ? ndim : min_ndim);
    fc_build_var(b, "found_ndim", "%d", s->rank);
    fc_build_var(b, "found_shape", "%s", found);
    fc_build_var(b, "input_index", "%zu", input);
    if (b->target == FC_FW_TFJS && ndim > 0) {
        /* TF.js ends only its min_ndim text with a full stop (topology.ts assertInputCompatibility) */
        fc_target t;

        fc_build_target(b, &t);
        fc_build_var(b, "framework_error", "%s", fc_variant_text(FC_V_LAYER_RANK_TFJS_NDIM, &t));
    }
    return 0;
}

void fc_build_add_params(fc_build *b, int64_t n, int trainable)
{
    int64_t *slot = trainable ? &b->trainable : &b->non_trainable;

    if (n < 0) {
        b->params_unknown = 1;
        return;
    }
    if (n > FC_DIM_MAX || *slot > FC_DIM_MAX - n) {
        b->params_unknown = 1;
        b->params_overflow = 1;
        return;
    }
    *slot += n;
}

/* ---- config readers ------------------------------------------------------ */

int64_t fc_cfg_int(const json_t *config, const char *key, int64_t dflt)
{
    const json_t *v = json_object_get(config, key);

    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    /* a whole float within int64 (1e300 is not: the cast would be undefined) */
    if (json_is_real(v) && fabs(json_real_value(v)) < 9.0e18 && json_real_value(v) == trunc(json_real_value(v)))
        return (int64_t)json_real_value(v);
    return dflt;
}

int fc_cfg_bool(const json_t *config, const char *key, int dflt)
{
    const json_t *v = json_object_get(config, key);

    if (json_is_boolean(v))
        return json_is_true(v);
    return dflt;
}

const char *fc_cfg_str(const json_t *config, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(config, key));

    return s ? s : dflt;
}

double fc_cfg_num(const json_t *config, const char *key, double dflt)
{
    const json_t *v = json_object_get(config, key);

    return json_is_number(v) ? json_number_value(v) : dflt;
}

int fc_cfg_ints(const json_t *config, const char *key, int n, int64_t dflt, int64_t *out)
{
    const json_t *v = json_object_get(config, key);
    int i;

    for (i = 0; i < n; i++)
        out[i] = dflt;
    if (json_is_integer(v)) {
        for (i = 0; i < n; i++)
            out[i] = (int64_t)json_integer_value(v);
        return 1;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return 0;
    if (json_array_size(v) == 1 && n > 1 && json_is_integer(json_array_get(v, 0))) {
        for (i = 0; i < n; i++)
            out[i] = (int64_t)json_integer_value(json_array_get(v, 0));
        return 1;
    }
    if ((int)json_array_size(v) != n)
        return 0;
    for (i = 0; i < n; i++) {
        if (!json_is_integer(json_array_get(v, (size_t)i)))
            return 0;
        out[i] = (int64_t)json_integer_value(json_array_get(v, (size_t)i));
    }
    return 1;
}

const char *fc_cfg_activation(const json_t *config)
{
    const json_t *v = json_object_get(config, "activation");

    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v)) {
        const char *name = json_string_value(json_object_get(json_object_get(v, "config"), "name"));

        if (name == NULL)
            name = json_string_value(json_object_get(v, "class_name"));
        if (name != NULL)
            return name;
    }
    return "linear";
}

int fc_cfg_channels_first(const json_t *config)
{
    return strcmp(fc_cfg_str(config, "data_format", "channels_last"), "channels_first") == 0;
}

/* ---- dimension arithmetic ------------------------------------------------ */

int64_t fc_dim_mul(int64_t a, int64_t b)
{
    int64_t out;

    if (a < 0 || b < 0)
        return FC_DIM_UNKNOWN;
    if (!fc_mul_i64(a, b, &out) || out > FC_DIM_MAX)
        return FC_DIM_MAX + 1;
    return out;
}

int64_t fc_dim_add(int64_t a, int64_t b)
{
    if (a < 0 || b < 0)
        return FC_DIM_UNKNOWN;
    if (a > FC_DIM_MAX - b)
        return FC_DIM_MAX + 1;
    return a + b;
}
