/*
 * metrics.c - fixed-size tables of counters, under one mutex.
 *
 * The label sets are few (routes x methods x statuses), so a small table
 * searched linearly is enough; a series past the table's end is counted in
 * fitcheck_metrics_dropped_total instead of growing memory without bound.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define MAX_SERIES 128
#define MAX_ROUTES 16
#define METHOD_LEN 12

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

typedef struct counter {
    const char *route;
    char method[METHOD_LEN];
    unsigned status;
    uint64_t count;
} counter;

typedef struct histogram {
    const char *route;
    uint64_t bucket[N_BUCKETS]; /* cumulative counts are computed when rendering */
    uint64_t count;
    double sum_seconds;
} histogram;

struct fc_metrics {
    pthread_mutex_t lock;
    counter counters[MAX_SERIES];
    size_t n_counters;
    histogram hists[MAX_ROUTES];
    size_t n_hists;
    uint64_t dropped;
};

fc_metrics *fc_metrics_new(void)
{
    fc_metrics *m = calloc(1, sizeof(*m));

    if (m != NULL)
        pthread_mutex_init(&m->lock, NULL);
    return m;
}

void fc_metrics_free(fc_metrics *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static counter *find_counter(fc_metrics *m, const char *route, const char *method, unsigned status)
{
    size_t i;

    for (i = 0; i < m->n_counters; i++) {
        counter *c = &m->counters[i];
        if (c->route == route && c->status == status && strcmp(c->method, method) == 0)
            return c;
    }
    if (m->n_counters == MAX_SERIES)
        return NULL;
    m->counters[m->n_counters].route = route;
    snprintf(m->counters[m->n_counters].method, METHOD_LEN, "%s", method);
    m->counters[m->n_counters].status = status;
    return &m->counters[m->n_counters++];
}

static histogram *find_hist(fc_metrics *m, const char *route)
{
    size_t i;

    for (i = 0; i < m->n_hists; i++) {
        if (m->hists[i].route == route)
            return &m->hists[i];
    }
    if (m->n_hists == MAX_ROUTES)
        return NULL;
    m->hists[m->n_hists].route = route;
    return &m->hists[m->n_hists++];
}

/* Only the standard methods become label values; anything else is "OTHER". */
static const char *method_label(const char *method)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    size_t i;

    for (i = 0; method != NULL && i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(method, known[i]) == 0)
            return known[i];
    }
    return "OTHER";
}

void fc_metrics_observe(fc_metrics *m, const char *route, const char *method, unsigned status, int64_t duration_us)
{
    double seconds = (double)duration_us / 1e6;
    counter *c;
    histogram *h;
    size_t i;

    pthread_mutex_lock(&m->lock);
    c = find_counter(m, route, method_label(method), status);
    h = find_hist(m, route);
    if (c != NULL)
        c->count++;
    if (h != NULL) {
        for (i = 0; i < N_BUCKETS; i++) {
            if (seconds <= buckets[i]) {
                h->bucket[i]++;
                break;
            }
        }
        h->count++;
        h->sum_seconds += seconds;
    }
    if (c == NULL || h == NULL)
        m->dropped++;
    pthread_mutex_unlock(&m->lock);
}

typedef struct textbuf {
    char *buf;
    size_t len, cap;
    int failed;
} textbuf;

static void tb_printf(textbuf *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tb_printf(textbuf *tb, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (tb->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(tb->buf + tb->len, tb->cap - tb->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            tb->failed = 1;
            return;
        }
        if ((size_t)n < tb->cap - tb->len) {
            tb->len += (size_t)n;
            return;
        }
        {
            size_t cap = tb->cap * 2 + (size_t)n;
            char *grown = realloc(tb->buf, cap);

            if (grown == NULL) {
                tb->failed = 1;
                return;
            }
            tb->buf = grown;
            tb->cap = cap;
        }
    }
}

char *fc_metrics_render(fc_metrics *m, int64_t reports, const fc_store_stats *store, const char *version)
{
    textbuf tb = {malloc(4096), 0, 4096, 0};
    size_t i, b;

    if (tb.buf == NULL)
        return NULL;
    tb.buf[0] = '\0';
    pthread_mutex_lock(&m->lock);
    tb_printf(&tb, "# HELP fitcheck_build_info Build of the running fitcheckd.\n"
                   "# TYPE fitcheck_build_info gauge\nfitcheck_build_info{version=\"%s\"} 1\n",
              version);
    tb_printf(&tb, "# HELP fitcheck_http_requests_total HTTP requests answered, by route, method and status.\n"
                   "# TYPE fitcheck_http_requests_total counter\n");
    for (i = 0; i < m->n_counters; i++)
        tb_printf(&tb, "fitcheck_http_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} %llu\n",
                  m->counters[i].route, m->counters[i].method, m->counters[i].status,
                  (unsigned long long)m->counters[i].count);
    tb_printf(&tb, "# HELP fitcheck_http_request_duration_seconds Time from request start to response, by route.\n"
                   "# TYPE fitcheck_http_request_duration_seconds histogram\n");
    for (i = 0; i < m->n_hists; i++) {
        const histogram *h = &m->hists[i];
        uint64_t cumulative = 0;

        for (b = 0; b < N_BUCKETS; b++) {
            cumulative += h->bucket[b];
            tb_printf(&tb, "fitcheck_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", h->route,
                      buckets[b], (unsigned long long)cumulative);
        }
        tb_printf(&tb, "fitcheck_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", h->route,
                  (unsigned long long)h->count);
        tb_printf(&tb, "fitcheck_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", h->route, h->sum_seconds);
        tb_printf(&tb, "fitcheck_http_request_duration_seconds_count{route=\"%s\"} %llu\n", h->route,
                  (unsigned long long)h->count);
    }
    tb_printf(&tb, "# HELP fitcheck_metrics_dropped_total Observations not recorded because a table was full.\n"
                   "# TYPE fitcheck_metrics_dropped_total counter\nfitcheck_metrics_dropped_total %llu\n",
              (unsigned long long)m->dropped);
    pthread_mutex_unlock(&m->lock);
    if (reports >= 0)
        tb_printf(&tb, "# HELP fitcheck_reports_stored Reports in the store.\n"
                       "# TYPE fitcheck_reports_stored gauge\nfitcheck_reports_stored %lld\n",
                  (long long)reports);
    if (store != NULL)
        tb_printf(&tb, "# HELP fitcheck_store_commits_total Transactions the report store committed (one fsync each).\n"
                       "# TYPE fitcheck_store_commits_total counter\nfitcheck_store_commits_total %lld\n"
                       "# HELP fitcheck_store_committed_reports_total Reports those transactions held.\n"
                       "# TYPE fitcheck_store_committed_reports_total counter\n"
                       "fitcheck_store_committed_reports_total %lld\n"
                       "# HELP fitcheck_store_batch_max The most reports one commit held.\n"
                       "# TYPE fitcheck_store_batch_max gauge\nfitcheck_store_batch_max %lld\n",
                  (long long)store->commits, (long long)store->reports, (long long)store->max_batch);
    if (tb.failed) {
        free(tb.buf);
        return NULL;
    }
    return tb.buf;
}
