/* test_cli_proc.h — starts a program with its standard input and output on pipes, for the
 * parley-cli tests: write lines to it, read its lines with a timeout, collect its exit code.
 * Implemented per platform (test_cli_proc_posix.c, test_cli_proc_win.c). */
#ifndef PARLEY_TEST_CLI_PROC_H
#define PARLEY_TEST_CLI_PROC_H

#include <stddef.h>
#include <stdint.h>

typedef struct tproc tproc;

/* Starts exe with the given arguments (argv[0] is exe). env_name, when not NULL, is set to
 * env_value in the child's environment, or removed from it when env_value is NULL. Standard
 * error is the test's own. NULL on failure (reported as a test failure). */
tproc *tproc_start(const char *exe, const char *const *args, size_t nargs, const char *env_name,
                   const char *env_value);
/* Writes text to the child's standard input. 0 or -1. */
int tproc_write(tproc *p, const char *text);
void tproc_close_stdin(tproc *p);
/* 1: a line (without its line ending) is in line; 0: none within timeout_ms; -1: the child's
 * output has ended. */
int tproc_read_line(tproc *p, char *line, size_t size, uint32_t timeout_ms);
/* Waits for the child to end: its exit code, or -1 if it had to be killed after timeout_ms. */
int tproc_wait(tproc *p, uint32_t timeout_ms);
/* Kills the child if it still runs, and frees everything. */
void tproc_free(tproc *p);

#endif
