/* test_proto.c — tests of the wire codec and frame reader against an independent reference
 * encoder written from proto.h's comments: round trips, splits, truncations, limits, fuzzing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "test.h"

/* ---- an independent description of the message set ---------------------------------------
 * Written again here from the comments in proto.h, not shared with proto.c, so that a slip
 * in the codec's table shows up as a difference. */

enum ref_field {
    X_END = 0,
    X_VERSION, X_CIPHERS, X_NONCE, X_SALT, X_MAC, X_ITERATIONS, X_CIPHER, X_MAX_FRAME,
    X_FLAGS, X_PRESENCE, X_EVENT, X_CODE, X_TAG, X_COUNT, X_DURATION, X_ID, X_TIME, X_AFTER,
    X_BEFORE, X_TOKEN, X_AGENT, X_SERVER, X_ROOM, X_NICK, X_TARGET, X_TEXT, X_LIST, X_SHARE,
    X_DISPLAY, X_BLOB, X_FIELDS
};

typedef struct ref_type {
    uint8_t type;
    uint8_t flags;     /* allowed flag bits */
    size_t target_max;
    size_t text_max;
    int chat;          /* text may hold newlines and tabs */
    uint8_t fields[9];
} ref_type;

static const ref_type ref_types[] = {
    {PT_HELLO, 0, 0, 0, 0, {X_VERSION, X_CIPHERS, X_NONCE, X_AGENT, X_SHARE}},
    {PT_CHALLENGE, 0, 0, 0, 0,
     {X_VERSION, X_CIPHER, X_NONCE, X_SALT, X_ITERATIONS, X_SERVER, X_SHARE}},
    {PT_PROOF, 0, 0, 0, 0, {X_MAC, X_NICK}},
    {PT_WELCOME, 0, 0, PROTO_TEXT_MAX, 1, {X_MAC, X_NICK, X_MAX_FRAME, X_TEXT}},
    {PT_JOIN, 0, 0, 0, 0, {X_ROOM}},
    {PT_PART, 0, 0, PROTO_NAME_MAX, 0, {X_ROOM, X_TEXT}},
    {PT_ROOMS, 0, 0, 0, 0, {X_END}},
    {PT_ROOM_LIST, PROTO_FLAG_MORE | PROTO_FLAG_UPDATE, 0, 0, 0, {X_FLAGS, X_LIST}},
    {PT_TOPIC, 0, 0, PROTO_TOPIC_MAX, 0, {X_ROOM, X_NICK, X_TEXT}},
    {PT_SAY, PROTO_FLAG_ACTION, 0, PROTO_TEXT_MAX, 1, {X_TAG, X_ROOM, X_TEXT, X_FLAGS}},
    {PT_MSG, PROTO_FLAG_HISTORY | PROTO_FLAG_ACTION, 0, PROTO_TEXT_MAX, 1,
     {X_ID, X_TIME, X_FLAGS, X_TAG, X_ROOM, X_NICK, X_TEXT}},
    {PT_PRIV, PROTO_FLAG_ACTION, PROTO_NICK_MAX, PROTO_TEXT_MAX, 1,
     {X_TAG, X_TARGET, X_TEXT, X_FLAGS}},
    {PT_PRIV_MSG, PROTO_FLAG_HISTORY | PROTO_FLAG_OFFLINE | PROTO_FLAG_ACTION, PROTO_NICK_MAX,
     PROTO_TEXT_MAX, 1,
     {X_ID, X_TIME, X_FLAGS, X_TAG, X_NICK, X_TARGET, X_TEXT}},
    {PT_USERS, 0, 0, 0, 0, {X_ROOM}},
    {PT_USER_LIST, PROTO_FLAG_MORE, 0, 0, 0, {X_FLAGS, X_ROOM, X_LIST}},
    {PT_AWAY, 0, 0, PROTO_NAME_MAX, 0, {X_PRESENCE, X_TEXT}},
    {PT_MEMBER, 0, PROTO_NICK_MAX, PROTO_NAME_MAX, 0,
     {X_EVENT, X_PRESENCE, X_ROOM, X_NICK, X_TARGET, X_TEXT}},
    {PT_NICK, 0, 0, 0, 0, {X_NICK}},
    {PT_HISTORY, 0, 0, 0, 0, {X_ROOM, X_AFTER, X_BEFORE, X_COUNT}},
    {PT_HISTORY_END, 0, 0, 0, 0, {X_ROOM, X_COUNT}},
    {PT_NOTICE, 0, 0, PROTO_TEXT_MAX, 1, {X_NICK, X_TEXT}},
    {PT_ERROR, 0, 0, PROTO_NAME_MAX, 0, {X_CODE, X_TAG, X_TEXT}},
    {PT_PING, 0, 0, 0, 0, {X_TOKEN}},
    {PT_PONG, 0, 0, 0, 0, {X_TOKEN}},
    {PT_BYE, 0, 0, PROTO_NAME_MAX, 0, {X_CODE, X_TEXT}},
    {PT_OPER, 0, 0, PROTO_NAME_MAX, 0, {X_TEXT}},
    {PT_KICK, 0, 0, PROTO_NAME_MAX, 0, {X_NICK, X_TEXT}},
    {PT_BAN, 0, PROTO_NAME_MAX, PROTO_NAME_MAX, 0, {X_DURATION, X_TARGET, X_TEXT}},
    {PT_UNBAN, 0, PROTO_NAME_MAX, 0, 0, {X_TARGET}},
    {PT_WALL, 0, 0, PROTO_TEXT_MAX, 1, {X_TEXT}},
    {PT_SHUTDOWN, 0, 0, PROTO_NAME_MAX, 0, {X_TEXT}},
    /* added after the rest, so that the indices used below stay put */
    {PT_LOGIN, 0, 0, PROTO_LOGIN_MAX, 0, {X_TEXT}},
    {PT_ACCOUNT, 0, 16, 0, 0, {X_NICK, X_TARGET}},
    {PT_ACCOUNT_ADD, 0, 16, PROTO_VERIFIER_MAX, 0, {X_NICK, X_TARGET, X_DISPLAY, X_TEXT}},
    {PT_ACCOUNT_PASSWD, 0, 0, PROTO_VERIFIER_MAX, 0, {X_NICK, X_TEXT}},
    {PT_PASSWORD, 0, PROTO_VERIFIER_MAX, PROTO_LOGIN_MAX, 0, {X_TARGET, X_TEXT}},
    {PT_PRIV_SYNC, 0, 0, 0, 0, {X_AFTER, X_COUNT}},
    {PT_PRIV_SYNC_END, 0, 0, 0, 0, {X_ID, X_COUNT}},
    {PT_READ, 0, PROTO_NICK_MAX, 0, 0, {X_ID, X_TARGET}},
    {PT_DELIVERED, 0, 0, 0, 0, {X_ID, X_NICK}},
    {PT_READ_MARK, 0, PROTO_NICK_MAX, 0, 0, {X_ID, X_NICK, X_TARGET}},
    {PT_PRIV_PREFS, PROTO_FLAG_NO_RECEIPTS, 0, 0, 0, {X_FLAGS}},
    {PT_UNDELIVERED, 0, PROTO_NICK_MAX, PROTO_NAME_MAX, 0, {X_ID, X_CODE, X_TARGET, X_TEXT}},
    {PT_SIGNON, 0, 0, 0, 0, {X_BLOB}},
    {PT_SIGNON_BIND, 0, 0, 0, 0, {X_BLOB}},
    {PT_ALERT, 0, PROTO_RECIPIENTS_MAX, PROTO_TEXT_MAX, 1,
     {X_TAG, X_DURATION, X_TARGET, X_TEXT}},
    {PT_ALERT_OK, 0, 0, 0, 0, {X_TAG, X_ID, X_COUNT}},
    {PT_ALERT_MSG, PROTO_FLAG_HISTORY, 0, PROTO_TEXT_MAX, 1,
     {X_ID, X_TIME, X_DURATION, X_FLAGS, X_NICK, X_TEXT}},
    {PT_ACK, 0, 0, 0, 0, {X_ID}},
    {PT_ACKED, 0, 0, 0, 0, {X_ID, X_TIME}},
    {PT_ROLL, 0, 0, 0, 0, {X_ID}},
    {PT_ROLL_LIST, PROTO_FLAG_MORE | PROTO_FLAG_UPDATE, 0, PROTO_TEXT_MAX, 1,
     {X_ID, X_TIME, X_DURATION, X_FLAGS, X_NICK, X_TEXT, X_LIST}},
    {PT_SEARCH, 0, 0, PROTO_SEARCH_MAX, 0,
     {X_TAG, X_ID, X_AFTER, X_BEFORE, X_COUNT, X_ROOM, X_NICK, X_TEXT}},
    {PT_SEARCH_HIT, 0, PROTO_NICK_MAX, PROTO_TEXT_MAX, 1,
     {X_TAG, X_ID, X_TIME, X_ROOM, X_NICK, X_TEXT, X_TARGET}},
    {PT_SEARCH_END, PROTO_FLAG_MORE, 0, 0, 0, {X_TAG, X_FLAGS, X_COUNT, X_ID}},
    {PT_SIGNON_DISPLAY, 0, 0, 0, 0, {X_DISPLAY}},
    {PT_ACCOUNTS, 0, 0, 0, 0, {X_END}},
    {PT_ACCOUNT_LIST, PROTO_FLAG_MORE, 0, 0, 0, {X_FLAGS, X_LIST}},
};

#define NTYPES (sizeof ref_types / sizeof ref_types[0])

static int has_field(const ref_type *t, int f)
{
    size_t i;
    for (i = 0; t->fields[i] != X_END; i++)
        if (t->fields[i] == f)
            return 1;
    return 0;
}

static int is_string_field(int f)
{
    return f == X_AGENT || f == X_SERVER || f == X_ROOM || f == X_NICK || f == X_TARGET ||
           f == X_TEXT || f == X_DISPLAY;
}

static proto_str *str_field(proto_msg *m, int f)
{
    switch (f) {
    case X_AGENT: return &m->agent;
    case X_SERVER: return &m->server;
    case X_ROOM: return &m->room;
    case X_NICK: return &m->nick;
    case X_TARGET: return &m->target;
    case X_DISPLAY: return &m->display;
    default: return &m->text;
    }
}

static size_t str_limit(const ref_type *t, int f)
{
    switch (f) {
    case X_AGENT:
    case X_SERVER: return PROTO_NAME_MAX;
    case X_ROOM: return PROTO_ROOM_MAX;
    case X_NICK: return PROTO_NICK_MAX;
    case X_TARGET: return t->target_max;
    case X_DISPLAY: return PROTO_DISPLAY_MAX;
    default: return t->text_max;
    }
}

static void ref_str(buf *b, proto_str s)
{
    buf_put_u16(b, (uint16_t)s.n);
    buf_append(b, s.p, s.n);
}

/* The reference encoder: writes the fields in the order above, validating nothing, so tests
 * can also build bodies the real encoder would refuse. */
static void ref_body(const ref_type *t, const proto_msg *m, buf *b)
{
    size_t i;
    for (i = 0; t->fields[i] != X_END; i++) {
        switch (t->fields[i]) {
        case X_VERSION: buf_put_u16(b, m->version); break;
        case X_CIPHERS:
            buf_put_u8(b, m->ncipher);
            buf_append(b, m->ciphers, m->ncipher);
            break;
        case X_NONCE: buf_append(b, m->nonce, sizeof m->nonce); break;
        case X_SALT: buf_append(b, m->salt, sizeof m->salt); break;
        case X_MAC: buf_append(b, m->mac, sizeof m->mac); break;
        case X_ITERATIONS: buf_put_u32(b, m->iterations); break;
        case X_CIPHER: buf_put_u8(b, m->cipher); break;
        case X_MAX_FRAME: buf_put_u32(b, m->max_frame); break;
        case X_FLAGS: buf_put_u8(b, m->flags); break;
        case X_PRESENCE: buf_put_u8(b, m->presence); break;
        case X_EVENT: buf_put_u8(b, m->event); break;
        case X_CODE: buf_put_u16(b, m->code); break;
        case X_TAG: buf_put_u32(b, m->tag); break;
        case X_COUNT: buf_put_u32(b, m->count); break;
        case X_DURATION: buf_put_u32(b, m->duration); break;
        case X_ID: buf_put_u64(b, m->id); break;
        case X_TIME: buf_put_u64(b, m->time); break;
        case X_AFTER: buf_put_u64(b, m->after); break;
        case X_BEFORE: buf_put_u64(b, m->before); break;
        case X_TOKEN: buf_put_u64(b, m->token); break;
        case X_AGENT: ref_str(b, m->agent); break;
        case X_SERVER: ref_str(b, m->server); break;
        case X_ROOM: ref_str(b, m->room); break;
        case X_NICK: ref_str(b, m->nick); break;
        case X_TARGET: ref_str(b, m->target); break;
        case X_TEXT: ref_str(b, m->text); break;
        case X_DISPLAY: ref_str(b, m->display); break;
        case X_SHARE: /* u8 length (0 or 65), then the key share */
            buf_put_u8(b, m->share_len);
            buf_append(b, m->share, m->share_len);
            break;
        case X_LIST:
            buf_put_u16(b, m->list.count);
            buf_append(b, m->list.p, m->list.n);
            break;
        case X_BLOB: /* u16 length, then opaque bytes */
            buf_put_u16(b, (uint16_t)m->blob.n);
            buf_append(b, m->blob.p, m->blob.n);
            break;
        default: break;
        }
    }
}

/* Reference list entries, also unvalidated. */
static void ref_room_entry(buf *b, const char *room, uint32_t members, const char *topic)
{
    ref_str(b, proto_s(room));
    buf_put_u32(b, members);
    ref_str(b, proto_s(topic));
}

static void ref_user_entry(buf *b, const char *nick, uint8_t presence, const char *away)
{
    ref_str(b, proto_s(nick));
    buf_put_u8(b, presence);
    ref_str(b, proto_s(away));
}

/* ---- sample messages --------------------------------------------------------------------- */

#define CHAT_TEXT "first line\nsecond\tline \xf0\x9f\x91\x8b"
#define LINE_TEXT "just one line, \xc3\xbcn\xc3\xaf" "code \xe2\x9c\x93"

typedef struct samples {
    buf rooms; /* 3 room list entries built with proto_list_put */
    buf users; /* 3 user list entries */
    buf rolls; /* 3 roll list entries, written byte by byte as PROTOCOL.md spells them */
    buf accounts; /* 3 account list entries, byte by byte as PROTOCOL.md spells them */
} samples;

static const char *const room_names[3] = {"lobby", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac"};
static const uint32_t room_members[3] = {42, 0, 0xFFFFFFFFu};
static const char *const room_topics[3] = {"Welcome to the lobby \xf0\x9f\x91\x8b", "",
                                           "Topic with \xe2\x80\x9cquotes\xe2\x80\x9d"};
static const char *const user_nicks[3] = {"alice", "b\xc3\xb6\x62", "carol"};
static const uint8_t user_presence[3] = {PRESENCE_ONLINE, PRESENCE_AWAY, PRESENCE_ONLINE};
static const char *const user_away[3] = {"", "lunch, back at 2", ""};

static const uint8_t roll_states[3] = {ROLL_ACKED, ROLL_SHOWN, ROLL_PENDING};
static const uint64_t roll_times[3] = {1700000000456ull, 1700000000123ull, 0};

/* admin online; operator, disabled, never logged in; alert */
static const uint8_t account_states[3] = {0x22, 0x11, 0x03};
static const char *const account_displays[3] = {"Alice Martin", "", "B\xc3\xb6\x62 the bot"};

static void samples_init(samples *s)
{
    int i;
    buf_init(&s->rooms);
    buf_init(&s->users);
    buf_init(&s->rolls);
    buf_init(&s->accounts);
    for (i = 0; i < 3; i++) { /* u16 length + login, u8 state, u64 time, u16 length + display */
        buf_put_u16(&s->accounts, (uint16_t)strlen(user_nicks[i]));
        buf_append(&s->accounts, user_nicks[i], strlen(user_nicks[i]));
        buf_put_u8(&s->accounts, account_states[i]);
        buf_put_u64(&s->accounts, roll_times[i]);
        buf_put_u16(&s->accounts, (uint16_t)strlen(account_displays[i]));
        buf_append(&s->accounts, account_displays[i], strlen(account_displays[i]));
    }
    for (i = 0; i < 3; i++) { /* u16 length + nick, u8 state, u64 time; no text */
        buf_put_u16(&s->rolls, (uint16_t)strlen(user_nicks[i]));
        buf_append(&s->rolls, user_nicks[i], strlen(user_nicks[i]));
        buf_put_u8(&s->rolls, roll_states[i]);
        buf_put_u64(&s->rolls, roll_times[i]);
    }
    for (i = 0; i < 3; i++) {
        proto_entry e;
        e.name = proto_s(room_names[i]);
        e.value = room_members[i];
        e.text = proto_s(room_topics[i]);
        proto_list_put(&s->rooms, PT_ROOM_LIST, &e);
        e.name = proto_s(user_nicks[i]);
        e.value = user_presence[i];
        e.text = proto_s(user_away[i]);
        proto_list_put(&s->users, PT_USER_LIST, &e);
    }
}

static void samples_free(samples *s)
{
    buf_free(&s->rooms);
    buf_free(&s->users);
    buf_free(&s->rolls);
    buf_free(&s->accounts);
}

static const uint8_t sample_blob[] = {0x60, 0x00, 0x06, 0x09, 0x2a, 0xff, 0xfe, 0x80, 0x0a};

/* Fills every field of m with a valid, distinctive value suited to type t. */
static void fill_msg(proto_msg *m, const ref_type *t, const samples *s)
{
    size_t i;
    memset(m, 0, sizeof *m);
    m->type = t->type;
    m->cipher = PROTO_CIPHER_AES256GCM;
    m->ncipher = 2;
    m->ciphers[0] = PROTO_CIPHER_AES256GCM;
    m->ciphers[1] = PROTO_CIPHER_XOR;
    m->flags = t->flags;
    m->presence = PRESENCE_AWAY;
    m->event = MEMBER_KICK;
    m->version = 0x0102;
    m->code = PC_NICK_TAKEN;
    m->iterations = 0x01020304u;
    m->max_frame = 0x00010203u;
    m->tag = 0xA1B2C3D4u;
    m->count = 0x11223344u;
    m->duration = 3600;
    m->id = 0x0102030405060708ull;
    m->time = 1700000000123ull;
    m->after = 0xFEDCBA9876543210ull;
    m->before = 0x0123456789ABCDEFull;
    m->token = 0x8877665544332211ull;
    for (i = 0; i < PROTO_NONCE_SIZE; i++)
        m->nonce[i] = (uint8_t)(i * 7 + 1);
    for (i = 0; i < PROTO_SALT_SIZE; i++)
        m->salt[i] = (uint8_t)(i * 13 + 5);
    for (i = 0; i < PROTO_MAC_SIZE; i++)
        m->mac[i] = (uint8_t)(i * 29 + 3);
    m->share_len = PROTO_SHARE_SIZE;
    for (i = 0; i < PROTO_SHARE_SIZE; i++)
        m->share[i] = (uint8_t)(i * 31 + 4);
    m->agent = proto_s("parley-test/0.1 (Linux) \xe2\x9c\x93");
    m->server = proto_s("Parley at h\xc3\xa9" "adquarters");
    m->room = proto_s("#lobby-\xc3\xbc");
    m->nick = proto_s("\xc3\xa4lice");
    m->target = proto_s(t->target_max == PROTO_NICK_MAX ? "bob_" : "192.0.2.7");
    m->text = proto_s(t->chat ? CHAT_TEXT : LINE_TEXT);
    m->blob.p = sample_blob; /* bytes no string field may hold: NUL, controls, invalid UTF-8 */
    m->blob.n = sizeof sample_blob;
    if (t->type == PT_ROOM_LIST) {
        m->list.p = s->rooms.data;
        m->list.n = s->rooms.len;
        m->list.count = 3;
    } else if (t->type == PT_USER_LIST) {
        m->list.p = s->users.data;
        m->list.n = s->users.len;
        m->list.count = 3;
    } else if (t->type == PT_ROLL_LIST) {
        m->list.p = s->rolls.data;
        m->list.n = s->rolls.len;
        m->list.count = 3;
    } else if (t->type == PT_ACCOUNT_LIST) {
        m->list.p = s->accounts.data;
        m->list.n = s->accounts.len;
        m->list.count = 3;
    }
}

static int str_eq(proto_str a, proto_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* 1 if field f of a and b hold the same value. */
static int field_eq(int f, const proto_msg *a, const proto_msg *b)
{
    switch (f) {
    case X_VERSION: return a->version == b->version;
    case X_CIPHERS:
        return a->ncipher == b->ncipher && memcmp(a->ciphers, b->ciphers, a->ncipher) == 0;
    case X_NONCE: return memcmp(a->nonce, b->nonce, sizeof a->nonce) == 0;
    case X_SALT: return memcmp(a->salt, b->salt, sizeof a->salt) == 0;
    case X_SHARE:
        return a->share_len == b->share_len && memcmp(a->share, b->share, a->share_len) == 0;
    case X_MAC: return memcmp(a->mac, b->mac, sizeof a->mac) == 0;
    case X_ITERATIONS: return a->iterations == b->iterations;
    case X_CIPHER: return a->cipher == b->cipher;
    case X_MAX_FRAME: return a->max_frame == b->max_frame;
    case X_FLAGS: return a->flags == b->flags;
    case X_PRESENCE: return a->presence == b->presence;
    case X_EVENT: return a->event == b->event;
    case X_CODE: return a->code == b->code;
    case X_TAG: return a->tag == b->tag;
    case X_COUNT: return a->count == b->count;
    case X_DURATION: return a->duration == b->duration;
    case X_ID: return a->id == b->id;
    case X_TIME: return a->time == b->time;
    case X_AFTER: return a->after == b->after;
    case X_BEFORE: return a->before == b->before;
    case X_TOKEN: return a->token == b->token;
    case X_AGENT: return str_eq(a->agent, b->agent);
    case X_SERVER: return str_eq(a->server, b->server);
    case X_ROOM: return str_eq(a->room, b->room);
    case X_NICK: return str_eq(a->nick, b->nick);
    case X_TARGET: return str_eq(a->target, b->target);
    case X_TEXT: return str_eq(a->text, b->text);
    case X_DISPLAY: return str_eq(a->display, b->display);
    case X_BLOB:
        return a->blob.n == b->blob.n && (a->blob.n == 0 || memcmp(a->blob.p, b->blob.p, a->blob.n) == 0);
    case X_LIST:
        return a->list.count == b->list.count && a->list.n == b->list.n &&
               (a->list.n == 0 || memcmp(a->list.p, b->list.p, a->list.n) == 0);
    default: return 0;
    }
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *q;
    if (n == 0)
        return NULL; /* no allocation at all: any read of an empty body is an over-read */
    q = (uint8_t *)malloc(n);
    if (q)
        memcpy(q, p, n);
    return q;
}

/* Decodes body[0..n) from an exact-size heap copy, so ASan catches any over-read. */
static int decode_exact(uint8_t type, const uint8_t *body, size_t n, proto_msg *m,
                        uint8_t **keep)
{
    uint8_t *copy = dup_exact(body, n);
    int rc = proto_decode(type, copy, n, m);
    if (keep)
        *keep = copy;
    else
        free(copy);
    return rc;
}

/* Encodes m with the real encoder and returns its body (header stripped) in body. */
static int encode_body_of(const proto_msg *m, buf *body)
{
    buf frame;
    int rc;
    buf_init(&frame);
    rc = proto_encode(m, 0, &frame);
    buf_reset(body);
    if (rc == PROTO_OK && frame.len >= PROTO_HEADER_SIZE)
        buf_append(body, frame.data + PROTO_HEADER_SIZE, frame.len - PROTO_HEADER_SIZE);
    buf_free(&frame);
    return rc;
}

/* ---- names and the type table ------------------------------------------------------------ */

TEST(proto_names)
{
    int s;
    unsigned c;
    proto_str e = proto_s(NULL), h = proto_s("h\xc3\xa9");
    CHECK_EQ_STR(proto_type_name(PT_SAY), "SAY");
    CHECK_EQ_STR(proto_type_name(PT_PRIV_MSG), "PRIV_MSG");
    CHECK_EQ_STR(proto_type_name(PT_SHUTDOWN), "SHUTDOWN");
    CHECK_EQ_STR(proto_type_name(0xEE), "UNKNOWN");
    CHECK_EQ_STR(proto_code_name(PC_NICK_TAKEN), "NICK_TAKEN");
    CHECK_EQ_STR(proto_code_name(PC_WRONG_KEY), "WRONG_KEY");
    CHECK_EQ_STR(proto_code_name(PC_OK), "OK");
    CHECK_EQ_STR(proto_code_name(9999), "UNKNOWN");
    CHECK_EQ_STR(proto_status_text(PROTO_E_TOO_BIG), "frame too big");
    CHECK_EQ_STR(proto_status_text(12345), "unknown status");
    /* Every status has its own text. */
    for (s = PROTO_E_NOMEM; s <= PROTO_OK; s++) {
        int t;
        CHECK(strcmp(proto_status_text(s), "unknown status") != 0);
        for (t = s + 1; t <= PROTO_OK; t++)
            CHECK(strcmp(proto_status_text(s), proto_status_text(t)) != 0);
    }
    /* Every code in the enum has a name. */
    for (c = 0; c <= 15; c++)
        CHECK(strcmp(proto_code_name((uint16_t)c), "UNKNOWN") != 0);
    for (c = 100; c <= 112; c++)
        CHECK(strcmp(proto_code_name((uint16_t)c), "UNKNOWN") != 0);
    CHECK_EQ_STR(proto_code_name(16), "UNKNOWN");
    CHECK_EQ_STR(proto_code_name(200), "UNKNOWN");
    CHECK(e.p != NULL && e.n == 0);
    CHECK(h.n == 3 && memcmp(h.p, "h\xc3\xa9", 3) == 0);
}

TEST(proto_type_table)
{
    unsigned t;
    size_t i, known = 0;
    for (t = 0; t < 256; t++) {
        proto_msg m;
        int in_ref = 0;
        for (i = 0; i < NTYPES; i++)
            in_ref |= ref_types[i].type == t;
        CHECK_EQ_INT(proto_type_known((uint8_t)t), in_ref);
        CHECK_EQ_INT(strcmp(proto_type_name((uint8_t)t), "UNKNOWN") != 0, in_ref);
        /* The codec knows exactly the same set. */
        CHECK_EQ_INT(proto_decode((uint8_t)t, NULL, 0, &m) == PROTO_E_TYPE, !in_ref);
        if (!in_ref) {
            buf out;
            buf_init(&out);
            memset(&m, 0, sizeof m);
            m.type = (uint8_t)t;
            CHECK_EQ_INT(proto_encode(&m, 0, &out), PROTO_E_TYPE);
            CHECK_EQ_INT(out.len, 0);
            buf_free(&out);
        }
        known += (size_t)in_ref;
    }
    CHECK_EQ_INT(known, 58);
}

/* ---- round trips ------------------------------------------------------------------------- */

TEST(proto_roundtrip_all_types)
{
    samples s;
    size_t i;
    samples_init(&s);
    REQUIRE(!buf_failed(&s.rooms) && !buf_failed(&s.users));
    for (i = 0; i < NTYPES; i++) {
        const ref_type *t = &ref_types[i];
        proto_msg m, d;
        buf frame, ref;
        proto_reader r;
        proto_frame f;
        int f_i;

        fill_msg(&m, t, &s);
        buf_init(&frame);
        buf_init(&ref);
        ref_body(t, &m, &ref);
        CHECK_EQ_INT(proto_encode(&m, 0, &frame), PROTO_OK);
        if (frame.len != PROTO_HEADER_SIZE + ref.len) {
            test_failf_at(__FILE__, __LINE__, "%s: frame of %lu bytes, expected %lu",
                          proto_type_name(t->type), (unsigned long)frame.len,
                          (unsigned long)(PROTO_HEADER_SIZE + ref.len));
            buf_free(&frame);
            buf_free(&ref);
            continue;
        }
        /* Header: body length, version, type; body: exactly the reference bytes. */
        CHECK_EQ_INT(be_get32(frame.data), ref.len);
        CHECK_EQ_INT(frame.data[4], PROTO_VERSION);
        CHECK_EQ_INT(frame.data[5], t->type);
        if (ref.len && memcmp(frame.data + PROTO_HEADER_SIZE, ref.data, ref.len) != 0)
            test_failf_at(__FILE__, __LINE__, "%s: body differs from the reference",
                          proto_type_name(t->type));

        /* Through the reader, then the decoder. */
        proto_reader_init(&r, 0);
        CHECK_EQ_INT(proto_reader_feed(&r, frame.data, frame.len), PROTO_OK);
        REQUIRE(proto_reader_next(&r, &f) == 1);
        CHECK_EQ_INT(f.type, t->type);
        CHECK_EQ_INT(f.version, PROTO_VERSION);
        CHECK_EQ_INT(f.len, ref.len);
        CHECK(memcmp(f.header, frame.data, PROTO_HEADER_SIZE) == 0);
        CHECK_EQ_INT(proto_decode(f.type, f.body, f.len, &d), PROTO_OK);
        CHECK_EQ_INT(d.type, t->type);
        for (f_i = 1; f_i < X_FIELDS; f_i++) {
            if (has_field(t, f_i)) {
                if (!field_eq(f_i, &m, &d))
                    test_failf_at(__FILE__, __LINE__, "%s: field %d differs after a round trip",
                                  proto_type_name(t->type), f_i);
            } else if (is_string_field(f_i)) {
                /* Strings a type does not carry decode empty (and printable). */
                CHECK(str_field(&d, f_i)->n == 0 && str_field(&d, f_i)->p != NULL);
            }
        }
        /* Fields the type does not carry stay zero. */
        if (!has_field(t, X_TAG))
            CHECK_EQ_INT(d.tag, 0);
        if (!has_field(t, X_ID))
            CHECK(d.id == 0);
        if (!has_field(t, X_CIPHERS))
            CHECK_EQ_INT(d.ncipher, 0);
        if (!has_field(t, X_LIST))
            CHECK(d.list.n == 0 && d.list.count == 0);
        CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
        proto_reader_free(&r);
        buf_free(&frame);
        buf_free(&ref);
    }
    samples_free(&s);
}

TEST(proto_fixed_bytes)
{
    /* A few frames written out by hand, to pin byte order and layout beyond the reference. */
    static const uint8_t ping[] = {0, 0, 0, 8, 1, 0x52, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t topic_c2s[] = {0, 0, 0, 9, 1, 0x14, 0, 1, 'r', 0, 0, 0, 2, 'h', 'i'};
    static const uint8_t member[] = {0, 0, 0, 12, 1, 0x33, 4, 0, 0, 0, 0, 1, 'a',
                                     0, 1, 'b', 0, 0};
    proto_msg m;
    buf out;
    buf_init(&out);

    memset(&m, 0, sizeof m);
    m.type = PT_PING;
    m.token = 0x0102030405060708ull;
    CHECK_EQ_INT(proto_encode(&m, 0, &out), PROTO_OK);
    CHECK(out.len == sizeof ping && memcmp(out.data, ping, sizeof ping) == 0);

    /* A client's TOPIC: room, an empty nick, text. */
    buf_reset(&out);
    memset(&m, 0, sizeof m);
    m.type = PT_TOPIC;
    m.room = proto_s("r");
    m.text = proto_s("hi");
    CHECK_EQ_INT(proto_encode(&m, 0, &out), PROTO_OK);
    CHECK(out.len == sizeof topic_c2s && memcmp(out.data, topic_c2s, sizeof topic_c2s) == 0);

    buf_reset(&out);
    memset(&m, 0, sizeof m);
    m.type = PT_MEMBER;
    m.event = MEMBER_RENAME;
    m.nick = proto_s("a");
    m.target = proto_s("b");
    CHECK_EQ_INT(proto_encode(&m, 0, &out), PROTO_OK);
    CHECK(out.len == sizeof member && memcmp(out.data, member, sizeof member) == 0);
    CHECK_EQ_INT(proto_decode(PT_MEMBER, member + 6, sizeof member - 6, &m), PROTO_OK);
    CHECK(m.event == MEMBER_RENAME && m.nick.n == 1 && m.target.n == 1 && m.room.n == 0);
    buf_free(&out);
}

/* ---- malformed bodies -------------------------------------------------------------------- */

TEST(proto_truncation)
{
    samples s;
    size_t i, k;
    samples_init(&s);
    for (i = 0; i < NTYPES; i++) {
        proto_msg m, d;
        buf body;
        fill_msg(&m, &ref_types[i], &s);
        buf_init(&body);
        REQUIRE(encode_body_of(&m, &body) == PROTO_OK);
        for (k = 0; k < body.len; k++) {
            int rc = decode_exact(m.type, body.data, k, &d, NULL);
            if (rc != PROTO_E_TRUNCATED)
                test_failf_at(__FILE__, __LINE__, "%s cut to %lu of %lu bytes: %s",
                              proto_type_name(m.type), (unsigned long)k,
                              (unsigned long)body.len, proto_status_text(rc));
        }
        CHECK_EQ_INT(decode_exact(m.type, body.data, body.len, &d, NULL), PROTO_OK);
        buf_free(&body);
    }
    samples_free(&s);
}

TEST(proto_trailing)
{
    samples s;
    size_t i;
    samples_init(&s);
    for (i = 0; i < NTYPES; i++) {
        proto_msg m, d;
        buf body;
        int rc;
        fill_msg(&m, &ref_types[i], &s);
        buf_init(&body);
        REQUIRE(encode_body_of(&m, &body) == PROTO_OK);
        buf_put_u8(&body, 0);
        rc = decode_exact(m.type, body.data, body.len, &d, NULL);
        if (rc != PROTO_E_TRAILING)
            test_failf_at(__FILE__, __LINE__, "%s with a byte more: %s",
                          proto_type_name(m.type), proto_status_text(rc));
        buf_free(&body);
    }
    samples_free(&s);
}

TEST(proto_empty_bodies)
{
    proto_msg m;
    static const uint8_t one = 0;
    CHECK_EQ_INT(proto_decode(PT_ROOMS, NULL, 0, &m), PROTO_OK);
    CHECK_EQ_INT(m.type, PT_ROOMS);
    CHECK_EQ_INT(proto_decode(PT_ROOMS, &one, 1, &m), PROTO_E_TRAILING);
    CHECK_EQ_INT(proto_decode(PT_JOIN, NULL, 0, &m), PROTO_E_TRUNCATED);
    CHECK_EQ_INT(proto_decode(PT_PING, NULL, 0, &m), PROTO_E_TRUNCATED);
    /* An empty room list is fine: flags then a zero count. */
    {
        static const uint8_t empty_list[] = {0, 0, 0};
        CHECK_EQ_INT(proto_decode(PT_ROOM_LIST, empty_list, 3, &m), PROTO_OK);
        CHECK(m.list.count == 0 && m.list.n == 0);
    }
}

static const char *const bad_strings[] = {
    "\xff",                  /* never valid */
    "ab\xc3",                /* cut sequence */
    "\xc0\x80",              /* overlong NUL */
    "\xe0\x80\xaf",          /* overlong '/' */
    "\xed\xa0\x80",          /* surrogate */
    "\xf4\x90\x80\x80",      /* past U+10FFFF */
    "\x1b[31m",              /* escape: a control character */
    "\xc2\x85",              /* C1 control (NEL) */
    "x\x7f",                 /* DEL */
};

/* Checks the real encoder's answer for m; a refused frame must leave out untouched. */
static void expect_encode(const proto_msg *m, int want, const char *what, int line)
{
    buf out;
    int rc;
    buf_init(&out);
    buf_append(&out, "prefix", 6);
    rc = proto_encode(m, 0, &out);
    if (rc != want)
        test_failf_at(__FILE__, line, "encode %s (%s): %s, expected %s", proto_type_name(m->type),
                      what, proto_status_text(rc), proto_status_text(want));
    if (rc != PROTO_OK && (out.len != 6 || memcmp(out.data, "prefix", 6) != 0 || out.failed))
        test_failf_at(__FILE__, line, "encode %s (%s) appended to a refused frame",
                      proto_type_name(m->type), what);
    if (rc == PROTO_OK && out.len < 6 + PROTO_HEADER_SIZE)
        test_failf_at(__FILE__, line, "encode %s (%s) appended no frame", proto_type_name(m->type),
                      what);
    buf_free(&out);
}

/* Decodes a reference body of m and checks the status; also checks the real encoder answers
 * m with the same status (and appends nothing when it refuses). */
static void expect_both(const proto_msg *m, int want, const char *what, int line)
{
    const ref_type *t = NULL;
    size_t i;
    buf ref;
    proto_msg d;
    int rc;

    for (i = 0; i < NTYPES; i++)
        if (ref_types[i].type == m->type)
            t = &ref_types[i];
    if (!t) {
        test_failf_at(__FILE__, line, "no type %d", m->type);
        return;
    }
    buf_init(&ref);
    ref_body(t, m, &ref);
    rc = decode_exact(m->type, ref.data, ref.len, &d, NULL);
    if (rc != want)
        test_failf_at(__FILE__, line, "decode %s (%s): %s, expected %s", proto_type_name(m->type),
                      what, proto_status_text(rc), proto_status_text(want));
    buf_free(&ref);
    expect_encode(m, want, what, line);
}

TEST(proto_bad_utf8)
{
    samples s;
    size_t i, j, b;
    samples_init(&s);
    for (i = 0; i < NTYPES; i++) {
        const ref_type *t = &ref_types[i];
        for (j = 0; t->fields[j] != X_END; j++) {
            int f = t->fields[j];
            if (!is_string_field(f))
                continue;
            for (b = 0; b < sizeof bad_strings / sizeof bad_strings[0]; b++) {
                proto_msg m;
                fill_msg(&m, t, &s);
                *str_field(&m, f) = proto_s(bad_strings[b]);
                expect_both(&m, PROTO_E_UTF8, bad_strings[b], __LINE__);
            }
            { /* an embedded NUL, which proto_s cannot express */
                proto_msg m;
                fill_msg(&m, t, &s);
                str_field(&m, f)->p = "a\0b";
                str_field(&m, f)->n = 3;
                expect_both(&m, PROTO_E_UTF8, "NUL", __LINE__);
            }
        }
    }
    samples_free(&s);
}

TEST(proto_newlines)
{
    samples s;
    size_t i, j;
    samples_init(&s);
    for (i = 0; i < NTYPES; i++) {
        const ref_type *t = &ref_types[i];
        for (j = 0; t->fields[j] != X_END; j++) {
            int f = t->fields[j];
            int chat = f == X_TEXT && t->chat;
            proto_msg m;
            if (!is_string_field(f))
                continue;
            fill_msg(&m, t, &s);
            *str_field(&m, f) = proto_s("a\nb");
            expect_both(&m, chat ? PROTO_OK : PROTO_E_UTF8, "newline", __LINE__);
            *str_field(&m, f) = proto_s("a\tb");
            expect_both(&m, chat ? PROTO_OK : PROTO_E_UTF8, "tab", __LINE__);
            *str_field(&m, f) = proto_s("a\r\nb");
            expect_both(&m, PROTO_E_UTF8, "carriage return", __LINE__);
        }
    }
    samples_free(&s);
}

TEST(proto_string_limits)
{
    samples s;
    size_t i, j;
    char *big = (char *)malloc(PROTO_TEXT_MAX + 2);
    REQUIRE(big != NULL);
    samples_init(&s);
    for (i = 0; i < NTYPES; i++) {
        const ref_type *t = &ref_types[i];
        for (j = 0; t->fields[j] != X_END; j++) {
            int f = t->fields[j];
            size_t max;
            proto_msg m;
            if (!is_string_field(f))
                continue;
            max = str_limit(t, f);
            fill_msg(&m, t, &s);
            /* Exactly the limit passes, one byte more does not. */
            memset(big, 'a', max + 1);
            str_field(&m, f)->p = big;
            str_field(&m, f)->n = max;
            expect_both(&m, PROTO_OK, "at the limit", __LINE__);
            str_field(&m, f)->n = max + 1;
            expect_both(&m, PROTO_E_LENGTH, "over the limit", __LINE__);
            /* The limit is in bytes, not characters: 2-byte characters up to max. */
            if (max >= 2) {
                size_t k;
                for (k = 0; k + 1 < max; k += 2)
                    memcpy(big + k, "\xc3\xa9", 2);
                str_field(&m, f)->n = k;
                expect_both(&m, PROTO_OK, "2-byte characters", __LINE__);
                memcpy(big + k, "\xc3\xa9", 2);
                str_field(&m, f)->n = k + 2;
                expect_both(&m, PROTO_E_LENGTH, "2-byte characters over", __LINE__);
            }
        }
    }
    samples_free(&s);
    free(big);
}

TEST(proto_enum_values)
{
    samples s;
    proto_msg m;
    samples_init(&s);

    fill_msg(&m, &ref_types[1], &s); /* CHALLENGE */
    REQUIRE(m.type == PT_CHALLENGE);
    m.cipher = 0;
    expect_both(&m, PROTO_E_VALUE, "cipher 0", __LINE__);
    m.cipher = 3;
    expect_both(&m, PROTO_E_VALUE, "cipher 3", __LINE__);
    m.cipher = PROTO_CIPHER_XOR;
    expect_both(&m, PROTO_OK, "cipher xor", __LINE__);

    fill_msg(&m, &ref_types[0], &s); /* HELLO */
    REQUIRE(m.type == PT_HELLO);
    m.ciphers[1] = 9;
    expect_both(&m, PROTO_E_VALUE, "offered cipher 9", __LINE__);
    m.ciphers[1] = PROTO_CIPHER_XOR;
    m.ncipher = 0;
    expect_both(&m, PROTO_E_VALUE, "no cipher offered", __LINE__);
    m.ncipher = PROTO_MAX_CIPHERS;
    memset(m.ciphers, PROTO_CIPHER_XOR, sizeof m.ciphers);
    expect_both(&m, PROTO_OK, "8 ciphers offered", __LINE__);
    m.share_len = 0;
    expect_both(&m, PROTO_OK, "no key share", __LINE__);
    m.share_len = 64;
    expect_both(&m, PROTO_E_VALUE, "a 64-byte key share", __LINE__);
    m.share_len = 1;
    expect_both(&m, PROTO_E_VALUE, "a 1-byte key share", __LINE__);
    m.share_len = PROTO_SHARE_SIZE;
    {
        /* 9 ciphers cannot be said with the struct; write the body by hand. */
        uint8_t body[2 + 1 + 9 + PROTO_NONCE_SIZE + 2 + 1];
        memset(body, 0, sizeof body);
        body[1] = 1;
        body[2] = 9;
        memset(body + 3, PROTO_CIPHER_XOR, 9);
        CHECK_EQ_INT(decode_exact(PT_HELLO, body, sizeof body, &m, NULL), PROTO_E_LENGTH);
        body[2] = 8;
        CHECK_EQ_INT(decode_exact(PT_HELLO, body, sizeof body - 1, &m, NULL), PROTO_OK);
        CHECK_EQ_INT(m.ncipher, 8);
    }

    fill_msg(&m, &ref_types[15], &s); /* AWAY */
    REQUIRE(m.type == PT_AWAY);
    m.presence = 2;
    expect_both(&m, PROTO_E_VALUE, "presence 2", __LINE__);
    m.presence = PRESENCE_ONLINE;
    expect_both(&m, PROTO_OK, "presence online", __LINE__);

    fill_msg(&m, &ref_types[16], &s); /* MEMBER */
    REQUIRE(m.type == PT_MEMBER);
    m.event = 0;
    expect_both(&m, PROTO_E_VALUE, "event 0", __LINE__);
    m.event = 7;
    expect_both(&m, PROTO_E_VALUE, "event 7", __LINE__);
    m.event = MEMBER_JOIN;
    expect_both(&m, PROTO_OK, "event join", __LINE__);
    m.presence = 0xff;
    expect_both(&m, PROTO_E_VALUE, "member presence 255", __LINE__);

    fill_msg(&m, &ref_types[10], &s); /* MSG: HISTORY and ACTION */
    REQUIRE(m.type == PT_MSG);
    m.flags = PROTO_FLAG_MORE;
    expect_both(&m, PROTO_E_VALUE, "MSG with MORE", __LINE__);
    m.flags = 0x80;
    expect_both(&m, PROTO_E_VALUE, "MSG with bit 7", __LINE__);
    m.flags = 0;
    expect_both(&m, PROTO_OK, "MSG live", __LINE__);
    m.flags = PROTO_FLAG_HISTORY | PROTO_FLAG_ACTION;
    expect_both(&m, PROTO_OK, "MSG replayed action", __LINE__);

    fill_msg(&m, &ref_types[9], &s); /* SAY: only ACTION (/me) */
    REQUIRE(m.type == PT_SAY);
    m.flags = PROTO_FLAG_ACTION;
    expect_both(&m, PROTO_OK, "SAY action", __LINE__);
    m.flags = PROTO_FLAG_HISTORY;
    expect_both(&m, PROTO_E_VALUE, "SAY with HISTORY", __LINE__);
    fill_msg(&m, &ref_types[11], &s); /* PRIV: only ACTION */
    REQUIRE(m.type == PT_PRIV);
    m.flags = PROTO_FLAG_ACTION;
    expect_both(&m, PROTO_OK, "PRIV action", __LINE__);
    m.flags = PROTO_FLAG_MORE;
    expect_both(&m, PROTO_E_VALUE, "PRIV with MORE", __LINE__);

    fill_msg(&m, &ref_types[7], &s); /* ROOM_LIST: only MORE */
    REQUIRE(m.type == PT_ROOM_LIST);
    m.flags = PROTO_FLAG_HISTORY;
    expect_both(&m, PROTO_E_VALUE, "ROOM_LIST with HISTORY", __LINE__);
    m.flags = 0;
    expect_both(&m, PROTO_OK, "ROOM_LIST last", __LINE__);
    samples_free(&s);
}

/* ---- lists ------------------------------------------------------------------------------- */

TEST(proto_list_roundtrip)
{
    samples s;
    proto_msg m, d;
    buf frame;
    proto_reader r;
    proto_frame f;
    proto_entry e;
    size_t pos;
    int n;

    samples_init(&s);
    buf_init(&frame);
    fill_msg(&m, &ref_types[7], &s);
    REQUIRE(m.type == PT_ROOM_LIST && m.flags == (PROTO_FLAG_MORE | PROTO_FLAG_UPDATE));
    REQUIRE(proto_encode(&m, 0, &frame) == PROTO_OK);
    fill_msg(&m, &ref_types[14], &s);
    REQUIRE(m.type == PT_USER_LIST);
    m.flags = 0; /* the last frame of its list */
    REQUIRE(proto_encode(&m, 0, &frame) == PROTO_OK);

    proto_reader_init(&r, 0);
    CHECK_EQ_INT(proto_reader_feed(&r, frame.data, frame.len), PROTO_OK);

    REQUIRE(proto_reader_next(&r, &f) == 1);
    REQUIRE(proto_decode(f.type, f.body, f.len, &d) == PROTO_OK);
    CHECK_EQ_INT(d.type, PT_ROOM_LIST);
    CHECK_EQ_INT(d.flags, PROTO_FLAG_MORE | PROTO_FLAG_UPDATE);
    CHECK_EQ_INT(d.list.count, 3);
    for (pos = 0, n = 0; proto_list_next(&d.list, PT_ROOM_LIST, &pos, &e); n++) {
        REQUIRE(n < 3);
        CHECK(str_eq(e.name, proto_s(room_names[n])));
        CHECK_EQ_INT(e.value, room_members[n]);
        CHECK(str_eq(e.text, proto_s(room_topics[n])));
        CHECK(e.name.p != NULL && e.text.p != NULL);
    }
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(pos, d.list.n);
    CHECK_EQ_INT(proto_list_next(&d.list, PT_ROOM_LIST, &pos, &e), 0);

    REQUIRE(proto_reader_next(&r, &f) == 1);
    REQUIRE(proto_decode(f.type, f.body, f.len, &d) == PROTO_OK);
    CHECK_EQ_INT(d.type, PT_USER_LIST);
    CHECK_EQ_INT(d.flags, 0);
    CHECK(str_eq(d.room, m.room));
    for (pos = 0, n = 0; proto_list_next(&d.list, PT_USER_LIST, &pos, &e); n++) {
        REQUIRE(n < 3);
        CHECK(str_eq(e.name, proto_s(user_nicks[n])));
        CHECK_EQ_INT(e.value, user_presence[n]);
        CHECK(str_eq(e.text, proto_s(user_away[n])));
    }
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    proto_reader_free(&r);

    /* The same entries, built by the reference writer, are byte for byte what list_put made. */
    {
        buf ref;
        int i;
        buf_init(&ref);
        for (i = 0; i < 3; i++)
            ref_room_entry(&ref, room_names[i], room_members[i], room_topics[i]);
        CHECK(ref.len == s.rooms.len && memcmp(ref.data, s.rooms.data, ref.len) == 0);
        buf_reset(&ref);
        for (i = 0; i < 3; i++)
            ref_user_entry(&ref, user_nicks[i], user_presence[i], user_away[i]);
        CHECK(ref.len == s.users.len && memcmp(ref.data, s.users.data, ref.len) == 0);
        buf_free(&ref);
    }

    /* A list of many entries split over frames with MORE, as a server sends a big room list. */
    {
        buf entries, all;
        int i, total = 0, frames = 0, more = 1;
        buf_init(&entries);
        buf_init(&all);
        memset(&m, 0, sizeof m);
        m.type = PT_ROOM_LIST;
        for (i = 0; i < 250; i++) {
            char name[32];
            proto_entry pe;
            snprintf(name, sizeof name, "room-%03d", i);
            pe.name = proto_s(name);
            pe.value = (uint32_t)i;
            pe.text = proto_s(i % 3 ? "" : "a topic");
            proto_list_put(&entries, PT_ROOM_LIST, &pe);
            m.list.count++;
            if (m.list.count == 100 || i == 249) {
                m.flags = i == 249 ? 0 : PROTO_FLAG_MORE;
                m.list.p = entries.data;
                m.list.n = entries.len;
                CHECK_EQ_INT(proto_encode(&m, 0, &all), PROTO_OK);
                buf_reset(&entries);
                m.list.count = 0;
            }
        }
        proto_reader_init(&r, 0);
        CHECK_EQ_INT(proto_reader_feed(&r, all.data, all.len), PROTO_OK);
        while (more && proto_reader_next(&r, &f) == 1) {
            REQUIRE(proto_decode(f.type, f.body, f.len, &d) == PROTO_OK);
            frames++;
            for (pos = 0; proto_list_next(&d.list, PT_ROOM_LIST, &pos, &e); total++) {
                char name[32];
                snprintf(name, sizeof name, "room-%03d", total);
                CHECK(str_eq(e.name, proto_s(name)));
                CHECK_EQ_INT(e.value, total);
            }
            more = (d.flags & PROTO_FLAG_MORE) != 0;
        }
        CHECK_EQ_INT(frames, 3);
        CHECK_EQ_INT(total, 250);
        CHECK_EQ_INT(more, 0);
        proto_reader_free(&r);
        buf_free(&entries);
        buf_free(&all);
    }
    buf_free(&frame);
    samples_free(&s);
}

/* Builds a USER_LIST body whose entries come from the reference writer (unvalidated). */
static int decode_user_list(const buf *entries, uint16_t count)
{
    buf body;
    proto_msg m;
    int rc;
    buf_init(&body);
    buf_put_u8(&body, 0);
    ref_str(&body, proto_s("room"));
    buf_put_u16(&body, count);
    buf_append(&body, entries->data, entries->len);
    rc = decode_exact(PT_USER_LIST, body.data, body.len, &m, NULL);
    buf_free(&body);
    return rc;
}

TEST(proto_list_invalid)
{
    buf entries;
    proto_entry e;
    proto_msg m;
    proto_list hand;
    size_t pos = 0;
    char nick33[PROTO_NICK_MAX + 2];

    buf_init(&entries);
    ref_user_entry(&entries, "alice", PRESENCE_ONLINE, "");
    ref_user_entry(&entries, "bob", PRESENCE_AWAY, "gone");
    CHECK_EQ_INT(decode_user_list(&entries, 2), PROTO_OK);
    CHECK_EQ_INT(decode_user_list(&entries, 3), PROTO_E_TRUNCATED); /* count says more */
    CHECK_EQ_INT(decode_user_list(&entries, 1), PROTO_E_TRAILING);  /* count says fewer */

    /* A bad third entry fails the whole frame at decode time. */
    ref_user_entry(&entries, "c\xff", PRESENCE_ONLINE, "");
    CHECK_EQ_INT(decode_user_list(&entries, 3), PROTO_E_UTF8);
    buf_reset(&entries);
    ref_user_entry(&entries, "alice", 2, "");
    CHECK_EQ_INT(decode_user_list(&entries, 1), PROTO_E_VALUE);
    buf_reset(&entries);
    ref_user_entry(&entries, "alice", 0, "line\nbreak");
    CHECK_EQ_INT(decode_user_list(&entries, 1), PROTO_E_UTF8);
    buf_reset(&entries);
    memset(nick33, 'n', sizeof nick33);
    nick33[PROTO_NICK_MAX + 1] = '\0';
    ref_user_entry(&entries, nick33, 0, "");
    CHECK_EQ_INT(decode_user_list(&entries, 1), PROTO_E_LENGTH);

    /* list_put refuses the same entries: nothing appended, the buffer marked failed. */
    buf_reset(&entries);
    e.name = proto_s("c\xff");
    e.value = 0;
    e.text = proto_s("");
    proto_list_put(&entries, PT_USER_LIST, &e);
    CHECK(buf_failed(&entries));
    CHECK_EQ_INT(entries.len, 0);
    buf_reset(&entries);
    e.name = proto_s("dave");
    e.value = 2;
    proto_list_put(&entries, PT_USER_LIST, &e);
    CHECK(buf_failed(&entries));
    buf_reset(&entries);
    e.value = 0x100; /* would wrap to presence 0 in a u8 */
    proto_list_put(&entries, PT_USER_LIST, &e);
    CHECK(buf_failed(&entries));
    buf_reset(&entries);
    e.value = 5;
    proto_list_put(&entries, PT_SAY, &e); /* not a list type */
    CHECK(buf_failed(&entries));
    buf_reset(&entries);
    e.value = 0xFFFFFFFFu;
    proto_list_put(&entries, PT_ROOM_LIST, &e); /* any member count is fine */
    CHECK(!buf_failed(&entries));

    /* The encoder checks the list against its count. */
    memset(&m, 0, sizeof m);
    m.type = PT_ROOM_LIST;
    m.list.p = entries.data;
    m.list.n = entries.len;
    m.list.count = 1;
    expect_both(&m, PROTO_OK, "one room", __LINE__);
    m.list.count = 2;
    expect_both(&m, PROTO_E_TRUNCATED, "count over the entries", __LINE__);
    m.list.count = 0;
    expect_both(&m, PROTO_E_TRAILING, "count under the entries", __LINE__);

    /* Walking a hand-made broken list stops instead of over-reading. */
    {
        static const uint8_t broken[] = {0, 9, 'a'};
        hand.p = broken;
        hand.n = sizeof broken;
        hand.count = 1;
        CHECK_EQ_INT(proto_list_next(&hand, PT_ROOM_LIST, &pos, &e), 0);
        CHECK_EQ_INT(pos, sizeof broken);
        pos = 0;
        CHECK_EQ_INT(proto_list_next(&hand, PT_JOIN, &pos, &e), 0);
    }
    buf_free(&entries);
}

/* ---- encoder ----------------------------------------------------------------------------- */

TEST(proto_encode_refuses)
{
    samples s;
    proto_msg m;
    samples_init(&s);

    fill_msg(&m, &ref_types[9], &s); /* SAY */
    REQUIRE(m.type == PT_SAY);
    m.room.p = NULL; /* a length without bytes */
    expect_encode(&m, PROTO_E_VALUE, "NULL string with a length", __LINE__);
    m.room = proto_s("lobby");
    m.text.p = NULL;
    m.text.n = 0; /* an empty string may be NULL */
    expect_both(&m, PROTO_OK, "NULL empty text", __LINE__);

    memset(&m, 0, sizeof m);
    m.type = 0x99;
    {
        buf out;
        buf_init(&out);
        buf_append(&out, "prefix", 6);
        CHECK_EQ_INT(proto_encode(&m, 0, &out), PROTO_E_TYPE);
        CHECK(out.len == 6 && memcmp(out.data, "prefix", 6) == 0);
        buf_free(&out);
    }

    /* A list whose bytes are not entries. */
    memset(&m, 0, sizeof m);
    m.type = PT_ROOM_LIST;
    m.list.p = (const uint8_t *)"\x00\x05" "ab";
    m.list.n = 4;
    m.list.count = 1;
    expect_both(&m, PROTO_E_TRUNCATED, "garbage list", __LINE__);
    m.list.p = NULL;
    expect_encode(&m, PROTO_E_VALUE, "NULL list with a length", __LINE__);
    samples_free(&s);
}

TEST(proto_encode_tail)
{
    proto_msg m;
    buf out;
    size_t body;
    char *big;

    memset(&m, 0, sizeof m);
    m.type = PT_SAY;
    m.tag = 1;
    m.room = proto_s("r");
    m.text = proto_s("hello");
    buf_init(&out);
    buf_append(&out, "xy", 2);
    CHECK_EQ_INT(proto_encode(&m, 16, &out), PROTO_OK);
    body = 4 + 2 + 1 + 2 + 5 + 1;
    /* Header counts the tail; only header + body were appended. */
    CHECK_EQ_INT(out.len, 2 + PROTO_HEADER_SIZE + body);
    CHECK_EQ_INT(be_get32(out.data + 2), body + 16);
    CHECK(memcmp(out.data, "xy", 2) == 0);

    /* Nothing over the hard limit may be built, tail included. */
    buf_reset(&out);
    CHECK_EQ_INT(proto_encode(&m, PROTO_MAX_FRAME_HARD - body, &out), PROTO_OK);
    CHECK_EQ_INT(be_get32(out.data), PROTO_MAX_FRAME_HARD);
    buf_reset(&out);
    CHECK_EQ_INT(proto_encode(&m, PROTO_MAX_FRAME_HARD - body + 1, &out), PROTO_E_TOO_BIG);
    CHECK_EQ_INT(proto_encode(&m, (size_t)-1, &out), PROTO_E_TOO_BIG);
    CHECK_EQ_INT(out.len, 0);

    /* A list too big for any frame is refused as such. */
    {
        buf entries;
        proto_entry e;
        int i;
        big = (char *)malloc(PROTO_TOPIC_MAX + 1);
        REQUIRE(big != NULL);
        memset(big, 't', PROTO_TOPIC_MAX);
        big[PROTO_TOPIC_MAX] = '\0';
        buf_init(&entries);
        e.name = proto_s("room");
        e.value = 1;
        e.text = proto_s(big);
        for (i = 0; i < 2100; i++)
            proto_list_put(&entries, PT_ROOM_LIST, &e);
        memset(&m, 0, sizeof m);
        m.type = PT_ROOM_LIST;
        m.list.p = entries.data;
        m.list.n = entries.len;
        m.list.count = 2100;
        CHECK_EQ_INT(proto_encode(&m, 0, &out), PROTO_E_TOO_BIG);
        CHECK_EQ_INT(out.len, 0);
        buf_free(&entries);
        free(big);
    }
    buf_free(&out);
}

/* ---- frame reader ------------------------------------------------------------------------ */

/* Appends a record of every frame the reader yields now (header, length, body) to log. */
static int drain(proto_reader *r, buf *log)
{
    proto_frame f;
    int rc;
    while ((rc = proto_reader_next(r, &f)) == 1) {
        buf_append(log, f.header, PROTO_HEADER_SIZE);
        buf_put_u32(log, (uint32_t)f.len);
        buf_put_u8(log, f.type);
        buf_put_u8(log, f.version);
        buf_append(log, f.body, f.len);
        /* The body is the caller's to change in place (the cipher layer opens it there). */
        if (f.len)
            f.body[0] ^= 0x5a;
    }
    return rc;
}

/* A stream of 5 frames: HELLO, SAY, ROOM_LIST with MORE, ROOMS (empty), and a MSG sealed
 * with a 16-byte tail as a cipher would leave it. */
static void build_stream(buf *stream, const samples *s)
{
    proto_msg m;
    size_t i;
    fill_msg(&m, &ref_types[0], s);
    proto_encode(&m, 0, stream);
    fill_msg(&m, &ref_types[9], s);
    proto_encode(&m, 0, stream);
    fill_msg(&m, &ref_types[7], s);
    proto_encode(&m, 0, stream);
    fill_msg(&m, &ref_types[6], s);
    proto_encode(&m, 0, stream);
    fill_msg(&m, &ref_types[10], s);
    proto_encode(&m, 16, stream);
    for (i = 0; i < 16; i++)
        buf_put_u8(stream, 0xEE);
}

TEST(proto_reader_splits)
{
    samples s;
    buf stream, want, got;
    proto_reader r;
    size_t cut, i;

    samples_init(&s);
    buf_init(&stream);
    buf_init(&want);
    buf_init(&got);
    build_stream(&stream, &s);
    REQUIRE(!buf_failed(&stream));

    proto_reader_init(&r, 0);
    CHECK_EQ_INT(proto_reader_feed(&r, stream.data, stream.len), PROTO_OK);
    CHECK_EQ_INT(drain(&r, &want), 0);
    proto_reader_free(&r);

    /* The reference run saw the 5 frames, each decodable (the sealed one minus its tail). */
    {
        proto_reader r2;
        proto_frame f;
        proto_msg m;
        int n = 0;
        static const uint8_t types[] = {PT_HELLO, PT_SAY, PT_ROOM_LIST, PT_ROOMS, PT_MSG};
        proto_reader_init(&r2, 0);
        proto_reader_feed(&r2, stream.data, stream.len);
        while (proto_reader_next(&r2, &f) == 1) {
            REQUIRE(n < 5);
            CHECK_EQ_INT(f.type, types[n]);
            CHECK_EQ_INT(proto_decode(f.type, f.body, f.len - (n == 4 ? 16 : 0), &m), PROTO_OK);
            n++;
        }
        CHECK_EQ_INT(n, 5);
        proto_reader_free(&r2);
    }

    /* Byte by byte. */
    proto_reader_init(&r, 0);
    for (i = 0; i < stream.len; i++) {
        CHECK_EQ_INT(proto_reader_feed(&r, stream.data + i, 1), PROTO_OK);
        CHECK(drain(&r, &got) == 0);
    }
    CHECK(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
    CHECK_EQ_INT(proto_reader_pending(&r), 0);
    proto_reader_free(&r);

    /* Every two-piece split, draining between the pieces or only at the end. */
    for (cut = 0; cut <= stream.len; cut++) {
        int between;
        for (between = 0; between < 2; between++) {
            buf_reset(&got);
            proto_reader_init(&r, 0);
            CHECK_EQ_INT(proto_reader_feed(&r, stream.data, cut), PROTO_OK);
            if (between)
                CHECK(drain(&r, &got) == 0);
            CHECK_EQ_INT(proto_reader_feed(&r, stream.data + cut, stream.len - cut), PROTO_OK);
            CHECK(drain(&r, &got) == 0);
            if (got.len != want.len || memcmp(got.data, want.data, want.len) != 0)
                test_failf_at(__FILE__, __LINE__, "split at %lu (drain between: %d) differs",
                              (unsigned long)cut, between);
            CHECK(r.data == NULL && r.cap == 0);
            proto_reader_free(&r);
        }
    }
    buf_free(&stream);
    buf_free(&want);
    buf_free(&got);
    samples_free(&s);
}

static void put_header(uint8_t *h, uint32_t len, uint8_t version, uint8_t type)
{
    be_put32(h, len);
    h[4] = version;
    h[5] = type;
}

/* Feeds a bad header (alone, then followed by good frames) and checks the error sticks. */
static void expect_sticky(const uint8_t h[PROTO_HEADER_SIZE], size_t max_body, int want,
                          int line)
{
    proto_reader r;
    proto_frame f;
    uint8_t good[PROTO_HEADER_SIZE + 8];
    int rc;

    put_header(good, 8, PROTO_VERSION, PT_PING);
    memset(good + PROTO_HEADER_SIZE, 1, 8);

    proto_reader_init(&r, max_body);
    /* In two pieces, so that next sees the header complete only after the second. */
    rc = proto_reader_feed(&r, h, 2);
    if (rc != PROTO_OK || proto_reader_next(&r, &f) != 0)
        test_failf_at(__FILE__, line, "a partial header was judged");
    rc = proto_reader_feed(&r, h + 2, PROTO_HEADER_SIZE - 2);
    if (rc != PROTO_OK && rc != want)
        test_failf_at(__FILE__, line, "feed: %s", proto_status_text(rc));
    /* Refused on the header alone: the body is never awaited. */
    rc = proto_reader_next(&r, &f);
    if (rc != want)
        test_failf_at(__FILE__, line, "next: %s, expected %s", proto_status_text(rc),
                      proto_status_text(want));
    if (r.data != NULL || proto_reader_pending(&r) != 0)
        test_failf_at(__FILE__, line, "a failed reader still holds memory");
    proto_reader_free(&r);

    /* Feeding alone (no next in between) refuses the header: what follows is not buffered. */
    proto_reader_init(&r, max_body);
    rc = proto_reader_feed(&r, h, PROTO_HEADER_SIZE);
    if (rc != want)
        test_failf_at(__FILE__, line, "feed of the header alone: %s", proto_status_text(rc));
    rc = proto_reader_feed(&r, good, sizeof good);
    if (rc != want || r.data != NULL || proto_reader_pending(&r) != 0)
        test_failf_at(__FILE__, line, "bytes after a bad header were buffered");
    if (proto_reader_feed(&r, good, sizeof good) != want || proto_reader_next(&r, &f) != want ||
        proto_reader_next(&r, &f) != want)
        test_failf_at(__FILE__, line, "the error did not stick");
    proto_reader_free(&r);

    /* After a good frame in the same piece: the good frame first, then the error. */
    {
        uint8_t both[sizeof good + PROTO_HEADER_SIZE];
        memcpy(both, good, sizeof good);
        memcpy(both + sizeof good, h, PROTO_HEADER_SIZE);
        proto_reader_init(&r, max_body);
        rc = proto_reader_feed(&r, both, sizeof both);
        if (rc != PROTO_OK)
            test_failf_at(__FILE__, line, "feed of a good frame first: %s", proto_status_text(rc));
        if (proto_reader_next(&r, &f) != 1 || f.type != PT_PING)
            test_failf_at(__FILE__, line, "the good frame was not yielded first");
        if (proto_reader_next(&r, &f) != want)
            test_failf_at(__FILE__, line, "no error after the good frame");
        proto_reader_free(&r);
    }
}

TEST(proto_reader_too_big)
{
    uint8_t h[PROTO_HEADER_SIZE];
    proto_reader r;
    proto_frame f;
    buf frame;
    proto_msg m;
    char text[99];

    put_header(h, 101, PROTO_VERSION, PT_SAY);
    expect_sticky(h, 100, PROTO_E_TOO_BIG, __LINE__);
    put_header(h, 0xFFFFFFFFu, PROTO_VERSION, PT_SAY);
    expect_sticky(h, 0, PROTO_E_TOO_BIG, __LINE__);
    put_header(h, PROTO_MAX_FRAME_DEFAULT + 1, PROTO_VERSION, PT_SAY);
    expect_sticky(h, 0, PROTO_E_TOO_BIG, __LINE__);
    put_header(h, PROTO_MAX_FRAME_HARD + 1, PROTO_VERSION, PT_SAY);
    expect_sticky(h, (size_t)PROTO_MAX_FRAME_HARD * 4, PROTO_E_TOO_BIG, __LINE__);

    /* Exactly max_body is fine: a WALL of 98 bytes of text has a 100-byte body. */
    memset(text, 'w', 98);
    text[98] = '\0';
    memset(&m, 0, sizeof m);
    m.type = PT_WALL;
    m.text = proto_s(text);
    buf_init(&frame);
    REQUIRE(proto_encode(&m, 0, &frame) == PROTO_OK);
    CHECK_EQ_INT(frame.len, PROTO_HEADER_SIZE + 100);
    proto_reader_init(&r, 100);
    CHECK_EQ_INT(proto_reader_feed(&r, frame.data, frame.len), PROTO_OK);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 1);
    CHECK_EQ_INT(f.len, 100);
    proto_reader_free(&r);
    buf_free(&frame);

    /* The defaults: 0 is the default limit, above the hard limit is the hard limit. */
    proto_reader_init(&r, 0);
    CHECK_EQ_INT(r.max_body, PROTO_MAX_FRAME_DEFAULT);
    proto_reader_init(&r, (size_t)PROTO_MAX_FRAME_HARD + 1);
    CHECK_EQ_INT(r.max_body, PROTO_MAX_FRAME_HARD);
}

TEST(proto_reader_bad_version)
{
    uint8_t h[PROTO_HEADER_SIZE];
    put_header(h, 8, 0, PT_PING);
    expect_sticky(h, 0, PROTO_E_VERSION, __LINE__);
    put_header(h, 8, PROTO_VERSION + 1, PT_PING);
    expect_sticky(h, 0, PROTO_E_VERSION, __LINE__);
    put_header(h, 8, 0xFF, PT_PING);
    expect_sticky(h, 0, PROTO_E_VERSION, __LINE__);
}

TEST(proto_reader_unknown_type)
{
    uint8_t h[PROTO_HEADER_SIZE];
    static const uint8_t bad[] = {0x00, 0x09, 0x15, 0x2F, 0x35, 0x42, 0x55, 0x6C, 0xFF};
    size_t i;
    for (i = 0; i < sizeof bad; i++) {
        put_header(h, 0, PROTO_VERSION, bad[i]);
        expect_sticky(h, 0, PROTO_E_TYPE, __LINE__);
    }
}

TEST(proto_reader_idle_memory)
{
    samples s;
    buf stream;
    proto_reader r;
    proto_frame f;
    proto_msg m;
    size_t i;

    samples_init(&s);
    buf_init(&stream);
    fill_msg(&m, &ref_types[9], &s);
    REQUIRE(proto_encode(&m, 0, &stream) == PROTO_OK);

    proto_reader_init(&r, 0);
    CHECK(r.data == NULL && r.cap == 0);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    CHECK_EQ_INT(proto_reader_feed(&r, stream.data, 0), PROTO_OK);
    CHECK(r.data == NULL && r.cap == 0);

    /* A whole frame: held while yielded, released by the call that finds nothing more. */
    CHECK_EQ_INT(proto_reader_feed(&r, stream.data, stream.len), PROTO_OK);
    CHECK_EQ_INT(proto_reader_pending(&r), stream.len);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 1);
    CHECK_EQ_INT(proto_reader_pending(&r), 0);
    CHECK_EQ_INT(f.type, PT_SAY);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    CHECK(r.data == NULL && r.cap == 0);

    /* Byte by byte: memory while a frame is partial, none once it is through. */
    for (i = 0; i < stream.len; i++) {
        CHECK_EQ_INT(proto_reader_feed(&r, stream.data + i, 1), PROTO_OK);
        if (i + 1 < stream.len) {
            CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
            CHECK_EQ_INT(proto_reader_pending(&r), i + 1);
            CHECK(r.data != NULL);
        }
    }
    CHECK_EQ_INT(proto_reader_next(&r, &f), 1);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    CHECK(r.data == NULL && r.cap == 0);

    /* free is safe at any time and twice. */
    CHECK_EQ_INT(proto_reader_feed(&r, stream.data, 3), PROTO_OK);
    proto_reader_free(&r);
    CHECK(r.data == NULL && r.cap == 0 && proto_reader_pending(&r) == 0);
    proto_reader_free(&r);
    buf_free(&stream);
    samples_free(&s);
}

TEST(proto_reader_compaction)
{
    /* 3 bytes, then pieces of 1.5 frames: the reader is never empty after a piece (it always
     * holds part of a frame), so without compaction its buffer would grow with the stream. */
    samples s;
    buf stream;
    proto_reader r;
    proto_frame f;
    proto_msg m;
    size_t flen, piece, off = 0, max_cap = 0;
    int frames = 0, i;

    samples_init(&s);
    buf_init(&stream);
    /* A chat message type whose sample frame has a suitable length (see below). */
    for (i = 9; i <= 12; i++) {
        fill_msg(&m, &ref_types[i], &s);
        REQUIRE(proto_encode(&m, 0, &stream) == PROTO_OK);
        flen = stream.len;
        buf_reset(&stream);
        if (flen % 2 == 0 && 3 % (flen / 2) != 0)
            break;
    }
    for (i = 0; i < 2000; i++) {
        m.tag = (uint32_t)i;
        REQUIRE(proto_encode(&m, 0, &stream) == PROTO_OK);
    }
    flen = stream.len / 2000;
    piece = flen + flen / 2;
    REQUIRE(flen % 2 == 0 && 3 % (flen / 2) != 0); /* so the pieces never end on a frame */
    proto_reader_init(&r, 0);
    while (off < stream.len) {
        size_t n = off == 0 ? 3 : stream.len - off < piece ? stream.len - off : piece;
        CHECK_EQ_INT(proto_reader_feed(&r, stream.data + off, n), PROTO_OK);
        off += n;
        while (proto_reader_next(&r, &f) == 1) {
            proto_msg d;
            REQUIRE(proto_decode(f.type, f.body, f.len, &d) == PROTO_OK);
            CHECK_EQ_INT(d.tag, frames);
            frames++;
        }
        if (r.cap > max_cap)
            max_cap = r.cap;
        if (off < stream.len)
            CHECK(proto_reader_pending(&r) > 0);
    }
    CHECK_EQ_INT(frames, 2000);
    if (max_cap > 4 * piece + 256)
        test_failf_at(__FILE__, __LINE__, "buffer grew to %lu for pieces of %lu",
                      (unsigned long)max_cap, (unsigned long)piece);
    CHECK(r.data == NULL);
    proto_reader_free(&r);
    buf_free(&stream);
    samples_free(&s);
}

TEST(proto_reader_large_frame)
{
    /* A 300 KB body fed byte by byte: geometric growth keeps this linear, and the capacity
     * stays within twice what is needed. */
    size_t body = 300 * 1024, i, last_cap = 0;
    int grew = 0;
    uint8_t *frame = (uint8_t *)malloc(PROTO_HEADER_SIZE + body);
    proto_reader r;
    proto_frame f;
    REQUIRE(frame != NULL);
    put_header(frame, (uint32_t)body, PROTO_VERSION, PT_WALL);
    for (i = 0; i < body; i++)
        frame[PROTO_HEADER_SIZE + i] = (uint8_t)(i * 31);
    proto_reader_init(&r, PROTO_MAX_FRAME_HARD);
    for (i = 0; i < PROTO_HEADER_SIZE + body; i++) {
        REQUIRE(proto_reader_feed(&r, frame + i, 1) == PROTO_OK);
        if (r.cap != last_cap) {
            grew++;
            last_cap = r.cap;
        }
        if (i + 1 < PROTO_HEADER_SIZE + body && (i & 0xfff) == 0)
            CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    }
    CHECK(r.cap >= PROTO_HEADER_SIZE + body && r.cap <= 2 * (PROTO_HEADER_SIZE + body));
    /* Geometric: a handful of reallocations, not one per byte. */
    if (grew > 24)
        test_failf_at(__FILE__, __LINE__, "the buffer changed size %d times", grew);
    REQUIRE(proto_reader_next(&r, &f) == 1);
    CHECK_EQ_INT(f.len, body);
    CHECK(memcmp(f.body, frame + PROTO_HEADER_SIZE, body) == 0);
    CHECK_EQ_INT(proto_reader_next(&r, &f), 0);
    CHECK(r.data == NULL);
    proto_reader_free(&r);
    free(frame);
}

/* ---- fuzzing ----------------------------------------------------------------------------- */

static uint64_t fuzz_state;

static uint32_t fuzz_next(void)
{
    /* xorshift64*: fixed seed, same sequence everywhere. */
    fuzz_state ^= fuzz_state >> 12;
    fuzz_state ^= fuzz_state << 25;
    fuzz_state ^= fuzz_state >> 27;
    return (uint32_t)((fuzz_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static size_t fuzz_below(size_t n)
{
    return n ? fuzz_next() % n : 0;
}

static void mutate(buf *b)
{
    int k, rounds = 1 + (int)fuzz_below(4);
    for (k = 0; k < rounds; k++) {
        size_t pos = fuzz_below(b->len);
        switch (fuzz_below(8)) {
        case 0: /* flip a bit */
            if (b->len)
                b->data[pos] ^= (uint8_t)(1u << fuzz_below(8));
            break;
        case 1: /* a random byte */
            if (b->len)
                b->data[pos] = (uint8_t)fuzz_next();
            break;
        case 2: /* cut */
            b->len = pos;
            break;
        case 3: { /* append a few random bytes */
            size_t n = 1 + fuzz_below(8);
            while (n--)
                buf_put_u8(b, (uint8_t)fuzz_next());
            break;
        }
        case 4: /* a string length or count byte made small or huge */
            if (b->len > PROTO_HEADER_SIZE + 1) {
                pos = PROTO_HEADER_SIZE + fuzz_below(b->len - PROTO_HEADER_SIZE - 1);
                b->data[pos] = (uint8_t)(fuzz_below(2) ? 0 : 0xFF);
            }
            break;
        case 5: /* the header length nudged */
            if (b->len >= PROTO_HEADER_SIZE)
                be_put32(b->data, be_get32(b->data) + (uint32_t)fuzz_below(5) - 2);
            break;
        case 6: /* the header length made to match the (mutated) body */
            if (b->len >= PROTO_HEADER_SIZE)
                be_put32(b->data, (uint32_t)(b->len - PROTO_HEADER_SIZE));
            break;
        default: /* another type */
            if (b->len >= PROTO_HEADER_SIZE)
                b->data[5] = ref_types[fuzz_below(NTYPES)].type;
            break;
        }
    }
}

/* Decodes one body; when it decodes, re-encoding must give back the very same bytes. */
static void fuzz_check_body(uint8_t type, const uint8_t *body, size_t len, int *decoded)
{
    proto_msg m;
    uint8_t *copy = NULL;
    int rc = decode_exact(type, body, len, &m, &copy);
    CHECK(rc <= PROTO_OK && rc >= PROTO_E_NOMEM);
    if (rc == PROTO_OK) {
        buf again;
        proto_entry e;
        size_t pos = 0;
        (*decoded)++;
        buf_init(&again);
        CHECK_EQ_INT(proto_encode(&m, 0, &again), PROTO_OK);
        if (again.len != PROTO_HEADER_SIZE + len ||
            (len && memcmp(again.data + PROTO_HEADER_SIZE, copy, len) != 0))
            test_failf_at(__FILE__, __LINE__, "%s re-encodes differently",
                          proto_type_name(type));
        if (type == PT_ROOM_LIST || type == PT_USER_LIST) {
            unsigned n = 0;
            while (proto_list_next(&m.list, type, &pos, &e))
                n++;
            CHECK_EQ_INT(n, m.list.count);
        }
        buf_free(&again);
    }
    free(copy);
}

TEST(proto_fuzz)
{
    samples s;
    buf frames[NTYPES], b;
    size_t i;
    int iter, decoded = 0, yielded = 0;

    fuzz_state = 0x9E3779B97F4A7C15ull;
    samples_init(&s);
    for (i = 0; i < NTYPES; i++) {
        proto_msg m;
        buf_init(&frames[i]);
        fill_msg(&m, &ref_types[i], &s);
        REQUIRE(proto_encode(&m, 0, &frames[i]) == PROTO_OK);
    }
    buf_init(&b);
    for (iter = 0; iter < 5000; iter++) {
        proto_reader r;
        proto_frame f;
        size_t off = 0;
        int rc = 0;

        /* One to three frames, mutated, fed in random pieces. */
        buf_reset(&b);
        for (i = 1 + fuzz_below(3); i > 0; i--) {
            const buf *src = &frames[fuzz_below(NTYPES)];
            buf one;
            buf_init(&one);
            buf_append(&one, src->data, src->len);
            if (fuzz_below(4) != 0)
                mutate(&one);
            buf_append(&b, one.data, one.len);
            buf_free(&one);
        }
        proto_reader_init(&r, fuzz_below(2) ? 0 : 64 + fuzz_below(256));
        while (off < b.len && rc >= 0) {
            size_t n = 1 + fuzz_below(64);
            if (n > b.len - off)
                n = b.len - off;
            rc = proto_reader_feed(&r, b.data + off, n);
            off += n;
            while (rc >= 0 && (rc = proto_reader_next(&r, &f)) == 1) {
                yielded++;
                CHECK(f.len <= r.max_body);
                CHECK(proto_type_known(f.type));
                fuzz_check_body(f.type, f.body, f.len, &decoded);
            }
        }
        proto_reader_free(&r);

        /* The same bytes as a body of some type, straight to the decoder. */
        if (b.len > PROTO_HEADER_SIZE)
            fuzz_check_body(ref_types[fuzz_below(NTYPES)].type, b.data + PROTO_HEADER_SIZE,
                            b.len - PROTO_HEADER_SIZE, &decoded);
    }
    /* The fuzzer must reach the decoder's success path as well as its failures. */
    CHECK(yielded > 1000);
    CHECK(decoded > 500);
    for (i = 0; i < NTYPES; i++)
        buf_free(&frames[i]);
    buf_free(&b);
    samples_free(&s);
}

/* Roll list entries: proto_list_put writes exactly the bytes PROTOCOL.md spells (nick, state,
 * u64 time, no text), the walk gives them back, and a state past ROLL_ACKED or a text is
 * refused. */
TEST(proto_roll_list_entries)
{
    samples s;
    buf entries;
    proto_entry e;
    proto_list list;
    size_t pos = 0;
    int i;

    samples_init(&s);
    buf_init(&entries);
    for (i = 0; i < 3; i++) {
        memset(&e, 0, sizeof e);
        e.name = proto_s(user_nicks[i]);
        e.value = roll_states[i];
        e.time = roll_times[i];
        proto_list_put(&entries, PT_ROLL_LIST, &e);
    }
    REQUIRE(!buf_failed(&entries));
    CHECK_EQ_INT(entries.len, s.rolls.len);
    CHECK(memcmp(entries.data, s.rolls.data, s.rolls.len) == 0);
    list.p = entries.data;
    list.n = entries.len;
    list.count = 3;
    for (i = 0; proto_list_next(&list, PT_ROLL_LIST, &pos, &e); i++) {
        REQUIRE(i < 3);
        CHECK(str_eq(e.name, proto_s(user_nicks[i])));
        CHECK_EQ_INT(e.value, roll_states[i]);
        CHECK(e.time == roll_times[i]);
        CHECK_EQ_INT(e.text.n, 0);
    }
    CHECK_EQ_INT(i, 3);
    buf_reset(&entries);
    memset(&e, 0, sizeof e);
    e.name = proto_s("alice");
    e.value = ROLL_ACKED + 1;
    proto_list_put(&entries, PT_ROLL_LIST, &e);
    CHECK(buf_failed(&entries));
    buf_free(&entries);
    buf_init(&entries);
    e.value = ROLL_SHOWN;
    e.text = proto_s("no text in a roll entry");
    proto_list_put(&entries, PT_ROLL_LIST, &e);
    CHECK(buf_failed(&entries));
    buf_free(&entries);
    samples_free(&s);
}

/* Account list entries: login, state, last login, display name, as PROTOCOL.md spells them;
 * a state with an unknown role or an unknown bit is refused on both sides. */
TEST(proto_account_list_entries)
{
    samples s;
    buf entries, body;
    proto_entry e;
    proto_list list;
    proto_msg m;
    size_t pos = 0;
    int i;
    static const uint8_t bad_states[] = {0x04, 0x0F, 0x40, 0x80, 0x13 | 0x40};

    samples_init(&s);
    buf_init(&entries);
    for (i = 0; i < 3; i++) {
        memset(&e, 0, sizeof e);
        e.name = proto_s(user_nicks[i]);
        e.value = account_states[i];
        e.time = roll_times[i];
        e.text = proto_s(account_displays[i]);
        proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
    }
    REQUIRE(!buf_failed(&entries));
    CHECK_EQ_INT(entries.len, s.accounts.len);
    CHECK(memcmp(entries.data, s.accounts.data, s.accounts.len) == 0);
    list.p = entries.data;
    list.n = entries.len;
    list.count = 3;
    for (i = 0; proto_list_next(&list, PT_ACCOUNT_LIST, &pos, &e); i++) {
        REQUIRE(i < 3);
        CHECK(str_eq(e.name, proto_s(user_nicks[i])));
        CHECK_EQ_INT(e.value, account_states[i]);
        CHECK(e.time == roll_times[i]);
        CHECK(str_eq(e.text, proto_s(account_displays[i])));
    }
    CHECK_EQ_INT(i, 3);
    CHECK_EQ_STR(proto_account_role_name(0x22 & PROTO_ACCOUNT_ROLE_MASK), "admin");
    CHECK_EQ_STR(proto_account_role_name(3), "alert");
    CHECK_EQ_STR(proto_account_role_name(4), "?");
    for (i = 0; i < (int)sizeof bad_states; i++) {
        /* The builder refuses the state... */
        buf_reset(&entries);
        entries.failed = 0;
        memset(&e, 0, sizeof e);
        e.name = proto_s("alice");
        e.value = bad_states[i];
        proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
        CHECK(buf_failed(&entries));
        /* ...and so does the decoder, written by hand. */
        buf_init(&body);
        buf_put_u8(&body, 0);
        buf_put_u16(&body, 1);
        buf_put_u16(&body, 5);
        buf_append(&body, "alice", 5);
        buf_put_u8(&body, bad_states[i]);
        buf_put_u64(&body, 0);
        buf_put_u16(&body, 0);
        CHECK_EQ_INT(proto_decode(PT_ACCOUNT_LIST, body.data, body.len, &m), PROTO_E_VALUE);
        buf_free(&body);
    }
    /* A display name over its limit. */
    buf_free(&entries);
    buf_init(&entries);
    memset(&e, 0, sizeof e);
    e.name = proto_s("alice");
    e.text = proto_s("a display name that is longer than sixty-four bytes, which is the limit");
    proto_list_put(&entries, PT_ACCOUNT_LIST, &e);
    CHECK(buf_failed(&entries));
    buf_free(&entries);
    samples_free(&s);
}
