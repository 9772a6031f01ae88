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
    const char *base;
    const json_t *spec = fc_loss_spec(req->body, req->model.descriptor, &base);
    size_t i;
    fc_status result;

    for (i = 0; i < req->model.n_outputs; i++) {
        result = check_output(req, spec, base, i, out);
        if (result != FC_OK)
            return result;
    }
    return FC_OK;
}

/* ---- TF.js names ------------------------------------------------------------- */

/*
 * Names TF.js has in no spelling (a Keras name with a TF.js twin, such as
 * categorical_crossentropy / categoricalCrossentropy, is read as that twin).
 */
static const struct tfjs_name {
    const char *kind;     /* "loss", "metric", "optimizer" */
    const char *squashed; /* the name, squashed */
    const char *hint;
    const char *fix;
} tfjs_unknown[] = {
    {"loss", "huber", "TF.js has the function tf.losses.huberLoss, which compile takes as a function.",
     "loss: (yTrue, yPred) => tf.losses.huberLoss(yTrue, yPred)"},
    {"loss", "huberloss", "TF.js has the function tf.losses.huberLoss, which compile takes as a function.",
     "loss: (yTrue, yPred) => tf.losses.huberLoss(yTrue, yPred)"},
    {"loss", "cosinesimilarity", "TF.js's nearest is cosineProximity (the same up to its sign convention).",
     "loss: 'cosineProximity'"},
    {"loss", "categoricalfocalcrossentropy", "TF.js has no focal loss.", "loss: 'categoricalCrossentropy'"},
    {"loss", "binaryfocalcrossentropy", "TF.js has no focal loss.", "loss: 'binaryCrossentropy'"},
    {"loss", "ctc", "TF.js has no CTC loss.", "// a custom loss function"},
    {"loss", "dice", "TF.js has no Dice loss.", "// a custom loss function"},
    {"loss", "tversky", "TF.js has no Tversky loss.", "// a custom loss function"},
    {"metric", "sparsecategoricalaccuracy",
     "'accuracy' with the sparseCategoricalCrossentropy loss computes it (training.ts compile).",
     "metrics: ['accuracy']  // with loss: 'sparseCategoricalCrossentropy'"},
    {"metric", "topkcategoricalaccuracy", "TF.js has it only as the function tf.metrics.topKCategoricalAccuracy.",
     "metrics: [tf.metrics.topKCategoricalAccuracy]"},
    {"metric", "sparsetopkcategoricalaccuracy", "TF.js has no string for it.", "// a custom metric function"},
    {"metric", "auc", "TF.js has no AUC metric.", "// compute the AUC after fit, on model.predict(xVal)"},
    {"metric", "recall", "TF.js has it only as the function tf.metrics.recall.", "metrics: [tf.metrics.recall]"},
    {"metric", "rootmeansquarederror", "TF.js has no RMSE metric; 'mse' is there.", "metrics: ['mse']"},
    {"metric", "rmse", "TF.js has no RMSE metric; 'mse' is there.", "metrics: ['mse']"},
    {"metric", "r2score", "TF.js has no R2 metric.", "// compute R2 after fit, on model.predict(xVal)"},
    {"metric", "f1score", "TF.js has no F1 metric.", "// compute F1 after fit, on model.predict(xVal)"},
    {"metric", "meaniou", "TF.js has no IoU metric.", "// a custom metric function"},
    {"metric", "binarycrossentropy", "'crossentropy' with the binaryCrossentropy loss computes it.",
     "metrics: ['crossentropy']  // with loss: 'binaryCrossentropy'"},
    {"metric", "truepositives", "TF.js has no confusion-matrix metrics.", "// count them after fit"},
    {"metric", "falsepositives", "TF.js has no confusion-matrix metrics.", "// count them after fit"},
    {"metric", "truenegatives", "TF.js has no confusion-matrix metrics.", "// count them after fit"},
    {"metric", "falsenegatives", "TF.js has no confusion-matrix metrics.", "// count them after fit"},
    {"optimizer", "nadam", "TF.js has adam, sgd, rmsprop, adagrad, adadelta and adamax.", "optimizer: 'adam'"},
    {"optimizer", "ftrl", "TF.js has adam, sgd, rmsprop, adagrad, adadelta and adamax.", "optimizer: 'adam'"},
    {"optimizer", "adamw", "TF.js has no weight-decay Adam.", "optimizer: 'adam'  // and an L1L2 kernel regularizer"},
    {"optimizer", "lion", "TF.js has adam, sgd, rmsprop, adagrad, adadelta and adamax.", "optimizer: 'adam'"},
    {"optimizer", "lamb", "TF.js has adam, sgd, rmsprop, adagrad, adadelta and adamax.", "optimizer: 'adam'"},
    {"optimizer", "adafactor", "TF.js has adam, sgd, rmsprop, adagrad, adadelta and adamax.", "optimizer: 'adam'"},
};

static fc_status tfjs_name(const fc_request *req, const char *kind, const json_t *v, const char *pointer,
                           fc_findings *out)
{
    const char *name = json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "class_name"));
    char sq[80], shown[80], error[160], summary[160];
    size_t i;

    if (name == NULL)
        return FC_OK;
    fc_name_squash(name, sq, sizeof(sq));
    for (i = 0; i < sizeof(tfjs_unknown) / sizeof(tfjs_unknown[0]); i++) {
        const struct tfjs_name *n = &tfjs_unknown[i];

        if (strcmp(n->kind, kind) != 0 || strcmp(n->squashed, sq) != 0)
            continue;
        fc_name_camel(name, shown, sizeof(shown));
        snprintf(error, sizeof(error), "Unknown %s %s", strcmp(kind, "optimizer") == 0 ? "Optimizer" : kind,
                 strcmp(kind, "optimizer") == 0 ? name : shown);
        snprintf(summary, sizeof(summary), "Use a %s TF.js has", kind);
        {
            fc_var vars[] = {{"kind", kind}, {"name", name}, {"hint", n->hint}, {"fix_summary", summary},
                             {"fix_code", n->fix}, {"tfjs_error", error}};

            if (fc_findings_add(out, FC_TFJS_UNKNOWN_NAME, &req->target, "TF.js has no {kind} '{name}'", pointer, NULL,
                                NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
                return FC_ERR_NOMEM;
        }
        return FC_OK;
    }
    return FC_OK;
}

fc_status fc_check_tfjs_names(const fc_request *req, fc_findings *out)
{
    const json_t *compile = json_object_get(req->body, "compile"), *spec, *m, *inner;
    char pointer[512];
    const char *key;
    size_t i, j;
    fc_status result = FC_OK;

    if (req->target.framework != FC_FW_TFJS || !json_is_object(compile))
        return FC_OK;
    spec = json_object_get(compile, "loss");
    if (json_is_array(spec)) {
        json_array_foreach(spec, i, m) {
            snprintf(pointer, sizeof(pointer), "/compile/loss/%zu", i);
            if (result == FC_OK)
                result = tfjs_name(req, "loss", m, pointer, out);
        }
    } else if (json_is_object(spec) && json_object_get(spec, "class_name") == NULL) {
        json_object_foreach((json_t *)spec, key, m) {
            fc_pointer_join(pointer, sizeof(pointer), "/compile/loss", key);
            if (result == FC_OK)
                result = tfjs_name(req, "loss", m, pointer, out);
        }
    } else if (spec != NULL) {
        result = tfjs_name(req, "loss", spec, "/compile/loss", out);
    }
    spec = json_object_get(compile, "metrics");
    if (json_is_array(spec)) {
        json_array_foreach(spec, i, m) {
            snprintf(pointer, sizeof(pointer), "/compile/metrics/%zu", i);
            if (result == FC_OK)
                result = tfjs_name(req, "metric", m, pointer, out);
        }
    } else if (json_is_object(spec)) {
        json_object_foreach((json_t *)spec, key, m) {
            char base[480];

            fc_pointer_join(base, sizeof(base), "/compile/metrics", key);
            if (!json_is_array(m) && result == FC_OK)
                result = tfjs_name(req, "metric", m, base, out);
            json_array_foreach(m, j, inner) {
                snprintf(pointer, sizeof(pointer), "%s/%zu", base, j);
                if (result == FC_OK)
                    result = tfjs_name(req, "metric", inner, pointer, out);
            }
        }
    }
    spec = json_object_get(compile, "optimizer");
    if (spec != NULL && result == FC_OK)
        result = tfjs_name(req, "optimizer", spec, "/compile/optimizer", out);
    return result;
}
