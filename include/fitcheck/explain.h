/*
 * explain.h - from an error text a user pasted (a traceback or just its last
 * line) back to the catalog: which finding it is, the values in it, why it
 * happens and how to fix it.
 */
#ifndef FITCHECK_EXPLAIN_H
#define FITCHECK_EXPLAIN_H

#include <jansson.h>

#include "fitcheck/error.h"

/* Only this many bytes of a pasted text are matched: its first and last halves (a Python
 * error ends a traceback; a TF.js message comes before its tensor dump). */
#define FC_EXPLAIN_MAX_TEXT 16384

/*
 * Matches text against every catalog entry's error text for every
 * framework (or only `framework` when it names one: "keras3", "tf.keras2",
 * "tfjs"). A template matches when its literal parts appear in the text in
 * order; the text between them is the value of the placeholder they
 * surround ("…" and "..." in a template match anything).
 *
 * Returns a new object {"matched": bool, "matches": [...], "nearest": [...]}:
 * matches are the full matches, most specific first, each
 * {"code", "framework", "score", "values": {...}, "title", "explanation",
 *  "fixes": [{"summary", "code"}], "href"} with the explanation and fixes
 * filled from the values (and from values derived from them, e.g. the
 * sample shape of an expected shape); nearest are the best partial matches
 * when nothing matched fully (score < 1), never presented as a match.
 * Of a longer text, only the first and last FC_EXPLAIN_MAX_TEXT / 2 bytes are read. NULL when out
 * of memory.
 */
json_t *fc_explain_text(const char *text, const char *framework);

/*
 * The whole POST /v1/explain: body {"error": text, "framework"?} plus,
 * optionally, a preflight request's members ("model", "data", ...): then the
 * preflight runs too and the response gains "preflight" (its verdict and
 * findings) and "produced_by" (the code of the finding whose error text
 * matches the pasted one, or null). FC_ERR_INVALID (with err->path) for a
 * body of the wrong shape; the preflight's own errors as fc_preflight_run.
 */
fc_status fc_explain_run(const json_t *body, json_t **out, fc_error *err);

#endif
