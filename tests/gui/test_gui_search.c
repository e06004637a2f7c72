/* test_gui_search.c — Search messages (Ctrl+Shift+F) driven through the real window: the
 * server's results fill the list, and Go to shows the message in its room's transcript, or in
 * its private conversation's tab. */
#include <windows.h>
#include <richedit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

#define TARGET "the staging password rotates on Monday"

TEST(gui_search_jumps_to_a_message)
{
    solo s;
    HWND main, dlg, re;
    pc_conn *carol = NULL;
    proto_msg m;
    DWORD sel;
    wchar_t *text = NULL, *at;
    char line[64];
    int i;

    main = solo_start(&s, "gui-search", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", TARGET);
    NEED(carol != NULL);
    /* Later talk, so that the result is not simply the last line. */
    for (i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "later line %d", i);
        pc_say(carol, "lobby", line, 0);
        test_expect_text(carol, line, &m, 10000);
    }
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"later line 4", WAIT_NET));

    /* Ctrl+Shift+F opens Search; the words are folded as the server folds them. */
    gui_command(main, IDM_SEARCH);
    dlg = gui_wait_window(&s.p, L"#32770", L"Search messages", WAIT_UI);
    NEED(dlg != NULL);
    gui_set_text(dlg, IDC_SEARCH_TEXT, L"ROTATES from:Carol");
    gui_click(dlg, IDC_SEARCH_GO);
    CHECK(gui_wait_text(dlg, IDC_SEARCH_STATUS, L"1 found", WAIT_NET));
    text = gui_listview_rows(GetDlgItem(dlg, IDC_SEARCH_RESULTS));
    CHECK(text && wcsstr(text, L"\tlobby\tcarol\t" TARGET) && !wcsstr(text, L"later"));
    if (text && !wcsstr(text, L"" TARGET))
        fwprintf(stderr, L"results: %ls\n", text);
    free(text);
    text = NULL;

    /* Go to: the dialog closes and the transcript selects the message. */
    gui_click(dlg, IDC_SEARCH_GOTO);
    CHECK(gui_wait_gone(dlg, WAIT_UI));
    Sleep(500);
    re = GetDlgItem(main, IDC_TRANSCRIPT);
    sel = (DWORD)SendMessageW(re, EM_GETSEL, 0, 0);
    text = gui_text(re);
    at = text ? wcsstr(text, L"" TARGET) : NULL;
    NEED(at != NULL);
    {
        /* WM_GETTEXT ends lines with \r\n, the RichEdit counts one character per line end. */
        long crs = 0, want, len = (long)wcslen(L"" TARGET);
        const wchar_t *p;
        for (p = text; p < at; p++)
            if (*p == L'\n')
                crs++;
        want = (long)(at - text) - crs;
        if ((long)LOWORD(sel) != want || (long)HIWORD(sel) != want + len)
            fprintf(stderr, "selection %u-%u, the result is at %ld-%ld\n", LOWORD(sel),
                    HIWORD(sel), want, want + len);
        CHECK((long)LOWORD(sel) == want && (long)HIWORD(sel) == want + len);
    }

done:
    free(text);
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

#define PRIVATE_TARGET "the vault code changes on Friday"

/* A result from a private conversation names the person, and Go to opens that conversation's
 * tab with the message selected. */
TEST(gui_search_jumps_to_a_private_message)
{
    solo s;
    HWND main, dlg, re;
    pc_conn *bob = NULL;
    proto_msg m;
    char err[256];
    int code, i;
    wchar_t *text = NULL;
    DWORD sel;

    main = solo_start_accounts(&s, "gui-search-priv", L"alice");
    if (!main)
        goto done;
    bob = test_login(&s.ts, "bob", "bob pw", &code, err, sizeof err);
    NEED(bob != NULL);
    test_settle(bob);
    NEED(pc_priv(bob, "alice", PRIVATE_TARGET, 1) == 0);
    NEED(test_expect(bob, PT_PRIV_MSG, &m, WAIT_NET) == 1);
    for (i = 0; i < 3; i++) /* later talk in the room, so that the room's tab is not it */
        pc_say(bob, "lobby", "later in the lobby", 0);
    CHECK(wait_tabs(main, L"bob", WAIT_NET));
    /* A message from someone opens their tab but leaves the room's in front. */
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"later in the lobby", WAIT_NET));

    gui_command(main, IDM_SEARCH);
    dlg = gui_wait_window(&s.p, L"#32770", L"Search messages", WAIT_UI);
    NEED(dlg != NULL);
    gui_set_text(dlg, IDC_SEARCH_TEXT, L"vault");
    gui_click(dlg, IDC_SEARCH_GO);
    CHECK(gui_wait_text(dlg, IDC_SEARCH_STATUS, L"1 found", WAIT_NET));
    text = gui_listview_rows(GetDlgItem(dlg, IDC_SEARCH_RESULTS));
    CHECK(text && wcsstr(text, L"\tbob (private)\tbob\t" PRIVATE_TARGET));
    if (text && !wcsstr(text, L"bob (private)"))
        fwprintf(stderr, L"results: %ls\n", text);
    free(text);
    text = NULL;

    /* Go to: bob's tab, the message selected in it. */
    gui_click(dlg, IDC_SEARCH_GOTO);
    CHECK(gui_wait_gone(dlg, WAIT_UI));
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"" PRIVATE_TARGET, WAIT_UI));
    re = GetDlgItem(main, IDC_TRANSCRIPT);
    text = gui_text(re);
    CHECK(text && !wcsstr(text, L"later in the lobby")); /* not the room's transcript */
    sel = (DWORD)SendMessageW(re, EM_GETSEL, 0, 0);
    CHECK((size_t)(HIWORD(sel) - LOWORD(sel)) == wcslen(L"" PRIVATE_TARGET));

done:
    free(text);
    if (bob) {
        pc_quit(bob, "bye");
        pc_close(bob);
    }
    solo_end(&s);
}
