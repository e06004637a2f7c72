/* service_install_win.c — --install: creates the Parley service or updates an existing one,
 * registers the event source, prepares the data directory with its permissions and, the first
 * time, writes server.ini and a new secret key. */
#include "service_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "secret_prompt.h"
#include "ini_edit.h"
#include "server_setup.h"
#include "server_template.h"

#define PRESHUTDOWN_MIN_MS 15000u

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
 * knows none of it). Recovery actions are set only on a new service (is_new): an
 * administrator may have changed them since. */
static int configure_service(SC_HANDLE svc, const server_config *cfg, int is_new)
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
    if (is_new && !ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
        svc_complain_win("--install: cannot set the service's recovery actions", GetLastError());
        return -1;
    }
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown)) {
        svc_complain_win("--install: cannot set the service's preshutdown timeout", GetLastError());
        return -1;
    }
    /* Recovery also when the server exits with an error code, not only when it crashes. */
    if (is_new && !ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &failure_flag))
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

/* Data directory, settings file and secret key, with their permissions. */
static int prepare_files(server_config *cfg, const char *settings, int settings_new,
                         const wchar_t *sid, int hide_secret)
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
    if (generated && hide_secret) {
        printf("  secret:   %s (new: give it to your users; it is not printed here)\n",
               secret_path);
    } else if (generated) {
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

/* What --install was asked: its own options, and the server options given this time. */
typedef struct install_request {
    DWORD start_type;  /* SERVICE_NO_CHANGE unless --start-type was given */
    int delayed;       /* --start-type delayed */
    int hide_secret;   /* --hide-secret: say where a new key is, not what it is */
    const char *account;       /* --account, or NULL: keep (new service: NT SERVICE\Parley) */
    const char *password_file; /* --password-file: the account's password on its first line */
    int argc;          /* the server options given (no program name) */
    char **argv;       /* borrowed from the caller's argv */
} install_request;

/* Takes --install's own options out of argv (program first); the rest are server options.
 * -1 with the reason on stderr for a bad one. req->argv must have room for argc entries. */
static int parse_request(int argc, char **argv, install_request *req)
{
    static const struct {
        const char *name;
        DWORD type;
        int delayed;
    } types[] = {{"auto", SERVICE_AUTO_START, 0},
                 {"delayed", SERVICE_AUTO_START, 1},
                 {"manual", SERVICE_DEMAND_START, 0},
                 {"disabled", SERVICE_DISABLED, 0}};
    int i;
    size_t k;

    req->start_type = SERVICE_NO_CHANGE;
    req->delayed = 0;
    req->hide_secret = 0;
    req->account = req->password_file = NULL;
    req->argc = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hide-secret") == 0) {
            req->hide_secret = 1;
        } else if (strcmp(argv[i], "--account") == 0 || strcmp(argv[i], "--password-file") == 0) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                svc_complain("%s needs a value", argv[i]);
                return -1;
            }
            if (argv[i][2] == 'a')
                req->account = argv[i + 1];
            else
                req->password_file = argv[i + 1];
            i++;
        } else if (strcmp(argv[i], "--start-type") == 0) {
            if (i + 1 >= argc) {
                svc_complain("--start-type needs a value: auto, delayed, manual or disabled");
                return -1;
            }
            i++;
            for (k = 0; k < sizeof types / sizeof types[0]; k++)
                if (strcmp(argv[i], types[k].name) == 0)
                    break;
            if (k == sizeof types / sizeof types[0]) {
                svc_complain("--start-type %s: not one of auto, delayed, manual, disabled",
                             argv[i]);
                return -1;
            }
            req->start_type = types[k].type;
            req->delayed = types[k].delayed;
        } else {
            req->argv[req->argc++] = argv[i];
        }
    }
    return 0;
}

/* Writes the --port, --bind and --data-dir given this time into [server] of the settings file
 * (issue 11: install-time settings go into server.ini as well as the service's command line,
 * where they stay as a record of the install). Only those lines change; an option not given
 * leaves its line, edited or not, as it is. */
static int record_in_settings(const char *settings, const install_request *req,
                              const wchar_t *sid)
{
    static const struct {
        const char *option, *key;
    } map[] = {{"--port", "port"}, {"--bind", "bind"}, {"--data-dir", "data_dir"}};
    ini_edit edits[sizeof map / sizeof map[0]];
    char err[SERVER_PATH_MAX + 128];
    size_t n = 0, k, e;
    int i;

    for (i = 0; i + 1 < req->argc; i++)
        for (k = 0; k < sizeof map / sizeof map[0]; k++)
            if (strcmp(req->argv[i], map[k].option) == 0) {
                /* A repeated option: the last one counts, as on the command line. */
                for (e = 0; e < n && edits[e].key != map[k].key; e++)
                    ;
                edits[e].key = map[k].key;
                edits[e].value = req->argv[++i];
                if (e == n)
                    n++;
                break;
            }
    if (n == 0)
        return 0;
    if (ini_edit_file(settings, "server", edits, n, err, sizeof err) != 0) {
        svc_complain("--install: cannot record the settings in %s: %s", settings, err);
        return -1;
    }
    if (svc_acl_private_file(settings, sid) != 0)
        return -1;
    for (e = 0; e < n; e++)
        printf("  settings: %s = %s written to %s\n", edits[e].key, edits[e].value, settings);
    return 0;
}

/* The options on the installed service's command line; *n = 0 and an empty list when there
 * is no such service. NULL (with the reason on stderr) when it exists but cannot be read. */
static char **installed_options(SC_HANDLE scm, int *n)
{
    SC_HANDLE svc = OpenServiceW(scm, SVC_NAME_W, SERVICE_QUERY_CONFIG);
    QUERY_SERVICE_CONFIGW *qc = NULL;
    DWORD need = 0;
    char **args = NULL;

    *n = 0;
    if (!svc) {
        if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
            return calloc(1, sizeof(char *));
        svc_complain_win("--install: cannot open the existing Parley service", GetLastError());
        return NULL;
    }
    if (!QueryServiceConfigW(svc, NULL, 0, &need) &&
        GetLastError() == ERROR_INSUFFICIENT_BUFFER && (qc = malloc(need)) != NULL &&
        QueryServiceConfigW(svc, qc, need, &need))
        args = svc_split_command_line(qc->lpBinaryPathName, n);
    if (!args)
        svc_complain_win("--install: cannot read the existing Parley service's configuration",
                         GetLastError());
    free(qc);
    CloseServiceHandle(svc);
    return args;
}

/* The account the service is to run as (--account), as the SCM names it, and its password:
 * none for the accounts Windows manages (LocalService, NetworkService, the service's own
 * virtual account), else the first line of --password-file or one asked with no echo. Both
 * NULL when --account was not given. The caller frees both (wiping the password). */
static int resolve_account(const install_request *req, wchar_t **account, wchar_t **password)
{
    static const struct {
        const char *name;
        const wchar_t *scm_name;
    } managed[] = {{"LocalService", L"NT AUTHORITY\\LocalService"},
                   {"NT AUTHORITY\\LocalService", L"NT AUTHORITY\\LocalService"},
                   {"NetworkService", L"NT AUTHORITY\\NetworkService"},
                   {"NT AUTHORITY\\NetworkService", L"NT AUTHORITY\\NetworkService"},
                   {PARLEY_SERVICE_ACCOUNT, SVC_ACCOUNT_W}};
    char pw[512], prompt[300];
    size_t k, n;
    FILE *f;

    *account = *password = NULL;
    if (!req->account) {
        if (req->password_file) {
            svc_complain("--password-file goes with --account");
            return -1;
        }
        return 0;
    }
    for (k = 0; k < sizeof managed / sizeof managed[0]; k++)
        if (_stricmp(req->account, managed[k].name) == 0) {
            if (req->password_file) {
                svc_complain("--account %s has no password: leave out --password-file",
                             req->account);
                return -1;
            }
            *account = _wcsdup(managed[k].scm_name);
            *password = _wcsdup(L"");
            return *account && *password ? 0 : -1;
        }
    if (req->password_file) {
        if (!(f = fsys_fopen(req->password_file, "rb"))) {
            svc_complain("--password-file %s: cannot open it", req->password_file);
            return -1;
        }
        if (!fgets(pw, (int)sizeof pw, f))
            pw[0] = '\0';
        fclose(f);
    } else {
        snprintf(prompt, sizeof prompt, "Password of %s: ", req->account);
        if (secret_prompt(prompt, pw, sizeof pw) != 0) {
            svc_complain("--account %s needs its password, and there is no terminal to ask "
                         "for it on: use --password-file PATH",
                         req->account);
            return -1;
        }
    }
    n = strlen(pw);
    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
        pw[--n] = '\0';
    if (n == 0)
        svc_complain("--account %s: the password is empty", req->account);
    else if (!(*account = svc_widen(req->account)) || !(*password = svc_widen(pw)))
        svc_complain("--account: out of memory");
    else
        printf("  note:     %s needs the right \"Log on as a service\" (secpol.msc, Local "
               "Policies, User Rights Assignment)\n",
               req->account);
    crypto_wipe(pw, sizeof pw);
    return *password ? 0 : -1;
}

/* Creates the service with this command line, or updates an existing one in place (an
 * upgrade): then only the command line changes, and the start type and account when they
 * were asked for; everything else stays as the administrator left it. */
static SC_HANDLE create_or_update(SC_HANDLE scm, const wchar_t *command,
                                  const install_request *req, const wchar_t *account,
                                  const wchar_t *password, int *updated)
{
    DWORD start = req->start_type == SERVICE_NO_CHANGE ? SERVICE_AUTO_START : req->start_type;
    SC_HANDLE svc = CreateServiceW(scm, SVC_NAME_W, SVC_DISPLAY_W, SERVICE_ALL_ACCESS,
                                   SERVICE_WIN32_OWN_PROCESS, start, SERVICE_ERROR_NORMAL,
                                   command, NULL, NULL, NULL, account ? account : SVC_ACCOUNT_W,
                                   account ? password : NULL);
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
    if (!ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, req->start_type, SERVICE_NO_CHANGE,
                              command, NULL, NULL, NULL, account, account ? password : NULL,
                              SVC_DISPLAY_W)) {
        svc_complain_win("--install: cannot update the existing Parley service", GetLastError());
        CloseServiceHandle(svc);
        return NULL;
    }
    *updated = 1;
    return svc;
}

/* Sets or clears delayed automatic start when a start type was asked for. */
static int apply_delayed(SC_HANDLE svc, const install_request *req)
{
    SERVICE_DELAYED_AUTO_START_INFO info;

    if (req->start_type != SERVICE_AUTO_START)
        return 0;
    info.fDelayedAutostart = req->delayed ? TRUE : FALSE;
    if (ChangeServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &info))
        return 0;
    /* Wine has no delayed start (ERROR_INVALID_LEVEL): said, as for the hardening notes. */
    if (GetLastError() == ERROR_INVALID_LEVEL) {
        printf("  note:     this system has no delayed automatic start; the service starts "
               "automatically\n");
        return 0;
    }
    svc_complain_win("--install: cannot set delayed automatic start", GetLastError());
    return -1;
}

/* "automatic", "automatic (delayed)", "manual" or "disabled", and the account: as the SCM
 * now has them, which is what the administrator needs to see after an update. */
static void print_configuration(SC_HANDLE svc, int updated)
{
    BYTE bytes[8192];
    QUERY_SERVICE_CONFIGW *qc = (QUERY_SERVICE_CONFIGW *)bytes;
    SERVICE_DELAYED_AUTO_START_INFO delayed;
    char account[256] = "?";
    const char *type = "?";
    DWORD need;

    if (QueryServiceConfigW(svc, qc, sizeof bytes, &need)) {
        delayed.fDelayedAutostart = FALSE;
        QueryServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (BYTE *)&delayed,
                             sizeof delayed, &need);
        type = qc->dwStartType == SERVICE_AUTO_START
                   ? (delayed.fDelayedAutostart ? "automatic (delayed)" : "automatic")
               : qc->dwStartType == SERVICE_DEMAND_START ? "manual"
               : qc->dwStartType == SERVICE_DISABLED     ? "disabled"
                                                         : "other";
        if (qc->lpServiceStartName)
            svc_narrow(account, sizeof account, qc->lpServiceStartName);
    }
    printf("%s the Parley service (start: %s, account %s).\n", updated ? "Updated" : "Installed",
           type, account);
}

/* argv: the program, then --install's own options and the server options to record in the
 * service's command line, merged into what an existing service has. */
int svc_cmd_install(const service_program *prog, int argc, char **argv)
{
    char settings[SERVER_PATH_MAX], settings_dir[SERVER_PATH_MAX], err[1024];
    char *exe = NULL, *command = NULL, **given = NULL, **old = NULL, **merged = NULL;
    wchar_t *wexe = NULL, *wcommand = NULL, sid[192], *account = NULL, *password = NULL;
    server_config *cfg = calloc(1, sizeof *cfg);
    SC_HANDLE scm = NULL, svc = NULL;
    install_request req;
    size_t command_size;
    int rc = 1, updated = 0, settings_new = 0, old_n = 0, n, i;

    if (!cfg || !(given = calloc((size_t)argc + 1, sizeof *given))) {
        svc_complain("--install: out of memory");
        goto done;
    }
    req.argv = given;
    if (parse_request(argc, argv, &req) != 0) {
        rc = SERVER_EXIT_USAGE;
        goto done;
    }
    if (resolve_account(&req, &account, &password) != 0) {
        rc = SERVER_EXIT_USAGE;
        goto done;
    }
    if (!(scm = svc_open_manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE, "--install")))
        goto done;
    if (!(old = installed_options(scm, &old_n)))
        goto done;
    /* merged[0] is the program, as the settings loader expects. */
    if (!(merged = calloc((size_t)(old_n + req.argc + 2), sizeof *merged))) {
        svc_complain("--install: out of memory");
        goto done;
    }
    merged[0] = argv[0];
    n = 1 + svc_merge_options(old_n, old, req.argc, req.argv, merged + 1);

    if (settings_path(n, merged, settings, sizeof settings) != 0) {
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
    if (prog->load_settings(cfg, n, merged, err, sizeof err) != 0) {
        svc_complain("--install: the service would not start with these settings: %s", err);
        goto done;
    }

    if (!(wexe = svc_module_path()) || !(exe = malloc(wcslen(wexe) * 3 + 1)) ||
        svc_narrow(exe, wcslen(wexe) * 3 + 1, wexe) != 0) {
        svc_complain("--install: cannot find this program's own path");
        goto done;
    }
    command_size = strlen(exe) + 8;
    for (i = 1; i < n; i++)
        command_size += strlen(merged[i]) * 2 + 4;
    if (!(command = malloc(command_size)) ||
        service_command_line(command, command_size, exe, n - 1, merged + 1) != 0 ||
        !(wcommand = svc_widen(command))) {
        svc_complain("--install: cannot build the service's command line");
        goto done;
    }

    /* The files first: a data folder that cannot be prepared stops --install before the
     * service is created or changed, so an existing service is left exactly as it was. */
    if (svc_account_sid(sid, sizeof sid / sizeof sid[0]) != 0) {
        svc_complain("--install: cannot work out the SID of %s", PARLEY_SERVICE_ACCOUNT);
        goto done;
    }
    if (prepare_files(cfg, settings, settings_new, sid, req.hide_secret) != 0)
        goto done;
    /* Once the settings are known to work and their folder is usable; the edit replaces the
     * file, which then gets its permissions again. */
    if (record_in_settings(settings, &req, sid) != 0)
        goto done;
    if (!(svc = create_or_update(scm, wcommand, &req, account, password, &updated)))
        goto done;
    if (apply_delayed(svc, &req) != 0)
        goto done;
    print_configuration(svc, updated);
    printf("  program:  %s\n", command);
    if (configure_service(svc, cfg, !updated) != 0 || svc_evlog_register(wexe) != 0)
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
    if (cfg)
        crypto_wipe(cfg, sizeof *cfg);
    free(cfg);
    free(exe);
    free(command);
    free(wexe);
    free(wcommand);
    free(account);
    if (password) {
        crypto_wipe(password, wcslen(password) * sizeof *password);
        free(password);
    }
    free(given);
    free(merged);
    svc_free_args(old, old_n);
    return rc;
}
