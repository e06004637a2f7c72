/* chat_search_private.c — a user's own private conversations as a source of search: the
 * mailbox's messages fed to the search thread under SEARCH_SOURCE_PRIVATE, each conversation
 * named by its two accounts, and only those two may find what it holds. With the shared key
 * (no mailbox) nothing is stored, so there is nothing to find. */
#include "chat_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"

/* Separates the two accounts in a conversation's name; never part of a name ([Names]). */
#define PAIR_SEP ' '
#define PAIR_MAX (2u * PROTO_NICK_MAX + 2u)

/* ASCII-case-insensitive order, the one account names are kept in (strmap.h). */
static int name_order(const char *a, const char *b)
{
    while (*a && names_fold((unsigned char)*a) == names_fold((unsigned char)*b)) {
        a++;
        b++;
    }
    return (int)names_fold((unsigned char)*a) - (int)names_fold((unsigned char)*b);
}

/* The conversation of a and b, the same whichever of them it is written for: "a b" in order. */
static void pair_name(char out[PAIR_MAX], const char *a, const char *b)
{
    if (name_order(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    snprintf(out, PAIR_MAX, "%s%c%s", a, PAIR_SEP, b);
}

void chat_search_add_private(chat *c, const mailbox_msg *m)
{
    char conv[PAIR_MAX];
    if (!c->search)
        return;
    pair_name(conv, m->from, m->to);
    (void)search_add(c->search, SEARCH_SOURCE_PRIVATE, conv, m->id, m->time_ms, m->from,
                     m->text, m->text_len);
}

/* mailbox_msg_fn */
static int feed_one(void *user, const mailbox_msg *m)
{
    chat_search_add_private(user, m);
    return 0;
}

void chat_search_feed_private(chat *c)
{
    if (c->mail && c->search)
        mailbox_each(c->mail, feed_one, c);
}

typedef struct forget_ctx {
    chat *c;
    const char *account;
} forget_ctx;

/* mailbox_peer_fn: one conversation of the account being forgotten, all of it. */
static int trim_peer(void *user, const char *peer, uint64_t last_mine, uint64_t last_theirs)
{
    forget_ctx *x = user;
    char conv[PAIR_MAX];

    (void)last_mine;
    (void)last_theirs;
    pair_name(conv, x->account, peer);
    if (search_trim(x->c->search, SEARCH_SOURCE_PRIVATE, conv, UINT64_MAX) != 0)
        log_error("search: out of memory dropping the conversation %s", conv);
    return 0;
}

void chat_search_forget_private(chat *c, const char *account)
{
    forget_ctx x;
    if (!c->mail || !c->search)
        return;
    x.c = c;
    x.account = account;
    mailbox_peers(c->mail, account, trim_peer, &x);
}

typedef struct peers_ctx {
    const session *s;
    search_conv *convs;
    size_t max, *n;
    int failed;
} peers_ctx;

/* mailbox_peer_fn: one of the session's conversations. */
static int add_peer(void *user, const char *peer, uint64_t last_mine, uint64_t last_theirs)
{
    peers_ctx *x = user;
    char conv[PAIR_MAX], *name;

    (void)last_mine;
    (void)last_theirs;
    if (*x->n >= x->max)
        return 1;
    pair_name(conv, x->s->nick, peer);
    name = malloc(strlen(conv) + 1);
    if (!name) {
        x->failed = 1;
        return 1;
    }
    memcpy(name, conv, strlen(conv) + 1);
    x->convs[*x->n].source = SEARCH_SOURCE_PRIVATE;
    x->convs[(*x->n)++].name = name;
    return 0;
}

int search_private_readable(session *s, const proto_msg *m, search_conv *convs, size_t max,
                            size_t *n)
{
    peers_ctx x;

    /* A room filter leaves conversations out; key mode keeps none. */
    if (m->room.n || !s->srv->mail)
        return 0;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.convs = convs;
    x.max = max;
    x.n = n;
    mailbox_peers(s->srv->mail, s->nick, add_peer, &x);
    if (x.failed) {
        session_error(s, PC_UNAVAILABLE, "out of memory");
        return -1;
    }
    return 0;
}

int search_private_fetch(session *s, const char *conv, uint64_t id, search_hit_fn fn,
                         void *user)
{
    char own[PAIR_MAX];
    mailbox_msg mm;
    proto_msg out;
    const char *peer;

    /* The mailbox drops by expiry and budget, not strictly oldest first: a message gone is
     * left out, and the index keeps the older ones. */
    if (!s->srv->mail || !mailbox_find(s->srv->mail, id, &mm))
        return -1;
    pair_name(own, mm.from, mm.to);
    /* Only the two parties, and only under the conversation the query named. */
    if (!names_equal_ci(own, conv) ||
        (!names_equal_ci(mm.from, s->nick) && !names_equal_ci(mm.to, s->nick)))
        return -1;
    peer = names_equal_ci(mm.from, s->nick) ? mm.to : mm.from;
    memset(&out, 0, sizeof out);
    out.type = PT_SEARCH_HIT;
    out.id = mm.id;
    out.time = mm.time_ms;
    out.room = proto_s("");
    out.target = proto_s(peer);
    out.nick = proto_s(mm.from);
    out.text.p = mm.text;
    out.text.n = mm.text_len;
    fn(user, &out);
    return 1;
}
