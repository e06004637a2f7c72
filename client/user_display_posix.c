/* user_display_posix.c — the current user's display name on Linux: the full name, the first
 * comma-separated part of the GECOS field of the password database (user_display.h). */
#define _POSIX_C_SOURCE 200809L
#include "user_display.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int pc_user_display(char *out, size_t cap)
{
    char space[4096];
    struct passwd pw, *found = NULL;
    size_t n;

    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (getpwuid_r(getuid(), &pw, space, sizeof space, &found) != 0 || !found || !pw.pw_gecos)
        return -1;
    /* "Alice Martin,Room 12,phone,...": the rest is office and telephone numbers. */
    n = strcspn(pw.pw_gecos, ",");
    if (n == 0)
        return -1;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), pw.pw_gecos);
    return 0;
}
