/*
 * keys.c - API keys: text form, generation from the kernel's randomness,
 * and the salted hash (see keys.h).
 *
 * The secret is 256 random bits, so one SHA-256 with a per-key salt is the
 * right hash for it: there is no dictionary to slow down, unlike a password.
 */
#include <string.h>
#include <sys/random.h>

#include "fitcheck/sha256.h"
#include "keys.h"

static const char hex_digits[] = "0123456789abcdef";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hex_digits[in[i] >> 4];
        out[2 * i + 1] = hex_digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* base64url without padding of 32 bytes: 43 characters and a NUL. */
static void to_b64url32(const unsigned char in[32], char out[FC_KEY_SECRET_LEN + 1])
{
    size_t i, o = 0;

    for (i = 0; i + 3 <= 30; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    {
        unsigned v = (unsigned)in[30] << 16 | (unsigned)in[31] << 8; /* the last 2 bytes: 3 characters */

        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
    }
    out[o] = '\0';
}

static int random_bytes(unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);

        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

void fc_key_hash(const char *salt, const char *secret, char out[65])
{
    fc_sha256 sha;

    fc_sha256_init(&sha);
    fc_sha256_update(&sha, salt, strlen(salt));
    fc_sha256_update(&sha, secret, strlen(secret));
    fc_sha256_final_hex(&sha, out);
}

int fc_key_generate(fc_api_key *k, char text[FC_KEY_TEXT_LEN + 1])
{
    unsigned char id[FC_KEY_ID_LEN / 2], salt[16], secret[32];
    char secret_text[FC_KEY_SECRET_LEN + 1];

    if (random_bytes(id, sizeof(id)) != 0 || random_bytes(salt, sizeof(salt)) != 0 ||
        random_bytes(secret, sizeof(secret)) != 0)
        return -1;
    to_hex(id, sizeof(id), k->id);
    to_hex(salt, sizeof(salt), k->salt);
    to_b64url32(secret, secret_text);
    fc_key_hash(k->salt, secret_text, k->hash);
    memcpy(text, "fck_", 4);
    memcpy(text + 4, k->id, FC_KEY_ID_LEN);
    text[4 + FC_KEY_ID_LEN] = '_';
    memcpy(text + 5 + FC_KEY_ID_LEN, secret_text, FC_KEY_SECRET_LEN + 1);
    memset(secret, 0, sizeof(secret));
    memset(secret_text, 0, sizeof(secret_text));
    return 0;
}

int fc_key_parse(const char *text, char *id, char *secret)
{
    size_t i;

    if (text == NULL || strlen(text) != FC_KEY_TEXT_LEN || memcmp(text, "fck_", 4) != 0 ||
        text[4 + FC_KEY_ID_LEN] != '_')
        return -1;
    for (i = 4; i < 4 + FC_KEY_ID_LEN; i++) {
        if (strchr(hex_digits, text[i]) == NULL)
            return -1;
    }
    for (i = 5 + FC_KEY_ID_LEN; i < FC_KEY_TEXT_LEN; i++) {
        if (strchr(b64url, text[i]) == NULL)
            return -1;
    }
    memcpy(id, text + 4, FC_KEY_ID_LEN);
    id[FC_KEY_ID_LEN] = '\0';
    memcpy(secret, text + 5 + FC_KEY_ID_LEN, FC_KEY_SECRET_LEN + 1);
    return 0;
}

int fc_key_matches(const fc_api_key *k, const char *secret)
{
    char h[65];
    unsigned diff = 0;
    size_t i;

    fc_key_hash(k->salt, secret, h);
    for (i = 0; i < 64; i++)
        diff |= (unsigned)(h[i] ^ k->hash[i]);
    return diff == 0 && k->hash[64] == '\0';
}
