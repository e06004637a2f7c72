/* test_cli_proc_posix.c — test_cli_proc.h on POSIX: fork, exec, pipes and poll. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test_cli_proc.h"

struct tproc {
    pid_t pid;
    int in_fd;   /* the child's stdin, our end */
    int out_fd;  /* the child's stdout, our end */
    int status;
    int reaped;
    char buf[65536];
    size_t len;
    int eof;
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

extern char **environ;

/* Our environment without env_name, plus env_name=env_value when given. The array (free it)
 * borrows environ's strings; *entry (free it) holds the added one. */
static char **child_env(const char *env_name, const char *env_value, char **entry)
{
    size_t n = 0, k = 0, name_len = env_name ? strlen(env_name) : 0, i;
    char **envp;

    *entry = NULL;
    while (environ[n])
        n++;
    envp = calloc(n + 2, sizeof *envp);
    if (!envp)
        return NULL;
    for (i = 0; i < n; i++) {
        if (env_name && strncmp(environ[i], env_name, name_len) == 0 &&
            environ[i][name_len] == '=')
            continue;
        envp[k++] = environ[i];
    }
    if (env_name && env_value) {
        *entry = malloc(name_len + strlen(env_value) + 2);
        if (!*entry) {
            free(envp);
            return NULL;
        }
        snprintf(*entry, name_len + strlen(env_value) + 2, "%s=%s", env_name, env_value);
        envp[k++] = *entry;
    }
    envp[k] = NULL;
    return envp;
}

tproc *tproc_start(const char *exe, const char *const *args, size_t nargs, const char *env_name,
                   const char *env_value)
{
    int in_pipe[2], out_pipe[2];
    char **argv, **envp, *env_entry;
    tproc *p;
    size_t i;

    signal(SIGPIPE, SIG_IGN);
    p = calloc(1, sizeof *p);
    argv = calloc(nargs + 2, sizeof *argv);
    if (!p || !argv || pipe(in_pipe) != 0) {
        free(p);
        free(argv);
        test_failf_at(__FILE__, __LINE__, "cannot start %s", exe);
        return NULL;
    }
    if (pipe(out_pipe) != 0) {
        close(in_pipe[0]);
        close(in_pipe[1]);
        free(p);
        free(argv);
        test_failf_at(__FILE__, __LINE__, "cannot start %s", exe);
        return NULL;
    }
    argv[0] = (char *)exe;
    for (i = 0; i < nargs; i++)
        argv[i + 1] = (char *)args[i];
    /* Everything the child needs is built before fork: other threads (the in-process server)
     * may hold the allocator's lock at that moment, so the child only calls exec. */
    envp = child_env(env_name, env_value, &env_entry);
    if (!envp) {
        close(in_pipe[0]);
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(out_pipe[1]);
        free(p);
        free(argv);
        test_failf_at(__FILE__, __LINE__, "out of memory");
        return NULL;
    }
    p->pid = fork();
    if (p->pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        close(in_pipe[0]);
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(out_pipe[1]);
        execve(exe, argv, envp);
        _exit(127);
    }
    free(argv);
    free(envp);
    free(env_entry);
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (p->pid < 0) {
        close(in_pipe[1]);
        close(out_pipe[0]);
        free(p);
        test_failf_at(__FILE__, __LINE__, "fork: %s", strerror(errno));
        return NULL;
    }
    p->in_fd = in_pipe[1];
    p->out_fd = out_pipe[0];
    fcntl(p->in_fd, F_SETFD, FD_CLOEXEC);
    fcntl(p->out_fd, F_SETFD, FD_CLOEXEC);
    return p;
}

int tproc_write(tproc *p, const char *text)
{
    size_t n = strlen(text);

    while (n && p->in_fd >= 0) {
        ssize_t w = write(p->in_fd, text, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        text += w;
        n -= (size_t)w;
    }
    return p->in_fd >= 0 ? 0 : -1;
}

void tproc_close_stdin(tproc *p)
{
    if (p->in_fd >= 0)
        close(p->in_fd);
    p->in_fd = -1;
}

int tproc_read_line(tproc *p, char *line, size_t size, uint32_t timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;

    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        struct pollfd pf;
        uint64_t now;
        ssize_t n;

        if (nl || (p->eof && p->len) || p->len == sizeof p->buf) {
            size_t cut = nl ? (size_t)(nl - p->buf) : p->len, keep = cut;
            if (keep && p->buf[keep - 1] == '\r')
                keep--;
            if (keep > size - 1)
                keep = size - 1;
            memcpy(line, p->buf, keep);
            line[keep] = '\0';
            if (nl)
                cut++;
            memmove(p->buf, p->buf + cut, p->len - cut);
            p->len -= cut;
            return 1;
        }
        if (p->eof)
            return -1;
        now = now_ms();
        if (now >= deadline)
            return 0;
        pf.fd = p->out_fd;
        pf.events = POLLIN;
        pf.revents = 0;
        if (poll(&pf, 1, (int)(deadline - now)) <= 0)
            continue;
        n = read(p->out_fd, p->buf + p->len, sizeof p->buf - p->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            p->eof = 1;
        else
            p->len += (size_t)n;
    }
}

int tproc_wait(tproc *p, uint32_t timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;

    while (!p->reaped) {
        pid_t r = waitpid(p->pid, &p->status, WNOHANG);
        if (r == p->pid) {
            p->reaped = 1;
            break;
        }
        if (r < 0 && errno != EINTR) {
            p->reaped = 1;
            p->status = -1;
            break;
        }
        if (now_ms() >= deadline) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &p->status, 0);
            p->reaped = 1;
            return -1;
        }
        {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return p->status >= 0 && WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
}

void tproc_free(tproc *p)
{
    if (!p)
        return;
    tproc_close_stdin(p);
    if (!p->reaped)
        tproc_wait(p, 0);
    close(p->out_fd);
    free(p);
}
