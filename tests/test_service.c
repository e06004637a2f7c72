/* test_service.c — parley-server.exe as a Windows service, end to end: install, start, clients
 * chat with it, stop, uninstall; start failures reported with the real exit code; the console
 * fallback when the SCM did not start the process. Windows only (under Wine when cross-built).
 *
 * This test process stays alive for the whole of each test: Wine ends services about two
 * seconds after the last ordinary Wine process exits. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winsvc.h>
#include <shellapi.h>
#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl_win.h"
#include "client.h"
#include "crypto.h"
#include "parley-messages.h" /* generated from resources/parley-messages.mc */
#include "service.h"
#include "sock.h"
#include "sys.h"
#include "test.h"

#ifndef PARLEY_SERVER_EXE
#error "PARLEY_SERVER_EXE must name the parley-server.exe under test"
#endif

#define SKIP_CODE 77 /* CTest's SKIP_RETURN_CODE for these tests */
#define WAIT_MS 5000u
#define RUN_LIMIT_MS 120000u

static const char *const DATA_FILES[] = {"server.ini", "secret.key", "server.salt",
                                         "history.journal", "history.journal.tmp",
                                         "bans.journal", "bans.journal.tmp",
                                         "parley-server.log", "parley-server.log.1",
                                         "password.txt"};

/* The server as built, with backslashes. */
static void built_exe(char *out, size_t n)
{
    char *p;
    snprintf(out, n, "%s", PARLEY_SERVER_EXE);
    for (p = out; *p; p++)
        if (*p == '/')
            *p = '\\';
}

/* Where these tests keep their files: %ProgramData%\ParleyTests. On Windows the service's
 * virtual account may read and run what is there (ProgramData lets Users read), which it may
 * not in a build tree; under Wine it is inside the prefix. */
static void test_root(char *out, size_t n)
{
    wchar_t *base = NULL;
    char dir[MAX_PATH * 3] = "C:\\ProgramData";

    if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &base) == S_OK)
        WideCharToMultiByte(CP_UTF8, 0, base, -1, dir, (int)sizeof dir, NULL, NULL);
    CoTaskMemFree(base);
    snprintf(out, n, "%s\\ParleyTests", dir);
}

/* The copy of the server the service tests install (see test_root). */
static void service_exe(char *out, size_t n)
{
    char root[MAX_PATH * 3];
    test_root(root, sizeof root);
    snprintf(out, n, "%s\\parley-server.exe", root);
}

/* A directory named `name` under test_root. */
static void work_dir(const char *name, char *out, size_t n)
{
    char root[MAX_PATH * 3];
    test_root(root, sizeof root);
    snprintf(out, n, "%s\\%s", root, name);
}

static void path_in(char *out, size_t n, const char *dir, const char *file)
{
    snprintf(out, n, "%s\\%s", dir, file);
}

static int file_exists(const char *path)
{
    wchar_t w[MAX_PATH];
    MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH);
    return GetFileAttributesW(w) != INVALID_FILE_ATTRIBUTES;
}

/* Reads a small file into out (NUL-terminated, trailing line ending trimmed); -1 if absent. */
static int read_text(const char *path, char *out, size_t n)
{
    wchar_t w[MAX_PATH];
    FILE *f;
    size_t got;

    MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH);
    f = _wfopen(w, L"rb");
    if (!f)
        return -1;
    got = fread(out, 1, n - 1, f);
    fclose(f);
    out[got] = '\0';
    while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r'))
        out[--got] = '\0';
    return 0;
}

/* Empties and removes a data directory a test used. */
static void clean_dir(const char *dir)
{
    char path[MAX_PATH * 3];
    wchar_t w[MAX_PATH];
    size_t i;

    for (i = 0; i < sizeof DATA_FILES / sizeof DATA_FILES[0]; i++) {
        path_in(path, sizeof path, dir, DATA_FILES[i]);
        MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH);
        DeleteFileW(w);
    }
    MultiByteToWideChar(CP_UTF8, 0, dir, -1, w, MAX_PATH);
    RemoveDirectoryW(w);
}

/* Starts parley-server.exe with args, its output going into a pipe we read. *proc and *out
 * are the caller's to close. detached: no console at all, as the SCM starts services. */
static int spawn_server(const char *exe, int argc, char **argv, int detached,
                        PROCESS_INFORMATION *proc, HANDLE *out)
{
    SECURITY_ATTRIBUTES sa;
    STARTUPINFOW si;
    HANDLE pipe_rd = NULL, pipe_wr = NULL;
    char line[8192];
    wchar_t wline[8192];
    BOOL ok;

    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = NULL;
    sa.bInheritHandle = TRUE;
    if (service_command_line(line, sizeof line, exe, argc, argv) != 0 ||
        !MultiByteToWideChar(CP_UTF8, 0, line, -1, wline, 8192) ||
        !CreatePipe(&pipe_rd, &pipe_wr, &sa, 0)) {
        test_failf_at(__FILE__, __LINE__, "cannot prepare to run %s", exe);
        return -1;
    }
    SetHandleInformation(pipe_rd, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = NULL;
    si.hStdOutput = pipe_wr;
    si.hStdError = pipe_wr;
    ok = CreateProcessW(NULL, wline, NULL, NULL, TRUE,
                        CREATE_UNICODE_ENVIRONMENT | (detached ? DETACHED_PROCESS : 0), NULL,
                        NULL, &si, proc);
    CloseHandle(pipe_wr);
    if (!ok) {
        test_failf_at(__FILE__, __LINE__, "CreateProcess %s: error %lu", line,
                      (unsigned long)GetLastError());
        CloseHandle(pipe_rd);
        return -1;
    }
    *out = pipe_rd;
    return 0;
}

/* Runs the service's copy of parley-server.exe with args to the end; its output (stdout and
 * stderr) goes into out and to our stderr. Returns its exit code, or -1 if it could not run or
 * did not finish. */
static int run_server(char *out, size_t n, int argc, char **argv)
{
    char exe[MAX_PATH * 3];
    PROCESS_INFORMATION proc;
    HANDLE pipe_rd;
    DWORD got, code = (DWORD)-1;
    size_t used = 0;
    char sink[512];

    if (out && n)
        out[0] = '\0';
    service_exe(exe, sizeof exe);
    if (spawn_server(exe, argc, argv, 0, &proc, &pipe_rd) != 0)
        return -1;
    for (;;) {
        char *to = out && used + 1 < n ? out + used : sink;
        DWORD room = out && used + 1 < n ? (DWORD)(n - used - 1) : (DWORD)sizeof sink;
        if (!ReadFile(pipe_rd, to, room, &got, NULL) || got == 0)
            break;
        fwrite(to, 1, got, stderr);
        if (to != sink) {
            used += got;
            out[used] = '\0';
        }
    }
    CloseHandle(pipe_rd);
    if (WaitForSingleObject(proc.hProcess, RUN_LIMIT_MS) != WAIT_OBJECT_0 ||
        !GetExitCodeProcess(proc.hProcess, &code)) {
        TerminateProcess(proc.hProcess, 99);
        code = (DWORD)-1;
    }
    CloseHandle(proc.hProcess);
    CloseHandle(proc.hThread);
    return (int)code;
}

static int run1(const char *arg)
{
    char *argv[1];
    argv[0] = (char *)arg;
    return run_server(NULL, 0, 1, argv);
}

/* A TCP port free on loopback right now. */
static unsigned free_port(void)
{
    struct sockaddr_in a;
    int len = sizeof a;
    unsigned port = 0;
    SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_NO_HANDLE_INHERIT);

    if (s == INVALID_SOCKET)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    closesocket(s);
    return port;
}

/* Skips the test (CTest shows it as skipped) where services cannot be managed: not elevated. */
static void require_admin(void)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!scm) {
        fprintf(stderr, "skipped: managing services needs an elevated prompt (error %lu)\n",
                (unsigned long)GetLastError());
        exit(SKIP_CODE);
    }
    CloseServiceHandle(scm);
}

static SC_HANDLE open_service(DWORD access)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT), svc = NULL;
    if (scm) {
        svc = OpenServiceW(scm, L"Parley", access);
        CloseServiceHandle(scm);
    }
    return svc;
}

static int service_status(SERVICE_STATUS_PROCESS *st)
{
    SC_HANDLE svc = open_service(SERVICE_QUERY_STATUS);
    DWORD bytes;
    int rc = -1;

    if (svc) {
        if (QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)st, sizeof *st, &bytes))
            rc = 0;
        CloseServiceHandle(svc);
    }
    return rc;
}

/* Starts the installed service with extra arguments (as `sc start Parley ARGS` would) and
 * waits until it is no longer starting; the final status is in *st. */
static int start_with_args(const wchar_t *arg, SERVICE_STATUS_PROCESS *st)
{
    SC_HANDLE svc = open_service(SERVICE_START | SERVICE_QUERY_STATUS);
    LPCWSTR args[1];
    uint64_t deadline = sys_mono_ms() + 30000;
    int rc = -1;

    if (!svc)
        return -1;
    args[0] = arg;
    if (StartServiceW(svc, 1, args)) {
        do {
            Sleep(100);
            if (service_status(st) != 0)
                break;
            if (st->dwCurrentState != SERVICE_START_PENDING) {
                rc = 0;
                break;
            }
        } while (sys_mono_ms() < deadline);
    }
    CloseServiceHandle(svc);
    return rc;
}

static int event_source_registered(void)
{
    HKEY key;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                      L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Parley", 0,
                      KEY_READ, &key) != ERROR_SUCCESS)
        return 0;
    RegCloseKey(key);
    return 1;
}

/* Wine is detected only to skip what it cannot show (recovery flags, Event Log contents). */
static int under_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

/* The DACL of a file or directory in SDDL ("D:P(A;OICI;FA;;;SY)..."), into out. */
static int dacl_text(const char *path, char *out, size_t n)
{
    wchar_t w[MAX_PATH], *text = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    int rc = -1;

    MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH);
    if (GetNamedSecurityInfoW(w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
                              NULL, &sd) == ERROR_SUCCESS &&
        ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                             DACL_SECURITY_INFORMATION, &text,
                                                             NULL) &&
        WideCharToMultiByte(CP_UTF8, 0, text, -1, out, (int)n, NULL, NULL) > 0)
        rc = 0;
    if (text)
        LocalFree(text);
    if (sd)
        LocalFree(sd);
    return rc;
}

/* Protected, and nobody but SYSTEM, Administrators and the service: no Users, Everyone,
 * Authenticated Users or interactive users. `service_access` is the service's entry. */
static void check_private(const char *path, const char *service_access)
{
    char dacl[2048], sid[128], want[200];

    if (dacl_text(path, dacl, sizeof dacl) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot read the permissions of %s", path);
        return;
    }
    fprintf(stderr, "%s: %s\n", path, dacl);
    CHECK(strncmp(dacl, "D:P", 3) == 0);
    CHECK(strstr(dacl, ";;;SY)") && strstr(dacl, ";;;BA)"));
    CHECK(!strstr(dacl, ";;;BU)") && !strstr(dacl, ";;;WD)") && !strstr(dacl, ";;;AU)") &&
          !strstr(dacl, ";;;IU)"));
    if (service_sid_text("Parley", sid, sizeof sid) == 0) {
        snprintf(want, sizeof want, "%s;;;%s)", service_access, sid);
        CHECK(strstr(dacl, want) != NULL);
    }
}

/* This process's user SID as text ("S-1-5-21-..."), into out. */
static int current_user_sid(char *out, size_t n)
{
    HANDLE token;
    BYTE info[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    DWORD size = sizeof info;
    wchar_t *text = NULL;
    int rc = -1;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return -1;
    if (GetTokenInformation(token, TokenUser, info, size, &size) &&
        ConvertSidToStringSidW(((TOKEN_USER *)info)->User.Sid, &text) &&
        WideCharToMultiByte(CP_UTF8, 0, text, -1, out, (int)n, NULL, NULL) > 0)
        rc = 0;
    if (text)
        LocalFree(text);
    CloseHandle(token);
    return rc;
}

/* Checks a DACL in SDDL: protected, with SYSTEM, Administrators and the user running this
 * test, full control, and nobody else. */
static void check_private_sddl(const char *what, const char *dacl)
{
    char sid[192], want[256];
    const char *p;
    int aces = 0;

    fprintf(stderr, "%s: %s\n", what, dacl);
    REQUIRE(current_user_sid(sid, sizeof sid) == 0);
    CHECK(strncmp(dacl, "D:P", 3) == 0);
    CHECK(strstr(dacl, "FA;;;SY)") && strstr(dacl, "FA;;;BA)"));
    snprintf(want, sizeof want, "FA;;;%s)", sid);
    CHECK(strstr(dacl, want) != NULL);
    for (p = dacl; (p = strchr(p, '(')) != NULL; p++)
        aces++;
    CHECK_EQ_INT(aces, 3);
}

/* A console run's private file or folder (issue 11). On Windows its DACL is read back with
 * GetNamedSecurityInfo. Wine 8 keeps no DACL on files (it reports one made up from the Unix
 * mode), so there the check is of the DACL the server writes: acl_private_sddl, which
 * fsys_create_private and fsys_make_private_dir apply. */
static void check_console_private(const char *path, int is_dir)
{
    char dacl[2048];
    wchar_t wdacl[512];

    if (under_wine()) {
        REQUIRE(acl_private_sddl(wdacl, 512, is_dir) == ERROR_SUCCESS);
        WideCharToMultiByte(CP_UTF8, 0, wdacl, -1, dacl, (int)sizeof dacl, NULL, NULL);
        CHECK(file_exists(path));
        CHECK((strstr(dacl, "OICI") != NULL) == (is_dir != 0));
        check_private_sddl("the DACL written (Wine keeps none)", dacl);
        return;
    }
    if (dacl_text(path, dacl, sizeof dacl) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot read the permissions of %s", path);
        return;
    }
    check_private_sddl(path, dacl);
}

/* 1 if the Application log has an event from source Parley with this ID written at or after
 * `since` (seconds since 1970). */
static int event_logged(DWORD id, DWORD since)
{
    HANDLE log = OpenEventLogW(NULL, L"Application");
    static BYTE records[64 * 1024];
    DWORD got = 0, need = 0;
    int found = 0;

    if (!log)
        return 0;
    while (!found && ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ, 0,
                                   records, sizeof records, &got, &need)) {
        BYTE *p = records;
        while (p < records + got) {
            EVENTLOGRECORD *r = (EVENTLOGRECORD *)p;
            const wchar_t *source = (const wchar_t *)(p + sizeof *r);
            if (r->TimeGenerated < since)
                goto done; /* newest first: the rest are older */
            if (wcscmp(source, L"Parley") == 0 && r->EventID == id) {
                found = 1;
                break;
            }
            p += r->Length;
        }
    }
done:
    CloseEventLog(log);
    return found;
}

/* --install with a data directory, settings file and port of the test's own. */
static int install(const char *dir, unsigned port, char *out, size_t n)
{
    char config[MAX_PATH * 3], port_text[16];
    char *argv[9];

    path_in(config, sizeof config, dir, "server.ini");
    snprintf(port_text, sizeof port_text, "%u", port);
    argv[0] = "--install";
    argv[1] = "--config";
    argv[2] = config;
    argv[3] = "--data-dir";
    argv[4] = (char *)dir;
    argv[5] = "--port";
    argv[6] = port_text;
    argv[7] = "--bind";
    argv[8] = "127.0.0.1";
    return run_server(out, n, 9, argv);
}

static pc_conn *connect_as(unsigned port, const char *secret, const char *nick)
{
    pc_options o;
    char err[256];
    int code = 0;
    pc_conn *c;

    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = (uint16_t)port;
    o.secret = secret;
    o.secret_len = strlen(secret);
    o.nick = nick;
    o.connect_timeout_ms = WAIT_MS;
    c = pc_connect(&o, &code, err, sizeof err);
    if (!c)
        test_failf_at(__FILE__, __LINE__, "connect as %s: %s (code %d)", nick, err, code);
    return c;
}

/* Receives until a message of this type (and, if text is set, with this text) arrives.
 * 1 found, 0 timed out, -1 connection ended. */
static int expect(pc_conn *c, uint8_t type, const char *text, proto_msg *m)
{
    uint64_t deadline = sys_mono_ms() + WAIT_MS;
    for (;;) {
        uint64_t now = sys_mono_ms();
        int rc;
        if (now >= deadline)
            return 0;
        rc = pc_recv(c, m, (uint32_t)(deadline - now));
        if (rc <= 0)
            return rc;
        if (m->type == type &&
            (!text || (m->text.n == strlen(text) && memcmp(m->text.p, text, m->text.n) == 0)))
            return 1;
    }
}

static int wide_path(const char *path, wchar_t *out)
{
    return MultiByteToWideChar(CP_UTF8, 0, path, -1, out, MAX_PATH) > 0 ? 0 : -1;
}

/* Copies the built server to where the service will run it from, after removing whatever an
 * earlier, interrupted run may have left installed. */
static int setup_test(void)
{
    char built[MAX_PATH * 3], copy[MAX_PATH * 3], root[MAX_PATH * 3];
    wchar_t wbuilt[MAX_PATH], wcopy[MAX_PATH], wroot[MAX_PATH];

    sock_startup();
    crypto_init();
    require_admin();
    built_exe(built, sizeof built);
    service_exe(copy, sizeof copy);
    test_root(root, sizeof root);
    if (wide_path(built, wbuilt) || wide_path(copy, wcopy) || wide_path(root, wroot))
        return -1;
    if (GetFileAttributesW(wcopy) != INVALID_FILE_ATTRIBUTES)
        run1("--uninstall");
    CreateDirectoryW(wroot, NULL);
    if (!CopyFileW(wbuilt, wcopy, FALSE)) {
        test_failf_at(__FILE__, __LINE__, "cannot copy %s to %s: error %lu", built, copy,
                      (unsigned long)GetLastError());
        return -1;
    }
    return 0;
}

/* Uninstalls (again: harmless) and removes the copy and the test folder once empty. The
 * service process may still be exiting and holding the program open for a moment. */
static void teardown_test(void)
{
    char copy[MAX_PATH * 3], root[MAX_PATH * 3];
    wchar_t wcopy[MAX_PATH], wroot[MAX_PATH];
    int i;

    run1("--uninstall");
    service_exe(copy, sizeof copy);
    test_root(root, sizeof root);
    if (wide_path(copy, wcopy) || wide_path(root, wroot))
        return;
    for (i = 0; i < 50 && !DeleteFileW(wcopy) && GetLastError() != ERROR_FILE_NOT_FOUND; i++)
        Sleep(100);
    RemoveDirectoryW(wroot);
}

TEST(command_line_round_trips)
{
    static const char *const args[] = {"plain", "with space", "", "quote\"inside",
                                       "trailing\\", "C:\\Program Files\\Parley\\",
                                       "back\\\\\"slashes", "Grüße 👋", "tab\there"};
    char line[2048];
    wchar_t wline[2048];
    wchar_t **parsed;
    int n = 0, i;

    REQUIRE(service_command_line(line, sizeof line, "C:\\Program Files\\Parley\\parley-server.exe",
                                 (int)(sizeof args / sizeof args[0]), (char *const *)args) == 0);
    {
        const char *quoted_exe = "\"C:\\Program Files\\Parley\\parley-server.exe\" ";
        CHECK(strncmp(line, quoted_exe, strlen(quoted_exe)) == 0);
    }
    REQUIRE(MultiByteToWideChar(CP_UTF8, 0, line, -1, wline, 2048) > 0);
    parsed = CommandLineToArgvW(wline, &n);
    REQUIRE(parsed != NULL);
    CHECK_EQ_INT(n, (int)(sizeof args / sizeof args[0]) + 1);
    for (i = 1; i < n && i <= (int)(sizeof args / sizeof args[0]); i++) {
        char back[256];
        WideCharToMultiByte(CP_UTF8, 0, parsed[i], -1, back, sizeof back, NULL, NULL);
        CHECK_EQ_STR(back, args[i - 1]);
    }
    LocalFree(parsed);
    /* Too small a buffer is an error, not a truncated command. */
    CHECK(service_command_line(line, 10, "C:\\x.exe", 1, (char *const *)args) == -1);
}

TEST(service_sid_is_computed_like_windows)
{
    char sid[128];
    /* `sc showsid TrustedInstaller` on any Windows. */
    REQUIRE(service_sid_text("TrustedInstaller", sid, sizeof sid) == 0);
    CHECK_EQ_STR(sid, "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
    /* Case does not matter: Windows hashes the upper-cased name. */
    REQUIRE(service_sid_text("trustedinstaller", sid, sizeof sid) == 0);
    CHECK_EQ_STR(sid, "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
}

/* The body of the lifecycle test; the caller uninstalls whatever happens here. */
static void lifecycle(const char *dir, unsigned port)
{
    char out[8192], path[MAX_PATH * 3], secret[256], log[16384];
    BYTE cfg_buf[8192];
    QUERY_SERVICE_CONFIGW *qc = (QUERY_SERVICE_CONFIGW *)cfg_buf;
    SERVICE_STATUS_PROCESS st;
    SC_HANDLE svc;
    DWORD need;
    pc_conn *a = NULL, *b = NULL;
    proto_msg m;
    wchar_t want_port[32];

    DWORD started_at = (DWORD)time(NULL) - 5; /* a little slack for the clock's rounding */

    REQUIRE(install(dir, port, out, sizeof out) == 0);
    CHECK(strstr(out, "A new secret key was generated") != NULL);
    path_in(path, sizeof path, dir, "server.ini");
    CHECK(file_exists(path));
    path_in(path, sizeof path, dir, "secret.key");
    REQUIRE(read_text(path, secret, sizeof secret) == 0);
    CHECK(strlen(secret) == 32);
    CHECK(strstr(out, secret) != NULL); /* shown to the administrator once */
    CHECK(event_source_registered());
    /* The data directory and the secret are private to Administrators and the service.
     * Wine keeps no ACLs on files (it reports ones made up from the Unix mode): Windows only. */
    if (!under_wine()) {
        check_private(dir, "0x1301bf");
        check_private(path, "FR");
    }

    /* What the SCM recorded. */
    svc = open_service(SERVICE_QUERY_CONFIG);
    REQUIRE(svc != NULL);
    CHECK(QueryServiceConfigW(svc, qc, sizeof cfg_buf, &need));
    CHECK_EQ_INT(qc->dwStartType, SERVICE_AUTO_START);
    CHECK_EQ_INT(qc->dwServiceType, SERVICE_WIN32_OWN_PROCESS);
    CHECK(qc->lpBinaryPathName[0] == L'"'); /* quoted image path */
    swprintf(want_port, 32, L"--port %u", port);
    CHECK(wcsstr(qc->lpBinaryPathName, want_port) != NULL);
    CHECK(qc->lpServiceStartName && _wcsicmp(qc->lpServiceStartName, L"NT SERVICE\\Parley") == 0);
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, cfg_buf, sizeof cfg_buf, &need))
        CHECK(wcsstr(((SERVICE_DESCRIPTIONW *)cfg_buf)->lpDescription, L"Parley") != NULL);
    else
        test_failf_at(__FILE__, __LINE__, "no description (error %lu)",
                      (unsigned long)GetLastError());
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, cfg_buf, sizeof cfg_buf, &need))
        CHECK(((SERVICE_PRESHUTDOWN_INFO *)cfg_buf)->dwPreshutdownTimeout >= 15000);
    /* Wine stores recovery actions but cannot report them; Windows can. */
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, cfg_buf, sizeof cfg_buf, &need)) {
        SERVICE_FAILURE_ACTIONSW *fa = (SERVICE_FAILURE_ACTIONSW *)cfg_buf;
        CHECK_EQ_INT(fa->cActions, 3);
        CHECK(fa->cActions >= 1 && fa->lpsaActions[0].Type == SC_ACTION_RESTART);
    }
    if (!under_wine()) {
        /* What Wine cannot store: recovery on error exits, the service SID, privileges. */
        CHECK(strstr(out, "note:") == NULL);
        CHECK(QueryServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, cfg_buf,
                                   sizeof cfg_buf, &need) &&
              ((SERVICE_FAILURE_ACTIONS_FLAG *)cfg_buf)->fFailureActionsOnNonCrashFailures);
        CHECK(QueryServiceConfig2W(svc, SERVICE_CONFIG_SERVICE_SID_INFO, cfg_buf,
                                   sizeof cfg_buf, &need) &&
              ((SERVICE_SID_INFO *)cfg_buf)->dwServiceSidType == SERVICE_SID_TYPE_UNRESTRICTED);
        CHECK(QueryServiceConfig2W(svc, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, cfg_buf,
                                   sizeof cfg_buf, &need) &&
              wcscmp(((SERVICE_REQUIRED_PRIVILEGES_INFOW *)cfg_buf)->pmszRequiredPrivileges,
                     L"SeChangeNotifyPrivilege") == 0);
    }
    CloseServiceHandle(svc);

    REQUIRE(run1("--start") == 0);
    REQUIRE(service_status(&st) == 0);
    CHECK_EQ_INT(st.dwCurrentState, SERVICE_RUNNING);
    CHECK_EQ_INT(st.dwControlsAccepted, SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                            SERVICE_ACCEPT_PRESHUTDOWN |
                                            SERVICE_ACCEPT_PARAMCHANGE);
    CHECK(st.dwProcessId != 0 && st.dwProcessId != GetCurrentProcessId());
    /* --start again is harmless. */
    CHECK(run1("--start") == 0);

    a = connect_as(port, secret, "alice");
    b = connect_as(port, secret, "bob");
    if (a && b) {
        CHECK(expect(a, PT_HISTORY_END, NULL, &m) == 1);
        CHECK(expect(b, PT_HISTORY_END, NULL, &m) == 1);
        CHECK(pc_say(a, "lobby", "hello from the service test", 1) == 0);
        CHECK(expect(b, PT_MSG, "hello from the service test", &m) == 1);
        CHECK(pc_say(b, "lobby", "and back", 2) == 0);
        CHECK(expect(a, PT_MSG, "and back", &m) == 1);
    }

    /* STOP is the server's graceful shutdown: clients are told, and it exits with 0. */
    CHECK(run1("--stop") == 0);
    REQUIRE(service_status(&st) == 0);
    CHECK_EQ_INT(st.dwCurrentState, SERVICE_STOPPED);
    CHECK_EQ_INT(st.dwWin32ExitCode, NO_ERROR);
    CHECK_EQ_INT(st.dwServiceSpecificExitCode, 0);
    if (a)
        CHECK(expect(a, PT_MSG, "never arrives", &m) == -1);
    pc_close(a);
    pc_close(b);
    path_in(path, sizeof path, dir, "parley-server.log");
    CHECK(read_text(path, log, sizeof log) == 0 && strstr(log, "listening on 127.0.0.1") &&
          strstr(log, "stopped"));
    CHECK(run1("--stop") == 0); /* stopping a stopped service is fine */
    if (!under_wine()) {
        /* Wine's Event Log keeps nothing; Windows must have both events from this run. */
        CHECK(event_logged(MSG_SERVICE_STARTED, started_at));
        CHECK(event_logged(MSG_SERVICE_STOPPED, started_at));
    }

    CHECK(run1("--uninstall") == 0);
    svc = open_service(SERVICE_QUERY_STATUS);
    CHECK(svc == NULL && GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST);
    if (svc)
        CloseServiceHandle(svc);
    CHECK(!event_source_registered());
    /* Data stays: an uninstall is not a wipe. */
    path_in(path, sizeof path, dir, "secret.key");
    CHECK(file_exists(path));
}

TEST(install_start_chat_stop_uninstall)
{
    char dir[MAX_PATH * 3];
    unsigned port;

    REQUIRE(setup_test() == 0);
    work_dir("svc-lifecycle", dir, sizeof dir);
    clean_dir(dir);
    port = free_port();
    if (port != 0)
        lifecycle(dir, port);
    else
        test_failf_at(__FILE__, __LINE__, "no free port");
    run1("--uninstall");
    clean_dir(dir);
    teardown_test();
}

/* A second install over an existing one updates it in place and keeps the secret. */
TEST(reinstall_updates_and_keeps_the_secret)
{
    char dir[MAX_PATH * 3], out[8192], path[MAX_PATH * 3], first[256], second[256];
    BYTE cfg_buf[8192];
    QUERY_SERVICE_CONFIGW *qc = (QUERY_SERVICE_CONFIGW *)cfg_buf;
    SC_HANDLE svc;
    DWORD need;
    unsigned port;
    wchar_t want_port[32];

    REQUIRE(setup_test() == 0);
    work_dir("svc-reinstall", dir, sizeof dir);
    clean_dir(dir);
    port = free_port();
    CHECK(install(dir, port, out, sizeof out) == 0);
    path_in(path, sizeof path, dir, "secret.key");
    CHECK(read_text(path, first, sizeof first) == 0);
    CHECK(install(dir, port + 1, out, sizeof out) == 0);
    CHECK(strstr(out, "Updated the Parley service") != NULL);
    CHECK(strstr(out, "A new secret key") == NULL);
    CHECK(read_text(path, second, sizeof second) == 0 && strcmp(first, second) == 0);
    svc = open_service(SERVICE_QUERY_CONFIG);
    CHECK(svc != NULL);
    if (svc) {
        swprintf(want_port, 32, L"--port %u", port + 1);
        CHECK(QueryServiceConfigW(svc, qc, sizeof cfg_buf, &need) &&
              wcsstr(qc->lpBinaryPathName, want_port) != NULL);
        CloseServiceHandle(svc);
    }
    CHECK(run1("--uninstall") == 0);
    clean_dir(dir);
    teardown_test();
}

/* The installed service's command line and start type, for the re-install test. */
static int installed_config(wchar_t *path, size_t cap, DWORD *start_type, int *delayed)
{
    BYTE cfg_buf[8192];
    QUERY_SERVICE_CONFIGW *qc = (QUERY_SERVICE_CONFIGW *)cfg_buf;
    SERVICE_DELAYED_AUTO_START_INFO d;
    SC_HANDLE svc = open_service(SERVICE_QUERY_CONFIG);
    DWORD need;
    int rc = -1;

    if (!svc)
        return -1;
    if (QueryServiceConfigW(svc, qc, sizeof cfg_buf, &need) &&
        wcslen(qc->lpBinaryPathName) < cap) {
        wcscpy(path, qc->lpBinaryPathName);
        *start_type = qc->dwStartType;
        d.fDelayedAutostart = FALSE;
        *delayed = QueryServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (BYTE *)&d,
                                        sizeof d, &need)
                       ? d.fDelayedAutostart != 0
                       : -1; /* not known to this system */
        rc = 0;
    }
    CloseServiceHandle(svc);
    return rc;
}

/* --install over an existing service changes only what it is told: an upgrade that passes
 * nothing keeps the custom settings file, port and start type (issue 11). */
TEST(reinstall_changes_only_what_it_is_told)
{
    char dir[MAX_PATH * 3], out[8192], config[MAX_PATH * 3], port_text[16], port2_text[16];
    char ini[16384], ini_after[16384], want_line[MAX_PATH * 3 + 32];
    wchar_t line[4096], want[MAX_PATH * 3 + 32];
    DWORD start_type = 0;
    int delayed = 0;
    unsigned port;

    REQUIRE(setup_test() == 0);
    work_dir("svc-keep", dir, sizeof dir);
    clean_dir(dir);
    path_in(config, sizeof config, dir, "server.ini");
    port = free_port();
    snprintf(port_text, sizeof port_text, "%u", port);
    snprintf(port2_text, sizeof port2_text, "%u", port + 1);
    {
        char *argv[] = {"--install", "--config", config, "--data-dir", dir, "--port", port_text,
                        "--start-type", "disabled"};
        CHECK(run_server(out, sizeof out, 9, argv) == 0);
    }
    CHECK(strstr(out, "start: disabled") != NULL);
    /* The install-time settings are in server.ini too, under their template lines. */
    REQUIRE(read_text(config, ini, sizeof ini) == 0);
    snprintf(want_line, sizeof want_line, "\r\nport = %s\r\n", port_text);
    CHECK(strstr(ini, want_line) != NULL);
    snprintf(want_line, sizeof want_line, "\r\ndata_dir = %s\r\n", dir);
    CHECK(strstr(ini, want_line) != NULL);
    CHECK(strstr(ini, "\r\n; port = 7420\r\n") != NULL);

    /* What an installer's upgrade does: --install and nothing else. */
    CHECK(run_server(out, sizeof out, 1, (char *[]){"--install"}) == 0);
    REQUIRE(read_text(config, ini_after, sizeof ini_after) == 0);
    CHECK_EQ_STR(ini_after, ini); /* server.ini untouched */
    CHECK(strstr(out, "Updated the Parley service") != NULL);
    REQUIRE(installed_config(line, 4096, &start_type, &delayed) == 0);
    fwprintf(stderr, L"after a plain --install: %ls\n", line);
    swprintf(want, sizeof want / sizeof want[0], L"--config %hs", config);
    CHECK(wcsstr(line, want) != NULL);
    swprintf(want, sizeof want / sizeof want[0], L"--port %hs", port_text);
    CHECK(wcsstr(line, want) != NULL);
    CHECK(wcsstr(line, L"--start-type") == NULL); /* --install's own, never recorded */
    CHECK_EQ_INT(start_type, SERVICE_DISABLED);
    CHECK(run1("--start") != 0); /* still disabled */

    /* One option changed: only that one. */
    {
        char *argv[] = {"--install", "--port", port2_text};
        CHECK(run_server(out, sizeof out, 3, argv) == 0);
    }
    REQUIRE(installed_config(line, 4096, &start_type, &delayed) == 0);
    swprintf(want, sizeof want / sizeof want[0], L"--port %hs", port2_text);
    CHECK(wcsstr(line, want) != NULL);
    swprintf(want, sizeof want / sizeof want[0], L"--port %hs", port_text);
    CHECK(wcsstr(line, want) == NULL);
    swprintf(want, sizeof want / sizeof want[0], L"--config %hs", config);
    CHECK(wcsstr(line, want) != NULL);
    CHECK_EQ_INT(start_type, SERVICE_DISABLED);
    /* ... and in server.ini only the port line changes. */
    REQUIRE(read_text(config, ini_after, sizeof ini_after) == 0);
    snprintf(want_line, sizeof want_line, "\r\nport = %s\r\n", port2_text);
    CHECK(strstr(ini_after, want_line) != NULL);
    snprintf(want_line, sizeof want_line, "\r\nport = %s\r\n", port_text);
    CHECK(strstr(ini_after, want_line) == NULL);
    CHECK_EQ_INT((long long)(strlen(ini_after) - strlen(port2_text)),
                 (long long)(strlen(ini) - strlen(port_text)));

    /* Delayed automatic start, and it stays across a plain --install. */
    {
        char *argv[] = {"--install", "--start-type", "delayed"};
        CHECK(run_server(out, sizeof out, 3, argv) == 0);
    }
    if (under_wine())
        CHECK(strstr(out, "no delayed automatic start") != NULL);
    CHECK(run_server(out, sizeof out, 1, (char *[]){"--install"}) == 0);
    REQUIRE(installed_config(line, 4096, &start_type, &delayed) == 0);
    CHECK_EQ_INT(start_type, SERVICE_AUTO_START);
    if (!under_wine())
        CHECK_EQ_INT(delayed, 1);
    CHECK(run_server(out, sizeof out, 3, (char *[]){"--install", "--start-type", "sometimes"}) ==
          2);
    CHECK(strstr(out, "not one of auto, delayed, manual, disabled") != NULL);

    /* A data folder that cannot be made (a file is in the way) fails --install before the
     * service is touched: its command line stays as it was. */
    {
        wchar_t before[4096];
        char blocked[MAX_PATH * 3];
        DWORD type_before = 0;
        int delayed_before = 0;
        REQUIRE(installed_config(before, 4096, &type_before, &delayed_before) == 0);
        path_in(blocked, sizeof blocked, dir, "server.ini"); /* a file, not a folder */
        {
            char *argv[] = {"--install", "--data-dir", blocked};
            CHECK(run_server(out, sizeof out, 3, argv) != 0);
        }
        CHECK(strstr(out, blocked) != NULL);
        REQUIRE(installed_config(line, 4096, &start_type, &delayed) == 0);
        CHECK(wcscmp(line, before) == 0);
        /* Nor is server.ini: a --data-dir that failed is not recorded there. */
        REQUIRE(read_text(config, ini, sizeof ini) == 0);
        CHECK(strstr(ini, blocked) == NULL);
    }

    CHECK(run1("--uninstall") == 0);
    clean_dir(dir);
    teardown_test();
}

/* Writes a settings file (CRLF lines given with \n). */
static int write_text(const char *path, const char *text)
{
    wchar_t w[MAX_PATH];
    FILE *f;
    const char *p;

    MultiByteToWideChar(CP_UTF8, 0, path, -1, w, MAX_PATH);
    if (!(f = _wfopen(w, L"wb")))
        return -1;
    for (p = text; *p; p++) {
        if (*p == '\n')
            fputc('\r', f);
        fputc(*p, f);
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* The account the installed service runs as (QUERY_SERVICE_CONFIG's lpServiceStartName). */
static int installed_account(wchar_t *out, size_t cap)
{
    BYTE cfg_buf[8192];
    QUERY_SERVICE_CONFIGW *qc = (QUERY_SERVICE_CONFIGW *)cfg_buf;
    SC_HANDLE svc = open_service(SERVICE_QUERY_CONFIG);
    DWORD need;
    int rc = -1;

    if (!svc)
        return -1;
    if (QueryServiceConfigW(svc, qc, sizeof cfg_buf, &need) && qc->lpServiceStartName &&
        wcslen(qc->lpServiceStartName) < cap) {
        wcscpy(out, qc->lpServiceStartName);
        rc = 0;
    }
    CloseServiceHandle(svc);
    return rc;
}

/* --install --account changes the service's account (LocalService, NetworkService and the
 * virtual account without a password, any other with one from --password-file or a prompt);
 * a plain --install keeps it, and a missing password changes nothing (issue 11). Wine's SCM
 * stores the name it is given and reports it back, as Windows does; it checks no password. */
TEST(install_changes_the_account)
{
    char dir[MAX_PATH * 3], out[8192], pw_file[MAX_PATH * 3];
    wchar_t account[256];
    unsigned port;

    REQUIRE(setup_test() == 0);
    work_dir("svc-account", dir, sizeof dir);
    clean_dir(dir);
    port = free_port();
    REQUIRE(install(dir, port, out, sizeof out) == 0);
    REQUIRE(installed_account(account, 256) == 0);
    CHECK(wcscmp(account, L"NT SERVICE\\Parley") == 0);

    CHECK(run_server(out, sizeof out, 3, (char *[]){"--install", "--account", "LocalService"}) ==
          0);
    REQUIRE(installed_account(account, 256) == 0);
    fwprintf(stderr, L"after --account LocalService: %ls\n", account);
    CHECK(wcscmp(account, L"NT AUTHORITY\\LocalService") == 0);
    CHECK(strstr(out, "account NT AUTHORITY\\LocalService") != NULL);
    /* What an upgrade does: the account stays. */
    CHECK(run_server(out, sizeof out, 1, (char *[]){"--install"}) == 0);
    REQUIRE(installed_account(account, 256) == 0);
    CHECK(wcscmp(account, L"NT AUTHORITY\\LocalService") == 0);

    /* An account with a password: none to be had (no terminal, no file) changes nothing. */
    CHECK(run_server(out, sizeof out, 3, (char *[]){"--install", "--account", ".\\parleysvc"}) ==
          2);
    CHECK(strstr(out, "use --password-file") != NULL);
    REQUIRE(installed_account(account, 256) == 0);
    CHECK(wcscmp(account, L"NT AUTHORITY\\LocalService") == 0);
    path_in(pw_file, sizeof pw_file, dir, "password.txt");
    REQUIRE(write_text(pw_file, "S3cret pass\n") == 0);
    {
        char *argv[] = {"--install", "--account", ".\\parleysvc", "--password-file", pw_file};
        CHECK(run_server(out, sizeof out, 5, argv) == 0);
    }
    REQUIRE(installed_account(account, 256) == 0);
    fwprintf(stderr, L"after --account .\\parleysvc: %ls\n", account);
    CHECK(wcscmp(account, L".\\parleysvc") == 0);
    CHECK(strstr(out, "Log on as a service") != NULL);
    CHECK(strstr(out, "S3cret") == NULL);
    /* A password for an account that has none is a mistake, said before anything changes. */
    {
        char *argv[] = {"--install", "--account", "NetworkService", "--password-file", pw_file};
        CHECK(run_server(out, sizeof out, 5, argv) == 2);
    }
    CHECK(strstr(out, "has no password") != NULL);
    REQUIRE(installed_account(account, 256) == 0);
    CHECK(wcscmp(account, L".\\parleysvc") == 0);

    CHECK(run_server(out, sizeof out, 3,
                     (char *[]){"--install", "--account", "NT SERVICE\\Parley"}) == 0);
    REQUIRE(installed_account(account, 256) == 0);
    CHECK(wcscmp(account, L"NT SERVICE\\Parley") == 0);

    CHECK(run1("--uninstall") == 0);
    clean_dir(dir);
    teardown_test();
}

/* The message of the day a new client is greeted with; "" if it cannot connect. */
static void greeting(unsigned port, const char *secret, char *out, size_t n)
{
    pc_conn *c = connect_as(port, secret, "greeted");
    snprintf(out, n, "%s", c ? pc_motd(c) : "");
    pc_close(c);
}

/* --reload (SERVICE_CONTROL_PARAMCHANGE) applies a new motd to the running service; a bad
 * settings file is refused with its file and line, and the running settings stay (issue 11). */
TEST(reload_applies_settings_to_the_running_service)
{
    char dir[MAX_PATH * 3], out[8192], config[MAX_PATH * 3], path[MAX_PATH * 3], secret[256];
    char motd[512], want[MAX_PATH * 3 + 16];
    SERVICE_STATUS_PROCESS st;
    DWORD pid;
    unsigned port;

    REQUIRE(setup_test() == 0);
    work_dir("svc-reload", dir, sizeof dir);
    clean_dir(dir);
    port = free_port();
    path_in(config, sizeof config, dir, "server.ini");
    REQUIRE(install(dir, port, out, sizeof out) == 0);
    path_in(path, sizeof path, dir, "secret.key");
    REQUIRE(read_text(path, secret, sizeof secret) == 0);
    REQUIRE(run1("--start") == 0);
    REQUIRE(service_status(&st) == 0);
    pid = st.dwProcessId;
    greeting(port, secret, motd, sizeof motd);
    CHECK_EQ_STR(motd, "Welcome to Parley.");

    REQUIRE(write_text(config, "[server]\nmotd = Reloaded without a restart\n") == 0);
    CHECK(run_server(out, sizeof out, 1, (char *[]){"--reload"}) == 0);
    CHECK(strstr(out, "re-read its settings") != NULL);
    /* Applied at the server's next tick (every 250 ms): look until it shows, within limits. */
    {
        uint64_t deadline = sys_mono_ms() + WAIT_MS;
        do {
            greeting(port, secret, motd, sizeof motd);
        } while (strcmp(motd, "Reloaded without a restart") != 0 && sys_mono_ms() < deadline);
    }
    CHECK_EQ_STR(motd, "Reloaded without a restart");
    CHECK(service_status(&st) == 0 && st.dwProcessId == pid); /* the same process */

    REQUIRE(write_text(config, "[server]\nmotd = never applied\nworkers = many\n") == 0);
    CHECK(run_server(out, sizeof out, 1, (char *[]){"--reload"}) != 0);
    snprintf(want, sizeof want, "%s:3", config);
    CHECK(strstr(out, want) != NULL);
    CHECK(strstr(out, "keeps running with the settings it has") != NULL);
    greeting(port, secret, motd, sizeof motd);
    CHECK_EQ_STR(motd, "Reloaded without a restart");
    CHECK(service_status(&st) == 0 && st.dwCurrentState == SERVICE_RUNNING);

    CHECK(run1("--stop") == 0);
    CHECK(run1("--uninstall") == 0);
    clean_dir(dir);
    teardown_test();
}

/* %ProgramData%\Parley\parley-server.log: where the service writes failures that come
 * before its own log is open. */
/* An ACL that cannot be set names the path and the Windows error, and (this test process and
 * so the server being elevated) does not send the administrator looking for an elevated
 * prompt. Wine fails naturally here: it turns a DACL into Unix mode bits, and Linux refuses
 * every chmod under /proc/<pid>, even root's, so the data folder Z:\proc\self gives
 * ERROR_ACCESS_DENIED. Windows has no such folder that is safe to try, so there the failure
 * path is not reached and only the Wine run checks it. */
TEST(acl_failure_names_the_path_and_the_error)
{
    char dir[MAX_PATH * 3], config[MAX_PATH * 3], out[8192], expected[MAX_PATH * 3 + 64];
    const char *data = "Z:\\proc\\self";
    SC_HANDLE svc;

    if (!under_wine()) {
        fprintf(stderr, "SKIP: not under Wine: no folder whose ACL fails safely\n");
        exit(SKIP_CODE);
    }
    REQUIRE(setup_test() == 0);
    REQUIRE(GetFileAttributesA(data) != INVALID_FILE_ATTRIBUTES);
    work_dir("svc-aclfail", dir, sizeof dir);
    clean_dir(dir);
    CreateDirectoryA(dir, NULL);
    path_in(config, sizeof config, dir, "server.ini");
    {
        char *argv[] = {"--install", "--config", config, "--data-dir", (char *)data};
        CHECK(run_server(out, sizeof out, 5, argv) != 0);
    }
    snprintf(expected, sizeof expected, "cannot set the permissions of %s: ", data);
    CHECK(strstr(out, expected) != NULL);
    CHECK(strstr(out, "(error 5)") != NULL); /* ERROR_ACCESS_DENIED, with Windows' text */
    CHECK(strstr(out, "elevated") == NULL);
    svc = open_service(SERVICE_QUERY_STATUS);
    CHECK(svc == NULL); /* stopped before the service was created */
    if (svc)
        CloseServiceHandle(svc);
    clean_dir(dir);
    teardown_test();
}

static void default_log(char *out, size_t n)
{
    char root[MAX_PATH * 3], *slash;
    test_root(root, sizeof root);
    slash = strrchr(root, '\\');
    if (slash)
        *slash = '\0';
    snprintf(out, n, "%s\\Parley\\parley-server.log", root);
}

/* A service that cannot start reports SERVICE_STOPPED with ERROR_SERVICE_SPECIFIC_ERROR and
 * server_main's exit code: 1 when it cannot listen, 2 for bad options. */
TEST(failed_start_reports_the_exit_code)
{
    char dir[MAX_PATH * 3], out[8192];
    struct sockaddr_in a;
    SERVICE_STATUS_PROCESS st;
    SOCKET taken;
    unsigned port;

    REQUIRE(setup_test() == 0);
    work_dir("svc-failure", dir, sizeof dir);
    clean_dir(dir);
    port = free_port();
    if (port == 0 || install(dir, port, out, sizeof out) != 0) {
        test_failf_at(__FILE__, __LINE__, "no free port, or --install failed");
        teardown_test();
        return;
    }

    /* Someone else holds the port. */
    taken = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_NO_HANDLE_INHERIT);
    CHECK(taken != INVALID_SOCKET);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((u_short)port);
    CHECK(bind(taken, (struct sockaddr *)&a, sizeof a) == 0 && listen(taken, 4) == 0);
    CHECK(run_server(out, sizeof out, 1, (char *[]){"--start"}) != 0);
    CHECK(strstr(out, "exit code 1") != NULL);
    /* The reason itself, from the service's log, and what to do (issue 11). */
    CHECK(strstr(out, "cannot listen") != NULL);
    CHECK(strstr(out, "what to do: free the port") != NULL);
    CHECK(service_status(&st) == 0);
    CHECK_EQ_INT(st.dwCurrentState, SERVICE_STOPPED);
    CHECK_EQ_INT(st.dwWin32ExitCode, ERROR_SERVICE_SPECIFIC_ERROR);
    CHECK_EQ_INT(st.dwServiceSpecificExitCode, 1);
    closesocket(taken);

    /* Arguments given to StartService reach the server; a bad one is exit code 2. */
    CHECK(start_with_args(L"--no-such-option", &st) == 0);
    CHECK_EQ_INT(st.dwCurrentState, SERVICE_STOPPED);
    CHECK_EQ_INT(st.dwWin32ExitCode, ERROR_SERVICE_SPECIFIC_ERROR);
    CHECK_EQ_INT(st.dwServiceSpecificExitCode, 2);

    /* A bad line in server.ini: --start names the file and line (issue 11). */
    {
        char config[MAX_PATH * 3], want[MAX_PATH * 3 + 16], deflog[MAX_PATH * 3];
        wchar_t wconfig[MAX_PATH];
        FILE *f;
        path_in(config, sizeof config, dir, "server.ini");
        MultiByteToWideChar(CP_UTF8, 0, config, -1, wconfig, MAX_PATH);
        f = _wfopen(wconfig, L"wb");
        REQUIRE(f != NULL);
        fputs("[server]\r\nport = 7420\r\nworkers = many\r\n", f);
        fclose(f);
        default_log(deflog, sizeof deflog);
        MultiByteToWideChar(CP_UTF8, 0, deflog, -1, wconfig, MAX_PATH);
        DeleteFileW(wconfig); /* only this start's lines, below */
        CHECK(run_server(out, sizeof out, 1, (char *[]){"--start"}) != 0);
        CHECK(strstr(out, "exit code 2") != NULL);
        snprintf(want, sizeof want, "%s:3", config);
        CHECK(strstr(out, want) != NULL);
        CHECK(strstr(out, "what to do: correct that setting") != NULL);
        /* Before its own log is open, the service writes the reason to the default log file:
         * %ProgramData%\Parley\parley-server.log. */
        {
            char *text = malloc(1 << 16);
            REQUIRE(text != NULL);
            CHECK(read_text(deflog, text, 1 << 16) == 0 && strstr(text, want) != NULL);
            free(text);
        }
    }

    /* A data folder that cannot be used (a file is where it should be): --start says so and
     * names it (issue 11). */
    {
        char config[MAX_PATH * 3], data[MAX_PATH * 3];
        path_in(config, sizeof config, dir, "server.ini");
        path_in(data, sizeof data, dir, "data");
        REQUIRE(write_text(config, "[server]\n") == 0);
        {
            char *argv[] = {"--install", "--data-dir", data};
            CHECK(run_server(out, sizeof out, 3, argv) == 0);
        }
        clean_dir(data);
        REQUIRE(write_text(data, "not a folder\n") == 0);
        CHECK(run_server(out, sizeof out, 1, (char *[]){"--start"}) != 0);
        CHECK(strstr(out, "the data folder cannot be used") != NULL);
        CHECK(strstr(out, data) != NULL);
        {
            wchar_t w[MAX_PATH];
            MultiByteToWideChar(CP_UTF8, 0, data, -1, w, MAX_PATH);
            DeleteFileW(w);
        }
    }

    CHECK(run1("--uninstall") == 0);
    clean_dir(dir);
    teardown_test();
}

/* Started by anything but the SCM and without a console, the same binary tries the service
 * dispatcher, is refused (ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) and runs in the console
 * way. Under Wine that refusal takes about ten seconds. */
TEST(runs_in_the_console_when_not_started_by_the_scm)
{
    char dir[MAX_PATH * 3], port_text[16], out[4096] = "", secret_path[MAX_PATH * 3];
    char secret[256], exe[MAX_PATH * 3], root[MAX_PATH * 3];
    wchar_t wroot[MAX_PATH];
    char *argv[6];
    PROCESS_INFORMATION proc;
    HANDLE pipe_rd;
    unsigned port;
    size_t used = 0;
    uint64_t deadline;
    pc_conn *c;

    sock_startup();
    crypto_init();
    test_root(root, sizeof root);
    if (wide_path(root, wroot) == 0)
        CreateDirectoryW(wroot, NULL);
    work_dir("svc-console", dir, sizeof dir);
    clean_dir(dir);
    built_exe(exe, sizeof exe);
    port = free_port();
    snprintf(port_text, sizeof port_text, "%u", port);
    argv[0] = "--data-dir";
    argv[1] = dir;
    argv[2] = "--port";
    argv[3] = port_text;
    argv[4] = "--bind";
    argv[5] = "127.0.0.1";
    REQUIRE(spawn_server(exe, 6, argv, 1, &proc, &pipe_rd) == 0);
    deadline = sys_mono_ms() + 60000;
    while (!strstr(out, "listening on port") && sys_mono_ms() < deadline) {
        DWORD avail = 0, got = 0;
        if (!PeekNamedPipe(pipe_rd, NULL, 0, NULL, &avail, NULL))
            break;
        if (avail == 0) {
            Sleep(50);
            continue;
        }
        if (used + 1 >= sizeof out ||
            !ReadFile(pipe_rd, out + used, (DWORD)(sizeof out - used - 1), &got, NULL))
            break;
        used += got;
        out[used] = '\0';
    }
    fprintf(stderr, "%s", out);
    CHECK(strstr(out, "listening on port") != NULL);
    path_in(secret_path, sizeof secret_path, dir, "secret.key");
    /* The key and the folder are private in a console run too, not left to inherit
     * ProgramData's permissions. */
    check_console_private(secret_path, 0);
    check_console_private(dir, 1);
    if (strstr(out, "listening on port") && read_text(secret_path, secret, sizeof secret) == 0) {
        c = connect_as(port, secret, "carol");
        CHECK(c != NULL);
        pc_close(c);
    }
    /* No console to send Ctrl+C to: end it outright; the service tests cover the graceful
     * path. */
    TerminateProcess(proc.hProcess, 0);
    WaitForSingleObject(proc.hProcess, 10000);
    CloseHandle(proc.hProcess);
    CloseHandle(proc.hThread);
    CloseHandle(pipe_rd);
    clean_dir(dir);
    RemoveDirectoryW(wroot);
}

/* The Event Log shows what the message table in parley-server.exe says: every ID the service
 * reports must be there, with its insertion strings in place. */
TEST(event_messages_are_in_the_program)
{
    static const struct {
        DWORD id;
        const char *expect;
    } cases[] = {
        {MSG_SERVICE_STARTED, "started. It accepts clients on TCP port 7420"},
        {MSG_SERVICE_STOPPED, "The Parley chat server stopped."},
        {MSG_SERVICE_FAILED, "exit code 2 (bad settings or options)"},
        {MSG_SERVER_ERROR, "cannot listen: address in use"},
        {MSG_SERVER_WARNING, "cannot listen: address in use"},
    };
    static const wchar_t *const inserts[3] = {L"cannot listen: address in use", L"7420", L"x.log"};
    static const wchar_t *const failed_inserts[3] = {L"2", L"bad settings or options", L"x.log"};
    static const wchar_t *const started_inserts[3] = {L"0.1.0", L"7420", L""};
    char exe[MAX_PATH * 3];
    wchar_t wexe[MAX_PATH], text[1024];
    char narrow_text[2048];
    HMODULE module;
    size_t i;

    built_exe(exe, sizeof exe);
    MultiByteToWideChar(CP_UTF8, 0, exe, -1, wexe, MAX_PATH);
    module = LoadLibraryExW(wexe, NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    REQUIRE(module != NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const wchar_t *const *args = cases[i].id == MSG_SERVICE_FAILED    ? failed_inserts
                                     : cases[i].id == MSG_SERVICE_STARTED ? started_inserts
                                                                           : inserts;
        DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY,
                                 module, cases[i].id, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
                                 text, 1024, (va_list *)args);
        CHECK(n > 0);
        WideCharToMultiByte(CP_UTF8, 0, n > 0 ? text : L"", -1, narrow_text, sizeof narrow_text,
                            NULL, NULL);
        if (!strstr(narrow_text, cases[i].expect))
            test_failf_at(__FILE__, __LINE__, "message 0x%08lx reads \"%s\"",
                          (unsigned long)cases[i].id, narrow_text);
    }
    FreeLibrary(module);
}
