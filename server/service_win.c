/* service_win.c — parley-server under the Windows Service Control Manager: the service entry
 * point and status reporting, the Event Log, and the --install/--uninstall/--start/--stop
 * commands (service configuration, event source, ACLs on the data directory, first-run
 * settings file and secret key). */

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

#include <windows.h>
#include <winsvc.h>
#include <tlhelp32.h>
#include <aclapi.h>
#include <bcrypt.h>
#include <sddl.h>
#include <shlobj.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher.h"
#include "crypto.h"
#include "fsys.h"
#include "log.h"
#include "parley-messages.h"
#include "server_setup.h"
#include "service.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.0.0"
#endif

#define SVC_NAME_W L"Parley"
#define SVC_DISPLAY_W L"Parley chat server"
#define SVC_ACCOUNT_W L"NT SERVICE\\Parley"
#define SVC_DESCRIPTION_W                                                                      \
    L"Runs the Parley chat server: Parley clients connect to it over TCP (port 7420 unless "    \
    L"server.ini says otherwise). Settings, history and the secret key are in "                \
    L"%ProgramData%\\Parley."
#define EVENTLOG_KEY_W L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Parley"

#define START_STEP_HINT_MS 30000u   /* the longest start-up step: loading a large history */
#define STOP_MARGIN_MS 10000u       /* beyond the shutdown deadline: history and log closing */
#define PRESHUTDOWN_MIN_MS 15000u
#define WAIT_LIMIT_MS 180000u       /* --start/--stop give up after this, whatever the hints */

/* The protected DACLs applied at --install; the service's SID is appended between the parts. */
#define SDDL_DIR_HEAD L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;"
#define SDDL_FILE_HEAD L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;"
#define SDDL_TAIL L")"

/* ---- text ---- */

/* UTF-8 → UTF-16, NUL-terminated; the caller frees it. NULL if invalid or out of memory. */
static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0 || !(w = malloc((size_t)n * sizeof *w)))
        return NULL;
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return NULL;
    }
    return w;
}

/* UTF-16 → UTF-8 into out; -1 (out = "") if it does not fit. */
static int narrow(char *out, size_t out_size, const wchar_t *w)
{
    int cap = out_size > INT_MAX ? INT_MAX : (int)out_size;

    if (out_size == 0)
        return -1;
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL) <= 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* The system's text for a Win32 error and its number, e.g. "Access is denied (error 5)". */
static void error_text(DWORD code, char *out, size_t out_size)
{
    wchar_t w[512];
    char msg[1024] = "";
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             code, 0, w, (DWORD)(sizeof w / sizeof w[0]), NULL);

    while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L' ' ||
                     w[n - 1] == L'.'))
        n--;
    if (n > 0) {
        w[n] = L'\0';
        narrow(msg, sizeof msg, w);
    }
    snprintf(out, out_size, "%s (error %lu)", msg[0] ? msg : "system error",
             (unsigned long)code);
}

static void complain(const char *fmt, ...) PARLEY_PRINTF(1, 2);

/* One line on stderr, prefixed with the program's name. */
static void complain(const char *fmt, ...)
{
    va_list ap;
    fputs("parley-server: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* "what: <system text> (error N)" on stderr, with the usual remedy for ERROR_ACCESS_DENIED. */
static void complain_win(const char *what, DWORD code)
{
    char text[1100];
    error_text(code, text, sizeof text);
    complain("%s: %s", what, text);
    if (code == ERROR_ACCESS_DENIED)
        complain("managing services needs an elevated command prompt (Run as administrator)");
}

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

/* ---- the service's SID ---- */

int service_sid_text(const char *name, char *out, size_t out_size)
{
    wchar_t *w = widen(name);
    BCRYPT_ALG_HANDLE alg = NULL;
    uint8_t digest[20];
    uint32_t part[5];
    size_t len, i;
    int rc = -1;

    if (!w || out_size == 0)
        goto done;
    len = wcslen(w);
    /* The SCM hashes the name as Windows upper-cases it; names are ASCII in practice. */
    CharUpperBuffW(w, (DWORD)len);
    if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA1_ALGORITHM, NULL, 0)) ||
        !BCRYPT_SUCCESS(BCryptHash(alg, NULL, 0, (PUCHAR)w, (ULONG)(len * sizeof *w), digest,
                                   sizeof digest)))
        goto done;
    for (i = 0; i < 5; i++)
        part[i] = (uint32_t)digest[4 * i] | (uint32_t)digest[4 * i + 1] << 8 |
                  (uint32_t)digest[4 * i + 2] << 16 | (uint32_t)digest[4 * i + 3] << 24;
    if (snprintf(out, out_size, "S-1-5-80-%lu-%lu-%lu-%lu-%lu", (unsigned long)part[0],
                 (unsigned long)part[1], (unsigned long)part[2], (unsigned long)part[3],
                 (unsigned long)part[4]) < (int)out_size)
        rc = 0;
done:
    if (alg)
        BCryptCloseAlgorithmProvider(alg, 0);
    free(w);
    return rc;
}

/* The service account's SID as text: asked of Windows (which knows NT SERVICE\Parley once the
 * service exists), else computed the same way (Wine knows no service accounts). */
static int service_sid(wchar_t *out, size_t cap)
{
    BYTE sid[SECURITY_MAX_SID_SIZE];
    wchar_t domain[256], *text = NULL;
    DWORD sid_size = sizeof sid, domain_len = 256;
    SID_NAME_USE use;
    char computed[128];
    wchar_t *w;

    if (LookupAccountNameW(NULL, SVC_ACCOUNT_W, sid, &sid_size, domain, &domain_len, &use) &&
        ConvertSidToStringSidW(sid, &text)) {
        int fits = wcslen(text) < cap;
        if (fits)
            wcscpy(out, text);
        LocalFree(text);
        if (fits)
            return 0;
    }
    if (service_sid_text(PARLEY_SERVICE_NAME, computed, sizeof computed) != 0 ||
        !(w = widen(computed)))
        return -1;
    if (wcslen(w) >= cap) {
        free(w);
        return -1;
    }
    wcscpy(out, w);
    free(w);
    return 0;
}

/* ---- running as the service ---- */

typedef struct svc_state {
    const service_program *prog;
    int argc;                 /* the process's own arguments (its image path), UTF-8 */
    char **argv;
    SERVICE_STATUS_HANDLE handle;
    CRITICAL_SECTION lock;    /* orders every status report and guards engine */
    SERVICE_STATUS status;    /* the last one reported */
    int finished;             /* SERVICE_STOPPED has been reported: nothing may follow */
    net_engine *engine;       /* stoppable between on_running and on_stopped */
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
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN
            : 0;
    s->status.dwCheckPoint = pending ? s->status.dwCheckPoint + 1 : 0;
    s->status.dwWaitHint = pending ? wait_hint : 0;
    if (state == SERVICE_STOPPED)
        s->finished = 1;
    SetServiceStatus(s->handle, &s->status);
}

/* Writes one event with insertion strings (UTF-8); a no-op without an event source. */
static void event_report(svc_state *s, WORD type, DWORD id, int n, const char *const *strings)
{
    const wchar_t *w[4] = {NULL, NULL, NULL, NULL};
    int i, ok = 1;

    if (!s->events || n > 4)
        return;
    for (i = 0; i < n; i++)
        if (!(w[i] = widen(strings[i])))
            ok = 0;
    if (ok)
        ReportEventW(s->events, type, 0, id, NULL, (WORD)n, 0, w, NULL);
    for (i = 0; i < n; i++)
        free((void *)w[i]);
}

static void hook_progress(void *user, const char *step)
{
    svc_state *s = user;
    (void)step;
    EnterCriticalSection(&s->lock);
    if (s->status.dwCurrentState == SERVICE_START_PENDING)
        report_locked(s, SERVICE_START_PENDING, START_STEP_HINT_MS);
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
                          ? 3600000u + STOP_MARGIN_MS
                          : (DWORD)shutdown_deadline_ms + STOP_MARGIN_MS;
    report_locked(s, SERVICE_RUNNING, 0);
    LeaveCriticalSection(&s->lock);
    snprintf(port_text, sizeof port_text, "%u", port);
    strings[0] = PARLEY_VERSION;
    strings[1] = port_text;
    event_report(s, EVENTLOG_INFORMATION_TYPE, MSG_SERVICE_STARTED, 2, strings);
}

static void hook_stopped(void *user)
{
    svc_state *s = user;
    EnterCriticalSection(&s->lock);
    s->engine = NULL;
    /* Also when the server ended on its own (an operator's shutdown command, an error): the
     * SCM sees the stop begin here. What is left is closing history and the log. */
    report_locked(s, SERVICE_STOP_PENDING, STOP_MARGIN_MS);
    LeaveCriticalSection(&s->lock);
}

static void hook_message(void *user, log_level level, const char *text)
{
    svc_state *s = user;
    if (level >= LOG_ERROR)
        event_report(s, EVENTLOG_ERROR_TYPE, MSG_SERVER_ERROR, 1, &text);
    else
        event_report(s, EVENTLOG_WARNING_TYPE, MSG_SERVER_WARNING, 1, &text);
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
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void free_args(char **args, int n)
{
    int i;
    if (!args)
        return;
    for (i = 0; i < n; i++)
        free(args[i]);
    free(args);
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
    free_args(args, total);
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
    char **args;
    int nargs = 0, rc = SERVER_EXIT_FAILURE;

    s->handle = RegisterServiceCtrlHandlerExW(SVC_NAME_W, on_control, s);
    if (!s->handle) {
        s->exit_code = SERVER_EXIT_FAILURE;
        return;
    }
    s->events = RegisterEventSourceW(NULL, SVC_NAME_W);
    s->status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    EnterCriticalSection(&s->lock);
    report_locked(s, SERVICE_START_PENDING, START_STEP_HINT_MS);
    LeaveCriticalSection(&s->lock);

    ensure_program_data_variable();
    args = service_arguments(s, scm_argc, scm_argv, &nargs);
    if (!args) {
        const char *text = "cannot read the service's arguments (out of memory?)";
        event_report(s, EVENTLOG_ERROR_TYPE, MSG_SERVER_ERROR, 1, &text);
    } else {
        memset(&hooks, 0, sizeof hooks);
        hooks.user = s;
        hooks.on_progress = hook_progress;
        hooks.on_running = hook_running;
        hooks.on_stopped = hook_stopped;
        hooks.on_message = hook_message;
        hooks.own_stop_control = 1;
        rc = s->prog->run(nargs, args, &hooks);
    }
    free_args(args, nargs);

    if (rc == SERVER_EXIT_OK) {
        event_report(s, EVENTLOG_INFORMATION_TYPE, MSG_SERVICE_STOPPED, 0, NULL);
    } else {
        char code[16];
        const char *strings[3];
        snprintf(code, sizeof code, "%d", rc);
        strings[0] = code;
        strings[1] = rc == SERVER_EXIT_USAGE ? "bad settings or options" : "start-up or run failed";
        strings[2] = s->log_hint;
        event_report(s, EVENTLOG_ERROR_TYPE, MSG_SERVICE_FAILED, 3, strings);
    }
    if (s->events)
        DeregisterEventSource(s->events);
    s->events = NULL;
    s->exit_code = rc;

    /* Last of all. The SCM may end the process once it has this. */
    EnterCriticalSection(&s->lock);
    s->status.dwWin32ExitCode = rc == SERVER_EXIT_OK ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    s->status.dwServiceSpecificExitCode = rc == SERVER_EXIT_OK ? 0 : (DWORD)rc;
    report_locked(s, SERVICE_STOPPED, 0);
    LeaveCriticalSection(&s->lock);
}

/* Runs the service when the SCM started this process. *not_service is set when it did not
 * (the caller then runs in the console). Returns the exit code. */
static int run_dispatcher(const service_program *prog, int argc, char **argv, int *not_service)
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
    s.stop_hint_ms = STOP_MARGIN_MS;
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
        complain_win("StartServiceCtrlDispatcher", code);
        return SERVER_EXIT_FAILURE;
    }
    return s.exit_code;
}

/* ---- management commands ---- */

/* This program's full path, UTF-16; the caller frees it. NULL on failure. */
static wchar_t *module_path(void)
{
    DWORD cap = MAX_PATH;

    for (;;) {
        wchar_t *w = malloc(cap * sizeof *w);
        DWORD n;
        if (!w)
            return NULL;
        n = GetModuleFileNameW(NULL, w, cap);
        if (n == 0) {
            free(w);
            return NULL;
        }
        if (n < cap)
            return w;
        free(w);
        if (cap >= 32768)
            return NULL;
        cap *= 2;
    }
}

static SC_HANDLE open_manager(DWORD access, const char *command)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, access);
    if (!scm) {
        char what[64];
        snprintf(what, sizeof what, "%s: cannot open the Service Control Manager", command);
        complain_win(what, GetLastError());
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
        complain_win("cannot query the service's status", GetLastError());
        return -1;
    }
    checkpoint = st->dwCheckPoint;
    while (st->dwCurrentState == pending) {
        ULONGLONG now;
        DWORD hint = st->dwWaitHint ? st->dwWaitHint : 2000;
        Sleep(200);
        if (query_status(svc, st) != 0) {
            complain_win("cannot query the service's status", GetLastError());
            return -1;
        }
        now = GetTickCount64();
        if (st->dwCheckPoint != checkpoint) {
            checkpoint = st->dwCheckPoint;
            moved = now;
        } else if (now - moved > (ULONGLONG)hint + 2000) {
            complain("the service made no progress within its wait hint (%lu ms)",
                     (unsigned long)hint);
            return -1;
        }
        if (now - start > WAIT_LIMIT_MS) {
            complain("the service is still %s after %u s",
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
        complain("the service stopped with exit code %lu (%s)", (unsigned long)code,
                 code == SERVER_EXIT_USAGE ? "bad settings or options"
                                           : "start-up or run failed");
    } else if (st->dwWin32ExitCode != NO_ERROR) {
        error_text(st->dwWin32ExitCode, text, sizeof text);
        complain("the service stopped: %s", text);
    } else {
        complain("the service stopped");
    }
    complain("see the log file (by default %%ProgramData%%\\Parley\\parley-server.log) and "
             "the Application event log, source Parley");
}

/* Stops the service if it runs and waits until it has. 0 when it is stopped. */
static int stop_and_wait(SC_HANDLE svc, int *was_running)
{
    SERVICE_STATUS_PROCESS st;
    SERVICE_STATUS plain;

    *was_running = 0;
    if (query_status(svc, &st) != 0) {
        complain_win("cannot query the service's status", GetLastError());
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
            complain_win("cannot stop the service", GetLastError());
            return -1;
        }
    }
    if (wait_while(svc, SERVICE_STOP_PENDING, &st) != 0)
        return -1;
    if (st.dwCurrentState != SERVICE_STOPPED) {
        complain("the service did not stop (state %lu)", (unsigned long)st.dwCurrentState);
        return -1;
    }
    return 0;
}

static int cmd_start(void)
{
    SC_HANDLE scm, svc = NULL;
    SERVICE_STATUS_PROCESS st;
    int rc = 1;

    if (!(scm = open_manager(SC_MANAGER_CONNECT, "--start")))
        return 1;
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_START | SERVICE_QUERY_STATUS);
    if (!svc) {
        complain_win("--start: cannot open the Parley service (is it installed? "
                     "parley-server --install)",
                     GetLastError());
        goto done;
    }
    if (!StartServiceW(svc, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING) {
        complain_win("--start: cannot start the Parley service", GetLastError());
        goto done;
    }
    if (wait_while(svc, SERVICE_START_PENDING, &st) != 0)
        goto done;
    if (st.dwCurrentState != SERVICE_RUNNING) {
        explain_exit(&st);
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

static int cmd_stop(void)
{
    SC_HANDLE scm, svc = NULL;
    SERVICE_STATUS_PROCESS st;
    int rc = 1, was_running;

    if (!(scm = open_manager(SC_MANAGER_CONNECT, "--stop")))
        return 1;
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_STOP | SERVICE_QUERY_STATUS);
    if (!svc) {
        complain_win("--stop: cannot open the Parley service", GetLastError());
        goto done;
    }
    if (stop_and_wait(svc, &was_running) != 0)
        goto done;
    if (query_status(svc, &st) == 0 && st.dwWin32ExitCode != NO_ERROR)
        explain_exit(&st);
    printf(was_running ? "The Parley service has stopped.\n"
                       : "The Parley service was not running.\n");
    rc = 0;
done:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

static int remove_event_source(void)
{
    LSTATUS e = RegDeleteKeyW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY_W);
    if (e != ERROR_SUCCESS && e != ERROR_FILE_NOT_FOUND) {
        complain_win("--uninstall: cannot remove the event source (HKLM\\" 
                     "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Parley)",
                     (DWORD)e);
        return -1;
    }
    return 0;
}

static int cmd_uninstall(void)
{
    SC_HANDLE scm, svc = NULL;
    char data[SERVER_PATH_MAX];
    int rc = 1, was_running;

    if (!(scm = open_manager(SC_MANAGER_CONNECT, "--uninstall")))
        return 1;
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (!svc) {
        DWORD code = GetLastError();
        if (code != ERROR_SERVICE_DOES_NOT_EXIST) {
            complain_win("--uninstall: cannot open the Parley service", code);
            goto done;
        }
        printf("The Parley service is not installed.\n");
    } else {
        if (stop_and_wait(svc, &was_running) != 0)
            goto done;
        if (!DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
            complain_win("--uninstall: cannot delete the Parley service", GetLastError());
            goto done;
        }
        printf("Removed the Parley service.\n");
    }
    if (remove_event_source() != 0)
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

/* ---- --install ---- */

static int register_event_source(const wchar_t *exe)
{
    HKEY key;
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    LSTATUS e = RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY_W, 0, NULL, 0, KEY_SET_VALUE,
                                NULL, &key, NULL);

    if (e == ERROR_SUCCESS) {
        e = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe,
                           (DWORD)((wcslen(exe) + 1) * sizeof *exe));
        if (e == ERROR_SUCCESS)
            e = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types,
                               sizeof types);
        RegCloseKey(key);
    }
    if (e != ERROR_SUCCESS) {
        complain_win("--install: cannot register the event source (HKLM\\SYSTEM\\"
                     "CurrentControlSet\\Services\\EventLog\\Application\\Parley)",
                     (DWORD)e);
        return -1;
    }
    return 0;
}

/* Applies "head + sid + tail" as the protected DACL of a file or directory. For a directory
 * the inheritable entries also reach what is already inside. */
static int apply_acl(const char *path, const wchar_t *head, const wchar_t *sid)
{
    size_t n = wcslen(head) + wcslen(sid) + wcslen(SDDL_TAIL) + 1;
    wchar_t *sddl = malloc(n * sizeof *sddl), *wpath = widen(path);
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    DWORD e;
    int rc = -1;

    if (!sddl || !wpath) {
        complain("--install: cannot set permissions on %s: out of memory or bad path", path);
        goto done;
    }
    wcscpy(sddl, head);
    wcscat(sddl, sid);
    wcscat(sddl, SDDL_TAIL);
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd,
                                                              NULL) ||
        !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !present) {
        complain_win("--install: cannot build the security descriptor", GetLastError());
        goto done;
    }
    e = SetNamedSecurityInfoW(wpath, SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              NULL, NULL, dacl, NULL);
    if (e != ERROR_SUCCESS) {
        char what[SERVER_PATH_MAX + 64];
        snprintf(what, sizeof what, "--install: cannot set permissions on %s", path);
        complain_win(what, e);
        goto done;
    }
    rc = 0;
done:
    if (sd)
        LocalFree(sd);
    free(sddl);
    free(wpath);
    return rc;
}

/* "15s" for whole seconds, else "250ms": the forms server.ini reads back. */
static const char *duration_text(uint64_t ms, char *out, size_t n)
{
    if (ms % 1000 == 0)
        snprintf(out, n, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(out, n, "%llums", (unsigned long long)ms);
    return out;
}

/* "4M", "64k" or plain bytes. */
static const char *size_text(uint64_t bytes, char *out, size_t n)
{
    if (bytes && bytes % (1024u * 1024u) == 0)
        snprintf(out, n, "%lluM", (unsigned long long)(bytes >> 20));
    else if (bytes && bytes % 1024u == 0)
        snprintf(out, n, "%lluk", (unsigned long long)(bytes >> 10));
    else
        snprintf(out, n, "%llu", (unsigned long long)bytes);
    return out;
}

/* Writes a settings file with every setting at its default, commented out, and a line on
 * what each does: the administrator's starting point. CRLF, for Notepad. */
static int write_settings_template(const char *path)
{
    server_config d;
    char a[32], b[32], c[32], e[32];
    FILE *f;
    int ok;

    server_config_defaults(&d);
    f = fsys_fopen(path, "wb");
    if (!f) {
        complain("--install: cannot create the settings file %s", path);
        return -1;
    }
    fprintf(f,
            "; server.ini - settings of the Parley chat server (parley-server.exe).\r\n"
            "; Written by \"parley-server --install\": every setting is at its default and\r\n"
            "; commented out. To change one, remove the ';' before it, edit the value and\r\n"
            "; restart the service (parley-server --stop, then parley-server --start).\r\n"
            "; Durations take ms, s, m, h or d; sizes take k, M or G. Every setting is\r\n"
            "; described in ADMIN.md, beside parley-server.exe (docs\\ADMIN.md in the sources).\r\n"
            "\r\n"
            "[server]\r\n"
            "; TCP port clients connect to (allowed through Windows Firewall by the installer)\r\n"
            "; port = %u\r\n"
            "; one numeric address to listen on; empty = every address\r\n"
            "; bind =\r\n"
            "; history, bans, secret key, salt and log\r\n"
            "; data_dir = %s\r\n"
            "; the name and greeting clients show\r\n"
            "; name = %s\r\n"
            "; motd = %s\r\n"
            "; IOCP worker threads (0 = one per processor) and AcceptEx calls kept posted\r\n"
            "; workers = %d\r\n"
            "; accept_pool = %d\r\n"
            "\r\n"
            "[security]\r\n"
            "; allowed ciphers in order of preference: aes-256-gcm, xor (xor only hides text\r\n"
            "; from a casual look)\r\n"
            "; ciphers = %s\r\n"
            "; the shared secret key is read from secret_file (default: secret.key in\r\n"
            "; data_dir); 'secret =' here would override it\r\n"
            "; secret_file =\r\n"
            "; PBKDF2 iterations for the session keys\r\n"
            "; iterations = %lu\r\n"
            "; password for operator commands; empty = no operators\r\n"
            "; oper_password =\r\n",
            (unsigned)d.port, d.data_dir, d.name, d.motd, d.workers, d.accept_pool,
            cipher_name(d.ciphers[0]), (unsigned long)d.iterations);
    fprintf(f,
            "\r\n"
            "[limits]\r\n"
            "; max_frame = %s\r\n"
            "; max_connections = %lu\r\n"
            "; max_per_ip = %lu\r\n"
            "; client frames per second, sustained and in a burst\r\n"
            "; rate = %lu\r\n"
            "; burst = %lu\r\n"
            "; bytes queued to one slow client before it is disconnected\r\n"
            "; send_queue_max = %s\r\n",
            size_text(d.max_frame, a, sizeof a), (unsigned long)d.max_connections,
            (unsigned long)d.max_per_ip, (unsigned long)d.rate_per_sec,
            (unsigned long)d.rate_burst, size_text(d.send_queue_max, b, sizeof b));
    fprintf(f,
            "; handshake_timeout = %s\r\n"
            "; idle_timeout = %s\r\n"
            "; ping_timeout = %s\r\n"
            "; how long a stop waits for clients to be told goodbye\r\n"
            "; shutdown_deadline = %s\r\n"
            "; max_rooms_per_user = %lu\r\n",
            duration_text(d.handshake_timeout_ms, a, sizeof a),
            duration_text(d.idle_timeout_ms, b, sizeof b),
            duration_text(d.ping_timeout_ms, c, sizeof c),
            duration_text(d.shutdown_deadline_ms, e, sizeof e),
            (unsigned long)d.max_rooms_per_user);
    fprintf(f,
            "\r\n"
            "[history]\r\n"
            "; messages kept per room\r\n"
            "; per_room = %lu\r\n"
            "; always, interval or never\r\n"
            "; fsync = %s\r\n"
            "; fsync_interval = %s\r\n"
            "\r\n"
            "[log]\r\n"
            "; empty = parley-server.log in data_dir; '-' = no log file\r\n"
            "; file =\r\n"
            "; max_size = %s\r\n"
            "; keep = %lu\r\n"
            "; debug, info, warn, error or off\r\n"
            "; level = %s\r\n",
            (unsigned long)d.history_per_room,
            d.fsync == FSYNC_ALWAYS ? "always" : d.fsync == FSYNC_NEVER ? "never" : "interval",
            duration_text(d.fsync_interval_ms, a, sizeof a),
            size_text(d.log_max_bytes, b, sizeof b), (unsigned long)d.log_keep,
            log_level_name((log_level)d.log_level));
    ok = !ferror(f);
    if (fclose(f) != 0 || !ok) {
        complain("--install: cannot write the settings file %s", path);
        fsys_remove(path);
        return -1;
    }
    return 0;
}

/* The settings file the service will read: --config PATH, else the default one. */
static int settings_path(int argc, char **argv, char *out, size_t out_size)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0) {
            snprintf(out, out_size, "%s", argv[i + 1]);
            return 0;
        }
    return fsys_default_config_path(out, out_size);
}

/* The directory part of a path ("" if none). */
static void dir_of(const char *path, char *out, size_t out_size)
{
    const char *a = strrchr(path, '\\'), *b = strrchr(path, '/');
    const char *cut = a > b ? a : b;
    size_t n = cut ? (size_t)(cut - path) : 0;

    if (n >= out_size)
        n = 0;
    memcpy(out, path, n);
    out[n] = '\0';
}

/* Sets the optional parts of the service's configuration. The first three must succeed on
 * Windows; the hardening after them is reported and skipped where the system lacks it (Wine
 * knows none of it). */
static int configure_service(SC_HANDLE svc, const server_config *cfg)
{
    static wchar_t description[] = SVC_DESCRIPTION_W;
    static wchar_t privileges[] = L"SeChangeNotifyPrivilege\0";
    SERVICE_DESCRIPTIONW desc = {description};
    /* Restart 5 s after a failure, 30 s after a second one, then every minute; the count
     * starts again after a day without failures. */
    static SC_ACTION actions[3] = {
        {SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 30000}, {SC_ACTION_RESTART, 60000}};
    SERVICE_FAILURE_ACTIONSW failure = {86400, NULL, NULL, 3, actions};
    SERVICE_FAILURE_ACTIONS_FLAG failure_flag = {TRUE};
    SERVICE_PRESHUTDOWN_INFO preshutdown;
    SERVICE_SID_INFO sid_info = {SERVICE_SID_TYPE_UNRESTRICTED};
    SERVICE_REQUIRED_PRIVILEGES_INFOW required = {privileges};
    uint64_t timeout = cfg->shutdown_deadline_ms + STOP_MARGIN_MS;

    preshutdown.dwPreshutdownTimeout =
        timeout < PRESHUTDOWN_MIN_MS ? PRESHUTDOWN_MIN_MS
                                     : timeout > 600000u ? 600000u : (DWORD)timeout;
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc)) {
        complain_win("--install: cannot set the service's description", GetLastError());
        return -1;
    }
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
        complain_win("--install: cannot set the service's recovery actions", GetLastError());
        return -1;
    }
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown)) {
        complain_win("--install: cannot set the service's preshutdown timeout", GetLastError());
        return -1;
    }
    /* Recovery also when the server exits with an error code, not only when it crashes. */
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &failure_flag))
        printf("  note:     recovery on error exits not set (error %lu)\n",
               (unsigned long)GetLastError());
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_SERVICE_SID_INFO, &sid_info))
        printf("  note:     service SID type not set (error %lu)\n",
               (unsigned long)GetLastError());
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, &required))
        printf("  note:     required privileges not limited (error %lu)\n",
               (unsigned long)GetLastError());
    return 0;
}

/* Creates the service, or updates an existing one in place (an upgrade). */
static SC_HANDLE create_or_update(SC_HANDLE scm, const wchar_t *command, int *updated)
{
    SC_HANDLE svc = CreateServiceW(scm, SVC_NAME_W, SVC_DISPLAY_W, SERVICE_ALL_ACCESS,
                                   SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                   SERVICE_ERROR_NORMAL, command, NULL, NULL, NULL,
                                   SVC_ACCOUNT_W, NULL);
    *updated = 0;
    if (svc)
        return svc;
    if (GetLastError() != ERROR_SERVICE_EXISTS) {
        complain_win("--install: cannot create the Parley service", GetLastError());
        return NULL;
    }
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_ALL_ACCESS);
    if (!svc) {
        complain_win("--install: cannot open the existing Parley service", GetLastError());
        return NULL;
    }
    /* A virtual account takes no password: "" replaces whatever was set before. */
    if (!ChangeServiceConfigW(svc, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                              SERVICE_ERROR_NORMAL, command, NULL, NULL, NULL, SVC_ACCOUNT_W,
                              L"", SVC_DISPLAY_W)) {
        complain_win("--install: cannot update the existing Parley service", GetLastError());
        CloseServiceHandle(svc);
        return NULL;
    }
    *updated = 1;
    return svc;
}

/* Data directory, settings file and secret key, with their permissions. */
static int prepare_files(server_config *cfg, const char *settings, int settings_new,
                         const wchar_t *sid)
{
    char err[SERVER_PATH_MAX + 128], secret_path[SERVER_PATH_MAX];
    int generated = 0;

    if (fsys_mkdirs(cfg->data_dir, err, sizeof err) != 0) {
        complain("--install: %s", err);
        return -1;
    }
    /* The directory first, so nothing created in it is ever readable by others. */
    if (apply_acl(cfg->data_dir, SDDL_DIR_HEAD, sid) != 0)
        return -1;
    if (fsys_exists(settings) && apply_acl(settings, SDDL_FILE_HEAD, sid) != 0)
        return -1;
    if (crypto_init() != CRYPTO_OK) {
        complain("--install: the crypto provider (CNG) failed to start");
        return -1;
    }
    if (server_secret(cfg, &generated, secret_path, sizeof secret_path, err, sizeof err) != 0) {
        complain("--install: secret key: %s", err);
        return -1;
    }
    if (secret_path[0] && fsys_exists(secret_path) &&
        apply_acl(secret_path, SDDL_FILE_HEAD, sid) != 0)
        return -1;

    printf("  settings: %s%s\n", settings,
           settings_new ? " (new: every setting at its default)" : "");
    printf("  data:     %s (Administrators and the service only)\n", cfg->data_dir);
    printf("  port:     TCP %u on %s\n", (unsigned)cfg->port,
           cfg->bind[0] ? cfg->bind : "every address");
    if (generated) {
        printf("\nA new secret key was generated:\n\n    %s\n\n", cfg->secret);
        printf("Give it to the people who use Parley: their clients need it to connect.\n"
               "It is stored in %s, readable only by\n"
               "Administrators and the service, and is not shown again.\n",
               secret_path);
    } else if (secret_path[0]) {
        printf("  secret:   %s (kept)\n", secret_path);
    } else {
        printf("  secret:   set in %s (kept)\n", settings);
    }
    return 0;
}

/* argv: the program, then the server options to record in the service's command line. */
static int cmd_install(const service_program *prog, int argc, char **argv)
{
    char settings[SERVER_PATH_MAX], settings_dir[SERVER_PATH_MAX], err[1024];
    char *exe = NULL, *command = NULL;
    wchar_t *wexe = NULL, *wcommand = NULL, sid[192];
    server_config *cfg = calloc(1, sizeof *cfg);
    SC_HANDLE scm = NULL, svc = NULL;
    size_t command_size;
    int rc = 1, updated = 0, settings_new = 0;

    if (!cfg) {
        complain("--install: out of memory");
        return 1;
    }
    if (settings_path(argc, argv, settings, sizeof settings) != 0) {
        complain("--install: no place for the settings file (is %%ProgramData%% set?)");
        goto done;
    }
    /* First run: a settings file to start from, before reading it like the service will. */
    if (!fsys_exists(settings)) {
        dir_of(settings, settings_dir, sizeof settings_dir);
        if (settings_dir[0] && fsys_mkdirs(settings_dir, err, sizeof err) != 0) {
            complain("--install: %s", err);
            goto done;
        }
        if (write_settings_template(settings) != 0)
            goto done;
        settings_new = 1;
    }
    if (prog->load_settings(cfg, argc, argv, err, sizeof err) != 0) {
        complain("--install: the service would not start with these settings: %s", err);
        goto done;
    }

    if (!(wexe = module_path()) || !(exe = malloc(wcslen(wexe) * 3 + 1)) ||
        narrow(exe, wcslen(wexe) * 3 + 1, wexe) != 0) {
        complain("--install: cannot find this program's own path");
        goto done;
    }
    command_size = strlen(exe) + 8;
    for (int i = 1; i < argc; i++)
        command_size += strlen(argv[i]) * 2 + 4;
    if (!(command = malloc(command_size)) ||
        service_command_line(command, command_size, exe, argc - 1, argv + 1) != 0 ||
        !(wcommand = widen(command))) {
        complain("--install: cannot build the service's command line");
        goto done;
    }

    if (!(scm = open_manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE, "--install")))
        goto done;
    if (!(svc = create_or_update(scm, wcommand, &updated)))
        goto done;
    printf("%s the Parley service (automatic start, account %s).\n",
           updated ? "Updated" : "Installed", PARLEY_SERVICE_ACCOUNT);
    printf("  program:  %s\n", command);
    if (configure_service(svc, cfg) != 0 || register_event_source(wexe) != 0)
        goto done;
    if (service_sid(sid, sizeof sid / sizeof sid[0]) != 0) {
        complain("--install: cannot work out the SID of %s", PARLEY_SERVICE_ACCOUNT);
        goto done;
    }
    if (prepare_files(cfg, settings, settings_new, sid) != 0)
        goto done;
    printf("Start it with: parley-server --start\n");
    fflush(stdout);
    rc = 0;
done:
    if (rc != 0 && svc && !updated) {
        /* A new service that could not be set up completely goes again: a later --install
         * starts from scratch. (An existing one being updated is left as it was.) */
        DeleteService(svc);
        remove_event_source();
        complain("--install: the half-installed service was removed again");
    }
    if (svc)
        CloseServiceHandle(svc);
    if (scm)
        CloseServiceHandle(scm);
    crypto_wipe(cfg, sizeof *cfg);
    free(cfg);
    free(exe);
    free(command);
    free(wexe);
    free(wcommand);
    return rc;
}

/* ---- the entry point ---- */

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
           "  --install [options]  install the service \"%s\" (or update it), with these\n"
           "                       options on its command line; prepares %%ProgramData%%\\Parley\n"
           "                       and on first use writes server.ini and a new secret key\n"
           "  --start, --stop      start or stop the service and wait until it has\n"
           "  --uninstall          stop and remove the service (settings and data stay)\n"
           "  --console            run in this console even where the service could start\n",
           PARLEY_SERVICE_NAME);
}

int service_entry(int argc, char **argv, const service_program *prog)
{
    static const char *const commands[] = {"--install", "--uninstall", "--start", "--stop",
                                           "--console"};
    int i, which = -1, at = 0, rc, not_service;
    size_t k;

    for (i = 1; i < argc && which < 0; i++)
        for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
            if (strcmp(argv[i], commands[k]) == 0) {
                which = (int)k;
                at = i;
                break;
            }
    if (which >= 1 && which <= 3 && argc != 2) {
        complain("%s takes no other options (see --help)", argv[at]);
        return SERVER_EXIT_USAGE;
    }
    if (which == 0 || which == 4) {
        /* The command itself is dropped; the rest are server options. */
        char **rest = malloc((size_t)argc * sizeof *rest);
        int n = 0;
        if (!rest) {
            complain("out of memory");
            return SERVER_EXIT_FAILURE;
        }
        for (i = 0; i < argc; i++)
            if (i != at)
                rest[n++] = argv[i];
        rc = which == 0 ? cmd_install(prog, n, rest) : prog->run(n, rest, NULL);
        free(rest);
        return rc;
    }
    if (which == 1)
        return cmd_uninstall();
    if (which == 2)
        return cmd_start();
    if (which == 3)
        return cmd_stop();

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
    rc = run_dispatcher(prog, argc, argv, &not_service);
    return not_service ? prog->run(argc, argv, NULL) : rc;
}
