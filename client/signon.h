/* signon.h — the client library's Windows sign-on: the handshake's hs_signon_ops over
 * negotiate.h (SSPI on Windows, GSSAPI on Linux), signing on as the current user. */
#ifndef PARLEY_SIGNON_H
#define PARLEY_SIGNON_H

#include "handshake.h"

typedef struct pc_signon pc_signon;

/* host: the server's name in its SPN (PARLEY/host); ccache: the credential cache (Linux; NULL =
 * KRB5CCNAME or the default); allow_ntlm: let Negotiate fall back to NTLM. The strings are
 * copied. Returns the object (caller owns; pc_signon_free) or NULL when out of memory or a
 * string is too long. */
pc_signon *pc_signon_new(const char *host, const char *ccache, int allow_ntlm);
void pc_signon_free(pc_signon *s);
/* The ops to give hs_client_set_signon, with s as their context. */
const hs_signon_ops *pc_signon_ops(void);
/* The mechanism of the last completed sign-on ("kerberos", "ntlm", ...), "none" before. */
const char *pc_signon_mechanism(const pc_signon *s);

#endif
