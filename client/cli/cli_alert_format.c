/* cli_alert_format.c — how parley-cli shows alerts: an incoming alert loud and clear (with a
 * bell, and how to acknowledge it), the server's answers, and roll calls; in the script format
 * one stable line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_format_parts.h"

static void put(buf *out, const char *s)
{
    buf_append(out, s, strlen(s));
}

void cli_fmt_utc(buf *out, uint64_t ms)
{
    char t[25];
    if (ms == 0) {
        put(out, "-");
        return;
    }
    log_format_time(t, ms);
    buf_append(out, t, 19);
    put(out, "Z");
}

static void put_u64(buf *out, uint64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    put(out, t);
}

static uint64_t expiry(const proto_msg *m)
{
    return m->duration ? m->time + (uint64_t)m->duration * 1000u : 0;
}

static void count_entries(cli_format *f, const proto_msg *m, buf *out)
{
    proto_entry e;
    size_t pos = 0;

    while (proto_list_next(&m->list, PT_ROLL_LIST, &pos, &e)) {
        if (!(m->flags & PROTO_FLAG_UPDATE) && e.value <= ROLL_ACKED)
            f->roll_counts[e.value]++;
        if (f->script) {
            put(out, "roll ");
            put_u64(out, m->id);
            put(out, " ");
            cli_fmt_field(out, e.name);
            put(out, e.value == ROLL_ACKED ? " acknowledged " : e.value == ROLL_SHOWN
                                                                ? " shown " : " pending ");
            cli_fmt_utc(out, e.time);
            put(out, "\n");
        } else {
            put(out, "           ");
            cli_fmt_raw(out, e.name);
            put(out, ": ");
            put(out, proto_roll_state_text((uint8_t)e.value));
            if (e.time) {
                put(out, " ");
                cli_fmt_utc(out, e.time);
            }
            put(out, "\n");
        }
    }
}

static void roll_list(cli_format *f, const proto_msg *m, uint64_t now, buf *out)
{
    char line[160];
    int first = !(m->flags & PROTO_FLAG_UPDATE) && f->roll_counts[0] + f->roll_counts[1] +
                                                          f->roll_counts[2] == 0;

    if (!f->script) {
        cli_fmt_stamp(out, now);
        if (m->flags & PROTO_FLAG_UPDATE) {
            snprintf(line, sizeof line, "-!- alert %llu roll call changed:\n",
                     (unsigned long long)m->id);
            put(out, line);
        } else if (first) {
            snprintf(line, sizeof line, "-!- roll call of alert %llu from ",
                     (unsigned long long)m->id);
            put(out, line);
            cli_fmt_raw(out, m->nick);
            put(out, ", sent ");
            cli_fmt_utc(out, m->time);
            if (m->duration) {
                put(out, ", expires ");
                cli_fmt_utc(out, expiry(m));
            }
            put(out, ":\n");
        } else {
            put(out, "-!- roll call, continued:\n");
        }
    }
    count_entries(f, m, out);
    if ((m->flags & (PROTO_FLAG_UPDATE | PROTO_FLAG_MORE)) == 0) {
        if (f->script)
            snprintf(line, sizeof line, "roll_end %llu %u %u %u\n", (unsigned long long)m->id,
                     (unsigned)f->roll_counts[ROLL_ACKED], (unsigned)f->roll_counts[ROLL_SHOWN],
                     (unsigned)f->roll_counts[ROLL_PENDING]);
        else
            snprintf(line, sizeof line,
                     "           %u acknowledged, %u shown, %u not delivered\n",
                     (unsigned)f->roll_counts[ROLL_ACKED], (unsigned)f->roll_counts[ROLL_SHOWN],
                     (unsigned)f->roll_counts[ROLL_PENDING]);
        put(out, line);
        memset(f->roll_counts, 0, sizeof f->roll_counts);
    }
}

static void alert_message(cli_format *f, const proto_msg *m, uint64_t now, buf *out)
{
    char line[160];

    f->last_alert = m->id;
    if (f->script) {
        put(out, "alert ");
        put_u64(out, m->id);
        put(out, " ");
        cli_fmt_field(out, m->nick);
        put(out, " ");
        cli_fmt_utc(out, m->time);
        put(out, " ");
        cli_fmt_utc(out, expiry(m));
        cli_fmt_tail(f, out, m->text);
        put(out, "\n");
        return;
    }
    /* The bell and a framed block: an alert must not scroll by unnoticed. */
    put(out, "\a");
    cli_fmt_stamp(out, now);
    snprintf(line, sizeof line, "*** ALERT %llu from ", (unsigned long long)m->id);
    put(out, line);
    cli_fmt_raw(out, m->nick);
    put(out, ", sent ");
    cli_fmt_utc(out, m->time);
    if (m->flags & PROTO_FLAG_HISTORY)
        put(out, " while you were away");
    put(out, " ***\n           ");
    cli_fmt_raw(out, m->text);
    snprintf(line, sizeof line, "\n           *** type /ack to acknowledge alert %llu ***\n",
             (unsigned long long)m->id);
    put(out, line);
}

int cli_format_alert(cli_format *f, const proto_msg *m, uint64_t now_ms, buf *out)
{
    char line[160];

    switch (m->type) {
    case PT_ALERT_MSG:
        alert_message(f, m, now_ms, out);
        return 1;
    case PT_ALERT_OK:
        if (f->script) {
            snprintf(line, sizeof line, "alert_ok %llu %u\n", (unsigned long long)m->id,
                     (unsigned)m->count);
        } else {
            cli_fmt_stamp(out, now_ms);
            snprintf(line, sizeof line, "-!- alert %llu sent to %u %s\n",
                     (unsigned long long)m->id, (unsigned)m->count,
                     m->count == 1 ? "person" : "people");
        }
        put(out, line);
        return 1;
    case PT_ACKED:
        if (f->script) {
            snprintf(line, sizeof line, "acked %llu ", (unsigned long long)m->id);
        } else {
            cli_fmt_stamp(out, now_ms);
            snprintf(line, sizeof line, "-!- you acknowledged alert %llu at ",
                     (unsigned long long)m->id);
        }
        put(out, line);
        cli_fmt_utc(out, m->time);
        put(out, "\n");
        return 1;
    case PT_ROLL_LIST:
        roll_list(f, m, now_ms, out);
        return 1;
    default:
        return 0;
    }
}
