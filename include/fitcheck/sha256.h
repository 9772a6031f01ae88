/*
 * fitcheck/sha256.h: SHA-256 message digest (FIPS 180-4), streaming and
 * one-shot interfaces. Pure C11, no allocation, no global state; safe to use
 * from several threads as long as each thread has its own fc_sha256.
 */
#ifndef FITCHECK_SHA256_H
#define FITCHECK_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Streaming hash state. Owned by the caller (stack or heap); it holds no
 * pointers and needs no cleanup. The fields are private to sha256.c: read
 * or write them only through the functions below.
 */
typedef struct fc_sha256 {
    uint32_t state[8];      /* running hash */
    uint64_t total_len;     /* bytes absorbed so far */
    unsigned char block[64];/* pending partial block */
    size_t block_len;       /* bytes used in block */
} fc_sha256;

/*
 * Resets *ctx to the start of a new message (FIPS 180-4 initial hash value).
 * ctx must be non-NULL. May be called again at any time, including after
 * fc_sha256_final, to reuse the context. Cannot fail.
 */
void fc_sha256_init(fc_sha256 *ctx);

/*
 * Absorbs len bytes from data into *ctx. ctx must have been initialised
 * with fc_sha256_init and not yet finalised. data is only read during the
 * call and is not retained; it may be NULL only when len is 0. Splitting a
 * message across any number of calls gives the same digest as one call.
 * Cannot fail; messages are limited to 2^61 - 1 bytes (the FIPS 180-4
 * bound), beyond which the encoded length silently wraps.
 */
void fc_sha256_update(fc_sha256 *ctx, const void *data, size_t len);

/*
 * Completes the hash: applies padding and writes the 32-byte digest into
 * out (big-endian, as specified). ctx must be initialised; out must point
 * to 32 writable bytes and must not overlap *ctx. Afterwards *ctx is wiped
 * and must be re-initialised with fc_sha256_init before further use.
 * Cannot fail.
 */
void fc_sha256_final(fc_sha256 *ctx, unsigned char out[32]);

/*
 * fc_sha256_final, with the digest written as 64 lowercase hex digits and a
 * NUL into out (65 writable bytes). The same rules for ctx. Cannot fail.
 */
void fc_sha256_final_hex(fc_sha256 *ctx, char out[65]);

/*
 * One shot: writes 64 lowercase hex digits and a NUL into out.
 * Hashes len bytes at data (NULL allowed only when len is 0); out must
 * point to 65 writable bytes and must not overlap data. Uses only stack
 * storage. Cannot fail.
 */
void fc_sha256_hex(const void *data, size_t len, char out[65]);

#endif /* FITCHECK_SHA256_H */
