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
    const char *device;        /* the preset named, NULL when none (static) */
    int64_t device_bytes;      /* the memory training is held against: declared, the preset's, or the largest
                                  common GPU's when nothing is declared */
    const char *device_source; /* "declared", "preset" or "assumed" (static) */
} fc_resources;

/* Fills *out from a parsed and inferred request. Never fails; unknowns are -1. */
void fc_resources_compute(const fc_request *req, fc_resources *out);

/* New reference: {"dataset_bytes", "dataset_size", "weights_bytes", "training_memory_bytes",
 * "training_memory_size", "device"} with nulls for unknowns; "device" says what the training
 * floor is held against ({"name", "memory_bytes", "memory_size", "source", "note"}). NULL when
 * out of memory. */
json_t *fc_resources_json(const fc_resources *r);

/* Findings when the request's environment cannot hold the data or the training. FC_OK or FC_ERR_NOMEM. */
fc_status fc_check_resources(const fc_request *req, const fc_resources *r, fc_findings *out);

/* A device preset (environment.device): what one machine people train on offers. */
typedef struct fc_device_preset {
    const char *name;          /* "T4", "A100-80GB", "colab-free", "cpu-16GB" */
    const char *description;   /* "NVIDIA T4 (16 GB)" */
    int64_t device_bytes;      /* memory the accelerator offers (nvidia-smi's total); 0 for a CPU */
    int64_t host_bytes;        /* the host's memory when the preset fixes it, else -1 */
} fc_device_preset;

/* The preset named name (case-insensitive); NULL when there is none. */
const fc_device_preset *fc_device_preset_find(const char *name);

/* The names of every preset, comma-separated, into buf (always terminated). */
void fc_device_preset_names(char *buf, size_t size);

/* The most memory a common single GPU offers (the largest preset): the yardstick when no device is declared. */
int64_t fc_largest_common_gpu_bytes(void);

/* "313.6 MB": decimal units, one decimal. */
void fc_human_bytes(double bytes, char *buf, size_t size);

#endif
