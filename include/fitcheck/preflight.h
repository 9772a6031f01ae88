/*
 * preflight.h - one preflight: a request (model descriptor, data headers,
 * compile/fit settings) in, a report (verdict, findings, model summary) out.
 *
 * This is the core's entry point for the server. It is pure: no I/O, no
 * globals; it may be called from many threads at once.
 */
#ifndef FITCHECK_PREFLIGHT_H
#define FITCHECK_PREFLIGHT_H

#include <stdint.h>

#include <jansson.h>

#include "fitcheck/dataset.h"
#include "fitcheck/error.h"
#include "fitcheck/findings.h"
#include "fitcheck/graph.h"
#include "fitcheck/model.h"
#include "fitcheck/version.h"

#define FC_MAX_LABEL_LEN 200 /* characters */

typedef struct fc_request {
    const json_t *body;       /* borrowed: the whole request */
    fc_model model;           /* the parsed descriptor */
    fc_target target;         /* the framework (named by the request, else detected, else keras3) and its release */
    const char *framework_source; /* "request", "detected" or "default" (static) */
    fc_arrays x;              /* data.x */
    fc_arrays y;              /* data.y */
    fc_arrays vx;             /* data.validation.x (validation_data) */
    fc_arrays vy;             /* data.validation.y */
    int validation_view;      /* set on the view the validation arrays are checked through */
    int64_t batch_size;       /* fit.batch_size, default 32 */
    int batch_size_given;     /* the request named fit.batch_size */
    int64_t epochs;           /* fit.epochs, default 1 */
    double validation_split;  /* fit.validation_split, default 0 */
    int64_t steps_per_epoch;  /* fit.steps_per_epoch, 0 when not given */
    int64_t validation_steps; /* fit.validation_steps, 0 when not given */
    int64_t host_memory_bytes;   /* environment.host_memory_bytes, -1 when not given */
    int64_t device_memory_bytes; /* environment.device_memory_bytes (else the preset's), -1 when not given */
    const char *device;          /* environment.device preset name (static), NULL when not given */
    const json_t *labels;     /* borrowed: the request's labels object, or NULL */
    fc_graph graph;           /* filled by fc_request_infer */
} fc_request;

/*
 * Reads a request body (already parsed JSON) into *req. body is borrowed and
 * must outlive *req. On failure *req is released and err names the JSON
 * pointer of the offending value: FC_ERR_INVALID for a body of the wrong
 * shape, FC_ERR_JSON for a model given as a string that does not parse,
 * FC_ERR_UNSUPPORTED for a descriptor the core cannot read, FC_ERR_NOMEM.
 */
fc_status fc_request_parse(const json_t *body, fc_request *req, fc_error *err);

/* Frees what *req owns. req may be NULL. */
void fc_request_release(fc_request *req);

/*
 * Builds the model graph for the request's target: every layer's output
 * shapes and weights. A Sequential without an input shape is built, as
 * Python Keras does, from the shape of x (the model's input shape is set
 * from it). Model-definition problems are appended to *findings.
 * Returns FC_OK or FC_ERR_NOMEM.
 */
fc_status fc_request_infer(fc_request *req, fc_findings *findings);

/*
 * Runs every check on a parsed request, appending to *findings (initialised
 * by the caller). Returns FC_OK or FC_ERR_NOMEM.
 */
fc_status fc_preflight_check(const fc_request *req, fc_findings *findings);

/*
 * The whole preflight: parse body, check, and build the report object
 * {"framework", "framework_source", "framework_version", "verdict",
 *  "summary", "counts", "findings", "model", "labels"}. The caller adds
 * the identity fields (id, created_at, request_digest, timing_us).
 * On FC_OK *report_out is a new reference; on failure it is NULL and err
 * says why (as for fc_request_parse).
 */
fc_status fc_preflight_run(const json_t *body, json_t **report_out, fc_error *err);

/*
 * The model half alone: like fc_preflight_run, but only the model is read
 * and judged (model-definition findings, activation vs loss); data, fit
 * settings and labels are ignored and the result has no "labels".
 */
fc_status fc_inspect_run(const json_t *body, json_t **out, fc_error *err);

/* "fail" when any finding is an error, "warn" when any is a warning, else "pass". */
const char *fc_verdict(const fc_findings *findings);

#endif
