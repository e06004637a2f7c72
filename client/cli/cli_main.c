/* cli_main.c — parley-cli: options, the secret key, one session driven on a network thread
 * while the main thread reads standard input, and the exit code that says how it ended. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "cli.h"
#include "client.h"
#include "crypto.h"
#include "handshake.h"
#include "search_query.h"
#include "secret_prompt.h"
#include "secret_text.h"
#include "sock.h"
#include "sys.h"
#include "thread.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.0.0"
#endif

#define INPUT_POLL_MS 100u
#define SYNC_LIMIT_MS 15000u /* at the end of a script: the longest wait for the server's answers */
#define SYNC_TOKEN 0x50a7c11ull

typedef struct cli_opts {
    const char *host;
    uint16_t port;
    const char *nick;
    const char *key;
    const char *key_file;
    const char *user;
    const char *password_file;
    const char *signon_host;
    const char *display_name; /* NULL = the system's */
    int allow_ntlm;
    uint8_t cipher;
    int script;
    int no_reconnect;
    uint32_t wait_ms;
    uint32_t timeout_ms;
} cli_opts;

/* Shared by the main (input) thread and the network thread. */
typedef struct cli {
    mutex_handle *lock;   /* guards out, fmt and the flags below */
    cli_format fmt;
    buf out;
    pcs_session *s;
    cli_input *in;
    int ended;
    int synced;
    cli_reads reads;      /* private messages shown, for read receipts */
    pc_search_req search; /* the last /search; before_id: where /more goes on (0 = no more) */
    int searching;        /* its page has not been answered yet (a SEARCH is answered from
                           * the server's search thread, so a PONG does not say it is done) */
} cli;

void cli_err_line(const char *fmt, ...)
{
    char text[600];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof text - 2)
        n = (int)sizeof text - 2;
    text[n++] = '\n';
    cli_write_err(text, (size_t)n);
}

static void usage(void)
{
    static const char text[] =
        "usage: parley-cli [options]\n"
        "  --host NAME        server name or address (default localhost)\n"
        "  --port N           server port (default 7420)\n"
        "  --nick NAME        your nickname (default: your user name)\n"
        "  --key-file PATH    read the shared secret key from a file\n"
        "  --key KEY          the key itself (discouraged: other users can see it in the\n"
        "                     process list); the PARLEY_KEY environment variable also works\n"
        "  --user NAME        log in to this account (servers with accounts); it is also\n"
        "                     your nickname. The password is asked for, or read from:\n"
        "  --password-file PATH  the first line of this file\n"
        "  A server with Windows sign-on needs none of these: you sign on as the\n"
        "  current user (Windows logon, or the Kerberos ticket from kinit), no prompt.\n"
        "  --signon-host NAME the server's name in its SPN (PARLEY/NAME), when --host is\n"
        "                     an address or another name (default: --host)\n"
        "  --allow-ntlm       let Windows sign-on fall back to NTLM (off: Kerberos only)\n"
        "  --display-name TEXT  the name to be shown as, told at Windows sign-on (default:\n"
        "                     the directory's on Windows, the full name in /etc/passwd on\n"
        "                     Linux; \"\" for none); kept by the server only for an account\n"
        "                     that has no display name yet\n"
        "  --cipher NAME      aes-256-gcm (default) or xor (hides text from casual view only)\n"
        "  --script           one line per event for scripts (the default when standard\n"
        "                     input is not a terminal)\n"
        "  --wait MS          after standard input ends, keep listening this long (scripts)\n"
        "  --no-reconnect     end when the connection is lost instead of reconnecting\n"
        "  --timeout MS       connect and handshake timeout (default 10000)\n"
        "  --help, --version\n"
        "parley-cli alert --to all|room:NAME|user:NAME|group:NAME [--to ...] [--expires 2h] \"text\"\n"
        "  sends an alert (operator, admin or alert accounts) and prints its id;\n"
        "parley-cli alert --status ID   prints its roll call. Same connection options.\n"
        "Exit codes: 0 ok, 1 other failure, 2 usage, 3 wrong key or password, or Windows\n"
        "sign-on failed, 4 server unreachable, 5 refused (nickname taken, banned, kicked,\n"
        "server full, Windows sign-on refused, no account).\n";
    cli_write_out(text, sizeof text - 1);
}

/* ---- output ---- */

/* Writes what has been formatted into c->out. Caller holds c->lock. */
static void flush_out_locked(cli *c)
{
    if (c->out.len)
        cli_write_out((const char *)c->out.data, c->out.len);
    buf_reset(&c->out);
}

static void say_local(cli *c, const char *code, const char *text)
{
    mutex_lock(c->lock);
    cli_format_local(&c->fmt, code, text, sys_wall_ms(), &c->out);
    flush_out_locked(c);
    mutex_unlock(c->lock);
}

static int is_self(const cli *c, proto_str nick)
{
    return strlen(c->fmt.me) == nick.n && memcmp(c->fmt.me, nick.p, nick.n) == 0;
}

static int same_room(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* The current room after leaving `left`: the most recently joined one still open. */
static void pick_room_locked(cli *c, const char *left)
{
    char rooms[PCS_ROOMS_MAX][PROTO_ROOM_MAX + 1];
    size_t n = pcs_room_list(c->s, rooms, PCS_ROOMS_MAX), i;

    if (n > PCS_ROOMS_MAX)
        n = PCS_ROOMS_MAX;
    c->fmt.room[0] = '\0';
    for (i = n; i-- > 0;) {
        if (!left || !same_room(rooms[i], left)) {
            snprintf(c->fmt.room, sizeof c->fmt.room, "%s", rooms[i]);
            return;
        }
    }
}

/* The network thread's callback: every event becomes lines on stdout. */
static void on_event(void *user, const pcs_event *ev)
{
    cli *c = user;
    const proto_msg *m = ev->msg;

    mutex_lock(c->lock);
    if (ev->kind == PCS_EV_MESSAGE && m->type == PT_PONG && m->token == SYNC_TOKEN) {
        c->synced = 1;
        mutex_unlock(c->lock);
        return;
    }
    cli_format_event(&c->fmt, ev, sys_wall_ms(), &c->out);
    if (ev->kind == PCS_EV_MESSAGE && m->type == PT_PRIV_MSG)
        cli_reads_shown(&c->reads, c->s, m, c->fmt.me, !c->fmt.script);
    else if (ev->kind == PCS_EV_MESSAGE && m->type == PT_PRIV_SYNC_END)
        cli_reads_flush(&c->reads, c->s);
    /* Where /more goes on: the cursor of the last page of our search. */
    if (ev->kind == PCS_EV_MESSAGE && m->tag == c->search.tag &&
        (m->type == PT_SEARCH_END || m->type == PT_ERROR)) {
        if (m->type == PT_SEARCH_END)
            c->search.before_id = m->id;
        c->searching = 0;
    }
    /* The first room we are put in becomes the current one; leaving it picks another. */
    if (ev->kind == PCS_EV_MESSAGE && m->type == PT_MEMBER && is_self(c, m->nick)) {
        if (m->event == MEMBER_JOIN && !c->fmt.room[0])
            snprintf(c->fmt.room, sizeof c->fmt.room, "%.*s", (int)m->room.n, m->room.p);
        else if (m->event == MEMBER_PART && strlen(c->fmt.room) == m->room.n &&
                 memcmp(c->fmt.room, m->room.p, m->room.n) == 0)
            pick_room_locked(c, NULL);
    }
    flush_out_locked(c);
    if (ev->kind == PCS_EV_DISCONNECTED)
        c->ended = 1;
    mutex_unlock(c->lock);
    if (ev->kind == PCS_EV_DISCONNECTED)
        cli_input_wake(c->in);
}

static void net_main(void *arg)
{
    cli *c = arg;

    pcs_run(c->s);
}

static int is_ended(cli *c)
{
    int e;

    mutex_lock(c->lock);
    e = c->ended;
    mutex_unlock(c->lock);
    return e;
}

/* ---- commands ---- */

static void current_room(cli *c, char *room)
{
    mutex_lock(c->lock);
    snprintf(room, PROTO_ROOM_MAX + 1, "%s", c->fmt.room);
    mutex_unlock(c->lock);
}

/* Reports a request the session refused outright. */
static void check_sent(cli *c, int rc, const char *what)
{
    char text[200];

    if (rc >= 0)
        return;
    snprintf(text, sizeof text, "cannot send %s: it is too long, not valid text, or the "
             "session has ended", what);
    say_local(c, "LOCAL", text);
}

/* One password for /passwd: asked on the terminal without echo; from a script, the next input
 * line. 0, or -1 if there is none. */
static int read_secret(cli *c, const char *prompt, char *out, size_t size)
{
    int rc;

    if (cli_stdin_is_terminal())
        return secret_prompt(prompt, out, size);
    do
        rc = cli_input_line(c->in, out, size, INPUT_POLL_MS);
    while (rc == 0 && !is_ended(c));
    return rc == 1 ? 0 : -1;
}

/* /passwd: the current password, the new one (twice on a terminal), then PASSWORD through the
 * session; the outcome arrives as an event. */
static void change_password(cli *c)
{
    char old_pw[SCRAM_PASSWORD_MAX + 2], new_pw[SCRAM_PASSWORD_MAX + 2];
    char again[SCRAM_PASSWORD_MAX + 2], err[200];

    if (read_secret(c, "Current password: ", old_pw, sizeof old_pw) != 0 ||
        read_secret(c, "New password: ", new_pw, sizeof new_pw) != 0)
        say_local(c, "USAGE", "/passwd: no password given; nothing changed");
    else if (cli_stdin_is_terminal() &&
             (secret_prompt("Again: ", again, sizeof again) != 0 || strcmp(again, new_pw) != 0))
        say_local(c, "USAGE", "/passwd: the two new passwords differ; nothing changed");
    else if (!old_pw[0] || !new_pw[0])
        say_local(c, "USAGE", "/passwd: a password cannot be empty; nothing changed");
    else if (pcs_change_password(c->s, old_pw, strlen(old_pw), new_pw, strlen(new_pw), err,
                                 sizeof err) != 0)
        say_local(c, "LOCAL", err);
    crypto_wipe(old_pw, sizeof old_pw);
    crypto_wipe(new_pw, sizeof new_pw);
    crypto_wipe(again, sizeof again);
}

/* A script may type /more right after /search: the page it follows must be in first
 * (bounded, like the wait at the end of a script). */
static void wait_search(cli *c)
{
    uint64_t start = sys_mono_ms();
    for (;;) {
        int busy;
        mutex_lock(c->lock);
        busy = c->searching && !c->ended;
        mutex_unlock(c->lock);
        if (!busy || sys_mono_ms() - start > SYNC_LIMIT_MS)
            return;
        sleep_ms(10);
    }
}

/* /search starts a new search (page 1); /more asks for the next page of the last one. */
static void run_search(cli *c, const cli_cmd *cmd)
{
    pc_search_req req;
    proto_msg m;
    char err[200];

    wait_search(c);
    mutex_lock(c->lock);
    req = c->search;
    mutex_unlock(c->lock);
    if (cmd->kind == CLI_CMD_MORE) {
        if (req.tag == 0 || req.before_id == 0) {
            say_local(c, "NO_MORE", req.tag ? "no more results" : "no search yet: /search WORDS");
            return;
        }
    } else {
        uint32_t tag = req.tag;
        if (pc_search_parse(cmd->a, &req, err, sizeof err) != 0) {
            say_local(c, "USAGE", err);
            return;
        }
        /* A new tag: a late page of the old search is not taken for this one's. */
        req.tag = tag + 1;
        if (req.tag == 0)
            req.tag = 1;
    }
    mutex_lock(c->lock);
    c->search = req;
    c->search.before_id = 0; /* until this page's SEARCH_END tells where the next starts */
    c->searching = 1;
    mutex_unlock(c->lock);
    pc_search_msg(&req, &m); /* m points into req, which keeps the page's cursor */
    if (pcs_send(c->s, &m, err, sizeof err) < 0) {
        mutex_lock(c->lock);
        c->searching = 0;
        mutex_unlock(c->lock);
        say_local(c, "LOCAL", err);
    }
}

/* Runs one input line. Returns 1 when it was /quit (reason copied out). */
static int run_line(cli *c, char *line, char *quit_reason, size_t quit_size)
{
    char room[PROTO_ROOM_MAX + 1];
    cli_cmd cmd;
    proto_msg m;
    char err[200];

    cli_parse(line, &cmd);
    current_room(c, room);
    switch (cmd.kind) {
    case CLI_CMD_NONE:
        break;
    case CLI_CMD_BAD:
        say_local(c, "USAGE", cmd.error);
        break;
    case CLI_CMD_HELP:
        mutex_lock(c->lock);
        cli_write_out(cli_help_text(), strlen(cli_help_text()));
        mutex_unlock(c->lock);
        break;
    case CLI_CMD_SAY:
    case CLI_CMD_ME:
        if (!room[0]) {
            say_local(c, "NO_ROOM", "you are in no room: /join ROOM first");
            break;
        }
        memset(&m, 0, sizeof m);
        m.type = PT_SAY;
        m.room = proto_s(room);
        m.text = proto_s(cmd.a);
        m.flags = cmd.kind == CLI_CMD_ME ? PROTO_FLAG_ACTION : 0;
        if (pcs_send(c->s, &m, err, sizeof err) < 0)
            say_local(c, "LOCAL", err);
        break;
    case CLI_CMD_JOIN:
        check_sent(c, pcs_join(c->s, cmd.a), "JOIN");
        /* Lines that follow go to the new room, as a person expects after typing /join. */
        mutex_lock(c->lock);
        snprintf(c->fmt.room, sizeof c->fmt.room, "%s", cmd.a);
        mutex_unlock(c->lock);
        break;
    case CLI_CMD_PART: {
        char first[PROTO_ROOM_MAX + 1];
        const char *target = room, *reason = cmd.whole;
        /* "/part dev bye" names a room when dev is one we are in (or the current one, which a
         * script may have joined a moment ago); otherwise it is all the reason. */
        if (cmd.a_len && cmd.a_len <= PROTO_ROOM_MAX) {
            snprintf(first, sizeof first, "%.*s", (int)cmd.a_len, cmd.a);
            if (pcs_in_room(c->s, first) || same_room(first, room)) {
                target = first;
                reason = cmd.b;
            }
        }
        if (!target[0]) {
            say_local(c, "NO_ROOM", "you are in no room");
            break;
        }
        snprintf(err, sizeof err, "%s", target);
        check_sent(c, pcs_part(c->s, err, reason), "PART");
        mutex_lock(c->lock);
        if (same_room(c->fmt.room, err))
            pick_room_locked(c, err);
        mutex_unlock(c->lock);
        break;
    }
    case CLI_CMD_MSG:
        memset(&m, 0, sizeof m);
        m.type = PT_PRIV;
        m.target = proto_s(cmd.a);
        m.text = proto_s(cmd.b);
        if (pcs_send(c->s, &m, err, sizeof err) < 0)
            say_local(c, "LOCAL", err);
        break;
    case CLI_CMD_NICK:
        check_sent(c, pcs_nick(c->s, cmd.a), "NICK");
        break;
    case CLI_CMD_AWAY:
        check_sent(c, pcs_away(c->s, PRESENCE_AWAY, *cmd.a ? cmd.a : "away"), "AWAY");
        break;
    case CLI_CMD_BACK:
        check_sent(c, pcs_away(c->s, PRESENCE_ONLINE, ""), "AWAY");
        break;
    case CLI_CMD_TOPIC:
        if (!room[0]) {
            say_local(c, "NO_ROOM", "you are in no room");
            break;
        }
        check_sent(c, pcs_topic(c->s, room, cmd.a), "TOPIC");
        break;
    case CLI_CMD_ROOMS:
        check_sent(c, pcs_rooms(c->s), "ROOMS");
        break;
    case CLI_CMD_ACCOUNTS:
        memset(&m, 0, sizeof m);
        m.type = PT_ACCOUNTS;
        if (pcs_send(c->s, &m, err, sizeof err) < 0)
            say_local(c, "LOCAL", err);
        break;
    case CLI_CMD_USERS:
        if (!*cmd.a && !room[0]) {
            say_local(c, "NO_ROOM", "you are in no room");
            break;
        }
        check_sent(c, pcs_users(c->s, *cmd.a ? cmd.a : room), "USERS");
        break;
    case CLI_CMD_HISTORY:
        if (!room[0]) {
            say_local(c, "NO_ROOM", "you are in no room");
            break;
        }
        check_sent(c, pcs_history(c->s, room, 0, cmd.n), "HISTORY");
        break;
    case CLI_CMD_PASSWD:
        change_password(c);
        break;
    case CLI_CMD_READ: {
        uint64_t id = cmd.id;
        if (!id) {
            mutex_lock(c->lock);
            id = c->reads.newest;
            mutex_unlock(c->lock);
        }
        if (!id) {
            say_local(c, "NOTHING_SHOWN", "no private message has been shown yet");
            break;
        }
        check_sent(c, pcs_read(c->s, cmd.a, id), "READ");
        break;
    }
    case CLI_CMD_RECEIPTS:
        check_sent(c, pcs_priv_prefs(c->s, (int)cmd.n), "PRIV_PREFS");
        break;
    case CLI_CMD_ACK:
    case CLI_CMD_ROLL:
        memset(&m, 0, sizeof m);
        m.type = cmd.kind == CLI_CMD_ACK ? PT_ACK : PT_ROLL;
        mutex_lock(c->lock);
        m.id = cmd.id ? cmd.id : c->fmt.last_alert;
        mutex_unlock(c->lock);
        if (m.id == 0)
            say_local(c, "NO_ALERT", "no alert has arrived: /ack ID");
        else if (pcs_send(c->s, &m, err, sizeof err) < 0)
            say_local(c, "LOCAL", err);
        break;
    case CLI_CMD_SEARCH:
    case CLI_CMD_MORE:
        run_search(c, &cmd);
        break;
    case CLI_CMD_QUIT:
        snprintf(quit_reason, quit_size, "%s", cmd.a);
        return 1;
    }
    return 0;
}

/* ---- options ---- */

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (!*s || *s < '0' || *s > '9')
        return -1;
    v = strtoul(s, &end, 10);
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* 0 ok, 1 done (help or version shown), -1 usage error (reported). */
static int parse_args(int argc, char **argv, cli_opts *o)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL, *eq;
        char name[32];
        unsigned long v;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage();
            return 1;
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            static const char text[] = "parley-cli " PARLEY_VERSION "\n";
            cli_write_out(text, sizeof text - 1);
            return 1;
        }
        if (strcmp(arg, "--script") == 0) {
            o->script = 1;
            continue;
        }
        if (strcmp(arg, "--no-reconnect") == 0) {
            o->no_reconnect = 1;
            continue;
        }
        if (strcmp(arg, "--allow-ntlm") == 0) {
            o->allow_ntlm = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            cli_err_line("parley-cli: unexpected argument '%s' (see --help)", arg);
            return -1;
        }
        /* The rest take a value: "--name value" or "--name=value". */
        eq = strchr(arg, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
        if (strcmp(name, "--host") && strcmp(name, "--port") && strcmp(name, "--nick") &&
            strcmp(name, "--key") && strcmp(name, "--key-file") && strcmp(name, "--cipher") &&
            strcmp(name, "--user") && strcmp(name, "--password-file") &&
            strcmp(name, "--signon-host") && strcmp(name, "--display-name") &&
            strcmp(name, "--wait") && strcmp(name, "--timeout")) {
            cli_err_line("parley-cli: unknown option '%s' (see --help)", arg);
            return -1;
        }
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            cli_err_line("parley-cli: %s needs a value", name);
            return -1;
        }
        if (strcmp(name, "--host") == 0) {
            o->host = val;
        } else if (strcmp(name, "--port") == 0) {
            if (parse_uint(val, 65535, &v) != 0 || v == 0) {
                cli_err_line("parley-cli: --port %s: a port is a number from 1 to 65535", val);
                return -1;
            }
            o->port = (uint16_t)v;
        } else if (strcmp(name, "--nick") == 0) {
            o->nick = val;
        } else if (strcmp(name, "--key") == 0) {
            o->key = val;
        } else if (strcmp(name, "--key-file") == 0) {
            o->key_file = val;
        } else if (strcmp(name, "--user") == 0) {
            o->user = val;
        } else if (strcmp(name, "--password-file") == 0) {
            o->password_file = val;
        } else if (strcmp(name, "--signon-host") == 0) {
            o->signon_host = val;
        } else if (strcmp(name, "--display-name") == 0) {
            o->display_name = val;
        } else if (strcmp(name, "--cipher") == 0) {
            o->cipher = cipher_parse(val);
            if (!o->cipher) {
                cli_err_line("parley-cli: --cipher %s: use aes-256-gcm or xor", val);
                return -1;
            }
        } else if (strcmp(name, "--wait") == 0) {
            if (parse_uint(val, 3600000, &v) != 0) {
                cli_err_line("parley-cli: --wait %s: milliseconds, at most 3600000", val);
                return -1;
            }
            o->wait_ms = (uint32_t)v;
        } else {
            if (parse_uint(val, 600000, &v) != 0 || v == 0) {
                cli_err_line("parley-cli: --timeout %s: milliseconds, 1 to 600000", val);
                return -1;
            }
            o->timeout_ms = (uint32_t)v;
        }
    }
    return 0;
}

/* Finds the key: --key, then --key-file, then PARLEY_KEY, then a prompt on the terminal.
 * Returns its length, or -1 after saying why. */
static long find_key(const cli_opts *o, char *key, size_t size)
{
    char err[300];
    long n;

    if (o->key) {
        cli_err_line("parley-cli: warning: --key shows the key to anyone who can list processes; "
                 "prefer --key-file or PARLEY_KEY");
        n = (long)strlen(o->key);
        if ((size_t)n >= size) {
            cli_err_line("parley-cli: the key is too long (at most %d bytes)", HS_SECRET_MAX);
            return -1;
        }
        memcpy(key, o->key, (size_t)n);
    } else if (o->key_file) {
        n = cli_read_file(o->key_file, key, size, err, sizeof err);
        if (n < 0) {
            cli_err_line("parley-cli: --key-file %s: %s", o->key_file, err);
            return -1;
        }
    } else if (cli_getenv("PARLEY_KEY", key, size)) {
        n = (long)strlen(key);
    } else if (cli_stdin_is_terminal() && secret_prompt("Key: ", key, size) == 0) {
        n = (long)strlen(key);
    } else {
        cli_err_line("parley-cli: no key: use --key-file PATH or the PARLEY_KEY environment "
                 "variable");
        return -1;
    }
    /* The same bytes the server takes from its key file: no BOM, no trailing white space. */
    n = (long)secret_normalize(key, (size_t)n);
    if (n == 0) {
        cli_err_line("parley-cli: the key is empty");
        return -1;
    }
    return n;
}

/* The account password for --user: the first line of --password-file, or a prompt on the
 * terminal. Returns its length, or -1 after saying why. */
static long find_password(const cli_opts *o, char *pw, size_t size)
{
    char err[300], prompt[64];
    long n;

    if (o->password_file) {
        n = cli_read_file(o->password_file, pw, size - 1, err, sizeof err);
        if (n < 0) {
            cli_err_line("parley-cli: --password-file %s: %s", o->password_file, err);
            return -1;
        }
        pw[n] = '\0';
        n = (long)strcspn(pw, "\r\n"); /* the first line */
    } else {
        snprintf(prompt, sizeof prompt, "Password for %.32s: ", o->user);
        if (!cli_stdin_is_terminal() || secret_prompt(prompt, pw, size) != 0) {
            cli_err_line("parley-cli: no password for --user: use --password-file PATH");
            return -1;
        }
        n = (long)strlen(pw);
    }
    if (n == 0) {
        cli_err_line("parley-cli: the password is empty");
        return -1;
    }
    return n;
}

/* At the end of a script: wait until the server has answered everything sent (a PING's PONG
 * comes back after them), then --wait more for whatever else arrives. */
static void drain(cli *c, uint32_t wait_ms)
{
    uint64_t start = sys_mono_ms(), until;

    if (pcs_ping(c->s, SYNC_TOKEN) >= 0) {
        for (;;) {
            int done;
            mutex_lock(c->lock);
            done = (c->synced && !c->searching) || c->ended;
            mutex_unlock(c->lock);
            if (done || sys_mono_ms() - start > SYNC_LIMIT_MS)
                break;
            sleep_ms(10);
        }
    }
    until = sys_mono_ms() + wait_ms;
    while (!is_ended(c) && sys_mono_ms() < until)
        sleep_ms(10);
}

/* What one connection needs, found from the options. */
typedef struct conn_secrets {
    char key[HS_SECRET_MAX + 1];
    char nick[PROTO_NICK_MAX + 2];
    char password[SCRAM_PASSWORD_MAX + 2];
    uint8_t cipher;
} conn_secrets;

/* Finds the nick, the key and the password (asked for or read) and starts crypto and sockets;
 * fills *po, pointing into cs (wipe it after connecting). CLI_EXIT_OK, or the exit code after
 * saying why. */
static int prepare_conn(const cli_opts *o, conn_secrets *cs, pc_options *po)
{
    long key_len, password_len = 0;

    if (o->password_file && !o->user) {
        cli_err_line("parley-cli: --password-file needs --user NAME");
        return CLI_EXIT_USAGE;
    }
    if (o->user) /* the account's name is the nick */
        snprintf(cs->nick, sizeof cs->nick, "%s", o->user);
    else if (o->nick)
        snprintf(cs->nick, sizeof cs->nick, "%s", o->nick);
    else if (!cli_getenv("USER", cs->nick, sizeof cs->nick) &&
             !cli_getenv("USERNAME", cs->nick, sizeof cs->nick))
        cs->nick[0] = '\0';
    if (!cs->nick[0]) {
        cli_err_line("parley-cli: no nickname: use --nick NAME");
        return CLI_EXIT_USAGE;
    }
    if (strlen(cs->nick) > PROTO_NICK_MAX) {
        cli_err_line("parley-cli: the nickname is too long (at most %d bytes)", PROTO_NICK_MAX);
        return CLI_EXIT_USAGE;
    }
    if ((key_len = find_key(o, cs->key, sizeof cs->key)) < 0)
        return CLI_EXIT_USAGE;
    if (o->user && (password_len = find_password(o, cs->password, sizeof cs->password)) < 0)
        return CLI_EXIT_USAGE;
    if (crypto_init() != CRYPTO_OK || sock_startup() != 0) {
        cli_err_line("parley-cli: cannot start the crypto or socket library");
        return CLI_EXIT_OTHER;
    }
    cs->cipher = o->cipher ? o->cipher : PROTO_CIPHER_AES256GCM;
    po->host = o->host;
    po->port = o->port;
    po->secret = cs->key;
    po->secret_len = (size_t)key_len;
    po->nick = cs->nick;
    if (o->user) {
        po->password = cs->password;
        po->password_len = (size_t)password_len;
    }
    po->signon_host = o->signon_host;
    po->signon_allow_ntlm = o->allow_ntlm;
    po->signon_display = o->display_name;
    po->ciphers = &cs->cipher;
    po->nciphers = 1;
    po->agent = "parley-cli/" PARLEY_VERSION;
    po->connect_timeout_ms = o->timeout_ms;
    return CLI_EXIT_OK;
}

/* `parley-cli alert ...`: the alert options, then the usual connection options; one
 * connection, no session or reconnection. */
static int alert_main(int argc, char **argv)
{
    char **rest = malloc((size_t)argc * sizeof *rest);
    cli_alert_opts a;
    cli_opts o;
    conn_secrets cs;
    pc_options po;
    int nrest = 0, rc;

    memset(&o, 0, sizeof o);
    cli_sys_init();
    if (!rest) {
        cli_err_line("parley-cli: out of memory");
        return CLI_EXIT_OTHER;
    }
    rc = cli_alert_parse(argc, argv, &a, rest, &nrest) != 0 ? -1 : parse_args(nrest, rest, &o);
    free(rest);
    if (rc != 0)
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    a.timeout_ms = o.timeout_ms;
    pc_options_init(&po);
    rc = prepare_conn(&o, &cs, &po);
    if (rc == CLI_EXIT_OK)
        rc = cli_alert_run(&a, &po);
    crypto_wipe(&cs, sizeof cs);
    return rc;
}

int cli_main(int argc, char **argv)
{
    static char line[CLI_LINE_MAX];
    char err[320], reason[PROTO_NAME_MAX + 1];
    conn_secrets cs;
    pcs_options po;
    cli_opts o;
    cli c;
    thread_handle *net = NULL;
    int rc, quit = 0, code, exit_code = CLI_EXIT_OTHER;

    if (argc > 1 && strcmp(argv[1], "alert") == 0)
        return alert_main(argc - 1, argv + 1);
    memset(&o, 0, sizeof o);
    memset(&c, 0, sizeof c);
    memset(&cs, 0, sizeof cs);
    buf_init(&c.out);
    /* The server puts every new connection in the lobby: lines typed before the welcome
     * arrives go there. */
    snprintf(c.fmt.room, sizeof c.fmt.room, "lobby");
    c.fmt.receipts = -1;
    reason[0] = '\0';
    cli_sys_init();
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    pcs_options_init(&po);
    exit_code = prepare_conn(&o, &cs, &po.conn);
    if (exit_code != CLI_EXIT_OK)
        goto done;
    exit_code = CLI_EXIT_OTHER;
    if (cs.cipher == PROTO_CIPHER_XOR)
        cli_err_line("parley-cli: warning: the xor cipher only hides text from casual view; it is "
                 "not encryption");

    c.fmt.script = o.script || !cli_stdin_is_terminal();
    c.lock = mutex_new();
    c.in = cli_input_open();
    if (!c.lock || !c.in) {
        cli_err_line("parley-cli: out of memory");
        goto done;
    }
    po.no_reconnect = o.no_reconnect;
    po.on_event = on_event;
    po.user = &c;
    c.s = pcs_new(&po, err, sizeof err);
    crypto_wipe(&cs, sizeof cs);
    if (!c.s) {
        cli_err_line("parley-cli: %s", err);
        exit_code = CLI_EXIT_USAGE;
        goto done;
    }
    net = thread_start(net_main, &c);
    if (!net) {
        cli_err_line("parley-cli: cannot start the network thread");
        goto done;
    }
    if (!c.fmt.script)
        cli_err_line("parley-cli %s: type /help for commands, /quit to leave", PARLEY_VERSION);

    while (!is_ended(&c)) {
        rc = cli_input_line(c.in, line, sizeof line, INPUT_POLL_MS);
        if (rc < 0)
            break;
        if (rc == 0)
            continue;
        if (is_ended(&c))
            break;
        if (run_line(&c, line, reason, sizeof reason)) {
            quit = 1;
            break;
        }
    }
    /* A script's input ran out: first collect the answers to what it asked. */
    if (!quit && c.fmt.script && !is_ended(&c))
        drain(&c, o.wait_ms);
    pcs_quit(c.s, reason);
    thread_join(net);
    net = NULL;
    code = pcs_end_reason(c.s, NULL, 0);
    exit_code = cli_exit_code(code);

done:
    crypto_wipe(&cs, sizeof cs);
    if (net) {
        pcs_quit(c.s, NULL);
        thread_join(net);
    }
    pcs_free(c.s);
    cli_input_close(c.in);
    if (c.lock)
        mutex_free(c.lock);
    buf_free(&c.out);
    return exit_code;
}
