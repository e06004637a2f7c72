/* service_win.h — what the Windows service files share (internal to server/service_*_win.c):
 * the service's names, text and error helpers, and each part's entry points. */
#ifndef PARLEY_SERVICE_WIN_H
#define PARLEY_SERVICE_WIN_H

#include <windows.h>
#include <winsvc.h>

#include <stddef.h>

#include "log.h"
#include "server_config.h"
#include "service.h"

#define SVC_NAME_W L"Parley"
#define SVC_DISPLAY_W L"Parley chat server"
#define SVC_ACCOUNT_W L"NT SERVICE\\Parley"
#define SVC_DESCRIPTION_W                                                                      \
    L"Runs the Parley chat server: Parley clients connect to it over TCP (port 7420 unless "    \
    L"server.ini says otherwise). Settings, history and the secret key are in "                \
    L"%ProgramData%\\Parley."

#define SVC_START_STEP_HINT_MS 30000u /* the longest start-up step: loading a large history */
#define SVC_STOP_MARGIN_MS 10000u     /* beyond the shutdown deadline: history and log closing */

/* ---- text and errors (service_util_win.c) ---- */

/* UTF-8 → UTF-16, NUL-terminated; the caller frees it. NULL if invalid or out of memory. */
wchar_t *svc_widen(const char *s);
/* UTF-16 → UTF-8 into out; -1 (out = "") if it does not fit. */
int svc_narrow(char *out, size_t out_size, const wchar_t *w);
/* The system's text for a Win32 error and its number, e.g. "Access is denied (error 5)". */
void svc_error_text(DWORD code, char *out, size_t out_size);
/* One line on stderr, prefixed with the program's name. */
void svc_complain(const char *fmt, ...) PARLEY_PRINTF(1, 2);
/* "what: <system text> (error N)" on stderr. When the code is ERROR_ACCESS_DENIED and this
 * process is not elevated, adds that managing services needs an elevated prompt; an elevated
 * process that is refused gets no such advice, since it would be wrong. */
void svc_complain_win(const char *what, DWORD code);
/* 1 if this process runs with an elevated (administrator) token. */
int svc_is_elevated(void);
/* This program's full path, UTF-16; the caller frees it. NULL on failure. */
wchar_t *svc_module_path(void);

/* ---- the Event Log (service_evlog_win.c) ---- */

/* Registers parley-server.exe (exe) as the message file of the Application log's source
 * "Parley"; -1 with the reason on stderr. */
int svc_evlog_register(const wchar_t *exe);
/* Removes that registration; an absent one is success. */
int svc_evlog_remove(void);
/* Writes one event with up to four UTF-8 insertion strings; a no-op when source is NULL. */
void svc_evlog_report(HANDLE source, WORD type, DWORD id, int n, const char *const *strings);

/* ---- permissions (service_acl_win.c) ---- */

/* The service account's SID as text (NT SERVICE\Parley). -1 on failure. */
int svc_account_sid(wchar_t *out, size_t cap);
/* Gives the data directory, and the settings file and secret key in it, their protected
 * DACLs: SYSTEM and Administrators full control, the service's SID (sid) modify on the
 * directory and read on the files. -1 with the path and the Windows error on stderr. */
int svc_acl_data_dir(const char *path, const wchar_t *sid);
int svc_acl_private_file(const char *path, const wchar_t *sid);

/* ---- running as the service (service_run_win.c) ---- */

/* Runs the service when the SCM started this process. *not_service is set when it did not
 * (the caller then runs in the console). Returns the exit code. */
int svc_run_dispatcher(const service_program *prog, int argc, char **argv, int *not_service);

/* ---- the service's command line (service_cmdline_win.c) ---- */

/* The options of an installed service's command line (after the program), UTF-8; the caller
 * frees them with svc_free_args. NULL if it cannot be parsed or memory ran out. */
char **svc_split_command_line(const wchar_t *line, int *n);
/* Frees n strings and the array (NULL is fine). */
void svc_free_args(char **args, int n);
/* The installed options (old) with the newly given ones (given) merged in: an option given
 * anew replaces the installed one with its value; the others stay as they were. Writes the
 * borrowed pointers into out (room for old_n + new_n) and returns their count. */
int svc_merge_options(int old_n, char *const *old, int new_n, char *const *given, char **out);

/* ---- why the service did not start (service_diagnose_win.c) ---- */

/* The time now as the log writes it (UTC, "2026-11-26T06:10:50.123Z"). */
void svc_timestamp_now(char out[32]);
/* Loads the settings as the installed service would, from its command line. 0; -1 with the
 * problem (file:line) in err; -2 when the command line cannot be read. */
int svc_service_settings(const service_program *prog, SC_HANDLE svc, server_config *cfg,
                         char *err, size_t err_size);
/* After a failed start: says on stderr why — the settings as the service reads them (file and
 * line), its data folder, and the ERROR lines its logs have since `since` — and what to do.
 * svc needs SERVICE_QUERY_CONFIG. */
void svc_explain_failure(const service_program *prog, SC_HANDLE svc, const char *since);

/* ---- management commands (service_control_win.c, service_install_win.c) ---- */

/* Opens the SCM; NULL with the reason (for `command`) on stderr. */
SC_HANDLE svc_open_manager(DWORD access, const char *command);
int svc_cmd_start(const service_program *prog);
int svc_cmd_stop(void);
int svc_cmd_reload(const service_program *prog);
int svc_cmd_uninstall(void);
/* argv: the program, then --install's own options and the server options to record. */
int svc_cmd_install(const service_program *prog, int argc, char **argv);

#endif
