/*
 * check_loss.c - the output layer's activation against the loss the model is
 * compiled with (the request's compile.loss, else the descriptor's).
 *
 * Cross-entropy losses read the outputs as probabilities unless
 * from_logits=True: Keras normalizes and clips whatever it gets
 * (keras/src/backend/tensorflow/nn.py categorical_crossentropy), so a
 * linear output trains on nonsense without an error, and a softmax output
 * with from_logits=True is squashed twice.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "fitcheck/loss.h"
#include "layers.h"

/* The activation that produces a layer's output, or NULL when it cannot be told. */
static const char *output_activation(const fc_layer *layer)
{
    const json_t *v = json_object_get(layer->config, "activation");

    if (strcmp(layer->class_name, "Softmax") == 0)
        return "softmax";
    /* a serialized activation object that names nothing: do not guess "linear" */
    if (json_is_object(v) && !json_is_string(json_object_get(v, "class_name")) &&
        !json_is_string(json_object_get(json_object_get(v, "config"), "name")))
        return NULL;
    if (strcmp(layer->class_name, "Activation") == 0 || v != NULL)
        return fc_cfg_activation(layer->config);
    return NULL;
}

static int is_probability(const char *act)
{
    return strcmp(act, "softmax") == 0 || strcmp(act, "sigmoid") == 0;
}

static const char *loss_class(fc_loss_kind kind)
{
    switch (kind) {
    case FC_LOSS_SPARSE_CCE:
        return "SparseCategoricalCrossentropy";
    case FC_LOSS_CCE:
        return "CategoricalCrossentropy";
    case FC_LOSS_BCE:
        return "BinaryCrossentropy";
    default:
        return "Loss";
    }
}

/*
 * The JSON pointer of output i's loss: the spec itself, or its element when
 * the spec is a list (one per output) or a dict keyed by output name.
 */
static void loss_pointer(const char *base, const json_t *spec, size_t i, const char *name, char *buf, size_t size)
{
    if (json_is_array(spec))
        snprintf(buf, size, "%s/%zu", base, i);
    else if (json_is_object(spec) && json_object_get(spec, "class_name") == NULL && json_object_get(spec, name) != NULL)
        fc_pointer_join(buf, size, base, name);
    else
        snprintf(buf, size, "%s", base);
}

static fc_status mismatch(const fc_request *req, const char *pointer, const fc_model_io *out, const char *act,
                          int64_t units, const fc_loss *loss, const char *detail, const char *fix,
                          fc_findings *findings)
{
    char units_s[24];

    snprintf(units_s, sizeof(units_s), "%lld", (long long)units);
    fc_var vars[] = {{"output", out->name}, {"activation", act}, {"units", units_s},
                     {"loss", loss->name}, {"detail", detail}, {"fix", fix}};
    if (fc_findings_add(findings, FC_ACTIVATION_LOSS_MISMATCH, &req->target,
                        "output '{output}' ({activation}, {units} unit(s)) with loss {loss}: {detail}", pointer,
                        NULL, out->name, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
        return FC_ERR_NOMEM;
    return FC_OK;
}

static fc_status check_output(const fc_request *req, const json_t *spec, const char *base, size_t i,
                              fc_findings *findings)
{
    char pointer[512];
    const fc_model *m = &req->model;
    const fc_shape *shape = i < req->graph.n_outputs ? &req->graph.outputs[i] : NULL;
    const fc_layer *layer = NULL;
    const char *act;
    char fix[256];
    fc_loss loss;
    int64_t units;
    size_t k;
    int xent;

    fc_loss_for_output(spec, i, m->outputs[i].name, &loss);
    for (k = 0; k < m->n_layers; k++) {
        if (strcmp(m->layers[k].name, m->outputs[i].name) == 0)
            layer = &m->layers[k];
    }
    if (layer == NULL || shape == NULL || shape->rank < 2 || loss.kind == FC_LOSS_NONE)
        return FC_OK;
    act = output_activation(layer);
    units = shape->dims[shape->rank - 1];
    if (act == NULL || units == FC_DIM_UNKNOWN)
        return FC_OK;
    loss_pointer(base, spec, i, m->outputs[i].name, pointer, sizeof(pointer));
    xent = loss.kind == FC_LOSS_CCE || loss.kind == FC_LOSS_SPARSE_CCE || loss.kind == FC_LOSS_BCE;
    if (!xent)
        return FC_OK;
    if (!loss.from_logits && !is_probability(act)) {
        snprintf(fix, sizeof(fix), "loss=keras.losses.%s(from_logits=True)", loss_class(loss.kind));
        return mismatch(req, pointer, &m->outputs[i], act, units, &loss,
                        "the loss reads the outputs as probabilities, but a non-probability activation produces "
                        "them; Keras normalizes and clips them silently.",
                        fix, findings);
    }
    if (loss.from_logits && is_probability(act)) {
        snprintf(fix, sizeof(fix), "keras.layers.Dense(%lld)  # no activation: the loss applies it (from_logits=True)",
                 (long long)units);
        return mismatch(req, pointer, &m->outputs[i], act, units, &loss,
                        "from_logits=True applies the activation again on outputs that already went through it, "
                        "which flattens the gradients.",
                        fix, findings);
    }
    if (loss.kind == FC_LOSS_BCE && strcmp(act, "softmax") == 0 && units > 1)
        return mismatch(req, pointer, &m->outputs[i], act, units, &loss,
                        "binary cross-entropy scores each unit as its own yes/no question, while softmax makes the "
                        "units compete: for one class among several use categorical cross-entropy, for several "
                        "labels per sample use sigmoid.",
                        "loss=\"categorical_crossentropy\"  # one class per sample (or sigmoid for multi-label)",
                        findings);
    if ((loss.kind == FC_LOSS_CCE || loss.kind == FC_LOSS_SPARSE_CCE) && strcmp(act, "sigmoid") == 0 && units > 1)
        return mismatch(req, pointer, &m->outputs[i], act, units, &loss,
                        "categorical cross-entropy wants a distribution over classes, but independent sigmoids do "
                        "not sum to 1; Keras rescales them silently.",
                        "keras.layers.Dense(units, activation=\"softmax\")", findings);
    if (loss.kind == FC_LOSS_CCE && units == 1)
        return mismatch(req, pointer, &m->outputs[i], act, units, &loss,
                        "with a single unit categorical cross-entropy is always 0, so nothing is learned "
                        "(Keras 3 only warns: \"expected y_pred.shape to be (batch_size, num_classes) with "
                        "num_classes > 1\").",
                        "keras.layers.Dense(1, activation=\"sigmoid\")  # with loss=\"binary_crossentropy\"",
                        findings);
    return FC_OK;
}

fc_status fc_check_activation_loss(const fc_request *req, fc_findings *out)
{
    const json_t *compile = json_object_get(req->body, "compile");
    const json_t *spec = json_object_get(compile, "loss");
    const char *base = "/compile/loss";
    size_t i;
    fc_status result;

    if (spec == NULL)
        spec = fc_loss_from_descriptor(req->model.descriptor, &base);
    for (i = 0; i < req->model.n_outputs; i++) {
        result = check_output(req, spec, base, i, out);
        if (result != FC_OK)
            return result;
    }
    return FC_OK;
}
