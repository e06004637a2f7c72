/* bench_loop.c — parley-bench's event loop: non-blocking connects spread over loopback source
 * addresses, one epoll set, buffered output flushed once per turn, and the bookkeeping every
 * delivery goes through (sequence tracking, latency). */
#define _GNU_SOURCE

#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 512
#define READ_CHUNK 65536
#define SAMPLE_PERIOD_US 100000u
/* Slow consumers open with this receive buffer, so the server's own queue, not the kernel's
 * buffers, has to hold what they do not read. */
#define SMALL_RCVBUF 4096

static uint8_t rbuf[READ_CHUNK];

uint64_t bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int bench_init(bench *b, size_t nconns)
{
    size_t i;

    b->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (b->epfd < 0)
        return -1;
    b->conns = calloc(nconns ? nconns : 1, sizeof *b->conns);
    b->dirty = calloc(nconns ? nconns : 1, sizeof *b->dirty);
    b->tracks = calloc((nconns ? nconns : 1) * BENCH_MAX_SENDERS, sizeof *b->tracks);
    if (!b->conns || !b->dirty || !b->tracks)
        return -1;
    b->nconns = nconns;
    for (i = 0; i < nconns; i++) {
        b->conns[i].fd = -1;
        buf_init(&b->conns[i].out);
    }
    hist_reset(&b->lat);
    b->rng = 0x9E3779B97F4A7C15ull ^ bench_now_us();
    b->now_us = bench_now_us();
    return 0;
}

static void conn_release(bench *b, bconn *c)
{
    if (c->fd >= 0)
        close(c->fd); /* also leaves the epoll set */
    c->fd = -1;
    buf_free(&c->out);
    c->out_off = 0;
    if (b->proto == BP_PARLEY)
        parley_free(c);
    else
        irc_free(c);
}

void bench_free(bench *b)
{
    size_t i;
    for (i = 0; i < b->nconns; i++)
        conn_release(b, &b->conns[i]);
    hs_client_free(&b->master_cache);
    free(b->conns);
    free(b->dirty);
    free(b->tracks);
    if (b->epfd >= 0)
        close(b->epfd);
    b->conns = NULL;
    b->dirty = NULL;
    b->tracks = NULL;
}

static void set_error(bench *b, const char *what)
{
    if (!b->first_error[0])
        snprintf(b->first_error, sizeof b->first_error, "%.250s", what);
}

static void leave_count(bench *b, bconn *c)
{
    switch (c->state) {
    case CS_CONNECTING:
        b->n_connecting--;
        break;
    case CS_LOGIN:
        b->n_login--;
        break;
    case CS_READY:
        b->n_ready--;
        break;
    default:
        break;
    }
    if (c->joining) {
        c->joining = 0;
        b->n_joining--;
    }
    if (c->in_room) {
        c->in_room = 0;
        b->n_in_room--;
    }
}

/* The connection is over: count why and release its resources. */
static void conn_end(bench *b, bconn *c, const char *why)
{
    if (c->state == CS_CLOSED || c->state == CS_FREE)
        return;
    if (c->state == CS_CONNECTING || c->state == CS_LOGIN) {
        b->n_failed++;
        set_error(b, why);
    } else if (!c->quitting) {
        b->n_lost_conns++;
        b->n_lost_tracked += c->tracked;
        set_error(b, why);
    }
    if (b->verbose && !c->quitting)
        fprintf(stderr, "parley-bench: connection %zu ended: %s\n", (size_t)(c - b->conns), why);
    leave_count(b, c);
    c->state = CS_CLOSED;
    conn_release(b, c);
}

void bench_on_server_end(bench *b, bconn *c, const char *why)
{
    char text[300];
    if (c->quitting)
        return;
    snprintf(text, sizeof text, "server ended connection %zu: %s", (size_t)(c - b->conns), why);
    if (c->state == CS_READY)
        b->n_server_cut++;
    conn_end(b, c, text);
}

static int update_events(bench *b, bconn *c, int want_in, int want_out)
{
    struct epoll_event ev;
    if (c->reading == want_in && c->writing == want_out)
        return 0;
    memset(&ev, 0, sizeof ev);
    /* EPOLLRDHUP even when not reading: a slow consumer must still notice that the server
     * gave up on it (a FIN alone raises no EPOLLHUP). */
    ev.events = (want_in ? EPOLLIN : 0u) | (want_out ? EPOLLOUT : 0u) | EPOLLRDHUP;
    ev.data.u64 = (uint64_t)(c - b->conns);
    if (epoll_ctl(b->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        return -1;
    c->reading = (uint8_t)want_in;
    c->writing = (uint8_t)want_out;
    return 0;
}

int bench_open(bench *b, size_t id)
{
    bconn *c = &b->conns[id];
    struct sockaddr_in src;
    struct epoll_event ev;
    int one = 1, fd;

    uint8_t small = c->small_rcvbuf, tracked = c->tracked, verified = c->verified;
    uint8_t lobby = c->lobby;
    uint8_t attempts = c->state == CS_CLOSED ? c->attempts : 0;

    if (c->state != CS_FREE && c->state != CS_CLOSED)
        return -1;
    /* Everything but the role the scenario gave this member starts afresh. */
    memset(c, 0, sizeof *c);
    c->small_rcvbuf = small;
    c->tracked = tracked;
    c->verified = verified;
    c->lobby = lobby;
    c->attempts = (uint8_t)(attempts + 1);
    buf_init(&c->out);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    c->fd = fd;
    if (fd < 0) {
        set_error(b, "socket: out of descriptors?");
        b->n_failed++;
        c->state = CS_CLOSED;
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* The port is picked at connect time for the whole 4-tuple, so each source address gives a
     * full ephemeral range toward the one server port. */
    (void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (c->small_rcvbuf) {
        int sz = SMALL_RCVBUF;
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    }
    memset(&src, 0, sizeof src);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7F000000u | (uint32_t)(10 + id % (size_t)b->nsources));
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        (connect(fd, (struct sockaddr *)&b->dst, sizeof b->dst) != 0 && errno != EINPROGRESS)) {
        char text[128];
        snprintf(text, sizeof text, "connect: %s", strerror(errno));
        set_error(b, text);
        close(fd);
        c->fd = -1;
        c->state = CS_CLOSED;
        b->n_failed++;
        return -1;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT;
    ev.data.u64 = (uint64_t)id;
    if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        c->fd = -1;
        c->state = CS_CLOSED;
        b->n_failed++;
        return -1;
    }
    c->writing = 1;
    c->state = CS_CONNECTING;
    c->t_open_us = b->now_us;
    b->n_connecting++;
    return 0;
}

void bench_queue(bench *b, bconn *c)
{
    if (!c->dirty && c->fd >= 0) {
        c->dirty = 1;
        b->dirty[b->ndirty++] = c;
    }
}

/* Writes what the socket takes; the rest waits for EPOLLOUT. */
static void conn_flush(bench *b, bconn *c)
{
    while (c->fd >= 0 && c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (update_events(b, c, c->reading, 1) != 0)
                conn_end(b, c, "epoll_ctl failed");
            return;
        }
        if (n < 0 && errno == EINTR)
            continue;
        conn_end(b, c, n < 0 ? strerror(errno) : "send returned 0");
        return;
    }
    if (c->fd >= 0) {
        buf_reset(&c->out);
        c->out_off = 0;
        if (c->writing && c->state != CS_CONNECTING &&
            update_events(b, c, c->reading, 0) != 0)
            conn_end(b, c, "epoll_ctl failed");
    }
}

static void flush_dirty(bench *b)
{
    size_t i;
    for (i = 0; i < b->ndirty; i++) {
        bconn *c = b->dirty[i];
        c->dirty = 0;
        if (c->fd >= 0 && !c->writing)
            conn_flush(b, c);
    }
    b->ndirty = 0;
}

static void on_connected(bench *b, bconn *c)
{
    int err = 0, rc;
    socklen_t len = sizeof err;

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err) {
        char text[128];
        snprintf(text, sizeof text, "connect: %s", strerror(err));
        conn_end(b, c, text);
        return;
    }
    b->n_connecting--;
    b->n_login++;
    c->state = CS_LOGIN;
    if (update_events(b, c, 1, 0) != 0) {
        conn_end(b, c, "epoll_ctl failed");
        return;
    }
    rc = b->proto == BP_PARLEY ? parley_start(b, c) : irc_start(b, c);
    if (rc != 0)
        conn_end(b, c, "could not start the login");
}

void bench_on_ready(bench *b, bconn *c)
{
    if (c->state != CS_LOGIN)
        return;
    b->n_login--;
    b->n_ready++;
    c->state = CS_READY;
}

void bench_on_joined(bench *b, bconn *c)
{
    if (c->in_room)
        return;
    if (c->joining) {
        c->joining = 0;
        b->n_joining--;
    }
    c->in_room = 1;
    b->n_in_room++;
}

static void on_readable(bench *b, bconn *c)
{
    ssize_t n = recv(c->fd, rbuf, sizeof rbuf, 0);
    int rc;

    if (n > 0) {
        b->bytes_in += (uint64_t)n;
        rc = b->proto == BP_PARLEY ? parley_input(b, c, rbuf, (size_t)n)
                                   : irc_input(b, c, rbuf, (size_t)n);
        if (rc != 0 && c->state != CS_CLOSED)
            conn_end(b, c, "protocol error");
        return;
    }
    if (n == 0) {
        conn_end(b, c, "server closed the connection");
        return;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        conn_end(b, c, strerror(errno));
}

void bench_poll(bench *b, int timeout_ms)
{
    struct epoll_event ev[MAX_EVENTS];
    int i, n;

    flush_dirty(b);
    n = epoll_wait(b->epfd, ev, MAX_EVENTS, timeout_ms);
    b->now_us = bench_now_us();
    for (i = 0; i < n; i++) {
        bconn *c = &b->conns[ev[i].data.u64];
        if (c->fd < 0)
            continue;
        if (c->state == CS_CONNECTING) {
            on_connected(b, c);
            continue;
        }
        if ((ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c->reading)
            on_readable(b, c);
        if (c->fd >= 0 && (ev[i].events & EPOLLOUT)) {
            if (update_events(b, c, c->reading, 0) != 0)
                conn_end(b, c, "epoll_ctl failed");
            else
                conn_flush(b, c);
        }
        if (c->fd >= 0 && !c->reading && (ev[i].events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
            conn_end(b, c, "the server closed a connection that was not reading");
    }
    flush_dirty(b);
    bench_sample(b);
}

void bench_sample(bench *b)
{
    if (b->now_us < b->next_sample_us || b->pid <= 0)
        return;
    b->next_sample_us = b->now_us + SAMPLE_PERIOD_US;
    {
        proc_sample s = proc_read(b->pid), s2 = proc_read(b->pid2);
        uint64_t rss = s.rss_kb + s2.rss_kb;
        if (rss > b->rss_peak_kb)
            b->rss_peak_kb = rss;
    }
}

size_t bench_connect_many(bench *b, size_t first, size_t count, size_t window,
                          uint64_t deadline_us)
{
    size_t next = first, end = first + count;
    size_t ready0 = b->n_ready;

    size_t i, retry_from = first;

    while (b->now_us < deadline_us) {
        while (next < end && b->n_connecting + b->n_login < window) {
            bench_open(b, next);
            next++;
        }
        /* A login the server refused (or that failed to connect) gets up to two more tries;
         * each retry is counted and reported, so it is never hidden. */
        for (i = retry_from; i < next && b->n_connecting + b->n_login < window; i++) {
            bconn *c = &b->conns[i];
            if (c->state == CS_CLOSED && !c->quitting && c->attempts < 3) {
                b->n_retries++;
                bench_open(b, i);
            }
        }
        if (next >= end && b->n_connecting + b->n_login == 0) {
            for (i = first; i < end; i++)
                if (b->conns[i].state == CS_CLOSED && b->conns[i].attempts < 3)
                    break;
            if (i == end)
                break;
            retry_from = i;
        }
        bench_poll(b, 5);
    }
    return b->n_ready - ready0;
}

int bench_join(bench *b, size_t id)
{
    bconn *c = &b->conns[id];
    int rc;
    if (c->state != CS_READY || c->in_room || c->joining)
        return -1;
    rc = b->proto == BP_PARLEY ? parley_join(b, c) : irc_join(b, c);
    if (rc != 0)
        return -1;
    c->joining = 1;
    c->t_join_us = b->now_us;
    b->n_joining++;
    return 0;
}

size_t bench_join_many(bench *b, size_t first, size_t count, size_t window, uint64_t deadline_us)
{
    size_t next = first, end = first + count, joined = 0, i;

    while (b->now_us < deadline_us) {
        while (next < end && b->n_joining < window) {
            bench_join(b, next);
            next++;
        }
        if (next >= end && b->n_joining == 0)
            break;
        bench_poll(b, 5);
    }
    for (i = first; i < end; i++)
        joined += b->conns[i].in_room;
    return joined;
}

void bench_quiesce(bench *b, int quiet_ms, uint64_t deadline_us)
{
    uint64_t last = b->bytes_in, quiet_since = b->now_us;
    while (b->now_us < deadline_us) {
        bench_poll(b, 10);
        if (b->bytes_in != last) {
            last = b->bytes_in;
            quiet_since = b->now_us;
        } else if (b->now_us - quiet_since >= (uint64_t)quiet_ms * 1000u) {
            return;
        }
    }
}

static uint64_t next_rand(bench *b)
{
    /* xorshift64: message lengths only need to vary, not be unpredictable */
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 7;
    b->rng ^= b->rng << 17;
    return b->rng;
}

int bench_say(bench *b, size_t id, uint32_t sid)
{
    bconn *c = &b->conns[id];
    char text[BENCH_TEXT_LIMIT + 1];
    size_t len = b->text_len ? b->text_len
                             : BENCH_TEXT_MIN + (size_t)(next_rand(b) %
                                                         (BENCH_TEXT_MAX - BENCH_TEXT_MIN + 1));
    int n, rc;
    uint32_t seq = b->sent[sid];

    if (c->state != CS_READY || !c->in_room)
        return -1;
    /* Sender, sequence and send time travel in the text itself, so every server carries them
     * unchanged whatever its protocol. */
    n = snprintf(text, sizeof text, "pb %u %u %llu ", (unsigned)sid, (unsigned)seq,
                 (unsigned long long)bench_now_us());
    if (n < 0 || (size_t)n >= len)
        return -1;
    memset(text + n, 'x', len - (size_t)n);
    text[len] = '\0';
    rc = b->proto == BP_PARLEY ? parley_say(b, c, text, seq) : irc_say(b, c, text);
    if (rc != 0)
        return -1;
    b->sent[sid] = seq + 1;
    return 0;
}

void bench_stop_reading(bench *b, size_t id)
{
    bconn *c = &b->conns[id];
    if (c->fd >= 0 && update_events(b, c, 0, c->writing) != 0)
        conn_end(b, c, "epoll_ctl failed");
}

void bench_resume_reading(bench *b, size_t id)
{
    bconn *c = &b->conns[id];
    if (c->fd >= 0 && update_events(b, c, 1, c->writing) != 0)
        conn_end(b, c, "epoll_ctl failed");
}

void bench_quit(bench *b, size_t id)
{
    bconn *c = &b->conns[id];
    if (c->fd < 0 || c->state == CS_CLOSED)
        return;
    c->quitting = 1;
    if (c->state == CS_READY) {
        if (b->proto == BP_PARLEY)
            parley_quit(b, c);
        else
            irc_quit(b, c);
        conn_flush(b, c);
    }
    /* The goodbye is in the socket; closing now may reset if the server still sends, which
     * is what a departing client does anyway. */
    conn_end(b, c, "quit");
    c->state = CS_FREE;
}

void bench_on_counted(bench *b, bconn *c)
{
    /* Loss and duplication are settled from the count at the end (count_owed); order and
     * latency come from the verified members. */
    c->counted++;
    b->deliveries++;
}

/* "pb <sid> <seq> <time_us> xxx..." */
void bench_on_text(bench *b, bconn *c, const char *text, size_t n)
{
    uint64_t f[3];
    uint64_t sid, seq, ts;
    size_t me = (size_t)(c - b->conns), pos = 3, i;
    track *t;

    /* By hand rather than sscanf: this runs once per delivery, up to a million times a
     * second, on the load generator's one core. */
    if (n < 4 || memcmp(text, "pb ", 3) != 0)
        return;
    for (i = 0; i < 3; i++) {
        uint64_t v = 0;
        size_t start = pos;
        while (pos < n && text[pos] >= '0' && text[pos] <= '9')
            v = v * 10 + (uint64_t)(text[pos++] - '0');
        if (pos == start || pos >= n || text[pos] != ' ')
            return;
        pos++;
        f[i] = v;
    }
    sid = f[0];
    seq = f[1];
    ts = f[2];
    if (sid >= BENCH_MAX_SENDERS || seq > UINT32_MAX)
        return;
    if (!c->tracked) {
        b->untracked++;
        return;
    }
    if (!c->verified) {
        bench_on_counted(b, c);
        return;
    }
    t = &b->tracks[me * BENCH_MAX_SENDERS + sid];
    if (seq >= t->next) {
        uint64_t shift = seq - t->next + 1;
        t->bits = shift >= 64 ? 0 : t->bits << shift;
        t->bits |= 1;
        /* A gap (shift > 1) is either loss or a late arrival: settled at the end. */
        t->next = (uint32_t)seq + 1;
    } else {
        uint64_t d = t->next - 1 - seq;
        if (d < 64 && (t->bits & ((uint64_t)1 << d))) {
            b->dups++;
            return;
        }
        if (d < 64)
            t->bits |= (uint64_t)1 << d;
        b->reorders++;
    }
    t->got++;
    if (sid == me) {
        b->echoes++; /* Parley's acknowledgement to the sender; not a delivery */
        return;
    }
    b->deliveries++;
    hist_add(&b->lat, b->now_us > ts ? b->now_us - ts : 0);
}
