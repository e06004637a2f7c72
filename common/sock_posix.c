/* sock_posix.c — blocking TCP client sockets with timeouts for POSIX systems (poll-based). */
#define _POSIX_C_SOURCE 200809L

#include "sock.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* Linux has MSG_NOSIGNAL; BSDs and macOS use the SO_NOSIGPIPE socket option instead. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

struct sock {
    int fd;
};

/* Short lower-case texts for the errors users actually meet, the same wording on every platform
 * (sock_win.c has the matching table), so messages and tests do not depend on the C library. */
static const struct {
    int code;
    const char *text;
} error_texts[] = {
    {ECONNREFUSED, "connection refused"},
    {ECONNRESET, "connection reset by peer"},
    {ECONNABORTED, "connection aborted"},
    {ETIMEDOUT, "timed out"},
    {EHOSTUNREACH, "host unreachable"},
    {ENETUNREACH, "network unreachable"},
    {ENETDOWN, "network is down"},
    {EADDRINUSE, "address already in use"},
    {EADDRNOTAVAIL, "address not available"},
    {EAFNOSUPPORT, "address family not supported"},
    {EPIPE, "connection closed by peer"},
    {ENOTCONN, "not connected"},
    {EACCES, "permission denied"},
    {EMFILE, "too many open files"},
    {ENOBUFS, "out of buffer space"},
};

const char *sock_error_text_for(int code, char *buf, size_t n)
{
    size_t i;

    if (n == 0)
        return buf;
    for (i = 0; i < sizeof error_texts / sizeof error_texts[0]; i++) {
        if (error_texts[i].code == code) {
            snprintf(buf, n, "%s", error_texts[i].text);
            return buf;
        }
    }
    /* XSI strerror_r (we do not define _GNU_SOURCE) is the thread-safe form. */
    if (strerror_r(code, buf, n) != 0)
        snprintf(buf, n, "error %d", code);
    else if (buf[0] >= 'A' && buf[0] <= 'Z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

const char *sock_error_text(char *buf, size_t n)
{
    sock_error_text_for(errno, buf, n);
    return buf;
}

int sock_startup(void)
{
    return 0;
}

/* "host:port", with IPv6 literals in brackets, for error messages. */
static int set_nonblocking(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL, 0);

    if (fl < 0)
        return -1;
    fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, fl);
}

/* Milliseconds left until deadline for poll(), clamped to what an int holds. */
static int remaining_ms(uint64_t deadline)
{
    uint64_t now = sys_mono_ms();

    if (now >= deadline)
        return 0;
    if (deadline - now > INT_MAX)
        return INT_MAX;
    return (int)(deadline - now);
}

/* Binds fd to src (port 0) in family fam. Returns 0, or -1 with errno set. */
static int bind_source(int fd, int fam, const char *src)
{
    struct addrinfo hints, *res = NULL;
    int rc, one = 1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = fam;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(src, "0", &hints, &res);
    if (rc != 0) {
        errno = rc == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
        return -1;
    }
#ifdef IP_BIND_ADDRESS_NO_PORT
    /* Delay picking the local port until connect, so each source address gets the whole
     * ephemeral range for every destination (the load generator opens many connections). */
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#else
    (void)one;
#endif
    rc = bind(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return rc;
}

/* One connection attempt to one resolved address. Returns the fd, or -1 with errno set. */
static int try_connect(const struct addrinfo *ai, const char *src, uint32_t timeout_ms)
{
    int fd, err = 0, one = 1;
    socklen_t len = sizeof err;
    struct pollfd pfd;
    uint64_t deadline = sys_mono_ms() + timeout_ms;

    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0)
        return -1;
    /* Sockets must not leak into programs a client might start. */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (src && bind_source(fd, ai->ai_family, src) != 0)
        goto fail;
    if (set_nonblocking(fd, 1) != 0)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS && errno != EINTR)
            goto fail;
        for (;;) {
            int rc;

            pfd.fd = fd;
            pfd.events = POLLOUT;
            pfd.revents = 0;
            rc = poll(&pfd, 1, remaining_ms(deadline));
            if (rc > 0)
                break;
            if (rc == 0) {
                errno = ETIMEDOUT;
                goto fail;
            }
            if (errno != EINTR)
                goto fail;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            goto fail;
        if (err != 0) {
            errno = err;
            goto fail;
        }
    }
    if (set_nonblocking(fd, 0) != 0)
        goto fail;
    /* Chat frames are small and latency matters more than packet count. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;

fail:
    err = errno;
    close(fd);
    errno = err;
    return -1;
}

sock *sock_connect_from(const char *src, const char *host, uint16_t port, uint32_t timeout_ms,
                        char *err, size_t err_size)
{
    struct addrinfo hints, *res = NULL, *ai;
    char port_text[8], where[300], why[128];
    sock *s = NULL;
    int fd = -1, rc, saved = ECONNREFUSED;

    if (err && err_size)
        err[0] = '\0';
    if (!host || !*host)
        host = "localhost";
    sock_format_endpoint(where, sizeof where, host, port);
    snprintf(port_text, sizeof port_text, "%u", (unsigned)port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    rc = getaddrinfo(host, port_text, &hints, &res);
    if (rc != 0) {
        if (rc == EAI_SYSTEM)
            sock_error_text_for(errno, why, sizeof why);
        else
            snprintf(why, sizeof why, "%s", gai_strerror(rc));
        if (err && err_size)
            snprintf(err, err_size, "connect %s: cannot resolve host (%s)", where, why);
        errno = EADDRNOTAVAIL;
        return NULL;
    }
    /* Each address gets the full timeout: a dead IPv6 route must not starve the IPv4 one. */
    for (ai = res; ai; ai = ai->ai_next) {
        fd = try_connect(ai, src, timeout_ms);
        if (fd >= 0)
            break;
        saved = errno;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (err && err_size) {
            sock_error_text_for(saved, why, sizeof why);
            snprintf(err, err_size, "connect %s: %s", where, why);
        }
        errno = saved;
        return NULL;
    }
    s = malloc(sizeof *s);
    if (!s) {
        close(fd);
        if (err && err_size)
            snprintf(err, err_size, "connect %s: out of memory", where);
        errno = ENOMEM;
        return NULL;
    }
    s->fd = fd;
    return s;
}

sock *sock_connect(const char *host, uint16_t port, uint32_t timeout_ms, char *err,
                   size_t err_size)
{
    return sock_connect_from(NULL, host, port, timeout_ms, err, err_size);
}

int sock_send_all(sock *s, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t k = send(s->fd, c, n, MSG_NOSIGNAL);

        if (k < 0) {
            if (errno == EINTR)
                continue;
            return SOCK_ERROR;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

long sock_recv(sock *s, void *p, size_t n, uint32_t timeout_ms)
{
    uint64_t deadline = sys_mono_ms() + timeout_ms;
    struct pollfd pfd;

    if (n > LONG_MAX)
        n = LONG_MAX;
    for (;;) {
        ssize_t k;
        int rc;

        pfd.fd = s->fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        rc = poll(&pfd, 1, remaining_ms(deadline));
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return SOCK_ERROR;
        }
        if (rc == 0)
            return SOCK_TIMEOUT;
        k = recv(s->fd, p, n, 0);
        if (k > 0)
            return (long)k;
        if (k == 0)
            return SOCK_CLOSED;
        /* EAGAIN after a readiness report is a spurious wake-up; wait again. */
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return SOCK_ERROR;
    }
}

void sock_shutdown_send(sock *s)
{
    if (s)
        shutdown(s->fd, SHUT_WR);
}

void sock_close(sock *s, int abort)
{
    if (!s)
        return;
    if (abort) {
        /* Linger on with zero time makes close send RST and drop unsent data. */
        struct linger lg;

        lg.l_onoff = 1;
        lg.l_linger = 0;
        setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(s->fd);
    free(s);
}
