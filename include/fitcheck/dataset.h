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

#define FC_MAX_DISTINCT 256
#define FC_MAX_STRING_EXAMPLES 16

/* What is known of an array's values: from its "stats", or computed from "values". */
typedef struct fc_stats {
    int has_range;          /* min and max are known (over the finite values) */
    double min, max;
    int64_t nan_count;      /* -1 when not known */
    int64_t inf_count;      /* -1 when not known */
    int64_t distinct_count; /* number of distinct values; -1 when not known or over FC_MAX_DISTINCT */
    double *distinct;       /* owned; sorted; n_distinct values (all of them when distinct_count >= 0) */
    size_t n_distinct;
    int all_integers;       /* every value is a whole number (1), some is not (0), unknown (-1) */
    int has_moments;        /* mean and mean_square are known (over the finite values) */
    double mean, mean_square;
    int has_row_sums;       /* row_sum_min/max are known: the sums over the last axis of each row */
    double row_sum_min, row_sum_max;
    int strings;            /* the values are strings (class names): distinct and min/max say nothing */
    int64_t string_count;   /* distinct strings; -1 when not known or over FC_MAX_DISTINCT */
    const char *string_examples[FC_MAX_STRING_EXAMPLES]; /* borrowed from the request; sorted */
    size_t n_string_examples;
    json_t *class_counts;   /* owned reference: {"value": samples}, from stats or counted in values; or NULL */
} fc_stats;

/* What holds an array on the Python (or JS) side: it decides what fit accepts and how. */
typedef enum fc_container {
    FC_CONTAINER_NUMPY = 0,   /* a NumPy array (the default) */
    FC_CONTAINER_DATAFRAME,   /* pandas.DataFrame */
    FC_CONTAINER_SERIES,      /* pandas.Series */
    FC_CONTAINER_LIST,        /* a Python list: of scalars (rank 1) or of per-sample arrays */
    FC_CONTAINER_TENSOR,      /* tf.Tensor (or a TF.js tensor) */
    FC_CONTAINER_DATASET,     /* tf.data.Dataset */
    FC_CONTAINER_GENERATOR,   /* a Python generator */
    FC_CONTAINER_SEQUENCE,    /* keras.utils.Sequence / PyDataset */
    FC_CONTAINER_ARRAY_LIST   /* a Python list of per-sample NumPy arrays ("list-of-arrays") */
} fc_container;

/* "numpy", "pandas.DataFrame", ... (the wire names). */
const char *fc_container_name(fc_container c);

/* A Dataset, generator or Sequence: yields batches (x and y together), no sample axis of its own. */
int fc_container_is_stream(fc_container c);

/*
 * A stream's "shape" is the shape of one element as Keras sees it
 * (element_spec): the batch axis first when it is batched (its size, or
 * null). A batched stream's dims[0] is read into batch_size (when not given)
 * and then set unknown, since it counts no samples; an unbatched stream
 * (batch_size null) keeps the per-sample shape, which may be rank 0.
 */
typedef struct fc_tensor {
    char *key;          /* owned; the dict key, NULL for single/list forms */
    fc_container container;
    int64_t batch_size; /* streams: samples per element, 0 when not batched, -1 when not known */
    int64_t batches;    /* streams: elements per pass (cardinality / len()); as tf.data: -1 infinite, -2 unknown */
    fc_shape shape;     /* with the sample axis first (streams: see above) */
    char *dtype;        /* owned; NULL when not given */
    const json_t *stats_json; /* borrowed from the request; NULL when not given */
    fc_stats stats;     /* parsed stats (or computed from "values") */
    char pointer[128];  /* JSON pointer of this tensor in the request */
} fc_tensor;
/* A stream whose elements are single samples (batch_size null): they lack the batch axis. */
int fc_tensor_unbatched(const fc_tensor *t);

/* Bytes one element of a NumPy dtype takes ("float32" -> 4); 0 when unknown or not fixed-size. */
int fc_dtype_size(const char *dtype);

/* 1 for dtypes Keras cannot turn into a numeric tensor (object, str, bytes, <U.., S..). */
int fc_dtype_is_non_numeric(const char *dtype);

/* 1 for integer and bool dtypes (int8..uint64, bool). */
int fc_dtype_is_integer(const char *dtype);

typedef struct fc_arrays {
    fc_data_form form;
    fc_tensor *items; /* owned array */
    size_t len;
} fc_arrays;

/* Zeroes *arrays (form FC_DATA_NONE). */
void fc_arrays_init(fc_arrays *arrays);

/*
 * Reads x or y from the request. v may be NULL (not given: FC_DATA_NONE).
 * A tensor is {"shape", "dtype", "stats"} or {"values": nested arrays,
 * "dtype"}: with values the shape and stats are computed (null counts as
 * NaN), and a "shape" given beside them must agree.
 * path is v's JSON pointer ("/data/x"). Fails with FC_ERR_INVALID and
 * err->path at the offending value when v is not a tensor, a non-empty list
 * of tensors or a non-empty object of tensors, or a tensor has no valid
 * "shape"; FC_ERR_NOMEM when out of memory. On failure *arrays is released.
 * Borrowed stats pointers live as long as v.
 */
fc_status fc_arrays_parse(const json_t *v, const char *path, fc_arrays *arrays, fc_error *err);

/* The container the arrays share when they are a stream (Dataset, generator, Sequence), else FC_CONTAINER_NUMPY. */
fc_container fc_arrays_stream(const fc_arrays *arrays);

/* Frees what *arrays owns and zeroes it. */
void fc_arrays_release(fc_arrays *arrays);

#endif
