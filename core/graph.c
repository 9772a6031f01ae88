/*
 * graph.c - running the layer registry over a model: Sequential chains and
 * Functional graphs (shared layers, several inputs and outputs, nested
 * models), turning layer problems into findings.
 *
 * A Functional graph is a set of layer calls ("nodes"): the k-th entry of a
 * layer's inbound_nodes is its k-th call, and a tensor is named by
 * (layer, node index, tensor index). Calls are built in passes until no call
 * whose inputs are known remains, so the order of the layer list does not
 * matter.
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/graph.h"
#include "layers.h"
#include "tfjs_compat.h"

#define MAX_REFS 64
#define MAX_WALK 64

void fc_graph_init(fc_graph *graph)
{
    memset(graph, 0, sizeof(*graph));
}

void fc_graph_release(fc_graph *graph)
{
    if (graph == NULL)
        return;
    fc_free(graph->layers);
    fc_free(graph->outputs);
    fc_free(graph->shapes);
    fc_graph_init(graph);
}

/* ---- name index ------------------------------------------------------------ */

typedef struct name_index {
    const char **names; /* borrowed */
    int *slots;         /* layer index + 1, 0 for empty */
    size_t size;        /* power of two */
} name_index;

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s != '\0')
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static fc_status index_build(name_index *ix, const fc_model *m)
{
    size_t i;

    ix->size = 16;
    while (ix->size < m->n_layers * 2)
        ix->size *= 2;
    ix->slots = fc_calloc(ix->size, sizeof(*ix->slots));
    if (ix->slots == NULL)
        return FC_ERR_NOMEM;
    for (i = 0; i < m->n_layers; i++) {
        size_t at = hash_name(m->layers[i].name) & (ix->size - 1);

        while (ix->slots[at] != 0)
            at = (at + 1) & (ix->size - 1);
        ix->slots[at] = (int)i + 1;
    }
    return FC_OK;
}

/* First layer with this name (duplicates keep the earliest). */
static int index_find(const name_index *ix, const fc_model *m, const char *name)
{
    size_t at = hash_name(name) & (ix->size - 1);
    int best = -1;

    while (ix->slots[at] != 0) {
        int li = ix->slots[at] - 1;

        if (strcmp(m->layers[li].name, name) == 0 && (best < 0 || li < best))
            best = li;
        at = (at + 1) & (ix->size - 1);
    }
    return best;
}

/* ---- tensor references ----------------------------------------------------- */

typedef struct ref {
    int layer;   /* index in model->layers */
    int node;    /* the producing call */
    int tensor;  /* which of its outputs */
} ref;

typedef struct ref_list {
    ref items[MAX_REFS];
    size_t len;
    int bad;      /* a reference names no layer */
    int overflow; /* there were more than MAX_REFS references */
} ref_list;

static void add_ref(ref_list *out, const name_index *ix, const fc_model *m, const json_t *name, const json_t *node,
                    const json_t *tensor)
{
    int li = index_find(ix, m, json_string_value(name));

    if (li < 0) {
        out->bad = 1;
        return;
    }
    if (out->len == MAX_REFS) {
        out->overflow = 1; /* more inputs than fitcheck follows: the call's output is unknown */
        return;
    }
    out->items[out->len].layer = li;
    /* out of int range: a dangling reference (-1), never a wrapped one */
    out->items[out->len].node = !json_is_integer(node) ? 0
                                : json_integer_value(node) >= 0 && json_integer_value(node) <= INT32_MAX
                                    ? (int)json_integer_value(node)
                                    : -1;
    out->items[out->len].tensor = !json_is_integer(tensor) ? 0
                                  : json_integer_value(tensor) >= 0 && json_integer_value(tensor) <= INT32_MAX
                                      ? (int)json_integer_value(tensor)
                                      : -1;
    out->len++;
}

/* Keras 3 call arguments: tensors carry keras_history [layer, node, tensor]. */
static void collect_k3(const json_t *v, int depth, ref_list *out, const name_index *ix, const fc_model *m)
{
    const json_t *history;
    const char *key;
    json_t *value;
    size_t i;

    if (depth > MAX_WALK)
        return;
    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++)
            collect_k3(json_array_get(v, i), depth + 1, out, ix, m);
        return;
    }
    if (!json_is_object(v))
        return;
    history = json_object_get(json_object_get(v, "config"), "keras_history");
    if (history == NULL)
        history = json_object_get(v, "keras_history");
    if (json_is_array(history) && json_is_string(json_array_get(history, 0))) {
        add_ref(out, ix, m, json_array_get(history, 0), json_array_get(history, 1), json_array_get(history, 2));
        return;
    }
    json_object_foreach((json_t *)v, key, value) {
        size_t n = strlen(key);

        /* masks ("mask", "attention_mask", ...) are not data inputs */
        if (!(n >= 4 && strcmp(key + n - 4, "mask") == 0))
            collect_k3(value, depth + 1, out, ix, m);
    }
}

/* Keras 2 call kwargs that carry tensors, in the order the layer takes them (MultiHeadAttention). */
static void collect_k2_kwargs(const json_t *kwargs, ref_list *out, const name_index *ix, const fc_model *m)
{
    static const char *const keys[] = {"value", "key"};
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const json_t *t = json_object_get(kwargs, keys[i]);

        if (json_is_array(t) && json_is_string(json_array_get(t, 0)))
            add_ref(out, ix, m, json_array_get(t, 0), json_array_get(t, 1), json_array_get(t, 2));
    }
}

/* The inputs of one call: Keras 2 / TF.js [[name, node, tensor, kwargs], ...] or Keras 3 {"args", "kwargs"}. */
static void node_refs(const json_t *node, ref_list *out, const name_index *ix, const fc_model *m)
{
    size_t i;

    out->len = 0;
    out->bad = 0;
    out->overflow = 0;
    if (json_is_object(node)) {
        collect_k3(json_object_get(node, "args"), 0, out, ix, m);
        collect_k3(json_object_get(node, "kwargs"), 0, out, ix, m);
        return;
    }
    if (json_is_array(node) && json_array_size(node) > 0 && json_is_string(json_array_get(node, 0))) {
        add_ref(out, ix, m, json_array_get(node, 0), json_array_get(node, 1), json_array_get(node, 2));
        return;
    }
    for (i = 0; i < json_array_size(node); i++) {
        const json_t *e = json_array_get(node, i);

        if (json_is_array(e) && json_is_string(json_array_get(e, 0))) {
            add_ref(out, ix, m, json_array_get(e, 0), json_array_get(e, 1), json_array_get(e, 2));
            collect_k2_kwargs(json_array_get(e, 3), out, ix, m);
        }
    }
}

/* ---- per-call results ------------------------------------------------------ */

/* One layer call; its output shapes are pool[first .. first + n_outputs). */
typedef struct call {
    size_t first;
    size_t n_outputs;
    int done;
} call;

typedef struct graph_run {
    const fc_model *model;
    fc_target target;
    int depth;
    const char *scope;   /* "outer/" for a nested model, "" at the top */
    int64_t *budget;     /* layer calls left, shared with nested models */
    fc_graph *graph;
    fc_findings *findings;
    call **calls;      /* calls[layer][node], pointers into one block */
    call *call_block;  /* every call of every layer */
    size_t *n_calls;   /* per layer */
    int *reported;     /* a finding was already made for the layer */
    size_t *sum_first; /* pool index of each layer's first-call outputs */
    size_t pool_cap;   /* capacity of graph->shapes (the pool) */
} graph_run;

/* The o-th output shape of a call. The pool may move while it grows: use at once. */
static const fc_shape *call_output(const graph_run *run, const call *c, size_t o)
{
    return &run->graph->shapes[c->first + o];
}

/* Appends n shapes to the pool; returns the index of the first, or SIZE_MAX when out of memory. */
static size_t pool_add(graph_run *run, const fc_shape *shapes, size_t n)
{
    fc_graph *g = run->graph;
    size_t at = g->n_shapes;

    if (g->n_shapes + n > run->pool_cap) {
        size_t cap = run->pool_cap ? run->pool_cap * 2 : 64;
        fc_shape *grown;

        while (cap < g->n_shapes + n)
            cap *= 2;
        grown = cap <= SIZE_MAX / sizeof(fc_shape) ? fc_malloc(cap * sizeof(fc_shape)) : NULL;
        if (grown == NULL)
            return SIZE_MAX;
        if (g->n_shapes)
            memcpy(grown, g->shapes, g->n_shapes * sizeof(fc_shape));
        fc_free(g->shapes);
        g->shapes = grown;
        run->pool_cap = cap;
    }
    if (n)
        memcpy(g->shapes + at, shapes, n * sizeof(fc_shape));
    g->n_shapes += n;
    return at;
}

static const call *find_call(const graph_run *run, const ref *r)
{
    if (r->node < 0 || (size_t)r->node >= run->n_calls[r->layer])
        return NULL;
    return &run->calls[r->layer][r->node];
}

/* ---- findings -------------------------------------------------------------- */

static fc_status layer_finding(graph_run *run, size_t li, const fc_build *b, fc_finding_code code,
                               const char *message)
{
    const fc_layer *layer = &run->model->layers[li];
    char pointer[600], name[256];
    fc_var vars[FC_MAX_BUILD_VARS + 3];
    fc_finding *f;
    size_t i, n = 0;

    if (run->findings == NULL || run->reported[li])
        return FC_OK;
    run->reported[li] = 1;
    snprintf(pointer, sizeof(pointer), "%s/%zu", run->model->layers_pointer, li);
    snprintf(name, sizeof(name), "%s%s", run->scope, layer->name);
    /* a nested model called several times is inferred each time: report its layers once */
    for (i = 0; i < run->findings->len; i++) {
        const fc_finding *seen = &run->findings->items[i];

        if (seen->code == code && seen->layer != NULL && strcmp(seen->layer, name) == 0 &&
            strcmp(seen->pointer, pointer) == 0)
            return FC_OK;
    }
    vars[n++] = (fc_var){"layer", name};
    vars[n++] = (fc_var){"class", layer->class_name};
    for (i = 0; b != NULL && i < b->n_vars; i++)
        vars[n++] = (fc_var){b->var_names[i], b->var_values[i]};
    f = fc_findings_add(run->findings, code, &run->target, message, pointer, NULL, name, vars, n);
    if (f == NULL)
        return FC_ERR_NOMEM;
    /* TF.js refuses a negative size when a Sequential adds the layer (models.ts checkShape); a functional
     * model builds and fails in fit (oracle, 1.0.0-4.22.0) */
    if (code == FC_NON_POSITIVE_DIM && run->target.framework == FC_FW_TFJS &&
        strcmp(run->model->class_name, "Sequential") != 0)
        return fc_finding_set_error(f, "(no error when the model is built: a functional model takes the negative "
                                       "size, and fit fails on it, e.g. \"A target Tensor with shape ... was passed for "
                                       "an output of shape ...\")", NULL, 0);
    /* a build that knows its release's own text gives it as "framework_error" (a template over the same values) */
    for (i = 0; b != NULL && i < b->n_vars; i++) {
        if (strcmp(b->var_names[i], "framework_error") == 0)
            return fc_finding_set_error(f, b->var_values[i], vars, n);
    }
    return FC_OK;
}

/*
 * Adds to the finding just made for layer li a fix that replaces one member
 * of a layer's config (layer li, or another given by index), as a JSON
 * Patch against the submitted descriptor. Steals value.
 */
static fc_status add_patch_at(graph_run *run, size_t li, const char *summary, const char *code, const char *key,
                              json_t *value)
{
    fc_finding *f = &run->findings->items[run->findings->len - 1];
    const char *base = run->model->layers_pointer;
    char path[600];

    if (strncmp(base, "/model", 6) != 0) {
        json_decref(value);
        return FC_OK; /* a nested model's own pointer: no patch against the descriptor */
    }
    snprintf(path, sizeof(path), "%s/%zu/config/%s", base + 6, li, key);
    return fc_finding_add_patch_fix(f, summary, code, json_pack("[{s:s, s:s, s:o}]", "op", "replace", "path", path,
                                                                "value", value),
                                    NULL, 0);
}

static fc_status add_patch(graph_run *run, size_t li, const char *summary, const char *code, const char *key,
                           json_t *value)
{
    return add_patch_at(run, li, summary, code, key, value);
}

/* A recurrent layer whose input lost its time axis because the one before returned only its last step. */
static fc_status stacked_rnn_fix(graph_run *run, size_t li)
{
    static const char *const rnns[] = {"LSTM", "GRU", "SimpleRNN", "Bidirectional", "CuDNNLSTM", "CuDNNGRU"};
    const fc_layer *layer = &run->model->layers[li], *prev = NULL;
    size_t i, k;
    int is_rnn = 0, prev_rnn = 0;

    for (k = 0; k < sizeof(rnns) / sizeof(rnns[0]); k++)
        is_rnn |= strcmp(layer->class_name, rnns[k]) == 0;
    if (!is_rnn || layer->n_inbound != 1)
        return FC_OK;
    for (i = 0; i < run->model->n_layers; i++) {
        if (strcmp(run->model->layers[i].name, layer->inbound[0]) == 0)
            prev = &run->model->layers[i];
    }
    if (prev == NULL)
        return FC_OK;
    for (k = 0; k < sizeof(rnns) / sizeof(rnns[0]); k++)
        prev_rnn |= strcmp(prev->class_name, rnns[k]) == 0 && strcmp(prev->class_name, "Bidirectional") != 0;
    if (!prev_rnn || fc_cfg_bool(prev->config, "return_sequences", 0))
        return FC_OK;
    return add_patch_at(run, (size_t)(prev - run->model->layers),
                        "Let the recurrent layer before it return the whole sequence",
                        "return_sequences=True  # on the recurrent layer before", "return_sequences", json_true());
}

/* A layer TF.js cannot load or train, or whose options it ignores, for the tfjs target (shapes are still
 * inferred as Keras would), judged on the call's inputs. */
static fc_status check_tfjs(graph_run *run, size_t li, const fc_shape *inputs, size_t n_inputs)
{
    const fc_layer *layer = &run->model->layers[li];
    fc_tfjs_refusal why;
    fc_build b;
    char *err;
    size_t i;
    int ranks_known = n_inputs > 0;

    for (i = 0; i < n_inputs; i++)
        ranks_known &= inputs[i].rank != FC_RANK_UNKNOWN;
    if (run->target.framework != FC_FW_TFJS ||
        (!fc_tfjs_unsupported(layer->class_name, layer->config, &run->target, n_inputs > 0 ? inputs[0].rank : -1,
                              &why) &&
         !(ranks_known && fc_tfjs_shape_refusal(layer->class_name, layer->config, inputs, n_inputs, &why))))
        return FC_OK;
    memset(&b, 0, sizeof(b));
    fc_var vars[] = {{"class", layer->class_name}, {"name", why.name}};
    err = fc_template_expand(why.error, vars, 2);
    if (err == NULL)
        return FC_ERR_NOMEM;
    fc_build_var(&b, "detail", "%s", why.detail);
    fc_build_var(&b, "fix", "%s", why.fix);
    fc_build_var(&b, "tfjs_error", "%s", err);
    fc_free(err);
    if (why.ignored)
        return layer_finding(run, li, &b, FC_TFJS_OPTION_IGNORED, "TF.js ignores an option of {class} '{layer}'");
    return layer_finding(run, li, &b, FC_TFJS_UNSUPPORTED, "TF.js cannot load {class} '{layer}'");
}

/*
 * The texts each framework prints when a layer meets an undefined axis,
 * by class family (TF.js texts from oracle runs; Keras from the build
 * methods named in the catalog row).
 */
/* A shape as JavaScript's Array.join prints it: null entries are empty ("2," for [2, null]). */
static void js_join(const fc_shape *s, int from_axis, char *buf, size_t size)
{
    size_t used = 0;
    int i;

    buf[0] = '\0';
    for (i = from_axis; i < s->rank && used < size; i++) {
        int n = s->dims[i] == FC_DIM_UNKNOWN ? snprintf(buf + used, size - used, "%s", i > from_axis ? "," : "")
                                            : snprintf(buf + used, size - used, "%s%lld", i > from_axis ? "," : "",
                                                       (long long)s->dims[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* Variant `id` of the build's release (fc_variant_text), filled with the shape values, into the var `name`. */
static void k2_variant(fc_build *b, fc_variant_id id, const char *py, const char *sample_py, int axis)
{
    fc_target t;
    char axis_s[16], *text;

    fc_build_target(b, &t);
    snprintf(axis_s, sizeof(axis_s), "%d", axis);
    {
        fc_var vars[] = {{"found_shape", py}, {"sample_py", sample_py}, {"axis", axis_s}};

        text = fc_template_expand(fc_variant_text(id, &t), vars, sizeof(vars) / sizeof(vars[0]));
    }
    fc_build_var(b, "k2_error", "%s", text != NULL ? text : "");
    fc_free(text);
}

static void undefined_dim_texts(const char *cls, const fc_shape *in, fc_build *b)
{
    static const char k2_unconfirmed[] = "(fails while creating the layer's weights; exact message not confirmed "
                                         "in the source)";
    static const char k3_var[] = "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
                                 "Received: shape=%s for variable path='%s/%s'";
    char py[256], js[256], joined[256], sample[256], sample_py[256];
    int standalone = fc_build_release_in(b, "keras2 2.0.0-2.3.1");

    fc_shape_format(in, 0, py, sizeof(py));
    {
        fc_shape s = *in;
        int i;

        for (i = 1; i < s.rank; i++)
            s.dims[i - 1] = s.dims[i];
        s.rank = s.rank > 0 ? s.rank - 1 : 0;
        fc_shape_format(&s, 0, sample_py, sizeof(sample_py));
    }
    fc_shape_format_js(in, 0, js, sizeof(js));
    js_join(in, 0, joined, sizeof(joined));
    js_join(in, 1, sample, sizeof(sample));
    /*
     * Keras 3 has no check of its own: the first weight built from the
     * undefined axis fails in Variable._validate_shape
     * (keras/src/backend/common/variables.py), and Conv fails earlier on
     * `input_channel % groups` (layers/convolutional/base_conv.py build).
     */
    if (strcmp(cls, "Flatten") == 0) {
        fc_build_var(b, "k3_error", "(Keras builds it with an unknown size; the next layer that needs the size "
                                   "fails)");
        if (standalone) /* standalone Keras's Flatten.compute_output_shape raises (keras 2.2.5 core.py) */
            k2_variant(b, FC_V_UNDEFINED_FLATTEN_KERAS2, py, sample_py, in->rank - 1);
        else
            fc_build_var(b, "k2_error", "(Keras builds it with an unknown size; the next layer that needs the size "
                                       "fails)");
        fc_build_var(b, "tfjs_error", "The shape of the input to \"Flatten\" is not fully defined (got %s). Make "
                                     "sure to pass a complete \"input_shape\" or \"batch_input_shape\" argument to "
                                     "the first layer in your model.", sample);
    } else if (strstr(cls, "Normalization") != NULL) {
        fc_build_var(b, "k3_error", k3_var, "(None,)", b->name, "gamma");
        if (strcmp(cls, "BatchNormalization") == 0)
            k2_variant(b, FC_V_UNDEFINED_NORM_TFKERAS2, py, sample_py, in->rank - 1);
        else if (strcmp(cls, "LayerNormalization") == 0) /* no check: TensorFlow's tf.ones([None]) fails */
            k2_variant(b, FC_V_UNDEFINED_LN_TFKERAS2, py, sample_py, in->rank - 1);
        else
            fc_build_var(b, "k2_error", "%s", k2_unconfirmed);
        fc_build_var(b, "tfjs_error", "Axis %d of input tensor should have a defined dimension but the layer "
                                     "received an input with shape [%s].", in->rank - 1, js);
    } else if (strstr(cls, "Conv") != NULL) {
        fc_build_var(b, "k3_error", "unsupported operand type(s) for %%: 'NoneType' and 'int'");
        k2_variant(b, FC_V_UNDEFINED_CONV_TFKERAS2, py, sample_py, in->rank - 1);
        fc_build_var(b, "tfjs_error", "The channel dimension of the input should be defined. Found null");
    } else {
        if (strcmp(cls, "Dense") == 0) {
            char shape[64];

            snprintf(shape, sizeof(shape), "(None, %lld)", (long long)fc_cfg_int(b->config, "units", 0));
            fc_build_var(b, "k3_error", k3_var, shape, b->name, "kernel");
        } else {
            fc_build_var(b, "k3_error", k3_var, "(None, ...)", b->name, "...");
        }
        if (strcmp(cls, "Dense") == 0)
            k2_variant(b, FC_V_UNDEFINED_DENSE_TFKERAS2, py, sample_py, in->rank - 1);
        else if (strcmp(cls, "LSTM") == 0 || strcmp(cls, "GRU") == 0 || strcmp(cls, "SimpleRNN") == 0)
            /* no check: the cell's Glorot initializer takes int(None) (keras/initializers _compute_fans) */
            k2_variant(b, FC_V_UNDEFINED_RNN_TFKERAS2, py, sample_py, in->rank - 1);
        else
            fc_build_var(b, "k2_error", "%s", k2_unconfirmed);
        fc_build_var(b, "tfjs_error", "Tensor must have a shape comprised of positive integers but got shape "
                                     "[%s].", joined);
    }
    fc_build_var(b, "found_shape", "%s", py);
}

/* Classes whose weights are sized from the last (channel/feature) axis. */
static int sized_by_last_axis(const char *cls)
{
    static const char *const names[] = {"Dense", "BatchNormalization", "LayerNormalization", "LSTM", "GRU",
                                        "SimpleRNN", "Conv1D", "Conv2D", "Conv3D", "SeparableConv2D",
                                        "DepthwiseConv2D", "Conv2DTranspose", "Conv3DTranspose", "Bidirectional",
                                        "TimeDistributed", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM",
                                        "CuDNNGRU", "Conv1DTranspose", "SeparableConv1D", "DepthwiseConv1D",
                                        "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
                                        "Convolution2DTranspose", "Convolution3DTranspose",
                                        "SeparableConvolution1D", "SeparableConvolution2D"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(cls, names[i]) == 0)
            return 1;
    }
    return 0;
}

/* An undefined axis where the framework needs a size: weights (all targets) or TF.js's Flatten. */
static fc_status check_undefined(graph_run *run, size_t li, const fc_build *built)
{
    const fc_layer *layer = &run->model->layers[li];
    const fc_shape *in = built->n_inputs > 0 ? &built->inputs[0] : NULL;
    fc_build b;
    int i, any = 0;

    if (in == NULL || in->rank < 2)
        return FC_OK;
    for (i = 1; i < in->rank; i++)
        any |= in->dims[i] == FC_DIM_UNKNOWN;
    if (strcmp(layer->class_name, "Flatten") == 0 ? !(any && run->target.framework == FC_FW_TFJS)
                                                  : !(sized_by_last_axis(layer->class_name) && built->params_unknown &&
                                                      in->dims[in->rank - 1] == FC_DIM_UNKNOWN))
        return FC_OK;
    memset(&b, 0, sizeof(b));
    b.name = layer->name;
    b.config = layer->config;
    b.target = run->target.framework;
    b.version = &run->target.version; /* the texts are the release's */
    undefined_dim_texts(layer->class_name, in, &b);
    fc_build_var(&b, "axis", "%d", in->rank - 1);
    return layer_finding(run, li, &b, FC_UNDEFINED_DIM,
                         "{class} '{layer}' receives {found_shape}: an axis it needs is undefined");
}

/* Post-build checks that need no layer-specific code. */
static fc_status check_outputs(graph_run *run, size_t li, fc_build *b)
{
    const fc_layer *layer = &run->model->layers[li];
    const char *act = fc_cfg_activation(layer->config);
    size_t o;
    int d;

    for (o = 0; o < b->n_outputs; o++) {
        for (d = 0; d < b->outputs[o].rank; d++) {
            if (b->outputs[o].dims[d] > FC_DIM_MAX) {
                fc_shape_unknown(&b->outputs[o]);
                return layer_finding(run, li, b, FC_DIM_OVERFLOW, "{class} '{layer}' would produce a dimension "
                                     "beyond 2^53");
            }
        }
    }
    if (b->n_outputs > 0 && b->outputs[0].rank >= 2 && b->outputs[0].dims[b->outputs[0].rank - 1] == 1 &&
        (strcmp(act, "softmax") == 0 || strcmp(layer->class_name, "Softmax") == 0)) {
        size_t before = run->findings ? run->findings->len : 0;
        fc_status result = layer_finding(run, li, b, FC_SOFTMAX_SINGLE_UNIT,
                                         "'{layer}' applies softmax over a single unit: its output is always 1");

        if (result == FC_OK && run->findings != NULL && run->findings->len > before &&
            json_object_get(layer->config, "activation") != NULL)
            result = add_patch(run, li, "Use a sigmoid on the single unit",
                               "keras.layers.Dense(1, activation=\"sigmoid\")", "activation", json_string("sigmoid"));
        return result;
    }
    return FC_OK;
}

/* Builds call `node` of layer li on the given inputs and records the results. */
static fc_status build_call(graph_run *run, size_t li, size_t node, const fc_shape *inputs, size_t n_inputs)
{
    const fc_layer *layer = &run->model->layers[li];
    fc_layer_summary *sum = &run->graph->layers[li];
    call *c = &run->calls[li][node];
    fc_build b;
    char pointer[600];
    int known;
    fc_status result;

    if (*run->budget <= 0) {
        /* out of budget: this call and everything after it stay unknown */
        c->n_outputs = 1;
        c->first = pool_add(run, &(fc_shape){.rank = FC_RANK_UNKNOWN}, 1);
        if (c->first == SIZE_MAX)
            return FC_ERR_NOMEM;
        c->done = 1;
        return FC_OK;
    }
    (*run->budget)--;
    /* Only a nested model needs its JSON pointer (for its own layers' findings). */
    pointer[0] = '\0';
    if (strcmp(layer->class_name, "Sequential") == 0 || strcmp(layer->class_name, "Functional") == 0 ||
        strcmp(layer->class_name, "Model") == 0)
        snprintf(pointer, sizeof(pointer), "%s/%zu", run->model->layers_pointer, li);
    /* No memset: fc_build is kilobytes of buffers, and fc_layer_build resets every out-field. */
    b.pointer = pointer;
    b.scope = run->scope;
    b.findings = run->findings;
    b.budget = run->budget;
    b.name = layer->name;
    b.class_name = layer->class_name;
    b.layer = layer->object;
    b.config = layer->config;
    b.inputs = inputs;
    b.n_inputs = n_inputs;
    b.target = run->target.framework;
    b.version = &run->target.version;
    b.depth = run->depth;
    result = fc_layer_build(&b, &known);
    if (result != FC_OK)
        return result;
    result = check_tfjs(run, li, inputs, n_inputs);
    if (result != FC_OK)
        return result;
    if (!known)
        result = layer_finding(run, li, NULL, FC_UNKNOWN_LAYER,
                               "layer '{layer}' is of class {class}, unknown to fitcheck: shapes after it are unknown");
    else if (strcmp(layer->class_name, "Lambda") == 0 && b.n_outputs > 0 && b.outputs[0].rank == FC_RANK_UNKNOWN)
        result = layer_finding(run, li, &b, FC_OPAQUE_LAYER,
                               "Lambda '{layer}' declares no output shape: shapes after it are unknown");
    else if (b.has_problem && b.problem == FC_UNDEFINED_DIM) {
        b.params_unknown = 1;
        result = check_undefined(run, li, &b);
    } else if (b.has_problem) {
        size_t before = run->findings ? run->findings->len : 0;

        result = layer_finding(run, li, &b, b.problem, b.message);
        if (result == FC_OK && b.problem == FC_LAYER_INPUT_RANK && run->findings != NULL &&
            run->findings->len > before)
            result = stacked_rnn_fix(run, li);
    }
    else if (b.params_overflow)
        result = layer_finding(run, li, &b, FC_DIM_OVERFLOW, "{class} '{layer}' would need more than 2^53 weights");
    else
        result = check_outputs(run, li, &b);
    if (result == FC_OK && known && !b.has_problem)
        result = check_undefined(run, li, &b);
    if (result != FC_OK)
        return result;
    c->n_outputs = b.n_outputs < FC_MAX_OUTPUTS_PER_LAYER ? b.n_outputs : FC_MAX_OUTPUTS_PER_LAYER;
    c->first = pool_add(run, b.outputs, c->n_outputs);
    if (c->first == SIZE_MAX)
        return FC_ERR_NOMEM;
    c->done = 1;
    if (node == 0 || sum->n_outputs == 0) {
        sum->n_outputs = c->n_outputs;
        run->sum_first[li] = c->first; /* sum->outputs is set once the pool stops moving */
        sum->known_class = known;
        sum->params_known = known && !b.params_unknown;
        sum->trainable = b.trainable;
        sum->non_trainable = b.non_trainable;
    }
    return FC_OK;
}

/* ---- Sequential ------------------------------------------------------------ */

static fc_status run_sequential(graph_run *run, const fc_shape *input)
{
    const fc_model *m = run->model;
    fc_shape current = *input;
    size_t i;
    fc_status result;

    for (i = 0; i < m->n_layers; i++) {
        if (i == 0 && strcmp(m->layers[0].class_name, "InputLayer") == 0) {
            result = build_call(run, 0, 0, input->rank == FC_RANK_UNKNOWN ? NULL : input,
                                input->rank == FC_RANK_UNKNOWN ? 0 : 1);
        } else {
            result = build_call(run, i, 0, &current, 1);
        }
        if (result != FC_OK)
            return result;
        current = run->calls[i][0].n_outputs > 0 ? *call_output(run, &run->calls[i][0], 0) : current;
        if (run->calls[i][0].n_outputs == 0)
            fc_shape_unknown(&current);
    }
    if (m->n_outputs > 0)
        run->graph->outputs[0] = current;
    return FC_OK;
}

/* ---- Functional ------------------------------------------------------------ */

/* The model's i-th input layer, as named by input_layers (index into model->layers), or -1. */
static int input_layer_index(const name_index *ix, const fc_model *m, size_t i)
{
    return index_find(ix, m, m->inputs[i].name);
}

static fc_status run_functional(graph_run *run, const name_index *ix, const fc_shape *inputs)
{
    const fc_model *m = run->model;
    size_t li, k, progress = 1, i;
    fc_status result;

    /* The model inputs: the InputLayers' single call, possibly with the caller's shapes. */
    for (i = 0; i < m->n_inputs; i++) {
        int at = input_layer_index(ix, m, i);

        if (at < 0 || run->calls[at][0].done)
            continue;
        if (inputs != NULL && inputs[i].rank != FC_RANK_UNKNOWN)
            result = build_call(run, (size_t)at, 0, &inputs[i], 1);
        else
            result = build_call(run, (size_t)at, 0, NULL, 0);
        if (result != FC_OK)
            return result;
    }
    while (progress) {
        progress = 0;
        for (li = 0; li < m->n_layers; li++) {
            const json_t *nodes = json_object_get(m->layers[li].object, "inbound_nodes");

            for (k = 0; k < run->n_calls[li]; k++) {
                fc_shape in[MAX_REFS];
                ref_list refs;
                size_t r;
                int ready = 1;

                if (run->calls[li][k].done)
                    continue;
                if (json_array_size(nodes) == 0) {
                    /* An input-less layer that is not a model input (an unused InputLayer). */
                    result = build_call(run, li, k, NULL, 0);
                    if (result != FC_OK)
                        return result;
                    progress = 1;
                    continue;
                }
                node_refs(json_array_get(nodes, k), &refs, ix, m);
                for (r = 0; r < refs.len && r < sizeof(in) / sizeof(in[0]); r++) {
                    const call *src = find_call(run, &refs.items[r]);

                    if (src == NULL) {
                        fc_shape_unknown(&in[r]); /* a dangling reference: treat as unknown */
                        continue;
                    }
                    if (!src->done) {
                        ready = 0;
                        break;
                    }
                    if (refs.items[r].tensor >= 0 && (size_t)refs.items[r].tensor < src->n_outputs)
                        in[r] = *call_output(run, src, (size_t)refs.items[r].tensor);
                    else
                        fc_shape_unknown(&in[r]);
                }
                if (!ready)
                    continue;
                if (refs.overflow) /* never judge a call on part of its inputs */
                    fc_shape_unknown(&in[0]);
                result = build_call(run, li, k, in, refs.len);
                if (result != FC_OK)
                    return result;
                progress = 1;
            }
        }
    }
    /* Model outputs: output_layers names [layer, node, tensor] for each. */
    {
        const json_t *spec = json_object_get(json_object_get(m->topology, "config"), "output_layers");
        ref_list refs;

        node_refs(spec, &refs, ix, m); /* also reads Keras 3's flat single output ["name", 0, 0] */
        for (i = 0; i < m->n_outputs; i++) {
            const call *c = i < refs.len ? find_call(run, &refs.items[i]) : NULL;

            fc_shape_unknown(&run->graph->outputs[i]);
            if (c != NULL && c->done && (size_t)refs.items[i].tensor < c->n_outputs && refs.items[i].tensor >= 0)
                run->graph->outputs[i] = *call_output(run, c, (size_t)refs.items[i].tensor);
        }
    }
    return FC_OK;
}

/* ---- entry ----------------------------------------------------------------- */

static void totals(fc_graph *g)
{
    size_t i;

    g->params_known = 1;
    g->trainable = g->non_trainable = 0;
    for (i = 0; i < g->n_layers; i++) {
        const fc_layer_summary *s = &g->layers[i];

        if (!s->params_known || s->trainable > FC_DIM_MAX - g->trainable ||
            s->non_trainable > FC_DIM_MAX - g->non_trainable) {
            g->params_known = 0;
            continue;
        }
        g->trainable += s->trainable;
        g->non_trainable += s->non_trainable;
    }
    /* both parts within 2^53 and their sum too: the total is what reports print */
    if (g->params_known && g->trainable > FC_DIM_MAX - g->non_trainable)
        g->params_known = 0;
}

fc_status fc_graph_infer(const fc_model *model, const fc_shape *inputs, const fc_target *target, int depth,
                         fc_graph *graph, fc_findings *findings)
{
    int64_t budget = FC_MAX_LAYER_CALLS;
    fc_status result = fc_graph_infer_scoped(model, inputs, target, depth, "", &budget, graph, findings);

    if (result == FC_OK && budget <= 0 && findings != NULL) {
        char n[24];

        snprintf(n, sizeof(n), "%d", FC_MAX_LAYER_CALLS);
        fc_var vars[] = {{"budget", n}};
        if (fc_findings_add(findings, FC_GRAPH_TOO_LARGE, target, "inference stopped after {budget} layer calls",
                            model->layers_pointer, NULL, NULL, vars, 1) == NULL)
            result = FC_ERR_NOMEM;
    }
    return result;
}

fc_status fc_graph_infer_scoped(const fc_model *model, const fc_shape *inputs, const fc_target *target, int depth,
                                const char *scope, int64_t *budget, fc_graph *graph, fc_findings *findings)
{
    graph_run run;
    name_index ix = {0};
    size_t i;
    fc_status result = FC_ERR_NOMEM;
    int functional = strcmp(model->class_name, "Sequential") != 0;

    fc_graph_init(graph);
    memset(&run, 0, sizeof(run));
    run.model = model;
    run.target = *target;
    run.depth = depth;
    run.scope = scope;
    run.budget = budget;
    run.graph = graph;
    run.findings = findings;
    graph->n_layers = model->n_layers;
    graph->n_outputs = model->n_outputs;
    graph->layers = fc_calloc(model->n_layers, sizeof(*graph->layers));
    graph->outputs = fc_calloc(model->n_outputs, sizeof(*graph->outputs));
    run.calls = fc_calloc(model->n_layers, sizeof(*run.calls));
    run.n_calls = fc_calloc(model->n_layers, sizeof(*run.n_calls));
    run.reported = fc_calloc(model->n_layers, sizeof(*run.reported));
    run.sum_first = fc_calloc(model->n_layers, sizeof(*run.sum_first));
    if (graph->layers == NULL || graph->outputs == NULL || run.calls == NULL || run.n_calls == NULL ||
        run.reported == NULL || run.sum_first == NULL)
        goto cleanup;
    {
        size_t total = 0, at = 0;

        for (i = 0; i < model->n_layers; i++) {
            size_t n = functional ? json_array_size(json_object_get(model->layers[i].object, "inbound_nodes")) : 1;

            run.n_calls[i] = n > 0 ? n : 1;
            total += run.n_calls[i];
        }
        /* malloc, not calloc: a call's outputs are written before they are read. */
        run.call_block = total <= SIZE_MAX / sizeof(call) ? fc_malloc(total * sizeof(call)) : NULL;
        if (run.call_block == NULL)
            goto cleanup;
        for (i = 0; i < model->n_layers; i++) {
            size_t k;

            run.calls[i] = &run.call_block[at];
            for (k = 0; k < run.n_calls[i]; k++) {
                run.call_block[at + k].done = 0;
                run.call_block[at + k].n_outputs = 0;
            }
            at += run.n_calls[i];
        }
    }
    for (i = 0; i < model->n_outputs; i++)
        fc_shape_unknown(&graph->outputs[i]);
    if (functional) {
        if (index_build(&ix, model) != FC_OK)
            goto cleanup;
        result = run_functional(&run, &ix, inputs);
    } else {
        fc_shape in = model->inputs[0].shape;

        if (inputs != NULL && inputs[0].rank != FC_RANK_UNKNOWN)
            in = inputs[0];
        result = run_sequential(&run, &in);
    }
    if (result == FC_OK) {
        for (i = 0; i < model->n_layers; i++)
            graph->layers[i].outputs = graph->layers[i].n_outputs ? graph->shapes + run.sum_first[i] : NULL;
        totals(graph);
    }

cleanup:
    fc_free(run.call_block);
    fc_free(run.calls);
    fc_free(run.n_calls);
    fc_free(run.reported);
    fc_free(run.sum_first);
    fc_free(ix.slots);
    if (result != FC_OK)
        fc_graph_release(graph);
    return result;
}

/* ---- nested models as layers ---------------------------------------------- */

static fc_status model_build(fc_build *b)
{
    fc_model inner;
    fc_graph g;
    fc_shape in[FC_MAX_MODEL_IO];
    char scope[256];
    size_t i;
    fc_status result;

    fc_model_init(&inner);
    fc_graph_init(&g);
    snprintf(scope, sizeof(scope), "%s%s/", b->scope ? b->scope : "", b->name);
    if (b->depth >= FC_MAX_NESTING || fc_model_parse(b->layer, b->pointer ? b->pointer : "", &inner, NULL) != FC_OK) {
        fc_build_unknown_output(b);
        b->params_unknown = 1;
        fc_model_release(&inner);
        return FC_OK;
    }
    for (i = 0; i < inner.n_inputs && i < FC_MAX_MODEL_IO; i++) {
        if (i < b->n_inputs)
            in[i] = b->inputs[i];
        else
            fc_shape_unknown(&in[i]);
    }
    {
        /* a model wrapped in a layer (TimeDistributed) comes without the request's budget */
        int64_t local = FC_MAX_LAYER_CALLS;
        fc_target target = {.framework = b->target};

        if (b->version != NULL)
            target.version = *b->version;
        result = fc_graph_infer_scoped(&inner, in, &target, b->depth + 1, scope, b->budget ? b->budget : &local,
                                       &g, b->findings);
    }
    if (result == FC_OK) {
        b->n_outputs = g.n_outputs < FC_MAX_LAYER_IO ? g.n_outputs : FC_MAX_LAYER_IO;
        for (i = 0; i < b->n_outputs; i++)
            b->outputs[i] = g.outputs[i];
        if (b->n_outputs == 0)
            fc_build_unknown_output(b);
        b->params_unknown = !g.params_known;
        fc_build_add_params(b, g.trainable, 1);
        fc_build_add_params(b, g.non_trainable, 0);
    }
    fc_graph_release(&g);
    fc_model_release(&inner);
    return result;
}

const fc_layer_kind fc_layers_model[] = {
    {"Sequential", model_build},
    {"Functional", model_build},
    {"Model", model_build},
    {NULL, NULL},
};
