/* cli_format.c — how parley-cli shows events: the stable one-line-per-event script format
 * ("msg lobby alice 12 hello") and the readable, time-stamped interactive lines. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cipher.h"
#include "cli.h"
#include "cli_format_parts.h"
#include "client.h"

#define STAMP_INDENT "           " /* as wide as "[HH:MM:SS] ": continuation lines line up */

static void put(buf *out, const char *s)
{
    buf_append(out, s, strlen(s));
}

static void putf(buf *out, const char *fmt, ...) PARLEY_PRINTF(2, 3);

static void putf(buf *out, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_append(out, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static const char hex_digits[] = "0123456789abcdef";

/* Both formats escape what could upset a terminal or split a line: C0 controls, DEL and the
 * C1 controls (U+0080..U+009F, which some terminals obey as escape sequences). The script
 * format also escapes the line breaks, tabs and the backslash itself. */
static void put_escaped(buf *out, const char *p, size_t n, int script)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        char esc[8];

        if (ch == '\n' && !script) {
            put(out, "\n" STAMP_INDENT);
        } else if (ch == '\t' && !script) {
            buf_put_u8(out, ch);
        } else if (ch == '\\' && script) {
            put(out, "\\\\");
        } else if (ch == '\n' || ch == '\r' || ch == '\t') {
            put(out, ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : "\\t");
        } else if (ch < 0x20 || ch == 0x7f) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex_digits[ch >> 4];
            esc[3] = hex_digits[ch & 15];
            buf_append(out, esc, 4);
        } else if (ch == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] >= 0x80 &&
                   (unsigned char)p[i + 1] <= 0x9f) {
            unsigned char c1 = (unsigned char)p[++i];
            memcpy(esc, "\\u00", 4);
            esc[4] = hex_digits[c1 >> 4];
            esc[5] = hex_digits[c1 & 15];
            buf_append(out, esc, 6);
        } else {
            buf_put_u8(out, ch);
        }
    }
}

void cli_escape(buf *out, const char *p, size_t n)
{
    put_escaped(out, p, n, 1);
}

static void put_text(const cli_format *f, buf *out, proto_str s)
{
    put_escaped(out, s.p, s.n, f->script);
}

/* A field in the middle of a script line: never empty, never with a space. */
static void put_field(buf *out, proto_str s)
{
    size_t i;

    if (s.n == 0) {
        put(out, "-");
        return;
    }
    for (i = 0; i < s.n; i++) {
        if (s.p[i] == ' ') {
            put(out, "\\x20");
            continue;
        }
        put_escaped(out, s.p + i, 1, 1);
    }
}

/* " text" at the end of a script line, or nothing when the text is empty. */
static void put_tail(const cli_format *f, buf *out, proto_str s)
{
    if (s.n == 0)
        return;
    put(out, " ");
    put_text(f, out, s);
}

static int same_name(const char *a, proto_str b)
{
    size_t i;

    if (strlen(a) != b.n)
        return 0;
    for (i = 0; i < b.n; i++) {
        char x = a[i], y = b.p[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

static void stamp(buf *out, uint64_t ms)
{
    char t[16];

    cli_local_time(ms, t, sizeof t);
    putf(out, "[%s] ", t);
}

static proto_str cstr(const char *s)
{
    return proto_s(s ? s : "");
}

int cli_exit_code(int end_code)
{
    switch (end_code) {
    case PC_OK:
    case PC_QUIT:
        return CLI_EXIT_OK;
    case PC_WRONG_KEY:
    case PC_BAD_PASSWORD: /* the account's password: refused before the welcome */
    case PC_SIGNON_FAILED: /* likewise who you are: no ticket, clock skew, ... */
        return CLI_EXIT_WRONG_KEY;
    case PC_E_UNREACHABLE:
        return CLI_EXIT_UNREACHABLE;
    case PC_NICK_TAKEN:
    case PC_BAD_NICK:
    case PC_BANNED:
    case PC_KICKED:
    case PC_SERVER_FULL:
    case PC_NO_CIPHER:
    case PC_BAD_VERSION:
    case PC_SIGNON_REFUSED:
    case PC_NO_ACCOUNT:
        return CLI_EXIT_REFUSED;
    default:
        return CLI_EXIT_OTHER;
    }
}

void cli_fmt_field(buf *out, proto_str s)
{
    put_field(out, s);
}

void cli_fmt_tail(const cli_format *f, buf *out, proto_str s)
{
    put_tail(f, out, s);
}

void cli_fmt_raw(buf *out, proto_str s)
{
    put_escaped(out, s.p, s.n, 0);
}

void cli_fmt_stamp(buf *out, uint64_t ms)
{
    stamp(out, ms);
}

/* ---- the script format ---- */

static void script_member(cli_format *f, const proto_msg *m, buf *out)
{
    switch (m->event) {
    case MEMBER_JOIN:
        put(out, "join ");
        put_field(out, m->room);
        put(out, " ");
        put_field(out, m->nick);
        break;
    case MEMBER_PART:
        put(out, "part ");
        put_field(out, m->room);
        put(out, " ");
        put_field(out, m->nick);
        put_tail(f, out, m->text);
        break;
    case MEMBER_QUIT:
        put(out, "quit ");
        put_field(out, m->nick);
        put_tail(f, out, m->text);
        break;
    case MEMBER_RENAME:
        put(out, "nick ");
        put_field(out, m->nick);
        put(out, " ");
        put_field(out, m->target);
        break;
    case MEMBER_PRESENCE:
        put(out, m->presence == PRESENCE_AWAY ? "away " : "back ");
        put_field(out, m->nick);
        if (m->presence == PRESENCE_AWAY)
            put_tail(f, out, m->text);
        break;
    case MEMBER_KICK:
        put(out, "kick ");
        put_field(out, m->nick);
        put(out, " ");
        put_field(out, m->target);
        put_tail(f, out, m->text);
        break;
    default:
        putf(out, "member %u ", (unsigned)m->event);
        put_field(out, m->nick);
        break;
    }
    put(out, "\n");
}

static void script_list(cli_format *f, const proto_msg *m, buf *out)
{
    size_t pos = 0;
    proto_entry e;

    while (proto_list_next(&m->list, m->type, &pos, &e)) {
        f->list_count++;
        if (m->type == PT_USER_LIST) {
            put(out, "user ");
            put_field(out, m->room);
            put(out, " ");
            put_field(out, e.name);
            put(out, e.value == PRESENCE_AWAY ? " away" : " online");
        } else {
            put(out, "room ");
            put_field(out, e.name);
            putf(out, " %u", (unsigned)e.value);
        }
        put_tail(f, out, e.text);
        put(out, "\n");
    }
    if (m->flags & PROTO_FLAG_MORE)
        return;
    if (m->type == PT_USER_LIST) {
        put(out, "users_end ");
        put_field(out, m->room);
        putf(out, " %u\n", (unsigned)f->list_count);
    } else {
        putf(out, "rooms_end %u\n", (unsigned)f->list_count);
    }
    f->list_count = 0;
}

static void script_message(cli_format *f, const proto_msg *m, buf *out)
{
    if (cli_format_alert(f, m, 0, out) || cli_format_accounts(f, m, 0, out))
        return;
    switch (m->type) {
    case PT_MSG:
        put(out, m->flags & PROTO_FLAG_HISTORY ? "hist " : "msg ");
        put_field(out, m->room);
        put(out, " ");
        put_field(out, m->nick);
        putf(out, " %llu", (unsigned long long)m->id);
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_PRIV_MSG:
        /* Replayed by a private catch-up: waiting while we were offline, or just missed. */
        put(out, m->flags & PROTO_FLAG_OFFLINE   ? "priv_offline "
                 : m->flags & PROTO_FLAG_HISTORY ? "priv_hist "
                                                 : "priv ");
        put_field(out, m->nick);
        put(out, " ");
        put_field(out, m->target);
        putf(out, " %llu", (unsigned long long)m->id);
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_MEMBER:
        script_member(f, m, out);
        break;
    case PT_TOPIC:
        put(out, "topic ");
        put_field(out, m->room);
        put(out, " ");
        put_field(out, m->nick);
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_USER_LIST:
    case PT_ROOM_LIST:
        script_list(f, m, out);
        break;
    case PT_DELIVERED:
        put(out, "delivered ");
        put_field(out, m->nick);
        putf(out, " %llu\n", (unsigned long long)m->id);
        break;
    case PT_READ_MARK:
        put(out, "read ");
        put_field(out, m->nick);
        put(out, " ");
        put_field(out, m->target);
        putf(out, " %llu\n", (unsigned long long)m->id);
        break;
    case PT_PRIV_SYNC_END:
        putf(out, "priv_sync_end %llu %u\n", (unsigned long long)m->id, (unsigned)m->count);
        break;
    case PT_PRIV_PREFS:
        putf(out, "receipts %s\n", m->flags & PROTO_FLAG_NO_RECEIPTS ? "off" : "on");
        break;
    case PT_UNDELIVERED:
        put(out, "undelivered ");
        put_field(out, m->target);
        putf(out, " %llu %s", (unsigned long long)m->id, pc_code_name(m->code));
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_HISTORY_END:
        put(out, "history_end ");
        put_field(out, m->room);
        putf(out, " %u\n", (unsigned)m->count);
        break;
    case PT_SEARCH_HIT:
        /* A private conversation's hit has no room: it is named by the peer. */
        put(out, m->room.n || !m->target.n ? "found " : "found_priv ");
        put_field(out, m->room.n || !m->target.n ? m->room : m->target);
        put(out, " ");
        put_field(out, m->nick);
        putf(out, " %llu %llu", (unsigned long long)m->id, (unsigned long long)m->time);
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_SEARCH_END:
        putf(out, "search_end %u %s\n", (unsigned)m->count,
             m->flags & PROTO_FLAG_MORE ? "more" : "end");
        break;
    case PT_NOTICE:
        put(out, "notice ");
        put_field(out, m->nick);
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_ERROR:
        putf(out, "error %s", pc_code_name(m->code));
        put_tail(f, out, m->text);
        put(out, "\n");
        break;
    case PT_PONG:
    case PT_PING:
        break;
    default:
        putf(out, "other %s\n", proto_type_name(m->type));
        break;
    }
}

static void script_event(cli_format *f, const pcs_event *ev, buf *out)
{
    switch (ev->kind) {
    case PCS_EV_CONNECTING:
        putf(out, "connecting %s %u\n", ev->text, (unsigned)ev->attempt);
        break;
    case PCS_EV_CONNECTED:
        put(out, "connected ");
        put_field(out, cstr(ev->nick));
        putf(out, " %s", cipher_name(ev->cipher));
        put_tail(f, out, cstr(ev->server));
        put(out, "\n");
        if (ev->signed_on)
            putf(out, "signed_on windows %s\n", ev->mechanism);
        if (!ev->reconnect && ev->motd[0]) {
            put(out, "motd ");
            put_text(f, out, cstr(ev->motd));
            put(out, "\n");
        }
        break;
    case PCS_EV_RECONNECTING:
        putf(out, "reconnecting %u %u %s", (unsigned)ev->delay_ms, (unsigned)ev->attempt,
             pc_code_name(ev->code));
        put_tail(f, out, cstr(ev->text));
        put(out, "\n");
        break;
    case PCS_EV_DISCONNECTED:
        putf(out, "bye %s", pc_code_name(ev->code));
        put_tail(f, out, cstr(ev->text));
        put(out, "\n");
        break;
    case PCS_EV_CAUGHT_UP:
        put(out, "caught_up ");
        put_field(out, cstr(ev->room));
        putf(out, " %u\n", (unsigned)ev->count);
        break;
    case PCS_EV_SEND_ERROR:
        putf(out, "error %s", pc_code_name(ev->code));
        put_tail(f, out, cstr(ev->text));
        put(out, "\n");
        break;
    case PCS_EV_MESSAGE:
        script_message(f, ev->msg, out);
        break;
    case PCS_EV_PASSWORD:
        putf(out, "password %s", pc_code_name(ev->code));
        put_tail(f, out, cstr(ev->text));
        put(out, "\n");
        break;
    case PCS_EV_RTT:
        break;
    }
}

/* ---- the interactive format ---- */

static void put_raw(buf *out, proto_str s)
{
    cli_fmt_raw(out, s);
}

static void human_member(const proto_msg *m, buf *out)
{
    put(out, "-!- ");
    put_raw(out, m->nick);
    switch (m->event) {
    case MEMBER_JOIN:
        put(out, " joined ");
        put_raw(out, m->room);
        break;
    case MEMBER_PART:
        put(out, " left ");
        put_raw(out, m->room);
        break;
    case MEMBER_QUIT:
        put(out, " quit");
        break;
    case MEMBER_RENAME:
        put(out, " is now known as ");
        put_raw(out, m->target);
        break;
    case MEMBER_PRESENCE:
        put(out, m->presence == PRESENCE_AWAY ? " is away" : " is back");
        if (m->presence == PRESENCE_AWAY && m->text.n) {
            put(out, ": ");
            put_raw(out, m->text);
        }
        put(out, "\n");
        return;
    case MEMBER_KICK:
        put(out, " was kicked by ");
        put_raw(out, m->target);
        break;
    default:
        break;
    }
    if (m->text.n) {
        put(out, " (");
        put_raw(out, m->text);
        put(out, ")");
    }
    put(out, "\n");
}

static void human_list(cli_format *f, const proto_msg *m, uint64_t now, buf *out)
{
    size_t pos = 0;
    proto_entry e;
    int first = 1;

    if (m->type == PT_USER_LIST) {
        stamp(out, now);
        put(out, "-!- in ");
        put_raw(out, m->room);
        put(out, ":");
        while (proto_list_next(&m->list, m->type, &pos, &e)) {
            put(out, first ? " " : ", ");
            first = 0;
            put_raw(out, e.name);
            if (e.value == PRESENCE_AWAY)
                put(out, " (away)");
        }
        put(out, "\n");
        return;
    }
    while (proto_list_next(&m->list, m->type, &pos, &e)) {
        f->list_count++;
        stamp(out, now);
        put(out, "-!- room ");
        put_raw(out, e.name);
        putf(out, ", %u %s", (unsigned)e.value, e.value == 1 ? "person" : "people");
        if (e.text.n) {
            put(out, ": ");
            put_raw(out, e.text);
        }
        put(out, "\n");
    }
    if (!(m->flags & PROTO_FLAG_MORE)) {
        if (f->list_count == 0) {
            stamp(out, now);
            put(out, "-!- there are no rooms\n");
        }
        f->list_count = 0;
    }
}

static void human_message(cli_format *f, const proto_msg *m, uint64_t now, buf *out)
{
    if (cli_format_alert(f, m, now, out) || cli_format_accounts(f, m, now, out))
        return;
    switch (m->type) {
    case PT_MSG:
        stamp(out, m->time ? m->time : now);
        if (!same_name(f->room, m->room)) {
            put(out, "[");
            put_raw(out, m->room);
            put(out, "] ");
        }
        /* An action (/me) reads as a sentence about its author. */
        put(out, m->flags & PROTO_FLAG_ACTION ? "* " : "<");
        put_raw(out, m->nick);
        put(out, m->flags & PROTO_FLAG_ACTION ? " " : "> ");
        put_raw(out, m->text);
        put(out, "\n");
        return;
    case PT_PRIV_MSG:
        stamp(out, m->time ? m->time : now);
        if (same_name(f->me, m->nick) && !same_name(f->me, m->target)) {
            put(out, "-> *");
            put_raw(out, m->target);
        } else {
            put(out, "*");
            put_raw(out, m->nick);
        }
        put(out, "* ");
        if (m->flags & PROTO_FLAG_OFFLINE)
            put(out, "[while you were offline] ");
        else if (m->flags & PROTO_FLAG_HISTORY)
            put(out, "[earlier] ");
        if (m->flags & PROTO_FLAG_ACTION) {
            put(out, "* ");
            put_raw(out, m->nick);
            put(out, " ");
        }
        put_raw(out, m->text);
        put(out, "\n");
        return;
    case PT_DELIVERED:
    case PT_READ_MARK:
        /* News only live, and only about our own messages: a catch-up's marks are state,
         * and our own reading elsewhere is no news to us. */
        if (f->priv_syncing || (m->type == PT_READ_MARK && same_name(f->me, m->nick)))
            return;
        stamp(out, now);
        put(out, "-!- ");
        put_raw(out, m->nick);
        put(out, m->type == PT_DELIVERED ? " has received your messages\n"
                                         : " has read your messages\n");
        return;
    case PT_PRIV_SYNC_END:
        f->priv_syncing = 0;
        if (m->count == 0)
            return;
        stamp(out, now);
        putf(out, "-!- %u private message%s caught up\n", (unsigned)m->count,
             m->count == 1 ? "" : "s");
        return;
    case PT_PRIV_PREFS: {
        int on = !(m->flags & PROTO_FLAG_NO_RECEIPTS);
        /* Said when it changes, and at login only when it is off (on is the default). */
        if (on == f->receipts || (f->receipts < 0 && on)) {
            f->receipts = on;
            return;
        }
        f->receipts = on;
        stamp(out, now);
        put(out, on ? "-!- read receipts are on: people see when you have read their messages\n"
                    : "-!- read receipts are off: people do not see when you have read their "
                      "messages\n");
        return;
    }
    case PT_UNDELIVERED:
        stamp(out, now);
        put(out, "-!- your message to ");
        put_raw(out, m->target);
        put(out, " was not delivered: ");
        put_raw(out, m->text);
        put(out, "\n");
        return;
    case PT_SEARCH_HIT: {
        char day[16];
        /* Results span days: the date too. */
        cli_local_date(m->time, day, sizeof day);
        putf(out, "%s ", day);
        stamp(out, m->time);
        if (m->room.n || !m->target.n) {
            put(out, "[");
            put_raw(out, m->room);
        } else {
            put(out, "[private: ");
            put_raw(out, m->target);
        }
        put(out, "] <");
        put_raw(out, m->nick);
        put(out, "> ");
        put_raw(out, m->text);
        put(out, "\n");
        return;
    }
    case PT_USER_LIST:
    case PT_ROOM_LIST:
        human_list(f, m, now, out);
        return;
    case PT_PONG:
    case PT_PING:
        return;
    case PT_HISTORY_END:
        if (m->count == 0)
            return; /* an empty replay is no news to a person */
        break;
    default:
        break;
    }
    stamp(out, now);
    switch (m->type) {
    case PT_MEMBER:
        human_member(m, out);
        return;
    case PT_TOPIC:
        put(out, "-!- topic of ");
        put_raw(out, m->room);
        if (m->nick.n) {
            put(out, " (set by ");
            put_raw(out, m->nick);
            put(out, ")");
        }
        put(out, ": ");
        put_raw(out, m->text);
        break;
    case PT_HISTORY_END:
        put(out, "-!- ");
        putf(out, "%u earlier message%s in ", (unsigned)m->count, m->count == 1 ? "" : "s");
        put_raw(out, m->room);
        break;
    case PT_SEARCH_END:
        putf(out, "-!- %u result%s", (unsigned)m->count, m->count == 1 ? "" : "s");
        put(out, m->flags & PROTO_FLAG_MORE ? "; /more for older ones" : ", no more");
        break;
    case PT_NOTICE:
        put(out, "-!- notice from ");
        if (m->nick.n)
            put_raw(out, m->nick);
        else
            put(out, "the server");
        put(out, ": ");
        put_raw(out, m->text);
        break;
    case PT_ERROR:
        putf(out, "-!- error: %s", pc_code_text(m->code));
        if (m->text.n) {
            put(out, " (");
            put_raw(out, m->text);
            put(out, ")");
        }
        break;
    default:
        putf(out, "-!- unexpected %s message", proto_type_name(m->type));
        break;
    }
    put(out, "\n");
}

static void human_event(cli_format *f, const pcs_event *ev, uint64_t now, buf *out)
{
    if (ev->kind == PCS_EV_MESSAGE) {
        human_message(f, ev->msg, now, out);
        return;
    }
    if (ev->kind == PCS_EV_RTT)
        return;
    stamp(out, now);
    switch (ev->kind) {
    case PCS_EV_CONNECTING:
        if (ev->attempt)
            putf(out, "-!- reconnecting to %s (attempt %u)...\n", ev->text,
                 (unsigned)ev->attempt);
        else
            putf(out, "-!- connecting to %s...\n", ev->text);
        break;
    case PCS_EV_CONNECTED:
        putf(out, "-!- %s to ", ev->reconnect ? "reconnected" : "connected");
        put_raw(out, cstr(ev->server));
        put(out, " as ");
        put_raw(out, cstr(ev->nick));
        /* Which mode the server is in, plainly. */
        if (ev->signed_on)
            putf(out, " (%s; signed on with Windows, %s, no password)\n", cipher_name(ev->cipher),
                 ev->mechanism);
        else
            putf(out, " (%s; %s)\n", cipher_name(ev->cipher),
                 ev->account ? "logged in to your account" : "shared key only, no account");
        if (ev->cipher == PROTO_CIPHER_XOR) {
            stamp(out, now);
            put(out, "-!- warning: the xor cipher only hides text from casual view; it is not "
                     "encryption\n");
        }
        if (!ev->reconnect && ev->motd[0]) {
            stamp(out, now);
            put(out, "-!- ");
            put_raw(out, cstr(ev->motd));
            put(out, "\n");
        }
        break;
    case PCS_EV_RECONNECTING:
        putf(out, "-!- %s: ", ev->attempt <= 1 ? "connection lost" : "could not reconnect");
        put_raw(out, cstr(ev->text));
        putf(out, "; trying again in %.1f s (attempt %u)\n", ev->delay_ms / 1000.0,
             (unsigned)ev->attempt);
        break;
    case PCS_EV_DISCONNECTED:
        put(out, "-!- disconnected: ");
        put_raw(out, cstr(ev->text));
        put(out, "\n");
        break;
    case PCS_EV_CAUGHT_UP:
        put(out, "-!- back in ");
        put_raw(out, cstr(ev->room));
        putf(out, ": %u message%s while you were away\n", (unsigned)ev->count,
             ev->count == 1 ? "" : "s");
        break;
    case PCS_EV_SEND_ERROR:
        put(out, "-!- could not send: ");
        put_raw(out, cstr(ev->text));
        put(out, "\n");
        break;
    case PCS_EV_PASSWORD:
        put(out, ev->code == PC_OK ? "-!- " : "-!- password not changed: ");
        put_raw(out, cstr(ev->text));
        put(out, "\n");
        break;
    default:
        put(out, "\n");
        break;
    }
}

void cli_format_event(cli_format *f, const pcs_event *ev, uint64_t now_ms, buf *out)
{
    /* Follow our own nickname: the interactive format tells our private messages apart. */
    if (ev->kind == PCS_EV_CONNECTED) {
        snprintf(f->me, sizeof f->me, "%s", ev->nick);
        f->priv_syncing = ev->account; /* the session catches up at once (session.h) */
    }
    if (f->script)
        script_event(f, ev, out);
    else
        human_event(f, ev, now_ms, out);
    if (ev->kind == PCS_EV_MESSAGE && ev->msg->type == PT_MEMBER &&
        ev->msg->event == MEMBER_RENAME && same_name(f->me, ev->msg->nick)) {
        size_t n = ev->msg->target.n < PROTO_NICK_MAX ? ev->msg->target.n : PROTO_NICK_MAX;
        memcpy(f->me, ev->msg->target.p, n);
        f->me[n] = '\0';
    }
}

void cli_format_local(cli_format *f, const char *code, const char *text, uint64_t now_ms,
                      buf *out)
{
    if (f->script) {
        putf(out, "error %s", code);
        put_tail(f, out, cstr(text));
        put(out, "\n");
        return;
    }
    stamp(out, now_ms);
    put(out, "-!- ");
    put_raw(out, cstr(text));
    put(out, "\n");
}
