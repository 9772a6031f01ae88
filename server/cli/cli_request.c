/*
 * cli_request.c - the preflight request from files and flags (see cli.h).
 *
 * The files are read as fitcheckd reads the same uploads: a .keras
 * archive's config.json (keras_file.c) and each .npy file's header and
 * statistics (npy.c), streamed, so an array of any size costs a fixed
 * amount of memory. Model files are mapped rather than read, since a
 * .keras archive also holds the weights.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "keras_file.h"
#include "npy.h"

#define CONFIG_LIMIT (256u << 20) /* the most config.json may inflate to */
#define CHUNK (1u << 20)

static void say(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
}

/* JSON text of what (a file's name) into a value; NULL with msg naming the line and column. */
static json_t *parse_text(const char *text, size_t len, const char *what, char *msg, size_t size)
{
    json_error_t e;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);

    if (v == NULL)
        say(msg, size, "%s is not JSON: %s (line %d, column %d)", what, e.text, e.line, e.column);
    return v;
}

/* The model file: a .keras archive (its config.json) or JSON text. */
static json_t *read_model(const char *path, char *msg, size_t size)
{
    struct stat st;
    void *map;
    char *config = NULL;
    size_t config_len;
    json_t *model = NULL;
    char why[256], version[64];
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        say(msg, size, "cannot read the model %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        say(msg, size, "the model %s is %s", path, S_ISREG(st.st_mode) ? "empty" : "not a file");
        close(fd);
        return NULL;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        say(msg, size, "cannot read the model %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!fc_keras_file_is_zip(map, (size_t)st.st_size)) {
        model = parse_text(map, (size_t)st.st_size, path, msg, size);
    } else {
        switch (fc_keras_file_config(map, (size_t)st.st_size, CONFIG_LIMIT, &config, &config_len, version,
                                     sizeof(version), why, sizeof(why))) {
        case FC_KERAS_OK: {
            char what[600];

            snprintf(what, sizeof(what), "config.json in %s", path);
            model = parse_text(config, config_len, what, msg, size);
            free(config);
            if (model != NULL)
                fc_keras_file_stamp_version(model, version);
            break;
        }
        case FC_KERAS_NOMEM:
            say(msg, size, "out of memory reading %s", path);
            break;
        default:
            say(msg, size, "%s: %s", path, why);
            break;
        }
    }
    munmap(map, (size_t)st.st_size);
    return model;
}

/* One .npy file's tensor header ({"shape", "dtype", "stats"}), streamed through scanner. */
static json_t *read_array(fc_npy_scanner *scanner, const char *path, char *buf, char *msg, size_t size)
{
    FILE *f = fopen(path, "rb");
    fc_error err;
    size_t n;
    json_t *header;

    if (f == NULL) {
        say(msg, size, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    fc_error_init(&err);
    fc_npy_reset(scanner);
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        if (fc_npy_feed(scanner, buf, n, &err) != FC_OK) {
            say(msg, size, "%s is not an array fitcheck can read: %s", path, err.text);
            fclose(f);
            return NULL;
        }
    }
    if (ferror(f)) {
        say(msg, size, "cannot read %s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    fclose(f);
    if (fc_npy_finish(scanner, &err) != FC_OK) {
        say(msg, size, "%s is not a whole .npy file: %s", path, err.text);
        return NULL;
    }
    header = fc_npy_header_json(scanner);
    if (header == NULL)
        say(msg, size, "out of memory reading %s", path);
    return header;
}

/* obj[key] as an object, made when missing or null; NULL when it holds something else (or out of memory). */
static json_t *member_object(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        v = json_object();
        if (v == NULL || json_object_set_new(obj, key, v) != 0)
            return NULL;
    }
    return json_is_object(v) ? v : NULL;
}

static const char *const group_flag[] = {"--x", "--y", "--validation-x", "--validation-y"};
static const char *const group_key[] = {"x", "y", "x", "y"};

/* Puts each array's header where fit would take it. */
static int attach_arrays(const cli_inputs *in, json_t *req, char *msg, size_t size)
{
    fc_npy_scanner *scanner;
    char *buf;
    size_t i;
    int rc = 0;

    if (in->n_arrays == 0)
        return 0;
    scanner = fc_npy_new();
    buf = malloc(CHUNK);
    if (scanner == NULL || buf == NULL) {
        say(msg, size, "out of memory");
        rc = -1;
    }
    for (i = 0; rc == 0 && i < in->n_arrays; i++) {
        const cli_array *a = &in->arrays[i];
        int validation = a->group == CLI_VALIDATION_X || a->group == CLI_VALIDATION_Y;
        const char *key = group_key[a->group];
        json_t *data = member_object(req, "data"), *group, *header;

        group = data != NULL && validation ? member_object(data, "validation") : data;
        if (group == NULL) {
            say(msg, size, "the request's data%s must be an object when %s is given",
                validation ? ".validation" : "", group_flag[a->group]);
            rc = -1;
            break;
        }
        if (a->name != NULL) {
            group = member_object(group, key);
            if (group == NULL) {
                say(msg, size, "%s %s=%s names an input, but the request's data%s.%s is not a map of them",
                    group_flag[a->group], a->name, a->path, validation ? ".validation" : "", key);
                rc = -1;
                break;
            }
            key = a->name;
        }
        if (json_object_get(group, key) != NULL && !json_is_null(json_object_get(group, key))) {
            say(msg, size, "%s %s: the request already gives data%s.%s%s%s", group_flag[a->group], a->path,
                validation ? ".validation" : "", group_key[a->group], a->name ? "." : "", a->name ? a->name : "");
            rc = -1;
            break;
        }
        header = read_array(scanner, a->path, buf, msg, size);
        if (header == NULL || json_object_set_new(group, key, header) != 0) {
            rc = -1;
            break;
        }
    }
    fc_npy_free(scanner);
    free(buf);
    return rc;
}

/* A whole number from a flag (a JSON integer), or NULL with msg set. */
static json_t *flag_integer(const char *flag, const char *text, char *msg, size_t size)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        say(msg, size, "%s must be a whole number, got '%s'", flag, text);
        return NULL;
    }
    return json_integer((json_int_t)v);
}

static json_t *flag_real(const char *flag, const char *text, char *msg, size_t size)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0') {
        say(msg, size, "%s must be a number, got '%s'", flag, text);
        return NULL;
    }
    return json_real(v);
}

/* req[section][key] = value (stolen); -1 with msg when section is not an object or value is NULL. */
static int set_in(json_t *req, const char *section, const char *key, json_t *value, char *msg, size_t size)
{
    json_t *obj = section ? member_object(req, section) : req;

    if (value == NULL) {
        if (msg[0] == '\0')
            say(msg, size, "the value for %s%s%s is not valid UTF-8", section ? section : "", section ? "." : "", key);
        return -1;
    }
    if (obj == NULL) {
        json_decref(value);
        say(msg, size, "the request's %s must be an object", section);
        return -1;
    }
    if (json_object_set_new(obj, key, value) != 0) {
        say(msg, size, "out of memory");
        return -1;
    }
    return 0;
}

json_t *cli_build_request(const cli_inputs *in, char *msg, size_t size)
{
    json_t *req = NULL, *model;

    msg[0] = '\0';
    if (in->request_path != NULL) {
        FILE *f = fopen(in->request_path, "rb");
        json_error_t e;

        if (f == NULL) {
            say(msg, size, "cannot read the request %s: %s", in->request_path, strerror(errno));
            return NULL;
        }
        req = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
        fclose(f);
        if (req == NULL) {
            say(msg, size, "the request %s is not JSON: %s (line %d, column %d)", in->request_path, e.text, e.line,
                e.column);
            return NULL;
        }
        if (!json_is_object(req)) {
            say(msg, size, "the request %s must hold a JSON object", in->request_path);
            goto fail;
        }
    } else if ((req = json_object()) == NULL) {
        say(msg, size, "out of memory");
        return NULL;
    }
    if (in->model_path != NULL) {
        if (json_object_get(req, "model") != NULL || json_object_get(req, "model_id") != NULL) {
            say(msg, size, "the model is given twice: as %s and in the request %s", in->model_path,
                in->request_path);
            goto fail;
        }
        if ((model = read_model(in->model_path, msg, size)) == NULL || set_in(req, NULL, "model", model, msg, size))
            goto fail;
    } else if (json_object_get(req, "model") == NULL) {
        say(msg, size, "no model: give a model file, or a request file that holds one");
        goto fail;
    }
    if (attach_arrays(in, req, msg, size) != 0)
        goto fail;
    if ((in->framework && set_in(req, NULL, "framework", json_string(in->framework), msg, size)) ||
        (in->framework_version &&
         set_in(req, NULL, "framework_version", json_string(in->framework_version), msg, size)) ||
        (in->loss && set_in(req, "compile", "loss", json_string(in->loss), msg, size)) ||
        (in->batch_size &&
         set_in(req, "fit", "batch_size", flag_integer("--batch-size", in->batch_size, msg, size), msg, size)) ||
        (in->epochs && set_in(req, "fit", "epochs", flag_integer("--epochs", in->epochs, msg, size), msg, size)) ||
        (in->validation_split &&
         set_in(req, "fit", "validation_split", flag_real("--validation-split", in->validation_split, msg, size), msg,
                size)) ||
        (in->project && set_in(req, "labels", "project", json_string(in->project), msg, size)) ||
        (in->run && set_in(req, "labels", "run", json_string(in->run), msg, size)))
        goto fail;
    return req;

fail:
    if (msg[0] == '\0')
        say(msg, size, "out of memory");
    json_decref(req);
    return NULL;
}
