/* server_fixture.h — runs a real parley-server core and engine in-process, on a background
 * thread, on a free loopback port with its own data directory; and client helpers for tests. */
#ifndef PARLEY_SERVER_FIXTURE_H
#define PARLEY_SERVER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "chat.h"
#include "client.h"
#include "net.h"
#include "server_config.h"
#include "thread.h"
#include "users.h"

#define TEST_SECRET "test secret key"

typedef struct test_server {
    server_config cfg;
    chat *core;
    net_engine *engine;
    thread_handle *thread;
    uint16_t port;
    int run_result;
} test_server;

/* Fills cfg with test settings: loopback, port 0, data directory "srv-<name>" (emptied), a
 * known secret, the cheapest allowed key stretching, both ciphers allowed. */
void test_server_config(server_config *cfg, const char *name);
/* Starts a server with cfg. Returns 0, or -1 after reporting a test failure. */
int test_server_start(test_server *ts, const server_config *cfg);
/* Asks it to stop gracefully and waits until it has. */
void test_server_stop(test_server *ts);
/* Removes the files a test server leaves in its data directory, and the directory. */
void test_server_clean(const char *data_dir);
/* Sockets and crypto started, then test_server_start; and stop, then clean its directory. */
int test_server_begin(test_server *ts, const server_config *cfg);
void test_server_end(test_server *ts);

/* Connects a client with the test secret and the given nick and ciphers (NULL = aes only). */
pc_conn *test_connect(const test_server *ts, const char *nick, const uint8_t *ciphers,
                      size_t nciphers);
/* Adds an account to the store in data_dir (before the server starts); 0 or -1 (the test
 * fails). The verifier uses SCRAM_ITERATIONS_MIN to keep tests quick. */
int test_add_account(const char *data_dir, const char *login, const char *password,
                     user_role role, int disabled);
/* The verifier a tool computes from a password, as text for ACCOUNT_ADD / ACCOUNT_PASSWD. */
void test_verifier_text(const char *password, char *out, size_t cap);
/* Sends an ACCOUNT_ADD or ACCOUNT_PASSWD and returns the answer: 0 for the NOTICE (its text in
 * note), else the ERROR's code (-1 if nothing came). */
int test_account_request(pc_conn *c, uint8_t type, const char *name, const char *role,
                         const char *display, const char *verifier, char *note, size_t cap);
/* Logs in to an account (the test secret, then user's password): the connection, or NULL
 * with *code and err set. */
pc_conn *test_login(const test_server *ts, const char *user, const char *password, int *code,
                    char *err, size_t err_size);
/* Logs in to account user whose password is "<user> pw" and reads the lobby's welcome
 * traffic: the connection, or NULL after reporting a test failure. */
pc_conn *test_login_settled(const test_server *ts, const char *user);
/* Connects nick (aes only, key mode) and reads the lobby's welcome traffic: the connection,
 * or NULL after reporting a test failure. */
pc_conn *test_connect_settled(const test_server *ts, const char *nick);
/* Asks USERS for room on c and reads every frame of the answer (each within timeout_ms): the
 * entries as "nick", or "nick(away:text)" when away, comma-separated in the order sent, into
 * out. Returns the entry count, or -1 if no list came. */
int test_users(pc_conn *c, const char *room, char *out, size_t cap, uint32_t timeout_ms);
/* Like test_connect but returns the failure code and text instead (NULL conn expected). */
int test_connect_fails(const test_server *ts, const char *nick, const char *secret,
                       char *err, size_t err_size);
/* Receives until a message of `type` arrives (others are skipped) or timeout_ms passes.
 * 1 = found (m valid until the next receive), 0 = timed out, -1 = connection ended. */
int test_expect(pc_conn *c, uint8_t type, proto_msg *m, uint32_t timeout_ms);
/* Receives until a PT_MSG with this text arrives. */
int test_expect_text(pc_conn *c, const char *text, proto_msg *m, uint32_t timeout_ms);
/* Reads everything the server sends right after login (lobby join, member list, history). */
int test_settle(pc_conn *c);
/* 1 if a proto_str equals a C string. */
int str_is(proto_str s, const char *text);

#endif
