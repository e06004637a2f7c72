/* user_admin.c — `parley-server [options] --user COMMAND ...`: account administration from the
 * command line, on the store in the data directory (users.h). Passwords come from a prompt
 * with no echo or from --password-file; only their SCRAM verifiers are stored. */
#include "user_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fsys.h"
#include "log.h"
#include "mailbox.h"
#include "scram.h"
#include "secret_prompt.h"
#include "server_main.h"
#include "sys.h"
#include "uname.h"
#include "user_remote.h"
#include "users.h"
#include "utf8.h"

#define SALT_SIZE 16

typedef struct admin_opts {
    const char *command;
    const char *name;
    const char *arg; /* role: the role */
    const char *display;
    const char *role;
    const char *password_file;
    const char *as;             /* admin account for a running server */
    const char *as_password_file;
    uint32_t iterations;
} admin_opts;

static void say_usage(FILE *to)
{
    fprintf(to,
            "Usage: parley-server [--config PATH] [--data-dir DIR] --user COMMAND ...\n"
            "\n"
            "  --user add NAME [--display TEXT] [--role user|operator|admin|alert]\n"
            "  --user passwd NAME          set a new password\n"
            "  --user role NAME user|operator|admin|alert\n"
            "  --user disable NAME         refuse the account's logins\n"
            "  --user enable NAME\n"
            "  --user delete NAME\n"
            "  --user list\n"
            "\n"
            "add and passwd ask for the password twice without echoing it, or read the first\n"
            "line of --password-file PATH. --iterations N sets PBKDF2's count for the new\n"
            "verifier (default %u, at least %u).\n"
            "\n"
            "While a server with auth = accounts runs, it holds the store: then every command\n"
            "is sent to it with --as ADMIN (an admin account; its password is asked for, or\n"
            "read from --as-password-file PATH) and takes effect at once; list then also says\n"
            "which accounts are online. add and\n"
            "passwd send only the new password's verifier, never the password. passwd for\n"
            "ADMIN's own account proves its current password (the --as one) first.\n",
            USER_ADMIN_ITERATIONS_DEFAULT, SCRAM_ITERATIONS_MIN);
}

/* Prints "parley-server --user: <a><b>" and a pointer to the help. */
static int usage_error(const char *a, const char *b)
{
    fprintf(stderr, "parley-server --user: %s%s (see parley-server --user help)\n", a, b);
    return SERVER_EXIT_USAGE;
}

/* argv[0] is "--user". Fills o; returns 0 or a SERVER_EXIT_ code. */
static int parse(int argc, char **argv, admin_opts *o)
{
    int i, positional = 0;
    const char *pos[2] = {NULL, NULL};

    memset(o, 0, sizeof *o);
    o->iterations = USER_ADMIN_ITERATIONS_DEFAULT;
    if (argc < 2)
        return usage_error("missing COMMAND", "");
    o->command = argv[1];
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--display") == 0 || strcmp(a, "--role") == 0 ||
            strcmp(a, "--password-file") == 0 || strcmp(a, "--iterations") == 0 ||
            strcmp(a, "--as") == 0 || strcmp(a, "--as-password-file") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            if (!v)
                return usage_error(a, " needs a value");
            if (strcmp(a, "--as") == 0)
                o->as = v;
            else if (strcmp(a, "--as-password-file") == 0)
                o->as_password_file = v;
            else if (a[2] == 'd')
                o->display = v;
            else if (a[2] == 'r')
                o->role = v;
            else if (a[2] == 'p')
                o->password_file = v;
            else {
                char *end;
                unsigned long n = strtoul(v, &end, 10);
                if (*end || end == v || n < SCRAM_ITERATIONS_MIN || n > SCRAM_ITERATIONS_MAX) {
                    fprintf(stderr,
                            "parley-server --user: --iterations %s: give a number from %u to %u\n",
                            v, SCRAM_ITERATIONS_MIN, SCRAM_ITERATIONS_MAX);
                    return SERVER_EXIT_USAGE;
                }
                o->iterations = (uint32_t)n;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            return usage_error("unknown option ", a);
        } else if (positional < 2) {
            pos[positional++] = a;
        } else {
            return usage_error("unexpected argument ", a);
        }
    }
    o->name = pos[0];
    o->arg = pos[1];
    return 0;
}

/* The password: the first line of o->password_file, or asked on the terminal ("<label> for
 * <name>: ", twice when confirm is set). */
static int read_password(const admin_opts *o, const char *label, char *pw, size_t size,
                         int confirm)
{
    char again[SCRAM_PASSWORD_MAX + 2];
    size_t n;

    if (o->password_file) {
        FILE *f = fsys_fopen(o->password_file, "rb");
        if (!f) {
            fprintf(stderr, "parley-server --user: --password-file %s: cannot open it\n",
                    o->password_file);
            return -1;
        }
        if (!fgets(pw, (int)size, f))
            pw[0] = '\0';
        fclose(f);
    } else {
        char prompt[128];
        snprintf(prompt, sizeof prompt, "%s for %s: ", label, o->name);
        if (secret_prompt(prompt, pw, size) != 0) {
            fprintf(stderr, "parley-server --user: no terminal to ask for the password on: use "
                            "--password-file PATH\n");
            return -1;
        }
        if (confirm &&
            (secret_prompt("Again: ", again, sizeof again) != 0 || strcmp(pw, again) != 0)) {
            crypto_wipe(again, sizeof again);
            fprintf(stderr, "parley-server --user: the two passwords differ; nothing changed\n");
            return -1;
        }
        crypto_wipe(again, sizeof again);
    }
    n = strlen(pw);
    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
        pw[--n] = '\0';
    if (n == 0) {
        fprintf(stderr, "parley-server --user: the password is empty; nothing changed\n");
        return -1;
    }
    return 0;
}

static int make_verifier(const admin_opts *o, scram_verifier *v)
{
    char pw[SCRAM_PASSWORD_MAX + 2];
    uint8_t salt[SALT_SIZE];
    int rc;

    if (read_password(o, "Password", pw, sizeof pw, 1) != 0)
        return -1;
    if (crypto_random(salt, sizeof salt) != CRYPTO_OK) {
        crypto_wipe(pw, sizeof pw);
        fprintf(stderr, "parley-server --user: the system's random generator failed\n");
        return -1;
    }
    rc = scram_verifier_make(pw, strlen(pw), salt, sizeof salt, o->iterations, v);
    crypto_wipe(pw, sizeof pw);
    if (rc != SCRAM_OK) {
        fprintf(stderr, "parley-server --user: %s; nothing changed\n",
                rc == SCRAM_EPOLICY ? "the password must be UTF-8 text of at most 1024 bytes"
                                    : "the crypto provider failed");
        return -1;
    }
    return 0;
}

/* One line of the list. created_ms NULL: not known (the running server does not send it);
 * online -1: not known (the store alone cannot tell; with the server stopped, nobody is). */
static void print_account(const char *login, const char *display, const char *role,
                          int disabled, const uint64_t *created_ms, uint64_t seen_ms, int online)
{
    char created[LOG_TIME_LEN + 1] = "", seen[LOG_TIME_LEN + 1] = "never";
    size_t chars = utf8_count(login, strlen(login));
    if (seen_ms) {
        log_format_time(seen, seen_ms);
        seen[16] = '\0';
        seen[10] = ' ';
    }
    /* Padded by characters, not bytes, so names in any script line up. */
    printf("%s%*s %-8s %-8s ", login, chars < 20 ? (int)(20 - chars) : 0, "", role,
           disabled ? "disabled" : "enabled");
    if (created_ms) {
        log_format_time(created, *created_ms);
        created[10] = '\0'; /* the date is enough */
        printf("created %s  ", created);
    }
    if (online >= 0)
        printf("%-7s  ", online ? "online" : "offline");
    printf("last seen %-16s  %s\n", seen, display);
}

static int print_user(void *user, const user_info *i)
{
    (void)user;
    print_account(i->login, i->display, users_role_name(i->role), i->disabled,
                  &i->created_ms, i->last_seen_ms, -1);
    return 0;
}

static int run(users *u, const admin_opts *o)
{
    char err[512];
    const char *c = o->command;
    static const char *const commands[] = {"add", "passwd", "role", "disable", "enable",
                                           "delete"};
    user_role role = USER_ROLE_USER;
    user_info found;
    scram_verifier v;
    size_t k;
    int rc = -1;

    if (strcmp(c, "list") == 0) {
        if (users_list(u, print_user, NULL) == 0)
            printf("no accounts\n");
        return SERVER_EXIT_OK;
    }
    for (k = 0; k < sizeof commands / sizeof commands[0] && strcmp(c, commands[k]) != 0; k++)
        ;
    if (k == sizeof commands / sizeof commands[0])
        return usage_error("unknown command ", c);
    if (!o->name)
        return usage_error(c, " needs NAME");
    if (strcmp(c, "add") == 0) {
        if (o->role && users_role_parse(o->role, &role) != 0)
            return usage_error(o->role, ": not a role; use user, operator, admin or alert");
        if (users_find(u, o->name, &found)) { /* said before the password is asked for */
            fprintf(stderr,
                    "parley-server --user add: '%s' is taken: it is the same name as the "
                    "account '%s'\n",
                    o->name, found.login);
            return SERVER_EXIT_FAILURE;
        }
        if (make_verifier(o, &v) != 0)
            return SERVER_EXIT_FAILURE;
        rc = users_add(u, o->name, o->display, role, &v, sys_wall_ms(), err, sizeof err);
    } else if (strcmp(c, "passwd") == 0) {
        if (!users_find(u, o->name, NULL)) {
            fprintf(stderr, "parley-server --user: no account '%s'\n", o->name);
            return SERVER_EXIT_FAILURE;
        }
        if (make_verifier(o, &v) != 0)
            return SERVER_EXIT_FAILURE;
        rc = users_set_verifier(u, o->name, &v, err, sizeof err);
    } else if (strcmp(c, "role") == 0) {
        if (!o->arg || users_role_parse(o->arg, &role) != 0)
            return usage_error(o->arg ? o->arg : "(missing)",
                               ": not a role; use user, operator, admin or alert");
        rc = users_set_role(u, o->name, role, err, sizeof err);
    } else if (strcmp(c, "disable") == 0 || strcmp(c, "enable") == 0) {
        rc = users_set_disabled(u, o->name, c[0] == 'd', err, sizeof err);
    } else {
        rc = users_delete(u, o->name, err, sizeof err);
    }
    crypto_wipe(&v, sizeof v);
    if (rc != 0) {
        fprintf(stderr, "parley-server --user %s: %s\n", c, err);
        return SERVER_EXIT_FAILURE;
    }
    printf("%s %s: done\n", c, o->name);
    return SERVER_EXIT_OK;
}

/* Commands a running server can carry out (ACCOUNT, ACCOUNT_ADD, ACCOUNT_PASSWD, PASSWORD). */
static int is_remote_command(const admin_opts *o)
{
    return o->name && (strcmp(o->command, "disable") == 0 || strcmp(o->command, "enable") == 0 ||
                       strcmp(o->command, "delete") == 0 || strcmp(o->command, "add") == 0 ||
                       strcmp(o->command, "passwd") == 0 ||
                       (strcmp(o->command, "role") == 0 && o->arg));
}

/* The request for everything but one's own password: ACCOUNT, or ACCOUNT_ADD / ACCOUNT_PASSWD
 * with the new password's verifier (asked for here) in vtext. 0, or a SERVER_EXIT_ code. */
static int remote_request(const admin_opts *o, proto_msg *req, char *vtext, size_t vcap)
{
    user_role role;
    scram_verifier v;
    int add = strcmp(o->command, "add") == 0, rc;

    memset(req, 0, sizeof *req);
    req->nick = proto_s(o->name);
    if (!add && strcmp(o->command, "passwd") != 0) {
        req->type = PT_ACCOUNT;
        req->target = proto_s(strcmp(o->command, "role") == 0 ? o->arg : o->command);
        return 0;
    }
    if (add && o->role && users_role_parse(o->role, &role) != 0)
        return usage_error(o->role, ": not a role; use user, operator or admin");
    if (make_verifier(o, &v) != 0)
        return SERVER_EXIT_FAILURE;
    rc = scram_verifier_format(&v, vtext, vcap);
    crypto_wipe(&v, sizeof v);
    if (rc != SCRAM_OK) {
        fprintf(stderr, "parley-server --user: the verifier does not fit; nothing changed\n");
        return SERVER_EXIT_FAILURE;
    }
    req->type = add ? PT_ACCOUNT_ADD : PT_ACCOUNT_PASSWD;
    req->target = proto_s(add && o->role ? o->role : "");
    req->display = proto_s(add && o->display ? o->display : "");
    req->text = proto_s(vtext);
    return 0;
}

/* The --as admin's password: asked for, or read from --as-password-file. */
static int read_as_password(const admin_opts *o, const char *label, char *pw, size_t size)
{
    admin_opts as = *o;
    as.name = o->as;
    as.password_file = o->as_password_file;
    return read_password(&as, label, pw, size, 0);
}

/* list, from the running server as the --as admin account. */
static int run_remote_list(const server_config *cfg, const admin_opts *o)
{
    char pw[SCRAM_PASSWORD_MAX + 2], reply[320];
    account_list l;
    size_t i;
    int rc;

    if (read_as_password(o, "Password", pw, sizeof pw) != 0)
        return SERVER_EXIT_FAILURE;
    account_list_init(&l);
    rc = user_remote_list(cfg, o->as, pw, &l, reply, sizeof reply);
    crypto_wipe(pw, sizeof pw);
    if (rc != 0) {
        account_list_free(&l);
        fprintf(stderr, "parley-server --user list: the running server refused: %s\n", reply);
        return SERVER_EXIT_FAILURE;
    }
    for (i = 0; i < l.n; i++) {
        const account_item *a = &l.items[i];
        print_account(a->login, a->display, proto_account_role_name(a->role), a->disabled, NULL,
                      a->last_login_ms, a->online);
    }
    if (l.n == 0)
        printf("no accounts\n");
    account_list_free(&l);
    return SERVER_EXIT_OK;
}

/* Sends the command to the running server as the --as admin account. */
static int run_remote(const server_config *cfg, const admin_opts *o)
{
    char pw[SCRAM_PASSWORD_MAX + 2], new_pw[SCRAM_PASSWORD_MAX + 2], reply[320];
    char vtext[SCRAM_VERIFIER_TEXT_MAX];
    proto_msg req;
    int own = strcmp(o->command, "passwd") == 0 && uname_same(o->name, o->as);
    int rc;

    /* The new password first (for the account it is for), then the admin's own. */
    if (own) {
        if (read_password(o, "New password", new_pw, sizeof new_pw, 1) != 0)
            return SERVER_EXIT_FAILURE;
    } else if ((rc = remote_request(o, &req, vtext, sizeof vtext)) != 0) {
        return rc;
    }
    if (read_as_password(o, own ? "Current password" : "Password", pw, sizeof pw) != 0) {
        crypto_wipe(new_pw, sizeof new_pw);
        return SERVER_EXIT_FAILURE;
    }
    if (own)
        rc = user_remote_own_password(cfg, o->as, pw, new_pw, o->iterations, reply,
                                      sizeof reply);
    else
        rc = user_remote_request(cfg, o->as, pw, &req, reply, sizeof reply);
    crypto_wipe(pw, sizeof pw);
    crypto_wipe(new_pw, sizeof new_pw);
    if (rc != 0) {
        fprintf(stderr, "parley-server --user %s: the running server refused: %s\n", o->command,
                reply);
        return SERVER_EXIT_FAILURE;
    }
    printf("%s (by the running server)\n", reply);
    return SERVER_EXIT_OK;
}

/* Drops the stored private conversations of a deleted account (the server is stopped). */
static int forget_private(const server_config *cfg, const char *name)
{
    char err[256];
    mailbox *mb = mailbox_open(cfg->data_dir, FSYNC_ALWAYS, 0, NULL, err, sizeof err);

    if (!mb || mailbox_forget(mb, name, err, sizeof err) != 0) {
        fprintf(stderr, "parley-server --user delete: the account is deleted, but its stored "
                        "private messages could not be: %s (the server drops them at its next "
                        "start)\n", err);
        mailbox_close(mb);
        return SERVER_EXIT_FAILURE;
    }
    mailbox_close(mb);
    return SERVER_EXIT_OK;
}

int user_admin_main(const server_config *cfg, int argc, char **argv)
{
    admin_opts o;
    journal_recovery rec;
    char err[512];
    int busy = 0, rc;
    users *u;

    if (argc >= 2 && (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)) {
        say_usage(stdout);
        return SERVER_EXIT_OK;
    }
    if ((rc = parse(argc, argv, &o)) != 0)
        return rc;
    if (crypto_init() != CRYPTO_OK) {
        fprintf(stderr, "parley-server --user: the crypto provider failed to start\n");
        return SERVER_EXIT_FAILURE;
    }
    u = users_open(cfg->data_dir, &rec, &busy, err, sizeof err);
    if (!u && busy && o.as && is_remote_command(&o))
        return run_remote(cfg, &o);
    if (!u && busy && o.as && strcmp(o.command, "list") == 0)
        return run_remote_list(cfg, &o);
    if (!u) {
        if (busy && is_remote_command(&o))
            fprintf(stderr,
                    "parley-server --user: the server is running and holds the account store in "
                    "%s: add --as ADMIN to send this to it as an admin account, or stop the "
                    "server (or the Parley service), run this again and start it; nothing "
                    "changed.\n",
                    cfg->data_dir);
        else if (busy)
            fprintf(stderr,
                    "parley-server --user: the server is running and holds the account store in "
                    "%s: add --as ADMIN to ask it for the list as an admin account, or stop "
                    "the server (or the Parley service) and run this again.\n",
                    cfg->data_dir);
        else
            fprintf(stderr, "parley-server --user: %s\n", err);
        return SERVER_EXIT_FAILURE;
    }
    if (rec.cut_bytes)
        fprintf(stderr, "parley-server --user: note: cut %llu damaged bytes from the end of %s "
                        "(%s)\n",
                (unsigned long long)rec.cut_bytes, USERS_JOURNAL_NAME, rec.reason);
    rc = run(u, &o);
    /* While the account store is ours the server is stopped, so its stored private messages
     * are ours to change too: a deleted account's conversations go with it, and an account
     * made later under the same name starts with none. */
    if (rc == SERVER_EXIT_OK && strcmp(o.command, "delete") == 0)
        rc = forget_private(cfg, o.name);
    users_close(u);
    return rc;
}
