/*
 * npy.c - the streaming .npy reader: the preamble and header state
 * machine, a Python-literal parser for the header dict, the dtype table,
 * one statistics kernel per element type, the string scanner, and the
 * tensor header built from what was seen.
 *
 * Statistics live in three shapes, chosen by the element size:
 *   - 8-bit types (bool, int8, uint8) count each byte value in four
 *     interleaved 256-entry tables of uint32 (four, so that a run of one
 *     value makes four dependency chains, not one), folded into 64-bit
 *     totals at the end and every EPOCH elements;
 *   - 16-bit types (int16, uint16, float16) count each pattern in a
 *     65536-entry uint32 table (allocated on the first 16-bit file), folded
 *     the same way into a 65536-bit map, the moments and the hash set's
 *     counts; both give exact min, max, distinct values, counts and
 *     moments, whatever the data;
 *   - wider types keep a running min/max and add each value to a hash set
 *     of at most FC_NPY_MAX_DISTINCT keys with a count per key, which stops
 *     being consulted once it overflows; int32/int64 take their sums (mean,
 *     mean_square) in a second pass over each piece while it is in L1.
 * float32 and float64 run in blocks of BLOCK elements: one branch-free
 * pass finds min, max, the sums and whether any element is NaN or Inf (SSE2
 * when available); a block that holds some is redone with them counted and
 * masked out, still without branches. Until the distinct set overflows, a
 * block's values are looked up four at a time at their home slots (and
 * counted, for labels), and only a group with a miss takes the probing
 * path; past it, a block is tested for fractional values until one is found.
 * Row sums (rank >= 2, C order) follow the position in the current row
 * across pieces and chunks: float blocks end at row ends when rows are
 * long (ROW_FUSE), other rows have a pass of their own (add_rows).
 * Data is scanned in segments at fixed places in the file (staged when a
 * chunk splits one), so that sums, which depend on grouping through
 * rounding, do not depend on how the file was chunked.
 * Strings (U, S) are hashed whole, 8 bytes at a time, and only the first
 * STR_KEEP bytes of each distinct one are kept, as UTF-8.
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
#define SWAP_BYTES 8192   /* bytes scanned (and byte-swapped) at a time */
#define DESCR_MAX 64
#define EPOCH (UINT32_C(1) << 31) /* elements counted in uint32 tables between folds */
#define STR_KEEP 128      /* UTF-8 bytes kept of each distinct string */
#define STR_RAW 512       /* raw bytes of the current string element kept (128 UCS-4 units) */
#define STR_INDEX 1024    /* slots of the distinct strings' hash index */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_ORDER '>'
#else
#define HOST_ORDER '<'
#endif

typedef enum phase { PH_PREAMBLE, PH_HEADER, PH_DATA, PH_DONE, PH_FAILED } phase;

typedef enum value_kind {
    VK_NONE,     /* object, str, bytes: no numeric scan */
    VK_FLOAT,
    VK_SIGNED,
    VK_UNSIGNED,
    VK_BOOL,
    VK_COMPLEX
} value_kind;

typedef enum stats_form {
    SF_NONE,     /* nothing kept (object, str, bytes) or counts only (complex) */
    SF_TABLE8,   /* counts of each byte value */
    SF_TABLE16,  /* counts of each 16-bit pattern */
    SF_RUNNING   /* running min/max, sums, the hash set with counts */
} stats_form;

typedef enum str_kind { STR_NONE, STR_UNICODE, STR_BYTES } str_kind;

typedef void (*scan_fn)(fc_npy_scanner *s, const unsigned char *p, size_t n);

/* The sum (out[0]) and sum of squares (out[1]) of n native-order elements. */
typedef void (*sum_fn)(const unsigned char *p, size_t n, double out[2]);

/* The sum of the finite values among n native-order elements. */
typedef double (*row_fn)(const unsigned char *p, size_t n);

typedef struct npy_type {
    char code;          /* typestr character: 'b', 'c', 'f', 'i', 'u' */
    unsigned size;      /* bytes per element */
    const char *name;   /* numpy's name */
    value_kind kind;
    stats_form form;
    scan_fn scan;       /* kernel over native-order elements */
    sum_fn sums;        /* the moments pass: 32/64-bit integers only */
    row_fn rowsum;      /* row sums; NULL for complex */
} npy_type;

/* A compensated (Kahan-Babuska-Neumaier) sum. */
typedef struct ksum {
    double sum;
    double comp;
} ksum;

/* One distinct string: the full element's hash and length, its first bytes as UTF-8. */
typedef struct str_entry {
    uint64_t hash;                /* of the whole element, NUL padding included */
    uint64_t len;                 /* bytes of the element up to its last non-NUL unit */
    unsigned short text_len;
    char text[STR_KEEP + 4];      /* UTF-8, cut at a character boundary, "..." (U+2026) when cut */
} str_entry;

/* The string scanner's tables, allocated on the first U or S file. */
typedef struct str_table {
    str_entry e[FC_NPY_MAX_DISTINCT];
    uint16_t index[STR_INDEX];    /* entry number + 1, 0 when empty; keyed by hash */
    unsigned count;
    int overflow;                 /* a 257th distinct string was seen: scanning stopped */
    uint64_t pos;                 /* bytes of the current element received */
    uint64_t hash;                /* running hash of the current element */
    uint64_t word;                /* its partial 8-byte word */
    unsigned word_len;
    uint64_t content;             /* bytes up to its last non-NUL unit so far */
    unsigned char raw[STR_RAW];   /* its first bytes */
} str_table;

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
    char dtype_buf[24];           /* "<U5", "|S5": dtype_name points here for strings */
    str_kind str;                 /* U or S data, scanned by str_feed */
    int str_big;                  /* U data is big-endian */
    unsigned itemsize;
    int swap;                     /* data byte order differs from the host's */
    int fortran;
    int check_length;             /* 0 for object arrays (a pickle) */
    unsigned rank;
    uint64_t shape[FC_NPY_MAX_RANK];
    uint64_t count;               /* prod(shape) */
    uint64_t data_expected;       /* prod(shape) * itemsize */
    uint64_t data_got;            /* data bytes received, extra ones included */
    size_t stage_len;             /* bytes of the current segment held in stage */

    double fmin, fmax;            /* float32/float64: over finite values */
    int64_t imin, imax;           /* int32/int64 */
    uint64_t umin, umax;          /* uint32/uint64 */
    int has_minmax;
    uint64_t nan_count;
    uint64_t inf_count;
    uint64_t elements;            /* elements scanned */
    ksum sum, sumsq;              /* over the finite values */
    int fractional;               /* a finite float value that is not whole was seen */
    int one_per_sample;           /* shape (n,) or (n, 1, ...): class counts are given */
    int count_keys;               /* float fast paths keep the set's counts (labels, no fraction yet) */

    int rows;                     /* row sums are taken: rank >= 2, C order, real numbers */
    int rows_fused;               /* by the float block kernels (rows of ROW_FUSE or more) */
    uint64_t row_len;             /* elements per row: the last dimension */
    uint64_t row_pos;             /* elements of the current row seen */
    double row_acc;               /* the current row's sum so far */
    double row_min, row_max;
    int has_rows;                 /* one row at least is complete */

    uint64_t epoch;               /* elements counted in cnt8 / cnt16 since their last fold */
    int set_overflow;             /* more than FC_NPY_MAX_DISTINCT keys seen */
    int set_has_empty;            /* the key SET_EMPTY itself was seen */
    unsigned set_count;           /* keys in the set, set_has_empty included */
    uint64_t empty_count;         /* occurrences of the key SET_EMPTY */
    int tables_dirty;             /* set, cnt8, count8 or bits16 hold something */
    int cnt16_dirty;              /* cnt16 holds something */
    uint32_t cnt8[4][256];        /* 8-bit counts since the last fold, four interleaved tables */
    uint64_t count8[256];         /* 8-bit totals */
    uint64_t bits16[65536 / 64];  /* 16-bit patterns seen */
    uint32_t *cnt16;              /* owned, 65536 entries; 16-bit counts since the last fold */
    str_table *strs;              /* owned; the string scanner's tables */
    uint64_t set[SET_SLOTS];
    uint64_t set_cnt[SET_SLOTS];  /* occurrences of the key in the same slot of set */
    unsigned char stage[SWAP_BYTES]; /* a segment split across chunks, completed here */
    unsigned char swapbuf[SWAP_BYTES];
};

/* ------------------------------------------------------------ hash set */

static void set_clear(fc_npy_scanner *s)
{
    memset(s->set, 0xff, sizeof(s->set));
    s->set_overflow = 0;
    s->set_has_empty = 0;
    s->set_count = 0;
    s->empty_count = 0;
}

/* The slot a key hashes to (Fibonacci hashing); linear probing goes on from there. */
#define SET_HOME(key) ((size_t)(((key) * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SET_BITS)))

/*
 * Adds `times` occurrences of key (never SET_EMPTY). Returns 1 once the set
 * has overflowed. A new key's count is set, not added to: the float fast
 * paths may have bumped the count of an empty slot.
 */
static inline int set_add_n(fc_npy_scanner *s, uint64_t key, uint64_t times)
{
    size_t h = SET_HOME(key);

    for (;;) {
        uint64_t slot = s->set[h];

        if (slot == key) {
            s->set_cnt[h] += times;
            return 0;
        }
        if (slot == SET_EMPTY)
            break;
        h = (h + 1) & (SET_SLOTS - 1);
    }
    if (s->set_count == FC_NPY_MAX_DISTINCT) {
        s->set_overflow = 1;
        return 1;
    }
    s->set[h] = key;
    s->set_cnt[h] = times;
    s->set_count++;
    return 0;
}

static inline int set_add(fc_npy_scanner *s, uint64_t key)
{
    return set_add_n(s, key, 1);
}

/* Adds any 64-bit key, SET_EMPTY included. Returns 1 once the set has overflowed. */
static int set_add_any(fc_npy_scanner *s, uint64_t key)
{
    if (key != SET_EMPTY)
        return set_add(s, key);
    if (s->set_has_empty) {
        s->empty_count++;
        return 0;
    }
    if (s->set_count == FC_NPY_MAX_DISTINCT) {
        s->set_overflow = 1;
        return 1;
    }
    s->set_has_empty = 1;
    s->empty_count = 1;
    s->set_count++;
    return 0;
}

/* ------------------------------------------------------------ sums */

static inline void ksum_add(ksum *k, double x)
{
    double t = k->sum + x;

    if (fabs(k->sum) >= fabs(x))
        k->comp += (k->sum - t) + x;
    else
        k->comp += (x - t) + k->sum;
    k->sum = t;
}

static inline double ksum_value(const ksum *k)
{
    return k->sum + k->comp;
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

/* bool, int8, uint8: count each byte value, four tables in turn. */
static void scan_8(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    uint32_t *c0 = s->cnt8[0], *c1 = s->cnt8[1], *c2 = s->cnt8[2], *c3 = s->cnt8[3];
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        uint32_t w = load32(p + i);

        c0[w & 255]++;
        c1[(w >> 8) & 255]++;
        c2[(w >> 16) & 255]++;
        c3[w >> 24]++;
    }
    for (; i < n; i++)
        c0[p[i]]++;
}

/* int16, uint16, float16: count each 16-bit pattern (float16 NaN and Inf are told apart at the fold). */
static void scan_16(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    uint32_t *cnt = s->cnt16;
    size_t i;

    for (i = 0; i < n; i++)
        cnt[load16(p + 2 * i)]++;
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

/* A finite float16 as a float, without libm: subnormals by scaling, the rest by moving bits. */
static inline float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    float f;

    if (exp == 0) {
        f = (float)mant * 5.9604644775390625e-8f; /* 2^-24 */
        return sign ? -f : f;
    }
    return bits_to_f32(sign | (exp + 112) << 23 | mant << 13);
}

/* One distinct value; which member is used depends on the dtype's kind. */
typedef union num {
    double d;
    int64_t i;
    uint64_t u;
} num;

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

static double num_double(value_kind kind, num x)
{
    if (kind == VK_FLOAT)
        return x.d;
    if (kind == VK_UNSIGNED)
        return (double)x.u;
    return (double)x.i;
}

/* Folds the four uint32 tables of 8-bit counts into the 64-bit totals. */
static void fold8(fc_npy_scanner *s)
{
    unsigned v;

    for (v = 0; v < 256; v++)
        s->count8[v] += (uint64_t)s->cnt8[0][v] + s->cnt8[1][v] + s->cnt8[2][v] + s->cnt8[3][v];
    memset(s->cnt8, 0, sizeof(s->cnt8));
    s->epoch = 0;
}

/*
 * Folds the uint32 table of 16-bit counts into the bitmap of patterns seen,
 * the NaN/Inf counts (float16), the sums, the fractional flag and the hash
 * set's counts (class counts; the set is not otherwise used by 16-bit types).
 */
static void fold16(fc_npy_scanner *s)
{
    const npy_type *t = s->type;
    value_kind kind = t->kind;
    unsigned i;

    for (i = 0; i < 65536; i++) {
        uint32_t c = s->cnt16[i];
        unsigned pat = i;
        double v;

        if (c == 0)
            continue;
        s->cnt16[i] = 0;
        if (kind == VK_FLOAT && (pat & 0x7C00u) == 0x7C00u) {
            if (pat & 0x03FFu)
                s->nan_count += c;
            else
                s->inf_count += c;
            continue;
        }
        if (kind == VK_FLOAT && pat == 0x8000u)
            pat = 0;
        s->bits16[pat >> 6] |= UINT64_C(1) << (pat & 63);
        v = num_double(kind, table_value(t, pat));
        ksum_add(&s->sum, (double)c * v);
        ksum_add(&s->sumsq, (double)c * v * v);
        if (v != floor(v))
            s->fractional = 1;
        if (!s->set_overflow)
            set_add_n(s, pat, c);
    }
    s->epoch = 0;
}

/* The sums of an 8-bit file, from its counts (after fold8). */
static void moments8(fc_npy_scanner *s)
{
    unsigned v;

    for (v = 0; v < 256; v++) {
        double x = num_double(s->type->kind, table_value(s->type, v)), c = (double)s->count8[v];

        if (s->count8[v] == 0)
            continue;
        ksum_add(&s->sum, c * x);
        ksum_add(&s->sumsq, c * x * x);
    }
}

/* Sums of squares in float32 can overflow from here (2^62): a block reaching it is summed again in double. */
#define F32_SQUARE_SAFE 4.6116860184273879e18f

/*
 * A float32 block that holds NaN or Inf: counted and masked out without
 * branches (a special value enters min as +Inf and max as -Inf, and the
 * sums as 0), so that NaNs scattered at random, as missing values are,
 * cost no mispredictions. The sums are taken in double. Returns the sum.
 */
static double f32_block_masked(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    float lo = INFINITY, hi = -INFINITY;
    uint64_t specials = 0, infs = 0;
    double sum = 0, sq = 0;
    size_t i = 0;

#if defined(__SSE2__)
    __m128i expo = _mm_set1_epi32(0x7F800000), absm = _mm_set1_epi32(0x7FFFFFFF);
    __m128i csp = _mm_setzero_si128(), cinf = _mm_setzero_si128();
    __m128 pinf = _mm_set1_ps(INFINITY), ninf = _mm_set1_ps(-INFINITY), vlo = pinf, vhi = ninf;
    __m128d s0 = _mm_setzero_pd(), s1 = s0, q0 = s0, q1 = s0;
    float l4[4], h4[4];
    int32_t c4[4], i4[4];
    double s2[2], q2[2];

    for (; i + 4 <= n; i += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i));
        __m128i sp = _mm_cmpeq_epi32(_mm_and_si128(a, expo), expo);
        __m128 spf = _mm_castsi128_ps(sp), v = _mm_castsi128_ps(a), z = _mm_andnot_ps(spf, v);
        __m128d d0 = _mm_cvtps_pd(z), d1 = _mm_cvtps_pd(_mm_movehl_ps(z, z));

        csp = _mm_sub_epi32(csp, sp);
        cinf = _mm_sub_epi32(cinf, _mm_cmpeq_epi32(_mm_and_si128(a, absm), expo));
        vlo = _mm_min_ps(vlo, _mm_or_ps(_mm_and_ps(spf, pinf), z));
        vhi = _mm_max_ps(vhi, _mm_or_ps(_mm_and_ps(spf, ninf), z));
        s0 = _mm_add_pd(s0, d0);
        s1 = _mm_add_pd(s1, d1);
        q0 = _mm_add_pd(q0, _mm_mul_pd(d0, d0));
        q1 = _mm_add_pd(q1, _mm_mul_pd(d1, d1));
    }
    _mm_storeu_ps(l4, vlo);
    _mm_storeu_ps(h4, vhi);
    _mm_storeu_si128((__m128i *)(void *)c4, csp);
    _mm_storeu_si128((__m128i *)(void *)i4, cinf);
    _mm_storeu_pd(s2, _mm_add_pd(s0, s1));
    _mm_storeu_pd(q2, _mm_add_pd(q0, q1));
    specials = (uint64_t)c4[0] + (uint64_t)c4[1] + (uint64_t)c4[2] + (uint64_t)c4[3];
    infs = (uint64_t)i4[0] + (uint64_t)i4[1] + (uint64_t)i4[2] + (uint64_t)i4[3];
    lo = fminf(fminf(l4[0], l4[1]), fminf(l4[2], l4[3]));
    hi = fmaxf(fmaxf(h4[0], h4[1]), fmaxf(h4[2], h4[3]));
    sum = s2[0] + s2[1];
    sq = q2[0] + q2[1];
#endif
    for (; i < n; i++) {
        uint32_t u = load32(p + 4 * i);
        float v = bits_to_f32(u);
        int special = (u & 0x7F800000u) == 0x7F800000u;
        double d = special ? 0.0 : (double)v;

        specials += (uint64_t)special;
        infs += (uint64_t)((u & 0x7FFFFFFFu) == 0x7F800000u);
        sum += d;
        sq += d * d;
        v = special ? lo : v;
        lo = v < lo ? v : lo;
        v = special ? hi : bits_to_f32(u);
        hi = v > hi ? v : hi;
    }
    s->nan_count += specials - infs;
    s->inf_count += infs;
    ksum_add(&s->sum, sum);
    ksum_add(&s->sumsq, sq);
    if (lo <= hi) {
        if (lo < s->fmin)
            s->fmin = lo;
        if (hi > s->fmax)
            s->fmax = hi;
        s->has_minmax = 1;
    }
    return sum;
}

/*
 * Min and max of n float32 at p, their sum and sum of squares, and how
 * many are NaN or Inf. The rest is meaningful only when that count is 0 (a
 * NaN or Inf may have entered it). Groups of eight values, and of their
 * squares, are added in float32 (three roundings, the squares four: a
 * relative error of at most about 2^-22 on each group), then accumulated in
 * double; a block with a value of magnitude
 * F32_SQUARE_SAFE or more, where that may overflow, is summed again by
 * f32_block_masked.
 */
static size_t f32_block_minmax(const unsigned char *p, size_t n, float *mn, float *mx, double sums[2])
{
    float lo = INFINITY, hi = -INFINITY;
    double sum = 0, sq = 0;
    size_t i = 0, specials = 0;

#if defined(__SSE2__)
    /* One accumulator each, so that none is spilled (SSE2 has 16 registers). */
    __m128 vlo = _mm_set1_ps(INFINITY), vhi = _mm_set1_ps(-INFINITY);
    __m128i expo = _mm_set1_epi32(0x7F800000), sp = _mm_setzero_si128();
    __m128d vs = _mm_setzero_pd(), vq = vs;
    float l4[4], h4[4];
    int32_t c4[4];
    double s2[2], q2[2];

    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 48));
        __m128 fa = _mm_castsi128_ps(a), fb = _mm_castsi128_ps(b), fc = _mm_castsi128_ps(c), fd = _mm_castsi128_ps(d);
        __m128 sum4 = _mm_add_ps(_mm_add_ps(fa, fb), _mm_add_ps(fc, fd));
        __m128 sq4 = _mm_add_ps(_mm_add_ps(_mm_mul_ps(fa, fa), _mm_mul_ps(fb, fb)),
                                _mm_add_ps(_mm_mul_ps(fc, fc), _mm_mul_ps(fd, fd)));
        __m128i ea = _mm_cmpeq_epi32(_mm_and_si128(a, expo), expo), eb = _mm_cmpeq_epi32(_mm_and_si128(b, expo), expo);
        __m128i ec = _mm_cmpeq_epi32(_mm_and_si128(c, expo), expo), ed = _mm_cmpeq_epi32(_mm_and_si128(d, expo), expo);

        sp = _mm_sub_epi32(sp, _mm_add_epi32(_mm_add_epi32(ea, eb), _mm_add_epi32(ec, ed)));
        vlo = _mm_min_ps(vlo, _mm_min_ps(_mm_min_ps(fa, fb), _mm_min_ps(fc, fd)));
        vhi = _mm_max_ps(vhi, _mm_max_ps(_mm_max_ps(fa, fb), _mm_max_ps(fc, fd)));
        /* Eight values (and eight squares) to a float32 lane, then into double. */
        vs = _mm_add_pd(vs, _mm_cvtps_pd(_mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4))));
        vq = _mm_add_pd(vq, _mm_cvtps_pd(_mm_add_ps(sq4, _mm_movehl_ps(sq4, sq4))));
    }
    _mm_storeu_ps(l4, vlo);
    _mm_storeu_ps(h4, vhi);
    _mm_storeu_si128((__m128i *)(void *)c4, sp);
    _mm_storeu_pd(s2, vs);
    _mm_storeu_pd(q2, vq);
    specials = (size_t)c4[0] + (size_t)c4[1] + (size_t)c4[2] + (size_t)c4[3];
    lo = fminf(fminf(l4[0], l4[1]), fminf(l4[2], l4[3]));
    hi = fmaxf(fmaxf(h4[0], h4[1]), fmaxf(h4[2], h4[3]));
    sum = s2[0] + s2[1];
    sq = q2[0] + q2[1];
#endif
    for (; i < n; i++) {
        uint32_t u = load32(p + 4 * i);
        float v = bits_to_f32(u);

        specials += (u & 0x7F800000u) == 0x7F800000u;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
        sq += (double)v * v;
    }
    *mn = lo;
    *mx = hi;
    sums[0] = sum;
    sums[1] = sq;
    return specials;
}

/*
 * One float32 into the distinct set: finite values only, -0 as +0. A value
 * that is not whole ends the fast paths' counting (class counts are kept for
 * whole values only). Returns 1 once the set has overflowed.
 */
static inline int f32_distinct_one(fc_npy_scanner *s, uint32_t u)
{
    float v;

    if ((u & 0x7F800000u) == 0x7F800000u)
        return 0;
    if (u == 0x80000000u)
        u = 0;
    v = bits_to_f32(u);
    if (v != floorf(v)) {
        s->fractional = 1;
        s->count_keys = 0;
    }
    return set_add(s, u);
}

/*
 * Adds the finite float32 values of a block to the distinct set. Most
 * values are already there, at their home slot: four at a time are looked
 * up there without branching (and counted, while the values are whole),
 * and only a group with a miss (a new value, a displaced one, a NaN, Inf
 * or -0) goes through set_add.
 */
static void f32_block_distinct(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const uint64_t *set = s->set;
    uint64_t *cnt = s->set_cnt;
    size_t i = 0, j;

    for (; i + 4 <= n; i += 4) {
        uint64_t k0 = load32(p + 4 * i), k1 = load32(p + 4 * i + 4);
        uint64_t k2 = load32(p + 4 * i + 8), k3 = load32(p + 4 * i + 12);
        size_t h0 = SET_HOME(k0), h1 = SET_HOME(k1), h2 = SET_HOME(k2), h3 = SET_HOME(k3);

        if ((set[h0] == k0) & (set[h1] == k1) & (set[h2] == k2) & (set[h3] == k3)) {
            if (s->count_keys) {
                cnt[h0]++;
                cnt[h1]++;
                cnt[h2]++;
                cnt[h3]++;
            }
            continue;
        }
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

/* Whether a block of float32 holds a finite value that is not whole. */
static int f32_block_fractional(const unsigned char *p, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    /* |v| < 2^23 is whole when (|v| + 2^23) - 2^23 == |v|; above, every float is. */
    __m128i expo = _mm_set1_epi32(0x7F800000), absm = _mm_set1_epi32(0x7FFFFFFF);
    __m128 big = _mm_set1_ps(8388608.0f), ok = _mm_castsi128_ps(_mm_set1_epi32(-1));

    for (; i + 4 <= n; i += 4) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i));
        __m128 x = _mm_castsi128_ps(_mm_and_si128(a, absm));
        __m128 whole = _mm_or_ps(_mm_cmpeq_ps(_mm_sub_ps(_mm_add_ps(x, big), big), x), _mm_cmpge_ps(x, big));
        __m128 special = _mm_castsi128_ps(_mm_cmpeq_epi32(_mm_and_si128(a, expo), expo));

        ok = _mm_and_ps(ok, _mm_or_ps(whole, special));
    }
    if (_mm_movemask_ps(ok) != 0xF)
        return 1;
#endif
    for (; i < n; i++) {
        uint32_t u = load32(p + 4 * i);
        float v = bits_to_f32(u);

        if ((u & 0x7F800000u) != 0x7F800000u && v != floorf(v))
            return 1;
    }
    return 0;
}

/* A complete row's sum enters row_min/row_max. */
static inline void row_add(fc_npy_scanner *s, double sum)
{
    if (!s->has_rows || sum < s->row_min)
        s->row_min = sum;
    if (!s->has_rows || sum > s->row_max)
        s->row_max = sum;
    s->has_rows = 1;
}

/*
 * Rows of ROW_FUSE or more elements are summed by the float block kernels:
 * blocks end at row ends and their sum goes to the row. Shorter rows (the
 * one-hot labels) have their own pass (add_rows).
 */
#define ROW_FUSE 64

/* The next float block: at most BLOCK elements, ending at the row's end when rows are fused. */
static inline size_t float_block(const fc_npy_scanner *s, size_t n)
{
    size_t b = n < BLOCK ? n : BLOCK;

    if (s->rows_fused && s->row_len - s->row_pos < b)
        b = (size_t)(s->row_len - s->row_pos);
    return b;
}

/* A float block's finite sum into the current row (fused rows). */
static inline void float_block_row(fc_npy_scanner *s, size_t b, double sum)
{
    s->row_acc += sum;
    s->row_pos += b;
    if (s->row_pos == s->row_len) {
        row_add(s, s->row_acc);
        s->row_acc = 0;
        s->row_pos = 0;
    }
}

static void scan_f32(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t b = float_block(s, n);
        float lo, hi;
        double sums[2];

        if (f32_block_minmax(p, b, &lo, &hi, sums) != 0 || -lo >= F32_SQUARE_SAFE || hi >= F32_SQUARE_SAFE) {
            sums[0] = f32_block_masked(s, p, b);
        } else {
            if (lo < s->fmin)
                s->fmin = lo;
            if (hi > s->fmax)
                s->fmax = hi;
            s->has_minmax = 1;
            ksum_add(&s->sum, sums[0]);
            ksum_add(&s->sumsq, sums[1]);
        }
        if (!s->set_overflow)
            f32_block_distinct(s, p, b);
        /* Past the set (or in the block that overflowed it), values are tested here. */
        if (s->set_overflow && !s->fractional)
            s->fractional = f32_block_fractional(p, b);
        if (s->rows_fused)
            float_block_row(s, b, sums[0]);
        p += 4 * b;
        n -= b;
    }
}

#define F64_EXP UINT64_C(0x7FF0000000000000)
#define F64_MANT UINT64_C(0x000FFFFFFFFFFFFF)
#define F64_NEG0 UINT64_C(0x8000000000000000)

/* As f32_block_masked, for float64. */
static double f64_block_masked(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
    uint64_t specials = 0, infs = 0;
    size_t i = 0;

#if defined(__SSE2__)
    /* SSE2 compares dwords: the exponent is in the high one, an Inf has a zero low one. */
    __m128i expo = _mm_set_epi32(0x7FF00000, 0, 0x7FF00000, 0), absm = _mm_set_epi32(0x7FFFFFFF, -1, 0x7FFFFFFF, -1);
    __m128i csp = _mm_setzero_si128(), cinf = _mm_setzero_si128();
    __m128d pinf = _mm_set1_pd(INFINITY), ninf = _mm_set1_pd(-INFINITY), vlo = pinf, vhi = ninf;
    __m128d vs = _mm_setzero_pd(), vq = vs;
    double l2[2], h2[2], s2[2], q2[2];
    int32_t c4[4], i4[4];

    for (; i + 2 <= n; i += 2) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 8 * i));
        __m128i sp = _mm_shuffle_epi32(_mm_cmpeq_epi32(_mm_and_si128(a, expo), expo), _MM_SHUFFLE(3, 3, 1, 1));
        __m128i eq = _mm_cmpeq_epi32(_mm_and_si128(a, absm), expo);
        __m128d spd = _mm_castsi128_pd(sp), v = _mm_castsi128_pd(a);
        __m128d z = _mm_andnot_pd(spd, v);

        csp = _mm_sub_epi32(csp, sp);
        cinf = _mm_sub_epi32(cinf, _mm_and_si128(eq, _mm_shuffle_epi32(eq, _MM_SHUFFLE(2, 3, 0, 1))));
        vlo = _mm_min_pd(vlo, _mm_or_pd(_mm_and_pd(spd, pinf), z));
        vhi = _mm_max_pd(vhi, _mm_or_pd(_mm_and_pd(spd, ninf), z));
        vs = _mm_add_pd(vs, z);
        vq = _mm_add_pd(vq, _mm_mul_pd(z, z));
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
    _mm_storeu_pd(s2, vs);
    _mm_storeu_pd(q2, vq);
    sum = s2[0] + s2[1];
    sq = q2[0] + q2[1];
#endif
    for (; i < n; i++) {
        uint64_t u = load64(p + 8 * i);
        double v = bits_to_f64(u);
        int special = (u & F64_EXP) == F64_EXP;
        double z = special ? 0.0 : v;

        specials += (uint64_t)special;
        infs += (uint64_t)((u & ~F64_NEG0) == F64_EXP);
        sum += z;
        sq += z * z;
        v = special ? lo : v;
        lo = v < lo ? v : lo;
        v = special ? hi : bits_to_f64(u);
        hi = v > hi ? v : hi;
    }
    ksum_add(&s->sum, sum);
    ksum_add(&s->sumsq, sq);
    s->nan_count += specials - infs;
    s->inf_count += infs;
    if (lo <= hi) {
        if (lo < s->fmin)
            s->fmin = lo;
        if (hi > s->fmax)
            s->fmax = hi;
        s->has_minmax = 1;
    }
    return sum;
}

/* As f32_block_minmax, for float64 (the sums in double throughout). */
static size_t f64_block_minmax(const unsigned char *p, size_t n, double *mn, double *mx, double sums[2])
{
    double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
    size_t i = 0, specials = 0;

#if defined(__SSE2__)
    /* SSE2 has no 64-bit compare: the exponent lies in the high dword. */
    __m128d lo0 = _mm_set1_pd(INFINITY), lo1 = lo0, hi0 = _mm_set1_pd(-INFINITY), hi1 = hi0;
    __m128i expo = _mm_set_epi32(0x7FF00000, 0, 0x7FF00000, 0);
    __m128i high = _mm_set_epi32(-1, 0, -1, 0);
    __m128i sp = _mm_setzero_si128();
    __m128d s0 = _mm_setzero_pd(), s1 = s0, q0 = s0, q1 = s0;
    double l2[2], h2[2], s2[2], q2[2];
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
        s0 = _mm_add_pd(s0, _mm_castsi128_pd(a));
        s1 = _mm_add_pd(s1, _mm_castsi128_pd(b));
        q0 = _mm_add_pd(q0, _mm_mul_pd(_mm_castsi128_pd(a), _mm_castsi128_pd(a)));
        q1 = _mm_add_pd(q1, _mm_mul_pd(_mm_castsi128_pd(b), _mm_castsi128_pd(b)));
    }
    _mm_storeu_pd(l2, _mm_min_pd(lo0, lo1));
    _mm_storeu_pd(h2, _mm_max_pd(hi0, hi1));
    _mm_storeu_si128((__m128i *)(void *)c4, sp);
    specials = (size_t)c4[1] + (size_t)c4[3];
    lo = fmin(l2[0], l2[1]);
    hi = fmax(h2[0], h2[1]);
    _mm_storeu_pd(s2, _mm_add_pd(s0, s1));
    _mm_storeu_pd(q2, _mm_add_pd(q0, q1));
    sum = s2[0] + s2[1];
    sq = q2[0] + q2[1];
#endif
    for (; i < n; i++) {
        uint64_t u = load64(p + 8 * i);
        double v = bits_to_f64(u);

        specials += (u & F64_EXP) == F64_EXP;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
        sq += v * v;
    }
    *mn = lo;
    *mx = hi;
    sums[0] = sum;
    sums[1] = sq;
    return specials;
}

/* As f32_distinct_one, for float64. */
static inline int f64_distinct_one(fc_npy_scanner *s, uint64_t u)
{
    double v;

    if ((u & F64_EXP) == F64_EXP)
        return 0;
    if (u == F64_NEG0)
        u = 0;
    v = bits_to_f64(u);
    if (v != floor(v)) {
        s->fractional = 1;
        s->count_keys = 0;
    }
    return set_add(s, u);
}

/* As f32_block_distinct, for float64. */
static void f64_block_distinct(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const uint64_t *set = s->set;
    uint64_t *cnt = s->set_cnt;
    size_t i = 0, j;

    for (; i + 4 <= n; i += 4) {
        uint64_t k0 = load64(p + 8 * i), k1 = load64(p + 8 * i + 8);
        uint64_t k2 = load64(p + 8 * i + 16), k3 = load64(p + 8 * i + 24);
        size_t h0 = SET_HOME(k0), h1 = SET_HOME(k1), h2 = SET_HOME(k2), h3 = SET_HOME(k3);

        /*
         * An all-ones NaN "hits" an empty slot: skipped, as every NaN must
         * be; the count it bumps is overwritten when a key takes the slot.
         */
        if ((set[h0] == k0) & (set[h1] == k1) & (set[h2] == k2) & (set[h3] == k3)) {
            if (s->count_keys) {
                cnt[h0]++;
                cnt[h1]++;
                cnt[h2]++;
                cnt[h3]++;
            }
            continue;
        }
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

/* As f32_block_fractional, for float64 (2^52). */
static int f64_block_fractional(const unsigned char *p, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    __m128i expo = _mm_set_epi32(0x7FF00000, 0, 0x7FF00000, 0), absm = _mm_set_epi32(0x7FFFFFFF, -1, 0x7FFFFFFF, -1);
    __m128d big = _mm_set1_pd(4503599627370496.0), ok = _mm_castsi128_pd(_mm_set1_epi32(-1));

    for (; i + 2 <= n; i += 2) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 8 * i));
        __m128d x = _mm_castsi128_pd(_mm_and_si128(a, absm));
        __m128d whole = _mm_or_pd(_mm_cmpeq_pd(_mm_sub_pd(_mm_add_pd(x, big), big), x), _mm_cmpge_pd(x, big));
        __m128i sp = _mm_shuffle_epi32(_mm_cmpeq_epi32(_mm_and_si128(a, expo), expo), _MM_SHUFFLE(3, 3, 1, 1));

        ok = _mm_and_pd(ok, _mm_or_pd(whole, _mm_castsi128_pd(sp)));
    }
    if (_mm_movemask_pd(ok) != 0x3)
        return 1;
#endif
    for (; i < n; i++) {
        uint64_t u = load64(p + 8 * i);
        double v = bits_to_f64(u);

        if ((u & F64_EXP) != F64_EXP && v != floor(v))
            return 1;
    }
    return 0;
}

static void scan_f64(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t b = float_block(s, n);
        double lo, hi, sums[2];

        if (f64_block_minmax(p, b, &lo, &hi, sums) == 0) {
            if (lo < s->fmin)
                s->fmin = lo;
            if (hi > s->fmax)
                s->fmax = hi;
            s->has_minmax = 1;
            ksum_add(&s->sum, sums[0]);
            ksum_add(&s->sumsq, sums[1]);
        } else {
            sums[0] = f64_block_masked(s, p, b);
        }
        if (!s->set_overflow)
            f64_block_distinct(s, p, b);
        if (s->set_overflow && !s->fractional)
            s->fractional = f64_block_fractional(p, b);
        if (s->rows_fused)
            float_block_row(s, b, sums[0]);
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

/* ------------------------------------------------- sums and row sums */

/*
 * 32- and 64-bit integers: sum and sum of squares in double, two chains
 * (the moments pass; floats take theirs in the block kernels, 8- and
 * 16-bit types from their counts).
 */
#define DEFINE_INT_SUMS(name, ctype, load, size)                                                                     \
    static void name(const unsigned char *p, size_t n, double out[2])                                                \
    {                                                                                                                \
        double s0 = 0, s1 = 0, q0 = 0, q1 = 0;                                                                       \
        size_t i = 0;                                                                                                \
                                                                                                                     \
        for (; i + 2 <= n; i += 2) {                                                                                 \
            double a = (double)(ctype)load(p + (size) * i), b = (double)(ctype)load(p + (size) * (i + 1));          \
                                                                                                                     \
            s0 += a;                                                                                                 \
            s1 += b;                                                                                                 \
            q0 += a * a;                                                                                             \
            q1 += b * b;                                                                                             \
        }                                                                                                            \
        for (; i < n; i++) {                                                                                         \
            double a = (double)(ctype)load(p + (size) * i);                                                          \
                                                                                                                     \
            s0 += a;                                                                                                 \
            q0 += a * a;                                                                                             \
        }                                                                                                            \
        out[0] = s0 + s1;                                                                                            \
        out[1] = q0 + q1;                                                                                            \
    }

DEFINE_INT_SUMS(sums_i32, int32_t, load32, 4)
DEFINE_INT_SUMS(sums_u32, uint32_t, load32, 4)
DEFINE_INT_SUMS(sums_i64, int64_t, load64, 8)
DEFINE_INT_SUMS(sums_u64, uint64_t, load64, 8)

/* The sum of the finite float32 values of a run (a row or part of one). */
static double rowsum_f32(const unsigned char *p, size_t n)
{
    double sum = 0;
    size_t i = 0;

#if defined(__SSE2__)
    if (n >= 16) {
        /* Four values to a float32 lane, then into double (f32_block_minmax adds eight). */
        __m128i expo = _mm_set1_epi32(0x7F800000);
        __m128d s0 = _mm_setzero_pd(), s1 = s0;
        double t2[2];

        for (; i + 16 <= n; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 32));
            __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(p + 4 * i + 48));
            __m128 va = _mm_castsi128_ps(_mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(a, expo), expo), a));
            __m128 vb = _mm_castsi128_ps(_mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(b, expo), expo), b));
            __m128 vc = _mm_castsi128_ps(_mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(c, expo), expo), c));
            __m128 vd = _mm_castsi128_ps(_mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(d, expo), expo), d));
            __m128 ab = _mm_add_ps(va, vb), cd = _mm_add_ps(vc, vd);

            s0 = _mm_add_pd(s0, _mm_cvtps_pd(_mm_add_ps(ab, _mm_movehl_ps(ab, ab))));
            s1 = _mm_add_pd(s1, _mm_cvtps_pd(_mm_add_ps(cd, _mm_movehl_ps(cd, cd))));
        }
        _mm_storeu_pd(t2, _mm_add_pd(s0, s1));
        sum = t2[0] + t2[1];
    }
#endif
    {
        /* Short rows (one-hot labels): four chains, so that rows overlap. */
        double c[4] = {0, 0, 0, 0};

        for (; i + 4 <= n; i += 4) {
            for (unsigned j = 0; j < 4; j++) {
                uint32_t u = load32(p + 4 * (i + j));

                c[j] += (u & 0x7F800000u) == 0x7F800000u ? 0.0 : (double)bits_to_f32(u);
            }
        }
        for (; i < n; i++) {
            uint32_t u = load32(p + 4 * i);

            c[0] += (u & 0x7F800000u) == 0x7F800000u ? 0.0 : (double)bits_to_f32(u);
        }
        sum += (c[0] + c[1]) + (c[2] + c[3]);
    }
    return sum;
}

static double rowsum_f64(const unsigned char *p, size_t n)
{
    double s0 = 0, s1 = 0;
    size_t i = 0;

    for (; i + 2 <= n; i += 2) {
        uint64_t a = load64(p + 8 * i), b = load64(p + 8 * i + 8);

        s0 += (a & F64_EXP) == F64_EXP ? 0.0 : bits_to_f64(a);
        s1 += (b & F64_EXP) == F64_EXP ? 0.0 : bits_to_f64(b);
    }
    for (; i < n; i++) {
        uint64_t a = load64(p + 8 * i);

        s0 += (a & F64_EXP) == F64_EXP ? 0.0 : bits_to_f64(a);
    }
    return s0 + s1;
}

static double rowsum_f16(const unsigned char *p, size_t n)
{
    double sum = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        uint16_t h = load16(p + 2 * i);

        if ((h & 0x7C00u) != 0x7C00u)
            sum += half_to_float(h);
    }
    return sum;
}

/* Integers up to 32 bits: exact in 64-bit integers. */
static double rowsum_u8(const unsigned char *p, size_t n)
{
    uint64_t sum = 0;
    size_t i = 0;

#if defined(__SSE2__)
    if (n >= 16) {
        __m128i acc = _mm_setzero_si128(), zero = _mm_setzero_si128();
        uint64_t a2[2];

        for (; i + 16 <= n; i += 16)
            acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), zero));
        _mm_storeu_si128((__m128i *)(void *)a2, acc);
        sum = a2[0] + a2[1];
    }
#endif
    for (; i < n; i++)
        sum += p[i];
    return (double)sum;
}

#define DEFINE_INT_ROWSUM(name, acctype, expr)                                                                       \
    static double name(const unsigned char *p, size_t n)                                                             \
    {                                                                                                                \
        acctype sum = 0;                                                                                             \
        size_t i;                                                                                                    \
                                                                                                                     \
        for (i = 0; i < n; i++)                                                                                      \
            sum += (expr);                                                                                           \
        return (double)sum;                                                                                          \
    }

DEFINE_INT_ROWSUM(rowsum_b8, uint64_t, p[i] != 0)
DEFINE_INT_ROWSUM(rowsum_i8, int64_t, (int8_t)p[i])
DEFINE_INT_ROWSUM(rowsum_i16, int64_t, (int16_t)load16(p + 2 * i))
DEFINE_INT_ROWSUM(rowsum_u16, uint64_t, load16(p + 2 * i))
DEFINE_INT_ROWSUM(rowsum_i32, int64_t, (int32_t)load32(p + 4 * i))
DEFINE_INT_ROWSUM(rowsum_u32, uint64_t, load32(p + 4 * i))
DEFINE_INT_ROWSUM(rowsum_i64, double, (double)(int64_t)load64(p + 8 * i))
DEFINE_INT_ROWSUM(rowsum_u64, double, (double)load64(p + 8 * i))

/* Numeric dtypes by typestr code and size. */
static const npy_type npy_types[] = {
    {'b', 1, "bool", VK_BOOL, SF_TABLE8, scan_8, NULL, rowsum_b8},
    {'c', 8, "complex64", VK_COMPLEX, SF_NONE, scan_c64, NULL, NULL},
    {'c', 16, "complex128", VK_COMPLEX, SF_NONE, scan_c128, NULL, NULL},
    {'f', 2, "float16", VK_FLOAT, SF_TABLE16, scan_16, NULL, rowsum_f16},
    {'f', 4, "float32", VK_FLOAT, SF_RUNNING, scan_f32, NULL, rowsum_f32},
    {'f', 8, "float64", VK_FLOAT, SF_RUNNING, scan_f64, NULL, rowsum_f64},
    {'i', 1, "int8", VK_SIGNED, SF_TABLE8, scan_8, NULL, rowsum_i8},
    {'i', 2, "int16", VK_SIGNED, SF_TABLE16, scan_16, NULL, rowsum_i16},
    {'i', 4, "int32", VK_SIGNED, SF_RUNNING, scan_i32, sums_i32, rowsum_i32},
    {'i', 8, "int64", VK_SIGNED, SF_RUNNING, scan_i64, sums_i64, rowsum_i64},
    {'u', 1, "uint8", VK_UNSIGNED, SF_TABLE8, scan_8, NULL, rowsum_u8},
    {'u', 2, "uint16", VK_UNSIGNED, SF_TABLE16, scan_16, NULL, rowsum_u16},
    {'u', 4, "uint32", VK_UNSIGNED, SF_RUNNING, scan_u32, sums_u32, rowsum_u32},
    {'u', 8, "uint64", VK_UNSIGNED, SF_RUNNING, scan_u64, sums_u64, rowsum_u64},
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

/*
 * The row sums over n native-order elements: the row left open by the
 * previous piece is completed, whole rows are summed one call each, and
 * the start of the next row is kept open.
 */
static void add_rows(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const npy_type *t = s->type;
    uint64_t len = s->row_len;

    if (s->row_pos > 0) {
        size_t k = len - s->row_pos < n ? (size_t)(len - s->row_pos) : n;

        s->row_acc += t->rowsum(p, k);
        s->row_pos += k;
        p += k * t->size;
        n -= k;
        if (s->row_pos < len)
            return;
        row_add(s, s->row_acc);
        s->row_pos = 0;
        s->row_acc = 0;
    }
    for (; n >= len; n -= (size_t)len, p += (size_t)len * t->size)
        row_add(s, t->rowsum(p, (size_t)len));
    if (n > 0) {
        s->row_acc = t->rowsum(p, n);
        s->row_pos = n;
    }
}

/*
 * Runs the type's kernel, the moments pass (32/64-bit integers) and the
 * row sums over n elements, SWAP_BYTES at a time (byte-swapped first when
 * needed), so that the later passes find them in L1. Folds the uint32
 * count tables before they could overflow.
 */
static void scan_elements(fc_npy_scanner *s, const unsigned char *p, size_t n)
{
    const npy_type *t = s->type;
    unsigned unit = t->kind == VK_COMPLEX ? t->size / 2 : t->size;
    size_t per = SWAP_BYTES / t->size;

    if (n > 0)
        s->tables_dirty = 1;
    s->elements += n;
    while (n > 0) {
        size_t m = n < per ? n : per, bytes = m * t->size;
        const unsigned char *q = p;

        if (t->form == SF_TABLE8 || t->form == SF_TABLE16) {
            if (s->epoch + m > EPOCH && t->form == SF_TABLE8)
                fold8(s);
            else if (s->epoch + m > EPOCH)
                fold16(s);
            s->epoch += m;
        }
        if (s->swap) {
            swap_copy(s->swapbuf, p, bytes, unit);
            q = s->swapbuf;
        }
        t->scan(s, q, m);
        if (t->sums != NULL) {
            double part[2];

            t->sums(q, m, part);
            ksum_add(&s->sum, part[0]);
            ksum_add(&s->sumsq, part[1]);
        }
        if (s->rows && !s->rows_fused)
            add_rows(s, q, m);
        p += bytes;
        n -= m;
    }
}

/* ------------------------------------------------------------- strings */

static inline uint64_t rotl64(uint64_t x, int r)
{
    return x << r | x >> (64 - r);
}

/* One 8-byte word into a string's running hash (MurmurHash3's 64-bit block step). */
static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
    w *= UINT64_C(0x87C37B91114253D5);
    w = rotl64(w, 31);
    w *= UINT64_C(0x4CF5AD432745937F);
    h ^= w;
    return rotl64(h, 27) * 5 + 0x52DCE729;
}

static inline uint64_t hash_final(uint64_t h, uint64_t len)
{
    h ^= len;
    h ^= h >> 33;
    h *= UINT64_C(0xFF51AFD7ED558CCD);
    h ^= h >> 33;
    h *= UINT64_C(0xC4CEB9FE1A85EC53);
    h ^= h >> 33;
    return h;
}

/* Forgets every distinct string: the table is ready for a new file. */
static void str_clear(str_table *st)
{
    memset(st->index, 0, sizeof(st->index));
    st->count = 0;
    st->overflow = 0;
    st->pos = 0;
    st->hash = 0;
    st->word = 0;
    st->word_len = 0;
    st->content = 0;
}

/* Appends code point c as UTF-8 at out + *n (room for 4 bytes is the caller's). */
static void utf8_put(char *out, size_t *n, uint32_t c)
{
    unsigned char *o = (unsigned char *)out + *n;

    if (c < 0x80) {
        o[0] = (unsigned char)c;
        *n += 1;
    } else if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | c >> 6);
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        *n += 2;
    } else if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | c >> 12);
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        *n += 3;
    } else {
        o[0] = (unsigned char)(0xF0 | c >> 18);
        o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (c & 0x3F));
        *n += 4;
    }
}

/*
 * The length of the valid UTF-8 sequence at p (at most n bytes), with its
 * code point in *c; 0 when the byte at p does not start one (a stray
 * continuation, an overlong form, a surrogate, past U+10FFFF or cut short).
 */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *c)
{
    size_t len, i;
    uint32_t v, min;

    if (p[0] < 0x80) {
        *c = p[0];
        return 1;
    }
    if ((p[0] & 0xE0) == 0xC0) {
        len = 2, v = p[0] & 0x1Fu, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3, v = p[0] & 0x0Fu, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4, v = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *c = v;
    return len;
}

/*
 * The kept text of the element just completed: the first bytes of its
 * value without the NUL padding, as UTF-8 (UCS-4 code units in the file's
 * byte order for U, bytes for S; a unit that is not a character, a byte
 * that does not start valid UTF-8, and an inner NUL become U+FFFD), cut at a character
 * boundary to STR_KEEP bytes and then ended by U+2026 when anything was cut.
 */
static void str_text(const fc_npy_scanner *s, const str_table *st, str_entry *e)
{
    size_t have = (size_t)(st->content < STR_RAW ? st->content : STR_RAW), i = 0, n = 0, step;
    char buf[STR_KEEP + 4];
    int cut = st->content > have;
    uint32_t c;

    while (i < have) {
        if (s->str == STR_UNICODE) {
            const unsigned char *u = st->raw + i;

            if (have - i < 4)
                break;
            c = s->str_big ? (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3]
                           : (uint32_t)u[3] << 24 | (uint32_t)u[2] << 16 | (uint32_t)u[1] << 8 | u[0];
            if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
                c = 0xFFFD;
            step = 4;
        } else {
            step = utf8_seq(st->raw + i, have - i, &c);
            if (step == 0) {
                c = 0xFFFD;
                step = 1;
            }
        }
        if (c == 0)
            c = 0xFFFD; /* an inner NUL: "\u0000" is refused by JSON readers (jansson without JSON_ALLOW_NUL) */
        if (n + (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4) > STR_KEEP) {
            cut = 1;
            break;
        }
        utf8_put(buf, &n, c);
        i += step;
    }
    if (cut)
        utf8_put(buf, &n, 0x2026);
    memcpy(e->text, buf, n);
    e->text_len = (unsigned short)n;
}

/* The current element is complete: a new distinct string is added, a 257th stops the scan. */
static void str_element_done(fc_npy_scanner *s)
{
    str_table *st = s->strs;
    uint64_t h = hash_final(st->word_len ? hash_word(st->hash, st->word) : st->hash, st->content);
    size_t slot = (size_t)(h & (STR_INDEX - 1));
    str_entry *e;

    while (st->index[slot] != 0) {
        e = &st->e[st->index[slot] - 1];
        if (e->hash == h && e->len == st->content)
            goto next;
        slot = (slot + 1) & (STR_INDEX - 1);
    }
    if (st->count == FC_NPY_MAX_DISTINCT) {
        st->overflow = 1;
        return;
    }
    e = &st->e[st->count];
    e->hash = h;
    e->len = st->content;
    str_text(s, st, e);
    st->index[slot] = (uint16_t)(++st->count);
next:
    st->pos = 0;
    st->hash = 0;
    st->word = 0;
    st->word_len = 0;
    st->content = 0;
}

/* len bytes of the current element, which they do not pass the end of. */
static void str_piece(fc_npy_scanner *s, const unsigned char *p, size_t len)
{
    str_table *st = s->strs;
    unsigned unit = s->str == STR_UNICODE ? 4 : 1;
    size_t i = 0, j;

    if (st->pos < STR_RAW) {
        size_t c = STR_RAW - (size_t)st->pos < len ? STR_RAW - (size_t)st->pos : len;

        memcpy(st->raw + st->pos, p, c);
    }
    for (j = len; j > 0 && p[j - 1] == 0; j--)
        ;
    if (j > 0) {
        uint64_t end = st->pos + j;

        st->content = (end + unit - 1) / unit * unit;
    }
    while (st->word_len > 0 && i < len) {
        st->word |= (uint64_t)p[i++] << (8 * st->word_len);
        if (++st->word_len == 8) {
            st->hash = hash_word(st->hash, st->word);
            st->word = 0;
            st->word_len = 0;
        }
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t w = 0;

        for (j = 0; j < 8; j++)
            w |= (uint64_t)p[i + j] << (8 * j);
        st->hash = hash_word(st->hash, w);
    }
    for (; i < len; i++)
        st->word |= (uint64_t)p[i] << (8 * st->word_len++);
    st->pos += len;
}

/* String data: each element hashed and, when new, kept; nothing once the table has overflowed. */
static void str_feed(fc_npy_scanner *s, const unsigned char *p, size_t len)
{
    str_table *st = s->strs;

    while (len > 0 && !st->overflow) {
        size_t c = s->itemsize - st->pos < len ? (size_t)(s->itemsize - st->pos) : len;

        str_piece(s, p, c);
        p += c;
        len -= c;
        if (st->pos == s->itemsize)
            str_element_done(s);
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
        /* numpy's descr, with the byte order spelt out: '<U5' (the core prints it as str160). */
        s->str = STR_UNICODE;
        s->str_big = order == '>' || ((order == '=' || order == '|') && HOST_ORDER == '>');
        snprintf(s->dtype_buf, sizeof(s->dtype_buf), "%cU%lu", s->str_big ? '>' : '<', size);
        s->dtype_name = s->dtype_buf;
        s->itemsize = (unsigned)size * 4;
        return FC_OK;
    case 'S':
    case 'a':
        s->str = STR_BYTES;
        snprintf(s->dtype_buf, sizeof(s->dtype_buf), "|S%lu", size);
        s->dtype_name = s->dtype_buf;
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

/*
 * Whether class counts are given (one value per sample) and row sums taken:
 * real numbers (not complex, not strings) of rank >= 2 in C order. Rows of
 * length 0 all sum to 0.
 */
static void expect_rows(fc_npy_scanner *s)
{
    unsigned i;

    /* One value per sample ((n,), (n, 1)): the shape of class labels, whose counts are kept. */
    s->one_per_sample = s->rank >= 1;
    for (i = 1; i < s->rank; i++)
        s->one_per_sample &= s->shape[i] == 1;
    s->count_keys = s->one_per_sample;
    s->rows = s->rows_fused = 0;
    if (s->type == NULL || s->type->kind == VK_COMPLEX || s->rank < 2 || s->fortran)
        return;
    s->row_len = s->shape[s->rank - 1];
    if (s->row_len > 0) {
        s->rows = 1;
        s->rows_fused = s->type->form == SF_RUNNING && s->type->kind == VK_FLOAT && s->row_len >= ROW_FUSE;
    } else if (s->count == 0) {
        uint64_t rows = 1;

        for (i = 0; i + 1 < s->rank; i++)
            rows = s->shape[i] == 0 ? 0 : rows;
        s->has_rows = rows != 0; /* the sums of empty rows: 0 */
    }
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
    s->count = count;
    s->data_expected = count * s->itemsize;
    expect_rows(s);
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
    s->elements = 0;
    s->sum.sum = s->sum.comp = 0;
    s->sumsq.sum = s->sumsq.comp = 0;
    s->fractional = 0;
    s->one_per_sample = 0;
    s->count_keys = 0;
    s->rows = s->rows_fused = 0;
    s->row_len = s->row_pos = 0;
    s->row_acc = s->row_min = s->row_max = 0;
    s->has_rows = 0;
    s->epoch = 0;
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
    free(s->cnt16);
    free(s->strs);
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
    s->dtype_buf[0] = '\0';
    s->str = STR_NONE;
    s->str_big = 0;
    s->itemsize = 0;
    s->swap = s->fortran = 0;
    s->check_length = 1;
    s->rank = 0;
    s->count = s->data_expected = s->data_got = 0;
    s->stage_len = 0;
    stats_init(s);
    if (s->tables_dirty) {
        memset(s->cnt8, 0, sizeof(s->cnt8));
        memset(s->count8, 0, sizeof(s->count8));
        memset(s->bits16, 0, sizeof(s->bits16));
        set_clear(s);
        s->tables_dirty = 0;
    }
    if (s->cnt16 != NULL && s->cnt16_dirty) {
        memset(s->cnt16, 0, 65536 * sizeof(s->cnt16[0]));
        s->cnt16_dirty = 0;
    }
    if (s->strs != NULL)
        str_clear(s->strs);
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

/* The tables a dtype needs beyond the fixed ones: 16-bit counts, the string table. */
static fc_status alloc_tables(fc_npy_scanner *s, fc_error *err)
{
    if (s->type != NULL && s->type->form == SF_TABLE16 && s->cnt16 == NULL) {
        s->cnt16 = calloc(65536, sizeof(s->cnt16[0]));
        if (s->cnt16 == NULL)
            return fc_error_set(err, FC_ERR_NOMEM, NULL, "out of memory for the .npy count table");
    }
    if (s->type != NULL && s->type->form == SF_TABLE16)
        s->cnt16_dirty = 1;
    if (s->str != STR_NONE && s->strs == NULL) {
        s->strs = malloc(sizeof(*s->strs));
        if (s->strs == NULL)
            return fc_error_set(err, FC_ERR_NOMEM, NULL, "out of memory for the .npy string table");
        str_clear(s->strs);
    }
    return FC_OK;
}

static fc_status header_done(fc_npy_scanner *s, fc_error *err)
{
    fc_status result = parse_header(s, s->header, s->header_len, err);

    free(s->header);
    s->header = NULL;
    if (result != FC_OK)
        return result;
    result = alloc_tables(s, err);
    if (result != FC_OK)
        return result;
    result = expect_data(s, err);
    if (result != FC_OK)
        return result;
    s->phase = PH_DATA;
    return FC_OK;
}

/*
 * The elements of the segment that starts at the next element. Segments
 * sit at fixed places in the file: SWAP_BYTES of elements, cut at multiples
 * of that count and, when float rows are fused, at row ends. Every kernel
 * sees the same pieces however the file is chunked, so that the sums, which
 * rounding makes depend on how values are grouped, are the same too.
 */
static size_t segment_elements(const fc_npy_scanner *s)
{
    uint64_t per = SWAP_BYTES / s->itemsize, left = per - s->elements % per;

    if (s->rows_fused && s->row_len - s->row_pos < left)
        left = s->row_len - s->row_pos;
    if (s->count - s->elements < left)
        left = s->count - s->elements;
    return (size_t)left;
}

/* Data bytes: whole segments scanned in place, one split across chunks completed in stage. */
static void data_feed(fc_npy_scanner *s, const unsigned char *p, size_t len)
{
    uint64_t want = s->data_expected > s->data_got ? s->data_expected - s->data_got : 0;
    size_t take = (uint64_t)len < want ? len : (size_t)want;

    s->data_got += len;
    if (s->str != STR_NONE) {
        str_feed(s, p, take);
        return;
    }
    if (s->type == NULL || !s->check_length)
        return;
    while (take > 0) {
        size_t n = segment_elements(s), bytes = n * s->itemsize, c;

        if (s->stage_len == 0 && take >= bytes) {
            scan_elements(s, p, n);
            p += bytes;
            take -= bytes;
            continue;
        }
        c = bytes - s->stage_len < take ? bytes - s->stage_len : take;
        memcpy(s->stage + s->stage_len, p, c);
        s->stage_len += c;
        p += c;
        take -= c;
        if (s->stage_len == bytes) {
            scan_elements(s, s->stage, n);
            s->stage_len = 0;
        }
    }
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
    if (s->type != NULL && s->type->form == SF_TABLE8) {
        fold8(s);
        moments8(s);
    } else if (s->type != NULL && s->type->form == SF_TABLE16) {
        fold16(s);
        s->cnt16_dirty = 0;
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

/* One distinct value and how often it occurs. */
typedef struct item {
    num v;
    uint64_t count;
} item;

typedef struct values {
    value_kind kind;
    item v[FC_NPY_MAX_DISTINCT];
    size_t n;
    int overflow;
    num lo, hi;     /* min and max (8/16-bit tables: over every value) */
    int has_minmax;
} values;

static int cmp_d(const void *a, const void *b)
{
    double x = ((const item *)a)->v.d, y = ((const item *)b)->v.d;

    return (x > y) - (x < y);
}

static int cmp_i(const void *a, const void *b)
{
    int64_t x = ((const item *)a)->v.i, y = ((const item *)b)->v.i;

    return (x > y) - (x < y);
}

static int cmp_u(const void *a, const void *b)
{
    uint64_t x = ((const item *)a)->v.u, y = ((const item *)b)->v.u;

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

static void values_add(values *vs, num x, uint64_t count)
{
    if (!vs->has_minmax || num_less(vs->kind, x, vs->lo))
        vs->lo = x;
    if (!vs->has_minmax || num_less(vs->kind, vs->hi, x))
        vs->hi = x;
    vs->has_minmax = 1;
    if (vs->n == FC_NPY_MAX_DISTINCT) {
        vs->overflow = 1;
        return;
    }
    vs->v[vs->n].v = x;
    vs->v[vs->n].count = count;
    vs->n++;
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

/* The count the hash set holds for key (never SET_EMPTY); 0 when absent. */
static uint64_t set_count_of(const fc_npy_scanner *s, uint64_t key)
{
    size_t h = SET_HOME(key);

    while (s->set[h] != SET_EMPTY) {
        if (s->set[h] == key)
            return s->set_cnt[h];
        h = (h + 1) & (SET_SLOTS - 1);
    }
    return 0;
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
            uint64_t trues = 0;

            for (i = 1; i < 256; i++)
                trues += s->count8[i]; /* every non-zero byte is True */
            if (s->count8[0])
                values_add(vs, table_value(t, 0), s->count8[0]);
            if (trues)
                values_add(vs, table_value(t, 1), trues);
            break;
        }
        for (i = 0; i < 256; i++) {
            if (s->count8[i])
                values_add(vs, table_value(t, i), s->count8[i]);
        }
        break;
    case SF_TABLE16:
        for (i = 0; i < 65536; i++) {
            if (s->bits16[i >> 6] & (UINT64_C(1) << (i & 63)))
                values_add(vs, table_value(t, i), s->set_overflow ? 0 : set_count_of(s, i));
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
            if (s->set[i] != SET_EMPTY) {
                vs->v[vs->n].v = key_value(t, s->set[i]);
                vs->v[vs->n++].count = s->set_cnt[i];
            }
        }
        if (s->set_has_empty) {
            vs->v[vs->n].v = key_value(t, SET_EMPTY);
            vs->v[vs->n++].count = s->empty_count;
        }
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

/* The decimal key of a whole value in class_counts: "3", "-1", "18446744073709551615". */
static void class_key(value_kind kind, num x, char *out, size_t size)
{
    if (kind == VK_FLOAT)
        snprintf(out, size, "%.0f", x.d == 0 ? 0.0 : x.d);
    else if (kind == VK_UNSIGNED)
        snprintf(out, size, "%" PRIu64, x.u);
    else
        snprintf(out, size, "%" PRId64, x.i);
}

/* {"0": 900, "1": 100}: the counts of the distinct values, in ascending order. New reference or NULL. */
static json_t *class_counts_json(const values *vs)
{
    json_t *obj = json_object();
    char key[352];
    size_t i;

    for (i = 0; i < vs->n && obj != NULL; i++) {
        class_key(vs->kind, vs->v[i].v, key, sizeof(key));
        if (json_object_set_new(obj, key, json_integer((json_int_t)vs->v[i].count)) != 0) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

/*
 * mean and mean_square over the finite values, integers, row sums and
 * class counts: the members added to a numeric stats object. Returns
 * nonzero when out of memory.
 */
static int moments_json(const fc_npy_scanner *s, const values *vs, json_t *stats)
{
    uint64_t finite = s->elements - s->nan_count - s->inf_count;
    int whole = s->type->kind != VK_FLOAT || !s->fractional;
    int bad = 0;

    if (finite > 0) {
        double mean = ksum_value(&s->sum) / (double)finite, ms = ksum_value(&s->sumsq) / (double)finite;

        /* Sums past DBL_MAX: no moments rather than Inf, which JSON cannot hold. */
        if (isfinite(mean) && isfinite(ms)) {
            bad |= json_object_set_new(stats, "mean", json_real(mean)) != 0;
            bad |= json_object_set_new(stats, "mean_square", json_real(ms)) != 0;
        }
    }
    if (finite > 0 || s->type->kind != VK_FLOAT)
        bad |= json_object_set_new(stats, "integers", json_boolean(whole)) != 0;
    if (s->has_rows && isfinite(s->row_min) && isfinite(s->row_max)) {
        bad |= json_object_set_new(stats, "row_sum_min", json_real(s->row_min)) != 0;
        bad |= json_object_set_new(stats, "row_sum_max", json_real(s->row_max)) != 0;
    }
    if (whole && !vs->overflow && vs->n > 0 && s->one_per_sample)
        bad |= json_object_set_new(stats, "class_counts", class_counts_json(vs)) != 0;
    return bad;
}

/* The distinct strings, sorted by their UTF-8 bytes. */
static int cmp_entry(const void *a, const void *b)
{
    const str_entry *x = *(const str_entry *const *)a, *y = *(const str_entry *const *)b;
    size_t n = x->text_len < y->text_len ? x->text_len : y->text_len;
    int c = memcmp(x->text, y->text, n);

    if (c != 0)
        return c;
    return (x->text_len > y->text_len) - (x->text_len < y->text_len);
}

/* "distinct" and "distinct_count" of a U or S file. Returns nonzero when out of memory. */
static int strings_json(const fc_npy_scanner *s, json_t *stats)
{
    const str_entry *sorted[FC_NPY_MAX_DISTINCT];
    const str_table *st = s->strs;
    json_t *distinct = json_array();
    unsigned i, n = st->count;
    int bad = distinct == NULL;

    for (i = 0; i < n; i++)
        sorted[i] = &st->e[i];
    qsort(sorted, n, sizeof(sorted[0]), cmp_entry);
    for (i = 0; i < n && distinct != NULL; i++)
        bad |= json_array_append_new(distinct, json_stringn(sorted[i]->text, sorted[i]->text_len)) != 0;
    /* An itemsize of 0 holds only empty strings. */
    if (s->itemsize == 0 && s->count > 0 && distinct != NULL)
        bad |= json_array_append_new(distinct, json_string("")) != 0;
    bad |= json_object_set_new(stats, "distinct", distinct) != 0;
    bad |= json_object_set_new(stats, "distinct_count",
                               st->overflow ? json_null() : json_integer((json_int_t)json_array_size(distinct))) != 0;
    return bad;
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
    if (s->str != STR_NONE && s->strs != NULL)
        bad |= strings_json(s, stats);
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
                bad |= json_array_append_new(distinct, num_json(vs->kind, vs->v[i].v)) != 0;
            bad |= json_object_set_new(stats, "distinct", distinct) != 0;
            bad |= json_object_set_new(stats, "distinct_count", json_integer((json_int_t)vs->n)) != 0;
        }
        bad |= moments_json(s, vs, stats);
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
