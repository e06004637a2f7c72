/* cli_account_format.c — how parley-cli shows the account list (/accounts, for admins): one
 * line per account, and the count at the end of the list; in the script format one stable
 * line each (docs/CLIENT.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_format_parts.h"

static void put(buf *out, const char *s)
{
    buf_append(out, s, strlen(s));
}

static void script_entry(buf *out, const proto_entry *e)
{
    put(out, "account ");
    cli_fmt_field(out, e->name);
    put(out, " ");
    put(out, proto_account_role_name((uint8_t)(e->value & PROTO_ACCOUNT_ROLE_MASK)));
    put(out, e->value & PROTO_ACCOUNT_DISABLED ? " disabled" : " enabled");
    put(out, e->value & PROTO_ACCOUNT_ONLINE ? " online " : " offline ");
    cli_fmt_utc(out, e->time);
}

static void human_entry(buf *out, const proto_entry *e, uint64_t now)
{
    cli_fmt_stamp(out, now);
    put(out, "-!- account ");
    cli_fmt_raw(out, e->name);
    /* The display name only where it says more than the login. */
    if (e->text.n && (e->text.n != e->name.n || memcmp(e->text.p, e->name.p, e->name.n) != 0)) {
        put(out, " (");
        cli_fmt_raw(out, e->text);
        put(out, ")");
    }
    put(out, ": ");
    put(out, proto_account_role_name((uint8_t)(e->value & PROTO_ACCOUNT_ROLE_MASK)));
    if (e->value & PROTO_ACCOUNT_DISABLED)
        put(out, ", disabled");
    put(out, e->value & PROTO_ACCOUNT_ONLINE ? ", online" : ", offline");
    put(out, ", last login ");
    if (e->time)
        cli_fmt_utc(out, e->time);
    else
        put(out, "never");
    put(out, "\n");
}

int cli_format_accounts(cli_format *f, const proto_msg *m, uint64_t now_ms, buf *out)
{
    size_t pos = 0;
    proto_entry e;
    char line[80];

    if (m->type != PT_ACCOUNT_LIST)
        return 0;
    while (proto_list_next(&m->list, PT_ACCOUNT_LIST, &pos, &e)) {
        f->list_count++;
        if (f->script) {
            script_entry(out, &e);
            cli_fmt_tail(f, out, e.text);
            put(out, "\n");
        } else {
            human_entry(out, &e, now_ms);
        }
    }
    if (m->flags & PROTO_FLAG_MORE)
        return 1;
    if (f->script) {
        snprintf(line, sizeof line, "accounts_end %u\n", (unsigned)f->list_count);
    } else {
        cli_fmt_stamp(out, now_ms);
        snprintf(line, sizeof line, "-!- %u account%s\n", (unsigned)f->list_count,
                 f->list_count == 1 ? "" : "s");
    }
    put(out, line);
    f->list_count = 0;
    return 1;
}
