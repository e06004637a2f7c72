/* signon_fixture.h — a server with auth = windows in the test realm (kdc.sh, PARLEY.TEST) and
 * clients that sign on with a given user's credential cache. */
#ifndef PARLEY_SIGNON_FIXTURE_H
#define PARLEY_SIGNON_FIXTURE_H

#include <stddef.h>

#include "server_fixture.h"

#define WAIT 5000u

/* The realm's folder (PARLEY_KDC_DIR, set by CTest). */
const char *kdc_dir(void);
/* Settings of a Windows sign-on server in PARLEY.TEST with the realm's service keytab. */
void signon_config(server_config *cfg, const char *name, int auto_create);
/* Signs on as who ("alice", "bob": their credential caches; "nobody": an empty one; SSPI under
 * Wine takes KRB5CCNAME instead) asking for a nick the server must ignore. The connection, or
 * NULL with *code and err. */
pc_conn *sign_on(const test_server *ts, const char *who, int *code, char *err, size_t err_size);
/* sign_on telling the server the display name display (NULL: the system's, as parley-cli does
 * by default; sign_on tells none). */
pc_conn *sign_on_shown_as(const test_server *ts, const char *who, const char *display, int *code,
                          char *err, size_t err_size);

#endif
