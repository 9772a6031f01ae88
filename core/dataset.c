/*
 * dataset.c - reading the x / y array headers of a request.
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/dataset.h"

void fc_arrays_init(fc_arrays *arrays)
{
    memset(arrays, 0, sizeof(*arrays));
}

void fc_arrays_release(fc_arrays *arrays)
{
    size_t i;

    for (i = 0; i < arrays->len; i++) {
        fc_free(arrays->items[i].key);
        fc_free(arrays->items[i].dtype);
    }
    fc_free(arrays->items);
    fc_arrays_init(arrays);
}

static fc_status read_tensor(const json_t *v, const char *pointer, const char *key, fc_tensor *t, fc_error *err)
{
    char spath[160];
    const json_t *dtype = json_object_get(v, "dtype");
    const json_t *stats = json_object_get(v, "stats");
    fc_status result;

    snprintf(t->pointer, sizeof(t->pointer), "%s", pointer);
    if (!json_is_object(v))
        return fc_error_set(err, FC_ERR_INVALID, pointer,
                            "an array header must be an object like {\"shape\": [100, 784], \"dtype\": \"float32\"}");
    snprintf(spath, sizeof(spath), "%s/shape", pointer);
    if (json_object_get(v, "shape") == NULL)
        return fc_error_set(err, FC_ERR_INVALID, spath, "an array header needs a \"shape\"");
    result = fc_shape_from_json(json_object_get(v, "shape"), 1, spath, &t->shape, err);
    if (result != FC_OK)
        return result;
    if (t->shape.rank == 0)
        return fc_error_set(err, FC_ERR_INVALID, spath, "a dataset array needs at least the sample axis");
    if (dtype != NULL && !json_is_string(dtype)) {
        snprintf(spath, sizeof(spath), "%s/dtype", pointer);
        return fc_error_set(err, FC_ERR_INVALID, spath, "dtype must be a string such as \"float32\"");
    }
    if (stats != NULL && !json_is_object(stats)) {
        snprintf(spath, sizeof(spath), "%s/stats", pointer);
        return fc_error_set(err, FC_ERR_INVALID, spath, "stats must be an object");
    }
    t->stats = stats;
    t->dtype = dtype ? fc_strdup(json_string_value(dtype)) : NULL;
    t->key = key ? fc_strdup(key) : NULL;
    if ((dtype != NULL && t->dtype == NULL) || (key != NULL && t->key == NULL))
        return fc_error_set(err, FC_ERR_NOMEM, pointer, "out of memory");
    return FC_OK;
}

/* A tensor header is an object with "shape"; a dict of tensors is any other object. */
static int looks_like_tensor(const json_t *v)
{
    return json_is_object(v) && (json_object_get(v, "shape") != NULL || json_object_get(v, "dtype") != NULL);
}

fc_status fc_arrays_parse(const json_t *v, const char *path, fc_arrays *arrays, fc_error *err)
{
    char ipath[160];
    size_t n, i = 0;
    fc_status result = FC_OK;

    fc_arrays_init(arrays);
    if (v == NULL || json_is_null(v))
        return FC_OK;
    if (looks_like_tensor(v)) {
        arrays->form = FC_DATA_SINGLE;
        n = 1;
    } else if (json_is_array(v)) {
        arrays->form = FC_DATA_LIST;
        n = json_array_size(v);
    } else if (json_is_object(v)) {
        arrays->form = FC_DATA_DICT;
        n = json_object_size(v);
    } else {
        return fc_error_set(err, FC_ERR_INVALID, path,
                            "must be an array header, a list of array headers, or an object keyed by name");
    }
    if (n == 0 || n > FC_MAX_ARRAYS) {
        fc_arrays_init(arrays);
        return fc_error_set(err, FC_ERR_INVALID, path, "must hold between 1 and %d arrays", FC_MAX_ARRAYS);
    }
    arrays->items = fc_calloc(n, sizeof(*arrays->items));
    if (arrays->items == NULL) {
        fc_arrays_init(arrays);
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    }
    arrays->len = n;
    if (arrays->form == FC_DATA_SINGLE) {
        result = read_tensor(v, path, NULL, &arrays->items[0], err);
    } else if (arrays->form == FC_DATA_LIST) {
        for (i = 0; i < n && result == FC_OK; i++) {
            snprintf(ipath, sizeof(ipath), "%s/%zu", path, i);
            result = read_tensor(json_array_get(v, i), ipath, NULL, &arrays->items[i], err);
        }
    } else {
        const char *key;
        json_t *value;

        json_object_foreach((json_t *)v, key, value) {
            fc_pointer_join(ipath, sizeof(ipath), path, key);
            result = read_tensor(value, ipath, key, &arrays->items[i++], err);
            if (result != FC_OK)
                break;
        }
    }
    if (result != FC_OK)
        fc_arrays_release(arrays);
    return result;
}
