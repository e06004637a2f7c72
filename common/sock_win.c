/* sock_win.c — blocking TCP client sockets with timeouts for Windows (Winsock 2, select-based). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "sock.h"
#include "sys.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sock {
    SOCKET s;
};

/* Short lower-case texts for the errors users actually meet, worded as in sock_posix.c so that
 * messages and tests read the same on both platforms. Others come from FormatMessageW. */
static const struct {
    int code;
    const char *text;
} error_texts[] = {
    {WSAECONNREFUSED, "connection refused"},
    {WSAECONNRESET, "connection reset by peer"},
    {WSAECONNABORTED, "connection aborted"},
    {WSAETIMEDOUT, "timed out"},
    {WSAEHOSTUNREACH, "host unreachable"},
    {WSAENETUNREACH, "network unreachable"},
    {WSAENETDOWN, "network is down"},
    {WSAENETRESET, "connection reset by network"},
    {WSAEADDRINUSE, "address already in use"},
    {WSAEADDRNOTAVAIL, "address not available"},
    {WSAEAFNOSUPPORT, "address family not supported"},
    {WSAESHUTDOWN, "connection closed by peer"},
    {WSAENOTCONN, "not connected"},
    {WSAEACCES, "permission denied"},
    {WSAEMFILE, "too many open files"},
    {WSAENOBUFS, "out of buffer space"},
    {WSANOTINITIALISED, "sockets not initialised (sock_startup not called)"},
    {WSAHOST_NOT_FOUND, "host not found"},
    {WSATRY_AGAIN, "temporary failure in name resolution"},
    {WSANO_RECOVERY, "non-recoverable failure in name resolution"},
    {WSANO_DATA, "no address for host"},
    {WSA_NOT_ENOUGH_MEMORY, "out of memory"},
};

const char *sock_error_text_for(int code, char *buf, size_t n)
{
    wchar_t wide[256];
    DWORD len;
    size_t i;
    int k;

    if (n == 0)
        return buf;
    for (i = 0; i < sizeof error_texts / sizeof error_texts[0]; i++) {
        if (error_texts[i].code == code) {
            snprintf(buf, n, "%s", error_texts[i].text);
            return buf;
        }
    }
    len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                         (DWORD)code, 0, wide, (DWORD)(sizeof wide / sizeof wide[0]), NULL);
    /* System messages end in ".\r\n"; that does not fit after "connect host:port: ". */
    while (len > 0 && (wide[len - 1] == L'\r' || wide[len - 1] == L'\n' ||
                       wide[len - 1] == L'.' || wide[len - 1] == L' '))
        len--;
    if (len > 0 && n <= INT_MAX) {
        k = WideCharToMultiByte(CP_UTF8, 0, wide, (int)len, buf, (int)n - 1, NULL, NULL);
        if (k > 0) {
            buf[k] = '\0';
            if (buf[0] >= 'A' && buf[0] <= 'Z')
                buf[0] = (char)(buf[0] - 'A' + 'a');
            return buf;
        }
    }
    snprintf(buf, n, "socket error %d", code);
    return buf;
}

const char *sock_error_text(char *buf, size_t n)
{
    int code = WSAGetLastError();

    sock_error_text_for(code, buf, n);
    /* FormatMessageW may have changed the last error; callers may still want the original. */
    WSASetLastError(code);
    return buf;
}

static INIT_ONCE startup_once = INIT_ONCE_STATIC_INIT;
static int startup_result = -1;

/* WSAStartup exactly once, even when several threads race to the first connect. */
static BOOL CALLBACK startup_fn(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    WSADATA wsa;

    (void)once;
    (void)param;
    (void)ctx;
    startup_result = WSAStartup(MAKEWORD(2, 2), &wsa) == 0 ? 0 : -1;
    return TRUE;
}

int sock_startup(void)
{
    InitOnceExecuteOnce(&startup_once, startup_fn, NULL, NULL);
    return startup_result;
}

/* "host:port", with IPv6 literals in brackets, for error messages. */
/* Host names arrive as UTF-8; GetAddrInfoW takes UTF-16 and so handles names outside the ANSI
 * code page. Returns 0, or a WSA error code. */
static int resolve(const char *host, const char *service, int family, int flags,
                   ADDRINFOW **res)
{
    wchar_t whost[512], wservice[16];
    ADDRINFOW hints;

    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, host, -1, whost,
                            (int)(sizeof whost / sizeof whost[0])) == 0 ||
        MultiByteToWideChar(CP_UTF8, 0, service, -1, wservice,
                            (int)(sizeof wservice / sizeof wservice[0])) == 0)
        return WSAHOST_NOT_FOUND;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = flags;
    return GetAddrInfoW(whost, wservice, &hints, res);
}

/* Binds s to src (port 0) in family fam. Returns 0, or a WSA error code. */
static int bind_source(SOCKET s, int fam, const char *src)
{
    ADDRINFOW *res = NULL;
    int rc;

    rc = resolve(src, "0", fam, AI_PASSIVE, &res);
    if (rc != 0)
        return WSAEADDRNOTAVAIL;
    rc = bind(s, res->ai_addr, (int)res->ai_addrlen) == 0 ? 0 : WSAGetLastError();
    FreeAddrInfoW(res);
    return rc;
}

/* Milliseconds left until deadline as a timeval for select(). */
static void remaining_tv(uint64_t deadline, struct timeval *tv)
{
    uint64_t now = sys_mono_ms(), left = now >= deadline ? 0 : deadline - now;

    if (left > (uint64_t)LONG_MAX / 1000u)
        left = (uint64_t)LONG_MAX / 1000u;
    tv->tv_sec = (long)(left / 1000u);
    tv->tv_usec = (long)(left % 1000u) * 1000L;
}

/* One connection attempt to one resolved address. Returns the socket, or INVALID_SOCKET with
 * *err set to a WSA error code. */
static SOCKET try_connect(const ADDRINFOW *ai, const char *src, uint32_t timeout_ms, int *err)
{
    SOCKET s;
    u_long mode;
    BOOL one = TRUE;
    uint64_t deadline = sys_mono_ms() + timeout_ms;

    /* Not inheritable: sockets must not leak into programs a client might start. */
    s = WSASocketW(ai->ai_family, ai->ai_socktype, ai->ai_protocol, NULL, 0,
                   WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) {
        *err = WSAGetLastError();
        return INVALID_SOCKET;
    }
    if (src) {
        *err = bind_source(s, ai->ai_family, src);
        if (*err != 0)
            goto fail;
    }
    mode = 1;
    if (ioctlsocket(s, (long)FIONBIO, &mode) != 0)
        goto fail_wsa;
    if (connect(s, ai->ai_addr, (int)ai->ai_addrlen) != 0) {
        fd_set wr, ex;
        struct timeval tv;
        int rc, so_err = 0, len = (int)sizeof so_err;

        if (WSAGetLastError() != WSAEWOULDBLOCK)
            goto fail_wsa;
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        FD_SET(s, &wr);
        /* Windows reports a failed non-blocking connect in the exception set, not the write set. */
        FD_SET(s, &ex);
        remaining_tv(deadline, &tv);
        rc = select(0, NULL, &wr, &ex, &tv);
        if (rc == SOCKET_ERROR)
            goto fail_wsa;
        if (rc == 0) {
            *err = WSAETIMEDOUT;
            goto fail;
        }
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&so_err, &len) != 0)
            goto fail_wsa;
        if (so_err != 0 || FD_ISSET(s, &ex)) {
            *err = so_err != 0 ? so_err : WSAECONNREFUSED;
            goto fail;
        }
    }
    mode = 0;
    if (ioctlsocket(s, (long)FIONBIO, &mode) != 0)
        goto fail_wsa;
    /* Chat frames are small and latency matters more than packet count. */
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, (int)sizeof one);
    return s;

fail_wsa:
    *err = WSAGetLastError();
fail:
    closesocket(s);
    return INVALID_SOCKET;
}

sock *sock_connect_from(const char *src, const char *host, uint16_t port, uint32_t timeout_ms,
                        char *err, size_t err_size)
{
    ADDRINFOW *res = NULL, *ai;
    char port_text[8], where[300], why[160];
    SOCKET s = INVALID_SOCKET;
    sock *out;
    int rc, saved = WSAECONNREFUSED;

    if (err && err_size)
        err[0] = '\0';
    if (!host || !*host)
        host = "localhost";
    sock_format_endpoint(where, sizeof where, host, port);
    /* Harmless when the caller already did it; saves every caller from a missed startup. */
    if (sock_startup() != 0) {
        if (err && err_size)
            snprintf(err, err_size, "connect %s: cannot start Winsock", where);
        return NULL;
    }
    snprintf(port_text, sizeof port_text, "%u", (unsigned)port);
    rc = resolve(host, port_text, AF_UNSPEC, 0, &res);
    if (rc != 0) {
        if (err && err_size) {
            sock_error_text_for(rc, why, sizeof why);
            snprintf(err, err_size, "connect %s: cannot resolve host (%s)", where, why);
        }
        WSASetLastError(rc);
        return NULL;
    }
    /* Each address gets the full timeout: a dead IPv6 route must not starve the IPv4 one. */
    for (ai = res; ai; ai = ai->ai_next) {
        s = try_connect(ai, src, timeout_ms, &saved);
        if (s != INVALID_SOCKET)
            break;
    }
    FreeAddrInfoW(res);
    if (s == INVALID_SOCKET) {
        if (err && err_size) {
            sock_error_text_for(saved, why, sizeof why);
            snprintf(err, err_size, "connect %s: %s", where, why);
        }
        WSASetLastError(saved);
        return NULL;
    }
    out = malloc(sizeof *out);
    if (!out) {
        closesocket(s);
        if (err && err_size)
            snprintf(err, err_size, "connect %s: out of memory", where);
        WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    out->s = s;
    return out;
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
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        int k = send(s->s, c, chunk, 0);

        if (k == SOCKET_ERROR) {
            if (WSAGetLastError() == WSAEINTR)
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
    int chunk = n > INT_MAX ? INT_MAX : (int)n;

    for (;;) {
        fd_set rd;
        struct timeval tv;
        int rc, k;

        FD_ZERO(&rd);
        FD_SET(s->s, &rd);
        remaining_tv(deadline, &tv);
        rc = select(0, &rd, NULL, NULL, &tv);
        if (rc == SOCKET_ERROR) {
            if (WSAGetLastError() == WSAEINTR)
                continue;
            return SOCK_ERROR;
        }
        if (rc == 0)
            return SOCK_TIMEOUT;
        k = recv(s->s, p, chunk, 0);
        if (k > 0)
            return (long)k;
        if (k == 0)
            return SOCK_CLOSED;
        if (WSAGetLastError() != WSAEINTR && WSAGetLastError() != WSAEWOULDBLOCK)
            return SOCK_ERROR;
    }
}

void sock_shutdown_send(sock *s)
{
    if (s)
        shutdown(s->s, SD_SEND);
}

void sock_close(sock *s, int abort)
{
    if (!s)
        return;
    if (abort) {
        /* Linger on with zero time makes closesocket send RST and drop unsent data. */
        struct linger lg;

        lg.l_onoff = 1;
        lg.l_linger = 0;
        setsockopt(s->s, SOL_SOCKET, SO_LINGER, (const char *)&lg, (int)sizeof lg);
    }
    closesocket(s->s);
    free(s);
}
