/* fuzz_users.c — libFuzzer target: the account store loaded from a fuzzed users.journal (as
 * found after a crash or tampering), then used.
 *
 * The input is the file. Checked beyond "no crash, no leak, no UB":
 *  - every account loaded has a login in NFC that passes the name rules and finds itself, and a
 *    usable verifier; the count matches what users_list walks;
 *  - the store takes a new account and a change, and reopens with nothing cut and the same
 *    accounts plus the new one. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsys.h"
#include "fuzz_util.h"
#include "uname.h"
#include "users.h"

static char dir[256];
static scram_verifier fixed_verifier;

static void remove_all(void)
{
    static const char *const names[] = {USERS_JOURNAL_NAME, USERS_JOURNAL_NAME ".corrupt",
                                        USERS_JOURNAL_NAME ".tmp", USERS_LOCK_NAME};
    char path[512];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
}

static void cleanup(void)
{
    remove_all();
    rmdir(dir);
}

static int check_account(void *user, const user_info *i)
{
    const users *u = user;
    char out[USERS_LOGIN_MAX + 1], err[160];
    user_info again;

    FUZZ_ASSERT(uname_prepare(i->login, strlen(i->login), UNAME_NICK, out, sizeof out, err,
                              sizeof err) == 0);
    FUZZ_ASSERT(strcmp(out, i->login) == 0);
    FUZZ_ASSERT(users_find(u, i->login, &again) && strcmp(again.login, i->login) == 0);
    FUZZ_ASSERT(i->role <= USER_ROLE_ADMIN && (i->disabled == 0 || i->disabled == 1));
    FUZZ_ASSERT(i->verifier.salt_len > 0 && i->verifier.salt_len <= SCRAM_SALT_MAX);
    FUZZ_ASSERT(i->verifier.iterations >= SCRAM_ITERATIONS_MIN && !i->verifier.decoy);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    uint8_t salt[16] = {7};
    (void)argc;
    (void)argv;
    fuzz_init();
    snprintf(dir, sizeof dir, "%s/parley-fuzz-users-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        fuzz_fail("mkdtemp");
    atexit(cleanup);
    /* Made once: PBKDF2 per input would be all the fuzzer did. */
    if (scram_verifier_make("pw", 2, salt, sizeof salt, SCRAM_ITERATIONS_MIN,
                            &fixed_verifier) != SCRAM_OK)
        fuzz_fail("scram_verifier_make");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512], err[256];
    journal_recovery rec;
    size_t count, listed;
    int had_new;
    users *u;
    FILE *f;

    remove_all();
    snprintf(path, sizeof path, "%s/%s", dir, USERS_JOURNAL_NAME);
    if (!(f = fopen(path, "wb")) || (size && fwrite(data, 1, size, f) != size))
        fuzz_fail("cannot write the journal file");
    fclose(f);

    u = users_open(dir, &rec, NULL, err, sizeof err);
    if (!u)
        return 0; /* refusing a store it cannot make sense of is allowed; crashing is not */
    FUZZ_ASSERT(rec.kept_bytes + rec.cut_bytes == size);
    count = users_count(u);
    listed = users_list(u, check_account, u);
    FUZZ_ASSERT(listed == count);
    had_new = users_find(u, "fuzzer", NULL);
    if (!had_new) {
        if (users_add(u, "fuzzer", "Fuzz Er", USER_ROLE_OPERATOR, &fixed_verifier, 1, err,
                      sizeof err) != 0)
            fuzz_fail(err);
        count++;
    }
    if (users_set_disabled(u, "FUZZER", 1, err, sizeof err) != 0)
        fuzz_fail(err);
    users_close(u);

    u = users_open(dir, &rec, NULL, err, sizeof err);
    if (!u)
        fuzz_fail(err);
    FUZZ_ASSERT(rec.cut_bytes == 0);
    FUZZ_ASSERT(users_count(u) == count);
    {
        user_info i;
        FUZZ_ASSERT(users_find(u, "fuzzer", &i) && i.disabled == 1);
    }
    users_close(u);
    return 0;
}
