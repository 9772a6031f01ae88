/*
 * dataset.c - reading the x / y array descriptions of a request: headers
 * ({shape, dtype, stats}) or samples ({values: nested arrays}), whose shape
 * and statistics are then computed here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/dataset.h"

#define MAX_VALUES_DEPTH FC_MAX_RANK

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
        fc_free(arrays->items[i].stats.distinct);
        json_decref(arrays->items[i].stats.class_counts);
    }
    fc_free(arrays->items);
    fc_arrays_init(arrays);
}

/* ---- dtypes ----------------------------------------------------------------- */

int fc_dtype_size(const char *dtype)
{
    static const struct {
        const char *name;
        int size;
    } sizes[] = {
        {"float16", 2}, {"bfloat16", 2}, {"float32", 4}, {"float64", 8}, {"int8", 1},   {"int16", 2},
        {"int32", 4},   {"int64", 8},    {"uint8", 1},   {"uint16", 2},  {"uint32", 4}, {"uint64", 8},
        {"bool", 1},    {"complex64", 8}, {"complex128", 16},
    };
    size_t i;

    for (i = 0; dtype != NULL && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        if (strcmp(dtype, sizes[i].name) == 0)
            return sizes[i].size;
    }
    return 0;
}

int fc_dtype_is_non_numeric(const char *dtype)
{
    if (dtype == NULL)
        return 0;
    return strcmp(dtype, "object") == 0 || strcmp(dtype, "O") == 0 || strcmp(dtype, "str") == 0 ||
           strcmp(dtype, "string") == 0 || strcmp(dtype, "bytes") == 0 || strncmp(dtype, "<U", 2) == 0 ||
           strncmp(dtype, ">U", 2) == 0 || strncmp(dtype, "|S", 2) == 0 || strncmp(dtype, "str", 3) == 0;
}

int fc_dtype_is_integer(const char *dtype)
{
    return dtype != NULL && (strncmp(dtype, "int", 3) == 0 || strncmp(dtype, "uint", 4) == 0 ||
                             strcmp(dtype, "bool") == 0);
}

/* ---- stats ------------------------------------------------------------------ */

static void stats_unknown(fc_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->nan_count = -1;
    st->inf_count = -1;
    st->distinct_count = -1;
    st->all_integers = -1;
    st->string_count = -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds s to the distinct strings unless it is there; 0 once more than FC_MAX_DISTINCT were seen. */
static int add_string(const char **seen, size_t *n, const char *s)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (strcmp(seen[i], s) == 0)
            return 1;
    }
    if (*n == FC_MAX_DISTINCT)
        return 0;
    seen[(*n)++] = s;
    return 1;
}

/* Keeps the first examples (sorted) and the count of the distinct strings seen. */
static void stats_set_strings(fc_stats *st, const char **seen, size_t n, int complete)
{
    size_t i;

    qsort(seen, n, sizeof(*seen), cmp_str);
    st->strings = 1;
    st->string_count = complete ? (int64_t)n : -1;
    st->n_string_examples = n < FC_MAX_STRING_EXAMPLES ? n : FC_MAX_STRING_EXAMPLES;
    for (i = 0; i < st->n_string_examples; i++)
        st->string_examples[i] = seen[i];
    st->has_range = 0;
    st->all_integers = -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sets the distinct values from a JSON array of numbers (sorted, deduplicated). */
static fc_status stats_distinct_from_json(fc_stats *st, const json_t *arr, const char *path, fc_error *err)
{
    size_t i, n = json_array_size(arr), out = 0;

    if (n > FC_MAX_DISTINCT)
        return fc_error_set(err, FC_ERR_INVALID, path, "distinct may list at most %d values", FC_MAX_DISTINCT);
    if (n > 0 && json_is_string(json_array_get(arr, 0))) {
        /* class names: string labels */
        const char *seen[FC_MAX_DISTINCT];
        size_t k = 0;

        for (i = 0; i < n; i++) {
            if (!json_is_string(json_array_get(arr, i)))
                return fc_error_set(err, FC_ERR_INVALID, path, "distinct must be a list of numbers or of strings");
            add_string(seen, &k, json_string_value(json_array_get(arr, i)));
        }
        stats_set_strings(st, seen, k, 1);
        return FC_OK;
    }
    st->distinct = fc_calloc(n ? n : 1, sizeof(double));
    if (st->distinct == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    for (i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);

        if (!json_is_number(v))
            return fc_error_set(err, FC_ERR_INVALID, path, "distinct must be a list of numbers or of strings");
        st->distinct[i] = json_number_value(v);
    }
    qsort(st->distinct, n, sizeof(double), cmp_double);
    for (i = 0; i < n; i++) {
        if (out == 0 || st->distinct[out - 1] != st->distinct[i])
            st->distinct[out++] = st->distinct[i];
    }
    st->n_distinct = out;
    return FC_OK;
}

static fc_status stats_from_json(const json_t *obj, const char *path, fc_stats *st, fc_error *err)
{
    const json_t *min = json_object_get(obj, "min"), *max = json_object_get(obj, "max");
    const json_t *nan = json_object_get(obj, "nan_count"), *inf = json_object_get(obj, "inf_count");
    const json_t *distinct = json_object_get(obj, "distinct"), *dc = json_object_get(obj, "distinct_count");
    char p[224];
    size_t i;
    fc_status result;

    if (json_is_number(min) && json_is_number(max)) {
        st->has_range = 1;
        st->min = json_number_value(min);
        st->max = json_number_value(max);
        if (st->min > st->max) {
            snprintf(p, sizeof(p), "%s/min", path);
            return fc_error_set(err, FC_ERR_INVALID, p, "min is larger than max");
        }
    }
    if (json_is_number(json_object_get(obj, "mean")) && json_is_number(json_object_get(obj, "mean_square"))) {
        st->has_moments = 1;
        st->mean = json_number_value(json_object_get(obj, "mean"));
        st->mean_square = json_number_value(json_object_get(obj, "mean_square"));
        if (st->mean_square < 0 || st->mean * st->mean > st->mean_square * (1 + 1e-9) + 1e-12) {
            snprintf(p, sizeof(p), "%s/mean_square", path);
            return fc_error_set(err, FC_ERR_INVALID, p, "mean_square (the mean of x**2) cannot be below mean**2");
        }
    }
    if (json_is_number(json_object_get(obj, "row_sum_min")) && json_is_number(json_object_get(obj, "row_sum_max"))) {
        st->has_row_sums = 1;
        st->row_sum_min = json_number_value(json_object_get(obj, "row_sum_min"));
        st->row_sum_max = json_number_value(json_object_get(obj, "row_sum_max"));
        if (st->row_sum_min > st->row_sum_max) {
            snprintf(p, sizeof(p), "%s/row_sum_min", path);
            return fc_error_set(err, FC_ERR_INVALID, p, "row_sum_min is larger than row_sum_max");
        }
    }
    if (json_is_integer(nan) && json_integer_value(nan) >= 0)
        st->nan_count = json_integer_value(nan);
    if (json_is_integer(inf) && json_integer_value(inf) >= 0)
        st->inf_count = json_integer_value(inf);
    if (json_is_array(distinct)) {
        snprintf(p, sizeof(p), "%s/distinct", path);
        result = stats_distinct_from_json(st, distinct, p, err);
        if (result != FC_OK)
            return result;
        if (st->strings) {
            if (json_is_integer(dc) && json_integer_value(dc) >= 0)
                st->string_count = json_integer_value(dc);
            else if (json_is_null(dc) && json_object_get(obj, "distinct_count") != NULL)
                st->string_count = -1;
            return FC_OK;
        }
        /* A list without a count (or with a null count) is taken as complete. */
        st->distinct_count = json_is_null(dc) && json_object_get(obj, "distinct_count") != NULL
                                 ? -1
                                 : (json_is_integer(dc) ? json_integer_value(dc) : (int64_t)st->n_distinct);
        st->all_integers = 1;
        for (i = 0; i < st->n_distinct; i++) {
            if (st->distinct[i] != floor(st->distinct[i]))
                st->all_integers = 0;
        }
        if (!st->has_range && st->n_distinct > 0 && st->distinct_count == (int64_t)st->n_distinct) {
            st->has_range = 1;
            st->min = st->distinct[0];
            st->max = st->distinct[st->n_distinct - 1];
        }
    }
    /* "integers": whether every finite value is whole, known past the distinct values' limit; a
     * fractional distinct value outweighs a true. */
    if (json_is_boolean(json_object_get(obj, "integers")) && !st->strings) {
        if (!json_is_true(json_object_get(obj, "integers")))
            st->all_integers = 0;
        else if (st->all_integers == -1)
            st->all_integers = 1;
    }
    return FC_OK;
}

/* ---- values (samples given as nested arrays) ----------------------------- */

typedef struct values_scan {
    fc_shape shape;        /* learnt from the first element at each depth */
    fc_stats *st;
    double distinct[FC_MAX_DISTINCT];
    int64_t counts[FC_MAX_DISTINCT]; /* the elements equal to distinct[i] */
    size_t n_distinct;
    int distinct_over;
    int64_t count;
    int kind;              /* of the leaves: 0 not seen yet, 1 numbers, 2 strings */
    const char *strings[FC_MAX_DISTINCT]; /* borrowed */
    size_t n_strings;
    int strings_over;
    double sum, sum_sq;    /* over the numbers (NaN left out) */
    int64_t n_numbers;
    int rows;              /* row sums known so far (rank >= 2 and every row of numbers) */
    double row_min, row_max;
    char path[160];        /* where a ragged row was found */
} values_scan;

static void scan_number(values_scan *sc, const json_t *v)
{
    fc_stats *st = sc->st;
    double d;
    size_t i;

    sc->count++;
    if (json_is_null(v)) {
        st->nan_count++;
        return;
    }
    d = json_is_boolean(v) ? (json_is_true(v) ? 1.0 : 0.0) : json_number_value(v);
    sc->sum += d;
    sc->sum_sq += d * d;
    sc->n_numbers++;
    if (!st->has_range || d < st->min)
        st->min = d;
    if (!st->has_range || d > st->max)
        st->max = d;
    st->has_range = 1;
    if (d != floor(d))
        st->all_integers = 0;
    if (sc->distinct_over)
        return;
    for (i = 0; i < sc->n_distinct; i++) {
        if (sc->distinct[i] == d) {
            sc->counts[i]++;
            return;
        }
    }
    if (sc->n_distinct == FC_MAX_DISTINCT) {
        sc->distinct_over = 1;
    } else {
        sc->counts[sc->n_distinct] = 1;
        sc->distinct[sc->n_distinct++] = d;
    }
}

/* Walks nested arrays; every row at a depth must have the length the first one had. */
static fc_status scan_values(values_scan *sc, const json_t *v, int depth, const char *path, fc_error *err)
{
    size_t i, n;
    char child[224];
    fc_status result;

    if (!json_is_array(v)) {
        int kind = json_is_string(v) ? 2 : 1;

        if (depth != sc->shape.rank)
            return fc_error_set(err, FC_ERR_INVALID, path, "values are ragged: a number where a list was expected");
        if (!json_is_number(v) && !json_is_null(v) && !json_is_boolean(v) && !json_is_string(v))
            return fc_error_set(err, FC_ERR_INVALID, path, "values must be numbers, booleans, null (NaN) or strings");
        if (sc->kind != 0 && sc->kind != kind)
            return fc_error_set(err, FC_ERR_INVALID, path, "values mix strings and numbers");
        sc->kind = kind;
        if (kind == 2) {
            sc->count++;
            if (!sc->strings_over && !add_string(sc->strings, &sc->n_strings, json_string_value(v)))
                sc->strings_over = 1;
            return FC_OK;
        }
        scan_number(sc, v);
        return FC_OK;
    }
    n = json_array_size(v);
    if (depth == sc->shape.rank) {
        /* first time this deep: learn the length */
        if (depth >= FC_MAX_RANK || (depth > 0 && sc->count > 0))
            return fc_error_set(err, FC_ERR_INVALID, path, "values are ragged or nested deeper than %d", FC_MAX_RANK);
        sc->shape.dims[depth] = (int64_t)n;
        sc->shape.rank = depth + 1;
    } else if (depth > sc->shape.rank || sc->shape.dims[depth] != (int64_t)n) {
        return fc_error_set(err, FC_ERR_INVALID, path, "values are ragged: this row has %zu entries, the first "
                            "row at this depth has %lld", n, (long long)sc->shape.dims[depth]);
    }
    for (i = 0; i < n; i++) {
        snprintf(child, sizeof(child), "%s/%zu", path, i);
        result = scan_values(sc, json_array_get(v, i), depth + 1, child, err);
        if (result != FC_OK)
            return result;
    }
    if (depth >= 1 && depth == sc->shape.rank - 1 && sc->kind == 1) {
        /* a row of numbers (the last axis of one sample): its sum, NaN rows left out */
        double sum = 0;

        for (i = 0; i < n; i++) {
            const json_t *x = json_array_get(v, i);

            if (json_is_null(x))
                break;
            sum += json_is_boolean(x) ? (json_is_true(x) ? 1.0 : 0.0) : json_number_value(x);
        }
        if (i == n) {
            if (!sc->rows || sum < sc->row_min)
                sc->row_min = sum;
            if (!sc->rows || sum > sc->row_max)
                sc->row_max = sum;
            sc->rows = 1;
        }
    }
    return FC_OK;
}

/*
 * Class labels given as values (one whole number per sample: rank 1, or a
 * last axis of 1) get their counts per class, as stats.class_counts says them.
 */
static fc_status count_classes(const values_scan *sc, fc_tensor *t, const char *path, fc_error *err)
{
    size_t order[FC_MAX_DISTINCT], i, k;

    if (sc->distinct_over || sc->n_distinct == 0 || t->stats.all_integers != 1 ||
        !(sc->shape.rank == 1 || (sc->shape.rank == 2 && sc->shape.dims[1] == 1)))
        return FC_OK;
    for (i = 0; i < sc->n_distinct; i++) {
        for (k = i; k > 0 && sc->distinct[order[k - 1]] > sc->distinct[i]; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    t->stats.class_counts = json_object();
    if (t->stats.class_counts == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    for (i = 0; i < sc->n_distinct; i++) {
        char key[32];

        snprintf(key, sizeof(key), "%.0f", sc->distinct[order[i]]);
        if (json_object_set_new(t->stats.class_counts, key, json_integer(sc->counts[order[i]])) != 0)
            return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    }
    return FC_OK;
}

static fc_status stats_from_values(const json_t *values, const char *path, fc_tensor *t, fc_error *err)
{
    values_scan *sc = fc_calloc(1, sizeof(*sc));
    fc_status result;

    if (sc == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
    sc->st = &t->stats;
    t->stats.nan_count = 0;
    t->stats.inf_count = 0; /* JSON has no infinities */
    t->stats.all_integers = 1;
    result = scan_values(sc, values, 0, path, err);
    if (result == FC_OK && sc->shape.rank == 0)
        result = fc_error_set(err, FC_ERR_INVALID, path, "values must be a list of samples");
    if (result == FC_OK && sc->kind == 2) {
        t->shape = sc->shape;
        stats_set_strings(&t->stats, sc->strings, sc->n_strings, !sc->strings_over);
        t->stats.nan_count = -1;
        t->stats.inf_count = -1;
    } else if (result == FC_OK) {
        t->shape = sc->shape;
        if (sc->n_numbers > 0) {
            t->stats.has_moments = 1;
            t->stats.mean = sc->sum / (double)sc->n_numbers;
            t->stats.mean_square = sc->sum_sq / (double)sc->n_numbers;
        }
        if (sc->rows && sc->shape.rank >= 2) {
            t->stats.has_row_sums = 1;
            t->stats.row_sum_min = sc->row_min;
            t->stats.row_sum_max = sc->row_max;
        }
        if (!sc->distinct_over) {
            t->stats.distinct = fc_calloc(sc->n_distinct ? sc->n_distinct : 1, sizeof(double));
            if (t->stats.distinct == NULL) {
                result = fc_error_set(err, FC_ERR_NOMEM, path, "out of memory");
            } else {
                memcpy(t->stats.distinct, sc->distinct, sc->n_distinct * sizeof(double));
                qsort(t->stats.distinct, sc->n_distinct, sizeof(double), cmp_double);
                t->stats.n_distinct = sc->n_distinct;
                t->stats.distinct_count = (int64_t)sc->n_distinct;
            }
        }
        if (sc->count == 0)
            t->stats.all_integers = -1;
        if (result == FC_OK)
            result = count_classes(sc, t, path, err);
    }
    fc_free(sc);
    return result;
}

/* ---- containers ------------------------------------------------------------- */

static const struct {
    const char *name;
    fc_container container;
} containers[] = {
    /* the wire names first (fc_container_name), then what users also write */
    {"numpy", FC_CONTAINER_NUMPY},
    {"pandas.DataFrame", FC_CONTAINER_DATAFRAME},
    {"pandas.Series", FC_CONTAINER_SERIES},
    {"list", FC_CONTAINER_LIST},
    {"tf.Tensor", FC_CONTAINER_TENSOR},
    {"tf.data.Dataset", FC_CONTAINER_DATASET},
    {"generator", FC_CONTAINER_GENERATOR},
    {"keras.utils.Sequence", FC_CONTAINER_SEQUENCE},
    {"list-of-arrays", FC_CONTAINER_ARRAY_LIST},
    {"np.ndarray", FC_CONTAINER_NUMPY},
    {"numpy.ndarray", FC_CONTAINER_NUMPY},
    {"DataFrame", FC_CONTAINER_DATAFRAME},
    {"pd.DataFrame", FC_CONTAINER_DATAFRAME},
    {"Series", FC_CONTAINER_SERIES},
    {"pd.Series", FC_CONTAINER_SERIES},
    {"tensor", FC_CONTAINER_TENSOR},
    {"Dataset", FC_CONTAINER_DATASET},
    {"tf.data", FC_CONTAINER_DATASET},
    {"keras.utils.PyDataset", FC_CONTAINER_SEQUENCE},
    {"PyDataset", FC_CONTAINER_SEQUENCE},
    {"Sequence", FC_CONTAINER_SEQUENCE},
    {"list[ndarray]", FC_CONTAINER_ARRAY_LIST},
    {"list[np.ndarray]", FC_CONTAINER_ARRAY_LIST},
};

const char *fc_container_name(fc_container c)
{
    size_t i;

    for (i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
        if (containers[i].container == c)
            return containers[i].name;
    }
    return "numpy";
}

int fc_container_is_stream(fc_container c)
{
    return c == FC_CONTAINER_DATASET || c == FC_CONTAINER_GENERATOR || c == FC_CONTAINER_SEQUENCE;
}

int fc_tensor_unbatched(const fc_tensor *t)
{
    return fc_container_is_stream(t->container) && t->batch_size == 0;
}

fc_container fc_arrays_stream(const fc_arrays *arrays)
{
    return arrays->len > 0 && fc_container_is_stream(arrays->items[0].container) ? arrays->items[0].container
                                                                                : FC_CONTAINER_NUMPY;
}

/* container, batch_size and cardinality of a header. */
static fc_status read_container(const json_t *v, const char *pointer, fc_tensor *t, fc_error *err)
{
    const json_t *c = json_object_get(v, "container");
    const json_t *bs = json_object_get(v, "batch_size"), *card = json_object_get(v, "cardinality");
    char path[192];
    size_t i;

    t->container = FC_CONTAINER_NUMPY;
    t->batch_size = -1;
    t->batches = -2;
    if (c == NULL || json_is_null(c))
        return FC_OK;
    snprintf(path, sizeof(path), "%s/container", pointer);
    for (i = 0; json_is_string(c) && i < sizeof(containers) / sizeof(containers[0]); i++) {
        if (strcmp(json_string_value(c), containers[i].name) == 0)
            break;
    }
    if (!json_is_string(c) || i == sizeof(containers) / sizeof(containers[0]))
        return fc_error_set(err, FC_ERR_INVALID, path, "container must be one of \"numpy\", \"pandas.DataFrame\", "
                            "\"pandas.Series\", \"list\", \"tf.Tensor\", \"tf.data.Dataset\", \"generator\", "
                            "\"keras.utils.Sequence\", \"list-of-arrays\"");
    t->container = containers[i].container;
    if (!fc_container_is_stream(t->container))
        return FC_OK;
    if (bs != NULL) {
        snprintf(path, sizeof(path), "%s/batch_size", pointer);
        if (json_is_null(bs))
            t->batch_size = 0; /* not batched */
        else if (json_is_integer(bs) && json_integer_value(bs) >= 1)
            t->batch_size = json_integer_value(bs);
        else
            return fc_error_set(err, FC_ERR_INVALID, path, "batch_size must be an integer >= 1, or null for a "
                                "dataset that is not batched");
    }
    if (card != NULL && !json_is_null(card)) {
        snprintf(path, sizeof(path), "%s/cardinality", pointer);
        if (!json_is_integer(card) || json_integer_value(card) < -2)
            return fc_error_set(err, FC_ERR_INVALID, path, "cardinality must be the number of batches (len() of a "
                                "Sequence, tf.data cardinality()), -1 for infinite or -2 for unknown");
        t->batches = json_integer_value(card);
    }
    return FC_OK;
}

/* ---- tensors ---------------------------------------------------------------- */

static fc_status read_tensor(const json_t *v, const char *pointer, const char *key, fc_tensor *t, fc_error *err)
{
    char spath[160];
    const json_t *dtype = json_object_get(v, "dtype");
    const json_t *stats = json_object_get(v, "stats");
    const json_t *values = json_object_get(v, "values");
    const json_t *shape = json_object_get(v, "shape");
    fc_shape declared;
    fc_status result;
    int i;

    snprintf(t->pointer, sizeof(t->pointer), "%s", pointer);
    stats_unknown(&t->stats);
    if (!json_is_object(v))
        return fc_error_set(err, FC_ERR_INVALID, pointer,
                            "an array header must be an object like {\"shape\": [100, 784], \"dtype\": \"float32\"}");
    if (shape == NULL && values == NULL) {
        snprintf(spath, sizeof(spath), "%s/shape", pointer);
        return fc_error_set(err, FC_ERR_INVALID, spath, "an array needs a \"shape\" (or its \"values\")");
    }
    if (values != NULL) {
        snprintf(spath, sizeof(spath), "%s/values", pointer);
        result = stats_from_values(values, spath, t, err);
        if (result != FC_OK)
            return result;
    }
    if (shape != NULL) {
        snprintf(spath, sizeof(spath), "%s/shape", pointer);
        result = fc_shape_from_json(shape, 1, spath, values ? &declared : &t->shape, err);
        if (result != FC_OK)
            return result;
        if (values != NULL) {
            int agree = declared.rank == t->shape.rank;

            for (i = 0; agree && i < declared.rank; i++)
                agree = declared.dims[i] == FC_DIM_UNKNOWN || declared.dims[i] == t->shape.dims[i];
            if (!agree) {
                char a[128], b[128];

                fc_shape_format(&declared, 0, a, sizeof(a));
                fc_shape_format(&t->shape, 0, b, sizeof(b));
                return fc_error_set(err, FC_ERR_INVALID, spath, "the declared shape %s disagrees with the values, "
                                    "which have shape %s", a, b);
            }
        }
    }
    result = read_container(v, pointer, t, err);
    if (result != FC_OK)
        return result;
    if (t->shape.rank == 0 && !fc_tensor_unbatched(t))
        return fc_error_set(err, FC_ERR_INVALID, spath, "a dataset array needs at least the sample axis");
    if (fc_container_is_stream(t->container) && !fc_tensor_unbatched(t)) {
        /* the batch axis counts no samples */
        if (t->batch_size < 0 && t->shape.dims[0] != FC_DIM_UNKNOWN && t->shape.dims[0] > 0)
            t->batch_size = t->shape.dims[0];
        t->shape.dims[0] = FC_DIM_UNKNOWN;
    }
    if (dtype != NULL && !json_is_string(dtype)) {
        snprintf(spath, sizeof(spath), "%s/dtype", pointer);
        return fc_error_set(err, FC_ERR_INVALID, spath, "dtype must be a string such as \"float32\"");
    }
    if (stats != NULL && !json_is_object(stats)) {
        snprintf(spath, sizeof(spath), "%s/stats", pointer);
        return fc_error_set(err, FC_ERR_INVALID, spath, "stats must be an object");
    }
    if (stats != NULL && values == NULL) {
        snprintf(spath, sizeof(spath), "%s/stats", pointer);
        result = stats_from_json(stats, spath, &t->stats, err);
        if (result != FC_OK)
            return result;
    }
    t->stats_json = stats;
    if (json_is_object(json_object_get(stats, "class_counts")) && t->stats.class_counts == NULL)
        t->stats.class_counts = json_incref(json_object_get(stats, "class_counts"));
    /* Samples given as JSON numbers: Python would make them float64 (or int64 when all whole);
     * strings make a NumPy unicode array. */
    if (dtype == NULL && values != NULL)
        t->dtype = fc_strdup(t->stats.strings ? "str" : t->stats.all_integers == 1 ? "int64" : "float64");
    else if (dtype == NULL && t->stats.strings)
        t->dtype = fc_strdup("str");
    else
        t->dtype = dtype ? fc_strdup(json_string_value(dtype)) : NULL;
    t->key = key ? fc_strdup(key) : NULL;
    if (((dtype != NULL || values != NULL || t->stats.strings) && t->dtype == NULL) || (key != NULL && t->key == NULL))
        return fc_error_set(err, FC_ERR_NOMEM, pointer, "out of memory");
    return FC_OK;
}

/* A tensor is an object with "shape", "values" or "dtype"; a dict of tensors is any other object. */
static int looks_like_tensor(const json_t *v)
{
    return json_is_object(v) && (json_object_get(v, "shape") != NULL || json_object_get(v, "dtype") != NULL ||
                                 json_object_get(v, "values") != NULL || json_is_string(json_object_get(v, "container")));
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
