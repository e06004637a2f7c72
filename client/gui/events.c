/* events.c — applies the network link's events on the UI thread: the connection's state to the
 * status bar (with the reconnect countdown) and the transcripts, its end to the error box, and
 * what the server says to messages.c. */
#include "events.h"

#include <stdlib.h>
#include <wchar.h>

#include "connection.h"
#include "conv.h"
#include "input.h"
#include "messages.h"
#include "password_dialog.h"
#include "newest.h"
#include "options.h"
#include "resource.h"
#include "recent.h"
#include "status.h"
#include "transcript.h"
#include "whoami.h"
#include "wstr.h"

#define REDRAW_BATCH 20 /* events in one drain after which the transcript stops redrawing */

/* Tabs kept from an earlier link to this server: a new link joins their rooms again. */
static void rejoin_kept_tabs(app *a)
{
    int i;

    for (i = 0; i < a->nconvs; i++) {
        if (!a->convs[i]->is_private && wcscmp(a->convs[i]->name, L"lobby") != 0) {
            char *room = wstr_to_utf8(a->convs[i]->name);
            if (room)
                net_join(a->net, room);
            free(room);
        }
    }
}

static void on_connected(app *a, const net_event *ev)
{
    wchar_t *server = wstr_from_utf8(ev->text, (size_t)-1);
    wchar_t *motd = wstr_from_utf8(ev->target, (size_t)-1);
    wchar_t cipher[64];
    conv *lobby;
    int i;

    a->state = CS_ONLINE;
    a->cipher = ev->cipher;
    /* A Windows sign-on is an account too (roles, the Users dialog), with no password to ask. */
    a->account = ev->account || ev->signed_on;
    a->cfg.accounts = ev->account; /* the next Connect dialog asks for what this server wants */
    a->attempt = 0;
    a->oper = a->oper_asked = 0; /* operator rights were the old connection's */
    a->receipts_known = 0;       /* until this connection's PRIV_PREFS */
    KillTimer(a->hwnd, TIMER_COUNTDOWN);
    wstr_from_utf8_into(a->nick, NAME_MAX_W, ev->nick, (size_t)-1);
    wstr_load(ev->cipher == PROTO_CIPHER_XOR ? IDS_ST_CIPHER_XOR : IDS_ST_CIPHER_AES, cipher, 64);
    if (ev->reconnect) {
        /* The reconnect layer re-joins our rooms quietly (the lobby only if we had not left
         * it), so the tabs stay as they were. */
        lobby = conv_find(a, L"lobby", 0);
        for (i = 0; i < a->nconvs; i++)
            if (!a->convs[i]->is_private)
                conv_line_fmt(a, a->convs[i], TL_INFO, IDS_SYS_RECONNECTED, NULL, NULL, NULL);
    } else {
        /* Only now, with another server's welcome, do the old server's tabs go. */
        if (!connection_is_tabs_server(a, &a->cfg))
            conv_close_all(a);
        recent_add(&a->cfg);
        recent_show(GetDlgItem(a->hwnd, IDC_RECENT));
        wstr_copy(a->tabs_host, SETTINGS_HOST_MAX, a->cfg.host);
        a->tabs_port = a->cfg.port;
        /* The server puts everyone in the lobby; its tab is there before the first line. */
        lobby = conv_open(a, L"lobby", 0);
        conv_line_fmt(a, lobby, TL_INFO, IDS_SYS_CONNECTED,
                      server && server[0] ? server : a->cfg.host, a->nick, cipher);
        if (ev->signed_on) {
            wchar_t me[160];
            whoami_text(me, 160);
            conv_line_fmt(a, lobby, TL_INFO, IDS_SYS_MODE_WINDOWS, a->nick, me, NULL);
        } else {
            conv_line_fmt(a, lobby, TL_INFO, ev->account ? IDS_SYS_MODE_ACCOUNT : IDS_SYS_MODE_KEY,
                          a->nick, NULL, NULL);
        }
        if (motd && motd[0])
            conv_line_fmt(a, lobby, TL_INFO, IDS_SYS_MOTD, motd, NULL, NULL);
        rejoin_kept_tabs(a);
        options_join_start_rooms(a);
    }
    if (ev->cipher == PROTO_CIPHER_XOR)
        conv_line_fmt(a, lobby, TL_ERROR, IDS_SYS_XOR_WARNING, NULL, NULL, NULL);
    free(server);
    free(motd);
    status_refresh(a);
}

static void on_reconnecting(app *a, const net_event *ev)
{
    wchar_t *why = wstr_from_utf8(ev->text, (size_t)-1);
    int i;

    if (a->state == CS_ONLINE && why)
        conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_LOST, why, NULL, NULL);
    a->state = CS_WAITING;
    a->attempt = ev->attempt;
    a->wait_ms = ev->delay_ms;
    a->has_rtt = 0;
    /* Who is where is unknown until the rooms are joined again. */
    for (i = 0; i < a->nconvs; i++) {
        if (!a->convs[i]->is_private) {
            members_clear(&a->convs[i]->members);
            conv_refresh(a, a->convs[i]);
        }
    }
    SetTimer(a->hwnd, TIMER_COUNTDOWN, 1000, NULL);
    free(why);
    status_refresh(a);
}

/* The link has ended for good: a refusal, a kick, a ban, a first dial that failed. */
static void on_disconnected(app *a, const net_event *ev)
{
    wchar_t *why = wstr_from_utf8(ev->text, (size_t)-1);

    if (a->state == CS_ONLINE && why)
        conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_LOST, why, NULL, NULL);
    free(why);
    KillTimer(a->hwnd, TIMER_COUNTDOWN);
    connection_disconnect(a);
    /* The box waits until this batch is handled: a modal loop inside it would run before the
     * rest of the window is up to date. */
    connection_fail_later(a, ev->code, ev->text);
    PostMessageW(a->hwnd, WM_APP_SHOW_ERROR, 0, 0);
}

void events_countdown(app *a)
{
    if (a->state != CS_WAITING) {
        KillTimer(a->hwnd, TIMER_COUNTDOWN);
        return;
    }
    a->wait_ms = a->wait_ms > 1000 ? a->wait_ms - 1000 : 0;
    status_refresh(a);
}

static void handle(app *a, const net_event *ev)
{
    wchar_t *text;

    switch (ev->kind) {
    case PCS_EV_CONNECTING:
        a->state = CS_CONNECTING;
        a->attempt = ev->attempt;
        KillTimer(a->hwnd, TIMER_COUNTDOWN);
        status_refresh(a);
        break;
    case PCS_EV_CONNECTED:
        on_connected(a, ev);
        break;
    case PCS_EV_RECONNECTING:
        on_reconnecting(a, ev);
        break;
    case PCS_EV_DISCONNECTED:
        on_disconnected(a, ev);
        break;
    case PCS_EV_MESSAGE:
        messages_apply(a, ev);
        break;
    case PCS_EV_CAUGHT_UP:
        messages_caught_up(a, ev);
        break;
    case PCS_EV_RTT:
        a->rtt_ms = ev->rtt_ms;
        a->has_rtt = 1;
        status_refresh(a);
        break;
    case PCS_EV_PASSWORD:
        password_dialog_done(a, ev->code, ev->text);
        break;
    case PCS_EV_SEND_ERROR:
        text = wstr_from_utf8(ev->text, (size_t)-1);
        if (text)
            conv_line_fmt(a, NULL, TL_ERROR, IDS_SYS_SEND_FAILED, text, NULL, NULL);
        free(text);
        input_restore_unsent(a);
        break;
    }
}

void events_drain(app *a, unsigned link_id)
{
    net_event *ev;
    HWND frozen = NULL;
    int n = 0;

    if (link_id != a->link_id)
        return; /* from a link that has been replaced */
    while (a->net && (ev = net_next_event(a->net)) != NULL) {
        /* A big batch (a catch-up of hundreds of messages) is drawn once, at the end, not
         * line by line. */
        if (++n == REDRAW_BATCH && conv_active(a)) {
            frozen = conv_active(a)->transcript;
            SendMessageW(frozen, WM_SETREDRAW, FALSE, 0);
        }
        handle(a, ev);
        net_event_free(ev);
    }
    if (frozen && IsWindow(frozen)) {
        SendMessageW(frozen, WM_SETREDRAW, TRUE, 0);
        transcript_restore_place(frozen);
        InvalidateRect(frozen, NULL, TRUE);
    }
    newest_refresh(a);
}
