/* test_gui_round3.c — parley.exe's Options > General (close to tray, start with Windows, rooms
 * to join at start, the conversation log), balloons grouped per conversation, the sounds
 * registered under AppEvents, the taskbar overlay's state and UI Automation announcements.
 * What has no window to read (balloons, overlay, sounds, announcements) is read from the
 * trace parley.exe writes when PARLEY_GUI_TRACE names a file. */
#include <windows.h>
#include <prsht.h>
#include <richedit.h>
#include <shlobj.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

#define RUN_KEY L"Software\\Microsoft\\Windows\\CurrentVersion\\Run"
#define WM_APP_TRAY (WM_APP + 2) /* parley.exe's notification-area callback (client/gui/app.h) */

/* The page in front of a property sheet of another process. */
static HWND sheet_page(HWND sheet, int index)
{
    SendMessageW(sheet, PSM_SETCURSEL, (WPARAM)index, 0);
    Sleep(200);
    return (HWND)SendMessageW(sheet, PSM_GETCURRENTPAGEHWND, 0, 0);
}

static int checked(HWND page, int id)
{
    return SendDlgItemMessageW(page, id, BM_GETCHECK, 0, 0) == BST_CHECKED;
}

/* A whole file, NUL-terminated (caller frees), or NULL. */
static char *read_all(const wchar_t *path)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0;
    char *data = NULL;

    if (f == INVALID_HANDLE_VALUE)
        return NULL;
    size = GetFileSize(f, NULL);
    if (size != INVALID_FILE_SIZE && size < (1u << 24))
        data = malloc((size_t)size + 1);
    if (data && ReadFile(f, data, size, &got, NULL))
        data[got] = '\0';
    else if (data) {
        free(data);
        data = NULL;
    }
    CloseHandle(f);
    return data;
}

/* Waits until the file at path holds part. */
static int wait_file_has(const wchar_t *path, const char *part, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    char *all;
    int found = 0;

    while (!found && GetTickCount() - start < timeout_ms) {
        all = read_all(path);
        found = all && strstr(all, part) != NULL;
        free(all);
        if (!found)
            Sleep(100);
    }
    return found;
}

/* dir\<name> <today>.txt, as the log names today's file. */
static void log_path(const wchar_t *dir, const wchar_t *name, wchar_t *out, size_t cap)
{
    SYSTEMTIME st;

    GetLocalTime(&st);
    _snwprintf(out, cap, L"%ls\\%ls %04u-%02u-%02u.txt", dir, name, st.wYear, st.wMonth, st.wDay);
    out[cap - 1] = L'\0';
}

static void forget_general_options(void)
{
    static const wchar_t *names[] = {L"CloseToTray", L"KeepLog", L"LogFolder", L"StartRooms",
                                     L"Announce", L"PrivateSound"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", names[i]);
    RegDeleteKeyValueW(HKEY_CURRENT_USER, RUN_KEY, L"Parley");
}

/* Options > General: close to tray, start with Windows and the log turned on. The Run value
 * names this parley.exe; a message lena says lands in Documents\Parley Logs\lobby <today>.txt
 * as UTF-8; closing the window hides it (Parley still runs) and Exit in the tray menu quits. */
TEST(gui_options_general)
{
    solo s;
    HWND main, sheet, page;
    pc_conn *lena = NULL;
    wchar_t run[MAX_PATH + 200], docs[MAX_PATH], dir[MAX_PATH], path[MAX_PATH], *shown = NULL;
    DWORD size = sizeof run, start;
    int hidden = 0;

    forget_general_options();
    main = solo_start(&s, "gui-general", L"nora");
    NEED(main != NULL);
    NEED(SHGetFolderPathW(NULL, CSIDL_PERSONAL, NULL, SHGFP_TYPE_CURRENT, docs) == S_OK);
    _snwprintf(dir, MAX_PATH, L"%ls\\Parley Logs", docs);
    dir[MAX_PATH - 1] = L'\0';
    log_path(dir, L"lobby", path, MAX_PATH);
    DeleteFileW(path);

    gui_command(main, IDM_OPTIONS);
    sheet = gui_wait_window(&s.p, L"#32770", L"Options", WAIT_UI);
    NEED(sheet != NULL);
    page = sheet_page(sheet, 0);
    NEED(page != NULL);
    CHECK(!checked(page, IDC_OPT_TRAY) && !checked(page, IDC_OPT_AUTOSTART) &&
          !checked(page, IDC_OPT_LOG) && checked(page, IDC_OPT_ANNOUNCE));
    shown = gui_text(GetDlgItem(page, IDC_OPT_LOG_DIR));
    CHECK(shown && _wcsicmp(shown, dir) == 0);
    if (shown && _wcsicmp(shown, dir) != 0)
        fprintf(stderr, "log folder shown: %ls, expected %ls\n", shown, dir);
    gui_click(page, IDC_OPT_TRAY);
    gui_click(page, IDC_OPT_AUTOSTART);
    gui_click(page, IDC_OPT_LOG);
    Sleep(200);
    gui_screenshot(sheet, L"shot-options.bmp"); /* docs/screenshots/options.png */
    gui_click(sheet, IDOK);
    CHECK(gui_wait_gone(sheet, WAIT_UI));

    /* Start with Windows: the per-user Run value starts this very program. */
    CHECK(RegGetValueW(HKEY_CURRENT_USER, RUN_KEY, L"Parley", RRF_RT_REG_SZ, NULL, run, &size) ==
              ERROR_SUCCESS &&
          run[0] == L'"' && wcsstr(run, L"parley.exe\"") != NULL);
    fprintf(stderr, "Run value: %ls\n", run);

    /* The log: UTF-8, one line per message, in today's file for the lobby. */
    lena = lobby_voice(&s.ts, "lena", "log me: gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93");
    NEED(lena != NULL);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"log me", WAIT_NET));
    CHECK(wait_file_has(path, "<lena> log me: gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93\r\n", WAIT_UI));

    /* Close to tray: the window goes, the program and its connection stay. */
    PostMessageW(main, WM_CLOSE, 0, 0);
    start = GetTickCount();
    while (!hidden && GetTickCount() - start < WAIT_UI) {
        hidden = IsWindow(main) && !IsWindowVisible(main);
        if (!hidden)
            Sleep(100);
    }
    CHECK(hidden);
    CHECK(gui_running(&s.p));
    pc_say(lena, "lobby", "still there?", 0);
    CHECK(wait_file_has(path, "<lena> still there?\r\n", WAIT_NET));
    /* Exit in the notification-area menu quits for real. */
    PostMessageW(main, WM_APP_TRAY, 0, MAKELPARAM(WM_CONTEXTMENU, 1));
    CHECK(pick_from_menu(&s.p, L'x'));
    CHECK(gui_wait_gone(main, WAIT_UI));
done:
    free(shown);
    if (lena) {
        pc_quit(lena, "bye");
        pc_close(lena);
    }
    DeleteFileW(path);
    forget_general_options();
    solo_end(&s);
}

/* solo_start with options in the registry: set runs after the test desktop's clean start
 * (which forgets HKCU\Software\Parley) and before parley.exe starts. */
static HWND start_with_options(solo *s, const char *name, void (*set)(void))
{
    wchar_t key_file[MAX_PATH];

    memset(s, 0, sizeof *s);
    test_server_config(&s->cfg, name);
    if (test_server_start(&s->ts, &s->cfg) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot start the test server");
        return NULL;
    }
    gui_desktop_enter(1280, 800);
    forget_general_options();
    set();
    _snwprintf(s->key_name, 64, L"%hs-key.txt", name);
    s->key_name[63] = L'\0';
    write_key_file(s->key_name, TEST_SECRET, key_file, MAX_PATH);
    return connect_client(&s->p, &s->ts, L"nora", key_file, NULL);
}

static const wchar_t start_rooms[] = L"design, support";
static const wchar_t fake_run[] = L"\"C:\\old\\parley.exe\"";

static void set_rooms_log_run(void)
{
    DWORD on = 1;

    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"StartRooms", REG_SZ, start_rooms,
                    sizeof start_rooms);
    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"KeepLog", REG_DWORD, &on, sizeof on);
    RegSetKeyValueW(HKEY_CURRENT_USER, RUN_KEY, L"Parley", REG_SZ, fake_run, sizeof fake_run);
}

/* Rooms to join at start are joined after the server's welcome; Start with Windows shows the
 * Run value that is there and, turned off, removes it; a log folder of one's own is used. */
TEST(gui_start_rooms_and_log_folder)
{
    solo s;
    HWND main = NULL, sheet, page;
    pc_conn *lena = NULL;
    wchar_t dir[MAX_PATH], path[MAX_PATH];

    GetCurrentDirectoryW(MAX_PATH - 40, dir);
    wcscat(dir, L"\\logs-own");
    log_path(dir, L"design", path, MAX_PATH);
    DeleteFileW(path);
    main = start_with_options(&s, "gui-start-rooms", set_rooms_log_run);
    NEED(main != NULL);
    CHECK(wait_tabs(main, L"design", WAIT_NET));
    CHECK(wait_tabs(main, L"support", WAIT_NET));

    gui_command(main, IDM_OPTIONS);
    sheet = gui_wait_window(&s.p, L"#32770", L"Options", WAIT_UI);
    NEED(sheet != NULL);
    page = sheet_page(sheet, 0);
    NEED(page != NULL);
    CHECK(checked(page, IDC_OPT_AUTOSTART) && checked(page, IDC_OPT_LOG));
    CHECK(text_has(page, IDC_OPT_ROOMS, start_rooms));
    gui_click(page, IDC_OPT_AUTOSTART);
    SendMessageW(GetDlgItem(page, IDC_OPT_LOG_DIR), WM_SETTEXT, 0, (LPARAM)dir);
    gui_click(sheet, IDOK);
    CHECK(gui_wait_gone(sheet, WAIT_UI));
    CHECK(RegGetValueW(HKEY_CURRENT_USER, RUN_KEY, L"Parley", RRF_RT_ANY, NULL, NULL, NULL) ==
          ERROR_FILE_NOT_FOUND);

    /* The own folder is made when the first line goes in. */
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    pc_join(lena, "design");
    pc_say(lena, "design", "logged elsewhere", 0);
    CHECK(wait_file_has(path, "<lena> logged elsewhere\r\n", WAIT_NET));
done:
    if (lena) {
        pc_quit(lena, "bye");
        pc_close(lena);
    }
    DeleteFileW(path);
    RemoveDirectoryW(dir);
    forget_general_options();
    solo_end(&s);
}

static void set_bad_log_folder(void)
{
    wchar_t dir[MAX_PATH];
    DWORD on = 1;
    HANDLE f;

    /* A folder inside a file: no log can go there. */
    GetCurrentDirectoryW(MAX_PATH - 40, dir);
    wcscat(dir, L"\\not-a-folder");
    f = CreateFileW(dir, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (f != INVALID_HANDLE_VALUE)
        CloseHandle(f);
    wcscat(dir, L"\\logs");
    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"LogFolder", REG_SZ, dir,
                    (DWORD)((wcslen(dir) + 1) * sizeof *dir));
    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"KeepLog", REG_DWORD, &on, sizeof on);
}

/* A log that cannot be written is said once, in plain words, in the conversation; the message
 * itself is shown all the same, and the next one brings no second complaint. */
TEST(gui_log_failure_said)
{
    solo s;
    HWND main = start_with_options(&s, "gui-log-failure", set_bad_log_folder);
    pc_conn *lena = NULL;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", "first words");
    NEED(lena != NULL);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"first words", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Cannot write the conversation log in", WAIT_UI));
    report_text("transcript", main, IDC_TRANSCRIPT);
    pc_say(lena, "lobby", "second words", 0);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"second words", WAIT_NET));
    CHECK(transcript_count(main, L"Cannot write the conversation log") == 1);
done:
    if (lena) {
        pc_quit(lena, "bye");
        pc_close(lena);
    }
    solo_end(&s);
    DeleteFileW(L"not-a-folder");
}

/* The balloons of the trace file: how many, and how many messages they tell of together
 * ("N new messages in ROOM" counts N, any other balloon 1). */
static void count_balloons(const wchar_t *trace, const char *where, int *balloons, int *messages)
{
    char *all = read_all(trace), *line, *next, *text;
    unsigned n;

    *balloons = *messages = 0;
    for (line = all; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0'; /* one line at a time */
        else
            next = line + strlen(line);
        if (strncmp(line, "balloon", 7) != 0)
            continue;
        text = strchr(line, '\t');
        text = text ? strchr(text + 1, '\t') : NULL;
        if (!text || !strstr(line, where))
            continue;
        (*balloons)++;
        *messages += sscanf(text + 1, "%u new message", &n) == 1 ? (int)n : 1;
    }
    free(all);
}

/* lena's burst of six lines in the lobby while nora's window is minimised makes one balloon
 * and one grouped balloon for the rest, never six; the taskbar overlay is asked for the unread
 * count; a private message plays the registered ParleyPrivateMessage sound; the sounds are
 * listed under AppEvents; the UI Automation notifications' outcome is reported. */
TEST(gui_notify_grouped)
{
    solo s;
    HWND main = NULL;
    pc_conn *lena = NULL;
    wchar_t trace[MAX_PATH], label[64];
    DWORD start, size;
    int balloons = 0, messages = 0, i;
    char line[32], *all = NULL, *uia;
    wchar_t *title = NULL;

    GetCurrentDirectoryW(MAX_PATH - 40, trace);
    wcscat(trace, L"\\trace-grouped.txt");
    DeleteFileW(trace);
    SetEnvironmentVariableW(L"PARLEY_GUI_TRACE", trace);
    main = solo_start(&s, "gui-grouped", L"nora");
    SetEnvironmentVariableW(L"PARLEY_GUI_TRACE", NULL);
    NEED(main != NULL);

    /* Registered at start, so Control Panel > Sound lists them. */
    size = sizeof label;
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"AppEvents\\EventLabels\\ParleyPrivateMessage", NULL,
                       RRF_RT_REG_SZ, NULL, label, &size) == ERROR_SUCCESS &&
          wcscmp(label, L"Private message") == 0);
    size = sizeof label;
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"AppEvents\\Schemes\\Apps\\Parley", NULL,
                       RRF_RT_REG_SZ, NULL, label, &size) == ERROR_SUCCESS &&
          wcscmp(label, L"Parley") == 0);
    CHECK(RegGetValueW(HKEY_CURRENT_USER,
                       L"AppEvents\\Schemes\\Apps\\Parley\\ParleyPrivateMessage\\.Current", NULL,
                       RRF_RT_ANY, NULL, NULL, NULL) == ERROR_SUCCESS);
    CHECK(RegGetValueW(HKEY_CURRENT_USER,
                       L"AppEvents\\Schemes\\Apps\\Parley\\ParleyMention\\.Current", NULL,
                       RRF_RT_ANY, NULL, NULL, NULL) == ERROR_SUCCESS);

    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    CHECK(gui_wait_listview(main, IDC_USERS, L"lena", 1, WAIT_NET));
    ShowWindow(main, SW_MINIMIZE);
    start = GetTickCount();
    while (!IsIconic(main) && GetTickCount() - start < WAIT_UI)
        Sleep(100);
    NEED(IsIconic(main));
    for (i = 1; i <= 6; i++) {
        proto_msg m;
        _snprintf(line, sizeof line, "busy line %d", i);
        line[sizeof line - 1] = '\0';
        pc_say(lena, "lobby", line, 0);
        test_expect_text(lena, line, &m, 10000);
    }
    /* The grouped balloon comes a few seconds after the first. */
    start = GetTickCount();
    do {
        Sleep(250);
        count_balloons(trace, "lobby", &balloons, &messages);
    } while (messages < 6 && GetTickCount() - start < WAIT_NET);
    fprintf(stderr, "6 messages: %d balloons telling of %d\n", balloons, messages);
    CHECK(messages == 6);
    CHECK(balloons <= 2);
    all = read_all(trace);
    CHECK(all && strstr(all, "balloon") && strstr(all, "new messages in lobby"));

    pc_priv(lena, "nora", "psst", 0);
    start = GetTickCount();
    do {
        free(all);
        Sleep(200);
        all = read_all(trace);
    } while (!(all && strstr(all, "sound\tParleyPrivateMessage")) &&
             GetTickCount() - start < WAIT_NET);
    CHECK(all && strstr(all, "sound\tParleyPrivateMessage\t"));
    /* The lobby is the tab on show, so its lines are not unread; the private one is: the
     * taskbar overlay is asked to show 1 (the title shows "(1) "). */
    CHECK(all && strstr(all, "overlay\t1\t0x00000000"));
    title = gui_text(main);
    CHECK(title && wcsncmp(title, L"(1) ", 4) == 0);
    uia = all ? strstr(all, "uia\t") : NULL;
    CHECK(uia != NULL);
    if (uia)
        fprintf(stderr, "UI Automation: %.*s\n", (int)strcspn(uia, "\r\n"), uia);
    if (all)
        fprintf(stderr, "trace:\n%s", all);
done:
    free(all);
    free(title);
    if (lena) {
        pc_quit(lena, "bye");
        pc_close(lena);
    }
    solo_end(&s);
    DeleteFileW(trace);
}

/* The clipboard's text (caller frees), or NULL. */
static wchar_t *clipboard_text(void)
{
    HANDLE h;
    const wchar_t *p;
    wchar_t *copy = NULL;

    if (!OpenClipboard(NULL))
        return NULL;
    h = GetClipboardData(CF_UNICODETEXT);
    p = h ? GlobalLock(h) : NULL;
    if (p) {
        copy = _wcsdup(p);
        GlobalUnlock(h);
    }
    CloseClipboard();
    return copy;
}

/* Copy link, in the conversation's menu opened on a link, puts the whole link (and only it)
 * on the clipboard; opened on plain text, the menu has no Copy link. */
TEST(gui_copy_link)
{
    solo s;
    HWND main = solo_start(&s, "gui-copy-link", L"nora"), re, menu;
    pc_conn *lena = NULL;
    wchar_t *text = NULL, *at, *p, *clip = NULL;
    long crs = 0, cp;
    POINT pt;
    DWORD effects = 0;
    COLORREF colour;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", "the guide: https://example.org/guide?part=2 (new)");
    NEED(lena != NULL);
    re = GetDlgItem(main, IDC_TRANSCRIPT);
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"example.org", WAIT_NET));
    text = gui_text(re);
    at = text ? wcsstr(text, L"example.org") : NULL;
    NEED(at != NULL);
    for (p = text; p < at; p++)
        if (*p == L'\n' && p > text && p[-1] == L'\r')
            crs++;
    cp = (long)(at - text) - crs;
    NEED(gui_richedit_colour(re, cp, &colour, &effects) == 0 && (effects & CFE_LINK));
    NEED(gui_richedit_pos(re, cp, &pt) == 0);
    pt.y += 4; /* inside the character, not on its top edge */
    ClientToScreen(re, &pt);
    OpenClipboard(NULL);
    EmptyClipboard();
    CloseClipboard();
    PostMessageW(main, WM_CONTEXTMENU, (WPARAM)re, MAKELPARAM(pt.x, pt.y));
    CHECK(pick_from_menu(&s.p, L'l'));
    Sleep(300);
    clip = clipboard_text();
    CHECK(clip && wcscmp(clip, L"https://example.org/guide?part=2") == 0);
    if (clip)
        fprintf(stderr, "copied: %ls\n", clip);
    free(clip);
    clip = NULL;

    /* On "the guide": no Copy link, so its l leaves the menu open (no item has that key). */
    at = wcsstr(text, L"the guide");
    NEED(at != NULL);
    NEED(gui_richedit_pos(re, cp - (long)(wcsstr(text, L"example.org") - at), &pt) == 0);
    pt.y += 4;
    ClientToScreen(re, &pt);
    PostMessageW(main, WM_CONTEXTMENU, (WPARAM)re, MAKELPARAM(pt.x, pt.y));
    menu = gui_wait_window(&s.p, L"#32768", NULL, WAIT_UI);
    NEED(menu != NULL);
    PostMessageW(menu, WM_CHAR, L'l', 1);
    Sleep(500);
    CHECK(IsWindow(menu) && IsWindowVisible(menu));
    PostMessageW(menu, WM_KEYDOWN, VK_ESCAPE, 0);
    CHECK(gui_wait_gone(menu, WAIT_UI));
done:
    free(clip);
    free(text);
    if (lena) {
        pc_quit(lena, "bye");
        pc_close(lena);
    }
    solo_end(&s);
}
