/*
 * cli_remote.c - the request posted to a fitcheckd (libcurl), see cli.h.
 *
 * The arrays travel as their headers and statistics (what the .npy files
 * were read into here), never as data: a preflight of a 40 GB dataset
 * sends a few kilobytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"

#define MAX_ANSWER (64u << 20)

typedef struct answer {
    char *data;
    size_t len, cap;
    int too_large;
} answer;

static size_t on_data(char *ptr, size_t size, size_t n, void *ctx)
{
    answer *a = ctx;
    size_t add = size * n;

    if (a->len + add + 1 > MAX_ANSWER) {
        a->too_large = 1;
        return 0;
    }
    if (a->len + add + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 16384;
        char *p;

        while (cap < a->len + add + 1)
            cap *= 2;
        p = realloc(a->data, cap);
        if (p == NULL)
            return 0;
        a->data = p;
        a->cap = cap;
    }
    memcpy(a->data + a->len, ptr, add);
    a->len += add;
    a->data[a->len] = '\0';
    return add;
}

/* msg = "the server answered 400 Invalid request: <detail> (at <pointer>)" from a problem+json body. */
static void problem_text(long status, const json_t *problem, char *msg, size_t size)
{
    const char *title = json_string_value(json_object_get(problem, "title"));
    const char *detail = json_string_value(json_object_get(problem, "detail"));
    const char *pointer = json_string_value(json_object_get(problem, "pointer"));
    const char *parameter = json_string_value(json_object_get(problem, "parameter"));

    snprintf(msg, size, "the server answered %ld%s%s%s%s%s%s%s", status, title ? " " : "", title ? title : "",
             detail ? ": " : "", detail ? detail : "", pointer || parameter ? " (at " : "",
             pointer ? pointer : parameter ? parameter : "", pointer || parameter ? ")" : "");
}

cli_remote_status cli_remote_preflight(const char *server, const char *key, const json_t *request, json_t **report,
                                       char *msg, size_t size)
{
    CURL *curl;
    struct curl_slist *headers = NULL;
    char url[2048], auth[600], errbuf[CURL_ERROR_SIZE] = "";
    char *body;
    answer a = {0};
    long status = 0;
    CURLcode rc;
    cli_remote_status result = CLI_REMOTE_FAILED;
    json_t *parsed;
    size_t n = strlen(server);

    *report = NULL;
    while (n > 0 && server[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s/v1/preflight", (int)n, server);
    body = json_dumps(request, JSON_COMPACT);
    curl = curl_easy_init();
    if (body == NULL || curl == NULL) {
        snprintf(msg, size, "out of memory");
        goto done;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json, application/problem+json");
    if (key != NULL && key[0] != '\0') {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
        headers = curl_slist_append(headers, auth);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "fitcheck-cli/" FITCHECK_VERSION);
    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        snprintf(msg, size, "cannot reach %s: %s", url,
                 a.too_large ? "the answer is larger than 64 MiB" : errbuf[0] ? errbuf : curl_easy_strerror(rc));
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    parsed = a.data != NULL ? json_loadb(a.data, a.len, 0, NULL) : NULL;
    if (status == 201 || status == 200) {
        if (json_is_object(parsed) && json_is_array(json_object_get(parsed, "findings"))) {
            *report = parsed;
            result = CLI_REMOTE_OK;
        } else {
            snprintf(msg, size, "%s answered %ld with something that is not a report", url, status);
            json_decref(parsed);
        }
        goto done;
    }
    problem_text(status, parsed, msg, size);
    json_decref(parsed);
    result = status >= 400 && status < 500 && status != 429 ? CLI_REMOTE_REFUSED : CLI_REMOTE_FAILED;

done:
    curl_slist_free_all(headers);
    if (curl != NULL)
        curl_easy_cleanup(curl);
    free(body);
    free(a.data);
    return result;
}
