/*
 * shape.c - reading, printing and measuring tensor shapes.
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/shape.h"

void fc_shape_unknown(fc_shape *shape)
{
    memset(shape, 0, sizeof(*shape));
    shape->rank = FC_RANK_UNKNOWN;
}

fc_status fc_shape_from_json(const json_t *arr, int allow_null, const char *path, fc_shape *out,
                             fc_error *err)
{
    char elem_path[128];
    size_t i;

    fc_shape_unknown(out);
    if (!json_is_array(arr))
        return fc_error_set(err, FC_ERR_INVALID, path, "a shape must be an array of integers");
    if (json_array_size(arr) > FC_MAX_RANK)
        return fc_error_set(err, FC_ERR_INVALID, path, "a shape may have at most %d axes, this one has %zu",
                            FC_MAX_RANK, json_array_size(arr));
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *d = json_array_get(arr, i);

        snprintf(elem_path, sizeof(elem_path), "%s/%zu", path, i);
        if (json_is_null(d) && allow_null) {
            out->dims[i] = FC_DIM_UNKNOWN;
        } else if (json_is_integer(d) && json_integer_value(d) >= 0 && json_integer_value(d) <= FC_DIM_MAX) {
            out->dims[i] = (int64_t)json_integer_value(d);
        } else if (json_is_integer(d) && json_integer_value(d) > FC_DIM_MAX) {
            fc_shape_unknown(out);
            return fc_error_set(err, FC_ERR_INVALID, elem_path, "dimension %" JSON_INTEGER_FORMAT
                                " is larger than 2^53", json_integer_value(d));
        } else {
            fc_shape_unknown(out);
            return fc_error_set(err, FC_ERR_INVALID, elem_path, "a dimension must be a non-negative integer%s",
                                allow_null ? " or null" : "");
        }
    }
    out->rank = (int)json_array_size(arr);
    return FC_OK;
}

int fc_shape_read_declared(const json_t *arr, fc_shape *out)
{
    size_t i;

    fc_shape_unknown(out);
    if (!json_is_array(arr) || json_array_size(arr) > FC_MAX_RANK)
        return 0;
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *d = json_array_get(arr, i);

        if (json_is_null(d) || (json_is_integer(d) && json_integer_value(d) == -1)) {
            out->dims[i] = FC_DIM_UNKNOWN;
        } else if (json_is_integer(d) && json_integer_value(d) >= 0) {
            out->dims[i] = json_integer_value(d) > FC_DIM_MAX ? FC_DIM_MAX + 1 : (int64_t)json_integer_value(d);
        } else {
            fc_shape_unknown(out);
            return 0;
        }
    }
    out->rank = (int)json_array_size(arr);
    return 1;
}

json_t *fc_shape_to_json(const fc_shape *shape)
{
    json_t *arr;
    int i;

    if (shape->rank == FC_RANK_UNKNOWN)
        return json_null();
    arr = json_array();
    if (arr == NULL)
        return NULL;
    for (i = 0; i < shape->rank; i++) {
        json_t *d = shape->dims[i] == FC_DIM_UNKNOWN ? json_null() : json_integer(shape->dims[i]);
        if (json_array_append_new(arr, d) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* Appends text to buf at *used, truncating; keeps buf NUL-terminated. */
static void append(char *buf, size_t size, size_t *used, const char *text)
{
    int n;

    if (*used >= size)
        return;
    n = snprintf(buf + *used, size - *used, "%s", text);
    if (n < 0)
        return;
    *used += (size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

static void format_dims(const fc_shape *shape, int from_axis, const char *sep, const char *unknown,
                        char *buf, size_t size, size_t *used)
{
    char num[32];
    int i;

    for (i = from_axis; i < shape->rank; i++) {
        if (i > from_axis)
            append(buf, size, used, sep);
        if (shape->dims[i] == FC_DIM_UNKNOWN) {
            append(buf, size, used, unknown);
        } else {
            snprintf(num, sizeof(num), "%lld", (long long)shape->dims[i]);
            append(buf, size, used, num);
        }
    }
}

void fc_shape_format(const fc_shape *shape, int from_axis, char *buf, size_t size)
{
    size_t used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (shape->rank == FC_RANK_UNKNOWN) {
        append(buf, size, &used, "<unknown>");
        return;
    }
    if (from_axis > 0) {
        format_dims(shape, from_axis, ", ", "None", buf, size, &used);
        return;
    }
    append(buf, size, &used, "(");
    format_dims(shape, 0, ", ", "None", buf, size, &used);
    if (shape->rank == 1)
        append(buf, size, &used, ",");
    append(buf, size, &used, ")");
}

void fc_shape_format_js(const fc_shape *shape, int from_axis, char *buf, size_t size)
{
    size_t used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (shape->rank == FC_RANK_UNKNOWN) {
        append(buf, size, &used, "<unknown>");
        return;
    }
    format_dims(shape, from_axis, ",", "null", buf, size, &used);
}

void fc_shape_format_js_join(const fc_shape *shape, int from_axis, char *buf, size_t size)
{
    size_t used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (shape->rank == FC_RANK_UNKNOWN) {
        append(buf, size, &used, "<unknown>");
        return;
    }
    format_dims(shape, from_axis, ",", "", buf, size, &used);
}

int fc_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0)
        return 0;
    if (a != 0 && b > INT64_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

int fc_shape_num_elements(const fc_shape *shape, int from_axis, int64_t *out)
{
    int64_t n = 1;
    int i;

    if (shape->rank == FC_RANK_UNKNOWN)
        return 0;
    for (i = from_axis < 0 ? 0 : from_axis; i < shape->rank; i++) {
        if (shape->dims[i] == FC_DIM_UNKNOWN || !fc_mul_i64(n, shape->dims[i], &n))
            return 0;
    }
    *out = n;
    return 1;
}
