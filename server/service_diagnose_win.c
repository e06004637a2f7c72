/* service_diagnose_win.c — why the service did not start, for the console of --start (and so
 * the installer's log): its settings read as the service reads them, its data folder, and the
 * errors its log files have from this start attempt, each with what to do. */
#include "service_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "server_config.h"

#define TAIL_BYTES 16384 /* enough for the lines of one start attempt */
#define MAX_REASONS 4

void svc_timestamp_now(char out[32])
{
    SYSTEMTIME t;
    GetSystemTime(&t);
    /* log.h's line format: 2026-11-26T06:10:50.123Z, which sorts as text. */
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", t.wYear, t.wMonth, t.wDay, t.wHour,
             t.wMinute, t.wSecond, t.wMilliseconds);
}

/* Prints the ERROR lines of a log file written at or after `since`; how many it printed. */
static int print_errors_since(const char *path, const char *since)
{
    FILE *f = fsys_fopen(path, "rb");
    int64_t size = fsys_file_size(path);
    char *tail, *line, *next;
    size_t got;
    int shown = 0;

    if (!f)
        return 0;
    if (!(tail = malloc(TAIL_BYTES + 1))) {
        fclose(f);
        return 0;
    }
    if (size > TAIL_BYTES)
        fseek(f, (long)(size - TAIL_BYTES), SEEK_SET);
    got = fread(tail, 1, TAIL_BYTES, f);
    fclose(f);
    tail[got] = '\0';
    for (line = tail; line && *line && shown < MAX_REASONS; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line[strcspn(line, "\r")] = '\0';
        /* "<24-character timestamp> ERROR <text>" */
        if (strlen(line) > 31 && strncmp(line, since, 23) >= 0 &&
            strncmp(line + 25, "ERROR", 5) == 0) {
            const char *text = line + 30;
            while (*text == ' ')
                text++;
            svc_complain("reason (%s): %s", path, text);
            if (strstr(text, "cannot listen"))
                svc_complain("what to do: free the port, or choose another with `port =` in "
                             "server.ini or parley-server --install --port N; then "
                             "parley-server --start");
            shown++;
        }
    }
    free(tail);
    return shown;
}

int svc_service_settings(const service_program *prog, SC_HANDLE svc, server_config *cfg,
                         char *err, size_t err_size)
{
    QUERY_SERVICE_CONFIGW *qc = NULL;
    char **opts = NULL, **argv = NULL;
    DWORD need = 0;
    int n = 0, rc = -2;

    if (!QueryServiceConfigW(svc, NULL, 0, &need) &&
        GetLastError() == ERROR_INSUFFICIENT_BUFFER && (qc = malloc(need)) != NULL &&
        QueryServiceConfigW(svc, qc, need, &need))
        opts = svc_split_command_line(qc->lpBinaryPathName, &n);
    if (!opts || !(argv = calloc((size_t)n + 2, sizeof *argv))) {
        snprintf(err, err_size, "cannot read the service's command line");
        goto done;
    }
    argv[0] = "parley-server";
    memcpy(argv + 1, opts, (size_t)n * sizeof *argv);
    rc = prog->load_settings(cfg, n + 1, argv, err, err_size) == 0 ? 0 : -1;
done:
    svc_free_args(opts, n);
    free(argv);
    free(qc);
    return rc;
}

void svc_explain_failure(const service_program *prog, SC_HANDLE svc, const char *since)
{
    server_config *cfg = calloc(1, sizeof *cfg);
    char err[1024], path[SERVER_PATH_MAX];
    int shown = 0, loaded;

    if (!cfg)
        return;
    /* The settings, read from the service's own command line as it reads them. */
    loaded = svc_service_settings(prog, svc, cfg, err, sizeof err);
    if (loaded == -2)
        goto done;
    if (loaded != 0) {
        svc_complain("reason: %s", err);
        svc_complain("what to do: correct that setting (server.ini lines are named as "
                     "file:line), then parley-server --start");
        goto done;
    }
    if (fsys_mkdirs(cfg->data_dir, err, sizeof err) != 0) {
        svc_complain("reason: the data folder cannot be used: %s", err);
        svc_complain("what to do: fix data_dir in server.ini (or --data-dir), or the folder's "
                     "permissions; then parley-server --start");
        goto done;
    }
    /* What the service itself logged: its log file, then the default one it writes start-up
     * failures to when it has no log of its own yet. */
    if (server_config_log_path(cfg, path, sizeof path) == 0)
        shown = print_errors_since(path, since);
    if (!shown && fsys_default_data_dir(err, sizeof err) == 0 &&
        fsys_path_join(path, sizeof path, err, "parley-server.log") == 0)
        shown = print_errors_since(path, since);
done:
    if (!shown)
        svc_complain("see the log file (by default %%ProgramData%%\\Parley\\parley-server.log) "
                     "and the Application event log, source Parley");
    crypto_wipe(cfg, sizeof *cfg);
    free(cfg);
}
