/* service_win.c — parley-server's entry point on Windows: a management command (--install,
 * --uninstall, --start, --stop, --reload), the service under the SCM, or a console run. */

/* Design
 *
 * One binary. wmain (entry_win.c) hands its UTF-8 arguments to service_entry. A management
 * command runs and exits. Otherwise, a process whose parent is not services.exe was not
 * started by the SCM and runs the server at once; one started by it calls
 * StartServiceCtrlDispatcherW, and still falls back to the console run should that fail with
 * ERROR_FAILED_SERVICE_CONTROLLER_CONNECT. (Windows fails that call at once when there is no
 * SCM behind it, but Wine can take ten seconds: every console start would pay them.)
 *
 * Status. The service reports START_PENDING with a new checkpoint at every start-up step of
 * server_main (hooks.on_progress), accepting no controls; RUNNING once the engine listens
 * (hooks.on_running), accepting STOP, SHUTDOWN and PRESHUTDOWN, all of which become
 * net_engine_stop — the server's graceful shutdown; STOP_PENDING while it shuts down (the wait
 * hint covers the configured shutdown deadline); and SERVICE_STOPPED last, with the real exit
 * code: NO_ERROR, or ERROR_SERVICE_SPECIFIC_ERROR and server_main's code. One lock orders the
 * control handler (the dispatcher thread) and the service thread, so checkpoints only grow and
 * nothing is reported after SERVICE_STOPPED.
 *
 * Least privilege. The service runs as its virtual account NT SERVICE\Parley (no password,
 * no rights beyond its own data), with only SeChangeNotifyPrivilege in its token. The data
 * directory gets a protected DACL: SYSTEM and Administrators full control, the service's SID
 * modify, nobody else anything; server.ini and secret.key are read-only for the service. */

#include "service_win.h"

#include <tlhelp32.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 if the parent process is services.exe, the Service Control Manager, which starts every
 * service process; 0 if it is anything else or gone (services.exe lives as long as Windows;
 * Wine gives a process started from Unix no parent at all). 1 too when it cannot be told:
 * the dispatcher then decides. */
static int started_by_scm(void)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    PROCESSENTRY32W pe;
    DWORD self = GetCurrentProcessId(), parent = 0;
    int self_found = 0, scm = 0;
    BOOL more;

    if (snap == INVALID_HANDLE_VALUE)
        return 1;
    pe.dwSize = sizeof pe;
    for (more = Process32FirstW(snap, &pe); more && !self_found; more = Process32NextW(snap, &pe))
        if (pe.th32ProcessID == self) {
            self_found = 1;
            parent = pe.th32ParentProcessID;
        }
    pe.dwSize = sizeof pe;
    for (more = parent ? Process32FirstW(snap, &pe) : FALSE; more;
         more = Process32NextW(snap, &pe))
        if (pe.th32ProcessID == parent) {
            scm = _wcsicmp(pe.szExeFile, L"services.exe") == 0;
            break;
        }
    CloseHandle(snap);
    return self_found ? scm : 1;
}

static void service_usage(void)
{
    printf("\n"
           "As a Windows service (from an elevated command prompt):\n"
           "  --install [options]  install the service \"%s\", or update it: options given\n"
           "                       replace the same ones on its command line, the rest stay;\n"
           "                       prepares %%ProgramData%%\\Parley and on first use writes\n"
           "                       server.ini and a new secret key; --port, --bind and\n"
           "                       --data-dir given are also written into that server.ini.\n"
           "                       --install's own options:\n"
           "    --start-type TYPE  auto, delayed, manual or disabled (new service: auto;\n"
           "                       an existing one keeps its own unless this is given)\n"
           "    --hide-secret      say where a new secret key is, without printing it\n"
           "    --account NAME     run as this account (an existing service keeps its own\n"
           "                       unless this is given): LocalService, NetworkService or\n"
           "                       \"NT SERVICE\\Parley\" (the default) need no password;\n"
           "                       any other is asked for its password with no echo\n"
           "    --password-file PATH  or reads it from the first line of PATH\n"
           "  --start, --stop      start or stop the service and wait until it has\n"
           "  --reload             make the running service re-read its settings (name, motd,\n"
           "                       limits, timeouts, log level; the rest need a restart)\n"
           "  --uninstall          stop and remove the service (settings and data stay)\n"
           "  --console            run in this console even where the service could start\n",
           PARLEY_SERVICE_NAME);
}

int service_entry(int argc, char **argv, const service_program *prog)
{
    static const char *const commands[] = {"--install", "--uninstall", "--start", "--stop",
                                           "--console", "--reload"};
    int i, which = -1, at = 0, rc, not_service;
    size_t k;

    for (i = 1; i < argc && which < 0; i++)
        for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
            if (strcmp(argv[i], commands[k]) == 0) {
                which = (int)k;
                at = i;
                break;
            }
    if (((which >= 1 && which <= 3) || which == 5) && argc != 2) {
        svc_complain("%s takes no other options (see --help)", argv[at]);
        return SERVER_EXIT_USAGE;
    }
    if (which == 0 || which == 4) {
        /* The command itself is dropped; the rest are server options. */
        char **rest = malloc((size_t)argc * sizeof *rest);
        int n = 0;
        if (!rest) {
            svc_complain("out of memory");
            return SERVER_EXIT_FAILURE;
        }
        for (i = 0; i < argc; i++)
            if (i != at)
                rest[n++] = argv[i];
        rc = which == 0 ? svc_cmd_install(prog, n, rest) : prog->run(n, rest, NULL);
        free(rest);
        return rc;
    }
    if (which == 1)
        return svc_cmd_uninstall();
    if (which == 2)
        return svc_cmd_start(prog);
    if (which == 3)
        return svc_cmd_stop();
    if (which == 5)
        return svc_cmd_reload(prog);

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
            strcmp(argv[i], "/?") == 0) {
            rc = prog->run(argc, argv, NULL);
            service_usage();
            return rc;
        } else if (strcmp(argv[i], "--version") == 0) {
            return prog->run(argc, argv, NULL);
        }
    if (!started_by_scm())
        return prog->run(argc, argv, NULL);
    rc = svc_run_dispatcher(prog, argc, argv, &not_service);
    return not_service ? prog->run(argc, argv, NULL) : rc;
}
