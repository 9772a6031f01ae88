/*
 * tests/unit/test_sha256.c: SHA-256 against the FIPS 180-2 / NIST example
 * vectors, padding edge lengths (digests from coreutils sha256sum) and
 * incremental updates split at every offset; the accelerated block path
 * against the portable one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fitcheck/sha256.h"
#include "../../core/sha256_blocks.h"

/* Hex of a finished streaming context, for comparison with fc_sha256_hex. */
static void final_hex(fc_sha256 *ctx, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[32];

    fc_sha256_final(ctx, digest);
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    out[64] = '\0';
}

/* Both one-shot and single-update streaming must give expected. */
static void check_digest(const void *data, size_t len, const char *expected)
{
    char hex[65];
    fc_sha256 ctx;

    memset(hex, 'x', sizeof hex);
    fc_sha256_hex(data, len, hex);
    assert_string_equal(hex, expected);

    fc_sha256_init(&ctx);
    fc_sha256_update(&ctx, data, len);
    final_hex(&ctx, hex);
    assert_string_equal(hex, expected);
}

/* Test messages of the padding-edge tests: byte i is 'a' + i % 26. */
static void fill_alpha(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (unsigned char)('a' + i % 26);
    }
}

static void test_sha256__empty(void **state)
{
    (void)state;
    check_digest("", 0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256__empty_null_data(void **state)
{
    char hex[65];

    (void)state;
    fc_sha256_hex(NULL, 0, hex);
    assert_string_equal(hex,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256__abc(void **state)
{
    (void)state;
    check_digest("abc", 3,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256__448_bits(void **state)
{
    static const char msg[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    (void)state;
    assert_int_equal(sizeof msg - 1, 56);
    check_digest(msg, sizeof msg - 1,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256__million_a(void **state)
{
    static const char expected[] =
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    const size_t total = 1000000;
    unsigned char chunk[1000];
    char hex[65];
    fc_sha256 ctx;
    unsigned char *all;

    (void)state;

    /* Streamed in 1000 equal chunks. */
    memset(chunk, 'a', sizeof chunk);
    fc_sha256_init(&ctx);
    for (size_t i = 0; i < total / sizeof chunk; i++) {
        fc_sha256_update(&ctx, chunk, sizeof chunk);
    }
    final_hex(&ctx, hex);
    assert_string_equal(hex, expected);

    /* And in one call. */
    all = malloc(total);
    assert_non_null(all);
    memset(all, 'a', total);
    check_digest(all, total, expected);
    free(all);
}

static void test_sha256__len_55(void **state)
{
    unsigned char msg[55];

    (void)state;
    fill_alpha(msg, sizeof msg);
    check_digest(msg, sizeof msg,
        "595615dbe4f0f407ae397d08b4c2cb870cb9b0e11937416f950c5160acf9c005");
}

static void test_sha256__len_56(void **state)
{
    unsigned char msg[56];

    (void)state;
    fill_alpha(msg, sizeof msg);
    check_digest(msg, sizeof msg,
        "784f623b787495078e93ff28a25b581df0584055a7e71d8cd90c454716b92f51");
}

static void test_sha256__len_63(void **state)
{
    unsigned char msg[63];

    (void)state;
    fill_alpha(msg, sizeof msg);
    check_digest(msg, sizeof msg,
        "5ca3e1ef5207490eac01a795e5cc94d59582a5118bf9534665c8668d87aa647c");
}

static void test_sha256__len_64(void **state)
{
    unsigned char msg[64];

    (void)state;
    fill_alpha(msg, sizeof msg);
    check_digest(msg, sizeof msg,
        "2fcd5a0d60e4c941381fcc4e00a4bf8be422c3ddfafb93c809e8d1e2bfffae8e");
}

static void test_sha256__len_65(void **state)
{
    unsigned char msg[65];

    (void)state;
    fill_alpha(msg, sizeof msg);
    check_digest(msg, sizeof msg,
        "1b3cd1877ab2f2f19f7be001722554f336cb799df0329de0bb4c118dc6abc06d");
}

/* 200 bytes, byte i is (7 * i + 3) mod 256 (covers bytes >= 0x80). */
#define SPLIT_LEN 200
static const char split_expected[] =
    "2c7e18c942ef065b526a2d4e5546283749cd3ddfb51d8fc71f42717363685f46";

static void fill_split(unsigned char *buf)
{
    for (size_t i = 0; i < SPLIT_LEN; i++) {
        buf[i] = (unsigned char)((7 * i + 3) & 0xff);
    }
}

static void test_sha256__split_every_offset(void **state)
{
    unsigned char msg[SPLIT_LEN];
    char one_shot[65];
    char hex[65];

    (void)state;
    fill_split(msg);
    fc_sha256_hex(msg, sizeof msg, one_shot);
    assert_string_equal(one_shot, split_expected);

    for (size_t k = 0; k <= sizeof msg; k++) {
        fc_sha256 ctx;

        fc_sha256_init(&ctx);
        fc_sha256_update(&ctx, msg, k);
        fc_sha256_update(&ctx, msg + k, sizeof msg - k);
        final_hex(&ctx, hex);
        if (strcmp(hex, one_shot) != 0) {
            fail_msg("split at %zu: got %s, want %s", k, hex, one_shot);
        }
    }
}

static void test_sha256__split_three_ways(void **state)
{
    unsigned char msg[SPLIT_LEN];
    char hex[65];

    (void)state;
    fill_split(msg);
    for (size_t i = 0; i <= sizeof msg; i++) {
        for (size_t j = i; j <= sizeof msg; j += 13) {
            fc_sha256 ctx;

            fc_sha256_init(&ctx);
            fc_sha256_update(&ctx, msg, i);
            fc_sha256_update(&ctx, msg + i, j - i);
            fc_sha256_update(&ctx, msg + j, sizeof msg - j);
            final_hex(&ctx, hex);
            if (strcmp(hex, split_expected) != 0) {
                fail_msg("split at %zu/%zu: got %s", i, j, hex);
            }
        }
    }
}

static void test_sha256__byte_at_a_time(void **state)
{
    unsigned char msg[SPLIT_LEN];
    char hex[65];
    fc_sha256 ctx;

    (void)state;
    fill_split(msg);
    fc_sha256_init(&ctx);
    for (size_t i = 0; i < sizeof msg; i++) {
        fc_sha256_update(&ctx, msg + i, 1);
        fc_sha256_update(&ctx, NULL, 0);
    }
    final_hex(&ctx, hex);
    assert_string_equal(hex, split_expected);
}

static void test_sha256__reinit_after_final(void **state)
{
    char hex[65];
    fc_sha256 ctx;

    (void)state;
    fc_sha256_init(&ctx);
    fc_sha256_update(&ctx, "something else entirely", 23);
    final_hex(&ctx, hex);

    fc_sha256_init(&ctx);
    fc_sha256_update(&ctx, "abc", 3);
    final_hex(&ctx, hex);
    assert_string_equal(hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* SHA-NI and portable C on the same blocks: 2,000 seeded random runs of 1..40 blocks from a state
 * that earlier runs left, and the vectors above went through whichever this CPU takes. Skipped
 * where there is no accelerated path. */
static void test_sha256__accelerated_matches_portable(void **state)
{
    static const uint32_t init[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                     0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    uint32_t a[8], b[8];
    unsigned char buf[40 * 64 + 1];
    unsigned seed = 12345;

    (void)state;
    memset(buf, 0, sizeof buf);
    memcpy(a, init, sizeof a);
    if (!fc_sha256_blocks_accelerated(a, buf, 0)) {
        skip();
    }
    memcpy(b, init, sizeof b);
    for (int run = 0; run < 2000; run++) {
        size_t n = 1 + (size_t)(run % 40), off = (size_t)(run & 1); /* odd addresses too */

        for (size_t i = 0; i < n * 64; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[off + i] = (unsigned char)(seed >> 16);
        }
        if (run % 97 == 0) {
            memset(buf + off, run % 2 ? 0xff : 0, n * 64);
        }
        assert_int_equal(fc_sha256_blocks_accelerated(a, buf + off, n), 1);
        fc_sha256_blocks_portable(b, buf + off, n);
        assert_memory_equal(a, b, sizeof a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256__empty),
        cmocka_unit_test(test_sha256__empty_null_data),
        cmocka_unit_test(test_sha256__abc),
        cmocka_unit_test(test_sha256__448_bits),
        cmocka_unit_test(test_sha256__million_a),
        cmocka_unit_test(test_sha256__len_55),
        cmocka_unit_test(test_sha256__len_56),
        cmocka_unit_test(test_sha256__len_63),
        cmocka_unit_test(test_sha256__len_64),
        cmocka_unit_test(test_sha256__len_65),
        cmocka_unit_test(test_sha256__split_every_offset),
        cmocka_unit_test(test_sha256__split_three_ways),
        cmocka_unit_test(test_sha256__byte_at_a_time),
        cmocka_unit_test(test_sha256__reinit_after_final),
        cmocka_unit_test(test_sha256__accelerated_matches_portable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
