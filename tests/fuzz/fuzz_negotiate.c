/* fuzz_negotiate.c — libFuzzer target: the sign-on acceptor (neg_step on a server context of
 * negotiate.h, MIT GSSAPI) fed whatever a client might send as its tokens.
 *
 * Input: a first byte whose low bit is allow_ntlm, then one or more tokens, each a 2-byte
 * big-endian length and that many bytes (the rest of the input is the last token). The
 * server's keytab holds a random key made at start-up, so no input can carry a ticket for it.
 * Checked beyond "no crash, no leak, no UB": nothing ever completes a sign-on; a failure always
 * has a cause and text; a failed context takes no further token; no MIC is made or accepted by
 * a context that is not complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <krb5/krb5.h>

#include "fuzz_util.h"
#include "negotiate.h"

static char keytab_path[256];
static neg_server_cred *creds[2];   /* without and with allow_ntlm, made once */

static void remove_keytab(void)
{
    unlink(keytab_path);
}

/* A keytab for PARLEY/chat.parley.test with a key nobody else knows. */
static void make_keytab(void)
{
    krb5_context kc;
    krb5_keytab kt;
    krb5_keytab_entry entry;
    krb5_octet key[32];
    char name[300];
    const char *tmp = getenv("TMPDIR");
    FILE *rnd;
    snprintf(keytab_path, sizeof keytab_path, "%s/parley-fuzz-negotiate-%ld.keytab",
             tmp && *tmp ? tmp : "/tmp", (long)getpid());
    rnd = fopen("/dev/urandom", "rb");
    FUZZ_ASSERT(rnd && fread(key, 1, sizeof key, rnd) == sizeof key);
    fclose(rnd);
    FUZZ_ASSERT(krb5_init_context(&kc) == 0);
    snprintf(name, sizeof name, "FILE:%s", keytab_path);
    FUZZ_ASSERT(krb5_kt_resolve(kc, name, &kt) == 0);
    memset(&entry, 0, sizeof entry);
    FUZZ_ASSERT(krb5_parse_name(kc, "PARLEY/chat.parley.test@PARLEY.TEST", &entry.principal) == 0);
    entry.vno = 1;
    entry.key.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    entry.key.length = sizeof key;
    entry.key.contents = key;
    FUZZ_ASSERT(krb5_kt_add_entry(kc, kt, &entry) == 0);
    krb5_free_principal(kc, entry.principal);
    krb5_kt_close(kc, kt);
    krb5_free_context(kc);
    atexit(remove_keytab);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    neg_settings s;
    neg_error e;
    (void)argc;
    (void)argv;
    make_keytab();
    memset(&s, 0, sizeof s);
    s.keytab = keytab_path;
    for (int i = 0; i < 2; i++) {
        s.allow_ntlm = i;
        FUZZ_ASSERT(neg_server_cred_new(&s, &creds[i], &e) == 0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    neg_ctx *server = NULL;
    neg_error e;
    buf out, mic;
    const uint8_t hash[32] = {0};
    int allow_ntlm = size > 0 && (data[0] & 1);
    if (size > 0) {
        data++;
        size--;
    }
    buf_init(&out);
    buf_init(&mic);
    FUZZ_ASSERT(neg_server_new(creds[allow_ntlm], &server, &e) == 0);
    for (;;) {
        size_t n = size;
        neg_status st;
        if (size >= 2 && (size_t)((data[0] << 8) | data[1]) <= size - 2) {
            n = (size_t)((data[0] << 8) | data[1]);
            data += 2;
            size -= 2;
        }
        buf_reset(&out);
        memset(&e, 0, sizeof e);
        st = neg_step(server, data, n, &out, &e);
        FUZZ_ASSERT(st != NEG_COMPLETE);
        FUZZ_ASSERT(!neg_complete(server));
        FUZZ_ASSERT(strcmp(neg_mechanism(server), "none") == 0);
        if (st == NEG_ERROR) {
            FUZZ_ASSERT(e.cause != NEG_OK && e.text[0] != '\0');
            FUZZ_ASSERT(memchr(e.text, '\0', sizeof e.text) != NULL);
            /* A failed context takes nothing more. */
            FUZZ_ASSERT(neg_step(server, data, n, &out, &e) == NEG_ERROR);
            break;
        }
        data += n;
        size -= n;
        if (size == 0)
            break;
    }
    FUZZ_ASSERT(neg_bind_check(server, hash, sizeof hash, hash, sizeof hash, &e) == -1);
    FUZZ_ASSERT(neg_bind_make(server, hash, sizeof hash, &mic, &e) == -1 && mic.len == 0);
    neg_free(server);
    buf_free(&out);
    buf_free(&mic);
    return 0;
}
