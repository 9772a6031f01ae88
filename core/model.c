/*
 * model.c - reading Keras / TF.js model descriptors into an fc_model.
 *
 * Formats read: Keras 2 / tf.keras to_json() (Sequential with `config` as a
 * list or as {"name", "layers"}; Functional or "Model" with inbound_nodes as
 * [[["dense_1", 0, 0, {}]]]), Keras 3 to_json() and .keras config.json
 * (`module`, `batch_shape`, inbound_nodes as {"args": [__keras_tensor__ ...]}),
 * and TF.js model.json (`modelTopology`, possibly wrapping `model_config`).
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/model.h"

#define MAX_WALK_DEPTH 64

static const char *const framework_names[] = {
    [FC_FW_UNKNOWN] = "unknown",
    [FC_FW_KERAS3] = "keras3",
    [FC_FW_TFKERAS2] = "tf.keras2",
    [FC_FW_TFJS] = "tfjs",
};

const char *fc_framework_name(fc_framework fw)
{
    if ((unsigned)fw < sizeof(framework_names) / sizeof(framework_names[0]))
        return framework_names[fw];
    return "unknown";
}

fc_framework fc_framework_parse(const char *name)
{
    if (name == NULL)
        return FC_FW_UNKNOWN;
    if (strcmp(name, "keras3") == 0)
        return FC_FW_KERAS3;
    if (strcmp(name, "tf.keras2") == 0)
        return FC_FW_TFKERAS2;
    if (strcmp(name, "tfjs") == 0)
        return FC_FW_TFJS;
    return FC_FW_UNKNOWN;
}

void fc_model_init(fc_model *model)
{
    memset(model, 0, sizeof(*model));
}

static void io_release(fc_model_io *io, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        fc_free(io[i].name);
        fc_free(io[i].dtype);
    }
    fc_free(io);
}

void fc_model_release(fc_model *model)
{
    size_t i, j;

    if (model == NULL)
        return;
    for (i = 0; i < model->n_layers; i++) {
        fc_free(model->layers[i].name);
        fc_free(model->layers[i].class_name);
        for (j = 0; j < model->layers[i].n_inbound; j++)
            fc_free(model->layers[i].inbound[j]);
        fc_free(model->layers[i].inbound);
    }
    fc_free(model->layers);
    io_release(model->inputs, model->n_inputs);
    io_release(model->outputs, model->n_outputs);
    fc_free(model->class_name);
    fc_free(model->name);
    fc_free(model->framework_version);
    fc_free(model->tfjs_version);
    json_decref(model->descriptor);
    fc_model_init(model);
}

int fc_model_find_input(const fc_model *model, const char *name)
{
    size_t i;

    for (i = 0; i < model->n_inputs; i++) {
        if (strcmp(model->inputs[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

/* ---- small JSON helpers ------------------------------------------------- */

static const char *get_string(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int is_model_class(const char *class_name)
{
    return class_name != NULL && (strcmp(class_name, "Sequential") == 0 || strcmp(class_name, "Functional") == 0 ||
                                  strcmp(class_name, "Model") == 0);
}

/* A layer's dtype: a string, or a Keras 3 DTypePolicy object whose config names it. */
static const char *layer_dtype(const json_t *config)
{
    const json_t *dtype = json_object_get(config, "dtype");

    if (json_is_string(dtype))
        return json_string_value(dtype);
    if (json_is_object(dtype))
        return get_string(json_object_get(dtype, "config"), "name");
    return NULL;
}

/*
 * The input shape a layer config declares, with the batch axis: batch_shape
 * (Keras 3), batch_input_shape (Keras 2, TF.js), input_shape (no batch axis),
 * or input_dim on a Dense (Keras 1). Returns 1 and fills *out when found.
 */
static int declared_input_shape(const json_t *config, const char *class_name, fc_shape *out)
{
    static const char *const batch_keys[] = {"batch_shape", "batch_input_shape"};
    const json_t *v;
    fc_shape inner;
    size_t k;
    int i;

    for (k = 0; k < sizeof(batch_keys) / sizeof(batch_keys[0]); k++) {
        v = json_object_get(config, batch_keys[k]);
        if (fc_shape_read_declared(v, out))
            return 1;
    }
    v = json_object_get(config, "input_shape");
    if (json_is_array(v) && json_array_size(v) < FC_MAX_RANK && fc_shape_read_declared(v, &inner)) {
        out->rank = inner.rank + 1;
        out->dims[0] = FC_DIM_UNKNOWN;
        for (i = 0; i < inner.rank; i++)
            out->dims[i + 1] = inner.dims[i];
        return 1;
    }
    v = json_object_get(config, "input_dim");
    if (class_name != NULL && strcmp(class_name, "Dense") == 0 && json_is_integer(v) && json_integer_value(v) > 0 &&
        json_integer_value(v) <= FC_DIM_MAX) {
        out->rank = 2;
        out->dims[0] = FC_DIM_UNKNOWN;
        out->dims[1] = (int64_t)json_integer_value(v);
        return 1;
    }
    return 0;
}

/* ---- name lists --------------------------------------------------------- */

typedef struct name_list {
    char **items; /* owned strings */
    size_t len;
    size_t cap;
} name_list;

static void name_list_release(name_list *list)
{
    size_t i;

    for (i = 0; i < list->len; i++)
        fc_free(list->items[i]);
    fc_free(list->items);
    memset(list, 0, sizeof(*list));
}

/* Appends a copy of name (unless present, when unique). Returns FC_OK or FC_ERR_NOMEM. */
static fc_status name_list_push(name_list *list, const char *name, int unique)
{
    size_t i;

    for (i = 0; unique && i < list->len; i++) {
        if (strcmp(list->items[i], name) == 0)
            return FC_OK;
    }
    if (list->len == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        char **items = fc_calloc(cap, sizeof(*items));

        if (items == NULL)
            return FC_ERR_NOMEM;
        if (list->len)
            memcpy(items, list->items, list->len * sizeof(*items));
        fc_free(list->items);
        list->items = items;
        list->cap = cap;
    }
    list->items[list->len] = fc_strdup(name);
    if (list->items[list->len] == NULL)
        return FC_ERR_NOMEM;
    list->len++;
    return FC_OK;
}

/*
 * Collects the names of the layers a node structure refers to: Keras 2 entries
 * ["name", node_index, tensor_index, kwargs] and Keras 3 tensors carrying
 * "keras_history": ["name", node_index, tensor_index]. Also reads
 * input_layers/output_layers, which use the same [name, 0, 0] entries.
 */
static fc_status name_list_add(name_list *list, const char *name)
{
    return name_list_push(list, name, 1);
}

/*
 * The names of a model's input_layers / output_layers, in order and with
 * repeats: outputs ["r", 0, 0], ["r", 0, 1] are two outputs of one layer.
 * Keras 3 writes a single entry flat (["name", 0, 0]); a dict form lists its values.
 */
static fc_status io_names(const json_t *spec, int depth, name_list *out)
{
    const char *key;
    json_t *value;
    size_t i;
    fc_status result;

    if (depth > MAX_WALK_DEPTH)
        return FC_OK;
    if (json_is_array(spec) && json_array_size(spec) >= 2 && json_is_string(json_array_get(spec, 0)) &&
        json_is_integer(json_array_get(spec, 1)))
        return name_list_push(out, json_string_value(json_array_get(spec, 0)), 0);
    if (json_is_array(spec)) {
        for (i = 0; i < json_array_size(spec); i++) {
            result = io_names(json_array_get(spec, i), depth + 1, out);
            if (result != FC_OK)
                return result;
        }
    } else if (json_is_object(spec)) {
        json_object_foreach((json_t *)spec, key, value) {
            result = io_names(value, depth + 1, out);
            if (result != FC_OK)
                return result;
        }
    }
    return FC_OK;
}

static fc_status collect_refs(const json_t *node, int depth, name_list *out)
{
    const json_t *history;
    const char *key;
    json_t *value;
    size_t i;
    fc_status result;

    if (depth > MAX_WALK_DEPTH)
        return FC_OK;
    if (json_is_array(node)) {
        if (json_array_size(node) >= 2 && json_is_string(json_array_get(node, 0)) &&
            json_is_integer(json_array_get(node, 1)))
            return name_list_add(out, json_string_value(json_array_get(node, 0)));
        for (i = 0; i < json_array_size(node); i++) {
            result = collect_refs(json_array_get(node, i), depth + 1, out);
            if (result != FC_OK)
                return result;
        }
        return FC_OK;
    }
    if (!json_is_object(node))
        return FC_OK;
    history = json_object_get(node, "keras_history");
    if (json_is_array(history) && json_is_string(json_array_get(history, 0)))
        return name_list_add(out, json_string_value(json_array_get(history, 0)));
    json_object_foreach((json_t *)node, key, value) {
        result = collect_refs(value, depth + 1, out);
        if (result != FC_OK)
            return result;
    }
    return FC_OK;
}

/* ---- layers ------------------------------------------------------------- */

/* The layer list of a model config: Sequential's bare list or {"layers": [...]}. */
static const json_t *config_layers(const json_t *config)
{
    if (json_is_array(config))
        return config;
    return json_object_get(config, "layers");
}

static const char *layer_name(const json_t *layer)
{
    const char *name = get_string(layer, "name");

    return name ? name : get_string(json_object_get(layer, "config"), "name");
}

/* Reads class, name and config of every layer; inbound lists are filled later. */
static fc_status read_layers(const json_t *layers, const char *path, fc_model *model, fc_error *err)
{
    char lpath[512];
    size_t i, n = json_array_size(layers);

    if (n > FC_MAX_LAYERS)
        return fc_error_set(err, FC_ERR_INVALID, path, "the model has %zu layers; at most %d are accepted", n,
                            FC_MAX_LAYERS);
    snprintf(model->layers_pointer, sizeof(model->layers_pointer), "%s", path);
    model->layers = fc_calloc(n, sizeof(*model->layers));
    if (model->layers == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    for (i = 0; i < n; i++) {
        const json_t *layer = json_array_get(layers, i);
        fc_layer *l = &model->layers[i];
        const char *name, *class_name;
        char generated[32];

        snprintf(lpath, sizeof(lpath), "%s/%zu", path, i);
        class_name = get_string(layer, "class_name");
        if (!json_is_object(layer) || class_name == NULL)
            return fc_error_set(err, FC_ERR_INVALID, lpath, "a layer must be an object with a string class_name");
        name = layer_name(layer);
        if (name == NULL) {
            snprintf(generated, sizeof(generated), "layer_%zu", i);
            name = generated;
        }
        model->n_layers = i + 1;
        l->name = fc_strdup(name);
        l->class_name = fc_strdup(class_name);
        l->config = json_object_get(layer, "config");
        l->object = layer;
        if (l->name == NULL || l->class_name == NULL)
            return fc_error_set(err, FC_ERR_NOMEM, lpath, "out of memory");
    }
    return FC_OK;
}

static fc_status set_inbound(fc_layer *layer, name_list *names)
{
    layer->inbound = names->items;
    layer->n_inbound = names->len;
    memset(names, 0, sizeof(*names));
    return FC_OK;
}

static int find_layer(const fc_model *model, const char *name)
{
    size_t i;

    for (i = 0; i < model->n_layers; i++) {
        if (strcmp(model->layers[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

static fc_status io_set(fc_model_io *io, const char *name, const fc_shape *shape, const char *dtype)
{
    io->name = fc_strdup(name);
    io->shape = *shape;
    io->dtype = dtype ? fc_strdup(dtype) : NULL;
    if (io->name == NULL || (dtype != NULL && io->dtype == NULL))
        return FC_ERR_NOMEM;
    return FC_OK;
}

/* ---- Sequential --------------------------------------------------------- */

static fc_status parse_topology(const json_t *topo, const char *path, int depth, fc_model *model, fc_error *err);

/*
 * The input of a Sequential: an InputLayer first, or the first layer's
 * declared shape, or a nested model's own input, or the model-level
 * build_input_shape / build_config. Otherwise the model builds lazily.
 */
static fc_status sequential_input(const json_t *topo, const json_t *layers, const char *path, int depth,
                                  fc_model *model, fc_error *err)
{
    const json_t *first = json_array_get(layers, 0);
    const json_t *config = json_object_get(first, "config");
    const char *class_name = get_string(first, "class_name");
    const char *dtype = layer_dtype(config);
    const json_t *build;
    char name[192];
    fc_shape shape;
    fc_status result;

    fc_shape_unknown(&shape);
    model->inputs = fc_calloc(1, sizeof(*model->inputs));
    if (model->inputs == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    model->n_inputs = 1;

    if (class_name != NULL && strcmp(class_name, "InputLayer") == 0) {
        declared_input_shape(config, class_name, &shape);
        result = io_set(&model->inputs[0], model->layers[0].name, &shape, dtype);
        return result == FC_OK ? FC_OK : fc_error_set(err, result, path, "out of memory");
    }
    snprintf(name, sizeof(name), "%s_input", model->layers[0].name);
    if (is_model_class(class_name)) {
        fc_model inner;

        fc_model_init(&inner);
        result = parse_topology(first, path, depth + 1, &inner, err);
        if (result == FC_OK && inner.n_inputs > 0) {
            shape = inner.inputs[0].shape;
            result = io_set(&model->inputs[0], inner.inputs[0].name, &shape, inner.inputs[0].dtype);
            model->deferred_input = inner.deferred_input;
            fc_model_release(&inner);
            return result == FC_OK ? FC_OK : fc_error_set(err, result, path, "out of memory");
        }
        fc_model_release(&inner);
        if (result != FC_OK)
            return result;
    } else if (!declared_input_shape(config, class_name, &shape)) {
        build = json_object_get(json_object_get(topo, "config"), "build_input_shape");
        if (build == NULL)
            build = json_object_get(json_object_get(topo, "build_config"), "input_shape");
        if (!fc_shape_read_declared(build, &shape)) {
            fc_shape_unknown(&shape);
            model->deferred_input = 1;
        }
    }
    result = io_set(&model->inputs[0], name, &shape, dtype);
    return result == FC_OK ? FC_OK : fc_error_set(err, result, path, "out of memory");
}

static fc_status parse_sequential(const json_t *topo, const char *path, int depth, fc_model *model, fc_error *err)
{
    const json_t *config = json_object_get(topo, "config");
    const json_t *layers = config_layers(config);
    char lpath[512];
    fc_shape unknown;
    size_t i;
    fc_status result;

    snprintf(lpath, sizeof(lpath), "%s/config%s", path, json_is_array(config) ? "" : "/layers");
    if (!json_is_array(layers) || json_array_size(layers) == 0)
        return fc_error_set(err, FC_ERR_INVALID, lpath, "a Sequential model needs a non-empty list of layers");
    result = read_layers(layers, lpath, model, err);
    if (result != FC_OK)
        return result;
    result = sequential_input(topo, layers, lpath, depth, model, err);
    if (result != FC_OK)
        return result;
    for (i = 0; i < model->n_layers; i++) {
        name_list prev = {0};
        const char *from = i == 0 ? model->inputs[0].name : model->layers[i - 1].name;

        if (i == 0 && strcmp(from, model->layers[0].name) == 0)
            continue; /* the InputLayer itself */
        result = name_list_add(&prev, from);
        if (result == FC_OK)
            result = set_inbound(&model->layers[i], &prev);
        name_list_release(&prev);
        if (result != FC_OK)
            return fc_error_set(err, result, lpath, "out of memory");
    }
    model->outputs = fc_calloc(1, sizeof(*model->outputs));
    if (model->outputs == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, lpath, "out of memory");
    model->n_outputs = 1;
    fc_shape_unknown(&unknown);
    result = io_set(&model->outputs[0], model->layers[model->n_layers - 1].name, &unknown, NULL);
    return result == FC_OK ? FC_OK : fc_error_set(err, result, lpath, "out of memory");
}

/* ---- Functional --------------------------------------------------------- */

static fc_status functional_io(const json_t *spec, const char *path, int is_input, fc_model *model, fc_error *err)
{
    name_list names = {0};
    fc_model_io *io = NULL;
    size_t i;
    fc_status result;

    result = io_names(spec, 0, &names);
    if (result != FC_OK) {
        name_list_release(&names);
        return fc_error_set(err, result, path, "out of memory");
    }
    if (names.len == 0 || names.len > FC_MAX_MODEL_IO) {
        name_list_release(&names);
        return fc_error_set(err, FC_ERR_INVALID, path, "a Functional model must list between 1 and %d %s layers",
                            FC_MAX_MODEL_IO, is_input ? "input" : "output");
    }
    io = fc_calloc(names.len, sizeof(*io));
    if (io == NULL) {
        name_list_release(&names);
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    }
    if (is_input) {
        model->inputs = io;
        model->n_inputs = names.len;
        model->inputs_keyed = json_is_object(spec);
    } else {
        model->outputs = io;
        model->n_outputs = names.len;
    }
    for (i = 0; i < names.len; i++) {
        int li = find_layer(model, names.items[i]);
        fc_shape shape;
        const char *dtype = NULL;

        fc_shape_unknown(&shape);
        if (li < 0) {
            result = fc_error_set(err, FC_ERR_INVALID, path, "%s layer '%s' is not among the model's layers",
                                  is_input ? "input" : "output", names.items[i]);
            break;
        }
        if (is_input) {
            declared_input_shape(model->layers[li].config, model->layers[li].class_name, &shape);
            dtype = layer_dtype(model->layers[li].config);
        }
        result = io_set(&io[i], names.items[i], &shape, dtype);
        if (result != FC_OK) {
            fc_error_set(err, result, path, "out of memory");
            break;
        }
    }
    name_list_release(&names);
    return result;
}

static fc_status parse_functional(const json_t *topo, const char *path, fc_model *model, fc_error *err)
{
    const json_t *config = json_object_get(topo, "config");
    const json_t *layers = json_object_get(config, "layers");
    char lpath[512], iopath[512];
    size_t i;
    fc_status result;

    snprintf(lpath, sizeof(lpath), "%s/config/layers", path);
    if (!json_is_array(layers) || json_array_size(layers) == 0)
        return fc_error_set(err, FC_ERR_INVALID, lpath, "a Functional model needs a non-empty list of layers");
    result = read_layers(layers, lpath, model, err);
    if (result != FC_OK)
        return result;
    for (i = 0; i < model->n_layers; i++) {
        name_list refs = {0};

        result = collect_refs(json_object_get(json_array_get(layers, i), "inbound_nodes"), 0, &refs);
        if (result == FC_OK)
            result = set_inbound(&model->layers[i], &refs);
        name_list_release(&refs);
        if (result != FC_OK)
            return fc_error_set(err, result, lpath, "out of memory");
    }
    snprintf(iopath, sizeof(iopath), "%s/config/input_layers", path);
    result = functional_io(json_object_get(config, "input_layers"), iopath, 1, model, err);
    if (result != FC_OK)
        return result;
    snprintf(iopath, sizeof(iopath), "%s/config/output_layers", path);
    return functional_io(json_object_get(config, "output_layers"), iopath, 0, model, err);
}

/* Reads one {"class_name", "config"} model object (the top level or a nested model). */
static fc_status parse_topology(const json_t *topo, const char *path, int depth, fc_model *model, fc_error *err)
{
    const char *class_name = get_string(topo, "class_name");
    const json_t *config = json_object_get(topo, "config");
    const char *name = json_is_object(config) ? get_string(config, "name") : get_string(topo, "name");

    if (depth > FC_MAX_NESTING)
        return fc_error_set(err, FC_ERR_INVALID, path, "models are nested more than %d deep", FC_MAX_NESTING);
    if (!json_is_object(topo) || class_name == NULL)
        return fc_error_set(err, FC_ERR_INVALID, path,
                            "not a Keras model descriptor: expected an object with class_name and config");
    if (!is_model_class(class_name))
        return fc_error_set(err, FC_ERR_UNSUPPORTED, path,
                            "model class '%s' is not Sequential, Functional or Model: a subclassed model's "
                            "config does not describe its layers",
                            class_name);
    model->topology = topo;
    model->class_name = fc_strdup(class_name);
    model->name = name ? fc_strdup(name) : NULL;
    if (model->class_name == NULL || (name != NULL && model->name == NULL))
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    if (strcmp(class_name, "Sequential") == 0)
        return parse_sequential(topo, path, depth, model, err);
    return parse_functional(topo, path, model, err);
}

/* ---- framework detection ------------------------------------------------ */

static fc_framework framework_from_version(const char *version)
{
    if (version == NULL)
        return FC_FW_UNKNOWN;
    if (strncmp(version, "tfjs", 4) == 0)
        return FC_FW_TFJS;
    if (version[0] == '3')
        return FC_FW_KERAS3;
    if (version[0] == '2' || version[0] == '1')
        return FC_FW_TFKERAS2;
    return FC_FW_UNKNOWN;
}

/* Keras 3 writes module/registered_name on every object and batch_shape on inputs. */
static fc_framework framework_from_keys(const json_t *topo, const fc_model *model)
{
    size_t i;

    if (json_object_get(topo, "module") != NULL || json_object_get(topo, "registered_name") != NULL)
        return FC_FW_KERAS3;
    for (i = 0; i < model->n_layers; i++) {
        const json_t *config = model->layers[i].config;

        if (json_object_get(config, "batch_shape") != NULL)
            return FC_FW_KERAS3;
        if (json_object_get(config, "batch_input_shape") != NULL)
            return FC_FW_TFKERAS2;
    }
    return FC_FW_UNKNOWN;
}

/* ---- entry point -------------------------------------------------------- */

static fc_status load_descriptor(const json_t *desc, const char *path, json_t **out, fc_error *err)
{
    json_error_t jerr;

    if (json_is_object(desc)) {
        *out = json_incref((json_t *)desc);
        return FC_OK;
    }
    if (!json_is_string(desc))
        return fc_error_set(err, FC_ERR_INVALID, path,
                            "the model must be a descriptor object or a JSON string holding one");
    *out = json_loadb(json_string_value(desc), json_string_length(desc), JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL) {
        fc_error_set(err, FC_ERR_JSON, path, "the model string is not valid JSON: %s at line %d, column %d",
                     jerr.text, jerr.line, jerr.column);
        if (err != NULL) {
            err->line = jerr.line;
            err->column = jerr.column;
        }
        return FC_ERR_JSON;
    }
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return fc_error_set(err, FC_ERR_INVALID, path, "the model string must hold a JSON object");
    }
    return FC_OK;
}

fc_status fc_model_parse(const json_t *desc, const char *path, fc_model *model, fc_error *err)
{
    const json_t *topo, *wrapped;
    const char *version;
    char tpath[128];
    fc_status result;
    int is_tfjs = 0;

    fc_model_init(model);
    result = load_descriptor(desc, path, &model->descriptor, err);
    if (result != FC_OK)
        return result;

    topo = model->descriptor;
    snprintf(tpath, sizeof(tpath), "%s", json_is_object(desc) ? path : path);
    if (json_object_get(topo, "modelTopology") != NULL) {
        const char *format = get_string(topo, "format");

        topo = json_object_get(topo, "modelTopology");
        if ((format != NULL && strcmp(format, "graph-model") == 0) || json_object_get(topo, "node") != NULL) {
            result = fc_error_set(err, FC_ERR_UNSUPPORTED, path,
                                  "this is a TF.js graph model (a frozen TensorFlow graph), not a Layers model: "
                                  "it has no Keras layers to check");
            goto cleanup;
        }
        is_tfjs = 1;
        snprintf(tpath, sizeof(tpath), "%s/modelTopology", path);
    }
    version = get_string(topo, "keras_version");
    wrapped = json_object_get(topo, "model_config");
    if (json_is_object(wrapped)) {
        topo = wrapped;
        snprintf(tpath + strlen(tpath), sizeof(tpath) - strlen(tpath), "/model_config");
        if (version == NULL)
            version = get_string(topo, "keras_version");
    }
    result = parse_topology(topo, tpath, 0, model, err);
    if (result != FC_OK)
        goto cleanup;
    if (version != NULL) {
        model->framework_version = fc_strdup(version);
        if (model->framework_version == NULL) {
            result = fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
            goto cleanup;
        }
    }
    /* TF.js writes "keras_version": "tfjs-layers 1.3.1" and "generatedBy": "TensorFlow.js tfjs-layers v1.3.1" */
    {
        const char *by = get_string(model->descriptor, "generatedBy");
        const char *js = NULL;

        if (version != NULL && strncmp(version, "tfjs-layers ", 12) == 0)
            js = version + 12;
        else if (by != NULL && strstr(by, "tfjs-layers v") != NULL)
            js = strstr(by, "tfjs-layers v") + 13;
        if (js != NULL && (model->tfjs_version = fc_strdup(js)) == NULL) {
            result = fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
            goto cleanup;
        }
    }
    if (is_tfjs)
        model->framework = FC_FW_TFJS;
    else if ((model->framework = framework_from_version(version)) == FC_FW_UNKNOWN)
        model->framework = framework_from_keys(topo, model);
    return FC_OK;

cleanup:
    fc_model_release(model);
    return result;
}
