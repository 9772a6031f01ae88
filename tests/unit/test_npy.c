/*
 * tests/unit/test_npy.c: the streaming .npy reader (server/npy.c). Files are
 * built byte by byte here, as numpy.save writes them (numpy is not needed to
 * run the tests), and a few are the bytes numpy itself wrote, kept below
 * with the Python line that made them: format versions 1.0, 2.0 and 3.0,
 * every numeric dtype in both byte orders, Fortran order, 0-d and empty
 * arrays, NaN/Inf counting through the block kernels, the distinct-value
 * cap, elements split across chunks at every offset, truncated and extra
 * data, malformed headers, shapes whose byte count overflows 64 bits; and
 * the statistics added for the core: unicode and bytes labels (both byte
 * orders, UTF-8, the cap, U100000 items), mean and mean_square against
 * numpy, integers past the cap, row sums across chunk boundaries, and class
 * counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

/* ------------------------------------------------------------- helpers */

typedef struct bytes {
    unsigned char *p;
    size_t len;
} bytes;

/*
 * A .npy file: magic, version, header length (u16 for 1.x, u32 for 2.x and
 * 3.x), the dict padded with spaces and a newline to a multiple of 64, then
 * data. major 0 means 1.
 */
static bytes npy_file(int major, const char *dict, const void *data, size_t data_len)
{
    size_t pre = major >= 2 ? 12 : 10, dlen = strlen(dict), hlen = dlen + 1, total;
    bytes b;

    while ((pre + hlen) % 64 != 0)
        hlen++;
    total = pre + hlen + data_len;
    b.p = malloc(total + 1);
    assert_non_null(b.p);
    memcpy(b.p, "\x93NUMPY", 6);
    b.p[6] = (unsigned char)major;
    b.p[7] = 0;
    if (major >= 2) {
        b.p[8] = (unsigned char)hlen;
        b.p[9] = (unsigned char)(hlen >> 8);
        b.p[10] = (unsigned char)(hlen >> 16);
        b.p[11] = (unsigned char)(hlen >> 24);
    } else {
        b.p[8] = (unsigned char)hlen;
        b.p[9] = (unsigned char)(hlen >> 8);
    }
    memcpy(b.p + pre, dict, dlen);
    memset(b.p + pre + dlen, ' ', hlen - dlen - 1);
    b.p[pre + hlen - 1] = '\n';
    if (data_len > 0)
        memcpy(b.p + pre + hlen, data, data_len);
    b.len = total;
    return b;
}

static bytes npy_v1(const char *dict, const void *data, size_t data_len)
{
    return npy_file(1, dict, data, data_len);
}

/* Writes the low `size` bytes of v at p in the byte order ('<' or '>'). */
static void put(unsigned char *p, uint64_t v, unsigned size, char order)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned char byte = (unsigned char)(v >> (8 * i));

        p[order == '<' ? i : size - 1 - i] = byte;
    }
}

static uint64_t f32_bits(float f)
{
    uint32_t u;

    memcpy(&u, &f, sizeof(u));
    return u;
}

static uint64_t f64_bits(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof(u));
    return u;
}

/*
 * Scans buf in chunks of `chunk` bytes (0: one call). Returns the tensor
 * header, or NULL with *status and err set.
 */
static json_t *scan_chunked(fc_npy_scanner *s, const unsigned char *buf, size_t len, size_t chunk, fc_status *status,
                            fc_error *err)
{
    size_t off = 0;

    fc_error_init(err);
    fc_npy_reset(s);
    if (chunk == 0)
        chunk = len ? len : 1;
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;

        *status = fc_npy_feed(s, buf + off, n, err);
        if (*status != FC_OK)
            return NULL;
        off += n;
    }
    *status = fc_npy_finish(s, err);
    if (*status != FC_OK)
        return NULL;
    return fc_npy_header_json(s);
}

static json_t *scan(const bytes *b, fc_status *status, fc_error *err)
{
    fc_npy_scanner *s = fc_npy_new();
    json_t *h;

    assert_non_null(s);
    h = scan_chunked(s, b->p, b->len, 0, status, err);
    fc_npy_free(s);
    return h;
}

/* Scans b and asserts success. */
static json_t *scan_ok(const bytes *b)
{
    fc_status status;
    fc_error err;
    json_t *h = scan(b, &status, &err);

    if (h == NULL)
        fail_msg("scan failed (%d): %s", (int)status, err.text);
    return h;
}

/* Scans b and asserts failure with `code` and a text containing `needle`. */
static void scan_fails(const bytes *b, fc_status code, const char *needle)
{
    fc_status status;
    fc_error err;
    json_t *h = scan(b, &status, &err);

    if (h != NULL) {
        char *text = json_dumps(h, JSON_COMPACT);

        fail_msg("expected a failure containing '%s', got %s", needle, text);
    }
    assert_int_equal(status, code);
    if (strstr(err.text, needle) == NULL)
        fail_msg("error text '%s' does not contain '%s'", err.text, needle);
}

/* Asserts that h equals the JSON text (reals and integers distinguished). */
static void assert_json(json_t *h, const char *expected_text)
{
    json_error_t jerr;
    json_t *expected = json_loads(expected_text, JSON_DECODE_ANY, &jerr);

    if (expected == NULL)
        fail_msg("bad expected JSON %s: %s", expected_text, jerr.text);
    if (!json_equal(h, expected)) {
        char *got = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
        char *want = json_dumps(expected, JSON_COMPACT | JSON_SORT_KEYS);

        fail_msg("got  %s\nwant %s", got, want);
    }
    json_decref(expected);
}

/* Asserts that every member of the JSON object text is in h with an equal value (other members are not looked at). */
static void assert_has(json_t *h, const char *expected_text)
{
    json_error_t jerr;
    json_t *expected = json_loads(expected_text, 0, &jerr), *value;
    const char *key;

    if (expected == NULL)
        fail_msg("bad expected JSON %s: %s", expected_text, jerr.text);
    json_object_foreach(expected, key, value) {
        if (!json_equal(json_object_get(h, key), value)) {
            char *got = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);

            fail_msg("member %s: got %s\nwant %s", key, got, expected_text);
        }
    }
    json_decref(expected);
}

static void free_bytes(bytes *b)
{
    free(b->p);
    b->p = NULL;
}

/* ------------------------------------------------------------- headers */

static const unsigned char F32_ONE_TWO[8] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40}; /* 1.0f, 2.0f LE */

static void test_npy__versions_1_2_3(void **state)
{
    static const char *expected = "{\"shape\": [2], \"dtype\": \"float32\", \"stats\": {\"min\": 1.0, \"max\": 2.0, "
                                  "\"nan_count\": 0, \"inf_count\": 0, \"distinct\": [1.0, 2.0], "
                                  "\"distinct_count\": 2, \"mean\": 1.5, \"mean_square\": 2.5, \"integers\": true, "
                                  "\"class_counts\": {\"1\": 1, \"2\": 1}, \"source\": \"npy\"}}";

    (void)state;
    for (int major = 1; major <= 3; major++) {
        bytes b = npy_file(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", F32_ONE_TWO, 8);
        json_t *h = scan_ok(&b);

        assert_json(h, expected);
        json_decref(h);
        free_bytes(&b);
    }
}

static void test_npy__header_spellings(void **state)
{
    /* Key order, double quotes, no trailing comma, Python 2 longs, tabs, 2-D trailing comma. */
    static const char *dicts[] = {
        "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
        "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}",
        "{'descr':'<f4','fortran_order':False,'shape':(2,)}",
        "{\t'descr': '<f4',\t'fortran_order': False, 'shape': ( 2 , ) }",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(dicts) / sizeof(dicts[0]); i++) {
        bytes b = npy_v1(dicts[i], F32_ONE_TWO, 8);
        json_t *h = scan_ok(&b);

        assert_json(json_object_get(h, "shape"), "[2]");
        json_decref(h);
        free_bytes(&b);
    }
    {
        bytes b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2,), }", F32_ONE_TWO, 8);
        json_t *h = scan_ok(&b);

        assert_json(json_object_get(h, "shape"), "[1, 2]");
        json_decref(h);
        free_bytes(&b);
    }
}

static void test_npy__utf8_header_v3(void **state)
{
    /* Version 3 headers are UTF-8 (for field names); a UTF-8 name is read up to the structured refusal. */
    bytes b = npy_file(3, "{'descr': [('caf\xc3\xa9', '<f4')], 'fortran_order': False, 'shape': (2,), }",
                       F32_ONE_TWO, 8);

    (void)state;
    scan_fails(&b, FC_ERR_UNSUPPORTED, "structured arrays are not supported");
    free_bytes(&b);
}

/* --------------------------------------------------------------- dtypes */

typedef struct dtype_case {
    const char *descr_body; /* without the order character */
    unsigned size;
    int kind;               /* 'f' float, 'i' signed, 'u' unsigned, 'b' bool */
    const char *name;
} dtype_case;

static const dtype_case DTYPES[] = {
    {"f2", 2, 'h', "float16"}, {"f4", 4, 'f', "float32"}, {"f8", 8, 'd', "float64"},
    {"i1", 1, 'i', "int8"},    {"i2", 2, 'i', "int16"},   {"i4", 4, 'i', "int32"},   {"i8", 8, 'i', "int64"},
    {"u1", 1, 'u', "uint8"},   {"u2", 2, 'u', "uint16"},  {"u4", 4, 'u', "uint32"},  {"u8", 8, 'u', "uint64"},
    {"b1", 1, 'b', "bool"},
};

/* Encodes one value of the case's type. */
static void encode(unsigned char *p, const dtype_case *c, double v, char order)
{
    switch (c->kind) {
    case 'h': {
        /* The three float16 test values, exactly: -1.5, 0, 2.25. */
        uint64_t h = v == -1.5 ? 0xBE00 : v == 2.25 ? 0x4080 : 0x0000;

        put(p, h, 2, order);
        break;
    }
    case 'f':
        put(p, f32_bits((float)v), 4, order);
        break;
    case 'd':
        put(p, f64_bits(v), 8, order);
        break;
    default:
        put(p, (uint64_t)(int64_t)v, c->size, order);
        break;
    }
}

static void test_npy__every_dtype_both_orders(void **state)
{
    static const char orders[] = {'<', '>', '=', '|'};

    (void)state;
    for (size_t i = 0; i < sizeof(DTYPES) / sizeof(DTYPES[0]); i++) {
        const dtype_case *c = &DTYPES[i];
        double values[4];
        const char *stats;
        int n = 4;

        switch (c->kind) {
        case 'h':
        case 'f':
        case 'd':
            values[0] = 2.25, values[1] = -1.5, values[2] = 0, values[3] = 2.25;
            /* Rows (2.25, -1.5) and (0, 2.25); no class counts for a (2, 2) array. */
            stats = "{\"min\": -1.5, \"max\": 2.25, \"nan_count\": 0, \"inf_count\": 0, "
                    "\"distinct\": [-1.5, 0.0, 2.25], \"distinct_count\": 3, \"mean\": 0.75, "
                    "\"mean_square\": 3.09375, \"integers\": false, \"row_sum_min\": 0.75, \"row_sum_max\": 2.25, "
                    "\"source\": \"npy\"}";
            break;
        case 'i':
            values[0] = 7, values[1] = -3, values[2] = 0, values[3] = 7;
            stats = "{\"min\": -3, \"max\": 7, \"nan_count\": 0, \"inf_count\": 0, \"distinct\": [-3, 0, 7], "
                    "\"distinct_count\": 3, \"mean\": 2.75, \"mean_square\": 26.75, \"integers\": true, "
                    "\"row_sum_min\": 4.0, \"row_sum_max\": 7.0, \"source\": \"npy\"}";
            break;
        case 'u':
            values[0] = 250, values[1] = 7, values[2] = 0, values[3] = 250;
            stats = "{\"min\": 0, \"max\": 250, \"nan_count\": 0, \"inf_count\": 0, \"distinct\": [0, 7, 250], "
                    "\"distinct_count\": 3, \"mean\": 126.75, \"mean_square\": 31262.25, \"integers\": true, "
                    "\"row_sum_min\": 250.0, \"row_sum_max\": 257.0, \"source\": \"npy\"}";
            break;
        default:
            values[0] = 1, values[1] = 0, values[2] = 1, values[3] = 1;
            stats = "{\"min\": 0, \"max\": 1, \"nan_count\": 0, \"inf_count\": 0, \"distinct\": [0, 1], "
                    "\"distinct_count\": 2, \"mean\": 0.75, \"mean_square\": 0.75, \"integers\": true, "
                    "\"row_sum_min\": 1.0, \"row_sum_max\": 2.0, \"source\": \"npy\"}";
            break;
        }
        for (size_t o = 0; o < sizeof(orders); o++) {
            char order = orders[o], data_order, dict[128];
            unsigned char data[32];
            bytes b;
            json_t *h;

            if (order == '|' && c->size > 1)
                continue;
            /* '=' and '|' are the host's order. */
            data_order = order;
            if (order == '=' || order == '|') {
                uint16_t one = 1;

                data_order = *(unsigned char *)&one ? '<' : '>';
            }
            for (int k = 0; k < n; k++)
                encode(data + k * c->size, c, values[k], data_order);
            snprintf(dict, sizeof(dict), "{'descr': '%c%s', 'fortran_order': False, 'shape': (2, 2), }", order,
                     c->descr_body);
            b = npy_v1(dict, data, (size_t)n * c->size);
            h = scan_ok(&b);
            assert_string_equal(json_string_value(json_object_get(h, "dtype")), c->name);
            assert_json(json_object_get(h, "shape"), "[2, 2]");
            assert_json(json_object_get(h, "stats"), stats);
            json_decref(h);
            free_bytes(&b);
        }
    }
}

static void test_npy__bool_nonzero_bytes_are_true(void **state)
{
    static const unsigned char data[] = {0, 2, 255, 0};
    bytes b = npy_v1("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", data, sizeof(data));
    json_t *h;

    (void)state;
    h = scan_ok(&b);
    assert_json(json_object_get(h, "stats"), "{\"min\": 0, \"max\": 1, \"nan_count\": 0, \"inf_count\": 0, "
                                             "\"distinct\": [0, 1], \"distinct_count\": 2, \"mean\": 0.5, "
                                             "\"mean_square\": 0.5, \"integers\": true, "
                                             "\"class_counts\": {\"0\": 2, \"1\": 2}, \"source\": \"npy\"}");
    json_decref(h);
    free_bytes(&b);
}

static void test_npy__wide_integer_extremes(void **state)
{
    unsigned char data[8 * 4];
    bytes b;
    json_t *h;

    (void)state;
    /* int64: -1 is the bit pattern the hash set uses for empty slots. */
    put(data, (uint64_t)-1, 8, '<');
    put(data + 8, (uint64_t)INT64_MIN, 8, '<');
    put(data + 16, (uint64_t)INT64_MAX, 8, '<');
    put(data + 24, (uint64_t)-1, 8, '<');
    b = npy_v1("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", data, sizeof(data));
    h = scan_ok(&b);
    assert_has(json_object_get(h, "stats"),
               "{\"min\": -9223372036854775808, \"max\": 9223372036854775807, \"nan_count\": 0, \"inf_count\": 0, "
               "\"distinct\": [-9223372036854775808, -1, 9223372036854775807], \"distinct_count\": 3, "
               "\"integers\": true, \"class_counts\": {\"-9223372036854775808\": 1, \"-1\": 2, "
               "\"9223372036854775807\": 1}, \"source\": \"npy\"}");
    json_decref(h);
    free_bytes(&b);

    /* uint64 past INT64_MAX becomes a JSON real. */
    put(data, UINT64_MAX, 8, '>');
    put(data + 8, 5, 8, '>');
    b = npy_v1("{'descr': '>u8', 'fortran_order': False, 'shape': (2,), }", data, 16);
    h = scan_ok(&b);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "stats"), "min")), 5);
    assert_true(json_is_real(json_object_get(json_object_get(h, "stats"), "max")));
    assert_true(json_real_value(json_object_get(json_object_get(h, "stats"), "max")) == 18446744073709551616.0);
    assert_json(json_object_get(json_object_get(h, "stats"), "class_counts"),
                "{\"5\": 1, \"18446744073709551615\": 1}");
    json_decref(h);
    free_bytes(&b);

    /* int32 -1 and uint32 max. */
    put(data, (uint64_t)-1, 4, '<');
    put(data + 4, 3, 4, '<');
    b = npy_v1("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", data, 8);
    h = scan_ok(&b);
    assert_json(json_object_get(json_object_get(h, "stats"), "distinct"), "[-1, 3]");
    json_decref(h);
    free_bytes(&b);
    b = npy_v1("{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }", data, 8);
    h = scan_ok(&b);
    assert_json(json_object_get(json_object_get(h, "stats"), "distinct"), "[3, 4294967295]");
    json_decref(h);
    free_bytes(&b);
}

static void test_npy__complex_counts_only(void **state)
{
    unsigned char data[16 * 4];
    bytes b;
    json_t *h;

    (void)state;
    /* complex64: (1, 2), (nan, 0), (inf, 1), (0, -inf) */
    put(data, f32_bits(1), 4, '<');
    put(data + 4, f32_bits(2), 4, '<');
    put(data + 8, f32_bits(NAN), 4, '<');
    put(data + 12, 0, 4, '<');
    put(data + 16, f32_bits(INFINITY), 4, '<');
    put(data + 20, f32_bits(1), 4, '<');
    put(data + 24, 0, 4, '<');
    put(data + 28, f32_bits(-INFINITY), 4, '<');
    b = npy_v1("{'descr': '<c8', 'fortran_order': False, 'shape': (4,), }", data, 32);
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [4], \"dtype\": \"complex64\", \"stats\": {\"nan_count\": 1, \"inf_count\": 2, "
                   "\"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);

    /* complex128, big-endian: (inf, nan) counts as NaN. */
    put(data, f64_bits(INFINITY), 8, '>');
    put(data + 8, f64_bits(NAN), 8, '>');
    put(data + 16, f64_bits(1), 8, '>');
    put(data + 24, f64_bits(1), 8, '>');
    b = npy_v1("{'descr': '>c16', 'fortran_order': False, 'shape': (2,), }", data, 32);
    h = scan_ok(&b);
    assert_json(json_object_get(h, "stats"), "{\"nan_count\": 1, \"inf_count\": 0, \"source\": \"npy\"}");
    assert_string_equal(json_string_value(json_object_get(h, "dtype")), "complex128");
    json_decref(h);
    free_bytes(&b);
}

static void test_npy__object_not_scanned(void **state)
{
    static const char pickle[] = "\x80\x04\x95 not really a pickle, and never unpickled";
    unsigned char text[2 * 3 * 4];
    bytes b;
    json_t *h;

    (void)state;
    /* object: the pickle's length is not checked. */
    b = npy_v1("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", pickle, sizeof(pickle));
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [3], \"dtype\": \"object\", \"stats\": {\"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);

    /* UCS-4 units 0x61616161 are not characters: U+FFFD each. */
    memset(text, 'a', sizeof(text));
    b = npy_v1("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", text, sizeof(text));
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [2], \"dtype\": \"<U3\", \"stats\": {\"distinct\": [\"\\ufffd\\ufffd\\ufffd\"], "
                   "\"distinct_count\": 1, \"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);

    b = npy_v1("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", text, sizeof(text) - 1);
    scan_fails(&b, FC_ERR_INVALID, "needs 24 bytes, 23 arrived");
    free_bytes(&b);

    b = npy_v1("{'descr': '|S4', 'fortran_order': False, 'shape': (2, 3), }", text, sizeof(text));
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [2, 3], \"dtype\": \"|S4\", \"stats\": {\"distinct\": [\"aaaa\"], "
                   "\"distinct_count\": 1, \"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);
}

/* -------------------------------------------------------- shapes, order */

static void test_npy__fortran_order_same_stats(void **state)
{
    float values[6] = {1, 4, 2, 5, 3, 6};
    bytes c = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", values, sizeof(values));
    bytes f = npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", values, sizeof(values));
    json_t *hc, *hf;

    (void)state;
    hc = scan_ok(&c);
    hf = scan_ok(&f);
    /* Row sums are taken in C order only: rows (1, 4, 2) and (5, 3, 6). */
    assert_has(json_object_get(hc, "stats"), "{\"row_sum_min\": 7.0, \"row_sum_max\": 14.0}");
    assert_null(json_object_get(json_object_get(hf, "stats"), "row_sum_min"));
    assert_null(json_object_get(json_object_get(hf, "stats"), "row_sum_max"));
    json_object_del(json_object_get(hc, "stats"), "row_sum_min");
    json_object_del(json_object_get(hc, "stats"), "row_sum_max");
    assert_true(json_equal(hc, hf));
    assert_json(json_object_get(hf, "shape"), "[2, 3]");
    json_decref(hc);
    json_decref(hf);
    free_bytes(&c);
    free_bytes(&f);
}

static void test_npy__zero_d_and_empty(void **state)
{
    unsigned char d[8];
    bytes b;
    json_t *h;

    (void)state;
    put(d, f64_bits(3.5), 8, '<');
    b = npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", d, 8);
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [], \"dtype\": \"float64\", \"stats\": {\"min\": 3.5, \"max\": 3.5, \"nan_count\": 0, "
                   "\"inf_count\": 0, \"distinct\": [3.5], \"distinct_count\": 1, \"mean\": 3.5, "
                   "\"mean_square\": 12.25, \"integers\": false, \"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);

    b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 784), }", NULL, 0);
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [0, 784], \"dtype\": \"float32\", \"stats\": {\"nan_count\": 0, \"inf_count\": 0, "
                   "\"distinct\": [], \"distinct_count\": 0, \"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);

    /* A zero next to a dimension so large the product would overflow: still 0 bytes. */
    b = npy_v1("{'descr': '<i8', 'fortran_order': False, 'shape': (0, 9223372036854775807, 9), }", NULL, 0);
    h = scan_ok(&b);
    assert_json(json_object_get(h, "shape"), "[0, 9223372036854775807, 9]");
    json_decref(h);
    free_bytes(&b);

    /* uint8 with no elements. */
    b = npy_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (0,), }", NULL, 0);
    h = scan_ok(&b);
    assert_json(json_object_get(h, "stats"), "{\"nan_count\": 0, \"inf_count\": 0, \"distinct\": [], "
                                             "\"distinct_count\": 0, \"integers\": true, \"source\": \"npy\"}");
    json_decref(h);
    free_bytes(&b);
}

static void test_npy__shape_product_overflow(void **state)
{
    bytes b;

    (void)state;
    b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", NULL, 0);
    scan_fails(&b, FC_ERR_INVALID, "more than 2^64 bytes");
    free_bytes(&b);
    /* The element count fits, times the item size does not. */
    b = npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 2), }", NULL, 0);
    scan_fails(&b, FC_ERR_INVALID, "more than 2^64 bytes");
    free_bytes(&b);
    b = npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775808,), }", NULL, 0);
    scan_fails(&b, FC_ERR_INVALID, "larger than 2^63 - 1");
    free_bytes(&b);
}

/* ------------------------------------------------------ float specials */

static void test_npy__nan_inf_counted_and_excluded(void **state)
{
    enum { N = 3000 };
    float *f = malloc(N * sizeof(*f));
    double *d = malloc(N * sizeof(*d));
    bytes bf, bd;
    json_t *hf, *hd;

    (void)state;
    assert_non_null(f);
    assert_non_null(d);
    for (int i = 0; i < N; i++)
        f[i] = d[i] = (float)(i % 7) - 3; /* -3 .. 3 */
    /* Specials in the second block only, so the first goes through the fast path. */
    f[1500] = d[1500] = NAN;
    f[1501] = d[1501] = -NAN;
    f[2999] = d[2999] = INFINITY;
    f[1700] = d[1700] = -INFINITY;
    f[7] = d[7] = -0.0f; /* the same distinct value as 0 */
    bf = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (3000,), }", f, N * sizeof(*f));
    bd = npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3000,), }", d, N * sizeof(*d));
    hf = scan_ok(&bf);
    hd = scan_ok(&bd);
    for (int k = 0; k < 2; k++) {
        json_t *stats = json_object_get(k ? hd : hf, "stats");

        assert_json(json_object_get(stats, "nan_count"), "2");
        assert_json(json_object_get(stats, "inf_count"), "2");
        assert_json(json_object_get(stats, "min"), "-3.0");
        assert_json(json_object_get(stats, "max"), "3.0");
        assert_json(json_object_get(stats, "distinct"), "[-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]");
    }
    json_decref(hf);
    json_decref(hd);
    free_bytes(&bf);
    free_bytes(&bd);

    /* Only specials, big-endian: no min/max. */
    {
        unsigned char be[40];

        for (int i = 0; i < 10; i++)
            put(be + 4 * i, f32_bits(i % 2 ? NAN : -INFINITY), 4, '>');
        bf = npy_v1("{'descr': '>f4', 'fortran_order': False, 'shape': (10,), }", be, sizeof(be));
    }
    hf = scan_ok(&bf);
    assert_json(json_object_get(hf, "stats"), "{\"nan_count\": 5, \"inf_count\": 5, \"distinct\": [], "
                                              "\"distinct_count\": 0, \"source\": \"npy\"}");
    json_decref(hf);
    free_bytes(&bf);

    /* float16 NaN and Inf. */
    {
        unsigned char h16[8];

        put(h16, 0x7E00, 2, '<'); /* NaN */
        put(h16 + 2, 0xFC00, 2, '<'); /* -Inf */
        put(h16 + 4, 0x3C00, 2, '<'); /* 1 */
        put(h16 + 6, 0x0001, 2, '<'); /* the smallest subnormal, 2^-24 */
        bf = npy_v1("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", h16, sizeof(h16));
        hf = scan_ok(&bf);
        assert_has(json_object_get(hf, "stats"),
                   "{\"min\": 5.9604644775390625e-08, \"max\": 1.0, \"nan_count\": 1, \"inf_count\": 1, "
                   "\"distinct\": [5.9604644775390625e-08, 1.0], \"distinct_count\": 2, \"integers\": false, "
                   "\"source\": \"npy\"}");
        assert_null(json_object_get(json_object_get(hf, "stats"), "class_counts"));
        assert_true(json_real_value(json_object_get(json_object_get(hf, "stats"), "mean")) == (1 + 0x1p-24) / 2);
        json_decref(hf);
        free_bytes(&bf);
    }
    free(f);
    free(d);
}

/*
 * Random floats with NaN, -NaN, +Inf and -Inf at random places (about 3% of
 * elements, so most blocks hold some and some hold none) against a naive
 * computation, in float32 and float64, little- and big-endian: the SIMD
 * block paths, masked and unmasked, must agree with it.
 */
static void test_npy__float_stats_match_naive(void **state)
{
    enum { N = 10007 };
    static const char *descrs[] = {"<f4", ">f4", "<f8", ">f8"};
    double *v = malloc(N * sizeof(*v));
    unsigned char *data = malloc(N * 8);
    unsigned seed = 12345;

    (void)state;
    assert_non_null(v);
    assert_non_null(data);
    for (int round = 0; round < 2; round++) {
        double lo = INFINITY, hi = -INFINITY;
        long nans = 0, infs = 0;

        for (int i = 0; i < N; i++) {
            unsigned r;

            seed = seed * 1103515245u + 12345u;
            r = seed >> 8;
            v[i] = ((double)(r & 0xFFFFF) / 1048576.0 - 0.5) * 1000.0;
            if (round == 1 && r % 97 < 3) {
                v[i] = r % 4 == 0 ? NAN : r % 4 == 1 ? -NAN : r % 4 == 2 ? INFINITY : -INFINITY;
            }
            if (isnan(v[i]))
                nans++;
            else if (isinf(v[i]))
                infs++;
            else {
                lo = v[i] < lo ? v[i] : lo;
                hi = v[i] > hi ? v[i] : hi;
            }
        }
        for (size_t k = 0; k < sizeof(descrs) / sizeof(descrs[0]); k++) {
            int wide = descrs[k][2] == '8';
            char order = descrs[k][0], dict[96];
            bytes b;
            json_t *h, *stats;

            for (int i = 0; i < N; i++) {
                if (wide)
                    put(data + 8 * i, f64_bits(v[i]), 8, order);
                else
                    put(data + 4 * i, f32_bits((float)v[i]), 4, order);
            }
            snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }", descrs[k], N);
            b = npy_v1(dict, data, (size_t)N * (wide ? 8 : 4));
            h = scan_ok(&b);
            stats = json_object_get(h, "stats");
            /* float32 rounds the values: compare with the rounded extremes. */
            assert_true(json_real_value(json_object_get(stats, "min")) == (wide ? lo : (double)(float)lo));
            assert_true(json_real_value(json_object_get(stats, "max")) == (wide ? hi : (double)(float)hi));
            assert_int_equal(json_integer_value(json_object_get(stats, "nan_count")), nans);
            assert_int_equal(json_integer_value(json_object_get(stats, "inf_count")), infs);
            assert_true(json_is_null(json_object_get(stats, "distinct_count")));
            assert_null(json_object_get(stats, "distinct"));
            json_decref(h);
            free_bytes(&b);
        }
        if (round == 1)
            assert_true(nans > 50 && infs > 50);
    }
    free(v);
    free(data);
}

/* ------------------------------------------------------------ distinct */

static void test_npy__distinct_cap(void **state)
{
    static const char *descrs[] = {"<f4", "<f8", "<i4", "<i8", "<u4", "<u8", "<i2", "<u2"};
    static const unsigned sizes[] = {4, 8, 4, 8, 4, 8, 2, 2};

    (void)state;
    for (size_t k = 0; k < sizeof(descrs) / sizeof(descrs[0]); k++) {
        for (int n = 256; n <= 257; n++) {
            unsigned char *data = malloc((size_t)n * 2 * sizes[k]);
            char dict[96];
            bytes b;
            json_t *h, *stats;

            assert_non_null(data);
            /* Each value twice, in two passes. */
            for (int i = 0; i < 2 * n; i++) {
                int v = i % n;
                uint64_t bits = k == 0 ? f32_bits((float)v) : k == 1 ? f64_bits(v) : (uint64_t)v;

                put(data + (size_t)i * sizes[k], bits, sizes[k], '<');
            }
            snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }", descrs[k],
                     2 * n);
            b = npy_v1(dict, data, (size_t)n * 2 * sizes[k]);
            h = scan_ok(&b);
            stats = json_object_get(h, "stats");
            if (n == 256) {
                assert_int_equal(json_integer_value(json_object_get(stats, "distinct_count")), 256);
                assert_int_equal(json_array_size(json_object_get(stats, "distinct")), 256);
                assert_true(json_number_value(json_array_get(json_object_get(stats, "distinct"), 255)) == 255);
            } else {
                assert_true(json_is_null(json_object_get(stats, "distinct_count")));
                assert_null(json_object_get(stats, "distinct"));
            }
            assert_true(json_number_value(json_object_get(stats, "max")) == n - 1);
            assert_true(json_number_value(json_object_get(stats, "min")) == 0);
            json_decref(h);
            free_bytes(&b);
            free(data);
        }
    }
}

static void test_npy__int16_min_max_past_the_cap(void **state)
{
    enum { N = 1000 };
    unsigned char data[2 * N];
    bytes b;
    json_t *h, *stats;

    (void)state;
    for (int i = 0; i < N; i++)
        put(data + 2 * i, (uint64_t)(int64_t)(i - 600), 2, '>');
    b = npy_v1("{'descr': '>i2', 'fortran_order': False, 'shape': (1000,), }", data, sizeof(data));
    h = scan_ok(&b);
    stats = json_object_get(h, "stats");
    assert_int_equal(json_integer_value(json_object_get(stats, "min")), -600);
    assert_int_equal(json_integer_value(json_object_get(stats, "max")), 399);
    assert_true(json_is_null(json_object_get(stats, "distinct_count")));
    json_decref(h);
    free_bytes(&b);
}

/* ---------------------------------------------------------- chunking */

static void check_every_split(const bytes *b)
{
    fc_npy_scanner *s = fc_npy_new();
    fc_status status;
    fc_error err;
    json_t *whole, *h;

    assert_non_null(s);
    whole = scan_chunked(s, b->p, b->len, 0, &status, &err);
    assert_non_null(whole);
    /* Two chunks, split at every offset. */
    for (size_t cut = 0; cut <= b->len; cut++) {
        fc_error_init(&err);
        fc_npy_reset(s);
        assert_int_equal(fc_npy_feed(s, b->p, cut, &err), FC_OK);
        assert_int_equal(fc_npy_feed(s, b->p + cut, b->len - cut, &err), FC_OK);
        assert_int_equal(fc_npy_finish(s, &err), FC_OK);
        h = fc_npy_header_json(s);
        assert_true(json_equal(h, whole));
        json_decref(h);
    }
    /* Chunks of every size from 1 to 17 bytes (elements straddle most boundaries). */
    for (size_t chunk = 1; chunk <= 17; chunk++) {
        h = scan_chunked(s, b->p, b->len, chunk, &status, &err);
        assert_non_null(h);
        assert_true(json_equal(h, whole));
        json_decref(h);
    }
    json_decref(whole);
    fc_npy_free(s);
}

static void test_npy__split_at_every_offset(void **state)
{
    unsigned char data[16 * 9];
    bytes b;

    (void)state;
    for (int i = 0; i < 9; i++) {
        put(data + 16 * i, f64_bits(i * 1.25 - 3), 8, '>');
        put(data + 16 * i + 8, f64_bits(i == 4 ? NAN : -i * 0.5), 8, '>');
    }
    /* Big-endian float64 (swapped), complex128, int16 and float32 in version 2. */
    b = npy_v1("{'descr': '>f8', 'fortran_order': False, 'shape': (3, 6), }", data, sizeof(data));
    check_every_split(&b);
    free_bytes(&b);
    b = npy_v1("{'descr': '>c16', 'fortran_order': True, 'shape': (9,), }", data, sizeof(data));
    check_every_split(&b);
    free_bytes(&b);
    b = npy_v1("{'descr': '<i2', 'fortran_order': False, 'shape': (72,), }", data, sizeof(data));
    check_every_split(&b);
    free_bytes(&b);
    b = npy_file(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (36,), }", data, sizeof(data));
    check_every_split(&b);
    free_bytes(&b);
}

/* ------------------------------------------------ files numpy wrote */

/*
 * Written by Debian's /usr/bin/python3 with numpy 1.24.2 (f = io.BytesIO();
 * the line in each comment; the bytes of f.getvalue()), and the expected
 * numbers computed by numpy the same way.
 */
/* np.save(f, np.array(['cat', 'dog', 'bird', 'cat', 'dog'], dtype='<U4')) */
static const char NPY_U4_LE[] =
    "\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x3c\x55\x34"
    "\x27\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73"
    "\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x35\x2c\x29\x2c\x20\x7d\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x0a\x63\x00\x00\x00\x61\x00\x00\x00\x74\x00\x00\x00\x00\x00\x00\x00"
    "\x64\x00\x00\x00\x6f\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00\x00\x62\x00\x00\x00\x69\x00\x00\x00"
    "\x72\x00\x00\x00\x64\x00\x00\x00\x63\x00\x00\x00\x61\x00\x00\x00\x74\x00\x00\x00\x00\x00\x00\x00"
    "\x64\x00\x00\x00\x6f\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00\x00";

/* np.save(f, np.array(['cat', 'dog', 'bird', 'cat', 'dog'], dtype='>U4')) */
static const char NPY_U4_BE[] =
    "\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x3e\x55\x34"
    "\x27\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73"
    "\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x35\x2c\x29\x2c\x20\x7d\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x0a\x00\x00\x00\x63\x00\x00\x00\x61\x00\x00\x00\x74\x00\x00\x00\x00"
    "\x00\x00\x00\x64\x00\x00\x00\x6f\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00\x00\x62\x00\x00\x00\x69"
    "\x00\x00\x00\x72\x00\x00\x00\x64\x00\x00\x00\x63\x00\x00\x00\x61\x00\x00\x00\x74\x00\x00\x00\x00"
    "\x00\x00\x00\x64\x00\x00\x00\x6f\x00\x00\x00\x67\x00\x00\x00\x00";

/* np.save(f, np.array(['caf\u00e9', '\u65e5\u672c', '\U0001F600', '', 'caf\u00e9']))  # <U4 */
static const char NPY_U_UTF8[] =
    "\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x3c\x55\x34"
    "\x27\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73"
    "\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x35\x2c\x29\x2c\x20\x7d\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x0a\x63\x00\x00\x00\x61\x00\x00\x00\x66\x00\x00\x00\xe9\x00\x00\x00"
    "\xe5\x65\x00\x00\x2c\x67\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf6\x01\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x63\x00\x00\x00\x61\x00\x00\x00\x66\x00\x00\x00\xe9\x00\x00\x00";

/* np.save(f, np.array([b'yes', b'no', b'\xff\xfeok', b'no', b'a\x00b']))  # |S4 */
static const char NPY_S5[] =
    "\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x7c\x53\x34"
    "\x27\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73"
    "\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x35\x2c\x29\x2c\x20\x7d\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x0a\x79\x65\x73\x00\x6e\x6f\x00\x00\xff\xfe\x6f\x6b\x6e\x6f\x00\x00"
    "\x61\x00\x62\x00";

/*
 * rng = np.random.default_rng(7); x = (rng.standard_normal(1024) * 3 + 1).astype('<f4')
 * x[[5, 300, 1000]] = np.nan; x[700] = np.inf; np.save(f, x)
 */
static const char NPY_F32_RANDOM[] =
    "\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x3c\x66\x34"
    "\x27\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73"
    "\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x31\x30\x32\x34\x2c\x29\x2c\x20\x7d\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x0a\xee\x78\x80\x3f\xe2\xb7\xf2\x3f\x38\xd9\x35\x3e\xbd\xfc\xd5\xbf"
    "\xd4\x5f\xba\xbe\x00\x00\xc0\x7f\x5b\x18\x97\x3f\x21\xa9\xa0\x40\x7a\x07\xf4\xbe\x54\x86\x5c\xbf"
    "\xb7\x0c\x1e\x40\xb6\x85\x04\x40\xa4\x7a\xa8\x3f\xbb\x4c\xe5\xbf\xdc\x88\x69\x3f\x8b\x7f\x45\x40"
    "\xd5\x16\x42\xc0\xd7\xe5\xbe\xbe\x73\x84\x96\xc0\x5c\x97\x37\xc0\x7b\xce\x90\xc0\x68\xe6\x96\x3e"
    "\x88\x59\x33\xc0\x5f\x2a\xe8\x3f\x42\x31\xbc\x3f\xc3\xdf\xe0\x3e\xe3\x9b\xd1\xc0\x55\xb7\x1d\xbf"
    "\x53\xc0\x5a\x3f\xba\x82\xab\x3f\x3c\xc9\x65\xc0\x3b\xd4\xdd\xbe\x57\xc0\xf7\xbf\xf0\x97\xb6\xbf"
    "\xa5\xd8\x85\x40\xe4\x17\xb6\xbf\xf9\x05\x67\x3f\x88\xcd\x69\x40\x84\x34\x40\xbf\x81\x36\x2a\x3f"
    "\x11\x6b\xaa\x3f\x01\x7e\x98\x3f\xf2\x35\x2b\xc0\xe4\x3c\x9d\x3f\x72\x72\xa2\x40\x41\x0d\x69\xc0"
    "\x61\x00\x65\x40\xfa\xd4\xad\x3f\x36\xa6\x6c\xbf\x3d\x0a\xe0\x40\x97\x5a\x52\x40\x73\x43\x26\xc0"
    "\x3e\x9d\x9c\x3f\x72\xb9\x2e\x40\xd9\x07\xde\x3e\x68\x1e\x43\x40\x2a\xea\x4c\x3f\x8d\x1c\x40\x40"
    "\x22\x19\xaa\x40\x4d\x74\x83\xbf\x57\x01\xce\x3f\xf4\xa3\xc7\xbe\xfe\xde\xb0\x3f\xfc\xf0\x23\xc0"
    "\x54\xe7\x3c\xbf\x9b\xa4\xd2\x3e\x0b\x90\x6c\x40\xfa\xf0\x8d\x40\x0a\x1e\x3e\xc0\x86\x24\xb1\xbf"
    "\x99\x34\x3c\x40\xb5\x45\x9f\xc0\xcd\x6d\xc7\xbe\x9d\x48\x35\x3f\x66\xac\x98\x40\x95\x5d\x44\x40"
    "\x2a\x67\x96\x3c\xc1\x87\xd8\xbd\x55\x66\x7f\x3e\x42\x42\xb2\x40\x41\x72\x91\xbe\x0d\x30\xb6\x3d"
    "\x75\xb2\x03\x40\x90\x3f\x23\x3f\xaf\xf8\xd0\x3e\xa1\xe6\x15\xc0\xca\x26\x77\x3f\x3c\x57\xa9\xbe"
    "\xc2\xf2\x8f\x40\x9b\x64\x3d\x40\x2c\x75\x6d\x3f\x44\x54\x40\x40\x55\xa2\xa0\xbc\x0f\x01\x85\x40"
    "\x67\xda\x7b\x3f\x69\x02\x30\x40\xfc\xd9\x37\xc0\x05\x90\x02\x40\x4e\x11\x82\xc0\x3f\x64\xa3\xc0"
    "\x48\x4b\xb1\x3d\x7c\x92\xd9\xbf\x0c\xff\xbe\x3f\x24\x7f\xf7\x40\xb7\x61\xbf\xbf\x4d\x30\x5f\xbf"
    "\x08\xe0\xce\x3f\x97\xa8\x1e\x40\x50\x0a\xf1\x3e\xe6\xb0\xc3\x3e\x76\xdf\x46\x40\x80\xd2\x23\x40"
    "\x3c\x77\x06\xc0\x52\x30\x43\x3f\xd7\x8c\x8d\x3f\x07\x76\x0a\xc0\x39\xc7\xe3\x3f\x8e\x74\xc9\xbf"
    "\x06\xa3\x7a\x40\xb2\x03\xca\x3f\x2f\x4b\xa2\x3f\xe7\xe8\x45\xbf\x5c\xe8\x24\x3f\x9d\xc8\x9f\xc0"
    "\xf1\x3a\x19\xc0\x4d\xaa\x05\x40\xaa\x57\xac\xc0\x81\x8c\x62\x40\x11\xa0\x87\xc0\x36\x4b\x51\x40"
    "\xbe\xab\xc4\xbf\xf8\x90\x55\x40\x07\x49\xb2\x3f\x83\x12\x67\xc0\x14\xeb\x97\x40\x65\x67\xaa\x40"
    "\x3b\x76\x4d\x3f\x7a\x87\x36\x3e\xe0\x38\x05\x3f\x60\x75\xf6\xbf\xde\x76\x89\x40\xe6\xf0\x20\xbf"
    "\x8e\xaf\x58\x3f\x36\xa0\xb0\xbf\xfb\xd2\x60\xbf\xbf\x52\x35\xc0\xbc\xad\x98\x40\x27\xa9\x09\x3f"
    "\xfb\x74\x79\x40\xdc\x1d\x85\x3f\xa5\xa6\x8a\xbf\x10\x62\xa3\x3c\xe8\x41\x2e\xbf\x69\x0e\x83\x3f"
    "\xda\xd1\x00\xbe\xee\x47\xcd\x3d\xb4\xaf\x48\xc0\x2f\xd4\xb5\xbf\x1e\xca\xbe\x40\xe9\xc0\x81\xbf"
    "\xd1\x62\x0a\xc0\x44\xc4\x00\x40\x1f\x19\xa7\x40\x34\x2c\x57\xc0\xdf\xb5\xbf\x3e\x97\x6a\x65\xbf"
    "\xd1\x0e\x89\xc0\x1e\x1b\x4d\x40\xbd\xfe\x6d\x3f\x05\x6f\x9b\x3f\x3a\xe3\xa0\xbf\x8d\x51\x17\x40"
    "\x2c\x2e\x1e\xbf\x16\x40\x12\x3f\x3c\xc9\x14\xc0\xe2\x7d\x29\xc0\x08\x36\xa0\x40\xd7\x74\x05\xbf"
    "\x59\x01\xf0\x3f\x88\x0c\x66\x3f\x5a\x99\xa5\xbe\x31\x1d\x06\xbf\xd2\xf9\x38\x40\x50\x53\xc1\x3d"
    "\xf8\xb0\x0b\x3f\x78\x88\x88\x3f\xde\xf1\x90\x40\x7a\xa8\x42\x40\x91\x75\x09\x40\xa5\xd2\x30\xbf"
    "\x87\x56\x49\xc0\x4c\x4f\x76\x40\xcf\x8e\x79\x40\x9a\xef\x13\x3f\xad\x0a\x28\x40\x7d\x09\x56\x40"
    "\x61\x96\x5f\x40\xd7\xe7\x70\x40\x26\xd4\xbb\xbe\xfa\x6f\xb1\x40\x8b\x58\x2f\xc0\x6a\x73\x65\x40"
    "\xc0\xd5\x1e\x40\x20\xbc\x67\x40\x82\x62\xd4\x40\xbb\x81\xae\x40\xbc\xdf\x1b\xc0\xcb\x1c\x82\xc0"
    "\xbb\xd7\x5c\x40\xe4\xe1\x02\xc0\x00\x79\x76\x3f\x49\x3a\x61\x40\xed\x9b\x7b\xc0\xe1\x8e\xaa\xc0"
    "\x22\x92\xe3\x3f\x4f\x0b\x91\x3f\x4d\x72\x86\x3e\x1f\xcc\x8e\x3f\x20\x70\xca\xbf\x47\x97\x62\xc0"
    "\x53\x02\x00\x3f\xda\x22\xf5\xbf\x65\x8c\x7b\xc0\x3c\x17\x21\x40\x8a\xd8\x50\x3f\xb1\x0d\x0e\x40"
    "\xa6\xe3\xfb\xbf\x9f\x63\x79\xbf\xed\xa1\xff\xbf\x71\x78\xd4\xbf\x61\x09\xcb\x3f\x89\xa9\xac\xbf"
    "\x5f\x5d\x04\x40\xaf\x3b\x01\x40\x5b\x6a\xe2\x40\x5e\x6a\x4b\xc0\x2d\x7a\x6a\x40\xf3\x45\x3b\x3f"
    "\xa5\x39\x75\x3f\xb5\x5f\x56\xc0\x92\xdb\xc2\xbe\xa2\xb1\x4e\x40\x18\xa8\x40\x3f\xf8\x1f\x9f\x3f"
    "\x19\xeb\x02\x3e\xb5\xd6\x8e\x40\x52\x82\x6f\x3f\x6a\x3d\xb3\xc0\x80\xc1\x89\xbf\x25\x01\x9d\xc0"
    "\xad\x11\x0c\xc1\xeb\x20\x17\xbf\x91\x05\xa0\x40\x13\x18\x92\x3f\xf7\x20\x21\xc0\x8f\x3a\xe9\xbf"
    "\xf3\x89\x8c\x40\x54\x87\xbc\x3f\x84\x6e\x92\x3f\xfc\xf0\x56\x3f\xe6\xbe\x8e\x3f\x4c\xa3\x5a\x40"
    "\xca\x17\x2a\x40\xa3\xd4\xd2\x3f\x11\x3b\x08\xc0\x05\x22\x22\x40\x3a\xc0\x86\xbf\x5a\x02\x89\x40"
    "\xb1\x0a\x34\xc0\x9d\x4e\x16\x3f\x4d\x59\x7a\x3f\xfa\x54\x3e\xc0\x2d\x4f\xc5\x40\xf5\x32\xac\x40"
    "\x8d\x10\xc8\xbe\xa4\x2b\x54\x40\xb0\xb4\x08\x40\xd6\xe6\xda\xc0\x20\x27\xe0\x3f\x43\xe3\x50\x3f"
    "\x99\xf4\x9f\x3f\x8e\xc2\x0e\xc0\xdd\x90\x44\x3e\xcd\x31\xee\x3e\x9a\x0e\x92\x40\xc2\x35\x00\x40"
    "\xd6\xbb\x7b\x3f\xf7\xc7\xb2\x40\x2f\x6e\x2a\xbf\x74\x54\x2c\xbe\x92\x68\x8e\xc0\x58\xa2\xb6\x40"
    "\xdd\x26\x79\x40\xea\x08\x70\x40\xb2\x6d\x40\x40\x0c\x4c\xaa\x3f\x6d\xbf\xd2\x3f\xf4\xd5\x79\x3e"
    "\x0e\x45\xc7\x3e\x43\xda\x94\x3f\x00\x00\xc0\x7f\x2c\xb1\x2a\x40\x46\x1a\x53\x3f\x1d\xf9\x3c\xbf"
    "\xc8\xad\x67\xbf\x14\xdc\xb9\x40\xb2\x48\x21\x40\x7d\xf0\x99\x3f\xea\xe1\x1d\xbd\x31\xf0\x14\xc0"
    "\x7c\xa6\x4c\x3f\x0a\xbe\x67\x40\xda\xdf\x35\xbe\x95\xf4\xa2\x3e\xc2\x7d\xac\x3e\x91\x15\xaa\x3f"
    "\xac\xdb\x71\xc0\x9a\x6d\x96\x3e\x7f\x16\xc8\xbf\x20\xd7\x69\x40\xef\xe8\xa7\xbf\x00\xcb\x2e\x40"
    "\x93\x58\xb2\x40\x76\x87\x72\x3d\xb4\x02\x4e\xbf\x8f\x82\xc9\x3f\x14\x71\x7e\x3f\x76\x8c\xfd\xbf"
    "\x1c\x7f\x18\x40\x53\x7d\xe1\x40\x78\x14\x67\x3e\xd5\x61\xc8\x3e\x80\xa0\x08\xc0\xac\x87\xfa\x3f"
    "\x60\x6b\x2f\xc0\xe0\x87\x14\xc0\x1a\xd9\x9a\x40\xa8\xb1\xdb\xbf\x72\xcf\x87\x40\x9f\x56\xb2\x40"
    "\xd4\x94\xe3\x3f\x4b\x40\x2a\x40\x85\x6a\xdb\x40\x3f\xd3\xd1\x3e\xaf\x6d\x47\xbf\x03\xd2\x43\xc0"
    "\xf9\x03\x90\x3f\x73\xff\xad\x40\x08\x3e\x78\x40\x56\xc3\xe9\xbf\xd2\x76\xc8\xbf\x19\x34\x03\xbf"
    "\x1f\x3b\xf0\x3f\x43\xa4\xc4\x3e\xae\x59\xd2\x3f\xab\xf2\xf1\x3f\xc8\x55\xd4\x3d\x7b\x25\x61\x3f"
    "\xdb\x54\xcf\x3f\xe2\x82\x3f\x3f\x0f\xad\x20\x40\xa5\x9a\xd3\x40\x9f\xa8\x31\x40\x66\x6e\x95\x3f"
    "\x0d\xde\x81\xc0\xde\x7c\x0a\x40\x92\xe1\x9a\xc0\xd8\x88\x4e\xc0\x3b\x17\x64\x40\xde\x98\x47\x40"
    "\xcb\xd8\x0c\x3f\x3c\x29\x84\xc0\xb7\x90\xe9\xbd\xb1\xa2\x84\xbf\xff\x45\x3a\x40\xfc\xbd\xf8\x40"
    "\x22\x4d\xd3\x3f\x67\x41\xab\xbf\xf3\xbe\x20\xc0\x6a\xeb\x54\x3f\x16\x72\xf0\x3e\x78\x17\x1d\xc0"
    "\x2f\xae\xac\x3f\xb4\xf9\x1c\xc0\x26\xc3\x8a\x40\xb4\x03\x86\x40\xd9\x22\x88\x40\x3b\x24\xd8\xbe"
    "\xb7\xc9\x22\x40\x14\x92\x1a\x3f\x3f\x6e\x2a\xbe\xfb\xd7\x8e\xbc\x9b\x8b\x39\xc0\xca\x38\x55\xc0"
    "\x29\x82\x58\x40\x2e\x43\xda\x3e\x6e\x1b\xd3\x3f\x09\x2a\x80\x40\x77\x61\x86\xc0\x1f\x1b\xad\xbf"
    "\x1e\x54\xc3\x3f\x3e\x48\x0b\x40\x6a\x5f\x06\xbe\x1c\xcd\x82\x40\xaa\xca\xd0\x3f\x29\xf8\x28\xc0"
    "\xcd\x69\xe5\xbf\x83\xa6\x5a\x40\x3e\x0e\x19\x40\x54\x4f\x96\xc0\x61\x61\xa1\x40\x3a\xd2\x32\x40"
    "\xff\xf5\xa0\x40\xa7\xba\x1a\xbe\x54\x2e\xe7\x3d\x9e\x47\x18\xc0\xca\xc5\x09\x41\x97\x80\xf2\x3e"
    "\x37\x67\xb8\x40\xe0\x1e\x71\xbf\x3f\xea\xbe\x3f\x29\x73\x80\xc0\xfa\x2a\x18\xbe\x85\xe1\x7c\x40"
    "\xb6\x55\x30\xc0\x10\xef\x86\x40\xea\xbf\x00\x40\x47\x70\x08\xc0\x09\x3a\x01\xbf\xf8\x1f\xc1\xbe"
    "\x1a\xf8\x59\x3f\x31\xc2\x1b\xbf\xb6\xad\xbd\xbf\xf8\x9c\xb0\x3d\xaf\x29\x05\xc0\xcf\x96\x37\xc0"
    "\x1e\x00\x5b\x3f\x09\x83\x69\x40\xae\xa3\x65\xc0\xde\x58\x81\x3f\x96\x2a\x73\xbf\x4e\x39\xf7\xbf"
    "\x2b\xdc\x63\x40\x4e\xf4\x0d\xbf\x43\xd6\xaf\x40\x54\x75\xab\xbf\x59\x35\x0a\x40\xaf\xe4\xa2\x3e"
    "\x5c\x8b\xa1\xbf\x67\xd5\x30\x40\x30\xf9\x08\x3f\x02\xd1\x33\x40\x1d\xae\x5b\x3f\x0a\x7a\x10\xc0"
    "\x5f\x9c\x31\x3f\x67\xf3\x93\x3f\x5f\x06\x78\x40\xde\x01\xdc\xbf\x70\xcb\x61\x3f\xe4\x4c\x85\xc0"
    "\x30\x16\x3d\x40\x0d\xa5\x0f\xc0\x17\x69\x8d\xc0\x7f\x85\x52\x3f\x50\x25\x8a\x40\x9e\xb1\x64\xc0"
    "\x20\xe7\x10\xc0\xe5\x6a\x9d\xbf\x05\xdd\x18\xc0\xa4\xd9\x08\x40\x73\x07\xb6\xbf\xc9\x0f\x95\xbf"
    "\xa1\xfe\x2f\x40\x1c\x1e\xa2\xbf\x02\x18\x13\x40\x0c\x03\xf5\xbf\x08\xbb\x28\xc0\x00\x34\x90\xc0"
    "\xeb\xac\xd2\x40\x32\xa8\x20\x3d\xa0\xab\xdd\x3f\x6b\x27\x68\x3f\xe1\x6c\xbd\x3f\x61\x14\x93\x3f"
    "\x58\x30\xd7\x40\x52\x79\x07\xc0\x61\x08\x6b\xc0\xd7\x4b\x02\xc0\x9e\x43\x40\xc0\xae\x6a\x4f\x40"
    "\x3b\x83\x5d\x40\x2a\x25\xf1\xbf\xb3\xf6\x4a\xc0\xe2\xde\x83\xbd\x43\x8c\xa5\x40\xbd\xad\xee\xc0"
    "\xc2\x1c\x25\x40\x85\x8b\x0e\xc0\x10\xe0\x83\x40\x1e\xf6\x0e\xc0\xdc\x33\x13\x3e\xa1\x34\x61\xc0"
    "\x5b\x44\xf7\xbf\x62\x0a\xa5\x40\x15\x8d\x5d\x40\xb0\xec\x51\xbe\x6d\x25\xce\xbf\x34\xce\x95\xc0"
    "\x3c\x50\x39\xbe\x2c\x44\x68\x3f\x3e\x72\x3f\x3f\xc2\xf7\x37\x3f\x30\x63\x17\xc0\x06\x1a\x4d\x3f"
    "\x81\x4c\x62\x3f\xda\xe4\x9b\x40\xd7\x34\xd3\x40\xdd\xca\x16\x3f\xf1\x42\xa6\xbf\xfe\x17\x4e\x3f"
    "\x34\xa7\x52\xbf\x37\x18\x9d\xbf\xe9\xf4\x52\x3f\x80\x50\x08\xc0\x5c\x5f\x34\x40\x5f\x31\x30\x3f"
    "\xd1\x00\xe0\x3f\x0d\x01\xe7\x3e\x05\x44\x97\xbf\x37\x04\xec\xbf\x47\x8b\x93\x3e\xac\x72\x25\xbf"
    "\x70\xd1\xd9\x3f\xb1\x98\x7c\x3f\x1a\x90\x45\xc0\x4b\xc6\x99\x3f\x46\xd4\x41\xc0\x6f\x74\x59\xbf"
    "\xce\x7d\xef\x3d\xeb\x39\xa7\xc0\x8c\x23\xa3\x3f\x44\xfa\xb9\x3f\x2e\xa3\x06\x3f\x57\xc0\x8b\xbe"
    "\xbf\x6b\xf7\xbd\xbc\xfd\xf6\xbf\x00\x7b\x43\x3e\xe7\x67\x28\xbf\x0a\x35\xa3\x3f\xb2\x31\x27\xc0"
    "\x6e\x77\xda\x3f\xfd\xfe\xb6\x3f\x9d\x47\x13\x3f\x5d\x9e\xa2\xbe\x9c\x0c\x2a\x40\x81\x9a\x7f\xc0"
    "\x34\x68\x18\x40\x8e\x53\xdd\x3f\x06\xd1\xec\x3f\x95\x98\x09\x40\xb8\xff\x75\xbf\x4f\xf0\x62\x3e"
    "\xb1\x50\x3a\x40\xc8\xae\x12\x40\xb1\x60\xcf\x3f\xde\xbf\x62\xc0\x3a\x46\x27\x40\xeb\x44\x90\x40"
    "\xb0\xed\x80\x40\x26\xcf\xd9\x3f\x05\x13\x6b\xc0\xf6\xf7\x74\x40\x8f\xe8\x0e\x3f\x34\x1f\xd3\xc0"
    "\x80\x6c\x08\x40\x3a\x7f\x5e\xc0\xa6\xea\x38\xc0\xff\xa5\x67\xbf\x33\x2b\x9a\x40\x4f\x79\xe6\xbd"
    "\x8f\x0f\xe8\x3f\x10\xce\xc7\x40\xe0\x06\xb9\x40\xe4\x9f\x30\x3f\x12\x06\x8d\x3e\x50\x16\x32\xc0"
    "\x02\xac\x8a\xbf\x37\xab\x11\x40\xf5\xfa\x0b\x40\xdc\x54\xaa\x3f\x7e\x00\x7f\x40\xdd\x96\xa8\xbf"
    "\xe8\xee\x54\x3f\x0e\x66\x4c\x40\xf1\x27\x30\x40\x90\xcf\x86\x40\x59\x3a\x0c\x40\xdc\x07\x93\x3d"
    "\x79\x8a\x05\x40\x8f\x7f\x00\xc0\xb4\xc6\x7a\xc0\x2e\x7d\x2f\x40\xf8\xa6\x55\x3f\xe6\x6d\xf6\x3f"
    "\x4a\xfa\x82\xc0\xb5\x42\xc3\xbd\xb5\xb0\x4c\xbf\x82\xdb\xcb\xbf\x40\x7b\xb8\xc0\x1d\x67\x97\xbb"
    "\x4d\x48\x6c\x40\xcd\x26\x09\x40\xe9\x86\x4d\xbf\x44\x93\x74\x3f\x3d\x4e\x51\x40\x08\x00\xe9\xc0"
    "\x1e\x5b\x20\x3f\x60\x4b\x28\x40\xfc\xf7\x42\x40\x25\x45\xc3\x40\xe2\xf6\x8c\x40\x2d\x06\xf8\x3f"
    "\x73\xf5\xf3\x3f\xf0\x17\x57\x40\x00\x34\x1e\xbf\xb5\x22\x61\x3f\x76\xff\x6d\x40\x2c\xea\xdb\x40"
    "\xc6\xae\x05\x3f\x0a\xd4\x5a\x3f\x66\x37\xcc\x3f\x93\xf2\xa0\x40\x29\xb8\x68\x3f\xf8\x0e\xad\x40"
    "\x45\x32\xf3\xbf\x8d\x3f\xe2\x3e\x4a\x9e\xcf\x3e\x54\x02\x57\x40\x52\x58\x84\x40\x36\xd0\x61\xc0"
    "\xb9\x67\xdf\xbf\xf9\xac\x00\x40\x71\xe0\x79\xbf\x5f\x4e\x64\xc0\xaf\xb1\x83\x40\x9e\xd7\x1e\x40"
    "\xa9\xb0\x1e\x40\xdd\x48\xda\xbe\x31\xc7\x82\x40\xe4\x6b\x8f\x3e\xfe\x41\x89\x40\x55\x14\xde\xbf"
    "\xee\xfc\xc7\xbf\x36\x97\xce\x3f\x0f\xb2\x8d\xbf\xc5\xaf\x41\x40\xaa\xdf\xe3\x3f\xc3\x6b\xe2\xbf"
    "\xfb\xfa\x9b\x3f\x0f\x80\x5c\xbd\x04\xd7\x6f\x40\xfa\xcc\x65\xbf\xe3\x91\xa2\xbe\x5c\x47\x94\x40"
    "\xac\xe7\xf6\x40\xa3\xe7\xdf\x40\x13\x47\x98\x3f\x4b\x0a\xd4\x3f\x48\x36\xb3\x40\x1f\x6f\x20\x3f"
    "\x07\xeb\xf6\xbf\x57\xe1\xac\x3f\xf4\xb0\x16\x40\xb9\x64\xbe\xbf\x8e\x13\x7c\xc0\x21\xda\x53\xc0"
    "\x2e\xc3\x3f\x40\x72\x37\xa3\xbf\x08\x72\x13\x3f\x5e\x9f\xd1\x3f\x03\xe0\x36\x40\xe4\x48\x9a\xbb"
    "\xe0\xc0\x1f\x40\x7d\xc8\xd5\xbf\xf8\x5e\xae\xbd\x13\xb0\x04\xc0\x50\xa6\x8c\x40\x38\x33\x6b\x3f"
    "\xe2\xe4\x9b\xbf\xd5\xf1\x69\xbd\xd0\x6c\xab\x3e\xf3\x7f\x46\x40\xb6\x5c\x72\xc0\xbe\x24\x07\xc0"
    "\xa4\x8b\x09\xbe\xf9\x8c\x09\x41\x87\x7d\x77\x40\xb5\x67\x2a\x3f\x34\xb4\x48\x40\x8d\x83\xe5\x40"
    "\x00\x00\x80\x7f\x5c\x3e\xcb\xbd\xb9\x58\x94\x40\xb7\xe1\x1e\x40\x5e\xe5\x40\x40\x97\x50\x06\xbf"
    "\x37\xb9\xd8\x40\xe7\x1e\xc4\x40\x77\xa9\x2c\x40\x37\x62\x43\x40\xf7\x9d\xa2\xc0\xb6\x70\x3a\x40"
    "\x66\xd9\xd5\x3e\x55\x4f\x13\x40\x3f\x08\x43\x40\x24\x96\xc3\xbc\x48\x49\x82\xc0\xc5\xa1\x06\x40"
    "\xfb\xb0\x9c\xbf\xca\x4c\x1a\x3c\x79\x43\x50\xbf\x66\x87\xca\xbc\xc9\xb6\xbd\xc0\xb1\xd3\x94\x40"
    "\xef\x48\xe1\x3f\xc0\xb1\x8a\x40\x98\x10\xde\x40\xff\xac\x88\x3f\xac\x08\x8d\xc0\xa7\x40\xd7\xbf"
    "\xc5\xb9\x27\xc0\x92\x70\x01\xbf\xb7\x95\x9e\x3f\xc1\x35\xa0\xc0\x5b\xc1\x01\x40\x0d\xfd\x61\xc0"
    "\x32\x30\xf2\x3f\x2a\xe9\x2b\x3f\x6e\x19\x72\x3d\x27\xe7\x47\x3f\xad\x8c\x1e\xbf\xc9\x60\x56\xbf"
    "\x6c\x8b\x81\xc0\x08\x3f\x69\x3f\xd6\x2b\xd1\x40\xa6\x20\xde\x40\xfd\xe4\x9e\x40\x8f\x83\x47\x40"
    "\xb4\xc4\x83\xbf\x0b\x81\xaa\x40\xe0\xe4\x54\x3f\x86\x1a\x4b\x3f\xaa\x59\x01\x3e\x39\x50\xa3\x3f"
    "\x76\x7d\x9c\xbe\xc1\xa7\x3f\x3f\x37\x3e\x10\xc0\x30\xca\xf7\xbd\xf5\xee\xfa\x40\x42\x8d\x4a\x3f"
    "\xd9\x6a\x91\x3e\x43\x37\x26\x40\x9b\xf5\x47\x40\xf8\xd7\x15\xc0\xda\xcd\xc1\x3e\x18\x4f\x70\x40"
    "\x1e\x9e\xe7\x3f\x92\xd4\xae\x3f\x8a\x2f\xb5\x40\xc6\x43\x84\xbf\x41\xc6\x9f\x3f\xb2\x67\x0f\xbf"
    "\xd1\x11\xaf\x40\xec\x60\x9b\xc0\x9c\x55\x81\xbf\x7e\x64\x16\xbf\x4d\x66\x3f\x40\xa7\x67\x34\x40"
    "\x4b\xf0\xa5\x40\xdd\x36\x6e\xc0\x59\x17\x50\x40\xa9\x16\xf6\x3d\x3f\x33\x7f\xbf\xdf\x98\x27\x40"
    "\x67\x55\xe1\xbf\x39\x62\xa7\xc0\x55\x9f\xe2\xbd\x6f\x92\x5f\xc0\x0b\x5e\x72\xbf\xa9\x56\x07\x40"
    "\xd3\xce\xf7\x3f\xa4\x57\xb8\x40\x8f\x54\xcd\x3e\x50\x66\x66\xc0\x58\x57\xa2\xbf\x26\x0b\xe1\xbf"
    "\x8b\xd2\x29\xc0\x2b\x97\x13\x40\xd7\x89\x6f\xbf\xea\xd3\x9d\xc0\x26\xcf\x45\x40\xa5\x6c\x2a\x3f"
    "\x44\x83\x04\x40\xda\x98\xa8\x3f\x18\x47\x39\x40\x65\x99\x8e\x3f\xea\xac\x96\x40\xc1\x98\x11\x40"
    "\xe8\x46\x0b\x40\xc7\xb1\x0e\x40\xa9\xac\x57\xc0\x4b\x8f\x01\x3f\x37\x61\x63\x3e\xac\xb2\xcf\x3f"
    "\x89\xde\x44\xc0\x01\xe0\xbc\x40\xd3\x15\xa8\x3f\xae\x92\x28\xc0\x9b\x0d\x84\xc0\xac\xe2\x1f\x3e"
    "\x19\x21\x3b\x3f\xfc\xd2\x93\xbf\x28\x5f\xa3\x3f\x49\x6c\x6c\xbf\x1b\xeb\x29\x40\x5c\x39\x96\xbf"
    "\x8c\x6e\x62\x3f\xe7\xef\x7b\x40\xab\x70\x0b\x41\xae\x77\x01\xc0\xe3\x7b\xc9\xbe\x35\x7f\xc2\xbf"
    "\x4e\x97\x56\x40\x61\x6f\x1c\xc0\xf1\xf8\xe7\xbe\x27\x44\x69\x3f\x04\xd0\xf7\xbf\xe2\x9c\xef\xbf"
    "\x88\x8e\xda\xbe\x6b\xa4\xa9\xc0\x25\x88\x55\xc0\x39\xd7\x74\xbe\xaa\xeb\xb8\x3f\x34\xac\xe2\x3e"
    "\x0e\x4d\x8a\xc0\x31\x60\xc8\xbe\xcf\x4c\x59\x40\xe7\xb9\x2a\x40\x8a\x85\x43\x3f\x02\xc0\xd4\xbf"
    "\x8c\x31\x39\x40\x12\x9e\x3c\xbf\xe6\x7e\x20\xc0\x1e\x0a\xb4\xbf\x89\x0a\xab\x40\x94\x8c\xd4\x3f"
    "\xa8\x49\x8f\x40\xb5\x42\xe0\xbe\xeb\x1f\x74\x40\x82\xf4\x4d\xbf\x85\x18\x07\x3f\x46\x58\x07\x41"
    "\xe4\x4a\x53\x40\x1b\xe6\x00\xbf\xe6\xdb\x3e\x3f\x11\x45\xfd\x3f\x35\x34\x94\x40\xf5\x4e\xef\xbe"
    "\xa8\x2a\x87\xc0\xbb\xf0\x24\x3e\x74\xe8\x85\x3f\x05\x10\xaa\x3f\xfa\x66\x9e\x40\x9b\x9b\xf9\x3f"
    "\x7f\x14\x5c\x40\xf1\x69\x13\xc0\x18\xa3\x66\x40\xb3\x3c\xe9\x40\x0a\x66\x54\x40\x8b\x5d\xe1\x3f"
    "\xa8\x21\xbb\x3f\xcf\x90\xcb\x40\xa6\x09\xe4\xbf\x63\xac\x2a\x3f\x20\x5c\x18\x40\x24\xd9\x4e\x40"
    "\x54\xbc\x9f\xbe\xec\x02\xf6\x3f\xa7\x39\x2a\x3e\xcb\x42\xae\x3f\xbf\x8d\x1a\x3f\x9d\x2f\x1b\xc0"
    "\xe6\xc8\x6f\x3f\xc0\x69\x68\x40\xc4\x55\xf3\xbf\xde\xae\x8d\x3e\x45\xa3\x3f\x40\x02\x6a\x0d\xc0"
    "\x14\x22\xc6\x3f\x80\x8b\x0b\xc0\xae\xec\x8c\x40\xe6\x07\xfe\x40\xf2\x22\xe2\x40\xa7\x56\xaf\x3e"
    "\x44\x1e\x4e\x40\x90\x76\xae\x3f\x6b\x35\xa7\x3f\xad\x95\xb4\x40\x51\x48\x3d\xc0\xec\x4e\x85\x40"
    "\xed\x62\x5a\x3f\x4b\x38\xa7\x40\xca\xe5\xc7\x3f\x59\x4e\x82\xbf\x02\x6c\xea\x3f\x41\x4e\x4d\x40"
    "\xb6\xbb\x8d\x3f\x0f\xb4\x1d\x40\x83\xa5\x10\xbf\x55\xda\xac\xc0\xf6\xcd\x6c\x40\x19\x3d\x46\x40"
    "\x87\xe6\xb8\x3f\x08\x45\x9a\x3f\x01\x7c\x83\x40\xae\x1d\xbe\xbe\x20\x4f\x8f\xbf\x2d\x63\xde\x3e"
    "\x41\x27\x92\x40\x60\x53\x4a\xc0\x6a\x6a\x92\x40\x3a\xf2\x6a\xbf\xbf\x57\x13\xc0\x48\xf7\x98\x40"
    "\xa2\x96\x35\x3f\x1f\xa5\x39\xc0\x50\x0e\x9c\xbd\x17\xc3\x72\x40\x6a\x70\x92\x40\x09\x06\x90\xbe"
    "\x7a\x03\x0e\x40\xb0\x1a\x49\x40\xba\x12\x6f\xbf\xbc\x2a\x04\x40\x8c\x84\x67\x3f\xb0\xaa\x1b\xbf"
    "\x71\xf0\xf3\xbe\xc2\xbd\x99\x3f\xb8\x76\x8b\x3f\xd9\x4b\x32\xbf\x6f\x40\x8e\xbe\x60\xe1\x8a\x40"
    "\x10\x1c\xd2\x3f\x29\xf0\x69\x40\xfc\x5f\x93\x40\xc6\x0e\x31\x40\x4d\x01\xfa\x40\xb0\xea\xbc\xbf"
    "\xf3\x36\x5b\x40\x99\xa5\x3a\x3d\xbb\x27\xd2\x40\x04\x3e\xc3\x40\xb2\x9a\x9b\xc0\x6d\x0b\xf4\xbf"
    "\x4f\x8c\x3f\x40\x8e\xa7\x57\x40\x9b\x6b\x4d\x40\x4f\x93\x49\x3f\x19\x62\x17\x40\x4f\x61\x3d\x40"
    "\xe3\x31\x44\x3f\xf9\x9e\x82\x40\x68\xe9\xb8\xc0\x38\xb0\x39\x40\xc1\x89\x06\xc0\xee\x10\x78\x40"
    "\xa0\xbd\xa0\x3e\x58\x4b\xd5\xbf\x0a\xca\x07\x40\xba\xf3\xdd\xbf\xbc\x80\xde\xbf\xa7\xeb\x6c\xc0"
    "\x0b\x7d\x6b\x3f\xdf\x63\x1f\x40\xe3\x35\x82\x40\x2b\x27\x13\x3f\x17\x98\x84\x40\xa3\xe5\x86\x3f"
    "\xbd\x5a\x38\x3f\xc4\x1f\x2e\x40\x10\x9b\x85\x40\xd9\x17\xc7\xbc\x08\x95\x89\x3e\x42\x7b\x04\x3f"
    "\x89\xc8\x9f\x3f\xbb\xc1\xd9\xbf\x47\xb0\x82\x40\xf3\x0e\x4e\xbe\x05\xca\x18\x40\x41\xfb\xbc\xbf"
    "\x00\x00\xc0\x7f\x94\x2f\x0b\x40\xa9\x2a\x86\xbe\x61\x01\xe2\x40\x5b\x3d\x07\x40\xce\x95\xca\x40"
    "\x99\x27\x78\x40\x86\xa0\x7c\xbf\xf1\x13\x16\xbe\x4a\xbb\x13\x40\x81\x7d\x97\x3f\x3a\xfe\x92\x3f"
    "\x44\xc7\x10\x3e\x1d\x9d\x8d\xc0\x47\xbc\xa5\x3e\x8e\xf0\xb4\xc0\xad\x63\x07\x40\x62\xce\x96\xbf"
    "\x53\xb8\x92\xbf\x3d\x26\xaf\x3e\xc8\xb4\xe8\x3f\xf8\xf1\x52\xc0\x9f\xdd\x87\xc0\x45\xaf\x0c\xc0";

/* numpy: x64 = x[np.isfinite(x)].astype(np.float64); x64.mean(), (x64 ** 2).mean(), x64.min(), x64.max() */
#define NPY_F32_RANDOM_MEAN 0.7712763898763988
#define NPY_F32_RANDOM_MEAN_SQUARE 8.60074031678233
#define NPY_F32_RANDOM_MIN -8.754315376281738
#define NPY_F32_RANDOM_MAX 8.715006828308105
/* numpy: y = x.reshape(32, 32).astype(np.float64); r = np.where(np.isfinite(y), y, 0).sum(axis=1); r.min(), r.max() */
#define NPY_F32_RANDOM_ROW_MIN -9.314999967813492
#define NPY_F32_RANDOM_ROW_MAX 54.411435067653656
/* np.save(f, np.array([0] * 9 + [1] + [2] * 3, dtype=np.float32)) */
static const char NPY_F32_LABELS[] =
    "\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x72\x27\x3a\x20\x27\x3c\x66\x34"
    "\x27\x2c\x20\x27\x66\x6f\x72\x74\x72\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x46\x61\x6c\x73"
    "\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x31\x33\x2c\x29\x2c\x20\x7d\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20"
    "\x20\x20\x20\x20\x20\x20\x20\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3f"
    "\x00\x00\x00\x40\x00\x00\x00\x40\x00\x00\x00\x40";


/* A fixture as a bytes value (not owned: free_bytes is not called on it). */
static bytes fixture(const char *p, size_t size)
{
    bytes b = {(unsigned char *)(uintptr_t)p, size - 1};

    return b;
}

/* The header of b scanned in chunks of 1 to 7 bytes each equals the one scanned whole; returns that one. */
static json_t *scan_all_chunkings(const bytes *b)
{
    fc_npy_scanner *s = fc_npy_new();
    fc_status status;
    fc_error err;
    json_t *whole, *h;

    assert_non_null(s);
    whole = scan_chunked(s, b->p, b->len, 0, &status, &err);
    if (whole == NULL)
        fail_msg("scan failed (%d): %s", (int)status, err.text);
    for (size_t chunk = 1; chunk <= 7; chunk++) {
        h = scan_chunked(s, b->p, b->len, chunk, &status, &err);
        assert_non_null(h);
        if (!json_equal(h, whole)) {
            char *got = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
            char *want = json_dumps(whole, JSON_COMPACT | JSON_SORT_KEYS);

            fail_msg("chunks of %zu bytes: got %s\nwhole: %s", chunk, got, want);
        }
        json_decref(h);
    }
    fc_npy_free(s);
    return whole;
}

/* Asserts |got - want| <= tol * max(1, |want|). */
static void assert_close(const json_t *v, double want, double tol)
{
    double got;

    if (!json_is_number(v))
        fail_msg("expected a number near %.17g", want);
    got = json_number_value(v);
    if (fabs(got - want) > tol * fmax(1.0, fabs(want)))
        fail_msg("got %.17g, want %.17g (tolerance %g)", got, want, tol);
}

/* ------------------------------------------------------------- strings */

static void test_npy__unicode_labels(void **state)
{
    bytes le = fixture(NPY_U4_LE, sizeof(NPY_U4_LE)), be = fixture(NPY_U4_BE, sizeof(NPY_U4_BE));
    json_t *h;

    (void)state;
    h = scan_all_chunkings(&le);
    assert_json(h, "{\"shape\": [5], \"dtype\": \"<U4\", \"stats\": {\"distinct\": [\"bird\", \"cat\", \"dog\"], "
                   "\"distinct_count\": 3, \"source\": \"npy\"}}");
    json_decref(h);
    /* Big-endian UCS-4: the same strings, the dtype keeps its order. */
    h = scan_all_chunkings(&be);
    assert_json(h, "{\"shape\": [5], \"dtype\": \">U4\", \"stats\": {\"distinct\": [\"bird\", \"cat\", \"dog\"], "
                   "\"distinct_count\": 3, \"source\": \"npy\"}}");
    json_decref(h);
}

static void test_npy__unicode_to_utf8(void **state)
{
    bytes b = fixture(NPY_U_UTF8, sizeof(NPY_U_UTF8));
    json_t *h;

    (void)state;
    /* Sorted by UTF-8 bytes: "" < "café" < 日本 (E6) < 😀 (F0). */
    h = scan_all_chunkings(&b);
    assert_json(h, "{\"shape\": [5], \"dtype\": \"<U4\", \"stats\": {\"distinct\": [\"\", \"caf\\u00e9\", "
                   "\"\\u65e5\\u672c\", \"\\ud83d\\ude00\"], \"distinct_count\": 4, \"source\": \"npy\"}}");
    json_decref(h);
}

static void test_npy__bytes_labels(void **state)
{
    bytes b = fixture(NPY_S5, sizeof(NPY_S5));
    json_t *h;

    (void)state;
    /* Invalid UTF-8 bytes become U+FFFD, and so does an inner NUL (numpy strips trailing NULs only). */
    h = scan_all_chunkings(&b);
    assert_json(h, "{\"shape\": [5], \"dtype\": \"|S4\", \"stats\": {\"distinct\": [\"a\\ufffdb\", \"no\", \"yes\", "
                   "\"\\ufffd\\ufffdok\"], \"distinct_count\": 4, \"source\": \"npy\"}}");
    json_decref(h);
    /* 'a' is the old spelling of 'S'. */
    {
        bytes a = npy_v1("{'descr': '|a2', 'fortran_order': False, 'shape': (2,), }", "hi\0\0", 4);

        h = scan_ok(&a);
        assert_json(h, "{\"shape\": [2], \"dtype\": \"|S2\", \"stats\": {\"distinct\": [\"\", \"hi\"], "
                       "\"distinct_count\": 2, \"source\": \"npy\"}}");
        json_decref(h);
        free_bytes(&a);
    }
}

/* 300 names, each twice: the first 256 seen are listed (sorted) and the count is unknown. */
static void test_npy__unicode_past_the_cap(void **state)
{
    enum { NAMES = 300, UNITS = 8 };
    unsigned char *data = calloc(2 * NAMES, UNITS * 4);
    json_t *h, *distinct;
    char name[16];
    bytes b;

    (void)state;
    assert_non_null(data);
    for (int i = 0; i < 2 * NAMES; i++) {
        snprintf(name, sizeof(name), "name%03d", i % NAMES);
        for (size_t k = 0; name[k]; k++)
            put(data + (size_t)i * UNITS * 4 + 4 * k, (unsigned char)name[k], 4, '<');
    }
    b = npy_v1("{'descr': '<U8', 'fortran_order': False, 'shape': (600,), }", data, 2 * NAMES * UNITS * 4);
    h = scan_all_chunkings(&b);
    assert_json(json_object_get(json_object_get(h, "stats"), "distinct_count"), "null");
    distinct = json_object_get(json_object_get(h, "stats"), "distinct");
    assert_int_equal(json_array_size(distinct), 256);
    assert_string_equal(json_string_value(json_array_get(distinct, 0)), "name000");
    assert_string_equal(json_string_value(json_array_get(distinct, 255)), "name255");
    json_decref(h);
    free_bytes(&b);
    free(data);
}

/*
 * U100000 (400 kB an element): strings that differ only in their last
 * character are told apart (the hash covers the whole element), and what
 * is kept of each is its first 128 bytes and an ellipsis.
 */
static void test_npy__unicode_huge_items(void **state)
{
    enum { UNITS = 100000 };
    size_t item = (size_t)UNITS * 4;
    unsigned char *data = calloc(4, item);
    char kept[160];
    fc_npy_scanner *s = fc_npy_new();
    fc_status status;
    fc_error err;
    json_t *h;
    bytes b;

    (void)state;
    assert_non_null(data);
    assert_non_null(s);
    for (size_t k = 0; k < UNITS; k++) {
        put(data + 4 * k, 'a', 4, '>');
        put(data + item + 4 * k, k == UNITS - 1 ? 'b' : 'a', 4, '>');
        put(data + 3 * item + 4 * k, 'a', 4, '>');
    }
    put(data + 2 * item, 'z', 4, '>'); /* "z" and 399,996 bytes of NUL padding */
    b = npy_v1("{'descr': '>U100000', 'fortran_order': False, 'shape': (4,), }", data, 4 * item);
    h = scan_chunked(s, b.p, b.len, 4093, &status, &err);
    assert_non_null(h);
    memset(kept, 'a', 128);
    memcpy(kept + 128, "\xe2\x80\xa6", 4);
    assert_string_equal(json_string_value(json_object_get(h, "dtype")), ">U100000");
    {
        json_t *stats = json_object_get(h, "stats"), *distinct = json_object_get(stats, "distinct");

        assert_json(json_object_get(stats, "distinct_count"), "3");
        assert_int_equal(json_array_size(distinct), 3);
        assert_string_equal(json_string_value(json_array_get(distinct, 0)), kept);
        assert_string_equal(json_string_value(json_array_get(distinct, 1)), kept);
        assert_string_equal(json_string_value(json_array_get(distinct, 2)), "z");
    }
    json_decref(h);
    fc_npy_free(s);
    free_bytes(&b);
    free(data);
}

/* ------------------------------------------- moments, integers, rows */

static void test_npy__mean_matches_numpy(void **state)
{
    bytes b = fixture(NPY_F32_RANDOM, sizeof(NPY_F32_RANDOM));
    size_t hdr = b.len - 1024 * 4;
    json_t *h, *stats;

    (void)state;
    h = scan_all_chunkings(&b);
    stats = json_object_get(h, "stats");
    assert_json(json_object_get(stats, "nan_count"), "3");
    assert_json(json_object_get(stats, "inf_count"), "1");
    assert_close(json_object_get(stats, "min"), NPY_F32_RANDOM_MIN, 0);
    assert_close(json_object_get(stats, "max"), NPY_F32_RANDOM_MAX, 0);
    /* float32 values are added eight at a time in float32 before double accumulation: 1e-6 relative. */
    assert_close(json_object_get(stats, "mean"), NPY_F32_RANDOM_MEAN, 1e-6);
    assert_close(json_object_get(stats, "mean_square"), NPY_F32_RANDOM_MEAN_SQUARE, 1e-6);
    assert_json(json_object_get(stats, "integers"), "false");
    assert_null(json_object_get(stats, "row_sum_min")); /* rank 1 */
    json_decref(h);

    /* The same data as (32, 32): row sums over the finite values (rows under 64 take add_rows). */
    {
        bytes r = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (32, 32), }", b.p + hdr, 1024 * 4);

        h = scan_all_chunkings(&r);
        stats = json_object_get(h, "stats");
        assert_close(json_object_get(stats, "row_sum_min"), NPY_F32_RANDOM_ROW_MIN, 1e-6);
        assert_close(json_object_get(stats, "row_sum_max"), NPY_F32_RANDOM_ROW_MAX, 1e-6);
        assert_close(json_object_get(stats, "mean"), NPY_F32_RANDOM_MEAN, 1e-6);
        json_decref(h);
        free_bytes(&r);
    }
    /* As float64: the sums are taken in double throughout. */
    {
        double *d = malloc(1024 * sizeof(*d));
        bytes r;

        assert_non_null(d);
        for (int i = 0; i < 1024; i++) {
            float f;

            memcpy(&f, b.p + hdr + 4 * i, 4);
            d[i] = f;
        }
        r = npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 256), }", d, 1024 * sizeof(*d));
        h = scan_all_chunkings(&r);
        stats = json_object_get(h, "stats");
        assert_close(json_object_get(stats, "mean"), NPY_F32_RANDOM_MEAN, 1e-13);
        assert_close(json_object_get(stats, "mean_square"), NPY_F32_RANDOM_MEAN_SQUARE, 1e-13);
        json_decref(h);
        free_bytes(&r);
        free(d);
    }
}

/* Integer moments are exact: int8 from the counts, int32 and uint64 from sums in double. */
static void test_npy__integer_moments(void **state)
{
    static const int8_t i8[6] = {-3, 1, 1, 2, 5, -128};
    static const int32_t i32[4] = {-100000, 7, 7, 100000};
    bytes b;
    json_t *h;

    (void)state;
    b = npy_v1("{'descr': '|i1', 'fortran_order': False, 'shape': (6,), }", i8, sizeof(i8));
    h = scan_ok(&b);
    assert_has(json_object_get(h, "stats"), "{\"mean\": -20.333333333333332, \"mean_square\": 2737.3333333333335, "
                                            "\"integers\": true}");
    json_decref(h);
    free_bytes(&b);
    b = npy_v1("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", i32, sizeof(i32));
    h = scan_ok(&b);
    assert_has(json_object_get(h, "stats"), "{\"mean\": 3.5, \"mean_square\": 5000000024.5, \"integers\": true}");
    json_decref(h);
    free_bytes(&b);
}

/*
 * float32 with 1000 distinct whole values: past the distinct cap, integers
 * still says whether they are whole; one 0.5 among them makes it false.
 */
static void test_npy__integers_past_the_cap(void **state)
{
    enum { N = 5000 };
    float *f = malloc(N * sizeof(*f));
    double *d = malloc(N * sizeof(*d));

    (void)state;
    assert_non_null(f);
    assert_non_null(d);
    for (int frac = 0; frac <= 1; frac++) {
        for (int i = 0; i < N; i++)
            f[i] = d[i] = (float)((i * 7) % 1000 - 500) * (i % 3 == 0 ? 1 : 1000);
        if (frac)
            f[4321] = d[4321] = 0.5f; /* long after the set overflowed */
        f[100] = d[100] = NAN;
        for (int k = 0; k < 2; k++) {
            bytes b = k ? npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (5000,), }", d, N * sizeof(*d))
                        : npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (5000,), }", f, N * sizeof(*f));
            json_t *h = scan_ok(&b), *stats = json_object_get(h, "stats");

            assert_null(json_object_get(stats, "distinct"));
            assert_json(json_object_get(stats, "distinct_count"), "null");
            assert_json(json_object_get(stats, "integers"), frac ? "false" : "true");
            assert_null(json_object_get(stats, "class_counts"));
            json_decref(h);
            free_bytes(&b);
        }
    }
    /* Whole values of 2^23 and more (float32), 2^52 and more (float64), -0 and Inf are whole. */
    for (int i = 0; i < N; i++) {
        f[i] = (float)i * 8388608.0f;
        d[i] = (double)i * 4503599627370496.0;
    }
    f[7] = -0.0f;
    d[9] = INFINITY;
    for (int k = 0; k < 2; k++) {
        bytes b = k ? npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (5000,), }", d, N * sizeof(*d))
                    : npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (5000,), }", f, N * sizeof(*f));
        json_t *h = scan_ok(&b);

        assert_json(json_object_get(json_object_get(h, "stats"), "integers"), "true");
        json_decref(h);
        free_bytes(&b);
    }
    free(f);
    free(d);
}

/* Rows of `cols` labels, row r having hot[r] ones (at spread positions). */
static float *hot_rows(size_t rows, size_t cols, const unsigned *hot)
{
    float *f = calloc(rows * cols, sizeof(*f));

    assert_non_null(f);
    for (size_t r = 0; r < rows; r++) {
        for (unsigned k = 0; k < hot[r]; k++)
            f[r * cols + (r * 3 + k * 2) % cols] = 1;
    }
    return f;
}

static void test_npy__row_sums(void **state)
{
    enum { ROWS = 40 };
    unsigned one[ROWS], multi[ROWS], zero[ROWS];
    char dict[128];

    (void)state;
    for (int r = 0; r < ROWS; r++) {
        one[r] = 1;
        multi[r] = 1 + r % 3;
        zero[r] = r % 5 == 0 ? 0 : 1;
    }
    /* 5 columns (add_rows) and 100 (rows fused into the block kernels); chunks of 1..7 bytes. */
    for (size_t cols = 5; cols <= 100; cols += 95) {
        static const char *want[] = {"{\"row_sum_min\": 1.0, \"row_sum_max\": 1.0}",
                                     "{\"row_sum_min\": 1.0, \"row_sum_max\": 3.0}",
                                     "{\"row_sum_min\": 0.0, \"row_sum_max\": 1.0}"};
        const unsigned *hot[] = {one, multi, zero};

        snprintf(dict, sizeof(dict), "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %zu), }", ROWS, cols);
        for (int k = 0; k < 3; k++) {
            float *f = hot_rows(ROWS, cols, hot[k]);
            bytes b = npy_v1(dict, f, ROWS * cols * sizeof(*f));
            json_t *h = scan_all_chunkings(&b);

            assert_has(json_object_get(h, "stats"), want[k]);
            assert_null(json_object_get(json_object_get(h, "stats"), "class_counts")); /* not one value a sample */
            json_decref(h);
            free_bytes(&b);
            free(f);
        }
    }
    /* uint8 one-hot (n, 3, 4): the last axis; a NaN leaves its row's sum to the finite values. */
    {
        unsigned char u[2 * 3 * 4] = {0};
        float g[6] = {1, 0, 0, NAN, 1, 0};
        bytes b;
        json_t *h;

        for (int r = 0; r < 6; r++)
            u[r * 4 + r % 4] = 1;
        u[5 * 4 + 2] = 1;
        b = npy_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4), }", u, sizeof(u));
        h = scan_all_chunkings(&b);
        assert_has(json_object_get(h, "stats"), "{\"row_sum_min\": 1.0, \"row_sum_max\": 2.0}");
        json_decref(h);
        free_bytes(&b);
        b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", g, sizeof(g));
        h = scan_all_chunkings(&b);
        assert_has(json_object_get(h, "stats"), "{\"row_sum_min\": 1.0, \"row_sum_max\": 1.0, \"nan_count\": 1}");
        json_decref(h);
        free_bytes(&b);
    }
    /* Fortran order and rank 1: none. (5, 0): five empty rows, each summing to 0. */
    {
        float *f = hot_rows(ROWS, 5, multi);
        bytes b = npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (40, 5), }", f, ROWS * 5 * sizeof(*f));
        json_t *h = scan_ok(&b);

        assert_null(json_object_get(json_object_get(h, "stats"), "row_sum_min"));
        json_decref(h);
        free_bytes(&b);
        b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (200,), }", f, ROWS * 5 * sizeof(*f));
        h = scan_ok(&b);
        assert_null(json_object_get(json_object_get(h, "stats"), "row_sum_max"));
        json_decref(h);
        free_bytes(&b);
        b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 0), }", NULL, 0);
        h = scan_ok(&b);
        assert_has(json_object_get(h, "stats"), "{\"row_sum_min\": 0.0, \"row_sum_max\": 0.0}");
        json_decref(h);
        free_bytes(&b);
        free(f);
    }
}

/* ------------------------------------------------------- class counts */

static void test_npy__class_counts(void **state)
{
    enum { N = 1000 };
    unsigned char u8[N];
    int64_t i64[N];
    bytes b;
    json_t *h;

    (void)state;
    for (int i = 0; i < N; i++) {
        u8[i] = i % 10 == 3 ? 1 : 0;
        i64[i] = i % 100 == 0 ? -1 : i % 4 == 0 ? 7 : 2;
    }
    b = npy_v1("{'descr': '|u1', 'fortran_order': False, 'shape': (1000,), }", u8, sizeof(u8));
    h = scan_all_chunkings(&b);
    assert_json(json_object_get(json_object_get(h, "stats"), "class_counts"), "{\"0\": 900, \"1\": 100}");
    json_decref(h);
    free_bytes(&b);

    /* int64, big-endian, shaped (n, 1): still one label a sample. */
    for (int i = 0; i < N; i++)
        put((unsigned char *)&i64[i], (uint64_t)i64[i], 8, '>');
    b = npy_v1("{'descr': '>i8', 'fortran_order': False, 'shape': (1000, 1), }", i64, sizeof(i64));
    h = scan_all_chunkings(&b);
    assert_json(json_object_get(json_object_get(h, "stats"), "class_counts"),
                "{\"-1\": 10, \"2\": 750, \"7\": 240}");
    json_decref(h);
    free_bytes(&b);

    /* float32 labels numpy wrote: whole values, keys without a fraction. */
    {
        bytes f = fixture(NPY_F32_LABELS, sizeof(NPY_F32_LABELS));

        h = scan_all_chunkings(&f);
        assert_has(json_object_get(h, "stats"), "{\"class_counts\": {\"0\": 9, \"1\": 1, \"2\": 3}, "
                                                "\"integers\": true, \"distinct\": [0.0, 1.0, 2.0]}");
        json_decref(h);
    }

    /* float32 with a fraction, and float16, int16 and bool labels. */
    {
        float f[4] = {1, 2, 2.5f, 1};
        unsigned char h16[8], i16[8], b1[4] = {0, 3, 1, 0};
        bytes c;

        c = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f, sizeof(f));
        h = scan_ok(&c);
        assert_null(json_object_get(json_object_get(h, "stats"), "class_counts"));
        json_decref(h);
        free_bytes(&c);
        put(h16, 0x3C00, 2, '<'); /* 1 */
        put(h16 + 2, 0x8000, 2, '<'); /* -0 */
        put(h16 + 4, 0x4000, 2, '<'); /* 2 */
        put(h16 + 6, 0x3C00, 2, '<');
        c = npy_v1("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", h16, sizeof(h16));
        h = scan_all_chunkings(&c);
        assert_has(json_object_get(h, "stats"), "{\"class_counts\": {\"0\": 1, \"1\": 2, \"2\": 1}, "
                                                "\"mean\": 1.0, \"mean_square\": 1.5}");
        json_decref(h);
        free_bytes(&c);
        put(i16, (uint64_t)-5, 2, '>');
        put(i16 + 2, 300, 2, '>');
        put(i16 + 4, 300, 2, '>');
        put(i16 + 6, 300, 2, '>');
        c = npy_v1("{'descr': '>i2', 'fortran_order': False, 'shape': (4,), }", i16, sizeof(i16));
        h = scan_all_chunkings(&c);
        assert_has(json_object_get(h, "stats"), "{\"class_counts\": {\"-5\": 1, \"300\": 3}, \"mean\": 223.75}");
        json_decref(h);
        free_bytes(&c);
        c = npy_v1("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", b1, sizeof(b1));
        h = scan_ok(&c);
        assert_has(json_object_get(h, "stats"), "{\"class_counts\": {\"0\": 2, \"1\": 2}}");
        json_decref(h);
        free_bytes(&c);
    }

    /* Past 256 distinct values: none (int16 has its exact distinct set, uint32 the hash set's). */
    {
        uint16_t w[300];
        uint32_t v[300];
        bytes c;

        for (int i = 0; i < 300; i++)
            w[i] = (uint16_t)i, v[i] = (uint32_t)i * 1000;
        c = npy_v1("{'descr': '<u2', 'fortran_order': False, 'shape': (300,), }", w, sizeof(w));
        h = scan_ok(&c);
        assert_null(json_object_get(json_object_get(h, "stats"), "class_counts"));
        assert_json(json_object_get(json_object_get(h, "stats"), "distinct_count"), "null");
        json_decref(h);
        free_bytes(&c);
        c = npy_v1("{'descr': '<u4', 'fortran_order': False, 'shape': (300,), }", v, sizeof(v));
        h = scan_ok(&c);
        assert_null(json_object_get(json_object_get(h, "stats"), "class_counts"));
        json_decref(h);
        free_bytes(&c);
    }
}

/* ---------------------------------------------------------- bad files */

static void test_npy__truncated_and_extra_data(void **state)
{
    float values[6] = {1, 2, 3, 4, 5, 6};
    unsigned char more[28];
    bytes b;

    (void)state;
    b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", values, 22);
    scan_fails(&b, FC_ERR_INVALID, "truncated: shape (2, 3) of float32 needs 24 bytes, 22 arrived");
    free_bytes(&b);
    memcpy(more, values, 24);
    memset(more + 24, 0, 4);
    b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", more, 28);
    scan_fails(&b, FC_ERR_INVALID, "longer than its header says: shape (2, 3) of float32 needs 24 bytes, 28 arrived");
    free_bytes(&b);
    b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", NULL, 0);
    scan_fails(&b, FC_ERR_INVALID, "shape (6,) of float32 needs 24 bytes, 0 arrived");
    free_bytes(&b);

    /* The file stops inside the preamble, inside the header, or is empty. */
    b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", values, 24);
    b.len = 9;
    scan_fails(&b, FC_ERR_INVALID, "ends after 9 bytes, inside its preamble");
    b.len = 40;
    scan_fails(&b, FC_ERR_INVALID, "ends inside its header: 30 of 118 header bytes arrived");
    b.len = 0;
    scan_fails(&b, FC_ERR_INVALID, "empty");
    free_bytes(&b);
}

static void test_npy__malformed_headers(void **state)
{
    static const struct {
        const char *dict;
        fc_status code;
        const char *needle;
    } cases[] = {
        {"{'descr': '<f4', 'fortran_order': False}", FC_ERR_INVALID, "lacks 'shape'"},
        {"{'descr': '<f4', 'shape': (2,)}", FC_ERR_INVALID, "lacks 'fortran_order'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", FC_ERR_INVALID,
         "unexpected or repeated key 'extra'"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", FC_ERR_INVALID,
         "repeated key 'descr'"},
        {"{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}", FC_ERR_INVALID, "True or False expected"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", FC_ERR_INVALID, "written (n,)"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", FC_ERR_INVALID, "must be a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", FC_ERR_INVALID, "negative dimension"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}", FC_ERR_INVALID, "an integer expected"},
        {"{'descr': '<f4', 'fortran_order' False, 'shape': (2,)}", FC_ERR_INVALID, "':' expected"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", FC_ERR_INVALID, "',' or '}' expected"},
        {"['descr', '<f4']", FC_ERR_INVALID, "must be a dict"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", FC_ERR_INVALID, "text after the dict"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", FC_ERR_INVALID, "',' or '}' expected"},
        {"{'descr': 'float32', 'fortran_order': False, 'shape': (2,)}", FC_ERR_INVALID, "not a dtype string"},
        {"{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED,
         "structured arrays are not supported"},
        {"{'descr': ('<f4', (2,)), 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED,
         "structured arrays are not supported"},
        {"{'descr': '|V8', 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED,
         "structured arrays are not supported"},
        {"{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED, "datetime64"},
        {"{'descr': '<f16', 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED,
         "dtype '<f16' is not supported"},
        {"{'descr': '<i3', 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED, "is not supported"},
        {"{'descr': '<f', 'fortran_order': False, 'shape': (2,)}", FC_ERR_UNSUPPORTED, "is not supported"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bytes b = npy_v1(cases[i].dict, F32_ONE_TWO, 8);

        scan_fails(&b, cases[i].code, cases[i].needle);
        free_bytes(&b);
    }
}

static void test_npy__bad_preamble(void **state)
{
    bytes b = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", F32_ONE_TWO, 8);
    unsigned char *big;

    (void)state;
    b.p[1] = 'n';
    scan_fails(&b, FC_ERR_INVALID, "not a .npy file");
    b.p[1] = 'N';
    b.p[6] = 4;
    scan_fails(&b, FC_ERR_INVALID, "unsupported .npy format version 4.0");
    b.p[6] = 1;
    b.p[7] = 1;
    scan_fails(&b, FC_ERR_INVALID, "version 1.1");
    free_bytes(&b);

    /* A v2 header length past 64 KiB is refused before anything is allocated for it. */
    big = calloc(1, 64);
    assert_non_null(big);
    memcpy(big, "\x93NUMPY\x02\x00", 8);
    put(big + 8, 65537, 4, '<');
    b.p = big;
    b.len = 64;
    scan_fails(&b, FC_ERR_INVALID, "the .npy header is 65537 bytes");
    put(big + 8, 0, 4, '<');
    scan_fails(&b, FC_ERR_INVALID, "it is empty");
    free(big);
}

static void test_npy__reset_after_failure(void **state)
{
    fc_npy_scanner *s = fc_npy_new();
    bytes bad = npy_v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", F32_ONE_TWO, 8);
    bytes good = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", F32_ONE_TWO, 8);
    fc_status status;
    fc_error err;
    json_t *h;

    (void)state;
    assert_non_null(s);
    assert_null(scan_chunked(s, bad.p, bad.len, 5, &status, &err));
    assert_int_equal(status, FC_ERR_UNSUPPORTED);
    h = scan_chunked(s, good.p, good.len, 5, &status, &err);
    assert_non_null(h);
    assert_json(json_object_get(json_object_get(h, "stats"), "distinct"), "[1.0, 2.0]");
    assert_string_equal(fc_npy_dtype_name(s), "float32");
    assert_int_equal(fc_npy_data_bytes(s), 8);
    json_decref(h);
    fc_npy_free(s);
    free_bytes(&bad);
    free_bytes(&good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy__versions_1_2_3),
        cmocka_unit_test(test_npy__header_spellings),
        cmocka_unit_test(test_npy__utf8_header_v3),
        cmocka_unit_test(test_npy__every_dtype_both_orders),
        cmocka_unit_test(test_npy__bool_nonzero_bytes_are_true),
        cmocka_unit_test(test_npy__wide_integer_extremes),
        cmocka_unit_test(test_npy__complex_counts_only),
        cmocka_unit_test(test_npy__object_not_scanned),
        cmocka_unit_test(test_npy__fortran_order_same_stats),
        cmocka_unit_test(test_npy__zero_d_and_empty),
        cmocka_unit_test(test_npy__shape_product_overflow),
        cmocka_unit_test(test_npy__nan_inf_counted_and_excluded),
        cmocka_unit_test(test_npy__float_stats_match_naive),
        cmocka_unit_test(test_npy__distinct_cap),
        cmocka_unit_test(test_npy__int16_min_max_past_the_cap),
        cmocka_unit_test(test_npy__split_at_every_offset),
        cmocka_unit_test(test_npy__unicode_labels),
        cmocka_unit_test(test_npy__unicode_to_utf8),
        cmocka_unit_test(test_npy__bytes_labels),
        cmocka_unit_test(test_npy__unicode_past_the_cap),
        cmocka_unit_test(test_npy__unicode_huge_items),
        cmocka_unit_test(test_npy__mean_matches_numpy),
        cmocka_unit_test(test_npy__integer_moments),
        cmocka_unit_test(test_npy__integers_past_the_cap),
        cmocka_unit_test(test_npy__row_sums),
        cmocka_unit_test(test_npy__class_counts),
        cmocka_unit_test(test_npy__truncated_and_extra_data),
        cmocka_unit_test(test_npy__malformed_headers),
        cmocka_unit_test(test_npy__bad_preamble),
        cmocka_unit_test(test_npy__reset_after_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
