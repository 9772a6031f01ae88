/*
 * fuzz_explain.c - libFuzzer target: arbitrary bytes as a pasted error text
 * through /v1/explain's matcher (fc_explain_text), for every framework and
 * for one. Built like fuzz_preflight (FITCHECK_FUZZ=ON), and replayed by
 * ctest over the real texts of tests/explain.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fitcheck/explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    json_t *out;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    out = fc_explain_text(text, NULL);
    if (out == NULL || !json_is_boolean(json_object_get(out, "matched")))
        abort();
    json_decref(out);
    out = fc_explain_text(text, size % 2 ? "tfjs" : "keras3");
    if (out == NULL)
        abort();
    json_decref(out);
    free(text);
    return 0;
}
