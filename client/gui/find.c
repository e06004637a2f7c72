/* find.c — the common Find dialog (FindTextW) over the active transcript. The dialog's state
 * (FINDREPLACEW and its buffer) lives in the app, as it must outlive the call that opens it;
 * the dialog reports through the registered FINDMSGSTRING message. */
#include "find.h"

#include <commdlg.h>

#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "resource.h"
#include "wstr.h"

static UINT find_message_id(void)
{
    static UINT id; /* the same value in every window of the session: computed once */

    if (!id)
        id = RegisterWindowMessageW(FINDMSGSTRINGW);
    return id;
}

void find_open(app *a)
{
    if (a->find.dlg) {
        SetActiveWindow(a->find.dlg);
        return;
    }
    memset(&a->find.fr, 0, sizeof a->find.fr);
    a->find.fr.lStructSize = sizeof a->find.fr;
    a->find.fr.hwndOwner = a->hwnd;
    a->find.fr.lpstrFindWhat = a->find.what;
    a->find.fr.wFindWhatLen = (WORD)(sizeof a->find.what);
    /* Up by default: a chat is read from the newest line back, and the caret sits at the end. */
    a->find.fr.Flags = 0;
    find_message_id();
    a->find.dlg = FindTextW(&a->find.fr);
}

/* Searches the active transcript from its selection; selects and shows what it finds. */
static void find_next(app *a)
{
    conv *c = conv_active(a);
    FINDTEXTEXW ft;
    CHARRANGE sel;
    DWORD flags = a->find.fr.Flags;
    wchar_t *text;

    if (!c || !a->find.what[0])
        return;
    SendMessageW(c->transcript, EM_EXGETSEL, 0, (LPARAM)&sel);
    ft.chrg.cpMin = (flags & FR_DOWN) ? sel.cpMax : sel.cpMin;
    ft.chrg.cpMax = (flags & FR_DOWN) ? -1 : 0;
    ft.lpstrText = a->find.what;
    if (SendMessageW(c->transcript, EM_FINDTEXTEXW,
                     flags & (FR_DOWN | FR_MATCHCASE | FR_WHOLEWORD), (LPARAM)&ft) >= 0) {
        SendMessageW(c->transcript, EM_EXSETSEL, 0, (LPARAM)&ft.chrgText);
        SendMessageW(c->transcript, EM_SCROLLCARET, 0, 0);
        transcript_save_place(c->transcript); /* reading a match: not pinned to the bottom */
        return;
    }
    text = wstr_format(IDS_FIND_NONE, a->find.what);
    {
        wchar_t title[64];
        MessageBoxW(a->find.dlg ? a->find.dlg : a->hwnd, text ? text : a->find.what,
                    wstr_load(IDS_FIND_TITLE, title, 64), MB_OK | MB_ICONINFORMATION);
    }
    free(text);
}

int find_on_message(app *a, UINT msg, LPARAM lp)
{
    const FINDREPLACEW *fr = (const FINDREPLACEW *)lp;

    if (msg != find_message_id() || !msg)
        return 0;
    if (fr->Flags & FR_DIALOGTERM)
        a->find.dlg = NULL;
    else if (fr->Flags & FR_FINDNEXT)
        find_next(a);
    return 1;
}
