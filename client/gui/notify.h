/* notify.h — getting attention when the window is not in front: a notification-area icon with
 * balloons, a flashing taskbar button and, for private messages, a sound. */
#ifndef PARLEY_GUI_NOTIFY_H
#define PARLEY_GUI_NOTIFY_H

#include <windows.h>

typedef struct notify_state {
    int tray_added;
    UINT callback_msg;
    HICON icon;
    DWORD last_balloon; /* GetTickCount of the last balloon: bursts show only the first */
} notify_state;

/* Adds the notification-area icon (again after Explorer restarts). */
void notify_tray_add(HWND hwnd, notify_state *n, UINT callback_msg, HICON icon,
                     const wchar_t *tip);
void notify_tray_tip(HWND hwnd, notify_state *n, const wchar_t *tip);
void notify_tray_remove(HWND hwnd, notify_state *n);
/* Tells the user about a message if hwnd is not the foreground window. */
void notify_message(HWND hwnd, notify_state *n, const wchar_t *title, const wchar_t *text,
                    int is_private, int sound);
/* 1 if the user is looking at hwnd (it is in front and not minimised). */
int notify_window_in_front(HWND hwnd);

#endif
