/* gui_driver.h — drives another process's Win32 windows the way a person would, but through
 * messages: start parley.exe, find its dialogs, fill in edits, click buttons, press Enter, read
 * transcripts, list views and tabs, and take a screenshot of a window. */
#ifndef PARLEY_GUI_DRIVER_H
#define PARLEY_GUI_DRIVER_H

#include <windows.h>

#include <stddef.h>

typedef struct gui_proc {
    PROCESS_INFORMATION pi;
    const wchar_t *name; /* for messages: "alice" */
} gui_proc;

/* 1 when running under Wine. */
int gui_under_wine(void);
/* Under Wine: moves this thread to a new virtual desktop (its own decorated windows, at a
 * known size) that the programs started later share. On Windows: does nothing. */
void gui_desktop_enter(int width, int height);
const wchar_t *gui_desktop_name(void);
/* Removes the desktop's entry from Wine's settings once its programs have ended. */
void gui_desktop_leave(void);

/* Starts exe with the given command line tail on the test desktop. 0 or -1. */
int gui_start(gui_proc *p, const wchar_t *name, const wchar_t *exe, const wchar_t *args);
/* Asks the program to close (WM_CLOSE to its windows), then ends it if it lingers. */
void gui_stop(gui_proc *p, DWORD wait_ms);
/* 1 while the process runs. */
int gui_running(const gui_proc *p);

/* A visible top-level window of p whose class is cls (NULL = any) and whose title contains
 * title_part (NULL = any); waits up to timeout_ms. NULL if none appeared. */
HWND gui_wait_window(const gui_proc *p, const wchar_t *cls, const wchar_t *title_part,
                     DWORD timeout_ms);
/* A top-level window of p that has a child with control ID id (e.g. a message box's Retry). */
HWND gui_wait_window_with(const gui_proc *p, int id, DWORD timeout_ms);
/* Waits until the window is gone. 1 if it went. */
int gui_wait_gone(HWND hwnd, DWORD timeout_ms);

/* The text of a window (WM_GETTEXT works across processes); the caller frees it. */
wchar_t *gui_text(HWND hwnd);
/* The texts of every child of hwnd, joined with newlines; the caller frees it. */
wchar_t *gui_child_texts(HWND hwnd);
/* Waits until the control (found by ID under parent at each look, since IDs can move) has
 * text containing part. 1 if it did. */
int gui_wait_text(HWND parent, int id, const wchar_t *part, DWORD timeout_ms);

void gui_set_text(HWND parent, int id, const wchar_t *text);
/* Types text into a control one WM_CHAR per UTF-16 unit, as a keyboard would deliver it. */
void gui_type(HWND parent, int id, const wchar_t *text);
/* Clicks a button (BM_CLICK); does not wait for what the click opens. */
void gui_click(HWND parent, int id);
/* Posts a key press (down and up) to a control, through its program's message loop. */
void gui_press_key(HWND parent, int id, UINT vk);
/* Sends a menu or accelerator command to a window, without waiting for it. */
void gui_command(HWND hwnd, int id);

/* Items of a list view / tabs of a tab control in another process, joined with newlines;
 * the caller frees the result. */
wchar_t *gui_listview_items(HWND lv);
/* The same with every column (up to 4) of each row, tab-separated. */
wchar_t *gui_listview_rows(HWND lv);
wchar_t *gui_tab_items(HWND tabs);
/* The text of one part of a status bar in another process; the caller frees it. */
wchar_t *gui_status_part(HWND status, int part);
/* The window that has the keyboard focus in p's main thread, or NULL. */
HWND gui_focus(const gui_proc *p);
/* Posts a character with Alt held (WM_SYSCHAR), as a mnemonic key press delivers it. */
void gui_alt_key(HWND target, wchar_t ch);

/* Waits until the list view's items (joined) contain / do not contain part. */
int gui_wait_listview(HWND parent, int id, const wchar_t *part, int present, DWORD timeout_ms);

/* Where a RichEdit in another process draws character cp (EM_POSFROMCHAR), in its client
 * coordinates. 0, or -1 if it could not be asked. */
int gui_richedit_pos(HWND re, long cp, POINT *out);
/* The image index of tab i of a tab control in another process; -2 if it could not be read. */
int gui_tab_image(HWND tabs, int i);
/* The image index of list view item i in another process; -1 if it could not be read. */
int gui_listview_image(HWND lv, int i);
/* The colour of character cp in a RichEdit of another process (selects it to ask), and its
 * effects (CFE_BOLD...) when effects is not NULL. */
int gui_richedit_colour(HWND re, long cp, COLORREF *out, DWORD *effects);

/* Where tab i of a tab control in another process is, in its client coordinates. 0 or -1. */
int gui_tab_rect(HWND tabs, int i, RECT *out);
/* A middle click (button down and up) at pt in hwnd's client coordinates, posted. */
void gui_middle_click(HWND hwnd, POINT pt);
/* The character height (twips) of character cp in a RichEdit of another process. 0 or -1. */
int gui_richedit_height(HWND re, long cp, LONG *twips);

/* Sends WM_DPICHANGED to a window of another process, as Windows does when it moves to a
 * monitor of another DPI: the new DPI and the suggested window rectangle (copied into that
 * process, where the window reads it). The window's answer, or -1 if it could not be sent. */
LRESULT gui_send_dpi_changed(HWND hwnd, UINT dpi, const RECT *suggested);

/* Where part `part` of a status bar in another process is, in its client coordinates. 0 or -1. */
int gui_status_rect(HWND status, int part, RECT *out);

/* Saves what the screen shows of hwnd (frame included) as a 24-bit BMP. 0 or -1. */
int gui_screenshot(HWND hwnd, const wchar_t *path);

/* What the screen shows of a window's client area, 24-bit rows bottom-up (as in a BMP). */
typedef struct gui_pixels {
    int w, h, stride;
    unsigned char *bits; /* owned: free() it */
} gui_pixels;

/* Copies what the screen shows of hwnd's client area into out. 0 or -1. */
int gui_grab(HWND hwnd, gui_pixels *out);
/* The colour at (x, y) of the client area, or CLR_INVALID outside it. */
COLORREF gui_pixel(const gui_pixels *px, int x, int y);

#endif
