/*
 * fixture_json.h - the unit tests' JSON fixtures, written with ' for " so
 * they read well inside C strings. Include after <cmocka.h>.
 */
#ifndef FITCHECK_TEST_FIXTURE_JSON_H
#define FITCHECK_TEST_FIXTURE_JSON_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Parses text with every ' read as " (no fixture has a quote in a value); fails the test when it does not parse. */
static inline json_t *fixture_json(const char *text)
{
    char *copy = strdup(text), *p;
    json_error_t jerr;
    json_t *v;

    assert_non_null(copy);
    for (p = copy; *p != '\0'; p++) {
        if (*p == '\'')
            *p = '"';
    }
    v = json_loads(copy, JSON_DECODE_ANY, &jerr);
    if (v == NULL)
        fail_msg("fixture does not parse: %s in %s", jerr.text, copy);
    free(copy);
    return v;
}

#endif
