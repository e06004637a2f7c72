/* proto.h — Parley's wire protocol: frame layout, the message set, the message codec and the
 * incremental frame reader. docs/PROTOCOL.md is the byte-level description of this file. */
#ifndef PARLEY_PROTO_H
#define PARLEY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Frame: u32 body length (big-endian, bytes after the header), u8 protocol version, u8 type,
 * then the body. Once the handshake has chosen a cipher the body is ciphered (see cipher.h);
 * the header is not, but AES-256-GCM authenticates it. */
#define PROTO_VERSION 1
#define PROTO_HEADER_SIZE 6
#define PROTO_MAX_FRAME_DEFAULT (64u * 1024u) /* body bytes a peer accepts unless configured */
#define PROTO_MAX_FRAME_HARD (1024u * 1024u)  /* no configuration may exceed this */

/* Field limits, in bytes of UTF-8. */
#define PROTO_NICK_MAX 32
#define PROTO_ROOM_MAX 64
#define PROTO_TEXT_MAX 4096
#define PROTO_TOPIC_MAX 512
#define PROTO_NAME_MAX 128 /* agent, server name, reasons, passwords, ban targets */
#define PROTO_LOGIN_MAX 512 /* LOGIN text: one SCRAM message (SCRAM_MSG_MAX) */
#define PROTO_NONCE_SIZE 32
#define PROTO_SALT_SIZE 16
#define PROTO_MAC_SIZE 32
#define PROTO_MAX_CIPHERS 8
#define PROTO_RECIPIENTS_MAX 1024 /* ALERT target: the recipient specifications */
#define PROTO_SEARCH_MAX 256 /* SEARCH text: the words */
#define PROTO_SHARE_SIZE 65 /* an ECDH P-256 public key: 04 || X || Y (SEC 1, uncompressed) */
#define PROTO_DISPLAY_MAX 64   /* an account's display name */
#define PROTO_VERIFIER_MAX 256 /* a SCRAM verifier as text (scram_verifier_format) */
#define PROTO_BLOB_MAX 65535 /* opaque bytes (SIGNON tokens): u16 length; the frame limit too */

typedef enum proto_type {
    /* handshake */
    PT_HELLO = 0x01,       /* c->s, plain: version, ciphers, nonce, agent, share */
    PT_CHALLENGE = 0x02,   /* s->c, plain: version, cipher, nonce, salt, iterations, server,
                            * share */
    PT_PROOF = 0x03,       /* c->s, ciphered: mac, nick */
    PT_WELCOME = 0x04,     /* s->c, ciphered: mac, nick, max_frame, text (message of the day) */
    PT_LOGIN = 0x05,       /* both, ciphered, after PROOF when the server uses accounts: text
                            * (a SCRAM-SHA-256 message; the server's first is empty: "log in") */
    PT_SIGNON = 0x06,      /* both, ciphered, after PROOF with auth = windows: blob (a SPNEGO
                            * token; the server's first is empty: "sign on with Windows") */
    PT_SIGNON_BIND = 0x07, /* both, ciphered, once the sign-on is complete: blob (a MIC over the
                            * connection's session binding; the client's first, then the
                            * server's) */
    /* rooms */
    PT_JOIN = 0x10,        /* c->s: room */
    PT_PART = 0x11,        /* c->s: room, text (reason) */
    PT_ROOMS = 0x12,       /* c->s: (empty) asks for the room list */
    PT_ROOM_LIST = 0x13,   /* s->c: flags, list of {room, members, topic} */
    PT_TOPIC = 0x14,       /* c->s: room, text; s->c: room, nick (who set it), text.
                            * On the wire both directions carry room, nick, text (the decoder
                            * cannot know the direction): a client sends nick empty. */
    /* messages */
    PT_SAY = 0x20,         /* c->s: tag, room, text */
    PT_MSG = 0x21,         /* s->c: id, time, flags, tag, room, nick (sender), text */
    PT_PRIV = 0x22,        /* c->s: tag, target (recipient nick), text */
    PT_PRIV_MSG = 0x23,    /* s->c: id, time, flags, tag, nick (sender), target (recipient), text */
    /* users and presence */
    PT_USERS = 0x30,       /* c->s: room */
    PT_USER_LIST = 0x31,   /* s->c: flags, room, list of {nick, presence, away text} */
    PT_AWAY = 0x32,        /* c->s: presence, text (away message) */
    PT_MEMBER = 0x33,      /* s->c: event, presence, room, nick, target, text */
    PT_NICK = 0x34,        /* c->s: nick (new nickname) */
    /* history */
    PT_HISTORY = 0x40,     /* c->s: room, after, before (message ids), count */
    PT_HISTORY_END = 0x41, /* s->c: room, count (messages replayed) */
    /* control */
    PT_NOTICE = 0x50,      /* s->c: nick (sender; empty for the server), text */
    PT_ERROR = 0x51,       /* s->c: code, tag (of the refused SAY/PRIV, else 0), text */
    PT_PING = 0x52,        /* both: token */
    PT_PONG = 0x53,        /* both: token */
    PT_BYE = 0x54,         /* both: code, text (reason) */
    /* administration (operators) */
    PT_OPER = 0x60,        /* c->s: text (operator password) */
    PT_KICK = 0x61,        /* c->s: nick, text (reason) */
    PT_BAN = 0x62,         /* c->s: duration (seconds, 0 = permanent), target (nick or address), text */
    PT_UNBAN = 0x63,       /* c->s: target */
    PT_WALL = 0x64,        /* c->s: text, sent to everyone as a NOTICE */
    PT_SHUTDOWN = 0x65,    /* c->s: text (reason) */
    PT_ACCOUNT = 0x66,     /* c->s, admins with accounts: nick (account), target (action:
                            * disable, enable, delete, or a role: user, operator, admin, alert) */
    PT_ACCOUNT_ADD = 0x67, /* c->s, admins with accounts: nick (login), target (role), display,
                            * text (the new account's SCRAM verifier, never a password) */
    PT_ACCOUNT_PASSWD = 0x68, /* c->s, admins with accounts: nick (another account), text (its
                               * new SCRAM verifier) */
    PT_PASSWORD = 0x69,    /* both, after WELCOME, an account changing its own password: target
                            * (the new verifier, in the client's second frame only), text (a
                            * SCRAM message proving the current password) */
    /* private conversations with accounts (stored, several sessions, receipts) */
    PT_PRIV_SYNC = 0x24,   /* c->s: after (id), count: replay my conversations after that id */
    PT_PRIV_SYNC_END = 0x25, /* s->c: id (newest private id so far), count (replayed) */
    PT_READ = 0x26,        /* c->s: id, target (peer): I have read the conversation up to id */
    PT_DELIVERED = 0x27,   /* s->c: id, nick (recipient): your messages to nick up to id reached
                            * one of nick's sessions */
    PT_READ_MARK = 0x28,   /* s->c: id, nick (reader), target (peer): nick has read the
                            * conversation with target up to id */
    PT_PRIV_PREFS = 0x29,  /* both: flags (NO_RECEIPTS): the account's private settings */
    PT_UNDELIVERED = 0x2A, /* s->c: id, code, target (recipient), text: a stored message of
                            * yours was dropped undelivered (EXPIRED) */
    /* acknowledged alerts (operators, admins and alert accounts send them) */
    PT_ALERT = 0x70,       /* c->s: tag, duration (seconds until it expires, 0 = never), target
                            * (recipients: "all", "room:NAME", "user:NAME", space-separated),
                            * text */
    PT_ALERT_OK = 0x71,    /* s->c: tag (of the ALERT), id (the alert's), count (recipients) */
    PT_ALERT_MSG = 0x72,   /* s->c: id, time (sent), duration, flags, nick (sender), text */
    PT_ACK = 0x73,         /* c->s: id (the alert acknowledged) */
    PT_ACKED = 0x74,       /* s->c: id, time (of the acknowledgement, as recorded) */
    PT_ROLL = 0x75,        /* c->s: id: the roll call, then its changes while connected */
    PT_ROLL_LIST = 0x76,   /* s->c: id, time, duration, flags, nick (sender), text, list of
                            * {nick, state, time} */
    /* search */
    PT_SEARCH = 0x44,      /* c->s: tag, id (page cursor: older than this id; 0 = newest), after,
                            * before (wall-clock ms range), count (page size), room, nick
                            * (filters; empty = any), text (the words) */
    PT_SEARCH_HIT = 0x45,  /* s->c: tag, id, time, room, nick (sender), text, target (the peer of
                            * a private conversation, room then empty): one result */
    PT_SEARCH_END = 0x46,  /* s->c: tag, flags (MORE), count (results in the page), id (cursor
                            * for the next page; 0 when there is none) */
    /* Windows sign-on, continued */
    PT_SIGNON_DISPLAY = 0x08, /* c->s, ciphered, auth = windows, after the client's last SIGNON
                              * and before its SIGNON_BIND, optional: display (the user's name
                              * as the directory or the system has it, "Alice Martin") */
    /* the account list (admins with accounts) */
    PT_ACCOUNTS = 0x6A,    /* c->s: (empty) asks for every account in the store */
    PT_ACCOUNT_LIST = 0x6B /* s->c: flags (MORE), list of {login, state (role and
                            * ACCOUNT_* bits), time (last login, 0 = never), display} */
} proto_type;

/* Ciphers, as numbered on the wire. */
typedef enum proto_cipher {
    PROTO_CIPHER_XOR = 1,
    PROTO_CIPHER_AES256GCM = 2
} proto_cipher;

typedef enum proto_presence {
    PRESENCE_ONLINE = 0,
    PRESENCE_AWAY = 1
} proto_presence;

/* PT_MEMBER events. */
typedef enum proto_member_event {
    MEMBER_JOIN = 1,     /* nick joined room */
    MEMBER_PART = 2,     /* nick left room (text: reason) */
    MEMBER_QUIT = 3,     /* nick disconnected (text: reason); room is empty */
    MEMBER_RENAME = 4,   /* nick is now target; room is empty */
    MEMBER_PRESENCE = 5, /* nick's presence changed (text: away message); room is empty */
    MEMBER_KICK = 6      /* nick was kicked by target (text: reason) */
} proto_member_event;

/* The state of one recipient of an alert (PT_ROLL_LIST entries). */
typedef enum proto_roll_state {
    ROLL_PENDING = 0, /* not yet delivered: the recipient has not been online since it was sent */
    ROLL_SHOWN = 1,   /* delivered to the recipient's client, not acknowledged */
    ROLL_ACKED = 2    /* acknowledged (the entry's time) */
} proto_roll_state;

/* The state byte of a PT_ACCOUNT_LIST entry: the role (as users.h numbers it: 0 user,
 * 1 operator, 2 admin, 3 alert) in the low bits, then these. */
#define PROTO_ACCOUNT_ROLE_MASK 0x0F
#define PROTO_ACCOUNT_ROLE_MAX 3
#define PROTO_ACCOUNT_DISABLED 0x10 /* the account may not log in */
#define PROTO_ACCOUNT_ONLINE 0x20   /* at least one session of the account is connected */

/* Bits of `flags`. */
#define PROTO_FLAG_HISTORY 0x01 /* PT_MSG / PT_PRIV_MSG: replayed from history, not live.
                                 * PT_ALERT_MSG: sent while the recipient was offline */
#define PROTO_FLAG_MORE 0x02    /* PT_ROOM_LIST / PT_USER_LIST / PT_ACCOUNT_LIST: more frames of
                                 * this list follow; PT_SEARCH_END: another page of results may
                                 * follow */
#define PROTO_FLAG_UPDATE 0x04  /* PT_ROOM_LIST: not an answer to ROOMS but news of the listed
                                 * rooms' member counts (rooms too large to announce members).
                                 * PT_ROLL_LIST: news of the listed recipients' states */
#define PROTO_FLAG_OFFLINE 0x08 /* PT_PRIV_MSG: it waited in the mailbox (recipient offline) */
#define PROTO_FLAG_NO_RECEIPTS 0x10 /* PT_PRIV_PREFS: send no read receipts for my reading */
#define PROTO_FLAG_ACTION 0x20  /* PT_SAY / PT_PRIV / PT_MSG / PT_PRIV_MSG: an action ("/me
                                 * waves": shown as "* nick waves"); the server passes it on */

/* Error and bye codes (PT_ERROR, PT_BYE). Codes below 100 end the connection. */
typedef enum proto_code {
    PC_OK = 0,
    PC_BAD_FRAME = 1,      /* undecodable frame, bad length, unknown type */
    PC_BAD_VERSION = 2,    /* no protocol version in common */
    PC_NO_CIPHER = 3,      /* no cipher in common */
    PC_WRONG_KEY = 4,      /* the peer does not hold the same secret key */
    PC_DECRYPT = 5,        /* a ciphered frame failed authentication (tamper, replay, reorder) */
    PC_TIMEOUT = 6,        /* handshake or idle timeout */
    PC_TOO_SLOW = 7,       /* the peer did not read fast enough; its send queue overflowed */
    PC_SHUTDOWN = 8,       /* the server is shutting down */
    PC_KICKED = 9,
    PC_BANNED = 10,
    PC_SERVER_FULL = 11,   /* connection limit, total or per address */
    PC_QUIT = 12,          /* the client said goodbye */
    PC_PROTOCOL = 13,      /* a valid frame at the wrong time (e.g. SAY before WELCOME) */
    PC_INTERNAL = 14,
    PC_FLOODING = 15,      /* sustained flooding: requests kept coming far past the rate limit */
    /* codes 100 and up are answers to a request; the connection stays open */
    PC_NICK_TAKEN = 100,
    PC_BAD_NICK = 101,
    PC_BAD_ROOM = 102,
    PC_NOT_IN_ROOM = 103,
    PC_NO_SUCH_USER = 104,
    PC_RATE_LIMITED = 105,
    PC_NOT_OPERATOR = 106,
    PC_BAD_PASSWORD = 107,
    PC_BAD_TEXT = 108,
    PC_NOT_FOUND = 109,
    PC_UNAVAILABLE = 110,  /* the server could not carry the request out (memory, disk) */
    PC_BAD_VERIFIER = 111, /* a SCRAM verifier that is malformed or outside the server's policy */
    PC_NO_ACCOUNTS = 112,  /* the request needs a server with auth = accounts */
    /* Windows sign-on (auth = windows); sent as the plain ERROR that ends the handshake */
    PC_SIGNON_FAILED = 113,  /* the sign-on did not complete: no ticket, clock skew, unknown
                              * SPN, NTLM refused, a binding from another connection */
    PC_SIGNON_REFUSED = 114, /* signed on, but not admitted: realm or principal not allowed,
                              * account disabled, a name that cannot be an account */
    PC_NO_ACCOUNT = 115,     /* signed on, but there is no account and auto_create is off */
    PC_MAILBOX_FULL = 116, /* the recipient is offline and has too many messages waiting */
    PC_EXPIRED = 117,      /* a stored message waited longer than the server keeps it */
    PC_NO_SUCH_ALERT = 120, /* ACK or ROLL of an alert that does not exist or is not yours */
    PC_NOT_ALERTER = 121,  /* only operators, admins and alert accounts send alerts; only the
                            * sender and admins see a roll call */
    PC_ALERT_ONLY = 122,   /* an alert account may send alerts and nothing else */
    PC_BAD_RECIPIENTS = 123, /* an ALERT's recipients are malformed, unknown or nobody */
    PC_SEARCH_BUSY = 124,  /* a search of this session is still running, or the server runs as
                            * many as it allows */
    PC_BAD_SEARCH = 125    /* the search has no word, too many, or a filter that cannot match */
} proto_code;

/* Decoder results (negative) from the frame reader and the message codec. */
typedef enum proto_status {
    PROTO_OK = 0,
    PROTO_E_TOO_BIG = -1,     /* declared body length over the limit */
    PROTO_E_VERSION = -2,     /* header version is not PROTO_VERSION */
    PROTO_E_TYPE = -3,        /* unknown message type */
    PROTO_E_TRUNCATED = -4,   /* body shorter than its fields */
    PROTO_E_TRAILING = -5,    /* bytes left over after the last field */
    PROTO_E_UTF8 = -6,        /* a string is not valid UTF-8 or holds a forbidden character */
    PROTO_E_LENGTH = -7,      /* a string or list is longer than its field allows */
    PROTO_E_VALUE = -8,       /* an enumerated field holds an unknown value */
    PROTO_E_NOMEM = -9
} proto_status;

/* A string inside a decoded frame: not NUL-terminated, valid only while the frame's memory is. */
typedef struct proto_str {
    const char *p;
    size_t n;
} proto_str;

/* Opaque bytes inside a decoded frame (SIGNON tokens): valid only while the frame's memory is. */
typedef struct proto_bytes {
    const uint8_t *p;
    size_t n;
} proto_bytes;

/* The encoded entries of a PT_ROOM_LIST, PT_USER_LIST, PT_ROLL_LIST or PT_ACCOUNT_LIST; walk
 * them with proto_list_next. */
typedef struct proto_list {
    const uint8_t *p;
    size_t n;        /* bytes */
    uint16_t count;  /* entries */
} proto_list;

/* One list entry. Room list: name = room, value = members, text = topic.
 * User list: name = nick, value = presence, text = away message.
 * Roll list: name = nick, value = proto_roll_state, time (of the delivery or acknowledgement,
 * 0 while pending); no text.
 * Account list: name = login, value = state (role | PROTO_ACCOUNT_* bits), time = last login
 * (0 = never), text = display name. */
typedef struct proto_entry {
    proto_str name;
    uint32_t value;
    proto_str text;
    uint64_t time;
} proto_entry;

/* Every message is this one flat struct: each type uses the fields named beside it in
 * proto_type and ignores the rest. Decoded strings point into the frame body. */
typedef struct proto_msg {
    uint8_t type;
    uint8_t cipher;
    uint8_t ncipher;
    uint8_t ciphers[PROTO_MAX_CIPHERS];
    uint8_t flags;
    uint8_t presence;
    uint8_t event;
    uint16_t version;
    uint16_t code;
    uint32_t iterations;
    uint32_t max_frame;
    uint32_t tag;
    uint32_t count;
    uint32_t duration;
    uint64_t id;
    uint64_t time;   /* milliseconds since 1970-01-01 UTC */
    uint64_t after;
    uint64_t before;
    uint64_t token;
    uint8_t nonce[PROTO_NONCE_SIZE];
    uint8_t salt[PROTO_SALT_SIZE];
    uint8_t mac[PROTO_MAC_SIZE];
    uint8_t share_len; /* 0: no key share, else PROTO_SHARE_SIZE */
    uint8_t share[PROTO_SHARE_SIZE];
    proto_str agent;
    proto_str server;
    proto_str room;
    proto_str nick;
    proto_str target;
    proto_str text;
    proto_list list;
    proto_str display; /* an account's display name */
    proto_bytes blob; /* SIGNON, SIGNON_BIND */
} proto_msg;

/* Convenience: a proto_str over a NUL-terminated C string. */
proto_str proto_s(const char *cstr);
/* Copies s into dst as a NUL-terminated string, cut to cap - 1 bytes (cap > 0). */
void proto_str_copy(char *dst, size_t cap, proto_str s);

/* Name of a type ("SAY"), code ("NICK_TAKEN"), or status ("frame too big"); never NULL. */
const char *proto_type_name(uint8_t type);
const char *proto_code_name(uint16_t code);
const char *proto_status_text(int status);
/* A recipient's state in words: "not delivered", "shown", "acknowledged"; "?" otherwise. */
const char *proto_roll_state_text(uint8_t state);
/* An account role by its number (an ACCOUNT_LIST state's low bits): "user", "operator",
 * "admin", "alert"; "?" otherwise. The one list of role names (users.h uses it too). */
const char *proto_account_role_name(uint8_t role);
/* 1 if type is a message type this version knows. */
int proto_type_known(uint8_t type);

/* Appends one whole frame for msg to out: the 6-byte header, whose length field is
 * (body length + extra_tail), then the plain body. Exactly 6 + body length bytes are
 * appended: nothing is written or reserved for the tail itself. A connection with a cipher
 * passes its per-frame overhead (e.g. the 16-byte GCM tag) as extra_tail, ciphers the body in
 * place and then appends the tail, so the header it authenticates already counts the tail.
 * Without a cipher pass 0.
 * Every field is validated exactly as proto_decode would (limits, UTF-8, enumerated values,
 * list entries against list.count). Returns PROTO_OK, or a negative status (PROTO_E_TYPE,
 * _LENGTH, _UTF8, _VALUE, _TRUNCATED/_TRAILING for a list whose bytes do not hold exactly
 * list.count entries, _TOO_BIG if body + extra_tail > PROTO_MAX_FRAME_HARD, _NOMEM) and then
 * appends nothing. */
int proto_encode(const proto_msg *msg, size_t extra_tail, buf *out);

/* Decodes a plain body of the given type into msg (strings point into body; empty strings
 * point to a static ""; fields the type does not carry are zero). Every list entry is
 * validated here. On failure msg holds a partial decode and must not be used. */
int proto_decode(uint8_t type, const uint8_t *body, size_t len, proto_msg *msg);

/* List building: append one entry's encoding to entries (count them yourself) then set
 * msg.list = { entries.data, entries.len, count }. list_type is PT_ROOM_LIST, PT_USER_LIST,
 * PT_ROLL_LIST or PT_ACCOUNT_LIST.
 * An entry that breaks its limits is not appended and marks entries failed (buf_failed), so
 * the count no longer matches and proto_encode refuses the list. */
void proto_list_put(buf *entries, uint8_t list_type, const proto_entry *e);
/* Iteration: *pos starts at 0; returns 1 and fills e while entries remain, 0 at the end.
 * Entries were validated when the frame was decoded. */
int proto_list_next(const proto_list *list, uint8_t list_type, size_t *pos, proto_entry *e);

/* A frame as the reader yields it: header bytes (for authentication) and a mutable body that
 * the cipher layer may open in place. Valid until the next call on the reader. */
typedef struct proto_frame {
    uint8_t header[PROTO_HEADER_SIZE];
    uint8_t version;
    uint8_t type;
    uint8_t *body;
    size_t len;
} proto_frame;

/* Incremental frame reader: feed it any split of the byte stream; it yields whole frames.
 * Errors are sticky: once it fails it stays failed. It holds no memory while idle (between
 * whole frames), so an idle connection costs nothing here. */
typedef struct proto_reader {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t start;     /* offset of the next unread byte */
    size_t max_body;
    int error;
} proto_reader;

/* max_body limits the header's declared length (which includes any cipher tail); 0 selects
 * PROTO_MAX_FRAME_DEFAULT and values over PROTO_MAX_FRAME_HARD are lowered to it. */
void proto_reader_init(proto_reader *r, size_t max_body);
void proto_reader_free(proto_reader *r);
/* Copies n bytes in. Returns PROTO_OK or the sticky error. */
int proto_reader_feed(proto_reader *r, const void *data, size_t n);
/* 1: a frame is in *f; 0: more bytes needed; <0: error (sticky). A header is checked (version,
 * length against max_body, type) as soon as its 6 bytes are in, before its body is awaited;
 * feed checks it too. The call that finds nothing pending releases the buffer. */
int proto_reader_next(proto_reader *r, proto_frame *f);
/* Bytes held (buffered and not yet yielded). */
size_t proto_reader_pending(const proto_reader *r);

#endif
