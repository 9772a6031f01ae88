/*
 * loss.c - reading loss specs: names in snake_case (Keras), camelCase
 * (TF.js) or class form, serialized loss objects, per-output lists and dicts.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fitcheck/error.h"
#include "fitcheck/loss.h"

char *fc_name_squash(const char *in, char *out, size_t size)
{
    size_t n = 0;

    for (; *in != '\0' && n + 1 < size; in++) {
        if (isalnum((unsigned char)*in))
            out[n++] = (char)tolower((unsigned char)*in);
    }
    out[n] = '\0';
    return out;
}

char *fc_name_camel(const char *in, char *out, size_t size)
{
    size_t n = 0;
    int up = 0;

    for (; *in != '\0' && n + 1 < size; in++) {
        if (*in == '_') {
            up = n > 0;
            continue;
        }
        out[n++] = up && *in >= 'a' && *in <= 'z' ? (char)(*in - 'a' + 'A') : *in;
        up = 0;
    }
    out[n] = '\0';
    return out;
}

static fc_loss_kind kind_of(const char *name)
{
    static const struct {
        const char *squashed;
        fc_loss_kind kind;
    } names[] = {
        {"sparsecategoricalcrossentropy", FC_LOSS_SPARSE_CCE},
        {"categoricalcrossentropy", FC_LOSS_CCE},
        {"binarycrossentropy", FC_LOSS_BCE},
        {"meansquarederror", FC_LOSS_REGRESSION},
        {"mse", FC_LOSS_REGRESSION},
        {"meanabsoluteerror", FC_LOSS_REGRESSION},
        {"mae", FC_LOSS_REGRESSION},
        {"meanabsolutepercentageerror", FC_LOSS_REGRESSION},
        {"mape", FC_LOSS_REGRESSION},
        {"meansquaredlogarithmicerror", FC_LOSS_REGRESSION},
        {"msle", FC_LOSS_REGRESSION},
        {"huber", FC_LOSS_REGRESSION},
        {"huberloss", FC_LOSS_REGRESSION},
        {"logcosh", FC_LOSS_REGRESSION},
    };
    char s[80];
    size_t i;

    fc_name_squash(name, s, sizeof(s));
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i].squashed) == 0)
            return names[i].kind;
    }
    return FC_LOSS_OTHER;
}

static void read_one(const json_t *spec, fc_loss *out)
{
    const char *name = json_string_value(spec);
    const json_t *config = json_object_get(spec, "config");

    if (json_is_object(spec)) {
        name = json_string_value(json_object_get(spec, "class_name"));
        out->from_logits = json_is_true(json_object_get(config, "from_logits"));
        if (name == NULL)
            name = json_string_value(json_object_get(config, "name"));
    }
    if (name == NULL) {
        out->kind = FC_LOSS_OTHER;
        return;
    }
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->kind = kind_of(name);
}

void fc_loss_for_output(const json_t *spec, size_t index, const char *name, fc_loss *out)
{
    memset(out, 0, sizeof(*out));
    if (spec == NULL || json_is_null(spec))
        return;
    if (json_is_array(spec)) {
        spec = json_array_get(spec, json_array_size(spec) == 1 ? 0 : index);
    } else if (json_is_object(spec) && json_object_get(spec, "class_name") == NULL &&
               json_object_get(spec, "config") == NULL) {
        spec = name ? json_object_get(spec, name) : NULL; /* a dict keyed by output name */
    }
    if (spec == NULL || json_is_null(spec))
        return;
    read_one(spec, out);
}

/* Where descriptors keep the compile settings, with the JSON pointers of the members in a request. */
static const struct {
    const char *outer; /* the member holding it, or NULL for the descriptor itself */
    const char *key;
    const char *at, *loss, *metrics;
} compile_places[] = {
    {NULL, "compile_config", "/model/compile_config", "/model/compile_config/loss",
     "/model/compile_config/metrics"}, /* Keras 3 */
    {"modelTopology", "training_config", "/model/modelTopology/training_config",
     "/model/modelTopology/training_config/loss", "/model/modelTopology/training_config/metrics"}, /* TF.js */
    {NULL, "training_config", "/model/training_config", "/model/training_config/loss",
     "/model/training_config/metrics"}, /* Keras 2 */
};

/* The compile settings the descriptor carries, and which place of compile_places holds them (-1: none). */
static int compile_place(const json_t *descriptor, const json_t **cc)
{
    size_t i;

    for (i = 0; i < sizeof(compile_places) / sizeof(compile_places[0]); i++) {
        const json_t *outer = compile_places[i].outer ? json_object_get(descriptor, compile_places[i].outer)
                                                      : descriptor;

        *cc = json_object_get(outer, compile_places[i].key);
        if (*cc != NULL)
            return (int)i;
    }
    return -1;
}

const json_t *fc_descriptor_compile(const json_t *descriptor, const char **pointer)
{
    const json_t *cc;
    int i = compile_place(descriptor, &cc);

    if (pointer != NULL)
        *pointer = i >= 0 ? compile_places[i].at : NULL;
    return i >= 0 ? cc : NULL;
}

const json_t *fc_loss_from_descriptor(const json_t *descriptor, const char **pointer)
{
    const json_t *cc;
    int i = compile_place(descriptor, &cc);

    if (pointer != NULL)
        *pointer = compile_places[i >= 0 ? i : 2].loss;
    return json_object_get(cc, "loss");
}

const json_t *fc_loss_spec(const json_t *body, const json_t *descriptor, const char **pointer)
{
    const json_t *spec = json_object_get(json_object_get(body, "compile"), "loss");

    if (spec == NULL)
        return fc_loss_from_descriptor(descriptor, pointer);
    if (pointer != NULL)
        *pointer = "/compile/loss";
    return spec;
}

/* metric (a string) among the names in one output's spec (a name or a list); its pointer under base. */
static int find_in(const json_t *spec, const char *metric, const char *base, char *pointer, size_t size)
{
    size_t i;
    const json_t *m;

    if (json_is_string(spec)) {
        if (strcmp(json_string_value(spec), metric) != 0)
            return 0;
        snprintf(pointer, size, "%s", base);
        return 1;
    }
    json_array_foreach(spec, i, m) {
        if (json_is_string(m) && strcmp(json_string_value(m), metric) == 0) {
            snprintf(pointer, size, "%s/%zu", base, i);
            return 1;
        }
    }
    return 0;
}

int fc_metric_find(const json_t *body, const json_t *descriptor, size_t index, const char *name, const char *metric,
                   char *pointer, size_t size)
{
    const json_t *spec = json_object_get(json_object_get(body, "compile"), "metrics");
    const char *where = "/compile/metrics";
    char base[512];

    if (spec == NULL) {
        const json_t *cc;
        int i = compile_place(descriptor, &cc);

        where = compile_places[i >= 0 ? i : 2].metrics;
        spec = json_object_get(cc, "metrics");
    }
    if (json_is_object(spec)) {
        fc_pointer_join(base, sizeof(base), where, name);
        return find_in(json_object_get(spec, name), metric, base, pointer, size);
    }
    if (json_is_array(spec) && json_array_size(spec) > 0 && json_is_array(json_array_get(spec, 0))) {
        snprintf(base, sizeof(base), "%s/%zu", where, index);
        return find_in(json_array_get(spec, index), metric, base, pointer, size);
    }
    return find_in(spec, metric, where, pointer, size);
}
