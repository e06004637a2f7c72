/* test_gui_shots.c — the pictures docs/CLIENT.md shows, taken from real windows under test:
 * Japanese and emoji in a transcript, the dark theme, white-on-black system colours, the help
 * and Connect dialogs, and the window at 144 and 192 DPI. Each is saved as shot-NAME.bmp in
 * the working directory (PNG by hand: see docs/CLIENT.md); the checks make sure each picture
 * shows what its name says. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

#define HC_COLOURS 10
#define PERSONALIZE L"Software\\Microsoft\\Windows\\CurrentVersion\\Themes\\Personalize"

static void shot(HWND hwnd, const wchar_t *name)
{
    shot_named(hwnd, name);
}

/* Fills the lobby with a short conversation in several scripts. */
static void talk(test_server *ts, HWND main, pc_conn **kenji)
{
    proto_msg m;

    *kenji = test_connect(ts, "kenji", NULL, 0);
    if (!*kenji)
        return;
    test_settle(*kenji);
    pc_say(*kenji, "lobby", "こんにちは 👋 — the Tokyo office is online", 0);
    pc_say(*kenji, "lobby", "Grüße aus Berlin, saluts de Montréal, привет из Москвы", 0);
    pc_say(*kenji, "lobby", "Build 4127 is green ✅ notes: https://wiki.example.com/build/4127", 0);
    test_expect_text(*kenji, "Build 4127 is green ✅ notes: https://wiki.example.com/build/4127",
                     &m, 10000);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"the Tokyo office is online", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Build 4127", WAIT_NET));
}

/* Starts nick's parley.exe (at dpi, 0 = as it is), waits for the lobby's history and takes
 * the picture name of its window. */
static void another_window(test_server *ts, const wchar_t *key_file, const wchar_t *nick,
                           const wchar_t *name, DWORD dpi)
{
    gui_proc p;
    HWND main;

    if (dpi)
        RegSetKeyValueW(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"LogPixels", REG_DWORD,
                        &dpi, sizeof dpi);
    memset(&p, 0, sizeof p);
    main = connect_client(&p, ts, nick, key_file, NULL);
    if (main) {
        CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Build 4127", WAIT_NET));
        if (dpi)
            SetWindowPos(main, NULL, 0, 0, MulDiv(640, (int)dpi, 96), MulDiv(420, (int)dpi, 96),
                         SWP_NOZORDER);
        else
            SetWindowPos(main, NULL, 40, 40, 860, 540, SWP_NOZORDER);
        shot(main, name);
    }
    gui_stop(&p, 15000);
    if (dpi)
        RegDeleteKeyValueW(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"LogPixels");
}

TEST(gui_shots)
{
    test_server ts;
    server_config cfg;
    gui_proc alice;
    wchar_t key_file[MAX_PATH];
    HWND main, dlg;
    pc_conn *kenji = NULL;
    DWORD light = 0;

    test_server_config(&cfg, "gui-shots");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1600, 900);
    gui_cjk_font(1);
    write_key_file(L"gui-shots-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&alice, 0, sizeof alice);
    main = connect_client(&alice, &ts, L"alice", key_file, NULL);
    if (!main)
        goto done;
    SetWindowPos(main, NULL, 40, 40, 860, 540, SWP_NOZORDER);
    talk(&ts, main, &kenji);
    pc_join(kenji, "design");
    say_enter(main, L"/join design");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET));
    say_enter(main, L"/topic Release 2.4: notes freeze on Thursday");
    CHECK(gui_wait_text(main, IDC_TOPIC, L"Release 2.4", WAIT_NET));
    pc_priv(kenji, "alice", "お疲れさまです! Can you check the installer section?", 0);
    CHECK(wait_tabs(main, L"kenji", WAIT_NET));
    gui_command(main, IDM_PREV_TAB); /* from design back to the lobby */
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"the Tokyo office is online", WAIT_NET));
    shot(main, L"scripts");

    /* The apps' dark mode. */
    RegSetKeyValueW(HKEY_CURRENT_USER, PERSONALIZE, L"AppsUseLightTheme", REG_DWORD, &light,
                    sizeof light);
    SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0, (LPARAM)L"ImmersiveColorSet",
                        SMTO_ABORTIFHUNG, 5000, NULL);
    shot(main, L"dark");
    RegDeleteKeyValueW(HKEY_CURRENT_USER, PERSONALIZE, L"AppsUseLightTheme");
    SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0, (LPARAM)L"ImmersiveColorSet",
                        SMTO_ABORTIFHUNG, 5000, NULL);

    gui_command(main, IDM_JOIN);
    dlg = gui_wait_window(&alice, L"#32770", L"Join a room", WAIT_UI);
    CHECK(dlg != NULL);
    if (dlg) {
        CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"design", 1, WAIT_NET));
        shot(dlg, L"join");
        gui_click(dlg, IDCANCEL);
        gui_wait_gone(dlg, WAIT_UI);
    }
    gui_command(main, IDM_HELP);
    dlg = gui_wait_window(&alice, L"#32770", L"Parley help", WAIT_UI);
    CHECK(dlg != NULL);
    if (dlg) {
        shot(dlg, L"help");
        gui_click(dlg, IDOK);
        gui_wait_gone(dlg, WAIT_UI);
    }
    gui_command(main, IDM_CONNECT);
    dlg = gui_wait_window(&alice, L"#32770", TITLE_CONNECT, WAIT_UI);
    CHECK(dlg != NULL);
    if (dlg) {
        shot(dlg, L"connect");
        gui_click(dlg, IDCANCEL);
        gui_wait_gone(dlg, WAIT_UI);
    }
    pause_for_a_look();

    /* White on black window colours, as high contrast themes have, and the window at 144 and
     * 192 DPI: Wine hands both to programs as they start, so each is a new parley.exe. */
    {
        /* Windows' "High Contrast Black" colours for windows, buttons, menus and selection
         * (Wine cannot switch on SPI_SETHIGHCONTRAST itself). */
        static const INT which[HC_COLOURS] = {COLOR_WINDOW, COLOR_WINDOWTEXT, COLOR_BTNFACE,
                                              COLOR_BTNTEXT, COLOR_MENU, COLOR_MENUTEXT,
                                              COLOR_HIGHLIGHT, COLOR_HIGHLIGHTTEXT,
                                              COLOR_GRAYTEXT, COLOR_HOTLIGHT};
        static const COLORREF hc[HC_COLOURS] = {
            RGB(0, 0, 0), RGB(255, 255, 255), RGB(0, 0, 0), RGB(255, 255, 255), RGB(0, 0, 0),
            RGB(255, 255, 255), RGB(0x1a, 0xeb, 0xff), RGB(0, 0, 0), RGB(0x3f, 0xf2, 0x3f),
            RGB(0xff, 0xff, 0x00)};
        COLORREF saved[HC_COLOURS];
        int i;
        for (i = 0; i < HC_COLOURS; i++)
            saved[i] = GetSysColor(which[i]);
        SetSysColors(HC_COLOURS, which, hc);
        another_window(&ts, key_file, L"hana", L"high-contrast", 0);
        SetSysColors(HC_COLOURS, which, saved);
    }
    {
        /* The welcome pane, before connecting. */
        gui_proc w;
        wchar_t args[1024];
        HWND first;
        memset(&w, 0, sizeof w);
        client_args(args, 1024, &ts, L"wes", NULL);
        if (gui_start(&w, L"wes", parley_exe(), args) == 0) {
            dlg = gui_wait_window(&w, L"#32770", TITLE_CONNECT, WAIT_UI);
            if (dlg) {
                gui_click(dlg, IDCANCEL);
                gui_wait_gone(dlg, WAIT_UI);
            }
            first = gui_wait_window(&w, L"#32770", L"Parley", WAIT_UI);
            CHECK(first && IsWindowVisible(GetDlgItem(first, IDC_WELCOME)));
            if (first) {
                SetWindowPos(first, NULL, 40, 40, 860, 540, SWP_NOZORDER);
                shot(first, L"welcome");
            }
        }
        gui_stop(&w, 15000);
    }
    another_window(&ts, key_file, L"ines", L"dpi-144", 144);
    another_window(&ts, key_file, L"jun", L"dpi-192", 192);

done:
    gui_cjk_font(0);
    if (kenji) {
        pc_quit(kenji, "bye");
        pc_close(kenji);
    }
    gui_stop(&alice, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-shots-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}
