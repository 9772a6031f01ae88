/*
 * keys.h - API keys: their text form, how one is made, and the salted hash
 * that is all the store keeps of it.
 *
 * A key reads "fck_<id>_<secret>": id is 16 lowercase hex digits (the
 * public part, named by `fitcheckd keys list` and `revoke`), secret 43
 * base64url characters (32 random bytes). The store keeps the id, a random
 * 16-byte salt and SHA-256(salt hex || secret); a key is shown once, when it
 * is made, and cannot be recovered from the database.
 */
#ifndef FITCHECK_KEYS_H
#define FITCHECK_KEYS_H

#include "store.h"

#define FC_KEY_SECRET_LEN 43                                    /* base64url of 32 bytes, unpadded */
#define FC_KEY_TEXT_LEN (4 + FC_KEY_ID_LEN + 1 + FC_KEY_SECRET_LEN) /* "fck_" id "_" secret */

/*
 * Makes a new key: fills k->id, k->salt and k->hash, and writes the key's
 * text (FC_KEY_TEXT_LEN characters and a NUL) into text. The other fields of
 * *k are left as they are. Returns 0, or -1 when no randomness could be had.
 */
int fc_key_generate(fc_api_key *k, char text[FC_KEY_TEXT_LEN + 1]);

/*
 * Splits a key's text into its id (FC_KEY_ID_LEN + 1 bytes) and secret
 * (FC_KEY_SECRET_LEN + 1 bytes). Returns 0, or -1 when text is not of the
 * form (nothing is written then).
 */
int fc_key_parse(const char *text, char *id, char *secret);

/* The stored hash of secret under salt: 64 hex digits and a NUL. */
void fc_key_hash(const char *salt, const char *secret, char out[65]);

/* 1 when secret is the one whose hash k keeps (compared in constant time), else 0. */
int fc_key_matches(const fc_api_key *k, const char *secret);

#endif
