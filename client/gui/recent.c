/* recent.c — the recent servers as one REG_MULTI_SZ value under HKCU\Software\Parley\Recent,
 * one "host<TAB>port<TAB>nickname" string per server. */
#include "recent.h"

#include <commctrl.h>

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "resource.h"
#include "wstr.h"

#define LINE_MAX_W (SETTINGS_HOST_MAX + SETTINGS_NICK_MAX + 16)

typedef struct recent_list {
    wchar_t lines[RECENT_MAX][LINE_MAX_W];
    int n;
} recent_list;

static void load(recent_list *r)
{
    wchar_t *buf, key[160];
    DWORD size = 0;
    const wchar_t *p;

    r->n = 0;
    settings_subkey(L"Recent", key, 160);
    if (RegGetValueW(HKEY_CURRENT_USER, key, L"Servers", RRF_RT_REG_MULTI_SZ, NULL, NULL,
                     &size) != ERROR_SUCCESS || size == 0)
        return;
    buf = calloc(size / sizeof *buf + 2, sizeof *buf);
    if (!buf)
        return;
    if (RegGetValueW(HKEY_CURRENT_USER, key, L"Servers", RRF_RT_REG_MULTI_SZ, NULL, buf,
                     &size) == ERROR_SUCCESS)
        for (p = buf; *p && r->n < RECENT_MAX; p += wcslen(p) + 1)
            wstr_copy(r->lines[r->n++], LINE_MAX_W, p);
    free(buf);
}

static void save(const recent_list *r)
{
    wchar_t *buf = calloc((size_t)RECENT_MAX * LINE_MAX_W + 1, sizeof *buf), *p, key[160];
    int i;

    if (!buf)
        return;
    settings_subkey(L"Recent", key, 160);
    p = buf;
    for (i = 0; i < r->n; i++) {
        wcscpy(p, r->lines[i]);
        p += wcslen(p) + 1;
    }
    *p++ = L'\0';
    RegSetKeyValueW(HKEY_CURRENT_USER, key, L"Servers", REG_MULTI_SZ, buf,
                    (DWORD)((size_t)(p - buf) * sizeof *buf));
    free(buf);
}

/* Splits a line into its three fields (in place). 0, or -1 if it is malformed. */
static int split(wchar_t *line, wchar_t **host, unsigned *port, wchar_t **nick)
{
    wchar_t *t1 = wcschr(line, L'\t'), *t2 = t1 ? wcschr(t1 + 1, L'\t') : NULL;

    if (!t2)
        return -1;
    *t1 = *t2 = L'\0';
    *host = line;
    *port = (unsigned)wcstoul(t1 + 1, NULL, 10);
    *nick = t2 + 1;
    return *port && *port < 65536 && (*host)[0] ? 0 : -1;
}

void recent_add(const settings *s)
{
    recent_list r;
    wchar_t line[LINE_MAX_W];
    int i;

    if (!s->remember)
        return;
    _snwprintf(line, LINE_MAX_W, L"%ls\t%u\t%ls", s->host, s->port, s->nick);
    line[LINE_MAX_W - 1] = L'\0';
    load(&r);
    for (i = 0; i < r.n; i++)
        if (_wcsicmp(r.lines[i], line) == 0)
            break;
    if (i == r.n && r.n == RECENT_MAX)
        i = RECENT_MAX - 1; /* the oldest goes */
    else if (i == r.n)
        r.n++;
    memmove(r.lines[1], r.lines[0], (size_t)i * sizeof r.lines[0]);
    wstr_copy(r.lines[0], LINE_MAX_W, line);
    save(&r);
}

void recent_show(HWND lv)
{
    recent_list r;
    LVCOLUMNW col;
    int i;

    if (SendMessageW(lv, LVM_GETCOLUMNWIDTH, 0, 0) == 0) {
        memset(&col, 0, sizeof col);
        col.mask = LVCF_WIDTH;
        col.cx = 400;
        SendMessageW(lv, LVM_INSERTCOLUMNW, 0, (LPARAM)&col);
        SendMessageW(lv, LVM_SETEXTENDEDLISTVIEWSTYLE, LVS_EX_FULLROWSELECT, LVS_EX_FULLROWSELECT);
    }
    SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0);
    load(&r);
    for (i = 0; i < r.n; i++) {
        wchar_t *host, *nick, text[LINE_MAX_W + 32], port_text[16];
        unsigned port;
        LVITEMW it;

        if (split(r.lines[i], &host, &port, &nick) != 0)
            continue;
        _snwprintf(port_text, 16, L"%u", port);
        port_text[15] = L'\0';
        wstr_format_into(text, sizeof text / sizeof text[0], IDS_RECENT_ITEM, host, port_text,
                         nick);
        memset(&it, 0, sizeof it);
        it.mask = LVIF_TEXT | LVIF_PARAM;
        it.iItem = i;
        it.pszText = text;
        it.lParam = i;
        SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
    }
}

int recent_get(int i, settings *s)
{
    recent_list r;
    wchar_t *host, *nick;
    unsigned port;

    load(&r);
    if (i < 0 || i >= r.n || split(r.lines[i], &host, &port, &nick) != 0)
        return 0;
    wstr_copy(s->host, SETTINGS_HOST_MAX, host);
    s->port = port;
    wstr_copy(s->nick, SETTINGS_NICK_MAX, nick);
    return 1;
}
