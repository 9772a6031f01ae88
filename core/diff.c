/*
 * diff.c - two reports of one project side by side (see diff.h).
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/diff.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* 1 when two JSON values are both absent or equal. */
static int same(const json_t *a, const json_t *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && json_equal(a, b));
}

/* A finding's identity: its code and where it points. */
static int same_finding(const json_t *a, const json_t *b)
{
    static const char *const where[] = {"pointer", "input", "output", "layer"};
    const json_t *la = json_object_get(a, "location"), *lb = json_object_get(b, "location");
    size_t i;

    if (!same(json_object_get(a, "code"), json_object_get(b, "code")))
        return 0;
    for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        if (!same(json_object_get(la, where[i]), json_object_get(lb, where[i])))
            return 0;
    }
    return 1;
}

static const json_t *find_finding(const json_t *list, const json_t *f)
{
    size_t i;
    const json_t *g;

    json_array_foreach(list, i, g) {
        if (same_finding(f, g))
            return g;
    }
    return NULL;
}

static json_t *brief(const json_t *report)
{
    if (report == NULL)
        return json_null();
    return json_pack("{s:O?, s:O?, s:O?}", "id", json_object_get(report, "id"), "created_at",
                     json_object_get(report, "created_at"), "verdict", json_object_get(report, "verdict"));
}

static json_t *finding_state(const json_t *f)
{
    return json_pack("{s:O?, s:O?}", "severity", json_object_get(f, "severity"), "message",
                     json_object_get(f, "message"));
}

/* Fills added, resolved and changed; returns the number unchanged. */
static size_t diff_findings(const json_t *now, const json_t *before, json_t *added, json_t *resolved,
                            json_t *changed)
{
    size_t i, unchanged = 0;
    const json_t *f;

    json_array_foreach(now, i, f) {
        const json_t *g = find_finding(before, f);

        if (g == NULL)
            json_array_append(added, (json_t *)f);
        else if (!same(json_object_get(f, "severity"), json_object_get(g, "severity")) ||
                 !same(json_object_get(f, "message"), json_object_get(g, "message")))
            json_array_append_new(changed, json_pack("{s:O?, s:O?, s:o, s:o}", "code", json_object_get(f, "code"),
                                                     "location", json_object_get(f, "location"), "from",
                                                     finding_state(g), "to", finding_state(f)));
        else
            unchanged++;
    }
    json_array_foreach(before, i, f) {
        if (find_finding(now, f) == NULL)
            json_array_append(resolved, (json_t *)f);
    }
    return unchanged;
}

static const json_t *find_layer(const json_t *layers, const char *name)
{
    size_t i;
    const json_t *l;

    json_array_foreach(layers, i, l) {
        const char *n = str(l, "name");

        if (n != NULL && name != NULL && strcmp(n, name) == 0)
            return l;
    }
    return NULL;
}

static json_t *layer_state(const json_t *l)
{
    return json_pack("{s:O?, s:O?}", "output_shape", json_object_get(l, "output_shape"), "params",
                     json_object_get(l, "params"));
}

static json_t *diff_model(const json_t *now, const json_t *before)
{
    const json_t *ln = json_object_get(now, "layers"), *lb = json_object_get(before, "layers"), *l;
    json_t *added = json_array(), *removed = json_array(), *changed = json_array();
    size_t i;

    json_array_foreach(ln, i, l) {
        const json_t *m = find_layer(lb, str(l, "name"));

        if (m == NULL)
            json_array_append(added, (json_t *)l);
        else if (!same(json_object_get(l, "output_shape"), json_object_get(m, "output_shape")) ||
                 !same(json_object_get(l, "params"), json_object_get(m, "params")) ||
                 !same(json_object_get(l, "class"), json_object_get(m, "class")))
            json_array_append_new(changed, json_pack("{s:O?, s:O?, s:o, s:o}", "name", json_object_get(l, "name"),
                                                     "class", json_object_get(l, "class"), "from", layer_state(m),
                                                     "to", layer_state(l)));
    }
    json_array_foreach(lb, i, l) {
        if (find_layer(ln, str(l, "name")) == NULL)
            json_array_append(removed, (json_t *)l);
    }
    return json_pack("{s:{s:O?, s:O?}, s:{s:o, s:o, s:o}}", "total_params", "from",
                     before ? json_object_get(before, "total_params") : NULL, "to",
                     json_object_get(now, "total_params"), "layers", "added", added, "removed", removed, "changed",
                     changed);
}

/* appends ", " and text to buf when buf has room */
static void add_part(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf);

    if (used + 2 + strlen(text) < size)
        snprintf(buf + used, size - used, "%s%s", used ? ", " : "", text);
}

/* "1 new error", "2 new warnings" for the added findings of one severity */
static void count_part(char *buf, size_t size, const json_t *list, const char *severity, const char *word)
{
    size_t i, n = 0;
    const json_t *f;
    char part[64];

    json_array_foreach(list, i, f) {
        const char *s = str(f, "severity");

        n += s != NULL && strcmp(s, severity) == 0;
    }
    if (n == 0)
        return;
    snprintf(part, sizeof(part), "%zu new %s%s", n, word, n == 1 ? "" : "s");
    add_part(buf, size, part);
}

static json_t *summary(const json_t *against, const json_t *added, const json_t *resolved, const json_t *changed,
                       const json_t *model)
{
    const json_t *layers = json_object_get(model, "layers");
    size_t n_layers = json_array_size(json_object_get(layers, "changed")) +
                      json_array_size(json_object_get(layers, "added")) +
                      json_array_size(json_object_get(layers, "removed"));
    char buf[512] = "", part[256];
    size_t i;
    const json_t *f;

    if (against == NULL) {
        snprintf(buf, sizeof(buf), "no earlier report to compare with: %zu finding%s", json_array_size(added),
                 json_array_size(added) == 1 ? "" : "s");
        return json_string(buf);
    }
    if (json_array_size(resolved) > 0 && json_array_size(resolved) <= 3) {
        part[0] = '\0';
        json_array_foreach(resolved, i, f) {
            size_t used = strlen(part);

            snprintf(part + used, sizeof(part) - used, "%s%s", i ? ", " : "", str(f, "code") ? str(f, "code") : "?");
        }
        snprintf(part + strlen(part), sizeof(part) - strlen(part), " resolved");
        add_part(buf, sizeof(buf), part);
    } else if (json_array_size(resolved) > 3) {
        snprintf(part, sizeof(part), "%zu findings resolved", json_array_size(resolved));
        add_part(buf, sizeof(buf), part);
    }
    count_part(buf, sizeof(buf), added, "error", "error");
    count_part(buf, sizeof(buf), added, "warning", "warning");
    count_part(buf, sizeof(buf), added, "info", "note");
    if (json_array_size(changed) > 0) {
        snprintf(part, sizeof(part), "%zu finding%s changed", json_array_size(changed),
                 json_array_size(changed) == 1 ? "" : "s");
        add_part(buf, sizeof(buf), part);
    }
    if (n_layers > 0) {
        snprintf(part, sizeof(part), "%zu layer%s changed", n_layers, n_layers == 1 ? "" : "s");
        add_part(buf, sizeof(buf), part);
    }
    if (buf[0] == '\0')
        snprintf(buf, sizeof(buf), "no change");
    return json_string(buf);
}

json_t *fc_report_diff(const json_t *report, const json_t *against)
{
    json_t *added, *resolved, *changed, *model, *out;
    size_t unchanged;

    if (!json_is_object(report) || (against != NULL && !json_is_object(against)))
        return NULL;
    added = json_array();
    resolved = json_array();
    changed = json_array();
    if (added == NULL || resolved == NULL || changed == NULL) {
        json_decref(added);
        json_decref(resolved);
        json_decref(changed);
        return NULL;
    }
    unchanged = diff_findings(json_object_get(report, "findings"),
                              against ? json_object_get(against, "findings") : NULL, added, resolved, changed);
    model = diff_model(json_object_get(report, "model"), against ? json_object_get(against, "model") : NULL);
    out = json_pack("{s:o, s:o, s:o, s:{s:O?, s:O?}, s:{s:O, s:O, s:O, s:I}, s:o}", "report", brief(report),
                    "against", brief(against), "summary", summary(against, added, resolved, changed, model),
                    "verdict", "from", against ? json_object_get(against, "verdict") : NULL, "to",
                    json_object_get(report, "verdict"), "findings", "added", added, "resolved", resolved, "changed",
                    changed, "unchanged", (json_int_t)unchanged, "model", model);
    json_decref(added);
    json_decref(resolved);
    json_decref(changed);
    return out;
}
