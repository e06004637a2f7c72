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
/* The display name told to the server with the sign-on (SIGNON_DISPLAY; it keeps it for an
 * account that has none): NULL = the system's (user_display.h), looked up at the first sign-on
 * and cut to PROTO_DISPLAY_MAX bytes; "" = none; else at most PROTO_DISPLAY_MAX bytes of UTF-8
 * text (-1 and nothing changed if not). */
int pc_signon_set_display(pc_signon *s, const char *display);
/* The display name's buffer, for hs_client_set_signon_display: filled by the first sign-on
 * when it is the system's; valid for the life of s. */
const char *pc_signon_display(const pc_signon *s);
/* The ops to give hs_client_set_signon, with s as their context. */
const hs_signon_ops *pc_signon_ops(void);
/* The mechanism of the last completed sign-on ("kerberos", "ntlm", ...), "none" before. */
const char *pc_signon_mechanism(const pc_signon *s);

#endif
