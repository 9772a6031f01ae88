/*
 * fuzz_keras.c - libFuzzer target: arbitrary bytes as an uploaded .keras
 * archive through server/keras_file.c (libzip reading config.json and
 * metadata.json from memory, with the inflate limit), then the config as a
 * model descriptor through the core, as fitcheckd does with a model part.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fitcheck/preflight.h"
#include "keras_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *config = NULL, version[64], msg[256];
    size_t config_len = 0;
    json_t *model, *req, *report = NULL;
    fc_error err;

    if (!fc_keras_file_is_zip(data, size))
        return 0;
    if (fc_keras_file_config(data, size, 1 << 20, &config, &config_len, version, sizeof(version), msg,
                             sizeof(msg)) != FC_KERAS_OK) {
        if (config != NULL)
            abort(); /* a failure owns nothing */
        return 0;
    }
    if (config == NULL || strlen(version) >= sizeof(version))
        abort();
    model = json_loadb(config, config_len, 0, NULL);
    free(config);
    if (model == NULL)
        return 0;
    fc_keras_file_stamp_version(model, version);
    req = json_pack("{s:o}", "model", model);
    if (req != NULL)
        fc_preflight_run(req, &report, &err);
    json_decref(report);
    json_decref(req);
    return 0;
}
