/* test_gui_accounts.c — parley.exe and a server with accounts: the server's request for an
 * account brings the password into the Connect dialog, a wrong password is said plainly and
 * leads back to it, "Remember" keeps the password as a DPAPI blob that the next start uses,
 * the window says which kind of server it is on (accounts, or the shared key only), the Users
 * dialog lists and changes accounts, and Change password proves the current password and sets
 * the new one. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

#define ALICE_PASSWORD "alice's password"

/* 1 if the control is shown and lies wholly inside the dialog's client area. */
static int shown_inside(HWND dlg, int id)
{
    HWND c = GetDlgItem(dlg, id);
    RECT rc, area;

    if (!c || !IsWindowVisible(c))
        return 0;
    GetWindowRect(c, &rc);
    MapWindowPoints(NULL, dlg, (POINT *)&rc, 2);
    GetClientRect(dlg, &area);
    return rc.left >= area.left && rc.top >= area.top && rc.right <= area.right &&
           rc.bottom <= area.bottom;
}

/* Top and bottom of a control in dialog coordinates. */
static RECT place(HWND dlg, int id)
{
    RECT r;

    GetWindowRect(GetDlgItem(dlg, id), &r);
    MapWindowPoints(NULL, dlg, (POINT *)&r, 2);
    return r;
}

/* Waits for the error box, checks that it says want, and answers Retry; then the Connect
 * dialog again, with the keyboard focus in the password field. NULL after a failure. */
static HWND retry_to_password(gui_proc *p, const wchar_t *want)
{
    wchar_t *texts;
    HWND box, dlg;

    box = gui_wait_window_with(p, IDRETRY, WAIT_NET);
    if (!box) {
        test_failf_at(__FILE__, __LINE__, "no error box (expected \"%ls\")", want);
        return NULL;
    }
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, want));
    if (!texts || !wcsstr(texts, want))
        fprintf(stderr, "error box says:\n%ls\n", texts ? texts : L"");
    free(texts);
    gui_click(box, IDRETRY);
    CHECK(gui_wait_gone(box, WAIT_UI));
    dlg = gui_wait_window(p, L"#32770", TITLE_CONNECT, WAIT_UI);
    if (!dlg) {
        test_failf_at(__FILE__, __LINE__, "Retry did not reopen the Connect dialog");
        return NULL;
    }
    CHECK(wait_focus(p, GetDlgItem(dlg, IDC_PASSWORD), WAIT_UI));
    return dlg;
}

TEST(gui_account_login)
{
    test_server ts;
    server_config cfg;
    gui_proc alice;
    wchar_t key_file[MAX_PATH], password[64];
    HWND dlg, main;
    RECT note, cipher;
    DWORD accounts = 0, size = sizeof accounts;

    memset(&alice, 0, sizeof alice);
    test_server_config(&cfg, "gui-accounts");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", ALICE_PASSWORD, USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-accounts-key.txt", TEST_SECRET, key_file, MAX_PATH);

    /* Nothing says yet that this server wants an account: no password field. */
    dlg = open_connect(&alice, &ts, L"alice", key_file);
    NEED(dlg != NULL);
    CHECK(!IsWindowVisible(GetDlgItem(dlg, IDC_PASSWORD)));
    CHECK(text_has(dlg, IDC_NICK_LABEL, L"Nickname"));
    gui_click(dlg, IDOK);

    /* The server asks for one: said plainly, and Retry brings the password field. */
    dlg = retry_to_password(&alice, L"uses accounts");
    NEED(dlg != NULL);
    CHECK(shown_inside(dlg, IDC_PASSWORD));
    CHECK(shown_inside(dlg, IDC_MODE_NOTE));
    CHECK(text_has(dlg, IDC_MODE_NOTE, L"This server uses accounts"));
    CHECK(text_has(dlg, IDC_NICK_LABEL, L"User name"));
    /* The rows below made room: nothing overlaps, nothing falls off the dialog. */
    note = place(dlg, IDC_MODE_NOTE);
    cipher = place(dlg, IDC_CIPHER);
    CHECK(cipher.top >= note.bottom);
    CHECK(shown_inside(dlg, IDC_CIPHER));
    CHECK(shown_inside(dlg, IDOK));
    CHECK(shown_inside(dlg, IDC_REMEMBER_NOTE));
    CHECK(text_has(dlg, IDC_REMEMBER_NOTE, L"the password"));

    /* A wrong password: a plain sentence, and back to the password. */
    gui_type(dlg, IDC_PASSWORD, L"not alice's password");
    gui_click(dlg, IDOK);
    dlg = retry_to_password(&alice, L"did not accept this user name and password");
    NEED(dlg != NULL);

    /* The right one, remembered (only in Wine's throwaway prefix, as the other tests do). */
    MultiByteToWideChar(CP_UTF8, 0, ALICE_PASSWORD, -1, password, 64);
    gui_set_text(dlg, IDC_PASSWORD, password);
    if (gui_under_wine()) {
        gui_click(dlg, IDC_REMEMBER);
        /* The picture of the account Connect dialog in docs/CLIENT.md. */
        SetForegroundWindow(dlg);
        Sleep(800);
        CHECK(gui_screenshot(dlg, L"shot-account-connect.bmp") == 0);
    }
    gui_click(dlg, IDOK);
    main = wait_connected(&alice, L"alice");
    NEED(main != NULL);
    CHECK(wait_status_part(main, 0, L"signed in to your account", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"This server uses accounts", WAIT_NET));
    gui_stop(&alice, 15000);

    if (gui_under_wine()) {
        CHECK(RegGetValueW(HKEY_CURRENT_USER, L"Software\\Parley", L"Accounts", RRF_RT_REG_DWORD,
                           NULL, &accounts, &size) == ERROR_SUCCESS && accounts == 1);
        check_sealed(L"Password", "Parley account password v1", ALICE_PASSWORD);
        /* The next start knows the server and has the password: one click connects. */
        memset(&alice, 0, sizeof alice);
        dlg = open_connect(&alice, &ts, L"alice", key_file);
        NEED(dlg != NULL);
        CHECK(IsWindowVisible(GetDlgItem(dlg, IDC_PASSWORD)));
        gui_click(dlg, IDOK);
        main = wait_connected(&alice, L"alice");
        if (main)
            CHECK(wait_status_part(main, 0, L"signed in to your account", WAIT_NET));
    }

done:
    gui_stop(&alice, 15000);
    if (gui_under_wine())
        RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley");
    test_server_stop(&ts);
    DeleteFileW(L"gui-accounts-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

/* Starts parley.exe as an account: Connect, Retry on the server's request, the password,
 * Connect. The main window, or NULL after a failure (reported). */
static HWND connect_account(gui_proc *p, const test_server *ts, const wchar_t *user,
                            const wchar_t *key_file, const wchar_t *password)
{
    HWND dlg = open_connect(p, ts, user, key_file);

    if (!dlg)
        return NULL;
    gui_click(dlg, IDOK);
    dlg = retry_to_password(p, L"uses accounts");
    if (!dlg)
        return NULL;
    gui_set_text(dlg, IDC_PASSWORD, password);
    gui_click(dlg, IDOK);
    return wait_connected(p, user);
}

/* Waits until the list view's rows (first four columns, tab-separated) contain / lack part. */
static int wait_rows(HWND dlg, int id, const wchar_t *part, int present, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        wchar_t *rows = gui_listview_rows(GetDlgItem(dlg, id));
        int has = rows && wcsstr(rows, part) != NULL;

        if (rows && has == present) {
            free(rows);
            return 1;
        }
        if (GetTickCount() - start >= timeout_ms) {
            fprintf(stderr, "list view rows:\n%ls\n", rows ? rows : L"(none)");
            free(rows);
            return 0;
        }
        free(rows);
        Sleep(50);
    }
}

/* The Users dialog lists every account on the server, online or not, with its role, disabled
 * flag and whether it is online; an administrator disables one from it: the server's answer
 * shows in the conversation, that account's session ends, and the list shows the change
 * while the dialog stays open. */
TEST(gui_users_dialog)
{
    test_server ts;
    server_config cfg;
    gui_proc root;
    wchar_t key_file[MAX_PATH];
    HWND main, dlg;
    pc_conn *alice = NULL;
    proto_msg m;
    char err[256];
    int code;

    memset(&root, 0, sizeof root);
    test_server_config(&cfg, "gui-users");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", ALICE_PASSWORD, USER_ROLE_USER, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "carol", "carol's password", USER_ROLE_OPERATOR, 1) ==
            0);
    REQUIRE(test_add_account(cfg.data_dir, "root", "root's password", USER_ROLE_ADMIN, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-users-key.txt", TEST_SECRET, key_file, MAX_PATH);
    alice = test_login(&ts, "alice", ALICE_PASSWORD, &code, err, sizeof err);
    NEED(alice != NULL);
    test_settle(alice);
    main = connect_account(&root, &ts, L"root", key_file, L"root's password");
    NEED(main != NULL);

    gui_command(main, IDM_USERS);
    dlg = gui_wait_window(&root, L"#32770", L"Users", WAIT_UI);
    NEED(dlg != NULL);
    CHECK(text_has(dlg, IDC_ACCOUNT_ACTION, L"Disable"));
    /* Every account, the offline and disabled carol too. */
    CHECK(wait_rows(dlg, IDC_ACCOUNT_LIST, L"alice\tuser\t\tonline", 1, WAIT_NET));
    CHECK(wait_rows(dlg, IDC_ACCOUNT_LIST, L"carol\toperator\tdisabled\t\n", 1, WAIT_NET));
    CHECK(wait_rows(dlg, IDC_ACCOUNT_LIST, L"root\tadmin\t\tonline", 1, WAIT_NET));
    CHECK(gui_wait_text(dlg, IDC_ACCOUNT_STATUS, L"3 accounts", WAIT_NET));

    gui_set_text(dlg, IDC_ACCOUNT_NAME, L"  ALICE ");
    gui_click(dlg, IDOK);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"account alice: disable done", WAIT_NET));
    CHECK(test_expect(alice, PT_BYE, &m, WAIT_NET) == -1);
    CHECK_EQ_INT(pc_error_code(alice), PC_KICKED);
    /* The dialog stays open and its list shows the change. */
    CHECK(IsWindow(dlg));
    CHECK(wait_rows(dlg, IDC_ACCOUNT_LIST, L"alice\tuser\tdisabled\t\n", 1, WAIT_NET));
    CHECK(wait_rows(dlg, IDC_ACCOUNT_LIST, L"carol\toperator\tdisabled\t\n", 1, WAIT_NET));
    gui_click(dlg, IDCANCEL);
    CHECK(gui_wait_gone(dlg, WAIT_UI));

done:
    if (alice)
        pc_close(alice);
    gui_stop(&root, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-users-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

/* Change password: two new passwords that differ are refused in the dialog; a wrong current
 * password is said in the conversation and changes nothing; the right one changes it, and the
 * old password no longer logs in while the new one does. */
TEST(gui_change_password)
{
    test_server ts;
    server_config cfg;
    gui_proc alice;
    wchar_t key_file[MAX_PATH];
    HWND main, dlg, box;
    wchar_t *texts;
    pc_conn *c;
    char err[256];
    int code;

    memset(&alice, 0, sizeof alice);
    test_server_config(&cfg, "gui-passwd");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", ALICE_PASSWORD, USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-passwd-key.txt", TEST_SECRET, key_file, MAX_PATH);
    main = connect_account(&alice, &ts, L"alice", key_file, L"alice's password");
    NEED(main != NULL);

    gui_command(main, IDM_PASSWORD);
    dlg = gui_wait_window(&alice, L"#32770", L"Change password", WAIT_UI);
    NEED(dlg != NULL);
    gui_set_text(dlg, IDC_PW_OLD, L"alice's password");
    gui_set_text(dlg, IDC_PW_NEW, L"n\u00e9w one");
    gui_set_text(dlg, IDC_PW_AGAIN, L"new one");
    gui_click(dlg, IDOK);
    box = gui_wait_window(&alice, L"#32770", L"Check this field", WAIT_UI);
    NEED(box != NULL);
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, L"The two new passwords differ"));
    free(texts);
    gui_click(box, IDOK);
    CHECK(gui_wait_gone(box, WAIT_UI));
    /* The wrong current password. */
    gui_set_text(dlg, IDC_PW_OLD, L"not it");
    gui_set_text(dlg, IDC_PW_AGAIN, L"n\u00e9w one");
    gui_click(dlg, IDOK);
    CHECK(gui_wait_gone(dlg, WAIT_UI));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Your password was not changed: wrong password",
                        WAIT_NET));
    /* The right one. */
    gui_command(main, IDM_PASSWORD);
    dlg = gui_wait_window(&alice, L"#32770", L"Change password", WAIT_UI);
    NEED(dlg != NULL);
    gui_set_text(dlg, IDC_PW_OLD, L"alice's password");
    gui_set_text(dlg, IDC_PW_NEW, L"n\u00e9w one");
    gui_set_text(dlg, IDC_PW_AGAIN, L"n\u00e9w one");
    gui_click(dlg, IDOK);
    CHECK(gui_wait_gone(dlg, WAIT_UI));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Your password is changed", WAIT_NET));
    c = test_login(&ts, "alice", ALICE_PASSWORD, &code, err, sizeof err);
    CHECK(c == NULL);
    pc_close(c);
    gui_stop(&alice, 15000); /* alice's session holds the name: leave before logging in again */
    c = test_login(&ts, "alice", "n\xC3\xA9w one", &code, err, sizeof err);
    CHECK(c != NULL);
    pc_close(c);

done:
    gui_stop(&alice, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-passwd-key.txt");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}

/* A server without accounts: the window says that the shared key alone admits people. */
TEST(gui_key_only_mode_is_said)
{
    solo s;
    HWND main = solo_start(&s, "gui-key-mode", L"kim");

    NEED(main != NULL);
    CHECK(wait_status_part(main, 0, L"shared key only", WAIT_NET));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"admits anyone with the shared key", WAIT_NET));
done:
    solo_end(&s);
}
