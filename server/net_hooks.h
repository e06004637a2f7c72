/* net_hooks.h — test seams of the IOCP engine: moments at which a test can run its own code to
 * force an interleaving of threads that is otherwise a matter of luck. All NULL in production. */
#ifndef PARLEY_NET_HOOKS_H
#define PARLEY_NET_HOOKS_H

typedef struct net_hooks {
    void *user;
    /* An AcceptEx was just posted on the listener, with the core lock released (before the
     * engine re-takes it). */
    void (*after_accept_post)(void *user);
    /* An AcceptEx completion has been handled and the core lock released again. */
    void (*after_accept_done)(void *user);
    /* Before worker `index` (0 = the one that keeps the tick) waits on the completion port:
     * return nonzero to make that wait fail as if the port had broken. */
    int (*fail_wait)(void *user, int index);
    /* Nonzero: treat the Winsock provider as non-IFS (as behind a layered provider), so the
     * engine runs without skip-on-success and cancels through the base provider's handle. */
    int force_non_ifs;
} net_hooks;

/* Installs hooks (NULL = none) for engines created from now on. Not thread-safe: tests only. */
void net_hooks_set(const net_hooks *h);

#endif
