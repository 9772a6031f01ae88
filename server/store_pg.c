/*
 * store_pg.c - the report store on PostgreSQL (libpq), for several
 * fitcheckd replicas sharing one database.
 *
 * Writes are group-committed as on SQLite (group_commit.c): one writer
 * thread per process, with a connection of its own, commits every report
 * queued while its previous transaction was committing. A batch takes its
 * events' sequence numbers from the one row of event_seq and holds that
 * row's lock until it commits, so the batches of every replica are numbered
 * in the order they become visible (see list_after in store.h). In the same
 * transaction it sends NOTIFY fitcheck_reports with each team's id, which
 * PostgreSQL delivers at commit to every replica listening (watch): that is
 * how one replica's event streams hear of another's reports.
 *
 * Reads, models and keys go through a small pool of connections, each
 * guarded by its own mutex. A connection found broken is reset before its
 * next use, so the store comes back by itself when the database does.
 * Rate-limit buckets live in the database (rate_take), one row per key, so a
 * key's rate holds across replicas.
 *
 * Every statement is sent with its parameters as text (PQexecParams); the
 * migrations are migrations/postgres/, applied at open under an advisory
 * lock so that replicas starting together apply them once.
 */
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "group_commit.h"
#include "ids.h"
#include "store.h"
#include "store_migrations.h"

#define N_CONNS 4
#define NOTIFY_CHANNEL "fitcheck_reports"
#define MIGRATION_LOCK "7310563" /* pg_advisory_lock key: fitcheck's migrations */

typedef struct conn {
    pthread_mutex_t lock;
    PGconn *pg;
} conn;

typedef struct pg_store {
    fc_store base; /* must be first */
    char *conninfo;
    conn pool[N_CONNS];
    unsigned next_conn;   /* where the next take starts looking for a free connection (a hint) */
    PGconn *wpg;          /* the writer thread's own connection */
    fc_group_commit gc;
    int schema;

    /* watch: the listener thread and its connection */
    pthread_t listener;
    int listening;
    int stop_fd[2];       /* written to stop the listener */
    fc_store_commit_fn on_commit;
    void *on_commit_ctx;
} pg_store;

/* msg = "what: <PostgreSQL's message>" (its trailing newline cut). res may be NULL. */
static void set_msg(char *msg, size_t size, const char *what, PGconn *pg, const PGresult *res)
{
    const char *err = res != NULL ? PQresultErrorMessage(res) : "";
    size_t n;

    if (msg == NULL || size == 0)
        return;
    if ((err == NULL || err[0] == '\0') && pg != NULL)
        err = PQerrorMessage(pg);
    snprintf(msg, size, "%s: %s", what, err && err[0] ? err : "out of memory");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
}

/* Whether sql may be sent again after its connection dropped: a read, or the BEGIN of a transaction. */
static int resendable(const char *sql)
{
    return strncmp(sql, "SELECT ", 7) == 0 || strcmp(sql, "BEGIN") == 0;
}

/*
 * Runs sql with n text parameters (NULL entries are SQL NULL): its result
 * when it succeeded, else NULL with msg set. The caller PQclears the result.
 * A connection that dropped since its last use (the database restarted)
 * shows it only when a statement fails: then, outside a transaction and
 * for a statement that may be sent twice, it is reset and sent once more,
 * so that the first requests after the database comes back succeed. pg
 * NULL (conn_take could not connect, and said why in msg) is a failure.
 */
static PGresult *run(PGconn *pg, const char *sql, int n, const char *const *params, const char *what, char *msg,
                     size_t size)
{
    int idle;
    PGresult *res;
    ExecStatusType st;

    if (pg == NULL)
        return NULL;
    idle = PQtransactionStatus(pg) == PQTRANS_IDLE;
    res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    st = PQresultStatus(res);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && idle && PQstatus(pg) == CONNECTION_BAD &&
        resendable(sql)) {
        PQclear(res);
        PQreset(pg);
        res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
        st = PQresultStatus(res);
    }
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    set_msg(msg, size, what, pg, res);
    PQclear(res);
    return NULL;
}

/* run for a statement whose result is not read: 0, or -1 with msg set. */
static int run_ok(PGconn *pg, const char *sql, int n, const char *const *params, const char *what, char *msg,
                  size_t size)
{
    PGresult *res = run(pg, sql, n, params, what, msg, size);

    PQclear(res);
    return res != NULL ? 0 : -1;
}

static PGconn *connect_db(const char *conninfo, char *msg, size_t size)
{
    /* before dbname, so that what the location itself says wins; no statement waits forever on a lock,
     * NOTICEs (CREATE ... IF NOT EXISTS) are not errors to print, and a peer gone silent (the listener waits
     * on its socket for good) is found by TCP keepalives within a minute instead of the kernel's two hours */
    const char *const keys[] = {"connect_timeout", "application_name", "options", "keepalives_idle",
                                "keepalives_interval", "keepalives_count", "dbname", NULL};
    const char *const vals[] = {"5", "fitcheckd", "-c lock_timeout=10s -c client_min_messages=warning", "30", "10",
                                "3", conninfo, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);

    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        set_msg(msg, size, "connecting to PostgreSQL", pg, NULL);
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* A connected PGconn: pg itself, or a fresh one when pg is broken (pg is then finished). NULL on failure. */
static PGconn *ensure(pg_store *s, PGconn *pg, char *msg, size_t size)
{
    if (pg != NULL && PQstatus(pg) == CONNECTION_OK)
        return pg;
    PQfinish(pg);
    return connect_db(s->conninfo, msg, size);
}

/* A pool connection, locked and connected (c->pg NULL, with msg set, when the database cannot be reached: run
 * then fails at once). */
static conn *conn_take(pg_store *s, char *msg, size_t size)
{
    unsigned start = __atomic_fetch_add(&s->next_conn, 1, __ATOMIC_RELAXED), k;
    conn *c = NULL;

    for (k = 0; k < N_CONNS && c == NULL; k++) {
        if (pthread_mutex_trylock(&s->pool[(start + k) % N_CONNS].lock) == 0)
            c = &s->pool[(start + k) % N_CONNS];
    }
    if (c == NULL) {
        c = &s->pool[start % N_CONNS];
        pthread_mutex_lock(&c->lock);
    }
    c->pg = ensure(s, c->pg, msg, size);
    return c;
}

static void conn_give(conn *c)
{
    pthread_mutex_unlock(&c->lock);
}

static void fmt_i64(char *buf, size_t size, int64_t v)
{
    snprintf(buf, size, "%lld", (long long)v);
}

/* ---- migrations --------------------------------------------------------- */

static int current_version(PGconn *pg, char *msg, size_t size)
{
    PGresult *res = run(pg, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, NULL,
                        "reading schema version", msg, size);
    int v = res != NULL && PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : -1;

    PQclear(res);
    return v;
}

static int apply_one(PGconn *pg, const fc_migration *m, char *msg, size_t size)
{
    char ver[16], what[200];
    const char *params[2] = {ver, m->name};
    PGresult *res;

    snprintf(ver, sizeof(ver), "%d", m->version);
    if (run_ok(pg, "BEGIN", 0, NULL, "beginning migration", msg, size) != 0)
        return -1;
    res = PQexec(pg, m->sql); /* several statements: the simple protocol */
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_msg(what, sizeof(what), "applying", pg, res);
        PQclear(res);
        goto rollback;
    }
    PQclear(res);
    if (run_ok(pg,
               "INSERT INTO schema_migrations (version, name, applied_at)"
               " VALUES ($1::integer, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
               2, params, "recording migration", what, sizeof(what)) != 0 ||
        run_ok(pg, "COMMIT", 0, NULL, "committing", what, sizeof(what)) != 0)
        goto rollback;
    return 0;

rollback:
    PQclear(PQexec(pg, "ROLLBACK"));
    if (msg != NULL && size > 0)
        snprintf(msg, size, "migration postgres/%s failed: %s", m->name, what);
    return -1;
}

/* Applies the PostgreSQL migrations not yet recorded (up to max_version, 0 for all), holding the advisory lock
 * so that replicas starting together apply each once. The schema version then, or -1 with msg set. */
static int migrate(PGconn *pg, int max_version, char *msg, size_t size)
{
    int have, rc = -1;
    size_t i;

    if (run_ok(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", 0, NULL, "locking the migrations", msg, size) !=
        0)
        return -1;
    if (run_ok(pg,
               "CREATE TABLE IF NOT EXISTS schema_migrations ("
               " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
               0, NULL, "creating schema_migrations", msg, size) != 0 ||
        (have = current_version(pg, msg, size)) < 0)
        goto done;
    if (have > fc_store_latest_version()) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "the database has schema version %d, newer than this binary's %d", have,
                     fc_store_latest_version());
        goto done;
    }
    for (i = 0; i < fc_pg_migrations_count; i++) {
        const fc_migration *m = &fc_pg_migrations[i];

        if (m->version <= have || (max_version > 0 && m->version > max_version))
            continue;
        if (apply_one(pg, m, msg, size) != 0)
            goto done;
        have = m->version;
    }
    rc = have;
done:
    PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")"));
    return rc;
}

/* ---- writes ------------------------------------------------------------- */

/* The list item of a report summarised from its row when the caller gave none (as on SQLite). */
#define SUMMARY_FROM_REPORT                                                                                        \
    "json_build_object('id', id, 'created_at', report_json::json -> 'created_at', 'framework', framework,"         \
    " 'verdict', verdict, 'summary', report_json::json -> 'summary', 'counts', json_build_object('error', n_error," \
    " 'warning', n_warning, 'info', n_info), 'labels', COALESCE(report_json::json -> 'labels', '{}'::json))::text"

/* ---- a batch in three statements ----------------------------------------- */

/* A growing SQL text and its parameters (text, NULL for SQL NULL), for a batch's multi-row statements. */
typedef struct bulk {
    char *sql;
    size_t len, cap;
    const char **params;
    int n, cap_params;
    char (*nums)[24]; /* the numbers' text, owned */
    int n_nums, cap_nums;
    int failed;
} bulk;

static void bulk_text(bulk *b, const char *text)
{
    size_t n = strlen(text);

    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *sql;

        while (b->len + n + 1 > cap)
            cap *= 2;
        sql = realloc(b->sql, cap);
        if (sql == NULL) {
            b->failed = 1;
            return;
        }
        b->sql = sql;
        b->cap = cap;
    }
    memcpy(b->sql + b->len, text, n + 1);
    b->len += n;
}

/* Appends the next parameter's placeholder, $N with cast (e.g. "::bigint", or ""), bound to value. */
static void bulk_param(bulk *b, const char *value, const char *cast)
{
    char ph[40];

    if (b->failed)
        return;
    if (b->n == b->cap_params) {
        int cap = b->cap_params ? b->cap_params * 2 : 256;
        const char **params = realloc(b->params, (size_t)cap * sizeof(*params));

        if (params == NULL) {
            b->failed = 1;
            return;
        }
        b->params = params;
        b->cap_params = cap;
    }
    b->params[b->n++] = value;
    snprintf(ph, sizeof(ph), "%s$%d%s", b->len > 0 && b->sql[b->len - 1] != '(' ? ", " : "", b->n, cast);
    bulk_text(b, ph);
}

/* A number as a parameter: its text is kept in b's buffer, sized by bulk_start, until the next bulk_start. */
static void bulk_num(bulk *b, int64_t v)
{
    if (b->failed || b->n_nums == b->cap_nums) {
        b->failed = 1;
        return;
    }
    fmt_i64(b->nums[b->n_nums], sizeof(b->nums[0]), v);
    bulk_param(b, b->nums[b->n_nums++], "::bigint");
}

/* Starts a statement, with room for n numbers (their texts may not move once bound). */
static void bulk_start(bulk *b, const char *head, int n)
{
    free(b->nums);
    b->len = 0;
    b->n = 0;
    b->n_nums = 0;
    b->cap_nums = n;
    b->nums = calloc((size_t)(n > 0 ? n : 1), sizeof(*b->nums));
    if (b->nums == NULL)
        b->failed = 1;
    if (b->sql != NULL)
        b->sql[0] = '\0';
    bulk_text(b, head);
}

static void bulk_free(bulk *b)
{
    free(b->sql);
    free(b->params);
    free(b->nums);
}

/* Sends the statement built; 0, or -1 with msg set. */
static int bulk_run(pg_store *s, bulk *b, char *msg, size_t size)
{
    if (b->failed) {
        snprintf(msg, size, "storing reports: out of memory");
        return -1;
    }
    return run_ok(s->wpg, b->sql, b->n, b->params, "storing reports", msg, size);
}

/*
 * The whole batch in three multi-row statements (reports, their list items,
 * their codes): a few round trips for any number of reports, where one by
 * one took five each. 0 when every row went in (their status set OK); else
 * -1 with msg set, and the caller rolls back to before them and stores the
 * reports one by one (each a batch of one), to fail only the report at fault.
 */
static int insert_batch(pg_store *s, fc_gc_item *batch, int64_t seq, char *msg, size_t size)
{
    bulk b;
    fc_gc_item *p;
    int n = 0, codes = 0, rc;
    int64_t q;

    memset(&b, 0, sizeof(b));
    for (p = batch; p != NULL; p = p->next) {
        n++;
        codes += (int)p->row->n_codes;
    }
    bulk_start(&b, "INSERT INTO reports (id, created_ms, verdict, framework, n_error, n_warning, n_info, project, run,"
                   " request_digest, report_json, team_id) VALUES ", 5 * n);
    for (p = batch; p != NULL; p = p->next) {
        const fc_report_row *row = p->row;

        bulk_text(&b, p == batch ? "(" : ", (");
        bulk_param(&b, row->id, "");
        bulk_num(&b, row->created_ms);
        bulk_param(&b, row->verdict, "");
        bulk_param(&b, row->framework, "");
        bulk_num(&b, row->n_error);
        bulk_num(&b, row->n_warning);
        bulk_num(&b, row->n_info);
        bulk_param(&b, row->project, "");
        bulk_param(&b, row->run, "");
        bulk_param(&b, row->digest, "");
        bulk_param(&b, row->report_json, "");
        bulk_num(&b, row->team_id);
        bulk_text(&b, ")");
    }
    rc = bulk_run(s, &b, msg, size);
    if (rc == 0) {
        bulk_start(&b, "INSERT INTO report_items (id, verdict, project, item, team_id, run, framework, model_id, seq)"
                       " SELECT id, verdict, project, COALESCE(v.vitem, " SUMMARY_FROM_REPORT "), team_id, run,"
                       " framework, v.vmodel, v.vseq FROM (VALUES ", n);
        for (p = batch, q = seq; p != NULL; p = p->next, q++) {
            bulk_text(&b, p == batch ? "(" : ", (");
            bulk_param(&b, p->row->id, "::text");
            bulk_param(&b, p->row->list_json, "::text");
            bulk_param(&b, p->row->model_id, "::text");
            bulk_num(&b, q);
            bulk_text(&b, ")");
        }
        bulk_text(&b, ") AS v (vid, vitem, vmodel, vseq) JOIN reports r ON r.id = v.vid");
        rc = bulk_run(s, &b, msg, size);
    }
    if (rc == 0 && codes > 0) {
        int first = 1;

        bulk_start(&b, "INSERT INTO report_codes (team_id, code, id) VALUES ", codes);
        for (p = batch; p != NULL; p = p->next) {
            for (size_t i = 0; i < p->row->n_codes; i++, first = 0) {
                bulk_text(&b, first ? "(" : ", (");
                bulk_num(&b, p->row->team_id);
                bulk_param(&b, p->row->codes[i], "");
                bulk_param(&b, p->row->id, "");
                bulk_text(&b, ")");
            }
        }
        bulk_text(&b, " ON CONFLICT DO NOTHING");
        rc = bulk_run(s, &b, msg, size);
    }
    bulk_free(&b);
    if (rc == 0)
        for (p = batch; p != NULL; p = p->next)
            p->status = FC_STORE_OK;
    return rc;
}

static void fail_batch(fc_gc_item *batch, const char *msg)
{
    fc_gc_item *p;

    for (p = batch; p != NULL; p = p->next) {
        p->status = FC_STORE_ERROR;
        snprintf(p->msg, sizeof(p->msg), "storing report: %.200s", msg);
    }
}

/* Whether team_id is among those of the stored reports before p in batch. */
static int team_seen(const fc_gc_item *batch, const fc_gc_item *p)
{
    const fc_gc_item *q;

    for (q = batch; q != p; q = q->next) {
        if (q->status == FC_STORE_OK && q->row->team_id == p->row->team_id)
            return 1;
    }
    return 0;
}

/*
 * Commits one batch on the writer's connection: every report in it, or (when
 * the commit fails) none. The batch goes in whole (insert_batch); when one
 * of its rows fails (a constraint), each report goes in again inside a
 * savepoint of its own, so the one at fault leaves nothing behind while the
 * others commit; its sequence number is then a gap, which list_after allows.
 */
static void commit_batch(void *engine, fc_gc_item *batch)
{
    pg_store *s = engine;
    char msg[200], count[24];
    const char *params[1] = {count};
    int64_t n = 0, seq;
    fc_gc_item *p, *next;
    PGresult *res;

    for (p = batch; p != NULL; p = p->next)
        n++;
    fmt_i64(count, sizeof(count), n);
    s->wpg = ensure(s, s->wpg, msg, sizeof(msg));
    if (s->wpg == NULL) {
        fail_batch(batch, msg);
        return;
    }
    if (run_ok(s->wpg, "BEGIN", 0, NULL, "beginning", msg, sizeof(msg)) != 0) {
        fail_batch(batch, msg);
        return;
    }
    /* the row lock is held until COMMIT: the next batch, of any replica, numbers after this one */
    res = run(s->wpg, "UPDATE event_seq SET seq = seq + $1::bigint WHERE id = 1 RETURNING seq", 1, params,
              "numbering the reports", msg, sizeof(msg));
    if (res == NULL || PQntuples(res) != 1) {
        if (res != NULL)
            snprintf(msg, sizeof(msg), "numbering the reports: event_seq has no row");
        PQclear(res);
        goto rollback;
    }
    seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10) - n + 1;
    PQclear(res);
    /* the whole batch at once; when a row fails, back to before any, and one by one */
    if (run_ok(s->wpg, "SAVEPOINT batch", 0, NULL, "storing reports", msg, sizeof(msg)) != 0)
        goto rollback;
    if (insert_batch(s, batch, seq, msg, sizeof(msg)) == 0)
        p = NULL;
    else if (PQstatus(s->wpg) != CONNECTION_OK ||
             run_ok(s->wpg, "ROLLBACK TO SAVEPOINT batch", 0, NULL, "storing reports", msg, sizeof(msg)) != 0)
        goto rollback;
    else
        p = batch;
    for (; p != NULL; p = p->next, seq++) {
        if (run_ok(s->wpg, "SAVEPOINT row", 0, NULL, "storing report", msg, sizeof(msg)) != 0)
            goto rollback;
        next = p->next;
        p->next = NULL; /* the report alone, through the same three statements */
        if (insert_batch(s, p, seq, p->msg, sizeof(p->msg)) != 0)
            p->status = FC_STORE_ERROR;
        p->next = next;
        if (p->status != FC_STORE_OK) {
            snprintf(msg, sizeof(msg), "%.150s (the batch was rolled back)", p->msg);
            if (PQstatus(s->wpg) != CONNECTION_OK ||
                run_ok(s->wpg, "ROLLBACK TO SAVEPOINT row", 0, NULL, "undoing a report's rows", msg, sizeof(msg)) !=
                    0)
                goto rollback;
        } else if (run_ok(s->wpg, "RELEASE SAVEPOINT row", 0, NULL, "storing report", msg, sizeof(msg)) != 0) {
            goto rollback;
        }
    }
    for (p = batch; p != NULL; p = p->next) {
        char team[24];
        const char *np[1] = {team};

        if (p->status != FC_STORE_OK || team_seen(batch, p))
            continue;
        fmt_i64(team, sizeof(team), p->row->team_id);
        if (run_ok(s->wpg, "SELECT pg_notify('" NOTIFY_CHANNEL "', $1)", 1, np, "notifying", msg, sizeof(msg)) != 0)
            goto rollback;
    }
    if (run_ok(s->wpg, "COMMIT", 0, NULL, "committing", msg, sizeof(msg)) == 0)
        return;
rollback:
    if (PQstatus(s->wpg) == CONNECTION_OK)
        PQclear(PQexec(s->wpg, "ROLLBACK"));
    fail_batch(batch, msg);
}

static fc_store_status op_put(fc_store *base, const fc_report_row *row, char *msg, size_t size)
{
    return fc_gc_put(&((pg_store *)base)->gc, row, msg, size);
}

/* ---- reads -------------------------------------------------------------- */

/* Runs a query of one text column, bound to $1 id and $2 team_id, on a pool connection: *json_out malloc'd
 * from its first row on FC_STORE_OK, FC_STORE_NOT_FOUND when it has none. */
static fc_store_status fetch_text(pg_store *s, const char *sql, int64_t team_id, const char *id, char **json_out,
                                  const char *what, char *msg, size_t size)
{
    fc_store_status status = FC_STORE_ERROR;
    char team[24];
    const char *params[2] = {id, team};
    conn *c = conn_take(s, msg, size);
    PGresult *res;

    *json_out = NULL;
    fmt_i64(team, sizeof(team), team_id);
    if ((res = run(c->pg, sql, 2, params, what, msg, size)) != NULL) {
        if (PQntuples(res) == 0) {
            status = FC_STORE_NOT_FOUND;
        } else {
            *json_out = strdup(PQgetvalue(res, 0, 0));
            status = *json_out != NULL ? FC_STORE_OK : FC_STORE_ERROR;
            if (status != FC_STORE_OK)
                set_msg(msg, size, what, NULL, NULL);
        }
        PQclear(res);
    }
    conn_give(c);
    return status;
}

static fc_store_status op_get(fc_store *base, int64_t team_id, const char *id, char **json_out, char *msg,
                             size_t size)
{
    return fetch_text((pg_store *)base, "SELECT report_json FROM reports WHERE id = $1 AND team_id = $2::bigint",
                      team_id, id, json_out, "reading report", msg, size);
}

static fc_store_status op_previous(fc_store *base, int64_t team_id, const char *id, char **json_out, char *msg,
                                  size_t size)
{
    pg_store *s = (pg_store *)base;
    char team[24];
    const char *params[2] = {id, team};
    fc_store_status status = FC_STORE_ERROR;
    conn *c = conn_take(s, msg, size);
    PGresult *res;

    *json_out = NULL;
    fmt_i64(team, sizeof(team), team_id);
    /* the project first, so that each case seeks its index (IS NOT DISTINCT FROM would not) */
    res = run(c->pg, "SELECT project FROM report_items WHERE id = $1 AND team_id = $2::bigint", 2,
              params, "reading the previous report", msg, size);
    if (res != NULL && PQntuples(res) == 0) {
        status = FC_STORE_NOT_FOUND;
    } else if (res != NULL) {
        const char *project = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
        const char *p3[3] = {id, team, project};
        PGresult *prev = run(c->pg,
                             project != NULL
                                 ? "SELECT r.report_json FROM report_items i JOIN reports r ON r.id = i.id"
                                   " WHERE i.team_id = $2::bigint AND i.project = $3 AND i.id < $1"
                                   " ORDER BY i.id DESC LIMIT 1"
                                 : "SELECT r.report_json FROM report_items i JOIN reports r ON r.id = i.id"
                                   " WHERE i.team_id = $2::bigint AND i.project IS NULL AND i.id < $1"
                                   " ORDER BY i.id DESC LIMIT 1",
                             project != NULL ? 3 : 2, p3, "reading the previous report", msg, size);

        if (prev != NULL && PQntuples(prev) == 0) {
            status = FC_STORE_NOT_FOUND;
        } else if (prev != NULL) {
            *json_out = strdup(PQgetvalue(prev, 0, 0));
            status = *json_out != NULL ? FC_STORE_OK : FC_STORE_ERROR;
        }
        PQclear(prev);
    }
    PQclear(res);
    conn_give(c);
    return status;
}

/* Appends " AND <cond>$k" for a parameter value, numbering it. */
static void add_filter(char *sql, size_t cap, size_t *used, const char *cond, const char *value, const char **params,
                       int *n)
{
    params[*n] = value;
    (*n)++;
    *used += (size_t)snprintf(sql + *used, cap - *used, " AND %s$%d", cond, *n);
}

/*
 * One statement per request, its filters numbered as they are added; the
 * planner picks the index (report_items' team-led indexes, or report_codes
 * for a code) from the statistics it keeps.
 */
static fc_store_status op_list(fc_store *base, const fc_report_query *q, fc_report_visit_fn visit, void *ctx,
                               int *more, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char sql[1024], team[24], limit[16], since[16], until[16];
    const char *params[12];
    fc_store_status status = FC_STORE_OK;
    size_t used;
    int n = 1, rows, i, before_n = 0, since_n = 0, until_n = 0;
    conn *c;
    PGresult *res;

    *more = 0;
    if (q->limit < 1 || q->limit > FC_STORE_MAX_LIMIT) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "listing reports: limit %d is outside 1..%d", q->limit, FC_STORE_MAX_LIMIT);
        return FC_STORE_ERROR;
    }
    fmt_i64(team, sizeof(team), q->team_id);
    params[0] = team;
    used = (size_t)snprintf(sql, sizeof(sql), "SELECT i.id, i.item FROM report_items i WHERE i.team_id = $1::bigint");
    /* the id bounds first: the code's subquery repeats them (below) */
    if (q->before_id != NULL) {
        add_filter(sql, sizeof(sql), &used, "i.id < ", q->before_id, params, &n);
        before_n = n;
    }
    if (q->since_ms > 0) {
        fc_id_time_prefix(q->since_ms, since);
        add_filter(sql, sizeof(sql), &used, "i.id >= ", since, params, &n);
        since_n = n;
    }
    if (q->until_ms > 0) {
        fc_id_time_prefix(q->until_ms, until);
        add_filter(sql, sizeof(sql), &used, "i.id < ", until, params, &n);
        until_n = n;
    }
    if (q->verdict != NULL)
        add_filter(sql, sizeof(sql), &used, "i.verdict = ", q->verdict, params, &n);
    if (q->project != NULL)
        add_filter(sql, sizeof(sql), &used, "i.project = ", q->project, params, &n);
    if (q->run != NULL)
        add_filter(sql, sizeof(sql), &used, "i.run = ", q->run, params, &n);
    if (q->framework != NULL)
        add_filter(sql, sizeof(sql), &used, "i.framework = ", q->framework, params, &n);
    if (q->model_id != NULL)
        add_filter(sql, sizeof(sql), &used, "i.model_id = ", q->model_id, params, &n);
    if (q->code != NULL && q->run != NULL) {
        /* a run's few reports, each looked up in the codes' key (a subplan per row): the planner's merge with
         * the code's whole index walked 42 k entries for a page (bench/history code-run: 490 req/s) */
        add_filter(sql, sizeof(sql), &used,
                   "(SELECT 1 FROM report_codes c WHERE c.team_id = $1::bigint AND c.id = i.id AND c.code = ",
                   q->code, params, &n);
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, ") IS NOT NULL");
    } else if (q->code != NULL) {
        /* the id bounds inside too, so that a merge with the code's index starts at the cursor, not its newest
         * entry (deep-code: 380 req/s, p50 41 ms before) */
        add_filter(sql, sizeof(sql), &used,
                   "EXISTS (SELECT 1 FROM report_codes c WHERE c.team_id = $1::bigint AND c.id = i.id AND c.code = ",
                   q->code, params, &n);
        if (before_n > 0)
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, " AND c.id < $%d", before_n);
        if (since_n > 0)
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, " AND c.id >= $%d", since_n);
        if (until_n > 0)
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, " AND c.id < $%d", until_n);
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, ")");
    }
    snprintf(limit, sizeof(limit), "%d", q->limit + 1); /* one more tells whether another page exists */
    params[n++] = limit;
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY i.id DESC LIMIT $%d::integer", n);
    c = conn_take(s, msg, size);
    res = run(c->pg, sql, n, params, "listing reports", msg, size);
    if (res == NULL)
        status = FC_STORE_ERROR;
    rows = res != NULL ? PQntuples(res) : 0;
    for (i = 0; i < rows; i++) {
        if (i == q->limit) {
            *more = 1;
            break;
        }
        if (visit(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1)) != 0) {
            set_msg(msg, size, "listing reports", NULL, NULL);
            status = FC_STORE_ERROR;
            break;
        }
    }
    PQclear(res);
    conn_give(c);
    return status;
}

static fc_store_status op_list_after(fc_store *base, int64_t team_id, int64_t after_seq, int limit,
                                     fc_event_visit_fn visit, void *ctx, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char team[24], after[24], lim[16];
    const char *params[3] = {team, after, lim};
    fc_store_status status = FC_STORE_OK;
    conn *c = conn_take(s, msg, size);
    PGresult *res;
    int i, rows;

    fmt_i64(team, sizeof(team), team_id);
    fmt_i64(after, sizeof(after), after_seq);
    snprintf(lim, sizeof(lim), "%d", limit);
    res = run(c->pg,
              "SELECT seq, id, item FROM report_items WHERE team_id = $1::bigint AND seq > $2::bigint"
              " ORDER BY seq LIMIT $3::integer",
              3, params, "reading events", msg, size);
    if (res == NULL)
        status = FC_STORE_ERROR;
    rows = res != NULL ? PQntuples(res) : 0;
    for (i = 0; i < rows; i++) {
        if (visit(ctx, strtoll(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)) !=
            0) {
            set_msg(msg, size, "reading events", NULL, NULL);
            status = FC_STORE_ERROR;
            break;
        }
    }
    PQclear(res);
    conn_give(c);
    return status;
}

/* The first column of the first row of a one-row query, as an integer; -1 on failure. */
static int64_t query_i64(pg_store *s, const char *sql, int n, const char *const *params, const char *what, char *msg,
                         size_t size)
{
    conn *c = conn_take(s, msg, size);
    PGresult *res = run(c->pg, sql, n, params, what, msg, size);
    int64_t v = res != NULL && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;

    PQclear(res);
    conn_give(c);
    return v;
}

static fc_store_status op_events_head(fc_store *base, int64_t team_id, int64_t *seq, char *msg, size_t size)
{
    char team[24];
    const char *params[1] = {team};

    fmt_i64(team, sizeof(team), team_id);
    *seq = query_i64((pg_store *)base, "SELECT COALESCE(MAX(seq), 0) FROM report_items WHERE team_id = $1::bigint", 1,
                     params, "reading events", msg, size);
    return *seq >= 0 ? FC_STORE_OK : FC_STORE_ERROR;
}

static int64_t op_count(fc_store *base)
{
    return query_i64((pg_store *)base, "SELECT count(*) FROM report_items", 0, NULL, "counting reports", NULL, 0);
}

static int op_schema_version(fc_store *base)
{
    return (int)query_i64((pg_store *)base, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", 0, NULL,
                          "reading schema version", NULL, 0);
}

/* ---- models ------------------------------------------------------------- */

static fc_store_status op_put_model(fc_store *base, int64_t team_id, const char *id, const char *json, int *created,
                                    char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char now[24], bytes[24], team[24];
    const char *model[4] = {id, now, bytes, json};
    const char *owner[2] = {team, id};
    fc_store_status status = FC_STORE_ERROR;
    conn *c = conn_take(s, msg, size);
    PGresult *res;

    *created = 0;
    fmt_i64(now, sizeof(now), (int64_t)time(NULL) * 1000);
    fmt_i64(bytes, sizeof(bytes), (int64_t)strlen(json));
    fmt_i64(team, sizeof(team), team_id);
    if (run_ok(c->pg, "BEGIN", 0, NULL, "storing model", msg, size) != 0)
        goto done;
    if (run_ok(c->pg,
               "INSERT INTO models (id, created_ms, bytes, descriptor_json) VALUES ($1, $2::bigint, $3::bigint, $4)"
               " ON CONFLICT (id) DO NOTHING",
               4, model, "storing model", msg, size) != 0 ||
        (res = run(c->pg, "INSERT INTO model_owners (team_id, model_id) VALUES ($1::bigint, $2) ON CONFLICT DO NOTHING",
                   2, owner, "storing model", msg, size)) == NULL) {
        PQclear(PQexec(c->pg, "ROLLBACK"));
        goto done;
    }
    *created = strcmp(PQcmdTuples(res), "1") == 0; /* new to this team, whoever else stored it */
    PQclear(res);
    if (run_ok(c->pg, "COMMIT", 0, NULL, "storing model", msg, size) != 0) {
        *created = 0;
        goto done;
    }
    status = FC_STORE_OK;
done:
    conn_give(c);
    return status;
}

static fc_store_status op_get_model(fc_store *base, int64_t team_id, const char *id, char **json_out, char *msg,
                                    size_t size)
{
    return fetch_text((pg_store *)base,
                      "SELECT m.descriptor_json FROM model_owners o JOIN models m ON m.id = o.model_id"
                      " WHERE o.team_id = $2::bigint AND o.model_id = $1",
                      team_id, id, json_out, "reading model", msg, size);
}

/* ---- teams, keys and rate limits ---------------------------------------- */

static fc_store_status op_team_ensure(fc_store *base, const char *name, int create, int64_t *team_id, int *created,
                                      char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char now[24];
    const char *params[2] = {name, now};
    fc_store_status status = FC_STORE_ERROR;
    conn *c = conn_take(s, msg, size);
    PGresult *res = NULL;
    int attempt;

    *team_id = 0;
    *created = 0;
    fmt_i64(now, sizeof(now), (int64_t)time(NULL) * 1000);
    /* read, else insert; an insert another replica won meanwhile returns no row, and the read finds it */
    for (attempt = 0; attempt < 2 && status == FC_STORE_ERROR; attempt++) {
        res = run(c->pg, "SELECT id FROM teams WHERE name = $1", 1, params, "reading team", msg, size);
        if (res == NULL)
            break;
        if (PQntuples(res) == 1) {
            *team_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
            status = FC_STORE_OK;
        } else if (!create) {
            status = FC_STORE_NOT_FOUND;
        } else {
            PQclear(res);
            res = run(c->pg,
                      "INSERT INTO teams (name, created_ms) VALUES ($1, $2::bigint) ON CONFLICT (name) DO NOTHING"
                      " RETURNING id",
                      2, params, "creating team", msg, size);
            if (res == NULL)
                break;
            if (PQntuples(res) == 1) {
                *team_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
                *created = 1;
                status = FC_STORE_OK;
            }
        }
        PQclear(res);
        res = NULL;
    }
    PQclear(res);
    conn_give(c);
    return status;
}

static fc_store_status op_key_put(fc_store *base, const fc_api_key *k, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char team[24], created[24];
    const char *params[7] = {k->id,   k->admin ? NULL : team, k->admin ? "1" : "0", k->label[0] ? k->label : NULL,
                             k->salt, k->hash,                created};
    conn *c = conn_take(s, msg, size);
    int rc;

    fmt_i64(team, sizeof(team), k->team_id);
    fmt_i64(created, sizeof(created), k->created_ms);
    rc = run_ok(c->pg,
                "INSERT INTO api_keys (id, team_id, admin, label, salt, hash, created_ms)"
                " VALUES ($1, $2::bigint, $3::integer, $4, $5, $6, $7::bigint)",
                7, params, "storing key", msg, size);
    conn_give(c);
    return rc == 0 ? FC_STORE_OK : FC_STORE_ERROR;
}

#define KEY_COLUMNS                                                                                                \
    "SELECT k.id, COALESCE(k.team_id, 0), COALESCE(t.name, ''), k.admin, COALESCE(k.label, ''), k.salt, k.hash,"    \
    " k.created_ms, COALESCE(k.revoked_ms, 0) FROM api_keys k LEFT JOIN teams t ON t.id = k.team_id"

/* A key from row i of KEY_COLUMNS. */
static void read_key(const PGresult *res, int i, fc_api_key *k)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->id, sizeof(k->id), "%s", PQgetvalue(res, i, 0));
    k->team_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
    snprintf(k->team, sizeof(k->team), "%s", PQgetvalue(res, i, 2));
    k->admin = atoi(PQgetvalue(res, i, 3));
    snprintf(k->label, sizeof(k->label), "%s", PQgetvalue(res, i, 4));
    snprintf(k->salt, sizeof(k->salt), "%s", PQgetvalue(res, i, 5));
    snprintf(k->hash, sizeof(k->hash), "%s", PQgetvalue(res, i, 6));
    k->created_ms = strtoll(PQgetvalue(res, i, 7), NULL, 10);
    k->revoked_ms = strtoll(PQgetvalue(res, i, 8), NULL, 10);
}

static fc_store_status op_key_get(fc_store *base, const char *id, fc_api_key *out, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    const char *params[1] = {id};
    fc_store_status status = FC_STORE_ERROR;
    conn *c = conn_take(s, msg, size);
    PGresult *res = run(c->pg, KEY_COLUMNS " WHERE k.id = $1", 1, params, "reading key", msg, size);

    if (res != NULL) {
        status = PQntuples(res) == 1 ? FC_STORE_OK : FC_STORE_NOT_FOUND;
        if (status == FC_STORE_OK)
            read_key(res, 0, out);
    }
    PQclear(res);
    conn_give(c);
    return status;
}

static fc_store_status op_key_list(fc_store *base, fc_key_visit_fn visit, void *ctx, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    conn *c = conn_take(s, msg, size);
    PGresult *res = run(c->pg, KEY_COLUMNS " ORDER BY k.created_ms, k.id", 0, NULL, "listing keys",
                        msg, size);
    fc_api_key k;
    int i;

    for (i = 0; res != NULL && i < PQntuples(res); i++) {
        read_key(res, i, &k);
        if (visit(ctx, &k) != 0)
            break;
    }
    conn_give(c);
    if (res == NULL)
        return FC_STORE_ERROR;
    PQclear(res);
    return FC_STORE_OK;
}

static fc_store_status op_key_revoke(fc_store *base, const char *id, int64_t now_ms, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char now[24];
    const char *params[2] = {now, id};
    fc_store_status status = FC_STORE_ERROR;
    conn *c = conn_take(s, msg, size);
    PGresult *res;

    fmt_i64(now, sizeof(now), now_ms);
    res = run(c->pg, "UPDATE api_keys SET revoked_ms = $1::bigint WHERE id = $2 AND revoked_ms IS NULL",
              2, params, "revoking key", msg, size);
    if (res != NULL)
        status = strcmp(PQcmdTuples(res), "0") == 0 ? FC_STORE_NOT_FOUND : FC_STORE_OK;
    PQclear(res);
    conn_give(c);
    return status;
}

/* The bucket refilled to now (the database's clock, one for every replica), capped at the burst. */
#define REFILLED "LEAST($3::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM now() - b.at)::float8) * $2::float8)"

/*
 * One statement takes a token or finds none, atomically: the row's lock
 * orders the requests of one key from every replica. A key's first request
 * makes its bucket full, less the token it takes.
 */
static fc_store_status op_rate_take(fc_store *base, const char *key_id, double rate, double burst, int *allowed,
                                    int64_t *retry_after_ms, char *msg, size_t size)
{
    pg_store *s = (pg_store *)base;
    char r[32], b[32];
    const char *params[3] = {key_id, r, b};
    fc_store_status status = FC_STORE_ERROR;
    conn *c;
    PGresult *res;

    *allowed = 1;
    *retry_after_ms = 0;
    if (rate <= 0)
        return FC_STORE_OK;
    snprintf(r, sizeof(r), "%.17g", rate);
    snprintf(b, sizeof(b), "%.17g", burst);
    c = conn_take(s, msg, size);
    res = run(c->pg,
              "INSERT INTO rate_buckets AS b (key_id, tokens, at, ok)"
              " VALUES ($1, GREATEST($3::float8 - 1, 0), now(), $3::float8 >= 1)"
              " ON CONFLICT (key_id) DO UPDATE SET ok = " REFILLED " >= 1,"
              " tokens = " REFILLED " - CASE WHEN " REFILLED " >= 1 THEN 1 ELSE 0 END, at = now()"
              " RETURNING ok, tokens",
              3, params, "taking a rate-limit token", msg, size);
    if (res != NULL && PQntuples(res) == 1) {
        double tokens = strtod(PQgetvalue(res, 0, 1), NULL);

        *allowed = PQgetvalue(res, 0, 0)[0] == 't';
        if (!*allowed)
            *retry_after_ms = (int64_t)ceil((1 - tokens) / rate * 1000.0);
        status = FC_STORE_OK;
    }
    PQclear(res);
    conn_give(c);
    return status;
}

/* ---- commits of every replica (LISTEN) ----------------------------------- */

/* Sleeps ms unless the store stops first; 1 when it stops. */
static int pause_or_stop(pg_store *s, int ms)
{
    struct pollfd p = {.fd = s->stop_fd[0], .events = POLLIN};

    return poll(&p, 1, ms) > 0;
}

static void *listener_main(void *arg)
{
    pg_store *s = arg;
    PGconn *pg = NULL;
    int connected_once = 0;

    for (;;) {
        struct pollfd p[2];
        PGnotify *note;

        if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
            PQfinish(pg);
            pg = connect_db(s->conninfo, NULL, 0);
            if (pg == NULL || run_ok(pg, "LISTEN " NOTIFY_CHANNEL, 0, NULL, "listening", NULL, 0) != 0) {
                if (pause_or_stop(s, 1000))
                    break;
                continue;
            }
            if (connected_once)
                s->on_commit(s->on_commit_ctx, -1); /* commits may have gone unheard meanwhile */
            connected_once = 1;
        }
        p[0].fd = PQsocket(pg);
        p[0].events = POLLIN;
        p[1].fd = s->stop_fd[0];
        p[1].events = POLLIN;
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents)
            break;
        if (!PQconsumeInput(pg)) {
            PQfinish(pg); /* the connection dropped: reconnect */
            pg = NULL;
            continue;
        }
        while ((note = PQnotifies(pg)) != NULL) {
            s->on_commit(s->on_commit_ctx, strtoll(note->extra, NULL, 10));
            PQfreemem(note);
        }
    }
    PQfinish(pg);
    return NULL;
}

static void op_watch(fc_store *base, fc_store_commit_fn fn, void *ctx)
{
    pg_store *s = (pg_store *)base;

    if (s->listening || fn == NULL)
        return;
    s->on_commit = fn;
    s->on_commit_ctx = ctx;
    if (pthread_create(&s->listener, NULL, listener_main, s) == 0)
        s->listening = 1;
}

static void op_stats(fc_store *base, fc_store_stats *out)
{
    fc_gc_stats(&((pg_store *)base)->gc, out);
}

static void op_close(fc_store *base)
{
    pg_store *s = (pg_store *)base;
    int k;

    fc_gc_stop(&s->gc); /* the writer commits what is queued, then ends */
    if (s->listening) {
        ssize_t w = write(s->stop_fd[1], "x", 1);

        (void)w;
        pthread_join(s->listener, NULL);
    }
    if (s->stop_fd[0] >= 0)
        close(s->stop_fd[0]);
    if (s->stop_fd[1] >= 0)
        close(s->stop_fd[1]);
    PQfinish(s->wpg);
    for (k = 0; k < N_CONNS; k++) {
        PQfinish(s->pool[k].pg);
        pthread_mutex_destroy(&s->pool[k].lock);
    }
    free(s->conninfo);
    free(s);
}

static const fc_store_ops pg_ops = {
    .engine = "postgres",
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
    .rate_take = op_rate_take,
    .watch = op_watch,
    .stats = op_stats,
    .close = op_close,
};

fc_store *fc_store_pg_open(const char *conninfo, int max_version, char *msg, size_t size)
{
    pg_store *s = calloc(1, sizeof(*s));
    int k;

    if (s == NULL || (s->conninfo = strdup(conninfo)) == NULL) {
        free(s);
        set_msg(msg, size, "opening store", NULL, NULL);
        return NULL;
    }
    s->base.ops = &pg_ops;
    s->stop_fd[0] = s->stop_fd[1] = -1;
    for (k = 0; k < N_CONNS; k++)
        pthread_mutex_init(&s->pool[k].lock, NULL);
    if (pipe(s->stop_fd) != 0) {
        set_msg(msg, size, "opening store", NULL, NULL);
        goto fail;
    }
    if ((s->pool[0].pg = connect_db(conninfo, msg, size)) == NULL ||
        (s->schema = migrate(s->pool[0].pg, max_version, msg, size)) < 0)
        goto fail;
    if (s->schema < fc_store_latest_version()) {
        if (msg != NULL && size > 0)
            snprintf(msg, size, "the PostgreSQL store needs the whole schema (version %d); it has %d",
                     fc_store_latest_version(), s->schema);
        goto fail;
    }
    if ((s->wpg = connect_db(conninfo, msg, size)) == NULL)
        goto fail;
    if (fc_gc_start(&s->gc, "fc-writer", commit_batch, s) != 0) {
        set_msg(msg, size, "starting the store's writer", NULL, NULL);
        goto fail;
    }
    return &s->base;

fail:
    op_close(&s->base);
    return NULL;
}
