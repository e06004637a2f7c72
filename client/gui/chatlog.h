/* chatlog.h — Options > General > "Keep a log of conversations": every message shown in a
 * tab is appended to a UTF-8 text file per conversation and day ("lobby 2026-12-06.txt",
 * "@lena 2026-12-06.txt") in the user's Documents\Parley Logs, or a folder of their choice. */
#ifndef PARLEY_GUI_CHATLOG_H
#define PARLEY_GUI_CHATLOG_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* The default folder: <Documents>\Parley Logs (empty if Windows has no Documents folder). */
void chatlog_default_dir(wchar_t *out, size_t cap);
/* Appends "[HH:MM:SS] <nick> text" ("* nick text" for an action) to dir's file for conversation
 * name (private: is_private) on the local day of time_ms (ms since 1970 UTC, 0 = now), making
 * the folder if needed. 0, or the Windows error code. */
unsigned long chatlog_write(const wchar_t *dir, const wchar_t *name, int is_private,
                            uint64_t time_ms, const wchar_t *nick, const wchar_t *text,
                            int action);

#endif
