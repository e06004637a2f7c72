/* users.c — the account store: accounts in memory, indexed by the comparison key of their login
 * name (uname_key), journaled to "users.journal" as whole-account records and deletions,
 * rewritten without dead records at open and as they pile up. */
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "fsys.h"
#include "strmap.h"
#include "uname.h"

#define REC_PUT 1u
#define REC_DELETE 2u

/* Rewrite the journal when it holds this many times more records than accounts (plus slack),
 * as bans.c does. */
#define COMPACT_FACTOR 4u
#define COMPACT_MIN 64u

#define KEY_CAP UNAME_KEY_CAP(USERS_LOGIN_MAX)

typedef struct account {
    user_info info;
    char key[KEY_CAP];
    uint64_t seen_on_disk; /* last_seen_ms as the journal has it */
} account;

struct users {
    journal *j;
    fsys_lock *lock;
    strmap by_key; /* key -> account (owned) */
    size_t count;
    buf enc; /* scratch for encoding records */
};

/* The wire numbers its roles as user_role does; proto_account_role_name names them. */
#define ROLE_COUNT (PROTO_ACCOUNT_ROLE_MAX + 1u)

const char *users_role_name(user_role r)
{
    return (unsigned)r < ROLE_COUNT ? proto_account_role_name((uint8_t)r) : "?";
}

int users_role_alerts(user_role r)
{
    return r == USER_ROLE_OPERATOR || r == USER_ROLE_ADMIN || r == USER_ROLE_ALERT;
}

int users_role_parse(const char *s, user_role *out)
{
    unsigned i;
    for (i = 0; i < ROLE_COUNT; i++)
        if (strcmp(s, proto_account_role_name((uint8_t)i)) == 0) {
            *out = (user_role)i;
            return 0;
        }
    return -1;
}

/* The account for any spelling of name, or NULL. */
static account *find(const users *u, const char *name)
{
    char key[UNAME_KEY_CAP(UNAME_MAX_INPUT)];
    if (uname_key(name, strlen(name), key, sizeof key) != 0)
        return NULL;
    return strmap_get(&u->by_key, key);
}

static int valid_verifier(const scram_verifier *v)
{
    return v->salt_len > 0 && v->salt_len <= SCRAM_SALT_MAX &&
           v->iterations >= SCRAM_ITERATIONS_MIN && v->iterations <= SCRAM_ITERATIONS_MAX &&
           !v->decoy;
}

/* Fills a (login and display checked and normalised, key computed). */
static int make_account(account *a, const char *login, size_t login_len, const char *display,
                        size_t display_len, user_role role, int disabled,
                        const scram_verifier *v, uint64_t created_ms, uint64_t last_seen_ms,
                        char *err, size_t err_size)
{
    char why[160];
    memset(a, 0, sizeof *a);
    if (uname_prepare(login, login_len, UNAME_NICK, a->info.login, sizeof a->info.login, why,
                      sizeof why) != 0) {
        snprintf(err, err_size, "users: login name '%.*s': %s", (int)(login_len > 64 ? 64 : login_len),
                 login, why);
        return -1;
    }
    if (display_len == 0) {
        memcpy(a->info.display, a->info.login, sizeof a->info.login);
    } else if (uname_prepare(display, display_len, UNAME_DISPLAY, a->info.display,
                             sizeof a->info.display, why, sizeof why) != 0) {
        snprintf(err, err_size, "users: display name: %s", why);
        return -1;
    }
    if ((unsigned)role > USER_ROLE_ALERT) {
        snprintf(err, err_size, "users: unknown role %d", (int)role);
        return -1;
    }
    if (!valid_verifier(v)) {
        snprintf(err, err_size, "users: unusable password verifier");
        return -1;
    }
    if (uname_key(a->info.login, strlen(a->info.login), a->key, sizeof a->key) != 0) {
        snprintf(err, err_size, "users: login name has no comparison key");
        return -1;
    }
    a->info.role = role;
    a->info.disabled = disabled != 0;
    a->info.verifier = *v;
    a->info.created_ms = created_ms;
    a->info.last_seen_ms = last_seen_ms;
    return 0;
}

/* ---- journal records ------------------------------------------------------------------ */

/* Put: u8 REC_PUT, u8 role, u8 disabled, u64 created_ms, u64 last_seen_ms, u8 len + login,
 * u8 len + display, u8 len + salt, u32 iterations, 32 bytes StoredKey, 32 bytes ServerKey.
 * Delete: u8 REC_DELETE, u8 len + login. Big-endian. */
static int encode_put(buf *e, const user_info *i)
{
    size_t ll = strlen(i->login), dl = strlen(i->display);
    buf_reset(e);
    buf_put_u8(e, REC_PUT);
    buf_put_u8(e, (uint8_t)i->role);
    buf_put_u8(e, (uint8_t)(i->disabled != 0));
    buf_put_u64(e, i->created_ms);
    buf_put_u64(e, i->last_seen_ms);
    buf_put_u8(e, (uint8_t)ll);
    buf_append(e, i->login, ll);
    buf_put_u8(e, (uint8_t)dl);
    buf_append(e, i->display, dl);
    buf_put_u8(e, (uint8_t)i->verifier.salt_len);
    buf_append(e, i->verifier.salt, i->verifier.salt_len);
    buf_put_u32(e, i->verifier.iterations);
    buf_append(e, i->verifier.stored_key, SCRAM_KEY_SIZE);
    buf_append(e, i->verifier.server_key, SCRAM_KEY_SIZE);
    return buf_failed(e) ? -1 : 0;
}

static int encode_delete(buf *e, const char *login)
{
    size_t ll = strlen(login);
    buf_reset(e);
    buf_put_u8(e, REC_DELETE);
    buf_put_u8(e, (uint8_t)ll);
    buf_append(e, login, ll);
    return buf_failed(e) ? -1 : 0;
}

/* Stores a copy of a, replacing the account with the same key. -1 if out of memory. */
static int put_account(users *u, const account *a)
{
    account *old = strmap_get(&u->by_key, a->key), *copy;
    if (old) {
        *old = *a;
        return 0;
    }
    if (!(copy = malloc(sizeof *copy)))
        return -1;
    *copy = *a;
    if (strmap_put(&u->by_key, a->key, copy) != 0) {
        free(copy);
        return -1;
    }
    u->count++;
    return 0;
}

static void drop_account(users *u, const char *key)
{
    account *a = strmap_del(&u->by_key, key);
    if (a) {
        crypto_wipe(a, sizeof *a);
        free(a);
        u->count--;
    }
}

/* journal_scan_fn: replays one record. A record that does not parse or check is skipped: a
 * valid CRC makes that unlikely, and one bad account must not keep the server from starting. */
static int load_record(void *user, const uint8_t *payload, size_t n)
{
    users *u = user;
    rd in;
    uint8_t type, role = 0, disabled = 0, len;
    const char *login, *display = NULL;
    size_t display_len = 0;
    uint64_t created = 0, seen = 0;
    scram_verifier v;
    account a;
    char err[200];

    memset(&v, 0, sizeof v);
    rd_init(&in, payload, n);
    type = rd_u8(&in);
    if (type == REC_PUT) {
        role = rd_u8(&in);
        disabled = rd_u8(&in);
        created = rd_u64(&in);
        seen = rd_u64(&in);
    } else if (type != REC_DELETE) {
        return 0;
    }
    len = rd_u8(&in);
    login = (const char *)rd_view(&in, len);
    if (type == REC_DELETE) {
        char key[KEY_CAP];
        if (rd_ok(&in) && rd_left(&in) == 0 && login && uname_key(login, len, key, sizeof key) == 0)
            drop_account(u, key);
        return 0;
    }
    display_len = rd_u8(&in);
    display = (const char *)rd_view(&in, display_len);
    v.salt_len = rd_u8(&in);
    if (v.salt_len > SCRAM_SALT_MAX)
        return 0;
    rd_bytes(&in, v.salt, v.salt_len);
    v.iterations = rd_u32(&in);
    rd_bytes(&in, v.stored_key, SCRAM_KEY_SIZE);
    rd_bytes(&in, v.server_key, SCRAM_KEY_SIZE);
    if (!rd_ok(&in) || rd_left(&in) != 0 || !login || disabled > 1)
        return 0;
    if (make_account(&a, login, len, display, display_len, (user_role)role, disabled, &v,
                     created, seen, err, sizeof err) != 0)
        return 0;
    /* Stored logins are NFC already; one that is not did not come from users_add. */
    if (strlen(a.info.login) != len || memcmp(a.info.login, login, len) != 0)
        return 0;
    a.seen_on_disk = seen;
    return put_account(u, &a);
}

/* journal_iter_fn: one put record per account. */
static int emit_all(void *user, journal_emit_fn emit, void *emit_ctx)
{
    users *u = user;
    size_t pos = 0;
    const char *key;
    void *value;

    while (strmap_next(&u->by_key, &pos, &key, &value)) {
        account *a = value;
        if (encode_put(&u->enc, &a->info) != 0 || emit(emit_ctx, u->enc.data, u->enc.len) != 0)
            return -1;
    }
    return 0;
}

/* Rewrites the journal with the live accounts. A failure is not reported: the old journal is
 * still right, only longer, and the next open or change tries again. */
static int compact(users *u)
{
    char ignored[256];
    size_t pos = 0;
    const char *key;
    void *value;

    if (journal_rewrite(u->j, emit_all, u, ignored, sizeof ignored) != 0)
        return -1;
    while (strmap_next(&u->by_key, &pos, &key, &value)) {
        account *a = value;
        a->seen_on_disk = a->info.last_seen_ms;
    }
    return 0;
}

static void maybe_compact(users *u)
{
    uint64_t records = journal_records(u->j);
    if (records >= COMPACT_MIN && records > (uint64_t)u->count * COMPACT_FACTOR)
        compact(u);
}

/* Persists a as the new state of its account, then stores it in memory. */
static int commit(users *u, const account *a, char *err, size_t err_size)
{
    account *slot = strmap_get(&u->by_key, a->key);
    int fresh = slot == NULL;

    if (fresh) {
        /* Room in memory first, so that nothing on disk is missing from memory. */
        if (!(slot = calloc(1, sizeof *slot)) || strmap_put(&u->by_key, a->key, slot) != 0) {
            free(slot);
            snprintf(err, err_size, "users: out of memory");
            return -1;
        }
        u->count++;
    }
    if (encode_put(&u->enc, &a->info) != 0) {
        snprintf(err, err_size, "users: out of memory");
        goto fail;
    }
    if (journal_append(u->j, u->enc.data, u->enc.len, err, err_size) != 0)
        goto fail;
    *slot = *a;
    slot->seen_on_disk = a->info.last_seen_ms;
    maybe_compact(u);
    return 0;

fail:
    if (fresh)
        drop_account(u, a->key);
    return -1;
}

/* ---- public API ----------------------------------------------------------------------- */

users *users_open(const char *dir, journal_recovery *rec, int *busy, char *err, size_t err_size)
{
    char path[SERVER_PATH_MAX + 32];
    users *u;
    int rc;

    if (busy)
        *busy = 0;
    if (fsys_mkdirs(dir, err, err_size) != 0)
        return NULL;
    if (!(u = calloc(1, sizeof *u))) {
        snprintf(err, err_size, "users: out of memory");
        return NULL;
    }
    strmap_init(&u->by_key);
    buf_init(&u->enc);
    if (fsys_path_join(path, sizeof path, dir, USERS_LOCK_NAME) != 0) {
        snprintf(err, err_size, "users: data directory path too long: '%s'", dir);
        goto fail;
    }
    rc = fsys_lock_take(path, &u->lock, err, err_size);
    if (rc == FSYS_LOCK_BUSY) {
        snprintf(err, err_size,
                 "users: the account store in '%s' is in use by another process (a running "
                 "parley-server?)", dir);
        if (busy)
            *busy = 1;
        goto fail;
    }
    if (rc != 0)
        goto fail;
    if (fsys_path_join(path, sizeof path, dir, USERS_JOURNAL_NAME) != 0) {
        snprintf(err, err_size, "users: data directory path too long: '%s'", dir);
        goto fail;
    }
    /* Account changes are rare and must survive a crash right after an admin makes them. */
    u->j = journal_open(path, FSYNC_ALWAYS, 0, load_record, u, rec, err, err_size);
    if (!u->j)
        goto fail;
    if (journal_records(u->j) != u->count)
        compact(u);
    return u;

fail:
    users_close(u);
    return NULL;
}

void users_close(users *u)
{
    size_t pos = 0;
    const char *key;
    void *value;
    int dirty = 0;

    if (!u)
        return;
    while (strmap_next(&u->by_key, &pos, &key, &value))
        dirty |= ((account *)value)->info.last_seen_ms != ((account *)value)->seen_on_disk;
    if (u->j && dirty)
        compact(u); /* the newest last-seen times, best effort */
    journal_close(u->j);
    pos = 0;
    while (strmap_next(&u->by_key, &pos, &key, &value)) {
        crypto_wipe(value, sizeof(account));
        free(value);
    }
    strmap_free(&u->by_key);
    buf_free(&u->enc);
    fsys_unlock(u->lock);
    free(u);
}

int users_add(users *u, const char *login, const char *display, user_role role,
              const scram_verifier *v, uint64_t now_ms, char *err, size_t err_size)
{
    account a;
    const account *clash;

    if (!login) {
        snprintf(err, err_size, "users: missing login name");
        return -1;
    }
    if (make_account(&a, login, strlen(login), display ? display : "",
                     display ? strlen(display) : 0, role, 0, v, now_ms, 0, err, err_size) != 0)
        return -1;
    if ((clash = strmap_get(&u->by_key, a.key)) != NULL) {
        snprintf(err, err_size, "users: '%s' is taken: it is the same name as the account '%s'",
                 a.info.login, clash->info.login);
        return -1;
    }
    return commit(u, &a, err, err_size);
}

/* Copies the account named login into *a, or fails with "no such account". */
static int load_for_change(const users *u, const char *login, account *a, char *err,
                           size_t err_size)
{
    const account *cur = login ? find(u, login) : NULL;
    if (!cur) {
        snprintf(err, err_size, "users: no account '%s'", login ? login : "");
        return -1;
    }
    *a = *cur;
    return 0;
}

int users_set_verifier(users *u, const char *login, const scram_verifier *v, char *err,
                       size_t err_size)
{
    account a;
    if (load_for_change(u, login, &a, err, err_size) != 0)
        return -1;
    if (!valid_verifier(v)) {
        snprintf(err, err_size, "users: unusable password verifier");
        return -1;
    }
    a.info.verifier = *v;
    return commit(u, &a, err, err_size);
}

int users_set_role(users *u, const char *login, user_role role, char *err, size_t err_size)
{
    account a;
    if (load_for_change(u, login, &a, err, err_size) != 0)
        return -1;
    if ((unsigned)role > USER_ROLE_ALERT) {
        snprintf(err, err_size, "users: unknown role %d", (int)role);
        return -1;
    }
    a.info.role = role;
    return commit(u, &a, err, err_size);
}

int users_set_disabled(users *u, const char *login, int disabled, char *err, size_t err_size)
{
    account a;
    if (load_for_change(u, login, &a, err, err_size) != 0)
        return -1;
    a.info.disabled = disabled != 0;
    return commit(u, &a, err, err_size);
}

int users_set_display(users *u, const char *login, const char *display, char *err,
                      size_t err_size)
{
    account a, checked;
    if (load_for_change(u, login, &a, err, err_size) != 0)
        return -1;
    if (make_account(&checked, a.info.login, strlen(a.info.login), display ? display : "",
                     display ? strlen(display) : 0, a.info.role, a.info.disabled,
                     &a.info.verifier, a.info.created_ms, a.info.last_seen_ms, err,
                     err_size) != 0)
        return -1;
    memcpy(a.info.display, checked.info.display, sizeof a.info.display);
    return commit(u, &a, err, err_size);
}

int users_delete(users *u, const char *login, char *err, size_t err_size)
{
    account a;
    if (load_for_change(u, login, &a, err, err_size) != 0)
        return -1;
    if (encode_delete(&u->enc, a.info.login) != 0) {
        snprintf(err, err_size, "users: out of memory");
        return -1;
    }
    if (journal_append(u->j, u->enc.data, u->enc.len, err, err_size) != 0)
        return -1;
    drop_account(u, a.key);
    crypto_wipe(&a, sizeof a);
    maybe_compact(u);
    return 0;
}

int users_touch(users *u, const char *login, uint64_t now_ms, char *err, size_t err_size)
{
    account *cur = login ? find(u, login) : NULL;
    account a;
    if (!cur) {
        snprintf(err, err_size, "users: no account '%s'", login ? login : "");
        return -1;
    }
    cur->info.last_seen_ms = now_ms;
    if (now_ms >= cur->seen_on_disk && now_ms - cur->seen_on_disk < USERS_SEEN_GRANULARITY_MS)
        return 0;
    a = *cur;
    return commit(u, &a, err, err_size);
}

int users_find(const users *u, const char *name, user_info *out)
{
    const account *a = name ? find(u, name) : NULL;
    if (!a)
        return 0;
    if (out)
        *out = a->info;
    return 1;
}

static int cmp_accounts(const void *x, const void *y)
{
    const account *a = *(const account *const *)x, *b = *(const account *const *)y;
    return strcmp(a->key, b->key);
}

size_t users_list(const users *u, users_list_fn fn, void *user)
{
    const account **all;
    size_t pos = 0, n = 0, i, listed = 0;
    const char *key;
    void *value;

    if (u->count == 0 || !(all = malloc(u->count * sizeof *all)))
        return 0;
    while (strmap_next(&u->by_key, &pos, &key, &value) && n < u->count)
        all[n++] = value;
    qsort(all, n, sizeof *all, cmp_accounts);
    for (i = 0; i < n; i++) {
        listed++;
        if (fn(user, &all[i]->info) != 0)
            break;
    }
    free(all);
    return listed;
}

size_t users_count(const users *u)
{
    return u->count;
}

uint32_t users_typical_iterations(const users *u, uint32_t fallback)
{
    uint32_t best = fallback, best_n = 0;
    size_t pos = 0, inner;
    const char *key;
    void *value;

    /* Few distinct counts exist in practice; a quadratic count over accounts is fine at the
     * start of the server, which is the only caller. */
    while (strmap_next(&u->by_key, &pos, &key, &value)) {
        uint32_t it = ((const account *)value)->info.verifier.iterations, n = 0;
        void *other;
        inner = 0;
        while (strmap_next(&u->by_key, &inner, &key, &other))
            n += ((const account *)other)->info.verifier.iterations == it;
        if (n > best_n || (n == best_n && it > best)) {
            best = it;
            best_n = n;
        }
    }
    return best;
}
