/* service.h — parley-server as a Windows service: the entry point that runs the server under
 * the Service Control Manager or in the console, and the --install, --uninstall, --start,
 * --stop and --reload commands that manage the service. Implemented in server/service_*_win.c
 * (Windows only; service_win.h lists the parts). */
#ifndef PARLEY_SERVICE_H
#define PARLEY_SERVICE_H

#include <stddef.h>

#include "server_config.h"
#include "server_main.h"

/* The service's name for the SCM, `sc` and `net start`, and its virtual account. */
#define PARLEY_SERVICE_NAME "Parley"
#define PARLEY_SERVICE_ACCOUNT "NT SERVICE\\Parley"

/* The portable program as the service layer drives it. entry_win.c passes server_main.c's
 * functions; keeping them behind this table lets tests link the service layer alone. */
typedef struct service_program {
    int (*run)(int argc, char **argv, const server_hooks *hooks);
    int (*load_settings)(server_config *cfg, int argc, char **argv, char *err,
                         size_t err_size);
} service_program;

/* Everything wmain does after converting the arguments to UTF-8 (argv[0] is the program):
 *   --install [options]         install or update the service: server options given replace
 *                               the same ones on its command line, the others stay; its own
 *                               --start-type and --hide-secret; prepares %ProgramData%\Parley
 *                               and registers the event source
 *   --uninstall                 stop and remove the service (data and settings stay)
 *   --start, --stop             start or stop it and wait until it has
 *   --reload                    make the running service re-read its settings
 *   --console [server options]  run in this console
 *   otherwise                   run as the service when the SCM started the process, else in
 *                               the console.
 * Returns the process exit code. */
int service_entry(int argc, char **argv, const service_program *prog);

/* Helpers the tests check on their own. */

/* The command line the SCM will run: exe and each argument quoted so that CommandLineToArgvW
 * (and the C runtime) give back exactly these strings. UTF-8. -1 if out is too small. */
int service_command_line(char *out, size_t out_size, const char *exe, int argc,
                         char *const *argv);
/* The SID of the virtual account NT SERVICE\<name>: "S-1-5-80-" and the SHA-1 of the
 * upper-cased UTF-16 name as five 32-bit numbers (what `sc showsid` prints). -1 on failure. */
int service_sid_text(const char *name, char *out, size_t out_size);

#endif
