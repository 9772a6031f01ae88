/*
 * handlers_static.c - the dashboard: GET / (its page) and GET /dashboard/{file}
 * (its script and style), from the files embedded at build time. They hold
 * no data (the page reads the /v1 routes with the key the user types), so
 * they are open, and cached by ETag.
 */
#include <string.h>

#include "respond.h"
#include "routes.h"
#include "static_files.h"

static const fc_static_file *find_file(const char *name)
{
    size_t i;

    for (i = 0; i < fc_static_files_count; i++) {
        if (strcmp(fc_static_files[i].name, name) == 0)
            return &fc_static_files[i];
    }
    return NULL;
}

static enum MHD_Result serve(fc_req *r, const char *name)
{
    const fc_static_file *f = find_file(name);

    if (f == NULL)
        return fc_respond_problem(r, MHD_HTTP_NOT_FOUND, FC_PROBLEM_NOT_FOUND, "Not found",
                                  "no such file in the dashboard", NULL, NULL);
    return fc_respond_cacheable(r, f->content_type, f->bytes, f->len, NULL);
}

enum MHD_Result fc_handle_dashboard(fc_req *r)
{
    return serve(r, "index.html");
}

enum MHD_Result fc_handle_dashboard_file(fc_req *r)
{
    if (strcmp(r->param, "index.html") == 0)
        return serve(r, "index.html");
    return serve(r, r->param);
}
