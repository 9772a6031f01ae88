/*
 * group_commit.h - one writer thread that commits reports in batches, for
 * the store engines.
 *
 * put queues a report and waits; the writer takes every report queued
 * while the previous batch was being made durable and hands them to the
 * engine's commit function together, then wakes their callers. A caller
 * returns only after the commit that holds its report: one fsync serves a
 * whole batch, and nothing acknowledged is lost. The engine numbers the
 * reports of a batch in commit order (one writer, one batch at a time).
 */
#ifndef FITCHECK_GROUP_COMMIT_H
#define FITCHECK_GROUP_COMMIT_H

#include <pthread.h>

#include "store.h"

/* A report waiting for its commit; lives on the caller's stack. The commit function sets status (and msg). */
typedef struct fc_gc_item {
    const fc_report_row *row;
    fc_store_status status;
    char msg[256];
    int done;
    pthread_cond_t wake; /* signalled once done: only the batch's callers wake */
    struct fc_gc_item *next;
} fc_gc_item;

/* Commits a batch (a list through next): sets every item's status; called on the writer thread only. */
typedef void (*fc_gc_commit_fn)(void *engine, fc_gc_item *batch);

typedef struct fc_group_commit {
    fc_gc_commit_fn commit;
    void *engine;
    pthread_t writer;
    int running;
    pthread_mutex_t lock;   /* guards the queue, the flag and the counters */
    pthread_cond_t work;    /* a report was queued, or the writer stops */
    fc_gc_item *head, *tail;
    int stopping;
    int64_t commits, rows, max_batch;
} fc_group_commit;

/* Starts the writer thread (named name, at most 15 bytes) calling commit(engine, batch). 0, or -1 when the
 * thread cannot be made. */
int fc_gc_start(fc_group_commit *gc, const char *name, fc_gc_commit_fn commit, void *engine);

/* Queues row and waits for its batch's commit: its status, with the engine's message in msg on failure.
 * Thread-safe. FC_STORE_ERROR once fc_gc_stop has begun. */
fc_store_status fc_gc_put(fc_group_commit *gc, const fc_report_row *row, char *msg, size_t msg_size);

/* The batches so far. Thread-safe. */
void fc_gc_stats(fc_group_commit *gc, fc_store_stats *out);

/* Commits what is queued, ends the writer and frees what gc holds. Safe on a gc never started (zeroed). */
void fc_gc_stop(fc_group_commit *gc);

#endif
