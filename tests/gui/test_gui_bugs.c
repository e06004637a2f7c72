/* test_gui_bugs.c — parley.exe's first-hour defects, each driven through the real window:
 * the transcript after minimize and restore, a mistyped server that must not wipe the tabs,
 * /part with a room, a private tab to someone who does not exist, text that must survive a
 * failed send, and the window's saved placement. */
#define COBJMACROS
#include <winsock2.h>
#include <windows.h>
#include <oleacc.h>
#include <richedit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

#define REG_WINDOW L"Software\\Parley\\Window"

/* carol writes n numbered lines into the lobby and waits for the server's echo of the last. */
static void carol_writes(pc_conn *carol, int from, int n)
{
    char line[64];
    proto_msg m;
    int i;

    for (i = from; i < from + n; i++) {
        snprintf(line, sizeof line, "status line %03d from carol", i);
        pc_say(carol, "lobby", line, 0);
    }
    test_expect_text(carol, line, &m, 10000);
    drain(carol);
}

/* Bug 1: the transcript stays pinned to the newest line through minimize/restore, enlarge and
 * shrink, and keeps the reader's place once they scrolled up. */
TEST(gui_restore_pinned)
{
    solo s;
    HWND main;
    pc_conn *carol = NULL;
    transcript_view_t before, after;

    main = solo_start(&s, "gui-restore", L"alice");
    if (!main)
        goto done;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));
    carol = test_connect(&s.ts, "carol", NULL, 0);
    NEED(carol != NULL);
    test_settle(carol);
    SetWindowPos(main, NULL, 60, 60, 760, 520, SWP_NOZORDER);
    carol_writes(carol, 1, 10);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"status line 010", WAIT_NET));

    /* Minimized: messages arrive; restored: the newest is on screen, the pane is full. */
    SendMessageW(main, WM_SYSCOMMAND, SC_MINIMIZE, 0);
    CHECK(IsIconic(main));
    carol_writes(carol, 11, 60);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"status line 070", WAIT_NET));
    SendMessageW(main, WM_SYSCOMMAND, SC_RESTORE, 0);
    CHECK(!IsIconic(main));
    Sleep(500);
    CHECK(transcript_pinned(main, "after restore"));

    /* Larger and smaller: still the newest lines. */
    SetWindowPos(main, NULL, 40, 40, 1000, 720, SWP_NOZORDER);
    Sleep(300);
    CHECK(transcript_pinned(main, "after enlarging"));
    SetWindowPos(main, NULL, 60, 60, 640, 420, SWP_NOZORDER);
    Sleep(300);
    CHECK(transcript_pinned(main, "after shrinking"));
    SendMessageW(main, WM_SYSCOMMAND, SC_MAXIMIZE, 0);
    Sleep(300);
    CHECK(transcript_pinned(main, "after maximizing"));
    SendMessageW(main, WM_SYSCOMMAND, SC_RESTORE, 0);
    Sleep(300);

    /* The reader scrolls up: new lines and a resize keep their place. */
    SendMessageW(GetDlgItem(main, IDC_TRANSCRIPT), WM_VSCROLL, SB_TOP, 0);
    Sleep(200);
    CHECK(transcript_view(main, &before) == 0 && before.first == 0);
    carol_writes(carol, 71, 5);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"status line 075", WAIT_NET));
    SetWindowPos(main, NULL, 60, 60, 700, 480, SWP_NOZORDER);
    Sleep(300);
    CHECK(transcript_view(main, &after) == 0 && after.first == 0);
    if (after.first != 0)
        fprintf(stderr, "scrolled-up reader moved to line %ld\n", after.first);

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

/* A loopback port nothing listens on (it was free a moment ago). */
static unsigned closed_port(void)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in sa;
    int len = sizeof sa;
    unsigned port = 0;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s != INVALID_SOCKET && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(s, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (s != INVALID_SOCKET)
        closesocket(s);
    return port;
}

/* Connection > Connect, with the port changed to a closed one (written to port) and OK. */
static int connect_to_closed_port(solo *s, HWND main, wchar_t port[16])
{
    HWND dlg;

    gui_command(main, IDM_CONNECT);
    dlg = gui_wait_window(&s->p, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg)
        return -1;
    _snwprintf(port, 16, L"%u", closed_port());
    gui_set_text(dlg, IDC_PORT, port);
    gui_click(dlg, IDOK);
    return 0;
}

/* Bug 2 (and the "Retry redials the same wrong port" of bug 10): a mistyped port asks before
 * it would discard the conversations, keeps them when it fails, and Retry goes back to the
 * Connect dialog where the port can be fixed. */
TEST(gui_mistyped_port_keeps_tabs)
{
    solo s;
    wchar_t port[16], *texts;
    HWND main, dlg, box;

    main = solo_start(&s, "gui-mistyped", L"alice");
    if (!main)
        goto done;
    say_enter(main, L"/join design");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET));
    say_enter(main, L"notes worth keeping");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"notes worth keeping", WAIT_NET));

    NEED(connect_to_closed_port(&s, main, port) == 0);

    /* Another server: the conversations would go once it answers, so Parley asks first. */
    box = gui_wait_window_with(&s.p, IDYES, WAIT_UI);
    CHECK(box != NULL);
    if (!box)
        goto done;
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, L"conversations"));
    free(texts);
    gui_click(box, IDYES);

    /* It fails: every tab and its transcript are still there. */
    box = gui_wait_window_with(&s.p, IDRETRY, WAIT_NET);
    CHECK(box != NULL);
    CHECK(wait_tabs(main, L"design", 0));
    CHECK(wait_tabs(main, L"lobby", 0));
    CHECK(text_has(main, IDC_TRANSCRIPT, L"notes worth keeping"));
    if (!box)
        goto done;
    /* Retry reopens the dialog on the port, rather than redialling the same wrong one. */
    gui_click(box, IDRETRY);
    dlg = gui_wait_window(&s.p, L"#32770", TITLE_CONNECT, WAIT_UI);
    CHECK(dlg != NULL);
    if (!dlg)
        goto done;
    CHECK(text_has(dlg, IDC_PORT, port));
    CHECK(wait_focus(&s.p, GetDlgItem(dlg, IDC_SERVER), 5000));
    _snwprintf(port, 16, L"%u", (unsigned)s.ts.port);
    gui_set_text(dlg, IDC_PORT, port);
    gui_click(dlg, IDOK);
    /* Back on the first server: the same tabs, joined again, nothing asked. */
    CHECK(gui_wait_text(main, IDC_STATUS, L"Connected as alice", WAIT_NET));
    CHECK(wait_tabs(main, L"design", WAIT_NET));
    CHECK(text_has(main, IDC_TRANSCRIPT, L"notes worth keeping"));

done:
    solo_end(&s);
}

/* Bug 3: "/part lobby" typed in design leaves the lobby, not design. */
TEST(gui_part_argument)
{
    solo s;
    HWND main;

    main = solo_start(&s, "gui-part", L"alice");
    if (!main)
        goto done;
    say_enter(main, L"/join design");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET));
    say_enter(main, L"/part lobby");
    CHECK(wait_no_tab(main, L"lobby", WAIT_NET));
    CHECK(wait_tabs(main, L"design", 0));
    /* A room that is not open says so, and closes nothing. */
    say_enter(main, L"/part nowhere");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You are not in nowhere", WAIT_NET));
    CHECK(wait_tabs(main, L"design", 0));

done:
    solo_end(&s);
}

/* Bug 5: a private tab to a nickname nobody uses never shows that person online. */
TEST(gui_private_unknown_nick)
{
    solo s;
    wchar_t *items;
    HWND main, people;
    pc_conn *bob = NULL;
    int image;

    main = solo_start(&s, "gui-unknown-nick", L"alice");
    if (!main)
        goto done;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));
    say_enter(main, L"/msg nobody are you there?");
    CHECK(wait_tabs(main, L"nobody", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"no user called nobody is online", WAIT_NET));
    CHECK(gui_wait_listview(main, IDC_USERS, L"nobody (offline)", 1, WAIT_NET));
    people = GetDlgItem(main, IDC_USERS);
    items = gui_listview_items(people);
    if (items)
        fprintf(stderr, "people in the private tab:\n%ls\n", items);
    free(items);
    /* The list is sorted: "alice" first, "nobody" second; its dot is not the online one. */
    image = gui_listview_image(people, 1);
    CHECK(image != 0 && image != -1);

    /* Someone who is online does show so. */
    bob = test_connect(&s.ts, "bob", NULL, 0);
    NEED(bob != NULL);
    test_settle(bob);
    say_enter(main, L"/msg bob hello");
    CHECK(wait_tabs(main, L"bob", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"hello", WAIT_NET));
    CHECK(gui_wait_listview(main, IDC_USERS, L"bob", 1, WAIT_NET));
    CHECK(!text_has(main, IDC_TRANSCRIPT, L"no user called"));
    items = gui_listview_items(GetDlgItem(main, IDC_USERS));
    CHECK(items && !wcsstr(items, L"offline"));
    free(items);
    CHECK(gui_listview_image(GetDlgItem(main, IDC_USERS), 1) == 0);

done:
    if (bob) {
        pc_quit(bob, "bye");
        pc_close(bob);
    }
    solo_end(&s);
}

/* Bug 6: what is typed stays until the server took it; the limit is counted in UTF-8 bytes
 * with what is left shown near it; offline sending is refused visibly; the box scrolls. */
TEST(gui_input_kept)
{
    solo s;
    wchar_t *long_text = NULL;
    HWND main;
    int i;

    main = solo_start(&s, "gui-input", L"alice");
    if (!main)
        goto done;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));
    CHECK((GetWindowLongW(GetDlgItem(main, IDC_INPUT), GWL_STYLE) & WS_VSCROLL) != 0);

    /* 1300 × "こ" is 1300 UTF-16 units but 3900 bytes of UTF-8: one more byte leaves 195. */
    long_text = calloc(1500, sizeof *long_text);
    NEED(long_text != NULL);
    for (i = 0; i < 1300; i++)
        long_text[i] = 0x3053;
    gui_set_text(main, IDC_INPUT, long_text);
    gui_type(main, IDC_INPUT, L"x");
    CHECK(gui_wait_text(main, IDC_INPUT_COUNT, L"195 bytes left", 5000));
    report_text("input label", main, IDC_INPUT_COUNT);
    /* 1400 × "こ" is 4200 bytes: over the limit, said before sending, and nothing is lost. */
    for (i = 0; i < 1400; i++)
        long_text[i] = 0x3053;
    gui_set_text(main, IDC_INPUT, long_text);
    gui_type(main, IDC_INPUT, L"x");
    CHECK(gui_wait_text(main, IDC_INPUT_COUNT, L"105 bytes too long", 5000));
    gui_press_key(main, IDC_INPUT, VK_RETURN);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"too long to send", WAIT_NET));
    CHECK(!text_has(main, IDC_TRANSCRIPT, L"cannot send SAY"));
    /* WM_SETTEXT left the caret at the start, where the "x" went. */
    memmove(long_text + 1, long_text, 1400 * sizeof *long_text);
    long_text[0] = L'x';
    CHECK(input_is(main, long_text));

    /* Offline: refused in plain words, and the text stays. */
    gui_set_text(main, IDC_INPUT, L"");
    gui_command(main, IDM_DISCONNECT);
    CHECK(gui_wait_text(main, IDC_STATUS, L"Not connected", WAIT_NET));
    say_enter(main, L"are you still there");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Not connected: the message was not sent", WAIT_NET));
    Sleep(300);
    CHECK(input_is(main, L"are you still there"));

done:
    free(long_text);
    solo_end(&s);
}

/* The main window of a parley.exe that was started and whose Connect dialog was cancelled. */
static HWND start_offline(gui_proc *p, const test_server *ts)
{
    wchar_t args[1024];
    HWND dlg;

    client_args(args, 1024, ts, L"pia", NULL);
    if (gui_start(p, L"pia", parley_exe(), args) != 0)
        return NULL;
    dlg = gui_wait_window(p, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg)
        return NULL;
    gui_click(dlg, IDCANCEL);
    gui_wait_gone(dlg, WAIT_UI);
    return gui_wait_window(p, L"#32770", L"Parley", WAIT_UI);
}

/* Bug 7: the first start is centred on the screen; the next one opens where the window was
 * left. */
TEST(gui_window_placement)
{
    test_server ts;
    server_config cfg;
    gui_proc pia;
    HWND main;
    RECT work, rc;
    int cx, cy, wx, wy;

    test_server_config(&cfg, "gui-placement");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    RegDeleteTreeW(HKEY_CURRENT_USER, REG_WINDOW);
    memset(&pia, 0, sizeof pia);
    main = start_offline(&pia, &ts);
    if (!main) {
        test_failf_at(__FILE__, __LINE__, "no main window");
        goto done;
    }
    SystemParametersInfoW(SPI_GETWORKAREA, 0, &work, 0);
    GetWindowRect(main, &rc);
    cx = (rc.left + rc.right) / 2;
    cy = (rc.top + rc.bottom) / 2;
    wx = (work.left + work.right) / 2;
    wy = (work.top + work.bottom) / 2;
    if (abs(cx - wx) > 2 || abs(cy - wy) > 2)
        fprintf(stderr, "first start at %ld,%ld-%ld,%ld; work area %ld,%ld-%ld,%ld\n", rc.left,
                rc.top, rc.right, rc.bottom, work.left, work.top, work.right, work.bottom);
    CHECK(abs(cx - wx) <= 2 && abs(cy - wy) <= 2);

    SetWindowPos(main, NULL, 123, 77, 720, 480, SWP_NOZORDER);
    Sleep(300);
    gui_stop(&pia, 15000);
    memset(&pia, 0, sizeof pia);
    main = start_offline(&pia, &ts);
    NEED(main != NULL);
    GetWindowRect(main, &rc);
    if (rc.left != 123 || rc.top != 77 || rc.right - rc.left != 720 || rc.bottom - rc.top != 480)
        fprintf(stderr, "second start at %ld,%ld size %ldx%ld\n", rc.left, rc.top,
                rc.right - rc.left, rc.bottom - rc.top);
    CHECK(rc.left == 123 && rc.top == 77 && rc.right - rc.left == 720 && rc.bottom - rc.top == 480);

done:
    gui_stop(&pia, 15000);
    RegDeleteTreeW(HKEY_CURRENT_USER, REG_WINDOW);
    test_server_stop(&ts);
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

/* Relative luminance and contrast ratio (WCAG 2), to judge colours as a reader would. */
static double channel(int c)
{
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(COLORREF c)
{
    return 0.2126 * channel(GetRValue(c)) + 0.7152 * channel(GetGValue(c)) +
           0.0722 * channel(GetBValue(c));
}

static double contrast(COLORREF a, COLORREF b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static int colour_of(HWND main, const wchar_t *part, COLORREF *out)
{
    return transcript_format_at(main, part, out, NULL);
}

/* Checks that the line from carol reads well on background bg: text, nickname and time. */
static void check_readable(HWND main, COLORREF bg, COLORREF want_text, const char *when)
{
    COLORREF body = 0, nick = 0;

    CHECK(colour_of(main, L"the build is green", &body) == 0);
    CHECK(colour_of(main, L"carol  the build", &nick) == 0);
    if (body != want_text || contrast(nick, bg) < 3.0)
        fprintf(stderr, "%s: text %06lx (want %06lx), nickname %06lx on %06lx (contrast %.1f)\n",
                when, (unsigned long)body, (unsigned long)want_text, (unsigned long)nick,
                (unsigned long)bg, contrast(nick, bg));
    CHECK(body == want_text);
    CHECK(contrast(nick, bg) >= 3.0);
}

#define PERSONALIZE L"Software\\Microsoft\\Windows\\CurrentVersion\\Themes\\Personalize"

/* Dark mode for apps on or off, as Windows says it: the registry value, then
 * WM_SETTINGCHANGE "ImmersiveColorSet" to every top-level window. */
static void set_apps_dark(int dark)
{
    DWORD light = dark ? 0 : 1;

    RegSetKeyValueW(HKEY_CURRENT_USER, PERSONALIZE, L"AppsUseLightTheme", REG_DWORD, &light,
                    sizeof light);
    SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0, (LPARAM)L"ImmersiveColorSet",
                        SMTO_ABORTIFHUNG, 5000, NULL);
    Sleep(1000);
}

/* 1 if the text of the last occurrence of part is light (as on a dark background). */
static int light_text(HWND main, const wchar_t *part)
{
    COLORREF body = 0;

    if (colour_of(main, part, &body) != 0)
        return 0;
    if (luminance(body) <= 0.5)
        fprintf(stderr, "\"%ls\" is drawn in %06lx, not a light colour\n", part,
                (unsigned long)body);
    return luminance(body) > 0.5;
}

/* Bug 4: the transcript is drawn in the system's window colours (white on black, as high
 * contrast themes have, stays readable, nicknames included), and follows the apps' dark mode
 * when it changes, for the lines already shown and the new ones. */
TEST(gui_system_colours)
{
    static const INT which[2] = {COLOR_WINDOW, COLOR_WINDOWTEXT};
    COLORREF saved[2], dark[2] = {RGB(0, 0, 0), RGB(255, 255, 255)};
    solo s;
    HWND main;
    pc_conn *carol = NULL;
    proto_msg m;
    gui_proc hana;

    memset(&hana, 0, sizeof hana);
    saved[0] = GetSysColor(COLOR_WINDOW);
    saved[1] = GetSysColor(COLOR_WINDOWTEXT);
    main = solo_start(&s, "gui-colours", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", "the build is green");
    NEED(carol != NULL);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"the build is green", WAIT_NET));
    check_readable(main, saved[0], saved[1], "default colours");

    /* Dark mode: the lines shown follow, and so do new ones; light mode brings them back. */
    set_apps_dark(1);
    CHECK(light_text(main, L"the build is green"));
    pc_say(carol, "lobby", "after dark mode", 0);
    test_expect_text(carol, "after dark mode", &m, 10000);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"after dark mode", WAIT_NET));
    CHECK(light_text(main, L"after dark mode"));
    set_apps_dark(0);
    check_readable(main, saved[0], saved[1], "light mode again");

    /* White on black window colours (Wine hands other programs new system colours only when
     * they start, so a second parley.exe shows them). */
    SetSysColors(2, which, dark);
    {
        wchar_t key_file[MAX_PATH];
        HWND second;
        GetFullPathNameW(s.key_name, MAX_PATH, key_file, NULL);
        second = connect_client(&hana, &s.ts, L"hana", key_file, NULL);
        NEED(second != NULL);
        pc_say(carol, "lobby", "the build is green", 0);
        test_expect_text(carol, "the build is green", &m, 10000);
        CHECK(gui_wait_text(second, IDC_TRANSCRIPT, L"the build is green", WAIT_NET));
        /* The first one is hana's replay of the lobby's history (drawn greyed); the live one
         * is the one to judge. */
        {
            DWORD start = GetTickCount();
            while (transcript_count(second, L"the build is green") < 2 &&
                   GetTickCount() - start < WAIT_NET)
                Sleep(100);
        }
        CHECK(transcript_count(second, L"the build is green") == 2);
        check_readable(second, RGB(0, 0, 0), RGB(255, 255, 255), "white on black");
    }

done:
    SetSysColors(2, which, saved);
    RegDeleteKeyValueW(HKEY_CURRENT_USER, PERSONALIZE, L"AppsUseLightTheme");
    gui_stop(&hana, 15000);
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

/* carol says a line and alice's transcript shows it: everything the server sent alice before
 * that line (history ends, catch-up notes) has been shown by then. */
static int sync_point(pc_conn *carol, HWND main, const char *line)
{
    wchar_t wide[128];
    proto_msg m;

    pc_say(carol, "lobby", line, 0);
    test_expect_text(carol, line, &m, 10000);
    drain(carol);
    MultiByteToWideChar(CP_UTF8, 0, line, -1, wide, 128);
    return gui_wait_text(main, IDC_TRANSCRIPT, wide, WAIT_NET);
}

/* Bug 10, the transcript's notes: "carol disconnected", not "carol disconnected
 * (disconnected)"; no "Messages you missed follow" when none were missed; no "Earlier
 * messages (n) are shown above" when the replay showed nothing new. */
TEST(gui_small_bugs_notes)
{
    solo s;
    server_config cfg2;
    HWND main;
    pc_conn *carol = NULL, *dan = NULL;
    int earlier;
    uint16_t port;

    main = solo_start(&s, "gui-notes", L"alice");
    if (!main)
        goto done;
    carol = test_connect(&s.ts, "carol", NULL, 0);
    NEED(carol != NULL);
    test_settle(carol);
    CHECK(sync_point(carol, main, "first words"));
    /* A dropped connection: the server's reason is the word "disconnected" itself. */
    dan = test_connect(&s.ts, "dan", NULL, 0);
    NEED(dan != NULL);
    test_settle(dan);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"dan joined lobby", WAIT_NET));
    pc_hangup(dan);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"dan disconnected", WAIT_NET));
    CHECK(!text_has(main, IDC_TRANSCRIPT, L"(disconnected)"));

    /* Disconnect and Connect again: the lobby's replay holds only lines already shown. */
    earlier = transcript_count(main, L"Earlier messages");
    gui_command(main, IDM_DISCONNECT);
    CHECK(gui_wait_text(main, IDC_STATUS, L"Not connected", WAIT_NET));
    gui_command(main, IDM_CONNECT);
    {
        HWND dlg = gui_wait_window(&s.p, L"#32770", TITLE_CONNECT, WAIT_UI);
        NEED(dlg != NULL);
        gui_click(dlg, IDOK);
    }
    CHECK(gui_wait_text(main, IDC_STATUS, L"Connected as alice", WAIT_NET));
    CHECK(sync_point(carol, main, "after connecting again"));
    CHECK(transcript_count(main, L"Earlier messages") == earlier);
    if (transcript_count(main, L"Earlier messages") != earlier)
        report_text("alice's transcript", main, IDC_TRANSCRIPT);

    /* The server restarts with nothing said meanwhile: reconnected, nothing "follows". */
    pc_close(carol);
    carol = NULL;
    port = s.ts.port;
    test_server_stop(&s.ts);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Connection lost", WAIT_NET));
    cfg2 = s.cfg;
    NEED(restart_server(&s.ts, &cfg2, port) == 0);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Reconnected", 30000));
    carol = test_connect(&s.ts, "carol", NULL, 0);
    NEED(carol != NULL);
    test_settle(carol);
    CHECK(sync_point(carol, main, "after the restart"));
    CHECK(!text_has(main, IDC_TRANSCRIPT, L"Messages you missed follow"));

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    if (dan)
        pc_close(dan);
    solo_end(&s);
}

/* Bug 10, the error box and F1: the details do not repeat the headline; F1 opens help for
 * chatting (commands and keys), not the command-line options. */
TEST(gui_small_bugs_help)
{
    solo s;
    HWND main, box, help;
    wchar_t port[16], *texts;

    main = solo_start(&s, "gui-help", L"alice");
    if (!main)
        goto done;
    gui_press_key(main, IDC_INPUT, VK_F1);
    help = gui_wait_window(&s.p, L"#32770", L"Parley help", WAIT_UI);
    CHECK(help != NULL);
    if (help) {
        texts = gui_child_texts(help);
        CHECK(texts && wcsstr(texts, L"/join") && wcsstr(texts, L"Ctrl+J"));
        CHECK(texts && !wcsstr(texts, L"--key-file"));
        free(texts);
        gui_click(help, IDOK);
        gui_wait_gone(help, WAIT_UI);
    }

    NEED(connect_to_closed_port(&s, main, port) == 0);
    box = gui_wait_window_with(&s.p, IDYES, WAIT_UI);
    if (box)
        gui_click(box, IDYES);
    box = gui_wait_window_with(&s.p, IDRETRY, WAIT_NET);
    NEED(box != NULL);
    texts = gui_child_texts(box);
    if (texts)
        fprintf(stderr, "error box:\n%ls\n", texts);
    /* "Cannot reach the server 127.0.0.1." once; the details add only what is new. */
    CHECK(texts && wcsstr(texts, L"Cannot reach the server 127.0.0.1"));
    CHECK(texts && !wcsstr(texts, L"Details: cannot reach"));
    CHECK(texts && !wcsstr(texts, L"Details: Cannot reach"));
    free(texts);
    gui_click(box, IDCANCEL);

done:
    solo_end(&s);
}

/* Bug 9: the room's topic in a bar above the transcript, changed by double-clicking it; private
 * tabs marked with a person icon, unlike rooms. */
TEST(gui_topic_bar)
{
    solo s;
    HWND main, bar, dlg;
    RECT rb, rt;
    pc_conn *bob = NULL;
    int room_image, private_image;

    main = solo_start(&s, "gui-topic", L"alice");
    if (!main)
        goto done;
    say_enter(main, L"/join design");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET));
    say_enter(main, L"/topic Release 2.4: freeze on Thursday");
    CHECK(gui_wait_text(main, IDC_TOPIC, L"Release 2.4: freeze on Thursday", WAIT_NET));
    bar = GetDlgItem(main, IDC_TOPIC);
    NEED(bar != NULL);
    CHECK(IsWindowVisible(bar));
    GetWindowRect(bar, &rb);
    GetWindowRect(GetDlgItem(main, IDC_TRANSCRIPT), &rt);
    CHECK(rb.bottom <= rt.top && rb.left <= rt.left + 2 && rb.right > rb.left);

    /* Double-click: a dialog with the topic, ready to change. */
    PostMessageW(bar, WM_LBUTTONDBLCLK, MK_LBUTTON, MAKELPARAM(5, 5));
    dlg = gui_wait_window(&s.p, L"#32770", L"Room topic", WAIT_UI);
    CHECK(dlg != NULL);
    if (dlg) {
        CHECK(text_has(dlg, IDC_TOPIC_EDIT, L"freeze on Thursday"));
        gui_set_text(dlg, IDC_TOPIC_EDIT, L"Release 2.4: freeze moved to Friday");
        gui_click(dlg, IDOK);
        CHECK(gui_wait_text(main, IDC_TOPIC, L"freeze moved to Friday", WAIT_NET));
    }
    /* Each room shows its own topic. */
    gui_command(main, IDM_PREV_TAB);
    CHECK(wait_tabs(main, L"lobby", WAIT_NET));
    Sleep(300);
    CHECK(!text_has(main, IDC_TOPIC, L"freeze"));

    /* A private tab looks different from a room. */
    bob = test_connect(&s.ts, "bob", NULL, 0);
    NEED(bob != NULL);
    test_settle(bob);
    pc_priv(bob, "alice", "got a minute?", 0);
    CHECK(wait_tabs(main, L"bob", WAIT_NET));
    room_image = gui_tab_image(GetDlgItem(main, IDC_TABS), 0);
    private_image = gui_tab_image(GetDlgItem(main, IDC_TABS), 2);
    if (private_image < 0 || private_image == room_image)
        fprintf(stderr, "tab images: room %d, private %d\n", room_image, private_image);
    CHECK(private_image >= 0 && private_image != room_image);

done:
    if (bob) {
        pc_quit(bob, "bye");
        pc_close(bob);
    }
    solo_end(&s);
}

/* Bug 8: before connecting, a welcome pane with Connect and the recent servers, and a Connect
 * dialog without a hole where the XOR warning hides. */
TEST(gui_welcome_pane)
{
    solo s;
    HWND main, dlg, cipher, remember;
    RECT rc, rr;
    gui_proc pia;
    wchar_t *items;

    memset(&pia, 0, sizeof pia);
    /* A connection with "Remember" ticked makes 127.0.0.1 a recent server. */
    main = solo_start(&s, "gui-welcome", L"alice");
    if (!main)
        goto done;
    gui_stop(&s.p, 15000);
    {
        wchar_t key_file[MAX_PATH], args[1024];
        GetFullPathNameW(s.key_name, MAX_PATH, key_file, NULL);
        client_args(args, 1024, &s.ts, L"alice", key_file);
        memset(&s.p, 0, sizeof s.p);
        NEED(gui_start(&s.p, L"alice", parley_exe(), args) == 0);
        dlg = gui_wait_window(&s.p, L"#32770", TITLE_CONNECT, WAIT_UI);
        NEED(dlg != NULL);
        gui_click(dlg, IDC_REMEMBER);
        gui_click(dlg, IDOK);
        NEED(gui_wait_window(&s.p, L"#32770", L"alice on 127.0.0.1", WAIT_NET) != NULL);
        gui_stop(&s.p, 15000);
    }
    main = start_offline(&pia, &s.ts);
    NEED(main != NULL);
    CHECK(IsWindowVisible(GetDlgItem(main, IDC_WELCOME)));
    CHECK(IsWindowVisible(GetDlgItem(main, IDC_WELCOME_CONNECT)));
    items = gui_listview_items(GetDlgItem(main, IDC_RECENT));
    CHECK(items && wcsstr(items, L"127.0.0.1"));
    if (items)
        fprintf(stderr, "recent servers:\n%ls\n", items);
    free(items);

    /* The Connect button opens the dialog: with AES, the Remember box follows the cipher
     * directly; with XOR the warning takes the room. */
    gui_click(main, IDC_WELCOME_CONNECT);
    dlg = gui_wait_window(&pia, L"#32770", TITLE_CONNECT, WAIT_UI);
    NEED(dlg != NULL);
    cipher = GetDlgItem(dlg, IDC_CIPHER);
    remember = GetDlgItem(dlg, IDC_REMEMBER);
    GetWindowRect(cipher, &rc);
    GetWindowRect(remember, &rr);
    /* A combo box's rectangle includes its drop-down: measure from its edit part. */
    rc.bottom = rc.top + (int)SendMessageW(cipher, CB_GETITEMHEIGHT, (WPARAM)-1, 0) + 6;
    if (rr.top - rc.bottom > 24)
        fprintf(stderr, "gap between cipher and Remember: %ld px\n", rr.top - rc.bottom);
    CHECK(rr.top - rc.bottom <= 24);
    SendMessageW(cipher, CB_SETCURSEL, 1, 0);
    SendMessageW(dlg, WM_COMMAND, MAKEWPARAM(IDC_CIPHER, CBN_SELCHANGE), (LPARAM)cipher);
    Sleep(300);
    GetWindowRect(GetDlgItem(dlg, IDC_XOR_WARNING), &rc);
    GetWindowRect(remember, &rr);
    CHECK(IsWindowVisible(GetDlgItem(dlg, IDC_XOR_WARNING)) && rr.top >= rc.bottom);
    gui_click(dlg, IDCANCEL);

done:
    gui_stop(&pia, 15000);
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley");
    solo_end(&s);
}

/* Bug 7: one parley.exe per Windows user: a second start brings the first to the front and
 * ends; /new opens another; --profile NAME is a separate one. */
TEST(gui_single_instance)
{
    solo s;
    HWND main;
    gui_proc second, third, fourth;
    wchar_t args[1024];
    DWORD code = 0;

    memset(&second, 0, sizeof second);
    memset(&third, 0, sizeof third);
    memset(&fourth, 0, sizeof fourth);
    /* The first start is a plain one (solo_start's would carry /new). */
    NEED(solo_start(&s, "gui-single", L"carl") != NULL);
    gui_stop(&s.p, 15000);
    {
        wchar_t key_file[MAX_PATH], *tail;
        HWND dlg;
        GetFullPathNameW(s.key_name, MAX_PATH, key_file, NULL);
        client_args(args, 1024, &s.ts, L"alice", key_file);
        tail = wcsstr(args, L" /new");
        if (tail)
            *tail = L'\0';
        NEED(gui_start(&s.p, L"alice", parley_exe(), args) == 0);
        dlg = gui_wait_window(&s.p, L"#32770", TITLE_CONNECT, WAIT_UI);
        NEED(dlg != NULL);
        gui_click(dlg, IDOK);
        main = gui_wait_window(&s.p, L"#32770", L"alice on 127.0.0.1", WAIT_NET);
        NEED(main != NULL);
    }
    SendMessageW(main, WM_SYSCOMMAND, SC_MINIMIZE, 0);
    CHECK(IsIconic(main));

    /* A plain second start: the first comes back, the second ends at once. */
    NEED(gui_start(&second, L"second", parley_exe(), L"") == 0);
    CHECK(WaitForSingleObject(second.pi.hProcess, WAIT_UI) == WAIT_OBJECT_0);
    CHECK(GetExitCodeProcess(second.pi.hProcess, &code) && code == 0);
    Sleep(500);
    CHECK(!IsIconic(main));

    /* /new: another window, asking where to connect. */
    NEED(gui_start(&third, L"third", parley_exe(), L"/new") == 0);
    CHECK(gui_wait_window(&third, L"#32770", TITLE_CONNECT, WAIT_UI) != NULL);

    /* --profile: its own instance. */
    _snwprintf(args, 1024, L"--profile work");
    NEED(gui_start(&fourth, L"fourth", parley_exe(), args) == 0);
    CHECK(gui_wait_window(&fourth, L"#32770", TITLE_CONNECT, WAIT_UI) != NULL);

done:
    gui_stop(&fourth, 15000);
    gui_stop(&third, 15000);
    gui_stop(&second, 15000);
    solo_end(&s);
}

/* The accessible name of a control in another process, as a screen reader asks for it
 * (IAccessible through oleacc's standard proxy); the caller frees it (SysFreeString). */
static BSTR acc_name(HWND hwnd)
{
    /* IID_IAccessible, spelled out: MinGW's import library gives Wine's oleacc an IID it
     * answers E_NOINTERFACE to. */
    static const GUID iid_accessible = {0x618736e0, 0x3c3d, 0x11cf,
                                        {0x81, 0x0c, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}};
    IUnknown *unk = NULL;
    IAccessible *acc = NULL;
    VARIANT self;
    BSTR name = NULL;

    if (FAILED(CreateStdAccessibleObject(hwnd, OBJID_CLIENT, &IID_IUnknown, (void **)&unk)))
        return NULL;
    if (SUCCEEDED(IUnknown_QueryInterface(unk, &iid_accessible, (void **)&acc))) {
        self.vt = VT_I4;
        self.lVal = CHILDID_SELF;
        if (FAILED(IAccessible_get_accName(acc, self, &name)))
            name = NULL;
        IAccessible_Release(acc);
    }
    IUnknown_Release(unk);
    return name;
}

static int acc_name_has(HWND hwnd, const wchar_t *part, const char *what)
{
    BSTR name = acc_name(hwnd);
    int has = name && wcsstr(name, part) != NULL;

    if (!has)
        fprintf(stderr, "%s is named \"%ls\", not \"%ls\"\n", what, name ? name : L"(none)", part);
    SysFreeString(name);
    return has;
}

/* Accessibility: the message box, the conversation and the people list have names a screen
 * reader can say, and presence is in words as well as dot colours. */
TEST(gui_accessible_names)
{
    solo s;
    HWND main;
    pc_conn *carol = NULL;

    main = solo_start(&s, "gui-a11y", L"alice");
    /* After the desktop switch: COM's own window would pin this thread to the old desktop. */
    CoInitialize(NULL);
    if (!main)
        goto done;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));
    CHECK(acc_name_has(GetDlgItem(main, IDC_INPUT), L"Message", "the message box"));
    /* Not checked here, because Wine's oleacc cannot show them: the conversation's name
     * ("lobby — ..." from the topic bar before it; Wine names a RichEdit by its whole text)
     * and the people list's ("People (n)"; Wine's list view object has no name). */
    carol = test_connect(&s.ts, "carol", NULL, 0);
    NEED(carol != NULL);
    test_settle(carol);
    pc_away(carol, PRESENCE_AWAY, "lunch");
    drain(carol);
    CHECK(gui_wait_listview(main, IDC_USERS, L"carol (away)", 1, WAIT_NET));

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
    CoUninitialize();
}
