/* net_iocp.c — the Windows I/O engine behind net.h: overlapped Winsock on one I/O completion
 * port, a pool of posted AcceptEx, zero-byte reads, one gathered WSASend per connection. */

/* Design
 *
 * Threads. net_engine_run's caller is worker 0 (it also keeps the tick); workers-1 more threads
 * are started. Every worker drains up to DRAIN_MAX completions per
 * GetQueuedCompletionStatusEx call.
 *
 * Locking: one lock. The core lock (a CRITICAL_SECTION) guards the core's callbacks AND every
 * field of the engine and of its connections (state, queue, counts, lists). A second,
 * per-connection lock was considered and rejected: net_send on connection B is called while a
 * callback for connection A runs, so it would have to be taken under the core lock, while a
 * send completion would want it first and the core lock second — an order that must then be
 * policed everywhere, to save what is only a few bookkeeping instructions under one lock.
 * What costs time — the socket calls, ~100 us each under Wine — is made with the lock RELEASED,
 * so workers overlap their Winsock calls while one of them runs the core.
 *
 * Sealing. A frame the core queued as plaintext (net_commit_frame, net_send_frame: every
 * AES-256-GCM frame, a room message as one shared block) is sealed by conn_seal just before the
 * send that takes it, with the lock RELEASED, so the workers seal in parallel while the core
 * runs. conn_seal owns c's send path the way a send in flight does (c->sending), so a send
 * completion or another worker's flush cannot seal or send for c meanwhile: c's frames are
 * sealed one batch at a time, oldest first, and its nonces go out in order. on_close for c
 * waits until the seal is done (c->sealing): the core frees the cipher state with the context.
 *
 * Lifetime. A connection embeds one op per direction (OVERLAPPED first; a completion maps back
 * with CONTAINING_RECORD). c->pending counts the ops in flight plus "pins": a thread that drops
 * the lock to make a socket call on c holds a pin across it, because the op it posts may
 * complete, and be handled on another thread, before the call even returns. The connection is
 * freed — closesocket, then free — only when it is ST_CLOSING, nothing is pending or pinned,
 * it is off the dirty list and on_close has been delivered. closesocket therefore never races a
 * socket call by another thread (a reused handle value cannot be hit). To stop I/O early the
 * engine uses CancelIoEx (through the base provider's handle as well behind a non-IFS layered
 * provider); a thread that posts an op while a close happened meanwhile sees the state after
 * its call and cancels again. unlocked_call is the one place that drops the lock for a call;
 * conn_call and accept_post re-check what may have changed meanwhile. The listener works the
 * same way, with listen_calls as its pin count.
 *
 * Batching. Callbacks only queue: net_send and friends put the connection on the dirty list.
 * After a callback returns, flush_dirty starts one WSASend per dirty connection with every
 * queued piece gathered, delivers pending on_close calls and frees finished connections. A
 * send completion queues the connection again, which starts the next send at once.
 *
 * Closing. Graceful: ST_FLUSHING until the queue is sent, then shutdown(SD_SEND) and ST_LINGER,
 * still reading (and discarding) so unread input does not turn our close into a reset that
 * could destroy the tail of what we sent; the peer's FIN or LINGER_MS ends it. Abortive:
 * ST_CLOSING with SO_LINGER {1,0} before closesocket. No DisconnectEx: under Wine it never
 * completes in skip-on-success mode. */

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <process.h>

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "net_hooks.h"
#include "sock.h"

#define DEFAULT_ACCEPT_POOL 64
#define DEFAULT_TICK_MS 250u
#define DEFAULT_READ_CHUNK 65536u
#define MAX_READ_CHUNK (16u << 20)
#define MAX_WORKERS 64
#define DRAIN_MAX 128        /* completions taken per GetQueuedCompletionStatusEx */
#define SEND_IOV_MAX 64      /* queued pieces gathered into one WSASend */
/* Bytes per WSASend. Chat traffic never comes near it, so it still coalesces everything; bulk
 * output goes in steps, so net_queued shows progress to a slow peer and sent blocks are
 * released as they go instead of when the whole backlog is through. */
#define SEND_BYTES_MAX (1u << 20)
#define READ_BUDGET 16       /* recv calls for one connection before it yields the worker */
#define FLUSH_MS 10000u      /* a graceful close gets this long to send what is queued */
#define LINGER_MS 2000u      /* ...and this long afterwards for the peer's FIN */
#define ADDR_SLOT ((DWORD)(sizeof(SOCKADDR_STORAGE) + 16)) /* AcceptEx wants 16 spare bytes */

/* Completion keys of the packets the engine posts to itself (lpOverlapped NULL). */
#define KEY_STOP 1
#define KEY_EXIT 2
#define KEY_WAKE 3

enum op_kind { OP_RECV = 1, OP_SEND, OP_ACCEPT };

enum conn_state {
    ST_OPEN,     /* reading and writing for the core */
    ST_FLUSHING, /* graceful close: sending what is queued; input discarded */
    ST_LINGER,   /* sent and shut down; waiting (discarding input) for the peer's FIN */
    ST_CLOSING   /* cancelling; closed and freed once nothing is pending */
};

typedef struct iocp_op {
    OVERLAPPED ov; /* first: a completion's OVERLAPPED* is the op */
    int kind;
} iocp_op;

typedef struct accept_op {
    iocp_op op;
    SOCKET sock; /* the socket being accepted into */
    struct accept_op *next_free;
    char addrs[2 * ADDR_SLOT];
} accept_op;

struct net_conn {
    iocp_op recv_op; /* the zero-byte read (or a re-queued "keep reading" packet) */
    iocp_op send_op; /* the one WSASend in flight */
    net_engine *e;
    SOCKET sock;
    void *ctx;       /* the core's; non-NULL while on_close is owed */
    const char *why; /* reason on_close will give */
    outq q;
    net_conn *prev, *next; /* the engine's list of connections */
    net_conn *dirty_next;
    uint64_t deadline;     /* end of ST_FLUSHING or ST_LINGER */
    unsigned pending;      /* ops in flight + threads inside a socket call on sock */
    unsigned char state;
    unsigned char reading;    /* the read side is owned by an op or a thread */
    unsigned char sending;    /* a WSASend is in flight (or being made), or frames are being
                                 sealed: whoever set it owns c's send path alone */
    unsigned char sealing;    /* frames are being sealed (lock released): on_close waits */
    unsigned char in_dirty;
    unsigned char report_due; /* on_close must be delivered */
    unsigned char peer_eof;
    unsigned char abortive;   /* reset on close */
    unsigned char skip_mode;  /* FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is on */
    unsigned char active;     /* queued something since the last tick */
    SOCKET cancel;            /* handle that cancels I/O on sock (see cancel_handle_of) */
};

struct net_engine {
    net_handlers h;
    HANDLE port;
    CRITICAL_SECTION lock;
    volatile DWORD lock_owner; /* thread id holding the core lock, for asserts */
    int in_callback;
    int lock_ok, wsa_ok, ran;

    SOCKET listen_sock;
    int family;
    uint16_t bound_port;
    int backlog;
    int use_skip; /* the provider hands out IFS handles: skip-on-success is safe */
    LPFN_ACCEPTEX accept_ex;
    LPFN_GETACCEPTEXSOCKADDRS accept_addrs;
    accept_op *accepts;
    int naccepts;
    accept_op *free_accepts;
    int accepts_pending; /* AcceptEx posted (or being posted) */
    unsigned listen_calls; /* threads inside a call on listen_sock */
    int listening;
    SOCKET listen_cancel; /* handle that cancels I/O on listen_sock */
    net_hooks hooks;      /* test seams (net_hooks.h); all empty in production */

    int nworkers;
    uint32_t tick_ms;
    uint32_t read_chunk;

    net_conn *conns;
    size_t nconns;
    net_conn *dirty_head, *dirty_tail;

    int finishing, exiting;
    int failed; /* a wait on the completion port failed: the engine gave up */
    volatile LONG wake_posted; /* a KEY_WAKE packet is in the port: later wakes coalesce */
    uint64_t finish_deadline;
};

typedef struct worker {
    net_engine *e;
    int index; /* 0 keeps the tick */
    uint8_t *buf; /* receive buffer: read_chunk bytes, this thread's own */
    size_t cap;
    int ticks;
    int flush_due; /* data was handed to the core in this batch: flush once at its end */
    HANDLE thread;
} worker;

/* ---- small helpers ---- */

static net_hooks hooks; /* copied into each engine at creation */

void net_hooks_set(const net_hooks *h)
{
    if (h)
        hooks = *h;
    else
        memset(&hooks, 0, sizeof hooks);
}

/* The handle that cancels I/O on s. A layered (non-IFS) provider may pass our overlapped calls
 * down to the base provider's socket, where CancelIoEx on the layered handle does not reach
 * them; libuv cancels through SIO_BASE_HANDLE for that reason. IFS providers: s itself. */
static SOCKET cancel_handle_of(const net_engine *e, SOCKET s)
{
    SOCKET base = INVALID_SOCKET;
    DWORD got = 0;

    if (e->use_skip)
        return s;
    if (WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &base, (DWORD)sizeof base, &got, NULL, NULL) != 0 ||
        base == INVALID_SOCKET)
        return s;
    return base;
}

/* Cancels ov (NULL: all I/O) on s, and through the base provider's handle too when it differs. */
static void cancel_io(SOCKET s, SOCKET base, OVERLAPPED *ov)
{
    CancelIoEx((HANDLE)s, ov);
    if (base != s)
        CancelIoEx((HANDLE)base, ov);
}

/* The reason on_close gives for a failed socket operation. */
static const char *why_error(int err)
{
    switch (err) {
    case WSAECONNRESET:
    case WSAECONNABORTED:
    case WSAENETRESET:
    case WSAESHUTDOWN:
    case ERROR_NETNAME_DELETED:
    case ERROR_CONNECTION_ABORTED: return "connection reset";
    case WSAETIMEDOUT:
    case ERROR_SEM_TIMEOUT: return "connection timed out";
    default: return "connection error";
    }
}

/* A completed op failed: NTSTATUS error or warning in Internal. */
static int op_failed(const iocp_op *op)
{
    return ((ULONG)op->ov.Internal & 0x80000000u) != 0;
}

/* The Winsock error of a failed op (s must still be open: the op pins it). */
static int op_error(SOCKET s, iocp_op *op)
{
    DWORD bytes = 0, flags = 0;
    if (WSAGetOverlappedResult(s, &op->ov, &bytes, FALSE, &flags))
        return 0;
    return WSAGetLastError();
}

/* The peer's address as the core sees it (sock_format_ip: IPv4 clients of a dual-stack
 * listener are shown as plain IPv4). */
static void format_peer(const struct sockaddr *sa, int len, char *out, size_t n)
{
    if (sa && sa->sa_family == AF_INET6 && len >= (int)sizeof(struct sockaddr_in6))
        sock_format_ip(out, n, ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, 16);
    else if (sa && sa->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in))
        sock_format_ip(out, n, (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr,
                       4);
    else
        snprintf(out, n, "?");
}

/* ---- the core lock and callbacks ---- */

static void core_lock(net_engine *e)
{
    EnterCriticalSection(&e->lock);
    assert(e->lock_owner == 0);
    e->lock_owner = GetCurrentThreadId();
}

static void core_unlock(net_engine *e)
{
    /* Never released inside a callback: the core relies on running alone. */
    assert(e->lock_owner == GetCurrentThreadId() && e->in_callback == 0);
    e->lock_owner = 0;
    LeaveCriticalSection(&e->lock);
}

/* net_* functions that take a connection are for callbacks only (under the core lock). */
static void assert_in_callback(const net_engine *e)
{
    assert(e->lock_owner == GetCurrentThreadId() && e->in_callback > 0);
    (void)e;
}

static void *cb_accept(net_engine *e, net_conn *c, const char *peer)
{
    void *ctx;
    e->in_callback++;
    ctx = e->h.on_accept(e->h.user, c, peer);
    e->in_callback--;
    return ctx;
}

static void cb_data(net_engine *e, void *ctx, const uint8_t *p, size_t n)
{
    e->in_callback++;
    e->h.on_data(e->h.user, ctx, p, n);
    e->in_callback--;
}

static void cb_close(net_engine *e, void *ctx, const char *why)
{
    e->in_callback++;
    e->h.on_close(e->h.user, ctx, why);
    e->in_callback--;
}

static void cb_tick(net_engine *e, uint64_t now)
{
    if (!e->h.on_tick)
        return;
    e->in_callback++;
    e->h.on_tick(e->h.user, now);
    e->in_callback--;
}

static void cb_wake(net_engine *e)
{
    if (!e->h.on_wake)
        return;
    e->in_callback++;
    e->h.on_wake(e->h.user);
    e->in_callback--;
}

static void cb_stop(net_engine *e)
{
    if (!e->h.on_stop)
        return;
    e->in_callback++;
    e->h.on_stop(e->h.user);
    e->in_callback--;
}

/* Makes a socket call with the core lock released — the one place the engine does — holding a
 * pin on what the call uses (a connection's pending count, or listen_calls) so nothing closes
 * it meanwhile: pin, unlock, call, relock, unpin. The caller re-checks afterwards what may have
 * changed while the lock was free. Returns what call returns (0 or a Winsock error). */
static int unlocked_call(net_engine *e, unsigned *pins, int (*call)(void *arg), void *arg)
{
    int err;

    (*pins)++;
    core_unlock(e);
    err = call(arg);
    core_lock(e);
    assert(*pins > 0);
    (*pins)--;
    return err;
}

/* ---- connection bookkeeping (all under the core lock) ---- */

static void dirty_push(net_engine *e, net_conn *c)
{
    if (c->in_dirty)
        return;
    c->in_dirty = 1;
    c->dirty_next = NULL;
    if (e->dirty_tail)
        e->dirty_tail->dirty_next = c;
    else
        e->dirty_head = c;
    e->dirty_tail = c;
}

static net_conn *dirty_pop(net_engine *e)
{
    net_conn *c = e->dirty_head;
    if (!c)
        return NULL;
    e->dirty_head = c->dirty_next;
    if (!e->dirty_head)
        e->dirty_tail = NULL;
    c->in_dirty = 0;
    c->dirty_next = NULL;
    return c;
}

/* Drops one pending count; a closing connection with none left is queued to be freed. */
static void conn_release(net_engine *e, net_conn *c)
{
    assert(c->pending > 0);
    if (--c->pending == 0 && c->state == ST_CLOSING)
        dirty_push(e, c);
}

/* The core must hear that the connection is gone (once, after the current callback). */
static void conn_note_gone(net_engine *e, net_conn *c, const char *why)
{
    if (!c->ctx || c->report_due)
        return;
    c->report_due = 1;
    c->why = why;
    dirty_push(e, c);
}

static void conn_enter_closing(net_engine *e, net_conn *c, int abortive)
{
    if (abortive)
        c->abortive = 1;
    if (c->state == ST_CLOSING)
        return;
    c->state = ST_CLOSING;
    /* Unblocks a parked zero-byte read or a send the peer is not draining. A thread that is
     * between the lock and its own call misses this; it re-checks the state afterwards. */
    if (c->reading || c->sending)
        cancel_io(c->sock, c->cancel, NULL);
    dirty_push(e, c);
}

static void conn_abort(net_engine *e, net_conn *c, const char *why)
{
    conn_note_gone(e, c, why);
    conn_enter_closing(e, c, 1);
}

static void engine_check_exit(net_engine *e)
{
    if (!e->finishing || e->exiting || e->nconns > 0 || e->listen_sock != INVALID_SOCKET)
        return;
    e->exiting = 1;
    /* One packet: each worker that takes it posts it again for the next one. */
    PostQueuedCompletionStatus(e->port, 0, KEY_EXIT, NULL);
}

/* Frees c if it is closing, idle, off the dirty list and reported. */
static void conn_try_free(net_engine *e, net_conn *c)
{
    if (c->state != ST_CLOSING || c->pending > 0 || c->in_dirty)
        return;
    assert(!c->ctx && !c->report_due && !c->reading && !c->sending);
    if (c->abortive) {
        struct linger lg;
        lg.l_onoff = 1;
        lg.l_linger = 0;
        setsockopt(c->sock, SOL_SOCKET, SO_LINGER, (const char *)&lg, (int)sizeof lg);
    }
    closesocket(c->sock);
    outq_free(&c->q);
    if (c->prev)
        c->prev->next = c->next;
    else
        e->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    e->nconns--;
    free(c);
    engine_check_exit(e);
}

/* unlocked_call for a call that posts op on c. The op must already be counted in c->pending.
 * If c began closing meanwhile, its close cancelled too early to see op: cancel it now. The op
 * may also have completed, and been handled by another worker, while the lock was free (always
 * possible without skip-on-success mode, where even an immediate success queues a completion):
 * then nothing may be pending any more, and the dirty list gives c its chance to be freed. */
static int conn_call(net_engine *e, net_conn *c, iocp_op *op, int (*call)(void *arg), void *arg)
{
    int err = unlocked_call(e, &c->pending, call, arg);

    if ((err == 0 || err == WSA_IO_PENDING) && c->state == ST_CLOSING)
        cancel_io(c->sock, c->cancel, &op->ov);
    if (c->pending == 0)
        dirty_push(e, c);
    return err;
}

typedef struct send_args {
    net_conn *c;
    WSABUF *bufs;
    DWORD n, sent;
} send_args;

static int call_send(void *arg)
{
    send_args *a = arg;
    if (WSASend(a->c->sock, a->bufs, a->n, &a->sent, 0, &a->c->send_op.ov, NULL) == 0)
        return 0;
    return WSAGetLastError();
}

/* What seal_frame needs to reach the core's on_seal for one connection. */
typedef struct seal_args {
    net_engine *e;
    void *ctx;
    outq_seal_job *jobs;
    size_t n;
} seal_args;

static int seal_frame(void *arg, uint8_t *frame, size_t plain_len, size_t extra)
{
    seal_args *a = arg;
    return a->e->h.on_seal(a->e->h.user, a->ctx, frame, plain_len, extra);
}

static int call_seal(void *arg)
{
    seal_args *a = arg;
    return outq_seal_run(a->jobs, a->n, seal_frame, a) != 0 ? -1 : 0;
}

/* Seals up to max frames waiting at the front of c's queue (see on_seal in net.h) with the
 * core lock released: the AES work of a room message runs here, on the worker threads in
 * parallel. c->sending is set meanwhile, as for a send in flight, so neither a send completion
 * nor another worker's flush can seal or send for c until this is done: c's frames are sealed
 * in queue order, one batch at a time, and go out only after. Returns 0, or -1 with c aborted. */
static int conn_seal(net_engine *e, net_conn *c, size_t max)
{
    outq_seal_job jobs[SEND_IOV_MAX];
    seal_args a;
    int err;

    assert(!c->sending && max <= SEND_IOV_MAX);
    a.n = outq_seal_begin(&c->q, jobs, max);
    if (a.n == (size_t)-1) {
        conn_abort(e, c, "out of memory");
        return -1;
    }
    a.e = e;
    a.ctx = c->ctx;
    a.jobs = jobs;
    c->sending = 1;
    c->sealing = 1;
    err = a.ctx ? unlocked_call(e, &c->pending, call_seal, &a) : -1;
    c->sending = 0;
    c->sealing = 0;
    outq_seal_end(&c->q, a.n);
    if (c->report_due)
        dirty_push(e, c); /* an on_close held back while the seal ran */
    if (err != 0) {
        conn_abort(e, c, "could not seal a frame");
        return -1;
    }
    return 0;
}

/* Starts a gathered WSASend while something is queued and none is in flight, sealing first
 * what waits to be sealed. May release and re-take the core lock (c is pinned meanwhile). */
static void conn_send_more(net_engine *e, net_conn *c)
{
    outq_iov iov[SEND_IOV_MAX];
    WSABUF bufs[SEND_IOV_MAX];

    while (!c->sending && c->q.bytes > 0 && (c->state == ST_OPEN || c->state == ST_FLUSHING)) {
        size_t i, total = 0, n = outq_gather(&c->q, iov, SEND_IOV_MAX, NULL);
        send_args args;
        int err, in_flight;

        if (n < SEND_IOV_MAX && n < c->q.count) {
            /* The next piece is a frame still to be sealed; then look again, since the lock
             * was released (more may be queued, or c may be closing). */
            if (conn_seal(e, c, SEND_IOV_MAX - n) != 0)
                return;
            continue;
        }

        for (i = 0; i < n; i++) {
            size_t len = iov[i].n;
            if (len > SEND_BYTES_MAX - total)
                len = SEND_BYTES_MAX - total; /* the rest of this piece goes next time */
            bufs[i].buf = (CHAR *)iov[i].p;
            bufs[i].len = (ULONG)len;
            total += len;
            if (total == SEND_BYTES_MAX) {
                n = i + 1;
                break;
            }
        }
        c->sending = 1;
        c->pending++; /* the op */
        memset(&c->send_op.ov, 0, sizeof c->send_op.ov);
        args.c = c;
        args.bufs = bufs;
        args.n = (DWORD)n;
        args.sent = 0;
        err = conn_call(e, c, &c->send_op, call_send, &args);
        in_flight = 0;
        if (err == 0 && c->skip_mode) {
            /* Done already, and in skip mode no completion packet will follow. */
            c->sending = 0;
            outq_consume(&c->q, args.sent);
            c->active = 1;
            conn_release(e, c);
        } else if (err != 0 && err != WSA_IO_PENDING) {
            c->sending = 0;
            conn_abort(e, c, why_error(err));
            conn_release(e, c);
        } else {
            in_flight = 1;
        }
        if (in_flight)
            break; /* its completion starts the next one */
    }
}

/* A graceful close has sent everything: half-close, then wait for the peer's FIN. */
static void conn_flushed(net_engine *e, net_conn *c)
{
    shutdown(c->sock, SD_SEND);
    conn_note_gone(e, c, c->why ? c->why : "closed by server");
    if (c->peer_eof || !c->reading) {
        conn_enter_closing(e, c, 0);
    } else {
        c->state = ST_LINGER;
        c->deadline = GetTickCount64() + LINGER_MS;
    }
}

/* Runs after every callback (and completion): starts sends, moves closes along, delivers
 * on_close, frees finished connections. Called with the lock held, never inside a callback. */
static void flush_dirty(net_engine *e)
{
    net_conn *c;
    while ((c = dirty_pop(e)) != NULL) {
        if (c->state == ST_OPEN || c->state == ST_FLUSHING)
            conn_send_more(e, c);
        if (c->state == ST_FLUSHING && !c->sending && c->q.bytes == 0)
            conn_flushed(e, c);
        if (c->report_due && !c->sealing) {
            void *ctx = c->ctx;
            c->ctx = NULL;
            c->report_due = 0;
            cb_close(e, ctx, c->why);
        }
        conn_try_free(e, c);
    }
}

/* ---- reading ---- */

static void conn_read_end(net_engine *e, net_conn *c)
{
    assert(c->reading);
    c->reading = 0;
    conn_release(e, c);
}

static void conn_peer_eof(net_engine *e, net_conn *c)
{
    c->peer_eof = 1;
    switch (c->state) {
    case ST_OPEN:
        conn_note_gone(e, c, "peer closed");
        if (c->sending || c->q.bytes > 0) {
            /* Perhaps only half-closed: what the core queued still goes out. */
            c->state = ST_FLUSHING;
            c->deadline = GetTickCount64() + FLUSH_MS;
            dirty_push(e, c);
        } else {
            conn_enter_closing(e, c, 0);
        }
        break;
    case ST_FLUSHING:
        dirty_push(e, c);
        break;
    case ST_LINGER:
        conn_enter_closing(e, c, 0);
        break;
    default:
        break;
    }
}

static int call_zero_read(void *arg)
{
    net_conn *c = arg;
    WSABUF none;
    DWORD got = 0, flags = 0;

    none.len = 0;
    none.buf = NULL;
    if (WSARecv(c->sock, &none, 1, &got, &flags, &c->recv_op.ov, NULL) == 0)
        return 0;
    return WSAGetLastError();
}

/* Posts the zero-byte WSARecv with the lock released; c's read side (and its pending count,
 * which the op inherits) is owned by the caller. The completion may be handled elsewhere
 * before WSARecv returns, hence the pin conn_call holds. Returns 1 when it completed at once
 * (input or the end of the stream is waiting: read now), 0 when it is in flight or the read
 * side has ended. */
static int conn_post_read(net_engine *e, net_conn *c)
{
    int err;

    memset(&c->recv_op.ov, 0, sizeof c->recv_op.ov);
    err = conn_call(e, c, &c->recv_op, call_zero_read, c);
    if (err == 0 && c->skip_mode)
        return 1;
    if (err != 0 && err != WSA_IO_PENDING) {
        conn_read_end(e, c);
        if (c->state != ST_CLOSING)
            conn_abort(e, c, why_error(err));
    }
    return 0;
}

/* The caller owns c's read side (c->reading, one pending count) and holds the lock: reads what
 * is available with non-blocking recv into the worker's buffer, hands it to the core, and
 * leaves a zero-byte read posted — or ends the read side. ready: input is known to be waiting.
 * c may be freed once this returns. */
static void conn_read(net_engine *e, worker *w, net_conn *c, int ready)
{
    int budget = READ_BUDGET;

    for (;;) {
        int n, err = 0;

        if (c->state == ST_CLOSING) {
            conn_read_end(e, c);
            return;
        }
        if (!ready) {
            if (!conn_post_read(e, c))
                return;
            ready = 1;
            continue;
        }
        if (budget-- == 0) {
            /* A busy peer: go to the back of the port's queue so others get this worker. */
            memset(&c->recv_op.ov, 0, sizeof c->recv_op.ov);
            if (PostQueuedCompletionStatus(e->port, 0, 0, &c->recv_op.ov))
                return;
            budget = READ_BUDGET;
        }
        core_unlock(e);
        n = recv(c->sock, (char *)w->buf, (int)w->cap, 0);
        if (n == SOCKET_ERROR)
            err = WSAGetLastError();
        core_lock(e);
        if (n > 0) {
            if (c->state == ST_OPEN) {
                assert(c->ctx);
                cb_data(e, c->ctx, w->buf, (size_t)n);
                /* Sends start once per batch of completions (worker_loop), so what several
                 * senders' messages queue to the same members goes out in one WSASend each. */
                w->flush_due = 1;
            }
            /* A short read has emptied the socket's buffer: skip the recv that would only
             * say WSAEWOULDBLOCK and park a zero-byte read instead. */
            ready = (size_t)n == w->cap;
        } else if (n == 0) {
            conn_read_end(e, c);
            conn_peer_eof(e, c);
            return;
        } else if (err == WSAEWOULDBLOCK) {
            ready = 0;
        } else {
            conn_read_end(e, c);
            if (c->state != ST_CLOSING)
                conn_abort(e, c, why_error(err));
            return;
        }
    }
}

/* ---- completions for connections ---- */

static void conn_send_done(net_engine *e, net_conn *c, int ok, DWORD bytes)
{
    assert(c->sending);
    if (!ok) {
        int err = op_error(c->sock, &c->send_op);
        c->sending = 0;
        if (c->state != ST_CLOSING)
            conn_abort(e, c, why_error(err));
        conn_release(e, c);
        return;
    }
    c->sending = 0;
    if (c->state != ST_CLOSING) {
        outq_consume(&c->q, bytes);
        c->active = 1;
        dirty_push(e, c); /* flush_dirty sends the rest or finishes a graceful close */
    }
    conn_release(e, c);
}

static void conn_recv_done(net_engine *e, worker *w, net_conn *c, int ok)
{
    int err;
    assert(c->reading);
    if (ok) {
        conn_read(e, w, c, 1);
        return;
    }
    err = op_error(c->sock, &c->recv_op);
    conn_read_end(e, c);
    if (c->state != ST_CLOSING)
        conn_abort(e, c, why_error(err));
}

/* ---- accepting ---- */

static void accept_slot_free(net_engine *e, accept_op *a)
{
    a->sock = INVALID_SOCKET;
    a->next_free = e->free_accepts;
    e->free_accepts = a;
}

/* Closes the listening socket once no AcceptEx is posted and no call is being made on it. */
static void listener_maybe_close(net_engine *e)
{
    if (e->listening || e->accepts_pending > 0 || e->listen_calls > 0 ||
        e->listen_sock == INVALID_SOCKET)
        return;
    closesocket(e->listen_sock);
    e->listen_sock = INVALID_SOCKET;
    engine_check_exit(e);
}

typedef struct accept_args {
    net_engine *e;
    accept_op *a;
    SOCKET ls;
} accept_args;

/* Creates the socket to accept into and posts AcceptEx; on failure closes that socket. */
static int call_accept(void *arg)
{
    accept_args *x = arg;
    net_engine *e = x->e;
    DWORD got = 0;
    int err = 0;
    SOCKET s = WSASocketW(e->family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);

    if (s == INVALID_SOCKET)
        return WSAGetLastError();
    x->a->sock = s;
    memset(&x->a->op.ov, 0, sizeof x->a->op.ov);
    /* The listener has no skip-on-success: a packet comes even if this returns TRUE. */
    if (!e->accept_ex(x->ls, s, x->a->addrs, 0, ADDR_SLOT, ADDR_SLOT, &got, &x->a->op.ov)) {
        err = WSAGetLastError();
        if (err == ERROR_IO_PENDING)
            err = 0;
    }
    if (err) {
        closesocket(s);
        x->a->sock = INVALID_SOCKET;
    } else if (e->hooks.after_accept_post) {
        e->hooks.after_accept_post(e->hooks.user);
    }
    return err;
}

/* Posts AcceptEx on slot a (the lock is released for the calls). Returns 0, or -1 with a back
 * on the free list (the next tick tries again). */
static int accept_post(net_engine *e, accept_op *a)
{
    accept_args args;
    int err;

    args.e = e;
    args.a = a;
    args.ls = e->listen_sock;
    e->accepts_pending++;
    err = unlocked_call(e, &e->listen_calls, call_accept, &args);
    if (err) {
        e->accepts_pending--;
        accept_slot_free(e, a);
    } else if (!e->listening) {
        cancel_io(args.ls, e->listen_cancel, &a->op.ov); /* the listener closed meanwhile */
    }
    /* On either path: a completion handled during the call could not close the listener
     * while we held it, so this may be the last chance to. */
    listener_maybe_close(e);
    return err ? -1 : 0;
}

static void accept_top_up(net_engine *e)
{
    while (e->listening && e->free_accepts) {
        accept_op *a = e->free_accepts;
        e->free_accepts = a->next_free;
        if (accept_post(e, a) != 0)
            break;
    }
}

/* Readies an accepted socket (lock released). Returns 0 or -1. */
static int accept_prepare(net_engine *e, accept_op *a, SOCKET s, SOCKET ls, char *peer,
                          size_t peer_size, int *skip, SOCKET *cancel)
{
    struct sockaddr *local = NULL, *remote = NULL;
    INT llen = 0, rlen = 0;
    u_long nonblocking = 1;
    BOOL nodelay = TRUE;

    if (setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (const char *)&ls, (int)sizeof ls) != 0)
        return -1;
    e->accept_addrs(a->addrs, 0, ADDR_SLOT, ADDR_SLOT, &local, &llen, &remote, &rlen);
    format_peer(remote, rlen, peer, peer_size);
    if (!CreateIoCompletionPort((HANDLE)s, e->port, 0, 0))
        return -1;
    *cancel = cancel_handle_of(e, s);
    *skip = e->use_skip &&
            SetFileCompletionNotificationModes((HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                                                              FILE_SKIP_SET_EVENT_ON_HANDLE);
    /* Only the draining recv calls are non-overlapped; they must never block a worker. */
    if (ioctlsocket(s, (long)FIONBIO, &nonblocking) != 0)
        return -1;
    /* Sends are already coalesced; Nagle would only add a round trip of latency. */
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, (int)sizeof nodelay);
    return 0;
}

/* A new connection on socket s: ask the core, then start reading. Lock held. */
static void conn_accepted(net_engine *e, worker *w, SOCKET s, SOCKET cancel, int skip,
                          const char *peer)
{
    net_conn *c;
    void *ctx;

    if (e->finishing || (c = calloc(1, sizeof *c)) == NULL) {
        closesocket(s);
        return;
    }
    c->recv_op.kind = OP_RECV;
    c->send_op.kind = OP_SEND;
    c->e = e;
    c->sock = s;
    c->cancel = cancel;
    c->skip_mode = (unsigned char)(skip != 0);
    c->state = ST_OPEN;
    outq_init(&c->q);
    c->next = e->conns;
    if (e->conns)
        e->conns->prev = c;
    e->conns = c;
    e->nconns++;

    ctx = cb_accept(e, c, peer);
    c->ctx = ctx;
    if (!ctx) {
        /* Refused: whatever the core queued (a "server full" frame) still goes out. */
        if (c->state == ST_OPEN) {
            c->state = ST_FLUSHING;
            c->deadline = GetTickCount64() + FLUSH_MS;
            dirty_push(e, c);
        }
    } else if (c->state == ST_CLOSING || c->state == ST_LINGER) {
        conn_note_gone(e, c, c->why ? c->why : "closed by server"); /* net_close in on_accept */
    }
    c->reading = 1;
    c->pending++;
    conn_read(e, w, c, 0);
}

/* An AcceptEx completed (called without the lock). */
static void accept_done(worker *w, accept_op *a, int ok)
{
    net_engine *e = w->e;
    SOCKET s = a->sock, cancel = INVALID_SOCKET;
    SOCKET ls = e->listen_sock; /* stays open while this op is counted in accepts_pending */
    char peer[INET6_ADDRSTRLEN + 8];
    int skip = 0, err = 0;

    a->sock = INVALID_SOCKET;
    if (ok) {
        if (accept_prepare(e, a, s, ls, peer, sizeof peer, &skip, &cancel) != 0)
            ok = 0;
    } else {
        err = op_error(ls, &a->op);
    }
    if (!ok) {
        closesocket(s);
        s = INVALID_SOCKET;
    }
    core_lock(e);
    e->accepts_pending--;
    if (!e->listening) {
        accept_slot_free(e, a);
        listener_maybe_close(e);
    } else if (err && err != ERROR_NETNAME_DELETED && err != WSAECONNRESET &&
               err != WSAECONNABORTED && err != ERROR_CONNECTION_ABORTED) {
        /* Not one peer's bad luck: retry from the tick rather than spin on the error. */
        accept_slot_free(e, a);
    } else {
        accept_post(e, a); /* re-post at once; on failure the tick retries */
    }
    if (s != INVALID_SOCKET)
        conn_accepted(e, w, s, cancel, skip, peer);
    flush_dirty(e);
    core_unlock(e);
    if (e->hooks.after_accept_done)
        e->hooks.after_accept_done(e->hooks.user);
}

/* ---- workers ---- */

/* Handles one dequeued packet. Returns 1 when the worker should exit. */
static int dispatch(worker *w, const OVERLAPPED_ENTRY *ent)
{
    net_engine *e = w->e;
    iocp_op *op = (iocp_op *)ent->lpOverlapped;
    int ok;

    if (!op) {
        if (ent->lpCompletionKey == KEY_EXIT) {
            PostQueuedCompletionStatus(e->port, 0, KEY_EXIT, NULL); /* for the next worker */
            return 1;
        }
        if (ent->lpCompletionKey == KEY_STOP) {
            core_lock(e);
            if (!e->finishing)
                cb_stop(e);
            flush_dirty(e);
            core_unlock(e);
        } else if (ent->lpCompletionKey == KEY_WAKE) {
            /* Cleared before the callback: a wake during it posts a new packet. */
            InterlockedExchange(&e->wake_posted, 0);
            core_lock(e);
            cb_wake(e);
            flush_dirty(e);
            core_unlock(e);
        }
        return 0;
    }
    ok = !op_failed(op);
    if (op->kind == OP_ACCEPT) {
        accept_done(w, CONTAINING_RECORD(op, accept_op, op), ok);
        return 0;
    }
    core_lock(e);
    if (op->kind == OP_RECV) {
        conn_recv_done(e, w, CONTAINING_RECORD(op, net_conn, recv_op), ok);
    } else {
        assert(op->kind == OP_SEND);
        conn_send_done(e, CONTAINING_RECORD(op, net_conn, send_op), ok,
                       ent->dwNumberOfBytesTransferred);
    }
    if (!w->flush_due)
        flush_dirty(e);
    core_unlock(e);
    return 0;
}

/* Deadlines of closing connections and of net_engine_finish. Lock held. */
static void engine_deadlines(net_engine *e, uint64_t now)
{
    net_conn *c;
    for (c = e->conns; c; c = c->next) {
        if (c->state == ST_CLOSING)
            continue;
        if (e->finishing && now >= e->finish_deadline)
            conn_abort(e, c, "closed by server");
        else if (c->state == ST_FLUSHING && now >= c->deadline)
            conn_abort(e, c, c->why ? c->why : "closed by server");
        else if (c->state == ST_LINGER && now >= c->deadline)
            conn_enter_closing(e, c, 0);
    }
}

/* Returns 1 once the engine is exiting. */
static int engine_tick(worker *w, uint64_t now)
{
    net_engine *e = w->e;
    net_conn *c;
    int exiting;

    core_lock(e);
    if (!e->exiting) {
        cb_tick(e, now);
        engine_deadlines(e, now);
        for (c = e->conns; c; c = c->next) {
            /* Give back the output memory of connections that stayed idle a whole tick. */
            if (c->q.count == 0 && !c->sending) {
                if (c->active)
                    c->active = 0;
                else
                    outq_trim(&c->q);
            }
        }
        accept_top_up(e);
        flush_dirty(e);
    }
    exiting = e->exiting;
    core_unlock(e);
    return exiting;
}

static BOOL port_wait(worker *w, OVERLAPPED_ENTRY *ents, ULONG *n, DWORD timeout)
{
    net_engine *e = w->e;

    if (e->hooks.fail_wait && e->hooks.fail_wait(e->hooks.user, w->index)) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return GetQueuedCompletionStatusEx(e->port, ents, DRAIN_MAX, n, timeout, FALSE);
}

/* A wait on the port failed: the engine cannot go on. Whichever worker saw it, the others are
 * told to leave too (they may be blocked in a wait that would never end), and
 * net_engine_run reports the failure. */
static void engine_fail(net_engine *e)
{
    core_lock(e);
    e->failed = 1;
    e->exiting = 1;
    core_unlock(e);
    PostQueuedCompletionStatus(e->port, 0, KEY_EXIT, NULL);
}

static void worker_loop(worker *w)
{
    net_engine *e = w->e;
    OVERLAPPED_ENTRY ents[DRAIN_MAX];
    uint64_t next_tick = GetTickCount64() + e->tick_ms;
    int quit = 0;

    while (!quit) {
        ULONG i, n = 0;
        DWORD timeout = INFINITE;

        if (w->ticks) {
            uint64_t now = GetTickCount64();
            timeout = now >= next_tick ? 0 : (DWORD)(next_tick - now);
        }
        if (!port_wait(w, ents, &n, timeout)) {
            if (GetLastError() != WAIT_TIMEOUT) {
                engine_fail(e); /* nothing more can arrive: every worker must leave */
                break;
            }
            n = 0;
        }
        for (i = 0; i < n; i++)
            if (dispatch(w, &ents[i]))
                quit = 1;
        if (w->flush_due) {
            core_lock(e);
            w->flush_due = 0;
            flush_dirty(e);
            core_unlock(e);
        }
        if (w->ticks && !quit) {
            uint64_t now = GetTickCount64();
            if (now >= next_tick) {
                if (engine_tick(w, now)) {
                    PostQueuedCompletionStatus(e->port, 0, KEY_EXIT, NULL);
                    quit = 1;
                }
                next_tick += e->tick_ms;
                if (next_tick <= now)
                    next_tick = now + e->tick_ms;
            }
        }
    }
}

static unsigned __stdcall worker_main(void *arg)
{
    worker_loop(arg);
    return 0;
}

/* ---- listening socket ---- */

/* Creates, binds and listens. Returns 0, or a Winsock error with *stage naming the step. */
static int listen_on(net_engine *e, const struct sockaddr *sa, int salen, int dual,
                     const char **stage)
{
    GUID accept_guid = WSAID_ACCEPTEX, addrs_guid = WSAID_GETACCEPTEXSOCKADDRS;
    WSAPROTOCOL_INFOW info;
    union {
        struct sockaddr sa;
        SOCKADDR_STORAGE ss;
    } bound;
    int len, err;
    DWORD got = 0;
    SOCKET s;

    *stage = "socket";
    s = WSASocketW(sa->sa_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                   WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET)
        return WSAGetLastError();
    if (dual) {
        DWORD v6only = 0;
        if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&v6only, (int)sizeof v6only) != 0)
            goto fail;
    }
    *stage = "bind";
    if (bind(s, sa, salen) != 0)
        goto fail;
    *stage = "listen";
    if (listen(s, e->backlog) != 0)
        goto fail;
    len = (int)sizeof bound;
    if (getsockname(s, &bound.sa, &len) != 0)
        goto fail;
    e->bound_port = ntohs(bound.sa.sa_family == AF_INET6
                              ? ((const struct sockaddr_in6 *)&bound.ss)->sin6_port
                              : ((const struct sockaddr_in *)&bound.ss)->sin_port);
    *stage = "AcceptEx";
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &accept_guid, (DWORD)sizeof accept_guid,
                 &e->accept_ex, (DWORD)sizeof e->accept_ex, &got, NULL, NULL) != 0 ||
        WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &addrs_guid, (DWORD)sizeof addrs_guid,
                 &e->accept_addrs, (DWORD)sizeof e->accept_addrs, &got, NULL, NULL) != 0)
        goto fail;
    /* Skip-on-success loses completions behind a non-IFS layered provider; use it only when
     * the provider hands out real kernel handles. */
    len = (int)sizeof info;
    e->use_skip = getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info, &len) == 0 &&
                  (info.dwServiceFlags1 & XP1_IFS_HANDLES) != 0 && !e->hooks.force_non_ifs;
    *stage = "CreateIoCompletionPort";
    if (!CreateIoCompletionPort((HANDLE)s, e->port, 0, 0)) {
        err = (int)GetLastError();
        closesocket(s);
        return err;
    }
    e->listen_sock = s;
    e->listen_cancel = cancel_handle_of(e, s);
    e->family = sa->sa_family;
    return 0;
fail:
    err = WSAGetLastError();
    closesocket(s);
    return err ? err : WSAEINVAL;
}

static int open_listener(net_engine *e, const net_options *opt, char *err, size_t err_size)
{
    char text[128];
    const char *stage = "bind";
    int rc;

    if (!opt->bind_addr || !opt->bind_addr[0]) {
        struct sockaddr_in6 s6;
        struct sockaddr_in s4;

        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        s6.sin6_port = htons(opt->port);
        rc = listen_on(e, (const struct sockaddr *)&s6, (int)sizeof s6, 1, &stage);
        if (rc == 0)
            return 0;
        /* No IPv6 here: fall back to IPv4. A busy or forbidden port is an answer, though. */
        if (rc == WSAEADDRINUSE || rc == WSAEACCES) {
            snprintf(err, err_size, "%s [::]:%u: %s", stage, (unsigned)opt->port,
                     sock_error_text_for(rc, text, sizeof text));
            return -1;
        }
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        s4.sin_port = htons(opt->port);
        s4.sin_addr.s_addr = htonl(INADDR_ANY);
        rc = listen_on(e, (const struct sockaddr *)&s4, (int)sizeof s4, 0, &stage);
        if (rc == 0)
            return 0;
        snprintf(err, err_size, "%s 0.0.0.0:%u: %s", stage, (unsigned)opt->port,
                 sock_error_text_for(rc, text, sizeof text));
        return -1;
    } else {
        struct addrinfo hints, *res = NULL;
        union {
            struct sockaddr sa;
            SOCKADDR_STORAGE ss;
        } addr;
        int alen;
        int v6 = strchr(opt->bind_addr, ':') != NULL;

        memset(&hints, 0, sizeof hints);
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        if (getaddrinfo(opt->bind_addr, NULL, &hints, &res) != 0 || !res ||
            res->ai_addrlen > sizeof addr) {
            if (res)
                freeaddrinfo(res);
            snprintf(err, err_size, "bind %s%s%s:%u: not a numeric address", v6 ? "[" : "",
                     opt->bind_addr, v6 ? "]" : "", (unsigned)opt->port);
            return -1;
        }
        memset(&addr, 0, sizeof addr);
        memcpy(&addr, res->ai_addr, res->ai_addrlen);
        alen = (int)res->ai_addrlen;
        freeaddrinfo(res);
        if (addr.sa.sa_family == AF_INET6)
            ((struct sockaddr_in6 *)&addr.ss)->sin6_port = htons(opt->port);
        else
            ((struct sockaddr_in *)&addr.ss)->sin_port = htons(opt->port);
        rc = listen_on(e, &addr.sa, alen, 0, &stage);
        if (rc == 0)
            return 0;
        snprintf(err, err_size, "%s %s%s%s:%u: %s", stage, v6 ? "[" : "", opt->bind_addr,
                 v6 ? "]" : "", (unsigned)opt->port, sock_error_text_for(rc, text, sizeof text));
        return -1;
    }
}

/* ---- the public interface ---- */

net_engine *net_engine_create(const net_options *opt, const net_handlers *h, char *err,
                              size_t err_size)
{
    char scratch[160], text[128];
    net_engine *e;
    WSADATA wsa;
    SYSTEM_INFO si;
    int rc, i;

    if (!err || err_size == 0) {
        err = scratch;
        err_size = sizeof scratch;
    }
    err[0] = '\0';
    assert(opt && h && h->on_accept && h->on_data && h->on_close);
    e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, err_size, "engine: out of memory");
        return NULL;
    }
    e->h = *h;
    e->hooks = hooks;
    e->listen_sock = INVALID_SOCKET;
    e->listen_cancel = INVALID_SOCKET;
    e->backlog = opt->backlog > 0 ? opt->backlog : SOMAXCONN;
    e->naccepts = opt->accept_pool > 0 ? opt->accept_pool : DEFAULT_ACCEPT_POOL;
    e->tick_ms = opt->tick_ms ? opt->tick_ms : DEFAULT_TICK_MS;
    e->read_chunk = opt->read_chunk ? opt->read_chunk : DEFAULT_READ_CHUNK;
    if (e->read_chunk > MAX_READ_CHUNK)
        e->read_chunk = MAX_READ_CHUNK;
    GetSystemInfo(&si);
    e->nworkers = opt->workers > 0 ? opt->workers : (int)si.dwNumberOfProcessors;
    if (e->nworkers < 1)
        e->nworkers = 1;
    if (e->nworkers > MAX_WORKERS)
        e->nworkers = MAX_WORKERS;

    rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        snprintf(err, err_size, "WSAStartup: %s", sock_error_text_for(rc, text, sizeof text));
        free(e);
        return NULL;
    }
    e->wsa_ok = 1;
    InitializeCriticalSectionAndSpinCount(&e->lock, 4000);
    e->lock_ok = 1;
    e->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, (DWORD)e->nworkers);
    if (!e->port) {
        snprintf(err, err_size, "CreateIoCompletionPort: error %lu", GetLastError());
        goto fail;
    }
    if (open_listener(e, opt, err, err_size) != 0)
        goto fail;
    e->accepts = calloc((size_t)e->naccepts, sizeof *e->accepts);
    if (!e->accepts) {
        snprintf(err, err_size, "engine: out of memory");
        goto fail;
    }
    for (i = e->naccepts - 1; i >= 0; i--) {
        e->accepts[i].op.kind = OP_ACCEPT;
        accept_slot_free(e, &e->accepts[i]);
    }
    return e;
fail:
    net_engine_destroy(e);
    return NULL;
}

int net_engine_run(net_engine *e)
{
    worker *ws;
    int i, started;

    assert(!e->ran);
    e->ran = 1;
    ws = calloc((size_t)e->nworkers, sizeof *ws);
    if (!ws)
        return -1;
    for (i = 0; i < e->nworkers; i++) {
        ws[i].e = e;
        ws[i].index = i;
        ws[i].cap = e->read_chunk;
        ws[i].buf = malloc(ws[i].cap);
        if (!ws[i].buf)
            goto fail;
    }
    core_lock(e);
    e->listening = 1;
    accept_top_up(e);
    core_unlock(e);

    started = 1;
    for (i = 1; i < e->nworkers; i++) {
        uintptr_t t = _beginthreadex(NULL, 0, worker_main, &ws[i], 0, NULL);
        if (!t)
            break; /* fewer workers; still correct */
        ws[i].thread = (HANDLE)t;
        started++;
    }
    ws[0].ticks = 1;
    worker_loop(&ws[0]);
    for (i = 1; i < started; i++) {
        WaitForSingleObject(ws[i].thread, INFINITE);
        CloseHandle(ws[i].thread);
    }
    for (i = 0; i < e->nworkers; i++)
        free(ws[i].buf);
    free(ws);
    return e->failed ? -1 : 0;
fail:
    for (i = 0; i < e->nworkers; i++)
        free(ws[i].buf);
    free(ws);
    return -1;
}

void net_engine_stop(net_engine *e)
{
    /* Only a post: safe from any thread, a console control handler or a service handler. */
    PostQueuedCompletionStatus(e->port, 0, KEY_STOP, NULL);
}

void net_engine_wake(net_engine *e)
{
    if (InterlockedExchange(&e->wake_posted, 1) == 0)
        PostQueuedCompletionStatus(e->port, 0, KEY_WAKE, NULL);
}

void net_engine_finish(net_engine *e, uint32_t deadline_ms)
{
    assert_in_callback(e);
    if (e->finishing)
        return;
    e->finishing = 1;
    e->finish_deadline = GetTickCount64() + deadline_ms;
    e->listening = 0;
    if (e->listen_sock != INVALID_SOCKET && e->accepts_pending > 0)
        cancel_io(e->listen_sock, e->listen_cancel, NULL); /* each AcceptEx completes, aborted */
    listener_maybe_close(e);
    if (deadline_ms == 0)
        engine_deadlines(e, e->finish_deadline);
    engine_check_exit(e);
}

/* After a failed run: close every socket still open. Their memory is left allocated, on
 * purpose: with the port broken, we cannot learn when the system is done with their
 * OVERLAPPEDs, and writing into freed memory would be worse than a leak on the way out. */
static void engine_abandon(net_engine *e)
{
    net_conn *c;
    int i;

    for (c = e->conns; c; c = c->next)
        closesocket(c->sock);
    e->conns = NULL;
    e->nconns = 0;
    for (i = 0; i < e->naccepts; i++)
        if (e->accepts[i].sock != INVALID_SOCKET)
            closesocket(e->accepts[i].sock);
    if (e->accepts_pending > 0)
        e->accepts = NULL;
}

void net_engine_destroy(net_engine *e)
{
    if (!e)
        return;
    /* After net_engine_run has returned nothing is in flight; before it nothing was posted. */
    assert(e->failed || (e->nconns == 0 && e->accepts_pending == 0 && e->listen_calls == 0));
    if (e->failed)
        engine_abandon(e);
    if (e->listen_sock != INVALID_SOCKET)
        closesocket(e->listen_sock);
    if (e->port)
        CloseHandle(e->port);
    if (e->lock_ok)
        DeleteCriticalSection(&e->lock);
    free(e->accepts);
    if (e->wsa_ok)
        WSACleanup();
    free(e);
}

uint16_t net_engine_port(const net_engine *e)
{
    return e->bound_port;
}

const char *net_engine_name(void)
{
    return "iocp";
}

/* ---- output ---- */

/* Something was queued: send it after the current callback (unless a send is in flight, whose
 * completion takes it along). */
static void conn_queued(net_conn *c)
{
    c->active = 1;
    if (!c->sending)
        dirty_push(c->e, c);
}

uint8_t *net_reserve(net_conn *c, size_t n)
{
    assert_in_callback(c->e);
    if (c->state != ST_OPEN)
        return NULL;
    return outq_reserve(&c->q, n);
}

void net_commit(net_conn *c, size_t n)
{
    assert_in_callback(c->e);
    if (c->state != ST_OPEN || n == 0)
        return;
    if (outq_commit(&c->q, n) != 0) {
        /* The core believes the bytes are queued; a stream with a hole in it is worthless. */
        conn_abort(c->e, c, "out of memory");
        return;
    }
    conn_queued(c);
}

int net_send(net_conn *c, const void *data, size_t n)
{
    assert_in_callback(c->e);
    if (c->state != ST_OPEN)
        return -1;
    if (n == 0)
        return 0;
    if (outq_append(&c->q, data, n) != 0)
        return -1;
    conn_queued(c);
    return 0;
}

int net_send_block(net_conn *c, outq_block *b)
{
    assert_in_callback(c->e);
    if (c->state != ST_OPEN)
        return -1;
    if (b->len == 0)
        return 0;
    if (outq_push_block(&c->q, b) != 0)
        return -1;
    conn_queued(c);
    return 0;
}

void net_commit_frame(net_conn *c, size_t plain_len, size_t extra)
{
    assert_in_callback(c->e);
    assert(c->e->h.on_seal);
    if (c->state != ST_OPEN)
        return;
    if (outq_commit_frame(&c->q, plain_len, extra) != 0) {
        /* The core believes the frame is queued; a stream with a hole in it is worthless. */
        conn_abort(c->e, c, "out of memory");
        return;
    }
    conn_queued(c);
}

int net_send_frame(net_conn *c, outq_block *b, size_t extra)
{
    assert_in_callback(c->e);
    assert(c->e->h.on_seal);
    if (c->state != ST_OPEN)
        return -1;
    if (outq_push_frame(&c->q, b, extra) != 0)
        return -1;
    conn_queued(c);
    return 0;
}

size_t net_queued(const net_conn *c)
{
    assert_in_callback(c->e);
    return c->q.bytes;
}

void net_close(net_conn *c, int graceful)
{
    net_engine *e = c->e;

    assert_in_callback(e);
    if (c->state == ST_CLOSING)
        return;
    if (!graceful) {
        /* Reported after the callback returns, never from in here. */
        conn_note_gone(e, c, "closed by server");
        if (!c->why)
            c->why = "closed by server";
        conn_enter_closing(e, c, 1);
        return;
    }
    if (c->state == ST_OPEN) {
        c->state = ST_FLUSHING;
        c->why = "closed by server";
        c->deadline = GetTickCount64() + FLUSH_MS;
        dirty_push(e, c);
    }
}
