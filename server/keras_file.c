/*
 * keras_file.c - config.json from a .keras archive, with libzip reading the
 * archive from memory. The inflated size is checked against the limit both
 * from the directory entry and while reading, since an archive may lie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "keras_file.h"

int fc_keras_file_is_zip(const void *data, size_t len)
{
    return len >= 4 && memcmp(data, "PK\003\004", 4) == 0;
}

fc_keras_file_status fc_keras_file_config(const void *data, size_t len, size_t limit, char **out, size_t *out_len,
                                          char *msg, size_t msg_size)
{
    zip_error_t zerr;
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    zip_file_t *zf = NULL;
    zip_stat_t st;
    char *buf = NULL;
    size_t used = 0;
    fc_keras_file_status status = FC_KERAS_NOT_ZIP;

    *out = NULL;
    *out_len = 0;
    zip_error_init(&zerr);
    src = zip_source_buffer_create(data, len, 0, &zerr);
    if (src == NULL) {
        snprintf(msg, msg_size, "cannot read the archive: %s", zip_error_strerror(&zerr));
        status = FC_KERAS_NOMEM;
        goto cleanup;
    }
    za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (za == NULL) {
        snprintf(msg, msg_size, "not a .keras archive (zip): %s", zip_error_strerror(&zerr));
        zip_source_free(src);
        goto cleanup;
    }
    if (zip_stat(za, "config.json", ZIP_FL_ENC_GUESS, &st) != 0) {
        snprintf(msg, msg_size, "the archive has no config.json: is it a Keras 3 .keras file?");
        status = FC_KERAS_NO_CONFIG;
        goto cleanup;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > limit) {
        snprintf(msg, msg_size, "config.json inflates to %llu bytes, over the limit of %zu",
                 (unsigned long long)st.size, limit);
        status = FC_KERAS_TOO_LARGE;
        goto cleanup;
    }
    if (st.valid & ZIP_STAT_SIZE)
        limit = (size_t)st.size; /* read no more than the directory says */
    zf = zip_fopen(za, "config.json", 0);
    buf = malloc(limit + 1);
    if (zf == NULL || buf == NULL) {
        snprintf(msg, msg_size, "cannot open config.json in the archive: %s", zf ? "out of memory" : zip_strerror(za));
        status = zf ? FC_KERAS_NOMEM : FC_KERAS_NOT_ZIP;
        goto cleanup;
    }
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf + used, limit + 1 - used);

        if (n < 0) {
            snprintf(msg, msg_size, "config.json is damaged in the archive: %s", zip_file_strerror(zf));
            goto cleanup;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > limit) {
            snprintf(msg, msg_size, "config.json inflates past %zu bytes (the limit, or its declared size)", limit);
            status = FC_KERAS_TOO_LARGE;
            goto cleanup;
        }
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    buf = NULL;
    status = FC_KERAS_OK;

cleanup:
    if (zf != NULL)
        zip_fclose(zf);
    if (za != NULL)
        zip_discard(za); /* also frees src */
    zip_error_fini(&zerr);
    free(buf);
    return status;
}
