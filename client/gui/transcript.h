/* transcript.h — a conversation's transcript: a read-only RichEdit (MSFTEDIT_CLASS) with
 * timestamps, coloured nicknames, grey system lines and clickable links. */
#ifndef PARLEY_GUI_TRANSCRIPT_H
#define PARLEY_GUI_TRANSCRIPT_H

#include <windows.h>
#include <richedit.h>

#include <stdint.h>

#include "theme.h"

#define TRANSCRIPT_URL_MAX 2048 /* the longest link the conversation opens or copies */

typedef enum transcript_line {
    TL_INFO,   /* joins, leaves, topic, connection state: grey */
    TL_NOTICE, /* notices from the server or a person: amber */
    TL_ERROR   /* refusals and failures: red */
} transcript_line;

#define TM_HISTORY 0x1 /* replayed from the server's history: dated, greyed text */
#define TM_OWN 0x2     /* written by us */
#define TM_MENTION 0x4 /* names us: the text in bold */
#define TM_ACTION 0x8  /* an action (/me): "* nick text", the text in italics */

/* Creates a hidden transcript as a child of parent with control ID id, placed after `after`
 * in the tab order, drawn in th's colours (th must outlive it). NULL on failure (Msftedit.dll
 * must be loaded). */
HWND transcript_create(HWND parent, int id, HWND after, const theme *th);
/* Redraws what the transcript holds from old's colours in now's (transcript_theme.c); the
 * caller then makes now the theme the transcript was created with. */
void transcript_recolour(HWND t, const theme *old, const theme *now);
/* Appends "time  nick  text". time_ms: milliseconds since 1970 UTC; 0 = now. */
void transcript_add_message(HWND t, uint64_t time_ms, const wchar_t *nick, const wchar_t *text,
                            unsigned flags);
/* "14:02", or "12/03/2025 14:02" for a day other than today, in the user's locale (time_ms:
 * ms since 1970 UTC; 0 = now). */
void transcript_format_time(uint64_t time_ms, wchar_t *out, size_t cap);
/* Appends "time  text" in the style of kind. */
/* "14:02", or "12/03/2025 14:02" for another day, in the user's locale (0 = now). */
void transcript_format_time(uint64_t time_ms, wchar_t *out, size_t cap);
void transcript_add_line(HWND t, uint64_t time_ms, transcript_line kind, const wchar_t *text);
/* Before the pane changes size: remembers whether the reader is at the newest line (only
 * while the pane can be measured; a minimized window keeps what was known). */
void transcript_save_place(HWND t);
/* After it changed size or became visible: back to the newest line if the reader was there. */
void transcript_restore_place(HWND t);
/* 1 if the reader follows the newest line (asked of the pane now when it can be measured). */
int transcript_following(HWND t);
/* Scrolls to the newest line and follows new ones again. */
void transcript_to_newest(HWND t);
/* Appends a divider line (text, e.g. "New messages") and removes the previous one, so a
 * transcript has at most one. */
void transcript_add_divider(HWND t, const wchar_t *text);
/* The conversation font's face (TranscriptFont in the profile, else the UI's) and size in
 * points (TranscriptSize, else 10). */
void transcript_face(wchar_t *face, size_t cap);
int transcript_font_points(void);
/* Sets the margins, and the font (face and size from the profile, see Options) and indents,
 * for dpi: at creation, after WM_DPICHANGED and after Options changed the font. */
void transcript_set_dpi(HWND t, UINT dpi);
/* With EmojiFont set in the profile: sets the characters beyond U+FFFF of text, inserted at
 * character position at, in that face (the selection moves); refresh does it for the whole
 * transcript after its face changed. Without it: nothing (RichEdit's own font binding). */
void transcript_emoji_faces(HWND t, LONG at, const wchar_t *text);
void transcript_emoji_refresh(HWND t);
/* Destroys the transcript window and what was attached to it. */
void transcript_destroy(HWND t);
/* Handles EN_LINK from a transcript: opens web and mail links (nothing else) on a click.
 * Returns 1 if the click was taken. */
int transcript_on_link(HWND owner, const ENLINK *link);

/* Selects [from, to) and reads its character format for mask into cf (what is not the same
 * throughout is left out of cf->dwMask). The caller restores the selection. */
void transcript_range_format(HWND t, LONG from, LONG to, DWORD mask, CHARFORMAT2W *cf);
/* The link under screen_pt (NULL: at the caret) into out, as the conversation shows it. 1, or
 * 0 (out "") if there is no link there or it does not fit in cap. */
int transcript_link_at(HWND t, const POINT *screen_pt, wchar_t *out, size_t cap);

#endif
