/*
 * events.h - GET /v1/reports/events: each team's new reports pushed as
 * Server-Sent Events, resumable with Last-Event-ID.
 *
 * A stream holds no thread while it waits: its connection is suspended
 * (libmicrohttpd's MHD_suspend_connection) until a report of its team is
 * stored or its heartbeat is due, so idle dashboards cannot starve the
 * worker threads the POSTs need. The events come from the store (the
 * reports after the last one sent, by the store's commit-ordered sequence
 * number, which is each event's id), so a stream that falls behind, or a
 * client that reconnects with Last-Event-ID, misses nothing.
 */
#ifndef FITCHECK_EVENTS_H
#define FITCHECK_EVENTS_H

#include <stdint.h>

#include <microhttpd.h>

#include "store.h"

typedef struct fc_events fc_events;

/* A hub reading from store (borrowed), with a comment line sent on idle streams every heartbeat_ms, and at most
 * per_key streams open for one API key (0: no cap; requests without a key are never capped). */
fc_events *fc_events_new(fc_store *store, int heartbeat_ms, int per_key);

/* Ends every stream (their requests complete) and stops the heartbeat. Call before stopping the daemon. */
void fc_events_close(fc_events *ev);

/* Frees the hub; every stream must have ended (after fc_events_close and the daemon's stop). */
void fc_events_free(fc_events *ev);

typedef enum fc_events_status {
    FC_EVENTS_OK = 0,
    FC_EVENTS_FULL,       /* the key has its cap of streams open */
    FC_EVENTS_UNAVAILABLE /* out of memory, the store did not answer, or the hub is closing */
} fc_events_status;

/*
 * A response streaming team_id's reports committed after sequence number
 * after_seq (an event id the client was sent; -1: those committed from now
 * on) on conn, counted against key_id's cap ("" for none). NULL with the
 * reason in *status when it cannot be opened. The response is the caller's
 * to queue and destroy.
 */
struct MHD_Response *fc_events_stream(fc_events *ev, struct MHD_Connection *conn, int64_t team_id,
                                      const char *key_id, int64_t after_seq, fc_events_status *status);

/* A report of team_id was stored: wakes that team's streams (every stream when team_id is -1). Thread-safe. */
void fc_events_notify(fc_events *ev, int64_t team_id);

/* Streams open now (for /metrics). */
int fc_events_open(fc_events *ev);

#endif
