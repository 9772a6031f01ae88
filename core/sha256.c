/*
 * core/sha256.c: SHA-256 as specified in FIPS 180-4 (sections 4.1.2, 4.2.2,
 * 5.1.1, 5.3.3 and 6.2). Portable C11: all word arithmetic is done on
 * uint32_t values that are truncated back to 32 bits, and message words and
 * the digest are (de)serialised big-endian byte by byte, so the code does
 * not depend on host endianness or on the width of int. On x86-64 CPUs with
 * the SHA extensions (SHA-NI) whole blocks go through those instructions
 * instead, chosen at run time: about five times the portable speed, which
 * matters because every preflight hashes its whole request.
 */
#include "fitcheck/sha256.h"

#include "sha256_blocks.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FC_SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#endif

/* Round constants K0..K63: first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes (FIPS 180-4 4.2.2). */
static const uint32_t k_round[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u,
    0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
    0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu,
    0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
    0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u,
    0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u,
    0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
    0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

/* Initial hash value H(0): first 32 bits of the fractional parts of the
 * square roots of the first 8 primes (FIPS 180-4 5.3.3). */
static const uint32_t k_init[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

/* Rotate right by n, 0 < n < 32 (both shift counts stay in 1..31). */
static uint32_t rotr(uint32_t x, unsigned n)
{
    return (uint32_t)((x >> n) | (x << (32u - n)));
}

/* The six logical functions of FIPS 180-4 4.1.2. */
static uint32_t ch(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) ^ (~x & z);
}

static uint32_t maj(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) ^ (x & z) ^ (y & z);
}

static uint32_t big_sigma0(uint32_t x)
{
    return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
}

static uint32_t big_sigma1(uint32_t x)
{
    return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
}

static uint32_t small_sigma0(uint32_t x)
{
    return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
}

static uint32_t small_sigma1(uint32_t x)
{
    return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10);
}

/* Reads a big-endian 32-bit word. Each byte is widened to uint32_t before
 * shifting so that no shift happens on a (signed) promoted int. */
static uint32_t load_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Writes a 32-bit word big-endian. */
static void store_be32(unsigned char *p, uint32_t x)
{
    p[0] = (unsigned char)((x >> 24) & 0xffu);
    p[1] = (unsigned char)((x >> 16) & 0xffu);
    p[2] = (unsigned char)((x >> 8) & 0xffu);
    p[3] = (unsigned char)(x & 0xffu);
}

/* Writes a 64-bit word big-endian. */
static void store_be64(unsigned char *p, uint64_t x)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(x & 0xffu);
        x >>= 8;
    }
}

/* Processes one 64-byte block into state (FIPS 180-4 6.2.2). Every sum is
 * assigned to a uint32_t, which reduces it modulo 2^32 as required. */
static void compress_portable(uint32_t state[8], const unsigned char block[64])
{
    uint32_t w[64];
    uint32_t a, b, c, d, e, f, g, h;

    for (unsigned t = 0; t < 16; t++) {
        w[t] = load_be32(block + 4u * t);
    }
    for (unsigned t = 16; t < 64; t++) {
        w[t] = (uint32_t)(small_sigma1(w[t - 2]) + w[t - 7] +
                          small_sigma0(w[t - 15]) + w[t - 16]);
    }

    a = state[0];
    b = state[1];
    c = state[2];
    d = state[3];
    e = state[4];
    f = state[5];
    g = state[6];
    h = state[7];

    for (unsigned t = 0; t < 64; t++) {
        uint32_t t1 = (uint32_t)(h + big_sigma1(e) + ch(e, f, g) +
                                 k_round[t] + w[t]);
        uint32_t t2 = (uint32_t)(big_sigma0(a) + maj(a, b, c));
        h = g;
        g = f;
        f = e;
        e = (uint32_t)(d + t1);
        d = c;
        c = b;
        b = a;
        a = (uint32_t)(t1 + t2);
    }

    state[0] = (uint32_t)(state[0] + a);
    state[1] = (uint32_t)(state[1] + b);
    state[2] = (uint32_t)(state[2] + c);
    state[3] = (uint32_t)(state[3] + d);
    state[4] = (uint32_t)(state[4] + e);
    state[5] = (uint32_t)(state[5] + f);
    state[6] = (uint32_t)(state[6] + g);
    state[7] = (uint32_t)(state[7] + h);
}

void fc_sha256_blocks_portable(uint32_t state[8], const unsigned char *data, size_t blocks)
{
    for (; blocks > 0; blocks--, data += 64)
        compress_portable(state, data);
}

#ifdef FC_SHA_X86
/* The same blocks with the x86 SHA extensions (SHA-NI: Intel since Goldmont and Ice Lake, AMD since
 * Zen). The state lives in two registers as the instructions want it, ABEF and CDGH; each
 * sha256rnds2 does two rounds, the message schedule is sha256msg1/msg2 four words at a time. */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t state[8], const unsigned char *data,
                                                                    size_t blocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)(const void *)&state[0]); /* DCBA */
    __m128i st1 = _mm_loadu_si128((const __m128i *)(const void *)&state[4]); /* HGFE */
    __m128i st0;

    tmp = _mm_shuffle_epi32(tmp, 0xB1);       /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);       /* EFGH */
    st0 = _mm_alignr_epi8(tmp, st1, 8);       /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);    /* CDGH */

    for (; blocks > 0; blocks--, data += 64) {
        __m128i save0 = st0, save1 = st1, w[4], msg;
        int g;

        for (g = 0; g < 16; g++) {
            if (g < 4) {
                w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(data + 16 * g)), bswap);
            } else {
                /* w[g&3] holds W(g-4), w[(g+1)&3] W(g-3), w[(g+2)&3] W(g-2), w[(g+3)&3] W(g-1) */
                __m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);

                x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                w[g & 3] = _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
            }
            msg = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)(const void *)&k_round[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
    }

    tmp = _mm_shuffle_epi32(st0, 0x1B);       /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);       /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);    /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);       /* HGFE */
    _mm_storeu_si128((__m128i *)(void *)&state[0], st0);
    _mm_storeu_si128((__m128i *)(void *)&state[4], st1);
}

/* 1 when the CPU has SHA-NI, SSSE3 and SSE4.1; asked once (cpuid traps to the hypervisor in a VM,
 * so it is not asked per call). 0 = not asked yet, 1 = has them, 2 = has not. */
static int have_shani(void)
{
    static atomic_int known;
    int k = atomic_load_explicit(&known, memory_order_relaxed);

    if (k == 0) {
        unsigned a, b, c, d, has = 0;

        if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19)) &&
            __get_cpuid_count(7, 0, &a, &b, &c, &d))
            has = (b >> 29) & 1u;
        k = has ? 1 : 2;
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return k == 1;
}
#endif

int fc_sha256_blocks_accelerated(uint32_t state[8], const unsigned char *data, size_t blocks)
{
#ifdef FC_SHA_X86
    if (have_shani()) {
        blocks_shani(state, data, blocks);
        return 1;
    }
#endif
    (void)state;
    (void)data;
    (void)blocks;
    return 0;
}

/* Whole blocks, the fastest way this CPU has. */
static void blocks(uint32_t state[8], const unsigned char *data, size_t n)
{
    if (!fc_sha256_blocks_accelerated(state, data, n))
        fc_sha256_blocks_portable(state, data, n);
}

void fc_sha256_init(fc_sha256 *ctx)
{
    memcpy(ctx->state, k_init, sizeof ctx->state);
    ctx->total_len = 0;
    memset(ctx->block, 0, sizeof ctx->block);
    ctx->block_len = 0;
}

void fc_sha256_update(fc_sha256 *ctx, const void *data, size_t len)
{
    const unsigned char *p = data;

    /* Early out also keeps memcpy away from a NULL pointer. */
    if (len == 0) {
        return;
    }
    ctx->total_len += (uint64_t)len;

    /* Top up a pending partial block first. */
    if (ctx->block_len > 0) {
        size_t room = sizeof ctx->block - ctx->block_len;
        size_t take = len < room ? len : room;
        memcpy(ctx->block + ctx->block_len, p, take);
        ctx->block_len += take;
        p += take;
        len -= take;
        if (ctx->block_len < sizeof ctx->block) {
            return;
        }
        blocks(ctx->state, ctx->block, 1);
        ctx->block_len = 0;
    }

    /* Whole blocks straight from the input. */
    if (len >= sizeof ctx->block) {
        size_t n = len / sizeof ctx->block;

        blocks(ctx->state, p, n);
        p += n * sizeof ctx->block;
        len -= n * sizeof ctx->block;
    }

    /* Keep the tail for later. */
    if (len > 0) {
        memcpy(ctx->block, p, len);
        ctx->block_len = len;
    }
}

void fc_sha256_final(fc_sha256 *ctx, unsigned char out[32])
{
    /* Message length in bits, modulo 2^64 (FIPS 180-4 5.1.1). */
    uint64_t bit_len = ctx->total_len << 3;
    size_t n = ctx->block_len;

    /* Append the single 1 bit, then zeros up to 56 mod 64. If fewer than
     * 8 bytes remain for the length, pad out and flush this block first. */
    ctx->block[n++] = 0x80u;
    if (n > 56) {
        memset(ctx->block + n, 0, sizeof ctx->block - n);
        blocks(ctx->state, ctx->block, 1);
        n = 0;
    }
    memset(ctx->block + n, 0, 56 - n);
    store_be64(ctx->block + 56, bit_len);
    blocks(ctx->state, ctx->block, 1);

    for (unsigned i = 0; i < 8; i++) {
        store_be32(out + 4u * i, ctx->state[i]);
    }

    /* Do not leave message-derived data behind in the context. */
    memset(ctx, 0, sizeof *ctx);
}

void fc_sha256_final_hex(fc_sha256 *ctx, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[32];

    fc_sha256_final(ctx, digest);
    for (unsigned i = 0; i < 32; i++) {
        out[2u * i] = digits[(digest[i] >> 4) & 0x0fu];
        out[2u * i + 1u] = digits[digest[i] & 0x0fu];
    }
    out[64] = '\0';
}

void fc_sha256_hex(const void *data, size_t len, char out[65])
{
    fc_sha256 ctx;

    fc_sha256_init(&ctx);
    fc_sha256_update(&ctx, data, len);
    fc_sha256_final_hex(&ctx, out);
}
