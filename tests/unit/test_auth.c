/*
 * test_auth.c - server/keys.c (key text, generation, salted hash) and
 * server/auth.c (bearer keys against a real store, kinds of key per route,
 * revocation after the cache's TTL, the token bucket and the in-flight cap).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "keys.h"
#include "store.h"

typedef struct fixture {
    char dir[64];
    char path[128];
    fc_store *store;
    char team_key[FC_KEY_TEXT_LEN + 1];  /* team "alpha" */
    char other_key[FC_KEY_TEXT_LEN + 1]; /* team "beta" */
    char admin_key[FC_KEY_TEXT_LEN + 1];
    fc_api_key team, other, admin;
} fixture;

static void make_key(fixture *fx, const char *team, int admin, fc_api_key *k, char *text)
{
    char msg[256];
    int created;

    memset(k, 0, sizeof(*k));
    if (!admin)
        assert_int_equal(fx->store->ops->team_ensure(fx->store, team, 1, &k->team_id, &created, msg, sizeof(msg)),
                         FC_STORE_OK);
    k->admin = admin;
    k->created_ms = 1;
    assert_int_equal(fc_key_generate(k, text), 0);
    assert_int_equal(fx->store->ops->key_put(fx->store, k, msg, sizeof(msg)), FC_STORE_OK);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    char msg[256];

    if (fx == NULL)
        return -1;
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/fc_test_auth_XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/auth.db", fx->dir);
    fx->store = fc_store_open(fx->path, 0, msg, sizeof(msg));
    if (fx->store == NULL)
        return -1;
    make_key(fx, "alpha", 0, &fx->team, fx->team_key);
    make_key(fx, "beta", 0, &fx->other, fx->other_key);
    make_key(fx, NULL, 1, &fx->admin, fx->admin_key);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char file[192];
    static const char *const suffix[] = {"", "-wal", "-shm"};
    size_t i;

    fc_store_close(fx->store);
    for (i = 0; i < 3; i++) {
        snprintf(file, sizeof(file), "%s%s", fx->path, suffix[i]);
        unlink(file);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void bearer(char *out, size_t size, const char *key)
{
    snprintf(out, size, "Bearer %s", key);
}

/* The text form: made keys parse back, anything else is refused; only the right secret matches. */
static void test_auth__key_text(void **state)
{
    static const char *const bad[] = {
        "",
        "fck_",
        "fck_0123456789abcdef_",
        "fck_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  /* uppercase id */
        "fcx_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  /* prefix */
        "fck_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   /* 42 */
        "fck_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 44 */
        "fck_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  /* not base64url */
        "fck_0123456789abcdef-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  /* separator */
    };
    fixture *fx = *state;
    char id[FC_KEY_ID_LEN + 1], secret[FC_KEY_SECRET_LEN + 1];
    fc_api_key k;
    char text[FC_KEY_TEXT_LEN + 1], again[FC_KEY_TEXT_LEN + 1];
    size_t i;

    memset(&k, 0, sizeof(k));
    assert_int_equal(fc_key_generate(&k, text), 0);
    assert_int_equal(strlen(text), FC_KEY_TEXT_LEN);
    assert_int_equal(fc_key_parse(text, id, secret), 0);
    assert_string_equal(id, k.id);
    assert_true(fc_key_matches(&k, secret));
    secret[0] = secret[0] == 'A' ? 'B' : 'A';
    assert_false(fc_key_matches(&k, secret));
    assert_int_equal(strlen(k.salt), 32);
    assert_int_equal(strlen(k.hash), 64);
    assert_null(strstr(k.hash, secret + 1)); /* the hash is not the secret */
    {
        fc_api_key k2;

        memset(&k2, 0, sizeof(k2));
        assert_int_equal(fc_key_generate(&k2, again), 0);
        assert_string_not_equal(text, again);
        assert_string_not_equal(k.salt, k2.salt);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (fc_key_parse(bad[i], id, secret) == 0)
            fail_msg("'%s' parsed as a key", bad[i]);
    }
    (void)fx;
}

static void test_auth__none_lets_everyone_in(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_NONE, .rate = 1, .burst = 1, .inflight = 1};
    fc_auth *a = fc_auth_new(&cfg, fx->store);
    fc_principal who;
    unsigned retry;
    int i;

    for (i = 0; i < 5; i++) {
        assert_int_equal(fc_auth_check(a, NULL, FC_NEED_TEAM, 1, 1000, &who, &retry), FC_AUTH_OK);
        assert_int_equal(who.team_id, 0);
        assert_string_equal(who.key_id, "");
        assert_int_equal(fc_auth_check(a, NULL, FC_NEED_ADMIN, 0, 1000, &who, &retry), FC_AUTH_OK);
    }
    fc_auth_free(a);
}

static void test_auth__keys_by_kind(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS};
    fc_auth *a = fc_auth_new(&cfg, fx->store);
    char h[128], wrong[FC_KEY_TEXT_LEN + 1];
    fc_principal who;
    unsigned retry;

    assert_int_equal(fc_auth_check(a, NULL, FC_NEED_NOTHING, 0, 0, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, NULL, FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_MISSING);
    assert_int_equal(fc_auth_check(a, "Basic dXNlcjpwdw==", FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_MISSING);
    assert_int_equal(fc_auth_check(a, "Bearer nonsense", FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_INVALID);
    /* a well-formed key nobody made */
    assert_int_equal(fc_auth_check(a, "Bearer fck_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   FC_NEED_TEAM, 0, 0, &who, &retry),
                     FC_AUTH_INVALID);
    /* a real id with another secret */
    snprintf(wrong, sizeof(wrong), "%s", fx->team_key);
    wrong[FC_KEY_TEXT_LEN - 1] = wrong[FC_KEY_TEXT_LEN - 1] == 'A' ? 'B' : 'A';
    bearer(h, sizeof(h), wrong);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_INVALID);

    bearer(h, sizeof(h), fx->team_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_OK);
    assert_int_equal(who.team_id, fx->team.team_id);
    assert_string_equal(who.key_id, fx->team.id);
    assert_int_equal(fc_auth_check(a, "bearer   x", FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_INVALID);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_ADMIN, 0, 0, &who, &retry), FC_AUTH_FORBIDDEN);
    bearer(h, sizeof(h), fx->other_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_OK);
    assert_int_equal(who.team_id, fx->other.team_id);
    assert_int_not_equal(fx->other.team_id, fx->team.team_id);
    bearer(h, sizeof(h), fx->admin_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_ADMIN, 0, 0, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_FORBIDDEN);
    fc_auth_free(a);
}

/* A revoked key works until the cached entry is FC_AUTH_TTL_MS old, then never again. */
static void test_auth__revocation_after_ttl(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS};
    fc_auth *a = fc_auth_new(&cfg, fx->store);
    char h[128], msg[256];
    fc_principal who;
    unsigned retry;

    bearer(h, sizeof(h), fx->team_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 10000, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fx->store->ops->key_revoke(fx->store, fx->team.id, 1, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 10000 + FC_AUTH_TTL_MS - 1, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 10000 + FC_AUTH_TTL_MS, &who, &retry), FC_AUTH_INVALID);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 10000 + 10 * FC_AUTH_TTL_MS, &who, &retry),
                     FC_AUTH_INVALID);
    fc_auth_free(a);
}

/* 2 requests a second in bursts of 3: the fourth at once waits a second; half a second later one more goes. */
static void test_auth__token_bucket(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS, .rate = 2, .burst = 3};
    fc_auth *a = fc_auth_new(&cfg, fx->store);
    char h[128], o[128];
    fc_principal who;
    unsigned retry = 99;
    int i;

    bearer(h, sizeof(h), fx->team_key);
    bearer(o, sizeof(o), fx->other_key);
    for (i = 0; i < 3; i++)
        assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 5000, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 5000, &who, &retry), FC_AUTH_RATE_LIMITED);
    assert_int_equal(retry, 1);
    assert_int_equal(fc_auth_check(a, o, FC_NEED_TEAM, 0, 5000, &who, &retry), FC_AUTH_OK); /* per key */
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 5500, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 5500, &who, &retry), FC_AUTH_RATE_LIMITED);
    /* a long pause refills to the burst, not beyond */
    for (i = 0; i < 3; i++)
        assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 600000, &who, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 600000, &who, &retry), FC_AUTH_RATE_LIMITED);
    fc_auth_free(a);
}

/* Two bodies in flight per key: the third waits until one is done; GETs are not counted. */
static void test_auth__inflight_cap(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS, .inflight = 2};
    fc_auth *a = fc_auth_new(&cfg, fx->store);
    char h[128];
    fc_principal w1, w2, w3;
    unsigned retry;

    bearer(h, sizeof(h), fx->team_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w1, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w2, &retry), FC_AUTH_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w3, &retry), FC_AUTH_BUSY);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 0, &w3, &retry), FC_AUTH_OK);
    fc_auth_done(a, &w3); /* holds nothing: no effect */
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w3, &retry), FC_AUTH_BUSY);
    fc_auth_done(a, &w1);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w3, &retry), FC_AUTH_OK);
    fc_auth_done(a, &w2);
    fc_auth_done(a, &w3);
    fc_auth_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_auth__key_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__none_lets_everyone_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__keys_by_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__revocation_after_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__token_bucket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__inflight_cap, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
