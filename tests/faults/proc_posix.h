/* proc_posix.h — runs the real parley-server as a child process for process-level fault tests
 * (hard kill, disk full, memory over time): start it, learn its port, read its output, measure
 * its resident memory and kill it. POSIX only (Linux /proc for memory). */
#ifndef PARLEY_PROC_POSIX_H
#define PARLEY_PROC_POSIX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "thread.h"

typedef struct server_proc {
    pid_t pid;
    uint16_t port;
    char out_path[512]; /* the child's stdout and stderr (its console log) */
    int out_fd;         /* read end of the child's output pipe */
    thread_handle *copier;
} server_proc;

/* Writes an INI file at path with the test secret, fast key stretching, both ciphers and the
 * given data directory, then `extra` (more INI lines, may be ""). */
int write_server_config(const char *path, const char *data_dir, const char *extra);
/* Starts parley-server --config config --port 0, output into out_path, and waits for its
 * "listening on port N" line. file_limit > 0 caps the size of any file it writes (RLIMIT_FSIZE,
 * with SIGXFSZ ignored, so a write past it fails as on a full disk). 0, or -1 after reporting. */
int server_proc_start(server_proc *p, const char *config, const char *out_path,
                      uint64_t file_limit);
/* SIGKILL and reap. */
void server_proc_kill(server_proc *p);
/* SIGTERM (a graceful stop) and reap; returns the exit status, or -1. */
int server_proc_stop(server_proc *p);
/* Resident set size in KiB (VmRSS), or 0 if unknown. */
long server_proc_rss_kb(const server_proc *p);
/* 1 if the child's output so far contains text. */
int server_proc_output_has(const server_proc *p, const char *text);

#endif
