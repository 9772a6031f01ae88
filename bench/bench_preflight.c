/*
 * bench_preflight.c - the core's work on a whole preflight request, beside
 * jansson's parse of the body.
 *
 *   bench_preflight [ITERATIONS]
 *
 * The request is the MNIST CNN of the Keras examples (Conv2D 32, MaxPooling,
 * Conv2D 64, MaxPooling, Flatten, Dropout, Dense 10 softmax; 34,826
 * parameters) described by a header: x (60000, 28, 28, 1) float32 with
 * stats, y (60000,) int64 with its ten classes, sparse categorical
 * crossentropy, batch 128. Medians over ITERATIONS (default 2000) of:
 *   parse - json_loadb of the body
 *   core  - fc_preflight_run on the parsed body (descriptor, graph, every
 *           check, the report object)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "fitcheck/preflight.h"

static const char body[] =
    "{\"model\": {\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"mnist_cnn\", "
    "\"layers\": ["
    "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 28, 28, 1], "
    "\"dtype\": \"float32\", \"name\": \"input_layer\"}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv2d\", \"filters\": 32, "
    "\"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"valid\", \"data_format\": \"channels_last\", "
    "\"dilation_rate\": [1, 1], \"activation\": \"relu\", \"use_bias\": true}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"max_pooling2d\", "
    "\"pool_size\": [2, 2], \"strides\": [2, 2], \"padding\": \"valid\", \"data_format\": \"channels_last\"}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv2d_1\", \"filters\": 64, "
    "\"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"valid\", \"data_format\": \"channels_last\", "
    "\"dilation_rate\": [1, 1], \"activation\": \"relu\", \"use_bias\": true}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"max_pooling2d_1\", "
    "\"pool_size\": [2, 2], \"strides\": [2, 2], \"padding\": \"valid\", \"data_format\": \"channels_last\"}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Flatten\", \"config\": {\"name\": \"flatten\"}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout\", \"rate\": 0.5}},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 10, "
    "\"activation\": \"softmax\", \"use_bias\": true}}]}},"
    "\"data\": {\"x\": {\"shape\": [60000, 28, 28, 1], \"dtype\": \"float32\", \"stats\": {\"min\": 0.0, \"max\": 1.0, "
    "\"nan_count\": 0}},"
    "\"y\": {\"shape\": [60000], \"dtype\": \"int64\", \"stats\": {\"min\": 0, \"max\": 9, \"distinct\": "
    "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}}},"
    "\"compile\": {\"loss\": \"sparse_categorical_crossentropy\", \"optimizer\": \"adam\", \"metrics\": [\"accuracy\"]},"
    "\"fit\": {\"batch_size\": 128, \"epochs\": 15, \"validation_split\": 0.1},"
    "\"labels\": {\"project\": \"mnist\"}}";

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 2000, i;
    double *parse, *core, t0;
    json_t *doc, *report = NULL;
    fc_error err;

    if (iters < 1)
        return 2;
    parse = calloc((size_t)iters, sizeof(double));
    core = calloc((size_t)iters, sizeof(double));
    for (i = 0; i < iters; i++) {
        t0 = now_us();
        doc = json_loadb(body, sizeof(body) - 1, 0, NULL);
        parse[i] = now_us() - t0;
        t0 = now_us();
        if (fc_preflight_run(doc, &report, &err) != FC_OK) {
            fprintf(stderr, "preflight failed: %s\n", err.text);
            return 1;
        }
        core[i] = now_us() - t0;
        if (i == 0) {
            json_t *model = json_object_get(report, "model");

            printf("verdict %s, %lld params, %zu findings\n", json_string_value(json_object_get(report, "verdict")),
                   (long long)json_integer_value(json_object_get(model, "total_params")),
                   json_array_size(json_object_get(report, "findings")));
        }
        json_decref(report);
        json_decref(doc);
    }
    qsort(parse, (size_t)iters, sizeof(double), cmp_double);
    qsort(core, (size_t)iters, sizeof(double), cmp_double);
    printf("body            %zu bytes, %d iterations (medians, CLOCK_MONOTONIC)\n", sizeof(body) - 1, iters);
    printf("parse (jansson) %8.1f us\n", parse[iters / 2]);
    printf("core            %8.1f us   (target <= 50 us beyond the parse)\n", core[iters / 2]);
    free(parse);
    free(core);
    return 0;
}
