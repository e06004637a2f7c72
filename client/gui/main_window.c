/* main_window.c — the main window: a resizable dialog (IDD_MAIN) whose procedure routes
 * menus, accelerators, control notifications, network events and tray clicks. Its context,
 * the app, is allocated here and lives in DWLP_USER until WM_NCDESTROY. */
#include "main_window.h"

#include <commctrl.h>
#include <shellapi.h>
#include <windowsx.h>

#include <stdlib.h>
#include <string.h>

#include "command_hint.h"
#include "commands.h"
#include "connection.h"
#include "context_menu.h"
#include "conv.h"
#include "dpi.h"
#include "events.h"
#include "input.h"
#include "layout.h"
#include "options.h"
#include "newest.h"
#include "person_icon.h"
#include "find.h"
#include "instance.h"
#include "join_dialog.h"
#include "placement.h"
#include "recent.h"
#include "search_dialog.h"
#include "sounds.h"
#include "prompts.h"
#include "resource.h"
#include "status.h"
#include "tab_strip.h"
#include "transcript.h"
#include "userlist.h"
#include "password_dialog.h"
#include "users_dialog.h"
#include "wstr.h"

#define GOODBYE_WAIT_MS 1500 /* on exit, how long the network thread may take to say BYE */
#define INPUT_LIMIT PROTO_TEXT_MAX

typedef struct main_init {
    const settings *cfg;
    int open_connect;
} main_init;

static HICON load_icon(HINSTANCE inst, int metric_x, int metric_y, UINT dpi)
{
    return (HICON)LoadImageW(inst, MAKEINTRESOURCEW(IDI_PARLEY), IMAGE_ICON,
                             dpi_metric(metric_x, dpi),
                             dpi_metric(metric_y, dpi), LR_DEFAULTCOLOR);
}

static void set_icons(app *a)
{
    HICON big = load_icon(a->inst, SM_CXICON, SM_CYICON, a->dpi);
    HICON small = load_icon(a->inst, SM_CXSMICON, SM_CYSMICON, a->dpi);

    SendMessageW(a->hwnd, WM_SETICON, ICON_BIG, (LPARAM)big);
    SendMessageW(a->hwnd, WM_SETICON, ICON_SMALL, (LPARAM)small);
    if (a->icon_big)
        DestroyIcon(a->icon_big);
    if (a->icon_small)
        DestroyIcon(a->icon_small);
    a->icon_big = big;
    a->icon_small = small;
}

static void tray_add(app *a)
{
    wchar_t tip[128];

    notify_tray_add(a->hwnd, &a->notify, WM_APP_TRAY, a->icon_small,
                    wstr_load(IDS_TRAY_TIP, tip, 128));
    status_refresh(a);
}

/* The people list and input box follow the dark theme too (the rest of the window is
 * system-drawn dialog chrome, which Win32 offers no dark mode for). */
static void colour_controls(app *a)
{
    COLORREF bg = a->theme.dark ? a->theme.bg : GetSysColor(COLOR_WINDOW);
    COLORREF text = a->theme.dark ? a->theme.text : GetSysColor(COLOR_WINDOWTEXT);

    SendMessageW(a->users, LVM_SETBKCOLOR, 0, (LPARAM)bg);
    SendMessageW(a->users, LVM_SETTEXTBKCOLOR, 0, (LPARAM)bg);
    SendMessageW(a->users, LVM_SETTEXTCOLOR, 0, (LPARAM)text);
    if (a->input_brush)
        DeleteObject(a->input_brush);
    a->input_brush = a->theme.dark ? CreateSolidBrush(a->theme.bg) : NULL;
    InvalidateRect(a->users, NULL, TRUE);
    InvalidateRect(a->input, NULL, TRUE);
}

/* After WM_SYSCOLORCHANGE or WM_SETTINGCHANGE: new colours for every transcript, if the
 * theme really changed. */
static void refresh_theme(app *a)
{
    theme now;
    int i;

    theme_load(&now);
    if (!theme_differs(&now, &a->theme))
        return;
    for (i = 0; i < a->nconvs; i++)
        transcript_recolour(a->convs[i]->transcript, &a->theme, &now);
    a->theme = now;
    colour_controls(a);
}

static void set_tab_icons(app *a)
{
    HIMAGELIST il = person_icon_list(a->dpi);

    SendMessageW(a->tabs, TCM_SETIMAGELIST, 0, (LPARAM)il);
    if (a->tab_icons)
        ImageList_Destroy(a->tab_icons);
    a->tab_icons = il;
}

/* Double-click on the topic bar: change the active room's topic. */
static void edit_topic(app *a)
{
    conv *c = conv_active(a);
    wchar_t topic[PROTO_TOPIC_MAX + 1];

    if (!c || c->is_private)
        return;
    wstr_copy(topic, sizeof topic / sizeof topic[0], c->topic);
    if (prompt_topic(a->hwnd, topic, sizeof topic / sizeof topic[0]))
        commands_topic(a, topic);
}

static int init(HWND hwnd, const main_init *mi)
{
    app *a = calloc(1, sizeof *a);

    if (!a)
        return -1;
    SetWindowLongPtrW(hwnd, DWLP_USER, (LONG_PTR)a);
    a->hwnd = hwnd;
    a->inst = (HINSTANCE)GetWindowLongPtrW(hwnd, GWLP_HINSTANCE);
    a->tabs = GetDlgItem(hwnd, IDC_TABS);
    a->topic = GetDlgItem(hwnd, IDC_TOPIC);
    a->users_label = GetDlgItem(hwnd, IDC_USERS_LABEL);
    a->users = GetDlgItem(hwnd, IDC_USERS);
    a->input = GetDlgItem(hwnd, IDC_INPUT);
    a->send = GetDlgItem(hwnd, IDC_SEND);
    a->status = GetDlgItem(hwnd, IDC_STATUS);
    a->jump = GetDlgItem(hwnd, IDC_JUMP_NEWEST);
    a->dpi = dpi_of_window(hwnd);
    a->active = -1;
    a->cfg = *mi->cfg;
    a->cfg_valid = 1;
    a->history.pos = 0;
    a->msg_taskbar_created = RegisterWindowMessageW(L"TaskbarCreated");
    a->msg_close_request = RegisterWindowMessageW(PARLEY_CLOSE_MESSAGE);
    a->msg_button_created = RegisterWindowMessageW(L"TaskbarButtonCreated");
    taskbar_init(&a->taskbar);
    sounds_register();
    theme_load(&a->theme);
    options_load(a);
    if (LoadIconMetric(NULL, IDI_WARNING, LIM_SMALL, &a->icon_warning) != S_OK)
        a->icon_warning = NULL;
    set_icons(a);
    userlist_init(a->users, a->dpi);
    set_tab_icons(a);
    recent_show(GetDlgItem(hwnd, IDC_RECENT));
    colour_controls(a);
    SendMessageW(a->input, EM_SETLIMITTEXT, INPUT_LIMIT, 0);
    if (input_attach(a) != 0 || tab_strip_attach(a) != 0)
        return -1;
    tray_add(a);
    layout_apply(a);
    status_refresh(a);
    if (mi->open_connect)
        PostMessageW(hwnd, WM_COMMAND, IDM_CONNECT, 0);
    return 0;
}

static void destroy(app *a)
{
    if (!a->hidden) /* hidden in the tray: saved when it was hidden */
        placement_save(a->hwnd);
    instance_unmark(a->hwnd);
    connection_disconnect(a);
    if (a->net_thread) {
        /* Let the goodbye reach the server, but never hang the exit on the network. */
        WaitForSingleObject(a->net_thread, GOODBYE_WAIT_MS);
        CloseHandle(a->net_thread);
        a->net_thread = NULL;
    }
    KillTimer(a->hwnd, TIMER_COUNTDOWN);
    KillTimer(a->hwnd, TIMER_NOTIFY);
    notify_tray_remove(a->hwnd, &a->notify);
    taskbar_free(&a->taskbar);
    input_detach(a);
    tab_strip_detach(a);
    userlist_destroy(a->users);
    conv_close_all(a);
    input_history_free(&a->history);
    settings_wipe(&a->cfg);
    if (a->icon_big)
        DestroyIcon(a->icon_big);
    if (a->icon_small)
        DestroyIcon(a->icon_small);
    if (a->icon_warning)
        DestroyIcon(a->icon_warning);
    if (a->input_brush)
        DeleteObject(a->input_brush);
    if (a->tab_icons)
        ImageList_Destroy(a->tab_icons);
}

static void restore(app *a)
{
    if (IsIconic(a->hwnd))
        ShowWindow(a->hwnd, SW_RESTORE);
    else
        ShowWindow(a->hwnd, SW_SHOW);
    SetForegroundWindow(a->hwnd);
}

static void open_private_with_selected(app *a)
{
    wchar_t nick[MEMBER_NICK_MAX];

    if (userlist_selected(a->users, nick, MEMBER_NICK_MAX) && wcscmp(nick, a->nick) != 0)
        commands_private(a, nick);
}

static void step_tab(app *a, int dir)
{
    if (a->nconvs > 1)
        conv_activate(a, (a->active + dir + a->nconvs) % a->nconvs);
}

/* Skips the rest of the wait before the next redial (menu, F5, a click on the countdown). */
static void reconnect_now(app *a)
{
    if (a->net && a->state == CS_WAITING)
        net_redial_now(a->net);
}

static void on_command(app *a, int id, int code)
{
    wchar_t text[PROTO_TEXT_MAX / 8];

    if (context_menu_command(a, id))
        return;
    switch (id) {
    case IDM_CONNECT:
        connection_dialog(a, 0);
        break;
    case IDM_DISCONNECT:
        if (a->net) {
            connection_disconnect(a);
            conv_line(a, NULL, TL_INFO, wstr_load(IDS_SYS_DISCONNECTED, text, 256));
        }
        break;
    case IDM_OPTIONS:
        options_show(a);
        break;
    case IDM_RECONNECT_NOW:
        reconnect_now(a);
        break;
    case IDM_USERS:
        users_dialog_run(a);
        break;
    case IDM_PASSWORD:
        password_dialog_run(a);
        break;
    case IDM_EXIT:
        a->quitting = 1;
        DestroyWindow(a->hwnd);
        break;
    case IDM_JOIN:
        if (join_dialog_run(a, text, NAME_MAX_W))
            commands_join(a, text);
        break;
    case IDM_LEAVE:
        commands_leave(a);
        break;
    case IDM_PRIVATE:
        if (!userlist_selected(a->users, text, NAME_MAX_W) || wcscmp(text, a->nick) == 0)
            text[0] = L'\0';
        if (prompt_private(a->hwnd, text, NAME_MAX_W))
            commands_private(a, text);
        break;
    case IDM_NEXT_TAB:
        step_tab(a, +1);
        break;
    case IDM_PREV_TAB:
        step_tab(a, -1);
        break;
    case IDM_FOCUS_INPUT:
        SendMessageW(a->hwnd, WM_NEXTDLGCTL, (WPARAM)a->input, TRUE);
        break;
    case IDM_AWAY:
        if (prompt_away(a->hwnd, text, 256))
            commands_away(a, text);
        break;
    case IDM_BACK:
        commands_back(a);
        break;
    case IDM_FIND:
        find_open(a);
        break;
    case IDM_SEARCH:
        search_dialog_run(a);
        break;
    case IDM_HELP:
        help_show(a->hwnd);
        break;
    case IDM_ABOUT:
        about_show(a->hwnd);
        break;
    case IDM_TRAY_OPEN:
        restore(a);
        break;
    case IDC_SEND:
        if (code == BN_CLICKED) {
            input_send(a);
            SendMessageW(a->hwnd, WM_NEXTDLGCTL, (WPARAM)a->input, TRUE);
        }
        break;
    case IDOK:
        /* Enter where no control takes it: on a person, start a private talk; else send. */
        if (GetFocus() == a->users)
            open_private_with_selected(a);
        else
            input_send(a);
        break;
    case IDCANCEL:
        break; /* Esc must not close the main window */
    case IDC_WELCOME_CONNECT:
        connection_dialog(a, 0);
        break;
    case IDC_TOPIC:
        if (code == STN_DBLCLK)
            edit_topic(a);
        break;
    case IDC_INPUT:
        if (code == EN_CHANGE) {
            input_update_count(a);
            command_hint_update(a);
        } else if (code == EN_KILLFOCUS) {
            command_hint_hide(a);
        }
        break;
    case IDC_JUMP_NEWEST:
        if (code == BN_CLICKED)
            newest_jump(a);
        break;
    case IDC_TRANSCRIPT:
        /* Asked once the scroll has happened. */
        if (code == EN_VSCROLL)
            PostMessageW(a->hwnd, WM_APP_NEWEST, 0, 0);
        break;
    }
}

static INT_PTR on_notify(app *a, NMHDR *hdr)
{
    LRESULT result = 0;
    conv *c = conv_active(a);

    if (hdr->idFrom == IDC_TABS && hdr->code == TCN_SELCHANGE) {
        conv_activate(a, (int)SendMessageW(a->tabs, TCM_GETCURSEL, 0, 0));
        return TRUE;
    }
    if (hdr->idFrom == IDC_RECENT && hdr->code == LVN_ITEMACTIVATE) {
        connection_dialog_recent(a, ((const NMITEMACTIVATE *)hdr)->iItem);
        return TRUE;
    }
    if (hdr->idFrom == IDC_STATUS && hdr->code == NM_CLICK &&
        ((const NMMOUSE *)hdr)->dwItemSpec == 0) {
        reconnect_now(a); /* the countdown says so */
        return TRUE;
    }
    if (hdr->code == EN_MSGFILTER) {
        /* A mouse wheel over the transcript (ENM_SCROLLEVENTS): let it scroll, then look. */
        PostMessageW(a->hwnd, WM_APP_NEWEST, 0, 0);
        SetWindowLongPtrW(a->hwnd, DWLP_MSGRESULT, 0);
        return TRUE;
    }
    if (hdr->code == EN_LINK) {
        result = transcript_on_link(a->hwnd, (const ENLINK *)hdr);
        SetWindowLongPtrW(a->hwnd, DWLP_MSGRESULT, result);
        return TRUE;
    }
    if (hdr->idFrom == IDC_USERS) {
        if (hdr->code == LVN_ITEMACTIVATE) {
            open_private_with_selected(a);
            return TRUE;
        }
        if (userlist_notify(a->users, c ? &c->members : NULL, hdr, &result)) {
            SetWindowLongPtrW(a->hwnd, DWLP_MSGRESULT, result);
            return TRUE;
        }
    }
    return FALSE;
}

/* MF_ENABLED or MF_GRAYED; the flags are plain int constants in the SDK headers. */
static UINT menu_state(int enabled)
{
    return MF_BYCOMMAND | (UINT)(enabled ? MF_ENABLED : MF_GRAYED);
}

static void on_init_menu(app *a, HMENU menu)
{
    int online = a->net != NULL;
    conv *c = conv_active(a);

    EnableMenuItem(menu, IDM_DISCONNECT, menu_state(online));
    EnableMenuItem(menu, IDM_RECONNECT_NOW, menu_state(online && a->state == CS_WAITING));
    /* Only an account can administer accounts (the server checks the role). */
    EnableMenuItem(menu, IDM_USERS, menu_state(online && a->state == CS_ONLINE && a->account));
    EnableMenuItem(menu, IDM_PASSWORD,
                   menu_state(online && a->state == CS_ONLINE && a->account));
    EnableMenuItem(menu, IDM_JOIN, menu_state(online));
    EnableMenuItem(menu, IDM_PRIVATE, menu_state(online));
    EnableMenuItem(menu, IDM_LEAVE, menu_state(c != NULL));
    EnableMenuItem(menu, IDM_AWAY, menu_state(online && !a->away));
    EnableMenuItem(menu, IDM_BACK, menu_state(online && a->away));
    EnableMenuItem(menu, IDM_FIND, menu_state(c != NULL));
    EnableMenuItem(menu, IDM_SEARCH, menu_state(a->state == CS_ONLINE));
    EnableMenuItem(menu, IDM_NEXT_TAB, menu_state(a->nconvs > 1));
    if (a->ctx_tab >= 0 && a->ctx_tab < a->nconvs)
        CheckMenuItem(menu, IDM_CTX_MUTE,
                      MF_BYCOMMAND | (UINT)(a->convs[a->ctx_tab]->notify == NOTIFY_NONE ? MF_CHECKED : MF_UNCHECKED));
    EnableMenuItem(menu, IDM_PREV_TAB, menu_state(a->nconvs > 1));
}

static void tray_menu(app *a, int x, int y)
{
    HMENU bar = LoadMenuW(a->inst, MAKEINTRESOURCEW(IDR_TRAYMENU));
    HMENU popup = bar ? GetSubMenu(bar, 0) : NULL;

    if (!popup) {
        if (bar)
            DestroyMenu(bar);
        return;
    }
    /* Without this the menu would not close when the user clicks elsewhere. */
    SetForegroundWindow(a->hwnd);
    TrackPopupMenuEx(popup, TPM_RIGHTBUTTON, x, y, a->hwnd, NULL);
    PostMessageW(a->hwnd, WM_NULL, 0, 0);
    DestroyMenu(bar);
}

static void on_tray(app *a, WPARAM wp, LPARAM lp)
{
    switch (LOWORD(lp)) {
    case NIN_SELECT:
    case NIN_KEYSELECT:
    case WM_LBUTTONDBLCLK:
        restore(a);
        break;
    case WM_CONTEXTMENU:
        tray_menu(a, GET_X_LPARAM(wp), GET_Y_LPARAM(wp));
        break;
    }
}

static INT_PTR CALLBACK main_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    app *a = (app *)GetWindowLongPtrW(hwnd, DWLP_USER);

    if (msg == WM_INITDIALOG) {
        if (init(hwnd, (const main_init *)lp) != 0)
            DestroyWindow(hwnd);
        else
            SetFocus(GetDlgItem(hwnd, IDC_INPUT));
        return FALSE;
    }
    if (!a)
        return FALSE; /* messages before WM_INITDIALOG (WM_GETMINMAXINFO, WM_SETFONT...) */
    if (find_on_message(a, msg, lp))
        return TRUE;
    if (msg == a->msg_taskbar_created && msg != 0) {
        tray_add(a); /* Explorer restarted and forgot the icon */
        return TRUE;
    }
    if (msg == a->msg_button_created && msg != 0) {
        taskbar_button_created(hwnd, &a->taskbar);
        return TRUE;
    }
    if (msg == a->msg_close_request && msg != 0) {
        /* Posted, so the broadcasting installer is not kept waiting on our goodbyes. */
        a->quitting = 1;
        PostMessageW(hwnd, WM_CLOSE, 0, 0);
        return TRUE;
    }
    switch (msg) {
    case WM_SIZE:
        /* A minimized window has no client area: laying out into it would squash every
         * pane to nothing and lose the transcripts' place. */
        if (wp != SIZE_MINIMIZED)
            layout_apply(a);
        command_hint_hide(a);
        return TRUE;
    case WM_GETMINMAXINFO: {
        MINMAXINFO *mm = (MINMAXINFO *)lp;
        layout_min_size(a, &mm->ptMinTrackSize);
        return TRUE;
    }
    case WM_DPICHANGED: {
        const RECT *r = (const RECT *)lp;
        a->dpi = HIWORD(wp);
        SetWindowPos(hwnd, NULL, r->left, r->top, r->right - r->left, r->bottom - r->top,
                     SWP_NOZORDER | SWP_NOACTIVATE);
        set_icons(a);
        set_tab_icons(a);
        tab_strip_set_dpi(a);
        userlist_init(a->users, a->dpi);
        {
            int i;
            for (i = 0; i < a->nconvs; i++)
                transcript_set_dpi(a->convs[i]->transcript, a->dpi);
        }
        layout_apply(a);
        return TRUE;
    }
    case WM_SYSCOLORCHANGE:
        /* Common controls learn of it only from their parent. */
        SendMessageW(a->users, msg, wp, lp);
        SendMessageW(a->tabs, msg, wp, lp);
        SendMessageW(a->status, msg, wp, lp);
        refresh_theme(a);
        return TRUE;
    case WM_SETTINGCHANGE:
        /* High contrast (SPI_SETHIGHCONTRAST) and the apps' dark mode ("ImmersiveColorSet"). */
        refresh_theme(a);
        return FALSE;
    case WM_CTLCOLORSTATIC: {
        HBRUSH hint = command_hint_colours(a, (HWND)lp, (HDC)wp);
        return hint ? (INT_PTR)hint : FALSE;
    }
    case WM_MOVE:
        command_hint_hide(a); /* it would stay behind where the box was */
        return FALSE;
    case WM_CTLCOLOREDIT:
        if ((HWND)lp == a->input && a->input_brush) {
            SetTextColor((HDC)wp, a->theme.text);
            SetBkColor((HDC)wp, a->theme.bg);
            return (INT_PTR)a->input_brush;
        }
        return FALSE;
    case WM_COMMAND:
        on_command(a, LOWORD(wp), HIWORD(wp));
        return TRUE;
    case WM_NOTIFY:
        return on_notify(a, (NMHDR *)lp);
    case WM_CONTEXTMENU:
        return context_menu_show(a, (HWND)wp, lp);
    case WM_INITMENUPOPUP:
        on_init_menu(a, (HMENU)wp);
        return TRUE;
    case WM_NET_EVENT:
        events_drain(a, (unsigned)wp);
        return TRUE;
    case WM_APP_NEWEST:
        newest_refresh(a);
        return TRUE;
    case WM_APP_SHOW_ERROR:
        connection_show_error(a);
        return TRUE;
    case WM_APP_TRAY:
        on_tray(a, wp, lp);
        return TRUE;
    case WM_TIMER:
        if (wp == TIMER_COUNTDOWN)
            events_countdown(a);
        else if (wp == TIMER_NOTIFY)
            notify_on_timer(hwnd, &a->notify);
        return TRUE;
    case WM_ACTIVATE:
        if (LOWORD(wp) == WA_INACTIVE)
            newest_seen(conv_active(a)); /* looking away: what is shown now has been seen */
        else
            conv_report_read(a, conv_active(a)); /* back: the private conversation on show
                                                    has now been read */
        return FALSE;
    case WM_SHOWWINDOW:
        /* ShowWindow only: DestroyWindow hides the window without this message. */
        a->hidden = wp == FALSE;
        return FALSE;
    case WM_CLOSE:
        /* Close to tray: the window goes, Parley stays connected in the notification area
         * (Exit in its menu, or in the Connection menu, quits). Without a tray icon there
         * would be no way back, so it closes then. */
        if (a->close_to_tray && !a->quitting && a->notify.tray_added) {
            placement_save(hwnd);
            ShowWindow(hwnd, SW_HIDE);
            return TRUE;
        }
        DestroyWindow(hwnd);
        return TRUE;
    case WM_DESTROY:
        destroy(a);
        PostQuitMessage(0);
        return TRUE;
    case WM_NCDESTROY:
        SetWindowLongPtrW(hwnd, DWLP_USER, 0);
        free(a);
        return FALSE;
    }
    return FALSE;
}

HWND main_window_create(HINSTANCE inst, const settings *cfg, int open_connect)
{
    main_init mi;

    mi.cfg = cfg;
    mi.open_connect = open_connect;
    return CreateDialogParamW(inst, MAKEINTRESOURCEW(IDD_MAIN), NULL, main_proc, (LPARAM)&mi);
}
