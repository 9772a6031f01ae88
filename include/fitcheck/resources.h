/*
 * resources.h - memory the data and the training need, for the report's
 * "resources" section and the memory findings.
 */
#ifndef FITCHECK_RESOURCES_H
#define FITCHECK_RESOURCES_H

#include <stdint.h>

#include <jansson.h>

#include "fitcheck/preflight.h"

typedef struct fc_resources {
    int64_t dataset_bytes;     /* x and y as given (dtype sizes); -1 unknown */
    int64_t weights_bytes;     /* float32 weights; -1 unknown */
    int64_t gradients_bytes;   /* one float32 gradient per trainable weight */
    int64_t optimizer_bytes;   /* two float32 slots per trainable weight (Adam) */
    int64_t activations_bytes; /* layer outputs for one batch, forward and backward */
    int64_t training_bytes;    /* the sum: a floor for device memory; -1 unknown */
} fc_resources;

/* Fills *out from a parsed and inferred request. Never fails; unknowns are -1. */
void fc_resources_compute(const fc_request *req, fc_resources *out);

/* New reference: {"dataset_bytes", "dataset_size", "weights_bytes", "training_memory_bytes",
 * "training_memory_size"} with nulls for unknowns; NULL when out of memory. */
json_t *fc_resources_json(const fc_resources *r);

/* Findings when the request's environment cannot hold the data or the training. FC_OK or FC_ERR_NOMEM. */
fc_status fc_check_resources(const fc_request *req, const fc_resources *r, fc_findings *out);

/* "313.6 MB": decimal units, one decimal. */
void fc_human_bytes(double bytes, char *buf, size_t size);

#endif
