/*
 * store_migrations.h - the SQL migrations embedded at build time by
 * cmake/embed_migrations.cmake from migrations/NNNN_name.sql, in order, and
 * their PostgreSQL dialect from migrations/postgres/ (the same versions).
 */
#ifndef FITCHECK_STORE_MIGRATIONS_H
#define FITCHECK_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct fc_migration {
    int version;      /* NNNN from the file name */
    const char *name; /* the file name */
    const char *sql;  /* the file's text */
} fc_migration;

extern const fc_migration fc_migrations[];
extern const size_t fc_migrations_count;
extern const fc_migration fc_pg_migrations[];
extern const size_t fc_pg_migrations_count;

#endif
