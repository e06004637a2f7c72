/* whoami.h — the Windows user parley.exe runs as, for display only. */
#ifndef PARLEY_GUI_WHOAMI_H
#define PARLEY_GUI_WHOAMI_H

#include <stddef.h>
#include <wchar.h>

/* Writes "Alice Martin (CONTOSO\alice)", or "CONTOSO\alice" when the directory has no display
 * name (a local account, or no domain controller reachable), into out[0..cap). The server
 * learns who signed on from Kerberos, never from this. */
void whoami_text(wchar_t *out, size_t cap);

#endif
