/*
 * app.h - what every request handler shares: the store, the limits, the
 * metrics, and the per-request context that libmicrohttpd carries.
 */
#ifndef FITCHECK_APP_H
#define FITCHECK_APP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <microhttpd.h>

#include "auth.h"
#include "events.h"
#include "metrics.h"
#include "model_cache.h"
#include "store.h"

typedef struct fc_app {
    fc_store *store;       /* borrowed: opened and closed by main */
    fc_metrics *metrics;   /* borrowed */
    fc_model_cache *models; /* borrowed: descriptors by model_id, parsed */
    fc_auth *auth;         /* borrowed: keys, teams and per-key limits */
    fc_events *events;     /* borrowed: the streams of new reports */
    struct fc_guard *guard; /* borrowed: deadlines for slow clients, or NULL */
    size_t max_body;       /* largest JSON body (and request + model parts) accepted, bytes */
    uint64_t max_upload;   /* largest multipart body with .npy parts accepted, bytes */
    unsigned long key_streams; /* event streams one key may hold open (0: no cap), for messages */
    const char *version;   /* fitcheckd's version */
    _Atomic long in_flight; /* requests begun and not yet completed */
} fc_app;

struct fc_route;
struct fc_upload;

/* One request, from the first call of the access handler to completion. */
typedef struct fc_req {
    fc_app *app;
    struct MHD_Connection *conn;
    const char *method;            /* borrowed from libmicrohttpd */
    const char *path;              /* borrowed from libmicrohttpd */
    const struct fc_route *route;  /* matched route, NULL when none */
    char param[64];                /* the {id} path segment, when the route has one */
    char *body;                    /* owned; a JSON or octet-stream body, NUL-terminated (multipart: NULL) */
    size_t body_len;
    size_t body_cap;
    int body_too_large;            /* the body passed app->max_body; the rest is discarded */
    struct fc_upload *upload;      /* owned; a multipart body read as it arrives, else NULL */
    int64_t start_us;              /* monotonic clock at the first call */
    unsigned status;               /* status of the queued response, 0 until one is queued */
    int body_expected;             /* the headers announce a body (Content-Length > 0, Transfer-Encoding) */
    int body_done;                 /* the access handler's final call came: the whole body is in */
    char report_id[40];            /* id of the stored report, for the access log */
    fc_principal who;              /* the caller: its key and team (team 0 and no key with --auth none) */
} fc_req;

/* Monotonic microseconds. */
int64_t fc_now_us(void);

/* Initialises cond to time its waits on the monotonic clock (setting the wall clock must not stall a timer). */
void fc_cond_init_monotonic(pthread_cond_t *cond);

/* The monotonic time ms milliseconds from now, as pthread_cond_timedwait takes it for such a cond. */
void fc_deadline_ms(struct timespec *until, long ms);

#endif
