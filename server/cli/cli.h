/*
 * cli.h - the offline `fitcheck` command: a preflight from static artifacts
 * (a model file, .npy arrays, a request JSON) with no framework installed
 * and no server needed; or the same request posted to a team's endpoint.
 *
 * Three parts, each usable alone (the unit tests call them):
 *   cli_request.c  builds the preflight request the server would build from
 *                  the same files (a .keras archive's config.json, each
 *                  .npy file's header and statistics);
 *   cli_render.c   prints a report: model.summary() then the findings, or
 *                  GitHub workflow annotations;
 *   cli_remote.c   posts a request to fitcheckd (libcurl) and returns its
 *                  report.
 */
#ifndef FITCHECK_CLI_H
#define FITCHECK_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define CLI_MAX_ARRAYS 64

/* Which argument of fit an array file is. */
typedef enum cli_group { CLI_X = 0, CLI_Y, CLI_VALIDATION_X, CLI_VALIDATION_Y } cli_group;

typedef struct cli_array {
    cli_group group;
    const char *name; /* the model input's (output's) name for a multi-input model, or NULL */
    const char *path; /* a .npy file */
} cli_array;

/* What the command line says the request is. Strings are borrowed (argv). */
typedef struct cli_inputs {
    const char *model_path;        /* .keras archive, Keras JSON or TF.js model.json; NULL: in the request */
    const char *request_path;      /* a PreflightRequest JSON file to start from, or NULL */
    cli_array arrays[CLI_MAX_ARRAYS];
    size_t n_arrays;
    const char *framework;         /* keras3, tf.keras2, tfjs, or NULL */
    const char *framework_version; /* or NULL */
    const char *loss;              /* compile.loss, or NULL */
    const char *batch_size;        /* fit.batch_size as typed, or NULL */
    const char *epochs;            /* fit.epochs as typed, or NULL */
    const char *validation_split;  /* fit.validation_split as typed, or NULL */
    const char *project, *run;     /* labels, or NULL */
} cli_inputs;

/*
 * Builds the preflight request: the request file (or {}), the model file
 * under "model", each array's header and statistics under data (x, y,
 * validation.x, validation.y; by name when one is given), then the flags
 * (which win over the request file, except that an argument given both as
 * a file and in the request is refused). New reference on success; NULL
 * with one sentence in msg (naming the file or flag) on bad input.
 */
json_t *cli_build_request(const cli_inputs *in, char *msg, size_t msg_size);

typedef enum cli_format { CLI_TEXT = 0, CLI_JSON, CLI_GITHUB } cli_format;

/*
 * Prints report (the Report JSON of openapi.yaml, or the core's report
 * before the server adds its identity fields) to out. model_path names the
 * file in GitHub annotations (NULL: none); report_url, when not NULL, is
 * printed as where the stored report can be read.
 */
void cli_render(FILE *out, const json_t *report, cli_format format, const char *model_path,
                const char *report_url);

/* The text model.summary() prints (Keras 2's layout, in ASCII): into out. */
void cli_render_summary(FILE *out, const json_t *model);

typedef enum cli_remote_status {
    CLI_REMOTE_OK = 0,
    CLI_REMOTE_REFUSED,    /* the server answered 4xx: the request (or the key) is wrong */
    CLI_REMOTE_FAILED      /* no answer, a 5xx, or an answer that is not a report */
} cli_remote_status;

/*
 * POSTs request to <server>/v1/preflight (key as a bearer token when not
 * NULL) and sets *report to the stored report (new reference). On failure
 * msg holds one sentence (a problem+json's title, detail and pointer when
 * the server sent one).
 */
cli_remote_status cli_remote_preflight(const char *server, const char *key, const json_t *request, json_t **report,
                                       char *msg, size_t msg_size);

#endif
