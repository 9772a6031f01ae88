/*
 * findings_doc.c - writes docs/findings.md from the findings catalog
 * (core/findings.def), so the documentation cannot drift from the table:
 * the build regenerates it and a test compares it with the committed file.
 *
 *   findings_doc > docs/findings.md
 */
#include <stdio.h>
#include <string.h>

#include "fitcheck/findings.h"

/* Writes a template as a Markdown code span or block (multi-line texts get a block). */
static void text_block(const char *text)
{
    if (strchr(text, '\n') != NULL || strchr(text, '`') != NULL)
        printf("\n```text\n%s\n```\n\n", text);
    else
        printf("`%s`\n\n", text);
}

static void target(const char *label, const char *tmpl)
{
    printf("- **%s**: ", label);
    if (tmpl == NULL)
        printf("raises nothing.\n");
    else if (tmpl[0] == '(')
        printf("%s\n", tmpl);
    else
        text_block(tmpl);
}

int main(void)
{
    size_t i;

    printf("# Findings catalog\n\n");
    printf("Generated from `core/findings.def` by `tools/findings_doc.c`; do not edit by hand "
           "(the build regenerates it and a test fails when this file is stale).\n\n");
    printf("Codes are stable: rows are only ever appended. Texts are templates: `{name}` is filled with the "
           "finding's values; the API (`GET /v1/findings/{code}`) also gives each framework's text as a "
           "regular expression with named groups.\n\n");
    printf("| code | severity | title |\n|---|---|---|\n");
    for (i = 0; i < FC_FINDING_COUNT; i++) {
        const fc_catalog_entry *e = fc_catalog_get((fc_finding_code)i);

        char anchor[128];
        size_t k;

        /* GitHub's heading anchors are the lowercased heading */
        for (k = 0; e->code[k] != '\0' && k + 1 < sizeof(anchor); k++)
            anchor[k] = (char)(e->code[k] >= 'A' && e->code[k] <= 'Z' ? e->code[k] - 'A' + 'a' : e->code[k]);
        anchor[k] = '\0';
        printf("| [%s](#%s) | %s | %s |\n", e->code, anchor, fc_severity_name(e->severity), e->title);
    }
    for (i = 0; i < FC_FINDING_COUNT; i++) {
        const fc_catalog_entry *e = fc_catalog_get((fc_finding_code)i);

        printf("\n## %s\n\n", e->code);
        printf("**%s** (default severity: %s)\n\n", e->title, fc_severity_name(e->severity));
        printf("%s\n\n", e->explanation);
        printf("**Fix:** %s\n", e->fix_summary);
        text_block(e->fix_code);
        {
            const char *js_summary, *js_code;

            fc_catalog_fix((fc_finding_code)i, FC_FW_TFJS, &js_summary, &js_code);
            if (js_code != e->fix_code) {
                printf("**Fix (TF.js):** %s\n", js_summary);
                text_block(js_code);
            }
        }
        printf("**What each framework prints:**\n\n");
        target("Keras 3", e->error_keras3);
        target("tf.keras 2", e->error_tfkeras2);
        target("TF.js", e->error_tfjs);
        printf("\n**Checked against:** %s\n", e->reference);
    }
    return 0;
}
