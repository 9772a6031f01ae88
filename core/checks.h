/*
 * checks.h - the core's check passes (private to core/). Each reads a parsed
 * request and appends findings; each returns FC_OK or FC_ERR_NOMEM.
 */
#ifndef FITCHECK_CHECKS_H
#define FITCHECK_CHECKS_H

#include "fitcheck/findings.h"
#include "fitcheck/preflight.h"

/* data.x against the model inputs: count, names, rank and fixed dimensions. */
fc_status fc_check_inputs(const fc_request *req, fc_findings *out);

/* Formats a data value as the frameworks print it: an integer without a fraction or exponent when it is one. */
void fc_fmt_num(char *buf, size_t size, double v);

/* The output activation against the loss (request compile.loss, else the descriptor's). */
fc_status fc_check_activation_loss(const fc_request *req, fc_findings *out);

/* Plain SGD against the scale of x and y (Dense stacks with mean squared error): Inf/NaN ahead. */
fc_status fc_check_optimizer(const fc_request *req, fc_findings *out);

/* For the tfjs target: loss, metric and optimizer names TF.js has in no spelling. */
fc_status fc_check_tfjs_names(const fc_request *req, fc_findings *out);

/* y against each output and the loss: shapes, one-hot vs sparse, label ranges. */
fc_status fc_check_labels(const fc_request *req, fc_findings *out);

/* dtypes, non-finite and constant values, fit settings against the sample count, a missing loss. */
fc_status fc_check_data(const fc_request *req, fc_findings *out);

/* Bytes an array takes (as dtype_override when not NULL), or -1 when unknown. */
int64_t fc_tensor_bytes(const fc_tensor *t, const char *dtype_override);

/* Sample counts of every array in x and y agree. */
fc_status fc_check_cardinality(const fc_request *req, fc_findings *out);

/* Streams (Dataset, generator, Sequence) and Python lists against what the release's fit accepts. */
fc_status fc_check_containers(const fc_request *req, fc_findings *out);

#endif
