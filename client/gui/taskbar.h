/* taskbar.h — the unread total on the taskbar button: an ITaskbarList3 overlay icon (a red
 * badge) described as "N unread messages", removed when nothing is unread. */
#ifndef PARLEY_GUI_TASKBAR_H
#define PARLEY_GUI_TASKBAR_H

#include <windows.h>

struct ITaskbarList3;

typedef struct taskbar_state {
    struct ITaskbarList3 *list; /* NULL until the first overlay, or if COM has none */
    int com;                    /* CoInitializeEx succeeded: taskbar_free undoes it */
    int shown;                  /* the unread total the button shows; -1 = not set yet */
    HICON badge;
} taskbar_state;

void taskbar_init(taskbar_state *t);
/* Shows unread on hwnd's taskbar button (0 removes the overlay); only a change is applied. */
void taskbar_overlay(HWND hwnd, taskbar_state *t, unsigned unread);
/* The taskbar button was (re)created ("TaskbarButtonCreated"): apply the state again. */
void taskbar_button_created(HWND hwnd, taskbar_state *t);
void taskbar_free(taskbar_state *t);

#endif
