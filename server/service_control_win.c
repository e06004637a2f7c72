/* service_control_win.c — the commands that drive an installed service: --start, --stop,
 * --reload and --uninstall, each waiting until the service has done what was asked. */
#include "service_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "server_config.h"

#define WAIT_LIMIT_MS 180000u /* --start/--stop give up after this, whatever the hints */

SC_HANDLE svc_open_manager(DWORD access, const char *command)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, access);
    if (!scm) {
        char what[64];
        snprintf(what, sizeof what, "%s: cannot open the Service Control Manager", command);
        svc_complain_win(what, GetLastError());
    }
    return scm;
}

static int query_status(SC_HANDLE svc, SERVICE_STATUS_PROCESS *st)
{
    DWORD bytes;
    return QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)st, sizeof *st, &bytes)
               ? 0
               : -1;
}

/* Waits while the service is in `pending`: done when it leaves that state. Hung (-1) when its
 * checkpoint stands still for longer than its wait hint (the SCM's own rule), or after
 * WAIT_LIMIT_MS in all. */
static int wait_while(SC_HANDLE svc, DWORD pending, SERVICE_STATUS_PROCESS *st)
{
    ULONGLONG start = GetTickCount64(), moved = start;
    DWORD checkpoint;

    if (query_status(svc, st) != 0) {
        svc_complain_win("cannot query the service's status", GetLastError());
        return -1;
    }
    checkpoint = st->dwCheckPoint;
    while (st->dwCurrentState == pending) {
        ULONGLONG now;
        DWORD hint = st->dwWaitHint ? st->dwWaitHint : 2000;
        Sleep(200);
        if (query_status(svc, st) != 0) {
            svc_complain_win("cannot query the service's status", GetLastError());
            return -1;
        }
        now = GetTickCount64();
        if (st->dwCheckPoint != checkpoint) {
            checkpoint = st->dwCheckPoint;
            moved = now;
        } else if (now - moved > (ULONGLONG)hint + 2000) {
            svc_complain("the service made no progress within its wait hint (%lu ms)",
                     (unsigned long)hint);
            return -1;
        }
        if (now - start > WAIT_LIMIT_MS) {
            svc_complain("the service is still %s after %u s",
                     pending == SERVICE_START_PENDING ? "starting" : "stopping",
                     WAIT_LIMIT_MS / 1000);
            return -1;
        }
    }
    return 0;
}

/* Says why a service that should run has stopped: its exit code as reported. */
static void explain_exit(const SERVICE_STATUS_PROCESS *st)
{
    char text[1100];

    if (st->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR) {
        DWORD code = st->dwServiceSpecificExitCode;
        svc_complain("the service stopped with exit code %lu (%s)", (unsigned long)code,
                 code == SERVER_EXIT_USAGE ? "bad settings or options"
                                           : "start-up or run failed");
    } else if (st->dwWin32ExitCode != NO_ERROR) {
        svc_error_text(st->dwWin32ExitCode, text, sizeof text);
        svc_complain("the service stopped: %s", text);
    } else {
        svc_complain("the service stopped");
    }
}

/* Stops the service if it runs and waits until it has. 0 when it is stopped. */
static int stop_and_wait(SC_HANDLE svc, int *was_running)
{
    SERVICE_STATUS_PROCESS st;
    SERVICE_STATUS plain;

    *was_running = 0;
    if (query_status(svc, &st) != 0) {
        svc_complain_win("cannot query the service's status", GetLastError());
        return -1;
    }
    if (st.dwCurrentState == SERVICE_STOPPED)
        return 0;
    if (st.dwCurrentState == SERVICE_START_PENDING &&
        wait_while(svc, SERVICE_START_PENDING, &st) != 0)
        return -1;
    if (st.dwCurrentState != SERVICE_STOPPED && st.dwCurrentState != SERVICE_STOP_PENDING) {
        *was_running = 1;
        if (!ControlService(svc, SERVICE_CONTROL_STOP, &plain) &&
            GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
            svc_complain_win("cannot stop the service", GetLastError());
            return -1;
        }
    }
    if (wait_while(svc, SERVICE_STOP_PENDING, &st) != 0)
        return -1;
    if (st.dwCurrentState != SERVICE_STOPPED) {
        svc_complain("the service did not stop (state %lu)", (unsigned long)st.dwCurrentState);
        return -1;
    }
    return 0;
}

int svc_cmd_start(const service_program *prog)
{
    SC_HANDLE scm, svc = NULL;
    SERVICE_STATUS_PROCESS st;
    char since[32];
    int rc = 1;

    if (!(scm = svc_open_manager(SC_MANAGER_CONNECT, "--start")))
        return 1;
    svc = OpenServiceW(scm, SVC_NAME_W,
                       SERVICE_START | SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
    if (!svc) {
        svc_complain_win("--start: cannot open the Parley service (is it installed? "
                     "parley-server --install)",
                     GetLastError());
        goto done;
    }
    svc_timestamp_now(since);
    if (!StartServiceW(svc, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING) {
        svc_complain_win("--start: cannot start the Parley service", GetLastError());
        goto done;
    }
    if (wait_while(svc, SERVICE_START_PENDING, &st) != 0)
        goto done;
    if (st.dwCurrentState != SERVICE_RUNNING) {
        explain_exit(&st);
        svc_explain_failure(prog, svc, since);
        goto done;
    }
    printf("The Parley service is running (process %lu).\n", (unsigned long)st.dwProcessId);
    rc = 0;
done:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

int svc_cmd_reload(const service_program *prog)
{
    SC_HANDLE scm, svc = NULL;
    SERVICE_STATUS st;
    server_config *cfg = calloc(1, sizeof *cfg);
    char err[1024];
    int rc = 1;

    if (!cfg || !(scm = svc_open_manager(SC_MANAGER_CONNECT, "--reload"))) {
        free(cfg);
        return 1;
    }
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_PAUSE_CONTINUE | SERVICE_QUERY_CONFIG);
    if (!svc) {
        svc_complain_win("--reload: cannot open the Parley service", GetLastError());
        goto done;
    }
    /* Checked here first, so that a mistake is named with its file and line right away. */
    if (svc_service_settings(prog, svc, cfg, err, sizeof err) != 0) {
        svc_complain("--reload: the settings cannot be used: %s", err);
        svc_complain("the service keeps running with the settings it has");
        goto done;
    }
    if (!ControlService(svc, SERVICE_CONTROL_PARAMCHANGE, &st)) {
        svc_complain_win("--reload: the service did not take the new settings", GetLastError());
        goto done;
    }
    printf("The Parley service has re-read its settings (name, motd, limits, timeouts and log "
           "level apply now; the log says which others need a restart).\n");
    rc = 0;
done:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    crypto_wipe(cfg, sizeof *cfg);
    free(cfg);
    return rc;
}

int svc_cmd_stop(void)
{
    SC_HANDLE scm, svc = NULL;
    SERVICE_STATUS_PROCESS st;
    int rc = 1, was_running;

    if (!(scm = svc_open_manager(SC_MANAGER_CONNECT, "--stop")))
        return 1;
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_STOP | SERVICE_QUERY_STATUS);
    if (!svc) {
        svc_complain_win("--stop: cannot open the Parley service", GetLastError());
        goto done;
    }
    if (stop_and_wait(svc, &was_running) != 0)
        goto done;
    if (query_status(svc, &st) == 0 && st.dwWin32ExitCode != NO_ERROR) {
        explain_exit(&st);
        svc_complain("see the log file (by default %%ProgramData%%\\Parley\\parley-server.log) "
                     "and the Application event log, source Parley");
    }
    printf(was_running ? "The Parley service has stopped.\n"
                       : "The Parley service was not running.\n");
    rc = 0;
done:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

int svc_cmd_uninstall(void)
{
    SC_HANDLE scm, svc = NULL;
    char data[SERVER_PATH_MAX];
    int rc = 1, was_running;

    if (!(scm = svc_open_manager(SC_MANAGER_CONNECT, "--uninstall")))
        return 1;
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (!svc) {
        DWORD code = GetLastError();
        if (code != ERROR_SERVICE_DOES_NOT_EXIST) {
            svc_complain_win("--uninstall: cannot open the Parley service", code);
            goto done;
        }
        printf("The Parley service is not installed.\n");
    } else {
        if (stop_and_wait(svc, &was_running) != 0)
            goto done;
        if (!DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
            svc_complain_win("--uninstall: cannot delete the Parley service", GetLastError());
            goto done;
        }
        printf("Removed the Parley service.\n");
    }
    if (svc_evlog_remove() != 0)
        goto done;
    if (fsys_default_data_dir(data, sizeof data) == 0)
        printf("Settings, history and the secret key stay where they are (by default %s).\n",
               data);
    rc = 0;
done:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

