/*
 * auth.h - who a request is (--auth keys): the bearer key, its team, and
 * the per-key limits (a token-bucket rate and a cap on request bodies in
 * flight). The bucket is kept in memory, or in the database when the store
 * shares it between replicas (its rate_take op); the in-flight cap is each
 * process's own. With --auth none every request is team 0's and nothing is
 * limited.
 *
 * Keys are read from the store and kept in memory for FC_AUTH_TTL_MS, so a
 * key revoked with `fitcheckd keys revoke` stops working within that time
 * without a restart (and without a database read on every request).
 */
#ifndef FITCHECK_AUTH_H
#define FITCHECK_AUTH_H

#include <stdint.h>

#include "store.h"

#define FC_AUTH_TTL_MS 1000

typedef enum fc_auth_mode { FC_AUTH_NONE = 0, FC_AUTH_KEYS } fc_auth_mode;

typedef struct fc_auth_config {
    fc_auth_mode mode;
    double rate;        /* requests per second per key (the bucket's refill); 0: no limit */
    double burst;       /* the bucket's size: requests a key may send at once */
    unsigned inflight;  /* request bodies one key may have in flight; 0: no cap */
} fc_auth_config;

/* What a route asks of its caller. */
typedef enum fc_auth_need {
    FC_NEED_NOTHING = 0, /* open to all (/healthz) */
    FC_NEED_TEAM,        /* a team's key (the /v1 routes) */
    FC_NEED_ADMIN        /* an admin key (/metrics) */
} fc_auth_need;

typedef enum fc_auth_result {
    FC_AUTH_OK = 0,
    FC_AUTH_MISSING,      /* 401: no Authorization: Bearer header */
    FC_AUTH_INVALID,      /* 401: not a key, an unknown or a revoked one, or a wrong secret */
    FC_AUTH_FORBIDDEN,    /* 403: a valid key of the wrong kind (admin on /v1, team key on /metrics) */
    FC_AUTH_RATE_LIMITED, /* 429: the key's bucket is empty; *retry_after_s says when it has a token */
    FC_AUTH_BUSY,         /* 429: the key has its cap of bodies in flight */
    FC_AUTH_UNAVAILABLE   /* 503: the store did not answer */
} fc_auth_result;

typedef struct fc_auth fc_auth;

/* The identity of an authenticated request. */
typedef struct fc_principal {
    int64_t team_id;     /* 0 with --auth none, and for an admin key */
    char key_id[20];     /* "" with --auth none */
    int holds_inflight;  /* give the place back with fc_auth_done */
} fc_principal;

/* An authenticator reading keys from store (borrowed). NULL when out of memory. */
fc_auth *fc_auth_new(const fc_auth_config *cfg, fc_store *store);

void fc_auth_free(fc_auth *a);

fc_auth_mode fc_auth_get_mode(const fc_auth *a);

/* The configuration a was made with (the limits, for messages). */
const fc_auth_config *fc_auth_config_of(const fc_auth *a);

/*
 * Decides a request: authorization is its Authorization header (NULL when
 * absent), need what the route asks, takes_body whether it sends a body
 * (counted against the in-flight cap), now_ms a monotonic clock. On
 * FC_AUTH_OK fills *who (a body's in-flight place is held until
 * fc_auth_done); on a rate refusal *retry_after_s is the whole seconds to
 * wait. Thread-safe.
 */
fc_auth_result fc_auth_check(fc_auth *a, const char *authorization, fc_auth_need need, int takes_body, int64_t now_ms,
                             fc_principal *who, unsigned *retry_after_s);

/* Releases what fc_auth_check took for *who (its in-flight place). Thread-safe. */
void fc_auth_done(fc_auth *a, const fc_principal *who);

#endif
