/*
 * tests/unit/test_npy.c: the streaming .npy reader (server/npy.c). Files are
 * built byte by byte here, as numpy.save writes them (numpy is not needed):
 * format versions 1.0, 2.0 and 3.0, every numeric dtype in both byte orders,
 * Fortran order, 0-d and empty arrays, NaN/Inf counting through the block
 * kernels, the distinct-value cap, elements split across chunks at every
 * offset, truncated and extra data, malformed headers, shapes whose byte
 * count overflows 64 bits, and non-numeric dtypes.
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
                                  "\"distinct_count\": 2, \"source\": \"npy\"}}";

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
            stats = "{\"min\": -1.5, \"max\": 2.25, \"nan_count\": 0, \"inf_count\": 0, "
                    "\"distinct\": [-1.5, 0.0, 2.25], \"distinct_count\": 3, \"source\": \"npy\"}";
            break;
        case 'i':
            values[0] = 7, values[1] = -3, values[2] = 0, values[3] = 7;
            stats = "{\"min\": -3, \"max\": 7, \"nan_count\": 0, \"inf_count\": 0, \"distinct\": [-3, 0, 7], "
                    "\"distinct_count\": 3, \"source\": \"npy\"}";
            break;
        case 'u':
            values[0] = 250, values[1] = 7, values[2] = 0, values[3] = 250;
            stats = "{\"min\": 0, \"max\": 250, \"nan_count\": 0, \"inf_count\": 0, \"distinct\": [0, 7, 250], "
                    "\"distinct_count\": 3, \"source\": \"npy\"}";
            break;
        default:
            values[0] = 1, values[1] = 0, values[2] = 1, values[3] = 1;
            stats = "{\"min\": 0, \"max\": 1, \"nan_count\": 0, \"inf_count\": 0, \"distinct\": [0, 1], "
                    "\"distinct_count\": 2, \"source\": \"npy\"}";
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
                                             "\"distinct\": [0, 1], \"distinct_count\": 2, \"source\": \"npy\"}");
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
    assert_json(json_object_get(h, "stats"),
                "{\"min\": -9223372036854775808, \"max\": 9223372036854775807, \"nan_count\": 0, \"inf_count\": 0, "
                "\"distinct\": [-9223372036854775808, -1, 9223372036854775807], \"distinct_count\": 3, "
                "\"source\": \"npy\"}");
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

static void test_npy__object_str_bytes_not_scanned(void **state)
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

    memset(text, 'a', sizeof(text));
    b = npy_v1("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", text, sizeof(text));
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [2], \"dtype\": \"str\", \"stats\": {\"source\": \"npy\"}}");
    json_decref(h);
    free_bytes(&b);

    b = npy_v1("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", text, sizeof(text) - 1);
    scan_fails(&b, FC_ERR_INVALID, "needs 24 bytes, 23 arrived");
    free_bytes(&b);

    b = npy_v1("{'descr': '|S4', 'fortran_order': False, 'shape': (2, 3), }", text, sizeof(text));
    h = scan_ok(&b);
    assert_json(h, "{\"shape\": [2, 3], \"dtype\": \"bytes\", \"stats\": {\"source\": \"npy\"}}");
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
                   "\"inf_count\": 0, \"distinct\": [3.5], \"distinct_count\": 1, \"source\": \"npy\"}}");
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
                                             "\"distinct_count\": 0, \"source\": \"npy\"}");
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
        assert_json(json_object_get(hf, "stats"),
                    "{\"min\": 5.9604644775390625e-08, \"max\": 1.0, \"nan_count\": 1, \"inf_count\": 1, "
                    "\"distinct\": [5.9604644775390625e-08, 1.0], \"distinct_count\": 2, \"source\": \"npy\"}");
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
        cmocka_unit_test(test_npy__object_str_bytes_not_scanned),
        cmocka_unit_test(test_npy__fortran_order_same_stats),
        cmocka_unit_test(test_npy__zero_d_and_empty),
        cmocka_unit_test(test_npy__shape_product_overflow),
        cmocka_unit_test(test_npy__nan_inf_counted_and_excluded),
        cmocka_unit_test(test_npy__float_stats_match_naive),
        cmocka_unit_test(test_npy__distinct_cap),
        cmocka_unit_test(test_npy__int16_min_max_past_the_cap),
        cmocka_unit_test(test_npy__split_at_every_offset),
        cmocka_unit_test(test_npy__truncated_and_extra_data),
        cmocka_unit_test(test_npy__malformed_headers),
        cmocka_unit_test(test_npy__bad_preamble),
        cmocka_unit_test(test_npy__reset_after_failure),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
