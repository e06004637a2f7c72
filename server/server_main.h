/* server_main.h — parley-server's portable program: arguments, start-up, run, shutdown. The
 * platform entry points (entry_posix.c, entry_win.c) call it with UTF-8 arguments; the Windows
 * service layer (service_win.c) runs it with hooks that let it follow and stop the run. */
#ifndef PARLEY_SERVER_MAIN_H
#define PARLEY_SERVER_MAIN_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "net.h"
#include "server_config.h"

/* Exit codes of server_main (a service reports them as its service-specific exit code). */
enum { SERVER_EXIT_OK = 0, SERVER_EXIT_FAILURE = 1, SERVER_EXIT_USAGE = 2 };

/* A running server, as the platform layer may ask it to re-read its settings. */
typedef struct server_run server_run;

/* What a platform layer learns from a run of the server, and how it takes part. Every member
 * may be NULL (or 0); the callbacks run on the thread that called server_main_hooked, except
 * on_message, which runs on whichever thread logs. */
typedef struct server_hooks {
    void *user;
    /* A start-up step begins ("settings", "secret key", "history", "listening"...): a service
     * reports progress so the Service Control Manager sees that start-up is not hung. */
    void (*on_progress)(void *user, const char *step);
    /* The server listens and is about to run. From now until on_stopped returns,
     * net_engine_stop(engine) from any thread starts the graceful shutdown, which takes at most
     * about shutdown_deadline_ms. */
    void (*on_running)(void *user, net_engine *engine, unsigned port,
                       uint64_t shutdown_deadline_ms);
    /* Also when the server listens: from now until on_stopped returns, server_reload(run, ...)
     * from any thread re-reads the settings (a service's SERVICE_CONTROL_PARAMCHANGE). */
    void (*on_reloadable)(void *user, server_run *run);
    /* The engine has finished running and is about to be destroyed: forget it (and the run). */
    void (*on_stopped)(void *user);
    /* Every warning and error the server reports, without timestamp or level prefix: log lines
     * and the start-up failures printed before the log is open. */
    void (*on_message)(void *user, log_level level, const char *text);
    /* Nonzero: the caller handles stop requests itself, so no console control handler is
     * installed (a service would otherwise stop when any user logs off). */
    int own_stop_control;
} server_hooks;

/* Runs the server with these arguments (argv[0] is the program); returns a SERVER_EXIT_ code. */
int server_main(int argc, char **argv);
/* The same, with hooks (NULL = none). */
int server_main_hooked(int argc, char **argv, const server_hooks *hooks);

/* Loads the settings again, as the run did (same arguments), and hands those that can change
 * while running to the core (name, motd, limits, timeouts, log level), which applies them at
 * its next tick and logs what needs a restart. -1 with the problem (e.g. file:line) in err;
 * the running settings then stay as they were. */
int server_reload(server_run *run, char *err, size_t err_size);

/* Loads the settings exactly as a run would: defaults, then the settings file (--config PATH,
 * else the default one if it exists), then the command-line options. argv[0] is skipped.
 * -1 with the problem in err. Lets the service installer validate options and find the data
 * directory before it records them. */
int server_load_settings(server_config *cfg, int argc, char **argv, char *err, size_t err_size);

#endif
