/* signon_map.c — from a signed-on principal to a Parley account name (signon_map.h). */
#include "signon_map.h"

#include <stdio.h>
#include <string.h>

#include "uname.h"

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_separator(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

size_t signon_list_next(const char **p, const char **word)
{
    size_t len = 0;
    while (is_separator(**p))
        (*p)++;
    *word = *p;
    while ((*p)[len] && !is_separator((*p)[len]))
        len++;
    *p += len;
    return len;
}

size_t signon_groups_next(const char **p, const char **word)
{
    size_t len;
    while (**p == ',' || **p == ' ' || **p == '\t')
        (*p)++;
    *word = *p;
    for (len = 0; (*p)[len] && (*p)[len] != ','; len++)
        ;
    *p += len;
    while (len && ((*word)[len - 1] == ' ' || (*word)[len - 1] == '\t'))
        len--;
    return len;
}

/* 1 if realm[0..n) is one of the names in list. */
static int realm_listed(const char *realm, size_t n, const char *list)
{
    const char *p = list, *word;
    size_t len, i;
    while ((len = signon_list_next(&p, &word)) != 0) {
        for (i = 0; i < n && len == n &&
                    ascii_lower((unsigned char)word[i]) == ascii_lower((unsigned char)realm[i]);
             i++)
            ;
        if (len == n && i == n)
            return 1;
    }
    return 0;
}

/* 1 if a[0..an) and b[0..bn) are the same name up to ASCII case. */
static int same_name(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    if (an != bn)
        return 0;
    for (i = 0; i < an; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

int signon_realms_check(const char *realms, char *problem, size_t psize)
{
    /* [0]: the Kerberos realm (dotted, CONTOSO.COM); [1]: the NetBIOS name (CONTOSO). */
    const char *first[2] = {NULL, NULL}, *p = realms, *word;
    size_t first_len[2] = {0, 0}, n;
    int kind;

    while ((n = signon_list_next(&p, &word)) != 0) {
        kind = memchr(word, '.', n) ? 0 : 1;
        if (!first[kind]) {
            first[kind] = word;
            first_len[kind] = n;
        } else if (!same_name(first[kind], first_len[kind], word, n)) {
            snprintf(problem, psize,
                     "realms names two %s, %.*s and %.*s: alice of each would be the one "
                     "account alice. List one domain only, by its Kerberos realm and its NetBIOS "
                     "name (CONTOSO.COM, CONTOSO); give another domain a server of its own",
                     kind == 0 ? "Kerberos realms" : "NetBIOS domain names",
                     (int)(first_len[kind] > 64 ? 64 : first_len[kind]), first[kind],
                     (int)(n > 64 ? 64 : n), word);
            return -1;
        }
    }
    return 0;
}

signon_map_result signon_map_name(const char *principal, const char *realms, char *out,
                                  size_t cap, char *why, size_t why_size)
{
    const char *slash = strchr(principal, '\\'), *at = strrchr(principal, '@');
    const char *user, *realm;
    size_t user_len, realm_len;
    char reason[160];

    if (cap)
        out[0] = '\0';
    if (slash) { /* CONTOSO\alice (SSPI) */
        realm = principal;
        realm_len = (size_t)(slash - principal);
        user = slash + 1;
        user_len = strlen(user);
    } else if (at) { /* alice@CONTOSO.COM (Kerberos) */
        user = principal;
        user_len = (size_t)(at - principal);
        realm = at + 1;
        realm_len = strlen(realm);
    } else {
        realm = user = principal;
        realm_len = user_len = 0;
    }
    if (realm_len == 0 || user_len == 0) {
        snprintf(why, why_size, "%s names no user and realm or domain", principal);
        return SIGNON_MAP_NO_REALM;
    }
    if (!realm_listed(realm, realm_len, realms)) {
        snprintf(why, why_size, "%.*s is not a realm or domain this server admits (%s)",
                 (int)realm_len, realm, realms);
        return SIGNON_MAP_OTHER_REALM;
    }
    if (uname_prepare(user, user_len, UNAME_NICK, out, cap, reason, sizeof reason) != 0) {
        snprintf(why, why_size, "the user name %.*s cannot be a Parley name: %s", (int)user_len,
                 user, reason);
        return SIGNON_MAP_BAD_NAME;
    }
    return SIGNON_MAP_OK;
}
