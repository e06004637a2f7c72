/* net.h — the proactor interface between the portable chat core and an I/O engine
 * (net_iocp.c on Windows, net_epoll.c on Linux): start reading, queue bytes, close; callbacks
 * on completion. */
#ifndef PARLEY_NET_H
#define PARLEY_NET_H

#include <stddef.h>
#include <stdint.h>

#include "outq.h"

typedef struct net_engine net_engine;
typedef struct net_conn net_conn;

typedef struct net_options {
    const char *bind_addr;  /* numeric address to listen on; NULL or "" = every address (IPv6
                               dual-stack where available, else IPv4) */
    uint16_t port;          /* 0 = any free port (see net_engine_port) */
    int backlog;            /* listen backlog; 0 = the system's maximum */
    int accept_pool;        /* IOCP: AcceptEx calls kept posted; 0 = default (64) */
    int workers;            /* IOCP: worker threads; 0 = number of processors */
    uint32_t tick_ms;       /* period of on_tick; 0 = 250 ms */
    uint32_t read_chunk;    /* bytes read per receive; 0 = 64 KiB */
} net_options;

/* The core's callbacks. The engine never runs two of them at once (one thread, or one lock),
 * so the core needs no locking of its own. net_* functions below that take a net_conn may be
 * called only from inside a callback. */
typedef struct net_handlers {
    void *user;
    /* A connection was accepted from peer_addr ("192.0.2.1" or "2001:db8::1"). Return the
     * connection's context, or NULL to refuse it (the engine closes it). Reading starts when
     * this returns. */
    void *(*on_accept)(void *user, net_conn *c, const char *peer_addr);
    /* Bytes arrived on the connection whose context is ctx. */
    void (*on_data)(void *user, void *ctx, const uint8_t *data, size_t n);
    /* The connection is gone (peer closed, error, or net_close completed). Called exactly once
     * per accepted context, never from inside net_close, and nothing is called for ctx after
     * it: the core frees its context here. `why` is a short text ("peer closed",
     * "connection reset", "closed by server"). */
    void (*on_close)(void *user, void *ctx, const char *why);
    /* Called every tick_ms: timeouts, keepalive, rate refills. */
    void (*on_tick)(void *user, uint64_t now_ms);
    /* net_engine_stop was requested (signal, service control, operator). The core sends its
     * goodbyes, closes connections gracefully and then calls net_engine_finish. */
    void (*on_stop)(void *user);
    /* net_engine_wake was called (by another thread of the core, e.g. its journal writer).
     * Several wakes may come as one call. May be NULL. */
    void (*on_wake)(void *user);
    /* Seals, in place, a frame queued with net_commit_frame or net_send_frame: plain_len bytes
     * (header + body) followed by extra bytes of room. The engine's send path calls it when it
     * flushes, in queue order and never twice at once for one connection, but NOT under the
     * rule above: on IOCP it runs on the worker threads, in parallel, without the core lock.
     * So it may use only what of ctx the core leaves alone while the connection has bytes
     * queued (net_queued > 0), and ctx stays valid until on_close, which waits for it. Returns
     * 0, or nonzero to drop the connection. May be NULL if no frame is queued that way. */
    int (*on_seal)(void *user, void *ctx, uint8_t *frame, size_t plain_len, size_t extra);
} net_handlers;

/* Binds and listens. Returns NULL and writes "bind 0.0.0.0:7000: address in use" style text
 * into err on failure. */
net_engine *net_engine_create(const net_options *opt, const net_handlers *h, char *err,
                              size_t err_size);
/* Runs until the engine finishes (after net_engine_finish, or after the shutdown deadline).
 * Returns 0 on a clean finish. */
int net_engine_run(net_engine *e);
/* Safe from any thread and from a signal handler or service control handler: asks the core
 * (through on_stop) to shut down. */
void net_engine_stop(net_engine *e);
/* Safe from any thread: on_wake is called soon, like any callback (one at a time, under the
 * engine's rules), and what it queues is sent after it. Wakes while one is pending coalesce. */
void net_engine_wake(net_engine *e);
/* From a callback: stop accepting, wait until every connection is closed or deadline_ms has
 * passed (then close the rest abortively), and make net_engine_run return. */
void net_engine_finish(net_engine *e, uint32_t deadline_ms);
/* Releases everything; only after net_engine_run has returned (or was never called). */
void net_engine_destroy(net_engine *e);
/* The port actually bound. */
uint16_t net_engine_port(const net_engine *e);
/* "iocp" or "epoll". */
const char *net_engine_name(void);

/* ---- output: bytes are queued, and sent after the current callback returns, every queued
 * piece gathered into one send call (at most one send in flight per connection). ---- */

/* Space for n bytes at the end of the connection's queue, or NULL if the connection is
 * closing or memory ran out. Write the bytes, then net_commit(c, n) (possibly fewer). */
uint8_t *net_reserve(net_conn *c, size_t n);
void net_commit(net_conn *c, size_t n);
/* Copies n bytes into the queue. Returns 0, or -1 if the connection is closing / no memory. */
int net_send(net_conn *c, const void *data, size_t n);
/* Queues a reference to an immutable shared block (e.g. one xor-ciphered frame sent to a
 * whole room). Takes a reference of its own. Returns 0 or -1. */
int net_send_block(net_conn *c, outq_block *b);
/* After net_reserve(c, plain_len + extra): queues the first plain_len bytes as one frame to
 * be sealed by on_seal when the connection flushes, with extra bytes of room after it. */
void net_commit_frame(net_conn *c, size_t plain_len, size_t extra);
/* Queues a reference to a shared plaintext frame (all of b->len), which on_seal seals into
 * this connection's own copy of b->len + extra bytes when it flushes: the way a room message
 * reaches every member with the sealing work done by the send path, not by the core. Takes a
 * reference of its own. Returns 0 or -1. */
int net_send_frame(net_conn *c, outq_block *b, size_t extra);
/* Bytes queued and not yet acknowledged by a completed send; a frame to be sealed counts with
 * its seal. */
size_t net_queued(const net_conn *c);
/* Closes the connection. graceful: send what is queued (up to the engine's flush deadline),
 * then close; otherwise drop the queue and reset. on_close follows later. */
void net_close(net_conn *c, int graceful);

#endif
