/* negotiate.h — Windows sign-on: one contract for SPNEGO (Kerberos, and NTLM only when allowed)
 * with two implementations, SSPI on Windows (negotiate_sspi.c) and MIT GSSAPI on Linux
 * (negotiate_gssapi.c). Callers move opaque tokens between a client and a server context until
 * both report NEG_COMPLETE, then bind the result to their own connection with a MIC.
 *
 *   client                                      server
 *                                               neg_server_cred_new(settings), once
 *   neg_client_new(settings)                    neg_server_new(cred), per connection
 *   neg_step(NULL) -> token ----------------->  neg_step(token) -> reply, NEG_COMPLETE
 *   neg_step(reply) -> NEG_COMPLETE  <--------  (Kerberos: one round trip, mutual)
 *   neg_bind_make(transcript_hash) -> mic ---->  neg_bind_check(transcript_hash, mic)
 *                                                neg_peer_name() -> "alice@PARLEY.TEST"
 *
 * The binding is why a token relayed from another connection fails: the client signs the hash
 * of the transcript it saw with the context's session key; a server whose own transcript differs
 * (another connection) cannot verify it. The MIC is gss_get_mic / MakeSignature, so the session
 * key never leaves the security library. */
#ifndef PARLEY_NEGOTIATE_H
#define PARLEY_NEGOTIATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Service class of Parley's principal: PARLEY/host (Windows SPN), PARLEY@host (GSSAPI). */
#define NEG_SERVICE_DEFAULT "PARLEY"
#define NEG_NAME_MAX 256    /* longest principal name kept (bytes of UTF-8, with the NUL) */
#define NEG_TEXT_MAX 320    /* longest library error text kept */
#define NEG_TOKEN_MAX 65536 /* larger tokens are refused: Kerberos tickets with a big PAC fit */
#define NEG_BIND_MAX 1024   /* longest transcript hash or MIC accepted */

/* What a step did. */
typedef enum neg_status {
    NEG_CONTINUE = 0,  /* send the output token (if any) and wait for the peer's next token */
    NEG_COMPLETE = 1,  /* this side is done; send the output token if there is one */
    NEG_ERROR = -1     /* failed: the neg_error says why */
} neg_status;

/* Why sign-on failed, in the words an administrator or user needs. */
typedef enum neg_cause {
    NEG_OK = 0,
    NEG_NO_CREDENTIALS,    /* no ticket (kinit / not logged on to the domain), or no keytab key */
    NEG_EXPIRED,           /* the ticket or credentials have expired */
    NEG_CLOCK_SKEW,        /* client, server and KDC clocks differ by more than allowed */
    NEG_UNKNOWN_PRINCIPAL, /* the KDC does not know the service principal (SPN) or the user */
    NEG_WRONG_PRINCIPAL,   /* the ticket is for another service than this server's keytab holds */
    NEG_WRONG_REALM,       /* no KDC found for the realm, or the realm is wrong */
    NEG_NTLM_REFUSED,      /* the peer could only do NTLM and allow_ntlm is off */
    NEG_BAD_TOKEN,         /* the token is malformed, truncated, or out of order */
    NEG_BINDING_FAILED,    /* the MIC over the transcript did not verify: relayed or altered */
    NEG_NOT_ALLOWED,       /* signed on, but the principal is not in the allow-list */
    NEG_UNSUPPORTED,       /* the security library cannot do this (e.g. Wine: acceptor names) */
    NEG_OTHER              /* anything else: the library's own text says what */
} neg_cause;

typedef struct neg_error {
    neg_cause cause;
    uint32_t code;             /* the library's status (SECURITY_STATUS, or GSS minor/major) */
    char text[NEG_TEXT_MAX];   /* "<plain words>: <library text> (0x...)" */
} neg_error;

/* Settings for one context; strings are borrowed for the call that takes them. */
typedef struct neg_settings {
    const char *service;   /* service class; NULL means NEG_SERVICE_DEFAULT */
    const char *host;      /* client: the server's host name (required). Server: ignored */
    const char *keytab;    /* server on Linux: keytab file; NULL means KRB5_KTNAME or default.
                            * Registered for the whole process (one keytab per server) */
    const char *ccache;    /* client on Linux: credential cache; NULL means KRB5CCNAME or default */
    int allow_ntlm;        /* 0: Kerberos only; 1: NTLM may be negotiated too */
} neg_settings;

typedef struct neg_ctx neg_ctx;   /* one side of one exchange; opaque */

/* Creates a client context that signs on with the current user's credentials (Windows logon
 * session, or the Kerberos credential cache). Nothing is sent yet: the first neg_step with no
 * input makes the first token. Returns 0 and *out (owned by the caller, neg_free), or -1. */
int neg_client_new(const neg_settings *s, neg_ctx **out, neg_error *err);
/* The server's credentials: the service's keys (machine account or service account on Windows,
 * keytab on Linux), acquired once at start-up, so a missing keytab is found then and not at the
 * first sign-on, and shared by every server context (acquiring them per connection costs a
 * keytab read, and with gss-ntlmssp installed leaks 32 bytes each time inside that module).
 * Returns 0 and *out (owned by the caller, neg_server_cred_free), or -1. */
typedef struct neg_server_cred neg_server_cred;
int neg_server_cred_new(const neg_settings *s, neg_server_cred **out, neg_error *err);
/* Frees the credentials; every server context made from them must be freed first. */
void neg_server_cred_free(neg_server_cred *cred);
/* Creates a server (acceptor) context for one connection, using (borrowing) cred and its
 * allow_ntlm. Returns 0 and *out, or -1. */
int neg_server_new(neg_server_cred *cred, neg_ctx **out, neg_error *err);
void neg_free(neg_ctx *c);

/* Feeds the peer's token (none for the client's first step) and appends this side's reply,
 * if there is one, to out; also on NEG_ERROR when the library has an error token that tells the
 * peer why (GSSAPI does; send it, then end the exchange). Inputs longer than NEG_TOKEN_MAX, and
 * empty ones after the first step, are refused as NEG_BAD_TOKEN. After NEG_ERROR or
 * NEG_COMPLETE no further step is accepted. */
neg_status neg_step(neg_ctx *c, const uint8_t *in, size_t in_len, buf *out, neg_error *err);
/* 1 once neg_step returned NEG_COMPLETE. */
int neg_complete(const neg_ctx *c);

/* The authenticated peer: on the server the client's principal ("alice@PARLEY.TEST", or
 * "CONTOSO\alice" from SSPI), on the client the server's. Needs a complete context. Returns 0,
 * or -1 (NEG_UNSUPPORTED where the library cannot say, as Wine's acceptor). */
int neg_peer_name(neg_ctx *c, char *out, size_t cap, neg_error *err);
/* Windows group rules: sets *member to whether the signed-on client's Windows token holds the
 * group `group` (a name the server looks up, e.g. "CONTOSO\Chat Users" or "Administrators").
 * SSPI only (QuerySecurityContextToken, CheckTokenMembership); needs a complete server context.
 * Returns 0, or -1: NEG_UNSUPPORTED where there is no Windows token (GSSAPI; Wine's SSPI), or
 * NEG_OTHER for a group name the server cannot look up. */
int neg_peer_in_group(neg_ctx *c, const char *group, int *member, neg_error *err);
/* 1 if this implementation can check Windows groups at all (SSPI), 0 if it cannot (GSSAPI). */
int neg_groups_supported(void);

/* The mechanism used: "kerberos", "ntlm", "other", or "unknown" (the library cannot say); "none"
 * before the context is complete. */
const char *neg_mechanism(const neg_ctx *c);

/* The context's session key (the Kerberos subkey), for mixing into the connection's own keys.
 * Copies at most cap bytes into key and sets *len. Needs a complete context. Returns 0, or -1
 * (NEG_UNSUPPORTED where the library will not give it, as Wine's SSPI). The MIC below binds
 * the sign-on without it; callers must not depend on having it. */
int neg_session_key(neg_ctx *c, uint8_t *key, size_t cap, size_t *len, neg_error *err);

/* Binding: a MIC over a caller-supplied transcript hash (1..NEG_BIND_MAX bytes), appended to
 * mic. The other side checks it with neg_bind_check over its own transcript hash; a MIC made on
 * one side never verifies as the other side's. Both need a complete context. 0 or -1. */
int neg_bind_make(neg_ctx *c, const uint8_t *hash, size_t hash_len, buf *mic, neg_error *err);
/* Returns 0 if mic is the peer's MIC over hash, else -1 with NEG_BINDING_FAILED. */
int neg_bind_check(neg_ctx *c, const uint8_t *hash, size_t hash_len, const uint8_t *mic,
                   size_t mic_len, neg_error *err);

/* ---- portable helpers (negotiate.c) ---- */

/* The plain words for a cause, e.g. "no Kerberos ticket or credentials (log on to the domain,
 * or run kinit)". */
const char *neg_cause_text(neg_cause cause);
/* Fills err with cause, code and "<plain words>: <detail>" (detail may be NULL). Returns -1. */
int neg_fail(neg_error *err, neg_cause cause, uint32_t code, const char *detail);

/* Allow-list of who may sign on: entries separated by commas or spaces, each a principal
 * ("alice@PARLEY.TEST", "CONTOSO\alice") or a whole realm or domain ("@PARLEY.TEST",
 * "CONTOSO\"). Realm, domain and user names compare without regard to ASCII case. An empty or
 * NULL list allows everyone. Returns 1 if principal is allowed, 0 if not (also for a principal
 * that is empty or has no realm/domain part when the list names only realms). */
int neg_principal_allowed(const char *principal, const char *allow_list);

#endif
