/* conv.h — the conversations (tabs): rooms and private talks, each with its transcript, its
 * people and an unread count shown in the tab. */
#ifndef PARLEY_GUI_CONV_H
#define PARLEY_GUI_CONV_H

#include "app.h"
#include "transcript.h"

/* The conversation with this name, or NULL. Room names and nicknames compare exactly. */
conv *conv_find(app *a, const wchar_t *name, int is_private);
int conv_index(app *a, const conv *c);
/* Finds or opens a conversation (a new tab at the end). NULL when out of memory. */
conv *conv_open(app *a, const wchar_t *name, int is_private);
void conv_close(app *a, int index);
void conv_close_all(app *a);
/* Shows conversation `index`: its transcript, its people; clears its unread count. */
void conv_activate(app *a, int index);
conv *conv_active(app *a);
/* Counts a new message in c unless the user is looking at it. */
void conv_count_unread(app *a, conv *c);
/* With accounts: tells the server (and so the peer, and our other sessions) that the private
 * conversation c has been seen up to the newest message shown, if not told already. */
void conv_report_read(app *a, conv *c);
/* Refreshes the tab's text ("design (3)") and, when c is active, the people list. */
void conv_refresh(app *a, conv *c);
/* A system line in c, or in the active conversation when c is NULL (dropped if none). */
void conv_line(app *a, conv *c, transcript_line kind, const wchar_t *text);
/* The same, with the string `id` filled in with p1..p3 (unused ones NULL). */
void conv_line_fmt(app *a, conv *c, transcript_line kind, unsigned id, const wchar_t *p1,
                   const wchar_t *p2, const wchar_t *p3);

#endif
