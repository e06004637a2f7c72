/* key_file.h — reading the secret key from a text file, for --key-file and the Connect
 * dialog's "Load key from file…", and saying plainly why a file would not do. */
#ifndef PARLEY_GUI_KEY_FILE_H
#define PARLEY_GUI_KEY_FILE_H

#include <windows.h>

#include <stddef.h>

/* Reads the key from a UTF-8 text file into key (cap characters), normalised as every Parley
 * program does (secret_text.h). 0, or a Windows error code (ERROR_INVALID_DATA for a file
 * with no key in it); key is left as it was on failure. */
DWORD key_file_read(const wchar_t *path, wchar_t *key, size_t cap);
/* Tells the user (a message box over owner, which may be NULL) that path could not be used. */
void key_file_error(HWND owner, const wchar_t *path, DWORD err);

#endif
