/* chat_reload.c — settings that change while the server runs (name, message of the day,
 * limits, timeouts, log level): handed over from any thread, applied by the core between
 * callbacks, where nothing else reads them. */
#include <stdlib.h>
#include <string.h>

#include "chat_internal.h"
#include "crypto.h"
#include "log.h"
#include "thread.h"

int chat_reload_init(chat *c)
{
    c->reload_lock = mutex_new();
    return c->reload_lock ? 0 : -1;
}

void chat_reload_free(chat *c)
{
    if (c->reload_lock)
        mutex_free(c->reload_lock);
    c->reload_lock = NULL;
    if (c->reload_pending) {
        crypto_wipe(c->reload_pending, sizeof *c->reload_pending);
        free(c->reload_pending);
    }
    c->reload_pending = NULL;
}

int chat_request_reload(chat *c, const server_config *fresh)
{
    server_config *copy = malloc(sizeof *copy);

    if (!copy)
        return -1;
    *copy = *fresh;
    crypto_wipe(copy->secret, sizeof copy->secret); /* never changes while running */
    crypto_wipe(copy->next_secret, sizeof copy->next_secret);
    mutex_lock(c->reload_lock);
    if (c->reload_pending) {
        crypto_wipe(c->reload_pending, sizeof *c->reload_pending);
        free(c->reload_pending);
    }
    c->reload_pending = copy;
    mutex_unlock(c->reload_lock);
    return 0;
}

/* A setting that only a restart changes: said, so the administrator is not left guessing. */
static void needs_restart(const char *key, int differs)
{
    if (differs)
        log_warn("settings reload: '%s' changed; it takes effect when the server restarts", key);
}

void chat_apply_reload(chat *c)
{
    server_config *n;
    server_config *o = &c->cfg;

    mutex_lock(c->reload_lock);
    n = c->reload_pending;
    c->reload_pending = NULL;
    mutex_unlock(c->reload_lock);
    if (!n)
        return;
    memcpy(o->name, n->name, sizeof o->name);
    memcpy(o->motd, n->motd, sizeof o->motd);
    o->max_connections = n->max_connections;
    o->max_per_ip = n->max_per_ip;
    o->rate_per_sec = n->rate_per_sec;
    o->rate_burst = n->rate_burst;
    o->send_queue_max = n->send_queue_max;
    o->handshake_timeout_ms = n->handshake_timeout_ms;
    o->idle_timeout_ms = n->idle_timeout_ms;
    o->ping_timeout_ms = n->ping_timeout_ms;
    o->shutdown_deadline_ms = n->shutdown_deadline_ms;
    o->max_rooms_per_user = n->max_rooms_per_user;
    o->log_level = n->log_level;
    /* Who may sign on is read at each sign-on: a reload applies to the next one. */
    memcpy(o->signon_realms, n->signon_realms, sizeof o->signon_realms);
    memcpy(o->signon_allow, n->signon_allow, sizeof o->signon_allow);
    o->signon_auto_create = n->signon_auto_create;
    o->signon_auto_create_role = n->signon_auto_create_role;
    memcpy(o->signon_allow_groups, n->signon_allow_groups, sizeof o->signon_allow_groups);
    memcpy(o->signon_operator_groups, n->signon_operator_groups,
           sizeof o->signon_operator_groups);
    memcpy(o->signon_admin_groups, n->signon_admin_groups, sizeof o->signon_admin_groups);
    log_set_level((log_level)n->log_level);
    needs_restart("port", o->port != n->port);
    needs_restart("bind", strcmp(o->bind, n->bind) != 0);
    needs_restart("data_dir", strcmp(o->data_dir, n->data_dir) != 0);
    needs_restart("ciphers", o->nciphers != n->nciphers ||
                                 memcmp(o->ciphers, n->ciphers, n->nciphers) != 0);
    needs_restart("per_room", o->history_per_room != n->history_per_room);
    needs_restart("forward_secrecy", o->forward_secrecy != n->forward_secrecy);
    needs_restart("auth", o->auth != n->auth);
    needs_restart("keytab", strcmp(o->signon_keytab, n->signon_keytab) != 0);
    needs_restart("allow_ntlm", o->signon_allow_ntlm != n->signon_allow_ntlm);
    log_info("settings reloaded: name, motd, limits, timeouts, sign-on realms, allow list, groups, "
             "auto_create (and its role) and log level (%s)",
             log_level_name((log_level)n->log_level));
    crypto_wipe(n, sizeof *n);
    free(n);
}
