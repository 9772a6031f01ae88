/*
 * model_cache.h - the model descriptors preflights name by model_id, kept
 * parsed in memory: a least-recently-used set bounded in bytes (the
 * descriptors' JSON text), shared by every request thread. The values are
 * jansson objects that nobody modifies; each get hands out a reference.
 */
#ifndef FITCHECK_MODEL_CACHE_H
#define FITCHECK_MODEL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct fc_model_cache fc_model_cache;

/* A cache holding up to max_bytes of descriptor text (0: keep nothing). NULL when out of memory. */
fc_model_cache *fc_model_cache_new(size_t max_bytes);

/* Frees the cache and its references. c may be NULL. */
void fc_model_cache_free(fc_model_cache *c);

/*
 * The descriptor stored under id (a new reference, and now the most recent),
 * or NULL. When canonical is non-NULL, *canonical is set to a new reference
 * to the descriptor's canonical text as a JSON string (NULL when none was
 * kept, or when id is not cached). Thread-safe.
 */
json_t *fc_model_cache_get(fc_model_cache *c, const char *id, json_t **canonical);

/*
 * Keeps descriptor under id with its canonical text (compact, keys sorted;
 * a JSON string, or NULL), both borrowed (the cache takes its own
 * references), weighing bytes plus the text's length, evicting the least
 * recently used entries to make room. A descriptor larger than the whole
 * cache is not kept. Thread-safe.
 */
void fc_model_cache_put(fc_model_cache *c, const char *id, json_t *descriptor, json_t *canonical, size_t bytes);

/* Lookups that found their model, and those that did not (for /metrics). */
void fc_model_cache_counts(fc_model_cache *c, uint64_t *hits, uint64_t *misses, size_t *bytes);

#endif
