/*
 * store.c - engine-independent entry points of the report store.
 */
#include "store.h"
#include "store_migrations.h"

#include <stdio.h>
#include <string.h>

int fc_store_is_postgres(const char *location)
{
    return location != NULL && (strncmp(location, "postgres://", 11) == 0 || strncmp(location, "postgresql://", 13) == 0);
}

void fc_store_display(const char *location, char *out, size_t size)
{
    const char *auth, *at = NULL, *colon;
    size_t n, i;

    if (!fc_store_is_postgres(location)) {
        snprintf(out, size, "%s", location ? location : "");
        return;
    }
    /* the user info is the authority's part before its last '@'; an '@' in the path or the query is not it */
    auth = strstr(location, "://") + 3;
    n = strcspn(auth, "/?#");
    for (i = 0; i < n; i++)
        if (auth[i] == '@')
            at = auth + i;
    colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon == NULL) {
        snprintf(out, size, "%s", location);
        return;
    }
    snprintf(out, size, "%.*s:***%s", (int)(colon - location), location, at);
}

fc_store *fc_store_open(const char *location, int max_version, char *msg, size_t msg_size)
{
    if (fc_store_is_postgres(location))
        return fc_store_pg_open(location, max_version, msg, msg_size);
    return fc_store_sqlite_open(location, max_version, msg, msg_size);
}

void fc_store_close(fc_store *store)
{
    if (store != NULL)
        store->ops->close(store);
}

int fc_store_latest_version(void)
{
    return fc_migrations_count ? fc_migrations[fc_migrations_count - 1].version : 0;
}
