/*
 * shape.h - tensor shapes as Keras prints them: a rank and one dimension per
 * axis, where axis 0 is the batch axis and an unknown dimension is None.
 *
 * Invariants: 0 <= rank <= FC_MAX_RANK, or rank == FC_RANK_UNKNOWN; every dim
 * is >= 0 or FC_DIM_UNKNOWN. Arithmetic on dimensions is overflow-checked.
 */
#ifndef FITCHECK_SHAPE_H
#define FITCHECK_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fitcheck/error.h"

#define FC_MAX_RANK 16
#define FC_DIM_UNKNOWN (-1)
#define FC_RANK_UNKNOWN (-1)
/* Largest dimension accepted from a request: 2^53, the largest integer JSON carries exactly. */
#define FC_DIM_MAX ((int64_t)1 << 53)

typedef struct fc_shape {
    int rank;                  /* number of axes, or FC_RANK_UNKNOWN */
    int64_t dims[FC_MAX_RANK]; /* dims[i] >= 0, or FC_DIM_UNKNOWN (None) */
} fc_shape;

/* Sets *shape to "rank unknown". */
void fc_shape_unknown(fc_shape *shape);

/*
 * Reads a JSON array of integers (and nulls when allow_null) into *out.
 * path is the JSON pointer of arr, used in error texts ("/data/x/shape").
 * Fails with FC_ERR_INVALID when arr is not an array, holds anything but
 * integers in [0, FC_DIM_MAX] (or null when allowed), or is longer than
 * FC_MAX_RANK; err->path then points at the offending element.
 */
fc_status fc_shape_from_json(const json_t *arr, int allow_null, const char *path, fc_shape *out,
                             fc_error *err);

/*
 * Reads a shape a model descriptor declares (batch_shape, input_shape, ...):
 * null or -1 is unknown, and an integer beyond FC_DIM_MAX is kept as
 * FC_DIM_MAX + 1 so that inference reports it (DIM_OVERFLOW) instead of
 * dropping it. Returns 1 on success, 0 when arr is not an array of at most
 * FC_MAX_RANK integers and nulls (*out is then unknown).
 */
int fc_shape_read_declared(const json_t *arr, fc_shape *out);

/* New reference: the shape as a JSON array with null for unknown dims, or JSON null
 * when the rank is unknown. NULL only when out of memory. */
json_t *fc_shape_to_json(const fc_shape *shape);

/*
 * Formats the shape as Python prints a tuple: "(None, 28, 28)", "(100,)", "()".
 * With from_axis > 0 the leading axes are skipped and no parentheses are
 * written: from_axis 1 of (None, 28, 28) gives "28, 28". Unknown rank gives
 * "<unknown>". Always NUL-terminates buf (truncating when too small).
 */
void fc_shape_format(const fc_shape *shape, int from_axis, char *buf, size_t size);

/* Formats as TF.js joins a shape array: "100,784"; unknown dims print "null". */
void fc_shape_format_js(const fc_shape *shape, int from_axis, char *buf, size_t size);

/* As fc_shape_format_js, but with JavaScript's Array.join rendering null as nothing: ",10" for [null, 10]. */
void fc_shape_format_js_join(const fc_shape *shape, int from_axis, char *buf, size_t size);

/*
 * Stores in *out the product of dims[from_axis .. rank-1] (1 for none).
 * Returns 0 and leaves *out untouched when a dim is unknown, the rank is
 * unknown, or the product would exceed INT64_MAX; returns 1 on success.
 */
int fc_shape_num_elements(const fc_shape *shape, int from_axis, int64_t *out);

/* Overflow-checked multiply of non-negative values: returns 0 when a*b > INT64_MAX. */
int fc_mul_i64(int64_t a, int64_t b, int64_t *out);

#endif
