/* secret_prompt.h — reads a secret (a key, a password) from the console without echoing it.
 * Implemented in secret_prompt_posix.c (termios) and secret_prompt_win.c (console mode). */
#ifndef PARLEY_SECRET_PROMPT_H
#define PARLEY_SECRET_PROMPT_H

#include <stddef.h>

/* Writes prompt to stderr and reads one line from the terminal with echo off, as UTF-8 without
 * its line break, NUL-terminated into out[0..size) (a longer line is cut). Returns 0, or -1 if
 * standard input is not a terminal (then nothing is read). */
int secret_prompt(const char *prompt, char *out, size_t size);

#endif
