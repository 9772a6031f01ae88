/*
 * core/sha256_blocks.h: the two ways sha256.c absorbs whole 64-byte blocks, exposed so that the unit
 * tests can hold them against each other. Not part of the public interface.
 */
#ifndef FITCHECK_SHA256_BLOCKS_H
#define FITCHECK_SHA256_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Absorbs `blocks` 64-byte blocks at data into state (FIPS 180-4 6.2.2), in portable C. */
void fc_sha256_blocks_portable(uint32_t state[8], const unsigned char *data, size_t blocks);

/* The same with the CPU's SHA instructions (x86 SHA-NI) when it has them: returns 1 after absorbing
 * the blocks, or 0 without touching state when this CPU or build has no such path. */
int fc_sha256_blocks_accelerated(uint32_t state[8], const unsigned char *data, size_t blocks);

#endif
