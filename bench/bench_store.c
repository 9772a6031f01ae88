/*
 * bench_store.c - the report store's write path alone: many threads storing
 * real reports at once, without HTTP, as the preflight handler stores them.
 *
 *   bench_store [REPORTS] [THREADS] [DIR]
 *
 * Makes the MNIST report of bench/http/mnist_cnn.json with the core (the
 * report fitcheckd stores for that body, its list item and finding codes),
 * then THREADS threads (default 64) put REPORTS reports (default 20000)
 * with fresh ids into a new store in DIR (default /tmp). Prints reports per
 * second, the commits and their mean and largest batch, and the CPU time
 * (user + system) the writer thread ("fc-writer") and the whole process
 * spent per report: the writer is one thread, so 1 s / its time per report
 * bounds how many reports per second the store can take at that batch size.
 * Run it from the repository root (it reads the body from bench/http/).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fitcheck/jsonw.h"
#include "fitcheck/preflight.h"
#include "ids.h"
#include "store.h"

typedef struct job {
    fc_store *store;
    const char *report_text; /* the report, its id replaced per put */
    const char *item_text;
    const char *const *codes;
    size_t n_codes;
    int count;
    int failed;
} job;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of /proc/self/task/<tid>/stat (or /proc/self/stat for tid 0), in seconds. */
static double cpu_of(long tid)
{
    char path[96], buf[1024];
    FILE *f;
    unsigned long ut = 0, st = 0;
    char *p;

    if (tid > 0)
        snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
    else
        snprintf(path, sizeof(path), "/proc/self/stat");
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL)
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
    fclose(f);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The task id of the thread named name, or 0. */
static long thread_named(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    long tid = 0;

    while (d != NULL && (e = readdir(d)) != NULL && tid == 0) {
        char path[300], comm[64] = "";
        FILE *f;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
        if ((f = fopen(path, "r")) != NULL) {
            if (fgets(comm, sizeof(comm), f) != NULL && strncmp(comm, name, strlen(name)) == 0)
                tid = atol(e->d_name);
            fclose(f);
        }
    }
    if (d != NULL)
        closedir(d);
    return tid;
}

static void *put_loop(void *arg)
{
    job *j = arg;
    char msg[256];

    for (int i = 0; i < j->count; i++) {
        fc_report_row row;
        char digest[8 + 65];

        memset(&row, 0, sizeof(row));
        if (fc_id_new(row.id, &row.created_ms) != 0) {
            j->failed++;
            continue;
        }
        snprintf(row.verdict, sizeof(row.verdict), "fail");
        snprintf(row.framework, sizeof(row.framework), "keras3");
        row.n_error = 1;
        row.project = "bench";
        row.run = "run-1";
        snprintf(digest, sizeof(digest), "sha256:%064d", i);
        row.digest = digest;
        row.report_json = j->report_text;
        row.list_json = j->item_text;
        row.model_id = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
        row.codes = j->codes;
        row.n_codes = j->n_codes;
        if (j->store->ops->put(j->store, &row, msg, sizeof(msg)) != FC_STORE_OK) {
            fprintf(stderr, "put: %s\n", msg);
            j->failed++;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int reports = argc > 1 ? atoi(argv[1]) : 20000;
    int threads = argc > 2 ? atoi(argv[2]) : 64;
    const char *dir = argc > 3 ? argv[3] : "/tmp";
    char path[512], msg[256];
    json_error_t je;
    json_t *body = json_load_file("bench/http/mnist_cnn.json", 0, &je), *report = NULL, *item;
    fc_error err;
    fc_store *store;
    fc_store_stats stats;
    const char *codes[64];
    size_t n_codes = 0, i;
    const json_t *f;
    char *report_text, *item_text;
    pthread_t *tids;
    job *jobs;
    double t0, t1, w0, w1, p0, p1;
    long writer;
    int failed = 0;

    if (body == NULL) {
        fprintf(stderr, "bench_store: bench/http/mnist_cnn.json: %s (run from the repository root)\n", je.text);
        return 1;
    }
    fc_error_init(&err);
    if (fc_preflight_run(body, &report, &err) != FC_OK) {
        fprintf(stderr, "bench_store: preflight: %s\n", err.text);
        return 1;
    }
    json_object_set_new(report, "id", json_string("01a00000-0000-7000-8000-000000000000"));
    json_object_set_new(report, "created_at", json_string("2026-12-03T00:00:00.000Z"));
    json_object_set_new(report, "request_digest", json_string("sha256:0"));
    json_object_set_new(report, "timing_us", json_integer(50));
    json_array_foreach(json_object_get(report, "findings"), i, f) {
        if (n_codes < 64)
            codes[n_codes++] = json_string_value(json_object_get(f, "code"));
    }
    item = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(report, "id"), "created_at",
                     json_object_get(report, "created_at"), "framework", json_object_get(report, "framework"),
                     "verdict", json_object_get(report, "verdict"), "summary", json_object_get(report, "summary"),
                     "counts", json_object_get(report, "counts"), "labels", json_object_get(report, "labels"));
    report_text = fc_json_dump(report, 0, NULL);
    item_text = fc_json_dump(item, 0, NULL);
    snprintf(path, sizeof(path), "%s/bench_store_%d.db", dir, (int)getpid());
    store = fc_store_open(path, 0, msg, sizeof(msg));
    if (store == NULL || report_text == NULL || item_text == NULL) {
        fprintf(stderr, "bench_store: %s\n", store == NULL ? msg : "out of memory");
        return 1;
    }
    writer = thread_named("fc-writer");
    tids = calloc((size_t)threads, sizeof(*tids));
    jobs = calloc((size_t)threads, sizeof(*jobs));
    w0 = cpu_of(writer);
    p0 = cpu_of(0);
    t0 = now_s();
    for (int k = 0; k < threads; k++) {
        jobs[k] = (job){store, report_text, item_text, codes, n_codes, reports / threads + (k < reports % threads), 0};
        pthread_create(&tids[k], NULL, put_loop, &jobs[k]);
    }
    for (int k = 0; k < threads; k++) {
        pthread_join(tids[k], NULL);
        failed += jobs[k].failed;
    }
    t1 = now_s();
    w1 = cpu_of(writer);
    p1 = cpu_of(0);
    store->ops->stats(store, &stats);
    printf("%d reports (%zu bytes each, %zu codes) from %d threads in %.2f s: %.0f reports/s\n", reports,
           strlen(report_text), n_codes, threads, t1 - t0, reports / (t1 - t0));
    printf("commits %lld, %.1f reports per commit on average, at most %lld\n", (long long)stats.commits,
           stats.commits ? (double)stats.reports / (double)stats.commits : 0.0, (long long)stats.max_batch);
    printf("CPU per report: writer thread %.1f us, whole process %.1f us%s\n", (w1 - w0) * 1e6 / reports,
           (p1 - p0) * 1e6 / reports, writer ? "" : " (writer thread not found)");
    if (failed)
        printf("%d puts failed\n", failed);
    fc_store_close(store);
    for (int k = 0; k < 3; k++) {
        static const char *const suffix[] = {"", "-wal", "-shm"};
        char file[600];

        snprintf(file, sizeof(file), "%s%s", path, suffix[k]);
        unlink(file);
    }
    free(tids);
    free(jobs);
    free(report_text);
    free(item_text);
    json_decref(item);
    json_decref(report);
    json_decref(body);
    return failed != 0;
}
