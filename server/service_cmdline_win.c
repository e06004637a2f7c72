/* service_cmdline_win.c — the service's command line: quoting it for the SCM, reading back the
 * installed one, and merging new --install options into it so that a re-install changes only
 * what it is told to. */
#include "service_win.h"

#include <shellapi.h>

#include <stdlib.h>
#include <string.h>

/* A growing UTF-8 string in a caller's buffer; `bad` sticks once something did not fit. */
typedef struct text_buf {
    char *p;
    size_t cap, len;
    int bad;
} text_buf;

static void tb_add(text_buf *b, const char *s, size_t n)
{
    if (b->bad || n >= b->cap - b->len) {
        b->bad = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void tb_repeat(text_buf *b, char c, size_t n)
{
    while (n-- > 0)
        tb_add(b, &c, 1);
}

/* Appends one argument quoted by the rules CommandLineToArgvW and the C runtime undo: quotes
 * around it if it is empty or has white space or quotes; backslashes doubled only where they
 * come before a quote (or the closing one). Works on UTF-8 since these are all ASCII. */
static void tb_add_arg(text_buf *b, const char *arg)
{
    size_t slashes = 0;
    const char *p;

    if (arg[0] && !strpbrk(arg, " \t\n\v\"")) {
        tb_add(b, arg, strlen(arg));
        return;
    }
    tb_add(b, "\"", 1);
    for (p = arg;; p++) {
        if (*p == '\\') {
            slashes++;
            continue;
        }
        if (*p == '\0') {
            tb_repeat(b, '\\', slashes * 2);
            break;
        }
        if (*p == '"')
            tb_repeat(b, '\\', slashes * 2 + 1);
        else
            tb_repeat(b, '\\', slashes);
        tb_add(b, p, 1);
        slashes = 0;
    }
    tb_add(b, "\"", 1);
}

int service_command_line(char *out, size_t out_size, const char *exe, int argc,
                         char *const *argv)
{
    text_buf b;
    int i;

    if (out_size == 0)
        return -1;
    b.p = out;
    b.cap = out_size;
    b.len = 0;
    b.bad = 0;
    out[0] = '\0';
    /* The program name is parsed differently (up to the next quote, no escapes): an
     * unquoted path with a space ("C:\Program Files\...") is the classic service hijack. */
    tb_add(&b, "\"", 1);
    tb_add(&b, exe, strlen(exe));
    tb_add(&b, "\"", 1);
    for (i = 0; i < argc; i++) {
        tb_add(&b, " ", 1);
        tb_add_arg(&b, argv[i]);
    }
    if (b.bad) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* Server options that take no value; every other "--" option takes one. */
static int is_flag(const char *arg)
{
    return strcmp(arg, "--quiet") == 0;
}

/* Length of the item at argv[i]: an option and its value, or a lone argument. */
static int item_len(int argc, char *const *argv, int i)
{
    if (strncmp(argv[i], "--", 2) == 0 && !is_flag(argv[i]) && i + 1 < argc)
        return 2;
    return 1;
}

/* 1 if `opt` is given as an option among argv. */
static int has_option(int argc, char *const *argv, const char *opt)
{
    int i;
    for (i = 0; i < argc; i += item_len(argc, argv, i))
        if (strcmp(argv[i], opt) == 0)
            return 1;
    return 0;
}

int svc_merge_options(int old_n, char *const *old, int new_n, char *const *given, char **out)
{
    int i, k, n = 0;

    for (i = 0; i < old_n; i += k) {
        k = item_len(old_n, old, i);
        if (strncmp(old[i], "--", 2) == 0 && has_option(new_n, given, old[i]))
            continue;
        memcpy(out + n, old + i, (size_t)k * sizeof *out);
        n += k;
    }
    for (i = 0; i < new_n; i++)
        out[n++] = given[i];
    return n;
}

char **svc_split_command_line(const wchar_t *line, int *n)
{
    wchar_t **parsed;
    char **args = NULL;
    int count = 0, i;

    *n = 0;
    parsed = CommandLineToArgvW(line, &count);
    if (!parsed)
        return NULL;
    if (!(args = calloc((size_t)count + 1, sizeof *args)))
        goto fail;
    for (i = 1; i < count; i++) {
        size_t cap = wcslen(parsed[i]) * 3 + 1;
        if (!(args[i - 1] = malloc(cap)) || svc_narrow(args[i - 1], cap, parsed[i]) != 0)
            goto fail;
    }
    *n = count > 0 ? count - 1 : 0;
    LocalFree(parsed);
    return args;
fail:
    svc_free_args(args, count);
    LocalFree(parsed);
    return NULL;
}

void svc_free_args(char **args, int n)
{
    int i;
    if (!args)
        return;
    for (i = 0; i < n; i++)
        free(args[i]);
    free(args);
}
