/* acl_win.h — protected DACLs on files and folders (Windows only; included by *_win.c): the
 * one place that turns an SDDL string into a file's permissions, with inheritance cut. */
#ifndef PARLEY_ACL_WIN_H
#define PARLEY_ACL_WIN_H

#include <windows.h>

#include <stddef.h>

/* Sets sddl's DACL as the protected DACL of path (a file or folder; a folder's inheritable
 * entries also reach what is inside). ERROR_SUCCESS or the Windows error. */
DWORD acl_apply_path(const wchar_t *path, const wchar_t *sddl);
/* The same on an open handle (opened with WRITE_DAC). */
DWORD acl_apply_handle(HANDLE h, const wchar_t *sddl);
/* The DACL of a private file or folder of this process: SYSTEM, Administrators and the
 * account this process runs as (the service's own SID for the service, the user for a
 * console run) full control, nobody else anything, inheritance cut; is_dir adds inheritance
 * to what is created inside. ERROR_SUCCESS or the Windows error. */
DWORD acl_private_sddl(wchar_t *out, size_t cap, int is_dir);

#endif
