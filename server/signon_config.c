/* signon_config.c — the [signon] settings of auth = windows: which realms' users sign on, who of
 * them may, the keytab, NTLM, and whether accounts are made at a first sign-on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "names.h"
#include "server_config.h"
#include "signon_map.h"
#include "users.h"

#define REALM_NAME_MAX 255

/* 1 if c may be part of a realm or domain name (DNS-like: letters, digits, '.', '-', '_'). */
static int realm_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

/* realms: names separated by commas or spaces, each a Kerberos realm or a Windows domain. */
static int set_realms(server_config *cfg, const char *value, char *problem, size_t psize)
{
    const char *p = value, *word;
    size_t words = 0, n, i;

    if (strlen(value) >= sizeof cfg->signon_realms) {
        snprintf(problem, psize, "realms is longer than %zu bytes", sizeof cfg->signon_realms - 1);
        return -1;
    }
    while ((n = signon_list_next(&p, &word)) != 0) {
        for (i = 0; i < n; i++)
            if (!realm_char(word[i])) {
                snprintf(problem, psize,
                         "'%.*s' is no realm or domain name (write it as PARLEY.TEST or "
                         "CONTOSO, without a user name, '@' or '\\')",
                         (int)(n > 64 ? 64 : n), word);
                return -1;
            }
        if (n > REALM_NAME_MAX) {
            snprintf(problem, psize, "a realm name is longer than %d bytes", REALM_NAME_MAX);
            return -1;
        }
        words++;
    }
    if (words == 0) {
        snprintf(problem, psize, "realms must name at least one realm or domain");
        return -1;
    }
    if (signon_realms_check(value, problem, psize) != 0)
        return -1;
    snprintf(cfg->signon_realms, sizeof cfg->signon_realms, "%s", value);
    return 0;
}

/* keytab: a file the server can read now, so a wrong path is found at start, not at the
 * first sign-on. "FILE:" in front is accepted (the Kerberos library's own spelling). */
static int set_keytab(server_config *cfg, const char *value, char *problem, size_t psize)
{
    const char *path = strncmp(value, "FILE:", 5) == 0 ? value + 5 : value;
    FILE *fp;

    if (path[0] == '\0') {
        snprintf(problem, psize, "keytab must name a file (or leave the setting out to use "
                                 "KRB5_KTNAME or the system's keytab)");
        return -1;
    }
    if (strlen(value) >= sizeof cfg->signon_keytab) {
        snprintf(problem, psize, "keytab is longer than %zu bytes", sizeof cfg->signon_keytab - 1);
        return -1;
    }
    errno = 0;
    fp = fopen(path, "rb");
    if (!fp) {
        snprintf(problem, psize, "cannot read the keytab %s: %s", path,
                 errno ? strerror(errno) : "cannot open");
        return -1;
    }
    fclose(fp);
    snprintf(cfg->signon_keytab, sizeof cfg->signon_keytab, "%s", value);
    return 0;
}

/* A list kept as written (allow, the group lists). */
static int set_list(char *dst, size_t cap, const char *key, const char *value, char *problem,
                    size_t psize)
{
    if (strlen(value) >= cap) {
        snprintf(problem, psize, "%s is longer than %zu bytes", key, cap - 1);
        return -1;
    }
    snprintf(dst, cap, "%s", value);
    return 0;
}

int signon_config_set(server_config *cfg, const char *key, const char *value, char *problem,
                      size_t psize)
{
    if (names_equal_ci(key, "realms"))
        return set_realms(cfg, value, problem, psize);
    if (names_equal_ci(key, "allow"))
        return set_list(cfg->signon_allow, sizeof cfg->signon_allow, key, value, problem, psize);
    if (names_equal_ci(key, "allow_groups"))
        return set_list(cfg->signon_allow_groups, sizeof cfg->signon_allow_groups, key, value,
                        problem, psize);
    if (names_equal_ci(key, "operator_groups"))
        return set_list(cfg->signon_operator_groups, sizeof cfg->signon_operator_groups, key,
                        value, problem, psize);
    if (names_equal_ci(key, "admin_groups"))
        return set_list(cfg->signon_admin_groups, sizeof cfg->signon_admin_groups, key, value,
                        problem, psize);
    if (names_equal_ci(key, "keytab"))
        return set_keytab(cfg, value, problem, psize);
    if (names_equal_ci(key, "allow_ntlm"))
        return config_value_bool(value, &cfg->signon_allow_ntlm, problem, psize);
    if (names_equal_ci(key, "auto_create"))
        return config_value_bool(value, &cfg->signon_auto_create, problem, psize);
    if (names_equal_ci(key, "auto_create_role")) {
        user_role role;
        if (users_role_parse(value, &role) != 0) {
            snprintf(problem, psize, "auto_create_role must be user, operator or admin");
            return -1;
        }
        cfg->signon_auto_create_role = (int)role;
        return 0;
    }
    snprintf(problem, psize, "unknown setting '%s' in [signon] (realms, allow, allow_groups, "
                             "operator_groups, admin_groups, keytab, allow_ntlm, auto_create, "
                             "auto_create_role)", key);
    return -1;
}
