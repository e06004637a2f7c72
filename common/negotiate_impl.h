/* negotiate_impl.h — what each sign-on implementation (negotiate_sspi.c, negotiate_gssapi.c)
 * gives the portable part (negotiate.c) beyond negotiate.h. Not for callers of negotiate.h. */
#ifndef PARLEY_NEGOTIATE_IMPL_H
#define PARLEY_NEGOTIATE_IMPL_H

#include "negotiate.h"

/* A server context that holds the service's credentials and never steps (a neg_server_cred's
 * holder). Returns it (owned by the caller, neg_free), or NULL with err filled. */
neg_ctx *neg_impl_acceptor(const neg_settings *s, neg_error *err);
/* A new server context that borrows holder's credentials (holder must outlive it). Returns it,
 * or NULL with err filled. */
neg_ctx *neg_impl_borrow(const neg_ctx *holder, neg_error *err);

#endif
