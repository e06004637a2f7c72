/* proc_posix.c — parley-server as a child process: spawn, port, output, memory, kill. */
#define _POSIX_C_SOURCE 200809L

#include "proc_posix.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_fixture.h" /* TEST_SECRET */
#include "sys.h"
#include "test.h"
#include "thread.h"

#ifndef PARLEY_SERVER_EXE
#error "PARLEY_SERVER_EXE must name the parley-server binary"
#endif

int write_server_config(const char *path, const char *data_dir, const char *extra)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        test_failf_at(__FILE__, __LINE__, "cannot write %s", path);
        return -1;
    }
    fprintf(f,
            "[server]\nbind = 127.0.0.1\ndata_dir = %s\n"
            "[security]\nsecret = %s\niterations = 1000\nciphers = aes-256-gcm, xor\n"
            "[log]\nfile = -\nconsole = yes\nlevel = info\n%s",
            data_dir, TEST_SECRET, extra);
    fclose(f);
    return 0;
}

/* The whole output file as a NUL-terminated string (caller frees), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (s = malloc((size_t)n + 1)) != NULL) {
        size_t got = fread(s, 1, (size_t)n, f);
        s[got] = '\0';
    }
    fclose(f);
    return s;
}

int server_proc_output_has(const server_proc *p, const char *text)
{
    char *s = slurp(p->out_path);
    int found = s && strstr(s, text) != NULL;
    free(s);
    return found;
}

/* Copies the child's output into its file. The child writes into a pipe, not the file, so
 * that a file-size limit set on the child cannot cut its log short. */
static void copy_output(void *arg)
{
    server_proc *p = arg;
    char chunk[4096];
    FILE *f = fopen(p->out_path, "ab");
    ssize_t n;
    while ((n = read(p->out_fd, chunk, sizeof chunk)) > 0)
        if (f) {
            fwrite(chunk, 1, (size_t)n, f);
            fflush(f);
        }
    if (f)
        fclose(f);
}

/* After the child is gone: its pipe ends, the copier finishes. */
static void reap_output(server_proc *p)
{
    if (p->copier) {
        thread_join(p->copier);
        p->copier = NULL;
        close(p->out_fd);
    }
}

int server_proc_start(server_proc *p, const char *config, const char *out_path,
                      uint64_t file_limit)
{
    uint64_t deadline;
    int fds[2], fd;

    memset(p, 0, sizeof *p);
    snprintf(p->out_path, sizeof p->out_path, "%s", out_path);
    fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || pipe(fds) != 0) {
        test_failf_at(__FILE__, __LINE__, "cannot create %s or a pipe", out_path);
        return -1;
    }
    close(fd);
    p->pid = fork();
    if (p->pid < 0) {
        test_failf_at(__FILE__, __LINE__, "fork failed");
        return -1;
    }
    if (p->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (file_limit) {
            struct rlimit rl;
            /* Ignored signals stay ignored across exec: a write past the limit then fails with
             * EFBIG instead of killing the server. */
            signal(SIGXFSZ, SIG_IGN);
            getrlimit(RLIMIT_FSIZE, &rl);
            rl.rlim_cur = (rlim_t)file_limit;
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execl(PARLEY_SERVER_EXE, PARLEY_SERVER_EXE, "--config", config, "--port", "0",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    p->out_fd = fds[0];
    p->copier = thread_start(copy_output, p);
    deadline = sys_mono_ms() + 20000;
    while (sys_mono_ms() < deadline) {
        char *s = slurp(out_path);
        const char *at = s ? strstr(s, "listening on port ") : NULL;
        int status;
        if (at) {
            p->port = (uint16_t)atoi(at + strlen("listening on port "));
            free(s);
            if (p->port)
                return 0;
        } else {
            free(s);
        }
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            test_failf_at(__FILE__, __LINE__, "parley-server exited before listening (see %s)",
                          out_path);
            p->pid = 0;
            reap_output(p);
            return -1;
        }
        sleep_ms(20);
    }
    test_failf_at(__FILE__, __LINE__, "parley-server did not say it was listening (see %s)",
                  out_path);
    server_proc_kill(p);
    return -1;
}

void server_proc_kill(server_proc *p)
{
    int status;
    if (p->pid <= 0)
        return;
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    p->pid = 0;
    reap_output(p);
}

int server_proc_stop(server_proc *p)
{
    uint64_t deadline = sys_mono_ms() + 15000;
    int status;
    if (p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    while (sys_mono_ms() < deadline) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            reap_output(p);
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        sleep_ms(20);
    }
    server_proc_kill(p);
    return -1;
}

long server_proc_rss_kb(const server_proc *p)
{
    char path[64], line[256];
    long kb = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)p->pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = atol(line + 6);
            break;
        }
    fclose(f);
    return kb;
}
