/*
 * explain.c - matching pasted error texts against the catalog's templates.
 *
 * A template is split into literal parts and placeholders. Matching looks
 * for the literal parts in order (the first one at any position, since a
 * traceback has text before and after); a placeholder takes the text between
 * its neighbours (up to the end of the line when it is last). The score of a
 * partial match is the share of literal characters found in order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitcheck/alloc.h"
#include "fitcheck/explain.h"
#include "fitcheck/findings.h"
#include "fitcheck/model.h"
#include "fitcheck/preflight.h"

#define MAX_PARTS 48
#define MAX_VALUE 256
#define MAX_STARTS 64
#define PARTIAL_WINDOW 2048

typedef struct part {
    const char *lit;  /* literal text (not NUL-terminated), or NULL for a placeholder */
    size_t len;
    char name[32];    /* placeholder name; "" for an anonymous wildcard ("…") */
} part;

typedef struct match {
    double score;
    size_t literal;   /* literal characters in the template */
    size_t found;     /* of those, the ones found in the text (all of them unless truncated) */
    int truncated;    /* the text starts or ends inside the template (a cut paste) */
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

static int is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t';
}

/* Quotes and backticks: Markdown drops or adds them, Keras releases quote names differently. */
static int is_quote(char c)
{
    return c == '`' || c == '"' || c == '\'';
}

/*
 * Reads needle[0..len) at p as far as it agrees, and returns how much of the
 * needle that is (len when all of it), with *end where the text was reached:
 * quotes and backticks are ignored on both sides, and whitespace in the
 * needle matches any run of whitespace in the text, or none (a line wrapped,
 * or joined, on the way to the paste).
 */
static size_t lit_read(const char *p, const char *needle, size_t len, const char **end)
{
    const char *n = needle, *stop = needle + len;

    while (n < stop) {
        if (is_quote(*n)) {
            n++;
        } else if (is_space(*n)) {
            while (n < stop && is_space(*n))
                n++;
            while (is_space(*p) || is_quote(*p))
                p++;
        } else {
            while (is_quote(*p))
                p++;
            if (*p != *n)
                break;
            p++;
            n++;
        }
    }
    *end = p;
    return (size_t)(n - needle);
}

/* Whether needle[0..len) reads at p (lit_read), and where it ends (*end, past any quote that follows). */
static int lit_at(const char *p, const char *needle, size_t len, const char **end)
{
    if (lit_read(p, needle, len, end) != len)
        return 0;
    while (is_quote(**end))
        (*end)++;
    return 1;
}

/* Finds needle[0..len) in hay at or after from (as lit_at reads it); NULL when absent, else *end past it. */
static const char *find(const char *hay, const char *from, const char *needle, size_t len, const char **end)
{
    const char *p, *n = needle, *stop = needle + len;

    (void)hay;
    /* a match starts at the needle's first character that must be there (quotes and spaces may be absent) */
    while (n < stop && (is_quote(*n) || is_space(*n)))
        n++;
    if (n == stop)
        return lit_at(from, needle, len, end) ? from : NULL;
    for (p = strchr(from, *n); p != NULL; p = strchr(p + 1, *n)) {
        if (lit_at(p, n, (size_t)(stop - n), end))
            return p;
    }
    return NULL;
}

/* What may trail a pasted line: space, quotes, a carriage return, Markdown's _ and *. */
static int is_trailing(char c)
{
    return is_space(c) || is_quote(c) || c == '\r' || c == '_' || c == '*';
}

/* 1 when nothing but trailing characters is left at p. */
static int at_text_end(const char *p)
{
    while (*p != '\0' && is_trailing(*p))
        p++;
    return *p == '\0';
}

/*
 * A paste cut inside a literal: the first position from `from` on where at
 * least 12 characters of needle, but not all of it, read up to the end of
 * the text. Returns the characters of needle matched there, 0 when none.
 */
static size_t lit_cut_at(const char *from, const char *needle, size_t len, const char **at)
{
    const char *start, *end;

    for (start = from; *start != '\0'; start++) {
        size_t n = lit_read(start, needle, len, &end);

        if (n >= 12 && n < len && at_text_end(end)) {
            if (at != NULL)
                *at = start;
            return n;
        }
    }
    return 0;
}

static size_t lit_cut(const char *from, const char *needle, size_t len)
{
    return lit_cut_at(from, needle, len, NULL);
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
    while (from < to && (is_space(*from) || is_quote(*from)))
        from++;
    while (to > from && (is_space(to[-1]) || is_quote(to[-1]) || to[-1] == '\r'))
        to--;
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
 * Where what is left of the text (its last line) turns into the start of the
 * template's literal after parts[i] (a value cut short, or the literal
 * itself cut): that position, or the end when nothing is left; NULL when the
 * rest is something else.
 */
static const char *tail_start(const part *parts, size_t n, size_t i, const char *pos)
{
    const char *end = pos + strlen(pos), *q;

    while (end > pos && is_trailing(end[-1]))
        end--;
    if (memchr(pos, '\n', (size_t)(end - pos)) != NULL || end - pos > 160)
        return NULL;
    if (end == pos)
        return end;
    for (; i < n && parts[i].lit == NULL; i++)
        ;
    if (i == n)
        return end;
    for (q = pos; q < end; q++) {
        size_t k = (size_t)(end - q);

        if (k <= parts[i].len && strncmp(q, parts[i].lit, k) == 0)
            return q;
    }
    /* the value itself cut ("... for an output of shape (None, 1)" and no more), unless the rest
     * holds the next literal's first word (then it is another wording, not a cut one) */
    if (i > 0 && parts[i - 1].lit == NULL) {
        const char *w = parts[i].lit, *wend = parts[i].lit + parts[i].len;
        size_t len;

        while (w < wend && !isalpha((unsigned char)*w))
            w++;
        for (len = 0; w + len < wend && isalpha((unsigned char)w[len]); len++)
            ;
        if (len >= 3) {
            for (q = pos; q + len <= end; q++) {
                if (strncmp(q, w, len) == 0)
                    return NULL;
            }
            return end;
        }
    }
    return NULL;
}

/* A template's closing literal that is only punctuation ("." after a value): a paste often drops it. */
static int optional_tail(const part *parts, size_t n, size_t i)
{
    size_t k;

    if (i + 1 != n || parts[i].lit == NULL)
        return 0;
    for (k = 0; k < parts[i].len; k++) {
        if (strchr(".!)]' \"`", parts[i].lit[k]) == NULL)
            return 0;
    }
    return 1;
}

/*
 * Matches parts[first..] with the literal parts[first] found at `at` (ending
 * at at_end; leading placeholders take the text from the line start to `at`).
 * Every later literal must follow in order; a placeholder takes at least one
 * character unless the next literal follows at once and nowhere later. A text
 * that ends inside the template (a cut paste) matches when enough of the
 * template's literal text was found (half and 24 characters, or two fifths
 * and 48, for a paste cut inside; 60 % when it starts inside): m->truncated.
 * m->score is 1 for a match; below, the share of literal text found.
 */
static void match_at(const part *parts, size_t n, size_t first, size_t literal, const char *text, const char *at,
                     const char *at_end, size_t first_len, match *m)
{
    const char *pos = at, *end;
    size_t i, found = 0;

    /* not memset: the value arrays are 12 KB, read only up to n_values */
    m->score = 0;
    m->found = 0;
    m->truncated = 0;
    m->n_values = 0;
    m->literal = literal;
    for (i = 0; i < first; i++)
        set_value(m, parts[i].name, line_start(text, at), at);
    for (i = first; i < n; i++) {
        if (parts[i].lit != NULL) {
            const char *hit = i == first ? at : find(text, pos, parts[i].lit, parts[i].len, &end);

            if (i == first)
                end = at_end;
            if (hit == NULL && i + 1 == n && parts[i].len > 1 && parts[i].lit[parts[i].len - 1] == '.' &&
                i != first)
                hit = find(text, pos, parts[i].lit, parts[i].len - 1, &end); /* the closing full stop dropped */
            if (hit == NULL && optional_tail(parts, n, i)) {
                found += parts[i].len;
                continue;
            }
            if (hit == NULL && i != first) {
                size_t cut = strlen(pos) <= 1024 ? lit_cut(pos, parts[i].lit, parts[i].len) : 0;

                if (cut > 0) { /* the paste ends inside this literal: count what it holds, then stop */
                    found += cut;
                    m->truncated = 1;
                    pos += strlen(pos);
                }
            }
            if (hit == NULL)
                break;
            found += i == first ? first_len : parts[i].len;
            pos = end;
        } else if (i + 1 < n && parts[i + 1].lit != NULL) {
            const char *next = find(text, *pos != '\0' ? pos + 1 : pos, parts[i + 1].lit, parts[i + 1].len, &end);

            /* an empty value ("you passed loss=.") only when nothing longer fits */
            if (next == NULL && lit_at(pos, parts[i + 1].lit, parts[i + 1].len, &end))
                next = pos;
            if (next == NULL && strlen(pos) <= 1024) {
                /* the paste ends inside the literal after this value: the value runs up to it */
                const char *cut_at;
                size_t cut = lit_cut_at(pos, parts[i + 1].lit, parts[i + 1].len, &cut_at);

                if (cut > 0 && memchr(pos, '\n', (size_t)(cut_at - pos)) == NULL) {
                    set_value(m, parts[i].name, pos, cut_at);
                    found += cut;
                    m->truncated = 1;
                    pos += strlen(pos);
                    i++;
                    break;
                }
            }
            if (next == NULL) {
                const char *eol = strchr(pos, '\n'), *cut = tail_start(parts, n, i + 1, pos);

                set_value(m, parts[i].name, pos, cut != NULL && cut > pos ? cut : (eol ? eol : pos + strlen(pos)));
                if (optional_tail(parts, n, i + 1)) {
                    found += parts[i + 1].len;
                    i += 2;
                }
                break;
            }
            set_value(m, parts[i].name, pos, next);
            pos = next;
        } else {
            const char *eol = strchr(pos, '\n'), *end_v = eol ? eol : pos + strlen(pos);

            /* a value that ends the template ends the sentence too: "found ndim=2." holds 2 */
            while (end_v > pos && (end_v[-1] == ' ' || end_v[-1] == '\r'))
                end_v--;
            if (end_v - pos >= 2 && end_v[-1] == '.' && strchr("0123456789)]", end_v[-2]) != NULL)
                end_v--;
            set_value(m, parts[i].name, pos, end_v);
        }
    }
    m->found = found;
    if (i == n && found == literal) {
        m->score = 1.0;
    } else if (i == n && found + (parts[first].len - first_len) == literal && found * 10 >= literal * 6 &&
               found >= 24) {
        m->score = 1.0; /* every literal found, but the paste starts inside the first one */
        m->truncated = 1;
    } else if (i < n && ((found * 2 >= literal && found >= 24) || (found * 5 >= literal * 2 && found >= 48)) &&
               tail_start(parts, n, i, pos) != NULL) {
        /* cut after half the wording, or after two fifths when that is a long stretch (a first sentence) */
        m->score = 1.0;
        m->truncated = 1;
    } else {
        m->score = literal > 0 ? (double)found / (double)literal * 0.999 : 0.0;
    }
}

/*
 * For ranking near misses: the share of the template's words (within its
 * literal parts) found in the text in order, skipping absent ones.
 */
static double partial_score(const part *parts, size_t n, size_t literal, const char *text)
{
    const char *pos = text, *t;
    size_t i, k, found = 0, total = 0, text_chars = 0, words = 0, missed = 0;
    double of_template, of_text;

    (void)literal;
    for (t = text; *t != '\0'; t++)
        text_chars += *t != ' ' && *t != '\n';
    for (i = 0; i < n; i++) {
        for (k = 0; parts[i].lit != NULL && k < parts[i].len; k++)
            words += parts[i].lit[k] != ' ';
    }
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
                const char *after;

                while (core > 1 && strchr(".,:;)!", w[core - 1]) != NULL)
                    core--;
                hit = find(text, pos, w, core, &after);
                if (hit != NULL) {
                    found += core;
                    pos = after;
                } else {
                    missed += len;
                }
                /* past the point where this template could still be a near miss (0.3): stop looking */
                if (words > missed && text_chars > 0 && (double)(words - missed) / (double)words <= 0.3 &&
                    (double)(words - missed) / (double)text_chars * 0.9 <= 0.3)
                    return 0.0;
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
    const char *p, *end;
    match *m;

    memset(best, 0, sizeof(*best));
    while (first < n && parts[first].lit == NULL)
        first++;
    if (first == n || literal < 12) /* too little text to be evidence of anything */
        return;
    m = fc_malloc(sizeof(*m));
    if (m == NULL)
        return;
    for (p = text; starts < MAX_STARTS && (p = find(text, p, parts[first].lit, parts[first].len, &end)) != NULL;
         p++) {
        starts++;
        match_at(parts, n, first, literal, text, p, end, parts[first].len, m);
        if (m->score > best->score || (m->score == best->score && m->found > best->found))
            *best = *m;
        if (best->score >= 1.0 && !best->truncated)
            break;
    }
    /* A paste cut inside the first literal, which holds most of the template ("...number of samples.") */
    if (best->score < 1.0 && parts[first].len * 10 >= literal * 6 && strlen(text) <= 1024) {
        size_t cut = lit_cut(text, parts[first].lit, parts[first].len);

        if (cut * 10 >= literal * 7 && cut >= 40) { /* most of a long sentence, not a few words of it */
            memset(m, 0, sizeof(*m));
            m->score = 1.0;
            m->literal = literal;
            m->found = cut;
            m->truncated = 1;
            if (m->found > best->found || best->score < 1.0)
                *best = *m;
        }
    }
    /*
     * A paste that starts inside the first literal ("expected conv2d_input to
     * have 4 dimensions, ..." without "Error when checking input: "): a line
     * that begins with the literal's tail, from a word on.
     */
    if (best->score < 1.0 && parts[first].len >= 8 && strlen(text) <= 1024) { /* a cut paste is one short line */
        size_t k;

        /* the tail of the first literal, from a word on, wherever it starts (after "Tensorflow error: ") */
        for (k = 1; k + 8 <= parts[first].len; k++) {
            const char *q;

            if (parts[first].lit[k - 1] != ' ')
                continue;
            for (q = text, starts = 0; (q = find(text, q, parts[first].lit + k, parts[first].len - k, &end)) != NULL &&
                                       starts < MAX_STARTS;
                 q++, starts++) {
                match_at(parts, n, first, literal, text, q, end, parts[first].len - k, m);
                if (m->found * 10 >= literal * 6 && m->found >= 24 && (m->score >= 1.0 || m->truncated)) {
                    m->score = 1.0;
                    m->truncated = 1;
                }
                if (m->score > best->score || (m->score == best->score && m->found > best->found))
                    *best = *m;
            }
            if (best->score >= 1.0)
                break;
        }
    }
    fc_free(m);
    if (best->score < 1.0) {
        /* Near misses are looked for in the paste's last PARTIAL_WINDOW bytes (a traceback ends with its
         * message): every word of every template is searched for, and in 16 KB of text that was 20 ms. */
        size_t len = strlen(text);
        const char *window = len > PARTIAL_WINDOW ? text + len - PARTIAL_WINDOW : text;
        double s;

        while (window > text && (window[0] & 0xC0) == 0x80) /* not inside a UTF-8 sequence */
            window--;
        s = partial_score(parts, n, literal, window);

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

static json_t *match_json(fc_finding_code code, size_t fw, match *m)
{
    const fc_catalog_entry *e = fc_catalog_get(code);
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
    {
        const char *s, *c;

        fc_catalog_fix(code, strcmp(frameworks[fw], "tfjs") == 0 ? FC_FW_TFJS : FC_FW_KERAS3, &s, &c);
        fix_summary = fc_template_expand(s, vars, m->n_values);
        fix_code = fc_template_expand(c, vars, m->n_values);
    }
    obj = json_pack("{s:s, s:s, s:f, s:b, s:o, s:s, s:s?, s:[{s:s?, s:s?, s:s}], s:s}", "code", e->code, "framework",
                    frameworks[fw], "score", m->score, "truncated", m->truncated, "values", values, "title",
                    e->title, "explanation", expl, "fixes", "summary", fix_summary, "code", fix_code, "language",
                    fc_fix_language(fix_code ? fix_code : ""), "href", href);
    fc_free(expl);
    fc_free(fix_summary);
    fc_free(fix_code);
    return obj;
}

typedef struct scored {
    size_t entry, fw;
    const char *tmpl; /* the catalog text or a variant */
    double score;
    size_t literal;   /* literal characters of the template found in the text */
    int fits;         /* the captured values point at this code (see values_fit) */
    int truncated;
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

/* Entries of a shape as printed ("(None, 9, 4)", "[None, 10368]", "(9,)", "null,3"): -1 when not a shape. */
static int shape_rank(const char *v)
{
    int n = 0, item = 0;

    if (v == NULL)
        return -1;
    for (; *v != '\0'; v++) {
        if (*v == ',') {
            n += item;
            item = 0;
        } else if (*v != '(' && *v != ')' && *v != '[' && *v != ']' && *v != ' ') {
            item = 1;
        }
    }
    return n + item;
}

/* The last entry of a shape as a number; -1 for None/null/?, -2 when there is none. */
static long long shape_last(const char *v)
{
    const char *end, *start;

    if (v == NULL)
        return -2;
    end = v + strlen(v);
    while (end > v && (end[-1] == ')' || end[-1] == ']' || end[-1] == ' ' || end[-1] == ',' || end[-1] == '.'))
        end--;
    start = end;
    while (start > v && start[-1] != ',' && start[-1] != '(' && start[-1] != '[' && start[-1] != ' ')
        start--;
    if (start == end)
        return -2;
    if (*start >= '0' && *start <= '9')
        return strtoll(start, NULL, 10);
    return -1;
}

/* The first of the names that the match captured. */
static const char *first_of(const match *m, const char *a, const char *b, const char *c)
{
    const char *v = value_of(m, a);

    if (v == NULL && b != NULL)
        v = value_of(m, b);
    if (v == NULL && c != NULL)
        v = value_of(m, c);
    return v;
}

/* Case-insensitive: text holds word. */
static int mentions(const char *text, const char *word)
{
    size_t n = strlen(word);

    for (; *text != '\0'; text++) {
        size_t k;

        for (k = 0; k < n && text[k] != '\0' && tolower((unsigned char)text[k]) == word[k]; k++)
            ;
        if (k == n)
            return 1;
    }
    return 0;
}

/* The number after "list of " (a list of N arrays), or -1. */
static long long list_length(const char *text)
{
    const char *p;

    for (p = strstr(text, "list of "); p != NULL; p = strstr(p + 1, "list of ")) {
        if (p[8] >= '0' && p[8] <= '9')
            return strtoll(p + 8, NULL, 10);
    }
    return -1;
}

/* Comma-separated sizes after "x sizes:" (a list of per-sample arrays prints thousands). */
static int x_sizes(const char *text)
{
    const char *p = strstr(text, "x sizes:");
    int n = 0;

    if (p == NULL)
        return 0;
    for (p += 8; *p != '\0' && *p != '\n' && *p != 'y' && *p != 'P' && *p != 'M'; p++)
        n += *p == ',';
    return n + 1;
}

/*
 * TF.js's "...the following list of Tensor(s): ..." prints what it got: the
 * number of tensors in it (an array of per-sample tensors prints thousands),
 * 0 when absent; *numbers is set when it printed numbers, a plain JS array.
 */
static long long tensor_items(const char *text, int *numbers)
{
    const char *p = strstr(text, "list of Tensor(s): ");
    long long n = 0;

    *numbers = 0;
    if (p == NULL)
        return 0;
    p += 19;
    if (strncmp(p, "Tensor", 6) == 0) {
        for (; (p = strstr(p, "Tensor")) != NULL; p += 6)
            n++;
        return n;
    }
    *numbers = (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
    for (n = *p != '\0'; *p != '\0'; p++)
        n += *p == ',';
    return n;
}

/*
 * Some texts are printed, word for word, for several mistakes, and their
 * numbers tell them apart: TF.js's "target expected ... shape [10] ... each
 * with shape [1]" (class indices for a categorical loss, one-hot labels for
 * a sparse loss, any other target), tf.keras's "Shapes (None, 1) and
 * (None, 10) are incompatible", "expected shape=... found shape=..." (rank or
 * size), a list of thousands of arrays (per-sample arrays) against a few.
 * 1 when the captured values (or the text) point at this code.
 */
static int values_fit(fc_finding_code code, const match *m, const char *text)
{
    const char *want = value_of(m, "expected_js"), *got = value_of(m, "y_sample_js");
    const char *y = first_of(m, "y_k2", "y_batch", NULL), *out = value_of(m, "out_batch");
    const char *exp = first_of(m, "expected", "expected_join", NULL), *found = first_of(m, "found_batch", "found",
                                                                                           "found_join");
    int numbers;

    switch (code) {
    case FC_LABELS_ONE_HOT_FOR_SPARSE:
        return want != NULL && got != NULL && strcmp(want, "1") == 0 && strcmp(got, "1") != 0 &&
               strchr(got, ',') == NULL;
    case FC_LABELS_SPARSE_FOR_CATEGORICAL:
        if (want != NULL && got != NULL)
            return strcmp(got, "1") == 0 && strcmp(want, "1") != 0 && strchr(want, ',') == NULL;
        if (y != NULL && out != NULL)
            return shape_last(out) > 1 && ((shape_rank(y) == shape_rank(out) && shape_last(y) == 1) ||
                                           (shape_rank(y) == shape_rank(out) - 1 && shape_last(y) != shape_last(out)));
        return 0;
    case FC_LABEL_SHAPE_MISMATCH:
        if (want != NULL && got != NULL)
            return !values_fit(FC_LABELS_ONE_HOT_FOR_SPARSE, m, text) &&
                   !values_fit(FC_LABELS_SPARSE_FOR_CATEGORICAL, m, text);
        return y != NULL && out != NULL && !values_fit(FC_LABELS_SPARSE_FOR_CATEGORICAL, m, text);
    case FC_INPUT_RANK_MISMATCH:
        return exp != NULL && found != NULL && shape_rank(exp) >= 0 && shape_rank(exp) != shape_rank(found);
    case FC_INPUT_SHAPE_MISMATCH:
        return exp != NULL && found != NULL && shape_rank(exp) >= 0 && shape_rank(exp) == shape_rank(found);
    case FC_LIST_OF_SAMPLE_ARRAYS:
        return list_length(text) >= 64 || x_sizes(text) >= 8 || (tensor_items(text, &numbers) >= 8 && !numbers);
    case FC_LIST_NOT_ACCEPTED:
        return tensor_items(text, &numbers) > 0 && numbers;
    case FC_INPUT_COUNT_MISMATCH:
    case FC_SAMPLE_COUNT_MISMATCH:
        return !values_fit(FC_LIST_OF_SAMPLE_ARRAYS, m, text) && !values_fit(FC_LIST_NOT_ACCEPTED, m, text);
    case FC_STREAM_RAN_OUT:
        return 1; /* "your dataset or generator": most who see it feed one */
    case FC_LABELS_ARE_STRINGS: /* the Cast inside a loss node */
        return mentions(text, "loss") || mentions(text, "crossentropy");
    case FC_DTYPE_NOT_NUMERIC:
        return !(mentions(text, "loss") || mentions(text, "crossentropy"));
    default:
        return 0;
    }
}

/*
 * A text whose wording belongs to one code while its numbers say another:
 * the code to explain it as, or -1. Legacy "expected dense_1 to have shape
 * (5,) but got array with shape (1,)" is class indices for a categorical
 * loss; "logits and labels must have the same first dimension" is one-hot
 * labels for a sparse loss only when labels = batch x classes; a rank error
 * of the layer named like the model ("sequential", "model_1") is the input
 * array's; an index out of range inside a loss node is a label.
 */
static int redirect(fc_finding_code code, const match *m, const char *text)
{
    if (code == FC_LABEL_SHAPE_MISMATCH) {
        const char *want = first_of(m, "want_sample", "want_full", NULL);
        const char *y = first_of(m, "y_sample_legacy", "y_legacy", NULL);

        if (want != NULL && y != NULL && shape_rank(want) == shape_rank(y) && shape_last(y) == 1 &&
            shape_last(want) > 1)
            return FC_LABELS_SPARSE_FOR_CATEGORICAL;
    }
    if (code == FC_LABELS_ONE_HOT_FOR_SPARSE) {
        const char *b = value_of(m, "batch"), *u = value_of(m, "units"), *f = value_of(m, "flat");

        if (b != NULL && u != NULL && f != NULL && strtoll(f, NULL, 10) != strtoll(b, NULL, 10) * strtoll(u, NULL, 10))
            return FC_LABEL_SHAPE_MISMATCH;
    }
    if (code == FC_LAYER_INPUT_RANK) {
        const char *l = value_of(m, "layer");
        size_t k = 0;

        if (l != NULL && (strncmp(l, "sequential", 10) == 0 || strncmp(l, "model", 5) == 0 ||
                          strncmp(l, "functional", 10) == 0)) {
            k = strncmp(l, "model", 5) == 0 ? 5 : 10;
            while (l[k] == '_' || (l[k] >= '0' && l[k] <= '9'))
                k++;
            if (l[k] == '\0')
                return FC_INPUT_RANK_MISMATCH;
        }
    }
    if (code == FC_EMBEDDING_INDEX_OUT_OF_RANGE && mentions(text, "loss"))
        return FC_LABEL_OUT_OF_RANGE;
    return -1;
}

/*
 * Scores one template against the text into the full matches or the near
 * ones. A hint (a text other mistakes print too) that matches is a near one,
 * ranked by its score (above every text that does not match): offered as a
 * guess, never as a match.
 */
static void consider(size_t entry, size_t fw, const char *tmpl, int hint, const char *text, const char *framework,
                     match *m, scored *full, size_t *n_full, scored *partial, size_t *n_part, size_t cap)
{
    if (tmpl == NULL || tmpl[0] == '(' || (framework != NULL && strcmp(framework, frameworks[fw]) != 0))
        return;
    match_template(tmpl, text, m);
    if (hint && m->score >= 1.0) {
        if (*n_part < cap)
            partial[(*n_part)++] = (scored){entry, fw, tmpl, m->score, m->literal, 0, 0};
        return;
    }
    if (m->score >= 1.0 && *n_full < cap)
        full[(*n_full)++] = (scored){entry, fw, tmpl, m->score, m->found,
                                     values_fit((fc_finding_code)entry, m, text), m->truncated};
    else if (m->score > 0.3 && *n_part < cap)
        partial[(*n_part)++] = (scored){entry, fw, tmpl, m->score, m->literal, 0, 0};
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
            consider(i, fw, entry_text(e, fw), 0, text, framework, m, full, &n_full, part_best, &n_part,
                     MAX_CANDIDATES);
    }
    for (i = 0; i < FC_VARIANT_COUNT; i++) {
        const fc_variant *v = fc_variant_get((fc_variant_id)i);

        consider((size_t)v->code, fw_index(v->framework), v->text, fc_variant_is_hint(v), text, framework, m, full,
                 &n_full, part_best, &n_part, MAX_CANDIDATES);
    }
    /* Most specific first: more literal text matched is stronger evidence;
     * among equals, the code the captured values point at. */
    for (i = 1; i < n_full; i++) {
        scored t = full[i];

        for (k = i; k > 0 && (full[k - 1].literal + 24 * (size_t)full[k - 1].fits < t.literal + 24 * (size_t)t.fits ||
                              (full[k - 1].literal + 24 * (size_t)full[k - 1].fits == t.literal + 24 * (size_t)t.fits &&
                               full[k - 1].fits < t.fits));
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
    if (n_full > 0) {
        int to;

        match_template(full[0].tmpl, text, m);
        to = redirect((fc_finding_code)full[0].entry, m, text);
        if (to >= 0) {
            scored t = full[0];

            for (k = 0; k < n_full && full[k].entry != (size_t)to; k++)
                ;
            if (k == n_full && n_full < MAX_CANDIDATES)
                n_full++; /* a new entry: the same template, explained as the other code */
            else if (k == n_full)
                k = n_full - 1;
            t.entry = (size_t)to;
            memmove(full + 1, full, k * sizeof(full[0]));
            full[0] = t;
        }
    }
    for (i = 0; i < n_full; i++) {
        match_template(full[i].tmpl, text, m);
        if (json_array_append_new(matches, match_json((fc_finding_code)full[i].entry, full[i].fw,
                                                      m)) != 0)
            goto fail;
    }
    for (i = 0; n_full == 0 && i < n_part && i < 3; i++) {
        match_template(part_best[i].tmpl, text, m);
        if (json_array_append_new(nearest, match_json((fc_finding_code)part_best[i].entry,
                                                      part_best[i].fw, m)) != 0)
            goto fail;
    }
    fc_free(m);
    fc_free(full);
    fc_free(part_best);
    json_object_set_new(out, "matched", json_boolean(n_full > 0));
    json_object_set_new(out, "matches", matches);
    json_object_set_new(out, "nearest", nearest);
    /* No wording matched: the nearest entry, when most of its words are there, as a labelled guess. */
    if (n_full == 0 && json_array_size(nearest) > 0 &&
        json_number_value(json_object_get(json_array_get(nearest, 0), "score")) >= 0.5) {
        const json_t *top = json_array_get(nearest, 0);

        json_object_set_new(out, "guess", json_pack("{s:O, s:O, s:f, s:O, s:O}", "code", json_object_get(top, "code"),
                                                     "framework", json_object_get(top, "framework"), "confidence",
                                                     json_number_value(json_object_get(top, "score")), "title",
                                                     json_object_get(top, "title"), "href",
                                                     json_object_get(top, "href")));
    } else {
        json_object_set_new(out, "guess", json_null());
    }
    if (json_object_size(out) != 4) {
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
        } else if (p[0] == '*' && p[1] == '*') { /* Markdown bold around a pasted name */
            p += 2;
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
    if (json_object_size(*out) != 6) {
        json_decref(*out);
        *out = NULL;
        return fc_error_set(err, FC_ERR_NOMEM, "", "out of memory");
    }
    return FC_OK;
}
