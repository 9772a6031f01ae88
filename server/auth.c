/*
 * auth.c - bearer keys, their teams, and per-key limits (see auth.h).
 *
 * A table of the keys seen, by id: what the store said of each (team,
 * admin, salt and hash, revoked) and when, and the key's limits (its token
 * bucket and its bodies in flight). Only keys the store knows get an entry,
 * so random ids cannot fill memory. The store is read outside the lock.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "keys.h"

#define N_BUCKETS 256

typedef struct entry {
    fc_api_key key;     /* as the store had it */
    int64_t fetched_ms; /* when */
    double tokens;      /* the rate bucket */
    int64_t refilled_ms;
    unsigned inflight;
    int refreshing;     /* a thread is reading this key from the store now */
    struct entry *next;
} entry;

struct fc_auth {
    fc_auth_config cfg;
    fc_store *store;
    pthread_mutex_t lock;
    entry *buckets[N_BUCKETS];
};

static unsigned bucket_of(const char *id)
{
    unsigned h = 2166136261u; /* FNV-1a */

    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h % N_BUCKETS;
}

static entry *find(fc_auth *a, const char *id)
{
    entry *e;

    for (e = a->buckets[bucket_of(id)]; e != NULL; e = e->next) {
        if (strcmp(e->key.id, id) == 0)
            return e;
    }
    return NULL;
}

fc_auth *fc_auth_new(const fc_auth_config *cfg, fc_store *store)
{
    fc_auth *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->cfg = *cfg;
    if (a->cfg.burst < 1)
        a->cfg.burst = 1;
    a->store = store;
    pthread_mutex_init(&a->lock, NULL);
    return a;
}

void fc_auth_free(fc_auth *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < N_BUCKETS; i++) {
        entry *e = a->buckets[i];

        while (e != NULL) {
            entry *next = e->next;

            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&a->lock);
    free(a);
}

fc_auth_mode fc_auth_get_mode(const fc_auth *a)
{
    return a->cfg.mode;
}

const fc_auth_config *fc_auth_config_of(const fc_auth *a)
{
    return &a->cfg;
}

/* The key text of an "Authorization: Bearer <key>" value, or NULL. */
static const char *bearer(const char *authorization)
{
    if (authorization == NULL)
        return NULL;
    while (*authorization == ' ')
        authorization++;
    if (strncasecmp(authorization, "Bearer", 6) != 0 || authorization[6] != ' ')
        return NULL;
    authorization += 7;
    while (*authorization == ' ')
        authorization++;
    return authorization;
}

/*
 * The entry for id, fresh from the store when it is missing or older than
 * the TTL; NULL when the store has no such key. *failed is set when the
 * store did not answer. Called and returns with the lock held.
 *
 * One thread at a time refreshes a known key; the others go on with what
 * was read last (at most a TTL old). And a revocation, once seen, stays:
 * reads that overlap cannot land in the wrong order and bring a revoked key
 * back, since the store never un-revokes one either.
 */
static entry *lookup(fc_auth *a, const char *id, int64_t now_ms, int *failed)
{
    entry *e = find(a, id);
    fc_api_key k;
    fc_store_status st;
    char msg[256];

    *failed = 0;
    if (e != NULL && (now_ms - e->fetched_ms < FC_AUTH_TTL_MS || e->refreshing))
        return e;
    if (e != NULL)
        e->refreshing = 1;
    pthread_mutex_unlock(&a->lock);
    st = a->store->ops->key_get(a->store, id, &k, msg, sizeof(msg));
    pthread_mutex_lock(&a->lock);
    e = find(a, id); /* another thread may have added it meanwhile; entries are never freed while a lives */
    if (e != NULL)
        e->refreshing = 0;
    if (st == FC_STORE_ERROR) {
        *failed = e == NULL; /* a known key keeps working on what was read last */
        return e;
    }
    if (st == FC_STORE_NOT_FOUND) {
        if (e != NULL && e->key.revoked_ms == 0)
            e->key.revoked_ms = now_ms; /* deleted: refuse it */
        return NULL;
    }
    if (e == NULL) {
        unsigned b = bucket_of(id);

        e = calloc(1, sizeof(*e));
        if (e == NULL) {
            *failed = 1;
            return NULL;
        }
        e->tokens = a->cfg.burst;
        e->refilled_ms = now_ms;
        e->next = a->buckets[b];
        a->buckets[b] = e;
    } else if (e->key.revoked_ms != 0) {
        k.revoked_ms = e->key.revoked_ms;
    }
    e->key = k;
    if (now_ms > e->fetched_ms)
        e->fetched_ms = now_ms;
    return e;
}

/* Takes a token from e's bucket; 0, or the whole seconds until one is there. */
static unsigned take_token(fc_auth *a, entry *e, int64_t now_ms)
{
    if (a->cfg.rate <= 0)
        return 0;
    if (now_ms > e->refilled_ms) {
        e->tokens += (double)(now_ms - e->refilled_ms) / 1000.0 * a->cfg.rate;
        if (e->tokens > a->cfg.burst)
            e->tokens = a->cfg.burst;
        e->refilled_ms = now_ms;
    }
    if (e->tokens >= 1) {
        e->tokens -= 1;
        return 0;
    }
    return (unsigned)ceil((1 - e->tokens) / a->cfg.rate);
}

fc_auth_result fc_auth_check(fc_auth *a, const char *authorization, fc_auth_need need, int takes_body, int64_t now_ms,
                             fc_principal *who, unsigned *retry_after_s)
{
    char id[FC_KEY_ID_LEN + 1], secret[FC_KEY_SECRET_LEN + 1];
    const char *text;
    fc_auth_result result = FC_AUTH_OK;
    entry *e;
    int failed;

    memset(who, 0, sizeof(*who));
    *retry_after_s = 0;
    if (a->cfg.mode == FC_AUTH_NONE || need == FC_NEED_NOTHING)
        return FC_AUTH_OK;
    text = bearer(authorization);
    if (text == NULL)
        return FC_AUTH_MISSING;
    if (fc_key_parse(text, id, secret) != 0)
        return FC_AUTH_INVALID;
    pthread_mutex_lock(&a->lock);
    e = lookup(a, id, now_ms, &failed);
    if (failed)
        result = FC_AUTH_UNAVAILABLE;
    else if (e == NULL || e->key.revoked_ms != 0 || !fc_key_matches(&e->key, secret))
        result = FC_AUTH_INVALID;
    else if ((need == FC_NEED_ADMIN) != (e->key.admin != 0))
        result = FC_AUTH_FORBIDDEN;
    else if (takes_body && a->cfg.inflight > 0 && e->inflight >= a->cfg.inflight)
        result = FC_AUTH_BUSY; /* before the bucket: a refusal spends no token */
    else if (a->store->ops->rate_take == NULL && (*retry_after_s = take_token(a, e, now_ms)) != 0)
        result = FC_AUTH_RATE_LIMITED;
    if (result == FC_AUTH_OK) {
        who->team_id = e->key.team_id;
        memcpy(who->key_id, e->key.id, sizeof(e->key.id));
        if (takes_body && a->cfg.inflight > 0) {
            e->inflight++;
            who->holds_inflight = 1;
        }
    }
    pthread_mutex_unlock(&a->lock);
    memset(secret, 0, sizeof(secret));
    /* replicas share the bucket in the database: taken outside the lock, the in-flight place given back on a
     * refusal (a refusal spends no place) */
    if (result == FC_AUTH_OK && a->cfg.rate > 0 && a->store->ops->rate_take != NULL) {
        char msg[256];
        int allowed = 1;
        int64_t retry_ms = 0;

        if (a->store->ops->rate_take(a->store, who->key_id, a->cfg.rate, a->cfg.burst, &allowed, &retry_ms, msg,
                                     sizeof(msg)) != FC_STORE_OK)
            result = FC_AUTH_UNAVAILABLE;
        else if (!allowed) {
            result = FC_AUTH_RATE_LIMITED;
            *retry_after_s = retry_ms > 0 ? (unsigned)((retry_ms + 999) / 1000) : 1;
        }
        if (result != FC_AUTH_OK) {
            fc_auth_done(a, who);
            memset(who, 0, sizeof(*who));
        }
    }
    return result;
}

void fc_auth_done(fc_auth *a, const fc_principal *who)
{
    entry *e;

    if (a == NULL || !who->holds_inflight)
        return;
    pthread_mutex_lock(&a->lock);
    e = find(a, who->key_id);
    if (e != NULL && e->inflight > 0)
        e->inflight--;
    pthread_mutex_unlock(&a->lock);
}
