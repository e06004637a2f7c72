/* test_users.c — the account store (server/users.c): names in any spelling, collisions across
 * case and normalisation, every change persisted, torn tails cut, one process at a time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"
#include "journal.h"
#include "test.h"
#include "users.h"

static const char *const scratch_files[] = {
    USERS_JOURNAL_NAME, USERS_JOURNAL_NAME ".tmp", USERS_JOURNAL_NAME ".corrupt",
    USERS_LOCK_NAME,    NULL,
};

static void dir_fresh(const char *name, char *dir, size_t dir_size)
{
    char path[512];
    snprintf(dir, dir_size, "tu-%s", name);
    for (size_t i = 0; scratch_files[i]; i++)
        if (fsys_path_join(path, sizeof path, dir, scratch_files[i]) == 0)
            fsys_remove(path);
    fsys_rmdir(dir, NULL, 0);
}

static users *open_u(const char *dir, journal_recovery *rec)
{
    char err[256] = "";
    users *u = users_open(dir, rec, NULL, err, sizeof err);
    if (!u)
        test_failf_at(__FILE__, __LINE__, "users_open: %s", err);
    return u;
}

/* A verifier for password (cheapest allowed iteration count: these tests are about storage). */
static scram_verifier verifier(const char *password)
{
    scram_verifier v;
    uint8_t salt[16];
    memset(salt, password[0], sizeof salt);
    if (scram_verifier_make(password, strlen(password), salt, sizeof salt, SCRAM_ITERATIONS_MIN,
                            &v) != SCRAM_OK)
        test_failf_at(__FILE__, __LINE__, "scram_verifier_make failed");
    return v;
}

static int add(users *u, const char *login, const char *display, user_role role, char *err,
               size_t err_size)
{
    scram_verifier v = verifier("secret");
    return users_add(u, login, display, role, &v, 1000, err, err_size);
}

TEST(users_found_by_any_spelling)
{
    char dir[64], err[256] = "";
    user_info info;
    users *u;

    dir_fresh("spelling", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    CHECK_EQ_INT(add(u, "E\xCC\x81ric", NULL, USER_ROLE_USER, err, sizeof err), 0);
    REQUIRE(users_find(u, "\xC3\x89RIC", &info)); /* ÉRIC */
    CHECK_EQ_STR(info.login, "\xC3\x89ric");      /* stored in NFC */
    CHECK_EQ_STR(info.display, "\xC3\x89ric");    /* display defaults to the login */
    CHECK(users_find(u, "\xC3\xA9ric", NULL));
    CHECK(users_find(u, "e\xCC\x81RIC", NULL));
    CHECK(!users_find(u, "eric", NULL));
    CHECK_EQ_INT(add(u, "\xE7\x94\xB0\xE4\xB8\xAD", "\xE7\x94\xB0\xE4\xB8\xAD \xE5\xA4\xAA\xE9\x83\x8E",
                     USER_ROLE_ADMIN, err, sizeof err), 0); /* 田中, "田中 太郎" */
    REQUIRE(users_find(u, "\xE7\x94\xB0\xE4\xB8\xAD", &info));
    CHECK_EQ_INT(info.role, USER_ROLE_ADMIN);
    CHECK_EQ_INT(users_count(u), 2);
    users_close(u);
    dir_fresh("spelling", dir, sizeof dir);
}

TEST(users_same_name_across_case_and_normalisation_refused)
{
    char dir[64], err[256] = "";
    users *u;

    dir_fresh("clash", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "\xC3\x89ric", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(add(u, "Stra\xC3\x9F" "e", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    CHECK_EQ_INT(add(u, "E\xCC\x81RIC", NULL, USER_ROLE_USER, err, sizeof err), -1);
    CHECK(strstr(err, "is taken: it is the same name as the account '\xC3\x89ric'") != NULL);
    CHECK_EQ_INT(add(u, "STRASSE", NULL, USER_ROLE_USER, err, sizeof err), -1);
    CHECK(strstr(err, "is taken") != NULL);
    CHECK_EQ_INT(users_count(u), 2);
    users_close(u);
    dir_fresh("clash", dir, sizeof dir);
}

TEST(users_rejects_bad_arguments)
{
    char dir[64], err[256] = "";
    scram_verifier v = verifier("pw"), decoy;
    uint8_t key[SCRAM_KEY_SIZE] = {1};
    users *u;

    dir_fresh("bad", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    CHECK_EQ_INT(add(u, "1abc", NULL, USER_ROLE_USER, err, sizeof err), -1);
    CHECK(strstr(err, "must start with a letter") != NULL);
    CHECK_EQ_INT(add(u, "p\xD0\xB0ypal", NULL, USER_ROLE_USER, err, sizeof err), -1);
    CHECK(strstr(err, "cannot mix scripts") != NULL);
    CHECK_EQ_INT(add(u, "abcdefghijklmnopqrstuvwxyzabcdefg", NULL, USER_ROLE_USER, err,
                     sizeof err), -1); /* 33 bytes */
    CHECK(strstr(err, "at most 32 bytes") != NULL);
    CHECK_EQ_INT(add(u, "ana", "ana  b", USER_ROLE_USER, err, sizeof err), -1);
    CHECK(strstr(err, "display name") != NULL);
    CHECK_EQ_INT(add(u, "ana", NULL, (user_role)7, err, sizeof err), -1);
    REQUIRE(scram_verifier_decoy(key, "ana", 3, SCRAM_ITERATIONS_MIN, &decoy) == SCRAM_OK);
    CHECK_EQ_INT(users_add(u, "ana", NULL, USER_ROLE_USER, &decoy, 1, err, sizeof err), -1);
    CHECK_EQ_INT(users_set_role(u, "nobody", USER_ROLE_ADMIN, err, sizeof err), -1);
    CHECK(strstr(err, "no account 'nobody'") != NULL);
    CHECK_EQ_INT(users_set_verifier(u, "nobody", &v, err, sizeof err), -1);
    CHECK_EQ_INT(users_delete(u, "nobody", err, sizeof err), -1);
    CHECK_EQ_INT(users_count(u), 0);
    users_close(u);
    dir_fresh("bad", dir, sizeof dir);
}

TEST(users_changes_persist_across_reopen)
{
    char dir[64], err[256] = "";
    scram_verifier v2 = verifier("new password");
    user_info info;
    journal_recovery rec;
    users *u;

    dir_fresh("persist", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "alice", "Alice Liddell", USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(add(u, "bob", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(add(u, "carol", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    CHECK_EQ_INT(users_set_role(u, "ALICE", USER_ROLE_OPERATOR, err, sizeof err), 0);
    CHECK_EQ_INT(users_set_disabled(u, "bob", 1, err, sizeof err), 0);
    CHECK_EQ_INT(users_set_verifier(u, "carol", &v2, err, sizeof err), 0);
    CHECK_EQ_INT(users_set_display(u, "carol", "Carol O'Brien", err, sizeof err), 0);
    CHECK_EQ_INT(users_delete(u, "alice", err, sizeof err), 0);
    CHECK_EQ_INT(add(u, "alice", NULL, USER_ROLE_ADMIN, err, sizeof err), 0); /* name free again */
    users_close(u);

    REQUIRE((u = open_u(dir, &rec)) != NULL);
    CHECK_EQ_INT(rec.cut_bytes, 0);
    CHECK_EQ_INT(users_count(u), 3);
    REQUIRE(users_find(u, "alice", &info));
    CHECK_EQ_INT(info.role, USER_ROLE_ADMIN);
    CHECK_EQ_STR(info.display, "alice");
    REQUIRE(users_find(u, "bob", &info));
    CHECK_EQ_INT(info.disabled, 1);
    CHECK_EQ_INT(info.created_ms, 1000);
    REQUIRE(users_find(u, "carol", &info));
    CHECK_EQ_STR(info.display, "Carol O'Brien");
    CHECK_EQ_MEM(info.verifier.stored_key, v2.stored_key, SCRAM_KEY_SIZE);
    CHECK_EQ_MEM(info.verifier.server_key, v2.server_key, SCRAM_KEY_SIZE);
    CHECK_EQ_MEM(info.verifier.salt, v2.salt, v2.salt_len);
    CHECK_EQ_INT(info.verifier.iterations, SCRAM_ITERATIONS_MIN);
    CHECK_EQ_INT(users_set_disabled(u, "bob", 0, err, sizeof err), 0);
    users_close(u);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(users_find(u, "bob", &info));
    CHECK_EQ_INT(info.disabled, 0);
    users_close(u);
    dir_fresh("persist", dir, sizeof dir);
}

static void append_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fsys_fopen(path, "ab");
    REQUIRE(f != NULL);
    CHECK_EQ_INT(fwrite(p, 1, n, f), n);
    fclose(f);
}

TEST(users_torn_tail_cut_on_open)
{
    char dir[64], path[512], err[256] = "";
    journal_recovery rec;
    int64_t size;
    users *u;
    static const uint8_t torn[] = {0, 0, 0, 200, 1, 2}; /* a header cut short */

    dir_fresh("torn", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "alice", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(add(u, "bob", NULL, USER_ROLE_OPERATOR, err, sizeof err) == 0);
    users_close(u);
    REQUIRE(fsys_path_join(path, sizeof path, dir, USERS_JOURNAL_NAME) == 0);
    size = fsys_file_size(path);
    append_bytes(path, torn, sizeof torn);

    REQUIRE((u = open_u(dir, &rec)) != NULL);
    CHECK_EQ_INT(rec.cut_bytes, sizeof torn);
    CHECK_EQ_INT(rec.kept_bytes, size);
    CHECK_EQ_INT(users_count(u), 2);
    CHECK(users_find(u, "bob", NULL));
    users_close(u);
    CHECK_EQ_INT(fsys_file_size(path), size);
    dir_fresh("torn", dir, sizeof dir);
}

/* A record whose bytes changed on disk fails its CRC: it and what follows are cut, and the cut
 * bytes are kept in users.journal.corrupt. */
TEST(users_corrupt_record_cut_and_kept_aside)
{
    char dir[64], path[512], corrupt[512], err[256] = "";
    journal_recovery rec;
    int64_t first_size;
    users *u;
    FILE *f;

    dir_fresh("crc", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "alice", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(fsys_path_join(path, sizeof path, dir, USERS_JOURNAL_NAME) == 0);
    first_size = fsys_file_size(path);
    REQUIRE(add(u, "bob", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    users_close(u);
    f = fsys_fopen(path, "r+b");
    REQUIRE(f != NULL);
    fseek(f, (long)first_size + 20, SEEK_SET); /* inside bob's record */
    fputc(0x5A, f);
    fclose(f);

    REQUIRE((u = open_u(dir, &rec)) != NULL);
    CHECK(rec.cut_bytes > 0);
    CHECK_EQ_INT(rec.saved_corrupt, 1);
    CHECK(strstr(rec.reason, "CRC") != NULL);
    CHECK(users_find(u, "alice", NULL));
    CHECK(!users_find(u, "bob", NULL));
    users_close(u);
    REQUIRE(fsys_path_join(corrupt, sizeof corrupt, dir, USERS_JOURNAL_NAME ".corrupt") == 0);
    CHECK(fsys_exists(corrupt));
    dir_fresh("crc", dir, sizeof dir);
}

TEST(users_store_held_by_one_process)
{
    char dir[64], err[256] = "";
    int busy = 0;
    users *u, *second;

    dir_fresh("lock", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    second = users_open(dir, NULL, &busy, err, sizeof err);
    CHECK(second == NULL);
    CHECK_EQ_INT(busy, 1);
    CHECK(strstr(err, "in use by another process") != NULL);
    users_close(second);
    users_close(u);
    REQUIRE((u = users_open(dir, NULL, &busy, err, sizeof err)) != NULL);
    CHECK_EQ_INT(busy, 0);
    users_close(u);
    dir_fresh("lock", dir, sizeof dir);
}

/* Logins update last-seen in memory; the journal gets it at most once a minute per account,
 * and the newest time at close. */
TEST(users_last_seen_written_sparingly)
{
    char dir[64], path[512], err[256] = "";
    user_info info;
    int64_t size;
    users *u;

    dir_fresh("seen", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "alice", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(fsys_path_join(path, sizeof path, dir, USERS_JOURNAL_NAME) == 0);
    CHECK_EQ_INT(users_touch(u, "alice", 100000, err, sizeof err), 0); /* first: written */
    size = fsys_file_size(path);
    CHECK_EQ_INT(users_touch(u, "ALICE", 101000, err, sizeof err), 0);
    CHECK_EQ_INT(users_touch(u, "alice", 159999, err, sizeof err), 0);
    CHECK_EQ_INT(fsys_file_size(path), size);
    CHECK_EQ_INT(users_touch(u, "alice", 160000, err, sizeof err), 0);
    CHECK(fsys_file_size(path) > size);
    CHECK_EQ_INT(users_touch(u, "alice", 170000, err, sizeof err), 0);
    CHECK_EQ_INT(users_touch(u, "nobody", 170000, err, sizeof err), -1);
    users_close(u);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(users_find(u, "alice", &info));
    CHECK_EQ_INT(info.last_seen_ms, 170000);
    users_close(u);
    dir_fresh("seen", dir, sizeof dir);
}

static int collect(void *user, const user_info *info)
{
    char *out = user;
    strcat(out, info->login);
    strcat(out, ",");
    return 0;
}

TEST(users_list_in_name_order_and_journal_stays_compact)
{
    char dir[64], path[512], err[256] = "", names[256] = "";
    users *u;
    int i;

    dir_fresh("list", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "carol", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(add(u, "Alice", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    REQUIRE(add(u, "bob", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    CHECK_EQ_INT(users_list(u, collect, names), 3);
    CHECK_EQ_STR(names, "Alice,bob,carol,");
    for (i = 0; i < 300; i++)
        REQUIRE(users_set_disabled(u, "bob", i % 2, err, sizeof err) == 0);
    REQUIRE(fsys_path_join(path, sizeof path, dir, USERS_JOURNAL_NAME) == 0);
    /* 300 changes to 3 accounts: rewritten along the way, never more than 64 records or so. */
    CHECK(fsys_file_size(path) < 70 * 160);
    users_close(u);
    dir_fresh("list", dir, sizeof dir);
}

TEST(users_typical_iterations_is_the_most_common)
{
    char dir[64], err[256] = "";
    scram_verifier v;
    uint8_t salt[16] = {1};
    users *u;

    dir_fresh("iter", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    CHECK_EQ_INT(users_typical_iterations(u, 777), 777); /* no accounts: the fallback */
    REQUIRE(scram_verifier_make("pw", 2, salt, sizeof salt, 5000, &v) == SCRAM_OK);
    REQUIRE(users_add(u, "a", NULL, USER_ROLE_USER, &v, 1, err, sizeof err) == 0);
    REQUIRE(users_add(u, "b", NULL, USER_ROLE_USER, &v, 1, err, sizeof err) == 0);
    REQUIRE(scram_verifier_make("pw", 2, salt, sizeof salt, 4096, &v) == SCRAM_OK);
    REQUIRE(users_add(u, "c", NULL, USER_ROLE_USER, &v, 1, err, sizeof err) == 0);
    CHECK_EQ_INT(users_typical_iterations(u, 777), 5000);
    users_close(u);
    dir_fresh("iter", dir, sizeof dir);
}

/* The alert role: its name both ways, kept across a reopen, and alone among the roles in
 * sending alerts without operator powers; a role past it is refused. */
TEST(users_alert_role)
{
    char dir[64], err[256] = "";
    user_info info;
    user_role r = USER_ROLE_USER;
    users *u;

    CHECK_EQ_INT(users_role_parse("alert", &r), 0);
    CHECK_EQ_INT(r, USER_ROLE_ALERT);
    CHECK_EQ_STR(users_role_name(USER_ROLE_ALERT), "alert");
    CHECK(users_role_alerts(USER_ROLE_ALERT) && users_role_alerts(USER_ROLE_OPERATOR) &&
          users_role_alerts(USER_ROLE_ADMIN) && !users_role_alerts(USER_ROLE_USER));
    dir_fresh("alert-role", dir, sizeof dir);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    REQUIRE(add(u, "monitoring", NULL, USER_ROLE_ALERT, err, sizeof err) == 0);
    REQUIRE(add(u, "bob", NULL, USER_ROLE_USER, err, sizeof err) == 0);
    CHECK_EQ_INT(users_set_role(u, "bob", USER_ROLE_ALERT, err, sizeof err), 0);
    CHECK(users_set_role(u, "bob", (user_role)(USER_ROLE_ALERT + 1), err, sizeof err) != 0);
    users_close(u);
    REQUIRE((u = open_u(dir, NULL)) != NULL);
    CHECK(users_find(u, "MONITORING", &info) && info.role == USER_ROLE_ALERT);
    CHECK(users_find(u, "bob", &info) && info.role == USER_ROLE_ALERT);
    users_close(u);
}
