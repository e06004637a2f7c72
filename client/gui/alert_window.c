/* alert_window.c — alerts in parley.exe. An alert opens a window of its own: always on top,
 * shown without activation (SW_SHOWNOACTIVATE, WS_EX_NOACTIVATE) so that what the user is
 * typing keeps the keyboard focus, flashing (FlashWindowEx) with the system's alert sound
 * (MessageBeep). Its Acknowledge button sends ACK; the server's ACKED closes it. The sender's
 * roll call is a list view that the server keeps up to date (ROLL_LIST updates). */
#include "alert_window.h"

#include <stdlib.h>
#include <wchar.h>

#include "conv.h"
#include "expiry.h"
#include "prompts.h"
#include "resource.h"
#include "transcript.h"
#include "wstr.h"

/* One open alert window or roll call; lives in the dialog's DWLP_USER and in a->alert_uis. */
typedef struct alert_ui {
    struct alert_ui *next;
    app *a;
    HWND hwnd;
    int roll;          /* 1: a roll call, 0: an alert */
    uint64_t id;
    int more;          /* roll: the last frame of a full list had MORE: the next one adds */
    wchar_t sender[NAME_MAX_W];
    uint64_t sent_ms;
} alert_ui;

static alert_ui *find_ui(app *a, int roll, uint64_t id)
{
    alert_ui *u;
    for (u = a->alert_uis; u; u = u->next)
        if (u->roll == roll && u->id == id)
            return u;
    return NULL;
}

static void forget_ui(alert_ui *u)
{
    alert_ui **p;
    for (p = &u->a->alert_uis; *p; p = &(*p)->next)
        if (*p == u) {
            *p = u->next;
            break;
        }
    free(u);
}

static void id_text(uint64_t id, wchar_t *out, size_t cap)
{
    _snwprintf(out, cap, L"%llu", (unsigned long long)id);
    out[cap - 1] = L'\0';
}

/* What both kinds of window do alike: Cancel (Esc, the close box) closes, and a closed window
 * leaves the list. 1 if msg was handled here. */
static int common_close(HWND hwnd, UINT msg, WPARAM wp, alert_ui *u)
{
    if (msg == WM_COMMAND && LOWORD(wp) == IDCANCEL) {
        DestroyWindow(hwnd);
        return 1;
    }
    if (msg == WM_DESTROY) {
        if (u)
            forget_ui(u);
        SetWindowLongPtrW(hwnd, DWLP_USER, 0);
    }
    return 0;
}

/* ---- the alert window ------------------------------------------------------------------- */

static INT_PTR CALLBACK alert_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    alert_ui *u = (alert_ui *)GetWindowLongPtrW(hwnd, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(hwnd, DWLP_USER, lp);
        return FALSE; /* no focus: setting it would activate the window */
    case WM_MOUSEACTIVATE:
        /* A click acknowledges without taking the focus from the main window's input. */
        SetWindowLongPtrW(hwnd, DWLP_MSGRESULT, MA_NOACTIVATE);
        return TRUE;
    case WM_COMMAND:
        if (!u)
            break;
        if (LOWORD(wp) == IDC_ALERT_ACK && u->a->net) {
            EnableWindow(GetDlgItem(hwnd, IDC_ALERT_ACK), FALSE);
            net_ack(u->a->net, u->id);
            return TRUE;
        }
        break;
    }
    /* Closed unacknowledged, an alert comes back at the next login. */
    return common_close(hwnd, msg, wp, u);
}

/* Where a new alert window goes: the top right of the work area, each further one lower. */
static void place_alert(app *a, HWND hwnd)
{
    RECT work, r;
    alert_ui *u;
    int n = 0;

    for (u = a->alert_uis; u; u = u->next)
        n += !u->roll;
    SystemParametersInfoW(SPI_GETWORKAREA, 0, &work, 0);
    GetWindowRect(hwnd, &r);
    SetWindowPos(hwnd, HWND_TOPMOST, work.right - (r.right - r.left) - 16,
                 work.top + 16 + (n - 1) * 24, 0, 0, SWP_NOSIZE | SWP_NOACTIVATE);
}

static void show_alert(app *a, const net_event *ev)
{
    wchar_t *nick = wstr_from_utf8(ev->nick, (size_t)-1);
    wchar_t *text = wstr_from_utf8(ev->text, (size_t)-1);
    wchar_t when[96], line[256], id[24], *body = NULL;
    FLASHWINFO fw;
    alert_ui *u = NULL;
    HWND hwnd;
    size_t i, n, k = 0;

    if (!nick || !text || find_ui(a, 0, ev->id))
        goto done; /* already on screen (shown again at a reconnect) */
    /* The edit control wants CR LF line breaks. */
    for (i = 0, n = 0; text[i]; i++)
        n += text[i] == L'\n' ? 2u : 1u;
    if (!(body = malloc((n + 1) * sizeof *body)) || !(u = calloc(1, sizeof *u)))
        goto done;
    for (i = 0; text[i]; i++) {
        if (text[i] == L'\n')
            body[k++] = L'\r';
        body[k++] = text[i];
    }
    body[k] = L'\0';
    u->a = a;
    u->id = ev->id;
    hwnd = CreateDialogParamW(a->inst, MAKEINTRESOURCEW(IDD_ALERT), a->hwnd, alert_proc,
                              (LPARAM)u);
    if (!hwnd)
        goto done;
    u->hwnd = hwnd;
    u->next = a->alert_uis;
    a->alert_uis = u;
    u = NULL;
    transcript_format_time(ev->time, when, 96);
    SetWindowTextW(hwnd, wstr_format_into(line, 256, IDS_ALERT_TITLE, nick));
    SetDlgItemTextW(hwnd, IDC_ALERT_FROM,
                    wstr_format_into(line, 256, ev->flags & PROTO_FLAG_HISTORY
                                                    ? IDS_ALERT_FROM_AWAY : IDS_ALERT_FROM,
                                     nick, when));
    SetDlgItemTextW(hwnd, IDC_ALERT_TEXT, body);
    place_alert(a, hwnd);
    ShowWindow(hwnd, SW_SHOWNOACTIVATE);
    memset(&fw, 0, sizeof fw);
    fw.cbSize = sizeof fw;
    fw.hwnd = hwnd;
    fw.dwFlags = FLASHW_ALL;
    fw.uCount = 5;
    FlashWindowEx(&fw);
    fw.hwnd = a->hwnd; /* and the taskbar button, until the main window comes forward */
    fw.dwFlags = FLASHW_TRAY | FLASHW_TIMERNOFG;
    fw.uCount = 0;
    FlashWindowEx(&fw);
    MessageBeep(MB_ICONWARNING); /* the system's "Exclamation" sound */
    id_text(ev->id, id, 24);
    conv_line_fmt(a, NULL, TL_NOTICE, IDS_SYS_ALERT, id, nick, text);
done:
    free(u);
    free(body);
    free(nick);
    free(text);
}

/* ---- the roll call ---------------------------------------------------------------------- */

static INT_PTR CALLBACK roll_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    alert_ui *u = (alert_ui *)GetWindowLongPtrW(hwnd, DWLP_USER);

    switch (msg) {
    case WM_INITDIALOG: {
        static const unsigned cols[3] = {IDS_ROLL_COL_NAME, IDS_ROLL_COL_STATE,
                                         IDS_ROLL_COL_TIME};
        static const int widths[3] = {140, 110, 140};
        HWND lv = GetDlgItem(hwnd, IDC_ROLL_LIST);
        LVCOLUMNW col;
        wchar_t head[64];
        int i;
        SetWindowLongPtrW(hwnd, DWLP_USER, lp);
        ListView_SetExtendedListViewStyle(lv, LVS_EX_FULLROWSELECT);
        for (i = 0; i < 3; i++) {
            memset(&col, 0, sizeof col);
            col.mask = LVCF_TEXT | LVCF_WIDTH;
            col.cx = widths[i];
            col.pszText = wstr_load(cols[i], head, 64);
            SendMessageW(lv, LVM_INSERTCOLUMNW, (WPARAM)i, (LPARAM)&col);
        }
        return FALSE;
    }
    }
    return common_close(hwnd, msg, wp, u);
}

/* The row of name in the list, or -1. */
static int find_row(HWND lv, const wchar_t *name)
{
    LVFINDINFOW fi;
    memset(&fi, 0, sizeof fi);
    fi.flags = LVFI_STRING;
    fi.psz = name;
    return (int)SendMessageW(lv, LVM_FINDITEMW, (WPARAM)-1, (LPARAM)&fi);
}

static void put_entry(HWND lv, const net_user *e)
{
    static const unsigned states[3] = {IDS_ROLL_PENDING, IDS_ROLL_SHOWN, IDS_ROLL_ACKED};
    wchar_t name[NAME_MAX_W], state[64], when[96];
    int row;

    wstr_from_utf8_into(name, NAME_MAX_W, e->nick, (size_t)-1);
    row = find_row(lv, name);
    if (row < 0) {
        LVITEMW it;
        memset(&it, 0, sizeof it);
        it.mask = LVIF_TEXT;
        it.iItem = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
        it.pszText = name;
        row = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
    }
    wstr_load(states[e->members <= ROLL_ACKED ? e->members : 0], state, 64);
    dialog_list_cell(lv, row, 1, state);
    if (e->time)
        transcript_format_time(e->time, when, 96);
    else
        when[0] = L'\0';
    dialog_list_cell(lv, row, 2, when);
}

/* The summary line: counts per state, from the rows. */
static void summarise(alert_ui *u)
{
    HWND lv = GetDlgItem(u->hwnd, IDC_ROLL_LIST);
    wchar_t cell[64], acked[16], shown[16], pending[16], when[96], line[320], state[3][64];
    unsigned counts[3] = {0, 0, 0};
    int i, n = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0), k;
    LVITEMW it;

    wstr_load(IDS_ROLL_PENDING, state[0], 64);
    wstr_load(IDS_ROLL_SHOWN, state[1], 64);
    wstr_load(IDS_ROLL_ACKED, state[2], 64);
    for (i = 0; i < n; i++) {
        memset(&it, 0, sizeof it);
        it.iSubItem = 1;
        it.pszText = cell;
        it.cchTextMax = 64;
        SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)i, (LPARAM)&it);
        for (k = 0; k < 3; k++)
            if (wcscmp(cell, state[k]) == 0)
                counts[k]++;
    }
    _snwprintf(acked, 16, L"%u", counts[ROLL_ACKED]);
    _snwprintf(shown, 16, L"%u", counts[ROLL_SHOWN]);
    _snwprintf(pending, 16, L"%u", counts[ROLL_PENDING]);
    transcript_format_time(u->sent_ms, when, 96);
    SetDlgItemTextW(u->hwnd, IDC_ROLL_SUMMARY,
                    wstr_format_into(line, 320, IDS_ROLL_SUMMARY, acked, shown, pending,
                                     u->sender, when));
}

static void on_roll(app *a, const net_event *ev)
{
    alert_ui *u = find_ui(a, 1, ev->id);
    wchar_t title[96], id[24];
    HWND lv;
    size_t i;

    if (!u) {
        if (ev->flags & PROTO_FLAG_UPDATE)
            return; /* news of a roll call this window no longer shows */
        if (!(u = calloc(1, sizeof *u)))
            return;
        u->a = a;
        u->roll = 1;
        u->id = ev->id;
        u->hwnd = CreateDialogParamW(a->inst, MAKEINTRESOURCEW(IDD_ROLL), a->hwnd, roll_proc,
                                     (LPARAM)u);
        if (!u->hwnd) {
            free(u);
            return;
        }
        u->next = a->alert_uis;
        a->alert_uis = u;
        id_text(ev->id, id, 24);
        SetWindowTextW(u->hwnd, wstr_format_into(title, 96, IDS_ROLL_TITLE, id));
        ShowWindow(u->hwnd, SW_SHOWNOACTIVATE);
    }
    lv = GetDlgItem(u->hwnd, IDC_ROLL_LIST);
    if (!(ev->flags & PROTO_FLAG_UPDATE)) {
        if (!u->more)
            SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0); /* a whole new roll call */
        u->more = (ev->flags & PROTO_FLAG_MORE) != 0;
        u->sent_ms = ev->time;
        wstr_from_utf8_into(u->sender, NAME_MAX_W, ev->nick, (size_t)-1);
    }
    for (i = 0; i < ev->nusers; i++)
        put_entry(lv, &ev->users[i]);
    summarise(u);
}

/* ---- events and commands ---------------------------------------------------------------- */

void alerts_on_event(app *a, const net_event *ev)
{
    wchar_t id[24], count[16];
    alert_ui *u;

    switch (ev->type) {
    case PT_ALERT_MSG:
        show_alert(a, ev);
        break;
    case PT_ACKED:
        if ((u = find_ui(a, 0, ev->id)) != NULL)
            DestroyWindow(u->hwnd);
        id_text(ev->id, id, 24);
        conv_line_fmt(a, NULL, TL_INFO, IDS_SYS_ACKED, id, NULL, NULL);
        break;
    case PT_ALERT_OK:
        id_text(ev->id, id, 24);
        _snwprintf(count, 16, L"%u", (unsigned)ev->count);
        conv_line_fmt(a, NULL, TL_INFO, IDS_SYS_ALERT_SENT, id, count, NULL);
        if (a->net)
            net_roll(a->net, ev->id); /* the sender's roll call opens at once */
        break;
    case PT_ROLL_LIST:
        on_roll(a, ev);
        break;
    default:
        break;
    }
}

static int parse_id(const wchar_t *s, uint64_t *id)
{
    wchar_t *end;
    unsigned long long v = wcstoull(s, &end, 10);
    while (*end == L' ')
        end++;
    if (s[0] < L'0' || s[0] > L'9' || *end || v == 0)
        return -1;
    *id = v;
    return 0;
}

/* "--expires 2h " at the start of rest: its seconds into *seconds (0 without one) and rest
 * moved past it. 0, or -1 if the duration is not one (expiry.h, as parley-cli's --expires). */
static int take_expires(const wchar_t **rest, uint32_t *seconds)
{
    const wchar_t *p = *rest;
    char d[16];
    size_t k = 0;

    *seconds = 0;
    if (wcsncmp(p, L"--expires", 9) != 0 || (p[9] != L' ' && p[9] != L'\0'))
        return 0;
    for (p += 9; *p == L' '; p++)
        ;
    for (; *p && *p != L' '; p++) {
        if (k + 1 >= sizeof d || *p > 0x7F)
            return -1;
        d[k++] = (char)*p;
    }
    d[k] = '\0';
    if (expiry_parse(d, seconds) != 0)
        return -1;
    while (*p == L' ')
        p++;
    *rest = p;
    return 0;
}

int alerts_command(app *a, const wchar_t *word, const wchar_t *rest)
{
    wchar_t to[PROTO_RECIPIENTS_MAX + 1], text[128];
    uint64_t id = 0;
    size_t n = 0;
    uint32_t expires;
    char *to8, *text8;

    if (_wcsicmp(word, L"ack") != 0 && _wcsicmp(word, L"roll") != 0 &&
        _wcsicmp(word, L"alert") != 0 && _wcsicmp(word, L"oper") != 0)
        return 0;
    if (!a->net) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_NOT_CONNECTED, text, 128));
        return 1;
    }
    if (_wcsicmp(word, L"oper") == 0) { /* who may send alerts without accounts */
        text8 = wstr_to_utf8(rest);
        if (text8)
            net_oper(a->net, text8);
        free(text8);
        return 1;
    }
    if (_wcsicmp(word, L"alert") != 0) {
        if (parse_id(rest, &id) != 0)
            conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_ALERT_USAGE, text, 128));
        else if (_wcsicmp(word, L"ack") == 0)
            net_ack(a->net, id);
        else
            net_roll(a->net, id);
        return 1;
    }
    if (take_expires(&rest, &expires) != 0) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_ALERT_EXPIRES, text, 128));
        return 1;
    }
    /* "/alert [--expires 2h] all,room:dev TEXT": the recipients are one word, separated by
     * commas. */
    while (*rest && *rest != L' ' && n + 1 < PROTO_RECIPIENTS_MAX) {
        to[n] = *rest == L',' ? L' ' : *rest;
        n++;
        rest++;
    }
    to[n] = L'\0';
    while (*rest == L' ')
        rest++;
    if (!to[0] || !*rest) {
        conv_line(a, NULL, TL_ERROR, wstr_load(IDS_SYS_ALERT_USAGE, text, 128));
        return 1;
    }
    to8 = wstr_to_utf8(to);
    text8 = wstr_to_utf8(rest);
    if (to8 && text8)
        net_alert(a->net, to8, expires, text8);
    free(to8);
    free(text8);
    return 1;
}
