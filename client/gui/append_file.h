/* append_file.h — appending UTF-8 text to a file that others may read meanwhile. */
#ifndef PARLEY_GUI_APPEND_FILE_H
#define PARLEY_GUI_APPEND_FILE_H

/* Appends text, as UTF-8, to path (created if missing). 0, or the Windows error code. */
unsigned long append_utf8(const wchar_t *path, const wchar_t *text);

#endif
