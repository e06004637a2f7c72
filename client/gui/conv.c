/* conv.c — conversations as tabs. Each owns a RichEdit transcript (only the active one is
 * visible, and it alone carries IDC_TRANSCRIPT) and a member list shown in the people list
 * while it is active. Tab i is always convs[i]. */
#include "conv.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "resource.h"
#include "newest.h"
#include "status.h"
#include "tab_strip.h"
#include "userlist.h"
#include "wstr.h"

#define LINE_MAX_W 1024 /* a formatted system line, UTF-16 units */

conv *conv_find(app *a, const wchar_t *name, int is_private)
{
    int i;

    for (i = 0; i < a->nconvs; i++)
        if (a->convs[i]->is_private == is_private && wcscmp(a->convs[i]->name, name) == 0)
            return a->convs[i];
    return NULL;
}

int conv_index(app *a, const conv *c)
{
    int i;

    for (i = 0; i < a->nconvs; i++)
        if (a->convs[i] == c)
            return i;
    return -1;
}

conv *conv_active(app *a)
{
    return a->active >= 0 && a->active < a->nconvs ? a->convs[a->active] : NULL;
}

static void tab_text(app *a, const conv *c, wchar_t *dst, size_t cap)
{
    wchar_t count[16];

    if (!c->unread) {
        if (c->notify == NOTIFY_NONE)
            wstr_format_into(dst, cap, IDS_TAB_MUTED, c->name);
        else
            wstr_copy(dst, cap, c->name);
        return;
    }
    _snwprintf(count, 16, L"%u", c->unread);
    count[15] = L'\0';
    wstr_format_into(dst, cap, c->notify == NOTIFY_NONE ? IDS_TAB_MUTED_UNREAD : IDS_TAB_UNREAD, c->name, count);
    (void)a;
}

static void people_label(app *a, const conv *c)
{
    wchar_t text[64], n[16];

    if (!c || c->members.n == 0) {
        wstr_load(IDS_USERS_LABEL, text, 64);
    } else {
        _snwprintf(n, 16, L"%u", (unsigned)c->members.n);
        n[15] = L'\0';
        wstr_format_into(text, 64, IDS_USERS_LABEL_N, n);
    }
    SetWindowTextW(a->users_label, text);
}

/* A private conversation's bar: with accounts, what became of our last message. */
static unsigned private_state(const app *a, const conv *c)
{
    if (!a->account || !c->own_last)
        return IDS_TOPIC_PRIVATE; /* without accounts there are no receipts */
    if (c->read >= c->own_last)
        return IDS_TOPIC_PRIVATE_READ;
    if (c->delivered >= c->own_last)
        return IDS_TOPIC_PRIVATE_DELIVERED;
    return IDS_TOPIC_PRIVATE_SENT;
}

/* The bar above the transcript: the room's topic, an invitation to set one, or who a
 * private conversation is with (and, with accounts, whether our last message was read). */
static void topic_bar(app *a, const conv *c)
{
    wchar_t text[PROTO_TOPIC_MAX + 64];

    if (!c)
        text[0] = L'\0';
    else if (c->is_private)
        wstr_format_into(text, sizeof text / sizeof text[0], private_state(a, c), c->name);
    else if (c->topic[0])
        wstr_format_into(text, sizeof text / sizeof text[0], IDS_TOPIC_ROOM, c->name, c->topic);
    else
        wstr_format_into(text, sizeof text / sizeof text[0], IDS_TOPIC_NONE, c->name);
    SetWindowTextW(a->topic, text);
}

void conv_report_read(app *a, conv *c)
{
    char *peer;

    if (!c || !c->is_private || !a->account || !a->net || c->peer_last <= c->reported)
        return;
    peer = wstr_to_utf8(c->name);
    if (peer && net_read(a->net, peer, c->peer_last) == 0)
        c->reported = c->peer_last;
    free(peer);
}

void conv_refresh(app *a, conv *c)
{
    int i = conv_index(a, c);
    wchar_t text[NAME_MAX_W + 24];
    TCITEMW it;

    if (i < 0)
        return;
    tab_text(a, c, text, sizeof text / sizeof text[0]);
    memset(&it, 0, sizeof it);
    it.mask = TCIF_TEXT;
    it.pszText = text;
    SendMessageW(a->tabs, TCM_SETITEMW, (WPARAM)i, (LPARAM)&it);
    if (i == a->active) {
        userlist_show(a->users, &c->members);
        people_label(a, c);
        topic_bar(a, c);
    }
}

conv *conv_open(app *a, const wchar_t *name, int is_private)
{
    conv *c = conv_find(a, name, is_private), **grown;
    TCITEMW it;
    int first;

    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    grown = realloc(a->convs, (size_t)(a->nconvs + 1) * sizeof *grown);
    if (!grown)
        goto fail;
    a->convs = grown;
    c->is_private = is_private;
    wstr_copy(c->name, NAME_MAX_W, name);
    c->notify = tab_strip_remembered_notify(c);
    /* Right after the topic bar in z-order: screen readers name a control after the static
     * text before it, so the conversation is called "design — its topic". */
    c->transcript = transcript_create(a->hwnd, IDC_TRANSCRIPT_HIDDEN, a->topic, &a->theme);
    if (!c->transcript)
        goto fail;
    memset(&it, 0, sizeof it);
    it.mask = TCIF_TEXT | TCIF_IMAGE;
    it.pszText = c->name;
    it.iImage = is_private ? 0 : -1; /* a person icon for a private talk; rooms have none */
    if (SendMessageW(a->tabs, TCM_INSERTITEMW, (WPARAM)a->nconvs, (LPARAM)&it) < 0) {
        transcript_destroy(c->transcript);
        goto fail;
    }
    first = a->nconvs == 0;
    a->convs[a->nconvs++] = c;
    /* The tab row may have grown a line; the new transcript needs its place too. */
    layout_apply(a);
    if (first)
        conv_activate(a, 0);
    return c;
fail:
    free(c);
    return NULL;
}

void conv_activate(app *a, int index)
{
    conv *old = conv_active(a), *c;
    HWND focus = GetFocus();

    if (index < 0 || index >= a->nconvs)
        return;
    c = a->convs[index];
    if (old && old != c) {
        newest_seen(old);
        SetWindowLongPtrW(old->transcript, GWLP_ID, IDC_TRANSCRIPT_HIDDEN);
        ShowWindow(old->transcript, SW_HIDE);
    }
    a->active = index;
    SetWindowLongPtrW(c->transcript, GWLP_ID, IDC_TRANSCRIPT);
    ShowWindow(c->transcript, SW_SHOW);
    transcript_restore_place(c->transcript);
    if ((int)SendMessageW(a->tabs, TCM_GETCURSEL, 0, 0) != index)
        SendMessageW(a->tabs, TCM_SETCURSEL, (WPARAM)index, 0);
    c->unread = 0;
    conv_refresh(a, c);
    conv_report_read(a, c);
    status_refresh(a); /* the unread total in the title */
    /* Focus in a transcript that just went away would be lost: move it to the new one. */
    if (old && focus == old->transcript)
        SetFocus(c->transcript);
    newest_refresh(a);
}

void conv_close(app *a, int index)
{
    conv *c;

    if (index < 0 || index >= a->nconvs)
        return;
    c = a->convs[index];
    SendMessageW(a->tabs, TCM_DELETEITEM, (WPARAM)index, 0);
    memmove(&a->convs[index], &a->convs[index + 1],
            (size_t)(a->nconvs - index - 1) * sizeof *a->convs);
    a->nconvs--;
    if (GetFocus() == c->transcript)
        SetFocus(a->input);
    transcript_destroy(c->transcript);
    members_free(&c->members);
    free(c);
    if (a->active == index) {
        a->active = -1;
        if (a->nconvs)
            conv_activate(a, index < a->nconvs ? index : a->nconvs - 1);
        else {
            userlist_show(a->users, NULL);
            people_label(a, NULL);
            topic_bar(a, NULL);
        }
    } else if (a->active > index) {
        a->active--;
    }
    layout_apply(a);
}

void conv_close_all(app *a)
{
    while (a->nconvs)
        conv_close(a, a->nconvs - 1);
    free(a->convs);
    a->convs = NULL;
}

void conv_count_unread(app *a, conv *c)
{
    if (c == conv_active(a) && notify_window_in_front(a->hwnd))
        return;
    if (c != conv_active(a)) {
        c->unread++;
        conv_refresh(a, c);
        status_refresh(a);
    }
}

void conv_line(app *a, conv *c, transcript_line kind, const wchar_t *text)
{
    if (!c)
        c = conv_active(a);
    if (c)
        transcript_add_line(c->transcript, 0, kind, text);
}

void conv_line_fmt(app *a, conv *c, transcript_line kind, unsigned id, const wchar_t *p1,
                   const wchar_t *p2, const wchar_t *p3)
{
    wchar_t text[LINE_MAX_W];

    wstr_format_into(text, LINE_MAX_W, id, p1, p2, p3);
    conv_line(a, c, kind, text);
}
