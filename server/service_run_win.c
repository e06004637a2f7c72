/* service_run_win.c — running under the Service Control Manager: the service's main function,
 * status reports (START_PENDING checkpoints, RUNNING, STOP_PENDING, STOPPED with the real exit
 * code) and the control handler (stop, shutdown, preshutdown, parameter change). */

/* One lock orders the control handler (the dispatcher thread) and the service thread, so
 * checkpoints only grow and nothing is reported after SERVICE_STOPPED. */

#include "service_win.h"

#include <shlobj.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsys.h"
#include "parley-messages.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.0.0"
#endif

typedef struct svc_state {
    const service_program *prog;
    int argc;                 /* the process's own arguments (its image path), UTF-8 */
    char **argv;
    SERVICE_STATUS_HANDLE handle;
    CRITICAL_SECTION lock;    /* orders every status report and guards engine */
    SERVICE_STATUS status;    /* the last one reported */
    int finished;             /* SERVICE_STOPPED has been reported: nothing may follow */
    net_engine *engine;       /* stoppable between on_running and on_stopped */
    server_run *run;          /* reloadable in the same span */
    DWORD stop_hint_ms;
    HANDLE events;            /* event source, or NULL */
    char log_hint[SERVER_PATH_MAX];
    int exit_code;
} svc_state;

/* A service's main function gets no context pointer: the dispatcher's table is all it has.
 * Set only while StartServiceCtrlDispatcherW runs. */
static svc_state *service_state;

/* Reports a state to the SCM. Pending states get the next checkpoint and a wait hint; only
 * RUNNING accepts controls (none while START_PENDING or STOP_PENDING). Under s->lock. */
static void report_locked(svc_state *s, DWORD state, DWORD wait_hint)
{
    int pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;

    if (s->finished)
        return;
    s->status.dwCurrentState = state;
    s->status.dwControlsAccepted =
        state == SERVICE_RUNNING
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN |
                  SERVICE_ACCEPT_PARAMCHANGE
            : 0;
    s->status.dwCheckPoint = pending ? s->status.dwCheckPoint + 1 : 0;
    s->status.dwWaitHint = pending ? wait_hint : 0;
    if (state == SERVICE_STOPPED)
        s->finished = 1;
    SetServiceStatus(s->handle, &s->status);
}

static void hook_progress(void *user, const char *step)
{
    svc_state *s = user;
    (void)step;
    EnterCriticalSection(&s->lock);
    if (s->status.dwCurrentState == SERVICE_START_PENDING)
        report_locked(s, SERVICE_START_PENDING, SVC_START_STEP_HINT_MS);
    LeaveCriticalSection(&s->lock);
}

static void hook_running(void *user, net_engine *engine, unsigned port,
                         uint64_t shutdown_deadline_ms)
{
    svc_state *s = user;
    char port_text[16];
    const char *strings[2];

    EnterCriticalSection(&s->lock);
    s->engine = engine;
    s->stop_hint_ms = shutdown_deadline_ms > 3600000u
                          ? 3600000u + SVC_STOP_MARGIN_MS
                          : (DWORD)shutdown_deadline_ms + SVC_STOP_MARGIN_MS;
    report_locked(s, SERVICE_RUNNING, 0);
    LeaveCriticalSection(&s->lock);
    snprintf(port_text, sizeof port_text, "%u", port);
    strings[0] = PARLEY_VERSION;
    strings[1] = port_text;
    svc_evlog_report(s->events, EVENTLOG_INFORMATION_TYPE, MSG_SERVICE_STARTED, 2, strings);
}

static void hook_reloadable(void *user, server_run *run)
{
    svc_state *s = user;
    EnterCriticalSection(&s->lock);
    s->run = run;
    LeaveCriticalSection(&s->lock);
}

static void hook_stopped(void *user)
{
    svc_state *s = user;
    EnterCriticalSection(&s->lock);
    s->engine = NULL;
    s->run = NULL;
    /* Also when the server ended on its own (an operator's shutdown command, an error): the
     * SCM sees the stop begin here. What is left is closing history and the log. */
    report_locked(s, SERVICE_STOP_PENDING, SVC_STOP_MARGIN_MS);
    LeaveCriticalSection(&s->lock);
}

static void hook_message(void *user, log_level level, const char *text)
{
    svc_state *s = user;
    if (level >= LOG_ERROR)
        svc_evlog_report(s->events, EVENTLOG_ERROR_TYPE, MSG_SERVER_ERROR, 1, &text);
    else
        svc_evlog_report(s->events, EVENTLOG_WARNING_TYPE, MSG_SERVER_WARNING, 1, &text);
}

/* Runs on the dispatcher thread: it must return at once, so it only asks for the stop. */
static DWORD WINAPI on_control(DWORD control, DWORD type, LPVOID data, LPVOID ctx)
{
    svc_state *s = ctx;
    (void)type;
    (void)data;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
    case SERVICE_CONTROL_PRESHUTDOWN:
        EnterCriticalSection(&s->lock);
        if (s->status.dwCurrentState == SERVICE_RUNNING) {
            report_locked(s, SERVICE_STOP_PENDING, s->stop_hint_ms);
            if (s->engine)
                net_engine_stop(s->engine);
        }
        LeaveCriticalSection(&s->lock);
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE: {
        /* parley-server --reload, `sc control Parley paramchange`: read the settings again.
         * A bad file leaves the running settings as they were; the reason is logged (and so
         * reaches the Event Log) and returned to whoever sent the control. */
        char err[1024];
        DWORD rc = ERROR_SERVICE_NOT_ACTIVE;
        EnterCriticalSection(&s->lock);
        if (s->run && s->status.dwCurrentState == SERVICE_RUNNING) {
            rc = NO_ERROR;
            if (server_reload(s->run, err, sizeof err) != 0) {
                log_error("settings reload refused, running settings kept: %s", err);
                rc = ERROR_INVALID_DATA;
            }
        }
        LeaveCriticalSection(&s->lock);
        return rc;
    }
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/* The server's arguments as a service: the image path's (fixed at --install), then any given
 * to StartService (`sc start Parley --log-level debug`), then --quiet: no console to log to.
 * The caller frees them with free_args. NULL if out of memory or not UTF-16. */
static char **service_arguments(const svc_state *s, DWORD scm_argc, LPWSTR *scm_argv, int *n)
{
    int total = s->argc + (scm_argc > 1 ? (int)scm_argc - 1 : 0) + 1, i, k = 0;
    char **args = calloc((size_t)total + 1, sizeof *args);

    if (!args)
        return NULL;
    for (i = 0; i < s->argc; i++)
        if (!(args[k++] = _strdup(s->argv[i])))
            goto fail;
    for (i = 1; i < (int)scm_argc; i++) {
        int len = WideCharToMultiByte(CP_UTF8, 0, scm_argv[i], -1, NULL, 0, NULL, NULL);
        if (len <= 0 || !(args[k] = malloc((size_t)len)))
            goto fail;
        WideCharToMultiByte(CP_UTF8, 0, scm_argv[i], -1, args[k], len, NULL, NULL);
        k++;
    }
    if (!(args[k++] = _strdup("--quiet")))
        goto fail;
    *n = k;
    return args;
fail:
    svc_free_args(args, total);
    return NULL;
}

/* The server finds its default settings and data through %ProgramData%. On Windows every
 * process, services included, has it naming the ProgramData known folder; Wine's services.exe
 * sets it to C:\users\Public, where --install prepared nothing. The known folder decides. */
static void ensure_program_data_variable(void)
{
    wchar_t *path = NULL;

    if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &path) == S_OK)
        SetEnvironmentVariableW(L"ProgramData", path);
    CoTaskMemFree(path);
}

static void WINAPI service_main(DWORD scm_argc, LPWSTR *scm_argv)
{
    svc_state *s = service_state;
    server_hooks hooks;
    SERVICE_STATUS final;
    SERVICE_STATUS_HANDLE handle;
    char **args;
    int nargs = 0, rc = SERVER_EXIT_FAILURE, already;

    s->handle = RegisterServiceCtrlHandlerExW(SVC_NAME_W, on_control, s);
    if (!s->handle) {
        s->exit_code = SERVER_EXIT_FAILURE;
        return;
    }
    s->events = RegisterEventSourceW(NULL, SVC_NAME_W);
    s->status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    EnterCriticalSection(&s->lock);
    report_locked(s, SERVICE_START_PENDING, SVC_START_STEP_HINT_MS);
    LeaveCriticalSection(&s->lock);

    ensure_program_data_variable();
    args = service_arguments(s, scm_argc, scm_argv, &nargs);
    if (!args) {
        const char *text = "cannot read the service's arguments (out of memory?)";
        svc_evlog_report(s->events, EVENTLOG_ERROR_TYPE, MSG_SERVER_ERROR, 1, &text);
    } else {
        memset(&hooks, 0, sizeof hooks);
        hooks.user = s;
        hooks.on_progress = hook_progress;
        hooks.on_running = hook_running;
        hooks.on_stopped = hook_stopped;
        hooks.on_reloadable = hook_reloadable;
        hooks.on_message = hook_message;
        hooks.own_stop_control = 1;
        rc = s->prog->run(nargs, args, &hooks);
    }
    svc_free_args(args, nargs);

    if (rc == SERVER_EXIT_OK) {
        svc_evlog_report(s->events, EVENTLOG_INFORMATION_TYPE, MSG_SERVICE_STOPPED, 0, NULL);
    } else {
        char code[16];
        const char *strings[3];
        snprintf(code, sizeof code, "%d", rc);
        strings[0] = code;
        strings[1] = rc == SERVER_EXIT_USAGE ? "bad settings or options" : "start-up or run failed";
        strings[2] = s->log_hint;
        svc_evlog_report(s->events, EVENTLOG_ERROR_TYPE, MSG_SERVICE_FAILED, 3, strings);
    }
    if (s->events)
        DeregisterEventSource(s->events);
    s->events = NULL;
    s->exit_code = rc;

    /* Last of all. Once the SCM has SERVICE_STOPPED the dispatcher returns and
     * svc_run_dispatcher deletes the lock and s itself: so the report is made from copies,
     * after the lock is left, and nothing of s is touched after it. finished, set under the
     * lock, keeps a control arriving meanwhile from reporting anything. */
    EnterCriticalSection(&s->lock);
    s->status.dwWin32ExitCode = rc == SERVER_EXIT_OK ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    s->status.dwServiceSpecificExitCode = rc == SERVER_EXIT_OK ? 0 : (DWORD)rc;
    s->status.dwCurrentState = SERVICE_STOPPED;
    s->status.dwControlsAccepted = 0;
    s->status.dwCheckPoint = 0;
    s->status.dwWaitHint = 0;
    already = s->finished;
    s->finished = 1;
    final = s->status;
    handle = s->handle;
    LeaveCriticalSection(&s->lock);
    if (!already)
        SetServiceStatus(handle, &final);
}

int svc_run_dispatcher(const service_program *prog, int argc, char **argv, int *not_service)
{
    static wchar_t name[] = SVC_NAME_W;
    static const SERVICE_TABLE_ENTRYW table[] = {{name, service_main}, {NULL, NULL}};
    svc_state s;
    DWORD code;
    BOOL ok;

    memset(&s, 0, sizeof s);
    s.prog = prog;
    s.argc = argc;
    s.argv = argv;
    s.exit_code = SERVER_EXIT_OK;
    s.stop_hint_ms = SVC_STOP_MARGIN_MS;
    if (fsys_default_data_dir(s.log_hint, sizeof s.log_hint) != 0 ||
        strlen(s.log_hint) + 24 >= sizeof s.log_hint)
        snprintf(s.log_hint, sizeof s.log_hint, "parley-server.log");
    else
        strcat(s.log_hint, "\\parley-server.log");
    InitializeCriticalSection(&s.lock);
    service_state = &s;
    ok = StartServiceCtrlDispatcherW(table);
    code = GetLastError();
    service_state = NULL;
    DeleteCriticalSection(&s.lock);
    *not_service = 0;
    if (!ok) {
        if (code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            *not_service = 1;
            return SERVER_EXIT_OK;
        }
        svc_complain_win("StartServiceCtrlDispatcher", code);
        return SERVER_EXIT_FAILURE;
    }
    return s.exit_code;
}

