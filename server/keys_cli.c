/*
 * keys_cli.c - `fitcheckd keys`: make, list and revoke the API keys of
 * --auth keys, in the database the server uses (it may be running: SQLite
 * serialises the writes, and the server sees a revocation within
 * FC_AUTH_TTL_MS).
 *
 *   fitcheckd keys create [--db PATH] (--team NAME | --admin) [--label TEXT]
 *   fitcheckd keys list   [--db PATH]
 *   fitcheckd keys revoke [--db PATH] ID
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "ids.h"
#include "keys.h"
#include "keys_cli.h"

static void keys_usage(FILE *out)
{
    fprintf(out,
            "Usage: fitcheckd keys create [--db PATH] (--team NAME | --admin) [--label TEXT]\n"
            "       fitcheckd keys list   [--db PATH]\n"
            "       fitcheckd keys revoke [--db PATH] ID\n"
            "API keys for --auth keys. create prints the new key on stdout, once: only a salted hash\n"
            "of it is stored. A team key reads and writes its team's reports (the team is made when\n"
            "it does not exist); an admin key reads /metrics. --db defaults to $FITCHECK_DB, else\n"
            "./var/fitcheck.db.\n");
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int create(fc_store *store, const char *team, int admin, const char *label)
{
    fc_api_key k;
    char text[FC_KEY_TEXT_LEN + 1], msg[256];
    int created = 0;

    memset(&k, 0, sizeof(k));
    if ((team == NULL) == !admin) {
        fprintf(stderr, "fitcheckd keys create: give --team NAME or --admin\n");
        return 2;
    }
    if (team != NULL && (team[0] == '\0' || strlen(team) > FC_TEAM_NAME_MAX)) {
        fprintf(stderr, "fitcheckd keys create: a team's name has 1 to %d bytes\n", FC_TEAM_NAME_MAX);
        return 2;
    }
    if (label != NULL && strlen(label) >= sizeof(k.label)) {
        fprintf(stderr, "fitcheckd keys create: --label has at most %zu bytes\n", sizeof(k.label) - 1);
        return 2;
    }
    if (team != NULL) {
        if (store->ops->team_ensure(store, team, 1, &k.team_id, &created, msg, sizeof(msg)) != FC_STORE_OK) {
            fprintf(stderr, "fitcheckd keys create: %s\n", msg);
            return 1;
        }
        snprintf(k.team, sizeof(k.team), "%s", team);
    }
    k.admin = admin;
    snprintf(k.label, sizeof(k.label), "%s", label ? label : "");
    k.created_ms = wall_ms();
    if (fc_key_generate(&k, text) != 0) {
        fprintf(stderr, "fitcheckd keys create: no randomness available\n");
        return 1;
    }
    if (store->ops->key_put(store, &k, msg, sizeof(msg)) != FC_STORE_OK) {
        fprintf(stderr, "fitcheckd keys create: %s\n", msg);
        return 1;
    }
    printf("%s\n", text);
    fflush(stdout);
    if (admin)
        fprintf(stderr, "created admin key %s (it reads /metrics). It is shown only now: keep it.\n", k.id);
    else
        fprintf(stderr, "created key %s for team \"%s\"%s. It is shown only now: keep it.\n", k.id, team,
                created ? " (a new team)" : "");
    memset(text, 0, sizeof(text));
    return 0;
}

static int print_key(void *ctx, const fc_api_key *k)
{
    char created[32], revoked[32];

    (void)ctx;
    fc_format_time_ms(k->created_ms, created);
    if (k->revoked_ms)
        fc_format_time_ms(k->revoked_ms, revoked);
    else
        snprintf(revoked, sizeof(revoked), "-");
    printf("%-16s  %-20s  %-5s  %-24s  %-24s  %s\n", k->id, k->admin ? "(admin)" : k->team, k->admin ? "admin" : "team",
           created, revoked, k->label);
    return 0;
}

static int list(fc_store *store)
{
    char msg[256];

    printf("%-16s  %-20s  %-5s  %-24s  %-24s  %s\n", "ID", "TEAM", "KIND", "CREATED", "REVOKED", "LABEL");
    if (store->ops->key_list(store, print_key, NULL, msg, sizeof(msg)) != FC_STORE_OK) {
        fprintf(stderr, "fitcheckd keys list: %s\n", msg);
        return 1;
    }
    return 0;
}

static int revoke(fc_store *store, const char *id)
{
    char msg[256] = "";

    switch (store->ops->key_revoke(store, id, wall_ms(), msg, sizeof(msg))) {
    case FC_STORE_OK:
        fprintf(stderr, "revoked key %s: the server refuses it within %d ms\n", id, FC_AUTH_TTL_MS);
        return 0;
    case FC_STORE_NOT_FOUND:
        fprintf(stderr, "fitcheckd keys revoke: no valid key %s (see fitcheckd keys list)\n", id);
        return 1;
    default:
        fprintf(stderr, "fitcheckd keys revoke: %s\n", msg);
        return 1;
    }
}

int fc_keys_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"team", required_argument, NULL, 't'},
        {"label", required_argument, NULL, 'l'}, {"admin", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *db = getenv("FITCHECK_DB") ? getenv("FITCHECK_DB") : "./var/fitcheck.db";
    const char *team = NULL, *label = NULL, *verb;
    char msg[512];
    fc_store *store;
    int c, admin = 0, ret;

    /* argv[0] is "keys", argv[1] the verb */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        keys_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    verb = argv[1];
    optind = 2;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 't':
            team = optarg;
            break;
        case 'l':
            label = optarg;
            break;
        case 'a':
            admin = 1;
            break;
        case 'h':
            keys_usage(stdout);
            return 0;
        default:
            keys_usage(stderr);
            return 2;
        }
    }
    if (strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "revoke") != 0) {
        fprintf(stderr, "fitcheckd keys: unknown command '%s'\n", verb);
        keys_usage(stderr);
        return 2;
    }
    if ((strcmp(verb, "revoke") == 0) != (optind == argc - 1) ||
        (strcmp(verb, "create") != 0 && (team != NULL || label != NULL || admin))) {
        keys_usage(stderr);
        return 2;
    }
    store = fc_store_open(db, 0, msg, sizeof(msg));
    if (store == NULL) {
        char shown[512];

        fc_store_display(db, shown, sizeof(shown));
        fprintf(stderr, "fitcheckd keys: database %s: %s\n", shown, msg);
        return 1;
    }
    if (strcmp(verb, "create") == 0)
        ret = create(store, team, admin, label);
    else if (strcmp(verb, "list") == 0)
        ret = list(store);
    else
        ret = revoke(store, argv[optind]);
    fc_store_close(store);
    return ret;
}
