/* cli_reads.c — parley-cli's side of read receipts: which private messages the terminal has
 * shown, and the READ requests that tell their senders (through the server) so. */
#include "cli.h"

#include <string.h>

void cli_reads_shown(cli_reads *r, pcs_session *s, const proto_msg *m, const char *me,
                     int autoread)
{
    size_t i;

    if (m->id > r->newest)
        r->newest = m->id;
    if (!autoread || (strlen(me) == m->nick.n && memcmp(me, m->nick.p, m->nick.n) == 0))
        return; /* our own message, or a script: it says /read itself */
    if (!(m->flags & PROTO_FLAG_HISTORY)) {
        char peer[PROTO_NICK_MAX + 1];
        proto_str_copy(peer, sizeof peer, m->nick);
        pcs_read(s, peer, m->id);
        return;
    }
    /* A catch-up may replay hundreds: one READ per conversation at its end (cli_reads_flush)
     * instead of one per message, which the server's rate limit would refuse. */
    for (i = 0; i < r->npending; i++)
        if (strlen(r->pending[i].peer) == m->nick.n &&
            memcmp(r->pending[i].peer, m->nick.p, m->nick.n) == 0)
            break;
    if (i == r->npending) {
        if (r->npending == CLI_READS_MAX) {
            cli_reads_flush(r, s);
            i = 0;
        }
        proto_str_copy(r->pending[i].peer, sizeof r->pending[i].peer, m->nick);
        r->npending = i + 1;
    }
    if (m->id > r->pending[i].id)
        r->pending[i].id = m->id;
}

void cli_reads_flush(cli_reads *r, pcs_session *s)
{
    size_t i;
    for (i = 0; i < r->npending; i++)
        pcs_read(s, r->pending[i].peer, r->pending[i].id);
    memset(r->pending, 0, sizeof r->pending);
    r->npending = 0;
}
