/*
 * ids.c - UUIDv7 generation and RFC 3339 timestamps.
 *
 * Layout (RFC 9562 5.7): 48 bits of Unix milliseconds, version 7, 12 bits
 * rand_a, variant 0b10, 62 bits rand_b. rand_a serves as a counter within a
 * millisecond (method 1 of RFC 9562 6.2) so ids stay ordered under load.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ids.h"

static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms = -1;
static unsigned last_seq;

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fc_id_new(char out[37], int64_t *ms)
{
    unsigned char b[16], rnd[10];
    int64_t now;
    unsigned seq;
    int i;

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return -1;
    pthread_mutex_lock(&id_lock);
    now = wall_ms();
    if (now > last_ms) {
        last_ms = now;
        last_seq = ((unsigned)rnd[0] << 8 | rnd[1]) & 0x7ff; /* start low, leave room to count */
    } else if (last_seq < 0xfff) {
        last_seq++;
    } else {
        last_ms++; /* counter exhausted: borrow the next millisecond */
        last_seq = 0;
    }
    now = last_ms;
    seq = last_seq;
    pthread_mutex_unlock(&id_lock);

    for (i = 0; i < 6; i++)
        b[i] = (unsigned char)((uint64_t)now >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (seq >> 8));
    b[7] = (unsigned char)(seq & 0xff);
    b[8] = (unsigned char)(0x80 | (rnd[2] & 0x3f));
    memcpy(b + 9, rnd + 3, 7);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    *ms = now;
    return 0;
}

int fc_id_valid(const char *s)
{
    int i;

    if (s == NULL || strlen(s) != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        char c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return s[14] == '7' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

void fc_format_time_ms(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    snprintf(out + 19, 32 - 19, ".%03uZ", (unsigned)(ms % 1000) % 1000u);
}

void fc_id_time_prefix(int64_t ms, char out[16])
{
    uint64_t t = (uint64_t)ms & 0xffffffffffffull;

    snprintf(out, 16, "%08llx-%04llx", (unsigned long long)(t >> 16), (unsigned long long)(t & 0xffff));
}

int fc_model_id_valid(const char *s)
{
    size_t i;

    if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
        return 0;
    for (i = 7; i < 7 + 64; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    }
    return 1;
}
