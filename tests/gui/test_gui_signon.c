/* test_gui_signon.c — parley.exe and a server with Windows sign-on (auth = windows): with no
 * Kerberos ticket (KRB5CCNAME points at a cache that does not exist; CMake sets it) the sign-on
 * cannot start, and parley.exe says so in its own words, with the cause, and offers Retry. A
 * successful sign-on needs a server that can name the client, which Wine's cannot (see
 * docs/ADMIN.md, "What was verified where"). */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

TEST(gui_signon_without_ticket_says_why)
{
    test_server ts;
    server_config cfg;
    gui_proc eve;
    wchar_t key_file[MAX_PATH], *texts;
    HWND dlg, box;

    test_server_config(&cfg, "gui-signon");
    cfg.auth = AUTH_WINDOWS;
    snprintf(cfg.signon_realms, sizeof cfg.signon_realms, "PARLEY.TEST");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-signon.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&eve, 0, sizeof eve);
    dlg = open_connect(&eve, &ts, L"eve", key_file);
    if (!dlg)
        goto done;
    gui_click(dlg, IDOK);
    box = gui_wait_window_with(&eve, IDRETRY, WAIT_NET);
    if (!box) {
        test_failf_at(__FILE__, __LINE__, "no error box after a sign-on without a ticket");
        goto done;
    }
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, L"Windows sign-on to 127.0.0.1 did not succeed"));
    CHECK(texts && wcsstr(texts, L"no Kerberos ticket or credentials"));
    if (texts && (!wcsstr(texts, L"Windows sign-on to") || !wcsstr(texts, L"Kerberos")))
        fprintf(stderr, "error box says:\n%ls\n", texts);
    free(texts);
    gui_click(box, IDCANCEL);
    CHECK(gui_wait_gone(box, WAIT_UI));

done:
    gui_stop(&eve, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-signon.txt");
    test_server_clean(cfg.data_dir);
}
