/* test_gui_round2.c — parley.exe's second round (issue 13): Reconnect now, tab handling
 * (close by middle-click, mute, the new-messages divider, jump to the newest), /me, kick and
 * ban from the people menu, fonts after a DPI change. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

/* Reads the reconnect countdown from the status bar ("retrying in N s (attempt K)"). 1 if
 * the status bar shows one. */
static int countdown(HWND main, unsigned *secs, unsigned *attempt)
{
    wchar_t *t = gui_status_part(GetDlgItem(main, IDC_STATUS), 0);
    const wchar_t *in = t ? wcsstr(t, L"retrying in ") : NULL;
    const wchar_t *at = t ? wcsstr(t, L"(attempt ") : NULL;
    int ok = in && at && swscanf(in, L"retrying in %u", secs) == 1 &&
             swscanf(at, L"(attempt %u", attempt) == 1;

    free(t);
    return ok;
}

/* Waits until the countdown is at least min_secs (the backoff doubles with each failed dial). */
static int wait_countdown(HWND main, unsigned min_secs, unsigned *secs, unsigned *attempt,
                          DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    while (GetTickCount() - start < timeout_ms) {
        if (countdown(main, secs, attempt) && *secs >= min_secs)
            return 1;
        Sleep(100);
    }
    return 0;
}

/* A left click on the first part of the status bar, as a mouse would give it. */
static void click_status_countdown(HWND main)
{
    HWND sb = GetDlgItem(main, IDC_STATUS);
    RECT r;
    LPARAM at;

    GetClientRect(sb, &r);
    at = MAKELPARAM(8, (r.bottom - r.top) / 2);
    PostMessageW(sb, WM_LBUTTONDOWN, MK_LBUTTON, at);
    PostMessageW(sb, WM_LBUTTONUP, 0, at);
}

/* Reconnect now (Connection menu, F5, or a click on the countdown) dials at once instead of
 * waiting out the backoff, which after a few failed dials is many seconds. */
TEST(gui_reconnect_now)
{
    solo s;
    HWND main = solo_start(&s, "gui-redial", L"nora");
    unsigned secs = 0, attempt = 0, secs2 = 0, attempt2 = 0;
    uint16_t port;
    DWORD start, took;
    wchar_t want[64];

    NEED(main != NULL);
    port = s.ts.port;
    test_server_stop(&s.ts);
    /* After five failed dials the wait is 8 to 16 s. */
    NEED(wait_countdown(main, 8, &secs, &attempt, 90000));
    start = GetTickCount();
    gui_command(main, IDM_RECONNECT_NOW);
    /* The next dial goes out at once (and fails: the server is still down). */
    _snwprintf(want, 64, L"(attempt %u)", attempt + 1);
    want[63] = L'\0';
    CHECK(wait_status_part(main, 0, want, secs * 1000));
    took = GetTickCount() - start;
    fprintf(stderr, "countdown %u s at attempt %u; the next dial came after %lu ms\n", secs,
            attempt, (unsigned long)took);
    CHECK(took + 2000 < secs * 1000);

    /* With the server back, a click on the countdown connects long before it would end. */
    NEED(restart_server(&s.ts, &s.cfg, port) == 0);
    NEED(wait_countdown(main, 6, &secs2, &attempt2, 5000));
    start = GetTickCount();
    click_status_countdown(main);
    CHECK(wait_status_part(main, 0, L"Connected as nora", secs2 * 1000));
    took = GetTickCount() - start;
    fprintf(stderr, "countdown %u s; connected after %lu ms\n", secs2, (unsigned long)took);
    CHECK(took + 2000 < secs2 * 1000);
    CHECK(gui_wait_text(main, IDC_TRANSCRIPT, L"Reconnected", WAIT_NET));
done:
    solo_end(&s);
}
