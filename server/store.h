/*
 * store.h - the report store: where reports are kept and listed from.
 *
 * An interface (a table of operations) with two engines, SQLite
 * (store_sqlite.c: one process owns a file) and PostgreSQL (store_pg.c:
 * replicas share a database); fc_store_open picks the engine from the
 * location.
 * Every operation is safe to call from several threads at once.
 */
#ifndef FITCHECK_STORE_H
#define FITCHECK_STORE_H

#include <stddef.h>
#include <stdint.h>

#define FC_REPORT_ID_LEN 36 /* UUIDv7 text form */
#define FC_STORE_MAX_LIMIT 200

typedef enum fc_store_status {
    FC_STORE_OK = 0,
    FC_STORE_NOT_FOUND,
    FC_STORE_ERROR /* the engine failed; the message says how */
} fc_store_status;

/* One stored report: the row's columns, with the report JSON as text. */
typedef struct fc_report_row {
    char id[FC_REPORT_ID_LEN + 1]; /* time-ordered UUIDv7 */
    int64_t team_id;               /* the team of the key that made it; 0 = no team (--auth none) */
    int64_t created_ms;            /* Unix time in milliseconds */
    char verdict[8];               /* "fail", "warn", "pass" */
    char framework[16];            /* "keras3", "tf.keras2", "tfjs" */
    int64_t n_error, n_warning, n_info;
    const char *project;           /* label, may be NULL */
    const char *run;               /* label, may be NULL */
    const char *digest;            /* "sha256:<hex>" of the request body */
    const char *report_json;       /* the full report */
    const char *list_json;         /* its history-list item (id, created_at, framework, verdict, summary,
                                    * counts, labels), or NULL to summarise report_json when listing */
    const char *model_id;          /* "sha256:<hex>" of the model's canonical descriptor, or NULL */
    const char *const *codes;      /* the finding codes in the report (repeats allowed), for the code filter */
    size_t n_codes;
} fc_report_row;

/* Filters and page of a listing; NULL/0 fields do not filter. */
typedef struct fc_report_query {
    int64_t team_id;        /* only this team's reports (always filters; 0 is no team's) */
    int limit;              /* 1..FC_STORE_MAX_LIMIT */
    const char *before_id;  /* keyset cursor: only ids < before_id; NULL for the first page */
    const char *verdict;    /* exact match, or NULL */
    const char *project;    /* exact match on labels.project, or NULL */
    const char *run;        /* exact match on labels.run, or NULL */
    const char *framework;  /* "keras3", "tf.keras2", "tfjs", or NULL */
    const char *model_id;   /* reports of this model ("sha256:<hex>"), or NULL */
    const char *code;       /* reports with a finding of this code, or NULL */
    int64_t since_ms;       /* created at or after (Unix ms); 0 for no bound */
    int64_t until_ms;       /* created before (Unix ms); 0 for no bound */
} fc_report_query;

/* Called once per listed report, newest first, with its summary JSON text
 * (id, created_at, framework, verdict, summary, counts, labels). */
typedef int (*fc_report_visit_fn)(void *ctx, const char *id, const char *summary_json);

/* Called once per new report for the events stream, in commit order: its sequence number (see list_after), its
 * id and its list item. */
typedef int (*fc_event_visit_fn)(void *ctx, int64_t seq, const char *id, const char *item_json);

typedef struct fc_store fc_store;

#define FC_KEY_ID_LEN 16   /* hex digits of a key's public id */
#define FC_TEAM_NAME_MAX 64 /* bytes of a team's name */

/* An API key as stored: never the secret, only a salted hash of it. */
typedef struct fc_api_key {
    char id[FC_KEY_ID_LEN + 1]; /* public id, lowercase hex */
    int64_t team_id;            /* its team; 0 for an admin key */
    char team[FC_TEAM_NAME_MAX + 1]; /* the team's name ("" for an admin key) */
    int admin;                  /* 1: reads /metrics, belongs to no team */
    char label[129];            /* free text, may be empty */
    char salt[33];              /* 32 hex digits */
    char hash[65];              /* SHA-256(salt || secret), 64 hex digits */
    int64_t created_ms;
    int64_t revoked_ms;         /* 0 while the key is valid */
} fc_api_key;

/* Called once per key by key_list, oldest first. */
typedef int (*fc_key_visit_fn)(void *ctx, const fc_api_key *key);

/* How writes have been grouped since the store opened. */
typedef struct fc_store_stats {
    int64_t commits;   /* transactions committed (one fsync each) */
    int64_t reports;   /* reports they held */
    int64_t max_batch; /* the most reports one commit held */
} fc_store_stats;

/* Told of a report of team_id committed by any process sharing the database; team_id -1: of any team (some
 * commits may have gone unheard, as while the database was unreachable). */
typedef void (*fc_store_commit_fn)(void *ctx, int64_t team_id);

typedef struct fc_store_ops {
    const char *engine;
    /* Stores a report; returns only once it is durable (committed, possibly with others queued beside it). */
    fc_store_status (*put)(fc_store *store, const fc_report_row *row, char *msg, size_t msg_size);
    /* Fetches a report of team_id: *json_out is malloc'd (caller frees) on FC_STORE_OK. Another team's report
     * is FC_STORE_NOT_FOUND, exactly like an id nobody stored. */
    fc_store_status (*get)(fc_store *store, int64_t team_id, const char *id, char **json_out, char *msg,
                           size_t msg_size);
    /* Fetches the report of team_id that came before report id in its project (the same labels.project, or
     * both without one): the newest older one. FC_STORE_NOT_FOUND when id is the project's first. */
    fc_store_status (*previous)(fc_store *store, int64_t team_id, const char *id, char **json_out, char *msg,
                                size_t msg_size);
    /* Visits up to q->limit reports newest first; *more is set when another page exists. */
    fc_store_status (*list)(fc_store *store, const fc_report_query *q, fc_report_visit_fn visit, void *ctx,
                            int *more, char *msg, size_t msg_size);
    /* Visits up to limit reports of team_id whose sequence numbers come after after_seq, in that order, with
     * their list items. For the events stream. Sequence numbers grow in commit order (gaps allowed): once a
     * reader sees seq N, every report with a smaller one is committed and visible, so a cursor never skips a
     * report that commits late. A visit that fails stops the walk with FC_STORE_ERROR. */
    fc_store_status (*list_after)(fc_store *store, int64_t team_id, int64_t after_seq, int limit,
                                  fc_event_visit_fn visit, void *ctx, char *msg, size_t msg_size);
    /* The highest sequence number of team_id's reports committed now (0 when it has none): where a stream of
     * the reports "from now on" starts. */
    fc_store_status (*events_head)(fc_store *store, int64_t team_id, int64_t *seq, char *msg, size_t msg_size);
    /* Number of stored reports, or -1 on failure. */
    int64_t (*count)(fc_store *store);
    /* Schema version applied, or -1 when the database does not answer. */
    int (*schema_version)(fc_store *store);
    /* Stores a model descriptor under id for team_id (the text once, whoever stored it first); *created says
     * whether this team had not stored it before. Durable on return. */
    fc_store_status (*put_model)(fc_store *store, int64_t team_id, const char *id, const char *json, int *created,
                                 char *msg, size_t msg_size);
    /* Fetches a model descriptor team_id stored: *json_out is malloc'd (caller frees) on FC_STORE_OK; one only
     * other teams stored is FC_STORE_NOT_FOUND. */
    fc_store_status (*get_model)(fc_store *store, int64_t team_id, const char *id, char **json_out, char *msg,
                                 size_t msg_size);
    /* The id of the team called name, creating it when create is set (else FC_STORE_NOT_FOUND when there is
     * none); *created says whether it was made now. */
    fc_store_status (*team_ensure)(fc_store *store, const char *name, int create, int64_t *team_id, int *created,
                                   char *msg, size_t msg_size);
    /* Stores a new key (id unique: FC_STORE_ERROR when taken). Durable on return. */
    fc_store_status (*key_put)(fc_store *store, const fc_api_key *key, char *msg, size_t msg_size);
    /* The key with this id, revoked or not (the team's name filled in), or FC_STORE_NOT_FOUND. */
    fc_store_status (*key_get)(fc_store *store, const char *id, fc_api_key *out, char *msg, size_t msg_size);
    /* Visits every key, oldest first. */
    fc_store_status (*key_list)(fc_store *store, fc_key_visit_fn visit, void *ctx, char *msg, size_t msg_size);
    /* Marks a valid key revoked at now_ms; FC_STORE_NOT_FOUND when there is no such key or it is revoked. */
    fc_store_status (*key_revoke)(fc_store *store, const char *id, int64_t now_ms, char *msg, size_t msg_size);
    /* Optional (NULL when one process owns the database, as on SQLite: the caller keeps the buckets in memory):
     * takes a token from key_id's bucket (refilled at rate per second, holding at most burst) kept in the
     * database, so that every replica sharing it draws on one bucket. *allowed is 1 when a token was taken, else
     * 0 with *retry_after_ms until one is there. FC_STORE_ERROR when the database does not answer. */
    fc_store_status (*rate_take)(fc_store *store, const char *key_id, double rate, double burst, int *allowed,
                                 int64_t *retry_after_ms, char *msg, size_t msg_size);
    /* Optional (NULL when only this process writes, as on SQLite): from now on calls fn(ctx, team_id), on a
     * thread of the store's, for every report committed by any process sharing the database, this one's
     * included. Called once, before serving; fn must be thread-safe and quick. */
    void (*watch)(fc_store *store, fc_store_commit_fn fn, void *ctx);
    /* Write grouping so far (for /metrics and the benchmarks). */
    void (*stats)(fc_store *store, fc_store_stats *out);
    void (*close)(fc_store *store);
} fc_store_ops;

struct fc_store {
    const fc_store_ops *ops; /* the engine */
};

/*
 * Opens the store at location: a PostgreSQL URI (postgres://... or
 * postgresql://...), or else a SQLite file path (created when missing).
 * Applies every embedded migration not yet recorded (the engine's dialect),
 * each in its own transaction, up to max_version (0 for all; PostgreSQL
 * needs them all). Returns NULL and a message in msg on failure. Close with
 * fc_store_close.
 */
fc_store *fc_store_open(const char *location, int max_version, char *msg, size_t msg_size);

/* Closes the store cleanly (checkpointing the WAL). store may be NULL. */
void fc_store_close(fc_store *store);

/* The highest migration version embedded in this binary. */
int fc_store_latest_version(void);

/* Engine constructors (store_<engine>.c). */
fc_store *fc_store_sqlite_open(const char *path, int max_version, char *msg, size_t msg_size);
fc_store *fc_store_pg_open(const char *conninfo, int max_version, char *msg, size_t msg_size);

/* Whether location names a PostgreSQL database (a postgres:// or postgresql:// URI). */
int fc_store_is_postgres(const char *location);

/* location as it may be printed or logged: a URI's password (user:password@) replaced by "***". */
void fc_store_display(const char *location, char *out, size_t out_size);

#endif
