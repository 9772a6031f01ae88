/*
 * resources.c - how much memory the data and the training take: the report's
 * "resources" section, and the findings when the environment the request
 * describes cannot hold them.
 *
 * Device estimate for one training step at batch_size B, float32:
 *   weights W x 4 bytes, gradients W x 4, optimizer slots 2 W x 4 (Adam's m and v),
 *   activations: every layer's output for B samples, kept for the backward
 *   pass and matched by a gradient of the same size (2 x elements x 4).
 * It leaves out the framework's own overheads, so it is a floor.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "fitcheck/resources.h"

#define VAR(n, v) {n, v}

#define MIB(n) ((int64_t)(n) * 1048576)
#define GIB(n) ((int64_t)(n) * 1073741824)

/*
 * Presets: the memory nvidia-smi reports as total for each GPU (what TensorFlow
 * can reserve is a little less), and the host memory of hosted notebooks.
 */
static const fc_device_preset presets[] = {
    {"K80", "NVIDIA K80 (one GPU of the board, 12 GB)", MIB(11441), -1},
    {"P100", "NVIDIA P100 (16 GB)", MIB(16280), -1},
    {"T4", "NVIDIA T4 (16 GB)", MIB(15360), -1},
    {"V100-16GB", "NVIDIA V100 (16 GB)", MIB(16160), -1},
    {"V100-32GB", "NVIDIA V100 (32 GB)", MIB(32510), -1},
    {"A10G", "NVIDIA A10G (24 GB)", MIB(23028), -1},
    {"L4", "NVIDIA L4 (24 GB)", MIB(23034), -1},
    {"RTX-3090", "NVIDIA GeForce RTX 3090 (24 GB)", MIB(24268), -1},
    {"RTX-4090", "NVIDIA GeForce RTX 4090 (24 GB)", MIB(24564), -1},
    {"A100-40GB", "NVIDIA A100 (40 GB)", MIB(40536), -1},
    {"A100-80GB", "NVIDIA A100 (80 GB)", MIB(81920), -1},
    {"H100-80GB", "NVIDIA H100 (80 GB)", MIB(81559), -1},
    {"colab-free", "Google Colab, free tier (a T4 with 15 GB, 12.7 GB of host memory)", MIB(15360),
     (int64_t)12700000000},
    {"cpu-8GB", "a CPU machine with 8 GB of memory", 0, GIB(8)},
    {"cpu-16GB", "a CPU machine with 16 GB of memory", 0, GIB(16)},
    {"cpu-32GB", "a CPU machine with 32 GB of memory", 0, GIB(32)},
    {"cpu-64GB", "a CPU machine with 64 GB of memory", 0, GIB(64)},
};

const fc_device_preset *fc_device_preset_find(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (strcasecmp(presets[i].name, name) == 0)
            return &presets[i];
    }
    return NULL;
}

void fc_device_preset_names(char *buf, size_t size)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < sizeof(presets) / sizeof(presets[0]) && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", presets[i].name);
}

/* The largest GPU preset. */
static const fc_device_preset *largest_gpu(void)
{
    const fc_device_preset *best = &presets[0];
    size_t i;

    for (i = 1; i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (presets[i].device_bytes > best->device_bytes)
            best = &presets[i];
    }
    return best;
}

int64_t fc_largest_common_gpu_bytes(void)
{
    return largest_gpu()->device_bytes;
}

void fc_human_bytes(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    size_t u = 0;

    while (bytes >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        bytes /= 1000.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%.0f bytes", bytes);
    else
        snprintf(buf, size, "%.1f %s", bytes, units[u]);
}

/* Sum of the arrays' bytes; -1 when any is unknown. */
static int64_t arrays_bytes(const fc_arrays *a)
{
    int64_t total = 0, b;
    size_t i;

    for (i = 0; i < a->len; i++) {
        b = fc_tensor_bytes(&a->items[i], NULL);
        if (b < 0 || b > INT64_MAX - total)
            return -1;
        total += b;
    }
    return total;
}

/* Elements of every layer's first-call outputs for one sample; -1 when a shape is unknown. */
static int64_t activation_elements(const fc_graph *g)
{
    int64_t total = 0, n;
    size_t i, o;

    for (i = 0; i < g->n_layers; i++) {
        for (o = 0; o < g->layers[i].n_outputs; o++) {
            if (!fc_shape_num_elements(&g->layers[i].outputs[o], 1, &n) || n > INT64_MAX - total)
                return -1;
            total += n;
        }
    }
    return total;
}

void fc_resources_compute(const fc_request *req, fc_resources *out)
{
    int64_t w, act, per;

    memset(out, 0, sizeof(*out));
    out->device = req->device;
    if (req->device_memory_bytes > 0) {
        out->device_bytes = req->device_memory_bytes;
        out->device_source = req->device != NULL && fc_device_preset_find(req->device) != NULL &&
                                     (fc_device_preset_find(req->device)->device_bytes == req->device_memory_bytes ||
                                      fc_device_preset_find(req->device)->host_bytes == req->device_memory_bytes)
                                 ? "preset"
                                 : "declared";
    } else {
        out->device_bytes = fc_largest_common_gpu_bytes();
        out->device_source = "assumed";
    }
    out->dataset_bytes = -1;
    out->weights_bytes = -1;
    out->training_bytes = -1;
    if (req->x.len > 0) {
        int64_t x = arrays_bytes(&req->x), y = req->y.len ? arrays_bytes(&req->y) : 0;

        if (x >= 0 && y >= 0 && x <= INT64_MAX - y)
            out->dataset_bytes = x + y;
    }
    if (!req->graph.params_known)
        return;
    w = req->graph.trainable + req->graph.non_trainable;
    if (w > INT64_MAX / 16)
        return;
    out->weights_bytes = 4 * w;
    out->gradients_bytes = 4 * req->graph.trainable;
    out->optimizer_bytes = 8 * req->graph.trainable;
    act = activation_elements(&req->graph);
    if (act < 0 || !fc_mul_i64(act, req->batch_size, &per) || per > INT64_MAX / 8)
        return;
    out->activations_bytes = 8 * per;
    if (out->activations_bytes > INT64_MAX - out->weights_bytes - out->gradients_bytes - out->optimizer_bytes)
        return;
    out->training_bytes = out->weights_bytes + out->gradients_bytes + out->optimizer_bytes + out->activations_bytes;
}

static json_t *bytes_json(int64_t v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *size_json(int64_t v)
{
    char buf[32];

    if (v < 0)
        return json_null();
    fc_human_bytes((double)v, buf, sizeof(buf));
    return json_string(buf);
}

json_t *fc_resources_json(const fc_resources *r)
{
    json_t *obj = json_object();

    if (obj == NULL)
        return NULL;
    json_object_set_new(obj, "dataset_bytes", bytes_json(r->dataset_bytes));
    json_object_set_new(obj, "dataset_size", size_json(r->dataset_bytes));
    json_object_set_new(obj, "weights_bytes", bytes_json(r->weights_bytes));
    json_object_set_new(obj, "training_memory_bytes", bytes_json(r->training_bytes));
    json_object_set_new(obj, "training_memory_size", size_json(r->training_bytes));
    {
        char note[256], size[32];

        fc_human_bytes((double)r->device_bytes, size, sizeof(size));
        if (strcmp(r->device_source, "assumed") == 0)
            snprintf(note, sizeof(note), "no device was declared (environment.device or device_memory_bytes): the "
                     "training estimate is held against the largest common single GPU, %s (%s)", size,
                     largest_gpu()->name);
        else if (r->device != NULL)
            snprintf(note, sizeof(note), "%s", fc_device_preset_find(r->device)->description);
        else
            snprintf(note, sizeof(note), "device_memory_bytes as declared");
        json_object_set_new(obj, "device", json_pack("{s:o, s:I, s:s, s:s, s:s}", "name",
                                                     r->device ? json_string(r->device) : json_null(),
                                                     "memory_bytes", (json_int_t)r->device_bytes, "memory_size",
                                                     size, "source", r->device_source, "note", note));
    }
    if (json_object_size(obj) != 6) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

fc_status fc_check_resources(const fc_request *req, const fc_resources *r, fc_findings *out)
{
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
    int64_t copies = 0;
    size_t i;

    if (req->host_memory_bytes > 0 && r->dataset_bytes > req->host_memory_bytes / 2) {
        for (i = 0; i < req->x.len; i++) {
            const char *dt = req->x.items[i].dtype;

            if (dt != NULL && strcmp(dt, "float32") != 0 && req->target.framework != FC_FW_TFJS) {
                int64_t bytes = fc_tensor_bytes(&req->x.items[i], "float32");

                if (bytes > 0 && bytes <= INT64_MAX - copies)
                    copies += bytes;
            }
        }
        if (r->dataset_bytes > INT64_MAX - copies || r->dataset_bytes + copies > req->host_memory_bytes) {
            fc_human_bytes((double)r->dataset_bytes, a, sizeof(a));
            fc_human_bytes((double)copies, b, sizeof(b));
            fc_human_bytes((double)req->host_memory_bytes, c, sizeof(c));
            fc_var vars[] = {VAR("dataset", a), VAR("copies", b), VAR("host", c)};
            if (fc_findings_add(out, FC_DATASET_EXCEEDS_MEMORY, &req->target,
                                "the arrays take {dataset} (+{copies} of converted copies); the host has {host}",
                                "/environment/host_memory_bytes", NULL, NULL, vars,
                                sizeof(vars) / sizeof(vars[0])) == NULL)
                return FC_ERR_NOMEM;
        }
    }
    if (req->device_memory_bytes < 0 && r->training_bytes > r->device_bytes) {
        const fc_device_preset *big = largest_gpu();
        int64_t fixed = r->weights_bytes + r->gradients_bytes + r->optimizer_bytes;

        fc_human_bytes((double)r->training_bytes, a, sizeof(a));
        fc_human_bytes((double)big->device_bytes, b, sizeof(b));
        fc_human_bytes((double)fixed, c, sizeof(c));
        fc_human_bytes((double)r->activations_bytes, d, sizeof(d));
        snprintf(g, sizeof(g), "%lld", (long long)req->batch_size);
        fc_var vars[] = {VAR("estimate", a), VAR("largest", b), VAR("largest_name", big->name), VAR("fixed", c),
                         VAR("activations", d), VAR("batch_size", g),
                         VAR("what", fixed > big->device_bytes ? "the weights, their gradients and the optimizer's "
                                                                 "slots alone"
                                                               : "the activations of one batch")};
        if (fc_findings_add(out, FC_TRAINING_EXCEEDS_COMMON_GPUS, &req->target,
                            "training needs about {estimate} at batch_size={batch_size}, more than any common single "
                            "GPU ({largest}, {largest_name})",
                            "/environment", NULL, NULL, vars, sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    if (req->device_memory_bytes > 0 && r->training_bytes > req->device_memory_bytes) {
        int64_t fixed = r->weights_bytes + r->gradients_bytes + r->optimizer_bytes;
        int64_t per_sample = req->batch_size > 0 ? r->activations_bytes / req->batch_size : 0;
        int64_t suggest = per_sample > 0 && req->device_memory_bytes > fixed
                              ? (req->device_memory_bytes - fixed) / per_sample
                              : 0;

        fc_human_bytes((double)r->training_bytes, a, sizeof(a));
        fc_human_bytes((double)r->weights_bytes, b, sizeof(b));
        fc_human_bytes((double)r->gradients_bytes, c, sizeof(c));
        fc_human_bytes((double)r->optimizer_bytes, d, sizeof(d));
        fc_human_bytes((double)r->activations_bytes, e, sizeof(e));
        fc_human_bytes((double)req->device_memory_bytes, f, sizeof(f));
        snprintf(g, sizeof(g), "%lld", (long long)req->batch_size);
        snprintf(h, sizeof(h), "%lld", (long long)(suggest >= 1 ? suggest : 1));
        fc_var vars[] = {VAR("estimate", a), VAR("weights", b), VAR("grads", c), VAR("slots", d),
                         VAR("activations", e), VAR("device", f), VAR("batch_size", g), VAR("suggest", h)};
        if (fc_findings_add(out, FC_DEVICE_MEMORY_EXCEEDED, &req->target,
                            "training needs about {estimate} at batch_size={batch_size}; the device has {device}",
                            strcmp(r->device_source, "preset") == 0 ? "/environment/device"
                                                                     : "/environment/device_memory_bytes",
                            NULL, NULL, vars,
                            sizeof(vars) / sizeof(vars[0])) == NULL)
            return FC_ERR_NOMEM;
    }
    return FC_OK;
}
