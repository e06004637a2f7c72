/* test_gui_errors.c — parley.exe when things go wrong, and its security cues: a wrong key (the
 * error box, Retry back to the key field), a nickname in use, a server that goes away (the
 * reconnect countdown) and cannot be reached, a restart with automatic reconnect (rooms as
 * they were, the missed history once, a line typed meanwhile sent after), and XOR's warnings
 * and what "Remember" stores. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

TEST(gui_wrong_key)
{
    test_server ts;
    server_config cfg;
    gui_proc dave;
    wchar_t key_file[MAX_PATH], args[1024], secret[64], *texts;
    HWND dlg, box, main;
    GUITHREADINFO gti;

    test_server_config(&cfg, "gui-wrong-key");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-wrong-key.txt", "not the server's key", key_file, MAX_PATH);
    client_args(args, 1024, &ts, L"dave", key_file);
    memset(&dave, 0, sizeof dave);
    if (gui_start(&dave, L"dave", parley_exe(), args) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot start parley.exe");
        goto done;
    }
    dlg = gui_wait_window(&dave, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg) {
        test_failf_at(__FILE__, __LINE__, "no Connect dialog");
        goto done;
    }
    gui_click(dlg, IDOK);

    /* The error box: the message says what happened and offers Retry. */
    box = gui_wait_window_with(&dave, IDRETRY, WAIT_NET);
    if (!box) {
        test_failf_at(__FILE__, __LINE__, "no error box after a wrong key");
        goto done;
    }
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, L"The server did not accept your secret key"));
    /* Said once: no "Details" that repeat the headline in other words. */
    CHECK(texts && !wcsstr(texts, L"Details:"));
    if (texts && (!wcsstr(texts, L"did not accept") || wcsstr(texts, L"Details:")))
        fprintf(stderr, "error box says:\n%ls\n", texts);
    free(texts);

    /* Retry goes back to the Connect dialog with the key field ready for a new key. */
    gui_click(box, IDRETRY);
    CHECK(gui_wait_gone(box, WAIT_UI));
    dlg = gui_wait_window(&dave, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg) {
        test_failf_at(__FILE__, __LINE__, "Retry did not reopen the Connect dialog");
        goto done;
    }
    Sleep(300);
    memset(&gti, 0, sizeof gti);
    gti.cbSize = sizeof gti;
    CHECK(GetGUIThreadInfo(dave.pi.dwThreadId, &gti) && gti.hwndFocus == GetDlgItem(dlg, IDC_KEY));
    MultiByteToWideChar(CP_UTF8, 0, TEST_SECRET, -1, secret, 64);
    gui_set_text(dlg, IDC_KEY, secret);
    gui_click(dlg, IDOK);
    main = gui_wait_window(&dave, L"#32770", L"dave on 127.0.0.1", WAIT_NET);
    CHECK(main != NULL);
    if (main)
        CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined lobby", WAIT_NET));

done:
    gui_stop(&dave, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-wrong-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

TEST(gui_connect_errors)
{
    test_server ts;
    server_config cfg;
    gui_proc erin;
    wchar_t key_file[MAX_PATH], args[1024], *texts;
    HWND dlg, box, main;
    pc_conn *taken;
    uint16_t port;

    test_server_config(&cfg, "gui-errors");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-errors-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&erin, 0, sizeof erin);

    /* The nickname is taken by someone already connected. */
    taken = test_connect(&ts, "erin", NULL, 0);
    REQUIRE(taken != NULL);
    client_args(args, 1024, &ts, L"erin", key_file);
    if (gui_start(&erin, L"erin", parley_exe(), args) != 0)
        goto done;
    dlg = gui_wait_window(&erin, L"#32770", TITLE_CONNECT, WAIT_UI);
    REQUIRE(dlg != NULL);
    gui_click(dlg, IDOK);
    box = gui_wait_window_with(&erin, IDRETRY, WAIT_NET);
    REQUIRE(box != NULL);
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, L"The nickname erin is already in use"));
    free(texts);
    /* Retry opens the dialog on the nickname; a new one gets in. */
    gui_click(box, IDRETRY);
    dlg = gui_wait_window(&erin, L"#32770", TITLE_CONNECT, WAIT_UI);
    REQUIRE(dlg != NULL);
    gui_set_text(dlg, IDC_NICK, L"erin2");
    gui_click(dlg, IDOK);
    main = gui_wait_window(&erin, L"#32770", L"erin2 on 127.0.0.1", WAIT_NET);
    CHECK(main != NULL);
    pc_quit(taken, "bye");
    pc_close(taken);

    /* The server goes away: the window says it is reconnecting, with a countdown. */
    port = ts.port;
    test_server_stop(&ts);
    if (main) {
        CHECK(gui_wait_text(main, IDC_STATUS, L"retrying in", WAIT_NET) ||
              gui_wait_text(main, IDC_STATUS, L"Reconnecting", 1000));
        CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Connection lost", WAIT_NET));
        /* Disconnect stops the redialling; Connection > Connect to a closed port then fails
         * clearly. */
        gui_command(main, IDM_DISCONNECT);
        CHECK(gui_wait_text(main, IDC_STATUS, L"Not connected", WAIT_NET));
        gui_command(main, IDM_CONNECT);
        dlg = gui_wait_window(&erin, L"#32770", TITLE_CONNECT, WAIT_UI);
        CHECK(dlg != NULL);
        if (dlg) {
            wchar_t closed[16];
            _snwprintf(closed, 16, L"%u", (unsigned)port);
            gui_set_text(dlg, IDC_PORT, closed);
            gui_click(dlg, IDOK);
            box = gui_wait_window_with(&erin, IDRETRY, WAIT_NET);
            CHECK(box != NULL);
            if (box) {
                texts = gui_child_texts(box);
                CHECK(texts && wcsstr(texts, L"Cannot reach the server 127.0.0.1"));
                free(texts);
                gui_click(box, IDCANCEL);
            }
        }
    }

done:
    gui_stop(&erin, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-errors-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

TEST(gui_xor_warning)
{
    test_server ts;
    server_config cfg;
    gui_proc xena;
    wchar_t key_file[MAX_PATH], args[1024], *text;
    HWND dlg, main;

    test_server_config(&cfg, "gui-xor");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-xor-key.txt", TEST_SECRET, key_file, MAX_PATH);
    client_args(args, 1000, &ts, L"xena", key_file);
    wcscat(args, L" --cipher xor");
    memset(&xena, 0, sizeof xena);
    if (gui_start(&xena, L"xena", parley_exe(), args) != 0)
        goto done;
    dlg = gui_wait_window(&xena, L"#32770", TITLE_CONNECT, WAIT_UI);
    REQUIRE(dlg != NULL);
    /* Choosing XOR shows the warning right in the dialog. */
    CHECK(text_has(dlg, IDC_CIPHER, L"XOR"));
    CHECK(IsWindowVisible(GetDlgItem(dlg, IDC_XOR_WARNING)));
    CHECK(text_has(dlg, IDC_XOR_WARNING, L"Anyone who can watch the network can read it"));
    pause_for_a_look();
    if (gui_under_wine())
        gui_click(dlg, IDC_REMEMBER);
    gui_click(dlg, IDOK);
    main = gui_wait_window(&xena, L"#32770", L"xena on 127.0.0.1", WAIT_NET);
    REQUIRE(main != NULL);
    /* ... and once connected: a red line in the transcript and the status bar's cipher part. */
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"This connection uses XOR", WAIT_NET));
    text = gui_status_part(GetDlgItem(main, IDC_STATUS), 1);
    CHECK(text && wcsstr(text, L"XOR — not secure"));
    free(text);
    pause_for_a_look();
    if (gui_under_wine())
        check_remembered(L"xena", PROTO_CIPHER_XOR);

done:
    gui_stop(&xena, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-xor-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

TEST(gui_reconnect)
{
    test_server ts;
    server_config cfg;
    gui_proc rita;
    wchar_t key_file[MAX_PATH];
    HWND main;
    pc_conn *bot = NULL;
    uint16_t port;
    proto_msg m;

    test_server_config(&cfg, "gui-reconnect");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-reconnect-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&rita, 0, sizeof rita);
    main = connect_client(&rita, &ts, L"rita", key_file, NULL);
    if (!main)
        goto done;
    /* The round trip shows soon after connecting, not only after the first keep-alive. */
    CHECK(wait_status_part(main, 3, L" ms", WAIT_NET));
    say_enter(main, L"/join ops");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined ops", WAIT_NET));
    say_enter(main, L"before the restart");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"before the restart", WAIT_NET));
    /* rita leaves the lobby: the reconnect must not bring it back. */
    gui_command(main, IDM_PREV_TAB);
    Sleep(300);
    say_enter(main, L"/part");
    CHECK(wait_no_tab(main, L"lobby", WAIT_NET));
    CHECK(wait_tabs(main, L"ops", WAIT_NET));
    Sleep(300);

    /* The server restarts; while rita is away someone writes in ops, and she writes a line
     * that waits for the link to come back. */
    port = ts.port;
    test_server_stop(&ts);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Connection lost", WAIT_NET));
    CHECK(wait_status_part(main, 0, L"retrying in", WAIT_NET) ||
          wait_status_part(main, 0, L"Reconnecting", 1000));
    say_enter(main, L"typed while the server was down");
    /* Keep the stopped server's journal: only the port and data directory carry over. */
    if (restart_server(&ts, &cfg, port) != 0) {
        test_failf_at(__FILE__, __LINE__, "could not restart the server on port %u", port);
        goto done;
    }
    bot = test_connect(&ts, "bot", NULL, 0);
    if (bot) {
        pc_join(bot, "ops");
        test_expect(bot, PT_HISTORY_END, &m, 5000);
        pc_say(bot, "ops", "deploy finished while you were away", 0);
        test_expect_text(bot, "deploy finished while you were away", &m, 5000);
    }

    /* rita comes back by herself: ops is joined again, the missed message shows, and the
     * line she typed goes out after it. */
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Reconnected", 30000));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"deploy finished while you were away", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_STATUS, L"Connected as rita", WAIT_NET));
    CHECK(gui_wait_listview(main, IDC_USERS, L"bot", 1, WAIT_NET));
    /* The server's echo of the waiting line comes after every replay the reconnect asked
     * for: all of them are shown by then. */
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"typed while the server was down", WAIT_NET));
    CHECK(transcript_count(main, L"before the restart") == 1);
    CHECK(transcript_count(main, L"deploy finished while you were away") == 1);
    CHECK(transcript_count(main, L"typed while the server was down") == 1);
    CHECK(wait_no_tab(main, L"lobby", 0));
    CHECK(wait_status_part(main, 3, L" ms", WAIT_NET));

done:
    if (bot) {
        pc_quit(bot, "bye");
        pc_close(bot);
    }
    gui_stop(&rita, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-reconnect-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

/* An installer about to replace parley.exe broadcasts PARLEY_CLOSE_MESSAGE; a running client
 * closes (issue 11). */
TEST(gui_closes_when_an_installer_asks)
{
    test_server ts;
    server_config cfg;
    gui_proc una;
    wchar_t key_file[MAX_PATH];
    DWORD_PTR result = 0;
    HWND main;

    test_server_config(&cfg, "gui-close-request");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-close-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&una, 0, sizeof una);
    main = connect_client(&una, &ts, L"una", key_file, NULL);
    if (!main)
        goto done;
    /* What the installer does (installer/parley-cmdline.nsh, CloseClients). */
    SendMessageTimeoutW(HWND_BROADCAST, RegisterWindowMessageW(L"Parley.CloseForUpgrade"), 0, 0,
                        SMTO_ABORTIFHUNG, 5000, &result);
    CHECK(WaitForSingleObject(una.pi.hProcess, WAIT_UI) == WAIT_OBJECT_0);
done:
    gui_stop(&una, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-close-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}
