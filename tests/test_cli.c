/* test_cli.c — parley-cli: its command parser and line formats directly, then the real
 * program run as a child process in scripted mode against the in-process server, checking
 * what it prints, what the other side sees, and its exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
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
    ev = status_event(PCS_EV_RECONNECTING, PC_E_LOST, "reset");
    ev.attempt = 1;
    ev.delay_ms = 400;
    CHECK(strstr(show(&f, &ev), "connection lost: reset; trying again in 0.4 s (attempt 1)") !=
          NULL);
    buf_free(&fmt_out);
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
    f = fopen("cli-test-password.txt", "wb");
    REQUIRE(f);
    fputs("open sesame\n", f);
    fclose(f);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    args[0] = "--host";
    args[1] = "127.0.0.1";
    args[2] = "--port";
    args[3] = port_text;
    args[4] = "--user";
    args[5] = "\xC3\xA9ric"; /* éric: the account is Éric */
    args[6] = "--password-file";
    args[7] = "cli-test-password.txt";
    args[8] = "--key";
    args[9] = TEST_SECRET;
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
    char port_text[16], path[600], err[256];
    const char *args[13];
    int code;

    sock_startup();
    crypto_init();
    test_server_config(&cfg, "cli-remote");
    cfg.auth = AUTH_ACCOUNTS;
    REQUIRE(test_add_account(cfg.data_dir, "root", "root pw", USER_ROLE_ADMIN, 0) == 0);
    REQUIRE(test_add_account(cfg.data_dir, "alice", "alice pw", USER_ROLE_USER, 0) == 0);
    /* The key where a real server keeps it, so that the command finds it. */
    REQUIRE(fsys_path_join(path, sizeof path, cfg.data_dir, "secret.key") == 0);
    f = fopen(path, "wb");
    REQUIRE(f);
    fputs(TEST_SECRET "\n", f);
    fclose(f);
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    alice = test_login(&ts, "alice", "alice pw", &code, err, sizeof err);
    REQUIRE(alice);
    test_settle(alice);
    f = fopen("cli-test-root.txt", "wb");
    REQUIRE(f);
    fputs("root pw\n", f);
    fclose(f);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)ts.port);
    args[0] = "--data-dir";
    args[1] = cfg.data_dir;
    args[2] = "--bind";
    args[3] = "127.0.0.1";
    args[4] = "--port";
    args[5] = port_text;
    args[6] = "--user";
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
