/* test_server_config.c — the server's settings: defaults, every section, and errors that name
 * file, line and problem. */
#include <stdio.h>
#include <string.h>

#include "cipher.h"
#include "server_config.h"
#include "test.h"

static int set(server_config *c, const char *section, const char *key, const char *value,
               char *problem)
{
    return server_config_set(c, section, key, value, problem, 256);
}

TEST(defaults_are_sensible)
{
    server_config c;
    server_config_defaults(&c);
    CHECK_EQ_INT(c.port, SERVER_PORT_DEFAULT);
    CHECK_EQ_INT(c.nciphers, 1);
    CHECK_EQ_INT(c.ciphers[0], PROTO_CIPHER_AES256GCM);
    CHECK_EQ_INT(c.history_per_room, 200);
    CHECK(c.data_dir[0] != '\0');
    CHECK(c.secret[0] == '\0'); /* generated on first start, never a built-in default */
    CHECK(c.max_frame == PROTO_MAX_FRAME_DEFAULT);
}

TEST(every_section_sets_values)
{
    server_config c;
    char problem[256];
    server_config_defaults(&c);
    CHECK_EQ_INT(set(&c, "server", "port", "7000", problem), 0);
    CHECK_EQ_INT(c.port, 7000);
    CHECK_EQ_INT(set(&c, "Server", "BIND", "127.0.0.1", problem), 0);
    CHECK_EQ_STR(c.bind, "127.0.0.1");
    CHECK_EQ_INT(set(&c, "security", "ciphers", "xor, aes-256-gcm", problem), 0);
    CHECK_EQ_INT(c.nciphers, 2);
    CHECK_EQ_INT(c.ciphers[0], PROTO_CIPHER_XOR);
    CHECK_EQ_INT(set(&c, "limits", "send_queue_max", "2M", problem), 0);
    CHECK_EQ_INT(c.send_queue_max, 2 * 1024 * 1024);
    CHECK_EQ_INT(set(&c, "limits", "idle_timeout", "90s", problem), 0);
    CHECK_EQ_INT(c.idle_timeout_ms, 90000);
    CHECK_EQ_INT(set(&c, "history", "fsync", "always", problem), 0);
    CHECK_EQ_INT(c.fsync, FSYNC_ALWAYS);
    CHECK_EQ_INT(set(&c, "log", "level", "debug", problem), 0);
    CHECK_EQ_INT(set(&c, "log", "console", "off", problem), 0);
    CHECK_EQ_INT(c.console, 0);
}

TEST(limits_of_issue_12_set_and_refuse)
{
    server_config c;
    char problem[256];
    server_config_defaults(&c);
    CHECK_EQ_STR(c.auto_join, "lobby");
    CHECK_EQ_INT(set(&c, "server", "auto_join", "", problem), 0);
    CHECK_EQ_STR(c.auto_join, "");
    CHECK_EQ_INT(set(&c, "server", "auto_join", "caf\xc3\xa9", problem), 0);
    CHECK(set(&c, "server", "auto_join", "two words", problem) != 0);
    CHECK(strstr(problem, "no room name") != NULL);
    CHECK_EQ_STR(c.auto_join, "caf\xc3\xa9");
    CHECK_EQ_INT(set(&c, "limits", "connect_rate", "3", problem), 0);
    CHECK_EQ_INT(c.connect_rate, 3);
    CHECK_EQ_INT(set(&c, "limits", "connect_burst", "9", problem), 0);
    CHECK_EQ_INT(c.connect_burst, 9);
    CHECK(set(&c, "limits", "connect_rate", "0", problem) != 0);
    CHECK_EQ_INT(set(&c, "limits", "max_rooms", "50", problem), 0);
    CHECK_EQ_INT(c.max_rooms, 50);
    CHECK_EQ_INT(set(&c, "limits", "send_queue_total", "256M", problem), 0);
    CHECK_EQ_INT(c.send_queue_total, 256u * 1024u * 1024u);
    CHECK_EQ_INT(set(&c, "limits", "announce_max_members", "0", problem), 0);
    CHECK_EQ_INT(c.announce_max_members, 0);
}

TEST(forward_secrecy_setting)
{
    server_config c;
    char problem[256];
    server_config_defaults(&c);
    CHECK_EQ_INT(c.forward_secrecy, HS_FS_PREFERRED);
    CHECK_EQ_INT(set(&c, "security", "forward_secrecy", "required", problem), 0);
    CHECK_EQ_INT(c.forward_secrecy, HS_FS_REQUIRED);
    CHECK_EQ_INT(set(&c, "security", "forward_secrecy", "off", problem), 0);
    CHECK_EQ_INT(c.forward_secrecy, HS_FS_OFF);
    CHECK(set(&c, "security", "forward_secrecy", "always", problem) != 0);
    CHECK_EQ_STR(problem, "forward_secrecy must be required, preferred or off");
    CHECK_EQ_INT(c.forward_secrecy, HS_FS_OFF); /* a bad value leaves the old one */
}

TEST(next_secret_settings)
{
    server_config c;
    char problem[256];
    server_config_defaults(&c);
    CHECK_EQ_STR(c.next_secret, "");
    CHECK_EQ_INT(set(&c, "security", "next_secret_file", "next.key", problem), 0);
    CHECK_EQ_STR(c.next_secret_file, "next.key");
    CHECK_EQ_INT(set(&c, "security", "next_secret", "new key", problem), 0);
    CHECK_EQ_STR(c.next_secret, "new key");
}

TEST(bad_values_say_what_is_wrong)
{
    server_config c;
    char problem[256];
    server_config_defaults(&c);
    CHECK(set(&c, "server", "port", "70000", problem) != 0);
    CHECK(strstr(problem, "65535") != NULL);
    CHECK(set(&c, "security", "ciphers", "rot13", problem) != 0);
    CHECK(strstr(problem, "unknown cipher 'rot13'") != NULL);
    CHECK(set(&c, "security", "ciphers", " , ", problem) != 0);
    CHECK(set(&c, "security", "iterations", "10", problem) != 0);
    CHECK(set(&c, "history", "fsync", "sometimes", problem) != 0);
    CHECK(strstr(problem, "always, interval or never") != NULL);
    CHECK(set(&c, "limits", "max_frame", "2G", problem) != 0);
    CHECK(set(&c, "server", "colour", "blue", problem) != 0);
    CHECK_EQ_STR(problem, "unknown setting 'colour' in [server]");
    CHECK(set(&c, "", "port", "1", problem) != 0);
    CHECK(strstr(problem, "inside a section") != NULL);
    CHECK(set(&c, "security", "secret", "", problem) != 0);
    /* Failed settings leave the old value. */
    CHECK_EQ_INT(c.port, SERVER_PORT_DEFAULT);
}

TEST(file_errors_name_file_and_line)
{
    server_config c;
    char err[512], path[600];
    server_config_defaults(&c);
    snprintf(path, sizeof path, "%s/data/bad-server.ini", test_data_dir());
    CHECK(server_config_load(&c, path, err, sizeof err) != 0);
    CHECK(strstr(err, "bad-server.ini:4: unknown setting 'colour' in [server]") != NULL);
    CHECK(server_config_load(&c, "no/such/dir/server.ini", err, sizeof err) != 0);
    CHECK(strstr(err, "no/such/dir/server.ini") != NULL);
}
