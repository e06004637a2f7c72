/* cli_posix.c — parley-cli's platform layer on Linux and other POSIX systems: standard input
 * as lines with a timeout (poll), a key prompt without echo, files, local time. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct cli_input {
    char buf[CLI_LINE_MAX];
    size_t len;
    int eof;
};

void cli_sys_init(void)
{
    /* A reader that goes away must not kill us mid-write: the write just fails. */
    signal(SIGPIPE, SIG_IGN);
}

int cli_stdin_is_terminal(void)
{
    return isatty(0);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void cli_write_out(const char *p, size_t n)
{
    write_all(1, p, n);
}

void cli_write_err(const char *p, size_t n)
{
    write_all(2, p, n);
}

cli_input *cli_input_open(void)
{
    return calloc(1, sizeof(cli_input));
}

void cli_input_close(cli_input *in)
{
    free(in);
}

void cli_input_wake(cli_input *in)
{
    (void)in; /* reads wait with poll and a timeout: nothing to wake */
}

/* Moves the first n bytes out as a line (CR before the cut dropped) and consumes n + skip. */
static void take_line(cli_input *in, size_t n, size_t skip, char *line, size_t size)
{
    size_t keep = n;

    if (keep && in->buf[keep - 1] == '\r')
        keep--;
    if (keep > size - 1)
        keep = size - 1;
    memcpy(line, in->buf, keep);
    line[keep] = '\0';
    memmove(in->buf, in->buf + n + skip, in->len - n - skip);
    in->len -= n + skip;
}

int cli_input_line(cli_input *in, char *line, size_t size, uint32_t timeout_ms)
{
    int wait = timeout_ms > 60000 ? 60000 : (int)timeout_ms;

    for (;;) {
        char *nl = memchr(in->buf, '\n', in->len);
        struct pollfd p;
        ssize_t n;
        int rc;

        if (nl) {
            take_line(in, (size_t)(nl - in->buf), 1, line, size);
            return 1;
        }
        if (in->len == sizeof in->buf || (in->eof && in->len)) {
            /* A line longer than the buffer is taken in pieces; so is an unended last line. */
            take_line(in, in->len, 0, line, size);
            return 1;
        }
        if (in->eof)
            return -1;
        p.fd = 0;
        p.events = POLLIN;
        p.revents = 0;
        rc = poll(&p, 1, wait);
        if (rc == 0 || (rc < 0 && errno == EINTR))
            return 0;
        if (rc < 0) {
            in->eof = 1;
            continue;
        }
        n = read(0, in->buf + in->len, sizeof in->buf - in->len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return 0;
        if (n <= 0)
            in->eof = 1;
        else
            in->len += (size_t)n;
        wait = 0; /* what is there now is all this call waits for */
    }
}

int cli_getenv(const char *name, char *out, size_t size)
{
    const char *v = getenv(name);

    if (!v || !*v || strlen(v) >= size)
        return 0;
    memcpy(out, v, strlen(v) + 1);
    return 1;
}

long cli_read_file(const char *path, void *out, size_t size, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    int extra;

    if (!f) {
        snprintf(err, err_size, "%s", strerror(errno));
        return -1;
    }
    n = fread(out, 1, size - 1, f);
    extra = fgetc(f);
    fclose(f);
    if (extra != EOF) {
        snprintf(err, err_size, "too long (at most %zu bytes)", size - 1);
        return -1;
    }
    ((char *)out)[n] = '\0';
    return (long)n;
}

/* ms since 1970 as local time: the date (date = 1) or the time of day. */
static void local_format(uint64_t ms, int date, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000u);
    struct tm tm;
    size_t n = 0;

    if (localtime_r(&t, &tm))
        n = date ? strftime(out, size, "%Y-%m-%d", &tm) : strftime(out, size, "%H:%M:%S", &tm);
    if (n == 0)
        snprintf(out, size, "%s", date ? "----------" : "--:--:--");
}

void cli_local_time(uint64_t ms, char *out, size_t size)
{
    local_format(ms, 0, out, size);
}

void cli_local_date(uint64_t ms, char *out, size_t size)
{
    local_format(ms, 1, out, size);
}
