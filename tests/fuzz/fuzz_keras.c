/*
 * fuzz_keras.c - libFuzzer target: arbitrary bytes as an uploaded .keras
 * archive through server/keras_file.c (libzip reading config.json and
 * metadata.json from memory, with the inflate limit), then the config as a
 * model descriptor through the core, as fitcheckd does with a model part.
 * An input starting with 'C' (stored) or 'D' (deflated) is made into an
 * archive first (see make_archive).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <zip.h>

#include "fitcheck/preflight.h"
#include "keras_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An archive made of the input, so that the fuzzer reaches what follows
 * libzip (which it cannot see into: libzip is not instrumented): the bytes
 * after the first NUL are metadata.json, those before it config.json, stored
 * or deflated. A malloc'd archive in *out, or NULL.
 */
static uint8_t *make_archive(const uint8_t *data, size_t size, int deflate, size_t *out_len)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t config_len = nul ? (size_t)(nul - data) : size;
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, NULL), *part;
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, NULL) : NULL;
    uint8_t *out = NULL;
    zip_stat_t st;
    zip_int64_t i;

    if (za == NULL) {
        zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    part = zip_source_buffer(za, data, config_len, 0);
    if (part == NULL || (i = zip_file_add(za, "config.json", part, 0)) < 0) {
        zip_source_free(part);
        zip_discard(za);
        zip_source_free(src);
        return NULL;
    }
    zip_set_file_compression(za, (zip_uint64_t)i, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    if (nul != NULL && (part = zip_source_buffer(za, nul + 1, size - config_len - 1, 0)) != NULL &&
        zip_file_add(za, "metadata.json", part, 0) < 0)
        zip_source_free(part);
    if (zip_close(za) != 0) {
        zip_discard(za);
        zip_source_free(src);
        return NULL;
    }
    if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
        out = malloc(st.size ? st.size : 1);
        if (out != NULL && zip_source_read(src, out, st.size) != (zip_int64_t)st.size) {
            free(out);
            out = NULL;
        }
        *out_len = st.size;
        zip_source_close(src);
    }
    zip_source_free(src);
    return out;
}

static void check_archive(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *made;
    size_t made_len = 0;

    if (size > 0 && (data[0] == 'C' || data[0] == 'D')) { /* a config, and metadata after a NUL */
        made = make_archive(data + 1, size - 1, data[0] == 'D', &made_len);
        if (made != NULL)
            check_archive(made, made_len);
        free(made);
        return 0;
    }
    check_archive(data, size);
    return 0;
}

static void check_archive(const uint8_t *data, size_t size)
{
    char *config = NULL, version[64], msg[256];
    size_t config_len = 0;
    json_t *model, *req, *report = NULL;
    fc_error err;

    if (!fc_keras_file_is_zip(data, size))
        return;
    if (fc_keras_file_config(data, size, 1 << 20, &config, &config_len, version, sizeof(version), msg,
                             sizeof(msg)) != FC_KERAS_OK) {
        if (config != NULL)
            abort(); /* a failure owns nothing */
        return;
    }
    if (config == NULL || strlen(version) >= sizeof(version))
        abort();
    model = json_loadb(config, config_len, 0, NULL);
    free(config);
    if (model == NULL)
        return;
    fc_keras_file_stamp_version(model, version);
    req = json_pack("{s:o}", "model", model);
    if (req != NULL)
        fc_preflight_run(req, &report, &err);
    json_decref(report);
    json_decref(req);
}
