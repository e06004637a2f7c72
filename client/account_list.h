/* account_list.h — the account list of a server with accounts, gathered from the ACCOUNT_LIST
 * frames that answer one ACCOUNTS (docs/PROTOCOL.md): for `parley-server --user list --as` and
 * parley.exe's Users dialog. Portable. */
#ifndef PARLEY_ACCOUNT_LIST_H
#define PARLEY_ACCOUNT_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

typedef struct account_item {
    char login[PROTO_NICK_MAX + 1];
    char display[PROTO_DISPLAY_MAX + 1];
    uint8_t role;     /* 0 user, 1 operator, 2 admin, 3 alert: proto_account_role_name */
    uint8_t disabled; /* 1: may not log in */
    uint8_t online;   /* 1: a session of the account was connected when the list was made */
    uint64_t last_login_ms; /* wall clock ms since 1970; 0 = never logged in */
} account_item;

typedef struct account_list {
    account_item *items; /* owned */
    size_t n;
    size_t cap;
    int complete; /* 1 once the last frame (no MORE) is in */
} account_list;

void account_list_init(account_list *l);
void account_list_free(account_list *l);
/* Adds the entries of one ACCOUNT_LIST frame; the first frame after a complete list starts a
 * new list. Returns 1 when this frame completed the list, 0 while more frames are due, -1 when
 * memory ran out (the list is then emptied and waits for a new answer). */
int account_list_take(account_list *l, const proto_msg *m);

#endif
