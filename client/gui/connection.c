/* connection.c — starting and ending the network link for the main window, and the error box:
 * a clear sentence per failure (wrong key, unreachable, nickname taken, kicked, banned...) with
 * Retry, which either redials or reopens the Connect dialog where the fix belongs. */
#include "connection.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "client.h"
#include "connect_dialog.h"
#include "conv.h"
#include "recent.h"
#include "crypto.h"
#include "resource.h"
#include "secret_text.h"
#include "status.h"
#include "wstr.h"

/* Converts the settings for the network thread. Returns 0, or the string ID of the problem. */
static unsigned make_config(app *a, const settings *s, net_config *cfg)
{
    char key[SETTINGS_KEY_MAX * 3];

    memset(cfg, 0, sizeof *cfg);
    cfg->notify = a->hwnd;
    cfg->port = (uint16_t)s->port;
    cfg->cipher = s->cipher;
    if (wstr_to_utf8_into(cfg->host, sizeof cfg->host, s->host) != 0 || !cfg->host[0])
        return IDS_ERR_NO_SERVER;
    if (!s->nick[0])
        return IDS_ERR_NO_NICK;
    if (wstr_to_utf8_into(cfg->nick, sizeof cfg->nick, s->nick) != 0)
        return IDS_ERR_NICK_LONG;
    /* Typed, pasted or read from a file, the key's bytes are normalised the one way the server
     * and parley-cli also use (docs/PROTOCOL.md, "The secret's bytes"). */
    if (wstr_to_utf8_into(key, sizeof key, s->key) != 0 ||
        secret_normalize(key, strlen(key)) == 0 || strlen(key) > sizeof cfg->secret) {
        crypto_wipe(key, sizeof key);
        return IDS_ERR_NO_KEY;
    }
    cfg->secret_len = strlen(key);
    memcpy(cfg->secret, key, cfg->secret_len);
    crypto_wipe(key, sizeof key);
    /* Only for a server known to use accounts: a key-only server never asks for it. */
    if (s->accounts && s->password[0]) {
        if (wstr_to_utf8_into(cfg->password, sizeof cfg->password, s->password) != 0) {
            crypto_wipe(cfg, sizeof *cfg);
            return IDS_ERR_NO_PASSWORD;
        }
        cfg->password_len = strlen(cfg->password);
    }
    return 0;
}

static void release_thread(app *a)
{
    if (a->net_thread) {
        /* The old thread finishes its goodbye on its own; nothing here waits for it. */
        CloseHandle(a->net_thread);
        a->net_thread = NULL;
    }
}

void connection_disconnect(app *a)
{
    int i;

    if (!a->net)
        return;
    net_stop(a->net);
    a->net = NULL;
    a->state = CS_OFFLINE;
    a->has_rtt = 0;
    a->away = 0;
    for (i = 0; i < a->nconvs; i++) {
        members_clear(&a->convs[i]->members);
        conv_refresh(a, a->convs[i]);
    }
    status_refresh(a);
}

int connection_connect(app *a, const settings *s)
{
    wchar_t text[512];
    net_config cfg;
    char err[320];
    unsigned problem;

    problem = make_config(a, s, &cfg);
    if (problem) {
        wstr_load(problem, text, 512);
        MessageBoxW(a->hwnd, text, wstr_load(IDS_ERR_TITLE, text + 400, 100),
                    MB_OK | MB_ICONWARNING);
        return -1;
    }
    if (a->net) {
        connection_disconnect(a);
        conv_line(a, NULL, TL_INFO, wstr_load(IDS_SYS_DISCONNECTED, text, 512));
    }
    release_thread(a);
    /* The tabs stay until a server has welcomed us: events.c closes them then if that
     * server is another one (which connection_dialog asked about). */
    if (&a->cfg != s) {
        settings_wipe(&a->cfg);
        a->cfg = *s;
    }
    a->cfg_valid = 1;
    cfg.link_id = ++a->link_id;
    a->net = net_start(&cfg, &a->net_thread, err, sizeof err);
    crypto_wipe(cfg.secret, sizeof cfg.secret);
    crypto_wipe(cfg.password, sizeof cfg.password);
    if (!a->net) {
        connection_fail_later(a, PC_E_LOCAL, err);
        PostMessageW(a->hwnd, WM_APP_SHOW_ERROR, 0, 0);
        return -1;
    }
    a->state = CS_CONNECTING;
    a->has_rtt = 0;
    a->attempt = 0;
    a->away = 0;
    wstr_copy(a->nick, NAME_MAX_W, s->nick);
    status_refresh(a);
    return 0;
}

void connection_fail_later(app *a, int code, const char *detail)
{
    a->error.active = 1;
    a->error.code = code;
    wstr_from_utf8_into(a->error.detail, sizeof a->error.detail / sizeof a->error.detail[0],
                        detail, (size_t)-1);
}

/* Which Connect dialog field fixes a failure: 0 = none (a plain redial), else the control. */
static int field_for(int code)
{
    switch (code) {
    case PC_WRONG_KEY: return IDC_KEY;
    case PC_NICK_TAKEN:
    case PC_BAD_NICK: return IDC_NICK;
    case PC_NO_CIPHER: return IDC_CIPHER;
    case PC_BAD_PASSWORD: return IDC_PASSWORD;
    case PC_E_LOCAL:
    case PC_E_UNREACHABLE: return IDC_SERVER; /* a mistyped name or port: fix it, not redial */
    default: return 0;
    }
}

/* The part of a library error that adds to the box's headline: leading category words
 * ("cannot reach server: ...") repeat it, so they go; what names an address or an error
 * from the system stays. */
static const wchar_t *new_in_detail(const wchar_t *detail)
{
    const wchar_t *p = detail, *colon;

    while ((colon = wcsstr(p, L": ")) != NULL) {
        const wchar_t *q;
        for (q = p; q < colon; q++)
            if (!iswalpha(*q) && *q != L' ')
                return p;
        p = colon + 2;
    }
    return p;
}

static wchar_t *error_text(app *a, int code, const wchar_t *full_detail)
{
    const wchar_t *host = a->cfg.host, *nick = a->cfg.nick, *detail = new_in_detail(full_detail);

    switch (code) {
    case PC_WRONG_KEY: return wstr_format(IDS_ERR_WRONG_KEY); /* its details only repeat it */
    case PC_E_UNREACHABLE: return wstr_format(IDS_ERR_UNREACHABLE, host, detail);
    case PC_NICK_TAKEN: return wstr_format(IDS_ERR_NICK_TAKEN, nick);
    case PC_BAD_NICK: return wstr_format(IDS_ERR_BAD_NICK, nick, detail);
    case PC_KICKED: return wstr_format(IDS_ERR_KICKED, detail);
    case PC_BANNED: return wstr_format(IDS_ERR_BANNED, detail);
    case PC_SERVER_FULL: return wstr_format(IDS_ERR_FULL, detail);
    case PC_TIMEOUT: return wstr_format(IDS_ERR_TIMEOUT, host, detail);
    case PC_NO_CIPHER: return wstr_format(IDS_ERR_NO_CIPHER, detail);
    case PC_BAD_PASSWORD:
        /* Without a password it is the server's request for one, not a refusal. */
        return a->cfg.accounts && a->cfg.password[0] ? wstr_format(IDS_ERR_BAD_PASSWORD)
                                                     : wstr_format(IDS_ERR_NEEDS_ACCOUNT, host);
    case PC_SIGNON_FAILED:
    case PC_SIGNON_REFUSED:
    case PC_NO_ACCOUNT: return wstr_format(IDS_ERR_SIGNON, host, detail);
    case PC_E_LOST:
    case PC_SHUTDOWN: return wstr_format(IDS_ERR_LOST, host, detail);
    default: return wstr_format(IDS_ERR_OTHER, host, detail);
    }
}

void connection_show_error(app *a)
{
    wchar_t title[64];
    wchar_t *text;
    int code = a->error.code, answer;

    if (!a->error.active)
        return;
    a->error.active = 0;
    text = error_text(a, code, a->error.detail);
    wstr_load(IDS_ERR_TITLE, title, 64);
    answer = MessageBoxW(a->hwnd, text ? text : a->error.detail, title,
                         MB_RETRYCANCEL | MB_ICONERROR);
    free(text);
    /* The server asked for an account: from now on the dialog shows the password. */
    if (code == PC_BAD_PASSWORD)
        a->cfg.accounts = 1;
    if (answer != IDRETRY)
        return;
    if (field_for(code) || !a->cfg_valid)
        connection_dialog(a, field_for(code));
    else
        connection_connect(a, &a->cfg);
}

int connection_is_tabs_server(const app *a, const settings *s)
{
    return !a->tabs_host[0] ||
           (_wcsicmp(a->tabs_host, s->host) == 0 && a->tabs_port == s->port);
}

/* Another server would close the open conversations once it answers: 1 if the user agrees. */
static int agree_to_switch(app *a, const settings *s)
{
    wchar_t title[64], port[16], count[16], *text;
    int answer;

    if (a->nconvs == 0 || connection_is_tabs_server(a, s))
        return 1;
    _snwprintf(port, 16, L"%u", s->port);
    _snwprintf(count, 16, L"%d", a->nconvs);
    port[15] = count[15] = L'\0';
    text = wstr_format(IDS_ASK_SWITCH_SERVER, s->host, port, count, a->tabs_host);
    answer = MessageBoxW(a->hwnd, text ? text : s->host, wstr_load(IDS_APP_NAME, title, 64),
                         MB_YESNO | MB_ICONQUESTION | MB_DEFBUTTON2);
    free(text);
    return answer == IDYES;
}

/* Runs the Connect dialog on s and connects on OK (after asking, for another server). */
static void run_dialog(app *a, settings *s, int focus_field)
{
    if (connect_dialog_run(a->hwnd, s, focus_field) == IDOK && agree_to_switch(a, s))
        connection_connect(a, s);
    settings_wipe(s);
}

void connection_dialog_recent(app *a, int index)
{
    settings s;

    settings_defaults(&s);
    settings_load(&s);
    if (recent_get(index, &s))
        run_dialog(a, &s, 0);
    settings_wipe(&s);
}

void connection_dialog(app *a, int focus_field)
{
    settings s;

    if (a->cfg_valid) {
        s = a->cfg;
    } else {
        settings_defaults(&s);
        settings_load(&s);
    }
    run_dialog(a, &s, focus_field);
}

