/*
 * explain.c - matching pasted error texts against the catalog's templates.
 *
 * A template is split into literal parts and placeholders. Matching looks
 * for the literal parts in order (the first one at any position, since a
 * traceback has text before and after); a placeholder takes the text between
 * its neighbours (up to the end of the line when it is last). The score of a
 * partial match is the share of literal characters found in order.
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/explain.h"
#include "fitcheck/findings.h"
#include "fitcheck/model.h"
#include "fitcheck/preflight.h"

#define MAX_PARTS 48
#define MAX_VALUE 256
#define MAX_STARTS 64

typedef struct part {
    const char *lit;  /* literal text (not NUL-terminated), or NULL for a placeholder */
    size_t len;
    char name[32];    /* placeholder name; "" for an anonymous wildcard ("…") */
} part;

typedef struct match {
    double score;
    size_t literal;   /* literal characters in the template */
    char names[MAX_PARTS][32];
    char values[MAX_PARTS][MAX_VALUE];
    size_t n_values;
} match;

/* Splits tmpl into parts; "…" (U+2026) and "..." become anonymous wildcards. */
static size_t split(const char *tmpl, part *parts, size_t *literal)
{
    const char *p = tmpl, *lit = tmpl;
    size_t n = 0;

    *literal = 0;
#define FLUSH(end)                                                                                             \
    do {                                                                                                       \
        if ((end) > lit && n < MAX_PARTS) {                                                                    \
            parts[n].lit = lit;                                                                                \
            parts[n].len = (size_t)((end)-lit);                                                                \
            *literal += parts[n].len;                                                                          \
            n++;                                                                                               \
        }                                                                                                      \
    } while (0)
    while (*p != '\0' && n < MAX_PARTS) {
        const char *close;

        if (p[0] == '{' && p[1] != '{' && (close = strchr(p + 1, '}')) != NULL && close - p - 1 < 31) {
            FLUSH(p);
            parts[n].lit = NULL;
            memcpy(parts[n].name, p + 1, (size_t)(close - p - 1));
            parts[n].name[close - p - 1] = '\0';
            n++;
            p = close + 1;
            lit = p;
        } else if (strncmp(p, "\xe2\x80\xa6", 3) == 0 || strncmp(p, "...", 3) == 0) {
            FLUSH(p);
            if (n == 0 || parts[n - 1].lit != NULL) { /* a wildcard right after a placeholder adds nothing */
                parts[n].lit = NULL;
                parts[n].name[0] = '\0';
                n++;
            }
            p += 3;
            lit = p;
        } else {
            p++;
        }
    }
    FLUSH(p);
#undef FLUSH
    return n;
}

/* Finds needle[0..len) in hay at or after from; NULL when absent. */
static const char *find(const char *hay, const char *from, const char *needle, size_t len)
{
    const char *p;

    (void)hay;
    for (p = from; *p != '\0'; p++) {
        if (strncmp(p, needle, len) == 0)
            return p;
    }
    return NULL;
}

static void set_value(match *m, const char *name, const char *from, const char *to)
{
    size_t i, len;

    if (name[0] == '\0' || m->n_values == MAX_PARTS)
        return;
    for (i = 0; i < m->n_values; i++) {
        if (strcmp(m->names[i], name) == 0)
            return; /* the first occurrence names the value */
    }
    len = (size_t)(to - from) < MAX_VALUE - 1 ? (size_t)(to - from) : MAX_VALUE - 1;
    snprintf(m->names[m->n_values], sizeof(m->names[0]), "%s", name);
    memcpy(m->values[m->n_values], from, len);
    m->values[m->n_values][len] = '\0';
    fc_utf8_sanitize(m->values[m->n_values]);
    m->n_values++;
}

/* Start of the line holding p. */
static const char *line_start(const char *text, const char *p)
{
    while (p > text && p[-1] != '\n')
        p--;
    return p;
}

/*
 * Matches parts[first..] with the literal parts[first] at `at` (leading
 * placeholders take the text from the line start to `at`). Every later
 * literal must follow in order; a placeholder takes at least one character
 * unless the next literal follows at once and nowhere later.
 * m->score is 1 only when every literal was found.
 */
static void match_at(const part *parts, size_t n, size_t first, size_t literal, const char *text, const char *at,
                     match *m)
{
    const char *pos = at;
    size_t i, found = 0;

    memset(m, 0, sizeof(*m));
    m->literal = literal;
    for (i = 0; i < first; i++)
        set_value(m, parts[i].name, line_start(text, at), at);
    for (i = first; i < n; i++) {
        if (parts[i].lit != NULL) {
            const char *hit = i == first ? at : find(text, pos, parts[i].lit, parts[i].len);

            if (hit == NULL)
                break;
            found += parts[i].len;
            pos = hit + parts[i].len;
        } else if (i + 1 < n && parts[i + 1].lit != NULL) {
            const char *next = find(text, *pos != '\0' ? pos + 1 : pos, parts[i + 1].lit, parts[i + 1].len);

            /* an empty value ("you passed loss=.") only when nothing longer fits */
            if (next == NULL && strncmp(pos, parts[i + 1].lit, parts[i + 1].len) == 0)
                next = pos;
            if (next == NULL)
                break;
            set_value(m, parts[i].name, pos, next);
            pos = next;
        } else {
            const char *end = strchr(pos, '\n');

            set_value(m, parts[i].name, pos, end ? end : pos + strlen(pos));
        }
    }
    m->score = i == n && literal > 0 ? 1.0 : (literal > 0 ? (double)found / (double)literal * 0.999 : 0.0);
}

/*
 * For ranking near misses: the share of the template's words (within its
 * literal parts) found in the text in order, skipping absent ones.
 */
static double partial_score(const part *parts, size_t n, size_t literal, const char *text)
{
    const char *pos = text, *t;
    size_t i, found = 0, total = 0, text_chars = 0;
    double of_template, of_text;

    (void)literal;
    for (t = text; *t != '\0'; t++)
        text_chars += *t != ' ' && *t != '\n';
    for (i = 0; i < n; i++) {
        const char *w = parts[i].lit, *end = w ? w + parts[i].len : NULL;

        while (w != NULL && w < end) {
            const char *hit;
            size_t len = 0;

            while (w < end && *w == ' ')
                w++;
            while (w + len < end && w[len] != ' ')
                len++;
            if (len == 0)
                break;
            total += len;
            {
                size_t core = len; /* a word's trailing punctuation need not match */

                while (core > 1 && strchr(".,:;)!", w[core - 1]) != NULL)
                    core--;
                hit = find(text, pos, w, core);
                if (hit != NULL) {
                    found += core;
                    pos = hit + core;
                }
            }
            w += len;
        }
    }
    /* A short paste can be all template words without covering the whole template. */
    of_template = total > 0 ? (double)found / (double)total : 0.0;
    of_text = text_chars > 0 ? (double)found / (double)text_chars : 0.0;
    return (of_template > of_text * 0.9 ? of_template : of_text * 0.9) * 0.999;
}

/* Best match of a template anywhere in text. */
static void match_template(const char *tmpl, const char *text, match *best)
{
    part parts[MAX_PARTS];
    size_t literal, n = split(tmpl, parts, &literal), starts = 0, first = 0;
    const char *p;
    match *m;

    memset(best, 0, sizeof(*best));
    while (first < n && parts[first].lit == NULL)
        first++;
    if (first == n || literal < 12) /* too little text to be evidence of anything */
        return;
    m = fc_malloc(sizeof(*m));
    if (m == NULL)
        return;
    for (p = text; *p != '\0' && starts < MAX_STARTS; p++) {
        if (strncmp(p, parts[first].lit, parts[first].len) != 0)
            continue;
        starts++;
        match_at(parts, n, first, literal, text, p, m);
        if (m->score > best->score)
            *best = *m;
        if (best->score >= 1.0)
            break;
    }
    fc_free(m);
    if (best->score < 1.0) {
        double s = partial_score(parts, n, literal, text);

        if (s > best->score) {
            memset(best, 0, sizeof(*best));
            best->score = s;
            best->literal = literal;
        }
    }
}

/* Values the fix templates use that the error texts state indirectly. */
static void derive(match *m)
{
    size_t i, n = m->n_values;

    for (i = 0; i < n; i++) {
        const char *v = m->values[i];

        /* the output's units: the last size of an output shape "(None, 10)" */
        if ((strcmp(m->names[i], "out_batch") == 0 || strcmp(m->names[i], "out_shape") == 0) && v[0] == '(') {
            const char *last = strrchr(v, ',');
            char units[32];
            size_t k = 0;

            if (last != NULL) {
                for (last++; *last == ' '; last++)
                    ;
                while (last[k] >= '0' && last[k] <= '9' && k + 1 < sizeof(units)) {
                    units[k] = last[k];
                    k++;
                }
                units[k] = '\0';
                if (k > 0 && last[k] == ')')
                    set_value(m, "units", units, units + k);
            }
        }

        if (strcmp(m->names[i], "expected") == 0 && v[0] == '(') {
            const char *comma = strchr(v, ',');
            char args[MAX_VALUE];
            size_t len;

            if (comma == NULL)
                continue;
            comma++;
            while (*comma == ' ')
                comma++;
            len = strlen(comma);
            if (len == 0 || comma[len - 1] != ')')
                continue;
            snprintf(args, sizeof(args), "%.*s", (int)(len - 1), comma);
            set_value(m, "expected_sample_args", args, args + strlen(args));
        }
    }
}

static const char *const frameworks[] = {"keras3", "tf.keras2", "tfjs"};

static const char *entry_text(const fc_catalog_entry *e, size_t fw)
{
    return fw == 0 ? e->error_keras3 : fw == 1 ? e->error_tfkeras2 : e->error_tfjs;
}

static json_t *match_json(const fc_catalog_entry *e, size_t fw, match *m)
{
    fc_var vars[MAX_PARTS + 4];
    json_t *values = json_object(), *obj;
    char href[96], *expl, *fix_summary, *fix_code;
    size_t i;

    size_t from_text = m->n_values;

    derive(m);
    for (i = 0; i < m->n_values; i++) {
        vars[i].name = m->names[i];
        vars[i].value = m->values[i];
        if (i < from_text) /* derived values fill templates but are not in the text */
            json_object_set_new(values, m->names[i], json_string(m->values[i]));
    }
    snprintf(href, sizeof(href), "/v1/findings/%s", e->code);
    expl = fc_template_expand(e->explanation, vars, m->n_values);
    fix_summary = fc_template_expand(e->fix_summary, vars, m->n_values);
    fix_code = fc_template_expand(e->fix_code, vars, m->n_values);
    obj = json_pack("{s:s, s:s, s:f, s:o, s:s, s:s?, s:[{s:s?, s:s?}], s:s}", "code", e->code, "framework",
                    frameworks[fw], "score", m->score, "values", values, "title", e->title, "explanation", expl,
                    "fixes", "summary", fix_summary, "code", fix_code, "href", href);
    fc_free(expl);
    fc_free(fix_summary);
    fc_free(fix_code);
    return obj;
}

typedef struct scored {
    size_t entry, fw;
    const char *tmpl; /* the catalog text or a variant */
    double score;
    size_t literal;
    int fits;         /* the captured values point at this code (see values_fit) */
} scored;

static size_t fw_index(const char *name)
{
    size_t i;

    for (i = 0; i < 3; i++) {
        if (strcmp(name, frameworks[i]) == 0)
            return i;
    }
    return 0;
}

static const char *value_of(const match *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->n_values; i++) {
        if (strcmp(m->names[i], name) == 0)
            return m->values[i];
    }
    return NULL;
}

/*
 * Some texts are printed, word for word, for several mistakes: TF.js says
 * "target expected ... shape [10] ... each with shape [1]" for class
 * indices given to a categorical loss, for one-hot labels given to a sparse
 * loss (shape [1] expected, [10] received) and for any other target shape.
 * The captured shapes tell them apart; 1 when they point at this code.
 */
static int values_fit(fc_finding_code code, const match *m)
{
    const char *want = value_of(m, "expected_js"), *got = value_of(m, "y_sample_js");

    if (want == NULL || got == NULL)
        return 0;
    if (code == FC_LABELS_ONE_HOT_FOR_SPARSE)
        return strcmp(want, "1") == 0 && strcmp(got, "1") != 0 && strchr(got, ',') == NULL;
    if (code == FC_LABELS_SPARSE_FOR_CATEGORICAL)
        return strcmp(got, "1") == 0 && strcmp(want, "1") != 0 && strchr(want, ',') == NULL;
    if (code == FC_LABEL_SHAPE_MISMATCH)
        return !values_fit(FC_LABELS_ONE_HOT_FOR_SPARSE, m) && !values_fit(FC_LABELS_SPARSE_FOR_CATEGORICAL, m);
    return 0;
}

/* Scores one template; appends it to full or partial. */
static void consider(size_t entry, size_t fw, const char *tmpl, const char *text, const char *framework, match *m,
                     scored *full, size_t *n_full, scored *partial, size_t *n_part, size_t cap)
{
    if (tmpl == NULL || tmpl[0] == '(' || (framework != NULL && strcmp(framework, frameworks[fw]) != 0))
        return;
    match_template(tmpl, text, m);
    if (m->score >= 1.0 && *n_full < cap)
        full[(*n_full)++] = (scored){entry, fw, tmpl, m->score, m->literal, values_fit((fc_finding_code)entry, m)};
    else if (m->score > 0.3 && *n_part < cap)
        partial[(*n_part)++] = (scored){entry, fw, tmpl, m->score, m->literal, 0};
}

#define MAX_CANDIDATES (FC_FINDING_COUNT * 3 + FC_VARIANT_COUNT)

/* Keeps one candidate per (code, framework): the best-scoring template. */
static size_t dedupe(scored *list, size_t n)
{
    size_t i, k, out = 0;

    for (i = 0; i < n; i++) {
        for (k = 0; k < out; k++) {
            if (list[k].entry == list[i].entry && list[k].fw == list[i].fw)
                break;
        }
        if (k == out)
            list[out++] = list[i];
    }
    return out;
}

static json_t *explain(const char *text, const char *framework)
{
    scored *full = fc_calloc(MAX_CANDIDATES, sizeof(scored)), *part_best = fc_calloc(MAX_CANDIDATES, sizeof(scored));
    size_t n_full = 0, n_part = 0, i, fw, k;
    json_t *out = json_object(), *matches = json_array(), *nearest = json_array();
    match *m = fc_malloc(sizeof(*m));

    if (out == NULL || matches == NULL || nearest == NULL || m == NULL || full == NULL || part_best == NULL)
        goto fail;
    for (i = 0; i < FC_FINDING_COUNT; i++) {
        const fc_catalog_entry *e = fc_catalog_get((fc_finding_code)i);

        for (fw = 0; fw < 3; fw++)
            consider(i, fw, entry_text(e, fw), text, framework, m, full, &n_full, part_best, &n_part, MAX_CANDIDATES);
    }
    for (i = 0; i < FC_VARIANT_COUNT; i++) {
        const fc_variant *v = fc_variant_get((fc_variant_id)i);

        consider((size_t)v->code, fw_index(v->framework), v->text, text, framework, m, full, &n_full, part_best,
                 &n_part, MAX_CANDIDATES);
    }
    /* Most specific first: more literal text matched is stronger evidence;
     * among equals, the code the captured values point at. */
    for (i = 1; i < n_full; i++) {
        scored t = full[i];

        for (k = i; k > 0 && (full[k - 1].literal < t.literal ||
                              (full[k - 1].literal == t.literal && full[k - 1].fits < t.fits));
             k--)
            full[k] = full[k - 1];
        full[k] = t;
    }
    for (i = 1; i < n_part; i++) {
        scored t = part_best[i];

        for (k = i; k > 0 && part_best[k - 1].score < t.score; k--)
            part_best[k] = part_best[k - 1];
        part_best[k] = t;
    }
    n_full = dedupe(full, n_full);
    n_part = dedupe(part_best, n_part);
    for (i = 0; i < n_full; i++) {
        match_template(full[i].tmpl, text, m);
        if (json_array_append_new(matches, match_json(fc_catalog_get((fc_finding_code)full[i].entry), full[i].fw,
                                                      m)) != 0)
            goto fail;
    }
    for (i = 0; n_full == 0 && i < n_part && i < 3; i++) {
        match_template(part_best[i].tmpl, text, m);
        if (json_array_append_new(nearest, match_json(fc_catalog_get((fc_finding_code)part_best[i].entry),
                                                      part_best[i].fw, m)) != 0)
            goto fail;
    }
    fc_free(m);
    fc_free(full);
    fc_free(part_best);
    json_object_set_new(out, "matched", json_boolean(n_full > 0));
    json_object_set_new(out, "matches", matches);
    json_object_set_new(out, "nearest", nearest);
    if (json_object_size(out) != 3) {
        json_decref(out);
        return NULL;
    }
    return out;

fail:
    fc_free(m);
    fc_free(full);
    fc_free(part_best);
    json_decref(out);
    json_decref(matches);
    json_decref(nearest);
    return NULL;
}

/*
 * A pasted text as the frameworks printed it: without terminal colours (ANSI
 * CSI and OSC sequences, as Jupyter and IPython tracebacks carry them) and
 * with Windows or old Mac line ends made "\n". Returns a new string (NULL
 * when out of memory).
 */
static char *clean_text(const char *text)
{
    size_t len = strlen(text), n = 0;
    char *out = fc_malloc(len + 1);
    const char *p = text;

    if (out == NULL)
        return NULL;
    while (*p != '\0') {
        if (p[0] == '\x1b' && p[1] == '[') { /* CSI: parameters and intermediates, then one final byte */
            p += 2;
            while (*p != '\0' && ((unsigned char)*p < 0x40 || (unsigned char)*p > 0x7e))
                p++;
            if (*p != '\0')
                p++;
        } else if (p[0] == '\x1b' && p[1] == ']') { /* OSC: up to BEL or ESC \ */
            p += 2;
            while (*p != '\0' && *p != '\a' && !(p[0] == '\x1b' && p[1] == '\\'))
                p++;
            p += *p == '\a' ? 1 : (*p != '\0' ? 2 : 0);
        } else if (p[0] == '\x1b') {
            p += p[1] != '\0' ? 2 : 1;
        } else if (p[0] == '\r') {
            out[n++] = '\n';
            p += p[1] == '\n' ? 2 : 1;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

static json_t *explain_clean(const char *text, const char *framework);

json_t *fc_explain_text(const char *text, const char *framework)
{
    char *clean = clean_text(text);
    json_t *out;

    if (clean == NULL)
        return NULL;
    out = explain_clean(clean, framework);
    fc_free(clean);
    return out;
}

static json_t *explain_clean(const char *text, const char *framework)
{
    size_t len = strlen(text), half = FC_EXPLAIN_MAX_TEXT / 2, head, tail_at;
    char *both;
    json_t *out;

    if (len <= FC_EXPLAIN_MAX_TEXT)
        return explain(text, framework);
    /*
     * Keep matching bounded: a Python error ends its traceback, a TF.js error
     * starts its message before a tensor dump, so read the head and the tail.
     */
    head = half;
    while (head > 0 && (text[head] & 0xc0) == 0x80) /* whole UTF-8 characters only */
        head--;
    tail_at = len - half;
    while (tail_at < len && (text[tail_at] & 0xc0) == 0x80)
        tail_at++;
    both = fc_malloc(head + 1 + (len - tail_at) + 1);
    if (both == NULL)
        return NULL;
    memcpy(both, text, head);
    both[head] = '\n';
    memcpy(both + head + 1, text + tail_at, len - tail_at + 1);
    out = explain(both, framework);
    fc_free(both);
    return out;
}

fc_status fc_explain_run(const json_t *body, json_t **out, fc_error *err)
{
    const json_t *text = json_object_get(body, "error"), *fw = json_object_get(body, "framework");
    json_t *report = NULL, *matches;
    const char *produced_by = NULL;
    fc_status result;
    size_t i, j;

    *out = NULL;
    if (!json_is_object(body))
        return fc_error_set(err, FC_ERR_INVALID, "", "the body must be {\"error\": \"<the error text>\"}");
    if (!json_is_string(text) || json_string_length(text) == 0)
        return fc_error_set(err, FC_ERR_INVALID, "/error", "error must be the text of the error (a traceback, or "
                            "its last line)");
    if (fw != NULL && !json_is_null(fw) && fc_framework_parse(json_string_value(fw)) == FC_FW_UNKNOWN)
        return fc_error_set(err, FC_ERR_INVALID, "/framework", "framework must be one of \"keras3\", \"tf.keras2\", "
                            "\"tfjs\"");
    *out = fc_explain_text(json_string_value(text), json_string_value(fw));
    if (*out == NULL)
        return fc_error_set(err, FC_ERR_NOMEM, "", "out of memory");
    if (json_object_get(body, "model") == NULL)
        return FC_OK;
    result = fc_preflight_run(body, &report, err);
    if (result != FC_OK) {
        json_decref(*out);
        *out = NULL;
        return result;
    }
    /* Which of the preflight's findings is the pasted error: a match whose code the report has. */
    matches = json_object_get(*out, "matches");
    for (i = 0; produced_by == NULL && i < json_array_size(matches); i++) {
        const char *code = json_string_value(json_object_get(json_array_get(matches, i), "code"));
        json_t *f;

        json_array_foreach(json_object_get(report, "findings"), j, f) {
            if (strcmp(json_string_value(json_object_get(f, "code")), code) == 0) {
                produced_by = code;
                break;
            }
        }
    }
    json_object_set_new(*out, "produced_by", produced_by ? json_string(produced_by) : json_null());
    json_object_set_new(*out, "preflight", json_pack("{s:O, s:O, s:O, s:O}", "verdict",
                                                     json_object_get(report, "verdict"), "framework",
                                                     json_object_get(report, "framework"), "summary",
                                                     json_object_get(report, "summary"), "findings",
                                                     json_object_get(report, "findings")));
    json_decref(report);
    if (json_object_size(*out) != 5) {
        json_decref(*out);
        *out = NULL;
        return fc_error_set(err, FC_ERR_NOMEM, "", "out of memory");
    }
    return FC_OK;
}
