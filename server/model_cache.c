/*
 * model_cache.c - an LRU of parsed model descriptors, bounded in bytes.
 *
 * A doubly linked list in recency order and a linear lookup: the cache holds
 * a handful to a few hundred models, each worth a parse of kilobytes to
 * megabytes, so the scan is noise next to what a hit saves.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model_cache.h"

typedef struct entry {
    char *id;
    json_t *descriptor;
    json_t *canonical; /* a JSON string: the descriptor's canonical text, or NULL */
    size_t bytes;
    struct entry *prev, *next; /* prev is more recent */
} entry;

struct fc_model_cache {
    pthread_mutex_t lock;
    size_t max_bytes, bytes;
    entry *head, *tail; /* most and least recently used */
    uint64_t hits, misses;
};

fc_model_cache *fc_model_cache_new(size_t max_bytes)
{
    fc_model_cache *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    return c;
}

static void unlink_entry(fc_model_cache *c, entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(fc_model_cache *c, entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head != NULL)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static void drop(fc_model_cache *c, entry *e)
{
    unlink_entry(c, e);
    c->bytes -= e->bytes;
    json_decref(e->descriptor);
    json_decref(e->canonical);
    free(e->id);
    free(e);
}

void fc_model_cache_free(fc_model_cache *c)
{
    if (c == NULL)
        return;
    while (c->head != NULL)
        drop(c, c->head);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry *lookup(fc_model_cache *c, const char *id)
{
    entry *e;

    for (e = c->head; e != NULL; e = e->next) {
        if (strcmp(e->id, id) == 0)
            return e;
    }
    return NULL;
}

json_t *fc_model_cache_get(fc_model_cache *c, const char *id, json_t **canonical)
{
    entry *e;
    json_t *d = NULL;

    if (canonical != NULL)
        *canonical = NULL;
    pthread_mutex_lock(&c->lock);
    e = lookup(c, id);
    if (e != NULL) {
        unlink_entry(c, e);
        push_front(c, e);
        d = json_incref(e->descriptor);
        if (canonical != NULL)
            *canonical = json_incref(e->canonical);
        c->hits++;
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return d;
}

void fc_model_cache_put(fc_model_cache *c, const char *id, json_t *descriptor, json_t *canonical, size_t bytes)
{
    entry *e;

    bytes += json_string_length(canonical); /* 0 for NULL */
    if (bytes > c->max_bytes)
        return;
    e = calloc(1, sizeof(*e));
    if (e == NULL || (e->id = strdup(id)) == NULL) {
        free(e);
        return; /* only a cache: the next request parses again */
    }
    e->descriptor = json_incref(descriptor);
    e->canonical = json_incref(canonical);
    e->bytes = bytes;
    pthread_mutex_lock(&c->lock);
    if (lookup(c, id) != NULL) { /* another request put it first */
        pthread_mutex_unlock(&c->lock);
        json_decref(e->descriptor);
        json_decref(e->canonical);
        free(e->id);
        free(e);
        return;
    }
    while (c->tail != NULL && c->bytes + bytes > c->max_bytes)
        drop(c, c->tail);
    push_front(c, e);
    c->bytes += bytes;
    pthread_mutex_unlock(&c->lock);
}

void fc_model_cache_counts(fc_model_cache *c, uint64_t *hits, uint64_t *misses, size_t *bytes)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    *bytes = c->bytes;
    pthread_mutex_unlock(&c->lock);
}
