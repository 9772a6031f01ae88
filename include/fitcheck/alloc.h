/*
 * alloc.h - the core's swappable allocator.
 *
 * Every allocation the core makes goes through fc_malloc/fc_free, so tests can
 * fail each allocation in turn (as jansson's test_chaos does) and check that
 * the core reports FC_ERR_NOMEM without leaking or crashing. jansson's own
 * allocations are routed separately with json_set_alloc_funcs.
 */
#ifndef FITCHECK_ALLOC_H
#define FITCHECK_ALLOC_H

#include <stddef.h>

typedef void *(*fc_malloc_fn)(size_t size);
typedef void (*fc_free_fn)(void *ptr);

/*
 * Installs the allocator pair used by the core. Passing NULL for either
 * restores the C library's malloc/free. Not thread-safe: call it before any
 * other thread uses the core (tests and start-up only).
 */
void fc_set_alloc_funcs(fc_malloc_fn malloc_fn, fc_free_fn free_fn);

/* Allocates size bytes (size 0 allocates 1). Returns NULL on failure. */
void *fc_malloc(size_t size);

/* Allocates n * size zeroed bytes; NULL on failure or on overflow of n * size. */
void *fc_calloc(size_t n, size_t size);

/* Copies the NUL-terminated s; NULL on failure. s == NULL gives NULL. */
char *fc_strdup(const char *s);

/* Frees memory from fc_malloc/fc_calloc/fc_strdup. ptr may be NULL. */
void fc_free(void *ptr);

/* Frees *pp and sets it to NULL (curl's safefree). */
#define FC_SAFEFREE(pp) do { fc_free(pp); (pp) = NULL; } while (0)

#endif
