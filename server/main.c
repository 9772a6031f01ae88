/*
 * main.c - fitcheckd: flags and environment, the store, the HTTP daemon,
 * and a clean stop on SIGINT / SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "guard.h"
#include "http.h"
#include "keys_cli.h"
#include "metrics.h"
#include "model_cache.h"
#include "store.h"

#ifndef FITCHECK_VERSION
#define FITCHECK_VERSION "0.0.0"
#endif

typedef struct options {
    const char *listen;
    unsigned long port;
    const char *db;
    unsigned long threads;
    unsigned long max_body;
    unsigned long max_upload;
    unsigned long model_cache;
    fc_auth_config auth;
    unsigned long heartbeat_ms;
    unsigned long key_streams;
    unsigned long header_timeout;
    unsigned long body_min_rate;
    unsigned long per_ip;
    unsigned long max_connections;
} options;

_Static_assert(sizeof(unsigned long) >= 8, "--max-upload takes byte counts past 4 GiB");

#define MAX_UPLOAD_LIMIT (1ul << 40) /* 1 TiB: the largest --max-upload accepted */

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: fitcheckd [OPTIONS]\n"
            "Preflight service for Keras model.fit: POST a model descriptor and data headers,\n"
            "get a report of what fit would do. Every flag also reads an environment variable.\n"
            "\n"
            "  --listen ADDR     address to listen on, IPv4 or IPv6      [FITCHECK_LISTEN, 127.0.0.1]\n"
            "  --port N          TCP port; 0 picks a free one and prints it\n"
            "                    as the first line of stdout             [FITCHECK_PORT, 8080]\n"
            "  --db PATH|URL     SQLite database file (created if missing), or a\n"
            "                    postgres://user@host/db URL, which replicas may\n"
            "                    share                                   [FITCHECK_DB, ./var/fitcheck.db]\n"
            "  --threads N       worker threads                          [FITCHECK_THREADS, 4]\n"
            "  --max-body BYTES  largest JSON body accepted; also bounds the request and\n"
            "                    model parts of a multipart body          [FITCHECK_MAX_BODY, 16777216]\n"
            "  --max-upload BYTES  largest multipart body with .npy array parts (read as\n"
            "                    it streams, never held in memory)       [FITCHECK_MAX_UPLOAD, 4294967296]\n"
            "  --model-cache BYTES  parsed model descriptors kept in memory for\n"
            "                    preflights that send a model_id         [FITCHECK_MODEL_CACHE, 67108864]\n"
            "  --auth MODE       none: anyone may call (one team, team 0); keys: every /v1\n"
            "                    route needs Authorization: Bearer KEY, and a team sees\n"
            "                    only its own reports and models         [FITCHECK_AUTH, none]\n"
            "  --rate-limit N    requests per second one key may send, on average\n"
            "                    (0: no limit; --auth keys)              [FITCHECK_RATE_LIMIT, 50]\n"
            "  --rate-burst N    requests one key may send at once       [FITCHECK_RATE_BURST, 100]\n"
            "  --key-inflight N  request bodies one key may have in flight\n"
            "                    (0: no cap)                             [FITCHECK_KEY_INFLIGHT, 16]\n"
            "  --sse-heartbeat MS  a comment on idle event streams this often, which\n"
            "                    also finds clients gone                 [FITCHECK_SSE_HEARTBEAT, 15000]\n"
            "  --key-streams N   event streams one key may hold open\n"
            "                    (0: no cap; --auth keys)                [FITCHECK_KEY_STREAMS, 16]\n"
            "  --header-timeout S  seconds a new connection has to send its request\n"
            "                    headers, and a request body's grace before\n"
            "                    --body-min-rate applies (0: no header\n"
            "                    deadline, a grace of 10 s)              [FITCHECK_HEADER_TIMEOUT, 10]\n"
            "  --body-min-rate B  bytes per second a request body must average\n"
            "                    (0: none; slower clients are cut off)   [FITCHECK_BODY_MIN_RATE, 1024]\n"
            "  --per-ip-connections N  connections one client address may hold\n"
            "                    open (0: no cap; behind a proxy every client has\n"
            "                    the proxy's address)                    [FITCHECK_PER_IP_CONNECTIONS, 256]\n"
            "  --max-connections N  connections held open at once, all clients\n"
            "                    (lowered to the descriptor limit)        [FITCHECK_MAX_CONNECTIONS, 4096]\n"
            "  --version         print the version and exit\n"
            "  --help            print this help and exit\n"
            "\n"
            "  fitcheckd keys create|list|revoke ...   API keys (fitcheckd keys --help)\n");
}

/* Parses an unsigned decimal in [min, max]; returns -1 when it is not one. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (s == NULL || *s == '\0' || *s == '-')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_number(const char *name, const char *value, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    if (parse_ulong(value, min, max, out) != 0) {
        fprintf(stderr, "fitcheckd: %s must be a number from %lu to %lu, got '%s'\n", name, min, max,
                value ? value : "");
        return -1;
    }
    return 0;
}

static int set_auth(const char *name, const char *value, fc_auth_config *auth)
{
    if (strcmp(value, "none") == 0)
        auth->mode = FC_AUTH_NONE;
    else if (strcmp(value, "keys") == 0)
        auth->mode = FC_AUTH_KEYS;
    else {
        fprintf(stderr, "fitcheckd: %s must be none or keys, got '%s'\n", name, value);
        return -1;
    }
    return 0;
}

static int read_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'}, {"port", required_argument, NULL, 'p'},
        {"db", required_argument, NULL, 'd'},     {"threads", required_argument, NULL, 't'},
        {"max-body", required_argument, NULL, 'b'}, {"max-upload", required_argument, NULL, 'u'},
        {"model-cache", required_argument, NULL, 'm'},
        {"auth", required_argument, NULL, 'A'},   {"rate-limit", required_argument, NULL, 'R'},
        {"rate-burst", required_argument, NULL, 'B'}, {"key-inflight", required_argument, NULL, 'I'},
        {"sse-heartbeat", required_argument, NULL, 'H'}, {"key-streams", required_argument, NULL, 'S'},
        {"header-timeout", required_argument, NULL, 'T'}, {"body-min-rate", required_argument, NULL, 'M'},
        {"per-ip-connections", required_argument, NULL, 'P'}, {"max-connections", required_argument, NULL, 'C'},
        {"version", no_argument, NULL, 'V'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *env;
    unsigned long n;
    int c;

    o->listen = getenv("FITCHECK_LISTEN") ? getenv("FITCHECK_LISTEN") : "127.0.0.1";
    o->db = getenv("FITCHECK_DB") ? getenv("FITCHECK_DB") : "./var/fitcheck.db";
    o->port = 8080;
    o->threads = 4;
    o->max_body = 16u << 20;
    o->max_upload = 4ul << 30;
    o->model_cache = 64ul << 20;
    o->auth.mode = FC_AUTH_NONE;
    o->auth.rate = 50;
    o->auth.burst = 100;
    o->auth.inflight = 16;
    if ((env = getenv("FITCHECK_AUTH")) && set_auth("FITCHECK_AUTH", env, &o->auth))
        return -1;
    if ((env = getenv("FITCHECK_RATE_LIMIT")) && set_number("FITCHECK_RATE_LIMIT", env, 0, 1000000, &n))
        return -1;
    o->auth.rate = env ? (double)n : o->auth.rate;
    if ((env = getenv("FITCHECK_RATE_BURST")) && set_number("FITCHECK_RATE_BURST", env, 1, 1000000, &n))
        return -1;
    o->auth.burst = env ? (double)n : o->auth.burst;
    if ((env = getenv("FITCHECK_KEY_INFLIGHT")) && set_number("FITCHECK_KEY_INFLIGHT", env, 0, 100000, &n))
        return -1;
    o->auth.inflight = env ? (unsigned)n : o->auth.inflight;
    o->heartbeat_ms = 15000;
    if ((env = getenv("FITCHECK_SSE_HEARTBEAT")) &&
        set_number("FITCHECK_SSE_HEARTBEAT", env, 100, 3600000, &o->heartbeat_ms))
        return -1;
    o->key_streams = 16;
    if ((env = getenv("FITCHECK_KEY_STREAMS")) && set_number("FITCHECK_KEY_STREAMS", env, 0, 100000, &o->key_streams))
        return -1;
    o->header_timeout = 10;
    if ((env = getenv("FITCHECK_HEADER_TIMEOUT")) &&
        set_number("FITCHECK_HEADER_TIMEOUT", env, 0, 3600, &o->header_timeout))
        return -1;
    o->body_min_rate = 1024;
    if ((env = getenv("FITCHECK_BODY_MIN_RATE")) &&
        set_number("FITCHECK_BODY_MIN_RATE", env, 0, 1ul << 30, &o->body_min_rate))
        return -1;
    o->per_ip = 256;
    if ((env = getenv("FITCHECK_PER_IP_CONNECTIONS")) &&
        set_number("FITCHECK_PER_IP_CONNECTIONS", env, 0, 100000, &o->per_ip))
        return -1;
    o->max_connections = 4096;
    if ((env = getenv("FITCHECK_MAX_CONNECTIONS")) &&
        set_number("FITCHECK_MAX_CONNECTIONS", env, 16, 1000000, &o->max_connections))
        return -1;
    if ((env = getenv("FITCHECK_PORT")) && set_number("FITCHECK_PORT", env, 0, 65535, &o->port))
        return -1;
    if ((env = getenv("FITCHECK_THREADS")) && set_number("FITCHECK_THREADS", env, 1, 256, &o->threads))
        return -1;
    if ((env = getenv("FITCHECK_MAX_BODY")) && set_number("FITCHECK_MAX_BODY", env, 1024, 1ul << 30, &o->max_body))
        return -1;
    if ((env = getenv("FITCHECK_MAX_UPLOAD")) &&
        set_number("FITCHECK_MAX_UPLOAD", env, 1024, MAX_UPLOAD_LIMIT, &o->max_upload))
        return -1;
    if ((env = getenv("FITCHECK_MODEL_CACHE")) &&
        set_number("FITCHECK_MODEL_CACHE", env, 0, 1ul << 40, &o->model_cache))
        return -1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            o->listen = optarg;
            break;
        case 'p':
            if (set_number("--port", optarg, 0, 65535, &o->port))
                return -1;
            break;
        case 'd':
            o->db = optarg;
            break;
        case 't':
            if (set_number("--threads", optarg, 1, 256, &o->threads))
                return -1;
            break;
        case 'b':
            if (set_number("--max-body", optarg, 1024, 1ul << 30, &o->max_body))
                return -1;
            break;
        case 'u':
            if (set_number("--max-upload", optarg, 1024, MAX_UPLOAD_LIMIT, &o->max_upload))
                return -1;
            break;
        case 'm':
            if (set_number("--model-cache", optarg, 0, 1ul << 40, &o->model_cache))
                return -1;
            break;
        case 'A':
            if (set_auth("--auth", optarg, &o->auth))
                return -1;
            break;
        case 'R':
            if (set_number("--rate-limit", optarg, 0, 1000000, &n))
                return -1;
            o->auth.rate = (double)n;
            break;
        case 'B':
            if (set_number("--rate-burst", optarg, 1, 1000000, &n))
                return -1;
            o->auth.burst = (double)n;
            break;
        case 'I':
            if (set_number("--key-inflight", optarg, 0, 100000, &n))
                return -1;
            o->auth.inflight = (unsigned)n;
            break;
        case 'H':
            if (set_number("--sse-heartbeat", optarg, 100, 3600000, &o->heartbeat_ms))
                return -1;
            break;
        case 'S':
            if (set_number("--key-streams", optarg, 0, 100000, &o->key_streams))
                return -1;
            break;
        case 'T':
            if (set_number("--header-timeout", optarg, 0, 3600, &o->header_timeout))
                return -1;
            break;
        case 'M':
            if (set_number("--body-min-rate", optarg, 0, 1ul << 30, &o->body_min_rate))
                return -1;
            break;
        case 'P':
            if (set_number("--per-ip-connections", optarg, 0, 100000, &o->per_ip))
                return -1;
            break;
        case 'C':
            if (set_number("--max-connections", optarg, 16, 1000000, &o->max_connections))
                return -1;
            break;
        case 'V':
            printf("fitcheckd %s\n", FITCHECK_VERSION);
            exit(0);
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "fitcheckd: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* Creates the database's directory when it is missing (one level, like ./var). */
static void ensure_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return;
    *slash = '\0';
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        fprintf(stderr, "fitcheckd: cannot create %s: %s\n", dir, strerror(errno));
}

/*
 * The connections fitcheckd may hold: n, with the descriptor limit raised to
 * fit them when the hard limit allows, else what the limit leaves after
 * RESERVED_FDS for the database, the listening socket and the rest.
 */
#define RESERVED_FDS 64
static unsigned connection_limit(unsigned long n)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return (unsigned)n;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < n + RESERVED_FDS) {
        rlim_t want = (rlim_t)(n + RESERVED_FDS);

        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < n + RESERVED_FDS)
        n = rl.rlim_cur > 2 * RESERVED_FDS ? (unsigned long)rl.rlim_cur - RESERVED_FDS : RESERVED_FDS;
    return (unsigned)n;
}

/*
 * SIGBUS: SQLite keeps a WAL database's index (the -shm file) mapped in
 * memory and writes it through the mapping; when the file system refuses
 * such a write (a file made read-only or immutable, a full or failing
 * disk) the kernel answers with SIGBUS, which no return code can carry.
 * Say why before dying, so the operator sees a cause and not a bare "Bus
 * error"; every report acknowledged before was committed and is safe.
 */
static void on_sigbus(int sig)
{
    static const char line[] =
        "{\"level\":\"fatal\",\"event\":\"sigbus\",\"message\":\"a write to the database's memory-mapped index "
        "(its -shm file) was refused: the file system is read-only, full or failing; exiting (reports acknowledged "
        "before are durable)\"}\n";
    ssize_t w = write(STDERR_FILENO, line, sizeof(line) - 1);

    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The store heard of a commit (this replica's or another's): wake the team's streams. */
static void events_heard(void *ctx, int64_t team_id)
{
    fc_events_notify(ctx, team_id);
}

int main(int argc, char **argv)
{
    options opt;
    fc_app app = {0};
    fc_http_config http;
    fc_guard_config guard_cfg;
    struct MHD_Daemon *daemon = NULL;
    sigset_t stop_signals;
    unsigned port = 0;
    char msg[512], db_shown[512];
    int sig = 0, ret = 1;

    if (argc >= 2 && strcmp(argv[1], "keys") == 0)
        return fc_keys_main(argc - 1, argv + 1);
    if (read_options(argc, argv, &opt) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGBUS, on_sigbus);
    /* Block the stop signals in every thread; main waits for them below. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    fc_store_display(opt.db, db_shown, sizeof(db_shown));
    if (!fc_store_is_postgres(opt.db))
        ensure_parent_dir(opt.db);
    app.store = fc_store_open(opt.db, 0, msg, sizeof(msg));
    if (app.store == NULL) {
        fprintf(stderr, "fitcheckd: database %s: %s\n", db_shown, msg);
        return 1;
    }
    app.metrics = fc_metrics_new();
    app.models = fc_model_cache_new(opt.model_cache);
    app.auth = fc_auth_new(&opt.auth, app.store);
    app.key_streams = opt.key_streams;
    app.events = fc_events_new(app.store, (int)opt.heartbeat_ms, (int)opt.key_streams);
    app.max_body = opt.max_body;
    app.max_upload = opt.max_upload;
    app.version = FITCHECK_VERSION;
    if (app.metrics == NULL || app.models == NULL || app.auth == NULL || app.events == NULL) {
        fprintf(stderr, "fitcheckd: out of memory\n");
        goto cleanup;
    }
    /* replicas sharing the database: their commits wake this one's event streams too */
    if (app.store->ops->watch != NULL)
        app.store->ops->watch(app.store, events_heard, app.events);
    http.listen = opt.listen;
    http.port = (unsigned)opt.port;
    http.threads = (unsigned)opt.threads;
    http.timeout_s = 30;
    http.per_ip = (unsigned)opt.per_ip;
    http.max_connections = connection_limit(opt.max_connections);
    guard_cfg.header_timeout_s = (unsigned)opt.header_timeout;
    guard_cfg.keepalive_s = http.timeout_s;
    guard_cfg.body_min_rate = (unsigned)opt.body_min_rate;
    if (guard_cfg.header_timeout_s > 0 || guard_cfg.body_min_rate > 0) {
        app.guard = fc_guard_new(&guard_cfg);
        if (app.guard == NULL) {
            fprintf(stderr, "fitcheckd: cannot start the slow-client guard\n");
            goto cleanup;
        }
    }
    daemon = fc_http_start(&http, &app, &port, msg, sizeof(msg));
    if (daemon == NULL) {
        fprintf(stderr, "fitcheckd: %s\n", msg);
        goto cleanup;
    }
    if (opt.port == 0)
        printf("%u\n", port);
    fflush(stdout);
    fprintf(stderr,
            "{\"event\":\"started\",\"version\":\"%s\",\"listen\":\"%s\",\"port\":%u,\"db\":\"%s\","
            "\"schema_version\":%d,\"threads\":%lu,\"max_body\":%lu,\"max_upload\":%lu,\"auth\":\"%s\","
            "\"max_connections\":%u,\"store\":\"%s\"}\n",
            FITCHECK_VERSION, opt.listen, port, db_shown, app.store->ops->schema_version(app.store), opt.threads,
            opt.max_body, opt.max_upload, opt.auth.mode == FC_AUTH_KEYS ? "keys" : "none", http.max_connections,
            app.store->ops->engine);

    while (sigwait(&stop_signals, &sig) != 0)
        ;
    fprintf(stderr, "{\"event\":\"stopping\",\"signal\":%d}\n", sig);
    fc_http_stop(daemon, &app, 10000);
    ret = 0;

cleanup:
    fc_store_close(app.store);
    fc_metrics_free(app.metrics);
    fc_model_cache_free(app.models);
    fc_auth_free(app.auth);
    fc_events_free(app.events);
    fc_guard_free(app.guard); /* after the daemon: no connection is left */
    if (ret == 0)
        fprintf(stderr, "{\"event\":\"stopped\"}\n");
    return ret;
}
