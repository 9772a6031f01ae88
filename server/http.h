/*
 * http.h - the libmicrohttpd daemon: start, graceful stop.
 */
#ifndef FITCHECK_HTTP_H
#define FITCHECK_HTTP_H

#include "app.h"

typedef struct fc_http_config {
    const char *listen;   /* IPv4 or IPv6 literal */
    unsigned port;        /* 0 picks a free port */
    unsigned threads;     /* worker threads in the pool */
    unsigned timeout_s;   /* idle connection timeout */
    unsigned per_ip;      /* connections one client address may hold open; 0: no cap */
    unsigned max_connections; /* connections held open at once; 0: libmicrohttpd's default */
} fc_http_config;

/*
 * Starts serving app on the configured address with libmicrohttpd's own
 * thread pool and epoll. Writes the bound port into *bound_port. Returns
 * NULL and a message in msg on failure.
 */
struct MHD_Daemon *fc_http_start(const fc_http_config *cfg, fc_app *app, unsigned *bound_port, char *msg,
                                 size_t msg_size);

/*
 * Stops accepting connections, waits up to grace_ms for the requests in
 * flight (app->in_flight) to finish, then stops the daemon, closing idle
 * keep-alive connections.
 */
void fc_http_stop(struct MHD_Daemon *daemon, fc_app *app, int grace_ms);

/* One JSON log line on stderr, {"level":"error","event":EVENT,"message":MESSAGE}, written in one call; the
 * message (a store's or a library's text, which may hold quotes, control bytes or invalid UTF-8) is escaped. */
void fc_log_error(const char *event, const char *message);

#endif
