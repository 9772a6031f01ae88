/*
 * noop_server.c - the floor for bench/http/run.sh: libmicrohttpd with the
 * daemon flags fitcheckd uses (internal polling thread pool, epoll), which
 * reads each POST body in full and answers 201 with a small JSON object.
 * Whatever fitcheckd does on top of this is the cost of fitcheck.
 *
 *   noop_server PORT THREADS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

static const char answer[] = "{\"id\":\"00000000-0000-7000-8000-000000000000\",\"verdict\":\"pass\"}";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **state)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)data;
    if (*state == NULL) {
        *state = (void *)1; /* headers seen: the body follows */
        return MHD_YES;
    }
    if (*size != 0) {
        *size = 0; /* consumed */
        return MHD_YES;
    }
    r = MHD_create_response_from_buffer(sizeof(answer) - 1, (void *)answer, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    ret = MHD_queue_response(c, 201, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    sigset_t set;
    int sig;

    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
        return 2;
    }
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, (uint16_t)atoi(argv[1]), NULL,
                         NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "noop_server: cannot listen on %s\n", argv[1]);
        return 1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
