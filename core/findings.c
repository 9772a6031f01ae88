/*
 * findings.c - the findings catalog table, template expansion, and the
 * per-report list of findings.
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/findings.h"

#define SEV_ERROR FC_SEV_ERROR
#define SEV_WARNING FC_SEV_WARNING
#define SEV_INFO FC_SEV_INFO

static const fc_catalog_entry catalog[] = {
#define FC_FINDING(code, sev, title, expl, fix_summary, fix_code, k3, k2, js, ref) \
    [FC_##code] = {#code, SEV_##sev, title, expl, fix_summary, fix_code, k3, k2, js, ref},
#include "findings.def"
#undef FC_FINDING
};

_Static_assert(sizeof(catalog) / sizeof(catalog[0]) == FC_FINDING_COUNT, "catalog and enum disagree");

/* The JavaScript fix of a row whose fix is Python, for target tfjs (findings_fixes_tfjs.def); NULL when none. */
static const struct {
    const char *summary, *code;
} tfjs_fixes[FC_FINDING_COUNT] = {
#define FC_TFJS_FIX(code, summary, text) [FC_##code] = {summary, text},
#include "findings_fixes_tfjs.def"
#undef FC_TFJS_FIX
};

void fc_catalog_fix(fc_finding_code code, fc_framework framework, const char **summary, const char **fix_code)
{
    const fc_catalog_entry *e = fc_catalog_get(code);

    if (framework == FC_FW_TFJS && (unsigned)code < FC_FINDING_COUNT && tfjs_fixes[code].code != NULL) {
        *summary = tfjs_fixes[code].summary;
        *fix_code = tfjs_fixes[code].code;
    } else {
        *summary = e != NULL ? e->fix_summary : NULL;
        *fix_code = e != NULL ? e->fix_code : NULL;
    }
}

static const fc_variant variants[] = {
#define FC_VARIANT(id, code, fw, releases, of, text) [FC_V_##id] = {#id, FC_##code, fw, releases, #of, text},
#include "findings_variants.def"
#undef FC_VARIANT
};

const fc_variant *fc_variant_get(fc_variant_id id)
{
    if ((unsigned)id >= FC_VARIANT_COUNT)
        return NULL;
    return &variants[id];
}

int fc_variant_is_hint(const fc_variant *v)
{
    return strcmp(v->of, "HINT") == 0 || strcmp(v->of, "ROW_HINT") == 0;
}

const char *fc_variant_text(fc_variant_id id, const fc_target *t)
{
    size_t i;

    if ((unsigned)id >= FC_VARIANT_COUNT)
        return NULL;
    for (i = 0; i < FC_VARIANT_COUNT; i++) {
        if (strcmp(variants[i].of, variants[id].name) == 0 && fc_target_in(t, variants[i].releases))
            return variants[i].text;
    }
    return variants[id].text;
}

const fc_catalog_entry *fc_catalog_get(fc_finding_code code)
{
    if ((unsigned)code >= FC_FINDING_COUNT)
        return NULL;
    return &catalog[code];
}

const fc_catalog_entry *fc_catalog_find(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < FC_FINDING_COUNT; i++) {
        if (strcmp(catalog[i].code, name) == 0)
            return &catalog[i];
    }
    return NULL;
}

const char *fc_severity_name(fc_severity sev)
{
    switch (sev) {
    case FC_SEV_ERROR:
        return "error";
    case FC_SEV_WARNING:
        return "warning";
    case FC_SEV_INFO:
        return "info";
    }
    return "info";
}

/* ---- templates ---------------------------------------------------------- */

typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
    int failed;
} strbuf;

static void sb_add(strbuf *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        char *grown;

        while (cap < sb->len + n + 1)
            cap *= 2;
        grown = fc_malloc(cap);
        if (grown == NULL) {
            sb->failed = 1;
            return;
        }
        if (sb->len)
            memcpy(grown, sb->buf, sb->len);
        fc_free(sb->buf);
        sb->buf = grown;
        sb->cap = cap;
    }
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static const char *lookup(const fc_var *vars, size_t n_vars, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < n_vars; i++) {
        if (vars[i].name != NULL && strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
            return vars[i].value;
    }
    return NULL;
}

char *fc_template_expand(const char *tmpl, const fc_var *vars, size_t n_vars)
{
    strbuf sb = {0};
    const char *p = tmpl;

    if (tmpl == NULL)
        return NULL;
    sb_add(&sb, "", 0);
    while (*p != '\0') {
        const char *close;
        const char *value;

        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            sb_add(&sb, p, 1);
            p += 2;
            continue;
        }
        if (p[0] != '{' || (close = strchr(p + 1, '}')) == NULL) {
            sb_add(&sb, p, 1);
            p++;
            continue;
        }
        value = lookup(vars, n_vars, p + 1, (size_t)(close - p - 1));
        if (value != NULL)
            sb_add(&sb, value, strlen(value));
        else
            sb_add(&sb, p, (size_t)(close - p + 1));
        p = close + 1;
    }
    if (sb.failed) {
        fc_free(sb.buf);
        return NULL;
    }
    return sb.buf;
}

/* ---- findings list ------------------------------------------------------ */

void fc_findings_init(fc_findings *list)
{
    memset(list, 0, sizeof(*list));
}

static void finding_release(fc_finding *f)
{
    size_t i;

    fc_free(f->message);
    fc_free(f->explanation);
    fc_free(f->framework_error);
    fc_free(f->pointer);
    fc_free(f->input);
    fc_free(f->layer);
    for (i = 0; i < f->n_fixes; i++) {
        fc_free(f->fixes[i].summary);
        fc_free(f->fixes[i].code);
        json_decref(f->fixes[i].patch);
    }
    memset(f, 0, sizeof(*f));
}

void fc_findings_release(fc_findings *list)
{
    size_t i;

    for (i = 0; i < list->len; i++)
        finding_release(&list->items[i]);
    fc_free(list->items);
    fc_findings_init(list);
}

static const char *target_error(const fc_catalog_entry *entry, fc_framework target)
{
    switch (target) {
    case FC_FW_TFKERAS2:
        return entry->error_tfkeras2;
    case FC_FW_TFJS:
        return entry->error_tfjs;
    case FC_FW_KERAS3:
    case FC_FW_UNKNOWN:
        break;
    }
    return entry->error_keras3;
}

const char *fc_catalog_error(const fc_catalog_entry *entry, const fc_target *t)
{
    const char *fw = fc_framework_name(t->framework == FC_FW_UNKNOWN ? FC_FW_KERAS3 : t->framework);
    size_t i;

    for (i = 0; i < FC_VARIANT_COUNT; i++) {
        if (fc_catalog_get(variants[i].code) == entry &&
            (strcmp(variants[i].of, "ROW") == 0 || strcmp(variants[i].of, "ROW_HINT") == 0) &&
            strcmp(variants[i].framework, fw) == 0 && fc_target_in(t, variants[i].releases))
            return variants[i].text;
    }
    return target_error(entry, t->framework);
}

/* Copies s into *dst; returns 0 when s was non-NULL and the copy failed. */
static int dup_opt(char **dst, const char *s)
{
    *dst = s ? fc_strdup(s) : NULL;
    return s == NULL || *dst != NULL;
}

void fc_findings_remove(fc_findings *list, size_t i)
{
    if (i >= list->len)
        return;
    finding_release(&list->items[i]);
    memmove(&list->items[i], &list->items[i + 1], (list->len - i - 1) * sizeof(list->items[0]));
    list->len--;
}

fc_finding *fc_findings_add(fc_findings *list, fc_finding_code code, const fc_target *target, const char *message,
                            const char *pointer, const char *input, const char *layer, const fc_var *vars,
                            size_t n_vars)
{
    const fc_catalog_entry *entry = fc_catalog_get(code);
    const char *err_tmpl, *fix_summary, *fix_code;
    fc_finding *f;

    if (entry == NULL)
        return NULL;
    if (list->len == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        fc_finding *items = fc_calloc(cap, sizeof(*items));

        if (items == NULL)
            return NULL;
        if (list->len)
            memcpy(items, list->items, list->len * sizeof(*items));
        fc_free(list->items);
        list->items = items;
        list->cap = cap;
    }
    f = &list->items[list->len];
    memset(f, 0, sizeof(*f));
    f->code = code;
    f->severity = entry->severity;
    err_tmpl = fc_catalog_error(entry, target);
    fc_catalog_fix(code, target != NULL ? target->framework : FC_FW_KERAS3, &fix_summary, &fix_code);
    f->message = fc_template_expand(message ? message : entry->title, vars, n_vars);
    f->explanation = fc_template_expand(entry->explanation, vars, n_vars);
    f->framework_error = fc_template_expand(err_tmpl, vars, n_vars);
    if (f->message == NULL || f->explanation == NULL || (err_tmpl != NULL && f->framework_error == NULL) ||
        !dup_opt(&f->pointer, pointer ? pointer : "") || !dup_opt(&f->input, input) || !dup_opt(&f->layer, layer) ||
        fc_finding_set_fix(f, 0, fix_summary, fix_code, vars, n_vars) != FC_OK) {
        finding_release(f);
        return NULL;
    }
    /* values may come cut from fixed buffers: keep every text valid UTF-8 for the JSON */
    fc_utf8_sanitize(f->message);
    fc_utf8_sanitize(f->explanation);
    if (f->framework_error != NULL)
        fc_utf8_sanitize(f->framework_error);
    fc_utf8_sanitize(f->pointer);
    if (f->input != NULL)
        fc_utf8_sanitize(f->input);
    if (f->layer != NULL)
        fc_utf8_sanitize(f->layer);
    list->len++;
    return f;
}

/* The first line of code that is not a comment. */
static const char *first_code_line(const char *code, const char *comment)
{
    size_t n = strlen(comment);

    while (*code == ' ' || *code == '\n')
        code++;
    while (strncmp(code, comment, n) == 0) {
        const char *nl = strchr(code, '\n');

        if (nl == NULL)
            return code + strlen(code);
        code = nl + 1;
    }
    return code;
}

/* An option line of a TF.js object literal: an identifier, ':' and a value ("metrics: ['mse']"). */
static int js_option_line(const char *s)
{
    const char *p = s;

    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')
        p++;
    return p > s && p[0] == ':' && p[1] == ' ';
}

const char *fc_fix_language(const char *code)
{
    const char *js = first_code_line(code, "//"), *py = first_code_line(code, "#");
    size_t n;

    if (strncmp(py, "tensorflowjs_converter ", 23) == 0 || strncmp(py, "pip ", 4) == 0)
        return "shell";
    n = strlen(js);
    if (strncmp(js, "const ", 6) == 0 || strncmp(js, "let ", 4) == 0 || strstr(js, ") => ") != NULL ||
        js_option_line(js) || (n > 0 && js[n - 1] == ';') || (strncmp(code, "//", 2) == 0))
        return "javascript";
    return "python";
}

fc_status fc_finding_set_fix(fc_finding *finding, int append, const char *summary, const char *code,
                             const fc_var *vars, size_t n_vars)
{
    fc_fix fix;
    size_t i;

    if (!append) {
        for (i = 0; i < finding->n_fixes; i++) {
            fc_free(finding->fixes[i].summary);
            fc_free(finding->fixes[i].code);
            json_decref(finding->fixes[i].patch);
        }
        finding->n_fixes = 0;
    }
    if (finding->n_fixes == FC_MAX_FIXES)
        return FC_OK;
    fix.summary = fc_template_expand(summary, vars, n_vars);
    fix.code = fc_template_expand(code, vars, n_vars);
    if (fix.summary == NULL || fix.code == NULL) {
        fc_free(fix.summary);
        fc_free(fix.code);
        return FC_ERR_NOMEM;
    }
    fix.patch = NULL;
    fc_utf8_sanitize(fix.summary);
    fc_utf8_sanitize(fix.code);
    fix.language = fc_fix_language(fix.code);
    finding->fixes[finding->n_fixes++] = fix;
    return FC_OK;
}

fc_status fc_finding_add_patch_fix(fc_finding *finding, const char *summary, const char *code, json_t *patch,
                                   const fc_var *vars, size_t n_vars)
{
    size_t before = finding->n_fixes;
    fc_status result;

    if (patch == NULL)
        return FC_ERR_NOMEM;
    result = fc_finding_set_fix(finding, 1, summary, code, vars, n_vars);
    if (result != FC_OK || finding->n_fixes == before) {
        json_decref(patch);
        return result;
    }
    finding->fixes[finding->n_fixes - 1].patch = patch;
    return FC_OK;
}

fc_status fc_finding_set_error(fc_finding *finding, const char *tmpl, const fc_var *vars, size_t n_vars)
{
    char *text = NULL;

    if (tmpl != NULL) {
        text = fc_template_expand(tmpl, vars, n_vars);
        if (text == NULL)
            return FC_ERR_NOMEM;
    }
    if (text != NULL)
        fc_utf8_sanitize(text);
    fc_free(finding->framework_error);
    finding->framework_error = text;
    return FC_OK;
}

void fc_findings_count(const fc_findings *list, size_t counts[3])
{
    size_t i;

    counts[FC_SEV_INFO] = counts[FC_SEV_WARNING] = counts[FC_SEV_ERROR] = 0;
    for (i = 0; i < list->len; i++)
        counts[list->items[i].severity]++;
}

/* ---- the catalog as data ------------------------------------------------ */

char *fc_template_pattern(const char *tmpl)
{
    strbuf sb = {0};
    const char *p;
    char seen[32][32];
    size_t n_seen = 0, i;

    if (tmpl == NULL || tmpl[0] == '(')
        return NULL;
    sb_add(&sb, "", 0);
    for (p = tmpl; *p != '\0'; p++) {
        const char *close;

        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            sb_add(&sb, "\\", 1);
            sb_add(&sb, p, 1);
            p++;
            continue;
        }
        if (p[0] == '{' && (close = strchr(p + 1, '}')) != NULL && close - p - 1 < 31 && close > p + 1) {
            char name[32];
            int repeat = 0;

            memcpy(name, p + 1, (size_t)(close - p - 1));
            name[close - p - 1] = '\0';
            for (i = 0; i < n_seen; i++)
                repeat |= strcmp(seen[i], name) == 0;
            if (repeat || n_seen == 32) {
                sb_add(&sb, "(?:.+?)", 7);
            } else {
                /* group names may hold letters, digits and underscores only */
                snprintf(seen[n_seen++], sizeof(seen[0]), "%s", name);
                sb_add(&sb, "(?<", 3);
                sb_add(&sb, name, strlen(name));
                sb_add(&sb, ">.+?)", 5);
            }
            p = close;
            continue;
        }
        if (strchr("\\^$.|?*+()[]{}/", *p) != NULL)
            sb_add(&sb, "\\", 1);
        if (*p == '\n') {
            sb_add(&sb, "\\n", 2);
            continue;
        }
        sb_add(&sb, p, 1);
    }
    if (sb.failed) {
        fc_free(sb.buf);
        return NULL;
    }
    return sb.buf;
}

static json_t *string_or_null_owned(char *s)
{
    json_t *v = s ? json_string(s) : json_null();

    fc_free(s);
    return v;
}

json_t *fc_catalog_entry_json(const fc_catalog_entry *e)
{
    char href[96];
    json_t *obj;

    json_t *list = json_array();
    size_t i;

    for (i = 0; list != NULL && i < FC_VARIANT_COUNT; i++) {
        char words[256];

        if (fc_catalog_get(variants[i].code) != e)
            continue;
        fc_release_spec_words(variants[i].releases, words, sizeof(words));
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "framework", variants[i].framework,
                                                  "releases", variants[i].releases, "releases_text", words, "text",
                                                  variants[i].text, "pattern",
                                                  string_or_null_owned(fc_template_pattern(variants[i].text)))) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    if (list == NULL)
        return NULL;
    snprintf(href, sizeof(href), "/v1/findings/%s", e->code);
    obj = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s?, s:s?, s:s?}, s:{s:o, s:o, s:o}, s:o, s:s, s:s}", "code",
                    e->code, "severity", fc_severity_name(e->severity), "title", e->title, "explanation",
                    e->explanation, "fix", "summary", e->fix_summary, "code", e->fix_code, "errors", "keras3",
                    e->error_keras3, "tf.keras2", e->error_tfkeras2, "tfjs", e->error_tfjs, "patterns", "keras3",
                    string_or_null_owned(fc_template_pattern(e->error_keras3)), "tf.keras2",
                    string_or_null_owned(fc_template_pattern(e->error_tfkeras2)), "tfjs",
                    string_or_null_owned(fc_template_pattern(e->error_tfjs)), "variants", list, "reference",
                    e->reference, "href", href);
    return obj;
}
