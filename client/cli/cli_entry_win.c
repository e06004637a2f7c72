/* cli_entry_win.c — parley-cli's entry point on Windows (-municode): the UTF-16 command line
 * becomes UTF-8 arguments for cli_main. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int wmain(int argc, wchar_t **argv);

static char *utf8_arg(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n) : NULL;

    if (s)
        WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, s, n, NULL, NULL);
    return s;
}

int wmain(int argc, wchar_t **argv)
{
    char **args = calloc((size_t)argc + 1, sizeof *args);
    int i, rc;

    if (!args)
        return CLI_EXIT_OTHER;
    for (i = 0; i < argc; i++) {
        args[i] = utf8_arg(argv[i]);
        if (!args[i]) {
            fputs("parley-cli: an argument is not valid Unicode\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    rc = cli_main(argc, args);
    for (i = 0; i < argc; i++)
        free(args[i]);
    free(args);
    return rc;
}
