/* entry_win.c — parley-server's wmain() on Windows: converts the UTF-16 command line to UTF-8
 * for the portable program, and sets the console to UTF-8 output. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "server_main.h"

int wmain(int argc, wchar_t **wargv);

int wmain(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    int i, rc = 1;

    if (!argv) {
        fputs("parley-server: out of memory\n", stderr);
        return 1;
    }
    SetConsoleOutputCP(CP_UTF8);
    for (i = 0; i < argc; i++) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0, NULL, NULL);
        argv[i] = n > 0 ? malloc((size_t)n) : NULL;
        if (!argv[i] ||
            WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, argv[i], n, NULL, NULL) != n) {
            fputs("parley-server: cannot read the command line\n", stderr);
            goto done;
        }
    }
    rc = server_main(argc, argv);
done:
    for (i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}
