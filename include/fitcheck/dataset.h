/*
 * dataset.h - the arrays a request says it will pass to fit (x, y): a single
 * tensor, a list of tensors, or a dict keyed by input/output name, each given
 * as a header {shape, dtype, stats}.
 */
#ifndef FITCHECK_DATASET_H
#define FITCHECK_DATASET_H

#include <stddef.h>

#include <jansson.h>

#include "fitcheck/error.h"
#include "fitcheck/shape.h"

#define FC_MAX_ARRAYS 256

typedef enum fc_data_form {
    FC_DATA_NONE = 0, /* not given */
    FC_DATA_SINGLE,   /* one tensor */
    FC_DATA_LIST,     /* [tensor, ...], matched by position */
    FC_DATA_DICT      /* {"name": tensor}, matched by name */
} fc_data_form;

typedef struct fc_tensor {
    char *key;          /* owned; the dict key, NULL for single/list forms */
    fc_shape shape;     /* with the sample axis first */
    char *dtype;        /* owned; NULL when not given */
    const json_t *stats;/* borrowed from the request; NULL when not given */
    char pointer[128];  /* JSON pointer of this tensor in the request */
} fc_tensor;

typedef struct fc_arrays {
    fc_data_form form;
    fc_tensor *items; /* owned array */
    size_t len;
} fc_arrays;

/* Zeroes *arrays (form FC_DATA_NONE). */
void fc_arrays_init(fc_arrays *arrays);

/*
 * Reads x or y from the request. v may be NULL (not given: FC_DATA_NONE).
 * path is v's JSON pointer ("/data/x"). Fails with FC_ERR_INVALID and
 * err->path at the offending value when v is not a tensor, a non-empty list
 * of tensors or a non-empty object of tensors, or a tensor has no valid
 * "shape"; FC_ERR_NOMEM when out of memory. On failure *arrays is released.
 * Borrowed stats pointers live as long as v.
 */
fc_status fc_arrays_parse(const json_t *v, const char *path, fc_arrays *arrays, fc_error *err);

/* Frees what *arrays owns and zeroes it. */
void fc_arrays_release(fc_arrays *arrays);

#endif
