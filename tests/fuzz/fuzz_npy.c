/*
 * fuzz_npy.c - libFuzzer target: arbitrary bytes as an uploaded .npy part
 * through the streaming scanner (server/npy.h), fed in chunks whose sizes
 * come from the first byte (1..256 bytes, or all at once), as the network
 * splits a multipart body anywhere. A finished file must give a header with
 * a shape and a dtype; the scanner is reset and reused, as the upload does
 * for its next part.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fc_npy_scanner *s = fc_npy_new();
    size_t step, at;
    fc_error err;
    int pass;

    if (s == NULL || size == 0) {
        fc_npy_free(s);
        return 0;
    }
    step = data[0] == 0 ? size : (size_t)data[0];
    data++;
    size--;
    for (pass = 0; pass < 2; pass++, step = size) { /* chunked, then the same file in one piece */
        fc_status st = FC_OK;

        fc_npy_reset(s);
        for (at = 0; at < size && st == FC_OK; at += step)
            st = fc_npy_feed(s, data + at, size - at < step ? size - at : step, &err);
        if (st == FC_OK && fc_npy_finish(s, &err) == FC_OK) {
            json_t *h = fc_npy_header_json(s);

            if (h == NULL || !json_is_array(json_object_get(h, "shape")) ||
                !json_is_string(json_object_get(h, "dtype")))
                abort();
            json_decref(h);
        }
    }
    fc_npy_free(s);
    return 0;
}
