/* chat_account_list.c — ACCOUNTS from an admin: every account in the store, with its role,
 * disabled flag, whether a session of it is online now and its last login, sent as
 * ACCOUNT_LIST frames flagged MORE until the last. */
#include "chat_internal.h"

#include <string.h>

static int add_account_entry(void *user, const user_info *info)
{
    list_sender *x = user;
    proto_entry e;
    uint32_t state = (uint32_t)info->role & PROTO_ACCOUNT_ROLE_MASK;

    if (info->disabled)
        state |= PROTO_ACCOUNT_DISABLED;
    if (account_sessions_first(x->s->srv, info->login))
        state |= PROTO_ACCOUNT_ONLINE;
    memset(&e, 0, sizeof e);
    e.name = proto_s(info->login);
    e.value = state;
    e.time = info->last_seen_ms;
    e.text = proto_s(info->display);
    list_sender_put(x, &e);
    return 0;
}

void accounts_on_list(session *s)
{
    list_sender x;

    if (!accounts_require_admin(s))
        return;
    list_sender_start(&x, s, PT_ACCOUNT_LIST);
    users_list(s->srv->users, add_account_entry, &x);
    list_sender_end(&x);
}
