/*
 * versions_doc.c - writes docs/versions.md from the behaviour table and the
 * release lists of core/version.c, so the page cannot drift from what the
 * checks do: the build regenerates it and a test compares it with the
 * committed file.
 *
 *   versions_doc > docs/versions.md
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/version.h"

static const char *framework_title(const char *fw)
{
    if (strcmp(fw, "keras3") == 0)
        return "`keras3`: Keras 3 (TensorFlow backend) and keras_core";
    if (strcmp(fw, "tf.keras2") == 0)
        return "`tf.keras2`: standalone Keras 2 and tf.keras";
    return "`tfjs`: TensorFlow.js Layers";
}

/* A table cell: pipes escaped, newlines as spaces. */
static void cell(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else if (*s == '\n')
            putchar(' ');
        else
            putchar(*s);
    }
}

int main(void)
{
    static const char *const order[] = {"tf.keras2", "keras3", "tfjs"};
    json_t *rows = fc_behaviours_json(), *releases = fc_releases_json(), *row, *r;
    size_t i, k;

    if (rows == NULL || releases == NULL)
        return 1;
    printf("# Framework versions\n\n");
    printf("Generated from `core/version.c` by `tools/versions_doc.c`; do not edit by hand (the build "
           "regenerates it and a test fails when this file is stale).\n\n");
    printf("A request names its target (`framework`) and may name the release that will run the fit "
           "(`framework_version`). Without one, the descriptor's `keras_version` is used when it is a "
           "release of the target (a TF.js `model.json` says which tfjs-layers wrote it), else the "
           "newest release below; the report's `release` says which it judged and why.\n\n");
    printf("How a version is read:\n\n"
           "- `keras3`: Keras 3 as `keras.__version__` prints it (`3.6.0`); `keras_core 0.1.x` is the "
           "preview of Keras 3 and judged as the earliest Keras 3.\n"
           "- `tf.keras2`: the Keras version as `keras.__version__` or `tf.keras.__version__` prints it. "
           "Standalone Keras 2.0.0-2.3.1 has an engine of its own; `2.1.6-tf`, `2.2.4-tf` and "
           "`2.3.0-tf` are the tf.keras of TensorFlow 1.11-1.12, 1.13-2.1 and 2.2; `2.4.x` is the "
           "tf.keras of TensorFlow 2.3-2.4 (and the Keras 2.4 package that wraps it); from 2.5 the "
           "Keras and TensorFlow minors agree (tf-keras from 2.16). `tensorflow 2.3` names the "
           "tf.keras of a TensorFlow release.\n"
           "- `tfjs`: the `@tensorflow/tfjs` version (`1.7.4`).\n\n"
           "A version that is no release of the target is a 400 naming `framework_version`. A later minor "
           "of the same major than the newest release below (up to x.99) is accepted and judged as the "
           "newest (the report says `newer`); another major is refused.\n\n");
    printf("Release specs in the tables: `keras2` is standalone Keras by its version, `tf` is tf.keras "
           "by the TensorFlow release it ships in, `keras_core`, `keras3` and `tfjs` by their own "
           "versions; `3.13-` means 3.13 and later.\n\n");
    for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        printf("## %s\n\n", framework_title(order[k]));
        printf("Known releases: ");
        json_array_foreach(json_object_get(releases, order[k]), i, r)
            printf("%s%s", i ? ", " : "", json_string_value(r));
        printf(".\n\n");
        printf("| behaviour | releases | what happens | source |\n|---|---|---|---|\n");
        json_array_foreach(rows, i, row) {
            if (strcmp(json_string_value(json_object_get(row, "framework")), order[k]) != 0)
                continue;
            printf("| `%s` | ", json_string_value(json_object_get(row, "behaviour")));
            cell(json_string_value(json_object_get(row, "releases_text")));
            printf(" | ");
            cell(json_string_value(json_object_get(row, "summary")));
            printf(" | ");
            cell(json_string_value(json_object_get(row, "reference")));
            printf(" |\n");
        }
        printf("\n");
    }
    json_decref(rows);
    json_decref(releases);
    return 0;
}
