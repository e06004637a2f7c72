/* handshake_impl.h — what handshake.c shares with handshake_signon.c only. */
#ifndef PARLEY_HANDSHAKE_IMPL_H
#define PARLEY_HANDSHAKE_IMPL_H

#include "handshake.h"

/* Ends the client's handshake with code and reason (dropping its ciphers); returns HS_FAILED. */
hs_result hs_client_fail(hs_client *hs, uint16_t code, const char *reason);
/* SIGNON or SIGNON_BIND from the server, between PROOF and WELCOME (handshake_signon.c). */
hs_result hs_client_on_signon(hs_client *hs, proto_frame *f, proto_msg *m, buf *out);
/* Forgets a sign-on in progress (a new handshake, or the end of this one). */
void hs_client_signon_reset(hs_client *hs);

#endif
