/*
 * fuzz_preflight.c - libFuzzer target: arbitrary bytes as a POST
 * /v1/preflight body, through JSON parsing, the request reader, every check
 * and report building. (The explain matcher has its own target, fuzz_explain.c.) Built with -fsanitize=fuzzer when FITCHECK_FUZZ=ON
 * (clang); otherwise linked with driver.c and run over the seed inputs by
 * ctest, so the harness is exercised in every CI run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "fitcheck/preflight.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body, *report = NULL;
    fc_error err;
    fc_status result;
    char *text;

    body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (body == NULL)
        return 0;
    result = fc_preflight_run(body, &report, &err);
    if (result == FC_OK) {
        if (report == NULL)
            abort();
        text = json_dumps(report, JSON_COMPACT);
        if (text == NULL)
            abort();
        free(text);
    } else if (report != NULL || err.code != result) {
        abort();
    }
    json_decref(report);
    json_decref(body);
    return 0;
}
