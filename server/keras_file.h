/*
 * keras_file.h - reading the model config out of a Keras 3 `.keras` file
 * (a zip archive holding config.json, metadata.json and model.weights.h5).
 */
#ifndef FITCHECK_KERAS_FILE_H
#define FITCHECK_KERAS_FILE_H

#include <stddef.h>

#include <jansson.h>

typedef enum fc_keras_file_status {
    FC_KERAS_OK = 0,
    FC_KERAS_NOT_ZIP,      /* not a zip archive */
    FC_KERAS_NO_CONFIG,    /* a zip without config.json */
    FC_KERAS_TOO_LARGE,    /* config.json would inflate past the limit */
    FC_KERAS_NOMEM
} fc_keras_file_status;

/* 1 when data starts like a zip archive ("PK\3\4"). */
int fc_keras_file_is_zip(const void *data, size_t len);

/*
 * Extracts config.json from the archive in data[0..len) into a malloc'd,
 * NUL-terminated buffer (*out, *out_len; the caller frees it). Refuses to
 * inflate more than limit bytes (a zip bomb gets FC_KERAS_TOO_LARGE without
 * the memory being spent). version receives metadata.json's keras_version
 * ("3.5.0"; Keras 3 writes the version there, not in config.json), empty
 * when the archive has none. msg gets one sentence on failure.
 */
fc_keras_file_status fc_keras_file_config(const void *data, size_t len, size_t limit, char **out, size_t *out_len,
                                          char *version, size_t version_size, char *msg, size_t msg_size);

/*
 * Sets model["keras_version"] to version, as model.to_json() would have it,
 * when model is an object without one and version is not empty. 1 when set.
 */
int fc_keras_file_stamp_version(json_t *model, const char *version);

#endif
