/* test_gui_commands.c — message-box commands that parley.exe shares with parley-cli: /quit
 * says goodbye with its reason, which the others see, and closes the program. */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "gui_steps.h"
#include "resource.h"

TEST(gui_quit_command)
{
    solo s;
    HWND main = solo_start(&s, "gui-quit", L"kim");
    pc_conn *lena = NULL;
    proto_msg m;
    int seen = 0;
    DWORD start;

    NEED(main != NULL);
    lena = lobby_voice(&s.ts, "lena", NULL);
    NEED(lena != NULL);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"lena", WAIT_NET));
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
