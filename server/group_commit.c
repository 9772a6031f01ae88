/*
 * group_commit.c - the batching writer shared by the store engines.
 */
#define _GNU_SOURCE 1 /* pthread_setname_np */
#include <stdio.h>
#include <string.h>

#include "group_commit.h"

static void *writer_main(void *arg)
{
    fc_group_commit *gc = arg;

    pthread_mutex_lock(&gc->lock);
    for (;;) {
        fc_gc_item *batch, *p;
        int64_t n = 0;

        while (gc->head == NULL && !gc->stopping)
            pthread_cond_wait(&gc->work, &gc->lock);
        if (gc->head == NULL)
            break; /* stopping, and nothing left to write */
        batch = gc->head;
        gc->head = gc->tail = NULL;
        pthread_mutex_unlock(&gc->lock);
        gc->commit(gc->engine, batch); /* new reports queue up meanwhile: the next batch */
        pthread_mutex_lock(&gc->lock);
        for (p = batch; p != NULL;) {
            fc_gc_item *next = p->next; /* p may be gone once its caller wakes */

            p->done = 1;
            pthread_cond_signal(&p->wake);
            n++;
            p = next;
        }
        gc->commits++;
        gc->rows += n;
        if (n > gc->max_batch)
            gc->max_batch = n;
    }
    pthread_mutex_unlock(&gc->lock);
    return NULL;
}

int fc_gc_start(fc_group_commit *gc, const char *name, fc_gc_commit_fn commit, void *engine)
{
    memset(gc, 0, sizeof(*gc));
    gc->commit = commit;
    gc->engine = engine;
    pthread_mutex_init(&gc->lock, NULL);
    pthread_cond_init(&gc->work, NULL);
    if (pthread_create(&gc->writer, NULL, writer_main, gc) != 0)
        return -1;
    pthread_setname_np(gc->writer, name); /* for top -H, perf and /proc: it is the one that fsyncs */
    gc->running = 1;
    return 0;
}

fc_store_status fc_gc_put(fc_group_commit *gc, const fc_report_row *row, char *msg, size_t size)
{
    fc_gc_item p;

    memset(&p, 0, sizeof(p));
    p.row = row;
    pthread_cond_init(&p.wake, NULL);
    pthread_mutex_lock(&gc->lock);
    if (gc->stopping || !gc->running) {
        pthread_mutex_unlock(&gc->lock);
        pthread_cond_destroy(&p.wake);
        if (msg != NULL && size > 0)
            snprintf(msg, size, "storing report: the store is closing");
        return FC_STORE_ERROR;
    }
    if (gc->tail != NULL)
        gc->tail->next = &p;
    else
        gc->head = &p;
    gc->tail = &p;
    pthread_cond_signal(&gc->work);
    while (!p.done)
        pthread_cond_wait(&p.wake, &gc->lock);
    pthread_mutex_unlock(&gc->lock);
    pthread_cond_destroy(&p.wake);
    if (p.status != FC_STORE_OK && msg != NULL && size > 0)
        snprintf(msg, size, "%s", p.msg);
    return p.status;
}

void fc_gc_stats(fc_group_commit *gc, fc_store_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (gc->commit == NULL)
        return;
    pthread_mutex_lock(&gc->lock);
    out->commits = gc->commits;
    out->reports = gc->rows;
    out->max_batch = gc->max_batch;
    pthread_mutex_unlock(&gc->lock);
}

void fc_gc_stop(fc_group_commit *gc)
{
    if (gc->commit == NULL)
        return; /* never started */
    if (gc->running) {
        pthread_mutex_lock(&gc->lock);
        gc->stopping = 1;
        pthread_cond_signal(&gc->work);
        pthread_mutex_unlock(&gc->lock);
        pthread_join(gc->writer, NULL);
        gc->running = 0;
    }
    pthread_mutex_destroy(&gc->lock);
    pthread_cond_destroy(&gc->work);
    gc->commit = NULL;
}
