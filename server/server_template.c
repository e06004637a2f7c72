/* server_template.c — the first server.ini: every setting at its default, commented out, with
 * a line on what each does (written by --install on Windows). */
#include "server_template.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cipher.h"
#include "fsys.h"
#include "log.h"
#include "server_config.h"

/* "15s" for whole seconds, else "250ms": the forms server.ini reads back. */
static const char *duration_text(uint64_t ms, char *out, size_t n)
{
    if (ms % 1000 == 0)
        snprintf(out, n, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(out, n, "%llums", (unsigned long long)ms);
    return out;
}

/* "4M", "64k" or plain bytes. */
static const char *size_text(uint64_t bytes, char *out, size_t n)
{
    if (bytes && bytes % (1024u * 1024u) == 0)
        snprintf(out, n, "%lluM", (unsigned long long)(bytes >> 20));
    else if (bytes && bytes % 1024u == 0)
        snprintf(out, n, "%lluk", (unsigned long long)(bytes >> 10));
    else
        snprintf(out, n, "%llu", (unsigned long long)bytes);
    return out;
}

int server_template_write(const char *path, char *err, size_t err_size)
{
    server_config d;
    char a[32], b[32], c[32], e[32];
    FILE *f;
    int ok;

    server_config_defaults(&d);
    f = fsys_fopen(path, "wb");
    if (!f) {
        snprintf(err, err_size, "cannot create the settings file %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f,
            "; server.ini - settings of the Parley chat server (parley-server.exe).\r\n"
            "; Written by \"parley-server --install\": every setting is at its default and\r\n"
            "; commented out. To change one, remove the ';' before it, edit the value and\r\n"
            "; restart the service (parley-server --stop, then parley-server --start).\r\n"
            "; Durations take ms, s, m, h or d; sizes take k, M or G. Every setting is\r\n"
            "; described in ADMIN.md, beside parley-server.exe (docs\\ADMIN.md in the sources).\r\n"
            "\r\n"
            "[server]\r\n"
            "; TCP port clients connect to (allowed through Windows Firewall by the installer)\r\n"
            "; port = %u\r\n"
            "; one numeric address to listen on; empty = every address\r\n"
            "; bind =\r\n"
            "; history, bans, secret key, salt and log\r\n"
            "; data_dir = %s\r\n"
            "; the name and greeting clients show\r\n"
            "; name = %s\r\n"
            "; motd = %s\r\n"
            "; IOCP worker threads (0 = one per processor) and AcceptEx calls kept posted\r\n"
            "; workers = %d\r\n"
            "; accept_pool = %d\r\n"
            "\r\n"
            "[security]\r\n"
            "; allowed ciphers in order of preference: aes-256-gcm, xor (xor only hides text\r\n"
            "; from a casual look)\r\n"
            "; ciphers = %s\r\n"
            "; the shared secret key is read from secret_file (default: secret.key in\r\n"
            "; data_dir); 'secret =' here would override it\r\n"
            "; secret_file =\r\n"
            "; key rotation: a next key accepted alongside the current one, inline or from a\r\n"
            "; file (see the administrator's guide, \"Rotating the network key\")\r\n"
            "; next_secret_file =\r\n"
            "; PBKDF2 iterations for the session keys\r\n"
            "; iterations = %lu\r\n"
            "; ephemeral ECDH key exchange (forward secrecy): required refuses clients\r\n"
            "; without it, preferred uses it when the client offers it, off never\r\n"
            "; forward_secrecy = %s\r\n"
            "; password for operator commands (auth = key only); empty = no operators\r\n"
            "; oper_password =\r\n"
            "; who may connect: key (anyone with the key), accounts (key, then an account's\r\n"
            "; password) or windows (key, then Windows sign-on; see [signon])\r\n"
            "; auth = %s\r\n",
            (unsigned)d.port, d.data_dir, d.name, d.motd, d.workers, d.accept_pool,
            cipher_name(d.ciphers[0]), (unsigned long)d.iterations, hs_fs_name(d.forward_secrecy),
            d.auth == AUTH_WINDOWS ? "windows" : d.auth == AUTH_ACCOUNTS ? "accounts" : "key");
    fprintf(f,
            "\r\n"
            "[limits]\r\n"
            "; max_frame = %s\r\n"
            "; max_connections = %lu\r\n"
            "; max_per_ip = %lu\r\n"
            "; client frames per second, sustained and in a burst\r\n"
            "; rate = %lu\r\n"
            "; burst = %lu\r\n"
            "; bytes queued to one slow client before it is disconnected\r\n"
            "; send_queue_max = %s\r\n",
            size_text(d.max_frame, a, sizeof a), (unsigned long)d.max_connections,
            (unsigned long)d.max_per_ip, (unsigned long)d.rate_per_sec,
            (unsigned long)d.rate_burst, size_text(d.send_queue_max, b, sizeof b));
    fprintf(f,
            "; handshake_timeout = %s\r\n"
            "; idle_timeout = %s\r\n"
            "; ping_timeout = %s\r\n"
            "; how long a stop waits for clients to be told goodbye\r\n"
            "; shutdown_deadline = %s\r\n"
            "; max_rooms_per_user = %lu\r\n",
            duration_text(d.handshake_timeout_ms, a, sizeof a),
            duration_text(d.idle_timeout_ms, b, sizeof b),
            duration_text(d.ping_timeout_ms, c, sizeof c),
            duration_text(d.shutdown_deadline_ms, e, sizeof e),
            (unsigned long)d.max_rooms_per_user);
    fprintf(f,
            "\r\n"
            "[history]\r\n"
            "; messages kept per room\r\n"
            "; per_room = %lu\r\n"
            "; always, interval or never\r\n"
            "; fsync = %s\r\n"
            "; fsync_interval = %s\r\n"
            "\r\n"
            "[log]\r\n"
            "; empty: parley-server.log in data_dir; '-': no log file\r\n"
            "; file =\r\n"
            "; max_size = %s\r\n"
            "; keep = %lu\r\n"
            "; debug, info, warn, error or off\r\n"
            "; level = %s\r\n",
            (unsigned long)d.history_per_room,
            d.fsync == FSYNC_ALWAYS ? "always" : d.fsync == FSYNC_NEVER ? "never" : "interval",
            duration_text(d.fsync_interval_ms, a, sizeof a),
            size_text(d.log_max_bytes, b, sizeof b), (unsigned long)d.log_keep,
            log_level_name((log_level)d.log_level));
    fprintf(f,
            "\r\n"
            "[private]\r\n"
            "; with accounts: private messages are stored; messages waiting for one offline\r\n"
            "; account, and how long one may wait\r\n"
            "; mailbox_cap = %lu\r\n"
            "; mailbox_expiry = %s\r\n"
            "; how long delivered ones are kept (0 = for ever), and all of them at most\r\n"
            "; keep = %s\r\n"
            "; max_bytes = %s\r\n"
            "; no: nobody is told that their private message was read\r\n"
            "; read_receipts = %s\r\n"
            "\r\n"
            "[alerts]\r\n"
            "; how long an alert is kept once everyone acknowledged it or it expired\r\n"
            "; (0 = for ever)\r\n"
            "; keep = %s\r\n"
            "\r\n"
            "[signon]\r\n"
            "; with auth = windows: the one domain whose users sign on (its Kerberos realm and\r\n"
            "; NetBIOS name), and more (see the administrator's guide, \"Windows sign-on\")\r\n"
            "; realms = CONTOSO.COM, CONTOSO\r\n",
            (unsigned long)d.mailbox_cap, duration_text(d.mailbox_expiry_ms, a, sizeof a),
            duration_text(d.private_keep_ms, b, sizeof b),
            size_text(d.private_max_bytes, c, sizeof c), d.read_receipts ? "yes" : "no",
            duration_text(d.alerts_keep_ms, e, sizeof e));
    ok = !ferror(f);
    if (fclose(f) != 0 || !ok) {
        snprintf(err, err_size, "cannot write the settings file %s", path);
        fsys_remove(path);
        return -1;
    }
    return 0;
}
