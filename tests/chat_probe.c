/* chat_probe.c — parley-chat-probe, the installer test's client: connects to an installed
 * server with the key from its secret file, says one line and waits to see it come back.
 *   parley-chat-probe --port N --secret-file PATH [--motd TEXT]   0 when the chat worked
 *   parley-chat-probe --sleep SECONDS                             a Wine process to keep alive
 *   parley-chat-probe --lock PATH --sleep SECONDS                 ... holding PATH open with no
 *                                                                 sharing (a file "in use")
 *   parley-chat-probe --mutex NAME --sleep SECONDS                ... holding a named mutex (as
 *                                                                 a running installer does)
 *   parley-chat-probe --run "COMMAND LINE"                        runs a command line exactly as
 *                                                                 written (as cmd.exe passes it
 *                                                                 on); its exit code
 * (Wine ends services two seconds after the last ordinary Wine process has exited.) */
#include <windows.h>

#include <share.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "fsys.h"
#include "sock.h"
#include "sys.h"
#include "thread.h"

#define WAIT_MS 10000u

/* Waits for a message of this type whose text, if text is set, is this. 1, 0 timeout, -1. */
static int expect(pc_conn *c, uint8_t type, const char *text)
{
    uint64_t deadline = sys_mono_ms() + WAIT_MS;
    proto_msg m;

    for (;;) {
        uint64_t now = sys_mono_ms();
        int rc;
        if (now >= deadline)
            return 0;
        rc = pc_recv(c, &m, (uint32_t)(deadline - now));
        if (rc <= 0)
            return rc;
        if (m.type == type &&
            (!text || (m.text.n == strlen(text) && memcmp(m.text.p, text, m.text.n) == 0)))
            return 1;
    }
}

static int read_secret(const char *path, char *out, size_t n)
{
    FILE *f = fsys_fopen(path, "rb");
    size_t got;

    if (!f) {
        fprintf(stderr, "chat-probe: cannot open the secret file %s\n", path);
        return -1;
    }
    got = fread(out, 1, n - 1, f);
    fclose(f);
    out[got] = '\0';
    while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r' || out[got - 1] == ' '))
        out[--got] = '\0';
    if (got == 0) {
        fprintf(stderr, "chat-probe: the secret file %s is empty\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *secret_file = NULL, *motd = NULL;
    char secret[1100], err[256], text[64];
    unsigned port = 0;
    pc_options o;
    pc_conn *c;
    FILE *held = NULL;
    int i, code = 0, rc = 1;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--run") == 0) {
            wchar_t line[4096];
            STARTUPINFOW si;
            PROCESS_INFORMATION pi;
            DWORD exit_code = 1;
            memset(&si, 0, sizeof si);
            si.cb = sizeof si;
            if (!MultiByteToWideChar(CP_UTF8, 0, argv[i + 1], -1, line, 4096) ||
                !CreateProcessW(NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
                fprintf(stderr, "chat-probe: cannot run %s\n", argv[i + 1]);
                return 1;
            }
            WaitForSingleObject(pi.hProcess, INFINITE);
            GetExitCodeProcess(pi.hProcess, &exit_code);
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
            return (int)exit_code;
        } else if (strcmp(argv[i], "--lock") == 0) {
            /* Deny reading and writing to everyone else, as a running program's image is. */
            if (!(held = _fsopen(argv[i + 1], "rb", _SH_DENYRW))) {
                fprintf(stderr, "chat-probe: cannot lock %s\n", argv[i + 1]);
                return 1;
            }
            printf("locked\n"); /* the test waits for this line */
            fflush(stdout);
        } else if (strcmp(argv[i], "--mutex") == 0) {
            wchar_t name[256];
            if (!MultiByteToWideChar(CP_UTF8, 0, argv[i + 1], -1, name, 256) ||
                !CreateMutexW(NULL, TRUE, name)) {
                fprintf(stderr, "chat-probe: cannot create the mutex %s\n", argv[i + 1]);
                return 1;
            }
            printf("locked\n"); /* the test waits for this line */
            fflush(stdout);
        } else if (strcmp(argv[i], "--sleep") == 0) {
            sleep_ms((unsigned)atoi(argv[i + 1]) * 1000u);
            if (held)
                fclose(held);
            return 0;
        } else if (strcmp(argv[i], "--port") == 0) {
            port = (unsigned)atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--secret-file") == 0) {
            secret_file = argv[i + 1];
        } else if (strcmp(argv[i], "--motd") == 0) {
            motd = argv[i + 1];
        } else {
            break;
        }
    }
    if (i != argc || !secret_file || port == 0 || port > 65535) {
        fprintf(stderr, "usage: parley-chat-probe --port N --secret-file PATH [--motd TEXT]\n"
                        "       parley-chat-probe [--lock PATH] [--mutex NAME] --sleep SECONDS\n");
        return 2;
    }
    if (read_secret(secret_file, secret, sizeof secret) != 0)
        return 1;
    sock_startup();
    if (crypto_init() != CRYPTO_OK) {
        fprintf(stderr, "chat-probe: no crypto provider\n");
        return 1;
    }
    pc_options_init(&o);
    o.host = "127.0.0.1";
    o.port = (uint16_t)port;
    o.secret = secret;
    o.secret_len = strlen(secret);
    o.nick = "probe";
    o.connect_timeout_ms = WAIT_MS;
    c = pc_connect(&o, &code, err, sizeof err);
    crypto_wipe(secret, sizeof secret);
    if (!c) {
        fprintf(stderr, "chat-probe: connect to port %u: %s (code %d)\n", port, err, code);
        return 1;
    }
    if (motd && strcmp(pc_motd(c), motd) != 0) {
        fprintf(stderr, "chat-probe: motd is \"%s\", expected \"%s\"\n", pc_motd(c), motd);
        goto done;
    }
    snprintf(text, sizeof text, "probe %llu", (unsigned long long)sys_wall_ms());
    if (expect(c, PT_HISTORY_END, NULL) != 1 || pc_say(c, "lobby", text, 7) != 0 ||
        expect(c, PT_MSG, text) != 1) {
        fprintf(stderr, "chat-probe: no echo of what was said: %s\n", pc_error(c));
        goto done;
    }
    printf("chat-probe: chatted with %s on port %u (%s)\n", pc_server_name(c), port,
           pc_motd(c));
    rc = 0;
done:
    pc_close(c);
    return rc;
}
