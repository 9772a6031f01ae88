/*
 * npy.h - a streaming reader of NumPy .npy files (format versions 1.0, 2.0
 * and 3.0) that turns one file into the tensor header the core reads:
 *
 *     {"shape": [100, 784], "dtype": "float32",
 *      "stats": {"min": 0, "max": 1, "nan_count": 0, "inf_count": 0,
 *                "distinct": [0, 0.5, 1], "distinct_count": 3,
 *                "mean": 0.13, "mean_square": 0.1, "integers": false,
 *                "row_sum_min": 41.2, "row_sum_max": 301.7, "source": "npy"}}
 *
 * The file arrives in chunks of any size (a multipart part, as the network
 * delivers it). The header dict is parsed by a small Python-literal parser
 * (no Python, no unpickling); the data is scanned element by element as it
 * arrives and only statistics are kept, so memory does not depend on the
 * file's size: a scanner holds at most one header (FC_NPY_MAX_HEADER bytes)
 * and fixed tables of about 95 KiB, plus 256 KiB of counts once it has read
 * a 16-bit file and 41 KiB of strings once it has read a U or S file (kept
 * until fc_npy_free). The statistics do not depend on how the file is cut
 * into chunks: values are grouped into sums at fixed places in the file.
 *
 * Statistics by dtype:
 *   float16/32/64   min and max over finite values, NaN and ±Inf counts, the
 *                   distinct finite values (-0.0 counted as 0.0);
 *   int*, uint*     min, max and distinct values, exact;
 *   bool            as integers 0 and 1 (any non-zero byte is 1);
 *   and for these three:
 *     mean, mean_square  the mean of x and of x**2 over the finite values,
 *                   left out when no value is finite (or a sum passes
 *                   DBL_MAX). 8- and 16-bit types: exact, from the count of
 *                   each value. float32: groups of eight values (and of
 *                   their squares) are added in float32, about 2^-22
 *                   relative error each, then summed in double; float64,
 *                   int32/64: summed in double; blocks of up to 2048 values
 *                   are then added with Kahan-Babuska (Neumaier)
 *                   compensation.
 *     integers      whether every finite value is whole: always true for
 *                   integer and bool dtypes; for floats known past the
 *                   distinct limit too. Left out for floats when no value is
 *                   finite.
 *     row_sum_min, row_sum_max  for rank >= 2 in C order: the least and
 *                   greatest sum along the last axis, over every row (every
 *                   index of the leading axes); NaN and Inf are left out of
 *                   a row's sum (a row of NaN sums to 0). One-hot labels
 *                   give 1 and 1, an all-zero row 0. Not given in Fortran
 *                   order nor for rank < 2.
 *     class_counts  {"0": 900, "1": 100}: how often each distinct value
 *                   occurs, keys the decimal whole value in ascending order,
 *                   for arrays of one value per sample (shape (n,) or
 *                   (n, 1, ...)) when every value is whole and there are at
 *                   most FC_NPY_MAX_DISTINCT of them. A one-hot (n, k)
 *                   array has none: its 0s and 1s are not classes.
 *   complex64/128   NaN and Inf counts only (an element counts once, as NaN
 *                   when either part is NaN, else as Inf when either is);
 *   str ('<U5'),    dtype is numpy's descr with its byte order: "<U5" or
 *   bytes ('|S5')   ">U5", "|S5" (for 'a5' too). stats: "distinct", the
 *                   distinct values as UTF-8 sorted by their bytes, and
 *                   "distinct_count". A value is the element without its
 *                   trailing NULs (numpy's semantics): UCS-4 code units in
 *                   the file's byte order for U, bytes for S. A unit that is
 *                   not a character, a byte that does not start valid UTF-8,
 *                   and an inner NUL become U+FFFD. Values are told apart by
 *                   a 64-bit hash of the whole element and their length;
 *                   only the first 128 bytes of each are kept (cut at a
 *                   character boundary and then ended by U+2026 "..."), so
 *                   memory stays bounded whatever the item size (U100000).
 *                   Past FC_NPY_MAX_DISTINCT values the first 256 seen are
 *                   listed and distinct_count is null;
 *   object          no scan: stats is just {"source": "npy"}. Object data is
 *                   a pickle and is skipped unread; its length is not checked.
 * distinct holds at most FC_NPY_MAX_DISTINCT values; past that it is left
 * out and distinct_count is null (numbers) or it lists the first ones seen
 * (strings). min/max are left out when no element is finite.
 *
 * Usage:
 *     fc_npy_scanner *s = fc_npy_new();
 *     for each chunk: if (fc_npy_feed(s, chunk, len, &err) != FC_OK) stop;
 *     if (fc_npy_finish(s, &err) == FC_OK) header = fc_npy_header_json(s);
 *     fc_npy_reset(s) to read another file; fc_npy_free(s) at the end.
 */
#ifndef FITCHECK_NPY_H
#define FITCHECK_NPY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fitcheck/error.h"

#define FC_NPY_MAX_HEADER 65536 /* longest header dict accepted, bytes */
#define FC_NPY_MAX_DISTINCT 256 /* distinct values kept before giving up */
#define FC_NPY_MAX_RANK 64      /* numpy's own limit (NPY_MAXDIMS) */

typedef struct fc_npy_scanner fc_npy_scanner;

/* A scanner ready for its first file. NULL when out of memory. Free with fc_npy_free. */
fc_npy_scanner *fc_npy_new(void);

/* Frees the scanner and what it owns. s may be NULL. */
void fc_npy_free(fc_npy_scanner *s);

/* Forgets the current file (and any failure): the scanner reads a new one. */
void fc_npy_reset(fc_npy_scanner *s);

/*
 * Reads the next len bytes of the file (data may be NULL when len is 0).
 * Chunks may split the preamble, the header or an element anywhere.
 * Fails with FC_ERR_INVALID for a malformed preamble or header (err->text
 * says what), FC_ERR_UNSUPPORTED for a dtype that cannot be described
 * (structured, void, datetime, float128, ...) and FC_ERR_NOMEM. Bytes past
 * the data the header declares are counted, not scanned (fc_npy_finish
 * reports them). After a failure the scanner must be reset before use.
 */
fc_status fc_npy_feed(fc_npy_scanner *s, const void *data, size_t len, fc_error *err);

/*
 * Ends the file. Fails with FC_ERR_INVALID when the file stopped inside
 * the preamble or header, or when the data is not exactly
 * prod(shape) x itemsize bytes (err->text gives both counts).
 */
fc_status fc_npy_finish(fc_npy_scanner *s, fc_error *err);

/*
 * The tensor header of a finished file: {"shape", "dtype", "stats"} as
 * above. New reference; NULL when out of memory or when the file was not
 * finished successfully.
 */
json_t *fc_npy_header_json(const fc_npy_scanner *s);

/* The numpy name of the file's dtype ("float32"), NULL before the header is read. */
const char *fc_npy_dtype_name(const fc_npy_scanner *s);

/* Bytes of data (after the header) received so far. */
uint64_t fc_npy_data_bytes(const fc_npy_scanner *s);

#endif
