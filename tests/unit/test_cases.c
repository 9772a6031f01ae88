/*
 * test_cases.c - data-driven preflight cases: every tests/cases/<name>/ holds
 * request.json (a POST /v1/preflight body) and expected.json:
 *
 *   {"verdict": "fail", "framework": "tfjs",
 *    "findings": [{"code": "...", "severity": "error", "pointer": "/data/x",
 *                  "fix_code": "x = x.reshape(-1, 28, 28)",
 *                  "framework_error": "exact text",
 *                  "framework_error_contains": "substring"}],
 *    "resources": {"dataset_size": "313.6 MB"},      (members that must be equal)
 *    "model_inputs": [[null, 10]],                   (the report's input shapes)
 *    "patched": true}                                (some fix carries a JSON Patch)
 *
 * Every fix that carries a JSON Patch is applied to the request's model and
 * the preflight re-run: the finding must be gone.
 *
 * The report must hold exactly the listed codes (in any order); each listed
 * attribute must match. Expected framework errors for tfjs come from runs of
 * ../shared/oracle (a real TF.js model.fit), recorded in each case's
 * "oracle" member.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fitcheck/preflight.h"

#define CASES_DIR FITCHECK_SOURCE_DIR "/tests/cases"
#define MAX_CASES 512

static json_t *load(const char *dir, const char *file)
{
    char path[1024];
    json_error_t jerr;
    json_t *v;

    snprintf(path, sizeof(path), "%s/%s/%s", CASES_DIR, dir, file);
    v = json_load_file(path, 0, &jerr);
    if (v == NULL)
        fail_msg("%s: %s at %d:%d", path, jerr.text, jerr.line, jerr.column);
    return v;
}

/* The report finding with this code not yet claimed by an earlier expectation. */
static json_t *take_finding(json_t *findings, const char *code, char *claimed)
{
    size_t i;
    json_t *f;

    json_array_foreach(findings, i, f) {
        if (!claimed[i] && strcmp(json_string_value(json_object_get(f, "code")), code) == 0) {
            claimed[i] = 1;
            return f;
        }
    }
    return NULL;
}

static int has_fix(const json_t *finding, const char *code)
{
    size_t i;
    json_t *fix;

    json_array_foreach(json_object_get(finding, "fixes"), i, fix) {
        if (strcmp(json_string_value(json_object_get(fix, "code")), code) == 0)
            return 1;
    }
    return 0;
}

static void check_expectation(const char *name, json_t *got, json_t *want)
{
    const char *fw_error = json_string_value(json_object_get(got, "framework_error"));
    const char *s;

    if ((s = json_string_value(json_object_get(want, "severity"))) != NULL)
        assert_string_equal(json_string_value(json_object_get(got, "severity")), s);
    if ((s = json_string_value(json_object_get(want, "pointer"))) != NULL)
        assert_string_equal(json_string_value(json_object_get(json_object_get(got, "location"), "pointer")), s);
    if ((s = json_string_value(json_object_get(want, "fix_code"))) != NULL && !has_fix(got, s))
        fail_msg("%s: no fix with code '%s' in %s", name, s, json_dumps(json_object_get(got, "fixes"), 0));
    if ((s = json_string_value(json_object_get(want, "framework_error"))) != NULL) {
        if (fw_error == NULL || strcmp(fw_error, s) != 0)
            fail_msg("%s: framework_error\n  got:  %s\n  want: %s", name, fw_error ? fw_error : "(null)", s);
    }
    if ((s = json_string_value(json_object_get(want, "framework_error_contains"))) != NULL) {
        if (fw_error == NULL || strstr(fw_error, s) == NULL)
            fail_msg("%s: framework_error\n  got:  %s\n  want to contain: %s", name, fw_error ? fw_error : "(null)",
                     s);
    }
    if (json_is_null(json_object_get(want, "framework_error")) && fw_error != NULL)
        fail_msg("%s: expected no framework error, got %s", name, fw_error);
}

static void check_patches(const char *name, const json_t *request, const json_t *report, int want_patch);

/* Fails when text still holds a template placeholder ("{suggest}"): a value the check never set. */
static void check_filled(const char *name, const char *code, const char *what, const char *text)
{
    const char *p = text;

    while (p != NULL && (p = strchr(p, '{')) != NULL) {
        size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");

        if (n > 0 && p[1 + n] == '}')
            fail_msg("%s: %s %s has an unfilled placeholder: %s", name, code, what, text);
        p++;
    }
}

/*
 * With FITCHECK_FIXES_OUT set, every fix of every report is appended to that
 * file as a JSON line {"case", "code", "framework", "fix", "language"}:
 * tests/fixes/check_fixes.py parses each in its language (every fix must be
 * code that runs).
 */
static void dump_fixes(const char *name, const json_t *report)
{
    const char *path = getenv("FITCHECK_FIXES_OUT");
    const json_t *finding, *fix;
    size_t i, k;
    FILE *out;

    if (path == NULL || *path == '\0' || (out = fopen(path, "a")) == NULL)
        return;
    json_array_foreach(json_object_get(report, "findings"), i, finding) {
        json_array_foreach(json_object_get(finding, "fixes"), k, fix) {
            json_t *line = json_pack("{s:s, s:O, s:O, s:O, s:O}", "case", name, "code",
                                     json_object_get(finding, "code"), "framework", json_object_get(report, "framework"),
                                     "fix", json_object_get(fix, "code"), "language", json_object_get(fix, "language"));
            char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;

            if (text != NULL)
                fprintf(out, "%s\n", text);
            free(text);
            json_decref(line);
        }
    }
    fclose(out);
}

static void run_case(void **state)
{
    const char *name = *state;
    json_t *request = load(name, "request.json"), *expected = load(name, "expected.json");
    json_t *report = NULL, *findings, *want;
    const char *fw;
    char *claimed;
    fc_error err;
    size_t i;

    fc_error_init(&err);
    if (fc_preflight_run(request, &report, &err) != FC_OK)
        fail_msg("%s: preflight failed: %s at %s", name, err.text, err.path);
    dump_fixes(name, report);
    findings = json_object_get(report, "findings");
    claimed = calloc(json_array_size(findings) + 1, 1);
    assert_non_null(claimed);
    assert_string_equal(json_string_value(json_object_get(report, "verdict")),
                        json_string_value(json_object_get(expected, "verdict")));
    if ((fw = json_string_value(json_object_get(expected, "framework"))) != NULL)
        assert_string_equal(json_string_value(json_object_get(report, "framework")), fw);
    json_array_foreach(json_object_get(expected, "findings"), i, want) {
        const char *code = json_string_value(json_object_get(want, "code"));
        json_t *got = take_finding(findings, code, claimed);

        if (got == NULL)
            fail_msg("%s: expected finding %s is missing; report: %s", name, code, json_dumps(findings, JSON_INDENT(1)));
        check_expectation(name, got, want);
    }
    {
        const char *key;
        json_t *value;

        json_object_foreach(json_object_get(expected, "resources"), key, value) {
            json_t *got = json_object_get(json_object_get(report, "resources"), key);

            if (!json_equal(got, value))
                fail_msg("%s: resources.%s is %s, want %s", name, key, json_dumps(got, JSON_ENCODE_ANY),
                         json_dumps(value, JSON_ENCODE_ANY));
        }
        json_array_foreach(json_object_get(expected, "model_inputs"), i, value) {
            json_t *got = json_object_get(json_array_get(json_object_get(json_object_get(report, "model"), "inputs"), i),
                                          "shape");

            if (!json_equal(got, value))
                fail_msg("%s: model input %zu has shape %s, want %s", name, i, json_dumps(got, JSON_ENCODE_ANY),
                         json_dumps(value, JSON_ENCODE_ANY));
        }
    }
    json_array_foreach(findings, i, want) {
        const char *code = json_string_value(json_object_get(want, "code"));
        json_t *fix;
        size_t k;

        check_filled(name, code, "message", json_string_value(json_object_get(want, "message")));
        check_filled(name, code, "explanation", json_string_value(json_object_get(want, "explanation")));
        check_filled(name, code, "framework_error", json_string_value(json_object_get(want, "framework_error")));
        json_array_foreach(json_object_get(want, "fixes"), k, fix)
            check_filled(name, code, "fix", json_string_value(json_object_get(fix, "code")));
    }
    for (i = 0; i < json_array_size(findings); i++) {
        if (!claimed[i])
            fail_msg("%s: unexpected finding %s: %s", name,
                     json_string_value(json_object_get(json_array_get(findings, i), "code")),
                     json_string_value(json_object_get(json_array_get(findings, i), "message")));
    }
    check_patches(name, request, report, json_is_true(json_object_get(expected, "patched")));
    free(claimed);
    json_decref(report);
    json_decref(request);
    json_decref(expected);
}

/* ---- JSON Patch (RFC 6902: add, replace, remove), enough to apply fixes ---- */

/* Resolves all but the last token of ptr; *last gets the last token (unescaped). */
static json_t *parent_of(json_t *doc, const char *ptr, char *last, size_t size)
{
    json_t *cur = doc;
    char token[256];
    const char *p = ptr;

    if (*p != '/')
        return NULL;
    for (;;) {
        size_t n = 0;

        p++;
        while (*p != '\0' && *p != '/' && n + 1 < sizeof(token)) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                token[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else {
                token[n++] = *p++;
            }
        }
        token[n] = '\0';
        if (*p == '\0') {
            snprintf(last, size, "%s", token);
            return cur;
        }
        cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(token)) : json_object_get(cur, token);
        if (cur == NULL)
            return NULL;
    }
}

static int apply_patch(json_t *doc, const json_t *patch)
{
    size_t i;
    json_t *op;

    json_array_foreach(patch, i, op) {
        const char *kind = json_string_value(json_object_get(op, "op"));
        char last[256];
        json_t *parent = parent_of(doc, json_string_value(json_object_get(op, "path")), last, sizeof(last));
        json_t *value = json_object_get(op, "value");

        if (parent == NULL || kind == NULL)
            return -1;
        if (json_is_array(parent)) {
            size_t at = strcmp(last, "-") == 0 ? json_array_size(parent) : (size_t)atoi(last);

            if (strcmp(kind, "add") == 0 && json_array_insert(parent, at, value) != 0)
                return -1;
            if (strcmp(kind, "replace") == 0 && json_array_set(parent, at, value) != 0)
                return -1;
            if (strcmp(kind, "remove") == 0 && json_array_remove(parent, at) != 0)
                return -1;
        } else {
            if ((strcmp(kind, "add") == 0 || strcmp(kind, "replace") == 0) && json_object_set(parent, last, value) != 0)
                return -1;
            if (strcmp(kind, "remove") == 0 && json_object_del(parent, last) != 0)
                return -1;
        }
    }
    return 0;
}

/* Every fix with a JSON Patch must make its finding go away when applied to the descriptor. */
static void check_patches(const char *name, const json_t *request, const json_t *report, int want_patch)
{
    const json_t *finding;
    size_t i, k, applied = 0;

    json_array_foreach(json_object_get(report, "findings"), i, finding) {
        const json_t *fix;

        json_array_foreach(json_object_get(finding, "fixes"), k, fix) {
            const json_t *patch = json_object_get(fix, "patch");
            json_t *patched, *again = NULL, *f;
            fc_error err;
            size_t j;

            if (patch == NULL)
                continue;
            patched = json_deep_copy(request);
            if (!json_is_object(json_object_get(patched, "model")) ||
                apply_patch(json_object_get(patched, "model"), patch) != 0)
                fail_msg("%s: the patch of %s does not apply: %s", name,
                         json_string_value(json_object_get(finding, "code")), json_dumps(patch, 0));
            if (fc_preflight_run(patched, &again, &err) != FC_OK)
                fail_msg("%s: the patched request fails: %s", name, err.text);
            json_array_foreach(json_object_get(again, "findings"), j, f) {
                if (json_equal(json_object_get(f, "code"), json_object_get(finding, "code")))
                    fail_msg("%s: %s is still reported after its patch %s", name,
                             json_string_value(json_object_get(finding, "code")), json_dumps(patch, 0));
            }
            json_decref(again);
            json_decref(patched);
            applied++;
        }
    }
    if (want_patch && applied == 0)
        fail_msg("%s: expected a fix with a JSON Patch", name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct CMUnitTest *)a)->name, ((const struct CMUnitTest *)b)->name);
}

int main(void)
{
    static struct CMUnitTest tests[MAX_CASES];
    static char names[MAX_CASES][256];
    DIR *dir = opendir(CASES_DIR);
    struct dirent *e;
    size_t n = 0;

    if (dir == NULL) {
        fprintf(stderr, "no cases directory at %s\n", CASES_DIR);
        return 1;
    }
    while ((e = readdir(dir)) != NULL && n < MAX_CASES) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(names[n], sizeof(names[n]), "%s", e->d_name);
        tests[n] = (struct CMUnitTest){names[n], run_case, NULL, NULL, names[n]};
        n++;
    }
    closedir(dir);
    qsort(tests, n, sizeof(tests[0]), by_name);
    if (n < 10) {
        fprintf(stderr, "only %zu cases found in %s\n", n, CASES_DIR);
        return 1;
    }
    return _cmocka_run_group_tests("cases", tests, n, NULL, NULL);
}
