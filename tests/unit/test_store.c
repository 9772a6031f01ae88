/*
 * tests/unit/test_store.c: the report store through the fc_store_ops
 * interface, on SQLite and (the same contract tests, when the suite's
 * PostgreSQL server runs: FITCHECK_PG_URL_FILE) on PostgreSQL: open and schema version, put/get round trips, duplicate ids,
 * keyset pagination with verdict and project filters and the listing's
 * summary JSON, persistence across reopen, in-place upgrade from schema 1,
 * refusal of a newer schema, an unopenable path, and concurrent writers.
 * Every SQLite test runs in its own mkdtemp directory, removed afterwards
 * together with the -wal/-shm files; every PostgreSQL test in a database of
 * its own, dropped afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "fitcheck/sha256.h"
#include "ids.h"
#include "store.h"
#include "store_migrations.h"

#define N_LIST_ROWS 25
#define PAGE_LIMIT 7
#define N_THREADS 4
#define ROWS_PER_THREAD 50

/* ---- fixture: a fresh temporary directory per test ------------------------ */

typedef struct store_fixture {
    char dir[64];   /* the mkdtemp directory */
    char loc[320];  /* dir/reports.db, or the URL of the test's PostgreSQL database */
    char db[64];    /* that database's name ("" on SQLite) */
} store_fixture;

/* The suite's PostgreSQL server (tests/pg/cluster.sh), read from $FITCHECK_PG_URL_FILE: "" when unset. */
static char pg_admin_url[256];

/* Runs sql on the server's admin database; 0 on success. */
static int pg_admin(const char *sql)
{
    PGconn *pg = PQconnectdb(pg_admin_url);
    PGresult *res = PQstatus(pg) == CONNECTION_OK ? PQexec(pg, sql) : NULL;
    int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok)
        print_error("%s: %s\n", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    return ok ? 0 : -1;
}

/* A fresh database on the suite's server for one test. */
static int setup_pg(void **state)
{
    static int serial;
    store_fixture *fx = calloc(1, sizeof(*fx));
    const char *slash = strrchr(pg_admin_url, '/');
    char sql[128];

    if (fx == NULL || slash == NULL)
        return -1;
    snprintf(fx->db, sizeof(fx->db), "fc_test_store_%d_%d", (int)getpid(), ++serial);
    snprintf(fx->loc, sizeof(fx->loc), "%.*s/%s", (int)(slash - pg_admin_url), pg_admin_url, fx->db);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", fx->db);
    if (pg_admin(sql) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown_pg(void **state)
{
    store_fixture *fx = *state;
    char sql[128];
    int rc;

    snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", fx->db);
    rc = pg_admin(sql);
    free(fx);
    return rc;
}

static int is_pg(const store_fixture *fx)
{
    return fx->db[0] != '\0';
}

static int setup_dir(void **state)
{
    store_fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/fc_test_store_XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->loc, sizeof(fx->loc), "%s/reports.db", fx->dir);
    *state = fx;
    return 0;
}

/* Removes every file in the directory (db, -wal, -shm, -journal), then it. */
static int teardown_dir(void **state)
{
    store_fixture *fx = *state;
    struct dirent *ent;
    char file[512];
    DIR *d;
    int ret = 0;

    d = opendir(fx->dir);
    if (d != NULL) {
        while ((ent = readdir(d)) != NULL) {
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            snprintf(file, sizeof(file), "%s/%s", fx->dir, ent->d_name);
            if (unlink(file) != 0)
                ret = -1;
        }
        closedir(d);
    }
    if (rmdir(fx->dir) != 0)
        ret = -1;
    free(fx);
    return ret;
}

static fc_store *open_store(const store_fixture *fx, int max_version)
{
    char msg[256] = "";
    fc_store *store = fc_store_open(fx->loc, max_version, msg, sizeof(msg));

    if (store == NULL)
        print_error("fc_store_open(%s): %s\n", fx->loc, msg);
    assert_non_null(store);
    assert_non_null(store->ops);
    return store;
}

/* ---- direct SQLite access, to inspect or tamper with the file ------------- */

/* The first column of the first row of sql, as an integer (-1 on error); on either engine. */
static int64_t sql_int(const char *loc, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (fc_store_is_postgres(loc)) {
        PGconn *pg = PQconnectdb(loc);
        PGresult *res = PQstatus(pg) == CONNECTION_OK ? PQexec(pg, sql) : NULL;

        if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
            v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        PQfinish(pg);
        return v;
    }
    if (sqlite3_open_v2(loc, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *loc, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    int rc;

    if (fc_store_is_postgres(loc)) {
        PGconn *pg = PQconnectdb(loc);
        PGresult *res = PQstatus(pg) == CONNECTION_OK ? PQexec(pg, sql) : NULL;
        int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;

        if (!ok)
            print_error("%s: %s\n", sql, PQerrorMessage(pg));
        PQclear(res);
        PQfinish(pg);
        assert_true(ok);
        return;
    }
    assert_int_equal(sqlite3_open_v2(loc, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    assert_int_equal(rc, SQLITE_OK);
}

/* ---- test reports ----------------------------------------------------------- */

/* A report row with the JSON it owns; built by make_report, freed by free_report. */
typedef struct test_report {
    fc_report_row row;
    char created_at[32];
    char summary[96];
    char project[16];
    char run[16];
    char digest[8 + 65];
    char *json; /* malloc'd by json_dumps */
    char *list; /* the list item given to the store (odd reports), or NULL: the store summarises json */
} test_report;

static const char *const verdicts[] = {"fail", "warn", "pass"};
static const char *const projects[] = {"p1", "p2", "p1", NULL}; /* index i % 4 */

/*
 * Fills r for report number i with a fresh id: the verdict cycles through
 * fail/warn/pass, labels.project through p1/p2/p1/none, and the JSON carries
 * the fields the listing summary is extracted from.
 */
static int make_report(test_report *r, int i)
{
    const char *verdict = verdicts[i % 3], *project = projects[i % 4];
    json_t *labels, *doc;

    memset(r, 0, sizeof(*r));
    if (fc_id_new(r->row.id, &r->row.created_ms) != 0)
        return -1;
    fc_format_time_ms(r->row.created_ms, r->created_at);
    snprintf(r->row.verdict, sizeof(r->row.verdict), "%s", verdict);
    snprintf(r->row.framework, sizeof(r->row.framework), "%s", i % 2 ? "tf.keras2" : "keras3");
    r->row.n_error = strcmp(verdict, "fail") == 0 ? 1 + i % 2 : 0;
    r->row.n_warning = strcmp(verdict, "pass") == 0 ? 0 : i % 5;
    r->row.n_info = i % 3;
    snprintf(r->summary, sizeof(r->summary), "%s: report %d, %d error(s)", verdict, i, (int)r->row.n_error);
    snprintf(r->run, sizeof(r->run), "run-%d", i);
    r->row.run = r->run;
    labels = json_pack("{s:s}", "run", r->run);
    if (project != NULL) {
        snprintf(r->project, sizeof(r->project), "%s", project);
        r->row.project = r->project;
        json_object_set_new(labels, "project", json_string(project));
    }
    if (i % 2) { /* written with the report, as the preflight handler does (schema 4) */
        json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I}, s:O}", "id", r->row.id, "created_at",
                                 r->created_at, "framework", r->row.framework, "verdict", verdict, "summary",
                                 r->summary, "counts", "error", (json_int_t)r->row.n_error, "warning",
                                 (json_int_t)r->row.n_warning, "info", (json_int_t)r->row.n_info, "labels", labels);

        r->list = item != NULL ? json_dumps(item, JSON_COMPACT) : NULL;
        json_decref(item);
        if (r->list == NULL)
            return -1;
        r->row.list_json = r->list;
    }
    doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I}, s:o, s:[]}", "id", r->row.id, "created_at",
                    r->created_at, "framework", r->row.framework, "verdict", verdict, "summary", r->summary,
                    "counts", "error", (json_int_t)r->row.n_error, "warning", (json_int_t)r->row.n_warning, "info",
                    (json_int_t)r->row.n_info, "labels", labels, "findings");
    if (doc == NULL)
        return -1;
    r->json = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (r->json == NULL)
        return -1;
    fc_sha256_hex(r->json, strlen(r->json), r->digest + 7);
    memcpy(r->digest, "sha256:", 7);
    r->row.digest = r->digest;
    r->row.report_json = r->json;
    return 0;
}

static void free_report(test_report *r)
{
    free(r->json);
    free(r->list);
    r->json = r->list = NULL;
}

static void put_ok(fc_store *store, const test_report *r)
{
    char msg[256] = "";
    fc_store_status st = store->ops->put(store, &r->row, msg, sizeof(msg));

    if (st != FC_STORE_OK)
        print_error("put %s: %s\n", r->row.id, msg);
    assert_int_equal(st, FC_STORE_OK);
}

static void assert_get_equals(fc_store *store, const test_report *r)
{
    char msg[256] = "";
    char *json = NULL;

    assert_int_equal(store->ops->get(store, 0, r->row.id, &json, msg, sizeof(msg)), FC_STORE_OK);
    assert_non_null(json);
    assert_string_equal(json, r->json);
    free(json);
}

/* ---- listing ---------------------------------------------------------------- */

/* What one list call visited (copies: the store's strings die with the row). */
typedef struct page {
    int n;
    char ids[FC_STORE_MAX_LIMIT][FC_REPORT_ID_LEN + 1];
    char *summaries[FC_STORE_MAX_LIMIT];
} page;

static int collect(void *ctx, const char *id, const char *summary_json)
{
    page *p = ctx;

    if (p->n >= FC_STORE_MAX_LIMIT || id == NULL || summary_json == NULL || strlen(id) != FC_REPORT_ID_LEN)
        return -1;
    memcpy(p->ids[p->n], id, FC_REPORT_ID_LEN + 1);
    p->summaries[p->n] = strdup(summary_json);
    if (p->summaries[p->n] == NULL)
        return -1;
    p->n++;
    return 0;
}

static void page_release(page *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->summaries[i]);
    p->n = 0;
}

static const test_report *find_report(const test_report *rows, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].row.id, id) == 0)
            return &rows[i];
    return NULL;
}

/* The summary the store built for r: exactly the seven documented members. */
static void assert_summary(const char *text, const test_report *r)
{
    json_error_t jerr;
    json_t *s = json_loads(text, 0, &jerr), *counts, *labels;

    if (s == NULL)
        print_error("summary does not parse (%s): %s\n", jerr.text, text);
    assert_non_null(s);
    assert_true(json_is_object(s));
    assert_int_equal(json_object_size(s), 7);
    assert_string_equal(json_string_value(json_object_get(s, "id")), r->row.id);
    assert_string_equal(json_string_value(json_object_get(s, "created_at")), r->created_at);
    assert_string_equal(json_string_value(json_object_get(s, "framework")), r->row.framework);
    assert_string_equal(json_string_value(json_object_get(s, "verdict")), r->row.verdict);
    assert_string_equal(json_string_value(json_object_get(s, "summary")), r->summary);

    counts = json_object_get(s, "counts");
    assert_true(json_is_object(counts));
    assert_int_equal(json_object_size(counts), 3);
    assert_true(json_is_integer(json_object_get(counts, "error")));
    assert_int_equal(json_integer_value(json_object_get(counts, "error")), r->row.n_error);
    assert_int_equal(json_integer_value(json_object_get(counts, "warning")), r->row.n_warning);
    assert_int_equal(json_integer_value(json_object_get(counts, "info")), r->row.n_info);

    labels = json_object_get(s, "labels");
    assert_true(json_is_object(labels));
    assert_string_equal(json_string_value(json_object_get(labels, "run")), r->run);
    if (r->row.project != NULL) {
        assert_int_equal(json_object_size(labels), 2);
        assert_string_equal(json_string_value(json_object_get(labels, "project")), r->row.project);
    } else {
        assert_int_equal(json_object_size(labels), 1);
        assert_null(json_object_get(labels, "project"));
    }
    json_decref(s);
}

static int matches(const test_report *r, const char *verdict, const char *project)
{
    if (verdict != NULL && strcmp(r->row.verdict, verdict) != 0)
        return 0;
    if (project != NULL && (r->row.project == NULL || strcmp(r->row.project, project) != 0))
        return 0;
    return 1;
}

/*
 * Pages through the listing with limit, following before_id = the last id
 * visited while more is set, and checks: full pages while more is set, ids
 * strictly decreasing across all pages (so no duplicates), each summary
 * correct, and the union exactly the rows (made in increasing id order)
 * matching the filters, newest first. Returns the number listed.
 */
static int list_and_check(fc_store *store, const test_report *rows, int n_rows, int limit, const char *verdict,
                          const char *project)
{
    char last[FC_REPORT_ID_LEN + 1] = "";
    int total = 0, pages = 0, more, expect_idx = n_rows - 1;
    page *p = calloc(1, sizeof(*p));

    assert_non_null(p);
    do {
        fc_report_query q = {.limit = limit, .before_id = pages ? last : NULL, .verdict = verdict, .project = project};
        char msg[256] = "";

        more = -1;
        assert_int_equal(store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)), FC_STORE_OK);
        assert_true(more == 0 || more == 1);
        assert_true(p->n <= limit);
        if (more)
            assert_int_equal(p->n, limit);
        for (int i = 0; i < p->n; i++) {
            const test_report *r = find_report(rows, n_rows, p->ids[i]);

            /* strictly decreasing, across page boundaries too */
            if (total > 0)
                assert_true(strcmp(p->ids[i], last) < 0);
            assert_non_null(r);
            assert_true(matches(r, verdict, project));
            /* the next expected row: newest first among the matching ones */
            while (expect_idx >= 0 && !matches(&rows[expect_idx], verdict, project))
                expect_idx--;
            assert_true(expect_idx >= 0);
            assert_string_equal(p->ids[i], rows[expect_idx].row.id);
            expect_idx--;
            assert_summary(p->summaries[i], r);
            memcpy(last, p->ids[i], sizeof(last));
            total++;
        }
        page_release(p);
        pages++;
        assert_true(pages <= n_rows + 1); /* a cursor that does not advance would loop forever */
    } while (more);
    /* nothing matching was left out */
    while (expect_idx >= 0 && !matches(&rows[expect_idx], verdict, project))
        expect_idx--;
    assert_int_equal(expect_idx, -1);
    free(p);
    return total;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_store__open_creates_file(void **state)
{
    store_fixture *fx = *state;
    fc_store *store;

    if (!is_pg(fx))
        assert_int_not_equal(access(fx->loc, F_OK), 0);
    store = open_store(fx, 0);
    if (!is_pg(fx))
        assert_int_equal(access(fx->loc, F_OK), 0);
    assert_string_equal(store->ops->engine, is_pg(fx) ? "postgres" : "sqlite");
    assert_int_equal(fc_store_latest_version(), 8);
    assert_int_equal(store->ops->schema_version(store), fc_store_latest_version());
    assert_int_equal(store->ops->count(store), 0);
    fc_store_close(store);
    fc_store_close(NULL); /* documented as harmless */
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations"), 8);
}

static void test_store__put_get_roundtrip(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report a, b;
    char msg[256] = "";
    char unknown[37];
    int64_t ms;
    char *json = (char *)"sentinel";

    assert_int_equal(make_report(&a, 0), 0);
    assert_int_equal(make_report(&b, 3), 0); /* no project label */
    put_ok(store, &a);
    put_ok(store, &b);
    assert_int_equal(store->ops->count(store), 2);
    assert_get_equals(store, &a);
    assert_get_equals(store, &b);

    assert_int_equal(fc_id_new(unknown, &ms), 0);
    assert_int_equal(store->ops->get(store, 0, unknown, &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_null(json);
    assert_int_equal(store->ops->get(store, 0, "not-an-id", &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_null(json);

    /* the row's columns, as stored */
    fc_store_close(store);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM reports WHERE project IS NULL AND run = 'run-3'"), 1);
    free_report(&a);
    free_report(&b);
}

static void test_store__duplicate_id_rejected(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report a, dup;
    char msg[256] = "";

    assert_int_equal(make_report(&a, 0), 0);
    assert_int_equal(make_report(&dup, 1), 0);
    memcpy(dup.row.id, a.row.id, sizeof(dup.row.id));
    put_ok(store, &a);

    assert_int_equal(store->ops->put(store, &dup.row, msg, sizeof(msg)), FC_STORE_ERROR);
    assert_true(strlen(msg) > 0);
    assert_int_equal(store->ops->count(store), 1);
    assert_get_equals(store, &a);

    /* the store stays usable after the failed insert */
    free_report(&dup);
    assert_int_equal(make_report(&dup, 2), 0);
    put_ok(store, &dup);
    assert_int_equal(store->ops->count(store), 2);
    assert_get_equals(store, &dup);

    fc_store_close(store);
    free_report(&a);
    free_report(&dup);
}

static void test_store__keyset_pagination(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report rows[N_LIST_ROWS];
    int n_fail = 0, n_p1 = 0, n_fail_p2 = 0;

    for (int i = 0; i < N_LIST_ROWS; i++) {
        assert_int_equal(make_report(&rows[i], i), 0);
        if (i > 0)
            assert_true(strcmp(rows[i - 1].row.id, rows[i].row.id) < 0);
        n_fail += matches(&rows[i], "fail", NULL);
        n_p1 += matches(&rows[i], NULL, "p1");
        n_fail_p2 += matches(&rows[i], "fail", "p2");
    }
    /* insert out of id order (7 is coprime with 25): order must come from the ids */
    for (int i = 0; i < N_LIST_ROWS; i++)
        put_ok(store, &rows[(i * 7) % N_LIST_ROWS]);
    assert_int_equal(store->ops->count(store), N_LIST_ROWS);

    /* all rows, 7 a page: 7 + 7 + 7 + 4 */
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, NULL, NULL), N_LIST_ROWS);
    /* one page of exactly everything: more stays 0; one short: more is 1 */
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, N_LIST_ROWS, NULL, NULL), N_LIST_ROWS);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, N_LIST_ROWS - 1, NULL, NULL), N_LIST_ROWS);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, 1, NULL, NULL), N_LIST_ROWS);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, FC_STORE_MAX_LIMIT, NULL, NULL), N_LIST_ROWS);

    /* filters */
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, "fail", NULL), n_fail);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, "warn", NULL), 8);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, "pass", NULL), 8);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, NULL, "p1"), n_p1);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, NULL, "p2"), 6);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, 2, "fail", "p2"), n_fail_p2);
    assert_int_equal(n_fail, 9);
    assert_int_equal(n_p1, 13);
    assert_true(n_fail_p2 > 0);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, NULL, "nobody"), 0);
    assert_int_equal(list_and_check(store, rows, N_LIST_ROWS, PAGE_LIMIT, "pass", "nobody"), 0);

    fc_store_close(store);
    for (int i = 0; i < N_LIST_ROWS; i++)
        free_report(&rows[i]);
}

static void test_store__list_before_oldest_is_empty(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report r;
    page *p = calloc(1, sizeof(*p));
    char msg[256] = "";
    int more = -1;
    fc_report_query q = {.limit = 5};

    assert_non_null(p);
    /* empty store */
    assert_int_equal(store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(p->n, 0);
    assert_int_equal(more, 0);

    assert_int_equal(make_report(&r, 0), 0);
    put_ok(store, &r);
    q.before_id = r.row.id; /* nothing is older than the only row */
    more = -1;
    assert_int_equal(store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(p->n, 0);
    assert_int_equal(more, 0);

    fc_store_close(store);
    free_report(&r);
    free(p);
}

static void test_store__persists_across_reopen(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report rows[3];

    for (int i = 0; i < 3; i++) {
        assert_int_equal(make_report(&rows[i], i), 0);
        put_ok(store, &rows[i]);
    }
    assert_int_equal(store->ops->count(store), 3);
    fc_store_close(store);

    store = open_store(fx, 0);
    assert_int_equal(store->ops->count(store), 3);
    assert_int_equal(store->ops->schema_version(store), fc_store_latest_version());
    for (int i = 0; i < 3; i++)
        assert_get_equals(store, &rows[i]);
    fc_store_close(store);
    /* the reopen applied nothing twice */
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations"), 8);
    for (int i = 0; i < 3; i++)
        free_report(&rows[i]);
}

static const char count_filter_indexes[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('report_items_team_id',"
    " 'report_items_team_verdict_id', 'report_items_team_project_id', 'report_items_team_project_verdict_id')";
static const char count_digest_index[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'reports_digest'";

static void test_store__upgrade_in_place(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 1);
    test_report r;

    assert_int_equal(store->ops->schema_version(store), 1);
    assert_int_equal(make_report(&r, 0), 0);
    put_ok(store, &r);
    fc_store_close(store);
    assert_int_equal(sql_int(fx->loc, count_filter_indexes), 0);
    assert_int_equal(sql_int(fx->loc, count_digest_index), 0);
    assert_int_equal(sql_int(fx->loc, "SELECT MAX(version) FROM schema_migrations"), 1);

    store = open_store(fx, 0);
    assert_int_equal(store->ops->schema_version(store), fc_store_latest_version());
    assert_int_equal(store->ops->count(store), 1);
    assert_get_equals(store, &r);
    {
        /* migration 4 summarised the report stored before it into the list */
        page *p = calloc(1, sizeof(*p));
        fc_report_query q = {.limit = 5};
        char msg[256] = "";
        int more = -1;

        assert_non_null(p);
        assert_int_equal(store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)), FC_STORE_OK);
        assert_int_equal(p->n, 1);
        assert_summary(p->summaries[0], &r);
        page_release(p);
        free(p);
    }
    fc_store_close(store);

    assert_int_equal(sql_int(fx->loc, count_filter_indexes), 4);
    assert_int_equal(sql_int(fx->loc, count_digest_index), 0); /* 0002 made it, 0005 dropped it */
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations WHERE version IN (1, 2)"), 2);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations WHERE name = '0002_report_filters.sql'"
                                       " AND applied_at LIKE '____-__-__T__:__:__.___Z'"),
                     1);
    free_report(&r);
}

static void test_store__newer_schema_refused(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    char msg[256] = "";

    fc_store_close(store);
    sql_exec(fx->loc, "INSERT INTO schema_migrations (version, name, applied_at)"
                       " VALUES (999, '0999_future.sql', '2030-01-01T00:00:00.000Z')");

    store = fc_store_open(fx->loc, 0, msg, sizeof(msg));
    assert_null(store);
    assert_non_null(strstr(msg, "999"));
    assert_non_null(strstr(msg, "version"));
    /* the refusal did not touch the recorded migrations */
    assert_int_equal(sql_int(fx->loc, "SELECT MAX(version) FROM schema_migrations"), 999);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations"), (int)fc_store_latest_version() + 1);
}

/* Model descriptors: stored once under their id, read back, kept across a reopen. */
static void test_store__models(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    const char *id = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char msg[256] = "";
    char *json = NULL;
    int created = -1;

    assert_int_equal(store->ops->get_model(store, 0, id, &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_int_equal(store->ops->put_model(store, 0, id, "{\"class_name\":\"Sequential\"}", &created, msg, sizeof(msg)),
                     FC_STORE_OK);
    assert_int_equal(created, 1);
    assert_int_equal(store->ops->put_model(store, 0, id, "{\"class_name\":\"Sequential\"}", &created, msg, sizeof(msg)),
                     FC_STORE_OK);
    assert_int_equal(created, 0);
    fc_store_close(store);
    store = open_store(fx, 0);
    assert_int_equal(store->ops->get_model(store, 0, id, &json, msg, sizeof(msg)), FC_STORE_OK);
    assert_string_equal(json, "{\"class_name\":\"Sequential\"}");
    free(json);
    fc_store_close(store);
}

/* Teams: a report, its list item and a model belong to one team; another team's get, list (with any cursor)
 * and model read answer as for an id nobody stored. */
static void test_store__teams_are_isolated(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    const char *model = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    test_report a[3], b[2];
    int64_t ta = 0, tb = 0, again = 0;
    char msg[256] = "";
    char *json = NULL;
    int created = -1, i, more = 0;
    page *p = calloc(1, sizeof(*p));

    assert_non_null(p);
    assert_int_equal(store->ops->team_ensure(store, "alpha", 0, &ta, &created, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_int_equal(store->ops->team_ensure(store, "alpha", 1, &ta, &created, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(created, 1);
    assert_true(ta > 0);
    assert_int_equal(store->ops->team_ensure(store, "beta", 1, &tb, &created, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(store->ops->team_ensure(store, "alpha", 1, &again, &created, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(created, 0);
    assert_int_equal(again, ta);
    assert_int_not_equal(ta, tb);
    for (i = 0; i < 3; i++) {
        assert_int_equal(make_report(&a[i], i), 0);
        a[i].row.team_id = ta;
        put_ok(store, &a[i]);
    }
    for (i = 0; i < 2; i++) {
        assert_int_equal(make_report(&b[i], i), 0);
        b[i].row.team_id = tb;
        put_ok(store, &b[i]);
    }
    /* get */
    assert_int_equal(store->ops->get(store, ta, a[0].row.id, &json, msg, sizeof(msg)), FC_STORE_OK);
    free(json);
    assert_int_equal(store->ops->get(store, tb, a[0].row.id, &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_int_equal(store->ops->get(store, 0, a[0].row.id, &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    /* list, with each filter, from the top and from a cursor that is the other team's newest id */
    for (i = 0; i < 8; i++) {
        fc_report_query q = {.team_id = tb, .limit = 50, .verdict = i & 1 ? "fail" : NULL,
                             .project = i & 2 ? "p1" : NULL, .before_id = i & 4 ? a[2].row.id : NULL};
        int k;

        p->n = 0;
        assert_int_equal(store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)), FC_STORE_OK);
        for (k = 0; k < p->n; k++) {
            assert_true(strcmp(p->ids[k], b[0].row.id) == 0 || strcmp(p->ids[k], b[1].row.id) == 0);
            free(p->summaries[k]);
        }
        if (i == 0)
            assert_int_equal(p->n, 2);
    }
    {
        fc_report_query q = {.team_id = 0, .limit = 50};

        p->n = 0;
        assert_int_equal(store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)), FC_STORE_OK);
        assert_int_equal(p->n, 0);
    }
    /* models: stored by one team, unknown to the other until it stores the same text itself */
    assert_int_equal(store->ops->put_model(store, ta, model, "{}", &created, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(created, 1);
    assert_int_equal(store->ops->get_model(store, tb, model, &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_int_equal(store->ops->put_model(store, tb, model, "{}", &created, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(created, 1); /* new to beta: it does not learn that alpha had it */
    assert_int_equal(store->ops->get_model(store, tb, model, &json, msg, sizeof(msg)), FC_STORE_OK);
    assert_string_equal(json, "{}");
    free(json);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM models"), 1); /* the text once */
    for (i = 0; i < 3; i++)
        free_report(&a[i]);
    for (i = 0; i < 2; i++)
        free_report(&b[i]);
    free(p);
    fc_store_close(store);
}

static int count_keys(void *ctx, const fc_api_key *k)
{
    int *n = ctx;

    (void)k;
    (*n)++;
    return 0;
}

/* Keys: stored with their team, read back by id, listed, revoked once. */
static void test_store__keys(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    fc_api_key k, admin, got;
    char msg[256] = "";
    int created, n = 0;

    memset(&k, 0, sizeof(k));
    memset(&admin, 0, sizeof(admin));
    assert_int_equal(store->ops->team_ensure(store, "alpha", 1, &k.team_id, &created, msg, sizeof(msg)), FC_STORE_OK);
    snprintf(k.id, sizeof(k.id), "0123456789abcdef");
    snprintf(k.salt, sizeof(k.salt), "%032d", 7);
    snprintf(k.hash, sizeof(k.hash), "%064d", 9);
    snprintf(k.label, sizeof(k.label), "ci");
    k.created_ms = 1000;
    assert_int_equal(store->ops->key_put(store, &k, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(store->ops->key_put(store, &k, msg, sizeof(msg)), FC_STORE_ERROR); /* the id is taken */
    admin = k;
    snprintf(admin.id, sizeof(admin.id), "fedcba9876543210");
    admin.admin = 1;
    admin.team_id = 0;
    admin.label[0] = '\0';
    admin.created_ms = 2000;
    assert_int_equal(store->ops->key_put(store, &admin, msg, sizeof(msg)), FC_STORE_OK);

    assert_int_equal(store->ops->key_get(store, k.id, &got, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(got.team_id, k.team_id);
    assert_string_equal(got.team, "alpha");
    assert_string_equal(got.salt, k.salt);
    assert_string_equal(got.hash, k.hash);
    assert_string_equal(got.label, "ci");
    assert_int_equal(got.admin, 0);
    assert_int_equal(got.revoked_ms, 0);
    assert_int_equal(store->ops->key_get(store, admin.id, &got, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(got.admin, 1);
    assert_int_equal(got.team_id, 0);
    assert_string_equal(got.label, "");
    assert_int_equal(store->ops->key_get(store, "0000000000000000", &got, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_int_equal(store->ops->key_list(store, count_keys, &n, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(n, 2);

    assert_int_equal(store->ops->key_revoke(store, k.id, 5000, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(store->ops->key_revoke(store, k.id, 6000, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    assert_int_equal(store->ops->key_revoke(store, "0000000000000000", 6000, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    fc_store_close(store);
    store = open_store(fx, 0);
    assert_int_equal(store->ops->key_get(store, k.id, &got, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(got.revoked_ms, 5000); /* the first revocation's time, kept */
    fc_store_close(store);
    /* only the hash is in the database; an admin key has no team */
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM api_keys WHERE admin = 1 AND team_id IS NULL"), 1);
}

/* What list_after visited: sequence numbers and report ids, in order. */
typedef struct events_seen {
    int n;
    int64_t seq[16];
    char id[16][FC_REPORT_ID_LEN + 1];
    int fail_at; /* the visit with this index fails (-1: none) */
} events_seen;

static int collect_event(void *ctx, int64_t seq, const char *id, const char *item)
{
    events_seen *e = ctx;

    assert_non_null(item);
    if (e->n == e->fail_at || e->n >= 16)
        return -1;
    e->seq[e->n] = seq;
    snprintf(e->id[e->n], sizeof(e->id[e->n]), "%s", id);
    e->n++;
    return 0;
}

static events_seen events_after(fc_store *store, int64_t team_id, int64_t after)
{
    events_seen e = {.fail_at = -1};
    char msg[256] = "";

    assert_int_equal(store->ops->list_after(store, team_id, after, 16, collect_event, &e, msg, sizeof(msg)),
                     FC_STORE_OK);
    return e;
}

/*
 * Events come in commit order, not id order: ids are made before reports
 * reach the writer, so a report with a smaller id can commit after a larger
 * one. A cursor on ids would skip it; the sequence number does not.
 */
static void test_store__events_in_commit_order(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report r[4];
    events_seen e;
    int64_t head = -1;
    char msg[256] = "";

    for (int i = 0; i < 4; i++)
        assert_int_equal(make_report(&r[i], i), 0);
    assert_true(strcmp(r[0].row.id, r[2].row.id) < 0); /* r[0] < r[1] < r[2] by id */
    assert_int_equal(store->ops->events_head(store, 0, &head, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(head, 0);
    put_ok(store, &r[2]); /* the newest id commits first */
    e = events_after(store, 0, 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.id[0], r[2].row.id);
    put_ok(store, &r[0]);
    put_ok(store, &r[1]);
    /* a stream that had sent r[2] gets the two that committed after it, though their ids are smaller */
    e = events_after(store, 0, e.seq[0]);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.id[0], r[0].row.id);
    assert_string_equal(e.id[1], r[1].row.id);
    assert_true(e.seq[1] > e.seq[0]);
    assert_int_equal(store->ops->events_head(store, 0, &head, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(head, e.seq[1]);
    /* another team's report is not in this team's events, and has its own head */
    r[3].row.team_id = 5;
    put_ok(store, &r[3]);
    assert_int_equal(events_after(store, 0, 0).n, 3);
    e = events_after(store, 5, 0);
    assert_int_equal(e.n, 1);
    assert_int_equal(store->ops->events_head(store, 5, &head, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(head, e.seq[0]);
    /* a visit that fails ends the walk with an error */
    {
        events_seen f = {.fail_at = 1};

        assert_int_equal(store->ops->list_after(store, 0, 0, 16, collect_event, &f, msg, sizeof(msg)), FC_STORE_ERROR);
        assert_int_equal(f.n, 1);
    }
    fc_store_close(store);
    /* numbering goes on from the highest stored after a restart */
    store = open_store(fx, 0);
    {
        test_report more;

        assert_int_equal(make_report(&more, 9), 0);
        put_ok(store, &more);
        e = events_after(store, 0, 0);
        assert_int_equal(e.n, 4);
        assert_string_equal(e.id[3], more.row.id);
        assert_true(e.seq[3] > head);
        free_report(&more);
    }
    fc_store_close(store);
    for (int i = 0; i < 4; i++)
        free_report(&r[i]);
}

/* Migration 0008 numbers the reports stored before it in id order. */
static void test_store__events_numbered_on_upgrade(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 7);
    test_report r[3];
    events_seen e;
    char msg[256] = "";

    for (int i = 0; i < 3; i++)
        assert_int_equal(make_report(&r[i], i), 0);
    put_ok(store, &r[1]);
    put_ok(store, &r[0]);
    put_ok(store, &r[2]);
    {
        events_seen f = {.fail_at = -1};

        /* before 0008 there are no events to read */
        assert_int_equal(store->ops->list_after(store, 0, 0, 16, collect_event, &f, msg, sizeof(msg)), FC_STORE_ERROR);
    }
    fc_store_close(store);
    store = open_store(fx, 0);
    e = events_after(store, 0, 0);
    assert_int_equal(e.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(e.id[i], r[i].row.id);
        assert_int_equal(e.seq[i], i + 1);
    }
    fc_store_close(store);
    for (int i = 0; i < 3; i++)
        free_report(&r[i]);
}

static void test_store__unopenable_path(void **state)
{
    store_fixture *fx = *state;
    char path[192], msg[256] = "";
    fc_store *store;

    snprintf(path, sizeof(path), "%s/missing/reports.db", fx->dir);
    store = fc_store_open(path, 0, msg, sizeof(msg));
    assert_null(store);
    assert_true(strlen(msg) > 0);
    assert_int_not_equal(access(path, F_OK), 0);

    /* a directory is not a database either */
    msg[0] = '\0';
    store = fc_store_open(fx->dir, 0, msg, sizeof(msg));
    assert_null(store);
    assert_true(strlen(msg) > 0);
}

/* ---- concurrency -------------------------------------------------------------- */

typedef struct writer {
    fc_store *store;
    pthread_barrier_t *start;      /* all writers begin together, to contend */
    int base;                      /* report numbers base .. base + ROWS_PER_THREAD - 1 */
    char ids[ROWS_PER_THREAD][37]; /* OUT: the ids stored */
    int failures;                  /* OUT: failed makes or puts (no cmocka asserts off the main thread) */
} writer;

static void *write_rows(void *arg)
{
    writer *w = arg;

    pthread_barrier_wait(w->start);
    for (int i = 0; i < ROWS_PER_THREAD; i++) {
        test_report r;
        char msg[256];

        if (make_report(&r, w->base + i) != 0) {
            w->failures++;
            continue;
        }
        memcpy(w->ids[i], r.row.id, sizeof(w->ids[i]));
        if (w->store->ops->put(w->store, &r.row, msg, sizeof(msg)) != FC_STORE_OK)
            w->failures++;
        free_report(&r);
    }
    return NULL;
}

/* A report whose second row fails (a full disk would do it; a trigger here) leaves no row behind. */
static void test_store__report_rows_whole_or_none(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report a, boom, b;
    char msg[256] = "", sql[512], *json = NULL;

    assert_int_equal(make_report(&a, 0), 0);
    assert_int_equal(make_report(&boom, 1), 0);
    assert_int_equal(make_report(&b, 2), 0);
    put_ok(store, &a);
    fc_store_close(store);
    if (is_pg(fx))
        snprintf(sql, sizeof(sql), "CREATE FUNCTION items_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF"
                 " NEW.id = '%s' THEN RAISE EXCEPTION 'no room for the list item'; END IF; RETURN NEW; END $$;"
                 " CREATE TRIGGER items_fail BEFORE INSERT ON report_items FOR EACH ROW EXECUTE FUNCTION items_fail()",
                 boom.row.id);
    else
        snprintf(sql, sizeof(sql), "CREATE TRIGGER items_fail BEFORE INSERT ON report_items WHEN NEW.id = '%s' "
                 "BEGIN SELECT RAISE(ABORT, 'no room for the list item'); END", boom.row.id);
    sql_exec(fx->loc, sql);
    store = open_store(fx, 0);
    assert_int_equal(store->ops->put(store, &boom.row, msg, sizeof(msg)), FC_STORE_ERROR);
    assert_non_null(strstr(msg, "no room for the list item"));
    assert_int_equal(store->ops->get(store, 0, boom.row.id, &json, msg, sizeof(msg)), FC_STORE_NOT_FOUND);
    put_ok(store, &b); /* the writer goes on */
    assert_int_equal(store->ops->count(store), 2);
    assert_get_equals(store, &a);
    assert_get_equals(store, &b);
    fc_store_close(store);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM reports"), 2);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM report_items"), 2);
    free_report(&a);
    free_report(&boom);
    free_report(&b);
}

static void test_store__concurrent_puts(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    pthread_t threads[N_THREADS];
    pthread_barrier_t start;
    writer *w = calloc(N_THREADS, sizeof(*w));

    assert_non_null(w);
    assert_int_equal(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    for (int t = 0; t < N_THREADS; t++) {
        w[t].store = store;
        w[t].start = &start;
        w[t].base = t * ROWS_PER_THREAD;
        assert_int_equal(pthread_create(&threads[t], NULL, write_rows, &w[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    pthread_barrier_destroy(&start);
    for (int t = 0; t < N_THREADS; t++)
        assert_int_equal(w[t].failures, 0);

    assert_int_equal(store->ops->count(store), N_THREADS * ROWS_PER_THREAD);
    {
        /* every acknowledged report went through a commit; contending writers share them */
        fc_store_stats st;

        store->ops->stats(store, &st);
        printf("%lld reports in %lld commits, at most %lld in one\n", (long long)st.reports, (long long)st.commits,
               (long long)st.max_batch);
        assert_int_equal(st.reports, N_THREADS * ROWS_PER_THREAD);
        assert_true(st.commits >= 1 && st.commits <= st.reports);
        assert_true(st.max_batch >= 1 && st.max_batch <= N_THREADS);
    }
    for (int t = 0; t < N_THREADS; t++) {
        for (int i = 0; i < ROWS_PER_THREAD; i++) {
            char msg[256] = "";
            char *json = NULL;
            json_t *doc;

            assert_int_equal(store->ops->get(store, 0, w[t].ids[i], &json, msg, sizeof(msg)), FC_STORE_OK);
            doc = json_loads(json, 0, NULL);
            assert_non_null(doc);
            assert_string_equal(json_string_value(json_object_get(doc, "id")), w[t].ids[i]);
            json_decref(doc);
            free(json);
        }
    }
    fc_store_close(store);
    free(w);
}

/* ---- the filters beside verdict and project (schema 7) ---------------------- */

#define N_FILTER_ROWS 12

static const char *const filter_codes_odd[] = {"LOSS_MISMATCH"};
static const char *const filter_codes_third[] = {"NAN_IN_DATA", "CLASS_IMBALANCE", "NAN_IN_DATA"}; /* a repeat */

/* Whether report i (of make_report, with the models and codes list_filters gives it) matches q. */
static int filter_matches(const test_report *r, int i, const fc_report_query *q)
{
    int has_code = 0;

    for (size_t k = 0; q->code != NULL && k < r->row.n_codes; k++)
        has_code |= strcmp(r->row.codes[k], q->code) == 0;
    (void)i;
    return q->team_id == r->row.team_id && (q->verdict == NULL || strcmp(r->row.verdict, q->verdict) == 0) &&
           (q->project == NULL || (r->row.project != NULL && strcmp(r->row.project, q->project) == 0)) &&
           (q->run == NULL || strcmp(r->row.run, q->run) == 0) &&
           (q->framework == NULL || strcmp(r->row.framework, q->framework) == 0) &&
           (q->model_id == NULL || (r->row.model_id != NULL && strcmp(r->row.model_id, q->model_id) == 0)) &&
           (q->code == NULL || has_code) && (q->since_ms == 0 || r->row.created_ms >= q->since_ms) &&
           (q->until_ms == 0 || r->row.created_ms < q->until_ms) &&
           (q->before_id == NULL || strcmp(r->row.id, q->before_id) < 0);
}

/* Lists q (one page holds all) and checks it is exactly the matching rows, newest first; returns how many. */
static int check_filter(fc_store *store, const test_report *rows, fc_report_query q)
{
    page *p = calloc(1, sizeof(*p));
    char msg[256] = "";
    int more = -1, k = 0, n;

    assert_non_null(p);
    q.limit = FC_STORE_MAX_LIMIT;
    if (store->ops->list(store, &q, collect, p, &more, msg, sizeof(msg)) != FC_STORE_OK)
        print_error("list: %s\n", msg);
    assert_int_equal(more, 0);
    for (int i = N_FILTER_ROWS - 1; i >= 0; i--) {
        if (!filter_matches(&rows[i], i, &q))
            continue;
        if (k >= p->n)
            print_error("listed %d, row %d also matches (run %s, code %s)\n", p->n, i, q.run ? q.run : "-",
                        q.code ? q.code : "-");
        assert_true(k < p->n);
        assert_string_equal(p->ids[k], rows[i].row.id);
        k++;
    }
    assert_int_equal(p->n, k);
    n = p->n;
    page_release(p);
    free(p);
    return n;
}

/* run, framework, model, code (with and without a project), since and until, alone and together. */
static void test_store__list_filters(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report r[N_FILTER_ROWS];
    char since_id[FC_REPORT_ID_LEN + 1];

    for (int i = 0; i < N_FILTER_ROWS; i++) {
        assert_int_equal(make_report(&r[i], i), 0);
        r[i].row.model_id = i % 3 == 0 ? "sha256:m1" : i % 3 == 1 ? "sha256:m2" : NULL;
        if (i % 3 == 0) {
            r[i].row.codes = filter_codes_third;
            r[i].row.n_codes = 3;
        } else if (i % 2) {
            r[i].row.codes = filter_codes_odd;
            r[i].row.n_codes = 1;
        }
        put_ok(store, &r[i]);
        if (i == 5)
            usleep(3000); /* a later millisecond: since/until split the rows */
    }
    memcpy(since_id, r[6].row.id, sizeof(since_id));
    assert_int_equal(check_filter(store, r, (fc_report_query){.run = "run-5"}), 1);
    assert_int_equal(check_filter(store, r, (fc_report_query){.framework = "tf.keras2"}), 6);
    assert_int_equal(check_filter(store, r, (fc_report_query){.model_id = "sha256:m1"}), 4);
    assert_int_equal(check_filter(store, r, (fc_report_query){.model_id = "sha256:none"}), 0);
    assert_int_equal(check_filter(store, r, (fc_report_query){.code = "NAN_IN_DATA"}), 4);
    assert_int_equal(check_filter(store, r, (fc_report_query){.code = "LOSS_MISMATCH"}), 4); /* 1, 5, 7, 11 */
    assert_int_equal(check_filter(store, r, (fc_report_query){.code = "LOSS_MISMATCH", .project = "p2"}), 2); /* 1, 5 */
    assert_int_equal(check_filter(store, r, (fc_report_query){.code = "NAN_IN_DATA", .run = "run-3"}), 1);
    assert_int_equal(check_filter(store, r, (fc_report_query){.code = "NAN_IN_DATA", .verdict = "fail",
                                                               .framework = "keras3"}), 2); /* 0, 6 */
    check_filter(store, r, (fc_report_query){.since_ms = r[6].row.created_ms});
    check_filter(store, r, (fc_report_query){.until_ms = r[6].row.created_ms});
    assert_int_equal(check_filter(store, r, (fc_report_query){.since_ms = r[6].row.created_ms,
                                                               .until_ms = r[6].row.created_ms}), 0);
    check_filter(store, r, (fc_report_query){.code = "NAN_IN_DATA", .before_id = since_id});
    check_filter(store, r, (fc_report_query){.framework = "keras3", .model_id = "sha256:m1", .project = "p1",
                                             .since_ms = r[0].row.created_ms});
    /* another team sees none of them */
    assert_int_equal(check_filter(store, r, (fc_report_query){.team_id = 3, .code = "NAN_IN_DATA"}), 0);
    fc_store_close(store);
    for (int i = 0; i < N_FILTER_ROWS; i++)
        free_report(&r[i]);
}

/* A location as logged: the password masked, and nothing else touched. */
static void test_store__display_masks_the_password(void **state)
{
    char out[256];

    (void)state;
    fc_store_display("/var/lib/fitcheck/fitcheck.db", out, sizeof(out));
    assert_string_equal(out, "/var/lib/fitcheck/fitcheck.db");
    fc_store_display("postgres://fitcheck:s3cret@db:5432/fitcheck", out, sizeof(out));
    assert_string_equal(out, "postgres://fitcheck:***@db:5432/fitcheck");
    fc_store_display("postgresql://u:p@ss@db/x", out, sizeof(out)); /* the last '@' of the authority ends it */
    assert_string_equal(out, "postgresql://u:***@db/x");
    fc_store_display("postgres://fitcheck@db:5432/fitcheck", out, sizeof(out));
    assert_string_equal(out, "postgres://fitcheck@db:5432/fitcheck");
    /* an '@' past the authority is not user info: the port stays */
    fc_store_display("postgres://db:5432/fitcheck?application_name=a@b", out, sizeof(out));
    assert_string_equal(out, "postgres://db:5432/fitcheck?application_name=a@b");
    assert_false(fc_store_is_postgres("postgres.db"));
    assert_true(fc_store_is_postgres("postgresql://db/x"));
}

/* ---- PostgreSQL only ---------------------------------------------------------- */

/* Both dialects carry the same migrations: the same numbers and names, in order. */
static void test_store__pg_migrations_match(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);

    assert_int_equal(fc_pg_migrations_count, fc_migrations_count);
    for (size_t i = 0; i < fc_migrations_count; i++) {
        assert_int_equal(fc_pg_migrations[i].version, fc_migrations[i].version);
        assert_string_equal(fc_pg_migrations[i].name, fc_migrations[i].name);
    }
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)fc_migrations_count);
    fc_store_close(store);
    /* a second replica starting on the migrated database applies nothing again */
    store = open_store(fx, 0);
    assert_int_equal(store->ops->schema_version(store), fc_store_latest_version());
    fc_store_close(store);
    assert_int_equal(sql_int(fx->loc, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)fc_migrations_count);
}

/* One bucket per key in the database: two stores (two replicas) draw on it together. */
static void test_store__pg_rate_buckets(void **state)
{
    store_fixture *fx = *state;
    fc_store *a = open_store(fx, 0), *b = open_store(fx, 0);
    char msg[256] = "";
    int allowed, taken = 0;
    int64_t retry = 0;

    assert_non_null(a->ops->rate_take);
    /* a burst of 4 at one token a minute: four requests, through either replica, then a refusal */
    for (int i = 0; i < 6; i++) {
        fc_store *s = i % 2 ? b : a;

        assert_int_equal(s->ops->rate_take(s, "0123456789abcdef", 1.0 / 60, 4, &allowed, &retry, msg, sizeof(msg)),
                         FC_STORE_OK);
        taken += allowed;
        if (i >= 4) {
            assert_int_equal(allowed, 0);
            assert_true(retry > 0 && retry <= 60000);
        }
    }
    assert_int_equal(taken, 4);
    /* another key has its own bucket */
    assert_int_equal(b->ops->rate_take(b, "fedcba9876543210", 1.0 / 60, 4, &allowed, &retry, msg, sizeof(msg)),
                     FC_STORE_OK);
    assert_int_equal(allowed, 1);
    /* a fast refill: the bucket has a token again after a few milliseconds */
    assert_int_equal(a->ops->rate_take(a, "00000000000000ff", 1000, 1, &allowed, &retry, msg, sizeof(msg)),
                     FC_STORE_OK);
    assert_int_equal(allowed, 1);
    usleep(20000);
    assert_int_equal(b->ops->rate_take(b, "00000000000000ff", 1000, 1, &allowed, &retry, msg, sizeof(msg)),
                     FC_STORE_OK);
    assert_int_equal(allowed, 1);
    fc_store_close(a);
    fc_store_close(b);
}

typedef struct heard {
    pthread_mutex_t lock;
    int n;
    int64_t teams[16];
} heard;

static void on_commit(void *ctx, int64_t team_id)
{
    heard *h = ctx;

    pthread_mutex_lock(&h->lock);
    if (h->n < 16)
        h->teams[h->n++] = team_id;
    pthread_mutex_unlock(&h->lock);
}

/* Waits up to 5 s for h to have heard n commits. */
static int heard_count(heard *h, int n)
{
    int got = 0;

    for (int k = 0; k < 500 && got < n; k++) {
        pthread_mutex_lock(&h->lock);
        got = h->n;
        pthread_mutex_unlock(&h->lock);
        if (got < n)
            usleep(10000);
    }
    return got;
}

/*
 * Two stores on one database, as two replicas: what one writes the other
 * reads, lists and streams, in one numbering of commits, and hears of (LISTEN).
 */
static void test_store__pg_replicas(void **state)
{
    store_fixture *fx = *state;
    fc_store *a = open_store(fx, 0), *b = open_store(fx, 0);
    heard h = {.n = 0};
    test_report r[4];
    events_seen e;

    pthread_mutex_init(&h.lock, NULL);
    assert_non_null(b->ops->watch);
    b->ops->watch(b, on_commit, &h);
    usleep(200000); /* the listener connects */
    for (int i = 0; i < 4; i++)
        assert_int_equal(make_report(&r[i], i), 0);
    r[3].row.team_id = 7;
    put_ok(a, &r[0]);
    put_ok(b, &r[1]);
    put_ok(a, &r[2]);
    put_ok(a, &r[3]);
    assert_get_equals(b, &r[0]);
    assert_get_equals(a, &r[1]);
    assert_int_equal(a->ops->count(a), 4);
    assert_int_equal(b->ops->count(b), 4);
    /* one numbering across the replicas, in commit order */
    e = events_after(b, 0, 0);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.id[0], r[0].row.id);
    assert_string_equal(e.id[1], r[1].row.id);
    assert_string_equal(e.id[2], r[2].row.id);
    assert_true(e.seq[0] < e.seq[1] && e.seq[1] < e.seq[2]);
    assert_int_equal(events_after(a, 7, 0).n, 1);
    /* b heard every commit, its own and a's, with the team of each */
    assert_int_equal(heard_count(&h, 4), 4);
    pthread_mutex_lock(&h.lock);
    {
        int team7 = 0;

        for (int i = 0; i < h.n; i++)
            team7 += h.teams[i] == 7;
        assert_int_equal(team7, 1);
    }
    pthread_mutex_unlock(&h.lock);
    /* a team made through one replica is found through the other */
    {
        int64_t t1 = 0, t2 = 0;
        int created = 0;
        char msg[256] = "";

        assert_int_equal(a->ops->team_ensure(a, "shared", 1, &t1, &created, msg, sizeof(msg)), FC_STORE_OK);
        assert_int_equal(created, 1);
        assert_int_equal(b->ops->team_ensure(b, "shared", 1, &t2, &created, msg, sizeof(msg)), FC_STORE_OK);
        assert_int_equal(created, 0);
        assert_int_equal(t1, t2);
    }
    fc_store_close(a);
    fc_store_close(b);
    pthread_mutex_destroy(&h.lock);
    for (int i = 0; i < 4; i++)
        free_report(&r[i]);
}

typedef struct one_put {
    fc_store *store;
    const fc_report_row *row;
    fc_store_status status;
} one_put;

static void *put_one(void *arg)
{
    one_put *o = arg;
    char msg[256];

    o->status = o->store->ops->put(o->store, o->row, msg, sizeof(msg));
    return NULL;
}

/*
 * A batch holding a report that cannot go in (its id is taken) stores the
 * others of the batch: the three-statement insert fails, and the writer
 * stores the batch again report by report. The batch is made by holding
 * event_seq's row from another connection while the reports queue.
 */
static void test_store__pg_batch_with_a_bad_report(void **state)
{
    store_fixture *fx = *state;
    fc_store *store = open_store(fx, 0);
    test_report first, good1, good2;
    fc_report_row dup;
    one_put puts[3];
    pthread_t threads[3];
    PGconn *holder = PQconnectdb(fx->loc);
    char *json = NULL, msg[256] = "";

    assert_int_equal(make_report(&first, 0), 0);
    assert_int_equal(make_report(&good1, 1), 0);
    assert_int_equal(make_report(&good2, 2), 0);
    put_ok(store, &first);
    dup = good1.row;
    memcpy(dup.id, first.row.id, sizeof(dup.id)); /* a taken id: its INSERT fails */
    assert_int_equal(PQstatus(holder), CONNECTION_OK);
    PQclear(PQexec(holder, "BEGIN"));
    PQclear(PQexec(holder, "SELECT seq FROM event_seq WHERE id = 1 FOR UPDATE"));
    /* the first put's batch waits on the row; the three after it queue up behind as one batch */
    puts[0] = (one_put){store, &good2.row, FC_STORE_ERROR};
    assert_int_equal(pthread_create(&threads[0], NULL, put_one, &puts[0]), 0);
    usleep(100000);
    puts[1] = (one_put){store, &good1.row, FC_STORE_ERROR};
    puts[2] = (one_put){store, &dup, FC_STORE_OK};
    for (int i = 1; i < 3; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, put_one, &puts[i]), 0);
    usleep(200000);
    PQclear(PQexec(holder, "COMMIT"));
    PQfinish(holder);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    assert_int_equal(puts[0].status, FC_STORE_OK);
    assert_int_equal(puts[1].status, FC_STORE_OK);
    assert_int_equal(puts[2].status, FC_STORE_ERROR);
    {
        fc_store_stats st;

        store->ops->stats(store, &st);
        assert_int_equal(st.max_batch, 2); /* good1 and the duplicate went in one batch */
    }
    assert_get_equals(store, &first);
    assert_get_equals(store, &good1);
    assert_get_equals(store, &good2);
    assert_int_equal(store->ops->count(store), 3);
    assert_int_equal(store->ops->get(store, 0, first.row.id, &json, msg, sizeof(msg)), FC_STORE_OK);
    free(json);
    fc_store_close(store);
    free_report(&first);
    free_report(&good1);
    free_report(&good2);
}

/* The contract tests of both engines (those about SQLite's file, its upgrades and SQLite only are marked). */
#define STORE_TESTS(setup, teardown)                                                                               \
    cmocka_unit_test_setup_teardown(test_store__open_creates_file, setup, teardown),                               \
        cmocka_unit_test_setup_teardown(test_store__put_get_roundtrip, setup, teardown),                           \
        cmocka_unit_test_setup_teardown(test_store__duplicate_id_rejected, setup, teardown),                       \
        cmocka_unit_test_setup_teardown(test_store__report_rows_whole_or_none, setup, teardown),                   \
        cmocka_unit_test_setup_teardown(test_store__keyset_pagination, setup, teardown),                           \
        cmocka_unit_test_setup_teardown(test_store__list_filters, setup, teardown),                                \
        cmocka_unit_test_setup_teardown(test_store__list_before_oldest_is_empty, setup, teardown),                 \
        cmocka_unit_test_setup_teardown(test_store__persists_across_reopen, setup, teardown),                      \
        cmocka_unit_test_setup_teardown(test_store__newer_schema_refused, setup, teardown),                        \
        cmocka_unit_test_setup_teardown(test_store__models, setup, teardown),                                      \
        cmocka_unit_test_setup_teardown(test_store__teams_are_isolated, setup, teardown),                          \
        cmocka_unit_test_setup_teardown(test_store__keys, setup, teardown),                                        \
        cmocka_unit_test_setup_teardown(test_store__concurrent_puts, setup, teardown),                             \
        cmocka_unit_test_setup_teardown(test_store__events_in_commit_order, setup, teardown)

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        STORE_TESTS(setup_dir, teardown_dir),
        /* SQLite's own: upgrades of an older file, a path that cannot be a database */
        cmocka_unit_test_setup_teardown(test_store__upgrade_in_place, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_store__unopenable_path, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_store__events_numbered_on_upgrade, setup_dir, teardown_dir),
        cmocka_unit_test(test_store__display_masks_the_password),
    };
    const struct CMUnitTest pg_tests[] = {
        STORE_TESTS(setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_store__pg_migrations_match, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_store__pg_rate_buckets, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_store__pg_replicas, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_store__pg_batch_with_a_bad_report, setup_pg, teardown_pg),
    };
    const char *url_file = getenv("FITCHECK_PG_URL_FILE");
    int failed = cmocka_run_group_tests_name("store on SQLite", sqlite_tests, NULL, NULL);
    FILE *f;

    if (url_file == NULL || url_file[0] == '\0') {
        print_message("store on PostgreSQL: skipped (FITCHECK_PG_URL_FILE is unset; ctest sets it)\n");
        return failed;
    }
    /* set by ctest: the server must be there */
    f = fopen(url_file, "r");
    if (f == NULL || fgets(pg_admin_url, sizeof(pg_admin_url), f) == NULL) {
        print_error("%s: no PostgreSQL URL (tests/pg/cluster.sh start did not run?)\n", url_file);
        if (f != NULL)
            fclose(f);
        return failed + 1;
    }
    fclose(f);
    pg_admin_url[strcspn(pg_admin_url, "\r\n")] = '\0';
    return failed + cmocka_run_group_tests_name("store on PostgreSQL", pg_tests, NULL, NULL);
}
