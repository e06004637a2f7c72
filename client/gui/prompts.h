/* prompts.h — the small modal dialogs: open a private conversation, set an away message or a
 * room topic, help, and About. (Joining a room has its own dialog: join_dialog.h.) */
#ifndef PARLEY_GUI_PROMPTS_H
#define PARLEY_GUI_PROMPTS_H

#include <windows.h>

#include <stddef.h>

/* Each returns 1 with the entered text in dst (trimmed), or 0 if cancelled. */
int prompt_private(HWND owner, wchar_t *dst, size_t cap);
int prompt_away(HWND owner, wchar_t *dst, size_t cap);
/* The room topic dialog, opened on dst (the current topic). 1 on OK. */
int prompt_topic(HWND owner, wchar_t *dst, size_t cap);
void about_show(HWND owner);
/* F1: how to chat in Parley (commands and keys), from the string table. */
void help_show(HWND owner);
/* Centres a dialog over its owner (kept inside the owner's monitor), as Windows' own dialogs
 * appear; without a visible owner the template's DS_CENTER placement stays. */
void dialog_center(HWND dlg);
/* A dialog's refusal of what was typed: a warning box with string text_id, then the focus on
 * the control to fix. */
void dialog_warn(HWND dlg, unsigned text_id, int focus);
/* WM_COMMAND of a dialog whose OK must pass take(dlg, ctx) first (which explains a refusal
 * itself); Cancel always ends it. TRUE if handled. */
INT_PTR dialog_ok_cancel(HWND dlg, WPARAM wp, int (*take)(HWND dlg, void *ctx), void *ctx);
/* Report-view columns for the list view list_id of a dialog: titles from the string table,
 * widths in dialog units; rows are selected whole. */
void dialog_list_columns(HWND dlg, int list_id, const unsigned *titles, const int *widths_dlu,
                         int n);
/* Sets the text of column col (1 and up: the first is the item's own) of row. */
void dialog_list_cell(HWND lv, int row, int col, const wchar_t *text);
/* The selected row's first column into the edit control edit_id (nothing when none is). */
void dialog_list_pick(HWND dlg, int list_id, int edit_id);

#endif
