/* proto_names.c — printable names of protocol message types, error codes and decoder statuses,
 * for logs and diagnostics, and the test of whether a type byte is one this version knows. */
#include <string.h>

#include "proto.h"

const char *proto_type_name(uint8_t type)
{
    switch (type) {
    case PT_HELLO: return "HELLO";
    case PT_CHALLENGE: return "CHALLENGE";
    case PT_PROOF: return "PROOF";
    case PT_WELCOME: return "WELCOME";
    case PT_LOGIN: return "LOGIN";
    case PT_JOIN: return "JOIN";
    case PT_PART: return "PART";
    case PT_ROOMS: return "ROOMS";
    case PT_ROOM_LIST: return "ROOM_LIST";
    case PT_TOPIC: return "TOPIC";
    case PT_SAY: return "SAY";
    case PT_MSG: return "MSG";
    case PT_PRIV: return "PRIV";
    case PT_PRIV_MSG: return "PRIV_MSG";
    case PT_USERS: return "USERS";
    case PT_USER_LIST: return "USER_LIST";
    case PT_AWAY: return "AWAY";
    case PT_MEMBER: return "MEMBER";
    case PT_NICK: return "NICK";
    case PT_HISTORY: return "HISTORY";
    case PT_HISTORY_END: return "HISTORY_END";
    case PT_NOTICE: return "NOTICE";
    case PT_ERROR: return "ERROR";
    case PT_PING: return "PING";
    case PT_PONG: return "PONG";
    case PT_BYE: return "BYE";
    case PT_OPER: return "OPER";
    case PT_KICK: return "KICK";
    case PT_BAN: return "BAN";
    case PT_UNBAN: return "UNBAN";
    case PT_WALL: return "WALL";
    case PT_SHUTDOWN: return "SHUTDOWN";
    case PT_ACCOUNT: return "ACCOUNT";
    case PT_ACCOUNT_ADD: return "ACCOUNT_ADD";
    case PT_ACCOUNT_PASSWD: return "ACCOUNT_PASSWD";
    case PT_PASSWORD: return "PASSWORD";
    case PT_PRIV_SYNC: return "PRIV_SYNC";
    case PT_PRIV_SYNC_END: return "PRIV_SYNC_END";
    case PT_READ: return "READ";
    case PT_DELIVERED: return "DELIVERED";
    case PT_READ_MARK: return "READ_MARK";
    case PT_PRIV_PREFS: return "PRIV_PREFS";
    case PT_UNDELIVERED: return "UNDELIVERED";
    case PT_SIGNON: return "SIGNON";
    case PT_SIGNON_BIND: return "SIGNON_BIND";
    case PT_ALERT: return "ALERT";
    case PT_ALERT_OK: return "ALERT_OK";
    case PT_ALERT_MSG: return "ALERT_MSG";
    case PT_ACK: return "ACK";
    case PT_ACKED: return "ACKED";
    case PT_ROLL: return "ROLL";
    case PT_ROLL_LIST: return "ROLL_LIST";
    case PT_SEARCH: return "SEARCH";
    case PT_SEARCH_HIT: return "SEARCH_HIT";
    case PT_SEARCH_END: return "SEARCH_END";
    case PT_SIGNON_DISPLAY: return "SIGNON_DISPLAY";
    case PT_ACCOUNTS: return "ACCOUNTS";
    case PT_ACCOUNT_LIST: return "ACCOUNT_LIST";
    default: return "UNKNOWN";
    }
}

int proto_type_known(uint8_t type)
{
    /* One list of types in this file: a type is known exactly when it has a name. */
    return strcmp(proto_type_name(type), "UNKNOWN") != 0;
}

const char *proto_code_name(uint16_t code)
{
    switch (code) {
    case PC_OK: return "OK";
    case PC_BAD_FRAME: return "BAD_FRAME";
    case PC_BAD_VERSION: return "BAD_VERSION";
    case PC_NO_CIPHER: return "NO_CIPHER";
    case PC_WRONG_KEY: return "WRONG_KEY";
    case PC_DECRYPT: return "DECRYPT";
    case PC_TIMEOUT: return "TIMEOUT";
    case PC_TOO_SLOW: return "TOO_SLOW";
    case PC_SHUTDOWN: return "SHUTDOWN";
    case PC_KICKED: return "KICKED";
    case PC_BANNED: return "BANNED";
    case PC_SERVER_FULL: return "SERVER_FULL";
    case PC_QUIT: return "QUIT";
    case PC_PROTOCOL: return "PROTOCOL";
    case PC_INTERNAL: return "INTERNAL";
    case PC_FLOODING: return "FLOODING";
    case PC_NICK_TAKEN: return "NICK_TAKEN";
    case PC_BAD_NICK: return "BAD_NICK";
    case PC_BAD_ROOM: return "BAD_ROOM";
    case PC_NOT_IN_ROOM: return "NOT_IN_ROOM";
    case PC_NO_SUCH_USER: return "NO_SUCH_USER";
    case PC_RATE_LIMITED: return "RATE_LIMITED";
    case PC_NOT_OPERATOR: return "NOT_OPERATOR";
    case PC_BAD_PASSWORD: return "BAD_PASSWORD";
    case PC_BAD_TEXT: return "BAD_TEXT";
    case PC_NOT_FOUND: return "NOT_FOUND";
    case PC_UNAVAILABLE: return "UNAVAILABLE";
    case PC_BAD_VERIFIER: return "BAD_VERIFIER";
    case PC_NO_ACCOUNTS: return "NO_ACCOUNTS";
    case PC_MAILBOX_FULL: return "MAILBOX_FULL";
    case PC_EXPIRED: return "EXPIRED";
    case PC_SIGNON_FAILED: return "SIGNON_FAILED";
    case PC_SIGNON_REFUSED: return "SIGNON_REFUSED";
    case PC_NO_ACCOUNT: return "NO_ACCOUNT";
    case PC_NO_SUCH_ALERT: return "NO_SUCH_ALERT";
    case PC_NOT_ALERTER: return "NOT_ALERTER";
    case PC_ALERT_ONLY: return "ALERT_ONLY";
    case PC_BAD_RECIPIENTS: return "BAD_RECIPIENTS";
    case PC_SEARCH_BUSY: return "SEARCH_BUSY";
    case PC_BAD_SEARCH: return "BAD_SEARCH";
    default: return "UNKNOWN";
    }
}

const char *proto_status_text(int status)
{
    switch (status) {
    case PROTO_OK: return "ok";
    case PROTO_E_TOO_BIG: return "frame too big";
    case PROTO_E_VERSION: return "unsupported protocol version";
    case PROTO_E_TYPE: return "unknown message type";
    case PROTO_E_TRUNCATED: return "truncated frame";
    case PROTO_E_TRAILING: return "trailing bytes after the last field";
    case PROTO_E_UTF8: return "invalid UTF-8 or forbidden character";
    case PROTO_E_LENGTH: return "string or list too long";
    case PROTO_E_VALUE: return "invalid field value";
    case PROTO_E_NOMEM: return "out of memory";
    default: return "unknown status";
    }
}

proto_str proto_s(const char *cstr)
{
    proto_str s;
    s.p = cstr ? cstr : "";
    s.n = cstr ? strlen(cstr) : 0;
    return s;
}

void proto_str_copy(char *dst, size_t cap, proto_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n); /* an empty string's p may be NULL */
    dst[n] = '\0';
}

const char *proto_roll_state_text(uint8_t state)
{
    switch (state) {
    case ROLL_PENDING: return "not delivered";
    case ROLL_SHOWN: return "shown";
    case ROLL_ACKED: return "acknowledged";
    default: return "?";
    }
}

const char *proto_account_role_name(uint8_t role)
{
    static const char *const names[PROTO_ACCOUNT_ROLE_MAX + 1] = {"user", "operator", "admin",
                                                                  "alert"};
    return role <= PROTO_ACCOUNT_ROLE_MAX ? names[role] : "?";
}
