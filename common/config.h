/* config.h — INI-style configuration parser whose every error names file, line and problem. */
#ifndef PARLEY_CONFIG_H
#define PARLEY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Syntax: "[section]" headers, "key = value" pairs, ';' or '#' comments on
 * their own line, blank lines. Keys and section names are case-insensitive
 * ASCII; values are trimmed UTF-8, optionally wrapped in double quotes.
 * A UTF-8 BOM at the start is skipped.
 *
 * The handler is called once per pair, in file order, with NUL-terminated
 * strings that live until it returns. It returns 0 to accept, or non-zero
 * after writing a short problem text ("unknown key 'x'") into `problem`;
 * the parser then stops and reports "file:line: problem". */
typedef int (*config_handler)(void *user, const char *section, const char *key,
                              const char *value, char *problem, size_t problem_size);

/* Returns 0 on success; otherwise writes "name:line: problem" (or "name: cannot open: reason")
 * into err and returns -1. */
int config_parse_text(const char *name, const char *text, size_t len, config_handler handler,
                      void *user, char *err, size_t err_size);
int config_parse_file(const char *path, config_handler handler, void *user, char *err,
                      size_t err_size);

/* Value helpers for handlers: 0 on success, -1 with a problem text on failure. */
int config_value_bool(const char *value, int *out, char *problem, size_t problem_size);
/* Decimal integer within [min, max]. */
int config_value_int(const char *value, long long min, long long max, long long *out,
                     char *problem, size_t problem_size);
/* Byte sizes: "512", "64k", "4M", "1G" (binary multiples). */
int config_value_size(const char *value, uint64_t max, uint64_t *out, char *problem,
                      size_t problem_size);
/* Durations: "250ms", "30s", "5m", "2h", "7d"; a bare number is seconds. Result in milliseconds. */
int config_value_duration_ms(const char *value, uint64_t *out, char *problem, size_t problem_size);

#endif
