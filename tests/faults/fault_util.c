/* fault_util.c — log capture, session counting and bystander checks for fault-injection tests. */
#include "fault_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "proto.h"
#include "sys.h"
#include "test.h"
#include "thread.h"

static mutex_handle *capture_lock;
static buf captured;

/* The engine thread logs while the test thread reads: both go through the lock. */
static void capture_sink(void *user, log_level level, const char *line, size_t len)
{
    (void)user;
    (void)level;
    mutex_lock(capture_lock);
    buf_append(&captured, line, len);
    buf_append(&captured, "\n", 1);
    mutex_unlock(capture_lock);
    if (getenv("PARLEY_TEST_VERBOSE"))
        fprintf(stderr, "log: %.*s\n", (int)len, line);
}

void log_capture_start(void)
{
    if (!capture_lock)
        capture_lock = mutex_new();
    buf_init(&captured);
    log_set_sink(capture_sink, NULL);
}

int log_capture_has(const char *text)
{
    size_t n = strlen(text), i;
    int found = 0;
    mutex_lock(capture_lock);
    for (i = 0; !found && i + n <= captured.len; i++)
        found = memcmp(captured.data + i, text, n) == 0;
    mutex_unlock(capture_lock);
    return found;
}

void log_capture_stop(void)
{
    log_set_sink(NULL, NULL);
    buf_free(&captured);
}

int wait_sessions(const test_server *ts, size_t n, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    size_t now;
    /* The count is read while the engine runs; a stale read only makes this wait longer. */
    while ((now = chat_session_count(ts->core)) != n) {
        if (sys_mono_ms() >= deadline) {
            test_failf_at(__FILE__, __LINE__, "server has %zu sessions, expected %zu", now, n);
            return 0;
        }
        sleep_ms(20);
    }
    return 1;
}

static pc_conn *connect_from(const test_server *ts, const char *source, const char *nick)
{
    pc_options o;
    char err[256];
    int code = 0;
    pc_conn *c;

    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = ts->port;
    o.source = source;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = nick;
    o.connect_timeout_ms = 5000;
    c = pc_connect(&o, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "bystander %s: %s (code %d)", nick, err, code);
    return c;
}

int bystanders_join(bystanders *by, const test_server *ts)
{
    memset(by, 0, sizeof *by);
    by->a = connect_from(ts, "127.0.0.2", "bystander_a");
    by->b = connect_from(ts, "127.0.0.3", "bystander_b");
    if (!by->a || !by->b)
        return -1;
    if (test_settle(by->a) != 1 || test_settle(by->b) != 1)
        return -1;
    /* Their own room: whatever offenders say in the lobby cannot come between them. */
    if (pc_join(by->a, BYSTANDER_ROOM) != 0 || pc_join(by->b, BYSTANDER_ROOM) != 0)
        return -1;
    {
        proto_msg m;
        if (test_expect(by->a, PT_USER_LIST, &m, 5000) != 1 ||
            test_expect(by->b, PT_USER_LIST, &m, 5000) != 1)
            return -1;
    }
    return 0;
}

/* The next chat message in the bystanders' room, skipping everything else. */
static int next_calm_msg(pc_conn *c, proto_msg *m)
{
    int rc;
    do
        rc = test_expect(c, PT_MSG, m, 5000);
    while (rc == 1 && !str_is(m->room, BYSTANDER_ROOM));
    return rc;
}

int bystanders_talk(bystanders *by)
{
    char text[48];
    proto_msg m;
    int rc;

    by->sent++;
    snprintf(text, sizeof text, "bystander message %u", (unsigned)by->sent);
    if (pc_say(by->a, BYSTANDER_ROOM, text, by->sent) != 0)
        return 0;
    /* Presence and lobby traffic may come between; nothing in their room may. */
    rc = next_calm_msg(by->b, &m);
    if (rc != 1 || !str_is(m.text, text) || !str_is(m.nick, "bystander_a")) {
        test_failf_at(__FILE__, __LINE__, "bystander b did not get \"%s\" next (rc %d)", text,
                      rc);
        /* What a got instead says why (a rate-limit ERROR, a goodbye...). */
        for (rc = 0; rc < 5 && pc_recv(by->a, &m, 500) == 1; rc++)
            test_failf_at(__FILE__, __LINE__, "bystander a got %s (code %u, \"%.*s\")",
                          proto_type_name(m.type), (unsigned)m.code, (int)m.text.n, m.text.p);
        return 0;
    }
    /* The sender's echo is its acknowledgement. */
    rc = next_calm_msg(by->a, &m);
    return rc == 1 && str_is(m.text, text) && m.tag == by->sent;
}

void bystanders_leave(bystanders *by)
{
    pc_close(by->a);
    pc_close(by->b);
    by->a = by->b = NULL;
}

int drain_until_closed(sock *s, uint16_t *code, int *closed, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    uint8_t data[4096];
    size_t have = 0;
    int type = 0;

    *closed = 0;
    if (code)
        *code = 0;
    for (;;) {
        uint64_t now = sys_mono_ms();
        long got;
        if (now >= deadline)
            break;
        got = sock_recv(s, data + have, sizeof data - have, (uint32_t)(deadline - now));
        if (got == SOCK_TIMEOUT)
            break;
        if (got <= 0) {
            *closed = 1;
            break;
        }
        have += (size_t)got;
        if (have == sizeof data)
            have = PROTO_HEADER_SIZE + 2; /* keep the first frame's start; drop the rest */
    }
    if (have >= PROTO_HEADER_SIZE) {
        type = data[5];
        if (code && have >= PROTO_HEADER_SIZE + 2 && (type == PT_ERROR || type == PT_BYE))
            *code = be_get16(data + PROTO_HEADER_SIZE);
    }
    return type;
}

uint32_t fault_rand(uint32_t *state)
{
    /* xorshift32: plenty for choosing bytes and delays. */
    uint32_t x = *state ? *state : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

pc_conn *fault_join(uint16_t port, const char *nick, uint8_t cipher)
{
    pc_options o;
    char err[256];
    int code = 0;
    pc_conn *c;

    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = nick;
    o.ciphers = &cipher;
    o.nciphers = 1;
    o.connect_timeout_ms = 10000;
    c = pc_connect(&o, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "connect %s: %s (code %d)", nick, err, code);
    else if (test_settle(c) != 1)
        test_failf_at(__FILE__, __LINE__, "%s: no history end after login", nick);
    return c;
}

static void text_set_add(text_set *s, proto_str t)
{
    char *copy;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char **grown = realloc(s->texts, cap * sizeof *grown);
        if (!grown)
            return;
        s->texts = grown;
        s->cap = cap;
    }
    copy = malloc(t.n + 1);
    if (!copy)
        return;
    memcpy(copy, t.p, t.n);
    copy[t.n] = '\0';
    s->texts[s->n++] = copy;
}

int text_set_has(const text_set *s, const char *text)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (strcmp(s->texts[i], text) == 0)
            return 1;
    return 0;
}

void text_set_free(text_set *s)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        free(s->texts[i]);
    free(s->texts);
    memset(s, 0, sizeof *s);
}

int read_lobby_history(uint16_t port, text_set *seen)
{
    pc_options o;
    char err[256];
    int code = 0, rc;
    proto_msg m;
    pc_conn *c;

    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = port;
    o.secret = TEST_SECRET;
    o.secret_len = strlen(TEST_SECRET);
    o.nick = "historian";
    o.connect_timeout_ms = 10000;
    c = pc_connect(&o, &code, err, sizeof err);
    if (!c) {
        test_failf_at(__FILE__, __LINE__, "historian: %s", err);
        return -1;
    }
    while ((rc = pc_recv(c, &m, 10000)) == 1 && m.type != PT_HISTORY_END)
        if (m.type == PT_MSG && (m.flags & PROTO_FLAG_HISTORY))
            text_set_add(seen, m.text);
    pc_close(c);
    return rc == 1 ? 0 : -1;
}
