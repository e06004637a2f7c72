/* test_cli.c — parley-cli: its command parser and line formats directly, then the real
 * program run as a child process in scripted mode against the in-process server, checking
 * what it prints, what the other side sees, and its exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "expiry.h"
#include "fsys.h"
#include "server_fixture.h"
#include "sock.h"
#include "sys.h"
#include "test.h"
#include "test_cli_proc.h"

#define WAIT 5000u
#define EXIT_WAIT 20000u

/* ---- the parser ------------------------------------------------------------------------- */

static cli_cmd parse(const char *text)
{
    static char line[512];
    cli_cmd c;

    snprintf(line, sizeof line, "%s", text);
    cli_parse(line, &c);
    return c;
}

TEST(cli_parses_commands)
{
    cli_cmd c;

    c = parse("");
    CHECK_EQ_INT(c.kind, CLI_CMD_NONE);
    c = parse("   ");
    CHECK_EQ_INT(c.kind, CLI_CMD_NONE);
    c = parse("hello there  ");
    CHECK_EQ_INT(c.kind, CLI_CMD_SAY);
    CHECK_EQ_STR(c.a, "hello there");
    c = parse("//not a command");
    CHECK_EQ_INT(c.kind, CLI_CMD_SAY);
    CHECK_EQ_STR(c.a, "/not a command");
    c = parse("/join dev\r\n");
    CHECK_EQ_INT(c.kind, CLI_CMD_JOIN);
    CHECK_EQ_STR(c.a, "dev");
    c = parse("/JOIN");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    CHECK(strstr(c.error, "/join ROOM") != NULL);
    c = parse("/part dev see you later");
    CHECK_EQ_INT(c.kind, CLI_CMD_PART);
    CHECK(c.a_len == 3 && strncmp(c.a, "dev", 3) == 0);
    CHECK_EQ_STR(c.b, "see you later");
    CHECK_EQ_STR(c.whole, "dev see you later");
    c = parse("/me waves at everyone");
    CHECK_EQ_INT(c.kind, CLI_CMD_ME);
    CHECK_EQ_STR(c.a, "waves at everyone");
    c = parse("/me");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    CHECK(strstr(c.error, "/me ACTION") != NULL);
    c = parse("/part");
    CHECK_EQ_INT(c.kind, CLI_CMD_PART);
    CHECK_EQ_INT(c.a_len, 0);
    c = parse("/msg bob  hi   there");
    CHECK_EQ_INT(c.kind, CLI_CMD_MSG);
    CHECK_EQ_STR(c.a, "bob");
    CHECK_EQ_STR(c.b, "hi   there");
    c = parse("/msg bob");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    c = parse("/nick robert");
    CHECK_EQ_INT(c.kind, CLI_CMD_NICK);
    CHECK_EQ_STR(c.a, "robert");
    c = parse("/nick two words");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    c = parse("/away out for lunch");
    CHECK_EQ_INT(c.kind, CLI_CMD_AWAY);
    CHECK_EQ_STR(c.a, "out for lunch");
    c = parse("/back");
    CHECK_EQ_INT(c.kind, CLI_CMD_BACK);
    c = parse("/topic release on friday");
    CHECK_EQ_INT(c.kind, CLI_CMD_TOPIC);
    CHECK_EQ_STR(c.a, "release on friday");
    c = parse("/topic");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    c = parse("/rooms");
    CHECK_EQ_INT(c.kind, CLI_CMD_ROOMS);
    c = parse("/users dev");
    CHECK_EQ_INT(c.kind, CLI_CMD_USERS);
    CHECK_EQ_STR(c.a, "dev");
    c = parse("/history");
    CHECK_EQ_INT(c.kind, CLI_CMD_HISTORY);
    CHECK_EQ_INT(c.n, CLI_HISTORY_DEFAULT);
    c = parse("/history 7");
    CHECK_EQ_INT(c.n, 7);
    c = parse("/history lots");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    c = parse("/history 0");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    c = parse("/quit gone fishing");
    CHECK_EQ_INT(c.kind, CLI_CMD_QUIT);
    CHECK_EQ_STR(c.a, "gone fishing");
    c = parse("/help");
    CHECK_EQ_INT(c.kind, CLI_CMD_HELP);
    c = parse("/frobnicate now");
    CHECK_EQ_INT(c.kind, CLI_CMD_BAD);
    CHECK(strstr(c.error, "unknown command /frobnicate") != NULL);
    CHECK(strstr(cli_help_text(), "/join ROOM") != NULL);
}

/* ---- the formats ------------------------------------------------------------------------ */

static buf fmt_out;

static const char *show(cli_format *f, const pcs_event *ev)
{
    buf_reset(&fmt_out);
    cli_format_event(f, ev, 1700000000000ull, &fmt_out);
    buf_put_u8(&fmt_out, 0);
    return (const char *)fmt_out.data;
}

static const char *show_msg(cli_format *f, const proto_msg *m)
{
    pcs_event ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = PCS_EV_MESSAGE;
    ev.text = ev.nick = ev.server = ev.motd = ev.room = "";
    ev.msg = m;
    return show(f, &ev);
}

static proto_msg msg_of(uint8_t type, const char *room, const char *nick, const char *text)
{
    proto_msg m;

    memset(&m, 0, sizeof m);
    m.type = type;
    m.room = proto_s(room);
    m.nick = proto_s(nick);
    m.text = proto_s(text);
    return m;
}

static pcs_event status_event(pcs_event_kind kind, int code, const char *text)
{
    pcs_event ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.code = code;
    ev.text = text;
    ev.nick = ev.server = ev.motd = ev.room = "";
    return ev;
}

TEST(cli_script_format_is_one_line_per_event)
{
    cli_format f;
    proto_msg m;
    pcs_event ev;
    buf entries;
    proto_entry e;

    memset(&f, 0, sizeof f);
    f.script = 1;
    buf_init(&fmt_out);

    m = msg_of(PT_MSG, "lobby", "alice", "hello there");
    m.id = 12;
    CHECK_EQ_STR(show_msg(&f, &m), "msg lobby alice 12 hello there\n");
    m.flags = PROTO_FLAG_HISTORY;
    CHECK_EQ_STR(show_msg(&f, &m), "hist lobby alice 12 hello there\n");
    m = msg_of(PT_MSG, "lobby", "alice", "two\nlines\tand a \\ and \x1b[31m and \xc2\x9b");
    m.id = 13;
    CHECK_EQ_STR(show_msg(&f, &m),
                 "msg lobby alice 13 two\\nlines\\tand a \\\\ and \\x1b[31m and \\u009b\n");
    m = msg_of(PT_PRIV_MSG, "", "alice", "psst");
    m.target = proto_s("bob");
    m.id = 4;
    CHECK_EQ_STR(show_msg(&f, &m), "priv alice bob 4 psst\n");
    /* Search results: a room's by its room, a private conversation's by the peer. */
    m = msg_of(PT_SEARCH_HIT, "dev", "bob", "drill");
    m.id = 5;
    m.time = 1000;
    CHECK_EQ_STR(show_msg(&f, &m), "found dev bob 5 1000 drill\n");
    m = msg_of(PT_SEARCH_HIT, "", "alice", "drill");
    m.target = proto_s("bob");
    m.id = 6;
    m.time = 1001;
    CHECK_EQ_STR(show_msg(&f, &m), "found_priv bob alice 6 1001 drill\n");

    m = msg_of(PT_MEMBER, "dev", "bob", "");
    m.event = MEMBER_JOIN;
    CHECK_EQ_STR(show_msg(&f, &m), "join dev bob\n");
    m.event = MEMBER_PART;
    m.text = proto_s("see you");
    CHECK_EQ_STR(show_msg(&f, &m), "part dev bob see you\n");
    m = msg_of(PT_MEMBER, "", "bob", "");
    m.event = MEMBER_QUIT;
    CHECK_EQ_STR(show_msg(&f, &m), "quit bob\n");
    m.event = MEMBER_RENAME;
    m.target = proto_s("robert");
    CHECK_EQ_STR(show_msg(&f, &m), "nick bob robert\n");
    m = msg_of(PT_MEMBER, "", "bob", "lunch");
    m.event = MEMBER_PRESENCE;
    m.presence = PRESENCE_AWAY;
    CHECK_EQ_STR(show_msg(&f, &m), "away bob lunch\n");
    m.presence = PRESENCE_ONLINE;
    CHECK_EQ_STR(show_msg(&f, &m), "back bob\n");
    m = msg_of(PT_MEMBER, "", "bob", "spam");
    m.event = MEMBER_KICK;
    m.target = proto_s("op");
    CHECK_EQ_STR(show_msg(&f, &m), "kick bob op spam\n");
    m = msg_of(PT_TOPIC, "dev", "alice", "release friday");
    CHECK_EQ_STR(show_msg(&f, &m), "topic dev alice release friday\n");
    m = msg_of(PT_HISTORY_END, "dev", "", "");
    m.count = 3;
    CHECK_EQ_STR(show_msg(&f, &m), "history_end dev 3\n");
    m = msg_of(PT_NOTICE, "", "", "maintenance at noon");
    CHECK_EQ_STR(show_msg(&f, &m), "notice - maintenance at noon\n");
    m = msg_of(PT_ERROR, "", "", "that nickname is taken");
    m.code = PC_NICK_TAKEN;
    CHECK_EQ_STR(show_msg(&f, &m), "error NICK_TAKEN that nickname is taken\n");
    m = msg_of(PT_PONG, "", "", "");
    CHECK_EQ_STR(show_msg(&f, &m), "");

    /* A list in two frames: one line per entry, one end line with the total. */
    buf_init(&entries);
    e.name = proto_s("alice");
    e.value = PRESENCE_ONLINE;
    e.text = proto_s("");
    proto_list_put(&entries, PT_USER_LIST, &e);
    e.name = proto_s("bob");
    e.value = PRESENCE_AWAY;
    e.text = proto_s("at lunch");
    proto_list_put(&entries, PT_USER_LIST, &e);
    m = msg_of(PT_USER_LIST, "dev", "", "");
    m.flags = PROTO_FLAG_MORE;
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    CHECK_EQ_STR(show_msg(&f, &m), "user dev alice online\nuser dev bob away at lunch\n");
    m.flags = 0;
    CHECK_EQ_STR(show_msg(&f, &m),
                 "user dev alice online\nuser dev bob away at lunch\nusers_end dev 4\n");
    buf_reset(&entries);
    e.name = proto_s("lobby");
    e.value = 3;
    e.text = proto_s("");
    proto_list_put(&entries, PT_ROOM_LIST, &e);
    e.name = proto_s("dev");
    e.value = 1;
    e.text = proto_s("release friday");
    proto_list_put(&entries, PT_ROOM_LIST, &e);
    m = msg_of(PT_ROOM_LIST, "", "", "");
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    CHECK_EQ_STR(show_msg(&f, &m), "room lobby 3\nroom dev 1 release friday\nrooms_end 2\n");
    buf_free(&entries);

    ev = status_event(PCS_EV_CONNECTING, 0, "localhost 7420");
    ev.attempt = 2;
    CHECK_EQ_STR(show(&f, &ev), "connecting localhost 7420 2\n");
    ev = status_event(PCS_EV_CONNECTED, 0, "parley");
    ev.nick = "alice";
    ev.server = "parley";
    ev.motd = "welcome";
    ev.cipher = PROTO_CIPHER_AES256GCM;
    CHECK_EQ_STR(show(&f, &ev), "connected alice aes-256-gcm parley\nmotd welcome\n");
    ev.reconnect = 1;
    CHECK_EQ_STR(show(&f, &ev), "connected alice aes-256-gcm parley\n");
    ev = status_event(PCS_EV_RECONNECTING, PC_E_LOST, "the server closed the connection");
    ev.attempt = 1;
    ev.delay_ms = 437;
    CHECK_EQ_STR(show(&f, &ev), "reconnecting 437 1 LOST the server closed the connection\n");
    ev = status_event(PCS_EV_CAUGHT_UP, 0, "");
    ev.room = "dev";
    ev.count = 2;
    CHECK_EQ_STR(show(&f, &ev), "caught_up dev 2\n");
    ev = status_event(PCS_EV_DISCONNECTED, PC_SHUTDOWN, "the server is shutting down: upgrade");
    CHECK_EQ_STR(show(&f, &ev), "bye SHUTDOWN the server is shutting down: upgrade\n");
    ev = status_event(PCS_EV_RTT, 0, "");
    CHECK_EQ_STR(show(&f, &ev), "");
    buf_reset(&fmt_out);
    cli_format_local(&f, "USAGE", "usage: /join ROOM", 0, &fmt_out);
    buf_put_u8(&fmt_out, 0);
    CHECK_EQ_STR((const char *)fmt_out.data, "error USAGE usage: /join ROOM\n");
    buf_free(&fmt_out);
}

TEST(cli_interactive_format_is_readable)
{
    cli_format f;
    proto_msg m;
    pcs_event ev;
    const char *s;

    memset(&f, 0, sizeof f);
    snprintf(f.room, sizeof f.room, "lobby");
    buf_init(&fmt_out);
    ev = status_event(PCS_EV_CONNECTED, 0, "parley");
    ev.nick = "alice";
    ev.server = "parley";
    ev.cipher = PROTO_CIPHER_XOR;
    s = show(&f, &ev);
    CHECK(strstr(s, "] -!- connected to parley as alice (xor; shared key only, no account)\n") !=
          NULL);
    CHECK(strstr(s, "not encryption") != NULL);
    m = msg_of(PT_MSG, "lobby", "bob", "hi");
    m.time = 1700000000000ull;
    s = show_msg(&f, &m);
    CHECK(s[0] == '[' && s[9] == ']');
    CHECK(strstr(s, "] <bob> hi\n") != NULL);
    m.room = proto_s("dev");
    CHECK(strstr(show_msg(&f, &m), "] [dev] <bob> hi\n") != NULL);
    /* A terminal escape from someone else is shown, not obeyed; lines stay indented. */
    m.text = proto_s("\x1b]0;pwned\x07 line1\nline2");
    s = show_msg(&f, &m);
    CHECK(strchr(s, 0x1b) == NULL && strchr(s, 0x07) == NULL);
    CHECK(strstr(s, "line1\n           line2\n") != NULL);
    m = msg_of(PT_PRIV_MSG, "", "alice", "psst");
    m.target = proto_s("bob");
    CHECK(strstr(show_msg(&f, &m), "-> *bob* psst") != NULL);
    m = msg_of(PT_PRIV_MSG, "", "bob", "psst back");
    m.target = proto_s("alice");
    CHECK(strstr(show_msg(&f, &m), "*bob* psst back") != NULL);
    /* Actions (/me): "* nick text", in a room and in private. */
    m = msg_of(PT_MSG, "lobby", "bob", "waves");
    m.flags = PROTO_FLAG_ACTION;
    CHECK(strstr(show_msg(&f, &m), "] * bob waves\n") != NULL);
    m = msg_of(PT_PRIV_MSG, "", "bob", "nods");
    m.target = proto_s("alice");
    m.flags = PROTO_FLAG_ACTION;
    CHECK(strstr(show_msg(&f, &m), "*bob* * bob nods\n") != NULL);
    m = msg_of(PT_ERROR, "", "", "the nickname bob is taken");
    m.code = PC_NICK_TAKEN;
    CHECK(strstr(show_msg(&f, &m), "error: nickname taken (the nickname bob is taken)") != NULL);
    /* A search result shows its date, room and sender; the page's end says if more follow. */
    m = msg_of(PT_SEARCH_HIT, "dev", "bob", "fire drill at noon");
    m.time = 1700000000000ull;
    s = show_msg(&f, &m);
    CHECK(strncmp(s, "2023-11-1", 9) == 0); /* 14 or 15, by the time zone */
    CHECK(strstr(s, "] [dev] <bob> fire drill at noon\n") != NULL);
    /* One from a private conversation is named by the peer, whoever sent it. */
    m = msg_of(PT_SEARCH_HIT, "", "alice", "the drill is at noon");
    m.target = proto_s("bob");
    CHECK(strstr(show_msg(&f, &m), "] [private: bob] <alice> the drill is at noon\n") != NULL);
    m = msg_of(PT_SEARCH_END, "", "", "");
    m.count = 20;
    m.flags = PROTO_FLAG_MORE;
    CHECK(strstr(show_msg(&f, &m), "-!- 20 results; /more for older ones\n") != NULL);
    m.count = 1;
    m.flags = 0;
    CHECK(strstr(show_msg(&f, &m), "-!- 1 result, no more\n") != NULL);
    ev = status_event(PCS_EV_RECONNECTING, PC_E_LOST, "reset");
    ev.attempt = 1;
    ev.delay_ms = 400;
    CHECK(strstr(show(&f, &ev), "connection lost: reset; trying again in 0.4 s (attempt 1)") !=
          NULL);
    buf_free(&fmt_out);
}

/* Private conversations with accounts: offline and replayed messages are marked, receipts and
 * expiry are shown (script lines for programs, sentences for people), /read and /receipts. */
TEST(cli_shows_offline_messages_and_receipts)
{
    cli_format f;
    proto_msg m;
    cli_cmd c;

    memset(&f, 0, sizeof f);
    f.script = 1;
    f.receipts = -1;
    buf_init(&fmt_out);
    m = msg_of(PT_PRIV_MSG, "", "alice", "while you were out");
    m.target = proto_s("dave");
    m.id = 7;
    m.flags = PROTO_FLAG_HISTORY | PROTO_FLAG_OFFLINE;
    CHECK_EQ_STR(show_msg(&f, &m), "priv_offline alice dave 7 while you were out\n");
    m.flags = PROTO_FLAG_HISTORY;
    CHECK_EQ_STR(show_msg(&f, &m), "priv_hist alice dave 7 while you were out\n");
    m = msg_of(PT_DELIVERED, "", "dave", "");
    m.id = 7;
    CHECK_EQ_STR(show_msg(&f, &m), "delivered dave 7\n");
    m = msg_of(PT_READ_MARK, "", "dave", "");
    m.target = proto_s("alice");
    m.id = 7;
    CHECK_EQ_STR(show_msg(&f, &m), "read dave alice 7\n");
    m = msg_of(PT_PRIV_SYNC_END, "", "", "");
    m.id = 9;
    m.count = 2;
    CHECK_EQ_STR(show_msg(&f, &m), "priv_sync_end 9 2\n");
    m = msg_of(PT_PRIV_PREFS, "", "", "");
    m.flags = PROTO_FLAG_NO_RECEIPTS;
    CHECK_EQ_STR(show_msg(&f, &m), "receipts off\n");
    m = msg_of(PT_UNDELIVERED, "", "", "not delivered: dave did not log in within 30 minutes");
    m.target = proto_s("dave");
    m.id = 8;
    m.code = PC_EXPIRED;
    CHECK_EQ_STR(show_msg(&f, &m),
                 "undelivered dave 8 EXPIRED not delivered: dave did not log in within 30 "
                 "minutes\n");

    memset(&f, 0, sizeof f);
    f.receipts = -1;
    snprintf(f.me, sizeof f.me, "alice");
    m = msg_of(PT_PRIV_MSG, "", "dave", "sorry, was out");
    m.target = proto_s("alice");
    m.flags = PROTO_FLAG_HISTORY | PROTO_FLAG_OFFLINE;
    CHECK(strstr(show_msg(&f, &m), "*dave* [while you were offline] sorry, was out\n") != NULL);
    m = msg_of(PT_READ_MARK, "", "dave", "");
    m.target = proto_s("alice");
    CHECK(strstr(show_msg(&f, &m), "-!- dave has read your messages\n") != NULL);
    m = msg_of(PT_DELIVERED, "", "dave", "");
    CHECK(strstr(show_msg(&f, &m), "-!- dave has received your messages\n") != NULL);
    m = msg_of(PT_READ_MARK, "", "alice", ""); /* our own reading, elsewhere: no news */
    m.target = proto_s("dave");
    CHECK_EQ_STR(show_msg(&f, &m), "");
    m = msg_of(PT_PRIV_PREFS, "", "", ""); /* on, at login: the default goes unsaid */
    CHECK_EQ_STR(show_msg(&f, &m), "");
    m.flags = PROTO_FLAG_NO_RECEIPTS;
    CHECK(strstr(show_msg(&f, &m), "read receipts are off") != NULL);
    m = msg_of(PT_UNDELIVERED, "", "", "not delivered: dave did not log in within 30 minutes");
    m.target = proto_s("dave");
    CHECK(strstr(show_msg(&f, &m), "-!- your message to dave was not delivered: ") != NULL);
    buf_free(&fmt_out);

    c = parse("/read dave");
    CHECK_EQ_INT(c.kind, CLI_CMD_READ);
    CHECK_EQ_STR(c.a, "dave");
    CHECK_EQ_INT(c.id, 0);
    c = parse("/read dave 42");
    CHECK_EQ_INT(c.kind, CLI_CMD_READ);
    CHECK_EQ_INT(c.id, 42);
    CHECK_EQ_INT(parse("/read").kind, CLI_CMD_BAD);
    CHECK_EQ_INT(parse("/read dave x").kind, CLI_CMD_BAD);
    c = parse("/receipts off");
    CHECK_EQ_INT(c.kind, CLI_CMD_RECEIPTS);
    CHECK_EQ_INT(c.n, 0);
    CHECK_EQ_INT(parse("/receipts ON").n, 1);
    CHECK_EQ_INT(parse("/receipts maybe").kind, CLI_CMD_BAD);
}

TEST(cli_exit_codes_say_why)
{
    CHECK_EQ_INT(cli_exit_code(PC_QUIT), 0);
    CHECK_EQ_INT(cli_exit_code(PC_WRONG_KEY), 3);
    CHECK_EQ_INT(cli_exit_code(PC_E_UNREACHABLE), 4);
    CHECK_EQ_INT(cli_exit_code(PC_NICK_TAKEN), 5);
    CHECK_EQ_INT(cli_exit_code(PC_BANNED), 5);
    CHECK_EQ_INT(cli_exit_code(PC_KICKED), 5);
    CHECK_EQ_INT(cli_exit_code(PC_SHUTDOWN), 1);
    CHECK_EQ_INT(cli_exit_code(PC_E_LOST), 1);
}

/* ---- the program ------------------------------------------------------------------------ */

static void start_server(test_server *ts, server_config *cfg, int *ok)
{
    sock_startup();
    crypto_init();
    *ok = test_server_start(ts, cfg) == 0;
}

#define START(ts, name)                                                                       \
    do {                                                                                      \
        server_config cfg_;                                                                   \
        int ok_;                                                                              \
        test_server_config(&cfg_, name);                                                      \
        start_server(ts, &cfg_, &ok_);                                                        \
        REQUIRE(ok_);                                                                         \
    } while (0)

static void finish(test_server *ts)
{
    char dir[SERVER_PATH_MAX];

    memcpy(dir, ts->cfg.data_dir, sizeof dir);
    test_server_stop(ts);
    test_server_clean(dir);
}

/* Starts parley-cli against port as nick (--script), with the key in PARLEY_KEY (NULL: none)
 * and up to 6 more arguments. */
static tproc *cli_start(uint16_t port, const char *nick, const char *key, const char *more1,
                        const char *more2)
{
    const char *args[12];
    char port_text[16];
    size_t n = 0;

    snprintf(port_text, sizeof port_text, "%u", (unsigned)port);
    args[n++] = "--script";
    args[n++] = "--host";
    args[n++] = "127.0.0.1";
    args[n++] = "--port";
    args[n++] = port_text;
    args[n++] = "--nick";
    args[n++] = nick;
    if (more1)
        args[n++] = more1;
    if (more2)
        args[n++] = more2;
    return tproc_start(PARLEY_CLI_EXE, args, n, "PARLEY_KEY", key);
}

/* Everything the program prints until its output ends: lines joined with '\n'. */
typedef struct transcript {
    char text[65536];
    size_t len;
} transcript;

static void keep(transcript *t, const char *line)
{
    size_t n = strlen(line);

    if (t->len + n + 2 < sizeof t->text) {
        memcpy(t->text + t->len, line, n);
        t->len += n;
        t->text[t->len++] = '\n';
        t->text[t->len] = '\0';
    }
}

/* Reads lines (keeping them) until one starts with prefix. 1 found, 0 not. */
static int read_until(tproc *p, transcript *t, const char *prefix, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    char line[4096];

    for (;;) {
        uint64_t now = sys_mono_ms();
        int rc;
        if (now >= deadline)
            break;
        rc = tproc_read_line(p, line, sizeof line, (uint32_t)(deadline - now));
        if (rc <= 0)
            break;
        keep(t, line);
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            return 1;
    }
    test_failf_at(__FILE__, __LINE__, "no line starting \"%s\" in:\n%s", prefix, t->text);
    return 0;
}

/* Reads the rest of the output and the exit code. */
static int read_to_end(tproc *p, transcript *t)
{
    uint64_t deadline = sys_mono_ms() + EXIT_WAIT;
    char line[4096];

    for (;;) {
        int rc = tproc_read_line(p, line, sizeof line, 500);
        if (rc < 0 || sys_mono_ms() >= deadline)
            break;
        if (rc > 0)
            keep(t, line);
    }
    return tproc_wait(p, WAIT);
}

/* 1 if the transcript has a line starting with prefix. */
static int has_line(const transcript *t, const char *prefix)
{
    const char *p = t->text;
    size_t n = strlen(prefix);

    while (*p) {
        if (strncmp(p, prefix, n) == 0)
            return 1;
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return 0;
}

static int count_lines(const transcript *t, const char *needle)
{
    const char *p = t->text;
    int n = 0;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static void expect_line(const transcript *t, const char *prefix, int line)
{
    if (!has_line(t, prefix))
        test_failf_at(__FILE__, line, "no line starting \"%s\" in:\n%s", prefix, t->text);
}

#define EXPECT_LINE(t, prefix) expect_line(t, prefix, __LINE__)

/* The last line: the session's end. */
static const char *last_line(const transcript *t)
{
    static char line[1024];
    size_t end = t->len, start;

    while (end && t->text[end - 1] == '\n')
        end--;
    start = end;
    while (start && t->text[start - 1] != '\n')
        start--;
    snprintf(line, sizeof line, "%.*s", (int)(end - start), t->text + start);
    return line;
}

static tproc *run_args(const char *const *args, size_t n, const char *key)
{
    return tproc_start(PARLEY_CLI_EXE, args, n, "PARLEY_KEY", key);
}

TEST(cli_help_version_and_usage_errors)
{
    static const char *const help[] = {"--help"};
    static const char *const version[] = {"--version"};
    static const char *const unknown[] = {"--frobnicate"};
    static const char *const bad_port[] = {"--port", "0", "--nick", "alice"};
    static const char *const bad_cipher[] = {"--cipher", "rot13", "--nick", "alice"};
    static const char *const no_key[] = {"--nick", "alice", "--port", "1"};
    transcript t;
    tproc *p;

    memset(&t, 0, sizeof t);
    p = run_args(help, 1, NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    EXPECT_LINE(&t, "usage: parley-cli");
    CHECK(strstr(t.text, "--key-file PATH") && strstr(t.text, "Exit codes"));
    tproc_free(p);

    memset(&t, 0, sizeof t);
    p = run_args(version, 1, NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    EXPECT_LINE(&t, "parley-cli " PARLEY_VERSION);
    tproc_free(p);

    p = run_args(unknown, 1, "k");
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 2);
    tproc_free(p);
    p = run_args(bad_port, 4, "k");
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 2);
    tproc_free(p);
    p = run_args(bad_cipher, 4, "k");
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 2);
    tproc_free(p);
    /* No key anywhere and no terminal to ask on. */
    p = run_args(no_key, 4, NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 2);
    tproc_free(p);
}

TEST(cli_script_chats_both_ways)
{
    test_server ts;
    transcript t;
    pc_conn *b;
    proto_msg m;
    tproc *p;

    START(&ts, "cli-chat");
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    CHECK(pc_join(b, "dev") == 0);
    CHECK(test_expect(b, PT_HISTORY_END, &m, WAIT) == 1);
    memset(&t, 0, sizeof t);
    p = cli_start(ts.port, "alice", TEST_SECRET, NULL, NULL);
    REQUIRE(p);
    CHECK(tproc_write(p, "hello from the cli\n"
                         "/join dev\n"
                         "in dev now\n"
                         "/msg bob psst\n"
                         "/nick alice2\n"
                         "/away lunch\n"
                         "/back\n"
                         "/topic release friday\n"
                         "/users\n"
                         "/rooms\n"
                         "/history 5\n"
                         "/part dev going\n"
                         "/bogus\n") == 0);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);

    EXPECT_LINE(&t, "connecting 127.0.0.1 ");
    EXPECT_LINE(&t, "connected alice aes-256-gcm ");
    EXPECT_LINE(&t, "join lobby alice");
    EXPECT_LINE(&t, "msg lobby alice ");
    CHECK(strstr(t.text, " hello from the cli\n") != NULL);
    EXPECT_LINE(&t, "join dev alice");
    EXPECT_LINE(&t, "msg dev alice ");
    EXPECT_LINE(&t, "priv alice bob ");
    EXPECT_LINE(&t, "nick alice alice2");
    EXPECT_LINE(&t, "away alice2 lunch");
    EXPECT_LINE(&t, "back alice2");
    EXPECT_LINE(&t, "topic dev alice2 release friday");
    EXPECT_LINE(&t, "user dev alice2 online");
    EXPECT_LINE(&t, "user dev bob online");
    EXPECT_LINE(&t, "users_end dev 2");
    EXPECT_LINE(&t, "room dev 2 release friday");
    EXPECT_LINE(&t, "rooms_end 2");
    EXPECT_LINE(&t, "hist dev alice ");
    EXPECT_LINE(&t, "part dev alice2 going");
    EXPECT_LINE(&t, "error USAGE unknown command /bogus");
    CHECK(strncmp(last_line(&t), "bye QUIT", 8) == 0);

    /* The other side heard it all. */
    CHECK(test_expect_text(b, "hello from the cli", &m, WAIT) == 1);
    CHECK(str_is(m.nick, "alice") && str_is(m.room, "lobby"));
    CHECK(test_expect_text(b, "in dev now", &m, WAIT) == 1);
    CHECK(str_is(m.room, "dev"));
    CHECK(test_expect(b, PT_PRIV_MSG, &m, WAIT) == 1);
    CHECK(str_is(m.text, "psst"));
    pc_close(b);
    finish(&ts);
}

/* /search prints a page of results, newest first, and /more the next one. */
TEST(cli_search_pages_with_more)
{
    test_server ts;
    transcript t;
    pc_conn *b;
    proto_msg m;
    tproc *p;
    char text[64];
    const char *first;
    int i;

    START(&ts, "cli-search");
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    for (i = 0; i < 25; i++) {
        snprintf(text, sizeof text, "Fire drill %d at noon", i);
        REQUIRE(pc_say(b, "lobby", text, 1) == 0);
        REQUIRE(test_expect_text(b, text, &m, WAIT) == 1);
    }
    memset(&t, 0, sizeof t);
    p = cli_start(ts.port, "alice", TEST_SECRET, NULL, NULL);
    REQUIRE(p);
    CHECK(tproc_write(p, "/search FIRE noon\n"
                         "/more\n"
                         "/more\n"
                         "/search fire from:bob in:lobby after:2020-01-01 before:2020-01-02\n"
                         "/search\n"
                         "/search fire after:2026-13-01\n"
                         "/search fire in:elsewhere\n") == 0);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);

    CHECK_EQ_INT(count_lines(&t, "found lobby bob "), 25);
    first = strstr(t.text, "found lobby bob ");
    /* Newest first: the first result is the last message said. */
    CHECK(first && strstr(first, " Fire drill 24 at noon\n") ==
                       strchr(first, '\n') - strlen(" Fire drill 24 at noon"));
    EXPECT_LINE(&t, "search_end 20 more");
    EXPECT_LINE(&t, "search_end 5 end");
    EXPECT_LINE(&t, "error NO_MORE no more results");
    EXPECT_LINE(&t, "search_end 0 end");
    EXPECT_LINE(&t, "error USAGE usage: /search WORDS");
    EXPECT_LINE(&t, "error USAGE after:2026-13-01: dates are YYYY-MM-DD");
    EXPECT_LINE(&t, "error NOT_IN_ROOM");
    pc_close(b);
    finish(&ts);
}

TEST(cli_receives_while_its_input_stays_open)
{
    test_server ts;
    transcript t;
    pc_conn *b;
    proto_msg m;
    tproc *p;
    const char *hello = "Grüße, こんにちは, مرحبا 👋🏽";

    START(&ts, "cli-live");
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    memset(&t, 0, sizeof t);
    p = cli_start(ts.port, "alice", TEST_SECRET, NULL, NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "history_end lobby", WAIT));
    CHECK(pc_say(b, "lobby", hello, 0) == 0);
    CHECK(read_until(p, &t, "msg lobby bob ", WAIT));
    CHECK(strstr(t.text, hello) != NULL);
    CHECK(tproc_write(p, "¡olé! ✓ 日本語\n") == 0);
    CHECK(test_expect_text(b, "¡olé! ✓ 日本語", &m, WAIT) == 1);
    CHECK(tproc_write(p, "/quit see you\n") == 0);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    if (!strstr(last_line(&t), "bye QUIT quit: see you"))
        test_failf_at(__FILE__, __LINE__, "last line \"%s\" in:\n%s", last_line(&t), t.text);
    tproc_free(p);
    while (test_expect(b, PT_MEMBER, &m, WAIT) == 1 && m.event != MEMBER_QUIT)
        ;
    CHECK(str_is(m.nick, "alice"));
    pc_close(b);
    finish(&ts);
}

/* A session refused at once: the line that says so and the exit code. */
static void expect_refusal(const char *name, const char *nick, const char *key, int down,
                           const char *bye, int code)
{
    test_server ts;
    transcript t;
    pc_conn *holder = NULL;
    uint16_t port;
    tproc *p;

    START(&ts, name);
    port = ts.port;
    if (down)
        finish(&ts);
    else if (strcmp(nick, "taken") == 0)
        holder = test_connect(&ts, "taken", NULL, 0);
    memset(&t, 0, sizeof t);
    p = cli_start(port, nick, key, NULL, NULL);
    REQUIRE(p);
    /* Input stays open: the program must end on its own. */
    CHECK_EQ_INT(read_to_end(p, &t), code);
    tproc_free(p);
    if (strncmp(last_line(&t), bye, strlen(bye)) != 0)
        test_failf_at(__FILE__, __LINE__, "last line \"%s\", expected \"%s...\"", last_line(&t),
                      bye);
    CHECK(!has_line(&t, "connected "));
    pc_close(holder);
    if (!down)
        finish(&ts);
}

TEST(cli_wrong_key_exits_3)
{
    expect_refusal("cli-key", "alice", "not the key", 0, "bye WRONG_KEY wrong key", 3);
}

TEST(cli_unreachable_server_exits_4)
{
    expect_refusal("cli-down", "alice", TEST_SECRET, 1, "bye UNREACHABLE cannot reach server", 4);
}

TEST(cli_nick_taken_exits_5)
{
    expect_refusal("cli-nick", "taken", TEST_SECRET, 0, "bye NICK_TAKEN", 5);
}

TEST(cli_kicked_exits_5)
{
    test_server ts;
    server_config cfg;
    transcript t;
    pc_conn *b;
    proto_msg m;
    tproc *p;
    int ok;

    test_server_config(&cfg, "cli-kick");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op-pass");
    start_server(&ts, &cfg, &ok);
    REQUIRE(ok);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    memset(&t, 0, sizeof t);
    p = cli_start(ts.port, "alice", TEST_SECRET, NULL, NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "history_end lobby", WAIT));
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("op-pass");
    CHECK(pc_send(b, &m) == 0);
    CHECK(test_expect(b, PT_NOTICE, &m, WAIT) == 1);
    memset(&m, 0, sizeof m);
    m.type = PT_KICK;
    m.nick = proto_s("alice");
    m.text = proto_s("enough");
    CHECK(pc_send(b, &m) == 0);
    CHECK_EQ_INT(read_to_end(p, &t), 5);
    tproc_free(p);
    EXPECT_LINE(&t, "kick alice bob enough");
    CHECK(strncmp(last_line(&t), "bye KICKED", 10) == 0);
    CHECK(!has_line(&t, "reconnecting"));
    pc_close(b);
    finish(&ts);
}

TEST(cli_shutdown_without_reconnect_exits_1)
{
    test_server ts;
    transcript t;
    tproc *p;

    START(&ts, "cli-shutdown");
    memset(&t, 0, sizeof t);
    p = cli_start(ts.port, "alice", TEST_SECRET, "--no-reconnect", NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "history_end lobby", WAIT));
    finish(&ts);
    CHECK_EQ_INT(read_to_end(p, &t), 1);
    tproc_free(p);
    if (strncmp(last_line(&t), "bye SHUTDOWN", 12) != 0 &&
        strncmp(last_line(&t), "bye LOST", 8) != 0)
        test_failf_at(__FILE__, __LINE__, "last line: %s", last_line(&t));
}

TEST(cli_reconnects_after_a_restart)
{
    test_server ts;
    server_config cfg;
    transcript t;
    pc_conn *b;
    proto_msg m;
    tproc *p;

    START(&ts, "cli-restart");
    memset(&t, 0, sizeof t);
    p = cli_start(ts.port, "alice", TEST_SECRET, NULL, NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "history_end lobby", WAIT));
    cfg = ts.cfg;
    cfg.port = ts.port;
    test_server_stop(&ts);
    REQUIRE(read_until(p, &t, "reconnecting ", WAIT));
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    b = test_connect(&ts, "bob", NULL, 0);
    REQUIRE(b);
    CHECK(test_settle(b) == 1);
    CHECK(pc_say(b, "lobby", "while you were away", 0) == 0);
    CHECK(test_expect_text(b, "while you were away", &m, WAIT) == 1);
    REQUIRE(read_until(p, &t, "caught_up lobby", WAIT * 3));
    CHECK(tproc_write(p, "back online\n") == 0);
    CHECK(test_expect_text(b, "back online", &m, WAIT) == 1);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    EXPECT_LINE(&t, "connected alice ");
    /* Seen once, whether it came live or from history after the redial. */
    CHECK_EQ_INT(count_lines(&t, "while you were away"), 1);
    pc_close(b);
    finish(&ts);
}

TEST(cli_reads_its_key_from_a_file)
{
    test_server ts;
    transcript t;
    tproc *p;
    FILE *f;
    char port_text[16];
    const char *args[9];

    START(&ts, "cli-keyfile");
    f = fopen("cli-test-key.txt", "wb");
    REQUIRE(f);
    /* Saved by an editor that writes a BOM, with stray white space at the end: the same
     * bytes as the server's key (PROTOCOL.md, "The secret's bytes"). */
    fputs("\xEF\xBB\xBF" TEST_SECRET " \t\r\n", f);
    fclose(f);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    args[0] = "--host";
    args[1] = "127.0.0.1";
    args[2] = "--port";
    args[3] = port_text;
    args[4] = "--nick";
    args[5] = "alice";
    args[6] = "--key-file";
    args[7] = "cli-test-key.txt";
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 8, "PARLEY_KEY", NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "connected alice", WAIT));
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    remove("cli-test-key.txt");

    /* A missing key file is a usage error. */
    args[7] = "no-such-key-file.txt";
    p = tproc_start(PARLEY_CLI_EXE, args, 8, "PARLEY_KEY", NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 2);
    tproc_free(p);
    finish(&ts);
}

/* parley-cli's arguments to log in to `user` on the test server at port_text, with the
 * password written to pw_file (removed by the caller). 0, or -1 if the file cannot be made. */
static int account_args(const char *args[10], const char *port_text, const char *user,
                        const char *password, const char *pw_file)
{
    FILE *f = fopen(pw_file, "wb");
    if (!f)
        return -1;
    fprintf(f, "%s\n", password);
    fclose(f);
    args[0] = "--host";
    args[1] = "127.0.0.1";
    args[2] = "--port";
    args[3] = port_text;
    args[4] = "--user";
    args[5] = user;
    args[6] = "--password-file";
    args[7] = pw_file;
    args[8] = "--key";
    args[9] = TEST_SECRET;
    return 0;
}

/* --user with --password-file logs in to an account on a server with accounts; a wrong
 * password ends with exit code 3, like a wrong key. */
TEST(cli_logs_in_to_an_account)
{
    server_config cfg;
    test_server ts;
    transcript t;
    tproc *p;
    FILE *f;
    char port_text[16];
    const char *args[10];

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "cli-account");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "\xC3\x89ric", "open sesame", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    /* éric: the account is Éric */
    REQUIRE(account_args(args, port_text, "\xC3\xA9ric", "open sesame",
                         "cli-test-password.txt") == 0);
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 10, NULL, NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "connected \xC3\x89ric", WAIT));
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);

    f = fopen("cli-test-password.txt", "wb");
    REQUIRE(f);
    fputs("wrong\n", f);
    fclose(f);
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 10, NULL, NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 3);
    tproc_free(p);
    remove("cli-test-password.txt");
    test_server_end(&ts);
}

/* /passwd in a script reads the current and the new password from the next two lines (on a
 * terminal it asks without echo): a wrong current password changes nothing, the right one
 * changes it, and the next login needs the new password. */
TEST(cli_passwd_changes_the_accounts_password)
{
    server_config cfg;
    test_server ts;
    transcript t;
    tproc *p;
    pc_conn *c;
    char port_text[16], err[256];
    const char *args[10];
    int code;

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "cli-passwd");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", "old one", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    REQUIRE(account_args(args, port_text, "alice", "old one", "cli-test-passwd.txt") == 0);
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 10, NULL, NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "connected alice", WAIT));
    CHECK(tproc_write(p, "/passwd\nnot it\nnew one\n") == 0);
    CHECK(read_until(p, &t, "password BAD_PASSWORD", WAIT));
    CHECK(tproc_write(p, "/passwd extra\n") == 0); /* never on the command line */
    CHECK(read_until(p, &t, "error USAGE usage: /passwd (no arguments", WAIT));
    CHECK(tproc_write(p, "/passwd\nold one\nnew one\n") == 0);
    CHECK(read_until(p, &t, "password OK your password is changed", WAIT));
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    c = test_login(&ts, "alice", "old one", &code, err, sizeof err);
    CHECK(c == NULL);
    pc_close(c);
    c = test_login(&ts, "alice", "new one", &code, err, sizeof err);
    CHECK(c != NULL);
    pc_close(c);
    remove("cli-test-passwd.txt");
    test_server_end(&ts);
}

/* Writes text and a newline to path; 0 or -1. */
static int write_line(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fprintf(f, "%s\n", text);
    return fclose(f) == 0 ? 0 : -1;
}

/* A config for a server with accounts (name its directory): root (admin, "root pw") and
 * alice ("alice pw") in the store, and the test key where a real server keeps it, so that
 * the command finds it. 0, or -1 if any of it could not be written. */
static int accounts_config(server_config *cfg, const char *name)
{
    char path[600];

    test_server_config(cfg, name);
    cfg->auth = AUTH_ACCOUNTS;
    if (test_add_account(cfg->data_dir, "root", "root pw", USER_ROLE_ADMIN, 0) != 0 ||
        test_add_account(cfg->data_dir, "alice", "alice pw", USER_ROLE_USER, 0) != 0 ||
        fsys_path_join(path, sizeof path, cfg->data_dir, "secret.key") != 0)
        return -1;
    return write_line(path, TEST_SECRET);
}

/* The first 7 arguments of `parley-server --user ...` for a running test server. */
static void server_tool_args(const char **args, const char *data_dir, const char *port_text)
{
    args[0] = "--data-dir";
    args[1] = data_dir;
    args[2] = "--bind";
    args[3] = "127.0.0.1";
    args[4] = "--port";
    args[5] = port_text;
    args[6] = "--user";
}

/* Runs exe with args to its end: the exit code (or -1), its standard output in *t. */
static int run_to_end(const char *exe, const char *const *args, size_t n, transcript *t)
{
    tproc *p;
    int rc;

    memset(t, 0, sizeof *t);
    p = tproc_start(exe, args, n, NULL, NULL);
    if (!p)
        return -1;
    rc = read_to_end(p, t);
    tproc_free(p);
    return rc;
}

/* parley-server --user add and passwd --as ADMIN while the server runs: the new password's
 * verifier goes to the server, which takes it at once; passwd for the admin's own account
 * proves the current password. */
TEST(server_user_add_and_passwd_reach_a_running_server)
{
    server_config cfg;
    test_server ts;
    transcript t;
    pc_conn *c;
    char port_text[16], err[256];
    const char *args[16];
    int code;

    sock_startup();
    crypto_init();
    REQUIRE(accounts_config(&cfg, "cli-remote-add") == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    REQUIRE(write_line("cli-test-add-root.txt", "root pw") == 0);
    REQUIRE(write_line("cli-test-add-new.txt", "j\xC3\xA9r\xC3\xB4me's pw") == 0);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    server_tool_args(args, cfg.data_dir, port_text);
    args[7] = "add";
    args[8] = "J\xC3\xA9r\xC3\xB4me";
    args[9] = "--password-file";
    args[10] = "cli-test-add-new.txt";
    args[11] = "--iterations";
    args[12] = "4096";
    args[13] = "--as";
    args[14] = "root";
    args[15] = "--as-password-file";

    /* Without --as: refused, and says how. */
    CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, args, 13, &t), 1);
    c = test_login(&ts, "J\xC3\xA9r\xC3\xB4me", "j\xC3\xA9r\xC3\xB4me's pw", &code, err,
                   sizeof err);
    CHECK(c == NULL);
    pc_close(c);

    {
        const char *full[17];
        memcpy(full, args, sizeof args);
        full[16] = "cli-test-add-root.txt";
        CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, full, 17, &t), 0);
        CHECK(strstr(t.text, "account J\xC3\xA9r\xC3\xB4me: add done (by the running server)") !=
              NULL);
        c = test_login(&ts, "j\xC3\xA9r\xC3\xB4me", "j\xC3\xA9r\xC3\xB4me's pw", &code, err,
                       sizeof err);
        CHECK(c != NULL);
        pc_close(c);

        /* The same name again: the server's refusal (on stderr) fails the command. */
        CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, full, 17, &t), 1);

        /* A new password for alice. */
        full[7] = "passwd";
        full[8] = "ALICE";
        CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, full, 17, &t), 0);
        CHECK(strstr(t.text, "account alice: passwd done") != NULL);
        c = test_login(&ts, "alice", "j\xC3\xA9r\xC3\xB4me's pw", &code, err, sizeof err);
        CHECK(c != NULL);
        pc_close(c);

        /* root's own: proves "root pw" first, then the new one works and the old does not. */
        full[8] = "root";
        CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, full, 17, &t), 0);
        CHECK(strstr(t.text, "account root: passwd done") != NULL);
        c = test_login(&ts, "root", "root pw", &code, err, sizeof err);
        CHECK(c == NULL);
        CHECK_EQ_INT(code, PC_BAD_PASSWORD);
        pc_close(c);
        c = test_login(&ts, "root", "j\xC3\xA9r\xC3\xB4me's pw", &code, err, sizeof err);
        CHECK(c != NULL);
        pc_close(c);
        /* And with the old one as --as, nothing is changed any more. */
        CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, full, 17, &t), 1);
    }
    remove("cli-test-add-root.txt");
    remove("cli-test-add-new.txt");
    test_server_end(&ts);
}

/* An account that was offline gets its private messages when parley-cli logs in, marked as
 * such; /read tells the sender, who sees DELIVERED and READ_MARK. */
TEST(cli_gets_private_messages_stored_while_offline)
{
    server_config cfg;
    test_server ts;
    transcript t;
    tproc *p;
    pc_conn *a;
    char port_text[16], err[256];
    const char *args[10];
    proto_msg m;
    int code, rc;
    uint64_t id = 0;

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "cli-private");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "dave", "dave pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    a = test_login(&ts, "alice", "alice pw", &code, err, sizeof err);
    REQUIRE(a);
    CHECK(test_settle(a) == 1);
    REQUIRE(pc_priv(a, "dave", "are you there?", 1) == 0);
    while ((rc = test_expect(a, PT_PRIV_MSG, &m, WAIT)) == 1 && m.tag != 1)
        ;
    REQUIRE(rc == 1);
    id = m.id;

    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    REQUIRE(account_args(args, port_text, "dave", "dave pw", "cli-test-pm-password.txt") == 0);
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 10, NULL, NULL);
    REQUIRE(p);
    REQUIRE(read_until(p, &t, "priv_offline alice dave", WAIT));
    CHECK(strstr(t.text, "are you there?") != NULL);
    REQUIRE(read_until(p, &t, "priv_sync_end", WAIT));
    REQUIRE(test_expect(a, PT_DELIVERED, &m, WAIT) == 1);
    CHECK(str_is(m.nick, "dave") && m.id == id);
    CHECK(tproc_write(p, "/read alice\n") == 0);
    REQUIRE(test_expect(a, PT_READ_MARK, &m, WAIT) == 1);
    CHECK(str_is(m.nick, "dave") && str_is(m.target, "alice") && m.id == id);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    pc_close(a);
    remove("cli-test-pm-password.txt");
    test_server_end(&ts);
}

/* parley-server --user disable ... --as ADMIN while the server runs (and holds the account
 * store): sent to it as an ACCOUNT request, and the account's live session ends. Without --as
 * the command says how, and changes nothing. */
TEST(server_user_command_reaches_a_running_server)
{
    server_config cfg;
    test_server ts;
    transcript t;
    tproc *p;
    FILE *f;
    pc_conn *alice;
    proto_msg m;
    char port_text[16], err[256];
    const char *args[13];
    int code;

    sock_startup();
    crypto_init();
    REQUIRE(accounts_config(&cfg, "cli-remote") == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    alice = test_login(&ts, "alice", "alice pw", &code, err, sizeof err);
    REQUIRE(alice);
    test_settle(alice);
    f = fopen("cli-test-root.txt", "wb");
    REQUIRE(f);
    fputs("root pw\n", f);
    fclose(f);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    server_tool_args(args, cfg.data_dir, port_text);
    args[7] = "disable";
    args[8] = "ALICE";
    args[9] = "--as";
    args[10] = "root";
    args[11] = "--as-password-file";
    args[12] = "cli-test-root.txt";

    memset(&t, 0, sizeof t); /* without --as: refused (the way to do it goes to stderr) */
    p = tproc_start(PARLEY_SERVER_EXE, args, 9, NULL, NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 1);
    tproc_free(p);

    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_SERVER_EXE, args, 13, NULL, NULL);
    REQUIRE(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    CHECK(strstr(t.text, "account alice: disable done (by the running server)") != NULL);
    tproc_free(p);
    CHECK(test_expect(alice, PT_BYE, &m, WAIT) == -1);
    CHECK_EQ_INT(pc_error_code(alice), PC_KICKED);
    pc_close(alice);
    remove("cli-test-root.txt");
    test_server_end(&ts);
}

/* `parley-cli alert`: an alert account sends an alert and gets its id (alone on standard
 * output) and exit 0; the recipient gets it; a refusal (no such user, or an account that may
 * not send alerts) exits 5; --status prints the roll call; parley-server --alerts lists it. */
TEST(cli_alert_sender_for_scripts)
{
    server_config cfg;
    test_server ts;
    transcript t;
    FILE *f;
    pc_conn *alice;
    proto_msg m;
    char port_text[16], err[256];
    const char *args[16];
    const char *audit[3];
    int code;

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "cli-alert");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "bot", "bot pw", USER_ROLE_ALERT, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "carol", "bot pw", USER_ROLE_USER, 0) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    alice = test_login(&ts, "alice", "alice pw", &code, err, sizeof err);
    REQUIRE(alice);
    f = fopen("cli-test-bot.txt", "wb");
    REQUIRE(f);
    fputs("bot pw\n", f);
    fclose(f);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    args[0] = "alert";
    args[1] = "--host";
    args[2] = "127.0.0.1";
    args[3] = "--port";
    args[4] = port_text;
    args[5] = "--user";
    args[6] = "bot";
    args[7] = "--password-file";
    args[8] = "cli-test-bot.txt";
    args[9] = "--key";
    args[10] = TEST_SECRET;
    args[11] = "--to";
    args[12] = "user:alice";
    args[13] = "--expires";
    args[14] = "2h";
    args[15] = "Fire drill at 11:00";

    CHECK_EQ_INT(run_to_end(PARLEY_CLI_EXE, args, 16, &t), 0);
    CHECK_EQ_STR(t.text, "1\n");
    CHECK(test_expect(alice, PT_ALERT_MSG, &m, WAIT) == 1);
    CHECK(m.id == 1 && m.duration == 7200 && str_is(m.nick, "bot"));
    CHECK(str_is(m.text, "Fire drill at 11:00"));

    args[12] = "user:nobody"; /* refused by the server: exit 5, nothing on standard output */
    CHECK_EQ_INT(run_to_end(PARLEY_CLI_EXE, args, 16, &t), 5);
    CHECK_EQ_INT(t.len, 0);

    args[6] = "carol"; /* a plain user may not send alerts */
    args[12] = "user:alice";
    CHECK_EQ_INT(run_to_end(PARLEY_CLI_EXE, args, 16, &t), 5);

    args[6] = "bot";
    args[11] = "--status";
    args[12] = "1";
    args[13] = "--script";
    CHECK_EQ_INT(run_to_end(PARLEY_CLI_EXE, args, 14, &t), 0);
    CHECK(has_line(&t, "roll 1 alice shown 20"));
    CHECK(has_line(&t, "roll_end 1 0 1 0"));

    args[13] = "--expires"; /* --status takes no --expires */
    CHECK_EQ_INT(run_to_end(PARLEY_CLI_EXE, args, 15, &t), 2);

    audit[0] = "--data-dir";
    audit[1] = cfg.data_dir;
    audit[2] = "--alerts";
    CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, audit, 3, &t), 0);
    CHECK(has_line(&t, "alert 1 from bot at 20"));
    CHECK(has_line(&t, "  roll call: 0 acknowledged, 1 shown, 0 not delivered"));
    pc_close(alice);
    remove("cli-test-bot.txt");
    test_server_end(&ts);
}

/* Alert lines in both formats, /ack and /roll, and --expires durations. */
TEST(cli_formats_alerts)
{
    cli_format f;
    proto_msg m;
    cli_cmd c;
    uint32_t secs = 0;

    memset(&f, 0, sizeof f);
    f.script = 1;
    m = msg_of(PT_ALERT_MSG, "", "root", "ERP down\nwe are on it");
    m.id = 42;
    m.time = 1700000000000ull;
    m.duration = 3600;
    CHECK_EQ_STR(show_msg(&f, &m), "alert 42 root 2023-11-14T22:13:20Z 2023-11-14T23:13:20Z "
                                   "ERP down\\nwe are on it\n");
    CHECK(f.last_alert == 42);
    m = msg_of(PT_ALERT_OK, "", "", "");
    m.id = 43;
    m.count = 1000;
    CHECK_EQ_STR(show_msg(&f, &m), "alert_ok 43 1000\n");
    f.script = 0;
    m = msg_of(PT_ALERT_MSG, "", "root", "Fire drill");
    m.id = 44;
    m.time = 1700000000000ull;
    m.flags = PROTO_FLAG_HISTORY;
    CHECK(strstr(show_msg(&f, &m), "\a") != NULL); /* the bell */
    CHECK(strstr((const char *)fmt_out.data, "*** ALERT 44 from root, sent "
                                             "2023-11-14T22:13:20Z while you were away ***")
          != NULL);
    CHECK(strstr((const char *)fmt_out.data, "/ack") != NULL);
    c = parse("/ack");
    CHECK(c.kind == CLI_CMD_ACK && c.id == 0);
    c = parse("/ack 44");
    CHECK(c.kind == CLI_CMD_ACK && c.id == 44);
    c = parse("/ack x");
    CHECK(c.kind == CLI_CMD_BAD);
    c = parse("/roll 7");
    CHECK(c.kind == CLI_CMD_ROLL && c.id == 7);
    c = parse("/roll");
    CHECK(c.kind == CLI_CMD_BAD);
    CHECK(expiry_parse("2h", &secs) == 0 && secs == 7200);
    CHECK(expiry_parse("90", &secs) == 0 && secs == 90);
    CHECK(expiry_parse("1d", &secs) == 0 && secs == 86400);
    CHECK(expiry_parse("0m", &secs) != 0);
    CHECK(expiry_parse("2 h", &secs) != 0);
    CHECK(expiry_parse("50d", &secs) != 0);
}

/* An alert reaches parley-cli as one line, and a bare /ack acknowledges the latest alert: the
 * sender's roll call says so. */
TEST(cli_ack_acknowledges_the_latest_alert)
{
    server_config cfg;
    test_server ts;
    transcript t;
    tproc *p;
    pc_conn *op;
    proto_msg m;
    proto_entry e;
    size_t pos = 0;

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "cli-ack");
    snprintf(cfg.oper_password, sizeof cfg.oper_password, "op pw");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    p = cli_start(ts.port, "kim", TEST_SECRET, NULL, NULL);
    REQUIRE(p);
    memset(&t, 0, sizeof t);
    REQUIRE(read_until(p, &t, "connected kim", WAIT));
    op = test_connect(&ts, "op", NULL, 0);
    REQUIRE(op);
    memset(&m, 0, sizeof m);
    m.type = PT_OPER;
    m.text = proto_s("op pw");
    CHECK(pc_send(op, &m) == 0);
    memset(&m, 0, sizeof m);
    m.type = PT_ALERT;
    m.target = proto_s("user:kim");
    m.text = proto_s("The ERP is down");
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_ALERT_OK, &m, WAIT) == 1);
    CHECK(read_until(p, &t, "alert 1 op ", WAIT));
    CHECK(tproc_write(p, "/ack\n") == 0);
    CHECK(read_until(p, &t, "acked 1 20", WAIT));
    memset(&m, 0, sizeof m);
    m.type = PT_ROLL;
    m.id = 1;
    CHECK(pc_send(op, &m) == 0);
    CHECK(test_expect(op, PT_ROLL_LIST, &m, WAIT) == 1);
    CHECK(proto_list_next(&m.list, PT_ROLL_LIST, &pos, &e) == 1 && str_is(e.name, "kim") &&
          e.value == ROLL_ACKED);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    pc_close(op);
    test_server_end(&ts);
}

/* The account list (/accounts): one script line per account with role, disabled, online and
 * last login, then accounts_end; readable lines with the display name where it says more. */
TEST(cli_formats_account_lists)
{
    cli_format f;
    proto_msg m;
    proto_entry e;
    buf entries;
    const char *s;

    memset(&f, 0, sizeof f);
    f.script = 1;
    buf_init(&fmt_out);
    buf_init(&entries);
    memset(&e, 0, sizeof e);
    e.name = proto_s("alice");
    e.value = 0 | PROTO_ACCOUNT_ONLINE;
    e.time = 1700000000000ull;
    e.text = proto_s("Alice Martin");
    proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
    e.name = proto_s("\xC3\x89ric");
    e.value = 1 | PROTO_ACCOUNT_DISABLED;
    e.time = 0;
    e.text = proto_s("\xC3\x89ric");
    proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
    m = msg_of(PT_ACCOUNT_LIST, "", "", "");
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    m.flags = PROTO_FLAG_MORE;
    CHECK_EQ_STR(show_msg(&f, &m),
                 "account alice user enabled online 2023-11-14T22:13:20Z Alice Martin\n"
                 "account \xC3\x89ric operator disabled offline - \xC3\x89ric\n");
    m.flags = 0;
    m.list.count = 0;
    m.list.n = 0;
    CHECK_EQ_STR(show_msg(&f, &m), "accounts_end 2\n");

    f.script = 0;
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 2;
    s = show_msg(&f, &m);
    CHECK(strstr(s, "] -!- account alice (Alice Martin): user, online, last login "
                    "2023-11-14T22:13:20Z\n") != NULL);
    CHECK(strstr(s, "] -!- account \xC3\x89ric: operator, disabled, offline, last login "
                    "never\n") != NULL);
    CHECK(strstr(s, "] -!- 2 accounts\n") != NULL);
    buf_free(&entries);
    buf_free(&fmt_out);
    CHECK_EQ_INT(parse("/accounts").kind, CLI_CMD_ACCOUNTS);
    CHECK_EQ_INT(parse("/accounts all").kind, CLI_CMD_BAD);
    CHECK(strstr(cli_help_text(), "/accounts") != NULL);
}

/* /accounts as an admin lists every account, online or not; a user is refused plainly.
 * parley-server --user list --as ADMIN asks the running server; without --as it says how. */
TEST(cli_accounts_lists_every_account)
{
    server_config cfg;
    test_server ts;
    transcript t;
    tproc *p;
    pc_conn *alice;
    char port_text[16], err[256];
    const char *args[13];
    int code;

    sock_startup();
    crypto_init();
    REQUIRE(accounts_config(&cfg, "cli-accounts") == 0);
    REQUIRE(test_add_account(cfg.data_dir, "carol", "carol pw", USER_ROLE_OPERATOR, 1) == 0);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    alice = test_login(&ts, "alice", "alice pw", &code, err, sizeof err);
    REQUIRE(alice);
    test_settle(alice);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);

    REQUIRE(account_args(args, port_text, "root", "root pw", "cli-test-acc-root.txt") == 0);
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 10, NULL, NULL);
    REQUIRE(p);
    CHECK(tproc_write(p, "/accounts\n") == 0);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    EXPECT_LINE(&t, "account alice user enabled online 20");
    EXPECT_LINE(&t, "account carol operator disabled offline - carol");
    EXPECT_LINE(&t, "account root admin enabled online 20");
    EXPECT_LINE(&t, "accounts_end 3");

    REQUIRE(account_args(args, port_text, "alice", "alice pw", "cli-test-acc-alice.txt") == 0);
    memset(&t, 0, sizeof t);
    p = tproc_start(PARLEY_CLI_EXE, args, 10, NULL, NULL);
    REQUIRE(p);
    CHECK(tproc_write(p, "/accounts\n") == 0);
    tproc_close_stdin(p);
    CHECK_EQ_INT(read_to_end(p, &t), 0);
    tproc_free(p);
    EXPECT_LINE(&t, "error NOT_OPERATOR only admin accounts may manage accounts");
    CHECK(strstr(t.text, "accounts_end") == NULL);

    /* The server tool: refused without --as (the server holds the store), listed with it. */
    server_tool_args(args, cfg.data_dir, port_text);
    args[7] = "list";
    args[8] = "--as";
    args[9] = "root";
    args[10] = "--as-password-file";
    args[11] = "cli-test-acc-root.txt";
    CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, args, 8, &t), 1);
    CHECK(strstr(t.text, "carol") == NULL);
    CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, args, 12, &t), 0);
    CHECK(strstr(t.text, "alice                user     enabled  online   last seen 20") != NULL);
    CHECK(strstr(t.text, "carol                operator disabled offline  last seen never") !=
          NULL);
    /* root is online: the tool's own session is root's. */
    CHECK(strstr(t.text, "root                 admin    enabled  online   last seen 20") !=
          NULL);
    /* A user is refused by the server, and the tool says so. */
    args[9] = "alice";
    args[11] = "cli-test-acc-alice.txt";
    CHECK_EQ_INT(run_to_end(PARLEY_SERVER_EXE, args, 12, &t), 1);
    pc_close(alice);
    remove("cli-test-acc-root.txt");
    remove("cli-test-acc-alice.txt");
    test_server_end(&ts);
}
