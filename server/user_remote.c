/* user_remote.c — account commands sent to a running server through the client library, so
 * that `parley-server --user` can add accounts, set passwords (as verifiers), disable, enable,
 * delete, re-role or list accounts while the server (or the service) runs and holds the
 * store. */
#include "user_remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "fsys.h"
#include "passwd.h"
#include "server_setup.h"
#include "sock.h"

#define REMOTE_TIMEOUT_MS 10000u

/* Logs in to the server cfg describes (its bind address, or 127.0.0.1; its port), with its key,
 * as account login with password. The connection, or NULL with why in reply. */
static pc_conn *remote_login(const server_config *cfg, const char *login, const char *password,
                             char *reply, size_t reply_size)
{
    server_config *local = malloc(sizeof *local);
    char err[320];
    pc_options o;
    pc_conn *c = NULL;
    int code = 0, generated = 0;

    if (!local) {
        snprintf(reply, reply_size, "out of memory");
        return NULL;
    }
    *local = *cfg;
    /* The running server's key, from the same place it read it; never a new one. */
    if (!local->secret[0]) {
        char path[SERVER_PATH_MAX + 32];
        if (local->secret_file[0])
            snprintf(path, sizeof path, "%s", local->secret_file);
        else if (fsys_path_join(path, sizeof path, local->data_dir, SERVER_SECRET_FILE) != 0)
            path[0] = '\0';
        if (!path[0] || !fsys_exists(path)) {
            snprintf(reply, reply_size, "no key in %s: is that the running server's data "
                     "directory (--data-dir, --config)?", path[0] ? path : local->data_dir);
            goto done;
        }
    }
    if (server_secret(local, &generated, NULL, 0, err, sizeof err) != 0) {
        snprintf(reply, reply_size, "the server's key: %s", err);
        goto done;
    }
    if (sock_startup() != 0) {
        snprintf(reply, reply_size, "cannot start the socket library");
        goto done;
    }
    pc_options_init(&o);
    o.host = local->bind[0] ? local->bind : "127.0.0.1";
    o.port = local->port;
    o.secret = local->secret;
    o.secret_len = strlen(local->secret);
    o.nick = login;
    o.password = password;
    o.password_len = strlen(password);
    o.agent = "parley-server --user";
    o.connect_timeout_ms = REMOTE_TIMEOUT_MS;
    c = pc_connect(&o, &code, err, sizeof err); /* copies the key */
    if (!c)
        snprintf(reply, reply_size, "%s", err);

done:
    crypto_wipe(local->secret, sizeof local->secret);
    free(local);
    return c;
}

/* What one answer frame means to a request: 1 done, 0 not yet (skip it), -1 failed with why
 * in reply. */
typedef int (*answer_fn)(void *ctx, const proto_msg *m, char *reply, size_t reply_size);

/* Logs in as admin, sends req and reads frames until fn says the answer is complete; an ERROR
 * is the refusal. 0, or -1 with why in reply. */
static int remote_exchange(const server_config *cfg, const char *admin, const char *password,
                           const proto_msg *req, answer_fn fn, void *ctx, char *reply,
                           size_t reply_size)
{
    pc_conn *c = remote_login(cfg, admin, password, reply, reply_size);
    proto_msg m;
    int rc = -1;

    if (!c)
        return -1;
    if (pc_send(c, req) != 0) {
        snprintf(reply, reply_size, "%s", pc_error(c)[0] ? pc_error(c) : pc_send_error(c));
        goto done;
    }
    /* What the lobby sends first is skipped. */
    for (;;) {
        int got = pc_recv(c, &m, REMOTE_TIMEOUT_MS), said;
        if (got <= 0) {
            snprintf(reply, reply_size, "%s", got == 0 ? "no answer from the server"
                                                       : pc_error(c));
            break;
        }
        if (m.type == PT_ERROR) {
            proto_str_copy(reply, reply_size, m.text);
            break;
        }
        if ((said = fn(ctx, &m, reply, reply_size)) != 0) {
            rc = said > 0 ? 0 : -1;
            break;
        }
    }
    pc_quit(c, "done");

done:
    pc_close(c);
    return rc;
}

/* The answer to ACCOUNT, ACCOUNT_ADD, ACCOUNT_PASSWD: the server's "account ..." NOTICE. */
static int notice_answer(void *ctx, const proto_msg *m, char *reply, size_t reply_size)
{
    (void)ctx;
    if (m->type != PT_NOTICE || m->nick.n != 0 || m->text.n <= 8 ||
        memcmp(m->text.p, "account ", 8) != 0)
        return 0;
    proto_str_copy(reply, reply_size, m->text);
    return 1;
}

int user_remote_request(const server_config *cfg, const char *admin, const char *password,
                        const proto_msg *req, char *reply, size_t reply_size)
{
    return remote_exchange(cfg, admin, password, req, notice_answer, NULL, reply, reply_size);
}

/* The answer to ACCOUNTS: ACCOUNT_LIST frames until one without MORE. */
static int list_answer(void *ctx, const proto_msg *m, char *reply, size_t reply_size)
{
    int rc;
    if (m->type != PT_ACCOUNT_LIST)
        return 0;
    if ((rc = account_list_take(ctx, m)) < 0)
        snprintf(reply, reply_size, "out of memory");
    return rc;
}

int user_remote_list(const server_config *cfg, const char *admin, const char *password,
                     account_list *out, char *reply, size_t reply_size)
{
    proto_msg req;
    memset(&req, 0, sizeof req);
    req.type = PT_ACCOUNTS;
    return remote_exchange(cfg, admin, password, &req, list_answer, out, reply, reply_size);
}

int user_remote_own_password(const server_config *cfg, const char *login, const char *old_pw,
                             const char *new_pw, uint32_t iterations, char *reply,
                             size_t reply_size)
{
    pc_conn *c = remote_login(cfg, login, old_pw, reply, reply_size);
    int code, rc;

    if (!c)
        return -1;
    rc = pc_change_password(c, old_pw, strlen(old_pw), new_pw, strlen(new_pw), iterations,
                            REMOTE_TIMEOUT_MS, &code, reply, reply_size);
    if (rc == 0)
        snprintf(reply, reply_size, "account %s: passwd done", pc_nick_of(c));
    pc_quit(c, "done");
    pc_close(c);
    return rc;
}
