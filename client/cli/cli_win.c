/* cli_win.c — parley-cli's platform layer on Windows: UTF-8 console output (WriteConsoleW on a
 * console, bytes otherwise), input as UTF-8 lines (ReadConsoleW on a console, bytes from a
 * pipe or file), a key prompt without echo, files, local time. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WCHUNK 4096

enum { IN_CONSOLE, IN_PIPE, IN_FILE };

struct cli_input {
    HANDLE h;
    int kind;
    int eof;
    char buf[CLI_LINE_MAX];
    size_t len;
    wchar_t wbuf[WCHUNK + 1];
    wchar_t pending;  /* a high surrogate whose pair comes with the next read */
};

/* UTF-16 to UTF-8, into a new buffer (free it). NULL when out of memory or invalid. */
static char *to_utf8(const wchar_t *w, int wn, int *out_len)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, wn, NULL, 0, NULL, NULL);
    char *s;

    if (n <= 0 && wn != 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    if (n)
        WideCharToMultiByte(CP_UTF8, 0, w, wn, s, n, NULL, NULL);
    s[n] = '\0';
    if (out_len)
        *out_len = n;
    return s;
}

static wchar_t *to_utf16(const char *s, size_t n, int *out_len)
{
    int wn = MultiByteToWideChar(CP_UTF8, 0, s, (int)n, NULL, 0);
    wchar_t *w;

    if (wn <= 0 && n != 0)
        return NULL;
    w = malloc(((size_t)wn + 1) * sizeof *w);
    if (!w)
        return NULL;
    if (wn)
        MultiByteToWideChar(CP_UTF8, 0, s, (int)n, w, wn);
    w[wn] = 0;
    if (out_len)
        *out_len = wn;
    return w;
}

void cli_sys_init(void)
{
    /* For anything written as bytes to the console (and what a child inherits). */
    SetConsoleOutputCP(CP_UTF8);
    SetConsoleCP(CP_UTF8);
}

static int is_console(HANDLE h)
{
    DWORD mode;

    return h && h != INVALID_HANDLE_VALUE && GetFileType(h) == FILE_TYPE_CHAR &&
           GetConsoleMode(h, &mode);
}

int cli_stdin_is_terminal(void)
{
    return is_console(GetStdHandle(STD_INPUT_HANDLE));
}

static void write_handle(DWORD which, const char *p, size_t n)
{
    HANDLE h = GetStdHandle(which);

    if (!h || h == INVALID_HANDLE_VALUE)
        return;
    if (is_console(h)) {
        /* The console takes UTF-16 whatever its code page: every script shows. */
        int wn;
        wchar_t *w = to_utf16(p, n, &wn);
        DWORD done;
        if (w) {
            WriteConsoleW(h, w, (DWORD)wn, &done, NULL);
            free(w);
        }
        return;
    }
    while (n) {
        DWORD done = 0;
        if (!WriteFile(h, p, n > 65536 ? 65536 : (DWORD)n, &done, NULL) || done == 0)
            return;
        p += done;
        n -= done;
    }
}

void cli_write_out(const char *p, size_t n)
{
    write_handle(STD_OUTPUT_HANDLE, p, n);
}

void cli_write_err(const char *p, size_t n)
{
    write_handle(STD_ERROR_HANDLE, p, n);
}

cli_input *cli_input_open(void)
{
    cli_input *in = calloc(1, sizeof *in);

    if (!in)
        return NULL;
    in->h = GetStdHandle(STD_INPUT_HANDLE);
    if (is_console(in->h))
        in->kind = IN_CONSOLE;
    else if (in->h && in->h != INVALID_HANDLE_VALUE && GetFileType(in->h) == FILE_TYPE_PIPE)
        in->kind = IN_PIPE;
    else
        in->kind = IN_FILE;
    if (!in->h || in->h == INVALID_HANDLE_VALUE)
        in->eof = 1;
    return in;
}

void cli_input_close(cli_input *in)
{
    free(in);
}

void cli_input_wake(cli_input *in)
{
    INPUT_RECORD r[2];
    DWORD done;

    if (!in || in->kind != IN_CONSOLE)
        return;
    /* ReadConsoleW returns only at Enter: press it for the user. */
    memset(r, 0, sizeof r);
    r[0].EventType = KEY_EVENT;
    r[0].Event.KeyEvent.bKeyDown = TRUE;
    r[0].Event.KeyEvent.wRepeatCount = 1;
    r[0].Event.KeyEvent.wVirtualKeyCode = VK_RETURN;
    r[0].Event.KeyEvent.uChar.UnicodeChar = L'\r';
    r[1] = r[0];
    r[1].Event.KeyEvent.bKeyDown = FALSE;
    WriteConsoleInputW(in->h, r, 2, &done);
}

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

/* One console read (blocks until Enter), appended to the buffer as UTF-8. */
static void read_console(cli_input *in)
{
    DWORD got = 0, start = 0;
    char *u;
    int un;

    if (in->pending) {
        in->wbuf[0] = in->pending;
        in->pending = 0;
        start = 1;
    }
    if (!ReadConsoleW(in->h, in->wbuf + start, WCHUNK - start, &got, NULL)) {
        in->eof = 1;
        return;
    }
    got += start;
    if (got == 0) {
        in->eof = 1;
        return;
    }
    /* Ctrl+Z at the start of a line is the console's end of input. */
    if (in->wbuf[0] == 0x1a) {
        in->eof = 1;
        return;
    }
    if (got > 1 && in->wbuf[got - 1] >= 0xd800 && in->wbuf[got - 1] <= 0xdbff)
        in->pending = in->wbuf[--got];
    u = to_utf8(in->wbuf, (int)got, &un);
    if (!u)
        return;
    if ((size_t)un > sizeof in->buf - in->len)
        un = (int)(sizeof in->buf - in->len);
    memcpy(in->buf + in->len, u, (size_t)un);
    in->len += (size_t)un;
    free(u);
}

int cli_input_line(cli_input *in, char *line, size_t size, uint32_t timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        char *nl = memchr(in->buf, '\n', in->len);
        DWORD avail = 0, got = 0;

        if (nl) {
            take_line(in, (size_t)(nl - in->buf), 1, line, size);
            return 1;
        }
        if (in->len == sizeof in->buf || (in->eof && in->len)) {
            take_line(in, in->len, 0, line, size);
            return 1;
        }
        if (in->eof)
            return -1;
        if (in->kind == IN_CONSOLE) {
            read_console(in);
            continue;
        }
        if (in->kind == IN_PIPE) {
            /* Anonymous pipes cannot be waited on: peek, and sleep a little between looks. */
            if (!PeekNamedPipe(in->h, NULL, 0, NULL, &avail, NULL)) {
                in->eof = 1;
                continue;
            }
            if (avail == 0) {
                if (GetTickCount() - start >= timeout_ms)
                    return 0;
                Sleep(10);
                continue;
            }
        } else {
            avail = (DWORD)(sizeof in->buf - in->len);
        }
        if (avail > sizeof in->buf - in->len)
            avail = (DWORD)(sizeof in->buf - in->len);
        if (!ReadFile(in->h, in->buf + in->len, avail, &got, NULL) || got == 0)
            in->eof = 1;
        else
            in->len += got;
    }
}

int cli_getenv(const char *name, char *out, size_t size)
{
    wchar_t *wname = to_utf16(name, strlen(name), NULL), w[2048];
    DWORD n;
    char *u;
    int un;

    if (!wname)
        return 0;
    n = GetEnvironmentVariableW(wname, w, (DWORD)(sizeof w / sizeof w[0]));
    free(wname);
    if (n == 0 || n >= sizeof w / sizeof w[0])
        return 0;
    u = to_utf8(w, (int)n, &un);
    SecureZeroMemory(w, sizeof w);
    if (!u)
        return 0;
    if ((size_t)un >= size) {
        free(u);
        return 0;
    }
    memcpy(out, u, (size_t)un + 1);
    SecureZeroMemory(u, (size_t)un);
    free(u);
    return 1;
}

static void win_error_text(DWORD code, char *err, size_t err_size)
{
    wchar_t w[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             code, 0, w, (DWORD)(sizeof w / sizeof w[0]), NULL);
    char *u;

    while (n && (w[n - 1] == L'\n' || w[n - 1] == L'\r' || w[n - 1] == L'.'))
        n--;
    u = n ? to_utf8(w, (int)n, NULL) : NULL;
    if (u)
        snprintf(err, err_size, "%s", u);
    else
        snprintf(err, err_size, "error %lu", (unsigned long)code);
    free(u);
}

long cli_read_file(const char *path, void *out, size_t size, char *err, size_t err_size)
{
    wchar_t *wpath = to_utf16(path, strlen(path), NULL);
    HANDLE h;
    DWORD got = 0, more = 0;
    char extra;

    if (!wpath) {
        snprintf(err, err_size, "not a valid path");
        return -1;
    }
    h = CreateFileW(wpath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        win_error_text(GetLastError(), err, err_size);
        return -1;
    }
    if (!ReadFile(h, out, (DWORD)(size - 1), &got, NULL)) {
        win_error_text(GetLastError(), err, err_size);
        CloseHandle(h);
        return -1;
    }
    if (ReadFile(h, &extra, 1, &more, NULL) && more) {
        CloseHandle(h);
        snprintf(err, err_size, "too long (at most %zu bytes)", size - 1);
        return -1;
    }
    CloseHandle(h);
    ((char *)out)[got] = '\0';
    return (long)got;
}

/* ms since 1970 as local time; 0 if it cannot be converted. */
static int local_of(uint64_t ms, SYSTEMTIME *local)
{
    /* FILETIME counts 100 ns steps from 1601; ms counts from 1970. */
    ULONGLONG ticks = (ULONGLONG)ms * 10000u + 116444736000000000ull;
    FILETIME ft;
    SYSTEMTIME utc;

    ft.dwLowDateTime = (DWORD)ticks;
    ft.dwHighDateTime = (DWORD)(ticks >> 32);
    return FileTimeToSystemTime(&ft, &utc) && SystemTimeToTzSpecificLocalTime(NULL, &utc, local);
}

void cli_local_time(uint64_t ms, char *out, size_t size)
{
    SYSTEMTIME local;

    if (!local_of(ms, &local)) {
        snprintf(out, size, "--:--:--");
        return;
    }
    snprintf(out, size, "%02u:%02u:%02u", (unsigned)local.wHour, (unsigned)local.wMinute,
             (unsigned)local.wSecond);
}

void cli_local_date(uint64_t ms, char *out, size_t size)
{
    SYSTEMTIME local;

    if (!local_of(ms, &local)) {
        snprintf(out, size, "----------");
        return;
    }
    snprintf(out, size, "%04u-%02u-%02u", (unsigned)local.wYear, (unsigned)local.wMonth,
             (unsigned)local.wDay);
}
