/* notify.h — getting attention when the window is not in front: a notification-area icon with
 * balloons grouped per conversation, a flashing taskbar button and sounds. */
#ifndef PARLEY_GUI_NOTIFY_H
#define PARLEY_GUI_NOTIFY_H

#include <windows.h>

#define TIMER_NOTIFY 2      /* WM_TIMER: shows the grouped balloons that are due */
#define NOTIFY_GROUPS 8     /* conversations with a balloon pending at once */
#define NOTIFY_WHERE_MAX 82 /* a conversation's name as notify_message shows it */

/* One conversation's balloons: after one, the next messages within NOTIFY_GAP_MS are counted
 * and shown together as one ("5 new messages in design"). */
typedef struct notify_group {
    wchar_t where[NOTIFY_WHERE_MAX];
    DWORD last;       /* GetTickCount of this conversation's last balloon; 0 = free slot */
    unsigned pending; /* messages since then, not yet shown */
} notify_group;

typedef struct notify_state {
    int tray_added;
    UINT callback_msg;
    HICON icon;
    notify_group groups[NOTIFY_GROUPS];
    int timer;        /* TIMER_NOTIFY is running */
} notify_state;

/* Adds the notification-area icon (again after Explorer restarts). */
void notify_tray_add(HWND hwnd, notify_state *n, UINT callback_msg, HICON icon,
                     const wchar_t *tip);
void notify_tray_tip(HWND hwnd, notify_state *n, const wchar_t *tip);
void notify_tray_remove(HWND hwnd, notify_state *n);
/* Tells the user about a message in conversation where, if hwnd is not the foreground window:
 * a balloon (title, text) unless where had one in the last few seconds, in which case the
 * message is counted into the next grouped one; a flash; the sound event (NULL for none). */
void notify_message(HWND hwnd, notify_state *n, const wchar_t *where, const wchar_t *title,
                    const wchar_t *text, const wchar_t *sound);
/* WM_TIMER TIMER_NOTIFY: the grouped balloons that are due. */
void notify_on_timer(HWND hwnd, notify_state *n);
/* 1 if the user is looking at hwnd (it is in front and not minimised). */
int notify_window_in_front(HWND hwnd);

#endif
