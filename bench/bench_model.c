/*
 * bench_model.c - how long the model half of a preflight takes, beside the
 * cost of parsing the JSON it comes in.
 *
 *   bench_model FILE [ITERATIONS]
 *
 * For FILE (a descriptor, e.g. the corpus ResNet50 model.json) it measures,
 * each as the median of ITERATIONS runs (default 200) on CLOCK_MONOTONIC:
 *   parse  - json_loadb of the bytes alone (jansson's bare parse)
 *   graph  - fc_model_parse + fc_graph_infer on the already parsed JSON
 *   total  - parse + graph, what a request pays for the model
 * and prints them with the ratios the targets are stated in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "fitcheck/graph.h"
#include "fitcheck/model.h"

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

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        return NULL;
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The model half on parsed JSON; returns the total params (-1 unknown). */
static long long model_half(const json_t *doc)
{
    fc_model m;
    fc_graph g;
    long long total = -2;

    if (fc_model_parse(doc, "/model", &m, NULL) != FC_OK)
        return -2;
    if (fc_graph_infer(&m, NULL, &(fc_target){.framework = m.framework}, 0, &g, NULL) == FC_OK) {
        total = g.params_known ? (long long)(g.trainable + g.non_trainable) : -1;
        fc_graph_release(&g);
    }
    fc_model_release(&m);
    return total;
}

int main(int argc, char **argv)
{
    int iters = argc > 2 ? atoi(argv[2]) : 200, i;
    size_t len;
    char *text;
    double *parse, *graph, *total, t0, mp, mg, mt;
    long long params = 0;
    json_t *doc;

    if (argc < 2 || iters < 1) {
        fprintf(stderr, "usage: bench_model FILE [ITERATIONS]\n");
        return 2;
    }
    text = read_all(argv[1], &len);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    parse = calloc((size_t)iters, sizeof(double));
    graph = calloc((size_t)iters, sizeof(double));
    total = calloc((size_t)iters, sizeof(double));
    for (i = 0; i < iters; i++) {
        t0 = now_us();
        doc = json_loadb(text, len, 0, NULL);
        parse[i] = now_us() - t0;
        t0 = now_us();
        params = model_half(doc);
        graph[i] = now_us() - t0;
        json_decref(doc);
        t0 = now_us();
        doc = json_loadb(text, len, 0, NULL);
        params = model_half(doc);
        total[i] = now_us() - t0;
        json_decref(doc);
    }
    mp = median(parse, iters);
    mg = median(graph, iters);
    mt = median(total, iters);
    printf("file            %s (%zu bytes)\n", argv[1], len);
    printf("params          %lld\n", params);
    printf("iterations      %d (medians, CLOCK_MONOTONIC)\n", iters);
    printf("parse (jansson) %9.1f us\n", mp);
    printf("graph+infer     %9.1f us   (target <= 500 us)\n", mg);
    printf("parse+graph     %9.1f us   = %.3f x parse (target <= 1.25)\n", mt, mt / mp);
    free(parse);
    free(graph);
    free(total);
    free(text);
    return 0;
}
