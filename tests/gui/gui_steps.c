/* gui_steps.c — the steps GUI tests are made of: start parley.exe and connect it through its
 * Connect dialog, say something, wait for tabs, focus or text, check what "Remember" stored,
 * restart the server. Built on gui_driver.c. */
#include "gui_steps.h"

#include <wincrypt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "resource.h"

const wchar_t *parley_exe(void)
{
    static wchar_t path[MAX_PATH];

    if (!GetEnvironmentVariableW(L"PARLEY_GUI_EXE", path, MAX_PATH))
        MultiByteToWideChar(CP_UTF8, 0, PARLEY_GUI_EXE_DEFAULT, -1, path, MAX_PATH);
    return path;
}

/* Writes a key file (UTF-8, newline-terminated as an editor would) and returns its full path. */
void write_key_file(const wchar_t *name, const char *key, wchar_t *full, DWORD cap)
{
    HANDLE f = CreateFileW(name, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD done;

    if (f != INVALID_HANDLE_VALUE) {
        WriteFile(f, key, (DWORD)strlen(key), &done, NULL);
        WriteFile(f, "\r\n", 2, &done, NULL);
        CloseHandle(f);
    }
    GetFullPathNameW(name, cap, full, NULL);
}

void client_args(wchar_t *out, size_t cap, const test_server *ts, const wchar_t *nick,
                        const wchar_t *key_file)
{
    /* /new: tests run several parley.exe side by side, which a plain start would not. */
    if (key_file)
        _snwprintf(out, cap, L"--server 127.0.0.1 --port %u --nick %ls --key-file \"%ls\" /new",
                   (unsigned)ts->port, nick, key_file);
    else
        _snwprintf(out, cap, L"--server 127.0.0.1 --port %u --nick %ls /new", (unsigned)ts->port,
                   nick);
    out[cap - 1] = L'\0';
}

int text_has(HWND parent, int id, const wchar_t *part)
{
    wchar_t *t = gui_text(GetDlgItem(parent, id));
    int has = t && wcsstr(t, part) != NULL;

    free(t);
    return has;
}

/* Waits until the tab strip shows part (want = 1) or no longer does (want = 0). */
static int wait_tab_state(HWND main, const wchar_t *part, int want, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        wchar_t *tabs = gui_tab_items(GetDlgItem(main, IDC_TABS));
        int has = tabs && wcsstr(tabs, part) != NULL;

        free(tabs);
        if (has == want)
            return 1;
        if (GetTickCount() - start >= timeout_ms)
            return 0;
        Sleep(100);
    }
}

int wait_tabs(HWND main, const wchar_t *part, DWORD timeout_ms)
{
    return wait_tab_state(main, part, 1, timeout_ms);
}

int wait_no_tab(HWND main, const wchar_t *part, DWORD timeout_ms)
{
    return wait_tab_state(main, part, 0, timeout_ms);
}

int wait_status_part(HWND main, int part, const wchar_t *text, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        wchar_t *got = gui_status_part(GetDlgItem(main, IDC_STATUS), part);
        int has = got && wcsstr(got, text) != NULL;

        if (!has && GetTickCount() - start >= timeout_ms)
            fprintf(stderr, "status bar part %d says \"%ls\", not \"%ls\"\n", part,
                    got ? got : L"", text);
        free(got);
        if (has)
            return 1;
        if (GetTickCount() - start >= timeout_ms)
            return 0;
        Sleep(100);
    }
}

int transcript_count(HWND main, const wchar_t *part)
{
    wchar_t *t = gui_text(GetDlgItem(main, IDC_TRANSCRIPT));
    const wchar_t *p = t;
    int n = 0;

    while (p && (p = wcsstr(p, part)) != NULL) {
        n++;
        p += wcslen(part);
    }
    free(t);
    return n;
}

/* Writes a line into a main window's input box as typed keys and sends it with Enter. */
void say_enter(HWND main, const wchar_t *text)
{
    gui_type(main, IDC_INPUT, text);
    gui_press_key(main, IDC_INPUT, VK_RETURN);
}

/* The same, sent with the Send button. */
void say_button(HWND main, const wchar_t *text)
{
    gui_set_text(main, IDC_INPUT, text);
    gui_click(main, IDC_SEND);
}

void report_text(const char *what, HWND parent, int id)
{
    wchar_t *t = gui_text(GetDlgItem(parent, id));
    fprintf(stderr, "%s:\n%ls\n", what, t ? t : L"(none)");
    free(t);
}

/* Starts parley.exe as nick, confirms the Connect dialog (optionally typing the key into it
 * first), and returns the main window once it says it is connected; NULL on failure. */
HWND open_connect(gui_proc *p, const test_server *ts, const wchar_t *nick,
                  const wchar_t *key_file)
{
    wchar_t args[1024];
    HWND dlg;

    client_args(args, 1024, ts, nick, key_file);
    if (gui_start(p, nick, parley_exe(), args) != 0)
        return NULL;
    dlg = gui_wait_window(p, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg)
        test_failf_at(__FILE__, __LINE__, "%ls: no Connect dialog", nick);
    return dlg;
}

HWND wait_connected(gui_proc *p, const wchar_t *nick)
{
    wchar_t title[64];
    HWND main;

    _snwprintf(title, 64, L"%ls on 127.0.0.1", nick);
    title[63] = L'\0';
    main = gui_wait_window(p, L"#32770", title, WAIT_NET);
    if (!main)
        test_failf_at(__FILE__, __LINE__, "%ls: never connected", nick);
    return main;
}

HWND connect_client(gui_proc *p, const test_server *ts, const wchar_t *nick,
                    const wchar_t *key_file, const wchar_t *typed_key)
{
    HWND dlg = open_connect(p, ts, nick, key_file);

    if (!dlg)
        return NULL;
    CHECK(text_has(dlg, IDC_SERVER, L"127.0.0.1"));
    CHECK(text_has(dlg, IDC_NICK, nick));
    if (typed_key) {
        gui_set_text(dlg, IDC_KEY, L"");
        gui_type(dlg, IDC_KEY, typed_key);
    }
    gui_click(dlg, IDOK);
    return wait_connected(p, nick);
}

const wchar_t *screenshot_path(void)
{
    static wchar_t path[MAX_PATH];

    if (!GetEnvironmentVariableW(L"PARLEY_GUI_SCREENSHOT", path, MAX_PATH))
        wcscpy(path, L"gui-screenshot.bmp");
    return path;
}

/* PARLEY_GUI_PAUSE_MS keeps the windows up for a person to look at (or screenshot) them. */
void pause_for_a_look(void)
{
    wchar_t ms[16];

    if (GetEnvironmentVariableW(L"PARLEY_GUI_PAUSE_MS", ms, 16))
        Sleep((DWORD)wcstoul(ms, NULL, 10));
}

/* Receives whatever the server sent a library client, so its queue never fills. */
void drain(pc_conn *c)
{
    proto_msg m;
    while (pc_recv(c, &m, 50) > 0)
        ;
}

static int dpapi_ok(BOOL ok)
{
    if (!ok)
        test_failf_at(__FILE__, __LINE__, "CryptUnprotectData failed (error %lu)",
                      (unsigned long)GetLastError());
    return ok != FALSE;
}

/* Waits until the focus in p is on window `want`. */
int wait_focus(const gui_proc *p, HWND want, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    while (gui_focus(p) != want) {
        if (GetTickCount() - start >= timeout_ms)
            return 0;
        Sleep(50);
    }
    return 1;
}

void press(const gui_proc *p, UINT vk)
{
    HWND focus = gui_focus(p);
    UINT scan = MapVirtualKeyW(vk, MAPVK_VK_TO_VSC);

    PostMessageW(focus, WM_KEYDOWN, vk, (LPARAM)(1 | (scan << 16)));
    PostMessageW(focus, WM_KEYUP, vk, (LPARAM)(1 | (scan << 16) | (1u << 30) | (1u << 31)));
}

int input_is(HWND main, const wchar_t *want)
{
    wchar_t *t = gui_text(GetDlgItem(main, IDC_INPUT));
    int same = t && wcscmp(t, want) == 0;

    if (!same)
        fprintf(stderr, "input box holds \"%ls\", expected \"%ls\"\n", t ? t : L"(null)", want);
    free(t);
    return same;
}

void check_sealed(const wchar_t *name, const char *entropy_text, const char *plain)
{
    BYTE blob[4096];
    DWORD size = sizeof blob;
    DATA_BLOB in, out, entropy;

    if (RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley", name, RRF_RT_REG_BINARY, NULL,
                     blob, &size) != ERROR_SUCCESS) {
        test_failf_at(__FILE__, __LINE__, "no %ls value was remembered", name);
        return;
    }
    /* Never the plain text... */
    {
        size_t n = strlen(plain), i;
        int found = 0;
        for (i = 0; i + n <= size; i++)
            if (memcmp(blob + i, plain, n) == 0)
                found = 1;
        CHECK(!found);
    }
    /* ...but a DPAPI blob of it. */
    in.pbData = blob;
    in.cbData = size;
    entropy.pbData = (BYTE *)(void *)entropy_text;
    entropy.cbData = (DWORD)strlen(entropy_text);
    memset(&out, 0, sizeof out);
    if (dpapi_ok(CryptUnprotectData(&in, NULL, &entropy, NULL, NULL, 0, &out))) {
        CHECK(out.cbData == strlen(plain) && memcmp(out.pbData, plain, out.cbData) == 0);
        LocalFree(out.pbData);
    }
}

/* "Remember" keeps the settings under HKCU\Software\Parley and the key only as a DPAPI blob
 * that opens (with Parley's entropy) to the key. Read from this process: same user, same
 * prefix. */
void check_remembered(const wchar_t *nick, DWORD cipher)
{
    wchar_t value[64];
    DWORD size = sizeof value, number = 0;

    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"Nickname", RRF_RT_REG_SZ, NULL,
                       value, &size) == ERROR_SUCCESS && wcscmp(value, nick) == 0);
    size = sizeof number;
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"Cipher", RRF_RT_REG_DWORD,
                       NULL, &number, &size) == ERROR_SUCCESS && number == cipher);
    check_sealed(L"Key", "Parley secret key v1", TEST_SECRET);
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley");
}

/* Restarts a stopped test server on the same port and data directory (its history journal
 * survives), retrying while the old port is still held. */
int restart_server(test_server *ts, server_config *cfg, uint16_t port)
{
    int tries;

    cfg->port = port;
    for (tries = 0; tries < 50; tries++) {
        if (test_server_start(ts, cfg) == 0)
            return 0;
        Sleep(200);
    }
    return -1;
}


/* Windows' Segoe UI falls back to Japanese and emoji fonts through its font links. A Wine
 * prefix without Windows' fonts draws the UI in DejaVu Sans, and Wine's links (which it
 * rewrites at start-up) name only Windows' own fonts: font links added for DejaVu Sans had no
 * effect either. So under Wine the transcripts are set in Noto Sans CJK JP (installed by
 * install-deps.sh; it covers Latin, Cyrillic and Greek too) through parley.exe's
 * TranscriptFont setting, for programs started afterwards; on = 0 removes the setting.
 * Noto Sans CJK JP has no emoji and Wine's GDI cannot draw Noto Color Emoji (colour bitmaps);
 * a font link to another face does not help either, as Wine's RichEdit looks glyphs up in the
 * run's own font. So EmojiFont names Symbola (fonts-symbola, outlines) for them. */
void gui_cjk_font(int on)
{
    static const wchar_t noto[] = L"Noto Sans CJK JP";
    static const wchar_t symbola[] = L"Symbola";

    if (!gui_under_wine())
        return;
    if (on) {
        RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"TranscriptFont", REG_SZ, noto,
                        sizeof noto);
        RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"EmojiFont", REG_SZ, symbola,
                        sizeof symbola);
    } else {
        RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"TranscriptFont");
        RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"EmojiFont");
    }
}

HWND solo_start(solo *s, const char *name, const wchar_t *nick)
{
    return solo_start_with(s, name, nick, NULL);
}

/* The test desktop, and the key file "<name>-key.txt" (its full path into key_file). */
static void solo_desktop(solo *s, const char *name, wchar_t key_file[MAX_PATH])
{
    gui_desktop_enter(1280, 800);
    _snwprintf(s->key_name, 64, L"%hs-key.txt", name);
    s->key_name[63] = L'\0';
    write_key_file(s->key_name, TEST_SECRET, key_file, MAX_PATH);
}

HWND solo_start_with(solo *s, const char *name, const wchar_t *nick,
                     void (*adjust)(server_config *cfg))
{
    wchar_t key_file[MAX_PATH];

    memset(s, 0, sizeof *s);
    test_server_config(&s->cfg, name);
    if (adjust)
        adjust(&s->cfg);
    if (test_server_start(&s->ts, &s->cfg) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot start the test server");
        return NULL;
    }
    solo_desktop(s, name, key_file);
    return connect_client(&s->p, &s->ts, nick, key_file, NULL);
}

HWND solo_start_accounts(solo *s, const char *name, const wchar_t *nick)
{
    wchar_t key_file[MAX_PATH], password[64];
    HWND dlg, box;

    memset(s, 0, sizeof *s);
    test_server_config(&s->cfg, name);
    s->cfg.auth = AUTH_ACCOUNTS;
    if (test_add_account(s->cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) != 0 ||
        test_add_account(s->cfg.data_dir, "bob", "bob pw", USER_ROLE_USER, 0) != 0 ||
        test_server_start(&s->ts, &s->cfg) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot start the test server with accounts");
        return NULL;
    }
    solo_desktop(s, name, key_file);
    dlg = open_connect(&s->p, &s->ts, nick, key_file);
    if (!dlg)
        return NULL;
    gui_click(dlg, IDOK);
    box = gui_wait_window_with(&s->p, IDRETRY, WAIT_NET); /* "this server uses accounts" */
    if (!box) {
        test_failf_at(__FILE__, __LINE__, "the server did not ask for a password");
        return NULL;
    }
    gui_click(box, IDRETRY);
    dlg = gui_wait_window(&s->p, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg) {
        test_failf_at(__FILE__, __LINE__, "Retry did not reopen the Connect dialog");
        return NULL;
    }
    _snwprintf(password, 64, L"%ls pw", nick);
    password[63] = L'\0';
    gui_set_text(dlg, IDC_PASSWORD, password);
    gui_click(dlg, IDOK);
    return wait_connected(&s->p, nick);
}

void solo_end(solo *s)
{
    gui_stop(&s->p, 15000);
    test_server_stop(&s->ts);
    if (s->key_name[0])
        DeleteFileW(s->key_name);
    test_server_clean(s->cfg.data_dir);
    gui_desktop_leave();
}


pc_conn *lobby_voice(const test_server *ts, const char *nick, const char *line)
{
    pc_conn *c = test_connect(ts, nick, NULL, 0);
    proto_msg m;

    if (!c) {
        test_failf_at(__FILE__, __LINE__, "%s could not connect", nick);
        return NULL;
    }
    test_settle(c);
    if (line) {
        pc_say(c, "lobby", line, 0);
        test_expect_text(c, line, &m, 10000);
    }
    return c;
}

long transcript_cp(HWND main, const wchar_t *part)
{
    wchar_t *text = gui_text(GetDlgItem(main, IDC_TRANSCRIPT)), *at = NULL, *p;
    long crs = 0, cp = -1;

    for (p = text; p && (p = wcsstr(p, part)) != NULL; p++)
        at = p;
    if (at) {
        /* WM_GETTEXT ends paragraphs with \r\n, the RichEdit counts one character for each. */
        for (p = text; p < at; p++)
            if (*p == L'\n' && p > text && p[-1] == L'\r')
                crs++;
        cp = (long)(at - text) - crs;
    }
    free(text);
    return cp;
}

int transcript_format_at(HWND main, const wchar_t *part, COLORREF *colour, DWORD *effects)
{
    long cp = transcript_cp(main, part);

    if (cp < 0)
        return -1;
    return gui_richedit_colour(GetDlgItem(main, IDC_TRANSCRIPT), cp, colour, effects);
}

void shot_named(HWND hwnd, const wchar_t *name)
{
    wchar_t path[MAX_PATH];

    _snwprintf(path, MAX_PATH, L"shot-%ls.bmp", name);
    path[MAX_PATH - 1] = L'\0';
    SetForegroundWindow(hwnd);
    Sleep(800); /* the first paint (and a flash) settle */
    CHECK(gui_screenshot(hwnd, path) == 0);
}

int transcript_view(HWND main, transcript_view_t *v)
{
    HWND re = GetDlgItem(main, IDC_TRANSCRIPT);
    RECT rc;
    long start;

    if (!re)
        return -1;
    v->lines = (long)SendMessageW(re, EM_GETLINECOUNT, 0, 0);
    v->first = (long)SendMessageW(re, EM_GETFIRSTVISIBLELINE, 0, 0);
    start = (long)SendMessageW(re, EM_LINEINDEX, (WPARAM)(v->lines - 1), 0);
    GetClientRect(re, &rc);
    v->height = rc.bottom - rc.top;
    return gui_richedit_pos(re, start, &v->last);
}

int transcript_pinned(HWND main, const char *when)
{
    transcript_view_t v;
    int ok;

    if (transcript_view(main, &v) != 0)
        return 0;
    ok = v.first > 0 && v.last.y >= v.height / 2 && v.last.y < v.height;
    if (!ok)
        fprintf(stderr, "%s: %ld lines, first visible %ld, last line drawn at y=%ld in a pane "
                        "%d high\n", when, v.lines, v.first, (long)v.last.y, v.height);
    return ok;
}

int pick_from_menu(const gui_proc *p, wchar_t letter)
{
    HWND menu = gui_wait_window(p, L"#32768", NULL, WAIT_UI);

    if (!menu)
        return 0;
    PostMessageW(menu, WM_CHAR, (WPARAM)letter, 1);
    return gui_wait_gone(menu, WAIT_UI);
}
