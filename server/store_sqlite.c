/*
 * store_sqlite.c - the report store on SQLite: WAL mode, prepared
 * statements, embedded migrations applied at open.
 *
 * Writes are group-committed: put queues its report and waits; one writer
 * thread, with a connection of its own, takes every report queued while the
 * previous transaction was being made durable and commits them together
 * (synchronous=FULL: COMMIT returns once the WAL is fsynced), then wakes
 * their callers. A report is acknowledged only after the commit that holds
 * it, so nothing acknowledged can be lost; one fsync serves a whole batch.
 * Reads go through a small pool of reader connections, each guarded by its
 * own mutex, so that lists and gets run side by side on several cores: in
 * WAL mode they see every committed report and never wait for the writer's
 * fsync. A main connection applies the migrations and stores models.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "group_commit.h"
#include "ids.h"
#include "store.h"
#include "store_migrations.h"

typedef fc_gc_item pending; /* a report waiting for its commit */

#define N_READERS 4
#define N_FILTERS 9 /* verdict, project, cursor, run, framework, model, code, since, until (bits 0..8) */

/* A read connection and its statements; a request holds one for the length of a read. */
typedef struct reader {
    pthread_mutex_t lock;
    sqlite3 *db;
    sqlite3_stmt *get;
    sqlite3_stmt *model_get;  /* NULL before schema 3 */
    sqlite3_stmt *previous;   /* schema 6: the report before one in its project */
    sqlite3_stmt *after;      /* schema 8: a team's reports after a sequence number, in commit order */
    sqlite3_stmt *head;       /* schema 8: a team's highest sequence number */
    sqlite3_stmt *list[8];    /* by filter (none, verdict, project, both) and cursor: each seeks one index */
    sqlite3_stmt *list7[2 << N_FILTERS]; /* schema 7: by the set of filters (and BY_FILTER), prepared when first asked */
    sqlite3_stmt *code_size;  /* schema 7: a code's reports, counted up to SIZE_PROBE */
    sqlite3_stmt *project_size; /* schema 7: a project's reports, counted up to SIZE_PROBE */
} reader;

/* A list with a code and a project driven by the project's index (the smaller set), not the code's. */
#define BY_FILTER (1u << N_FILTERS)
#define SIZE_PROBE 2000 /* index entries counted at most to tell the smaller set */

typedef struct sqlite_store {
    fc_store base;            /* must be first */
    sqlite3 *db;              /* the migrations at open, models, the schema version */
    pthread_mutex_t lock;     /* guards db and its statements */
    sqlite3_stmt *count;
    sqlite3_stmt *version;
    sqlite3_stmt *model_put;
    sqlite3_stmt *model_own;  /* schema 6: the team's claim on a stored model */
    sqlite3_stmt *team_get, *team_add, *key_add, *key_get, *key_all, *key_revoke; /* schema 6 */
    int schema;               /* the schema version the statements were prepared for */
    reader readers[N_READERS];
    unsigned next_reader;     /* where the next read starts looking for a free reader (a hint: races are fine) */

    sqlite3 *wdb;             /* the writer thread's own connection */
    sqlite3_stmt *insert;     /* on wdb */
    sqlite3_stmt *insert_item; /* on wdb: the report's list item (schema 4), NULL before */
    sqlite3_stmt *insert_code; /* on wdb: a finding code of the report (schema 7), NULL before */
    sqlite3_stmt *row_begin;   /* on wdb: SAVEPOINT row, RELEASE row, ROLLBACK TO row: a report's */
    sqlite3_stmt *row_end;     /* rows go in whole or not at all (a full disk can fail the second) */
    sqlite3_stmt *row_undo;
    fc_group_commit gc;       /* the writer thread: it alone uses wdb */
    int64_t stored;           /* reports in the table: counted at open, then kept by the writer (atomic) */
    int64_t next_seq;         /* the writer's: the sequence number of the next report (schema 8) */
} sqlite_store;

/* msg = "what: <SQLite's message>", or "what: out of memory" without a db. msg may be NULL. */
static void set_msg(char *msg, size_t size, const char *what, sqlite3 *db)
{
    if (msg != NULL && size > 0)
        snprintf(msg, size, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* ---- migrations --------------------------------------------------------- */

static int exec(sqlite3 *db, const char *sql, char *msg, size_t size)
{
    char *err = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "%s", err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int current_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int apply_one(sqlite3 *db, const fc_migration *m, char *msg, size_t size)
{
    sqlite3_stmt *st = NULL;
    char what[160];
    int rc;

    if (exec(db, "BEGIN IMMEDIATE", msg, size) != 0)
        return -1;
    if (exec(db, m->sql, msg, size) != 0)
        goto rollback;
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, m->version);
        sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        set_msg(msg, size, "recording migration", db);
        goto rollback;
    }
    if (exec(db, "COMMIT", msg, size) != 0)
        goto rollback;
    return 0;

rollback:
    snprintf(what, sizeof(what), "%s", msg ? msg : "");
    exec(db, "ROLLBACK", NULL, 0);
    if (msg != NULL && size > 0)
        snprintf(msg, size, "migration %s failed: %s", m->name, what);
    return -1;
}

static int migrate(sqlite3 *db, int max_version, char *msg, size_t size)
{
    size_t i;
    int have;

    if (exec(db,
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
             msg, size) != 0)
        return -1;
    have = current_version(db);
    if (have < 0) {
        set_msg(msg, size, "reading schema version", db);
        return -1;
    }
    if (have > fc_store_latest_version()) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "the database has schema version %d, newer than this binary's %d", have,
                     fc_store_latest_version());
        return -1;
    }
    for (i = 0; i < fc_migrations_count; i++) {
        const fc_migration *m = &fc_migrations[i];

        if (m->version <= have || (max_version > 0 && m->version > max_version))
            continue;
        if (apply_one(db, m, msg, size) != 0)
            return -1;
    }
    return 0;
}

/* ---- operations --------------------------------------------------------- */

static void bind_opt_text(sqlite3_stmt *st, int idx, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, idx);
}

/* A free reader (locked), or the one the rotation points at once all are busy. */
static reader *reader_take(sqlite_store *s)
{
    unsigned start = __atomic_fetch_add(&s->next_reader, 1, __ATOMIC_RELAXED), k;

    for (k = 0; k < N_READERS; k++) {
        reader *r = &s->readers[(start + k) % N_READERS];

        if (pthread_mutex_trylock(&r->lock) == 0)
            return r;
    }
    pthread_mutex_lock(&s->readers[start % N_READERS].lock);
    return &s->readers[start % N_READERS];
}

static void reader_give(reader *r)
{
    pthread_mutex_unlock(&r->lock);
}

/* Runs the statement `which` of a reader (one text column, bound to id and, from schema 6, the team):
 * *json_out malloc'd on FC_STORE_OK. */
static fc_store_status fetch_text(sqlite_store *s, size_t which, int64_t team_id, const char *id, char **json_out,
                                  const char *what, char *msg, size_t size)
{
    fc_store_status status;
    reader *rd = reader_take(s);
    sqlite3_stmt *st = which == 0 ? rd->get : which == 1 ? rd->model_get : rd->previous;
    int rc;

    *json_out = NULL;
    if (st == NULL) {
        reader_give(rd);
        if (msg != NULL && size > 0)
            snprintf(msg, size, "%s: the database schema (version %d) is too old for it", what, s->schema);
        return FC_STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (s->schema >= 6)
        sqlite3_bind_int64(st, 2, team_id);
    rc = s->schema >= 6 || team_id == 0 ? sqlite3_step(st) : SQLITE_DONE; /* before teams, all is team 0's */
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);

        *json_out = text ? strdup(text) : NULL;
        status = *json_out ? FC_STORE_OK : FC_STORE_ERROR;
        if (status != FC_STORE_OK)
            set_msg(msg, size, what, NULL);
    } else if (rc == SQLITE_DONE) {
        status = FC_STORE_NOT_FOUND;
    } else {
        set_msg(msg, size, what, rd->db);
        status = FC_STORE_ERROR;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    reader_give(rd);
    return status;
}

/* Inserts one row on the writer's connection (inside its open transaction). */
static void insert_row(sqlite_store *s, pending *p)
{
    sqlite3_stmt *st = s->insert;
    const fc_report_row *row = p->row;

    sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, row->created_ms);
    sqlite3_bind_text(st, 3, row->verdict, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->framework, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, row->n_error);
    sqlite3_bind_int64(st, 6, row->n_warning);
    sqlite3_bind_int64(st, 7, row->n_info);
    bind_opt_text(st, 8, row->project);
    bind_opt_text(st, 9, row->run);
    sqlite3_bind_text(st, 10, row->digest, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, row->report_json, -1, SQLITE_STATIC);
    if (s->schema >= 6)
        sqlite3_bind_int64(st, 12, row->team_id);
    p->status = FC_STORE_OK;
    if (sqlite3_step(st) != SQLITE_DONE) {
        set_msg(p->msg, sizeof(p->msg), "storing report", s->wdb);
        p->status = FC_STORE_ERROR;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (p->status != FC_STORE_OK || s->insert_item == NULL)
        return;
    st = s->insert_item;
    sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
    bind_opt_text(st, 2, row->list_json);
    if (s->schema >= 7)
        bind_opt_text(st, 3, row->model_id);
    if (s->schema >= 8)
        sqlite3_bind_int64(st, 4, s->next_seq++); /* in commit order: one writer, one batch at a time */
    if (sqlite3_step(st) != SQLITE_DONE) {
        set_msg(p->msg, sizeof(p->msg), "storing report", s->wdb);
        p->status = FC_STORE_ERROR;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (size_t i = 0; s->insert_code != NULL && p->status == FC_STORE_OK && i < row->n_codes; i++) {
        st = s->insert_code;
        sqlite3_bind_int64(st, 1, row->team_id);
        sqlite3_bind_text(st, 2, row->codes[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, row->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            set_msg(p->msg, sizeof(p->msg), "storing report", s->wdb);
            p->status = FC_STORE_ERROR;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Steps a statement without a result (a write, a savepoint's), then resets it; 0 on SQLITE_DONE. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Every report of the batch failed, for msg (the batch's transaction is gone). */
static void fail_batch(pending *batch, const char *msg)
{
    pending *p;

    for (p = batch; p != NULL; p = p->next) {
        p->status = FC_STORE_ERROR;
        snprintf(p->msg, sizeof(p->msg), "storing report: %.200s", msg);
    }
}

/*
 * Commits one batch: every report in it, or (when the commit fails) none.
 * Each report goes in inside a savepoint, so a report whose rows fail half
 * way (a full disk, a constraint) leaves no row behind while the others
 * commit. When SQLite rolled the whole transaction back itself (it may, on
 * SQLITE_FULL or an I/O error), the batch has failed as a whole.
 */
static void commit_batch(void *engine, pending *batch)
{
    sqlite_store *s = engine;
    char msg[200];
    pending *p;
    int64_t stored = 0, seq = s->next_seq;

    if (exec(s->wdb, "BEGIN IMMEDIATE", msg, sizeof(msg)) != 0) {
        fail_batch(batch, msg);
        return;
    }
    for (p = batch; p != NULL; p = p->next) {
        if (step_done(s->row_begin) != 0) {
            p->status = FC_STORE_ERROR;
            set_msg(p->msg, sizeof(p->msg), "storing report", s->wdb);
        } else {
            insert_row(s, p);
        }
        if (sqlite3_get_autocommit(s->wdb)) {
            snprintf(msg, sizeof(msg), "%.160s (the batch was rolled back)", p->msg);
            fail_batch(batch, msg);
            s->next_seq = seq;
            return;
        }
        if (p->status != FC_STORE_OK && step_done(s->row_undo) != 0) {
            set_msg(msg, sizeof(msg), "undoing a report's rows", s->wdb);
            exec(s->wdb, "ROLLBACK", NULL, 0);
            fail_batch(batch, msg);
            s->next_seq = seq;
            return;
        }
        step_done(s->row_end);
    }
    if (exec(s->wdb, "COMMIT", msg, sizeof(msg)) != 0) {
        exec(s->wdb, "ROLLBACK", NULL, 0);
        fail_batch(batch, msg);
        s->next_seq = seq; /* the numbers of a batch that did not commit are given again */
        return;
    }
    for (p = batch; p != NULL; p = p->next)
        stored += p->status == FC_STORE_OK;
    __atomic_add_fetch(&s->stored, stored, __ATOMIC_RELAXED);
}

static fc_store_status op_put(fc_store *base, const fc_report_row *row, char *msg, size_t size)
{
    return fc_gc_put(&((sqlite_store *)base)->gc, row, msg, size);
}

static fc_store_status op_put_model(fc_store *base, int64_t team_id, const char *id, const char *json, int *created,
                                    char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = s->model_put;
    fc_store_status status = FC_STORE_ERROR;

    *created = 0;
    if (st == NULL || (team_id != 0 && s->model_own == NULL)) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "storing model: the database schema has no models table for teams");
        return FC_STORE_ERROR;
    }
    pthread_mutex_lock(&s->lock);
    if (exec(s->db, "BEGIN IMMEDIATE", msg, size) != 0)
        goto done;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL) * 1000);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)strlen(json));
    sqlite3_bind_text(st, 4, json, -1, SQLITE_STATIC);
    if (step_done(st) != 0)
        goto rollback;
    *created = sqlite3_changes(s->db) > 0;
    if (s->model_own != NULL) {
        sqlite3_bind_int64(s->model_own, 1, team_id);
        sqlite3_bind_text(s->model_own, 2, id, -1, SQLITE_STATIC);
        if (step_done(s->model_own) != 0)
            goto rollback;
        *created = sqlite3_changes(s->db) > 0; /* new to this team, whoever else stored it */
    }
    if (exec(s->db, "COMMIT", msg, size) != 0)
        goto rollback;
    status = FC_STORE_OK;
    goto done;

rollback:
    set_msg(msg, size, "storing model", s->db);
    exec(s->db, "ROLLBACK", NULL, 0);
    *created = 0;
done:
    pthread_mutex_unlock(&s->lock);
    return status;
}

static fc_store_status op_get_model(fc_store *base, int64_t team_id, const char *id, char **json_out, char *msg,
                                    size_t size)
{
    sqlite_store *s = (sqlite_store *)base;

    *json_out = NULL;
    if (s->model_put == NULL)
        return FC_STORE_NOT_FOUND; /* a schema before the models table */
    return fetch_text(s, 1, team_id, id, json_out, "reading model", msg, size);
}

/* ---- teams and keys (schema 6) ------------------------------------------ */

static int keys_missing(sqlite_store *s, char *msg, size_t size)
{
    if (s->key_get != NULL)
        return 0;
    if (msg != NULL && size > 0)
        snprintf(msg, size, "the database schema (version %d) has no API keys; it needs 6", s->schema);
    return 1;
}

static fc_store_status op_team_ensure(fc_store *base, const char *name, int create, int64_t *team_id, int *created,
                                      char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    fc_store_status status = FC_STORE_ERROR;
    int rc;

    *team_id = 0;
    *created = 0;
    if (keys_missing(s, msg, size))
        return FC_STORE_ERROR;
    pthread_mutex_lock(&s->lock);
    sqlite3_bind_text(s->team_get, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s->team_get);
    if (rc == SQLITE_ROW) {
        *team_id = sqlite3_column_int64(s->team_get, 0);
        status = FC_STORE_OK;
    } else if (rc == SQLITE_DONE && !create) {
        status = FC_STORE_NOT_FOUND;
    } else if (rc == SQLITE_DONE) {
        sqlite3_bind_text(s->team_add, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->team_add, 2, (sqlite3_int64)time(NULL) * 1000);
        if (step_done(s->team_add) == 0) {
            *team_id = sqlite3_last_insert_rowid(s->db);
            *created = 1;
            status = FC_STORE_OK;
        } else {
            set_msg(msg, size, "creating team", s->db);
        }
    } else {
        set_msg(msg, size, "reading team", s->db);
    }
    sqlite3_reset(s->team_get);
    sqlite3_clear_bindings(s->team_get);
    pthread_mutex_unlock(&s->lock);
    return status;
}

static fc_store_status op_key_put(fc_store *base, const fc_api_key *k, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = s->key_add;
    fc_store_status status = FC_STORE_OK;

    if (keys_missing(s, msg, size))
        return FC_STORE_ERROR;
    pthread_mutex_lock(&s->lock);
    sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
    if (k->admin)
        sqlite3_bind_null(st, 2);
    else
        sqlite3_bind_int64(st, 2, k->team_id);
    sqlite3_bind_int(st, 3, k->admin ? 1 : 0);
    bind_opt_text(st, 4, k->label[0] ? k->label : NULL);
    sqlite3_bind_text(st, 5, k->salt, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, k->hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, k->created_ms);
    if (step_done(st) != 0) {
        set_msg(msg, size, "storing key", s->db);
        status = FC_STORE_ERROR;
    }
    pthread_mutex_unlock(&s->lock);
    return status;
}

static void copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);

    snprintf(dst, size, "%s", v ? v : "");
}

/* A key from a row of: id, team_id, team name, admin, label, salt, hash, created_ms, revoked_ms. */
static void read_key(sqlite3_stmt *st, fc_api_key *k)
{
    memset(k, 0, sizeof(*k));
    copy_col(k->id, sizeof(k->id), st, 0);
    k->team_id = sqlite3_column_int64(st, 1);
    copy_col(k->team, sizeof(k->team), st, 2);
    k->admin = sqlite3_column_int(st, 3);
    copy_col(k->label, sizeof(k->label), st, 4);
    copy_col(k->salt, sizeof(k->salt), st, 5);
    copy_col(k->hash, sizeof(k->hash), st, 6);
    k->created_ms = sqlite3_column_int64(st, 7);
    k->revoked_ms = sqlite3_column_int64(st, 8);
}

static fc_store_status op_key_get(fc_store *base, const char *id, fc_api_key *out, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    fc_store_status status;
    int rc;

    if (keys_missing(s, msg, size))
        return FC_STORE_ERROR;
    pthread_mutex_lock(&s->lock);
    sqlite3_bind_text(s->key_get, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(s->key_get);
    if (rc == SQLITE_ROW) {
        read_key(s->key_get, out);
        status = FC_STORE_OK;
    } else if (rc == SQLITE_DONE) {
        status = FC_STORE_NOT_FOUND;
    } else {
        set_msg(msg, size, "reading key", s->db);
        status = FC_STORE_ERROR;
    }
    sqlite3_reset(s->key_get);
    sqlite3_clear_bindings(s->key_get);
    pthread_mutex_unlock(&s->lock);
    return status;
}

static fc_store_status op_key_list(fc_store *base, fc_key_visit_fn visit, void *ctx, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    fc_store_status status = FC_STORE_OK;
    fc_api_key k;
    int rc;

    if (keys_missing(s, msg, size))
        return FC_STORE_ERROR;
    pthread_mutex_lock(&s->lock);
    while ((rc = sqlite3_step(s->key_all)) == SQLITE_ROW) {
        read_key(s->key_all, &k);
        if (visit(ctx, &k) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_msg(msg, size, "listing keys", s->db);
        status = FC_STORE_ERROR;
    }
    sqlite3_reset(s->key_all);
    pthread_mutex_unlock(&s->lock);
    return status;
}

static fc_store_status op_key_revoke(fc_store *base, const char *id, int64_t now_ms, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    fc_store_status status = FC_STORE_OK;

    if (keys_missing(s, msg, size))
        return FC_STORE_ERROR;
    pthread_mutex_lock(&s->lock);
    sqlite3_bind_int64(s->key_revoke, 1, now_ms);
    sqlite3_bind_text(s->key_revoke, 2, id, -1, SQLITE_STATIC);
    if (step_done(s->key_revoke) != 0) {
        set_msg(msg, size, "revoking key", s->db);
        status = FC_STORE_ERROR;
    } else if (sqlite3_changes(s->db) == 0) {
        status = FC_STORE_NOT_FOUND;
    }
    pthread_mutex_unlock(&s->lock);
    return status;
}

static void op_stats(fc_store *base, fc_store_stats *out)
{
    fc_gc_stats(&((sqlite_store *)base)->gc, out);
}

static fc_store_status op_previous(fc_store *base, int64_t team_id, const char *id, char **json_out, char *msg,
                                  size_t size)
{
    sqlite_store *s = (sqlite_store *)base;

    return fetch_text(s, 2, team_id, id, json_out, "reading the previous report", msg, size);
}

static fc_store_status op_get(fc_store *base, int64_t team_id, const char *id, char **json_out, char *msg,
                             size_t size)
{
    sqlite_store *s = (sqlite_store *)base;

    return fetch_text(s, 0, team_id, id, json_out, "reading report", msg, size);
}

/* The filters a query sets, as the bits of N_FILTERS (bits 0-2 are those of the schema 4-6 statements). */
static unsigned filter_mask(const fc_report_query *q)
{
    return (q->verdict != NULL) | (q->project != NULL) << 1 | (q->before_id != NULL) << 2 | (q->run != NULL) << 3 |
           (q->framework != NULL) << 4 | (q->model_id != NULL) << 5 | (q->code != NULL) << 6 |
           (q->since_ms > 0) << 7 | (q->until_ms > 0) << 8;
}

/*
 * The statement of one set of filters (schema 7), newest first: with a code, the report_codes rows of
 * (team, code) in id order, joined to their items; else report_items through the index of its most
 * selective equality filter (model, run, project and verdict, project, framework, verdict, or the team
 * alone), the other filters checked on the rows it yields. ?1 cursor, ?2 verdict, ?3 project, ?4 limit,
 * ?5 team, ?6 run, ?7 framework, ?8 model, ?9 code, ?10 since and ?11 until as id bounds.
 */
static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *msg, size_t size);

static int prepare_list7(reader *rd, unsigned mask, char *msg, size_t size)
{
    static const char *const cond[] = {" AND i.verdict = ?2", " AND i.project = ?3", " < ?1", " AND i.run = ?6",
                                       " AND i.framework = ?7", " AND i.model_id = ?8", "", " >= ?10", " < ?11"};
    const char *idx = (mask & 32)  ? "report_items_team_model_id"
                      : (mask & 8) ? "report_items_team_run_id"
                      : (mask & 3) == 3 ? "report_items_team_project_verdict_id"
                      : (mask & 2)      ? "report_items_team_project_id"
                      : (mask & 16)     ? "report_items_team_framework_id"
                      : (mask & 1)      ? "report_items_team_verdict_id"
                                        : "report_items_team_id";
    /* A code with a run: the run's few reports, each checked for the code, instead of every report with the
     * code checked for the run (bench/history: 290 ms -> about 1 ms at the p99 of 1 M reports). */
    int by_code = (mask & 64) && !(mask & 8) && !(mask & BY_FILTER);
    const char *key = by_code ? "c.id" : "i.id";
    char sql[1024];
    size_t used;
    int i;

    if (by_code)
        used = (size_t)snprintf(sql, sizeof(sql), "SELECT i.id, i.item FROM report_codes c JOIN report_items i ON"
                                " i.id = c.id WHERE c.team_id = ?5 AND c.code = ?9");
    else if (mask & 64)
        used = (size_t)snprintf(sql, sizeof(sql), "SELECT i.id, i.item FROM report_items i INDEXED BY %s WHERE"
                                " i.team_id = ?5 AND EXISTS (SELECT 1 FROM report_codes c WHERE c.team_id = ?5 AND"
                                " c.code = ?9 AND c.id = i.id)", idx);
    else
        used = (size_t)snprintf(sql, sizeof(sql), "SELECT i.id, i.item FROM report_items i INDEXED BY %s WHERE"
                                " i.team_id = ?5", idx);
    for (i = 0; i < N_FILTERS; i++) {
        if (!(mask & (1u << i)) || cond[i][0] == '\0')
            continue;
        /* the cursor and the time bounds are on the id the rows come in order of */
        if (i == 2 || i == 7 || i == 8)
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, " AND %s%s", key, cond[i]);
        else
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s", cond[i]);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY %s DESC LIMIT ?4", key);
    return prepare(rd->db, sql, &rd->list7[mask], msg, size);
}

/* Up to SIZE_PROBE: the entries of st (bound to team and value) counted; SIZE_PROBE when it fails. */
static int probe_size(sqlite3_stmt *st, int64_t team_id, const char *value)
{
    int n = SIZE_PROBE;

    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, SIZE_PROBE);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return n;
}

/*
 * A code and a project: the page is walked from one set, each row checked for
 * the other, so the walk is as long as that set at worst. 1 when the
 * project's reports are fewer than the code's (counted up to SIZE_PROBE in
 * their indexes, about 0.1 ms each): walk them.
 */
static int smaller_project(reader *rd, const fc_report_query *q)
{
    int code_n, project_n;

    if ((rd->code_size == NULL &&
         prepare(rd->db, "SELECT COUNT(*) FROM (SELECT 1 FROM report_codes WHERE team_id = ?1 AND code = ?2 LIMIT ?3)",
                 &rd->code_size, NULL, 0) != 0) ||
        (rd->project_size == NULL &&
         prepare(rd->db, "SELECT COUNT(*) FROM (SELECT 1 FROM report_items INDEXED BY report_items_team_project_id"
                 " WHERE team_id = ?1 AND project = ?2 LIMIT ?3)", &rd->project_size, NULL, 0) != 0))
        return 0;
    code_n = probe_size(rd->code_size, q->team_id, q->code);
    project_n = probe_size(rd->project_size, q->team_id, q->project);
    return project_n < code_n;
}

/*
 * The listing SQL: the summary object is assembled by SQLite's JSON
 * functions from the columns and the stored report. Filters are bound as
 * parameters; a NULL parameter does not filter.
 */
static fc_store_status op_list(fc_store *base, const fc_report_query *q, fc_report_visit_fn visit, void *ctx,
                               int *more, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = NULL;
    fc_store_status status = FC_STORE_OK;
    reader *rd;
    int rc, seen = 0;
    unsigned mask;
    char since[16], until[16];

    *more = 0;
    if (q->limit < 1 || q->limit > FC_STORE_MAX_LIMIT) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "listing reports: limit %d is outside 1..%d", q->limit, FC_STORE_MAX_LIMIT);
        return FC_STORE_ERROR;
    }
    if (s->schema < 6 && q->team_id != 0)
        return FC_STORE_OK; /* before teams, everything is team 0's */
    mask = filter_mask(q);
    if (s->schema < 7 && (mask & ~7u) != 0) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "listing reports: the database schema (version %d) has no such filters", s->schema);
        return FC_STORE_ERROR;
    }
    rd = reader_take(s);
    if (s->schema >= 7 && (mask & (64 | 2 | 8)) == (64 | 2) && smaller_project(rd, q))
        mask |= BY_FILTER;
    if (s->schema >= 7) {
        if (rd->list7[mask] == NULL && prepare_list7(rd, mask, msg, size) != 0) {
            reader_give(rd);
            return FC_STORE_ERROR;
        }
        st = rd->list7[mask];
    } else {
        st = rd->list[mask];
    }
    bind_opt_text(st, 1, q->before_id);
    bind_opt_text(st, 2, q->verdict);
    bind_opt_text(st, 3, q->project);
    sqlite3_bind_int(st, 4, q->limit + 1); /* one more tells whether another page exists */
    if (s->schema >= 6)
        sqlite3_bind_int64(st, 5, q->team_id);
    if (s->schema >= 7) {
        bind_opt_text(st, 6, q->run);
        bind_opt_text(st, 7, q->framework);
        bind_opt_text(st, 8, q->model_id);
        bind_opt_text(st, 9, q->code);
        if (q->since_ms > 0) {
            fc_id_time_prefix(q->since_ms, since);
            sqlite3_bind_text(st, 10, since, -1, SQLITE_STATIC);
        }
        if (q->until_ms > 0) {
            fc_id_time_prefix(q->until_ms, until);
            sqlite3_bind_text(st, 11, until, -1, SQLITE_STATIC);
        }
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (seen == q->limit) {
            *more = 1;
            break;
        }
        seen++;
        if (visit(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1)) != 0) {
            set_msg(msg, size, "listing reports", NULL);
            status = FC_STORE_ERROR;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        set_msg(msg, size, "listing reports", rd->db);
        status = FC_STORE_ERROR;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    reader_give(rd);
    return status;
}

static fc_store_status op_list_after(fc_store *base, int64_t team_id, int64_t after_seq, int limit,
                                    fc_event_visit_fn visit, void *ctx, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    fc_store_status status = FC_STORE_OK;
    reader *rd;
    sqlite3_stmt *st;
    int rc;

    if (s->schema < 8) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "the database schema (version %d) has no events; it needs 8", s->schema);
        return FC_STORE_ERROR;
    }
    rd = reader_take(s);
    st = rd->after;
    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_int64(st, 2, after_seq);
    sqlite3_bind_int(st, 3, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (visit(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                  (const char *)sqlite3_column_text(st, 2)) != 0) {
            set_msg(msg, size, "listing new reports", NULL);
            status = FC_STORE_ERROR;
            break;
        }
    }
    if (status == FC_STORE_OK && rc != SQLITE_DONE) {
        set_msg(msg, size, "listing new reports", rd->db);
        status = FC_STORE_ERROR;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    reader_give(rd);
    return status;
}

static fc_store_status op_events_head(fc_store *base, int64_t team_id, int64_t *seq, char *msg, size_t size)
{
    sqlite_store *s = (sqlite_store *)base;
    fc_store_status status = FC_STORE_OK;
    reader *rd;
    sqlite3_stmt *st;

    *seq = 0;
    if (s->schema < 8) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "the database schema (version %d) has no events; it needs 8", s->schema);
        return FC_STORE_ERROR;
    }
    rd = reader_take(s);
    st = rd->head;
    sqlite3_bind_int64(st, 1, team_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
    } else {
        set_msg(msg, size, "reading the events' head", rd->db);
        status = FC_STORE_ERROR;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    reader_give(rd);
    return status;
}

static int64_t op_count(fc_store *base)
{
    return __atomic_load_n(&((sqlite_store *)base)->stored, __ATOMIC_RELAXED);
}

static int op_schema_version(fc_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    int v = -1;

    pthread_mutex_lock(&s->lock);
    if (sqlite3_step(s->version) == SQLITE_ROW)
        v = sqlite3_column_int(s->version, 0);
    sqlite3_reset(s->version);
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void op_close(fc_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    int i, k;

    fc_gc_stop(&s->gc); /* the writer commits what is queued, then ends */
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->insert_item);
    sqlite3_finalize(s->insert_code);
    sqlite3_finalize(s->row_begin);
    sqlite3_finalize(s->row_end);
    sqlite3_finalize(s->row_undo);
    sqlite3_finalize(s->model_put);
    sqlite3_finalize(s->model_own);
    sqlite3_finalize(s->team_get);
    sqlite3_finalize(s->team_add);
    sqlite3_finalize(s->key_add);
    sqlite3_finalize(s->key_get);
    sqlite3_finalize(s->key_all);
    sqlite3_finalize(s->key_revoke);
    if (s->wdb != NULL)
        sqlite3_close(s->wdb);
    for (k = 0; k < N_READERS; k++) {
        reader *rd = &s->readers[k];

        for (i = 0; i < 8; i++)
            sqlite3_finalize(rd->list[i]);
        for (i = 0; i < (2 << N_FILTERS); i++)
            sqlite3_finalize(rd->list7[i]);
        sqlite3_finalize(rd->code_size);
        sqlite3_finalize(rd->project_size);
        sqlite3_finalize(rd->get);
        sqlite3_finalize(rd->model_get);
        sqlite3_finalize(rd->previous);
        sqlite3_finalize(rd->after);
        sqlite3_finalize(rd->head);
        if (rd->db != NULL)
            sqlite3_close(rd->db);
        pthread_mutex_destroy(&rd->lock);
    }
    sqlite3_finalize(s->count);
    sqlite3_finalize(s->version);
    if (s->db != NULL) {
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sqlite3_close(s->db);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static const fc_store_ops sqlite_ops = {
    .engine = "sqlite",
    .put = op_put,
    .get = op_get,
    .previous = op_previous,
    .list = op_list,
    .list_after = op_list_after,
    .events_head = op_events_head,
    .count = op_count,
    .schema_version = op_schema_version,
    .put_model = op_put_model,
    .get_model = op_get_model,
    .team_ensure = op_team_ensure,
    .key_put = op_key_put,
    .key_get = op_key_get,
    .key_list = op_key_list,
    .key_revoke = op_key_revoke,
    .stats = op_stats,
    .close = op_close,
};

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *msg, size_t size)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
        set_msg(msg, size, "preparing statement", db);
        return -1;
    }
    return 0;
}

/* A connection to path in WAL mode with fsync at every commit. */
static int connect(const char *path, sqlite3 **db, char *msg, size_t size)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        set_msg(msg, size, "opening database", *db);
        return -1;
    }
    sqlite3_busy_timeout(*db, 5000);
    if (exec(*db, "PRAGMA journal_mode=WAL", msg, size) != 0 || exec(*db, "PRAGMA synchronous=FULL", msg, size) != 0 ||
        exec(*db, "PRAGMA foreign_keys=ON", msg, size) != 0)
        return -1;
    return 0;
}

#define SUMMARY_FROM_REPORT                                                                                        \
    "json_object("                                                                                                 \
    " 'id', id,"                                                                                                   \
    " 'created_at', json_extract(report_json, '$.created_at'),"                                                    \
    " 'framework', framework,"                                                                                     \
    " 'verdict', verdict,"                                                                                         \
    " 'summary', json_extract(report_json, '$.summary'),"                                                          \
    " 'counts', json_object('error', n_error, 'warning', n_warning, 'info', n_info),"                              \
    " 'labels', json(COALESCE(json_extract(report_json, '$.labels'), '{}')))"

/*
 * Prepares one listing statement per filter set and cursor, so that each
 * seeks the index that serves it to the cursor and reads only the page,
 * newest first: ?1 is the cursor, ?2 the verdict, ?3 the project, ?4 the
 * limit, ?5 the team. (A "?1 IS NULL OR id < ?1" would make SQLite walk from
 * the newest row to the cursor.) From schema 6 the pages come from
 * report_items by the team's indexes ((team, id), (team, verdict, id),
 * (team, project, id), (team, project, verdict, id)); in schemas 4 and 5 from
 * report_items without teams; before, the items are summarised from the
 * reports ((verdict, id) and (project, id) from schema 2).
 */
static int prepare_lists(reader *rd, int version, char *msg, size_t size)
{
    static const char *const where[4] = {"", " WHERE verdict = ?2", " WHERE project = ?3",
                                         " WHERE project = ?3 AND verdict = ?2"};
    static const char *const index2[4] = {"", " INDEXED BY reports_verdict_id", " INDEXED BY reports_project_id",
                                          " INDEXED BY reports_project_id"};
    static const char *const index4[4] = {"", " INDEXED BY report_items_verdict_id",
                                          " INDEXED BY report_items_project_id",
                                          " INDEXED BY report_items_project_verdict_id"};
    static const char *const where6[4] = {" WHERE team_id = ?5", " WHERE team_id = ?5 AND verdict = ?2",
                                          " WHERE team_id = ?5 AND project = ?3",
                                          " WHERE team_id = ?5 AND project = ?3 AND verdict = ?2"};
    static const char *const index6[4] = {" INDEXED BY report_items_team_id", " INDEXED BY report_items_team_verdict_id",
                                          " INDEXED BY report_items_team_project_id",
                                          " INDEXED BY report_items_team_project_verdict_id"};
    char sql[1400];
    int i;

    for (i = 0; i < 8; i++) {
        int f = i & 3, cursor = i >> 2, filtered = version >= 6 || f != 0;

        snprintf(sql, sizeof(sql), "SELECT id, %s%s%s%s ORDER BY id DESC LIMIT ?4",
                 version >= 4 ? "item FROM report_items" : SUMMARY_FROM_REPORT " FROM reports",
                 version >= 6 ? index6[f] : version >= 4 ? index4[f] : version >= 2 ? index2[f] : "",
                 version >= 6 ? where6[f] : where[f], !cursor ? "" : !filtered ? " WHERE id < ?1" : " AND id < ?1");
        if (prepare(rd->db, sql, &rd->list[i], msg, size) != 0)
            return -1;
    }
    return 0;
}

fc_store *fc_store_sqlite_open(const char *path, int max_version, char *msg, size_t size)
{
    sqlite_store *s = calloc(1, sizeof(*s));
    int version, k;

    if (s == NULL) {
        set_msg(msg, size, "opening store", NULL);
        return NULL;
    }
    s->base.ops = &sqlite_ops;
    pthread_mutex_init(&s->lock, NULL);
    for (k = 0; k < N_READERS; k++)
        pthread_mutex_init(&s->readers[k].lock, NULL);
    if (connect(path, &s->db, msg, size) != 0 || migrate(s->db, max_version, msg, size) != 0)
        goto fail;
    if (prepare(s->db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &s->version, msg, size) != 0)
        goto fail;
    version = op_schema_version(&s->base);
    s->schema = version;
    /* From schema 4 every report has its list item, in the same transaction (a savepoint each): counting the
     * narrow items by their smallest index reads 0.8 s of a cold 1 M store where the reports took 9.2 s. */
    if (prepare(s->db, version >= 4 ? "SELECT COUNT(*) FROM report_items" : "SELECT COUNT(*) FROM reports",
                &s->count, msg, size) != 0)
        goto fail;
    for (k = 0; k < N_READERS; k++) {
        reader *rd = &s->readers[k];

        /* readers keep 16 MB of pages each (no mmap: an I/O error on a mapped page is a SIGBUS) */
        if (connect(path, &rd->db, msg, size) != 0 || exec(rd->db, "PRAGMA query_only=ON", msg, size) != 0 ||
            exec(rd->db, "PRAGMA cache_size=-16384", msg, size) != 0 ||
            prepare(rd->db,
                    version >= 6 ? "SELECT report_json FROM reports WHERE id = ?1 AND team_id = ?2"
                                 : "SELECT report_json FROM reports WHERE id = ?1",
                    &rd->get, msg, size) != 0 ||
            (version >= 3 &&
             prepare(rd->db,
                     version >= 6 ? "SELECT m.descriptor_json FROM model_owners o JOIN models m ON m.id = o.model_id"
                                    " WHERE o.team_id = ?2 AND o.model_id = ?1"
                                  : "SELECT descriptor_json FROM models WHERE id = ?1",
                     &rd->model_get, msg, size) != 0) ||
            (version >= 6 &&
             prepare(rd->db,
                     "SELECT r.report_json FROM report_items i JOIN reports r ON r.id = i.id"
                     " WHERE i.team_id = ?2 AND i.project IS (SELECT project FROM report_items WHERE id = ?1)"
                     " AND i.id < ?1 ORDER BY i.id DESC LIMIT 1",
                     &rd->previous, msg, size) != 0) ||
            (version >= 8 && prepare(rd->db,
                                     "SELECT seq, id, item FROM report_items INDEXED BY report_items_team_seq"
                                     " WHERE team_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                                     &rd->after, msg, size) != 0) ||
            (version >= 8 && prepare(rd->db, "SELECT COALESCE(MAX(seq), 0) FROM report_items WHERE team_id = ?1",
                                     &rd->head, msg, size) != 0) ||
            prepare_lists(rd, version, msg, size) != 0)
            goto fail;
    }
    /* counted once (SQLite walks the smallest index); the writer keeps the count from here */
    if (sqlite3_step(s->count) != SQLITE_ROW) {
        set_msg(msg, size, "counting reports", s->db);
        goto fail;
    }
    s->stored = sqlite3_column_int64(s->count, 0);
    sqlite3_reset(s->count);
    /* the writer numbers reports on from the highest number stored (one walk of an index, like the count) */
    if (version >= 8) {
        sqlite3_stmt *st = NULL;

        if (prepare(s->db, "SELECT COALESCE(MAX(seq), 0) FROM report_items", &st, msg, size) != 0)
            goto fail;
        if (sqlite3_step(st) != SQLITE_ROW) {
            set_msg(msg, size, "reading the events' sequence", s->db);
            sqlite3_finalize(st);
            goto fail;
        }
        s->next_seq = sqlite3_column_int64(st, 0) + 1;
        sqlite3_finalize(st);
    }
    /* models (schema 3); an older schema kept by max_version has none */
    if (version >= 3 &&
        prepare(s->db, "INSERT OR IGNORE INTO models (id, created_ms, bytes, descriptor_json) VALUES (?1, ?2, ?3, ?4)",
                &s->model_put, msg, size) != 0)
        goto fail;
#define KEY_COLUMNS                                                                                                \
    "SELECT k.id, COALESCE(k.team_id, 0), COALESCE(t.name, ''), k.admin, k.label, k.salt, k.hash, k.created_ms,"    \
    " COALESCE(k.revoked_ms, 0) FROM api_keys k LEFT JOIN teams t ON t.id = k.team_id"
    if (version >= 6 &&
        (prepare(s->db, "INSERT OR IGNORE INTO model_owners (team_id, model_id) VALUES (?1, ?2)", &s->model_own, msg,
                 size) != 0 ||
         prepare(s->db, "SELECT id FROM teams WHERE name = ?1", &s->team_get, msg, size) != 0 ||
         prepare(s->db, "INSERT INTO teams (name, created_ms) VALUES (?1, ?2)", &s->team_add, msg, size) != 0 ||
         prepare(s->db,
                 "INSERT INTO api_keys (id, team_id, admin, label, salt, hash, created_ms)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                 &s->key_add, msg, size) != 0 ||
         prepare(s->db, KEY_COLUMNS " WHERE k.id = ?1", &s->key_get, msg, size) != 0 ||
         prepare(s->db, KEY_COLUMNS " ORDER BY k.created_ms, k.id", &s->key_all, msg, size) != 0 ||
         prepare(s->db, "UPDATE api_keys SET revoked_ms = ?1 WHERE id = ?2 AND revoked_ms IS NULL", &s->key_revoke,
                 msg, size) != 0))
        goto fail;
    /* statement journals in memory: each insert of a batch may abort on a constraint, so SQLite journals the
     * pages it changes that the batch's earlier inserts already changed; on disk that was nine page writes
     * per report into a temporary file, more than the WAL itself took (strace -c of bench_store) */
    if (connect(path, &s->wdb, msg, size) != 0 || exec(s->wdb, "PRAGMA temp_store=MEMORY", msg, size) != 0 ||
        prepare(s->wdb,
                version >= 6
                    ? "INSERT INTO reports (id, created_ms, verdict, framework, n_error, n_warning, n_info, project,"
                      " run, request_digest, report_json, team_id)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                    : "INSERT INTO reports (id, created_ms, verdict, framework, n_error, n_warning, n_info, project,"
                      " run, request_digest, report_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                &s->insert, msg, size) != 0 ||
        /* the list item as given, or summarised from the row just inserted */
        (version >= 4 &&
         prepare(s->wdb,
                 version >= 8 ? "INSERT INTO report_items (id, verdict, project, item, team_id, run, framework, model_id,"
                                " seq) SELECT id, verdict, project, COALESCE(?2, " SUMMARY_FROM_REPORT "), team_id, run,"
                                " framework, ?3, ?4 FROM reports WHERE id = ?1"
                 : version >= 7 ? "INSERT INTO report_items (id, verdict, project, item, team_id, run, framework, model_id)"
                                " SELECT id, verdict, project, COALESCE(?2, " SUMMARY_FROM_REPORT "), team_id, run,"
                                " framework, ?3 FROM reports WHERE id = ?1"
                 : version >= 6 ? "INSERT INTO report_items (id, verdict, project, item, team_id) SELECT id, verdict,"
                                " project, COALESCE(?2, " SUMMARY_FROM_REPORT "), team_id FROM reports WHERE id = ?1"
                              : "INSERT INTO report_items (id, verdict, project, item) SELECT id, verdict, project,"
                                " COALESCE(?2, " SUMMARY_FROM_REPORT ") FROM reports WHERE id = ?1",
                 &s->insert_item, msg, size) != 0) ||
        (version >= 7 && prepare(s->wdb, "INSERT OR IGNORE INTO report_codes (team_id, code, id) VALUES (?1, ?2, ?3)",
                                 &s->insert_code, msg, size) != 0) ||
        prepare(s->wdb, "SAVEPOINT row", &s->row_begin, msg, size) != 0 ||
        prepare(s->wdb, "RELEASE row", &s->row_end, msg, size) != 0 ||
        prepare(s->wdb, "ROLLBACK TO row", &s->row_undo, msg, size) != 0)
        goto fail;
    if (fc_gc_start(&s->gc, "fc-writer", commit_batch, s) != 0) {
        set_msg(msg, size, "starting the store's writer", NULL);
        goto fail;
    }
    return &s->base;

fail:
    op_close(&s->base);
    return NULL;
}
