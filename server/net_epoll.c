/* net_epoll.c — the Linux I/O engine behind net.h: one thread, non-blocking sockets, epoll;
 * reads go through one engine-wide buffer, writes gather each connection's queue into one
 * sendmsg after every batch of callbacks. */
#define _GNU_SOURCE

#include "net.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "outq.h"
#include "sock.h"
#include "sys.h"

/*
 * Trigger mode: level-triggered. Each ready connection gets one read of read_chunk bytes per
 * loop turn, so a fast sender cannot starve the others, and whatever it left unread is simply
 * reported again by the next epoll_wait; with edge triggering we would have to drain every
 * socket to EAGAIN or keep our own "still readable" list to stay fair. EPOLLOUT is registered
 * only while a connection has bytes the kernel did not take, so level triggering costs no
 * spurious wakeups; the price is one epoll_ctl when a socket buffer fills and one when it
 * drains, which only happens under backpressure.
 *
 * Lifetime: callbacks only mark a connection (flushing, closing, has output) and put it on the
 * pending list. settle() runs after each batch of callbacks: it sends, finishes graceful
 * closes, closes descriptors and calls on_close. So on_close never runs inside net_close, a
 * connection is never freed while an event of the current epoll batch may still name it, and
 * a descriptor number cannot be reused within one batch.
 *
 * Sealing: a frame the core queued as plaintext (net_commit_frame, net_send_frame) is sealed by
 * conn_seal just before the send that takes it, oldest first, as in the IOCP engine; here that
 * is on the one thread, after the callbacks, so the core's own work per message is only the
 * queueing of a reference per member.
 */

#define NET_MAX_EVENTS 256
/* Entries per gathered send: IOV_MAX is 1024 on Linux, but 64 pieces are far more than one
 * socket buffer's worth of frames, and the array lives in the engine. */
#define NET_IOV 64
#define NET_ACCEPTS_PER_EVENT 64
/* How long a graceful close may take to flush its queue before it turns abortive. */
#define NET_FLUSH_MS 10000u
/* After our FIN, how long we keep reading (and dropping) what the peer still sends: closing a
 * socket with unread input makes the kernel send a reset, and a reset can destroy the last
 * bytes we sent before the peer has read them. */
#define NET_LINGER_MS 2000u

/* Connection flags. A connection is open while none of F_FLUSHING, F_LINGER and F_CLOSING is
 * set; those three are the states net_iocp.c calls ST_FLUSHING, ST_LINGER and ST_CLOSING, and
 * mean the same here. */
#define F_PENDING 0x0001u  /* on the engine's pending list */
#define F_FLUSHING 0x0002u /* graceful close: flush, then FIN; no more on_data or queueing */
#define F_CLOSING 0x0004u  /* close the descriptor at the next settle */
#define F_RST 0x0008u      /* ...abortively (SO_LINGER 0) */
#define F_LINGER 0x0010u   /* FIN sent; draining input until the peer's FIN or the deadline */
#define F_PEER_EOF 0x0020u /* the peer sent FIN: never ask for EPOLLIN again */
#define F_BLOCKED 0x0040u  /* bytes remain that the kernel did not take: wait for EPOLLOUT */
#define F_ACTIVE 0x0080u   /* queued or sent something since the last tick */
#define F_EV_IN 0x0100u    /* EPOLLIN registered */
#define F_EV_OUT 0x0200u   /* EPOLLOUT registered */
#define REASON_SHIFT 12
#define REASON_MASK (0xfu << REASON_SHIFT)

/* Why a connection went away, kept in 4 bits of the flags rather than a pointer per
 * connection. The first reason recorded wins. */
enum {
    R_NONE,
    R_PEER_CLOSED,
    R_RESET,
    R_TIMED_OUT,
    R_NET_ERROR,
    R_SERVER,
    R_FLUSH_TIMEOUT,
    R_SHUTDOWN,
    R_NO_MEMORY,
    R_SEAL_FAILED,
    R_COUNT
};

static const char *const reason_text[R_COUNT] = {
    "closed",          "peer closed",   "connection reset",     "connection timed out",
    "network error",   "closed by server", "close timed out",   "server shutting down",
    "out of memory",   "could not seal a frame",
};

struct net_conn {
    int fd;
    uint32_t flags;
    void *ctx;         /* the core's context; NULL once on_close has run (F_LINGER), or for
                          a connection the core refused */
    net_engine *eng;
    net_conn *next;    /* pending list link */
    uint64_t deadline; /* F_FLUSHING: flush deadline; F_LINGER: linger deadline (mono ms) */
    outq q;
};

struct net_engine {
    int epfd;
    int lfd;  /* listener; -1 after net_engine_finish */
    int efd;  /* eventfd that net_engine_stop writes to */
    int wfd;  /* eventfd that net_engine_wake writes to */
    uint16_t port;
    int accept_paused; /* out of descriptors: listener off until the next tick */
    int accept_warned; /* logged that; quiet until an accept succeeds again */
    int finishing;
    int stop_seen;
    uint64_t finish_deadline;
    uint64_t now;
    uint64_t next_tick;
    uint32_t tick_ms;
    uint32_t read_chunk;
    net_handlers h;
    uint8_t *rbuf;      /* the one receive buffer, read_chunk bytes */
    net_conn **conns;   /* by descriptor number */
    size_t conns_cap;
    size_t nconns;      /* including lingering ones */
    net_conn *pend_head;
    net_conn *pend_tail;
    outq_iov oiov[NET_IOV];
    outq_seal_job jobs[NET_IOV];
    struct iovec iov[NET_IOV];
    struct epoll_event events[NET_MAX_EVENTS];
};

/* ---------------------------------------------------------------------------------------- */
/* Small helpers */

static void set_reason(net_conn *c, unsigned r)
{
    if ((c->flags & REASON_MASK) == 0)
        c->flags |= (uint32_t)r << REASON_SHIFT;
}

static const char *conn_reason(const net_conn *c)
{
    unsigned r = (c->flags & REASON_MASK) >> REASON_SHIFT;
    return r < R_COUNT ? reason_text[r] : reason_text[R_NONE];
}

static unsigned reason_from_errno(int err)
{
    switch (err) {
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
        return R_RESET;
    case ETIMEDOUT:
        return R_TIMED_OUT;
    case ENOMEM:
    case ENOBUFS:
        return R_NO_MEMORY;
    default:
        return R_NET_ERROR;
    }
}

static void push_pending(net_engine *e, net_conn *c)
{
    if (c->flags & F_PENDING)
        return;
    c->flags |= F_PENDING;
    c->next = NULL;
    if (e->pend_tail)
        e->pend_tail->next = c;
    else
        e->pend_head = c;
    e->pend_tail = c;
}

/* For a reason that tells more than the one already recorded. */
static void replace_reason(net_conn *c, unsigned r)
{
    c->flags = (c->flags & ~REASON_MASK) | (uint32_t)r << REASON_SHIFT;
}

static void mark_closing(net_engine *e, net_conn *c, unsigned reason, int rst)
{
    set_reason(c, reason);
    c->flags |= F_CLOSING | (rst ? F_RST : 0u);
    push_pending(e, c);
}

/* Makes conns[fd] addressable. */
static int ensure_slot(net_engine *e, int fd)
{
    size_t need = (size_t)fd + 1, cap;
    net_conn **n;

    if (need <= e->conns_cap)
        return 0;
    cap = e->conns_cap ? e->conns_cap : 64;
    while (cap < need)
        cap *= 2;
    n = realloc(e->conns, cap * sizeof *n);
    if (!n)
        return -1;
    memset(n + e->conns_cap, 0, (cap - e->conns_cap) * sizeof *n);
    e->conns = n;
    e->conns_cap = cap;
    return 0;
}

/* Brings the registered event mask in line with what the connection needs now. */
static void update_events(net_engine *e, net_conn *c)
{
    uint32_t want = 0, have = c->flags & (F_EV_IN | F_EV_OUT);
    struct epoll_event ev;

    if (!(c->flags & F_PEER_EOF))
        want |= F_EV_IN;
    if (c->flags & F_BLOCKED)
        want |= F_EV_OUT;
    if (want == have)
        return;
    memset(&ev, 0, sizeof ev);
    ev.events = ((want & F_EV_IN) ? EPOLLIN : 0u) | ((want & F_EV_OUT) ? EPOLLOUT : 0u);
    ev.data.u64 = (uint64_t)c->fd;
    if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        /* Only ENOMEM is possible for a registered descriptor; without a working
         * registration the connection would hang, so end it. */
        mark_closing(e, c, reason_from_errno(errno), 1);
        return;
    }
    c->flags = (c->flags & ~(F_EV_IN | F_EV_OUT)) | want;
}

/* ---------------------------------------------------------------------------------------- */
/* Sending and closing (all from settle) */

/* What seal_frame needs to reach the core's on_seal for one connection. */
typedef struct seal_args {
    net_engine *e;
    void *ctx;
} seal_args;

static int seal_frame(void *arg, uint8_t *frame, size_t plain_len, size_t extra)
{
    seal_args *a = arg;
    return a->e->h.on_seal(a->e->h.user, a->ctx, frame, plain_len, extra);
}

/* Seals up to max frames waiting at the front of c's queue (see on_seal in net.h). Here, on
 * the engine's one thread, that is simply done before the send; frames are sealed in queue
 * order because only this function seals and it takes them oldest first. Returns 0, or -1
 * with c marked closing. */
static int conn_seal(net_engine *e, net_conn *c, size_t max)
{
    seal_args a;
    size_t n = outq_seal_begin(&c->q, e->jobs, max);
    int rc;

    if (n == (size_t)-1) {
        mark_closing(e, c, R_NO_MEMORY, 1);
        return -1;
    }
    a.e = e;
    a.ctx = c->ctx;
    rc = a.ctx ? outq_seal_run(e->jobs, n, seal_frame, &a) : -1;
    outq_seal_end(&c->q, n);
    if (rc != 0) {
        mark_closing(e, c, R_SEAL_FAILED, 1);
        return -1;
    }
    return 0;
}

/* One gathered send of the front of the queue, sealing first what waits to be sealed. */
static void flush_conn(net_engine *e, net_conn *c)
{
    size_t i, cnt, total = 0;
    struct msghdr m;
    ssize_t r;

    cnt = outq_gather(&c->q, e->oiov, NET_IOV, &total);
    if (cnt < NET_IOV && cnt < c->q.count) {
        /* The next piece is a frame still to be sealed. */
        if (conn_seal(e, c, NET_IOV - cnt) != 0)
            return;
        cnt = outq_gather(&c->q, e->oiov, NET_IOV, &total);
    }
    assert(cnt > 0 && total > 0);
    for (i = 0; i < cnt; i++) {
        /* The kernel only reads through iov_base; struct iovec just isn't const. */
        e->iov[i].iov_base = (void *)e->oiov[i].p;
        e->iov[i].iov_len = e->oiov[i].n;
    }
    memset(&m, 0, sizeof m);
    m.msg_iov = e->iov;
    m.msg_iovlen = cnt;
    /* MSG_NOSIGNAL: a peer that went away yields EPIPE here, not a process-wide SIGPIPE. */
    r = sendmsg(c->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            c->flags |= F_BLOCKED;
            return;
        }
        mark_closing(e, c, reason_from_errno(errno), 0);
        return;
    }
    outq_consume(&c->q, (size_t)r);
    c->flags |= F_ACTIVE;
    /* Whatever is left (the kernel took part, or there were more than NET_IOV pieces) goes
     * when EPOLLOUT says so; level-triggered, that is immediately if there is room. */
    if (c->q.bytes > 0)
        c->flags |= F_BLOCKED;
}

/* The queue of a gracefully closing connection is empty: send FIN and tell the core. */
static void close_gracefully(net_engine *e, net_conn *c)
{
    void *ctx;

    /* The peer has closed its side too, so nothing can arrive that would make close() reset. */
    if ((c->flags & F_PEER_EOF) || shutdown(c->fd, SHUT_WR) != 0) {
        c->flags |= F_CLOSING;
        return;
    }
    ctx = c->ctx;
    c->ctx = NULL;
    c->flags = (c->flags & ~(F_FLUSHING | F_BLOCKED)) | F_LINGER;
    c->deadline = e->now + NET_LINGER_MS;
    outq_free(&c->q);
    if (ctx) /* NULL: a refused connection, which the core never had */
        e->h.on_close(e->h.user, ctx, conn_reason(c));
}

/* Closes the descriptor, tells the core (unless it already knows) and frees the connection. */
static void destroy_conn(net_engine *e, net_conn *c)
{
    void *ctx = c->ctx;

    assert(c->fd >= 0 && (size_t)c->fd < e->conns_cap && e->conns[c->fd] == c);
    assert(!(c->flags & F_PENDING));
    e->conns[c->fd] = NULL;
    e->nconns--;
    if (c->flags & F_RST) {
        struct linger lg;
        lg.l_onoff = 1;
        lg.l_linger = 0;
        (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    /* No EPOLL_CTL_DEL: the descriptor is never duplicated, so close() unregisters it. */
    close(c->fd);
    c->fd = -1;
    outq_free(&c->q);
    /* c stays allocated (and F_CLOSING, so net_* calls on it are harmless) until on_close
     * returns, in case the core looks at it once more while tearing down. */
    c->ctx = NULL;
    if (ctx)
        e->h.on_close(e->h.user, ctx, conn_reason(c));
    free(c);
}

/* Runs after every batch of callbacks until nothing is left to do: on_close calls may queue
 * bytes to, or close, other connections. */
static void settle(net_engine *e)
{
    net_conn *c;

    while ((c = e->pend_head) != NULL) {
        e->pend_head = c->next;
        if (!e->pend_head)
            e->pend_tail = NULL;
        c->next = NULL;
        /* F_PENDING stays set while c is handled, so nothing below can requeue it. */
        if (!(c->flags & (F_CLOSING | F_BLOCKED)) && c->q.bytes > 0)
            flush_conn(e, c);
        if ((c->flags & (F_FLUSHING | F_CLOSING)) == F_FLUSHING && c->q.bytes == 0)
            close_gracefully(e, c);
        if (!(c->flags & F_CLOSING))
            update_events(e, c);
        c->flags &= ~F_PENDING;
        if (c->flags & F_CLOSING)
            destroy_conn(e, c);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Reading */

/* The peer sent FIN. */
static void peer_eof(net_engine *e, net_conn *c)
{
    c->flags |= F_PEER_EOF;
    if (c->flags & F_LINGER) {
        mark_closing(e, c, R_NONE, 0);
    } else if (c->flags & F_FLUSHING) {
        push_pending(e, c); /* drop EPOLLIN; the close completes once the queue is sent */
    } else if (c->q.bytes == 0) {
        mark_closing(e, c, R_PEER_CLOSED, 0);
    } else {
        /* A half-close: the peer may still read what we owe it, so send that first. */
        set_reason(c, R_PEER_CLOSED);
        c->flags |= F_FLUSHING;
        c->deadline = e->now + NET_FLUSH_MS;
        push_pending(e, c);
    }
}

/* One read; returns 1 if bytes arrived. */
static int read_once(net_engine *e, net_conn *c)
{
    ssize_t n = recv(c->fd, e->rbuf, e->read_chunk, 0);

    if (n > 0) {
        /* A closing connection's input is read only to be dropped (see NET_LINGER_MS). */
        if (!(c->flags & (F_FLUSHING | F_LINGER)))
            e->h.on_data(e->h.user, c->ctx, e->rbuf, (size_t)n);
        return 1;
    }
    if (n == 0)
        peer_eof(e, c);
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        mark_closing(e, c, reason_from_errno(errno), 0);
    return 0;
}

static void conn_event(net_engine *e, net_conn *c, uint32_t ev)
{
    int got = 0;

    if (c->flags & F_CLOSING)
        return;
    /* A read also reports errors and hangups, with their real errno, after any data that
     * was still buffered. */
    if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !(c->flags & F_PEER_EOF))
        got = read_once(e, c);
    if (c->flags & F_CLOSING)
        return;
    if ((ev & (EPOLLHUP | EPOLLERR)) && !got) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        mark_closing(e, c, err ? reason_from_errno(err)
                            : (c->flags & F_PEER_EOF) ? R_PEER_CLOSED : R_RESET, 0);
        return;
    }
    if (ev & EPOLLOUT) {
        c->flags &= ~F_BLOCKED;
        push_pending(e, c);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Accepting */

/* The peer's address as the core sees it (sock_format_ip: IPv4 clients of a dual-stack
 * listener are shown as plain IPv4). */
static void format_peer(const struct sockaddr_storage *ss, char *out, size_t n)
{
    if (ss->ss_family == AF_INET)
        sock_format_ip(out, n, (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr,
                       4);
    else if (ss->ss_family == AF_INET6)
        sock_format_ip(out, n, ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr, 16);
    else
        snprintf(out, n, "?");
}

static void pause_accept(net_engine *e, int err)
{
    struct epoll_event ev;

    if (e->accept_paused)
        return;
    if (!e->accept_warned)
        log_warn("accept: %s; pausing accepts a tick at a time until it passes", strerror(err));
    e->accept_warned = 1;
    memset(&ev, 0, sizeof ev);
    ev.events = 0;
    ev.data.u64 = (uint64_t)e->lfd;
    (void)epoll_ctl(e->epfd, EPOLL_CTL_MOD, e->lfd, &ev);
    e->accept_paused = 1;
}

static void resume_accept(net_engine *e)
{
    struct epoll_event ev;

    if (!e->accept_paused || e->lfd < 0)
        return;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = (uint64_t)e->lfd;
    if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, e->lfd, &ev) == 0)
        e->accept_paused = 0;
}

/* Takes over an accepted descriptor: asks the core, then starts reading. */
static void adopt(net_engine *e, int fd, const struct sockaddr_storage *ss)
{
    char peer[INET6_ADDRSTRLEN];
    struct epoll_event ev;
    net_conn *c;
    void *ctx;
    int one = 1;

    if (ensure_slot(e, fd) != 0)
        goto fail;
    c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    assert(e->conns[fd] == NULL);
    c->fd = fd;
    c->eng = e;
    outq_init(&c->q);
    e->conns[fd] = c;
    e->nconns++;
    /* The engine already batches a callback's output into one send, so Nagle would only add
     * latency to chat lines. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    format_peer(ss, peer, sizeof peer);

    /* F_PENDING keeps the connection off the pending list while the core decides, so a
     * refused connection can be freed without unlinking it. */
    c->flags = F_PENDING;
    ctx = e->h.on_accept(e->h.user, c, peer);
    c->flags &= ~F_PENDING;
    c->ctx = ctx;
    if (!ctx && !(c->flags & (F_FLUSHING | F_CLOSING))) {
        /* Refused: what the core queued (a "server full" frame) is flushed like any graceful
         * close, then FIN and linger, so unread input cannot turn the close into a reset that
         * destroys the refusal before the client reads it. No on_close follows. */
        set_reason(c, R_SERVER);
        c->flags |= F_FLUSHING;
        c->deadline = e->now + NET_FLUSH_MS;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = (uint64_t)fd;
    if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        mark_closing(e, c, reason_from_errno(errno), 1);
    else
        c->flags |= F_EV_IN;
    if (c->q.bytes > 0 || (c->flags & (F_FLUSHING | F_CLOSING)))
        push_pending(e, c);
    return;

fail:
    log_warn("accept: out of memory; connection dropped");
    close(fd);
}

static void accept_ready(net_engine *e)
{
    int i;

    /* A bounded number per event: the listener is level-triggered, so the rest come next turn
     * and established connections get their turn in between. */
    for (i = 0; i < NET_ACCEPTS_PER_EVENT && e->lfd >= 0 && !e->accept_paused; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(e->lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            switch (errno) {
            case EAGAIN:
#if EWOULDBLOCK != EAGAIN
            case EWOULDBLOCK:
#endif
                return;
            case EINTR:
            case ECONNABORTED:
            case EPROTO:
            case EPERM: /* firewall rules */
                continue;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                /* The connection stays in the backlog; level triggering would report it
                 * again at once, so stop listening for a tick instead of spinning. */
                pause_accept(e, errno);
                return;
            default:
                log_warn("accept: %s", strerror(errno));
                pause_accept(e, errno);
                return;
            }
        }
        e->accept_warned = 0;
        adopt(e, fd, &ss);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Listening */

/* Socket, SO_REUSEADDR, bind and listen; -1 with text in err on failure (errno kept). */
static int open_listener(int family, const void *ip, uint16_t port, int backlog, int dual,
                         char *err, size_t err_size)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char shown[INET6_ADDRSTRLEN + 2], text[INET6_ADDRSTRLEN];
    const char *step = "socket";
    int fd, one = 1, zero = 0, saved;

    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        memcpy(&a->sin6_addr, ip, sizeof a->sin6_addr);
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        memcpy(&a->sin_addr, ip, sizeof a->sin_addr);
        len = sizeof *a;
    }
    if (!inet_ntop(family, ip, text, sizeof text))
        snprintf(text, sizeof text, "?");
    snprintf(shown, sizeof shown, family == AF_INET6 ? "[%s]" : "%s", text);

    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    /* Lets a restarted server bind while old connections sit in TIME_WAIT; on Linux it does
     * not allow two listeners on one port. */
    step = "setsockopt";
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        goto fail;
    if (dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0)
        goto fail;
    step = "bind";
    if (bind(fd, (struct sockaddr *)&ss, len) != 0)
        goto fail;
    step = "listen";
    if (listen(fd, backlog) != 0)
        goto fail;
    return fd;

fail:
    saved = errno;
    snprintf(err, err_size, "%s %s:%u: %s", step, shown, (unsigned)port, strerror(saved));
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

/* The listener net_options asks for; sets e->lfd and e->port. */
static int listen_as_asked(net_engine *e, const net_options *opt, char *err, size_t err_size)
{
    /* Linux silently caps the backlog at net.core.somaxconn, so INT_MAX means "the most the
     * system allows". */
    int backlog = opt->backlog > 0 ? opt->backlog : INT_MAX;
    const char *addr = opt->bind_addr;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    unsigned char ip[16];

    if (!addr || !*addr) {
        e->lfd = open_listener(AF_INET6, &in6addr_any, opt->port, backlog, 1, err, err_size);
        /* No IPv6 on this host (module absent or disabled): every IPv4 address instead. */
        if (e->lfd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL ||
                           errno == EPROTONOSUPPORT || errno == EINVAL)) {
            struct in_addr any;
            any.s_addr = htonl(INADDR_ANY);
            e->lfd = open_listener(AF_INET, &any, opt->port, backlog, 0, err, err_size);
        }
    } else if (inet_pton(AF_INET, addr, ip) == 1) {
        e->lfd = open_listener(AF_INET, ip, opt->port, backlog, 0, err, err_size);
    } else if (inet_pton(AF_INET6, addr, ip) == 1) {
        e->lfd = open_listener(AF_INET6, ip, opt->port, backlog, 0, err, err_size);
    } else {
        snprintf(err, err_size, "bind %s:%u: not a numeric IPv4 or IPv6 address", addr,
                 (unsigned)opt->port);
        return -1;
    }
    if (e->lfd < 0)
        return -1;
    if (getsockname(e->lfd, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(err, err_size, "getsockname: %s", strerror(errno));
        return -1;
    }
    e->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

static int watch_fd(net_engine *e, int fd)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = (uint64_t)fd;
    return epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* ---------------------------------------------------------------------------------------- */
/* Engine */

net_engine *net_engine_create(const net_options *opt, const net_handlers *h, char *err,
                              size_t err_size)
{
    net_engine *e;

    assert(opt && h && h->on_accept && h->on_data && h->on_close);
    if (err_size)
        err[0] = '\0';
    e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    e->epfd = e->lfd = e->efd = e->wfd = -1;
    e->h = *h;
    e->tick_ms = opt->tick_ms ? opt->tick_ms : 250;
    e->read_chunk = opt->read_chunk ? opt->read_chunk : 65536;
    e->rbuf = malloc(e->read_chunk);
    if (!e->rbuf) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (e->epfd < 0) {
        snprintf(err, err_size, "epoll_create1: %s", strerror(errno));
        goto fail;
    }
    e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    e->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (e->efd < 0 || e->wfd < 0) {
        snprintf(err, err_size, "eventfd: %s", strerror(errno));
        goto fail;
    }
    if (listen_as_asked(e, opt, err, err_size) != 0)
        goto fail;
    if (watch_fd(e, e->lfd) != 0 || watch_fd(e, e->efd) != 0 || watch_fd(e, e->wfd) != 0) {
        snprintf(err, err_size, "epoll_ctl: %s", strerror(errno));
        goto fail;
    }
    return e;

fail:
    net_engine_destroy(e);
    return NULL;
}

/* Once per tick: the core's timers, then expired closes and idle queues' memory. */
static void tick(net_engine *e)
{
    size_t i;

    resume_accept(e);
    if (e->h.on_tick)
        e->h.on_tick(e->h.user, e->now);
    for (i = 0; i < e->conns_cap; i++) {
        net_conn *c = e->conns[i];
        if (!c || (c->flags & F_CLOSING))
            continue;
        if ((c->flags & (F_FLUSHING | F_LINGER)) && e->now >= c->deadline) {
            /* A peer that reads nothing cannot hold a closing connection forever. */
            if (c->flags & F_FLUSHING)
                replace_reason(c, R_FLUSH_TIMEOUT);
            mark_closing(e, c, R_FLUSH_TIMEOUT, (c->flags & F_FLUSHING) != 0);
            continue;
        }
        if (!(c->flags & F_ACTIVE) && c->q.bytes == 0 && (c->q.tail || c->q.segs))
            outq_trim(&c->q);
        c->flags &= ~F_ACTIVE;
    }
}

/* The finish deadline passed: every connection still open ends now. */
static void abort_all(net_engine *e)
{
    size_t i;

    for (i = 0; i < e->conns_cap; i++) {
        net_conn *c = e->conns[i];
        if (c && !(c->flags & F_CLOSING))
            mark_closing(e, c, R_SHUTDOWN, !(c->flags & F_LINGER));
    }
}

static void stop_ready(net_engine *e)
{
    uint64_t v;

    while (read(e->efd, &v, sizeof v) == (ssize_t)sizeof v)
        ;
    if (e->finishing || e->stop_seen)
        return;
    e->stop_seen = 1;
    if (e->h.on_stop)
        e->h.on_stop(e->h.user);
    else
        net_engine_finish(e, 0);
}

static void wake_ready(net_engine *e)
{
    uint64_t v;

    while (read(e->wfd, &v, sizeof v) == (ssize_t)sizeof v)
        ;
    if (e->h.on_wake)
        e->h.on_wake(e->h.user);
}

int net_engine_run(net_engine *e)
{
    assert(e && e->epfd >= 0);
    e->now = sys_mono_ms();
    e->next_tick = e->now + e->tick_ms;
    for (;;) {
        uint64_t wake = e->next_tick;
        int i, n, timeout;

        if (e->finishing) {
            if (e->nconns == 0)
                return 0;
            if (e->finish_deadline < wake)
                wake = e->finish_deadline;
        }
        timeout = wake <= e->now ? 0 : wake - e->now > INT_MAX ? INT_MAX : (int)(wake - e->now);
        n = epoll_wait(e->epfd, e->events, NET_MAX_EVENTS, timeout);
        e->now = sys_mono_ms();
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_error("epoll_wait: %s", strerror(errno));
            return -1;
        }
        for (i = 0; i < n; i++) {
            int fd = (int)e->events[i].data.u64;
            uint32_t ev = e->events[i].events;
            if (fd == e->efd)
                stop_ready(e);
            else if (fd == e->wfd)
                wake_ready(e);
            else if (fd == e->lfd)
                accept_ready(e);
            else if ((size_t)fd < e->conns_cap && e->conns[fd])
                conn_event(e, e->conns[fd], ev);
            /* else: the listener, closed by net_engine_finish earlier in this batch */
        }
        settle(e);
        if (e->now >= e->next_tick) {
            /* After a long stall, skip the missed ticks rather than firing them in a burst. */
            e->next_tick += e->tick_ms;
            if (e->next_tick <= e->now)
                e->next_tick = e->now + e->tick_ms;
            tick(e);
            settle(e);
        }
        if (e->finishing && e->now >= e->finish_deadline && e->nconns > 0) {
            abort_all(e);
            settle(e);
        }
    }
}

void net_engine_stop(net_engine *e)
{
    /* Only write(2): async-signal-safe, no locks, no allocation. A full counter (EAGAIN)
     * already means a stop is pending. */
    int saved = errno;
    uint64_t one = 1;
    ssize_t r = write(e->efd, &one, sizeof one);
    (void)r;
    errno = saved;
}

void net_engine_wake(net_engine *e)
{
    int saved = errno;
    uint64_t one = 1;
    ssize_t r = write(e->wfd, &one, sizeof one); /* a full counter: a wake is pending anyway */
    (void)r;
    errno = saved;
}

void net_engine_finish(net_engine *e, uint32_t deadline_ms)
{
    uint64_t now = e->now ? e->now : sys_mono_ms();

    if (e->finishing) {
        /* A second call may only bring the deadline closer. */
        if (now + deadline_ms < e->finish_deadline)
            e->finish_deadline = now + deadline_ms;
        return;
    }
    e->finishing = 1;
    e->finish_deadline = now + deadline_ms;
    if (e->lfd >= 0) {
        /* Connections waiting in the backlog are reset by this close. */
        close(e->lfd);
        e->lfd = -1;
    }
}

void net_engine_destroy(net_engine *e)
{
    size_t i;

    if (!e)
        return;
    /* Normally nothing is left (run returned after finish); after a failed run the core still
     * gets its on_close for every context. */
    for (i = 0; i < e->conns_cap; i++) {
        net_conn *c = e->conns[i];
        if (!c)
            continue;
        c->flags &= ~F_PENDING;
        c->flags |= F_CLOSING;
        set_reason(c, R_SHUTDOWN);
        destroy_conn(e, c);
    }
    e->pend_head = e->pend_tail = NULL;
    free(e->conns);
    free(e->rbuf);
    if (e->lfd >= 0)
        close(e->lfd);
    if (e->efd >= 0)
        close(e->efd);
    if (e->wfd >= 0)
        close(e->wfd);
    if (e->epfd >= 0)
        close(e->epfd);
    free(e);
}

uint16_t net_engine_port(const net_engine *e)
{
    return e->port;
}

const char *net_engine_name(void)
{
    return "epoll";
}

/* ---------------------------------------------------------------------------------------- */
/* Output */

static int can_queue(const net_conn *c)
{
    return !(c->flags & (F_FLUSHING | F_CLOSING | F_LINGER));
}

uint8_t *net_reserve(net_conn *c, size_t n)
{
    if (!can_queue(c))
        return NULL;
    return outq_reserve(&c->q, n);
}

void net_commit(net_conn *c, size_t n)
{
    net_engine *e = c->eng;

    /* A net_close between reserve and commit dropped (or will drop) the queue anyway. */
    if (n == 0 || (c->flags & (F_CLOSING | F_LINGER)))
        return;
    if (outq_commit(&c->q, n) != 0) {
        mark_closing(e, c, R_NO_MEMORY, 1);
        return;
    }
    c->flags |= F_ACTIVE;
    push_pending(e, c);
}

int net_send(net_conn *c, const void *data, size_t n)
{
    if (!can_queue(c))
        return -1;
    if (n == 0)
        return 0;
    if (outq_append(&c->q, data, n) != 0)
        return -1;
    c->flags |= F_ACTIVE;
    push_pending(c->eng, c);
    return 0;
}

int net_send_block(net_conn *c, outq_block *b)
{
    if (!can_queue(c))
        return -1;
    if (outq_push_block(&c->q, b) != 0)
        return -1;
    c->flags |= F_ACTIVE;
    push_pending(c->eng, c);
    return 0;
}

void net_commit_frame(net_conn *c, size_t plain_len, size_t extra)
{
    net_engine *e = c->eng;

    assert(e->h.on_seal);
    if (c->flags & (F_CLOSING | F_LINGER))
        return;
    if (outq_commit_frame(&c->q, plain_len, extra) != 0) {
        mark_closing(e, c, R_NO_MEMORY, 1);
        return;
    }
    c->flags |= F_ACTIVE;
    push_pending(e, c);
}

int net_send_frame(net_conn *c, outq_block *b, size_t extra)
{
    assert(c->eng->h.on_seal);
    if (!can_queue(c))
        return -1;
    if (outq_push_frame(&c->q, b, extra) != 0)
        return -1;
    c->flags |= F_ACTIVE;
    push_pending(c->eng, c);
    return 0;
}

size_t net_queued(const net_conn *c)
{
    return c->q.bytes;
}

void net_close(net_conn *c, int graceful)
{
    net_engine *e = c->eng;

    if (c->flags & (F_CLOSING | F_LINGER))
        return;
    if (!graceful) {
        mark_closing(e, c, R_SERVER, 1);
        return;
    }
    if (c->flags & F_FLUSHING)
        return;
    set_reason(c, R_SERVER);
    c->flags |= F_FLUSHING;
    c->deadline = e->now + NET_FLUSH_MS;
    push_pending(e, c);
}
