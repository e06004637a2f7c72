/* service_util_win.c — text conversion and error reporting shared by the service files. */
#include "service_win.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wchar_t *svc_widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0 || !(w = malloc((size_t)n * sizeof *w)))
        return NULL;
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return NULL;
    }
    return w;
}

int svc_narrow(char *out, size_t out_size, const wchar_t *w)
{
    int cap = out_size > INT_MAX ? INT_MAX : (int)out_size;

    if (out_size == 0)
        return -1;
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL) <= 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

void svc_error_text(DWORD code, char *out, size_t out_size)
{
    wchar_t w[512];
    char msg[1024] = "";
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             code, 0, w, (DWORD)(sizeof w / sizeof w[0]), NULL);

    while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L' ' ||
                     w[n - 1] == L'.'))
        n--;
    if (n > 0) {
        w[n] = L'\0';
        svc_narrow(msg, sizeof msg, w);
    }
    snprintf(out, out_size, "%s (error %lu)", msg[0] ? msg : "system error",
             (unsigned long)code);
}

void svc_complain(const char *fmt, ...)
{
    va_list ap;
    fputs("parley-server: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

int svc_is_elevated(void)
{
    HANDLE token;
    TOKEN_ELEVATION elevation;
    DWORD size = sizeof elevation;
    int elevated = 0;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return 0;
    if (GetTokenInformation(token, TokenElevation, &elevation, size, &size))
        elevated = elevation.TokenIsElevated != 0;
    CloseHandle(token);
    return elevated;
}

void svc_complain_win(const char *what, DWORD code)
{
    char text[1100];
    svc_error_text(code, text, sizeof text);
    svc_complain("%s: %s", what, text);
    if (code == ERROR_ACCESS_DENIED && !svc_is_elevated())
        svc_complain("this needs an elevated command prompt (Run as administrator)");
}

wchar_t *svc_module_path(void)
{
    DWORD cap = MAX_PATH;

    for (;;) {
        wchar_t *w = malloc(cap * sizeof *w);
        DWORD n;
        if (!w)
            return NULL;
        n = GetModuleFileNameW(NULL, w, cap);
        if (n == 0) {
            free(w);
            return NULL;
        }
        if (n < cap)
            return w;
        free(w);
        if (cap >= 32768)
            return NULL;
        cap *= 2;
    }
}
