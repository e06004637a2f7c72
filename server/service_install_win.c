/* service_install_win.c — --install: creates the Parley service or updates an existing one,
 * registers the event source, prepares the data directory with its permissions and, the first
 * time, writes server.ini and a new secret key. */
#include "service_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "server_setup.h"
#include "server_template.h"

#define PRESHUTDOWN_MIN_MS 15000u

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
    uint64_t timeout = cfg->shutdown_deadline_ms + SVC_STOP_MARGIN_MS;

    preshutdown.dwPreshutdownTimeout =
        timeout < PRESHUTDOWN_MIN_MS ? PRESHUTDOWN_MIN_MS
                                     : timeout > 600000u ? 600000u : (DWORD)timeout;
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc)) {
        svc_complain_win("--install: cannot set the service's description", GetLastError());
        return -1;
    }
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
        svc_complain_win("--install: cannot set the service's recovery actions", GetLastError());
        return -1;
    }
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown)) {
        svc_complain_win("--install: cannot set the service's preshutdown timeout", GetLastError());
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
        svc_complain_win("--install: cannot create the Parley service", GetLastError());
        return NULL;
    }
    svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_ALL_ACCESS);
    if (!svc) {
        svc_complain_win("--install: cannot open the existing Parley service", GetLastError());
        return NULL;
    }
    /* A virtual account takes no password: "" replaces whatever was set before. */
    if (!ChangeServiceConfigW(svc, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                              SERVICE_ERROR_NORMAL, command, NULL, NULL, NULL, SVC_ACCOUNT_W,
                              L"", SVC_DISPLAY_W)) {
        svc_complain_win("--install: cannot update the existing Parley service", GetLastError());
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
        svc_complain("--install: %s", err);
        return -1;
    }
    /* The directory first, so nothing created in it is ever readable by others. */
    if (svc_acl_data_dir(cfg->data_dir, sid) != 0)
        return -1;
    if (fsys_exists(settings) && svc_acl_private_file(settings, sid) != 0)
        return -1;
    if (crypto_init() != CRYPTO_OK) {
        svc_complain("--install: the crypto provider (CNG) failed to start");
        return -1;
    }
    if (server_secret(cfg, &generated, secret_path, sizeof secret_path, err, sizeof err) != 0) {
        svc_complain("--install: secret key: %s", err);
        return -1;
    }
    if (secret_path[0] && fsys_exists(secret_path) &&
        svc_acl_private_file(secret_path, sid) != 0)
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
int svc_cmd_install(const service_program *prog, int argc, char **argv)
{
    char settings[SERVER_PATH_MAX], settings_dir[SERVER_PATH_MAX], err[1024];
    char *exe = NULL, *command = NULL;
    wchar_t *wexe = NULL, *wcommand = NULL, sid[192];
    server_config *cfg = calloc(1, sizeof *cfg);
    SC_HANDLE scm = NULL, svc = NULL;
    size_t command_size;
    int rc = 1, updated = 0, settings_new = 0;

    if (!cfg) {
        svc_complain("--install: out of memory");
        return 1;
    }
    if (settings_path(argc, argv, settings, sizeof settings) != 0) {
        svc_complain("--install: no place for the settings file (is %%ProgramData%% set?)");
        goto done;
    }
    /* First run: a settings file to start from, before reading it like the service will. */
    if (!fsys_exists(settings)) {
        dir_of(settings, settings_dir, sizeof settings_dir);
        if (settings_dir[0] && fsys_mkdirs(settings_dir, err, sizeof err) != 0) {
            svc_complain("--install: %s", err);
            goto done;
        }
        if (server_template_write(settings, err, sizeof err) != 0) {
            svc_complain("--install: %s", err);
            goto done;
        }
        settings_new = 1;
    }
    if (prog->load_settings(cfg, argc, argv, err, sizeof err) != 0) {
        svc_complain("--install: the service would not start with these settings: %s", err);
        goto done;
    }

    if (!(wexe = svc_module_path()) || !(exe = malloc(wcslen(wexe) * 3 + 1)) ||
        svc_narrow(exe, wcslen(wexe) * 3 + 1, wexe) != 0) {
        svc_complain("--install: cannot find this program's own path");
        goto done;
    }
    command_size = strlen(exe) + 8;
    for (int i = 1; i < argc; i++)
        command_size += strlen(argv[i]) * 2 + 4;
    if (!(command = malloc(command_size)) ||
        service_command_line(command, command_size, exe, argc - 1, argv + 1) != 0 ||
        !(wcommand = svc_widen(command))) {
        svc_complain("--install: cannot build the service's command line");
        goto done;
    }

    if (!(scm = svc_open_manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE, "--install")))
        goto done;
    if (!(svc = create_or_update(scm, wcommand, &updated)))
        goto done;
    printf("%s the Parley service (automatic start, account %s).\n",
           updated ? "Updated" : "Installed", PARLEY_SERVICE_ACCOUNT);
    printf("  program:  %s\n", command);
    if (configure_service(svc, cfg) != 0 || svc_evlog_register(wexe) != 0)
        goto done;
    if (svc_account_sid(sid, sizeof sid / sizeof sid[0]) != 0) {
        svc_complain("--install: cannot work out the SID of %s", PARLEY_SERVICE_ACCOUNT);
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
        svc_evlog_remove();
        svc_complain("--install: the half-installed service was removed again");
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

