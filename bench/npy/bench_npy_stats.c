/*
 * bench/npy/bench_npy_stats.c - throughput of the .npy scanner (server/npy.c)
 * on the shapes the statistics depend on: 1-D and 2-D float32 (row sums on
 * 2-D), one-hot float32 labels, uint8 images and uint8 labels.
 *
 *   bench_npy_stats [MB] [ITERATIONS] [CHUNK] [PATTERN]
 *
 * Each file (about MB megabytes, default 100) is built in memory and fed to
 * fc_npy_feed in CHUNK-byte pieces (default 65536) ITERATIONS times
 * (default 7); it prints the best and median MB/s (10^6 bytes of file per
 * second, CLOCK_MONOTONIC); PATTERN runs that pattern alone. Built by hand,
 * against any npy.c:
 *
 *   cc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Iserver bench/npy/bench_npy_stats.c \
 *      server/npy.c core/error.c $(pkg-config --cflags --libs jansson) -lm -o /tmp/bench_npy_stats
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npy.h"

typedef enum pattern { P_UNIFORM, P_UNIFORM_2D, P_LEVELS_2D, P_ONEHOT, P_PIXELS, P_LABELS8 } pattern;

static const struct {
    const char *name;
    pattern p;
    const char *descr;
    unsigned size;
    unsigned cols;  /* 0: 1-D */
} patterns[] = {
    {"f32-uniform", P_UNIFORM, "<f4", 4, 0},          {"f32-uniform-784", P_UNIFORM_2D, "<f4", 4, 784},
    {"f32-levels256-784", P_LEVELS_2D, "<f4", 4, 784}, {"f32-onehot-10", P_ONEHOT, "<f4", 4, 10},
    {"u8-pixels-784", P_PIXELS, "|u1", 1, 784},       {"u8-labels10", P_LABELS8, "|u1", 1, 0},
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ull;

static uint32_t next_u32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void put_value(unsigned char *p, pattern pat, size_t i, unsigned cols)
{
    float f = 0;

    switch (pat) {
    case P_UNIFORM:
    case P_UNIFORM_2D:
        f = (float)(next_u32() >> 8) / 16777216.0f;
        break;
    case P_LEVELS_2D:
        f = (float)(next_u32() % 256) / 255.0f;
        break;
    case P_ONEHOT:
        f = (i % cols) == (size_t)(next_u32() % cols) ? 1.0f : 0.0f; /* about one 1 per row */
        break;
    case P_PIXELS:
        p[i] = next_u32() % 5 == 0 ? (unsigned char)(next_u32() % 256) : 0; /* 80 % zeros, like MNIST */
        return;
    case P_LABELS8:
        p[i] = (unsigned char)(next_u32() % 10);
        return;
    }
    memcpy(p + 4 * i, &f, 4);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
    int iterations = argc > 2 ? atoi(argv[2]) : 7;
    size_t chunk = argc > 3 ? strtoul(argv[3], NULL, 10) : 65536;
    const char *only = argc > 4 ? argv[4] : NULL;
    fc_npy_scanner *s = fc_npy_new();
    size_t k;

    if (s == NULL || iterations < 1 || iterations > 64 || chunk == 0)
        return 2;
    printf("%-18s %7s %10s %10s  stats\n", "pattern", "MB", "best MB/s", "median");
    for (k = 0; k < sizeof(patterns) / sizeof(patterns[0]); k++) {
        unsigned cols = patterns[k].cols, size = patterns[k].size;
        size_t count = mb * 1000000 / size, rows, hdr, total, i, off;
        char dict[160];
        unsigned char *file;
        double times[64];
        char *text = NULL;
        json_t *h = NULL;
        int it;

        if (only != NULL && strcmp(only, patterns[k].name) != 0)
            continue;
        if (cols > 0) {
            rows = count / cols;
            count = rows * cols;
            snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %u), }",
                     patterns[k].descr, rows, cols);
        } else {
            snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
                     patterns[k].descr, count);
        }
        hdr = 10 + strlen(dict) + 1;
        while (hdr % 64 != 0)
            hdr++;
        total = hdr + count * size;
        file = malloc(total);
        if (file == NULL)
            return 2;
        memcpy(file, "\x93NUMPY\x01\x00", 8);
        file[8] = (unsigned char)((hdr - 10) & 0xff);
        file[9] = (unsigned char)((hdr - 10) >> 8);
        memset(file + 10, ' ', hdr - 10);
        memcpy(file + 10, dict, strlen(dict));
        file[hdr - 1] = '\n';
        for (i = 0; i < count; i++)
            put_value(file + hdr, patterns[k].p, i, cols);
        for (it = 0; it < iterations; it++) {
            fc_error err;
            double t0 = now_s();

            fc_npy_reset(s);
            for (off = 0; off < total; off += chunk) {
                if (fc_npy_feed(s, file + off, total - off < chunk ? total - off : chunk, &err) != FC_OK)
                    return 1;
            }
            if (fc_npy_finish(s, &err) != FC_OK)
                return 1;
            times[it] = now_s() - t0;
        }
        h = fc_npy_header_json(s);
        if (h != NULL)
            text = json_dumps(json_object_get(h, "stats"), JSON_COMPACT | JSON_REAL_PRECISION(6));
        qsort(times, (size_t)iterations, sizeof(times[0]), cmp_double);
        printf("%-18s %7.1f %10.0f %10.0f  %.150s\n", patterns[k].name, total / 1e6, total / 1e6 / times[0],
               total / 1e6 / times[iterations / 2], text ? text : "?");
        free(text);
        json_decref(h);
        free(file);
    }
    fc_npy_free(s);
    return 0;
}
