/* gui_steps.h — the steps GUI tests are made of (see gui_steps.c), and their shared limits. */
#ifndef PARLEY_GUI_STEPS_H
#define PARLEY_GUI_STEPS_H

#include <windows.h>

#include <stdint.h>

#include "gui_driver.h"
#include "server_fixture.h"
#include "test.h"

#define WAIT_UI 30000 /* a first Wine window can take a while */
#define WAIT_NET 15000

#define TITLE_CONNECT L"Connect to a Parley server"

/* parley.exe's path: PARLEY_GUI_EXE, else the one this build made. */
const wchar_t *parley_exe(void);
/* Writes a key file (UTF-8, newline-terminated as an editor would) and returns its full path. */
void write_key_file(const wchar_t *name, const char *key, wchar_t *full, DWORD cap);
/* parley.exe's options for the test server, a nickname and (optionally) a key file. */
void client_args(wchar_t *out, size_t cap, const test_server *ts, const wchar_t *nick,
                 const wchar_t *key_file);
/* 1 if the control's text contains part. */
int text_has(HWND parent, int id, const wchar_t *part);
/* Waits until the tab strip of a main window shows part. */
int wait_tabs(HWND main, const wchar_t *part, DWORD timeout_ms);
/* Waits until the tab strip of a main window no longer shows part. */
int wait_no_tab(HWND main, const wchar_t *part, DWORD timeout_ms);
/* Waits until one part of a main window's status bar shows text. */
int wait_status_part(HWND main, int part, const wchar_t *text, DWORD timeout_ms);
/* How many times part occurs in the main window's transcript. */
int transcript_count(HWND main, const wchar_t *part);
/* Types a line into the input box and sends it with Enter / with the Send button. */
void say_enter(HWND main, const wchar_t *text);
void say_button(HWND main, const wchar_t *text);
/* Prints a control's text to stderr, to explain a failure. */
void report_text(const char *what, HWND parent, int id);
/* Starts parley.exe as nick (with the key file, if any) and returns its Connect dialog; NULL
 * after a failure (reported). */
HWND open_connect(gui_proc *p, const test_server *ts, const wchar_t *nick,
                  const wchar_t *key_file);
/* Waits for nick's main window to say it is connected to 127.0.0.1; NULL (reported) if not. */
HWND wait_connected(gui_proc *p, const wchar_t *nick);
/* Starts parley.exe as nick, confirms the Connect dialog (typing typed_key into it first when
 * given) and returns the main window once it says it is connected; NULL after a failure. */
HWND connect_client(gui_proc *p, const test_server *ts, const wchar_t *nick,
                    const wchar_t *key_file, const wchar_t *typed_key);
/* Where the conversation screenshot goes: PARLEY_GUI_SCREENSHOT, else gui-screenshot.bmp. */
const wchar_t *screenshot_path(void);
/* Brings hwnd forward and saves its picture as shot-NAME.bmp (docs/screenshots). */
void shot_named(HWND hwnd, const wchar_t *name);
/* PARLEY_GUI_PAUSE_MS keeps the windows up for a person to look at (or screenshot) them. */
void pause_for_a_look(void);
/* Receives whatever the server sent a library client, so its queue never fills. */
void drain(pc_conn *c);
/* Waits until the keyboard focus in p is on `want`. */
int wait_focus(const gui_proc *p, HWND want, DWORD timeout_ms);
/* Presses a key (down and up) in whatever control of p has the focus. */
void press(const gui_proc *p, UINT vk);
/* 1 if the main window's input box holds exactly want (else says what it holds). */
int input_is(HWND main, const wchar_t *want);
/* Checks that HKCU\Software\Parley's value name is a DPAPI blob (opened with entropy_text)
 * of plain, and holds no plain copy of it. */
void check_sealed(const wchar_t *name, const char *entropy_text, const char *plain);
/* Checks what "Remember" stored for nick under HKCU\Software\Parley, then removes it. */
void check_remembered(const wchar_t *nick, DWORD cipher);
/* Restarts a stopped test server on the same port and data directory. 0 or -1. */
int restart_server(test_server *ts, server_config *cfg, uint16_t port);

/* Under Wine: transcripts in Noto Sans CJK JP (on = 1) or the UI font again (on = 0), for
 * programs started afterwards, so Japanese shows as it does on Windows. */
void gui_cjk_font(int on);

/* REQUIRE for the middle of a test: records the failure and goes on to the cleanup. */
#define NEED(cond)                                                                           \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            test_failf_at(__FILE__, __LINE__, "needed: %s", #cond);                          \
            goto done;                                                                       \
        }                                                                                    \
    } while (0)

/* One server, one parley.exe connected to it on a fresh test desktop. */
typedef struct solo {
    test_server ts;
    server_config cfg;
    gui_proc p;
    wchar_t key_name[64];
} solo;

/* Starts the server (data directory "srv-<name>") and nick's parley.exe; the connected main
 * window, or NULL after a failure (reported). Always pair with solo_end. */
HWND solo_start(solo *s, const char *name, const wchar_t *nick);
/* The same with settings of its own: adjust (may be NULL) changes the test settings. */
HWND solo_start_with(solo *s, const char *name, const wchar_t *nick,
                     void (*adjust)(server_config *cfg));
void solo_end(solo *s);
/* The same on a server with accounts (auth = accounts): accounts alice and bob (passwords
 * "alice pw", "bob pw"); nick, one of them, logs in with its password (the Connect dialog's
 * Retry after the server asks for it). */
HWND solo_start_accounts(solo *s, const char *name, const wchar_t *nick);
/* Connects a library client as nick (to the lobby) and, when line is not NULL, says it there
 * and waits for the server's echo. NULL if it could not connect (reported). */
/* The character index of the last occurrence of part in the main window's transcript, or -1. */
long transcript_cp(HWND main, const wchar_t *part);
/* The colour and effects (CFE_BOLD...; effects may be NULL) of the first character of the
 * last occurrence of part in the main window's transcript. 0, or -1 if part is not there. */
int transcript_format_at(HWND main, const wchar_t *part, COLORREF *colour, DWORD *effects);
pc_conn *lobby_voice(const test_server *ts, const char *nick, const char *line);

/* Waits for p's popup menu and picks an item by its underlined letter, as a person would. */
int pick_from_menu(const gui_proc *p, wchar_t letter);

/* Where the main window's RichEdit draws the start of its last line, and its first visible
 * line. The last line is "shown" when that point is inside the client area; "pinned" when it
 * is also in the lower half (a pane full of text, not one line at the top of a blank pane). */
typedef struct transcript_view_t {
    long lines, first;
    POINT last;
    int height;
} transcript_view_t;

int transcript_view(HWND main, transcript_view_t *v);
/* 1 if the view is pinned to the newest line (else says where it is, with `when`). */
int transcript_pinned(HWND main, const char *when);

#endif
