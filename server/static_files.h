/*
 * static_files.h - the dashboard's files (server/dashboard/), embedded at
 * build time by cmake/embed_static.cmake, sorted by name.
 */
#ifndef FITCHECK_STATIC_FILES_H
#define FITCHECK_STATIC_FILES_H

#include <stddef.h>

typedef struct fc_static_file {
    const char *name;         /* "app.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    const char *bytes;
    size_t len;
} fc_static_file;

extern const fc_static_file fc_static_files[];
extern const size_t fc_static_files_count;

#endif
