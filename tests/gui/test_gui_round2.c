/* test_gui_round2.c — parley.exe's second round (issue 13): Reconnect now; tabs (close button,
 * middle click, mute); the "New messages" divider and the "Newest messages" button; /me and
 * /history; fonts after WM_DPICHANGED; trimming whole messages; batches drawn once; the
 * status bar at 96 and 144 DPI; Kick and Ban; the command hint; Options. */
#include <windows.h>
#include <richedit.h>
#include <commctrl.h>
#include <prsht.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

/* Reads the reconnect countdown from the status bar ("retrying in N s (attempt K)"). 1 if
 * the status bar shows one. */
static int countdown(HWND main, unsigned *secs, unsigned *attempt)
{
    wchar_t *t = gui_status_part(GetDlgItem(main, IDC_STATUS), 0);
    const wchar_t *in = t ? wcsstr(t, L"retrying in ") : NULL;
    const wchar_t *at = t ? wcsstr(t, L"(attempt ") : NULL;
    int ok = in && at && swscanf(in, L"retrying in %u", secs) == 1 &&
             swscanf(at, L"(attempt %u", attempt) == 1;

    free(t);
    return ok;
}

/* Waits until the countdown is at least min_secs (the backoff doubles with each failed dial). */
static int wait_countdown(HWND main, unsigned min_secs, unsigned *secs, unsigned *attempt,
                          DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    while (GetTickCount() - start < timeout_ms) {
        if (countdown(main, secs, attempt) && *secs >= min_secs)
            return 1;
        Sleep(100);
    }
    return 0;
}

/* A left click on the first part of the status bar, as a mouse would give it. */
static void click_status_countdown(HWND main)
{
    HWND sb = GetDlgItem(main, IDC_STATUS);
    RECT r;
    LPARAM at;

    GetClientRect(sb, &r);
    at = MAKELPARAM(8, (r.bottom - r.top) / 2);
    PostMessageW(sb, WM_LBUTTONDOWN, MK_LBUTTON, at);
    PostMessageW(sb, WM_LBUTTONUP, 0, at);
}

/* Reconnect now (Connection menu, F5, or a click on the countdown) dials at once instead of
 * waiting out the backoff, which after a few failed dials is many seconds. */
TEST(gui_reconnect_now)
{
    solo s;
    HWND main = solo_start(&s, "gui-redial", L"nora");
    unsigned secs = 0, attempt = 0, secs2 = 0, attempt2 = 0;
    uint16_t port;
    DWORD start, took;
    wchar_t want[64];

    NEED(main != NULL);
    port = s.ts.port;
    test_server_stop(&s.ts);
    /* After five failed dials the wait is 8 to 16 s. */
    NEED(wait_countdown(main, 8, &secs, &attempt, 90000));
    start = GetTickCount();
    gui_command(main, IDM_RECONNECT_NOW);
    /* The next dial goes out at once (and fails: the server is still down). */
    _snwprintf(want, 64, L"(attempt %u)", attempt + 1);
    want[63] = L'\0';
    CHECK(wait_status_part(main, 0, want, secs * 1000));
    took = GetTickCount() - start;
    fprintf(stderr, "countdown %u s at attempt %u; the next dial came after %lu ms\n", secs,
            attempt, (unsigned long)took);
    CHECK(took + 2000 < secs * 1000);

    /* With the server back, a click on the countdown connects long before it would end. */
    NEED(restart_server(&s.ts, &s.cfg, port) == 0);
    NEED(wait_countdown(main, 6, &secs2, &attempt2, 5000));
    start = GetTickCount();
    click_status_countdown(main);
    CHECK(wait_status_part(main, 0, L"Connected as nora", secs2 * 1000));
    took = GetTickCount() - start;
    fprintf(stderr, "countdown %u s; connected after %lu ms\n", secs2, (unsigned long)took);
    CHECK(took + 2000 < secs2 * 1000);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Reconnected", WAIT_NET));
done:
    solo_end(&s);
}

/* nora's parley.exe in the lobby and in design (design in front), with lena (a library client)
 * in the lobby. nora's main window, or NULL after a failure (reported); *lena is the caller's. */
static HWND nora_in_two_rooms(solo *s, const char *name, pc_conn **lena)
{
    HWND main = solo_start(s, name, L"nora");

    *lena = NULL;
    if (!main)
        return NULL;
    *lena = lobby_voice(&s->ts, "lena", NULL);
    if (!*lena)
        return NULL;
    CHECK(gui_wait_listview(main, IDC_USERS, L"lena", 1, WAIT_NET));
    say_enter(main, L"/join design");
    if (!gui_wait_text(main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET)) {
        test_failf_at(__FILE__, __LINE__, "nora did not join design");
        return NULL;
    }
    return main;
}

/* lena says line in the lobby and waits for the server's echo. */
static void lena_says(pc_conn *lena, const char *line)
{
    proto_msg m;

    pc_say(lena, "lobby", line, 0);
    test_expect_text(lena, line, &m, 10000);
    drain(lena);
}

static void end_with_lena(solo *s, pc_conn *lena)
{
    if (lena) {
        pc_quit(lena, "bye");
        pc_close(lena);
    }
    solo_end(s);
}

/* A middle click on a tab closes it (here: leaves the room), as in browsers. */
TEST(gui_tab_middle_click)
{
    solo s;
    pc_conn *lena;
    HWND main = nora_in_two_rooms(&s, "gui-mclick", &lena), tabs;
    RECT r;
    POINT mid;
    proto_msg m;
    int left = 0;
    DWORD start;

    NEED(main != NULL);
    pc_join(lena, "design");
    test_expect(lena, PT_HISTORY_END, &m, 5000);
    tabs = GetDlgItem(main, IDC_TABS);
    NEED(gui_tab_rect(tabs, 1, &r) == 0);
    mid.x = (r.left + r.right) / 2;
    mid.y = (r.top + r.bottom) / 2;
    gui_middle_click(tabs, mid);
    CHECK(wait_no_tab(main, L"design", WAIT_NET));
    CHECK(wait_tabs(main, L"lobby", 0));
    /* lena, in design too, sees nora leave it: the room was left, not just hidden. */
    start = GetTickCount();
    while (!left && GetTickCount() - start < WAIT_NET &&
           test_expect(lena, PT_MEMBER, &m, 1000) == 1)
        left = m.event == MEMBER_PART && str_is(m.nick, "nora") && str_is(m.room, "design");
    CHECK(left);
done:
    end_with_lena(&s, lena);
}

/* Mute notifications (the tab's menu): the muted tab counts its unread messages itself but
 * stays out of the title's total, says it is muted, and is remembered. */
TEST(gui_tab_mute)
{
    solo s;
    pc_conn *lena;
    HWND main = nora_in_two_rooms(&s, "gui-mute", &lena);
    wchar_t *title = NULL;
    DWORD v = 0, size = sizeof v;

    NEED(main != NULL);
    /* The lobby's menu, from the keyboard, with the lobby in front. */
    gui_command(main, IDM_PREV_TAB);
    Sleep(300);
    PostMessageW(main, WM_CONTEXTMENU, (WPARAM)GetDlgItem(main, IDC_TABS),
                 MAKELPARAM(0xffff, 0xffff));
    CHECK(pick_from_menu(&s.p, L'm'));
    CHECK(wait_tabs(main, L"lobby (muted)", WAIT_UI));
    gui_command(main, IDM_NEXT_TAB);
    Sleep(300);
    lena_says(lena, "anyone for lunch?");
    CHECK(wait_tabs(main, L"lobby (1, muted)", WAIT_NET));
    title = gui_text(main);
    CHECK(title && wcsncmp(title, L"nora on", 7) == 0);
    if (title && wcsncmp(title, L"nora on", 7) != 0)
        fprintf(stderr, "title: %ls\n", title);
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley\\Notify", L"room:lobby",
                       RRF_RT_REG_DWORD, NULL, &v, &size) == ERROR_SUCCESS && v == 2);
done:
    free(title);
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley\\Notify");
    end_with_lena(&s, lena);
}

/* Where part first occurs in the transcript in front (-1 if it does not). */
static long transcript_find(HWND main, const wchar_t *part)
{
    wchar_t *t = gui_text(GetDlgItem(main, IDC_TRANSCRIPT));
    const wchar_t *at = t ? wcsstr(t, part) : NULL;
    long where = at ? (long)(at - t) : -1;

    free(t);
    return where;
}

/* Messages that arrive in a tab the user is not looking at come after a "New messages"
 * divider; a transcript keeps only the latest one. */
TEST(gui_new_messages_divider)
{
    solo s;
    pc_conn *lena;
    HWND main = nora_in_two_rooms(&s, "gui-divider", &lena);
    long divider, first;

    NEED(main != NULL);
    lena_says(lena, "first unseen line");
    lena_says(lena, "second unseen line");
    CHECK(wait_tabs(main, L"lobby (2)", WAIT_NET));
    gui_command(main, IDM_PREV_TAB);
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"second unseen line", WAIT_UI));
    divider = transcript_find(main, L"New messages");
    first = transcript_find(main, L"first unseen line");
    CHECK(divider >= 0 && first > divider);
    CHECK(transcript_find(main, L"Connected to") < divider);
    CHECK(transcript_count(main, L"New messages") == 1);

    /* Away and back: the next unseen line gets the divider, which moves. */
    gui_command(main, IDM_NEXT_TAB);
    Sleep(300);
    lena_says(lena, "third unseen line");
    CHECK(wait_tabs(main, L"lobby (1)", WAIT_NET));
    gui_command(main, IDM_PREV_TAB);
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"third unseen line", WAIT_UI));
    CHECK(transcript_count(main, L"New messages") == 1);
    divider = transcript_find(main, L"New messages");
    CHECK(divider > transcript_find(main, L"second unseen line"));
    CHECK(divider < transcript_find(main, L"third unseen line"));
done:
    end_with_lena(&s, lena);
}

/* Scrolled up while messages arrive, a "Newest messages" button shows over the conversation;
 * it brings the newest line back and goes away. */
TEST(gui_jump_to_newest)
{
    solo s;
    pc_conn *lena;
    HWND main = solo_start(&s, "gui-jump", L"nora"), jump;
    transcript_view_t v;
    char line[64];
    int i;
    DWORD start;

    lena = NULL;
    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    for (i = 1; i <= 60; i++) {
        snprintf(line, sizeof line, "numbered line %03d from lena", i);
        pc_say(lena, "lobby", line, 0);
    }
    lena_says(lena, "numbered line 061 from lena");
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"numbered line 061", WAIT_NET));
    jump = GetDlgItem(main, IDC_JUMP_NEWEST);
    NEED(jump != NULL);
    CHECK(!IsWindowVisible(jump));
    SendMessageW(GetDlgItem(main, IDC_TRANSCRIPT), WM_VSCROLL, SB_TOP, 0);
    lena_says(lena, "numbered line 062 from lena");
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"numbered line 062", WAIT_NET));
    start = GetTickCount();
    while (!IsWindowVisible(jump) && GetTickCount() - start < WAIT_UI)
        Sleep(100);
    CHECK(IsWindowVisible(jump));
    CHECK(transcript_view(main, &v) == 0 && v.first == 0); /* the reader's place is kept */
    gui_screenshot(main, L"shot-newest.bmp");
    gui_click(main, IDC_JUMP_NEWEST);
    start = GetTickCount();
    while (IsWindowVisible(jump) && GetTickCount() - start < WAIT_UI)
        Sleep(100);
    CHECK(!IsWindowVisible(jump));
    CHECK(transcript_pinned(main, "after Newest messages"));
done:
    end_with_lena(&s, lena);
}

/* /me: the action goes out with the ACTION flag and shows as "* nick text", ours and others';
 * /me without text is refused and stays in the box. */
TEST(gui_me_action)
{
    solo s;
    pc_conn *lena = NULL;
    HWND main = solo_start(&s, "gui-me", L"nora");
    proto_msg m;
    DWORD effects = 0;
    COLORREF colour;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    CHECK(gui_wait_listview(main, IDC_USERS, L"lena", 1, WAIT_NET));
    say_enter(main, L"/me waves hello");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"* nora waves hello", WAIT_NET));
    CHECK(test_expect_text(lena, "waves hello", &m, WAIT_NET) == 1);
    CHECK(str_is(m.nick, "nora") && m.flags == PROTO_FLAG_ACTION);
    memset(&m, 0, sizeof m);
    m.type = PT_SAY;
    m.room = proto_s("lobby");
    m.text = proto_s("stretches");
    m.flags = PROTO_FLAG_ACTION;
    CHECK(pc_send(lena, &m) == 0);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"* lena stretches", WAIT_NET));
    CHECK(transcript_format_at(main, L"stretches", &colour, &effects) == 0 &&
          (effects & CFE_ITALIC));
    say_enter(main, L"/me");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Say what you do", WAIT_UI));
    CHECK(input_is(main, L"/me"));
done:
    end_with_lena(&s, lena);
}

/* /history N shows the room's newest N messages again, even those the tab shows already. */
TEST(gui_history_command)
{
    solo s;
    pc_conn *lena = NULL;
    HWND main = solo_start(&s, "gui-history", L"nora");
    char line[64];
    int i;
    DWORD start;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    for (i = 1; i <= 5; i++) {
        snprintf(line, sizeof line, "history line %d", i);
        lena_says(lena, line);
    }
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"history line 5", WAIT_NET));
    say_enter(main, L"/history 3");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Earlier messages (3) are shown above", WAIT_NET));
    start = GetTickCount();
    while (transcript_count(main, L"history line 5") < 2 && GetTickCount() - start < WAIT_NET)
        Sleep(100);
    CHECK(transcript_count(main, L"history line 3") == 2);
    CHECK(transcript_count(main, L"history line 5") == 2);
    CHECK(transcript_count(main, L"history line 2") == 1);
    say_enter(main, L"/history lots");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"How many earlier messages?", WAIT_UI));
done:
    end_with_lena(&s, lena);
}

/* WM_DPICHANGED (the window moved to a monitor of another DPI): the conversation's font and
 * indents are made again for the new DPI (RichEdit draws twips at the DPI it started with),
 * the window takes the suggested rectangle, and back at the first DPI all is as it was. */
TEST(gui_dpi_change_fonts)
{
    solo s;
    HWND main = solo_start(&s, "gui-dpi", L"nora"), re;
    LONG before = 0, after = 0, back = 0;
    RECT suggested, now;
    HDC dc = GetDC(NULL);
    UINT start_dpi = dc ? (UINT)GetDeviceCaps(dc, LOGPIXELSY) : 96;

    if (dc)
        ReleaseDC(NULL, dc);
    NEED(main != NULL);
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));
    re = GetDlgItem(main, IDC_TRANSCRIPT);
    CHECK(gui_richedit_height(re, 0, &before) == 0);
    SetRect(&suggested, 40, 30, 40 + 1100, 30 + 760);
    CHECK(gui_send_dpi_changed(main, start_dpi * 2, &suggested) != -1);
    CHECK(gui_richedit_height(re, 0, &after) == 0);
    fprintf(stderr, "transcript font at %u DPI: %ld twips; at %u DPI: %ld twips\n", start_dpi,
            (long)before, start_dpi * 2, (long)after);
    CHECK(before > 0 && after == 2 * before);
    GetWindowRect(main, &now);
    CHECK(now.left == suggested.left && now.top == suggested.top &&
          now.right == suggested.right && now.bottom == suggested.bottom);
    /* New lines take the new size too. */
    say_enter(main, L"written at the new DPI");
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"written at the new DPI", WAIT_NET));
    {
        wchar_t *t = gui_text(re);
        const wchar_t *at = t ? wcsstr(t, L"written at the new DPI") : NULL;
        LONG fresh = 0;
        CHECK(at && gui_richedit_height(re, (long)(at - t), &fresh) == 0 && fresh == after);
        free(t);
    }
    SetRect(&suggested, 40, 30, 40 + 800, 30 + 560);
    CHECK(gui_send_dpi_changed(main, start_dpi, &suggested) != -1);
    CHECK(gui_richedit_height(re, 0, &back) == 0 && back == before);
done:
    solo_end(&s);
}

/* Past 5,000 display lines the oldest 1,000 go, but a whole message at a time: the cut moves
 * on to the end of the message it falls in. lena sends long messages (100 short lines each,
 * which wrap into many display lines under Wine, whose RichEdit does not break at the soft
 * breaks); after the trim, the oldest message left still has its first line. */
TEST(gui_trim_whole_messages)
{
    solo s;
    pc_conn *lena = NULL;
    HWND main = solo_start(&s, "gui-trim", L"nora");
    char *text = NULL;
    wchar_t *shown = NULL, head[32], first_line[32];
    const wchar_t *at;
    size_t used;
    int block, line, oldest = -1;
    long lines;
    proto_msg m;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    text = malloc(4096);
    NEED(text != NULL);
    for (block = 0; block < 230; block++) {
        used = 0;
        for (line = 0; line < 100; line++)
            used += (size_t)snprintf(text + used, 4096 - used, "%sblock %03d line %03d",
                                     line ? "\n" : "", block, line);
        pc_say(lena, "lobby", text, 0);
        test_expect_text(lena, text, &m, 10000);
    }
    drain(lena);
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"block 229 line 099", WAIT_NET));
    lines = (long)SendMessageW(GetDlgItem(main, IDC_TRANSCRIPT), EM_GETLINECOUNT, 0, 0);
    shown = gui_text(GetDlgItem(main, IDC_TRANSCRIPT));
    NEED(shown != NULL);
    /* The oldest block left, and whether its first line is there. */
    at = wcsstr(shown, L"block ");
    NEED(at != NULL);
    NEED(swscanf(at, L"block %d", &oldest) == 1);
    _snwprintf(head, 32, L"block %03d line ", oldest);
    head[31] = L'\0';
    _snwprintf(first_line, 32, L"block %03d line 000", oldest);
    first_line[31] = L'\0';
    fprintf(stderr, "%ld display lines; the oldest message left is block %d; it starts: %.30ls\n",
            lines, oldest, at);
    CHECK(oldest > 0); /* something was trimmed */
    CHECK(lines <= 5000);
    CHECK(wcsncmp(at, first_line, wcslen(first_line)) == 0);
    CHECK(wcsstr(shown, head) == at);
done:
    free(shown);
    free(text);
    end_with_lena(&s, lena);
}

/* 1 if every part of the status bar is wide enough for its text, measured in the dialog's
 * font (Segoe UI 9 pt, or what the prefix maps it to) at dpi; says which part is not. */
static int status_parts_fit(HWND main, UINT dpi, const char *when)
{
    HWND sb = GetDlgItem(main, IDC_STATUS);
    HDC dc = CreateCompatibleDC(NULL);
    HFONT font = CreateFontW(-MulDiv(9, (int)dpi, 72), 0, 0, 0, FW_NORMAL, 0, 0, 0,
                             DEFAULT_CHARSET, 0, 0, 0, 0, L"Segoe UI"), old;
    int part, ok = 1;

    if (!dc || !font)
        return 0;
    old = (HFONT)SelectObject(dc, font);
    for (part = 0; part < 4; part++) {
        wchar_t *text = gui_status_part(sb, part);
        SIZE size = {0, 0};
        RECT r;
        /* DrawStatusText's inset on each side, and the size grip in the last part. */
        int room, inset = MulDiv(3, (int)dpi, 96);

        if (text && text[0] && gui_status_rect(sb, part, &r) == 0) {
            GetTextExtentPoint32W(dc, text, (int)wcslen(text), &size);
            room = r.right - r.left - 2 * inset;
            if (part == 3)
                room -= GetSystemMetrics(SM_CXVSCROLL) * (int)dpi / 96;
            if (part == 1 && wcsstr(text, L"XOR"))
                room -= MulDiv(16, (int)dpi, 96);
            if (size.cx > room) {
                fprintf(stderr, "%s: status part %d \"%ls\" needs %ld px, has %d\n", when, part,
                        text, (long)size.cx, room);
                ok = 0;
            }
        }
        free(text);
    }
    SelectObject(dc, old);
    DeleteObject(font);
    DeleteDC(dc);
    return ok;
}

/* At 96 and 144 DPI, at the first-run size and at a small one, no part of the status bar is
 * cut off (the connection state used to lose " — shared key only"). */
TEST(gui_status_bar_fits)
{
    static const DWORD dpis[] = {96, 144};
    test_server ts;
    server_config cfg;
    wchar_t key_file[MAX_PATH], nick[16];
    size_t i;
    char when[64];

    test_server_config(&cfg, "gui-status-fit");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1600, 1000);
    write_key_file(L"gui-status-fit-key.txt", TEST_SECRET, key_file, MAX_PATH);
    for (i = 0; i < sizeof dpis / sizeof dpis[0]; i++) {
        gui_proc p;
        HWND main;
        DWORD dpi = dpis[i];

        RegSetKeyValueW(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"LogPixels", REG_DWORD,
                        &dpi, sizeof dpi);
        RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley\\Window"); /* the first-run size */
        memset(&p, 0, sizeof p);
        _snwprintf(nick, 16, L"fit%lu", (unsigned long)dpi);
        nick[15] = L'\0';
        main = connect_client(&p, &ts, nick, key_file, NULL);
        if (main) {
            CHECK(wait_status_part(main, 3, L" ms", WAIT_NET));
            snprintf(when, sizeof when, "%lu DPI, first-run size", (unsigned long)dpi);
            CHECK(status_parts_fit(main, dpi, when));
            SetWindowPos(main, NULL, 0, 0, MulDiv(640, (int)dpi, 96), MulDiv(420, (int)dpi, 96),
                         SWP_NOZORDER | SWP_NOMOVE);
            Sleep(300);
            snprintf(when, sizeof when, "%lu DPI, 640x420 at 96", (unsigned long)dpi);
            CHECK(status_parts_fit(main, dpi, when));
        }
        gui_stop(&p, 15000);
        RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"LogPixels");
    }
    test_server_stop(&ts);
    DeleteFileW(L"gui-status-fit-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

/* Waits for the BYE that ends c's connection (the library reports it as the connection's
 * error); the code, or -1 if the connection did not end. */
static int bye_code(pc_conn *c)
{
    proto_msg m;
    DWORD start = GetTickCount();

    while (GetTickCount() - start < WAIT_NET)
        if (test_expect(c, PT_BYE, &m, 1000) == -1)
            return pc_error_code(c);
    return -1;
}

/* Selects the person at the top of the people list and picks letter from its menu; then
 * fills in the Kick/Ban dialog that opens (title part) with reason and confirms it. */
static int moderate_top_person(solo *s, HWND main, wchar_t letter, const wchar_t *title,
                               const wchar_t *reason)
{
    HWND dlg;

    gui_press_key(main, IDC_USERS, VK_HOME);
    Sleep(300);
    PostMessageW(main, WM_CONTEXTMENU, (WPARAM)GetDlgItem(main, IDC_USERS),
                 MAKELPARAM(0xffff, 0xffff));
    if (!pick_from_menu(&s->p, letter))
        return 0;
    dlg = gui_wait_window(&s->p, L"#32770", title, WAIT_UI);
    if (!dlg)
        return 0;
    gui_set_text(dlg, IDC_MOD_REASON, reason);
    if (letter == L'b')
        gui_screenshot(dlg, L"shot-ban.bmp"); /* docs/screenshots/ban.png */
    gui_click(dlg, IDOK);
    return gui_wait_gone(dlg, WAIT_UI);
}

/* An operator (after /oper) kicks and bans from the person menu; a wrong password is said. */
TEST(gui_kick_ban)
{
    solo s;
    HWND main;
    pc_conn *lena = NULL, *mia = NULL;

    memset(&s, 0, sizeof s);
    test_server_config(&s.cfg, "gui-kick");
    snprintf(s.cfg.oper_password, sizeof s.cfg.oper_password, "opensesame");
    REQUIRE(test_server_start(&s.ts, &s.cfg) == 0);
    gui_desktop_enter(1280, 800);
    wcscpy(s.key_name, L"gui-kick-key.txt");
    {
        wchar_t key_file[MAX_PATH];
        write_key_file(s.key_name, TEST_SECRET, key_file, MAX_PATH);
        main = connect_client(&s.p, &s.ts, L"nora", key_file, NULL);
    }
    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    mia = lobby_voice(&s.ts, "mia", NULL);
    NEED(lena && mia);
    CHECK(gui_wait_listview(main, IDC_USERS, L"mia", 1, WAIT_NET));
    say_enter(main, L"/oper guess");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"wrong operator password", WAIT_NET));
    say_enter(main, L"/oper opensesame");
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"you are now a server operator", WAIT_NET));

    /* lena is first in the list: Kick, with a reason she is told. */
    NEED(moderate_top_person(&s, main, L'k', L"Kick lena", L"too loud"));
    CHECK(bye_code(lena) == PC_KICKED && strstr(pc_error(lena), "too loud") != NULL);
    CHECK(gui_wait_listview(main, IDC_USERS, L"lena", 0, WAIT_NET));
    /* Then mia: Ban (for an hour, the first choice). */
    NEED(moderate_top_person(&s, main, L'b', L"Ban mia", L"spam"));
    CHECK(bye_code(mia) == PC_BANNED);
    CHECK(gui_wait_listview(main, IDC_USERS, L"mia", 0, WAIT_NET));
    /* The password typed is not in the message box's history. */
    gui_press_key(main, IDC_INPUT, VK_UP);
    Sleep(300);
    {
        wchar_t *t = gui_text(GetDlgItem(main, IDC_INPUT));
        CHECK(t && !wcsstr(t, L"opensesame"));
        free(t);
    }
done:
    if (lena)
        pc_close(lena);
    if (mia)
        pc_close(mia);
    solo_end(&s);
}

/* A visible window of p of class STATIC whose text contains part (the command hint), or
 * NULL. */
static HWND find_hint(const gui_proc *p, DWORD timeout_ms)
{
    return gui_wait_window(p, L"Static", L"/", timeout_ms);
}

/* Typing "/" shows the commands above the message box; more letters narrow them; a space
 * (the command is chosen) or clearing the box hides the hint. */
TEST(gui_command_hint)
{
    solo s;
    HWND main = solo_start(&s, "gui-hint", L"nora"), hint;
    wchar_t *text = NULL;
    RECT hr, ir;

    NEED(main != NULL);
    SendMessageW(main, WM_NEXTDLGCTL, (WPARAM)GetDlgItem(main, IDC_INPUT), TRUE);
    gui_type(main, IDC_INPUT, L"/");
    hint = find_hint(&s.p, WAIT_UI);
    NEED(hint != NULL);
    text = gui_text(hint);
    CHECK(text && wcsstr(text, L"/join ROOM") && wcsstr(text, L"/me ACTION") &&
          wcsstr(text, L"/history"));
    free(text);
    GetWindowRect(hint, &hr);
    GetWindowRect(GetDlgItem(main, IDC_INPUT), &ir);
    CHECK(hr.bottom <= ir.top + 1 && hr.left == ir.left); /* just above the box */
    gui_screenshot(main, L"shot-hint.bmp");
    gui_type(main, IDC_INPUT, L"h");
    Sleep(300);
    text = gui_text(hint);
    CHECK(text && wcsstr(text, L"/history") && wcsstr(text, L"/help") && !wcsstr(text, L"/join"));
    free(text);
    gui_type(main, IDC_INPUT, L"istory ");
    Sleep(300);
    CHECK(!IsWindowVisible(hint));
    text = NULL;
done:
    solo_end(&s);
}

/* The page in front of a property sheet of another process. */
static HWND sheet_page(HWND sheet, int index)
{
    SendMessageW(sheet, PSM_SETCURSEL, (WPARAM)index, 0);
    Sleep(200);
    return (HWND)SendMessageW(sheet, PSM_GETCURRENTPAGEHWND, 0, 0);
}

/* Options: the sound for private messages off, the lobby muted from the Notifications page,
 * a 14 pt conversation font; OK applies all three at once and remembers them. */
TEST(gui_options)
{
    solo s;
    HWND main = solo_start(&s, "gui-options", L"nora"), sheet, page;
    DWORD v = 99, size = sizeof v;
    LONG twips = 0;
    LRESULT at;
    wchar_t shot[32];
    int i;

    NEED(main != NULL);
    say_enter(main, L"/join design");
    NEED(wait_tabs(main, L"design", WAIT_NET));
    gui_command(main, IDM_OPTIONS);
    sheet = gui_wait_window(&s.p, L"#32770", L"Options", WAIT_UI);
    NEED(sheet != NULL);
    for (i = 0; i < 3; i++) {
        sheet_page(sheet, i);
        _snwprintf(shot, 32, L"shot-options-%d.bmp", i);
        shot[31] = L'\0';
        gui_screenshot(sheet, shot); /* docs/screenshots/options-*.png */
    }
    page = sheet_page(sheet, 0);
    NEED(page != NULL);
    CHECK(SendDlgItemMessageW(page, IDC_OPT_SOUND, BM_GETCHECK, 0, 0) == BST_CHECKED);
    /* Read receipts are an account's: with the shared key alone there is nothing to switch. */
    CHECK(!IsWindowEnabled(GetDlgItem(page, IDC_OPT_RECEIPTS)));
    gui_click(page, IDC_OPT_SOUND);
    page = sheet_page(sheet, 1);
    NEED(page != NULL);
    /* lobby is the first conversation: select it, then Nothing. */
    SendDlgItemMessageW(page, IDC_OPT_CONVS, LB_SETCURSEL, 0, 0);
    PostMessageW(page, WM_COMMAND, MAKEWPARAM(IDC_OPT_CONVS, LBN_SELCHANGE),
                 (LPARAM)GetDlgItem(page, IDC_OPT_CONVS));
    Sleep(200);
    gui_click(page, IDC_OPT_N_NONE);
    page = sheet_page(sheet, 2);
    NEED(page != NULL);
    at = SendDlgItemMessageW(page, IDC_OPT_SIZE, CB_GETCURSEL, 0, 0);
    CHECK(at == 2); /* 10 pt, the default, is the third choice */
    SendDlgItemMessageW(page, IDC_OPT_SIZE, CB_SETCURSEL, 5, 0); /* 14 */
    gui_click(sheet, IDOK);
    CHECK(gui_wait_gone(sheet, WAIT_UI));

    CHECK(wait_tabs(main, L"lobby (muted)", WAIT_UI));
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"PrivateSound", RRF_RT_REG_DWORD,
                       NULL, &v, &size) == ERROR_SUCCESS && v == 0);
    size = sizeof v;
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley\\Notify", L"room:lobby",
                       RRF_RT_REG_DWORD, NULL, &v, &size) == ERROR_SUCCESS && v == 2);
    size = sizeof v;
    CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"TranscriptSize",
                       RRF_RT_REG_DWORD, NULL, &v, &size) == ERROR_SUCCESS && v == 14);
    CHECK(gui_richedit_height(GetDlgItem(main, IDC_TRANSCRIPT), 0, &twips) == 0 && twips == 280);
done:
    RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"PrivateSound");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"TranscriptSize");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"TranscriptFont");
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley\\Notify");
    solo_end(&s);
}

/* Waits until c gets PRIV_PREFS; its flags, or 0xFF if none came. */
static unsigned next_prefs(pc_conn *c)
{
    proto_msg m;
    return test_expect(c, PT_PRIV_PREFS, &m, WAIT_NET) == 1 ? m.flags : 0xFFu;
}

/* Options, General: "Send read receipts" shows the account's setting as the server keeps it
 * and changes it there (PRIV_PREFS): another session of the account hears of each change. */
TEST(gui_options_read_receipts)
{
    solo s;
    HWND main = solo_start_accounts(&s, "gui-receipts", L"alice"), sheet = NULL, page;
    pc_conn *other = NULL;
    int round;

    NEED(main != NULL);
    other = test_login_settled(&s.ts, "alice");
    NEED(other != NULL);
    /* A request after the login's catch-up: once its echo is shown, so is PRIV_PREFS. */
    say_enter(main, L"/msg bob ready");
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"ready", WAIT_NET));
    for (round = 0; round < 2; round++) {
        /* Round 0: on (the default), switched off; round 1: shown off, switched on again. */
        gui_command(main, IDM_OPTIONS);
        sheet = gui_wait_window(&s.p, L"#32770", L"Options", WAIT_UI);
        NEED(sheet != NULL);
        page = sheet_page(sheet, 0);
        NEED(page != NULL);
        CHECK(IsWindowEnabled(GetDlgItem(page, IDC_OPT_RECEIPTS)));
        CHECK(SendDlgItemMessageW(page, IDC_OPT_RECEIPTS, BM_GETCHECK, 0, 0) ==
              (round == 0 ? BST_CHECKED : BST_UNCHECKED));
        if (round == 0)
            gui_screenshot(sheet, L"shot-options-receipts.bmp");
        gui_click(page, IDC_OPT_RECEIPTS);
        gui_click(sheet, IDOK);
        CHECK(gui_wait_gone(sheet, WAIT_UI));
        sheet = NULL;
        CHECK_EQ_INT(next_prefs(other), round == 0 ? PROTO_FLAG_NO_RECEIPTS : 0);
        /* Its own echo has reached the window too before the sheet opens again. */
        say_enter(main, round == 0 ? L"/msg bob once" : L"/msg bob twice");
        NEED(gui_wait_text(main, IDC_TRANSCRIPT, round == 0 ? L"once" : L"twice", WAIT_NET));
    }
done:
    if (other)
        pc_close(other);
    solo_end(&s);
}

/* A left click at the right end of a tab, where its "×" is. */
static void click_tab_close(HWND tabs, int i)
{
    RECT r;
    LPARAM at;

    if (gui_tab_rect(tabs, i, &r) != 0)
        return;
    at = MAKELPARAM(r.right - 10, (r.top + r.bottom) / 2);
    PostMessageW(tabs, WM_LBUTTONDOWN, MK_LBUTTON, at);
    PostMessageW(tabs, WM_LBUTTONUP, 0, at);
}

/* Each tab has a close button: a click on it closes that tab (a click elsewhere on the tab
 * only selects it). */
TEST(gui_tab_close_button)
{
    solo s;
    pc_conn *lena;
    HWND main = nora_in_two_rooms(&s, "gui-tabclose", &lena), tabs;
    RECT r;
    LPARAM mid;

    NEED(main != NULL);
    tabs = GetDlgItem(main, IDC_TABS);
    gui_screenshot(main, L"shot-tabs.bmp");
    /* A click in the middle of the lobby tab selects it and closes nothing. */
    NEED(gui_tab_rect(tabs, 0, &r) == 0);
    mid = MAKELPARAM((r.left + r.right) / 2 - 8, (r.top + r.bottom) / 2);
    PostMessageW(tabs, WM_LBUTTONDOWN, MK_LBUTTON, mid);
    PostMessageW(tabs, WM_LBUTTONUP, 0, mid);
    Sleep(500);
    CHECK(SendMessageW(tabs, TCM_GETCURSEL, 0, 0) == 0);
    CHECK(wait_tabs(main, L"design", 0) && wait_tabs(main, L"lobby", 0));
    /* The "×" of design closes design. */
    click_tab_close(tabs, 1);
    CHECK(wait_no_tab(main, L"design", WAIT_NET));
    CHECK(wait_tabs(main, L"lobby", 0));
done:
    end_with_lena(&s, lena);
}

/* A big batch of events (here 400 messages that queued up while parley.exe's UI thread was
 * held) is applied with the conversation's redrawing off: WM_SETREDRAW FALSE clears the
 * window's WS_VISIBLE style (DefWindowProc) until redrawing is on again, which this test sees
 * by watching the style while the batch is applied. */
TEST(gui_batch_redraw_off)
{
    solo s;
    pc_conn *lena = NULL;
    HWND main = solo_start(&s, "gui-redraw", L"nora"), re;
    char line[64];
    int i, hidden = 0, visible_after;
    DWORD start;
    proto_msg m;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    NEED(gui_wait_listview(main, IDC_USERS, L"lena", 1, WAIT_NET));
    re = GetDlgItem(main, IDC_TRANSCRIPT);
    NEED(re != NULL);
    NEED(SuspendThread(s.p.pi.hThread) != (DWORD)-1);
    for (i = 1; i <= 400; i++) {
        snprintf(line, sizeof line, "batch line %03d", i);
        pc_say(lena, "lobby", line, 0);
    }
    test_expect_text(lena, "batch line 400", &m, 10000);
    drain(lena);
    Sleep(500); /* the network thread (not held) copies them into the UI's queue */
    ResumeThread(s.p.pi.hThread);
    start = GetTickCount();
    /* Only the style is read while the batch runs: a message to the busy UI thread would
     * wait until the batch is done. */
    while (GetTickCount() - start < 5000 && !hidden)
        if (!(GetWindowLongW(re, GWL_STYLE) & WS_VISIBLE))
            hidden = 1;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"batch line 400", WAIT_NET));
    visible_after = (GetWindowLongW(re, GWL_STYLE) & WS_VISIBLE) != 0;
    fprintf(stderr, "redrawing off seen during the batch: %d; visible after: %d\n", hidden,
            visible_after);
    CHECK(hidden);
    CHECK(visible_after);
    CHECK(transcript_pinned(main, "after the batch"));
done:
    end_with_lena(&s, lena);
}
