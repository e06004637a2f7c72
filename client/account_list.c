/* account_list.c — gathers an account list across its ACCOUNT_LIST frames. */
#include "account_list.h"

#include <stdlib.h>
#include <string.h>

void account_list_init(account_list *l)
{
    memset(l, 0, sizeof *l);
}

void account_list_free(account_list *l)
{
    free(l->items);
    account_list_init(l);
}

static int grow(account_list *l)
{
    size_t cap = l->cap ? l->cap * 2 : 32;
    account_item *p = realloc(l->items, cap * sizeof *p);
    if (!p)
        return -1;
    l->items = p;
    l->cap = cap;
    return 0;
}

int account_list_take(account_list *l, const proto_msg *m)
{
    size_t pos = 0;
    proto_entry e;

    if (l->complete) {
        l->n = 0;
        l->complete = 0;
    }
    while (proto_list_next(&m->list, PT_ACCOUNT_LIST, &pos, &e)) {
        account_item *a;
        if (l->n == l->cap && grow(l) != 0) {
            l->n = 0;
            return -1;
        }
        a = &l->items[l->n++];
        proto_str_copy(a->login, sizeof a->login, e.name);
        proto_str_copy(a->display, sizeof a->display, e.text);
        a->role = (uint8_t)(e.value & PROTO_ACCOUNT_ROLE_MASK);
        a->disabled = (e.value & PROTO_ACCOUNT_DISABLED) != 0;
        a->online = (e.value & PROTO_ACCOUNT_ONLINE) != 0;
        a->last_login_ms = e.time;
    }
    if (m->flags & PROTO_FLAG_MORE)
        return 0;
    l->complete = 1;
    return 1;
}
