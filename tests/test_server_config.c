/* test_server_config.c — the server's settings: defaults, every section, and errors that name
 * file, line and problem. */
#include <stdio.h>
#include <string.h>

#include "cipher.h"
#include "fsys.h"
#include "ini_edit.h"
#include "server_config.h"
#include "server_template.h"
#include "test.h"
#include "users.h"

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

/* Writes text to path; 0 on success. */
static int write_text(const char *path, const char *text)
{
    FILE *f = fsys_fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* [private] (issue 16): the mailbox limits and read receipts, and what a bad value says. */
TEST(private_message_settings_set_and_refuse)
{
    server_config c;
    char problem[256], err[512];

    server_config_defaults(&c);
    CHECK_EQ_INT(c.mailbox_cap, 1000);
    CHECK(c.mailbox_expiry_ms == 30ull * 24 * 3600 * 1000);
    CHECK_EQ_INT(c.read_receipts, 1);
    CHECK_EQ_INT(set(&c, "private", "mailbox_cap", "50", problem), 0);
    CHECK_EQ_INT(c.mailbox_cap, 50);
    CHECK_EQ_INT(set(&c, "private", "mailbox_expiry", "2h", problem), 0);
    CHECK(c.mailbox_expiry_ms == 2ull * 3600 * 1000);
    CHECK_EQ_INT(set(&c, "private", "keep", "0", problem), 0);
    CHECK(c.private_keep_ms == 0);
    CHECK_EQ_INT(set(&c, "private", "max_bytes", "64M", problem), 0);
    CHECK(c.private_max_bytes == 64ull * 1024 * 1024);
    CHECK(set(&c, "private", "max_bytes", "lots", problem) != 0);
    CHECK_EQ_INT(set(&c, "private", "read_receipts", "no", problem), 0);
    CHECK_EQ_INT(c.read_receipts, 0);
    CHECK(set(&c, "private", "mailbox_cap", "0", problem) != 0);
    CHECK_EQ_INT(c.mailbox_cap, 50);
    CHECK(set(&c, "private", "mailbox_expiry", "soon", problem) != 0);
    CHECK(set(&c, "private", "read_receipts", "sometimes", problem) != 0);

    REQUIRE(write_text("private-bad.ini", "[private]\nmailbox_cap = 10\nread_receipts = maybe\n") ==
            0);
    CHECK(server_config_load(&c, "private-bad.ini", err, sizeof err) != 0);
    CHECK(strstr(err, "private-bad.ini:3:") != NULL);
    REQUIRE(write_text("private-bad.ini", "[private]\nmailbox_cap = -5\n") == 0);
    CHECK(server_config_load(&c, "private-bad.ini", err, sizeof err) != 0);
    CHECK(strstr(err, "private-bad.ini:2:") != NULL);
    remove("private-bad.ini");
}

/* [alerts] keep: a year by default, 0 for ever, a bad value named by file and line. */
TEST(alerts_keep_setting_sets_and_refuses)
{
    server_config c;
    char problem[256], err[512];

    server_config_defaults(&c);
    CHECK(c.alerts_keep_ms == 365ull * 24 * 3600 * 1000);
    CHECK_EQ_INT(set(&c, "alerts", "keep", "30d", problem), 0);
    CHECK(c.alerts_keep_ms == 30ull * 24 * 3600 * 1000);
    CHECK_EQ_INT(set(&c, "alerts", "keep", "0", problem), 0);
    CHECK(c.alerts_keep_ms == 0);
    REQUIRE(write_text("alerts-bad.ini", "[alerts]\n; how long\nkeep = a while\n") == 0);
    CHECK(server_config_load(&c, "alerts-bad.ini", err, sizeof err) != 0);
    CHECK(strstr(err, "alerts-bad.ini:3:") != NULL);
    CHECK(strstr(err, "keep") != NULL || strstr(err, "a while") != NULL);
    remove("alerts-bad.ini");
}

/* The file's text into out (NUL-terminated); "" if it cannot be read. */
static const char *read_text(const char *path, char *out, size_t out_size)
{
    FILE *f = fsys_fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(out, 1, out_size - 1, f);
        fclose(f);
    }
    out[n] = '\0';
    return out;
}

/* Install-time switches land in server.ini (issue 11): the key's active line is replaced, or
 * the new line goes under its commented-out template line; everything else stays. */
TEST(ini_edit_sets_keys_and_keeps_the_rest)
{
    const char *path = "tini-edit.ini";
    ini_edit edits[3] = {{"port", "7555"}, {"bind", "127.0.0.1"}, {"data_dir", "D:\\Parley Data"}};
    char err[256], text[1024];
    server_config c;

    REQUIRE(write_text(path, "; top\r\n[server]\r\n; port = 7420\r\nPort = 7000\r\n"
                             "; bind =\r\nmotd = edited by hand\r\n\r\n[log]\r\nlevel = debug\r\n") ==
            0);
    CHECK_EQ_INT(ini_edit_file(path, "server", edits, 3, err, sizeof err), 0);
    CHECK_EQ_STR(read_text(path, text, sizeof text),
                 "; top\r\n[server]\r\n; port = 7420\r\nport = 7555\r\n"
                 "; bind =\r\nbind = 127.0.0.1\r\nmotd = edited by hand\r\n"
                 "data_dir = D:\\Parley Data\r\n\r\n[log]\r\nlevel = debug\r\n");
    /* What was written reads back as the settings. */
    server_config_defaults(&c);
    CHECK_EQ_INT(server_config_load(&c, path, err, sizeof err), 0);
    CHECK_EQ_INT(c.port, 7555);
    CHECK_EQ_STR(c.bind, "127.0.0.1");
    CHECK_EQ_STR(c.data_dir, "D:\\Parley Data");
    CHECK_EQ_STR(c.motd, "edited by hand");
    CHECK(!fsys_exists("tini-edit.ini.new"));
    fsys_remove(path);
}

TEST(ini_edit_adds_a_missing_section_and_quotes_when_needed)
{
    const char *path = "tini-add.ini";
    ini_edit edit = {"bind", " spaced\\\""};
    ini_edit bad = {"motd", "two\nlines"};
    char err[256], text[512];
    server_config c;

    REQUIRE(write_text(path, "[log]\nlevel = debug") == 0);
    CHECK_EQ_INT(ini_edit_file(path, "server", &edit, 1, err, sizeof err), 0);
    CHECK_EQ_STR(read_text(path, text, sizeof text),
                 "[log]\nlevel = debug\n\n[server]\nbind = \" spaced\\\\\\\"\"\n");
    server_config_defaults(&c);
    CHECK_EQ_INT(server_config_load(&c, path, err, sizeof err), 0);
    CHECK_EQ_STR(c.bind, " spaced\\\"");
    /* A value no line can hold is refused and the file stays as it was. */
    CHECK(ini_edit_file(path, "server", &bad, 1, err, sizeof err) != 0);
    CHECK(strstr(err, "motd") != NULL);
    CHECK_EQ_STR(read_text(path, text, sizeof text),
                 "[log]\nlevel = debug\n\n[server]\nbind = \" spaced\\\\\\\"\"\n");
    fsys_remove(path);
}

/* auth = windows and its [signon] settings: good values are taken; a bad realm, an unreadable
 * keytab, a yes/no that is neither and an unknown key name the file, the line and the problem. */
TEST(signon_settings_and_their_errors)
{
    const char *path = "tsignon.ini", *keytab = "tsignon.keytab";
    char err[512], text[256];
    server_config c;
    static const struct {
        const char *lines; /* [signon] lines after the good ones; the bad one is line 9 */
        const char *problem;
    } bad[] = {
        {"realms = alice@PARLEY.TEST\n",
         "tsignon.ini:9: 'alice@PARLEY.TEST' is no realm or domain name"},
        {"realms = , ,\n", "tsignon.ini:9: realms must name at least one realm"},
        {"realms = CONTOSO.COM, FABRIKAM.COM\n",
         "tsignon.ini:9: realms names two Kerberos realms, CONTOSO.COM and FABRIKAM.COM"},
        {"realms = CONTOSO.COM CONTOSO FABRIKAM\n",
         "tsignon.ini:9: realms names two NetBIOS domain names, CONTOSO and FABRIKAM"},
        {"keytab = FILE:no-such.keytab\n", "tsignon.ini:9: cannot read the keytab no-such.keytab"},
        {"keytab =\n", "tsignon.ini:9: keytab must name a file"},
        {"allow_ntlm = maybe\n", "tsignon.ini:9:"},
        {"auto_create = sometimes\n", "tsignon.ini:9:"},
        {"realm = PARLEY.TEST\n", "tsignon.ini:9: unknown setting 'realm' in [signon]"},
        {"auto_create_role = boss\n",
         "tsignon.ini:9: auto_create_role must be user, operator or admin"},
    };
    size_t i;

    REQUIRE(write_text(keytab, "not really a keytab, but readable") == 0);
    snprintf(text, sizeof text,
             "[security]\nauth = windows\n[signon]\nrealms = PARLEY.TEST, PARLEY\n"
             "allow = alice@PARLEY.TEST @OTHER.TEST\nkeytab = FILE:%s\nallow_ntlm = no\n"
             "auto_create = yes\n", keytab);
    REQUIRE(write_text(path, text) == 0);
    server_config_defaults(&c);
    CHECK_EQ_INT(server_config_load(&c, path, err, sizeof err), 0);
    CHECK_EQ_INT(c.auth, AUTH_WINDOWS);
    CHECK_EQ_STR(c.signon_realms, "PARLEY.TEST, PARLEY");
    CHECK_EQ_STR(c.signon_allow, "alice@PARLEY.TEST @OTHER.TEST");
    CHECK_EQ_STR(c.signon_keytab, "FILE:tsignon.keytab");
    CHECK_EQ_INT(c.signon_allow_ntlm, 0);
    CHECK_EQ_INT(c.signon_auto_create, 1);
    CHECK_EQ_INT(c.signon_auto_create_role, USER_ROLE_USER); /* the default */
    CHECK_EQ_INT(set(&c, "signon", "auto_create_role", "operator", err), 0);
    CHECK_EQ_INT(set(&c, "signon", "operator_groups", "CONTOSO\\Chat Ops, CONTOSO\\Help Desk",
                     err), 0);
    CHECK_EQ_STR(c.signon_operator_groups, "CONTOSO\\Chat Ops, CONTOSO\\Help Desk");
    CHECK_EQ_INT(set(&c, "signon", "admin_groups", "Administrators", err), 0);
    CHECK_EQ_INT(set(&c, "signon", "allow_groups", "CONTOSO\\Chat Users", err), 0);
    CHECK_EQ_STR(c.signon_allow_groups, "CONTOSO\\Chat Users");
    CHECK_EQ_INT(c.signon_auto_create_role, USER_ROLE_OPERATOR);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char file[512];
        snprintf(file, sizeof file, "%s%s", text, bad[i].lines);
        REQUIRE(write_text(path, file) == 0);
        server_config_defaults(&c);
        CHECK(server_config_load(&c, path, err, sizeof err) != 0);
        if (!strstr(err, bad[i].problem))
            test_failf_at(__FILE__, __LINE__, "%s: got \"%s\"", bad[i].problem, err);
    }
    server_config_defaults(&c);
    CHECK(set(&c, "security", "auth", "kerberos", err) != 0);
    CHECK(strstr(err, "auth must be key, accounts or windows") != NULL);
    fsys_remove(path);
    fsys_remove(keytab);
}

/* The settings template names every setting at its default: with each "; key = value" line
 * of it made live, the file loads and gives the defaults again (the example realm aside,
 * which is not a default). */
TEST(template_values_are_the_defaults)
{
    server_config d, got;
    char err[256], line[512], live[16384] = "";
    FILE *in, *out;

    REQUIRE(server_template_write("template-defaults.ini", err, sizeof err) == 0);
    in = fopen("template-defaults.ini", "rb");
    out = fopen("template-live.ini", "wb");
    REQUIRE(in && out);
    while (fgets(line, sizeof line, in)) {
        const char *eq = strstr(line, " = ");
        size_t k = 2;
        while (line[0] == ';' && line[1] == ' ' &&
               ((line[k] >= 'a' && line[k] <= 'z') || line[k] == '_'))
            k++;
        if (line[0] == ';' && eq == line + k && eq[3] != '\r' && strncmp(line, "; realms", 8) != 0) {
            fputs(line + 2, out);
            if (strlen(live) + strlen(line) < sizeof live)
                strcat(live, line + 2);
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    fclose(out);
    /* Every setting an administrator is likely to look for is there. */
    CHECK(strstr(live, "auth = key") && strstr(live, "forward_secrecy = "));
    CHECK(strstr(live, "mailbox_cap = ") && strstr(live, "mailbox_expiry = "));
    CHECK(strstr(live, "read_receipts = yes") && strstr(live, "max_bytes = "));
    server_config_defaults(&d);
    server_config_defaults(&got);
    if (server_config_load(&got, "template-live.ini", err, sizeof err) != 0)
        test_failf_at(__FILE__, __LINE__, "%s", err);
    CHECK_EQ_INT(got.port, d.port);
    CHECK_EQ_INT(got.auth, d.auth);
    CHECK_EQ_INT(got.forward_secrecy, d.forward_secrecy);
    CHECK(got.send_queue_max == d.send_queue_max && got.max_frame == d.max_frame);
    CHECK(got.idle_timeout_ms == d.idle_timeout_ms && got.history_per_room == d.history_per_room);
    CHECK_EQ_INT(got.mailbox_cap, d.mailbox_cap);
    CHECK(got.mailbox_expiry_ms == d.mailbox_expiry_ms && got.private_keep_ms == d.private_keep_ms);
    CHECK(got.private_max_bytes == d.private_max_bytes);
    CHECK_EQ_INT(got.read_receipts, d.read_receipts);
    CHECK(got.alerts_keep_ms == d.alerts_keep_ms);
    CHECK(got.log_max_bytes == d.log_max_bytes && got.log_level == d.log_level);
    remove("template-defaults.ini");
    remove("template-live.ini");
}
