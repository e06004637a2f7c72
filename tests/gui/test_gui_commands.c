/* test_gui_commands.c — message-box commands that parley.exe shares with parley-cli: /users
 * writes the people in the room into the conversation, /quit says goodbye with its reason,
 * which the others see, and closes the program. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui_steps.h"
#include "resource.h"

/* 1 if the transcript's line that starts with head names every one of names[0..n). */
static int line_names(HWND main, const wchar_t *head, const wchar_t *const *names, size_t n)
{
    wchar_t *t = gui_text(GetDlgItem(main, IDC_TRANSCRIPT)), *line, *end;
    size_t i;
    int all = 0;

    line = t ? wcsstr(t, head) : NULL;
    if (line) {
        end = wcspbrk(line, L"\r\n");
        if (end)
            *end = L'\0';
        all = 1;
        for (i = 0; i < n; i++)
            if (!wcsstr(line + wcslen(head), names[i]))
                all = 0;
        if (!all)
            fprintf(stderr, "the line says: %ls\n", line);
    }
    free(t);
    return all;
}

/* kim's parley.exe on a fresh server, with lena (a library client) in the lobby that kim's
 * window has seen. kim's main window, or NULL after a failure (reported); *lena may be set
 * either way and is the caller's to close. */
static HWND kim_and_lena(solo *s, const char *name, pc_conn **lena)
{
    HWND main = solo_start(s, name, L"kim");

    *lena = NULL;
    if (!main)
        return NULL;
    *lena = lobby_voice(&s->ts, "lena", NULL);
    if (!*lena)
        return NULL;
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"lena", WAIT_NET));
    return main;
}

TEST(gui_users_command)
{
    static const wchar_t *const people[] = {L"kim", L"lena"};
    solo s;
    pc_conn *lena;
    HWND main = kim_and_lena(&s, "gui-users-cmd", &lena);
    DWORD start;

    NEED(main != NULL);
    say_enter(main, L"/users");
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"People in lobby: ", WAIT_NET));
    CHECK(line_names(main, L"People in lobby: ", people, 2));
    /* Asked again, answered again (the request is not used up by the first answer). */
    say_enter(main, L"/users lobby");
    start = GetTickCount();
    while (transcript_count(main, L"People in lobby: ") < 2 && GetTickCount() - start < WAIT_NET)
        Sleep(100);
    CHECK(transcript_count(main, L"People in lobby: ") == 2);
done:
    if (lena)
        pc_close(lena);
    solo_end(&s);
}

TEST(gui_quit_command)
{
    solo s;
    pc_conn *lena;
    HWND main = kim_and_lena(&s, "gui-quit", &lena);
    proto_msg m;
    int seen = 0;
    DWORD start;

    NEED(main != NULL);
    say_enter(main, L"/quit see you tomorrow");
    /* lena hears kim leave with the reason given... */
    start = GetTickCount();
    while (!seen && GetTickCount() - start < WAIT_NET && test_expect(lena, PT_MEMBER, &m, 1000) == 1)
        seen = m.event == MEMBER_QUIT && str_is(m.nick, "kim") &&
               str_is(m.text, "see you tomorrow");
    CHECK(seen);
    /* ...and parley.exe has ended. */
    CHECK(WaitForSingleObject(s.p.pi.hProcess, WAIT_UI) == WAIT_OBJECT_0);
done:
    if (lena)
        pc_close(lena);
    solo_end(&s);
}
