/* bench.h — parley-bench's shared types: the load generator's connections and event loop (one
 * thread, epoll, non-blocking), the two protocol drivers (Parley and minimal IRC) and the
 * measurements (latency histogram, per-sender sequence tracking, the server's /proc figures). */
#ifndef PARLEY_BENCH_H
#define PARLEY_BENCH_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "cipher.h"
#include "handshake.h"
#include "proto.h"

#define BENCH_MAX_SENDERS 16
#define BENCH_ROOM_MAX 48
#define BENCH_TEXT_MIN 64  /* chat text bytes per message, uniform in [MIN, MAX] */
#define BENCH_TEXT_MAX 128
#define BENCH_TEXT_LIMIT 400 /* --text-len: an IRC line (512 bytes) must still hold it */

typedef enum bench_proto {
    BP_PARLEY = 1,
    BP_IRC = 2
} bench_proto;

typedef enum conn_state {
    CS_FREE = 0,   /* never opened, or closed and forgotten */
    CS_CONNECTING, /* TCP connect in flight */
    CS_LOGIN,      /* Parley handshake or IRC registration in flight */
    CS_READY,      /* logged in (WELCOME / 001) */
    CS_CLOSED      /* ended; see bconn.why */
} conn_state;

/* One client connection of the load generator. Its index in bench.conns is its member id. */
typedef struct bconn {
    int fd;
    uint8_t state;
    uint8_t reading;     /* EPOLLIN registered (a slow consumer clears it on purpose) */
    uint8_t writing;     /* EPOLLOUT registered: bytes wait for room in the socket */
    uint8_t dirty;       /* on the flush list */
    uint8_t in_room;     /* the join of bench.room completed (HISTORY_END / 366) */
    uint8_t joining;
    uint8_t tracked;     /* its deliveries count toward loss and latency */
    uint8_t verified;    /* tracked and checked: frames opened, per-sender order and latency
                          * kept; a tracked member not verified only counts its room's frames */
    uint8_t quitting;    /* we said goodbye: the end is expected */
    uint8_t small_rcvbuf;/* opened with a small receive buffer (slow consumer candidate) */
    uint8_t attempts;    /* connects made for this slot in a row (login retries) */
    uint8_t lobby;       /* Parley: stays in "lobby" after login, like --keep-lobby for one
                          * connection (churn --lobby: the lobby's members and its churners) */
    uint64_t t_open_us;  /* connect started */
    uint64_t t_join_us;  /* JOIN sent */
    uint64_t t_leave_us; /* churn: when to leave */
    uint64_t counted;    /* chat lines counted (not verified) for this member */
    buf out;             /* bytes not yet taken by the socket, from out_off */
    size_t out_off;
    /* Parley */
    hs_client *hs;       /* only during the handshake */
    cipher_state tx, rx;
    proto_reader rd;
    /* IRC: a partial line */
    char *line;
    size_t line_len, line_cap;
} bconn;

/* Latency histogram: log-linear buckets over microseconds, ~3 % resolution. */
#define HIST_SUB 32
#define HIST_POW 40
typedef struct hist {
    uint64_t n;
    uint64_t max_us;
    uint64_t b[HIST_POW * HIST_SUB];
} hist;

void hist_reset(hist *h);
void hist_add(hist *h, uint64_t us);
/* The value below which a fraction q (0..1) of samples lie, in microseconds. */
uint64_t hist_quantile(const hist *h, double q);

/* What one receiver has seen from one sender. */
typedef struct track {
    uint32_t next;  /* one past the highest sequence number seen */
    uint32_t got;   /* distinct messages received */
    uint64_t bits;  /* bit i: sequence next-1-i was seen (duplicate detection) */
} track;

/* Server figures from /proc. */
typedef struct proc_sample {
    uint64_t rss_kb;  /* VmRSS */
    uint64_t hwm_kb;  /* VmHWM: the peak since the process started */
    double cpu_s;     /* utime + stime */
    int ok;
} proc_sample;

/* One CPU's time from /proc/stat, in clock ticks. */
typedef struct cpu_times {
    unsigned long long busy, total;
    unsigned long long task; /* user + nice + system: time in processes, not interrupts */
} cpu_times;

int cpu_busy_read(int cpu, cpu_times *t);
/* Share of the time since t0 that the CPU was busy (0..1), softirq included. */
double cpu_busy_since(int cpu, const cpu_times *t0);
/* Share of the time since t0 that the CPU ran processes (interrupt work excluded). */
double cpu_task_since(int cpu, const cpu_times *t0);

/* Reads pid's figures (pid <= 0: zeros, ok = 0). */
proc_sample proc_read(pid_t pid);

/* The load generator. */
typedef struct bench {
    /* configuration */
    bench_proto proto;
    struct sockaddr_in dst;
    int nsources;             /* source addresses 127.0.0.(10 + i) */
    const char *secret;
    uint8_t cipher;
    char tag[8];              /* nick prefix, unique per run */
    char room[BENCH_ROOM_MAX];
    int verbose;
    int keep_lobby;           /* Parley: stay in "lobby" after login (measures the auto-join) */
    /* connections */
    int epfd;
    bconn *conns;
    size_t nconns;
    bconn **dirty;
    size_t ndirty;
    size_t n_connecting, n_login, n_ready, n_joining, n_in_room;
    size_t n_failed;          /* could not connect or log in */
    size_t n_lost_conns;      /* ended without our asking after login */
    size_t n_lost_tracked;    /* of those: members whose deliveries are tracked */
    size_t n_server_cut;      /* of those: the server said why (BYE / ERROR :Closing) */
    size_t n_retries;         /* logins tried again after a refusal or failed connect */
    char first_error[256];
    /* master key cache: derived once, reused by every handshake */
    hs_client master_cache;
    /* Parley accounts (login scenario): connection i logs in as account_prefix<i> with
     * password, reusing salted[i], that account's SaltedPassword, as a real client would. */
    const char *account_prefix;            /* NULL: key mode, nicks from tag */
    const char *password;
    scram_salted_cache *salted;            /* [nconns] when account_prefix is set */
    int fs_off;                            /* do not offer the ECDH exchange */
    /* traffic */
    uint32_t nsenders;
    uint32_t sent[BENCH_MAX_SENDERS];      /* messages sent per sender (= next seq) */
    track *tracks;                         /* [member * BENCH_MAX_SENDERS + sender] */
    hist lat;                              /* tracked, non-self deliveries */
    uint64_t deliveries;                   /* tracked, non-self, distinct */
    uint64_t echoes;                       /* Parley: a sender's own message back */
    uint64_t dups, reorders;
    uint64_t untracked;                    /* deliveries to members not tracked */
    uint64_t bytes_in;
    uint64_t rng;
    size_t text_len;                       /* 0: uniform in [BENCH_TEXT_MIN, BENCH_TEXT_MAX] */
    uint64_t now_us;
    /* server */
    pid_t pid, pid2;
    uint64_t rss_peak_kb;                  /* sampled while running */
    uint64_t next_sample_us;
} bench;

uint64_t bench_now_us(void);

/* Sets up the loop for `nconns` connections. Returns 0 or -1. */
int bench_init(bench *b, size_t nconns);
void bench_free(bench *b);

/* Starts connection id (socket, source address, non-blocking connect, then login). */
int bench_open(bench *b, size_t id);
/* Ends connection id: says goodbye (expected end) and closes. */
void bench_quit(bench *b, size_t id);
/* Waits up to timeout_ms for events and handles them; flushes output. */
void bench_poll(bench *b, int timeout_ms);
/* Opens [first, first+count) with at most `window` logins in flight; gives up at deadline.
 * Returns how many are ready. */
size_t bench_connect_many(bench *b, size_t first, size_t count, size_t window,
                          uint64_t deadline_us);
/* Login rate: `total` logins over the connections of b (one slot each, every slot logging in,
 * saying goodbye once welcomed and starting again), until total or the deadline. Each login's
 * time from connect to WELCOME goes into b->lat. Returns the logins completed. */
size_t bench_login_many(bench *b, size_t total, uint64_t deadline_us);
/* Sends JOIN for b->room on connection id. */
int bench_join(bench *b, size_t id);
/* Joins [first, first+count) with at most `window` joins in flight; returns how many joined. */
size_t bench_join_many(bench *b, size_t first, size_t count, size_t window, uint64_t deadline_us);
/* Polls until no byte has arrived for quiet_ms, or the deadline. */
void bench_quiesce(bench *b, int quiet_ms, uint64_t deadline_us);
/* Sends one measured message (sender sid, next sequence) from connection id. */
int bench_say(bench *b, size_t id, uint32_t sid);
/* Stops reading on connection id (a slow consumer), and starts again. */
void bench_stop_reading(bench *b, size_t id);
void bench_resume_reading(bench *b, size_t id);
/* Samples the server's RSS into rss_peak_kb if the sampling period has passed. */
void bench_sample(bench *b);

/* Protocol drivers (bench_parley.c, bench_irc.c): called by the loop. */
int parley_start(bench *b, bconn *c);
int parley_input(bench *b, bconn *c, const uint8_t *data, size_t n);
int parley_join(bench *b, bconn *c);
int parley_say(bench *b, bconn *c, const char *text, uint32_t seq);
void parley_quit(bench *b, bconn *c);
void parley_free(bconn *c);
int irc_start(bench *b, bconn *c);
int irc_input(bench *b, bconn *c, const uint8_t *data, size_t n);
int irc_join(bench *b, bconn *c);
int irc_say(bench *b, bconn *c, const char *text);
void irc_quit(bench *b, bconn *c);
void irc_free(bconn *c);

/* Called by the drivers. */
void bench_on_ready(bench *b, bconn *c);
void bench_on_joined(bench *b, bconn *c);
/* A chat line arrived on c; text is what the sender wrote. */
void bench_on_text(bench *b, bconn *c, const char *text, size_t n);
/* A chat line arrived on c, a member that is not verified: counted, not read. */
void bench_on_counted(bench *b, bconn *c);
/* The server ends this connection (BYE, ERROR, or a login refusal): remember why. */
void bench_on_server_end(bench *b, bconn *c, const char *why);
/* Queues bytes for c (flushed after the current poll). */
void bench_queue(bench *b, bconn *c);

#endif
