/* user_display.h — the current user's display name as the system has it, told to a server with
 * Windows sign-on (SIGNON_DISPLAY): Windows: the directory's (GetUserNameExW NameDisplay);
 * Linux: the full name in the password database (GECOS). For display only: who signed on is
 * what Kerberos says, never this. */
#ifndef PARLEY_USER_DISPLAY_H
#define PARLEY_USER_DISPLAY_H

#include <stddef.h>

/* Writes the name as UTF-8 into out[0..cap) and returns 0, or returns -1 with out "" when there
 * is none (a local account without one, no domain controller reachable, an empty GECOS). The
 * name may be longer than a display name may be: the caller fits it. */
int pc_user_display(char *out, size_t cap);

#endif
