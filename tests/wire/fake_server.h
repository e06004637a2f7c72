/* fake_server.h — a misbehaving Parley server for client-side fault tests: it runs the real I/O
 * engine and the real server handshake, then does one scripted wrong thing, so the client
 * library can be shown to fail cleanly (an error and a reason, never a crash or a hang). */
#ifndef PARLEY_FAKE_SERVER_H
#define PARLEY_FAKE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "net.h"
#include "thread.h"

typedef enum fake_act {
    FAKE_GARBAGE_FOR_HELLO,   /* answers HELLO with bytes that are not a frame */
    FAKE_SILENT,              /* reads HELLO and never answers */
    FAKE_HUGE_HEADER,         /* answers HELLO with a header declaring a 4 GiB body */
    FAKE_CLOSE_AFTER_HELLO,   /* hangs up as soon as HELLO arrives */
    FAKE_ERROR_CODE_ZERO,     /* refuses HELLO with a plain ERROR whose code is 0 (PC_OK) */
    FAKE_GARBAGE_AFTER_LOGIN, /* completes the handshake, then sends noise */
    FAKE_TAMPER_AFTER_LOGIN,  /* completes it, then sends a sealed MSG with one byte flipped */
    FAKE_REPLAY_AFTER_LOGIN,  /* completes it, then sends one sealed MSG twice */
    FAKE_RESET_MID_FRAME,     /* completes it, then half a frame and a reset */
    FAKE_BYE_CODE_ZERO,       /* completes it, then says BYE with code 0 (PC_OK) */
    FAKE_GOOD_AFTER_LOGIN     /* completes it, then sends one good MSG (a control case) */
} fake_act;

typedef struct fake_server {
    fake_act act;
    hs_server_config hs_cfg;
    uint8_t secret[64];
    net_engine *engine;
    thread_handle *thread;
    uint16_t port;
    volatile int accepted; /* connections seen (read by the test thread after the fact) */
    /* The connection whose post-login act waits for the next tick (one client per test).
     * Only the engine's callbacks touch it. */
    struct fake_conn *pending;
} fake_server;

/* Starts on 127.0.0.1 on a free port with the test secret; -1 after reporting a failure. */
int fake_server_start(fake_server *fs, fake_act act, const char *secret);
void fake_server_stop(fake_server *fs);

#endif
