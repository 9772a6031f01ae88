/*
 * guard.h - deadlines for slow clients (slowloris).
 *
 * libmicrohttpd's connection timeout is an idle timeout: a client that sends
 * one byte a second keeps its connection, and its memory and descriptor,
 * forever. The guard keeps every connection's phase and closes the ones past
 * their deadline from a thread of its own:
 *
 *   headers  the request line and headers of a connection's first request
 *            must arrive within header_timeout_s of the connect; of a later
 *            request on a kept-alive connection, within keepalive_s of the
 *            previous answer (the idle timeout, which MHD alone would reset
 *            at every byte);
 *   body     after a grace of header_timeout_s (10 s when that is 0) the
 *            body must arrive at body_min_rate bytes per second on average,
 *            at least;
 *   answer   a request being answered (a handler running, an event stream)
 *            has no deadline here.
 *
 * Closing is shutdown(2) on the connection's socket: libmicrohttpd then sees
 * the end of the stream and closes the connection itself, so the descriptor
 * stays its own (the registry entry goes at MHD's CLOSED notification, which
 * MHD sends before it closes the descriptor, under the lock the reaper holds
 * while it shuts a socket down).
 */
#ifndef FITCHECK_GUARD_H
#define FITCHECK_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

typedef struct fc_guard fc_guard;

typedef struct fc_guard_config {
    unsigned header_timeout_s; /* 0: no header deadline (and no body grace) */
    unsigned keepalive_s;      /* headers of a later request on a kept-alive connection; 0: none */
    unsigned body_min_rate;    /* bytes per second; 0: no body deadline */
} fc_guard_config;

/* A guard with its reaper thread running; NULL when out of memory or the thread cannot start. */
fc_guard *fc_guard_new(const fc_guard_config *cfg);

/* Stops the reaper and frees the guard; every connection must have closed (the daemon stopped). g may be NULL. */
void fc_guard_free(fc_guard *g);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback; cls is the guard. */
void fc_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code);

/* The headers of a request on conn have arrived (the access handler's first call): its body phase begins. */
void fc_guard_headers_done(fc_guard *g, struct MHD_Connection *conn);

/* n more body bytes arrived on conn. */
void fc_guard_body(fc_guard *g, struct MHD_Connection *conn, size_t n);

/* The request on conn is complete and being answered: no deadline until it is done. */
void fc_guard_answering(fc_guard *g, struct MHD_Connection *conn);

/* The answer on conn was sent (or the request ended): a kept-alive connection waits for its next headers. */
void fc_guard_request_done(fc_guard *g, struct MHD_Connection *conn);

/* Connections closed for a missed deadline so far: [0] headers, [1] body. */
void fc_guard_closed(fc_guard *g, uint64_t out[2]);

#endif
