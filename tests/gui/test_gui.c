/* test_gui.c — parley.exe end to end, the everyday path: two real parley.exe processes on a
 * real (in-process) server, driven through their own dialogs with window messages; checks on
 * their transcripts, people lists and tabs with unread counts; the keyboard (tab order,
 * mnemonics, accelerators, input history). The conversation test also saves the screenshot
 * that docs/screenshot.png comes from. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

TEST(gui_conversation)
{
    test_server ts;
    server_config cfg;
    gui_proc alice, bob;
    wchar_t key_file[MAX_PATH], secret[64];
    HWND a_main = NULL, b_main = NULL, dlg;
    pc_conn *carol = NULL;
    wchar_t *input;

    test_server_config(&cfg, "gui-conversation");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1600, 900);
    write_key_file(L"gui-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&alice, 0, sizeof alice);
    memset(&bob, 0, sizeof bob);

    /* alice: the key comes from --key-file; bob types his into the dialog. */
    a_main = connect_client(&alice, &ts, L"alice", key_file, NULL);
    if (!a_main)
        goto done;
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));
    CHECK(gui_wait_listview(a_main, IDC_USERS, L"alice", 1, WAIT_NET));
    MultiByteToWideChar(CP_UTF8, 0, TEST_SECRET, -1, secret, 64);
    b_main = connect_client(&bob, &ts, L"bob", NULL, secret);
    if (!b_main)
        goto done;

    /* Both people lists follow the join. */
    CHECK(gui_wait_listview(a_main, IDC_USERS, L"bob", 1, WAIT_NET));
    CHECK(gui_wait_listview(b_main, IDC_USERS, L"alice", 1, WAIT_NET));
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"bob joined lobby", WAIT_NET));

    /* Typed keys and Enter; the other window shows the text, and the box empties. */
    say_enter(a_main, L"Hello Bob, the nightly build is green");
    CHECK(gui_wait_text(b_main, IDC_TRANSCRIPT, L"Hello Bob, the nightly build is green", WAIT_NET));
    input = gui_text(GetDlgItem(a_main, IDC_INPUT));
    CHECK(input && input[0] == L'\0');
    free(input);

    /* Any script and emoji survive UTF-16 -> UTF-8 -> wire -> UTF-8 -> UTF-16, typed as
     * keys (the emoji as a surrogate pair) and sent with the Send button. */
    gui_type(b_main, IDC_INPUT, L"Grüße 👋 こんにちは");
    gui_click(b_main, IDC_SEND);
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"Grüße 👋 こんにちは", WAIT_NET));
    CHECK(gui_wait_text(b_main, IDC_TRANSCRIPT, L"Grüße 👋 こんにちは", WAIT_NET));
    if (!text_has(a_main, IDC_TRANSCRIPT, L"Grüße 👋 こんにちは"))
        report_text("alice's transcript", a_main, IDC_TRANSCRIPT);

    /* alice opens a room through Room > Join a room... and its dialog. */
    gui_command(a_main, IDM_JOIN);
    dlg = gui_wait_window(&alice, L"#32770", L"Join a room", WAIT_UI);
    CHECK(dlg != NULL);
    if (dlg) {
        gui_set_text(dlg, IDC_ROOM, L"design");
        gui_click(dlg, IDOK);
    }
    CHECK(wait_tabs(a_main, L"design", WAIT_NET));
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET));

    /* bob joins with a command; a third person joins through the library and goes away. */
    say_enter(b_main, L"/join design");
    CHECK(gui_wait_listview(a_main, IDC_USERS, L"bob", 1, WAIT_NET));
    carol = test_connect(&ts, "carol", NULL, 0);
    if (carol) {
        pc_join(carol, "design");
        CHECK(gui_wait_listview(a_main, IDC_USERS, L"carol", 1, WAIT_NET));
        pc_say(carol, "design", "Morning! Notes from Tuesday are at https://wiki.example.com/parley/review", 0);
        drain(carol);
    }
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"Notes from Tuesday", WAIT_NET));
    say_button(b_main, L"Pushed the new connect dialog. The XOR warning shows as soon as you pick it.");
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"Pushed the new connect dialog", WAIT_NET));
    say_enter(a_main, L"Looks right. Does the status bar say so too?");
    CHECK(gui_wait_text(b_main, IDC_TRANSCRIPT, L"Does the status bar say so too?", WAIT_NET));
    say_enter(b_main, L"Yes: amber icon and \"XOR — not secure\" next to the server.");
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"amber icon", WAIT_NET));
    if (carol) {
        pc_say(carol, "design", "Reminder: the release notes freeze is on Thursday.", 0);
        drain(carol);
        CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"release notes freeze", WAIT_NET));
    }
    say_enter(a_main, L"I'll take the installer section.");
    CHECK(gui_wait_text(b_main, IDC_TRANSCRIPT, L"installer section", WAIT_NET));
    say_enter(b_main, L"Thanks! I'll ping you when the service docs are up.");
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"service docs are up", WAIT_NET));
    if (carol) {
        /* Away people stay in the list, greyed with an amber dot. */
        pc_away(carol, PRESENCE_AWAY, "in a meeting until 11");
        drain(carol);
    }

    /* Unread counts: bob writes in the lobby and privately while alice reads design. */
    gui_command(b_main, IDM_PREV_TAB);
    CHECK(wait_tabs(b_main, L"lobby", WAIT_NET));
    Sleep(300);
    say_enter(b_main, L"Lunch at noon?");
    CHECK(wait_tabs(a_main, L"lobby (1)", WAIT_NET));
    say_enter(b_main, L"/msg alice Can you review my branch after lunch?");
    CHECK(wait_tabs(a_main, L"bob (1)", WAIT_NET));
    CHECK(text_has(a_main, IDC_TRANSCRIPT, L"Looks right")); /* design is still in front */

    /* The screenshot: alice's window, in front, beside bob's. */
    SetWindowPos(b_main, NULL, 960, 140, 600, 520, SWP_NOZORDER | SWP_NOACTIVATE);
    SetWindowPos(a_main, HWND_TOP, 40, 40, 860, 540, SWP_SHOWWINDOW);
    SetForegroundWindow(a_main);
    Sleep(1500);
    CHECK(gui_screenshot(a_main, screenshot_path()) == 0);
    pause_for_a_look();

    /* bob leaves: alice's list and transcript follow. */
    gui_stop(&bob, 15000);
    CHECK(gui_wait_listview(a_main, IDC_USERS, L"bob", 0, WAIT_NET));
    CHECK(gui_wait_text(a_main, IDC_TRANSCRIPT, L"bob disconnected", WAIT_NET));

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    gui_stop(&bob, 15000);
    gui_stop(&alice, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

TEST(gui_keyboard)
{
    test_server ts;
    server_config cfg;
    gui_proc kim;
    wchar_t key_file[MAX_PATH];
    HWND main;

    test_server_config(&cfg, "gui-keyboard");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-keyboard-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&kim, 0, sizeof kim);
    main = connect_client(&kim, &ts, L"kim", key_file, NULL);
    if (!main)
        goto done;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));

    /* The input box has the focus; Tab walks every control in order and comes back. */
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_INPUT), WAIT_NET));
    press(&kim, VK_TAB);
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_SEND), 5000));
    press(&kim, VK_TAB);
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_TABS), 5000));
    press(&kim, VK_TAB);
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_TRANSCRIPT), 5000));
    press(&kim, VK_TAB);
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_USERS), 5000));
    press(&kim, VK_TAB);
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_INPUT), 5000));

    /* Alt+P (the "People" label's mnemonic) jumps to the list; F6 comes back to the input. */
    gui_alt_key(gui_focus(&kim), L'p');
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_USERS), 5000));
    press(&kim, VK_F6);
    CHECK(wait_focus(&kim, GetDlgItem(main, IDC_INPUT), 5000));

    /* Up and Down walk the lines sent before, and Down past the newest restores the draft. */
    say_enter(main, L"first line");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"first line", WAIT_NET));
    say_enter(main, L"second line");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"second line", WAIT_NET));
    gui_type(main, IDC_INPUT, L"draft");
    gui_press_key(main, IDC_INPUT, VK_UP);
    Sleep(300);
    CHECK(input_is(main, L"second line"));
    gui_press_key(main, IDC_INPUT, VK_UP);
    Sleep(300);
    CHECK(input_is(main, L"first line"));
    gui_press_key(main, IDC_INPUT, VK_DOWN);
    gui_press_key(main, IDC_INPUT, VK_DOWN);
    Sleep(300);
    CHECK(input_is(main, L"draft"));

done:
    gui_stop(&kim, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-keyboard-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

