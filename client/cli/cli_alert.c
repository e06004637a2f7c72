/* cli_alert.c — `parley-cli alert`, the command-line sender for scripts, scheduled tasks and
 * monitoring hooks (the replacement for net send / msg.exe): one connection, one ALERT (or one
 * ROLL for --status), the server's answer on standard output, an exit code that says how it
 * went. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "expiry.h"
#include "sys.h"

#define ALERT_WAIT_DEFAULT_MS 10000u
#define ALERT_TAG 1u

/* Options of the common set that take no value. */
static int is_flag(const char *arg)
{
    return strcmp(arg, "--script") == 0 || strcmp(arg, "--no-reconnect") == 0 ||
           strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
           strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0;
}

/* The value of option name at argv[*i] ("--name value" or "--name=value"), or NULL. */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        cli_err_line("parley-cli alert: %s needs a value", name);
        return "";
    }
    return argv[++*i];
}

int cli_alert_parse(int argc, char **argv, cli_alert_opts *a, char **rest, int *nrest)
{
    int i;
    const char *v;

    memset(a, 0, sizeof *a);
    *nrest = 0;
    rest[(*nrest)++] = argv[0];
    for (i = 1; i < argc; i++) {
        if ((v = value_of(argc, argv, &i, "--to")) != NULL) {
            if (!*v || a->nto == sizeof a->to / sizeof a->to[0]) {
                cli_err_line("parley-cli alert: --to all, room:NAME, user:NAME or group:NAME "
                             "(at most %u)",
                             (unsigned)(sizeof a->to / sizeof a->to[0]));
                return -1;
            }
            a->to[a->nto++] = v;
        } else if ((v = value_of(argc, argv, &i, "--expires")) != NULL) {
            if (expiry_parse(v, &a->expires_s) != 0) {
                cli_err_line("parley-cli alert: --expires %s: a duration such as 90s, 30m, 2h "
                             "or 1d (at most 49 days)", v);
                return -1;
            }
        } else if ((v = value_of(argc, argv, &i, "--status")) != NULL) {
            char *end;
            unsigned long long id = strtoull(v, &end, 10);
            if (!*v || *end || id == 0 || *v == '-') {
                cli_err_line("parley-cli alert: --status %s: an alert id (a number)", v);
                return -1;
            }
            a->status_id = id;
        } else if (strncmp(argv[i], "--", 2) == 0) {
            /* A connection option: handed on, with its value. */
            rest[(*nrest)++] = argv[i];
            if (!strchr(argv[i], '=') && !is_flag(argv[i]) && i + 1 < argc)
                rest[(*nrest)++] = argv[++i];
            if (strcmp(argv[i], "--script") == 0)
                a->script = 1;
        } else if (!a->text) {
            a->text = argv[i];
        } else {
            cli_err_line("parley-cli alert: one text only; quote it (\"%s ...\")", a->text);
            return -1;
        }
    }
    if (a->status_id && (a->nto || a->text || a->expires_s)) {
        cli_err_line("parley-cli alert: --status ID takes no --to, --expires or text");
        return -1;
    }
    if (!a->status_id && (!a->nto || !a->text || !*a->text)) {
        cli_err_line("parley-cli alert: usage: parley-cli alert --to all|room:NAME|user:NAME|group:NAME "
                     "[--to ...] [--expires 2h] \"text\", or parley-cli alert --status ID");
        return -1;
    }
    return 0;
}

/* Writes what the formatter made of m to standard output. */
static void show(cli_format *f, const proto_msg *m, buf *out)
{
    buf_reset(out);
    cli_format_alert(f, m, sys_wall_ms(), out);
    if (out->len)
        cli_write_out((const char *)out->data, out->len);
}

/* Waits for the answer to our request: 0 when it came (printed), else the exit code. */
static int await_answer(pc_conn *pc, const cli_alert_opts *a)
{
    uint64_t deadline = sys_mono_ms() + (a->timeout_ms ? a->timeout_ms : ALERT_WAIT_DEFAULT_MS);
    cli_format f;
    proto_msg m;
    buf out;
    char line[64];
    int rc = CLI_EXIT_OTHER;

    memset(&f, 0, sizeof f);
    f.script = a->script;
    buf_init(&out);
    for (;;) {
        uint64_t now = sys_mono_ms();
        int got;
        if (now >= deadline) {
            cli_err_line("parley-cli alert: no answer from the server in time");
            break;
        }
        got = pc_recv(pc, &m, (uint32_t)(deadline - now));
        if (got < 0) {
            cli_err_line("parley-cli alert: %s", pc_error(pc));
            rc = cli_exit_code(pc_error_code(pc));
            if (rc == CLI_EXIT_OK)
                rc = CLI_EXIT_OTHER;
            break;
        }
        if (got == 0)
            continue;
        if (m.type == PT_ERROR && m.code >= 100) {
            cli_err_line("parley-cli alert: refused: %.*s (%s)", (int)m.text.n, m.text.p,
                         pc_code_name(m.code));
            rc = CLI_EXIT_REFUSED;
            break;
        }
        if (m.type == PT_ALERT_OK && !a->status_id && m.tag == ALERT_TAG) {
            /* Only the id on standard output: id=$(parley-cli alert ...) just works. */
            snprintf(line, sizeof line, "%llu\n", (unsigned long long)m.id);
            cli_write_out(line, strlen(line));
            cli_err_line("parley-cli alert: alert %llu accepted for %u recipient%s",
                         (unsigned long long)m.id, (unsigned)m.count, m.count == 1 ? "" : "s");
            rc = CLI_EXIT_OK;
            break;
        }
        if (m.type == PT_ROLL_LIST && a->status_id && m.id == a->status_id &&
            !(m.flags & PROTO_FLAG_UPDATE)) {
            show(&f, &m, &out);
            if (!(m.flags & PROTO_FLAG_MORE)) {
                rc = CLI_EXIT_OK;
                break;
            }
        }
        /* Anything else (the lobby, notices, alerts to this account) is not asked for here. */
    }
    buf_free(&out);
    return rc;
}

int cli_alert_run(const cli_alert_opts *a, const pc_options *conn)
{
    char target[PROTO_RECIPIENTS_MAX + 1], err[320];
    size_t i, used = 0;
    proto_msg m;
    pc_conn *pc;
    int code, rc;

    target[0] = '\0';
    for (i = 0; i < a->nto; i++) {
        int n = snprintf(target + used, sizeof target - used, "%s%s", i ? " " : "", a->to[i]);
        if (n < 0 || (size_t)n >= sizeof target - used) {
            cli_err_line("parley-cli alert: the recipients are too long (at most %u bytes)",
                         PROTO_RECIPIENTS_MAX);
            return CLI_EXIT_USAGE;
        }
        used += (size_t)n;
    }
    pc = pc_connect(conn, &code, err, sizeof err);
    if (!pc) {
        cli_err_line("parley-cli alert: %s", err);
        return cli_exit_code(code);
    }
    memset(&m, 0, sizeof m);
    if (a->status_id) {
        m.type = PT_ROLL;
        m.id = a->status_id;
    } else {
        m.type = PT_ALERT;
        m.tag = ALERT_TAG;
        m.duration = a->expires_s;
        m.target = proto_s(target);
        m.text = proto_s(a->text);
    }
    if (pc_send(pc, &m) != 0) {
        cli_err_line("parley-cli alert: %s", pc_send_error(pc)[0] ? pc_send_error(pc)
                                                                    : pc_error(pc));
        pc_close(pc);
        return CLI_EXIT_USAGE;
    }
    rc = await_answer(pc, a);
    pc_quit(pc, "alert sent");
    pc_close(pc);
    return rc;
}
