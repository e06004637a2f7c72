/* test_gui_private.c — parley.exe and stored private conversations on a server with accounts:
 * a message sent while the user was offline arrives at login (its sender learns it was
 * delivered), showing the conversation tells its sender it was read, and the tab's bar shows
 * what became of the user's own last message: delivered, then read. */
#include <windows.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

/* Waits for a message of this type from the server to c whose nick is nick. */
static int expect_from(pc_conn *c, uint8_t type, const char *nick, proto_msg *m)
{
    DWORD start = GetTickCount();
    while (GetTickCount() - start < WAIT_NET)
        if (test_expect(c, type, m, WAIT_NET) == 1 && str_is(m->nick, nick))
            return 1;
    return 0;
}

TEST(gui_private_receipts)
{
    test_server ts;
    server_config cfg;
    gui_proc alice;
    wchar_t key_file[MAX_PATH];
    HWND dlg, main;
    pc_conn *bob = NULL;
    proto_msg m;
    char err[256];
    int code;
    uint64_t offline_id, reply_id = 0;

    memset(&alice, 0, sizeof alice);
    test_server_config(&cfg, "gui-private");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "bob", "bob pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-private-key.txt", TEST_SECRET, key_file, MAX_PATH);
    bob = test_login(&ts, "bob", "bob pw", &code, err, sizeof err);
    NEED(bob != NULL);
    test_settle(bob);
    /* alice is offline: the server keeps it for her. */
    NEED(pc_priv(bob, "alice", "sent while you were away", 1) == 0);
    NEED(test_expect(bob, PT_PRIV_MSG, &m, WAIT_NET) == 1);
    offline_id = m.id;

    dlg = open_connect(&alice, &ts, L"alice", key_file);
    NEED(dlg != NULL);
    gui_click(dlg, IDOK);
    dlg = gui_wait_window_with(&alice, IDRETRY, WAIT_NET); /* "this server uses accounts" */
    NEED(dlg != NULL);
    gui_click(dlg, IDRETRY);
    dlg = gui_wait_window(&alice, L"#32770", TITLE_CONNECT, WAIT_UI);
    NEED(dlg != NULL);
    gui_set_text(dlg, IDC_PASSWORD, L"alice pw");
    gui_click(dlg, IDOK);
    main = wait_connected(&alice, L"alice");
    NEED(main != NULL);

    /* At login the stored message reaches her, in a tab of its own; bob hears it arrived. */
    CHECK(wait_tabs(main, L"bob", WAIT_NET));
    CHECK(expect_from(bob, PT_DELIVERED, "alice", &m) && m.id == offline_id);

    /* She opens the conversation and answers: bob learns she has read his message. */
    say_enter(main, L"/msg bob thanks, got it");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"sent while you were away", WAIT_NET));
    CHECK(expect_from(bob, PT_READ_MARK, "alice", &m) && m.id >= offline_id);
    CHECK(expect_from(bob, PT_PRIV_MSG, "alice", &m));
    reply_id = m.id;
    /* Her bar: delivered (bob is online), then read once bob says so. */
    CHECK(gui_wait_text(main, IDC_TOPIC, L"Your last message: delivered", WAIT_NET));
    NEED(pc_read(bob, "alice", reply_id) == 0);
    CHECK(gui_wait_text(main, IDC_TOPIC, L"Your last message: read", WAIT_NET));
    if (gui_under_wine()) {
        SetForegroundWindow(main);
        Sleep(800);
        CHECK(gui_screenshot(main, L"shot-private-read.bmp") == 0);
    }

done:
    if (bob)
        pc_close(bob);
    gui_stop(&alice, 15000);
    if (gui_under_wine())
        RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley");
    test_server_stop(&ts);
    DeleteFileW(L"gui-private-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}
