/* fsys_path.c — joining path pieces; portable, with the separator of the platform built for. */
#include <stdarg.h>
#include <string.h>

#include "fsys.h"
#include "fsys_parts.h"

#ifdef _WIN32
#define SEPARATOR "\\"
static int is_separator(char c)
{
    return c == '\\' || c == '/'; /* Windows takes either */
}
#else
#define SEPARATOR "/"
static int is_separator(char c)
{
    return c == '/';
}
#endif

int fsys_join_parts(char *out, size_t out_size, int nparts, ...)
{
    va_list ap;
    size_t used = 0;
    int rc = 0;
    int i;

    if (!out || out_size == 0)
        return -1;
    va_start(ap, nparts);
    for (i = 0; i < nparts; i++) {
        const char *s = va_arg(ap, const char *);
        size_t n = strlen(s);
        if (n >= out_size - used) {
            rc = -1;
            break;
        }
        memcpy(out + used, s, n);
        used += n;
    }
    va_end(ap);
    out[rc == 0 ? used : 0] = '\0';
    return rc;
}

int fsys_path_join(char *out, size_t out_size, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    if (n == 0)
        return fsys_join_parts(out, out_size, 1, name);
    if (is_separator(dir[n - 1]))
        return fsys_join_parts(out, out_size, 2, dir, name);
    return fsys_join_parts(out, out_size, 3, dir, SEPARATOR, name);
}
