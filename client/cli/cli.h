/* cli.h — parley-cli, the terminal client: the portable parts (line formats, command parsing,
 * the program) and the small platform layer they stand on (cli_posix.c, cli_win.c). */
#ifndef PARLEY_CLI_H
#define PARLEY_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "log.h"
#include "proto.h"
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
    CLI_CMD_QUIT,     /* a = reason */
    CLI_CMD_HELP,
    CLI_CMD_BAD,      /* error says why */
    CLI_CMD_ME        /* a = the action ("/me waves"), said in the current room */
} cli_cmd_kind;

typedef struct cli_cmd {
    cli_cmd_kind kind;
    const char *a, *b, *whole; /* point into the parsed line; never NULL */
    size_t a_len;              /* CLI_CMD_PART only */
    uint32_t n;
    char error[160];
} cli_cmd;

#define CLI_HISTORY_DEFAULT 20u
#define CLI_HISTORY_MAX 1000u

/* Parses one input line (changed in place: words are cut out of it). */
void cli_parse(char *line, cli_cmd *cmd);
/* The /help text. */
const char *cli_help_text(void);

/* ---- cli_main.c ---- */

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

#endif
