/*
 * fuzz_multipart.c - libFuzzer target: arbitrary bytes as a multipart/form-data
 * POST body read by server/upload.c, through the API fitcheckd uses:
 * fc_upload_begin once the headers are in, fc_upload_feed with each piece
 * of body libmicrohttpd hands the access handler, fc_upload_request once the
 * whole body is in (as handlers_preflight.c's load_request), fc_upload_free
 * at completion (as http.c does).
 *
 * upload.c needs a real libmicrohttpd connection: its post processor reads
 * the boundary from the connection's Content-Type, and fc_upload_request
 * looks the Content-Type up again. So the target runs one in-process daemon
 * without a listening socket or threads (MHD_run drives it) and hands it one
 * end of a socketpair per input, writing the request on the other end piece
 * by piece and running the daemon after each piece until the handler has
 * been given it: the body reaches upload.c split where the input says, as
 * the network splits it. Nothing depends on time or on anything but the
 * input.
 *
 * The input:
 *   byte 0   bits 0-1  the Content-Type: boundary=B, boundary="B", a charset
 *                      parameter before boundary=B, or no boundary at all
 *            bit 2     Transfer-Encoding: chunked (each piece one HTTP chunk),
 *                      else Content-Length
 *            bits 3-4  --max-body: 1024 (the least fitcheckd takes), 2048, 8192, 1 MiB
 *            bits 5-6  --max-upload: 1024, 4096, 32768, 1 MiB
 *   bytes 1-2          the sizes of the pieces, alternately (0: the rest at once);
 *                      at most 512 pieces
 *   then               the boundary, up to the first '\n' (controls become '_')
 *   then               the body.
 * A body over --max-upload sent with a Content-Length is refused by http.c
 * before upload.c sees it, and so is skipped here too.
 *
 * What must hold besides no crash, leak or bad access: a success is a JSON
 * object that serialises; a failure gives no request, a known status, a
 * message, and a part name or pointer that is valid UTF-8 (the handler puts
 * it into the problem's JSON, which jansson refuses otherwise).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "app.h"
#include "fitcheck/error.h"
#include "upload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BOUNDARY 200
#define MAX_PIECES 512
#define MAX_IDLE_RUNS 16 /* MHD_run calls without progress before a wait is given up */

static const size_t max_bodies[4] = {1024, 2048, 8192, 1u << 20};
static const uint64_t max_uploads[4] = {1024, 4096, 32768, 1u << 20};

/* The request in flight (one at a time). */
static struct {
    fc_app app;
    fc_req req;
    int begun;   /* the handler's first call came */
    int ended;   /* the request completed (the connection is closing) */
    size_t fed;  /* body bytes handed to fc_upload_feed */
} cur;

static struct MHD_Daemon *daemon_;

/* What handlers_preflight.c's load_request does once the whole body is in, with checks. */
static void check_request(fc_req *r)
{
    char msg[400], pointer[128];
    int line = -1, column = -1;
    json_t *out = NULL;
    fc_upload_status st;
    char *text;

    st = fc_upload_request(r, &out, msg, sizeof(msg), pointer, sizeof(pointer), &line, &column);
    if (st == FC_UPLOAD_OK) {
        if (!json_is_object(out))
            abort();
        text = json_dumps(out, JSON_COMPACT);
        if (text == NULL)
            abort();
        free(text);
        json_decref(out);
        return;
    }
    if (out != NULL || (st != FC_UPLOAD_INVALID && st != FC_UPLOAD_TOO_LARGE && st != FC_UPLOAD_NOMEM))
        abort();
    if (msg[0] == '\0' || strlen(msg) >= sizeof(msg) || strlen(pointer) >= sizeof(pointer) || line < 0 || column < 0)
        abort();
    if (!fc_utf8_valid(pointer, strlen(pointer)))
        abort(); /* load_request puts it in the problem as "part" or "pointer" */
}

/* The access handler: as http.c's on_request for POST /v1/preflight with a multipart body. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    fc_req *r = *con_cls;
    const char *ct, *cl;

    (void)cls;
    (void)version;
    if (r == NULL) {
        r = &cur.req;
        memset(r, 0, sizeof(*r));
        r->app = &cur.app;
        r->conn = conn;
        r->method = method;
        r->path = url;
        *con_cls = r;
        cur.begun = 1;
        ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (!fc_upload_is_multipart(ct))
            abort(); /* every Content-Type the target sends starts with multipart/form-data */
        if (cl != NULL && strtoull(cl, NULL, 10) > r->app->max_upload)
            return MHD_NO; /* http.c answers 413 without reading the body */
        r->upload = fc_upload_begin(r);
        return r->upload != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size > 0) {
        fc_upload_feed(r->upload, upload_data, *upload_data_size);
        cur.fed += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }
    check_request(r);
    return MHD_NO; /* no response needed: the connection is closed */
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    fc_req *r = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    cur.ended = 1;
    if (r == NULL)
        return;
    fc_upload_free(r->upload);
    r->upload = NULL;
    *con_cls = NULL;
}

static void start_daemon(void)
{
    signal(SIGPIPE, SIG_IGN); /* writes to a connection the daemon has closed */
    daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, NULL,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (daemon_ == NULL) {
        fprintf(stderr, "fuzz_multipart: cannot start libmicrohttpd\n");
        abort();
    }
}

static unsigned connections(void)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

    return info ? info->num_connections : 0;
}

/* Runs the daemon until the handler has been given `want` body bytes (or the headers, for 0), or the request ended. */
static void pump(size_t want)
{
    int idle = 0;

    while (!cur.ended && (!cur.begun || cur.fed < want) && idle < MAX_IDLE_RUNS) {
        size_t before = cur.fed;
        int begun = cur.begun;

        MHD_run(daemon_);
        idle = cur.fed == before && cur.begun == begun ? idle + 1 : 0;
    }
}

/* Writes all of buf to the non-blocking fd, running the daemon when the socket is full. */
static void send_all(int fd, const char *buf, size_t len)
{
    int idle = 0;

    while (len > 0 && !cur.ended && idle < MAX_IDLE_RUNS) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            idle = 0;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            MHD_run(daemon_);
            idle++;
        } else {
            return; /* the daemon closed its end */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char boundary[MAX_BOUNDARY + 1], content_type[MAX_BOUNDARY + 96], head[MAX_BOUNDARY + 256], frame[32];
    const uint8_t *nl;
    size_t blen, i, at, step[2], min_step, sent = 0, n_piece = 0;
    struct sockaddr_in peer;
    int sv[2], opts, chunked, hlen;

    if (size < 3)
        return 0;
    opts = data[0];
    step[0] = data[1];
    step[1] = data[2];
    data += 3;
    size -= 3;
    nl = memchr(data, '\n', size < MAX_BOUNDARY + 1 ? size : MAX_BOUNDARY + 1);
    if (nl == NULL)
        return 0;
    blen = (size_t)(nl - data);
    for (i = 0; i < blen; i++)
        boundary[i] = data[i] < 0x20 || data[i] == 0x7f ? '_' : (char)data[i];
    boundary[blen] = '\0';
    data = nl + 1;
    size -= blen + 1;

    if (daemon_ == NULL)
        start_daemon();
    memset(&cur, 0, sizeof(cur));
    cur.app.max_body = max_bodies[(opts >> 3) & 3];
    cur.app.max_upload = max_uploads[(opts >> 5) & 3];
    chunked = opts & 4;
    switch (opts & 3) {
    case 0:
        snprintf(content_type, sizeof(content_type), "multipart/form-data; boundary=%s", boundary);
        break;
    case 1:
        snprintf(content_type, sizeof(content_type), "multipart/form-data; boundary=\"%s\"", boundary);
        break;
    case 2:
        snprintf(content_type, sizeof(content_type), "Multipart/Form-Data; charset=utf-8; boundary=%s", boundary);
        break;
    default:
        snprintf(content_type, sizeof(content_type), "multipart/form-data");
        break;
    }
    if (chunked)
        hlen = snprintf(head, sizeof(head),
                        "POST /v1/preflight HTTP/1.1\r\nHost: fuzz\r\nContent-Type: %s\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n",
                        content_type);
    else
        hlen = snprintf(head, sizeof(head),
                        "POST /v1/preflight HTTP/1.1\r\nHost: fuzz\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                        content_type, size);

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        abort();
    memset(&peer, 0, sizeof(peer));
    peer.sin_family = AF_INET;
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES) {
        close(sv[1]);
        return 0;
    }
    send_all(sv[1], head, (size_t)hlen);
    pump(0);

    /* The body, piece by piece: each written whole, then handed to the handler before the next. */
    min_step = (size + MAX_PIECES - 1) / MAX_PIECES;
    for (at = 0; at < size && !cur.ended; n_piece++) {
        size_t len = step[n_piece & 1] == 0 ? size - at : step[n_piece & 1];

        if (len < min_step)
            len = min_step;
        if (len > size - at)
            len = size - at;
        if (chunked) {
            int flen = snprintf(frame, sizeof(frame), "%zx\r\n", len);

            send_all(sv[1], frame, (size_t)flen);
        }
        send_all(sv[1], (const char *)data + at, len);
        if (chunked)
            send_all(sv[1], "\r\n", 2);
        at += len;
        sent += len;
        pump(sent);
    }
    if (chunked)
        send_all(sv[1], "0\r\n\r\n", 5);
    pump(SIZE_MAX); /* the handler's final call */

    /* Our end closes; the daemon closes its end and frees the connection. */
    close(sv[1]);
    for (i = 0; i < 64 && connections() > 0; i++)
        MHD_run(daemon_);
    if (connections() > 0)
        abort();
    return 0;
}
