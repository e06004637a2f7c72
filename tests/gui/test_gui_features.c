/* test_gui_features.c — what a chat user expects beyond the basics, driven through the real
 * window: Tab completes nicknames in the message box, Ctrl+F finds text in the conversation,
 * the Join dialog lists the server's rooms, right-click menus act on a person or a tab. */
#include <windows.h>
#include <richedit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

TEST(gui_nick_completion)
{
    solo s;
    HWND main;
    pc_conn *caroline = NULL;

    main = solo_start(&s, "gui-complete", L"alice");
    if (!main)
        goto done;
    caroline = lobby_voice(&s.ts, "caroline", NULL);
    NEED(caroline != NULL);
    CHECK(gui_wait_listview(main, IDC_USERS, L"caroline", 1, WAIT_NET));
    /* At the start of the line: "caroline: "; inside it: "caroline ". */
    gui_type(main, IDC_INPUT, L"car");
    gui_press_key(main, IDC_INPUT, VK_TAB);
    Sleep(300);
    CHECK(input_is(main, L"caroline: "));
    gui_type(main, IDC_INPUT, L"thanks, and ask CAR");
    gui_press_key(main, IDC_INPUT, VK_TAB);
    Sleep(300);
    CHECK(input_is(main, L"caroline: thanks, and ask caroline "));
    /* Nothing to complete: Tab moves on, as everywhere in the window. */
    gui_type(main, IDC_INPUT, L"zz");
    gui_press_key(main, IDC_INPUT, VK_TAB);
    CHECK(wait_focus(&s.p, GetDlgItem(main, IDC_SEND), 5000));

done:
    if (caroline) {
        pc_quit(caroline, "bye");
        pc_close(caroline);
    }
    solo_end(&s);
}

TEST(gui_find)
{
    solo s;
    HWND main, dlg, re;
    pc_conn *carol = NULL;
    proto_msg m;
    DWORD sel;
    wchar_t *text, *at;

    main = solo_start(&s, "gui-find", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", "the staging password rotates on Monday");
    NEED(carol != NULL);
    pc_say(carol, "lobby", "lunch is at noon", 0);
    test_expect_text(carol, "lunch is at noon", &m, 10000);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"lunch is at noon", WAIT_NET));

    /* Edit > Find (Ctrl+F) opens Find; Find Next selects the match, whatever its case. */
    gui_command(main, IDM_FIND);
    dlg = gui_wait_window(&s.p, L"#32770", L"Find", WAIT_UI);
    NEED(dlg != NULL);
    gui_set_text(dlg, 0x480 /* edt1 */, L"ROTATES");
    gui_click(dlg, IDOK); /* Find Next */
    Sleep(500);
    re = GetDlgItem(main, IDC_TRANSCRIPT);
    sel = (DWORD)SendMessageW(re, EM_GETSEL, 0, 0);
    text = gui_text(re);
    at = text ? wcsstr(text, L"rotates") : NULL;
    NEED(at != NULL);
    {
        /* WM_GETTEXT ends lines with \r\n, the RichEdit counts one character per line end. */
        long crs = 0, want;
        const wchar_t *p;
        for (p = text; p < at; p++)
            if (*p == L'\n')
                crs++;
        want = (long)(at - text) - crs;
        if ((long)LOWORD(sel) != want || (long)HIWORD(sel) != want + 7)
            fprintf(stderr, "selection %u-%u, \"rotates\" is at %ld\n", LOWORD(sel), HIWORD(sel),
                    want);
        CHECK((long)LOWORD(sel) == want && (long)HIWORD(sel) == want + 7);
    }
    free(text);
    /* A second Find Next finds nothing more and says so. */
    gui_click(dlg, IDOK);
    {
        HWND box = gui_wait_window(&s.p, L"#32770", L"Find in conversation", WAIT_UI);
        CHECK(box != NULL);
        if (box) {
            text = gui_child_texts(box);
            CHECK(text && wcsstr(text, L"Cannot find"));
            free(text);
            gui_click(box, IDOK);
        }
    }

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

/* Join a room: the server's rooms with their people and topics, narrowed by the filter; a
 * double-click joins. /rooms writes the same list into the conversation. */
TEST(gui_join_dialog)
{
    solo s;
    HWND main, dlg;
    pc_conn *carol = NULL;
    proto_msg m;
    wchar_t *items;

    main = solo_start(&s, "gui-join", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", NULL);
    NEED(carol != NULL);
    pc_join(carol, "design");
    test_expect(carol, PT_HISTORY_END, &m, 5000);
    pc_join(carol, "ops-oncall");
    test_expect(carol, PT_HISTORY_END, &m, 5000);
    {
        proto_msg t;
        memset(&t, 0, sizeof t);
        t.type = PT_TOPIC;
        t.room = proto_s("design");
        t.text = proto_s("Release 2.4 planning");
        pc_send(carol, &t);
        test_expect(carol, PT_TOPIC, &m, 5000);
    }
    drain(carol);

    gui_command(main, IDM_JOIN);
    dlg = gui_wait_window(&s.p, L"#32770", L"Join a room", WAIT_UI);
    NEED(dlg != NULL);
    CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"design", 1, WAIT_NET));
    CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"ops-oncall", 1, WAIT_NET));
    CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"lobby", 1, WAIT_NET));
    gui_type(dlg, IDC_ROOM_FILTER, L"DES");
    CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"lobby", 0, WAIT_UI));
    items = gui_listview_items(GetDlgItem(dlg, IDC_ROOM_LIST));
    CHECK(items && wcsstr(items, L"design") && !wcsstr(items, L"ops-oncall"));
    free(items);
    /* A filter that matches the topic finds the room too. */
    gui_set_text(dlg, IDC_ROOM_FILTER, L"");
    gui_type(dlg, IDC_ROOM_FILTER, L"planning");
    CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"ops-oncall", 0, WAIT_UI));
    CHECK(gui_wait_listview(dlg, IDC_ROOM_LIST, L"design", 1, WAIT_UI));
    pause_for_a_look();
    /* Picking the room fills in its name; Join joins it. */
    gui_press_key(dlg, IDC_ROOM_LIST, VK_DOWN); /* the first (and only) row */
    CHECK(gui_wait_text(dlg, IDC_ROOM, L"design", WAIT_UI));
    gui_click(dlg, IDOK);
    CHECK(wait_tabs(main, L"design", WAIT_NET));

    /* /rooms: the list in the conversation. */
    say_enter(main, L"/rooms");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"ops-oncall — present: 1", WAIT_NET));

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

/* Right-click menus: on a person, Private message; on a tab, Close. */
TEST(gui_context_menus)
{
    solo s;
    HWND main, people;
    pc_conn *carol = NULL;

    main = solo_start(&s, "gui-menus", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", NULL);
    NEED(carol != NULL);
    CHECK(gui_wait_listview(main, IDC_USERS, L"carol", 1, WAIT_NET));
    people = GetDlgItem(main, IDC_USERS);
    /* The menu key on the list (alice, carol: End selects carol). */
    gui_press_key(main, IDC_USERS, VK_END);
    Sleep(300);
    PostMessageW(main, WM_CONTEXTMENU, (WPARAM)people, MAKELPARAM(0xffff, 0xffff));
    CHECK(pick_from_menu(&s.p, L'p'));
    CHECK(wait_tabs(main, L"carol", WAIT_NET));
    /* The tab in front (carol's): Close. */
    PostMessageW(main, WM_CONTEXTMENU, (WPARAM)GetDlgItem(main, IDC_TABS),
                 MAKELPARAM(0xffff, 0xffff));
    CHECK(pick_from_menu(&s.p, L'c'));
    CHECK(wait_no_tab(main, L"carol", WAIT_NET));
    CHECK(wait_tabs(main, L"lobby", 0));

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

/* The unread total shows in the title (and so on the taskbar button) and goes once read. */
TEST(gui_unread_title)
{
    solo s;
    HWND main;
    pc_conn *carol = NULL;
    proto_msg m;
    wchar_t *title;

    main = solo_start(&s, "gui-unread", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", NULL);
    NEED(carol != NULL);
    say_enter(main, L"/join design");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"You joined design", WAIT_NET));
    pc_say(carol, "lobby", "one", 0);
    pc_say(carol, "lobby", "two", 0);
    test_expect_text(carol, "two", &m, 10000);
    CHECK(wait_tabs(main, L"lobby (2)", WAIT_NET));
    title = gui_text(main);
    CHECK(title && wcsncmp(title, L"(2) alice on 127.0.0.1", 22) == 0);
    if (title && wcsncmp(title, L"(2) ", 4) != 0)
        fprintf(stderr, "title: %ls\n", title);
    free(title);
    gui_command(main, IDM_PREV_TAB);
    CHECK(wait_tabs(main, L"lobby", WAIT_NET) && wait_no_tab(main, L"lobby (", WAIT_NET));
    title = gui_text(main);
    CHECK(title && wcsncmp(title, L"alice on 127.0.0.1", 18) == 0);
    free(title);

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}

/* A message that names you stands out (its text in bold); one that only contains your name
 * inside a word does not. */
TEST(gui_mention)
{
    solo s;
    HWND main;
    pc_conn *carol = NULL;
    proto_msg m;
    COLORREF colour;
    DWORD effects = 0;

    main = solo_start(&s, "gui-mention", L"alice");
    if (!main)
        goto done;
    carol = lobby_voice(&s.ts, "carol", "Alice: can you review the installer?");
    NEED(carol != NULL);
    pc_say(carol, "lobby", "no malice intended", 0);
    test_expect_text(carol, "no malice intended", &m, 10000);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"no malice intended", WAIT_NET));
    CHECK(transcript_format_at(main, L"Alice: can you review", &colour, &effects) == 0 &&
          (effects & CFE_BOLD));
    effects = 0;
    CHECK(transcript_format_at(main, L"no malice intended", &colour, &effects) == 0 &&
          !(effects & CFE_BOLD));

done:
    if (carol) {
        pc_quit(carol, "bye");
        pc_close(carol);
    }
    solo_end(&s);
}
