/*
 * cli_render.c - a report for people (text), for machines (JSON) and for
 * GitHub Actions (workflow commands), see cli.h.
 *
 * The text form starts with what model.summary() prints, in Keras 2's ASCII
 * layout (it reads the same in a terminal, a CI log and a pull request
 * comment): three columns for a chain of layers, a fourth ("Connected to")
 * when a layer has several inputs or the graph branches.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fitcheck/jsonw.h"

/* a, or b when a is NULL */
static const char *either(const char *a, const char *b)
{
    return a != NULL ? a : b;
}

/* ---- shapes and numbers ------------------------------------------------- */

/* "(None, 28, 28, 1)" into buf; a list of shapes as "[(None, 4), (None, 2)]". */
static void shape_text(const json_t *shape, char *buf, size_t size)
{
    size_t used = 0, i;
    const json_t *d;

    buf[0] = '\0';
    if (shape == NULL || json_is_null(shape)) {
        snprintf(buf, size, "?");
        return;
    }
    if (json_array_size(shape) > 0 && json_is_array(json_array_get(shape, 0))) {
        used += (size_t)snprintf(buf + used, size - used, "[");
        json_array_foreach(shape, i, d) {
            char one[128];

            shape_text(d, one, sizeof(one));
            if (used < size)
                used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", one);
        }
        if (used < size)
            snprintf(buf + used, size - used, "]");
        return;
    }
    used += (size_t)snprintf(buf + used, size - used, "(");
    json_array_foreach(shape, i, d) {
        if (used >= size)
            break;
        if (json_is_integer(d))
            used += (size_t)snprintf(buf + used, size - used, "%s%" JSON_INTEGER_FORMAT, i ? ", " : "",
                                     json_integer_value(d));
        else
            used += (size_t)snprintf(buf + used, size - used, "%sNone", i ? ", " : "");
    }
    if (used < size)
        snprintf(buf + used, size - used, json_array_size(shape) == 1 ? ",)" : ")");
}

/* 1234567 as "1,234,567". */
static void grouped(json_int_t v, char *buf, size_t size)
{
    char digits[32];
    size_t n, i, o = 0;

    snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, v < 0 ? -v : v);
    n = strlen(digits);
    if (v < 0 && o + 1 < size)
        buf[o++] = '-';
    for (i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* The bytes as Keras 3 prints them beside the totals: "136.04 KB". */
static void byte_text(json_int_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, size, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
}

/* Prints text in a field of width columns (cut, when longer, to width - 1). */
static void field(FILE *out, const char *text, int width)
{
    int n = (int)strlen(text);

    if (n >= width)
        fprintf(out, "%.*s ", width - 1, text);
    else
        fprintf(out, "%s%*s", text, width - n, "");
}

static void rule(FILE *out, char c, int width)
{
    for (int i = 0; i < width; i++)
        fputc(c, out);
    fputc('\n', out);
}

/* 1 when every layer takes at most one input and feeds at most one, in order: Keras's "sequential-like". */
static int sequential_like(const json_t *layers)
{
    size_t i;
    const json_t *layer;

    json_array_foreach(layers, i, layer) {
        const json_t *in = json_object_get(layer, "inbound");

        if (json_array_size(in) > 1)
            return 0;
        if (i > 0 && json_array_size(in) == 1) {
            const char *from = json_string_value(json_array_get(in, 0));
            const char *prev = json_string_value(json_object_get(json_array_get(layers, i - 1), "name"));

            if (from == NULL || prev == NULL || strcmp(from, prev) != 0)
                return 0;
        }
    }
    return 1;
}

void cli_render_summary(FILE *out, const json_t *model)
{
    const json_t *layers = json_object_get(model, "layers"), *layer;
    const char *name = json_string_value(json_object_get(model, "name"));
    const char *cls = json_string_value(json_object_get(model, "class"));
    int chain = sequential_like(layers);
    /* Keras 2: line_length 65 at [.45, .85, 1] for a chain, 98 at [.33, .55, .67, 1] otherwise */
    int width = chain ? 65 : 98;
    int col[4] = {29, 26, 10, 0};
    const char *totals[3] = {"total_params", "trainable_params", "non_trainable_params"};
    const char *total_names[3] = {"Total params", "Trainable params", "Non-trainable params"};
    size_t i;

    if (!chain) {
        col[0] = 32;
        col[1] = 21;
        col[2] = 12;
        col[3] = 33;
    }
    fprintf(out, "Model: \"%s\"%s%s%s\n", name ? name : "model", cls ? " (" : "", cls ? cls : "", cls ? ")" : "");
    rule(out, '_', width);
    fputc(' ', out);
    field(out, "Layer (type)", col[0] - 1);
    field(out, "Output Shape", col[1]);
    field(out, "Param #", chain ? col[2] : col[2]);
    if (!chain)
        fprintf(out, "Connected to");
    fputc('\n', out);
    rule(out, '=', width);
    json_array_foreach(layers, i, layer) {
        char label[160], shape[256], params[32];
        const json_t *p = json_object_get(layer, "params"), *in = json_object_get(layer, "inbound");
        size_t k;

        snprintf(label, sizeof(label), "%s (%s)", either(json_string_value(json_object_get(layer, "name")), "?"),
                 either(json_string_value(json_object_get(layer, "class")), "?"));
        shape_text(json_object_get(layer, "output_shape"), shape, sizeof(shape));
        if (json_is_integer(p))
            snprintf(params, sizeof(params), "%" JSON_INTEGER_FORMAT, json_integer_value(p));
        else
            snprintf(params, sizeof(params), "?");
        fputc(' ', out);
        field(out, label, col[0] - 1);
        field(out, shape, col[1]);
        if (!chain) {
            field(out, params, col[2]);
            if (json_array_size(in) == 0)
                fputc('-', out);
            for (k = 0; k < json_array_size(in); k++)
                fprintf(out, "%s%s", k ? ", " : "", either(json_string_value(json_array_get(in, k)), "?"));
        } else {
            fprintf(out, "%s", params);
        }
        fputc('\n', out);
        if (i + 1 < json_array_size(layers))
            fputc('\n', out);
    }
    rule(out, '=', width);
    for (i = 0; i < 3; i++) {
        const json_t *t = json_object_get(model, totals[i]);
        char n[32], b[32];

        if (!json_is_integer(t)) {
            fprintf(out, "%s: unknown (a layer's weights cannot be counted)\n", total_names[i]);
            continue;
        }
        grouped(json_integer_value(t), n, sizeof(n));
        byte_text(json_integer_value(t) * 4, b, sizeof(b)); /* float32 variables */
        fprintf(out, "%s: %s (%s)\n", total_names[i], n, b);
    }
    rule(out, '_', width);
}

/* ---- findings ------------------------------------------------------------ */

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* "/data/x/shape (input 'image', layer 'dense')" */
static void location_text(const json_t *loc, char *buf, size_t size)
{
    static const char *const parts[] = {"input", "output", "layer"};
    size_t used = (size_t)snprintf(buf, size, "%s", str(loc, "pointer") ? str(loc, "pointer") : "");
    int open = 0;

    for (size_t i = 0; i < 3 && used < size; i++) {
        const char *v = str(loc, parts[i]);

        if (v == NULL)
            continue;
        used += (size_t)snprintf(buf + used, size - used, "%s%s '%s'", open ? ", " : " (", parts[i], v);
        open = 1;
    }
    if (open && used < size)
        snprintf(buf + used, size - used, ")");
}

/* Prints text with each line indented by pad. */
static void indented(FILE *out, const char *pad, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        fprintf(out, "%s%.*s\n", pad, (int)n, p);
        p += n + (nl != NULL);
    }
}

static const char *framework_name(const char *fw)
{
    if (fw == NULL)
        return "the framework";
    if (strcmp(fw, "keras3") == 0)
        return "Keras 3";
    if (strcmp(fw, "tf.keras2") == 0)
        return "tf.keras 2";
    if (strcmp(fw, "tfjs") == 0)
        return "TensorFlow.js";
    return fw;
}

static void render_text(FILE *out, const json_t *report, const char *report_url)
{
    const json_t *findings = json_object_get(report, "findings"), *f, *model = json_object_get(report, "model");
    const char *fw = str(report, "framework"), *version = str(report, "framework_version");
    size_t i;

    if (json_is_object(model)) {
        cli_render_summary(out, model);
        fputc('\n', out);
    }
    fprintf(out, "Checked for %s%s%s: %s\n", framework_name(fw), version ? " " : "", version ? version : "",
            str(report, "summary") ? str(report, "summary") : str(report, "verdict"));
    json_array_foreach(findings, i, f) {
        const json_t *fixes = json_object_get(f, "fixes"), *fix;
        char where[700];
        size_t k;

        location_text(json_object_get(f, "location"), where, sizeof(where));
        fprintf(out, "\n%s %s at %s\n", str(f, "severity") ? str(f, "severity") : "?", either(str(f, "code"), "?"), where);
        if (str(f, "message"))
            indented(out, "  ", str(f, "message"));
        if (str(f, "explanation")) {
            fprintf(out, "  Why:\n");
            indented(out, "    ", str(f, "explanation"));
        }
        if (str(f, "framework_error")) {
            fprintf(out, "  %s says:\n", framework_name(fw));
            indented(out, "    ", str(f, "framework_error"));
        }
        json_array_foreach(fixes, k, fix) {
            fprintf(out, "  Fix: %s\n", either(str(fix, "summary"), ""));
            if (str(fix, "code"))
                indented(out, "      ", str(fix, "code"));
        }
    }
    if (report_url != NULL)
        fprintf(out, "\nStored: %s\n", report_url);
}

/* A workflow command's value: %, CR and LF escaped (and in properties, ':' and ','). */
static void gh_escape(FILE *out, const char *s, int property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%':
            fputs("%25", out);
            break;
        case '\r':
            fputs("%0D", out);
            break;
        case '\n':
            fputs("%0A", out);
            break;
        case ':':
            fputs(property ? "%3A" : ":", out);
            break;
        case ',':
            fputs(property ? "%2C" : ",", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static void render_github(FILE *out, const json_t *report, const char *model_path, const char *report_url)
{
    const json_t *findings = json_object_get(report, "findings"), *f;
    size_t i;

    json_array_foreach(findings, i, f) {
        const char *sev = str(f, "severity");
        const json_t *fix = json_array_get(json_object_get(f, "fixes"), 0);
        char where[700], title[200];

        location_text(json_object_get(f, "location"), where, sizeof(where));
        fprintf(out, "::%s ", sev && strcmp(sev, "error") == 0 ? "error" : sev && strcmp(sev, "warning") == 0
                                                                            ? "warning" : "notice");
        if (model_path != NULL) {
            fputs("file=", out);
            gh_escape(out, model_path, 1);
            fputc(',', out);
        }
        snprintf(title, sizeof(title), "fitcheck %s", either(str(f, "code"), "?"));
        fputs("title=", out);
        gh_escape(out, title, 1);
        fputs("::", out);
        gh_escape(out, either(str(f, "message"), str(f, "title")), 0);
        fputs("%0AAt: ", out);
        gh_escape(out, where, 0);
        if (str(f, "framework_error")) {
            fputs("%0A", out);
            gh_escape(out, framework_name(str(report, "framework")), 0);
            fputs(" says: ", out);
            gh_escape(out, str(f, "framework_error"), 0);
        }
        if (fix != NULL) {
            fputs("%0AFix: ", out);
            gh_escape(out, str(fix, "summary"), 0);
            if (str(fix, "code")) {
                fputs("%0A", out);
                gh_escape(out, str(fix, "code"), 0);
            }
        }
        fputc('\n', out);
    }
    fprintf(out, "fitcheck: %s\n", str(report, "summary") ? str(report, "summary") : str(report, "verdict"));
    if (report_url != NULL)
        fprintf(out, "fitcheck: stored at %s\n", report_url);
}

void cli_render(FILE *out, const json_t *report, cli_format format, const char *model_path, const char *report_url)
{
    char *text;

    switch (format) {
    case CLI_JSON:
        text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text != NULL)
            fprintf(out, "%s\n", text);
        free(text);
        break;
    case CLI_GITHUB:
        render_github(out, report, model_path, report_url);
        break;
    case CLI_TEXT:
    default:
        render_text(out, report, report_url);
        break;
    }
}
