/*
 * npy.c - the streaming .npy reader: the preamble and header state
 * machine, a Python-literal parser for the header dict, the dtype table,
 * one statistics kernel per element type, and the tensor header built from
 * what was seen.
 *
 * Statistics live in three shapes, chosen by the element size:
 *   - 8-bit types (bool, int8, uint8) mark a 256-entry seen table;
 *   - 16-bit types (int16, uint16, float16) set bits in a 65536-bit map;
 *     both give exact min, max and distinct values at the end, whatever the
 *     data;
 *   - wider types keep a running min/max and add each value to a hash set
 *     of at most FC_NPY_MAX_DISTINCT keys, which stops being consulted once
 *     it overflows.
 * float32 and float64 run in blocks of BLOCK elements: one branch-free
 * pass finds min, max and whether any element is NaN or Inf (SSE2 when
 * available); a block that holds some is redone with them counted and
 * masked out of min/max, still without branches. Until the distinct set
 * overflows, a block's values are looked up four at a time at their home
 * slots, and only a group with a miss takes the probing path.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "npy.h"

#define PREAMBLE_MIN 8    /* magic, major, minor */
#define SET_BITS 12
#define SET_SLOTS (1u << SET_BITS)
#define SET_EMPTY UINT64_MAX
#define BLOCK 1024        /* elements per float block */
#define SWAP_BYTES 8192   /* bytes byte-swapped at a time */
#define DESCR_MAX 64

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_ORDER '>'
#else
#define HOST_ORDER '<'
#endif

typedef enum phase { PH_PREAMBLE, PH_HEADER, PH_DATA, PH_DONE, PH_FAILED } phase;

typedef enum value_kind {
    VK_NONE,     /* object, str, bytes: no scan */
    VK_FLOAT,
    VK_SIGNED,
    VK_UNSIGNED,
    VK_BOOL,
    VK_COMPLEX
} value_kind;

typedef enum stats_form {
    SF_NONE,     /* nothing kept (object, str, bytes) or counts only (complex) */
    SF_TABLE8,   /* seen[256] */
    SF_TABLE16,  /* 65536-bit map */
    SF_RUNNING   /* running min/max plus the hash set */
} stats_form;

typedef void (*scan_fn)(fc_npy_scanner *s, const unsigned char *p, size_t n);

typedef struct npy_type {
    char code;          /* typestr character: 'b', 'c', 'f', 'i', 'u' */
    unsigned size;      /* bytes per element */
    const char *name;   /* numpy's name */
    value_kind kind;
    stats_form form;
    scan_fn scan;       /* kernel over native-order elements */
} npy_type;

struct fc_npy_scanner {
    phase phase;
    unsigned char pre[12];        /* magic, version, header length */
    size_t pre_len;
    size_t pre_need;              /* 8, then 10 (v1) or 12 (v2, v3) */
    unsigned major;
    char *header;                 /* owned; the header dict being collected */
    size_t header_len;
    size_t header_got;

    const npy_type *type;         /* numeric types; NULL for object/str/bytes */
    const char *dtype_name;
    unsigned itemsize;
    int swap;                     /* data byte order differs from the host's */
    int fortran;
    int check_length;             /* 0 for object arrays (a pickle) */
    unsigned rank;
    uint64_t shape[FC_NPY_MAX_RANK];
    uint64_t data_expected;       /* prod(shape) * itemsize */
    uint64_t data_got;            /* data bytes received, extra ones included */
    unsigned char carry[16];      /* a partial element from the previous chunk */
    size_t carry_len;

    double fmin, fmax;            /* float32/float64: over finite values */
    int64_t imin, imax;           /* int32/int64 */
    uint64_t umin, umax;          /* uint32/uint64 */
    int has_minmax;
    uint64_t nan_count;
    uint64_t inf_count;

    int set_overflow;             /* more than FC_NPY_MAX_DISTINCT keys seen */
    int set_has_empty;            /* the key SET_EMPTY itself was seen */
    unsigned set_count;           /* keys in the set, set_has_empty included */
    int tables_dirty;             /* set, seen8 or bits16 hold something */
    unsigned char seen8[256];
    uint64_t bits16[65536 / 64];
    uint64_t set[SET_SLOTS];
    unsigned char swapbuf[SWAP_BYTES];
};

/* ------------------------------------------------------------ hash set */

static void set_clear(fc_npy_scanner *s)
{
    memset(s->set, 0xff, sizeof(s->set));
    s->set_overflow = 0;
    s->set_has_empty = 0;
    s->set_count = 0;
}

/* The slot a key hashes to (Fibonacci hashing); linear probing goes on from there. */
#define SET_HOME(key) ((size_t)(((key) * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SET_BITS)))

/* Adds key (never SET_EMPTY). Returns 1 once the set has overflowed. */
static inline int set_add(fc_npy_scanner *s, uint64_t key)
{
    size_t h = SET_HOME(key);

    for (;;) {
        uint64_t slot = s->set[h];

        if (slot == key)
            return 0;
        if (slot == SET_EMPTY)
            break;
        h = (h + 1) & (SET_SLOTS - 1);
    }
    if (s->set_count == FC_NPY_MAX_DISTINCT) {
        s->set_overflow = 1;
        return 1;
    }
    s->set[h] = key;
    s->set_count++;
    return 0;
}

/* Adds any 64-bit key, SET_EMPTY included. Returns 1 once the set has overflowed. */
static int set_add_any(fc_npy_scanner *s, uint64_t key)
{
    if (key != SET_EMPTY)
        return set_add(s, key);
    if (s->set_has_empty)
        return 0;
    if (s->set_count == FC_NPY_MAX_DISTINCT) {
        s->set_overflow = 1;
        return 1;
    }
    s->set_has_empty = 1;
    s->set_count++;
    return 0;
}

/* ------------------------------------------------------------- kernels */

static inline uint16_t load16(const unsigned char *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t load32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static inline float bits_to_f32(uint32_t u)
{
    float f;

    memcpy(&f, &u, sizeof(f));
    return f;
}

static inline double bits_to_f64(uint64_t u)
{
    double d;

    memcpy(&d, &u, sizeof(d));
    return d;
}

/* bool, int8, uint8: mark each byte value. */
static void scan_8(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    unsigned char *seen = s->seen8;
    size_t i;

    for (i = 0; i < n; i++)
        seen[p[i]] = 1;
}

/* int16, uint16: mark each 16-bit pattern. */
static void scan_16(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    uint64_t *bits = s->bits16;
    size_t i;

    for (i = 0; i < n; i++) {
        uint16_t v = load16(p + 2 * i);

        bits[v >> 6] |= UINT64_C(1) << (v & 63);
    }
}

/* float16: count NaN/Inf, mark finite patterns (-0 as +0). */
static void scan_f16(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    uint64_t *bits = s->bits16;
    size_t i;

    for (i = 0; i < n; i++) {
        uint16_t v = load16(p + 2 * i);

        if ((v & 0x7C00u) == 0x7C00u) {
            if (v & 0x03FFu)
                s->nan_count++;
            else
                s->inf_count++;
            continue;
        }
        if (v == 0x8000u)
            v = 0;
        bits[v >> 6] |= UINT64_C(1) << (v & 63);
    }
}

/*
 * A float32 block that holds NaN or Inf: counted and masked out without
 * branches (a special value enters min as +Inf and max as -Inf), so that
 * NaNs scattered at random, as missing values are, cost no mispredictions.
 */
static void f32_block_masked(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    float lo = INFINITY, hi = -INFINITY;
    uint64_t specials = 0, infs = 0;
    size_t i = 0;

#if defined(__SSE2__)
    __m128i expo = _mm_set1_epi32(0x7F800000), absm = _mm_set1_epi32(0x7FFFFFFF);
    __m128i csp = _mm_setzero_si128(), cinf = _mm_setzero_si128();
    __m128 pinf = _mm_set1_ps(INFINITY), ninf = _mm_set1_ps(-INFINITY), vlo = pinf, vhi = ninf;
    float l4[4], h4[4];
    int32_t c4[4], i4[4];

    for (; i + 4 <= n; i += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i));
        __m128i sp = _mm_cmpeq_epi32(_mm_and_si128(a, expo), expo);
        __m128 spf = _mm_castsi128_ps(sp), v = _mm_castsi128_ps(a);

        csp = _mm_sub_epi32(csp, sp);
        cinf = _mm_sub_epi32(cinf, _mm_cmpeq_epi32(_mm_and_si128(a, absm), expo));
        vlo = _mm_min_ps(vlo, _mm_or_ps(_mm_and_ps(spf, pinf), _mm_andnot_ps(spf, v)));
        vhi = _mm_max_ps(vhi, _mm_or_ps(_mm_and_ps(spf, ninf), _mm_andnot_ps(spf, v)));
    }
    _mm_storeu_ps(l4, vlo);
    _mm_storeu_ps(h4, vhi);
    _mm_storeu_si128((__m128i *)(void *)c4, csp);
    _mm_storeu_si128((__m128i *)(void *)i4, cinf);
    specials = (uint64_t)c4[0] + (uint64_t)c4[1] + (uint64_t)c4[2] + (uint64_t)c4[3];
    infs = (uint64_t)i4[0] + (uint64_t)i4[1] + (uint64_t)i4[2] + (uint64_t)i4[3];
    lo = fminf(fminf(l4[0], l4[1]), fminf(l4[2], l4[3]));
    hi = fmaxf(fmaxf(h4[0], h4[1]), fmaxf(h4[2], h4[3]));
#endif
    for (; i < n; i++) {
        uint32_t u = load32(p + 4 * i);
        float v = bits_to_f32(u);
        int special = (u & 0x7F800000u) == 0x7F800000u;

        specials += (uint64_t)special;
        infs += (uint64_t)((u & 0x7FFFFFFFu) == 0x7F800000u);
        v = special ? lo : v;
        lo = v < lo ? v : lo;
        v = special ? hi : bits_to_f32(u);
        hi = v > hi ? v : hi;
    }
    s->nan_count += specials - infs;
    s->inf_count += infs;
    if (lo <= hi) {
        if (lo < s->fmin)
            s->fmin = lo;
        if (hi > s->fmax)
            s->fmax = hi;
        s->has_minmax = 1;
    }
}

/*
 * Min and max of n float32 at p, and how many are NaN or Inf. min/max are
 * meaningful only when that count is 0 (a NaN or Inf may have entered them).
 */
static size_t f32_block_minmax(const unsigned char *p, size_t n, float *mn, float *mx)
{
    float lo = INFINITY, hi = -INFINITY;
    size_t i = 0, specials = 0;

#if defined(__SSE2__)
    __m128 lo0 = _mm_set1_ps(INFINITY), lo1 = lo0, hi0 = _mm_set1_ps(-INFINITY), hi1 = hi0;
    __m128i expo = _mm_set1_epi32(0x7F800000), sp = _mm_setzero_si128();
    float l4[4], h4[4];
    int32_t c4[4];

    for (; i + 8 <= n; i += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 16));

        sp = _mm_sub_epi32(sp, _mm_cmpeq_epi32(_mm_and_si128(a, expo), expo));
        sp = _mm_sub_epi32(sp, _mm_cmpeq_epi32(_mm_and_si128(b, expo), expo));
        lo0 = _mm_min_ps(lo0, _mm_castsi128_ps(a));
        lo1 = _mm_min_ps(lo1, _mm_castsi128_ps(b));
        hi0 = _mm_max_ps(hi0, _mm_castsi128_ps(a));
        hi1 = _mm_max_ps(hi1, _mm_castsi128_ps(b));
    }
    _mm_storeu_ps(l4, _mm_min_ps(lo0, lo1));
    _mm_storeu_ps(h4, _mm_max_ps(hi0, hi1));
    _mm_storeu_si128((__m128i *)(void *)c4, sp);
    specials = (size_t)c4[0] + (size_t)c4[1] + (size_t)c4[2] + (size_t)c4[3];
    lo = fminf(fminf(l4[0], l4[1]), fminf(l4[2], l4[3]));
    hi = fmaxf(fmaxf(h4[0], h4[1]), fmaxf(h4[2], h4[3]));
#endif
    for (; i < n; i++) {
        uint32_t u = load32(p + 4 * i);
        float v = bits_to_f32(u);

        specials += (u & 0x7F800000u) == 0x7F800000u;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    *mn = lo;
    *mx = hi;
    return specials;
}

/* Adds the finite float32 values of a block to the distinct set. */
/* One float32 into the distinct set: finite values only, -0 as +0. Returns 1 once it has overflowed. */
static inline int f32_distinct_one(fc_npy_scanner *s, uint32_t u)
{
    if ((u & 0x7F800000u) == 0x7F800000u)
        return 0;
    return set_add(s, u == 0x80000000u ? 0 : u);
}

/*
 * Adds the finite float32 values of a block to the distinct set. Most
 * values are already there, at their home slot: four at a time are looked
 * up there without branching, and only a group with a miss (a new value, a
 * displaced one, a NaN, Inf or -0) goes through set_add.
 */
static void f32_block_distinct(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const uint64_t *set = s->set;
    size_t i = 0, j;

    for (; i + 4 <= n; i += 4) {
        uint64_t k0 = load32(p + 4 * i), k1 = load32(p + 4 * i + 4);
        uint64_t k2 = load32(p + 4 * i + 8), k3 = load32(p + 4 * i + 12);

        if ((set[SET_HOME(k0)] == k0) & (set[SET_HOME(k1)] == k1) & (set[SET_HOME(k2)] == k2) &
            (set[SET_HOME(k3)] == k3))
            continue;
        for (j = 0; j < 4; j++) {
            if (f32_distinct_one(s, load32(p + 4 * (i + j))))
                return;
        }
    }
    for (; i < n; i++) {
        if (f32_distinct_one(s, load32(p + 4 * i)))
            return;
    }
}

static void scan_f32(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t b = n < BLOCK ? n : BLOCK;
        float lo, hi;

        if (f32_block_minmax(p, b, &lo, &hi) == 0) {
            if (lo < s->fmin)
                s->fmin = lo;
            if (hi > s->fmax)
                s->fmax = hi;
            s->has_minmax = 1;
        } else {
            f32_block_masked(s, p, b);
        }
        if (!s->set_overflow)
            f32_block_distinct(s, p, b);
        p += 4 * b;
        n -= b;
    }
}

#define F64_EXP UINT64_C(0x7FF0000000000000)
#define F64_MANT UINT64_C(0x000FFFFFFFFFFFFF)
#define F64_NEG0 UINT64_C(0x8000000000000000)

/* As f32_block_masked, for float64. */
static void f64_block_masked(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    uint64_t specials = 0, infs = 0;
    size_t i = 0;

#if defined(__SSE2__)
    /* SSE2 compares dwords: the exponent is in the high one, an Inf has a zero low one. */
    __m128i expo = _mm_set_epi32(0x7FF00000, 0, 0x7FF00000, 0), absm = _mm_set_epi32(0x7FFFFFFF, -1, 0x7FFFFFFF, -1);
    __m128i csp = _mm_setzero_si128(), cinf = _mm_setzero_si128();
    __m128d pinf = _mm_set1_pd(INFINITY), ninf = _mm_set1_pd(-INFINITY), vlo = pinf, vhi = ninf;
    double l2[2], h2[2];
    int32_t c4[4], i4[4];

    for (; i + 2 <= n; i += 2) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 8 * i));
        __m128i sp = _mm_shuffle_epi32(_mm_cmpeq_epi32(_mm_and_si128(a, expo), expo), _MM_SHUFFLE(3, 3, 1, 1));
        __m128i eq = _mm_cmpeq_epi32(_mm_and_si128(a, absm), expo);
        __m128d spd = _mm_castsi128_pd(sp), v = _mm_castsi128_pd(a);

        csp = _mm_sub_epi32(csp, sp);
        cinf = _mm_sub_epi32(cinf, _mm_and_si128(eq, _mm_shuffle_epi32(eq, _MM_SHUFFLE(2, 3, 0, 1))));
        vlo = _mm_min_pd(vlo, _mm_or_pd(_mm_and_pd(spd, pinf), _mm_andnot_pd(spd, v)));
        vhi = _mm_max_pd(vhi, _mm_or_pd(_mm_and_pd(spd, ninf), _mm_andnot_pd(spd, v)));
    }
    _mm_storeu_pd(l2, vlo);
    _mm_storeu_pd(h2, vhi);
    _mm_storeu_si128((__m128i *)(void *)c4, csp);
    _mm_storeu_si128((__m128i *)(void *)i4, cinf);
    /* Both dwords of an element's lane hold its mask: each is counted twice. */
    specials = ((uint64_t)c4[0] + (uint64_t)c4[1] + (uint64_t)c4[2] + (uint64_t)c4[3]) / 2;
    infs = ((uint64_t)i4[0] + (uint64_t)i4[1] + (uint64_t)i4[2] + (uint64_t)i4[3]) / 2;
    lo = fmin(l2[0], l2[1]);
    hi = fmax(h2[0], h2[1]);
#endif
    for (; i < n; i++) {
        uint64_t u = load64(p + 8 * i);
        double v = bits_to_f64(u);
        int special = (u & F64_EXP) == F64_EXP;

        specials += (uint64_t)special;
        infs += (uint64_t)((u & ~F64_NEG0) == F64_EXP);
        v = special ? lo : v;
        lo = v < lo ? v : lo;
        v = special ? hi : bits_to_f64(u);
        hi = v > hi ? v : hi;
    }
    s->nan_count += specials - infs;
    s->inf_count += infs;
    if (lo <= hi) {
        if (lo < s->fmin)
            s->fmin = lo;
        if (hi > s->fmax)
            s->fmax = hi;
        s->has_minmax = 1;
    }
}

/* As f32_block_minmax, for float64. */
static size_t f64_block_minmax(const unsigned char *p, size_t n, double *mn, double *mx)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t i = 0, specials = 0;

#if defined(__SSE2__)
    /* SSE2 has no 64-bit compare: the exponent lies in the high dword. */
    __m128d lo0 = _mm_set1_pd(INFINITY), lo1 = lo0, hi0 = _mm_set1_pd(-INFINITY), hi1 = hi0;
    __m128i expo = _mm_set_epi32(0x7FF00000, 0, 0x7FF00000, 0);
    __m128i high = _mm_set_epi32(-1, 0, -1, 0);
    __m128i sp = _mm_setzero_si128();
    double l2[2], h2[2];
    int32_t c4[4];

    for (; i + 4 <= n; i += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 8 * i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 8 * i + 16));

        sp = _mm_sub_epi32(sp, _mm_and_si128(_mm_cmpeq_epi32(_mm_and_si128(a, expo), expo), high));
        sp = _mm_sub_epi32(sp, _mm_and_si128(_mm_cmpeq_epi32(_mm_and_si128(b, expo), expo), high));
        lo0 = _mm_min_pd(lo0, _mm_castsi128_pd(a));
        lo1 = _mm_min_pd(lo1, _mm_castsi128_pd(b));
        hi0 = _mm_max_pd(hi0, _mm_castsi128_pd(a));
        hi1 = _mm_max_pd(hi1, _mm_castsi128_pd(b));
    }
    _mm_storeu_pd(l2, _mm_min_pd(lo0, lo1));
    _mm_storeu_pd(h2, _mm_max_pd(hi0, hi1));
    _mm_storeu_si128((__m128i *)(void *)c4, sp);
    specials = (size_t)c4[1] + (size_t)c4[3];
    lo = fmin(l2[0], l2[1]);
    hi = fmax(h2[0], h2[1]);
#endif
    for (; i < n; i++) {
        uint64_t u = load64(p + 8 * i);
        double v = bits_to_f64(u);

        specials += (u & F64_EXP) == F64_EXP;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    *mn = lo;
    *mx = hi;
    return specials;
}

static inline int f64_distinct_one(fc_npy_scanner *s, uint64_t u)
{
    if ((u & F64_EXP) == F64_EXP)
        return 0;
    return set_add(s, u == F64_NEG0 ? 0 : u);
}

/* As f32_block_distinct, for float64. */
static void f64_block_distinct(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const uint64_t *set = s->set;
    size_t i = 0, j;

    for (; i + 4 <= n; i += 4) {
        uint64_t k0 = load64(p + 8 * i), k1 = load64(p + 8 * i + 8);
        uint64_t k2 = load64(p + 8 * i + 16), k3 = load64(p + 8 * i + 24);

        /* An all-ones NaN "hits" an empty slot: skipped, as every NaN must be. */
        if ((set[SET_HOME(k0)] == k0) & (set[SET_HOME(k1)] == k1) & (set[SET_HOME(k2)] == k2) &
            (set[SET_HOME(k3)] == k3))
            continue;
        for (j = 0; j < 4; j++) {
            if (f64_distinct_one(s, load64(p + 8 * (i + j))))
                return;
        }
    }
    for (; i < n; i++) {
        if (f64_distinct_one(s, load64(p + 8 * i)))
            return;
    }
}

static void scan_f64(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t b = n < BLOCK ? n : BLOCK;
        double lo, hi;

        if (f64_block_minmax(p, b, &lo, &hi) == 0) {
            if (lo < s->fmin)
                s->fmin = lo;
            if (hi > s->fmax)
                s->fmax = hi;
            s->has_minmax = 1;
        } else {
            f64_block_masked(s, p, b);
        }
        if (!s->set_overflow)
            f64_block_distinct(s, p, b);
        p += 8 * b;
        n -= b;
    }
}

/* int32 / uint32: running min/max, keys are the 32-bit patterns (never SET_EMPTY). */
static void scan_i32(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    int64_t lo = s->imin, hi = s->imax;
    size_t i;

    for (i = 0; i < n; i++) {
        int32_t v = (int32_t)load32(p + 4 * i);

        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    s->imin = lo;
    s->imax = hi;
    s->has_minmax |= n > 0;
    for (i = 0; i < n && !s->set_overflow; i++)
        set_add(s, load32(p + 4 * i));
}

static void scan_u32(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    uint64_t lo = s->umin, hi = s->umax;
    size_t i;

    for (i = 0; i < n; i++) {
        uint32_t v = load32(p + 4 * i);

        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    s->umin = lo;
    s->umax = hi;
    s->has_minmax |= n > 0;
    for (i = 0; i < n && !s->set_overflow; i++)
        set_add(s, load32(p + 4 * i));
}

static void scan_i64(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    int64_t lo = s->imin, hi = s->imax;
    size_t i;

    for (i = 0; i < n; i++) {
        int64_t v = (int64_t)load64(p + 8 * i);

        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    s->imin = lo;
    s->imax = hi;
    s->has_minmax |= n > 0;
    for (i = 0; i < n && !s->set_overflow; i++)
        set_add_any(s, load64(p + 8 * i));
}

static void scan_u64(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    uint64_t lo = s->umin, hi = s->umax;
    size_t i;

    for (i = 0; i < n; i++) {
        uint64_t v = load64(p + 8 * i);

        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    s->umin = lo;
    s->umax = hi;
    s->has_minmax |= n > 0;
    for (i = 0; i < n && !s->set_overflow; i++)
        set_add_any(s, load64(p + 8 * i));
}

/* complex64: an element is NaN when either part is, else Inf when either part is. */
static void scan_c64(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint32_t re = load32(p + 8 * i), im = load32(p + 8 * i + 4);
        int re_sp = (re & 0x7F800000u) == 0x7F800000u, im_sp = (im & 0x7F800000u) == 0x7F800000u;

        if (!re_sp && !im_sp)
            continue;
        if ((re_sp && (re & 0x007FFFFFu)) || (im_sp && (im & 0x007FFFFFu)))
            s->nan_count++;
        else
            s->inf_count++;
    }
}

static void scan_c128(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint64_t re = load64(p + 16 * i), im = load64(p + 16 * i + 8);
        int re_sp = (re & F64_EXP) == F64_EXP, im_sp = (im & F64_EXP) == F64_EXP;

        if (!re_sp && !im_sp)
            continue;
        if ((re_sp && (re & F64_MANT)) || (im_sp && (im & F64_MANT)))
            s->nan_count++;
        else
            s->inf_count++;
    }
}

/* Numeric dtypes by typestr code and size. */
static const npy_type npy_types[] = {
    {'b', 1, "bool", VK_BOOL, SF_TABLE8, scan_8},
    {'c', 8, "complex64", VK_COMPLEX, SF_NONE, scan_c64},
    {'c', 16, "complex128", VK_COMPLEX, SF_NONE, scan_c128},
    {'f', 2, "float16", VK_FLOAT, SF_TABLE16, scan_f16},
    {'f', 4, "float32", VK_FLOAT, SF_RUNNING, scan_f32},
    {'f', 8, "float64", VK_FLOAT, SF_RUNNING, scan_f64},
    {'i', 1, "int8", VK_SIGNED, SF_TABLE8, scan_8},
    {'i', 2, "int16", VK_SIGNED, SF_TABLE16, scan_16},
    {'i', 4, "int32", VK_SIGNED, SF_RUNNING, scan_i32},
    {'i', 8, "int64", VK_SIGNED, SF_RUNNING, scan_i64},
    {'u', 1, "uint8", VK_UNSIGNED, SF_TABLE8, scan_8},
    {'u', 2, "uint16", VK_UNSIGNED, SF_TABLE16, scan_16},
    {'u', 4, "uint32", VK_UNSIGNED, SF_RUNNING, scan_u32},
    {'u', 8, "uint64", VK_UNSIGNED, SF_RUNNING, scan_u64},
};

static const npy_type *find_type(char code, unsigned size)
{
    size_t i;

    for (i = 0; i < sizeof(npy_types) / sizeof(npy_types[0]); i++) {
        if (npy_types[i].code == code && npy_types[i].size == size)
            return &npy_types[i];
    }
    return NULL;
}

/* Copies bytes from src to dst reversing each unit-byte group (unit 2, 4 or 8). */
static void swap_copy(unsigned char *dst, const unsigned char *src, size_t bytes, unsigned unit)
{
    size_t i;

    switch (unit) {
    case 2:
        for (i = 0; i < bytes; i += 2) {
            uint16_t v = load16(src + i);

            v = (uint16_t)(v >> 8 | v << 8);
            memcpy(dst + i, &v, 2);
        }
        break;
    case 4:
        for (i = 0; i < bytes; i += 4) {
            uint32_t v = __builtin_bswap32(load32(src + i));

            memcpy(dst + i, &v, 4);
        }
        break;
    default:
        for (i = 0; i < bytes; i += 8) {
            uint64_t v = __builtin_bswap64(load64(src + i));

            memcpy(dst + i, &v, 8);
        }
        break;
    }
}

/* Runs the type's kernel over n elements, byte-swapping them first when needed. */
static void scan_elements(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const npy_type *t = s->type;
    unsigned unit = t->kind == VK_COMPLEX ? t->size / 2 : t->size;
    size_t per = SWAP_BYTES / t->size;

    if (n > 0)
        s->tables_dirty = 1;
    if (!s->swap) {
        t->scan(s, p, n);
        return;
    }
    while (n > 0) {
        size_t m = n < per ? n : per, bytes = m * t->size;

        swap_copy(s->swapbuf, p, bytes, unit);
        t->scan(s, s->swapbuf, m);
        p += bytes;
        n -= m;
    }
}

/* --------------------------------------------------- the header literal */

typedef struct lit {
    const char *start;
    const char *p;
    const char *end;
} lit;

static void lit_ws(lit *l)
{
    while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
        l->p++;
}

static fc_status lit_fail(const lit *l, fc_error *err, const char *what)
{
    return fc_error_set(err, FC_ERR_INVALID, NULL, "malformed .npy header: %s at byte %ld of the header dict", what,
                        (long)(l->p - l->start));
}

static int lit_peek(const lit *l, char c)
{
    return l->p < l->end && *l->p == c;
}

/* A Python string literal in single or double quotes (backslash escapes one character). */
static fc_status lit_string(lit *l, char *out, size_t size, fc_error *err)
{
    size_t n = 0;
    char q;

    if (!lit_peek(l, '\'') && !lit_peek(l, '"'))
        return lit_fail(l, err, "a quoted string expected");
    q = *l->p++;
    while (l->p < l->end && *l->p != q) {
        char c = *l->p++;

        if (c == '\\' && l->p < l->end)
            c = *l->p++;
        if (c == '\n')
            return lit_fail(l, err, "a line break inside a string");
        if (n + 1 >= size)
            return lit_fail(l, err, "a string too long");
        out[n++] = c;
    }
    if (l->p >= l->end)
        return lit_fail(l, err, "an unterminated string");
    l->p++;
    out[n] = '\0';
    return FC_OK;
}

/* True or False. */
static fc_status lit_bool(lit *l, int *out, fc_error *err)
{
    static const struct {
        const char *word;
        int value;
    } words[] = {{"True", 1}, {"False", 0}};
    size_t i, n;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        n = strlen(words[i].word);
        if ((size_t)(l->end - l->p) >= n && memcmp(l->p, words[i].word, n) == 0) {
            l->p += n;
            *out = words[i].value;
            return FC_OK;
        }
    }
    return lit_fail(l, err, "True or False expected");
}

/* A non-negative decimal integer that fits int64 (a Python 2 'L' suffix is allowed). */
static fc_status lit_uint(lit *l, uint64_t *out, fc_error *err)
{
    uint64_t v = 0;

    if (lit_peek(l, '-'))
        return lit_fail(l, err, "a negative dimension");
    if (l->p >= l->end || *l->p < '0' || *l->p > '9')
        return lit_fail(l, err, "an integer expected");
    while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
        unsigned d = (unsigned)(*l->p - '0');

        if (v > ((uint64_t)INT64_MAX - d) / 10)
            return lit_fail(l, err, "a dimension larger than 2^63 - 1");
        v = v * 10 + d;
        l->p++;
    }
    if (lit_peek(l, 'L') || lit_peek(l, 'l'))
        l->p++;
    *out = v;
    return FC_OK;
}

/* A tuple of dimensions: (), (100,), (100, 784) with an optional trailing comma. */
static fc_status lit_shape(lit *l, fc_npy_scanner *s, fc_error *err)
{
    int comma_after_last = 0;
    fc_status result;

    if (!lit_peek(l, '('))
        return lit_fail(l, err, "the shape must be a tuple such as (100, 784)");
    l->p++;
    s->rank = 0;
    for (;;) {
        lit_ws(l);
        if (lit_peek(l, ')'))
            break;
        if (s->rank == FC_NPY_MAX_RANK)
            return lit_fail(l, err, "a shape of more than 64 dimensions");
        result = lit_uint(l, &s->shape[s->rank], err);
        if (result != FC_OK)
            return result;
        s->rank++;
        lit_ws(l);
        comma_after_last = lit_peek(l, ',');
        if (comma_after_last) {
            l->p++;
            continue;
        }
        if (!lit_peek(l, ')'))
            return lit_fail(l, err, "',' or ')' expected in the shape");
    }
    if (s->rank == 1 && !comma_after_last)
        return lit_fail(l, err, "(n) is not a tuple: a one-dimensional shape is written (n,)");
    l->p++;
    return FC_OK;
}

/* Sets the dtype from a descr string such as '<f4', '|b1', '|O', '<U5'. */
static fc_status decode_descr(fc_npy_scanner *s, const char *descr, fc_error *err)
{
    const char *d = descr;
    char order = '=', code;
    unsigned long size = 0;
    int has_size = 0;

    if (*d == '<' || *d == '>' || *d == '|' || *d == '=')
        order = *d++;
    code = *d;
    if (code != '\0')
        d++;
    while (*d >= '0' && *d <= '9') {
        size = size * 10 + (unsigned long)(*d - '0');
        has_size = 1;
        if (size > 1u << 24)
            return fc_error_set(err, FC_ERR_INVALID, NULL, "the .npy descr '%s' has an implausible item size", descr);
        d++;
    }
    if (code == 'M' || code == 'm')
        return fc_error_set(err, FC_ERR_UNSUPPORTED, NULL,
                            "datetime64 and timedelta64 arrays are not supported (descr '%s')", descr);
    if (code == 'V')
        return fc_error_set(err, FC_ERR_UNSUPPORTED, NULL,
                            "structured arrays are not supported (descr '%s' is a void/record type)", descr);
    if (*d != '\0')
        return fc_error_set(err, FC_ERR_INVALID, NULL, "the .npy descr '%s' is not a dtype string like '<f4'", descr);
    s->swap = 0;
    s->check_length = 1;
    switch (code) {
    case 'O':
        s->dtype_name = "object";
        s->itemsize = 8;
        s->check_length = 0;
        return FC_OK;
    case 'U':
        s->dtype_name = "str";
        s->itemsize = (unsigned)size * 4;
        return FC_OK;
    case 'S':
    case 'a':
        s->dtype_name = "bytes";
        s->itemsize = (unsigned)size;
        return FC_OK;
    case 'b':
    case 'c':
    case 'f':
    case 'i':
    case 'u':
        break;
    default:
        return fc_error_set(err, FC_ERR_INVALID, NULL, "the .npy descr '%s' is not a dtype string like '<f4'", descr);
    }
    s->type = has_size ? find_type(code, (unsigned)size) : NULL;
    if (s->type == NULL)
        return fc_error_set(err, FC_ERR_UNSUPPORTED, NULL,
                            "dtype '%s' is not supported (bool, int8-64, uint8-64, float16-64, complex64/128 are)",
                            descr);
    s->dtype_name = s->type->name;
    s->itemsize = s->type->size;
    s->swap = s->itemsize > 1 && (order == '<' || order == '>') && order != HOST_ORDER;
    return FC_OK;
}

static fc_status parse_descr_value(lit *l, fc_npy_scanner *s, fc_error *err)
{
    char descr[DESCR_MAX];
    fc_status result;

    if (lit_peek(l, '[') || lit_peek(l, '('))
        return fc_error_set(err, FC_ERR_UNSUPPORTED, NULL,
                            "structured arrays are not supported: save each field as its own .npy part");
    result = lit_string(l, descr, sizeof(descr), err);
    if (result != FC_OK)
        return result;
    return decode_descr(s, descr, err);
}

/* {'descr': '<f4', 'fortran_order': False, 'shape': (100, 784), } followed by spaces and a newline. */
static fc_status parse_header(fc_npy_scanner *s, const char *text, size_t len, fc_error *err)
{
    lit l = {text, text, text + len};
    int have_descr = 0, have_order = 0, have_shape = 0;
    char key[32];
    fc_status result;

    lit_ws(&l);
    if (!lit_peek(&l, '{'))
        return lit_fail(&l, err, "the header must be a dict starting with '{'");
    l.p++;
    for (;;) {
        lit_ws(&l);
        if (lit_peek(&l, '}'))
            break;
        result = lit_string(&l, key, sizeof(key), err);
        if (result != FC_OK)
            return result;
        lit_ws(&l);
        if (!lit_peek(&l, ':'))
            return lit_fail(&l, err, "':' expected after a key");
        l.p++;
        lit_ws(&l);
        if (strcmp(key, "descr") == 0 && !have_descr) {
            result = parse_descr_value(&l, s, err);
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
            result = lit_bool(&l, &s->fortran, err);
            have_order = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            result = lit_shape(&l, s, err);
            have_shape = 1;
        } else {
            return fc_error_set(err, FC_ERR_INVALID, NULL,
                                "malformed .npy header: unexpected or repeated key '%s' (the keys are 'descr', "
                                "'fortran_order' and 'shape')", key);
        }
        if (result != FC_OK)
            return result;
        lit_ws(&l);
        if (lit_peek(&l, ','))
            l.p++;
        else if (!lit_peek(&l, '}'))
            return lit_fail(&l, err, "',' or '}' expected");
    }
    l.p++;
    lit_ws(&l);
    if (l.p != l.end)
        return lit_fail(&l, err, "text after the dict");
    if (!have_descr || !have_order || !have_shape)
        return fc_error_set(err, FC_ERR_INVALID, NULL, "malformed .npy header: the dict lacks '%s'",
                            !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    return FC_OK;
}

/* Writes the shape as numpy prints it: (100, 784), (100,), (). */
static void format_shape(const fc_npy_scanner *s, char *out, size_t size)
{
    size_t used;
    unsigned i;

    used = (size_t)snprintf(out, size, "(");
    for (i = 0; i < s->rank && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%" PRIu64, i ? ", " : "", s->shape[i]);
    if (used < size)
        snprintf(out + used, size - used, "%s)", s->rank == 1 ? "," : "");
}

/* Computes the data length from shape and itemsize, overflow-checked. */
static fc_status expect_data(fc_npy_scanner *s, fc_error *err)
{
    uint64_t count = 1;
    char shape[96];
    unsigned i;

    for (i = 0; i < s->rank; i++) {
        if (s->shape[i] == 0) {
            count = 0;
            break;
        }
    }
    for (i = 0; i < s->rank && count != 0; i++) {
        if (count > UINT64_MAX / s->shape[i])
            goto overflow;
        count *= s->shape[i];
    }
    if (s->itemsize != 0 && count > UINT64_MAX / s->itemsize)
        goto overflow;
    s->data_expected = count * s->itemsize;
    return FC_OK;

overflow:
    format_shape(s, shape, sizeof(shape));
    return fc_error_set(err, FC_ERR_INVALID, NULL, "the .npy shape %s of %s holds more than 2^64 bytes", shape,
                        s->dtype_name);
}

/* ---------------------------------------------------------- the machine */

static void stats_init(fc_npy_scanner *s)
{
    s->fmin = INFINITY;
    s->fmax = -INFINITY;
    s->imin = INT64_MAX;
    s->imax = INT64_MIN;
    s->umin = UINT64_MAX;
    s->umax = 0;
    s->has_minmax = 0;
    s->nan_count = 0;
    s->inf_count = 0;
}

fc_npy_scanner *fc_npy_new(void)
{
    fc_npy_scanner *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->tables_dirty = 1;
    fc_npy_reset(s);
    return s;
}

void fc_npy_free(fc_npy_scanner *s)
{
    if (s == NULL)
        return;
    free(s->header);
    free(s);
}

void fc_npy_reset(fc_npy_scanner *s)
{
    free(s->header);
    s->header = NULL;
    s->header_len = s->header_got = 0;
    s->phase = PH_PREAMBLE;
    s->pre_len = 0;
    s->pre_need = PREAMBLE_MIN;
    s->major = 0;
    s->type = NULL;
    s->dtype_name = NULL;
    s->itemsize = 0;
    s->swap = s->fortran = 0;
    s->check_length = 1;
    s->rank = 0;
    s->data_expected = s->data_got = 0;
    s->carry_len = 0;
    stats_init(s);
    if (s->tables_dirty) {
        memset(s->seen8, 0, sizeof(s->seen8));
        memset(s->bits16, 0, sizeof(s->bits16));
        set_clear(s);
        s->tables_dirty = 0;
    }
}

static fc_status fail(fc_npy_scanner *s, fc_status code)
{
    s->phase = PH_FAILED;
    return code;
}

/* The 8-byte start is complete: check magic and version, learn the preamble's length. */
static fc_status preamble_start(fc_npy_scanner *s, fc_error *err)
{
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

    if (memcmp(s->pre, magic, sizeof(magic)) != 0)
        return fc_error_set(err, FC_ERR_INVALID, NULL, "not a .npy file: it does not start with \\x93NUMPY");
    s->major = s->pre[6];
    if (s->major < 1 || s->major > 3 || s->pre[7] != 0)
        return fc_error_set(err, FC_ERR_INVALID, NULL,
                            "unsupported .npy format version %u.%u (1.0, 2.0 and 3.0 are read)", s->pre[6],
                            s->pre[7]);
    s->pre_need = s->major == 1 ? 10 : 12;
    return FC_OK;
}

/* The preamble is complete: the header length. */
static fc_status preamble_done(fc_npy_scanner *s, fc_error *err)
{
    uint64_t len;

    if (s->major == 1)
        len = (uint64_t)s->pre[8] | (uint64_t)s->pre[9] << 8;
    else
        len = (uint64_t)s->pre[8] | (uint64_t)s->pre[9] << 8 | (uint64_t)s->pre[10] << 16 |
              (uint64_t)s->pre[11] << 24;
    if (len > FC_NPY_MAX_HEADER)
        return fc_error_set(err, FC_ERR_INVALID, NULL, "the .npy header is %" PRIu64 " bytes, more than the %d allowed",
                            len, FC_NPY_MAX_HEADER);
    if (len == 0)
        return fc_error_set(err, FC_ERR_INVALID, NULL, "malformed .npy header: it is empty");
    s->header = malloc((size_t)len);
    if (s->header == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, NULL, "out of memory reading a .npy header");
    s->header_len = (size_t)len;
    s->header_got = 0;
    s->phase = PH_HEADER;
    return FC_OK;
}

static fc_status header_done(fc_npy_scanner *s, fc_error *err)
{
    fc_status result = parse_header(s, s->header, s->header_len, err);

    free(s->header);
    s->header = NULL;
    if (result != FC_OK)
        return result;
    result = expect_data(s, err);
    if (result != FC_OK)
        return result;
    s->phase = PH_DATA;
    return FC_OK;
}

/* Data bytes: whole elements scanned in place, a split element completed in carry. */
static void data_feed(fc_npy_scanner *s, const unsigned char *p, size_t len)
{
    uint64_t want = s->data_expected > s->data_got ? s->data_expected - s->data_got : 0;
    size_t take = (uint64_t)len < want ? len : (size_t)want, size, n;

    s->data_got += len;
    if (s->type == NULL || !s->check_length)
        return;
    size = s->itemsize;
    if (s->carry_len > 0) {
        size_t c = size - s->carry_len < take ? size - s->carry_len : take;

        memcpy(s->carry + s->carry_len, p, c);
        s->carry_len += c;
        p += c;
        take -= c;
        if (s->carry_len < size)
            return;
        scan_elements(s, s->carry, 1);
        s->carry_len = 0;
    }
    n = take / size;
    scan_elements(s, p, n);
    s->carry_len = take - n * size;
    memcpy(s->carry, p + n * size, s->carry_len);
}

fc_status fc_npy_feed(fc_npy_scanner *s, const void *data, size_t len, fc_error *err)
{
    const unsigned char *p = data;
    fc_status result;
    size_t c;

    while (len > 0) {
        switch (s->phase) {
        case PH_PREAMBLE:
            c = s->pre_need - s->pre_len < len ? s->pre_need - s->pre_len : len;
            memcpy(s->pre + s->pre_len, p, c);
            s->pre_len += c;
            p += c;
            len -= c;
            if (s->pre_len < s->pre_need)
                break;
            result = s->pre_need == PREAMBLE_MIN ? preamble_start(s, err) : preamble_done(s, err);
            if (result != FC_OK)
                return fail(s, result);
            break;
        case PH_HEADER:
            c = s->header_len - s->header_got < len ? s->header_len - s->header_got : len;
            memcpy(s->header + s->header_got, p, c);
            s->header_got += c;
            p += c;
            len -= c;
            if (s->header_got == s->header_len && (result = header_done(s, err)) != FC_OK)
                return fail(s, result);
            break;
        case PH_DATA:
            data_feed(s, p, len);
            len = 0;
            break;
        case PH_DONE:
        case PH_FAILED:
            return fc_error_set(err, FC_ERR_INTERNAL, NULL, "the .npy scanner was fed after it finished");
        }
    }
    return FC_OK;
}

fc_status fc_npy_finish(fc_npy_scanner *s, fc_error *err)
{
    char shape[96];

    switch (s->phase) {
    case PH_PREAMBLE:
        if (s->pre_len == 0)
            return fail(s, fc_error_set(err, FC_ERR_INVALID, NULL, "the .npy file is empty"));
        return fail(s, fc_error_set(err, FC_ERR_INVALID, NULL,
                                    "the .npy file ends after %zu bytes, inside its preamble", s->pre_len));
    case PH_HEADER:
        return fail(s, fc_error_set(err, FC_ERR_INVALID, NULL,
                                    "the .npy file ends inside its header: %zu of %zu header bytes arrived",
                                    s->header_got, s->header_len));
    case PH_DATA:
        break;
    case PH_DONE:
    case PH_FAILED:
        return fc_error_set(err, FC_ERR_INTERNAL, NULL, "the .npy scanner was finished twice");
    }
    if (s->check_length && s->data_got != s->data_expected) {
        format_shape(s, shape, sizeof(shape));
        return fail(s, fc_error_set(err, FC_ERR_INVALID, NULL,
                                    "the .npy data is %s: shape %s of %s needs %" PRIu64 " bytes, %" PRIu64
                                    " arrived",
                                    s->data_got < s->data_expected ? "truncated" : "longer than its header says",
                                    shape, s->dtype_name, s->data_expected, s->data_got));
    }
    s->phase = PH_DONE;
    return FC_OK;
}

const char *fc_npy_dtype_name(const fc_npy_scanner *s)
{
    return s->dtype_name;
}

uint64_t fc_npy_data_bytes(const fc_npy_scanner *s)
{
    return s->data_got;
}

/* ------------------------------------------------------- the JSON header */

/* One distinct value; which member is used depends on the dtype's kind. */
typedef union num {
    double d;
    int64_t i;
    uint64_t u;
} num;

typedef struct values {
    value_kind kind;
    num v[FC_NPY_MAX_DISTINCT];
    size_t n;
    int overflow;
    num lo, hi;     /* min and max (8/16-bit tables: over every value) */
    int has_minmax;
} values;

static int cmp_d(const void *a, const void *b)
{
    double x = ((const num *)a)->d, y = ((const num *)b)->d;

    return (x > y) - (x < y);
}

static int cmp_i(const void *a, const void *b)
{
    int64_t x = ((const num *)a)->i, y = ((const num *)b)->i;

    return (x > y) - (x < y);
}

static int cmp_u(const void *a, const void *b)
{
    uint64_t x = ((const num *)a)->u, y = ((const num *)b)->u;

    return (x > y) - (x < y);
}

/* num x < num y under the kind. */
static int num_less(value_kind kind, num x, num y)
{
    if (kind == VK_FLOAT)
        return x.d < y.d;
    if (kind == VK_UNSIGNED)
        return x.u < y.u;
    return x.i < y.i;
}

static void values_add(values *vs, num x)
{
    if (!vs->has_minmax || num_less(vs->kind, x, vs->lo))
        vs->lo = x;
    if (!vs->has_minmax || num_less(vs->kind, vs->hi, x))
        vs->hi = x;
    vs->has_minmax = 1;
    if (vs->n == FC_NPY_MAX_DISTINCT)
        vs->overflow = 1;
    else
        vs->v[vs->n++] = x;
}

static double half_to_double(uint16_t h)
{
    int exp = (h >> 10) & 0x1f;
    double mant = h & 0x3ff, v;

    if (exp == 0)
        v = ldexp(mant, -24);
    else
        v = ldexp(mant + 1024, exp - 25);
    return (h & 0x8000) ? -v : v;
}

/* Interprets a table index (a byte or a 16-bit pattern) as a value of the dtype. */
static num table_value(const npy_type *t, unsigned pattern)
{
    num x;

    switch (t->kind) {
    case VK_FLOAT:
        x.d = half_to_double((uint16_t)pattern);
        break;
    case VK_SIGNED:
        x.i = t->size == 1 ? (int8_t)(uint8_t)pattern : (int16_t)(uint16_t)pattern;
        break;
    case VK_BOOL:
        x.i = pattern != 0;
        break;
    default:
        x.u = pattern;
        break;
    }
    return x;
}

/* Interprets a hash-set key as a value of the dtype. */
static num key_value(const npy_type *t, uint64_t key)
{
    num x;

    if (t->kind == VK_FLOAT)
        x.d = t->size == 4 ? (double)bits_to_f32((uint32_t)key) : bits_to_f64(key);
    else if (t->kind == VK_SIGNED)
        x.i = t->size == 4 ? (int32_t)(uint32_t)key : (int64_t)key;
    else
        x.u = key;
    return x;
}

static void collect(const fc_npy_scanner *s, values *vs)
{
    const npy_type *t = s->type;
    unsigned i;

    memset(vs, 0, sizeof(*vs));
    vs->kind = t->kind == VK_BOOL ? VK_SIGNED : t->kind;
    switch (t->form) {
    case SF_TABLE8:
        if (t->kind == VK_BOOL) {
            int any_true = 0;

            for (i = 1; i < 256; i++)
                any_true |= s->seen8[i]; /* every non-zero byte is True */
            if (s->seen8[0])
                values_add(vs, table_value(t, 0));
            if (any_true)
                values_add(vs, table_value(t, 1));
            break;
        }
        for (i = 0; i < 256; i++) {
            if (s->seen8[i])
                values_add(vs, table_value(t, i));
        }
        break;
    case SF_TABLE16:
        for (i = 0; i < 65536; i++) {
            if (s->bits16[i >> 6] & (UINT64_C(1) << (i & 63)))
                values_add(vs, table_value(t, i));
        }
        break;
    case SF_RUNNING:
        vs->has_minmax = s->has_minmax;
        if (t->kind == VK_FLOAT) {
            vs->lo.d = s->fmin;
            vs->hi.d = s->fmax;
        } else if (t->kind == VK_SIGNED) {
            vs->lo.i = s->imin;
            vs->hi.i = s->imax;
        } else {
            vs->lo.u = s->umin;
            vs->hi.u = s->umax;
        }
        vs->overflow = s->set_overflow;
        if (vs->overflow)
            break;
        for (i = 0; i < SET_SLOTS; i++) {
            if (s->set[i] != SET_EMPTY)
                vs->v[vs->n++] = key_value(t, s->set[i]);
        }
        if (s->set_has_empty)
            vs->v[vs->n++] = key_value(t, SET_EMPTY);
        break;
    case SF_NONE:
        break;
    }
    if (!vs->overflow)
        qsort(vs->v, vs->n, sizeof(vs->v[0]), vs->kind == VK_FLOAT ? cmp_d : vs->kind == VK_UNSIGNED ? cmp_u : cmp_i);
}

static json_t *num_json(value_kind kind, num x)
{
    if (kind == VK_FLOAT)
        return json_real(x.d);
    if (kind == VK_UNSIGNED)
        return x.u <= (uint64_t)INT64_MAX ? json_integer((json_int_t)x.u) : json_real((double)x.u);
    return json_integer((json_int_t)x.i);
}

/* The stats object of a finished file. New reference or NULL. */
static json_t *stats_json(const fc_npy_scanner *s)
{
    json_t *stats = json_object(), *distinct;
    values *vs = NULL;
    size_t i;
    int bad = stats == NULL;

    if (s->type != NULL) {
        bad |= json_object_set_new(stats, "nan_count", json_integer((json_int_t)s->nan_count)) != 0;
        bad |= json_object_set_new(stats, "inf_count", json_integer((json_int_t)s->inf_count)) != 0;
    }
    if (s->type != NULL && s->type->kind != VK_COMPLEX) {
        vs = malloc(sizeof(*vs));
        if (vs == NULL)
            goto fail;
        collect(s, vs);
        if (vs->has_minmax) {
            bad |= json_object_set_new(stats, "min", num_json(vs->kind, vs->lo)) != 0;
            bad |= json_object_set_new(stats, "max", num_json(vs->kind, vs->hi)) != 0;
        }
        if (vs->overflow) {
            bad |= json_object_set_new(stats, "distinct_count", json_null()) != 0;
        } else {
            distinct = json_array();
            for (i = 0; i < vs->n && distinct != NULL; i++)
                bad |= json_array_append_new(distinct, num_json(vs->kind, vs->v[i])) != 0;
            bad |= json_object_set_new(stats, "distinct", distinct) != 0;
            bad |= json_object_set_new(stats, "distinct_count", json_integer((json_int_t)vs->n)) != 0;
        }
    }
    bad |= json_object_set_new(stats, "source", json_string("npy")) != 0;
    if (bad)
        goto fail;
    free(vs);
    return stats;

fail:
    free(vs);
    json_decref(stats);
    return NULL;
}

json_t *fc_npy_header_json(const fc_npy_scanner *s)
{
    json_t *header, *shape;
    unsigned i;
    int bad;

    if (s->phase != PH_DONE)
        return NULL;
    shape = json_array();
    for (i = 0; i < s->rank && shape != NULL; i++) {
        if (json_array_append_new(shape, json_integer((json_int_t)s->shape[i])) != 0) {
            json_decref(shape);
            shape = NULL;
        }
    }
    header = json_object();
    bad = header == NULL || shape == NULL;
    bad |= json_object_set_new(header, "shape", shape) != 0;
    bad |= json_object_set_new(header, "dtype", json_string(s->dtype_name)) != 0;
    bad |= json_object_set_new(header, "stats", stats_json(s)) != 0;
    if (bad) {
        json_decref(header);
        return NULL;
    }
    return header;
}
