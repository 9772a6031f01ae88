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
#include <pthread.h>
#include <semaphore.h>
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

/* A store that passes everything to the real one, but can hold one key_get after it has read, until released:
 * to make two reads of one key overlap in the order that used to bring a revoked key back. */
typedef struct slow_store {
    fc_store base; /* must be first */
    fc_store_ops ops;
    fc_store *real;
    int hold_next;       /* the next key_get is held */
    int reads;           /* key_get calls */
    sem_t read_done;     /* posted once the held read has its answer */
    sem_t release;       /* lets it return */
} slow_store;

static fc_store_status slow_key_get(fc_store *base, const char *id, fc_api_key *out, char *msg, size_t size)
{
    slow_store *s = (slow_store *)base;
    fc_store_status st = s->real->ops->key_get(s->real, id, out, msg, size);

    __atomic_add_fetch(&s->reads, 1, __ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&s->hold_next, 0, __ATOMIC_SEQ_CST)) {
        sem_post(&s->read_done);
        sem_wait(&s->release);
    }
    return st;
}

typedef struct check_call {
    fc_auth *a;
    const char *header;
    int64_t now_ms;
    fc_auth_result result;
} check_call;

static void *check_in_thread(void *arg)
{
    check_call *c = arg;
    fc_principal who;
    unsigned retry;

    c->result = fc_auth_check(c->a, c->header, FC_NEED_TEAM, 0, c->now_ms, &who, &retry);
    return NULL;
}

/*
 * Two first reads of a key overlap: A reads it valid and is held, the key is
 * revoked, B reads it revoked. When A's older answer lands last it must not
 * bring the key back.
 */
static void test_auth__revocation_survives_overlapping_reads(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS};
    slow_store slow;
    fc_auth *a;
    char h[128], msg[256];
    check_call first;
    pthread_t t;
    fc_principal who;
    unsigned retry;

    memset(&slow, 0, sizeof(slow));
    slow.real = fx->store;
    slow.ops = *fx->store->ops;
    slow.ops.key_get = slow_key_get;
    slow.base.ops = &slow.ops;
    sem_init(&slow.read_done, 0, 0);
    sem_init(&slow.release, 0, 0);
    a = fc_auth_new(&cfg, &slow.base);
    bearer(h, sizeof(h), fx->team_key);

    slow.hold_next = 1;
    first = (check_call){.a = a, .header = h, .now_ms = 1000};
    assert_int_equal(pthread_create(&t, NULL, check_in_thread, &first), 0);
    sem_wait(&slow.read_done); /* A has read the key valid */
    assert_int_equal(fx->store->ops->key_revoke(fx->store, fx->team.id, 2, msg, sizeof(msg)), FC_STORE_OK);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 1001, &who, &retry), FC_AUTH_INVALID); /* B */
    sem_post(&slow.release);
    pthread_join(t, NULL);
    assert_int_equal(first.result, FC_AUTH_INVALID);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 1002, &who, &retry), FC_AUTH_INVALID);
    fc_auth_free(a);
    sem_destroy(&slow.read_done);
    sem_destroy(&slow.release);
}

/* While one thread refreshes a stale key, the others go on with what was read last, and do not read too. */
static void test_auth__one_refresh_at_a_time(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS};
    slow_store slow;
    fc_auth *a;
    char h[128];
    check_call first;
    pthread_t t;
    fc_principal who;
    unsigned retry;

    memset(&slow, 0, sizeof(slow));
    slow.real = fx->store;
    slow.ops = *fx->store->ops;
    slow.ops.key_get = slow_key_get;
    slow.base.ops = &slow.ops;
    sem_init(&slow.read_done, 0, 0);
    sem_init(&slow.release, 0, 0);
    a = fc_auth_new(&cfg, &slow.base);
    bearer(h, sizeof(h), fx->team_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, 0, &who, &retry), FC_AUTH_OK);

    slow.hold_next = 1;
    first = (check_call){.a = a, .header = h, .now_ms = FC_AUTH_TTL_MS};
    assert_int_equal(pthread_create(&t, NULL, check_in_thread, &first), 0);
    sem_wait(&slow.read_done);
    assert_int_equal(__atomic_load_n(&slow.reads, __ATOMIC_SEQ_CST), 2);
    /* the key is stale and being read: this check answers from the entry, without a read of its own */
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 0, FC_AUTH_TTL_MS + 1, &who, &retry), FC_AUTH_OK);
    assert_int_equal(__atomic_load_n(&slow.reads, __ATOMIC_SEQ_CST), 2);
    sem_post(&slow.release);
    pthread_join(t, NULL);
    assert_int_equal(first.result, FC_AUTH_OK);
    fc_auth_free(a);
    sem_destroy(&slow.read_done);
    sem_destroy(&slow.release);
}

/* A request refused for the in-flight cap spends no token of the key's rate. */
static void test_auth__busy_spends_no_token(void **state)
{
    fixture *fx = *state;
    fc_auth_config cfg = {.mode = FC_AUTH_KEYS, .inflight = 1, .rate = 1, .burst = 2};
    fc_auth *a = fc_auth_new(&cfg, fx->store);
    char h[128];
    fc_principal w1, w2;
    unsigned retry;
    int i;

    bearer(h, sizeof(h), fx->team_key);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w1, &retry), FC_AUTH_OK); /* token 1 of 2 */
    for (i = 0; i < 5; i++)
        assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w2, &retry), FC_AUTH_BUSY);
    fc_auth_done(a, &w1);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w2, &retry), FC_AUTH_OK); /* token 2 */
    fc_auth_done(a, &w2);
    assert_int_equal(fc_auth_check(a, h, FC_NEED_TEAM, 1, 0, &w2, &retry), FC_AUTH_RATE_LIMITED);
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
        cmocka_unit_test_setup_teardown(test_auth__revocation_survives_overlapping_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__one_refresh_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth__busy_spends_no_token, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
