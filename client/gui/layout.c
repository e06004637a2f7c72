/* layout.c — the main window's geometry. Sizes are in dialog units converted with
 * MapDialogRect, so they scale with the dialog font and DPI like the .rc templates do:
 *
 *   [tabs .............................................]
 *   [topic ...........................] [People (n)    ]
 *   [transcript ......................] [list          ]
 *   [  (or the welcome pane: no tabs) ] [              ]
 *   [input ...........................] [  Send]
 *   [                                 ] [n left]
 *   [status bar: state | cipher | server | round trip  ]
 */
#include "layout.h"

#include <commctrl.h>

#include "dpi.h"
#include "status.h"
#include "resource.h"
#include "transcript.h"

#define MARGIN 7       /* DLU around the edges */
#define GAP 4          /* DLU between related controls */
#define PEOPLE_W 110   /* DLU: the people column */
#define LABEL_H 10     /* DLU: the "People" label line */
#define TOPIC_H 11     /* DLU: the topic bar, one line */
#define INPUT_H 30     /* DLU: about two and a half lines */
#define BUTTON_W 50
#define COUNT_W 64     /* DLU: the column under Send, wide enough for "105 bytes too long" */
#define BUTTON_H 14
#define JUMP_W 80      /* DLU: "Newest messages ↓" */
#define MIN_W 300
#define MIN_H 200

/* Dialog units to pixels for this window's font and DPI. */
static RECT dlu(app *a, int x, int y, int w, int h)
{
    RECT r;

    SetRect(&r, x, y, x + w, y + h);
    MapDialogRect(a->hwnd, &r);
    return r;
}

static int dlu_x(app *a, int v)
{
    RECT r = dlu(a, 0, 0, v, 0);
    return r.right;
}

static int dlu_y(app *a, int v)
{
    RECT r = dlu(a, 0, 0, 0, v);
    return r.bottom;
}

/* Height of the tab strip: the tab row, and the top edge of the (empty) page below it. */
static int tab_strip_height(app *a)
{
    RECT r;

    SetRect(&r, 0, 0, 400, 400);
    SendMessageW(a->tabs, TCM_ADJUSTRECT, FALSE, (LPARAM)&r);
    return r.top > 0 ? r.top - 1 : dlu_y(a, 14);
}

/* The welcome pane fills the transcript's place while there is no conversation:
 *   Welcome text
 *   [Connect…]
 *   Recent servers:
 *   [list ...]                                                                         */
static HDWP welcome_layout(app *a, HDWP dw, int x, int y, int w, int h)
{
    HWND text = GetDlgItem(a->hwnd, IDC_WELCOME), button = GetDlgItem(a->hwnd, IDC_WELCOME_CONNECT);
    HWND label = GetDlgItem(a->hwnd, IDC_RECENT_LABEL), list = GetDlgItem(a->hwnd, IDC_RECENT);
    int show = a->nconvs == 0, text_h = dlu_y(a, 30), button_h = dlu_y(a, BUTTON_H);
    int label_h = dlu_y(a, LABEL_H), gap = dlu_y(a, GAP), list_y;
    UINT flags = SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS |
                 (UINT)(show ? SWP_SHOWWINDOW : SWP_HIDEWINDOW);

    list_y = y + text_h + gap + button_h + 2 * gap + label_h;
    if (dw)
        dw = DeferWindowPos(dw, text, NULL, x, y, w, text_h, flags);
    if (dw)
        dw = DeferWindowPos(dw, button, NULL, x, y + text_h + gap, dlu_x(a, 70), button_h, flags);
    if (dw)
        dw = DeferWindowPos(dw, label, NULL, x, list_y - label_h, w, label_h, flags);
    if (dw)
        dw = DeferWindowPos(dw, list, NULL, x, list_y, w, h - (list_y - y), flags);
    return dw;
}

void layout_apply(app *a)
{
    RECT rc, sb;
    int m_x = dlu_x(a, MARGIN), m_y = dlu_y(a, MARGIN), gap_x = dlu_x(a, GAP),
        gap_y = dlu_y(a, GAP);
    int people_w = dlu_x(a, PEOPLE_W), label_h = dlu_y(a, LABEL_H), input_h = dlu_y(a, INPUT_H);
    int button_w = dlu_x(a, BUTTON_W), button_h = dlu_y(a, BUTTON_H), count_w = dlu_x(a, COUNT_W);
    HWND count = GetDlgItem(a->hwnd, IDC_INPUT_COUNT), input_label = GetDlgItem(a->hwnd, IDC_INPUT_LABEL);
    int width, bottom, tabs_h, pane_y, text_y, pane_bottom, input_y, left_w, i;
    int topic_h = dlu_y(a, TOPIC_H);
    UINT with_convs = a->nconvs ? SWP_SHOWWINDOW : SWP_HIDEWINDOW;
    HDWP dw;

    /* The status bar sizes itself to the bottom edge. */
    SendMessageW(a->status, WM_SIZE, 0, 0);
    status_fit_parts(a);
    GetClientRect(a->hwnd, &rc);
    GetWindowRect(a->status, &sb);
    width = rc.right - 2 * m_x;
    bottom = rc.bottom - (sb.bottom - sb.top) - m_y;
    tabs_h = tab_strip_height(a);
    pane_y = m_y + tabs_h + gap_y;
    text_y = pane_y + topic_h + gap_y / 2;
    input_y = bottom - input_h;
    pane_bottom = input_y - label_h - gap_y / 2;
    if (pane_bottom < text_y + label_h * 2)
        pane_bottom = text_y + label_h * 2;
    if (people_w > width / 2)
        people_w = width / 2;
    left_w = width - people_w - gap_x;

    /* Whoever read the newest line before the resize still does after it. */
    for (i = 0; i < a->nconvs; i++)
        transcript_save_place(a->convs[i]->transcript);
    dw = BeginDeferWindowPos(13 + a->nconvs);
    if (!dw)
        return;
    /* Without a conversation, an empty tab strip and topic bar would only be bare lines over
     * the welcome pane. */
    dw = DeferWindowPos(dw, a->tabs, NULL, m_x, m_y, width, tabs_h + 2,
                        SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS | with_convs);
    if (dw)
        dw = DeferWindowPos(dw, a->topic, NULL, m_x, pane_y, left_w, topic_h,
                            SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS | with_convs);
    for (i = 0; dw && i < a->nconvs; i++)
        dw = DeferWindowPos(dw, a->convs[i]->transcript, NULL, m_x, text_y, left_w,
                            pane_bottom - text_y, SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    /* "Newest messages" sits in the transcript's lower right corner, clear of its scroll bar. */
    if (dw && a->jump)
        dw = DeferWindowPos(dw, a->jump, NULL,
                            m_x + left_w - dlu_x(a, JUMP_W) - dpi_metric(SM_CXVSCROLL, a->dpi) - gap_x,
                            pane_bottom - button_h - gap_y, dlu_x(a, JUMP_W), button_h,
                            SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    if (dw)
        dw = welcome_layout(a, dw, m_x, pane_y, left_w, pane_bottom - pane_y);
    if (dw)
        dw = DeferWindowPos(dw, a->users_label, NULL, m_x + left_w + gap_x, pane_y + 1,
                            people_w, label_h, SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    if (dw)
        dw = DeferWindowPos(dw, a->users, NULL, m_x + left_w + gap_x, pane_y + label_h,
                            people_w, pane_bottom - pane_y - label_h, SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    /* "Message:" names the input for screen readers (and Alt+M reaches it). */
    if (dw && input_label)
        dw = DeferWindowPos(dw, input_label, NULL, m_x, input_y - label_h, left_w, label_h,
                            SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    /* Send sits level with the input's top edge; the byte count fills the rest below it. */
    if (dw)
        dw = DeferWindowPos(dw, a->input, NULL, m_x, input_y, width - count_w - gap_x, input_h,
                            SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    if (dw)
        dw = DeferWindowPos(dw, a->send, NULL, m_x + width - button_w, input_y, button_w,
                            button_h, SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    if (dw && count)
        dw = DeferWindowPos(dw, count, NULL, m_x + width - count_w, input_y + button_h + gap_y / 2,
                            count_w, input_h - button_h - gap_y / 2,
                            SWP_NOZORDER | SWP_NOACTIVATE | SWP_NOCOPYBITS);
    if (dw)
        EndDeferWindowPos(dw);
    for (i = 0; i < a->nconvs; i++)
        transcript_restore_place(a->convs[i]->transcript);
    userlist_fit(a->users);
}

void layout_min_size(app *a, POINT *min)
{
    RECT r = dlu(a, 0, 0, MIN_W, MIN_H);

    dpi_adjust_window_rect(&r, (DWORD)GetWindowLongW(a->hwnd, GWL_STYLE), TRUE,
                             (DWORD)GetWindowLongW(a->hwnd, GWL_EXSTYLE), a->dpi);
    min->x = r.right - r.left;
    min->y = r.bottom - r.top;
}
