/*
 * events.c - the Server-Sent Events hub (see events.h).
 *
 * Each stream is a libmicrohttpd response read through a callback. The
 * callback hands out what the stream's buffer holds; when it is empty it
 * reads the team's reports after the last sequence number sent from the
 * store (as SSE "report" events: the number as id, the list item as data;
 * see list_after in store.h for why not the report id), and when there are none it
 * suspends the connection and returns 0. fc_events_notify resumes the
 * team's suspended streams; a stream that was not suspended (its callback
 * is running) is marked dirty instead, so that no wake-up is lost between
 * its read and its suspension. A heartbeat thread resumes every stream
 * whose heartbeat is due, which is also how a client that went away is
 * noticed: a suspended connection cannot see its peer close.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "events.h"

#define BATCH 50
#define PROBE_AGAIN_MS 250

typedef struct stream {
    fc_events *hub;
    struct MHD_Connection *conn;
    int64_t team_id;
    char key_id[20];       /* the API key that opened it ("" for none) */
    int64_t last_seq;      /* the sequence number of the last report sent; new ones come after it */
    char *buf;             /* bytes waiting to be handed out */
    size_t len, off, cap;
    int suspended;         /* guarded by the hub's lock */
    int dirty;             /* a report came while the callback ran */
    int probe;             /* send a heartbeat now: is the client still there? */
    int64_t next_beat_ms;  /* when an idle stream sends its heartbeat */
    int ended;             /* the end of the stream was handed out */
    struct stream *prev, *next;
} stream;

struct fc_events {
    fc_store *store;
    int heartbeat_ms;
    int per_key;           /* streams one key may hold open; 0: no cap */
    pthread_mutex_t lock;
    pthread_cond_t tick;
    stream *head;
    int closing;
    int open;
    pthread_t beat;
    int beat_running;
};

static int64_t mono_ms(void)
{
    return fc_now_us() / 1000;
}

/* Resumes s if it is suspended, else marks it dirty. Hub lock held. */
static void wake(stream *s)
{
    if (s->suspended) {
        s->suspended = 0;
        MHD_resume_connection(s->conn);
    } else {
        s->dirty = 1;
    }
}

static void *beat_main(void *arg)
{
    fc_events *ev = arg;

    pthread_mutex_lock(&ev->lock);
    while (!ev->closing) {
        struct timespec until;
        int64_t now = mono_ms();
        stream *s;

        for (s = ev->head; s != NULL; s = s->next) {
            if (s->suspended && now >= s->next_beat_ms)
                wake(s);
        }
        fc_deadline_ms(&until, 200);
        pthread_cond_timedwait(&ev->tick, &ev->lock, &until);
    }
    pthread_mutex_unlock(&ev->lock);
    return NULL;
}

fc_events *fc_events_new(fc_store *store, int heartbeat_ms, int per_key)
{
    fc_events *ev = calloc(1, sizeof(*ev));

    if (ev == NULL)
        return NULL;
    ev->store = store;
    ev->heartbeat_ms = heartbeat_ms > 0 ? heartbeat_ms : 15000;
    ev->per_key = per_key > 0 ? per_key : 0;
    pthread_mutex_init(&ev->lock, NULL);
    /* the heartbeat's deadline is on the monotonic clock: setting the wall clock must not stall it */
    fc_cond_init_monotonic(&ev->tick);
    if (pthread_create(&ev->beat, NULL, beat_main, ev) != 0) {
        pthread_mutex_destroy(&ev->lock);
        pthread_cond_destroy(&ev->tick);
        free(ev);
        return NULL;
    }
    ev->beat_running = 1;
    return ev;
}

void fc_events_close(fc_events *ev)
{
    stream *s;

    if (ev == NULL)
        return;
    pthread_mutex_lock(&ev->lock);
    ev->closing = 1;
    for (s = ev->head; s != NULL; s = s->next)
        wake(s);
    pthread_cond_signal(&ev->tick);
    pthread_mutex_unlock(&ev->lock);
    if (ev->beat_running) {
        pthread_join(ev->beat, NULL);
        ev->beat_running = 0;
    }
}

void fc_events_free(fc_events *ev)
{
    if (ev == NULL)
        return;
    fc_events_close(ev);
    pthread_mutex_destroy(&ev->lock);
    pthread_cond_destroy(&ev->tick);
    free(ev);
}

int fc_events_open(fc_events *ev)
{
    int n;

    pthread_mutex_lock(&ev->lock);
    n = ev->open;
    pthread_mutex_unlock(&ev->lock);
    return n;
}

void fc_events_notify(fc_events *ev, int64_t team_id)
{
    stream *s;

    if (ev == NULL)
        return;
    pthread_mutex_lock(&ev->lock);
    for (s = ev->head; s != NULL; s = s->next) {
        if (s->team_id == team_id || team_id < 0)
            wake(s);
    }
    pthread_mutex_unlock(&ev->lock);
}

static int append(stream *s, const char *text, size_t n)
{
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *p;

        while (cap < s->len + n)
            cap *= 2;
        p = realloc(s->buf, cap);
        if (p == NULL)
            return -1;
        s->buf = p;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
    return 0;
}

/* One "report" event per new report: its sequence number as id, its list item (one line of compact JSON) as
 * data. All of it or, out of memory, none of it. */
static int add_event(void *ctx, int64_t seq, const char *id, const char *item)
{
    stream *s = ctx;
    size_t len = s->len;
    char head[64];
    int n = snprintf(head, sizeof(head), "id: %lld\nevent: report\ndata: ", (long long)seq);

    (void)id;
    if (append(s, head, (size_t)n) != 0 || append(s, item, strlen(item)) != 0 || append(s, "\n\n", 2) != 0) {
        s->len = len; /* no half event: the next refill reads this report again */
        return -1;
    }
    s->last_seq = seq;
    return 0;
}

/* Fills s->buf with what the stream has to say now; 0 when there is nothing (it may then sleep), -1 when it
 * must end. */
static int refill(stream *s)
{
    char msg[256];
    int64_t now = mono_ms();

    s->len = s->off = 0;
    if (s->hub->store->ops->list_after(s->hub->store, s->team_id, s->last_seq, BATCH, add_event, s, msg,
                                       sizeof(msg)) != FC_STORE_OK)
        return s->len > 0 ? 1 : -1; /* the whole events read before the failure still go out */
    if (s->len == 0 && (now >= s->next_beat_ms || s->probe) && append(s, ": keep-alive\n\n", strlen(": keep-alive\n\n")) != 0)
        return -1;
    /* a write to a client that has gone usually succeeds once (its answer is a reset) and fails the next
     * time: a probe is followed by a second heartbeat soon after */
    if (s->len > 0)
        s->next_beat_ms = now + (s->probe && s->hub->heartbeat_ms > PROBE_AGAIN_MS ? PROBE_AGAIN_MS
                                                                                 : s->hub->heartbeat_ms);
    s->probe = 0;
    return s->len > 0;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max)
{
    stream *s = cls;
    fc_events *ev = s->hub;
    size_t n;

    (void)pos;
    for (;;) {
        if (s->off < s->len) {
            n = s->len - s->off < max ? s->len - s->off : max;
            memcpy(out, s->buf + s->off, n);
            s->off += n;
            return (ssize_t)n;
        }
        pthread_mutex_lock(&ev->lock);
        if (ev->closing) {
            pthread_mutex_unlock(&ev->lock);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        s->dirty = 0;
        pthread_mutex_unlock(&ev->lock);
        switch (refill(s)) {
        case 1:
            continue;
        case -1:
            return MHD_CONTENT_READER_END_WITH_ERROR;
        default:
            break;
        }
        pthread_mutex_lock(&ev->lock);
        if (s->dirty || ev->closing) {
            pthread_mutex_unlock(&ev->lock);
            continue; /* something came while reading: read again */
        }
        s->suspended = 1;
        MHD_suspend_connection(s->conn);
        pthread_mutex_unlock(&ev->lock);
        return 0;
    }
}

static void free_stream(void *cls)
{
    stream *s = cls;
    fc_events *ev = s->hub;

    pthread_mutex_lock(&ev->lock);
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        ev->head = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    ev->open--;
    pthread_mutex_unlock(&ev->lock);
    free(s->buf);
    free(s);
}

/* Streams key_id holds open. Hub lock held. */
static int streams_of(fc_events *ev, const char *key_id)
{
    stream *s;
    int n = 0;

    for (s = ev->head; s != NULL; s = s->next)
        n += strcmp(s->key_id, key_id) == 0;
    return n;
}

/* Makes key_id's waiting streams send a heartbeat now. A suspended connection cannot see its client go, so a
 * dashboard reloaded a few times holds places until their heartbeats find the dead ones: this finds them at
 * once, and the refused client's retry gets a place. Hub lock held. */
static void probe_streams_of(fc_events *ev, const char *key_id)
{
    stream *s;

    for (s = ev->head; s != NULL; s = s->next) {
        if (strcmp(s->key_id, key_id) == 0 && s->suspended) {
            s->probe = 1;
            wake(s);
        }
    }
}

struct MHD_Response *fc_events_stream(fc_events *ev, struct MHD_Connection *conn, int64_t team_id,
                                      const char *key_id, int64_t after_seq, fc_events_status *status)
{
    stream *s = calloc(1, sizeof(*s));
    struct MHD_Response *resp;
    char msg[256];

    *status = FC_EVENTS_UNAVAILABLE;
    if (s == NULL)
        return NULL;
    s->hub = ev;
    s->conn = conn;
    s->team_id = team_id;
    snprintf(s->key_id, sizeof(s->key_id), "%s", key_id);
    s->last_seq = after_seq;
    /* from now on: after the last report committed now (everything committed later has a higher number) */
    if (after_seq < 0 && ev->store->ops->events_head(ev->store, team_id, &s->last_seq, msg, sizeof(msg)) !=
                             FC_STORE_OK) {
        free(s);
        return NULL;
    }
    /* the first bytes go out at once: a comment, so that the client sees the stream open */
    if (append(s, ": stream of new reports\n\n", strlen(": stream of new reports\n\n")) != 0) {
        free(s);
        return NULL;
    }
    s->next_beat_ms = mono_ms() + ev->heartbeat_ms;
    pthread_mutex_lock(&ev->lock);
    if (ev->per_key > 0 && key_id[0] != '\0' && streams_of(ev, key_id) >= ev->per_key) {
        probe_streams_of(ev, key_id);
        pthread_mutex_unlock(&ev->lock);
        free(s->buf);
        free(s);
        *status = FC_EVENTS_FULL;
        return NULL;
    }
    /* counted now, so that two requests at once cannot both take the last place */
    s->next = ev->head;
    if (ev->head != NULL)
        ev->head->prev = s;
    ev->head = s;
    ev->open++;
    if (ev->closing) {
        pthread_mutex_unlock(&ev->lock);
        free_stream(s);
        return NULL;
    }
    pthread_mutex_unlock(&ev->lock);
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read_stream, s, free_stream);
    if (resp == NULL) {
        free_stream(s);
        return NULL;
    }
    *status = FC_EVENTS_OK;
    return resp;
}
