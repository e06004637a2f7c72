/* chat.h — the portable chat core: sessions, rooms, routing, history, limits and
 * administration, driven by an I/O engine through the callbacks of net.h. */
#ifndef PARLEY_CHAT_H
#define PARLEY_CHAT_H

#include <stddef.h>

#include "net.h"
#include "server_config.h"

typedef struct chat chat;

/* Creates the core: copies cfg (which must hold the secret by now, see server_setup.h), opens
 * history and bans in cfg->data_dir, and derives the handshake master key. Returns NULL with
 * a readable reason in err. The caller owns the result (chat_destroy). */
chat *chat_create(const server_config *cfg, char *err, size_t err_size);
/* The callbacks to hand to net_engine_create (user = the core). */
void chat_handlers(chat *c, net_handlers *h);
/* Tells the core its engine (needed to finish a shutdown). Before net_engine_run. */
void chat_attach(chat *c, net_engine *e);
/* Frees the core; after the engine's run has returned, and before net_engine_destroy: until
 * it returns, the core's journal writer thread may call net_engine_wake. */
void chat_destroy(chat *c);
/* Hands over freshly loaded settings from any thread; the core applies at its next tick those
 * that can change while it runs (name, motd, limits, timeouts, log level) and logs which others
 * need a restart. 0, or -1 if out of memory. */
int chat_request_reload(chat *c, const server_config *fresh);
/* Sessions currently connected (handshaking or chatting). */
size_t chat_session_count(const chat *c);
/* How many times an idle session's AES-GCM keys have been put to rest so far (a session that
 * is used again and then idles again counts again). */
size_t chat_keys_rested(const chat *c);
/* The lookup of a Windows group's members for group:NAME alert recipients, the contract of
 * group_members_list (group_members.h): fn gets each member "DOMAIN\\user". */
typedef int (*chat_group_lookup_fn)(const char *group,
                                    int (*fn)(void *user, const char *principal), void *user,
                                    size_t *groups_skipped, char *err, size_t err_size);
/* Tests: puts lookup in place of Windows' (NULL: Windows' again), which also lets group:
 * recipients be used without Windows sign-on. It runs on a thread of its own. Before the
 * first ALERT that names a group. */
void chat_set_group_lookup(chat *c, chat_group_lookup_fn lookup);

#endif
