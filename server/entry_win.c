/* entry_win.c — parley-server's wmain() on Windows: converts the UTF-16 command line to UTF-8,
 * sets the console to UTF-8 output, and hands over to the service layer, which runs the
 * portable program as a service or in the console. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "server_main.h"
#include "service.h"

int wmain(int argc, wchar_t **wargv);

int wmain(int argc, wchar_t **wargv)
{
    static const service_program program = {server_main_hooked, server_load_settings};
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
    rc = service_entry(argc, argv, &program);
done:
    for (i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}
