/*
 * keras_file.c - config.json (and metadata.json's keras_version) from a .keras
 * archive, with libzip reading the archive from memory. The inflated size is checked against the limit both
 * from the directory entry and while reading, since an archive may lie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zip.h>

#include "keras_file.h"

#define METADATA_LIMIT 65536 /* metadata.json holds a version and a date */

int fc_keras_file_is_zip(const void *data, size_t len)
{
    return len >= 4 && memcmp(data, "PK\003\004", 4) == 0;
}

/*
 * Inflates member name of the open archive into a malloc'd, NUL-terminated
 * buffer, at most limit bytes. what names it in msg ("config.json").
 */
static fc_keras_file_status read_member(zip_t *za, const char *name, size_t limit, char **out, size_t *out_len,
                                        char *msg, size_t msg_size)
{
    zip_file_t *zf = NULL;
    zip_stat_t st;
    char *buf = NULL;
    size_t used = 0;
    fc_keras_file_status status = FC_KERAS_NOT_ZIP;

    if (zip_stat(za, name, ZIP_FL_ENC_GUESS, &st) != 0) {
        snprintf(msg, msg_size, "the archive has no %s: is it a Keras 3 .keras file?", name);
        return FC_KERAS_NO_CONFIG;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > limit) {
        snprintf(msg, msg_size, "%s inflates to %llu bytes, over the limit of %zu", name, (unsigned long long)st.size,
                 limit);
        return FC_KERAS_TOO_LARGE;
    }
    if (st.valid & ZIP_STAT_SIZE)
        limit = (size_t)st.size; /* read no more than the directory says */
    zf = zip_fopen(za, name, 0);
    buf = malloc(limit + 1);
    if (zf == NULL || buf == NULL) {
        snprintf(msg, msg_size, "cannot open %s in the archive: %s", name, zf ? "out of memory" : zip_strerror(za));
        status = zf ? FC_KERAS_NOMEM : FC_KERAS_NOT_ZIP;
        goto cleanup;
    }
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf + used, limit + 1 - used);

        if (n < 0) {
            snprintf(msg, msg_size, "%s is damaged in the archive: %s", name, zip_file_strerror(zf));
            goto cleanup;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > limit) {
            snprintf(msg, msg_size, "%s inflates past %zu bytes (the limit, or its declared size)", name, limit);
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
    free(buf);
    return status;
}

/* metadata.json's keras_version into version (empty when absent, unreadable or not a string). */
static void read_version(zip_t *za, char *version, size_t version_size)
{
    char *meta = NULL, ignored[160];
    size_t meta_len;
    json_t *root;
    const char *v;

    if (version_size == 0)
        return;
    version[0] = '\0';
    if (read_member(za, "metadata.json", METADATA_LIMIT, &meta, &meta_len, ignored, sizeof(ignored)) != FC_KERAS_OK)
        return;
    root = json_loadb(meta, meta_len, 0, NULL);
    v = json_string_value(json_object_get(root, "keras_version"));
    if (v != NULL && strlen(v) < version_size)
        memcpy(version, v, strlen(v) + 1);
    json_decref(root);
    free(meta);
}

fc_keras_file_status fc_keras_file_config(const void *data, size_t len, size_t limit, char **out, size_t *out_len,
                                          char *version, size_t version_size, char *msg, size_t msg_size)
{
    zip_error_t zerr;
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    fc_keras_file_status status = FC_KERAS_NOT_ZIP;

    *out = NULL;
    *out_len = 0;
    if (version_size > 0)
        version[0] = '\0';
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
    status = read_member(za, "config.json", limit, out, out_len, msg, msg_size);
    if (status == FC_KERAS_OK)
        read_version(za, version, version_size);

cleanup:
    if (za != NULL)
        zip_discard(za); /* also frees src */
    zip_error_fini(&zerr);
    return status;
}

int fc_keras_file_stamp_version(json_t *model, const char *version)
{
    if (version == NULL || version[0] == '\0' || !json_is_object(model) || json_object_get(model, "keras_version"))
        return 0;
    return json_object_set_new(model, "keras_version", json_string(version)) == 0;
}
