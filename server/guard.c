/*
 * guard.c - the registry of connections and the reaper that closes the ones
 * past their deadline (see guard.h).
 *
 * One mutex guards the list; the access handler takes it a few times per
 * request (a pointer and two integers change), the reaper once per sweep.
 * Sweeps run every SWEEP_MS, so a deadline is kept to within that.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "app.h"
#include "guard.h"

#define SWEEP_MS 250
#define BODY_GRACE_S 10

typedef enum phase { PH_HEADERS, PH_BODY, PH_ANSWER } phase;

typedef struct slot {
    struct slot *prev, *next;
    MHD_socket fd;
    phase phase;
    int first;          /* the connection's first request: header_timeout_s, not keepalive_s */
    int reaped;         /* shut down already */
    int64_t since_us;   /* the start of the phase */
    uint64_t body_bytes;
} slot;

struct fc_guard {
    fc_guard_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
    int stopping;
    slot *head;
    uint64_t closed[2];
};

/* Shuts the socket down once; the caller holds the lock. */
static void reap(fc_guard *g, slot *s, int which)
{
    if (s->reaped)
        return;
    s->reaped = 1;
    g->closed[which]++;
    shutdown(s->fd, SHUT_RDWR);
}

static void sweep(fc_guard *g, int64_t now)
{
    /* a body's grace before its rate counts: the header timeout, or BODY_GRACE_S without one */
    unsigned grace_s = g->cfg.header_timeout_s ? g->cfg.header_timeout_s : BODY_GRACE_S;
    slot *s;

    for (s = g->head; s != NULL; s = s->next) {
        int64_t age = now - s->since_us;

        if (s->phase == PH_HEADERS) {
            unsigned limit = s->first ? g->cfg.header_timeout_s : g->cfg.keepalive_s;

            if (limit > 0 && age > (int64_t)limit * 1000000)
                reap(g, s, 0);
        } else if (s->phase == PH_BODY && g->cfg.body_min_rate > 0 && age > (int64_t)grace_s * 1000000 &&
                   (double)s->body_bytes * 1e6 < (double)g->cfg.body_min_rate * (double)age) {
            reap(g, s, 1);
        }
    }
}

static void *reaper_main(void *arg)
{
    fc_guard *g = arg;
    struct timespec until;

    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        fc_deadline_ms(&until, SWEEP_MS);
        while (!g->stopping && pthread_cond_timedwait(&g->wake, &g->lock, &until) != ETIMEDOUT)
            ;
        if (!g->stopping)
            sweep(g, fc_now_us());
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

fc_guard *fc_guard_new(const fc_guard_config *cfg)
{
    fc_guard *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    g->cfg = *cfg;
    pthread_mutex_init(&g->lock, NULL);
    fc_cond_init_monotonic(&g->wake);
    if (pthread_create(&g->reaper, NULL, reaper_main, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void fc_guard_free(fc_guard *g)
{
    slot *s, *next;

    if (g == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->reaper, NULL);
    for (s = g->head; s != NULL; s = next) {
        next = s->next;
        free(s);
    }
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

void fc_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code)
{
    fc_guard *g = cls;
    slot *s;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        s = calloc(1, sizeof(*s));
        *socket_context = s;
        if (s == NULL || info == NULL) /* out of memory: the connection goes unguarded */
            return;
        s->fd = info->connect_fd;
        s->phase = PH_HEADERS;
        s->first = 1;
        s->since_us = fc_now_us();
        pthread_mutex_lock(&g->lock);
        s->next = g->head;
        if (g->head != NULL)
            g->head->prev = s;
        g->head = s;
        pthread_mutex_unlock(&g->lock);
        return;
    }
    s = *socket_context;
    if (s == NULL)
        return;
    pthread_mutex_lock(&g->lock); /* MHD closes the descriptor after this: no shutdown may follow */
    if (s->prev != NULL)
        s->prev->next = s->next;
    else if (g->head == s)
        g->head = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&g->lock);
    free(s);
    *socket_context = NULL;
}

static slot *slot_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return info != NULL ? info->socket_context : NULL;
}

static void set_phase(fc_guard *g, struct MHD_Connection *conn, phase p)
{
    slot *s;

    if (g == NULL || (s = slot_of(conn)) == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    if (p == PH_HEADERS)
        s->first = 0;
    s->phase = p;
    s->since_us = fc_now_us();
    s->body_bytes = 0;
    pthread_mutex_unlock(&g->lock);
}

void fc_guard_headers_done(fc_guard *g, struct MHD_Connection *conn)
{
    set_phase(g, conn, PH_BODY);
}

void fc_guard_body(fc_guard *g, struct MHD_Connection *conn, size_t n)
{
    slot *s;

    if (g == NULL || (s = slot_of(conn)) == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    s->body_bytes += n;
    pthread_mutex_unlock(&g->lock);
}

void fc_guard_answering(fc_guard *g, struct MHD_Connection *conn)
{
    set_phase(g, conn, PH_ANSWER);
}

void fc_guard_request_done(fc_guard *g, struct MHD_Connection *conn)
{
    set_phase(g, conn, PH_HEADERS);
}

void fc_guard_closed(fc_guard *g, uint64_t out[2])
{
    if (g == NULL) {
        out[0] = out[1] = 0;
        return;
    }
    pthread_mutex_lock(&g->lock);
    out[0] = g->closed[0];
    out[1] = g->closed[1];
    pthread_mutex_unlock(&g->lock);
}
