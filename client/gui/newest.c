/* newest.c — the "New messages" divider and the "Newest messages" button (newest.h). The
 * divider goes in before the first message that arrives while the user is not looking at a
 * conversation (another tab in front, or the window behind), so coming back shows where
 * reading stopped; a transcript keeps one divider, the latest. The button shows while the
 * conversation in front is scrolled away from its newest line. */
#include "newest.h"

#include "conv.h"
#include "notify.h"
#include "resource.h"
#include "transcript.h"
#include "wstr.h"

void newest_before_message(app *a, conv *c)
{
    wchar_t text[128];

    if (c->marked || (c == conv_active(a) && notify_window_in_front(a->hwnd)))
        return;
    transcript_add_divider(c->transcript, wstr_load(IDS_NEW_MESSAGES, text, 128));
    c->marked = 1;
}

void newest_seen(conv *c)
{
    if (c)
        c->marked = 0;
}

void newest_refresh(app *a)
{
    conv *c = conv_active(a);
    int show = c && !transcript_following(c->transcript);

    if (show == IsWindowVisible(a->jump))
        return;
    /* On top of the transcript it overlaps (transcripts clip their siblings). */
    SetWindowPos(a->jump, HWND_TOP, 0, 0, 0, 0,
                 SWP_NOMOVE | SWP_NOSIZE | SWP_NOACTIVATE |
                     (UINT)(show ? SWP_SHOWWINDOW : SWP_HIDEWINDOW));
}

void newest_jump(app *a)
{
    conv *c = conv_active(a);

    if (c)
        transcript_to_newest(c->transcript);
    newest_refresh(a);
    SendMessageW(a->hwnd, WM_NEXTDLGCTL, (WPARAM)a->input, TRUE);
}
