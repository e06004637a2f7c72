/* server_main.c — parley-server's command line, start-up sequence and exit codes. */
#include "server_main.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "chat.h"
#include "cipher.h"
#include "crypto.h"
#include "fsys.h"
#include "log.h"
#include "logfile.h"
#include "net.h"
#include "server_config.h"
#include "server_setup.h"
#include "signals.h"
#include "sys.h"
#include "user_admin.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.0.0"
#endif

static char hint_config[SERVER_PATH_MAX];
static char hint_data[SERVER_PATH_MAX];

static const char *default_config_hint(void)
{
    if (!hint_config[0] && fsys_default_config_path(hint_config, sizeof hint_config) != 0)
        snprintf(hint_config, sizeof hint_config, "(none)");
    return hint_config;
}

static const char *default_data_hint(void)
{
    if (!hint_data[0] && fsys_default_data_dir(hint_data, sizeof hint_data) != 0)
        snprintf(hint_data, sizeof hint_data, "parley-data");
    return hint_data;
}

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: parley-server [options]\n"
            "\n"
            "Runs the Parley chat server in this console. Stop it with Ctrl+C.\n"
            "\n"
            "Options:\n"
            "  --config PATH      settings file (default: %s if it exists)\n"
            "  --port N           TCP port to listen on (default %d; 0 picks a free one)\n"
            "  --bind ADDRESS     listen on one address only (default: every address)\n"
            "  --data-dir DIR     history, bans, secret key and salt (default: %s)\n"
            "  --ciphers LIST     allowed ciphers in order of preference, e.g.\n"
            "                     \"aes-256-gcm,xor\" (default: aes-256-gcm)\n"
            "  --log-file PATH    log file, rotated by size; \"-\" for none\n"
            "                     (default: <data-dir>/parley-server.log)\n"
            "  --log-level LEVEL  debug, info, warn or error (default: info)\n"
            "  --user COMMAND     manage accounts instead of running (--user help lists them)\n"
            "  --alerts           list the alerts and their roll calls (an audit) and exit\n"
            "  --quiet            do not log to the console\n"
            "  --help             show this help\n"
            "  --version          show the version\n"
            "\n"
            "With no settings file the server starts on its defaults. The first time, it\n"
            "generates a secret key in the data directory and says where; give that key to\n"
            "your users. See docs/ADMIN.md for every setting.\n",
            default_config_hint(), SERVER_PORT_DEFAULT, default_data_hint());
}

/* The value after an option, or NULL with the problem in err. */
static const char *option_value(int argc, char **argv, int *i, char *err, size_t err_size)
{
    if (*i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value (see --help)", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* Command-line settings override the file: they are applied after it. */
static int apply_overrides(server_config *cfg, int argc, char **argv, char *err,
                           size_t err_size)
{
    static const struct {
        const char *option, *section, *key;
    } map[] = {
        {"--port", "server", "port"},         {"--bind", "server", "bind"},
        {"--data-dir", "server", "data_dir"}, {"--ciphers", "security", "ciphers"},
        {"--log-file", "log", "file"},        {"--log-level", "log", "level"},
    };
    char problem[256];
    int i;
    size_t k;

    for (i = 1; i < argc; i++) {
        const char *value;
        if (strcmp(argv[i], "--config") == 0) {
            i++;
            continue;
        }
        if (strcmp(argv[i], "--quiet") == 0) {
            cfg->console = 0;
            continue;
        }
        for (k = 0; k < sizeof map / sizeof map[0]; k++)
            if (strcmp(argv[i], map[k].option) == 0)
                break;
        if (k == sizeof map / sizeof map[0]) {
            snprintf(err, err_size, "unknown option '%s' (see --help)", argv[i]);
            return -1;
        }
        if (!(value = option_value(argc, argv, &i, err, err_size)))
            return -1;
        if (server_config_set(cfg, map[k].section, map[k].key, value, problem, sizeof problem) !=
            0) {
            snprintf(err, err_size, "%s %s: %s", map[k].option, value, problem);
            return -1;
        }
    }
    return 0;
}

int server_load_settings(server_config *cfg, int argc, char **argv, char *err, size_t err_size)
{
    char path[SERVER_PATH_MAX];
    const char *explicit_path = NULL;
    int i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--config") == 0) {
            if (!(explicit_path = option_value(argc, argv, &i, err, err_size)))
                return -1;
        }
    server_config_defaults(cfg);
    if (explicit_path) {
        if (server_config_load(cfg, explicit_path, err, err_size) != 0)
            return -1;
    } else if (fsys_default_config_path(path, sizeof path) == 0 && fsys_exists(path)) {
        if (server_config_load(cfg, path, err, err_size) != 0)
            return -1;
    }
    return apply_overrides(cfg, argc, argv, err, err_size);
}

/* Where log lines go during a run: the log file and console, and the platform's hooks. */
typedef struct main_sink {
    logfile *lf;
    const server_hooks *hooks;
} main_sink;

/* Skips "2026-11-26T06:10:50.123Z INFO  " (log.h's line format): the hooks get the text. */
static const char *line_text(const char *line)
{
    const char *p = strchr(line, ' ');
    if (!p)
        return line;
    while (*p == ' ')
        p++;
    p = strchr(p, ' ');
    if (!p)
        return line;
    while (*p == ' ')
        p++;
    return p;
}

static void main_sink_fn(void *user, log_level level, const char *line, size_t len)
{
    main_sink *ms = user;
    if (ms->lf) {
        logfile_sink(ms->lf, level, line, len);
    } else {
        fwrite(line, 1, len, stderr);
        fputc('\n', stderr);
    }
    if (ms->hooks && ms->hooks->on_message && level >= LOG_WARN && level < LOG_OFF)
        ms->hooks->on_message(ms->hooks->user, level, line_text(line));
}

/* A failure before the log is open (bad settings, an unusable data folder), when a platform
 * layer drives the run (the Windows service, with no console): also into the default log
 * file, parley-server.log in the default data folder, where the administrator and
 * `--start` look. Best effort: that folder may be the unusable one. */
static void log_early_failure(const char *text)
{
    char dir[SERVER_PATH_MAX], path[SERVER_PATH_MAX], err[256];
    logfile *lf;

    if (fsys_default_data_dir(dir, sizeof dir) != 0 || fsys_mkdirs(dir, NULL, 0) != 0 ||
        fsys_path_join(path, sizeof path, dir, "parley-server.log") != 0)
        return;
    lf = logfile_open(path, 0, 0, 0, err, sizeof err);
    if (!lf)
        return;
    log_set_sink(logfile_sink, lf);
    log_error("cannot start: %s", text);
    log_set_sink(NULL, NULL);
    logfile_close(lf);
}

/* A failure before (or without) the log: to stderr, to the hooks, and for a hooked run to
 * the default log file. */
static void report_failure(const server_hooks *hooks, const char *fmt, ...) PARLEY_PRINTF(2, 3);

static void report_failure(const server_hooks *hooks, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "parley-server: %s\n", text);
    if (hooks && hooks->on_message)
        hooks->on_message(hooks->user, LOG_ERROR, text);
    if (hooks)
        log_early_failure(text);
}

static void progress(const server_hooks *hooks, const char *step)
{
    if (hooks && hooks->on_progress)
        hooks->on_progress(hooks->user, step);
}

/* Opens the log (file and console) and routes every line through ms. */
static void start_logging(const server_config *cfg, main_sink *ms)
{
    char path[SERVER_PATH_MAX], err[512], text[600];
    const char *file = NULL;

    if (server_config_log_path(cfg, path, sizeof path) == 0)
        file = path;
    ms->lf = logfile_open(file, cfg->log_max_bytes, cfg->log_keep, cfg->console, err,
                          sizeof err);
    if (!ms->lf && file) {
        /* A log file that cannot be written must not keep the server down. */
        snprintf(text, sizeof text, "%s; logging to the console only", err);
        fprintf(stderr, "parley-server: %s\n", text);
        if (ms->hooks && ms->hooks->on_message)
            ms->hooks->on_message(ms->hooks->user, LOG_WARN, text);
        ms->lf = logfile_open(NULL, 0, 0, 1, err, sizeof err);
    }
    log_set_sink(main_sink_fn, ms);
    log_set_level((log_level)cfg->log_level);
}

static void describe_ciphers(const server_config *cfg, char *out, size_t n)
{
    size_t i, used = 0;
    out[0] = '\0';
    for (i = 0; i < cfg->nciphers && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "",
                                 cipher_name(cfg->ciphers[i]));
}

/* --alerts: the audit listing, read from the data directory without changing anything (a
 * server may be running). */
static int list_alerts(const server_config *cfg)
{
    journal_recovery rec;
    char err[512];
    alerts *a = alerts_read(cfg->data_dir, &rec, err, sizeof err);

    if (!a) {
        fprintf(stderr, "parley-server --alerts: %s\n", err);
        return SERVER_EXIT_FAILURE;
    }
    printf("alerts in %s\n", cfg->data_dir);
    if (cfg->alerts_keep_ms)
        printf("finished alerts (all acknowledged, or expired) are kept %llu days ([alerts] "
               "keep)\n", (unsigned long long)(cfg->alerts_keep_ms / 86400000u));
    else
        printf("finished alerts are kept for ever ([alerts] keep = 0)\n");
    alerts_print(a, sys_wall_ms(), cfg->alerts_keep_ms, stdout);
    if (rec.reason[0])
        printf("(the journal ends with an unreadable record: %s; the server cuts it at its next "
               "start)\n", rec.reason);
    alerts_close(a);
    return fflush(stdout) == 0 ? SERVER_EXIT_OK : SERVER_EXIT_FAILURE;
}

struct server_run {
    int argc;
    char **argv;
    chat *core;
};

int server_reload(server_run *run, char *err, size_t err_size)
{
    server_config *cfg = malloc(sizeof *cfg);
    int rc = -1;

    if (!cfg) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    if (server_load_settings(cfg, run->argc, run->argv, err, err_size) == 0) {
        if (chat_request_reload(run->core, cfg) == 0)
            rc = 0;
        else
            snprintf(err, err_size, "out of memory");
    }
    crypto_wipe(cfg, sizeof *cfg);
    free(cfg);
    return rc;
}

int server_main(int argc, char **argv)
{
    return server_main_hooked(argc, argv, NULL);
}

int server_main_hooked(int argc, char **argv, const server_hooks *hooks)
{
    server_config *cfg;
    net_options opt;
    net_handlers handlers;
    net_engine *engine = NULL;
    main_sink ms;
    server_run run;
    chat *core = NULL;
    char err[512], secret_path[SERVER_PATH_MAX], ciphers[64];
    int generated = 0, rc = SERVER_EXIT_FAILURE, i;

    ms.lf = NULL;
    ms.hooks = hooks;
    for (i = 1; i < argc && strcmp(argv[i], "--user") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
            strcmp(argv[i], "/?") == 0) {
            usage(stdout);
            return SERVER_EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("parley-server %s (%s engine, %s)\n", PARLEY_VERSION, net_engine_name(),
                   crypto_init() == CRYPTO_OK ? crypto_backend_name() : "no crypto");
            return SERVER_EXIT_OK;
        }
    }
    cfg = malloc(sizeof *cfg);
    if (!cfg) {
        report_failure(hooks, "out of memory");
        return SERVER_EXIT_FAILURE;
    }
    /* "--user ..." administers accounts and "--alerts" lists alerts instead of running: the
     * options before them still say where the settings and the data directory are. */
    for (i = 1; i < argc && strcmp(argv[i], "--alerts") != 0; i++)
        ;
    if (i < argc) {
        if (i + 1 < argc) {
            report_failure(hooks, "--alerts takes no arguments after it (see --help)");
            rc = SERVER_EXIT_USAGE;
        } else if (server_load_settings(cfg, i, argv, err, sizeof err) != 0) {
            report_failure(hooks, "%s", err);
            rc = SERVER_EXIT_USAGE;
        } else {
            rc = list_alerts(cfg);
        }
        free(cfg);
        return rc;
    }
    for (i = 1; i < argc && strcmp(argv[i], "--user") != 0; i++)
        ;
    if (i < argc) {
        if (server_load_settings(cfg, i, argv, err, sizeof err) != 0) {
            report_failure(hooks, "%s", err);
            rc = SERVER_EXIT_USAGE;
        } else {
            rc = user_admin_main(cfg, argc - i, argv + i);
        }
        free(cfg);
        return rc;
    }
    progress(hooks, "settings");
    if (server_load_settings(cfg, argc, argv, err, sizeof err) != 0) {
        report_failure(hooks, "%s", err);
        free(cfg);
        return SERVER_EXIT_USAGE;
    }
    if (fsys_mkdirs(cfg->data_dir, err, sizeof err) != 0) {
        report_failure(hooks, "data directory %s: %s", cfg->data_dir, err);
        goto done;
    }
    start_logging(cfg, &ms);
    /* History, bans and the secret live here: others have no business reading them. */
    if (fsys_make_private_dir(cfg->data_dir, err, sizeof err) != 0)
        log_warn("data directory %s: %s", cfg->data_dir, err);
    progress(hooks, "crypto");
    if (crypto_init() != CRYPTO_OK) {
        log_error("the crypto provider failed to start");
        goto done;
    }
    progress(hooks, "secret key");
    if (server_secret(cfg, &generated, secret_path, sizeof secret_path, err, sizeof err) != 0) {
        log_error("secret key: %s", err);
        goto done;
    }
    if (generated)
        log_warn("generated a new secret key in %s: give it to your users (it is never logged)",
                 secret_path);

    progress(hooks, "history");
    core = chat_create(cfg, err, sizeof err);
    if (!core) {
        log_error("cannot start: %s", err);
        goto done;
    }
    progress(hooks, "listening");
    memset(&opt, 0, sizeof opt);
    opt.bind_addr = cfg->bind;
    opt.port = cfg->port;
    opt.workers = cfg->workers;
    opt.accept_pool = cfg->accept_pool;
    chat_handlers(core, &handlers);
    engine = net_engine_create(&opt, &handlers, err, sizeof err);
    if (!engine) {
        log_error("cannot listen: %s", err);
        goto done;
    }
    chat_attach(core, engine);
    if (!hooks || !hooks->own_stop_control)
        signals_install(engine);
    describe_ciphers(cfg, ciphers, sizeof ciphers);
    log_info("parley-server %s listening on %s port %u (%s engine; ciphers: %s; data: %s)",
             PARLEY_VERSION, cfg->bind[0] ? cfg->bind : "every address",
             (unsigned)net_engine_port(engine), net_engine_name(), ciphers, cfg->data_dir);
    /* A line on stdout for scripts and tests that start the server on port 0. */
    printf("listening on port %u\n", (unsigned)net_engine_port(engine));
    fflush(stdout);
    if (hooks && hooks->on_running)
        hooks->on_running(hooks->user, engine, (unsigned)net_engine_port(engine),
                          cfg->shutdown_deadline_ms);
    run.argc = argc;
    run.argv = argv;
    run.core = core;
    if (hooks && hooks->on_reloadable)
        hooks->on_reloadable(hooks->user, &run);
    rc = net_engine_run(engine) == 0 ? SERVER_EXIT_OK : SERVER_EXIT_FAILURE;
    if (hooks && hooks->on_stopped)
        hooks->on_stopped(hooks->user);
    if (!hooks || !hooks->own_stop_control)
        signals_remove();
    log_info("stopped");

done:
    chat_destroy(core); /* first: its journal writer may wake the engine until it stops */
    net_engine_destroy(engine);
    if (cfg) {
        crypto_wipe(cfg, sizeof *cfg);
        free(cfg);
    }
    log_set_sink(NULL, NULL);
    logfile_close(ms.lf);
    return rc;
}
