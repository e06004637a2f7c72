/* cli.h — parley-cli, the terminal client: the portable parts (line formats, command parsing,
 * the program) and the small platform layer they stand on (cli_posix.c, cli_win.c). */
#ifndef PARLEY_CLI_H
#define PARLEY_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "log.h"
#include "proto.h"
#include "client.h"
#include "session.h"

/* Exit codes: what a script can tell apart. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_OTHER 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_WRONG_KEY 3
#define CLI_EXIT_UNREACHABLE 4
#define CLI_EXIT_REFUSED 5

#define CLI_LINE_MAX 16384 /* longest input line taken in one piece (text is at most 4096) */

/* ---- cli_format.c: events as lines ---- */

/* What the formatter keeps between events: the room shown without a prefix (interactive)
 * and the entries of a list that arrives in several frames (PROTO_FLAG_MORE). */
typedef struct cli_format {
    int script;                           /* 1: the stable one-line-per-event format */
    char room[PROTO_ROOM_MAX + 1];        /* current room ("" = none) */
    char me[PROTO_NICK_MAX + 1];          /* our nickname, followed from the events */
    uint32_t list_count;                  /* entries of the list in progress */
    int priv_syncing;                     /* a private catch-up is under way: its receipts
                                           * are state, not news (interactive format) */
    int receipts;                         /* read receipts as last shown: -1 unknown, 0, 1 */
    uint64_t last_alert;                  /* the latest alert shown: what a bare /ack means */
    uint32_t roll_counts[3];              /* a roll call in progress: recipients per state */
} cli_format;

/* Appends the lines (each ending in '\n') that show ev to out; nothing for events that
 * are not shown (keep-alive, a PONG). now_ms stamps events that carry no time. */
void cli_format_event(cli_format *f, const pcs_event *ev, uint64_t now_ms, buf *out);
/* Appends one line about something local (a usage error, a refused request). */
void cli_format_local(cli_format *f, const char *code, const char *text, uint64_t now_ms,
                      buf *out);
/* Appends text with the script format's escapes (\\ \n \r \t, \xHH for other controls). */
void cli_escape(buf *out, const char *p, size_t n);
/* The exit code for the reason a session ended. */
int cli_exit_code(int end_code);

/* ---- cli_commands.c: input lines as requests ---- */

typedef enum cli_cmd_kind {
    CLI_CMD_NONE = 0, /* empty line */
    CLI_CMD_SAY,      /* a = text (to the current room) */
    CLI_CMD_JOIN,     /* a = room */
    CLI_CMD_PART,     /* whole = everything after the command; a = its first word (a
                       * room, or the start of the reason), NOT NUL-terminated: a_len bytes;
                       * b = the text after that word */
    CLI_CMD_MSG,      /* a = nick, b = text */
    CLI_CMD_NICK,     /* a = new nick */
    CLI_CMD_AWAY,     /* a = text ("" = a plain "away") */
    CLI_CMD_BACK,
    CLI_CMD_TOPIC,    /* a = text */
    CLI_CMD_ROOMS,
    CLI_CMD_USERS,    /* a = room ("" = the current one) */
    CLI_CMD_HISTORY,  /* n = how many */
    CLI_CMD_READ,     /* a = nick, n = up to this id (0 = everything shown so far) */
    CLI_CMD_RECEIPTS, /* n = 1 on, 0 off */
    CLI_CMD_QUIT,     /* a = reason */
    CLI_CMD_SEARCH,   /* a = the query: words and from:/in:/after:/before: filters */
    CLI_CMD_MORE,     /* the next page of the last search */
    CLI_CMD_HELP,
    CLI_CMD_PASSWD,   /* change the account's password: asked for, never on the line */
    CLI_CMD_BAD,      /* error says why */
    CLI_CMD_ACK,      /* id = the alert (0 = the latest one shown) */
    CLI_CMD_ROLL,     /* id = the alert */
    CLI_CMD_ME,       /* a = the action ("/me waves"), said in the current room */
    CLI_CMD_ACCOUNTS  /* every account on the server (admins) */
} cli_cmd_kind;

typedef struct cli_cmd {
    cli_cmd_kind kind;
    const char *a, *b, *whole; /* point into the parsed line; never NULL */
    size_t a_len;              /* CLI_CMD_PART only */
    uint32_t n;
    uint64_t id;               /* CLI_CMD_READ, CLI_CMD_ACK, CLI_CMD_ROLL */
    char error[160];
} cli_cmd;

#define CLI_HISTORY_DEFAULT 20u
#define CLI_HISTORY_MAX 1000u

/* Parses one input line (changed in place: words are cut out of it). */
void cli_parse(char *line, cli_cmd *cmd);
/* The /help text. */
const char *cli_help_text(void);

/* ---- cli_reads.c: read receipts from a terminal ---- */

#define CLI_READS_MAX 32 /* conversations whose reading is held back during a catch-up */

typedef struct cli_reads {
    struct {
        char peer[PROTO_NICK_MAX + 1];
        uint64_t id;
    } pending[CLI_READS_MAX];
    size_t npending;
    uint64_t newest; /* newest private message id shown: /read's default */
} cli_reads;

/* A private message was shown. With autoread (an interactive terminal: shown = seen) a
 * message from someone else is reported read: a live one at once, a catch-up's replays per
 * conversation at cli_reads_flush. */
void cli_reads_shown(cli_reads *r, pcs_session *s, const proto_msg *m, const char *me,
                     int autoread);
/* The catch-up is over (PRIV_SYNC_END): one READ per conversation it showed. */
void cli_reads_flush(cli_reads *r, pcs_session *s);

/* ---- cli_alert_format.c: alerts, acknowledgements and roll calls as lines ---- */

/* Appends the lines for an alert message (ALERT_MSG, ALERT_OK, ACKED, ROLL_LIST) and returns
 * 1; 0 (nothing appended) for any other type. */
int cli_format_alert(cli_format *f, const proto_msg *m, uint64_t now_ms, buf *out);
/* ---- cli_account_format.c: the account list (/accounts, admins) ---- */

/* Appends the lines for an ACCOUNT_LIST frame and returns 1; 0 (nothing appended) for any
 * other type. Script: "account LOGIN ROLE enabled|disabled online|offline LAST_LOGIN DISPLAY"
 * per account, then "accounts_end COUNT". */
int cli_format_accounts(cli_format *f, const proto_msg *m, uint64_t now_ms, buf *out);

/* ---- cli_alert.c: `parley-cli alert`, the command-line sender ---- */

typedef struct cli_alert_opts {
    const char *to[16];      /* --to values */
    size_t nto;
    uint32_t expires_s;      /* --expires, 0 = never */
    uint64_t status_id;      /* --status ID; 0 = send an alert */
    const char *text;
    uint32_t timeout_ms;     /* how long to wait for the server's answer */
    int script;              /* --script: the roll call in the script format */
} cli_alert_opts;

/* Parses the alert options in argv (from `alert` on): 0, or -1 after saying why. The
 * connection options are left for the caller: *rest gets them, in order. */
int cli_alert_parse(int argc, char **argv, cli_alert_opts *a, char **rest, int *nrest);
/* Connects with conn, sends the alert or asks the roll call, prints the answer. Returns the
 * exit code. */
int cli_alert_run(const cli_alert_opts *a, const pc_options *conn);

/* ---- cli_main.c ---- */

/* One line on standard error (the newline is added). */
void cli_err_line(const char *fmt, ...) PARLEY_PRINTF(1, 2);

/* The program, with UTF-8 arguments. Returns the exit code. */
int cli_main(int argc, char **argv);

/* ---- the platform layer (cli_posix.c, cli_win.c) ---- */

/* Console set-up: UTF-8 output on Windows, SIGPIPE ignored on POSIX. */
void cli_sys_init(void);
int cli_stdin_is_terminal(void);
/* Writes UTF-8 bytes to stdout or stderr as they are (a console gets them as text). */
void cli_write_out(const char *p, size_t n);
void cli_write_err(const char *p, size_t n);

typedef struct cli_input cli_input;
/* Standard input as lines. NULL when out of memory. */
cli_input *cli_input_open(void);
/* 1: a line (UTF-8, without its line ending) is in line; 0: none within timeout_ms (an
 * interactive console may block longer, until cli_input_wake); -1: end of input. */
int cli_input_line(cli_input *in, char *line, size_t size, uint32_t timeout_ms);
/* From another thread: makes a read blocked on an interactive console return soon. */
void cli_input_wake(cli_input *in);
void cli_input_close(cli_input *in);

/* An environment variable as UTF-8: 1 if set, 0 if not. */
int cli_getenv(const char *name, char *out, size_t size);
/* Reads a whole (small) file. Returns the byte count, or -1 with err set. */
long cli_read_file(const char *path, void *out, size_t size, char *err, size_t err_size);
/* "HH:MM:SS" in local time. */
void cli_local_time(uint64_t ms_since_1970, char *out, size_t size);
/* "YYYY-MM-DD" in local time. */
void cli_local_date(uint64_t ms_since_1970, char *out, size_t size);

#endif
