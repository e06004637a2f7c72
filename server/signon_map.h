/* signon_map.h — from a signed-on principal to a Parley account name (auth = windows):
 * "alice@PARLEY.TEST" and "CONTOSO\alice" become "alice" when their realm or domain is one the
 * server admits ([signon] realms). Portable, no security library. */
#ifndef PARLEY_SIGNON_MAP_H
#define PARLEY_SIGNON_MAP_H

#include <stddef.h>

#include "proto.h"

typedef enum signon_map_result {
    SIGNON_MAP_OK = 0,
    SIGNON_MAP_NO_REALM = -1,    /* the principal names no realm or domain */
    SIGNON_MAP_OTHER_REALM = -2, /* its realm or domain is not in the list */
    SIGNON_MAP_BAD_NAME = -3     /* the user part cannot be a Parley name (uname.h) */
} signon_map_result;

/* The next name of a list separated by commas or spaces (realms, allow): skips separators at *p,
 * sets *word to the name and returns its length, leaving *p after it; 0 at the end. */
size_t signon_list_next(const char **p, const char **word);

/* The next name of a list of Windows groups, separated by commas only (group names hold spaces:
 * "CONTOSO\Chat Users"); spaces around a name are not part of it. As signon_list_next. */
size_t signon_groups_next(const char **p, const char **word);

/* Whether realms names one domain only: at most one Kerberos realm (a name with a dot,
 * CONTOSO.COM) and at most one NetBIOS domain name (without, CONTOSO), each possibly repeated.
 * Account names carry no realm, so the users of two domains would share accounts. 0, or -1 with
 * problem saying which two names clash. */
int signon_realms_check(const char *realms, char *problem, size_t psize);

/* Maps principal to its account name (NFC, at most PROTO_NICK_MAX bytes) in out[0..cap) if its
 * realm or domain is in realms (names separated by commas or spaces, compared without regard to
 * ASCII case). On failure why says why in one line. */
signon_map_result signon_map_name(const char *principal, const char *realms, char *out,
                                  size_t cap, char *why, size_t why_size);

#endif
