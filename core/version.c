/*
 * version.c - the releases fitcheck knows, reading a framework_version, and
 * the table of version-dependent behaviours (the source of docs/versions.md).
 *
 * Release lists: Keras from the tags of keras-team/keras (2.0.0 ... 2.3.1,
 * 2.4.0, v2.6.0 ... v2.15.0, v3.0.0 ... v3.15.1) and PyPI (2.4.1-2.4.3,
 * keras-core 0.1.0-0.1.7, tf-keras); TF.js from the npm registry's
 * @tensorflow/tfjs versions. tf.keras versions as tf.keras.__version__ and
 * model.to_json()'s keras_version print them: "2.1.6-tf" (TensorFlow
 * 1.11-1.12), "2.2.4-tf" (1.13-2.1), "2.3.0-tf" (2.2), "2.4.0" (2.3, 2.4),
 * "2.5.0" (2.5), then the Keras release of the same minor (2.6 ... 2.15) and
 * the tf-keras package (2.16 on).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/version.h"

/* ---- the releases ------------------------------------------------------- */

/* One minor line: major.minor with patches 0 .. last_patch. */
typedef struct release_line {
    int major, minor, last_patch;
} release_line;

static const release_line keras2_releases[] = {
    {2, 0, 9}, {2, 1, 6}, {2, 2, 5}, {2, 3, 1},
};

static const release_line keras3_releases[] = {
    {3, 0, 5},  {3, 1, 1},  {3, 2, 1},  {3, 3, 3},  {3, 4, 1},  {3, 5, 0},  {3, 6, 0},  {3, 7, 0},
    {3, 8, 0},  {3, 9, 2},  {3, 10, 0}, {3, 11, 3}, {3, 12, 4}, {3, 13, 2}, {3, 14, 1}, {3, 15, 1},
};

/* @tensorflow/tfjs on npm from 1.0.0 (1.1.1, 1.2.0, 1.2.4, 1.4.x's 1.5.0 were never published). */
static const char *const tfjs_releases[] = {
    "1.0.0",  "1.0.1",  "1.0.2",  "1.0.3",  "1.0.4",  "1.1.0",  "1.1.2",  "1.2.1",  "1.2.2",  "1.2.3",  "1.2.5",
    "1.2.6",  "1.2.7",  "1.2.8",  "1.2.9",  "1.2.10", "1.2.11", "1.3.0",  "1.3.1",  "1.3.2",  "1.4.0",  "1.5.1",
    "1.5.2",  "1.6.0",  "1.6.1",  "1.7.0",  "1.7.1",  "1.7.2",  "1.7.3",  "1.7.4",  "2.0.0",  "2.0.1",  "2.1.0",
    "2.2.0",  "2.3.0",  "2.4.0",  "2.5.0",  "2.6.0",  "2.7.0",  "2.8.0",  "2.8.1",  "2.8.2",  "2.8.3",  "2.8.4",
    "2.8.5",  "2.8.6",  "3.0.0",  "3.1.0",  "3.2.0",  "3.3.0",  "3.4.0",  "3.5.0",  "3.6.0",  "3.7.0",  "3.8.0",
    "3.9.0",  "3.10.0", "3.11.0", "3.12.0", "3.13.0", "3.14.0", "3.15.0", "3.16.0", "3.17.0", "3.18.0", "3.19.0",
    "3.20.0", "3.21.0", "4.0.0",  "4.1.0",  "4.2.0",  "4.3.0",  "4.4.0",  "4.5.0",  "4.6.0",  "4.7.0",  "4.8.0",
    "4.9.0",  "4.10.0", "4.11.0", "4.12.0", "4.13.0", "4.14.0", "4.15.0", "4.16.0", "4.17.0", "4.18.0", "4.19.0",
    "4.20.0", "4.21.0", "4.22.0",
};

/*
 * The newest releases the behaviour table was checked against. A later
 * release of the same major (minor up to NEWER_MAX_MINOR) is accepted as
 * "newer": it may well exist by now (Keras 3 ships a minor every month or
 * two, and a user on a release newer than this table must not get a 400),
 * and it behaves as the newest known until shown otherwise. Another major
 * is not judged: its semantics are unknown.
 */
#define NEWER_MAX_MINOR 99
#define KERAS3_NEWEST_MINOR 15
#define TFKERAS_NEWEST_MINOR 20 /* tf-keras 2.20 / TensorFlow 2.20 */
#define TFJS_NEWEST_MINOR 22

/* ---- reading a version string ------------------------------------------- */

typedef enum package {
    PKG_NONE = 0, /* a bare version: the target's own package */
    PKG_KERAS,
    PKG_TF_KERAS,
    PKG_KERAS_CORE,
    PKG_TENSORFLOW,
    PKG_TFJS
} package;

static const struct {
    const char *prefix;
    package pkg;
} prefixes[] = {
    /* longest first: the first that matches wins */
    {"tensorflow.js tfjs-layers", PKG_TFJS}, {"@tensorflow/tfjs-layers", PKG_TFJS}, {"@tensorflow/tfjs", PKG_TFJS},
    {"tensorflowjs", PKG_TFJS},              {"tensorflow.js", PKG_TFJS},           {"tfjs-layers", PKG_TFJS},
    {"tfjs", PKG_TFJS},                      {"keras-core", PKG_KERAS_CORE},        {"keras_core", PKG_KERAS_CORE},
    {"tf-keras", PKG_TF_KERAS},              {"tf_keras", PKG_TF_KERAS},            {"tensorflow", PKG_TENSORFLOW},
    {"keras", PKG_KERAS},                    {"tf", PKG_TENSORFLOW},
};

typedef struct parsed {
    package pkg;
    int major, minor, patch; /* patch -1 when absent */
    int tf_suffix;           /* "-tf" */
    int prerelease;          /* rc, dev, alpha, beta */
} parsed;

static int read_int(const char **p, int *out)
{
    long v = 0;
    int n = 0;

    while (isdigit((unsigned char)**p) && n < 6) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || isdigit((unsigned char)**p))
        return 0;
    *out = (int)v;
    return 1;
}

/* Splits "keras==2.2.4-tf" into its parts; 0 when it is not a version at all. */
static int parse_text(const char *text, parsed *out)
{
    char low[96];
    const char *p;
    size_t i, n = strlen(text);

    memset(out, 0, sizeof(*out));
    out->patch = -1;
    if (n == 0 || n >= sizeof(low))
        return 0;
    for (i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    p = low;
    while (*p == ' ')
        p++;
    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t len = strlen(prefixes[i].prefix);

        if (strncmp(p, prefixes[i].prefix, len) == 0 && !isalpha((unsigned char)p[len]) &&
            !(p[len] == '-' && isalpha((unsigned char)p[len + 1]))) {
            out->pkg = prefixes[i].pkg;
            p += len;
            break;
        }
    }
    while (*p == ' ' || *p == '=' || *p == '@' || *p == ':' || *p == '/' || *p == '-' || *p == '~' || *p == '^')
        p++;
    if (*p == 'v')
        p++;
    if (!read_int(&p, &out->major) || *p != '.')
        return 0;
    p++;
    if (!read_int(&p, &out->minor))
        return 0;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        if (!read_int(&p, &out->patch))
            return 0;
    }
    if (strcmp(p, "-tf") == 0) {
        out->tf_suffix = 1;
        return 1;
    }
    if (*p == '\0')
        return 1;
    /* pre-releases: "rc0", "-rc.1", ".dev2024", "a1", "b2", "-alpha2" */
    if (*p == '-' || *p == '.')
        p++;
    if (strncmp(p, "rc", 2) == 0 || strncmp(p, "dev", 3) == 0 || strncmp(p, "alpha", 5) == 0 ||
        strncmp(p, "beta", 4) == 0 || ((*p == 'a' || *p == 'b') && isdigit((unsigned char)p[1]))) {
        while (isalpha((unsigned char)*p))
            p++;
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
        out->prerelease = 1;
        return *p == '\0';
    }
    return 0;
}

/* Is major.minor.patch in lines[] (patch -1: any of the line's)? */
static int in_lines(const release_line *lines, size_t n, int major, int minor, int patch)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (lines[i].major == major && lines[i].minor == minor)
            return patch <= lines[i].last_patch;
    }
    return 0;
}

static int tfjs_known(int major, int minor, int patch)
{
    char want[32];
    size_t i, len;

    snprintf(want, sizeof(want), "%d.%d.%d", major, minor, patch < 0 ? 0 : patch);
    len = strlen(want);
    for (i = 0; i < sizeof(tfjs_releases) / sizeof(tfjs_releases[0]); i++) {
        if (patch < 0) {
            /* "1.7": any release of that minor */
            char prefix[24];

            snprintf(prefix, sizeof(prefix), "%d.%d.", major, minor);
            if (strncmp(tfjs_releases[i], prefix, strlen(prefix)) == 0)
                return 1;
        } else if (strlen(tfjs_releases[i]) == len && strcmp(tfjs_releases[i], want) == 0) {
            return 1;
        }
    }
    return 0;
}

static void set_text(fc_version *v, const char *suffix)
{
    if (v->patch >= 0)
        snprintf(v->text, sizeof(v->text), "%d.%d.%d%s", v->major, v->minor, v->patch, suffix);
    else
        snprintf(v->text, sizeof(v->text), "%d.%d%s", v->major, v->minor, suffix);
}

/* tf.keras of TensorFlow 2.<tf_minor>: the Keras version it reports. */
static void tfkeras_of_tensorflow(int tf_minor, fc_version *v)
{
    v->line = FC_LINE_TFKERAS;
    v->tf_major = 2;
    v->tf_minor = tf_minor;
    v->major = 2;
    v->patch = 0;
    if (tf_minor <= 1) {
        v->minor = 2;
        v->patch = 4;
        set_text(v, "-tf");
    } else if (tf_minor == 2) {
        v->minor = 3;
        set_text(v, "-tf");
    } else if (tf_minor <= 4) {
        v->minor = 4;
        set_text(v, "");
    } else {
        v->minor = tf_minor;
        set_text(v, "");
    }
}

static fc_status bad(fc_error *err, const char *path, const char *text, const char *why)
{
    return fc_error_set(err, FC_ERR_INVALID, path, "framework_version \"%.40s\" %s", text, why);
}

static fc_status parse_tfkeras2(const parsed *p, const char *text, const char *path, fc_version *v, fc_error *err)
{
    if (p->pkg == PKG_TENSORFLOW) {
        if (p->major == 1)
            return bad(err, path, text, "is TensorFlow 1.x: fitcheck models tf.keras from TensorFlow 2.0 (give "
                                        "tf.keras.__version__, e.g. \"2.2.4-tf\")");
        if (p->major != 2 || p->minor > NEWER_MAX_MINOR || p->tf_suffix)
            return bad(err, path, text, "is not a TensorFlow 2 release");
        tfkeras_of_tensorflow(p->minor, v);
        v->newer = p->minor > TFKERAS_NEWEST_MINOR;
        return FC_OK;
    }
    if (p->pkg == PKG_KERAS_CORE || p->pkg == PKG_TFJS || (p->pkg == PKG_NONE && p->major == 3) ||
        (p->pkg == PKG_KERAS && p->major == 3))
        return bad(err, path, text, "is not a Keras 2 release: for Keras 3 the framework is \"keras3\", for "
                                    "TF.js \"tfjs\"");
    if (p->major < 2)
        return bad(err, path, text, "predates Keras 2.0: fitcheck models Keras from 2.0 on");
    if (p->major != 2)
        return bad(err, path, text, "is not a Keras 2 release");
    v->major = p->major;
    v->minor = p->minor;
    v->patch = p->patch;
    if (p->tf_suffix) {
        /* the versions tf.keras printed inside TensorFlow 1.11 - 2.2 */
        static const struct {
            int minor, patch, tf_major, tf_minor;
        } tf_builds[] = {{1, 6, 1, 12}, {2, 4, 2, 1}, {3, 0, 2, 2}};
        size_t i;

        for (i = 0; i < sizeof(tf_builds) / sizeof(tf_builds[0]); i++) {
            if (tf_builds[i].minor == p->minor && (p->patch < 0 || p->patch == tf_builds[i].patch)) {
                v->line = FC_LINE_TFKERAS;
                v->patch = tf_builds[i].patch;
                v->tf_major = tf_builds[i].tf_major;
                v->tf_minor = tf_builds[i].tf_minor;
                set_text(v, "-tf");
                return FC_OK;
            }
        }
        return bad(err, path, text, "is not a tf.keras build: TensorFlow printed \"2.1.6-tf\", \"2.2.4-tf\" and "
                                    "\"2.3.0-tf\"");
    }
    if (p->minor <= 3 && p->pkg != PKG_TF_KERAS) {
        if (!in_lines(keras2_releases, sizeof(keras2_releases) / sizeof(keras2_releases[0]), p->major, p->minor,
                      p->patch))
            return bad(err, path, text, "is not a Keras release (2.0.0-2.0.9, 2.1.0-2.1.6, 2.2.0-2.2.5, 2.3.0-2.3.1)");
        v->line = FC_LINE_KERAS2;
        set_text(v, "");
        return FC_OK;
    }
    if (p->pkg == PKG_TF_KERAS && p->minor < 14)
        return bad(err, path, text, "is not a tf-keras release (the package starts at 2.14)");
    if (p->minor == 4 && p->patch > 3)
        return bad(err, path, text, "is not a Keras release (2.4.0-2.4.3)");
    if (p->minor > NEWER_MAX_MINOR)
        return bad(err, path, text, "is not a Keras 2 release (the newest is tf-keras 2.20)");
    v->line = FC_LINE_TFKERAS;
    v->tf_major = 2;
    v->tf_minor = p->minor == 4 ? 4 : p->minor;
    v->newer = p->minor > TFKERAS_NEWEST_MINOR;
    set_text(v, "");
    return FC_OK;
}

static fc_status parse_keras3(const parsed *p, const char *text, const char *path, fc_version *v, fc_error *err)
{
    if (p->pkg == PKG_KERAS_CORE || (p->pkg == PKG_NONE && p->major == 0)) {
        if (p->major != 0 || p->minor != 1 || p->patch > 7)
            return bad(err, path, text, "is not a keras_core release (0.1.0-0.1.7)");
        v->line = FC_LINE_KERAS_CORE;
        v->major = 0;
        v->minor = 1;
        v->patch = p->patch;
        set_text(v, "");
        return FC_OK;
    }
    if (p->pkg == PKG_TENSORFLOW)
        return bad(err, path, text, "is a TensorFlow release: for Keras 3 give keras.__version__ (e.g. \"3.5.0\")");
    if (p->pkg == PKG_TFJS || p->pkg == PKG_TF_KERAS || p->tf_suffix || p->major == 2 || p->major == 1)
        return bad(err, path, text, "is not a Keras 3 release: for Keras 2 and tf.keras the framework is "
                                    "\"tf.keras2\"");
    if (p->major != 3)
        return bad(err, path, text, "is not a Keras 3 release");
    v->line = FC_LINE_KERAS3;
    v->major = 3;
    v->minor = p->minor;
    v->patch = p->patch;
    if (p->minor > NEWER_MAX_MINOR)
        return bad(err, path, text, "is not a Keras 3 release (the newest fitcheck knows is 3.15.1)");
    if (p->minor > KERAS3_NEWEST_MINOR ||
        (p->minor == KERAS3_NEWEST_MINOR &&
         !in_lines(keras3_releases, sizeof(keras3_releases) / sizeof(keras3_releases[0]), 3, p->minor, p->patch))) {
        v->newer = 1;
    } else if (!in_lines(keras3_releases, sizeof(keras3_releases) / sizeof(keras3_releases[0]), 3, p->minor,
                         p->patch) &&
               !(p->prerelease && p->patch >= 0 &&
                 in_lines(keras3_releases, sizeof(keras3_releases) / sizeof(keras3_releases[0]), 3, p->minor,
                          p->patch - 1))) {
        return bad(err, path, text, "is not a Keras 3 release");
    }
    set_text(v, "");
    return FC_OK;
}

static fc_status parse_tfjs(const parsed *p, const char *text, const char *path, fc_version *v, fc_error *err)
{
    if (p->pkg != PKG_NONE && p->pkg != PKG_TFJS)
        return bad(err, path, text, "is not a TF.js release: for Keras the framework is \"keras3\" or \"tf.keras2\"");
    if (p->major == 0)
        return bad(err, path, text, "predates TF.js 1.0: fitcheck models TF.js from 1.0 on");
    if (p->tf_suffix)
        return bad(err, path, text, "is not a TF.js release");
    v->line = FC_LINE_TFJS;
    v->major = p->major;
    v->minor = p->minor;
    v->patch = p->patch;
    if (p->major == 4 && p->minor > TFJS_NEWEST_MINOR && p->minor <= NEWER_MAX_MINOR) {
        v->newer = 1;
    } else if (!tfjs_known(p->major, p->minor, p->patch) && !(p->prerelease && tfjs_known(p->major, p->minor, -1))) {
        return bad(err, path, text, "is not a TF.js release (1.0.0-4.22.0 on npm)");
    }
    set_text(v, "");
    return FC_OK;
}

fc_status fc_version_parse(fc_framework fw, const char *text, const char *path, fc_version *out, fc_error *err)
{
    parsed p;
    fc_status result;

    memset(out, 0, sizeof(*out));
    out->tf_major = out->tf_minor = -1;
    if (text == NULL || !parse_text(text, &p))
        return fc_error_set(err, FC_ERR_INVALID, path,
                            "framework_version \"%.40s\" is not a version (write it as \"2.2.4\", \"3.5.0\", "
                            "\"tensorflow 2.3\" or \"1.7.4\")",
                            text ? text : "");
    switch (fw) {
    case FC_FW_TFKERAS2:
        result = parse_tfkeras2(&p, text, path, out, err);
        break;
    case FC_FW_KERAS3:
        result = parse_keras3(&p, text, path, out, err);
        break;
    case FC_FW_TFJS:
        result = parse_tfjs(&p, text, path, out, err);
        break;
    default:
        return fc_error_set(err, FC_ERR_INVALID, path, "framework_version needs a framework");
    }
    if (result != FC_OK) {
        memset(out, 0, sizeof(*out));
        return result;
    }
    out->known = 1;
    out->source = "request";
    return FC_OK;
}

/* The newest release of each framework: what an unknown version behaves as. */
static void newest(fc_framework fw, fc_version *v)
{
    memset(v, 0, sizeof(*v));
    v->tf_major = v->tf_minor = -1;
    switch (fw) {
    case FC_FW_TFKERAS2:
        tfkeras_of_tensorflow(TFKERAS_NEWEST_MINOR, v);
        break;
    case FC_FW_TFJS:
        v->line = FC_LINE_TFJS;
        v->major = 4;
        v->minor = TFJS_NEWEST_MINOR;
        v->patch = 0;
        set_text(v, "");
        break;
    default:
        v->line = FC_LINE_KERAS3;
        v->major = 3;
        v->minor = KERAS3_NEWEST_MINOR;
        v->patch = 1;
        set_text(v, "");
        break;
    }
}

void fc_version_assume_newest(fc_framework fw, fc_version *out)
{
    newest(fw, out);
    out->known = 0;
    out->text[0] = '\0';
    out->source = "assumed";
}

const char *fc_version_describe(const fc_target *t, char *buf, size_t size)
{
    const fc_version *v = &t->version;
    fc_version n;

    if (!v->known) {
        newest(t->framework, &n);
        snprintf(buf, size, "%s %s (no version given: the newest release fitcheck was checked against)",
                 t->framework == FC_FW_TFJS     ? "TF.js"
                 : t->framework == FC_FW_TFKERAS2 ? "tf-keras"
                                                  : "Keras",
                 n.text);
        return buf;
    }
    switch (v->line) {
    case FC_LINE_KERAS2:
        snprintf(buf, size, "standalone Keras %s", v->text);
        break;
    case FC_LINE_TFKERAS:
        if (v->tf_minor <= 1 && v->tf_major == 2)
            snprintf(buf, size, "tf.keras %s (TensorFlow 1.13-2.1)", v->text);
        else if (v->tf_major == 1)
            snprintf(buf, size, "tf.keras %s (TensorFlow 1.11-1.12)", v->text);
        else if (v->minor == 4 && v->tf_minor == 4)
            snprintf(buf, size, "tf.keras %s (TensorFlow 2.3-2.4)", v->text);
        else if (v->minor == 4)
            snprintf(buf, size, "tf.keras %s (TensorFlow 2.%d)", v->text, v->tf_minor);
        else
            snprintf(buf, size, "%s %s (TensorFlow 2.%d)", v->minor >= 16 ? "tf-keras" : "tf.keras", v->text,
                     v->tf_minor);
        break;
    case FC_LINE_KERAS_CORE:
        snprintf(buf, size, "keras_core %s (the preview of Keras 3)", v->text);
        break;
    case FC_LINE_KERAS3:
        snprintf(buf, size, "Keras %s", v->text);
        break;
    case FC_LINE_TFJS:
        snprintf(buf, size, "TF.js %s", v->text);
        break;
    default:
        snprintf(buf, size, "unknown");
        break;
    }
    if (v->newer) {
        size_t len = strlen(buf);

        snprintf(buf + len, size - len, ", newer than the releases fitcheck was checked against");
    }
    return buf;
}

/* ---- release specs ------------------------------------------------------ */

/*
 * A release spec names releases of one or more lineages, as the behaviour
 * table and the variant texts (core/findings_variants.def) write them:
 *
 *   "keras2 2.0.0-2.3.1; tf 2.0-2.1"   standalone Keras, and tf.keras by its TensorFlow release
 *   "keras3 3.13-"                     Keras 3.13.0 and every later release
 *   "keras_core 0.1; keras3 3.0-3.6"   a minor stands for all its patches
 *   "tfjs 1.0-2.8.6"
 *
 * For "tf" the numbers are TensorFlow's (tf.keras 2.2.4-tf is TensorFlow
 * 2.1, 2.4.0 is 2.4); for the others the package's own.
 */
typedef struct range {
    fc_line line;
    int lo[3], hi[3];
} range;

#define OPEN 9999

static const struct {
    const char *name;
    fc_line line;
    const char *words; /* in docs: "standalone Keras 2.0.0-2.3.1" */
} spec_lines[] = {
    {"keras2", FC_LINE_KERAS2, "standalone Keras"}, {"tf", FC_LINE_TFKERAS, "tf.keras in TensorFlow"},
    {"keras_core", FC_LINE_KERAS_CORE, "keras_core"}, {"keras3", FC_LINE_KERAS3, "Keras"},
    {"tfjs", FC_LINE_TFJS, "TF.js"},
};

/* Reads "2", "2.3" or "2.3.1" at *p into v, missing parts set to fill; the number of parts read (0: none). */
static int read_spec_version(const char **p, int v[3], int fill)
{
    int i;

    v[0] = v[1] = v[2] = fill;
    for (i = 0; i < 3; i++) {
        if (!read_int(p, &v[i])) {
            v[i] = fill;
            return i;
        }
        if (**p != '.' || i == 2)
            return i + 1;
        (*p)++;
    }
    return 3;
}

/* Reads one "line lo-hi" item; returns the position after it, NULL when malformed. */
static const char *read_range(const char *p, range *r)
{
    size_t i, len = 0;
    int parts, k;

    while (*p == ' ' || *p == ';')
        p++;
    for (i = 0; i < sizeof(spec_lines) / sizeof(spec_lines[0]); i++) {
        len = strlen(spec_lines[i].name);
        if (strncmp(p, spec_lines[i].name, len) == 0 && p[len] == ' ')
            break;
    }
    if (i == sizeof(spec_lines) / sizeof(spec_lines[0]))
        return NULL;
    r->line = spec_lines[i].line;
    p += len + 1;
    parts = read_spec_version(&p, r->lo, 0);
    if (parts == 0)
        return NULL;
    if (*p == '-') {
        p++;
        if (*p == '\0' || *p == ';')
            r->hi[0] = r->hi[1] = r->hi[2] = OPEN;
        else if (read_spec_version(&p, r->hi, OPEN) == 0)
            return NULL;
    } else {
        /* "tfjs 1.7" stands for every 1.7.x, "keras2 2.2.4" for itself */
        memcpy(r->hi, r->lo, sizeof(r->hi));
        for (k = parts; k < 3; k++)
            r->hi[k] = OPEN;
    }
    return (*p == '\0' || *p == ';') ? p : NULL;
}

static int cmp3(const int a[3], const int b[3])
{
    int i;

    for (i = 0; i < 3; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

static int in_range(const range *r, const fc_version *v)
{
    int key[3];

    if (r->line != v->line)
        return 0;
    if (v->line == FC_LINE_TFKERAS) {
        key[0] = v->tf_major;
        key[1] = v->tf_minor;
        key[2] = 0;
    } else {
        key[0] = v->major;
        key[1] = v->minor;
        key[2] = v->patch < 0 ? 0 : v->patch;
    }
    return cmp3(key, r->lo) >= 0 && cmp3(key, r->hi) <= 0;
}

int fc_release_spec_valid(const char *spec)
{
    const char *p = spec;
    range r;

    if (spec == NULL || *spec == '\0')
        return 1;
    while (*p != '\0') {
        p = read_range(p, &r);
        if (p == NULL)
            return 0;
    }
    return 1;
}

int fc_target_in(const fc_target *t, const char *spec)
{
    fc_version n;
    const fc_version *v = &t->version;
    const char *p = spec;
    range r;

    if (spec == NULL || *spec == '\0')
        return 1;
    if (!v->known || v->line == FC_LINE_NONE || v->newer) {
        newest(t->framework, &n); /* unknown or past the table: judged as the newest known */
        v = &n;
    }
    while (p != NULL && *p != '\0') {
        p = read_range(p, &r);
        if (p != NULL && in_range(&r, v))
            return 1;
    }
    return 0;
}

/* "standalone Keras 2.0.0-2.3.1; tf.keras in TensorFlow 2.0-2.1; Keras 3.13 on" */
void fc_release_spec_words(const char *spec, char *buf, size_t size)
{
    const char *p = spec, *start;
    size_t used = 0, i;
    range r;

    buf[0] = '\0';
    if (spec == NULL || *spec == '\0') {
        snprintf(buf, size, "every release");
        return;
    }
    while (p != NULL && *p != '\0' && used < size) {
        while (*p == ' ' || *p == ';')
            p++;
        start = p;
        p = read_range(p, &r);
        if (p == NULL)
            break;
        for (i = 0; spec_lines[i].line != r.line; i++)
            ;
        start = strchr(start, ' ') + 1;
        if (r.hi[0] == OPEN)
            used += (size_t)snprintf(buf + used, size - used, "%s%s %.*s on", used ? "; " : "", spec_lines[i].words,
                                     (int)(p - start - 1), start);
        else
            used += (size_t)snprintf(buf + used, size - used, "%s%s %.*s", used ? "; " : "", spec_lines[i].words,
                                     (int)(p - start), start);
    }
}

/* ---- the behaviour table ------------------------------------------------ */

typedef struct behaviour_row {
    fc_behaviour behaviour;
    fc_framework framework;
    const char *releases; /* a release spec */
    const char *summary;
    const char *reference;
} behaviour_row;

static const behaviour_row behaviours[] = {
    /* one row per behaviour and framework; a behaviour with no row for a framework does not happen there */
    {FC_B_LEGACY_STANDARDIZE, FC_FW_TFKERAS2, "keras2 2.0.0-2.3.1; tf 1.0-2.1",
     "fit checks each x array against its model input before training: the same rank (a 1-D array counts as "
     "(N, 1)) and every declared axis, raising \"Error when checking input: expected ... to have N dimensions, "
     "but got array with shape ...\"; no trailing axis is added or squeezed",
     "keras 2.0.0-2.3.1: keras/engine/training.py (2.0-2.1) and keras/engine/training_utils.py (2.2-2.3) "
     "standardize_input_data; tf.keras in TensorFlow 2.0-2.1: training_v2.py calls the same "
     "_standardize_user_data"},
    {FC_B_LEGACY_TARGET_CHECK, FC_FW_TFKERAS2, "keras2 2.0.0-2.3.1; tf 1.0-2.1",
     "the targets are checked the same way against each output before training (\"Error when checking target\"), "
     "the last axis 1 for sparse_categorical_crossentropy; categorical_crossentropy on a (N, 1) target fails with "
     "its own message (check_loss_and_target_compatibility)",
     "keras 2.2.4: keras/engine/training.py Model._standardize_user_data, keras/engine/training_utils.py "
     "standardize_input_data, check_loss_and_target_compatibility"},
    {FC_B_TRAILING_AXIS_ADAPT, FC_FW_TFKERAS2, "tf 2.2-",
     "x of one rank more than the input ending in 1 is squeezed, x of one rank less is given a trailing axis of "
     "1 when the input's last axis is 1; other ranks pass the model-level check (it compares with zip) and fail "
     "in the first layer that needs the rank (an info finding, INPUT_AXIS_ADAPTED, says when it happened)",
     "keras v2.6.0-v2.15.0: keras/engine/functional.py Functional._conform_to_reference_input; TensorFlow 2.2-2.5 "
     "(not in the keras repository) judged alike, unconfirmed"},
    {FC_B_TRAILING_AXIS_ADAPT, FC_FW_KERAS3, "keras3 3.0-; keras_core 0.1",
     "the same squeeze or expand of one trailing axis of 1; any other rank is an error (\"Invalid input shape\")",
     "keras v3.0.0-v3.15.1: keras/src/models/functional.py Functional._adjust_input_rank"},
    {FC_B_LOSS_SQUEEZE_BROADCAST, FC_FW_TFKERAS2, "tf 2.2-",
     "the loss squeezes y_pred's trailing 1 when it has one rank more than y, then compares element-wise with "
     "broadcasting: a (N, T, 1) output against a (N, 1) or (N,) target trains every position toward the sample's "
     "one target without an error",
     "keras v2.15.0: keras/losses.py LossFunctionWrapper.call -> keras/utils/losses_utils.py "
     "squeeze_or_expand_dimensions; keras/engine/compile_utils.py match_dtype_and_rank"},
    {FC_B_LOSS_SQUEEZE_BROADCAST, FC_FW_KERAS3, "keras3 3.0-; keras_core 0.1",
     "the same squeeze (or expansion of a 1-D y) before an element-wise loss broadcasts; the cross-entropies "
     "check ranks and shapes in the backend and raise instead",
     "keras v3.15.1: keras/src/losses/loss.py squeeze_or_expand_to_same_rank, keras/src/losses/losses.py "
     "LossFunctionWrapper.call, keras/src/backend/tensorflow/nn.py categorical_crossentropy"},
    {FC_B_SERIES_AS_COLUMN, FC_FW_TFKERAS2, "keras2 2.0.0-2.3.1; tf 1.0-2.1; tf 2.7-",
     "a pandas.Series is taken as a (N, 1) column (standalone Keras and tf.keras up to TensorFlow 2.1 expand "
     "every 1-D array; from 2.7 the adapter expands a Series); in TensorFlow 2.2-2.6 it stays (N,)",
     "keras v2.7.0-v2.15.0: keras/engine/data_adapter.py _process_tensorlike (_is_pandas_series, first in "
     "v2.7.0); keras 2.2.4: keras/engine/training_utils.py standardize_single_array"},
    {FC_B_SERIES_AS_COLUMN, FC_FW_KERAS3, "keras3 3.0-; keras_core 0.1",
     "a pandas.Series is taken as a (N, 1) column",
     "keras v3.0.0: keras/trainers/data_adapters/array_data_adapter.py convert_to_arrays; v3.2 on: "
     "keras/src/trainers/data_adapters/array_slicing.py PandasSeriesSliceable"},
    {FC_B_ACCURACY_BY_LOSS, FC_FW_TFKERAS2, "keras2 2.0.0-2.3.1; tf 1.0-2.1",
     "metrics=[\"accuracy\"] becomes binary_accuracy whenever the loss is binary_crossentropy (or the output has "
     "one unit), whatever the targets; from TensorFlow 2.2 the shapes of y and the output choose",
     "keras 2.0.0-2.2.5: keras/engine/training.py Model.compile handle_metrics; keras 2.3.1 and tensorflow "
     "2.0-2.1: keras/engine/training_utils.py get_metric_function; keras v2.6.0: keras/engine/compile_utils.py "
     "MetricsContainer._get_metric_object (by shape)"},
    {FC_B_ACCURACY_BY_LOSS, FC_FW_TFJS, "tfjs 1.0-",
     "metrics: [\"accuracy\"] becomes binaryAccuracy whenever the loss is binaryCrossentropy (or the output has "
     "one unit), whatever the targets (checked with the oracle: 0.9 on 10 random one-hot classes)",
     "tfjs-v4.22.0: tfjs-layers/src/engine/training.ts LayersModel.compile (the 'accuracy'/'acc' case)"},
    {FC_B_EXPAND_1D, FC_FW_TFKERAS2, "tf 2.2-2.6",
     "train_step expands every 1-D x, y and sample_weight to (N, 1) before the model sees them",
     "keras v2.6.0: keras/engine/training.py Model.train_step -> data_adapter.expand_1d; removed in v2.7.0"},
    {FC_B_OBJECT_INVALID_DTYPE, FC_FW_KERAS3, "keras3 3.7-",
     "an object array fails in Keras's own dtype check (\"Invalid dtype: object\") instead of TensorFlow's "
     "conversion (\"Failed to convert a NumPy array to a Tensor (Unsupported object type ...)\")",
     "keras v3.7.0: keras/src/trainers/data_adapters/array_slicing.py convert_to_sliceable (is_non_floatx_float "
     "rewritten in commit 192b7b25), keras/src/backend/common/variables.py standardize_dtype"},
    {FC_B_TFJS_SPARSE_FLOAT_ONLY, FC_FW_TFJS, "tfjs 3.10-",
     "sparseCategoricalCrossentropy fails on int32 labels (\"Argument 'x' passed to 'floor' must be float32 "
     "tensor, but got int32 tensor\"); float32 labels train. Up to 3.9 int32 labels trained",
     "tfjs-layers/src/losses.ts sparseCategoricalCrossentropy (floor of the labels); tfjs-core/src/ops/floor.ts "
     "takes float32 only since commit 7204a86a6 (first in tfjs-v3.10.0); run in the oracle's TF.js 3.9.0 and "
     "3.10.0"},
    {FC_B_TFJS_FUNCTIONAL_CLASS, FC_FW_TFJS, "tfjs 2.4-",
     "a model whose class_name is \"Functional\" (what Keras 2.4 / TensorFlow 2.3 and later write) loads; "
     "before 2.4 it is \"Unknown layer: Functional\" (\"Model\" loads in every release)",
     "tfjs-layers/src/engine/training.ts, commit b54dfa929 \"add functional model to support changes from TF "
     "2.3\" (first in tfjs-v2.4.0); run in the oracle's TF.js 2.0.0 and 2.4.0"},
};

int fc_target_has(const fc_target *t, fc_behaviour b)
{
    size_t i;

    for (i = 0; i < sizeof(behaviours) / sizeof(behaviours[0]); i++) {
        if (behaviours[i].behaviour == b && behaviours[i].framework == t->framework &&
            fc_target_in(t, behaviours[i].releases))
            return 1;
    }
    return 0;
}

static const char *const behaviour_names[FC_BEHAVIOUR_COUNT] = {
    [FC_B_LEGACY_STANDARDIZE] = "legacy_input_check",
    [FC_B_LEGACY_TARGET_CHECK] = "legacy_target_check",
    [FC_B_EXPAND_1D] = "expand_1d",
    [FC_B_OBJECT_INVALID_DTYPE] = "object_invalid_dtype",
    [FC_B_TFJS_SPARSE_FLOAT_ONLY] = "tfjs_sparse_float_labels_only",
    [FC_B_TFJS_FUNCTIONAL_CLASS] = "tfjs_functional_class",
    [FC_B_TRAILING_AXIS_ADAPT] = "trailing_axis_adapt",
    [FC_B_LOSS_SQUEEZE_BROADCAST] = "loss_squeeze_broadcast",
    [FC_B_SERIES_AS_COLUMN] = "series_as_column",
    [FC_B_ACCURACY_BY_LOSS] = "accuracy_by_loss",
};

json_t *fc_behaviours_json(void)
{
    json_t *list = json_array();
    size_t i;

    if (list == NULL)
        return NULL;
    for (i = 0; i < sizeof(behaviours) / sizeof(behaviours[0]); i++) {
        char words[512];

        fc_release_spec_words(behaviours[i].releases, words, sizeof(words));
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "behaviour",
                                                  behaviour_names[behaviours[i].behaviour], "framework",
                                                  fc_framework_name(behaviours[i].framework), "releases",
                                                  behaviours[i].releases, "releases_text", words, "summary",
                                                  behaviours[i].summary, "reference", behaviours[i].reference)) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* "2.0.0-2.0.9" for each line, into a JSON array. */
static int add_lines(json_t *list, const release_line *lines, size_t n)
{
    size_t i;
    char text[32];

    for (i = 0; i < n; i++) {
        if (lines[i].last_patch > 0)
            snprintf(text, sizeof(text), "%d.%d.0-%d.%d.%d", lines[i].major, lines[i].minor, lines[i].major,
                     lines[i].minor, lines[i].last_patch);
        else
            snprintf(text, sizeof(text), "%d.%d.0", lines[i].major, lines[i].minor);
        if (json_array_append_new(list, json_string(text)) != 0)
            return -1;
    }
    return 0;
}

json_t *fc_releases_json(void)
{
    json_t *k2 = json_array(), *k3 = json_array(), *js = json_array(), *out;
    size_t i;
    int failed = k2 == NULL || k3 == NULL || js == NULL;

    failed = failed || add_lines(k2, keras2_releases, sizeof(keras2_releases) / sizeof(keras2_releases[0])) != 0;
    failed = failed || json_array_append_new(k2, json_string("2.1.6-tf, 2.2.4-tf, 2.3.0-tf (tf.keras in TensorFlow "
                                                            "1.11-2.2)")) != 0;
    failed = failed || json_array_append_new(k2, json_string("2.4.0-2.4.3, 2.5.0, 2.6-2.15 (tf.keras), 2.14-2.20 "
                                                            "(tf-keras)")) != 0;
    failed = failed || json_array_append_new(k3, json_string("keras_core 0.1.0-0.1.7")) != 0;
    failed = failed || add_lines(k3, keras3_releases, sizeof(keras3_releases) / sizeof(keras3_releases[0])) != 0;
    for (i = 0; i < sizeof(tfjs_releases) / sizeof(tfjs_releases[0]) && !failed; i++)
        failed = json_array_append_new(js, json_string(tfjs_releases[i])) != 0;
    if (failed) {
        json_decref(k2);
        json_decref(k3);
        json_decref(js);
        return NULL;
    }
    out = json_pack("{s:o, s:o, s:o}", "tf.keras2", k2, "keras3", k3, "tfjs", js);
    return out;
}
