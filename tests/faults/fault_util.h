/* fault_util.h — helpers for fault-injection tests: capturing the server's log, waiting for its
 * session count to settle, and checking that bystanders keep chatting with nothing lost. */
#ifndef PARLEY_FAULT_UTIL_H
#define PARLEY_FAULT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "server_fixture.h"
#include "sock.h"

/* Starts keeping every log line (of any level at or above the server's) in memory. */
void log_capture_start(void);
/* 1 if a kept line contains text. */
int log_capture_has(const char *text);
/* Stops capturing and forgets the lines. */
void log_capture_stop(void);

/* Waits until the in-process server has exactly n sessions (handshaking or chatting).
 * Returns 1, or 0 after timeout_ms (reporting the count it saw). */
int wait_sessions(const test_server *ts, size_t n, uint32_t timeout_ms);

/* Two chatting bystanders from addresses of their own (127.0.0.2 and .3), so that per-address
 * limits aimed at 127.0.0.1 do not touch them, talking in a room of their own. */
#define BYSTANDER_ROOM "calm"
typedef struct bystanders {
    pc_conn *a, *b;
    uint32_t sent; /* messages a has sent (and b must have received, in order) */
} bystanders;

int bystanders_join(bystanders *by, const test_server *ts);
/* a says one more numbered message; b must receive exactly it next (nothing lost, nothing
 * reordered, nothing extra in between). Returns 1 if so. */
int bystanders_talk(bystanders *by);
void bystanders_leave(bystanders *by);

/* Reads from a raw socket until it closes; returns the first frame's type (PT_ERROR...) and,
 * for a plain (pre-handshake) ERROR, its code in *code. 0 if nothing framed arrived. Gives up after
 * timeout_ms (then *closed = 0). */
int drain_until_closed(sock *s, uint16_t *code, int *closed, uint32_t timeout_ms);

/* Connects to 127.0.0.1:port offering one cipher and reads the login's history; NULL after
 * reporting a failure. */
pc_conn *fault_join(uint16_t port, const char *nick, uint8_t cipher);

/* A set of message texts (a history read back after a fault). */
typedef struct text_set {
    char **texts; /* in the order read */
    size_t n, cap;
} text_set;

int text_set_has(const text_set *s, const char *text);
void text_set_free(text_set *s);
/* Logs in as "historian" and collects the lobby history replayed at login (oldest first).
 * 0, or -1 after reporting a failure. */
int read_lobby_history(uint16_t port, text_set *seen);

/* A small deterministic generator, so a failing run can be repeated exactly. */
uint32_t fault_rand(uint32_t *state);

#endif
