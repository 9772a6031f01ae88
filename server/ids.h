/*
 * ids.h - report ids: UUIDv7 (RFC 9562), time-ordered and unique per process.
 */
#ifndef FITCHECK_IDS_H
#define FITCHECK_IDS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes a new UUIDv7 ("0193b2c4-...-7...") into out (37 bytes with NUL) and
 * its Unix time in milliseconds into *ms. Ids from one process are strictly
 * increasing as strings even within one millisecond. Thread-safe. Returns 0,
 * or -1 when no randomness could be had.
 */
int fc_id_new(char out[37], int64_t *ms);

/* 1 when s is a lowercase UUIDv7 in text form, else 0. */
int fc_id_valid(const char *s);

/*
 * The smallest id text a report made at Unix time ms can have: a UUIDv7
 * begins with its 48-bit time in hex ("0193b2c4-5e6f"), so ids compare with
 * it as their creation times do. out holds 14 bytes with the NUL.
 */
void fc_id_time_prefix(int64_t ms, char out[16]);

/* 1 when s is a model_id: "sha256:" and 64 lowercase hex digits, else 0. */
int fc_model_id_valid(const char *s);

/* Formats Unix milliseconds as RFC 3339 UTC with milliseconds: "2026-11-23T18:40:00.123Z". */
void fc_format_time_ms(int64_t ms, char out[32]);

#endif
