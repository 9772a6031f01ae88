/*
 * findings.h - the findings catalog and the list of findings of one report.
 *
 * A finding is a verdict about the user's model, data or settings, with a
 * stable code from the catalog (core/findings.def), a message filled with the
 * finding's values, the error each target framework would print, and fixes.
 */
#ifndef FITCHECK_FINDINGS_H
#define FITCHECK_FINDINGS_H

#include <stddef.h>

#include <jansson.h>

#include "fitcheck/error.h"
#include "fitcheck/model.h"
#include "fitcheck/version.h"

typedef enum fc_severity { FC_SEV_INFO = 0, FC_SEV_WARNING, FC_SEV_ERROR } fc_severity;

typedef enum fc_finding_code {
#define FC_FINDING(code, sev, title, expl, fix_summary, fix_code, k3, k2, js, ref) FC_##code,
#include "../../core/findings.def"
#undef FC_FINDING
    FC_FINDING_COUNT
} fc_finding_code;

/* One catalog row. All strings are static; templates use {name} placeholders. */
typedef struct fc_catalog_entry {
    const char *code;        /* "INPUT_RANK_MISMATCH" */
    fc_severity severity;    /* default severity */
    const char *title;
    const char *explanation; /* template */
    const char *fix_summary; /* template */
    const char *fix_code;    /* template */
    const char *error_keras3;   /* template, NULL when Keras 3 raises nothing */
    const char *error_tfkeras2; /* template, NULL when tf.keras 2 raises nothing */
    const char *error_tfjs;     /* template, NULL when TF.js raises nothing */
    const char *reference;   /* framework source the row was checked against */
} fc_catalog_entry;

typedef enum fc_variant_id {
#define FC_VARIANT(id, code, fw, releases, of, text) FC_V_##id,
#include "../../core/findings_variants.def"
#undef FC_VARIANT
    FC_VARIANT_COUNT
} fc_variant_id;

/* Another text a framework prints for a finding (core/findings_variants.def). */
typedef struct fc_variant {
    const char *name;      /* the ID: "RANK_KERAS3_SEQUENTIAL" */
    fc_finding_code code;
    const char *framework; /* "keras3", "tf.keras2" or "tfjs" */
    const char *releases;  /* a release spec; "" for every release */
    const char *of;        /* "SELF", "ROW" or the name of the variant this is a version of */
    const char *text;      /* template */
} fc_variant;

/* The variant row for id; NULL outside the table. */
const fc_variant *fc_variant_get(fc_variant_id id);

/* 1 when v is a HINT or ROW_HINT: a text other mistakes print too, which /v1/explain offers only as a guess. */
int fc_variant_is_hint(const fc_variant *v);

/*
 * The text variant id reads as in target t's release: the text of a variant
 * that is a version of it (OF = its ID) whose releases hold t's, else its own.
 */
const char *fc_variant_text(fc_variant_id id, const fc_target *t);

/* The catalog row's error text for target t's framework and release (a ROW variant where one applies); may be NULL. */
const char *fc_catalog_error(const fc_catalog_entry *entry, const fc_target *t);

/*
 * The catalog fix (summary and code templates) of code for framework: the
 * JavaScript one of core/findings_fixes_tfjs.def for FC_FW_TFJS when the row
 * has one, else the row's own.
 */
void fc_catalog_fix(fc_finding_code code, fc_framework framework, const char **summary, const char **fix_code);

/* The catalog row for code; NULL for a code outside the catalog. */
const fc_catalog_entry *fc_catalog_get(fc_finding_code code);

/* The catalog row whose code string is name; NULL when there is none. */
const fc_catalog_entry *fc_catalog_find(const char *name);

/*
 * The catalog row as JSON (new reference; NULL when out of memory):
 * {"code", "severity", "title", "explanation", "fix": {"summary", "code"},
 *  "errors": {"keras3", "tf.keras2", "tfjs"}, "patterns": {...}, "reference", "href"}.
 * Texts are templates with {name} placeholders; "errors" is null for a
 * framework that raises nothing, and "patterns" gives each framework's text
 * as a regular expression with a named capture group per placeholder
 * ((?<name>...), the syntax of PCRE, JavaScript, Java and .NET).
 */
json_t *fc_catalog_entry_json(const fc_catalog_entry *entry);

/*
 * A regular expression matching the texts tmpl expands to: literal parts
 * escaped, each {name} a lazy named group (the first occurrence; repeats
 * match anything). NULL for a NULL or parenthesised "(no error ...)"
 * template, or when out of memory. Free with fc_free.
 */
char *fc_template_pattern(const char *tmpl);

/* "error", "warning" or "info". */
const char *fc_severity_name(fc_severity sev);

/* A named value for template expansion. Both strings are borrowed. */
typedef struct fc_var {
    const char *name;
    const char *value;
} fc_var;

/*
 * Expands tmpl, replacing each {name} with the value of the var of that name
 * and "{{" / "}}" with a single brace. A placeholder without a var is kept
 * as written, so a missing value is visible rather than silently empty.
 * Returns a new string (free with fc_free), or NULL when out of memory or
 * tmpl is NULL.
 */
char *fc_template_expand(const char *tmpl, const fc_var *vars, size_t n_vars);

typedef struct fc_fix {
    char *summary;        /* owned */
    char *code;           /* owned */
    const char *language; /* static: fc_fix_language(code) */
    json_t *patch; /* owned reference, or NULL: an RFC 6902 JSON Patch against the model descriptor */
} fc_fix;

#define FC_MAX_FIXES 4

/*
 * The language a fix's code is written in: "shell" for a command line (it
 * starts with a program fitcheck's fixes name: tensorflowjs_converter, pip),
 * "javascript" for TF.js code (a const/let declaration, an arrow function,
 * a tf.* call ending in ';', or an option line such as `loss: ...` of a
 * compile/fit object), else "python". Every fix the catalog renders is
 * checked to parse in its language (tests/fixes).
 */
const char *fc_fix_language(const char *code);

typedef struct fc_finding {
    fc_finding_code code;
    fc_severity severity;
    char *message;         /* owned; one sentence about this case */
    char *explanation;     /* owned; the catalog explanation, expanded */
    char *framework_error; /* owned; the target framework's error text, NULL if it raises none */
    char *pointer;         /* owned; JSON pointer into the request */
    char *input;           /* owned; model input name, or NULL */
    char *layer;           /* owned; layer name, or NULL */
    fc_fix fixes[FC_MAX_FIXES];
    size_t n_fixes;
} fc_finding;

typedef struct fc_findings {
    fc_finding *items; /* owned array */
    size_t len;
    size_t cap;
} fc_findings;

/* Zeroes the list. */
void fc_findings_init(fc_findings *list);

/* Frees every finding and the array; leaves the list empty and reusable. */
void fc_findings_release(fc_findings *list);

/* Frees finding i and moves the later ones up one place; an index past the end does nothing. */
void fc_findings_remove(fc_findings *list, size_t i);

/*
 * Adds a finding of code, at its catalog severity, for the given target.
 * message is a template like the catalog's; explanation, the target's error
 * text and the catalog fix are expanded with the same vars. pointer, input
 * and layer are copied (each may be NULL). Returns the new finding (owned by
 * the list, valid until the next add) or NULL when out of memory.
 */
fc_finding *fc_findings_add(fc_findings *list, fc_finding_code code, const fc_target *target, const char *message,
                            const char *pointer, const char *input, const char *layer, const fc_var *vars,
                            size_t n_vars);

/*
 * Replaces the finding's fixes with one fix made of the two templates
 * (expanded with vars), or appends it when append is nonzero. Returns FC_OK or
 * FC_ERR_NOMEM; at most FC_MAX_FIXES are kept (extra ones are dropped, FC_OK).
 */
fc_status fc_finding_set_fix(fc_finding *finding, int append, const char *summary, const char *code,
                             const fc_var *vars, size_t n_vars);

/*
 * Appends a machine-applicable fix: the two templates as for
 * fc_finding_set_fix, and patch, a JSON Patch (RFC 6902) against the model
 * descriptor as submitted (paths relative to the request's "model"). Steals
 * the reference to patch, also on failure. FC_OK or FC_ERR_NOMEM.
 */
fc_status fc_finding_add_patch_fix(fc_finding *finding, const char *summary, const char *code, json_t *patch,
                                   const fc_var *vars, size_t n_vars);

/* Replaces the framework error text with the expansion of tmpl (NULL clears it). */
fc_status fc_finding_set_error(fc_finding *finding, const char *tmpl, const fc_var *vars, size_t n_vars);

/* Counts findings by severity into counts[FC_SEV_INFO..FC_SEV_ERROR]. */
void fc_findings_count(const fc_findings *list, size_t counts[3]);

#endif
