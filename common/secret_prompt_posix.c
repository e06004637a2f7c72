/* secret_prompt_posix.c — secret_prompt on POSIX terminals: echo off through termios. */
#define _POSIX_C_SOURCE 200809L

#include "secret_prompt.h"

#include <errno.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

int secret_prompt(const char *prompt, char *out, size_t size)
{
    struct termios old, quiet;
    size_t n = 0;
    int restore;

    if (!isatty(0) || size == 0)
        return -1;
    fputs(prompt, stderr); /* stderr is unbuffered: the prompt shows at once */
    restore = tcgetattr(0, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        tcsetattr(0, TCSAFLUSH, &quiet);
    }
    for (;;) {
        char ch;
        ssize_t r = read(0, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || ch == '\n')
            break;
        if (ch != '\r' && n + 1 < size)
            out[n++] = ch;
    }
    out[n] = '\0';
    if (restore)
        tcsetattr(0, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return 0;
}
