/*
 * check_containers.c - what holds x and y: tf.data Datasets, generators,
 * Sequences (streams, which yield batches of inputs and targets) and Python
 * lists, against what each release's fit accepts.
 *
 * Sources per release (../scratch research read at the tags named in the
 * catalog rows): Keras 3 get_data_adapter and train_validation_split (checked
 * first in fit); tf.keras 2 select_data_adapter, DatasetAdapter,
 * GeneratorDataAdapter, KerasSequenceAdapter and DataHandler (v2.6-v2.15,
 * TensorFlow 2.2-2.5 judged alike); TensorFlow 2.0-2.1 training_v2.py;
 * standalone Keras 2.2.5-2.3 sends generators and Sequences to fit_generator after
 * check_generator_arguments, and before 2.2.5 (commit 7c7e51ea5a) fit takes arrays only.
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"

#define VAR(n, v) {n, v}

/* Standalone Keras (2.0-2.3), not tf.keras. */
static int standalone(const fc_target *t)
{
    return t->framework == FC_FW_TFKERAS2 && t->version.line == FC_LINE_KERAS2;
}

/* "a tf.data.Dataset", "a Python generator", "a keras.utils.Sequence". */
static const char *container_a(fc_container c)
{
    switch (c) {
    case FC_CONTAINER_DATASET:
        return "a tf.data.Dataset";
    case FC_CONTAINER_GENERATOR:
        return "a Python generator";
    case FC_CONTAINER_SEQUENCE:
        return "a keras.utils.Sequence (PyDataset)";
    case FC_CONTAINER_DATAFRAME:
        return "a pandas.DataFrame";
    case FC_CONTAINER_SERIES:
        return "a pandas.Series";
    case FC_CONTAINER_LIST:
        return "a Python list";
    case FC_CONTAINER_ARRAY_LIST:
        return "a Python list of arrays";
    case FC_CONTAINER_TENSOR:
        return "a tensor";
    case FC_CONTAINER_NUMPY:
        break;
    }
    return "a NumPy array";
}

/* The type Python prints for the stream in Keras's validation_split message. */
static const char *type_repr(fc_container c)
{
    return c == FC_CONTAINER_GENERATOR ? "<class 'generator'>"
           : c == FC_CONTAINER_DATASET ? "<class 'tensorflow.python.data.ops.\u2026'>"
                                       : "<class '\u2026'>";
}

/* Standalone Keras: tf.data is unknown, and before 2.2.5 (commit 7c7e51ea5a) generators need fit_generator. */
static int stream_unsupported(const fc_request *req, fc_container c, fc_findings *out, fc_status *result)
{
    const char *detail, *fix_summary, *fix_code, *k2;

    if (!standalone(&req->target))
        return 0;
    if (c == FC_CONTAINER_DATASET) {
        detail = "standalone Keras knows no tf.data; its fit takes NumPy arrays (or backend tensors).";
        fix_summary = "Feed NumPy arrays, or move to tf.keras (TensorFlow 2), whose fit takes a Dataset";
        fix_code = "model.fit(x_array, y_array, batch_size=32)";
        k2 = "(fails reading the Dataset as an array: AttributeError ... has no attribute 'ndim'; derived from "
             "standardize_single_array, not run)";
    } else if (!fc_target_in(&req->target, "keras2 2.2.5-2.3.1")) {
        detail = "before Keras 2.2.5, generators and Sequences go to fit_generator.";
        fix_summary = "Call fit_generator with the number of batches per epoch";
        fix_code = "model.fit_generator(gen, steps_per_epoch=n_samples // batch_size, epochs=epochs)";
        k2 = c == FC_CONTAINER_GENERATOR ? "AttributeError: 'generator' object has no attribute 'ndim'"
                                         : "AttributeError: '...' object has no attribute 'ndim'";
    } else {
        return 0;
    }
    fc_var vars[] = {VAR("container_a", container_a(c)), VAR("detail", detail), VAR("fix_summary", fix_summary),
                     VAR("fix_code", fix_code), VAR("k2_error", k2)};
    *result = fc_findings_add(out, FC_STREAM_UNSUPPORTED, &req->target, "fit of this release does not take {container_a}",
                              "/data/x", NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL
                  ? FC_ERR_NOMEM
                  : FC_OK;
    return 1;
}

static fc_status check_split(const fc_request *req, fc_container c, fc_findings *out)
{
    char split[32];
    fc_finding *f;

    if (req->validation_split <= 0.0 || (req->target.framework == FC_FW_TFJS && req->validation_split >= 1.0))
        return FC_OK;
    snprintf(split, sizeof(split), "%g", req->validation_split);
    fc_var vars[] = {VAR("container_a", container_a(c)), VAR("container", fc_container_name(c)),
                     VAR("split", split), VAR("type_repr", type_repr(c))};
    f = fc_findings_add(out, FC_VALIDATION_SPLIT_UNSUPPORTED, &req->target,
                        "validation_split={split} with {container_a}: only arrays can be split",
                        "/fit/validation_split", NULL, NULL, vars, sizeof(vars) / sizeof(vars[0]));
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (req->target.framework == FC_FW_TFJS)
        f->severity = FC_SEV_WARNING; /* ignored, not refused */
    return FC_OK;
}

/* y given as arrays beside a stream (a y described as a stream is the targets the stream yields). */
static fc_status check_y(const fc_request *req, fc_container c, fc_findings *out)
{
    const char *k3, *k2;

    if (req->y.form == FC_DATA_NONE || fc_arrays_stream(&req->y) != FC_CONTAINER_NUMPY)
        return FC_OK;
    k3 = c == FC_CONTAINER_DATASET ? "tf.data.Dataset"
         : c == FC_CONTAINER_SEQUENCE || !fc_target_in(&req->target, "keras3 3.15-")
             ? "PyDataset" /* Keras 3.0-3.14 name a generator so too */
             : "generator";
    k2 = c == FC_CONTAINER_DATASET ? "dataset" : c == FC_CONTAINER_GENERATOR ? "python generator"
                                                                            : "`keras.utils.Sequence`";
    fc_var vars[] = {VAR("container_a", container_a(c)), VAR("y_container_a", container_a(req->y.items[0].container)),
                     VAR("k3_type", k3), VAR("k2_type", k2)};
    return fc_findings_add(out, FC_STREAM_WITH_Y, &req->target,
                           "y is passed beside {container_a}, which yields its own targets", "/data/y", NULL, NULL,
                           vars, sizeof(vars) / sizeof(vars[0])) == NULL
               ? FC_ERR_NOMEM
               : FC_OK;
}

static fc_status check_batch_size(const fc_request *req, const fc_tensor *t, fc_findings *out)
{
    char bs[24], own[48] = "";
    fc_finding *f;

    if (!req->batch_size_given)
        return FC_OK;
    snprintf(bs, sizeof(bs), "%lld", (long long)req->batch_size);
    if (t->batch_size > 0)
        snprintf(own, sizeof(own), " (of %lld)", (long long)t->batch_size);
    if (t->batch_size == req->batch_size && !fc_target_in(&req->target, "keras2 2.2.5-2.3.1; tf 1.0-2.1"))
        return FC_OK; /* ignored, but it asks for what the stream gives */
    fc_var vars[] = {VAR("container_a", container_a(t->container)), VAR("container", fc_container_name(t->container)),
                     VAR("batch_size", bs), VAR("own_batch", own)};
    f = fc_findings_add(out, FC_BATCH_SIZE_WITH_STREAM, &req->target,
                        "batch_size={batch_size} with {container_a}{own_batch}: fit does not batch a stream",
                        "/fit/batch_size", NULL, NULL, vars, sizeof(vars) / sizeof(vars[0]));
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (fc_target_in(&req->target, "keras2 2.2.5-2.3.1; tf 1.0-2.1"))
        f->severity = FC_SEV_ERROR; /* refused before training */
    return FC_OK;
}

static fc_status check_steps(const fc_request *req, const fc_tensor *t, fc_findings *out)
{
    const char *why, *behaviour;
    int gen23 = fc_target_in(&req->target, "keras2 2.2.5-2.3.1") && t->container == FC_CONTAINER_GENERATOR;

    if (req->steps_per_epoch > 0 || !(t->batches == -1 || gen23))
        return FC_OK;
    why = t->batches == -1 ? "an infinite dataset: cardinality -1, as after .repeat()"
                           : "a Python generator has no length";
    behaviour = req->target.framework == FC_FW_KERAS3
                    ? "Keras 3 raises nothing: the first epoch never ends, so epoch-end callbacks, validation and "
                      "checkpoints never run."
                : req->target.framework == FC_FW_TFJS
                    ? "TF.js's fitDataset without batchesPerEpoch runs the first epoch until the dataset ends, which "
                      "here it never does."
                    : "This release refuses it before training.";
    fc_var vars[] = {VAR("container_a", container_a(t->container)), VAR("why", why), VAR("behaviour", behaviour)};
    return fc_findings_add(out, FC_STREAM_STEPS_REQUIRED, &req->target,
                           "{container_a} with no end and no steps_per_epoch", "/fit/steps_per_epoch", NULL, NULL,
                           vars, sizeof(vars) / sizeof(vars[0])) == NULL
               ? FC_ERR_NOMEM
               : FC_OK;
}

/* steps (steps_per_epoch or validation_steps) beyond the batches a finite stream gives per pass. */
static fc_status check_ran_out(const fc_request *req, const fc_tensor *t, int64_t steps, int validation,
                               fc_findings *out)
{
    char steps_s[24], avail[24], needed[24];
    const char *behaviour, *name = validation ? "validation_steps" : "steps_per_epoch";
    int js = req->target.framework == FC_FW_TFJS;
    fc_finding *f;

    if (steps <= 0 || t->batches <= 0 || steps <= t->batches || standalone(&req->target))
        return FC_OK; /* standalone Keras's enqueuers wrap a Sequence around */
    snprintf(steps_s, sizeof(steps_s), "%lld", (long long)steps);
    snprintf(avail, sizeof(avail), "%lld", (long long)t->batches);
    snprintf(needed, sizeof(needed), "%lld",
             (long long)(validation ? steps : (steps > INT64_MAX / req->epochs ? INT64_MAX : steps * req->epochs)));
    if (validation)
        behaviour = req->target.framework == FC_FW_KERAS3
                        ? "Keras 3 evaluates the batches there are at each epoch end and warns each time."
                        : "Validation runs the batches there are and warns; the validation iterator is not "
                          "restarted, so later epochs may report no val_ metrics.";
    else if (req->target.framework == FC_FW_KERAS3)
        behaviour = "Keras 3 runs the batches there are in every epoch and warns each time: every epoch is shorter "
                    "than asked.";
    else if (js)
        behaviour = "TF.js's fitDataset warns and interrupts training when the dataset iterator runs out.";
    else
        behaviour = "tf.keras does not restart a stream whose steps differ from its length: the batches run once, "
                    "then it warns and stops training, in the first epoch.";
    fc_var vars[] = {VAR("steps_name", js && !validation ? "batchesPerEpoch" : name), VAR("steps", steps_s),
                     VAR("container_a", container_a(t->container)), VAR("available", avail),
                     VAR("needed", needed), VAR("behaviour", behaviour)};
    size_t nv = sizeof(vars) / sizeof(vars[0]);

    f = fc_findings_add(out, FC_STREAM_RAN_OUT, &req->target, "{steps_name}={steps} but the stream has {available} "
                        "batches", validation ? "/fit/validation_steps" : "/fit/steps_per_epoch", NULL, NULL, vars, nv);
    if (f == NULL)
        return FC_ERR_NOMEM;
    if (js) {
        char text[600];

        snprintf(text, sizeof(text), "You provided `batchesPerEpoch` as %s, but your dataset iterator ran out of "
                 "data after %s batches; interrupting training. Make sure that your dataset can generate at least "
                 "`batchesPerEpoch * epochs` batches (in this case, %s batches). You may need to use the repeat() "
                 "function when building your dataset.", steps_s, avail, needed);
        return fc_finding_set_error(f, text, NULL, 0);
    }
    return FC_OK;
}

/* "28, 28, 28" as Keras lists the sizes of a list's arrays, cut after three. */
static void sizes_of(const fc_tensor *t, char *buf, size_t size)
{
    char d[24];

    if (t->shape.rank < 2 || t->shape.dims[1] == FC_DIM_UNKNOWN)
        snprintf(d, sizeof(d), "None");
    else
        snprintf(d, sizeof(d), "%lld", (long long)t->shape.dims[1]);
    snprintf(buf, size, "%s, %s, %s, ", d, d, d);
}

/* The type repr tf.keras's select_data_adapter prints for an argument. */
static void k2_type_name(const fc_arrays *a, char *buf, size_t size)
{
    const fc_tensor *t = a->len > 0 ? &a->items[0] : NULL;

    if (t == NULL)
        snprintf(buf, size, "<class 'NoneType'>");
    else if (t->container == FC_CONTAINER_LIST)
        snprintf(buf, size, "(<class 'list'> containing values of types {\"%s\"})",
                 t->shape.rank > 1 ? "(<class 'list'> containing values of types \u2026)"
                 : t->dtype != NULL && fc_dtype_is_integer(t->dtype) ? "<class 'int'>"
                                                                     : "<class 'float'>");
    else
        snprintf(buf, size, "<class 'numpy.ndarray'>");
}

/*
 * TF.js: fit takes tensors only. standardizeInputData reads a JS array as one
 * tensor per model input (x) or output (y): an array of samples fails the
 * count check, unless it holds exactly as many samples as there are inputs,
 * when the first sample is read as a tensor and a TypeError follows. Run with
 * TF.js 1.0.0 and 4.22 (nested arrays, arrays of numbers, arrays of tensors).
 */
static fc_status check_lists_tfjs(const fc_request *req, const fc_arrays *a, const char *which, fc_findings *out)
{
    int is_x = a == &req->x;
    size_t expected = is_x ? req->model.n_inputs : req->model.n_outputs;
    size_t i;

    for (i = 0; i < a->len; i++) {
        const fc_tensor *t = &a->items[i];
        int list = t->container == FC_CONTAINER_LIST;
        char n[24], count[24], sample[200], first[24];
        fc_shape s = t->shape;
        fc_finding *f;
        int k;

        if (!(list || (t->container == FC_CONTAINER_ARRAY_LIST && t->shape.rank >= 2)) || t->shape.rank < 1)
            continue;
        snprintf(n, sizeof(n), "%lld", (long long)t->shape.dims[0]);
        snprintf(count, sizeof(count), "%zu", expected);
        snprintf(first, sizeof(first), "%lld", t->shape.rank > 1 ? (long long)t->shape.dims[1] : 1LL);
        s.rank = t->shape.rank > 0 ? t->shape.rank - 1 : 0;
        for (k = 0; k < s.rank; k++)
            s.dims[k] = t->shape.dims[k + 1];
        fc_shape_format(&s, 0, sample, sizeof(sample));
        fc_var vars[] = {VAR("which", which), VAR("list_a", list ? "a plain JavaScript array" : "a JavaScript array"),
                         VAR("what", t->shape.rank > 1 ? "nested arrays, one per sample" : "of numbers"),
                         VAR("js_role", is_x ? "input" : "target"), VAR("expected_count", count), VAR("n", n),
                         VAR("sample", sample), VAR("first", first), VAR("sizes", ""), VAR("stacked", ""),
                         VAR("k3_repr", ""), VAR("k3_type", ""), VAR("k2_x", ""), VAR("k2_y", "")};
        size_t nv = sizeof(vars) / sizeof(vars[0]);

        f = fc_findings_add(out, list ? FC_LIST_NOT_ACCEPTED : FC_LIST_OF_SAMPLE_ARRAYS, &req->target,
                            list ? "{which} is a plain JavaScript array, not a tensor"
                                 : "{which} is an array of {n} per-sample tensors of shape {sample}",
                            t->pointer, NULL, NULL, vars, nv);
        if (f == NULL)
            return FC_ERR_NOMEM;
        if (t->shape.dims[0] >= 0 && (size_t)t->shape.dims[0] == expected &&
            fc_finding_set_error(f, fc_variant_text(FC_V_LIST_TFJS_AS_TENSORS, &req->target), NULL, 0) != FC_OK)
            return FC_ERR_NOMEM;
        if (fc_finding_set_fix(f, 0, list ? "Make a tensor of the array" : "Stack the per-sample tensors into one",
                               list ? (t->shape.rank == 1   ? "{which} = tf.tensor1d({which});"
                                       : t->shape.rank == 2 ? "{which} = tf.tensor2d({which});"
                                                            : "{which} = tf.tensor({which});")
                                    : "{which} = tf.stack({which});",
                               vars, nv) != FC_OK)
            return FC_ERR_NOMEM;
    }
    return FC_OK;
}

static fc_status check_lists(const fc_request *req, const fc_arrays *a, const char *which, fc_findings *out)
{
    const fc_arrays *other = a == &req->x ? &req->y : &req->x;
    int modern = req->target.framework == FC_FW_KERAS3 ||
                 (req->target.framework == FC_FW_TFKERAS2 && !fc_target_has(&req->target, FC_B_LEGACY_STANDARDIZE));
    size_t i;

    if (req->target.framework == FC_FW_TFJS)
        return check_lists_tfjs(req, a, which, out);
    for (i = 0; i < a->len; i++) {
        const fc_tensor *t = &a->items[i];

        if (t->container == FC_CONTAINER_LIST && modern) {
            int other_list = other->len == 0 || other->items[0].container == FC_CONTAINER_LIST;
            char k2x[200], k2y[200], xcount[24], ycount[24];
            const char *what = t->shape.rank > 1 ? "nested lists, one per sample" : "of numbers";

            if (req->target.framework == FC_FW_TFKERAS2 && other_list)
                continue; /* ListsOfScalarsDataAdapter takes x and y lists together */
            snprintf(xcount, sizeof(xcount), "%zu", req->model.n_inputs);
            snprintf(ycount, sizeof(ycount), "%zu", req->model.n_outputs);
            k2_type_name(&req->x, k2x, sizeof(k2x));
            k2_type_name(&req->y, k2y, sizeof(k2y));
            /* Keras 3 names x in the message whichever argument is the list */
            fc_var vars[] = {VAR("which", which), VAR("what", what), VAR("list_a", "a Python list"),
                             VAR("js_role", a == &req->x ? "input" : "target"),
                             VAR("expected_count", a == &req->x ? xcount : ycount),
                             VAR("k3_repr", a == &req->x || other->len == 0 ||
                                                    other->items[0].container == FC_CONTAINER_LIST
                                                ? "[\u2026]"
                                                : "array(\u2026)"),
                             VAR("k3_type", a == &req->x || other->len == 0 ||
                                                    other->items[0].container == FC_CONTAINER_LIST
                                                ? "<class 'list'>"
                                                : "<class 'numpy.ndarray'>"),
                             VAR("k2_x", k2x), VAR("k2_y", k2y)};
            if (fc_findings_add(out, FC_LIST_NOT_ACCEPTED, &req->target, "{which} is a Python list {what}",
                                t->pointer, NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
                return FC_ERR_NOMEM;
        } else if (t->container == FC_CONTAINER_ARRAY_LIST && t->shape.rank >= 2) {
            char n[24], sizes[96], sample[200], stacked[200], first[24], count[24];
            fc_shape s = t->shape;
            int k;

            snprintf(n, sizeof(n), "%lld", (long long)t->shape.dims[0]);
            snprintf(first, sizeof(first), "%lld", (long long)t->shape.dims[1]);
            snprintf(count, sizeof(count), "%zu", a == &req->x ? req->model.n_inputs : req->model.n_outputs);
            sizes_of(t, sizes, sizeof(sizes));
            fc_shape_format(&t->shape, 0, stacked, sizeof(stacked));
            s.rank = t->shape.rank - 1;
            for (k = 0; k < s.rank; k++)
                s.dims[k] = t->shape.dims[k + 1];
            fc_shape_format(&s, 0, sample, sizeof(sample));
            fc_var vars[] = {VAR("which", which), VAR("n", n), VAR("sample", sample), VAR("first", first),
                             VAR("list_a", "a Python list"), VAR("js_role", a == &req->x ? "input" : "target"),
                             VAR("stacked", stacked), VAR("sizes", sizes), VAR("expected_count", count)};
            if (fc_findings_add(out, FC_LIST_OF_SAMPLE_ARRAYS, &req->target,
                                "{which} is a list of {n} per-sample arrays of shape {sample}", t->pointer, NULL,
                                NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
                return FC_ERR_NOMEM;
        }
    }
    return FC_OK;
}

fc_status fc_check_containers(const fc_request *req, fc_findings *out)
{
    fc_container c = fc_arrays_stream(&req->x);
    fc_status result = FC_OK;

    if (req->validation_view)
        return FC_OK;
    result = check_lists(req, &req->x, "x", out);
    if (result == FC_OK)
        result = check_lists(req, &req->y, "y", out);
    if (result == FC_OK && fc_arrays_stream(&req->vx) != FC_CONTAINER_NUMPY)
        result = check_ran_out(req, &req->vx.items[0], req->validation_steps, 1, out);
    if (result != FC_OK || c == FC_CONTAINER_NUMPY)
        return result;
    if (stream_unsupported(req, c, out, &result))
        return result;
    result = check_split(req, c, out);
    if (result == FC_OK)
        result = check_y(req, c, out);
    if (result == FC_OK)
        result = check_batch_size(req, &req->x.items[0], out);
    if (result == FC_OK)
        result = check_steps(req, &req->x.items[0], out);
    if (result == FC_OK)
        result = check_ran_out(req, &req->x.items[0], req->steps_per_epoch, 0, out);
    return result;
}
