/* app.h — the main window's context: everything parley.exe knows while it runs. One `app`
 * lives in the main dialog's DWLP_USER; every module gets it passed in, none keeps globals. */
#ifndef PARLEY_GUI_APP_H
#define PARLEY_GUI_APP_H

#include <windows.h>
#include <commctrl.h>
#include <commdlg.h>

#include <stdint.h>

#include "net_thread.h"
#include "notify.h"
#include "proto.h"
#include "settings.h"
#include "taskbar.h"
#include "theme.h"
#include "transcript.h"
#include "userlist.h"

#define WM_APP_TRAY (WM_APP + 2)       /* notification-area icon callbacks */
#define WM_APP_SHOW_ERROR (WM_APP + 3) /* shows app.pending_error outside event handling */
#define WM_APP_ROOMS (WM_APP + 4)      /* to the Join dialog: lParam, a PT_ROOM_LIST net_event */
#define WM_APP_SEARCH (WM_APP + 5)     /* to the Search dialog: lParam, a SEARCH_HIT, SEARCH_END
                                        * or ERROR net_event answering its search */
#define WM_APP_NEWEST (WM_APP + 6)     /* the transcript scrolled: show or hide "Newest messages" */
#define WM_APP_ACCOUNTS (WM_APP + 13)  /* to the Users dialog: lParam, an ACCOUNT_LIST or ERROR
                                        * net_event */

#define NAME_MAX_W 80          /* room or nickname, UTF-16 units (room names are <= 64 bytes) */
#define INPUT_HISTORY_MAX 100

/* What a conversation's new messages notify of (balloon, flash, sound). */
enum { NOTIFY_ALL = 0, NOTIFY_MENTIONS = 1, NOTIFY_NONE = 2 };

/* One tab: a room, or a private conversation with one person. */
typedef struct conv {
    int is_private;
    wchar_t name[NAME_MAX_W];
    HWND transcript;     /* RichEdit; only the active conversation's is visible */
    unsigned unread;
    uint64_t last_id;    /* newest message shown: replays after a reconnect skip up to it */
    member_list members;
    int users_loading;   /* a USER_LIST in several frames is arriving: the first one clears */
    wchar_t topic[PROTO_TOPIC_MAX + 1]; /* a room's topic as the server last said it */
    unsigned replayed;   /* history lines shown since the last replay note (duplicates skipped) */
    /* Private conversations with accounts: receipts for our messages, and our own reading. */
    uint64_t own_last;   /* newest message of ours shown */
    uint64_t delivered;  /* the peer has received ours up to this id */
    uint64_t read;       /* the peer has read ours up to this id */
    uint64_t peer_last;  /* newest message of the peer's shown */
    uint64_t reported;   /* we told the server we have read up to this id */
    uint64_t jump_id;    /* a search result to show: its history was asked for, so replayed
                          * messages up to this id are shown even if older than last_id */
    int notify;          /* NOTIFY_ALL, NOTIFY_MENTIONS or NOTIFY_NONE ("muted": no balloon,
                          * flash or sound, and not in the unread total) */
    int marked;          /* a "new messages" divider went in since the user last looked */
    int history_asked;   /* /history: its replay is shown even where the tab has it already */
} conv;

typedef enum conn_state {
    CS_OFFLINE,
    CS_CONNECTING,
    CS_ONLINE,
    CS_WAITING /* lost; the reconnect layer redials after a pause */
} conn_state;

typedef struct input_history {
    wchar_t *lines[INPUT_HISTORY_MAX]; /* oldest first */
    int count;
    int pos;                           /* == count while not browsing */
    wchar_t *draft;                    /* what was typed before browsing began */
} input_history;

typedef struct pending_error {
    int active;
    int code;
    wchar_t detail[320];
} pending_error;

/* The window message an installer broadcasts (RegisterWindowMessage, then HWND_BROADCAST) to
 * ask every running parley.exe to close before it replaces the program (docs/ADMIN.md). */
#define PARLEY_CLOSE_MESSAGE L"Parley.CloseForUpgrade"

/* The modeless Find dialog: its FINDREPLACEW must live as long as the dialog. */
typedef struct find_state {
    HWND dlg;
    FINDREPLACEW fr;
    wchar_t what[256];
} find_state;

typedef struct app {
    HINSTANCE inst;
    HWND hwnd, tabs, topic, users_label, users, input, send, status;
    HWND jump;             /* "Newest messages" over the transcript while scrolled up */
    HWND hint;             /* the command hint above the message box; NULL until first shown */
    HIMAGELIST tab_icons;  /* the person icon of private tabs */
    UINT dpi;
    HICON icon_big, icon_small, icon_warning;
    UINT msg_taskbar_created;
    UINT msg_close_request;  /* PARLEY_CLOSE_MESSAGE: the installer asks us to close */

    settings cfg;          /* what the last Connect used (the key is wiped on exit) */
    int cfg_valid;
    wchar_t tabs_host[SETTINGS_HOST_MAX]; /* the server the open tabs belong to ("" = none): */
    unsigned tabs_port;                   /* they go only once another one said WELCOME */
    net_link *net;         /* NULL while offline */
    HANDLE net_thread;
    unsigned link_id;      /* bumped per link; stale events are ignored */
    conn_state state;
    uint8_t cipher;
    int account;           /* the server uses accounts and we are logged in to one */
    int away;
    int private_sound;     /* Options: a sound when a private message arrives */
    int receipts_known;    /* the server said (PRIV_PREFS) whether our account sends read */
    int receipts_on;       /* receipts, and that it does; both reset by each WELCOME */
    int close_to_tray;     /* Options: closing the window hides it in the notification area */
    int quitting;          /* Exit (menu, tray, installer): close for real, whatever the above */
    int hidden;            /* ShowWindow hid the window (closed to the tray) */
    int announce;          /* Options: new messages as UI Automation notifications */
    int log_on;            /* Options: keep a log of conversations, in log_dir */
    wchar_t log_dir[MAX_PATH];
    wchar_t start_rooms[256]; /* Options: rooms to join after the first WELCOME, by ", " */
    int started_rooms;     /* they were joined (once per run, not after every reconnect) */
    taskbar_state taskbar; /* the unread overlay on the taskbar button */
    UINT msg_button_created; /* "TaskbarButtonCreated" */
    int oper;              /* /oper was accepted on this connection (a reconnect forgets it) */
    int oper_asked;        /* /oper sent: the server's next NOTICE or refusal answers it */
    wchar_t nick[NAME_MAX_W];
    uint32_t rtt_ms;
    int has_rtt;
    uint32_t attempt, wait_ms; /* reconnect attempt, and the countdown to it */
    pending_error error;

    conv **convs;
    int nconvs;
    int active;            /* index into convs, -1 when there is none */

    wchar_t priv_target[NAME_MAX_W]; /* whom the last private message went to: a "no such
                                      * user" answer is about them */
    input_history history;
    notify_state notify;
    find_state find;
    wchar_t ctx_nick[NAME_MAX_W]; /* whom the open person menu is about */
    int ctx_tab;           /* which tab the open tab menu is about */
    wchar_t ctx_link[TRANSCRIPT_URL_MAX + 1]; /* the link the conversation's menu was opened
                                               * on ("" = none: no Copy link) */
    HWND join_dlg;         /* the Join dialog while it is open: room lists go to it */
    int rooms_to_transcript; /* /rooms asked: the next room list is written in the transcript */
    wchar_t users_room[NAME_MAX_W]; /* /users asked: this room's next people list is written
                                     * in the transcript ("" = none asked) */
    theme theme;           /* the transcripts' colours; every transcript points here */
    HBRUSH input_brush;    /* the input box's background in the dark theme, else NULL */
    wchar_t pending_password[SETTINGS_PASSWORD_MAX]; /* a change of password under way: the
                                                      * new one, until the outcome (wiped) */
    struct alert_ui *alert_uis; /* open alert windows and roll calls (alert_window.c) */
    HWND search_dlg;       /* the Search dialog while it is open: its answers go to it */
    HWND users_dlg;        /* the Users dialog while it is open: account lists go to it */
    uint32_t search_tag;   /* the tag of its last SEARCH */
    wchar_t jump_text[201]; /* the search result being fetched (conv.jump_id): its first line */
} app;

#endif
