/*
 * bench_npy.c - how fast the .npy scanner (server/npy.c) reads data, alone,
 * over an in-memory file.
 *
 *   bench_npy [MB] [ITERATIONS] [CHUNK]
 *
 * For each data pattern below it builds one .npy file of about MB
 * megabytes (default 256), then feeds it to fc_npy_feed in CHUNK-byte
 * pieces (default 65536, what the multipart post processor hands over)
 * ITERATIONS times (default 5), and prints the best and median throughput
 * in GB/s (10^9 bytes of file per second, CLOCK_MONOTONIC), with the
 * distinct count the scan found as a check that the work was done.
 *
 * Patterns (float32 unless said):
 *   uniform      random values in [0, 1): the distinct set overflows at once
 *   levels256    (k % 256) / 255 in random order, like MNIST pixels / 255:
 *                exactly 256 distinct values, so the set is consulted for
 *                every element (the slowest float32 case)
 *   labels10     class labels 0..9 stored as float32
 *   nan1000      uniform with a NaN every 1000 elements (and -Inf every 5000)
 *   nan10pct     uniform with 10% NaN at random places (missing values)
 *   uniform-be   uniform, big-endian (every element byte-swapped)
 *   f64-uniform  float64 uniform
 *   f64-nan10pct float64 uniform with 10% NaN at random places
 *   u8-pixels    uint8 0..255
 *   i64-labels   int64 labels 0..9
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npy.h"

typedef enum pattern {
    P_UNIFORM, P_LEVELS, P_LABELS, P_NAN, P_NAN10, P_UNIFORM_BE, P_F64, P_F64_NAN10, P_U8, P_I64
} pattern;

static const struct {
    const char *name;
    pattern p;
    const char *descr;
    unsigned size;
} patterns[] = {
    {"uniform", P_UNIFORM, "<f4", 4},       {"levels256", P_LEVELS, "<f4", 4}, {"labels10", P_LABELS, "<f4", 4},
    {"nan1000", P_NAN, "<f4", 4},           {"nan10pct", P_NAN10, "<f4", 4},   {"uniform-be", P_UNIFORM_BE, ">f4", 4},
    {"f64-uniform", P_F64, "<f8", 8},       {"f64-nan10pct", P_F64_NAN10, "<f8", 8},
    {"u8-pixels", P_U8, "|u1", 1},          {"i64-labels", P_I64, "<i8", 8},
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void put_f32(unsigned char *p, float f, int big_endian)
{
    uint32_t u;

    memcpy(&u, &f, 4);
    if (big_endian)
        u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
    memcpy(p, &u, 4);
}

/* Writes the preamble and header; returns its length (a multiple of 64). */
static size_t write_header(unsigned char *out, const char *descr, uint64_t count)
{
    char dict[128];
    size_t dlen, hlen;

    snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%" PRIu64 ",), }", descr, count);
    dlen = strlen(dict);
    hlen = dlen + 1;
    while ((10 + hlen) % 64 != 0)
        hlen++;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)hlen;
    out[9] = (unsigned char)(hlen >> 8);
    memcpy(out + 10, dict, dlen);
    memset(out + 10 + dlen, ' ', hlen - dlen - 1);
    out[10 + hlen - 1] = '\n';
    return 10 + hlen;
}

static void fill(unsigned char *p, pattern pat, uint64_t count)
{
    uint64_t i;

    for (i = 0; i < count; i++) {
        float u = (float)(next_random() >> 8) / 16777216.0f;

        switch (pat) {
        case P_UNIFORM:
            put_f32(p + 4 * i, u, 0);
            break;
        case P_LEVELS:
            put_f32(p + 4 * i, (float)(next_random() % 256) / 255.0f, 0);
            break;
        case P_LABELS:
            put_f32(p + 4 * i, (float)(next_random() % 10), 0);
            break;
        case P_NAN:
            put_f32(p + 4 * i, i % 5000 == 4999 ? -INFINITY : i % 1000 == 999 ? NAN : u, 0);
            break;
        case P_NAN10:
            put_f32(p + 4 * i, next_random() % 10 == 0 ? NAN : u, 0);
            break;
        case P_UNIFORM_BE:
            put_f32(p + 4 * i, u, 1);
            break;
        case P_F64:
        case P_F64_NAN10: {
            double d = (double)next_random() / 4294967296.0 + (double)next_random() / 1.8446744073709552e19;

            if (pat == P_F64_NAN10 && next_random() % 10 == 0)
                d = NAN;
            memcpy(p + 8 * i, &d, 8);
            break;
        }
        case P_U8:
            p[i] = (unsigned char)next_random();
            break;
        case P_I64: {
            int64_t v = next_random() % 10;

            memcpy(p + 8 * i, &v, 8);
            break;
        }
        }
    }
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    int iterations = argc > 2 ? atoi(argv[2]) : 5;
    size_t chunk = argc > 3 ? strtoul(argv[3], NULL, 10) : 65536;
    fc_npy_scanner *s = fc_npy_new();
    double *rates = malloc(sizeof(double) * (size_t)(iterations > 0 ? iterations : 1));
    size_t k;

    if (mb == 0 || iterations <= 0 || chunk == 0 || s == NULL || rates == NULL) {
        fprintf(stderr, "usage: bench_npy [MB] [ITERATIONS] [CHUNK]\n");
        return 2;
    }
    printf("%-12s %8s %10s %10s  %s\n", "pattern", "MB", "best GB/s", "median", "stats");
    for (k = 0; k < sizeof(patterns) / sizeof(patterns[0]); k++) {
        uint64_t count = (uint64_t)mb * 1000000 / patterns[k].size;
        size_t len = 128 + count * patterns[k].size, hdr, off;
        unsigned char *file = malloc(len);
        json_t *h = NULL;
        char *text = NULL;
        fc_error err;

        if (file == NULL) {
            fprintf(stderr, "bench_npy: out of memory for %zu bytes\n", len);
            return 1;
        }
        hdr = write_header(file, patterns[k].descr, count);
        fill(file + hdr, patterns[k].p, count);
        len = hdr + count * patterns[k].size;
        for (int it = 0; it < iterations; it++) {
            double t0;

            fc_npy_reset(s);
            fc_error_init(&err);
            t0 = now_s();
            for (off = 0; off < len; off += chunk) {
                if (fc_npy_feed(s, file + off, len - off < chunk ? len - off : chunk, &err) != FC_OK)
                    break;
            }
            if (err.code != FC_OK || fc_npy_finish(s, &err) != FC_OK) {
                fprintf(stderr, "bench_npy: %s\n", err.text);
                return 1;
            }
            rates[it] = (double)len / (now_s() - t0) / 1e9;
        }
        h = fc_npy_header_json(s);
        text = h ? json_dumps(json_object_get(h, "stats"), JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
        qsort(rates, (size_t)iterations, sizeof(*rates), cmp_double);
        printf("%-12s %8.1f %10.2f %10.2f  %.90s\n", patterns[k].name, (double)len / 1e6, rates[iterations - 1],
               rates[iterations / 2], text ? text : "?");
        free(text);
        json_decref(h);
        free(file);
    }
    fc_npy_free(s);
    free(rates);
    return 0;
}
