/* sock.h — blocking TCP client sockets with timeouts, for clients, tests and the load generator.
 * Implemented per platform (sock_posix.c, sock_win.c). */
#ifndef PARLEY_SOCK_H
#define PARLEY_SOCK_H

#include <stddef.h>
#include <stdint.h>

typedef struct sock sock;

#define SOCK_CLOSED 0
#define SOCK_ERROR (-1)
#define SOCK_TIMEOUT (-2)

/* Once per process before anything else (WSAStartup on Windows). Idempotent. */
int sock_startup(void);
/* Resolves host (name, IPv4 or IPv6 literal) and connects, trying each address in turn.
 * NULL on failure with "connect example:7420: connection refused" style text in err. */
sock *sock_connect(const char *host, uint16_t port, uint32_t timeout_ms, char *err,
                   size_t err_size);
/* Same, but binds the local end to a source address first (load generator spreads clients over
 * 127.0.0.x); src may be NULL. */
sock *sock_connect_from(const char *src, const char *host, uint16_t port, uint32_t timeout_ms,
                        char *err, size_t err_size);
/* Sends all n bytes; 0 or SOCK_ERROR. */
int sock_send_all(sock *s, const void *p, size_t n);
/* Receives up to n bytes, waiting at most timeout_ms: >0 bytes, SOCK_CLOSED, SOCK_ERROR or
 * SOCK_TIMEOUT. */
long sock_recv(sock *s, void *p, size_t n, uint32_t timeout_ms);
/* Half-close: no more sending. */
void sock_shutdown_send(sock *s);
/* Closes; abort = reset the connection instead of a graceful close. */
void sock_close(sock *s, int abort);
/* "host:port", or "[host]:port" for an IPv6 literal, as error texts show an endpoint. */
void sock_format_endpoint(char *out, size_t n, const char *host, uint16_t port);
/* Text of the last socket error on this thread ("connection reset by peer"). */
const char *sock_error_text(char *buf, size_t n);
/* Text of the socket error code (errno, or a Winsock error on Windows) into buf; returns buf. */
const char *sock_error_text_for(int code, char *buf, size_t n);
/* A peer's address as logs and per-address limits show it: "192.0.2.1" or "2001:db8::1"
 * (RFC 5952: lower case, the longest run of zero groups shortened to "::"). ip holds ip_len
 * bytes in network order, 4 or 16; an IPv4-mapped IPv6 address (::ffff:a.b.c.d, how a
 * dual-stack listener sees IPv4 clients) is shown as plain IPv4. Anything else gives "?". */
void sock_format_ip(char *out, size_t n, const unsigned char *ip, size_t ip_len);
/* Parses the numeric address in text[0..n) (IPv4 dotted quad, or IPv6 text as in RFC 4291 2.2:
 * "::" and an optional trailing dotted quad) into ip[16]; *ip_len is 4 or 16. Returns 0, or -1
 * if it is no address. */
int sock_parse_ip(const char *text, size_t n, unsigned char ip[16], size_t *ip_len);

#endif
