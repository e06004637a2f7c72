/* proto.c — Parley's message codec (one table of message layouts walked by one encode loop and
 * one decode loop), the list helpers, and the incremental frame reader. */
#include "proto.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* ---- field and message tables ------------------------------------------------------------ */

/* What one field of a body is. A message layout is an ordered list of these. */
enum field_code {
    F_END = 0, /* terminates a layout; zero so that unused slots of a row end it */
    F_VERSION,
    F_CIPHERS,
    F_NONCE,
    F_SALT,
    F_MAC,
    F_ITERATIONS,
    F_CIPHER,
    F_MAX_FRAME,
    F_FLAGS,
    F_PRESENCE,
    F_EVENT,
    F_CODE,
    F_TAG,
    F_COUNT,
    F_DURATION,
    F_ID,
    F_TIME,
    F_AFTER,
    F_BEFORE,
    F_TOKEN,
    F_AGENT,
    F_SERVER,
    F_SHARE,
    F_ROOM,
    F_NICK,
    F_TARGET,
    F_TEXT,
    F_LIST,
    F_DISPLAY,
    F_BLOB,
    F_CODES
};

/* How a field is laid out on the wire. */
enum field_kind {
    K_U8,
    K_U16,
    K_U32,
    K_U64,
    K_BYTES,   /* fixed-size opaque bytes */
    K_STR,     /* u16 length + UTF-8 */
    K_CIPHERS, /* u8 count (1..PROTO_MAX_CIPHERS) + that many cipher ids */
    K_SHARE,   /* u8 length, 0 (none) or PROTO_SHARE_SIZE, + that many bytes */
    K_LIST,    /* u16 entry count + entries */
    K_BLOB     /* u16 length + that many opaque bytes */
};

/* Which values an enumerated u8 field may hold. */
enum field_check {
    V_ANY,
    V_CIPHER,
    V_PRESENCE,
    V_EVENT,
    V_FLAGS, /* the bits the message's layout allows */
    V_ROLL,  /* a proto_roll_state */
    V_ACCOUNT /* an account state: a role and PROTO_ACCOUNT_* bits */
};

typedef struct field_def {
    uint8_t kind;
    uint8_t check;
    uint16_t size; /* K_BYTES: byte count. K_STR: byte limit, 0 = the message's own limit */
    size_t offset; /* of the member in proto_msg */
} field_def;

#define FIELD(kind, check, size, member) {kind, check, size, offsetof(proto_msg, member)}

static const field_def field_defs[F_CODES] = {
    [F_END] = {K_U8, V_ANY, 0, 0},
    [F_VERSION] = FIELD(K_U16, V_ANY, 0, version),
    [F_CIPHERS] = FIELD(K_CIPHERS, V_CIPHER, 0, ciphers),
    [F_NONCE] = FIELD(K_BYTES, V_ANY, PROTO_NONCE_SIZE, nonce),
    [F_SALT] = FIELD(K_BYTES, V_ANY, PROTO_SALT_SIZE, salt),
    [F_MAC] = FIELD(K_BYTES, V_ANY, PROTO_MAC_SIZE, mac),
    [F_ITERATIONS] = FIELD(K_U32, V_ANY, 0, iterations),
    [F_CIPHER] = FIELD(K_U8, V_CIPHER, 0, cipher),
    [F_MAX_FRAME] = FIELD(K_U32, V_ANY, 0, max_frame),
    [F_FLAGS] = FIELD(K_U8, V_FLAGS, 0, flags),
    [F_PRESENCE] = FIELD(K_U8, V_PRESENCE, 0, presence),
    [F_EVENT] = FIELD(K_U8, V_EVENT, 0, event),
    [F_CODE] = FIELD(K_U16, V_ANY, 0, code),
    [F_TAG] = FIELD(K_U32, V_ANY, 0, tag),
    [F_COUNT] = FIELD(K_U32, V_ANY, 0, count),
    [F_DURATION] = FIELD(K_U32, V_ANY, 0, duration),
    [F_ID] = FIELD(K_U64, V_ANY, 0, id),
    [F_TIME] = FIELD(K_U64, V_ANY, 0, time),
    [F_AFTER] = FIELD(K_U64, V_ANY, 0, after),
    [F_BEFORE] = FIELD(K_U64, V_ANY, 0, before),
    [F_TOKEN] = FIELD(K_U64, V_ANY, 0, token),
    [F_AGENT] = FIELD(K_STR, V_ANY, PROTO_NAME_MAX, agent),
    [F_SERVER] = FIELD(K_STR, V_ANY, PROTO_NAME_MAX, server),
    [F_SHARE] = FIELD(K_SHARE, V_ANY, PROTO_SHARE_SIZE, share),
    [F_ROOM] = FIELD(K_STR, V_ANY, PROTO_ROOM_MAX, room),
    [F_NICK] = FIELD(K_STR, V_ANY, PROTO_NICK_MAX, nick),
    [F_TARGET] = FIELD(K_STR, V_ANY, 0, target),
    [F_TEXT] = FIELD(K_STR, V_ANY, 0, text),
    [F_LIST] = FIELD(K_LIST, V_ANY, 0, list),
    [F_DISPLAY] = FIELD(K_STR, V_ANY, PROTO_DISPLAY_MAX, display),
    [F_BLOB] = FIELD(K_BLOB, V_ANY, 0, blob),
};

#define LAYOUT_FIELDS 9 /* the longest layout (SEARCH) has 8 fields; the 9th slot always ends it */

/* One message type: which flag bits it may carry, what its target and text may hold, and its
 * fields in wire order. Target and text are the only strings whose limits depend on the
 * message (a PRIV target is a nick, a BAN target may be an address; SAY text is chat, PART
 * text a one-line reason). */
typedef struct msg_layout {
    uint8_t type;
    uint8_t flags;      /* allowed bits of F_FLAGS */
    uint16_t target_max;
    uint16_t text_max;
    uint8_t text_lines; /* 1: text is chat text, '\n' and '\t' allowed */
    uint8_t fields[LAYOUT_FIELDS];
} msg_layout;

/* Text rules, as the last three columns before the field list. */
#define NO_TEXT 0, 0
#define CHAT_TEXT PROTO_TEXT_MAX, 1
#define LINE_TEXT(max) max, 0

static const msg_layout layouts[] = {
    {PT_HELLO, 0, 0, NO_TEXT, {F_VERSION, F_CIPHERS, F_NONCE, F_AGENT, F_SHARE}},
    {PT_CHALLENGE, 0, 0, NO_TEXT,
     {F_VERSION, F_CIPHER, F_NONCE, F_SALT, F_ITERATIONS, F_SERVER, F_SHARE}},
    {PT_PROOF, 0, 0, NO_TEXT, {F_MAC, F_NICK}},
    {PT_WELCOME, 0, 0, CHAT_TEXT, {F_MAC, F_NICK, F_MAX_FRAME, F_TEXT}},
    {PT_LOGIN, 0, 0, LINE_TEXT(PROTO_LOGIN_MAX), {F_TEXT}},
    {PT_JOIN, 0, 0, NO_TEXT, {F_ROOM}},
    {PT_PART, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_ROOM, F_TEXT}},
    {PT_ROOMS, 0, 0, NO_TEXT, {F_END}},
    {PT_ROOM_LIST, PROTO_FLAG_MORE | PROTO_FLAG_UPDATE, 0, NO_TEXT, {F_FLAGS, F_LIST}},
    /* Both directions carry the nick so that the layout does not depend on who sent the
     * frame (the decoder cannot know); a client sends it empty and the server ignores it. */
    {PT_TOPIC, 0, 0, LINE_TEXT(PROTO_TOPIC_MAX), {F_ROOM, F_NICK, F_TEXT}},
    {PT_SAY, PROTO_FLAG_ACTION, 0, CHAT_TEXT, {F_TAG, F_ROOM, F_TEXT, F_FLAGS}},
    {PT_MSG, PROTO_FLAG_HISTORY | PROTO_FLAG_ACTION, 0, CHAT_TEXT,
     {F_ID, F_TIME, F_FLAGS, F_TAG, F_ROOM, F_NICK, F_TEXT}},
    {PT_PRIV, PROTO_FLAG_ACTION, PROTO_NICK_MAX, CHAT_TEXT, {F_TAG, F_TARGET, F_TEXT, F_FLAGS}},
    {PT_PRIV_MSG, PROTO_FLAG_HISTORY | PROTO_FLAG_OFFLINE | PROTO_FLAG_ACTION, PROTO_NICK_MAX, CHAT_TEXT,
     {F_ID, F_TIME, F_FLAGS, F_TAG, F_NICK, F_TARGET, F_TEXT}},
    {PT_USERS, 0, 0, NO_TEXT, {F_ROOM}},
    {PT_USER_LIST, PROTO_FLAG_MORE, 0, NO_TEXT, {F_FLAGS, F_ROOM, F_LIST}},
    {PT_AWAY, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_PRESENCE, F_TEXT}},
    {PT_MEMBER, 0, PROTO_NICK_MAX, LINE_TEXT(PROTO_NAME_MAX),
     {F_EVENT, F_PRESENCE, F_ROOM, F_NICK, F_TARGET, F_TEXT}},
    {PT_NICK, 0, 0, NO_TEXT, {F_NICK}},
    {PT_HISTORY, 0, 0, NO_TEXT, {F_ROOM, F_AFTER, F_BEFORE, F_COUNT}},
    {PT_HISTORY_END, 0, 0, NO_TEXT, {F_ROOM, F_COUNT}},
    {PT_NOTICE, 0, 0, CHAT_TEXT, {F_NICK, F_TEXT}},
    {PT_ERROR, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_CODE, F_TAG, F_TEXT}},
    {PT_PING, 0, 0, NO_TEXT, {F_TOKEN}},
    {PT_PONG, 0, 0, NO_TEXT, {F_TOKEN}},
    {PT_BYE, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_CODE, F_TEXT}},
    {PT_OPER, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_TEXT}},
    {PT_KICK, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_NICK, F_TEXT}},
    {PT_BAN, 0, PROTO_NAME_MAX, LINE_TEXT(PROTO_NAME_MAX), {F_DURATION, F_TARGET, F_TEXT}},
    {PT_UNBAN, 0, PROTO_NAME_MAX, NO_TEXT, {F_TARGET}},
    {PT_WALL, 0, 0, CHAT_TEXT, {F_TEXT}},
    {PT_SHUTDOWN, 0, 0, LINE_TEXT(PROTO_NAME_MAX), {F_TEXT}},
    {PT_ACCOUNT, 0, 16, NO_TEXT, {F_NICK, F_TARGET}},
    {PT_ACCOUNT_ADD, 0, 16, LINE_TEXT(PROTO_VERIFIER_MAX), {F_NICK, F_TARGET, F_DISPLAY, F_TEXT}},
    {PT_ACCOUNT_PASSWD, 0, 0, LINE_TEXT(PROTO_VERIFIER_MAX), {F_NICK, F_TEXT}},
    {PT_PASSWORD, 0, PROTO_VERIFIER_MAX, LINE_TEXT(PROTO_LOGIN_MAX), {F_TARGET, F_TEXT}},
    {PT_PRIV_SYNC, 0, 0, NO_TEXT, {F_AFTER, F_COUNT}},
    {PT_PRIV_SYNC_END, 0, 0, NO_TEXT, {F_ID, F_COUNT}},
    {PT_READ, 0, PROTO_NICK_MAX, NO_TEXT, {F_ID, F_TARGET}},
    {PT_DELIVERED, 0, 0, NO_TEXT, {F_ID, F_NICK}},
    {PT_READ_MARK, 0, PROTO_NICK_MAX, NO_TEXT, {F_ID, F_NICK, F_TARGET}},
    {PT_PRIV_PREFS, PROTO_FLAG_NO_RECEIPTS, 0, NO_TEXT, {F_FLAGS}},
    {PT_UNDELIVERED, 0, PROTO_NICK_MAX, LINE_TEXT(PROTO_NAME_MAX),
     {F_ID, F_CODE, F_TARGET, F_TEXT}},
    {PT_SIGNON, 0, 0, NO_TEXT, {F_BLOB}},
    {PT_SIGNON_BIND, 0, 0, NO_TEXT, {F_BLOB}},
    {PT_ALERT, 0, PROTO_RECIPIENTS_MAX, CHAT_TEXT, {F_TAG, F_DURATION, F_TARGET, F_TEXT}},
    {PT_ALERT_OK, 0, 0, NO_TEXT, {F_TAG, F_ID, F_COUNT}},
    {PT_ALERT_MSG, PROTO_FLAG_HISTORY, 0, CHAT_TEXT,
     {F_ID, F_TIME, F_DURATION, F_FLAGS, F_NICK, F_TEXT}},
    {PT_ACK, 0, 0, NO_TEXT, {F_ID}},
    {PT_ACKED, 0, 0, NO_TEXT, {F_ID, F_TIME}},
    {PT_ROLL, 0, 0, NO_TEXT, {F_ID}},
    {PT_ROLL_LIST, PROTO_FLAG_MORE | PROTO_FLAG_UPDATE, 0, CHAT_TEXT,
     {F_ID, F_TIME, F_DURATION, F_FLAGS, F_NICK, F_TEXT, F_LIST}},
    {PT_SEARCH, 0, 0, LINE_TEXT(PROTO_SEARCH_MAX),
     {F_TAG, F_ID, F_AFTER, F_BEFORE, F_COUNT, F_ROOM, F_NICK, F_TEXT}},
    {PT_SEARCH_HIT, 0, PROTO_NICK_MAX, CHAT_TEXT,
     {F_TAG, F_ID, F_TIME, F_ROOM, F_NICK, F_TEXT, F_TARGET}},
    {PT_SEARCH_END, PROTO_FLAG_MORE, 0, NO_TEXT, {F_TAG, F_FLAGS, F_COUNT, F_ID}},
    {PT_SIGNON_DISPLAY, 0, 0, NO_TEXT, {F_DISPLAY}},
    {PT_ACCOUNTS, 0, 0, NO_TEXT, {F_END}},
    {PT_ACCOUNT_LIST, PROTO_FLAG_MORE, 0, NO_TEXT, {F_FLAGS, F_LIST}},
};

/* The list entry shapes: name string, a value (u32, or u8 presence, roll or account state), a
 * u64 time (roll and account lists), a text string (not in the roll list). */
typedef struct list_def {
    uint8_t type;
    uint16_t name_max;
    uint8_t value_kind;  /* K_U32 or K_U8 */
    uint8_t value_check; /* V_ANY, V_PRESENCE, V_ROLL or V_ACCOUNT */
    uint8_t has_time;    /* 1: a u64 time follows the value */
    uint16_t text_max;   /* 0: no text field */
} list_def;

static const list_def list_defs[] = {
    {PT_ROOM_LIST, PROTO_ROOM_MAX, K_U32, V_ANY, 0, PROTO_TOPIC_MAX},
    {PT_USER_LIST, PROTO_NICK_MAX, K_U8, V_PRESENCE, 0, PROTO_NAME_MAX},
    {PT_ROLL_LIST, PROTO_NICK_MAX, K_U8, V_ROLL, 1, 0},
    {PT_ACCOUNT_LIST, PROTO_NICK_MAX, K_U8, V_ACCOUNT, 1, PROTO_DISPLAY_MAX},
};

static const msg_layout *layout_of(uint8_t type)
{
    size_t i;
    for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].type == type)
            return &layouts[i];
    return NULL;
}

static const list_def *list_def_of(uint8_t type)
{
    size_t i;
    for (i = 0; i < sizeof list_defs / sizeof list_defs[0]; i++)
        if (list_defs[i].type == type)
            return &list_defs[i];
    return NULL;
}

/* ---- validation shared by the encoder and the decoder ------------------------------------ */

static int check_u8(uint8_t check, uint8_t allowed_flags, uint8_t v)
{
    switch (check) {
    case V_CIPHER:
        return v == PROTO_CIPHER_XOR || v == PROTO_CIPHER_AES256GCM ? PROTO_OK : PROTO_E_VALUE;
    case V_PRESENCE:
        return v == PRESENCE_ONLINE || v == PRESENCE_AWAY ? PROTO_OK : PROTO_E_VALUE;
    case V_EVENT:
        return v >= MEMBER_JOIN && v <= MEMBER_KICK ? PROTO_OK : PROTO_E_VALUE;
    case V_FLAGS:
        return (v & ~allowed_flags) == 0 ? PROTO_OK : PROTO_E_VALUE;
    case V_ROLL:
        return v <= ROLL_ACKED ? PROTO_OK : PROTO_E_VALUE;
    case V_ACCOUNT:
        return (v & PROTO_ACCOUNT_ROLE_MASK) <= PROTO_ACCOUNT_ROLE_MAX &&
                       (v & ~(PROTO_ACCOUNT_ROLE_MASK | PROTO_ACCOUNT_DISABLED |
                              PROTO_ACCOUNT_ONLINE)) == 0
                   ? PROTO_OK
                   : PROTO_E_VALUE;
    default:
        return PROTO_OK;
    }
}

static int check_str(const char *p, size_t n, size_t max, int lines)
{
    if (n > max)
        return PROTO_E_LENGTH;
    if (n == 0)
        return PROTO_OK;
    if (!p)
        return PROTO_E_VALUE;
    return utf8_valid_text(p, n, lines) ? PROTO_OK : PROTO_E_UTF8;
}

/* Byte limit and newline rule of string field `code` in message layout l. */
static size_t str_max(const msg_layout *l, uint8_t code)
{
    if (field_defs[code].size)
        return field_defs[code].size;
    return code == F_TARGET ? l->target_max : l->text_max;
}

static int str_lines(const msg_layout *l, uint8_t code)
{
    return code == F_TEXT && l->text_lines;
}

/* ---- reading ----------------------------------------------------------------------------- */

/* Empty decoded strings point here, so that callers may print them without a NULL check. */
static const char empty_str[] = "";

/* Reads one string. With check set, refuses one over max or not valid text; without it (walking
 * an already validated list) only stays within bounds. */
static int read_str(rd *r, size_t max, int lines, int check, proto_str *s)
{
    size_t n = rd_u16(r);
    const uint8_t *p = NULL;
    if (check && n > max)
        return PROTO_E_LENGTH; /* the declared length is already wrong; no need to read on */
    if (n)
        p = rd_view(r, n);
    if (!rd_ok(r))
        return PROTO_E_TRUNCATED;
    s->p = n ? (const char *)p : empty_str;
    s->n = n;
    return check ? check_str(s->p, n, max, lines) : PROTO_OK;
}

static int read_entry(rd *r, const list_def *ld, int check, proto_entry *e)
{
    int st = read_str(r, ld->name_max, 0, check, &e->name);
    if (st)
        return st;
    e->value = ld->value_kind == K_U32 ? rd_u32(r) : rd_u8(r);
    if (!rd_ok(r))
        return PROTO_E_TRUNCATED;
    if (check && check_u8(ld->value_check, 0, (uint8_t)e->value) != PROTO_OK)
        return PROTO_E_VALUE;
    e->time = 0;
    if (ld->has_time) {
        e->time = rd_u64(r);
        if (!rd_ok(r))
            return PROTO_E_TRUNCATED;
    }
    if (!ld->text_max) {
        e->text.p = empty_str;
        e->text.n = 0;
        return PROTO_OK;
    }
    return read_str(r, ld->text_max, 0, check, &e->text);
}

/* Validates `count` entries starting at the reader's position and leaves it after them. */
static int scan_list(rd *r, const list_def *ld, size_t count)
{
    size_t i;
    proto_entry e;
    for (i = 0; i < count; i++) {
        int st = read_entry(r, ld, 1, &e);
        if (st)
            return st;
    }
    return PROTO_OK;
}

static int decode_field(const msg_layout *l, uint8_t code, rd *r, proto_msg *m)
{
    const field_def *d = &field_defs[code];
    uint8_t *dst = (uint8_t *)m + d->offset;
    int st = PROTO_OK;

    switch (d->kind) {
    case K_U8: {
        uint8_t v = rd_u8(r);
        if (!rd_ok(r))
            return PROTO_E_TRUNCATED;
        st = check_u8(d->check, l->flags, v);
        *dst = v;
        break;
    }
    case K_U16: {
        uint16_t v = rd_u16(r);
        memcpy(dst, &v, sizeof v);
        break;
    }
    case K_U32: {
        uint32_t v = rd_u32(r);
        memcpy(dst, &v, sizeof v);
        break;
    }
    case K_U64: {
        uint64_t v = rd_u64(r);
        memcpy(dst, &v, sizeof v);
        break;
    }
    case K_BYTES:
        rd_bytes(r, dst, d->size);
        break;
    case K_SHARE:
        m->share_len = rd_u8(r);
        if (!rd_ok(r))
            return PROTO_E_TRUNCATED;
        /* Nothing or a whole point: one encoding per message, no partial shares. */
        if (m->share_len != 0 && m->share_len != d->size)
            return PROTO_E_VALUE;
        rd_bytes(r, dst, m->share_len);
        break;
    case K_STR:
        return read_str(r, str_max(l, code), str_lines(l, code), 1, (proto_str *)(void *)dst);
    case K_CIPHERS: {
        size_t i, n = rd_u8(r);
        if (!rd_ok(r))
            return PROTO_E_TRUNCATED;
        if (n == 0)
            return PROTO_E_VALUE;
        if (n > PROTO_MAX_CIPHERS)
            return PROTO_E_LENGTH;
        for (i = 0; i < n; i++) {
            m->ciphers[i] = rd_u8(r);
            if (!rd_ok(r))
                return PROTO_E_TRUNCATED;
            if ((st = check_u8(d->check, 0, m->ciphers[i])) != PROTO_OK)
                return st;
        }
        m->ncipher = (uint8_t)n;
        break;
    }
    case K_BLOB: {
        proto_bytes *b = (proto_bytes *)(void *)dst;
        size_t n = rd_u16(r);
        const uint8_t *p = n ? rd_view(r, n) : NULL;
        if (!rd_ok(r))
            return PROTO_E_TRUNCATED;
        b->p = n ? p : (const uint8_t *)empty_str;
        b->n = n;
        break;
    }
    case K_LIST: {
        size_t count = rd_u16(r), start;
        if (!rd_ok(r))
            return PROTO_E_TRUNCATED;
        start = r->pos;
        if ((st = scan_list(r, list_def_of(l->type), count)) != PROTO_OK)
            return st;
        m->list.p = r->p + start;
        m->list.n = r->pos - start;
        m->list.count = (uint16_t)count;
        break;
    }
    default:
        return PROTO_E_VALUE; /* no such kind in the table */
    }
    return rd_ok(r) ? st : PROTO_E_TRUNCATED;
}

static void clear_msg(proto_msg *m, uint8_t type)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->agent.p = m->server.p = m->room.p = m->nick.p = m->target.p = m->text.p = empty_str;
    m->display.p = empty_str;
    m->blob.p = (const uint8_t *)empty_str;
}

int proto_decode(uint8_t type, const uint8_t *body, size_t len, proto_msg *msg)
{
    const msg_layout *l = layout_of(type);
    rd r;
    size_t i;

    clear_msg(msg, type);
    if (!l)
        return PROTO_E_TYPE;
    rd_init(&r, body, body ? len : 0);
    for (i = 0; l->fields[i] != F_END; i++) {
        int st = decode_field(l, l->fields[i], &r, msg);
        if (st)
            return st;
    }
    return rd_left(&r) ? PROTO_E_TRAILING : PROTO_OK;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* Validates the bytes of a list to be sent exactly as the decoder will: count entries, each
 * within its limits, and nothing after them. */
static int check_list(const proto_list *list, const list_def *ld)
{
    rd r;
    int st;
    if (list->n && !list->p)
        return PROTO_E_VALUE;
    rd_init(&r, list->p, list->n);
    if ((st = scan_list(&r, ld, list->count)) != PROTO_OK)
        return st;
    return rd_left(&r) ? PROTO_E_TRAILING : PROTO_OK;
}

/* The one encode loop. With out == NULL it validates every field and adds the body size to
 * *size; with out set it writes the (already validated) fields. */
static int encode_body(const msg_layout *l, const proto_msg *m, buf *out, size_t *size)
{
    size_t i;
    for (i = 0; l->fields[i] != F_END; i++) {
        uint8_t code = l->fields[i];
        const field_def *d = &field_defs[code];
        const uint8_t *src = (const uint8_t *)m + d->offset;
        int st = PROTO_OK;

        switch (d->kind) {
        case K_U8:
            if (out) {
                buf_put_u8(out, *src);
            } else {
                st = check_u8(d->check, l->flags, *src);
                *size += 1;
            }
            break;
        case K_U16: {
            uint16_t v;
            memcpy(&v, src, sizeof v);
            if (out)
                buf_put_u16(out, v);
            else
                *size += 2;
            break;
        }
        case K_U32: {
            uint32_t v;
            memcpy(&v, src, sizeof v);
            if (out)
                buf_put_u32(out, v);
            else
                *size += 4;
            break;
        }
        case K_U64: {
            uint64_t v;
            memcpy(&v, src, sizeof v);
            if (out)
                buf_put_u64(out, v);
            else
                *size += 8;
            break;
        }
        case K_BYTES:
            if (out)
                buf_append(out, src, d->size);
            else
                *size += d->size;
            break;
        case K_STR: {
            const proto_str *s = (const proto_str *)(const void *)src;
            if (out) {
                buf_put_u16(out, (uint16_t)s->n);
                buf_append(out, s->p, s->n);
            } else {
                st = check_str(s->p, s->n, str_max(l, code), str_lines(l, code));
                *size += 2 + s->n;
            }
            break;
        }
        case K_SHARE:
            if (out) {
                buf_put_u8(out, m->share_len);
                buf_append(out, src, m->share_len);
                break;
            }
            if (m->share_len != 0 && m->share_len != d->size)
                return PROTO_E_VALUE;
            *size += 1u + m->share_len;
            break;
        case K_CIPHERS: {
            size_t k;
            if (out) {
                buf_put_u8(out, m->ncipher);
                buf_append(out, m->ciphers, m->ncipher);
                break;
            }
            if (m->ncipher == 0)
                return PROTO_E_VALUE;
            if (m->ncipher > PROTO_MAX_CIPHERS)
                return PROTO_E_LENGTH;
            for (k = 0; k < m->ncipher && st == PROTO_OK; k++)
                st = check_u8(d->check, 0, m->ciphers[k]);
            *size += 1 + m->ncipher;
            break;
        }
        case K_BLOB: {
            const proto_bytes *b = (const proto_bytes *)(const void *)src;
            if (out) {
                buf_put_u16(out, (uint16_t)b->n);
                buf_append(out, b->p, b->n);
                break;
            }
            if (b->n > PROTO_BLOB_MAX)
                return PROTO_E_LENGTH;
            if (b->n && !b->p)
                return PROTO_E_VALUE;
            *size += 2 + b->n;
            break;
        }
        case K_LIST:
            if (out) {
                buf_put_u16(out, m->list.count);
                buf_append(out, m->list.p, m->list.n);
            } else {
                st = check_list(&m->list, list_def_of(l->type));
                *size += 2 + m->list.n;
            }
            break;
        default:
            return PROTO_E_VALUE; /* no such kind in the table */
        }
        if (st)
            return st;
    }
    return PROTO_OK;
}

int proto_encode(const proto_msg *msg, size_t extra_tail, buf *out)
{
    const msg_layout *l = layout_of(msg->type);
    size_t size = 0, before;
    int st;

    if (!l)
        return PROTO_E_TYPE;
    if ((st = encode_body(l, msg, NULL, &size)) != PROTO_OK)
        return st;
    /* No peer may accept more than the hard limit, so such a frame is useless to build. */
    if (extra_tail > PROTO_MAX_FRAME_HARD || size > PROTO_MAX_FRAME_HARD - extra_tail)
        return PROTO_E_TOO_BIG;
    /* Reserving the whole frame up front means the writes below cannot fail half-way. */
    if (buf_failed(out) || !buf_reserve(out, PROTO_HEADER_SIZE + size))
        return PROTO_E_NOMEM;
    before = out->len;
    buf_put_u32(out, (uint32_t)(size + extra_tail));
    buf_put_u8(out, PROTO_VERSION);
    buf_put_u8(out, msg->type);
    encode_body(l, msg, out, NULL);
    if (buf_failed(out)) {
        out->len = before;
        return PROTO_E_NOMEM;
    }
    assert(out->len == before + PROTO_HEADER_SIZE + size);
    return PROTO_OK;
}

/* ---- lists ------------------------------------------------------------------------------- */

void proto_list_put(buf *entries, uint8_t list_type, const proto_entry *e)
{
    const list_def *ld = list_def_of(list_type);
    /* An entry the decoder would refuse is not appended; the buffer is marked failed so the
     * caller (and proto_encode, through the count mismatch) cannot miss it. */
    if (!ld || check_str(e->name.p, e->name.n, ld->name_max, 0) != PROTO_OK ||
        check_str(e->text.p, e->text.n, ld->text_max, 0) != PROTO_OK ||
        (ld->value_kind == K_U8 && e->value > 0xff) ||
        check_u8(ld->value_check, 0, (uint8_t)e->value) != PROTO_OK) {
        entries->failed = 1;
        return;
    }
    buf_put_u16(entries, (uint16_t)e->name.n);
    buf_append(entries, e->name.p, e->name.n);
    if (ld->value_kind == K_U32)
        buf_put_u32(entries, e->value);
    else
        buf_put_u8(entries, (uint8_t)e->value);
    if (ld->has_time)
        buf_put_u64(entries, e->time);
    if (!ld->text_max)
        return;
    buf_put_u16(entries, (uint16_t)e->text.n);
    buf_append(entries, e->text.p, e->text.n);
}

int proto_list_next(const proto_list *list, uint8_t list_type, size_t *pos, proto_entry *e)
{
    const list_def *ld = list_def_of(list_type);
    rd r;
    if (!ld || !list->p || *pos >= list->n)
        return 0;
    rd_init(&r, list->p + *pos, list->n - *pos);
    /* Bounds are still checked: a list built by hand rather than decoded ends the walk. */
    if (read_entry(&r, ld, 0, e) != PROTO_OK) {
        *pos = list->n;
        return 0;
    }
    *pos += r.pos;
    return 1;
}

/* ---- frame reader ------------------------------------------------------------------------ */

#define READER_MIN_CAP 256

void proto_reader_init(proto_reader *r, size_t max_body)
{
    memset(r, 0, sizeof *r);
    if (max_body == 0)
        max_body = PROTO_MAX_FRAME_DEFAULT;
    r->max_body = max_body > PROTO_MAX_FRAME_HARD ? PROTO_MAX_FRAME_HARD : max_body;
}

void proto_reader_free(proto_reader *r)
{
    free(r->data);
    r->data = NULL;
    r->len = r->cap = r->start = 0;
}

static int reader_fail(proto_reader *r, int error)
{
    r->error = error;
    proto_reader_free(r); /* a failed stream is never read again */
    return error;
}

/* Checks a header before its body is waited for, so a bad or huge frame is refused without
 * buffering it. */
static int header_check(const proto_reader *r, const uint8_t *h)
{
    if (h[4] != PROTO_VERSION)
        return PROTO_E_VERSION;
    if (be_get32(h) > r->max_body)
        return PROTO_E_TOO_BIG;
    if (!proto_type_known(h[5]))
        return PROTO_E_TYPE;
    return PROTO_OK;
}

int proto_reader_feed(proto_reader *r, const void *data, size_t n)
{
    if (r->error)
        return r->error;
    if (n == 0)
        return PROTO_OK;
    if (r->start == r->len)
        r->start = r->len = 0; /* nothing pending: refill from the front */
    if (r->cap - r->len < n && r->start > 0) {
        /* The frame yielded last is dead now (it lived until this call), so its bytes can go. */
        memmove(r->data, r->data + r->start, r->len - r->start);
        r->len -= r->start;
        r->start = 0;
    }
    if (r->cap - r->len < n) {
        size_t need, cap = r->cap ? r->cap : READER_MIN_CAP;
        uint8_t *p;
        if (n > (size_t)-1 - r->len)
            return reader_fail(r, PROTO_E_NOMEM);
        need = r->len + n;
        while (cap < need)
            cap = cap > (size_t)-1 / 2 ? need : cap * 2;
        p = (uint8_t *)realloc(r->data, cap);
        if (!p)
            return reader_fail(r, PROTO_E_NOMEM);
        r->data = p;
        r->cap = cap;
    }
    memcpy(r->data + r->len, data, n);
    r->len += n;
    if (r->len - r->start >= PROTO_HEADER_SIZE) {
        int st = header_check(r, r->data + r->start);
        if (st)
            return reader_fail(r, st);
    }
    return PROTO_OK;
}

int proto_reader_next(proto_reader *r, proto_frame *f)
{
    size_t avail = r->len - r->start, body;
    const uint8_t *h;
    int st;

    if (r->error)
        return r->error;
    if (avail == 0) {
        /* Everything yielded has been handled by now: an idle connection keeps no buffer. */
        proto_reader_free(r);
        return 0;
    }
    if (avail < PROTO_HEADER_SIZE)
        return 0;
    h = r->data + r->start;
    if ((st = header_check(r, h)) != PROTO_OK)
        return reader_fail(r, st);
    body = be_get32(h);
    if (avail - PROTO_HEADER_SIZE < body)
        return 0;
    memcpy(f->header, h, PROTO_HEADER_SIZE);
    f->version = h[4];
    f->type = h[5];
    f->body = r->data + r->start + PROTO_HEADER_SIZE;
    f->len = body;
    r->start += PROTO_HEADER_SIZE + body;
    return 1;
}

size_t proto_reader_pending(const proto_reader *r)
{
    return r->len - r->start;
}
