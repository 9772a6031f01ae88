/*
 * metrics.h - request counters and latency histograms, rendered in the
 * Prometheus text exposition format (version 0.0.4).
 */
#ifndef FITCHECK_METRICS_H
#define FITCHECK_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct fc_metrics fc_metrics;

/* A new, empty set of metrics; NULL when out of memory. Free with fc_metrics_free. */
fc_metrics *fc_metrics_new(void);

/* Frees m. m may be NULL. */
void fc_metrics_free(fc_metrics *m);

/*
 * Counts one finished request. route is the route template ("/v1/reports/{id}")
 * or "unmatched"; it must be a static string. Thread-safe.
 */
void fc_metrics_observe(fc_metrics *m, const char *route, const char *method, unsigned status, int64_t duration_us);

/*
 * Renders every metric, plus the gauge fitcheck_reports_stored = reports
 * (skipped when reports < 0) and the store's write grouping (skipped when
 * store is NULL). Returns a malloc'd NUL-terminated text the caller frees,
 * or NULL when out of memory. Thread-safe.
 */
char *fc_metrics_render(fc_metrics *m, int64_t reports, const fc_store_stats *store, const char *version);

#endif
