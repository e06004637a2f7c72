/* cli_format_parts.h — the pieces of cli_format.c's lines that the other formatters
 * (cli_alert_format.c, cli_account_format.c) build their lines from, so that every line escapes alike. */
#ifndef PARLEY_CLI_FORMAT_PARTS_H
#define PARLEY_CLI_FORMAT_PARTS_H

#include "cli.h"

/* A field in the middle of a script line: "-" when empty, spaces and controls escaped. */
void cli_fmt_field(buf *out, proto_str s);
/* " text" at the end of a line (script escapes, or the interactive ones), or nothing. */
void cli_fmt_tail(const cli_format *f, buf *out, proto_str s);
/* Text on an interactive line: controls escaped, line breaks continue under the stamp. */
void cli_fmt_raw(buf *out, proto_str s);
/* "2026-12-06T07:00:01Z", or "-" for 0 (cli_alert_format.c). */
void cli_fmt_utc(buf *out, uint64_t ms);
/* "[HH:MM:SS] " in local time. */
void cli_fmt_stamp(buf *out, uint64_t ms);

#endif
