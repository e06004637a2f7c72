/* test_cli_proc_win.c — test_cli_proc.h on Windows: CreateProcessW with the child's standard
 * input and output on anonymous pipes (only those handles inherited, where supported). */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_cli_proc.h"

struct tproc {
    HANDLE process;
    HANDLE in_w;   /* the child's stdin, our end */
    HANDLE out_r;  /* the child's stdout, our end */
    int exit_code;
    int done;
    char buf[65536];
    size_t len;
    int eof;
};

static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;

    if (w)
        MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

/* Appends one argument quoted the way CommandLineToArgvW (and the CRT) splits it. */
static void append_arg(char *cmd, size_t cap, const char *arg)
{
    size_t n = strlen(cmd), backslashes = 0;
    const char *p;

    if (n && n + 1 < cap)
        cmd[n++] = ' ';
    if (n + 1 < cap)
        cmd[n++] = '"';
    for (p = arg; *p && n + 4 < cap; p++) {
        if (*p == '\\') {
            backslashes++;
        } else if (*p == '"') {
            while (backslashes-- > 0 && n + 4 < cap)
                cmd[n++] = '\\';
            cmd[n++] = '\\';
            backslashes = 0;
        } else {
            backslashes = 0;
        }
        cmd[n++] = *p;
    }
    while (backslashes-- > 0 && n + 2 < cap)
        cmd[n++] = '\\';
    if (n + 1 < cap)
        cmd[n++] = '"';
    cmd[n] = '\0';
}

tproc *tproc_start(const char *exe, const char *const *args, size_t nargs, const char *env_name,
                   const char *env_value)
{
    SECURITY_ATTRIBUTES sa;
    STARTUPINFOEXW si;
    PROCESS_INFORMATION pi;
    HANDLE in_r = NULL, out_w = NULL, err_dup = NULL, inherit[3];
    LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
    SIZE_T attrs_size = 0;
    static char cmd[8192];
    wchar_t *wexe = NULL, *wcmd = NULL, *wname = NULL, *wvalue = NULL, old[4096];
    DWORD old_len = 0, flags = 0;
    tproc *p = calloc(1, sizeof *p);
    size_t i;
    BOOL ok;

    memset(&sa, 0, sizeof sa);
    sa.nLength = sizeof sa;
    sa.bInheritHandle = TRUE;
    if (!p || !CreatePipe(&in_r, &p->in_w, &sa, 0) || !CreatePipe(&p->out_r, &out_w, &sa, 0))
        goto fail;
    /* Our ends stay here. */
    SetHandleInformation(p->in_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(p->out_r, HANDLE_FLAG_INHERIT, 0);
    DuplicateHandle(GetCurrentProcess(), GetStdHandle(STD_ERROR_HANDLE), GetCurrentProcess(),
                    &err_dup, 0, TRUE, DUPLICATE_SAME_ACCESS);

    cmd[0] = '\0';
    append_arg(cmd, sizeof cmd, exe);
    for (i = 0; i < nargs; i++)
        append_arg(cmd, sizeof cmd, args[i]);
    wexe = widen(exe);
    wcmd = widen(cmd);
    if (!wexe || !wcmd)
        goto fail;

    memset(&si, 0, sizeof si);
    si.StartupInfo.cb = sizeof si;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = in_r;
    si.StartupInfo.hStdOutput = out_w;
    si.StartupInfo.hStdError = err_dup;
    /* Only these handles go to the child: not the in-process server's sockets. */
    inherit[0] = in_r;
    inherit[1] = out_w;
    inherit[2] = err_dup;
    InitializeProcThreadAttributeList(NULL, 1, 0, &attrs_size);
    attrs = attrs_size ? malloc(attrs_size) : NULL;
    if (attrs && InitializeProcThreadAttributeList(attrs, 1, 0, &attrs_size)) {
        if (UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit,
                                      (err_dup ? 3 : 2) * sizeof(HANDLE), NULL, NULL)) {
            si.lpAttributeList = attrs;
            si.StartupInfo.cb = sizeof si;
            flags = EXTENDED_STARTUPINFO_PRESENT;
        } else {
            DeleteProcThreadAttributeList(attrs);
            free(attrs);
            attrs = NULL;
        }
    } else {
        free(attrs);
        attrs = NULL;
    }
    if (!flags)
        si.StartupInfo.cb = sizeof si.StartupInfo;

    /* The child's environment is ours with one change, made around CreateProcessW. */
    if (env_name) {
        wname = widen(env_name);
        wvalue = env_value ? widen(env_value) : NULL;
        if (!wname || (env_value && !wvalue))
            goto fail;
        old_len = GetEnvironmentVariableW(wname, old, (DWORD)(sizeof old / sizeof old[0]));
        SetEnvironmentVariableW(wname, wvalue);
    }
    memset(&pi, 0, sizeof pi);
    ok = CreateProcessW(wexe, wcmd, NULL, NULL, TRUE, flags, NULL,
                        NULL, &si.StartupInfo, &pi);
    if (env_name)
        SetEnvironmentVariableW(wname, old_len && old_len < sizeof old / sizeof old[0] ? old
                                                                                    : NULL);
    if (!ok) {
        test_failf_at(__FILE__, __LINE__, "CreateProcessW %s: error %lu", exe,
                      (unsigned long)GetLastError());
        goto fail;
    }
    CloseHandle(pi.hThread);
    p->process = pi.hProcess;
    CloseHandle(in_r);
    CloseHandle(out_w);
    if (err_dup)
        CloseHandle(err_dup);
    if (attrs) {
        DeleteProcThreadAttributeList(attrs);
        free(attrs);
    }
    free(wexe);
    free(wcmd);
    free(wname);
    free(wvalue);
    return p;

fail:
    if (in_r)
        CloseHandle(in_r);
    if (out_w)
        CloseHandle(out_w);
    if (err_dup)
        CloseHandle(err_dup);
    if (p && p->in_w)
        CloseHandle(p->in_w);
    if (p && p->out_r)
        CloseHandle(p->out_r);
    if (attrs) {
        DeleteProcThreadAttributeList(attrs);
        free(attrs);
    }
    free(wexe);
    free(wcmd);
    free(wname);
    free(wvalue);
    free(p);
    return NULL;
}

int tproc_write(tproc *p, const char *text)
{
    DWORD n = (DWORD)strlen(text), done;

    while (n && p->in_w) {
        if (!WriteFile(p->in_w, text, n, &done, NULL) || done == 0)
            return -1;
        text += done;
        n -= done;
    }
    return p->in_w ? 0 : -1;
}

void tproc_close_stdin(tproc *p)
{
    if (p->in_w)
        CloseHandle(p->in_w);
    p->in_w = NULL;
}

int tproc_read_line(tproc *p, char *line, size_t size, uint32_t timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        DWORD avail = 0, got = 0;

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
        if (!PeekNamedPipe(p->out_r, NULL, 0, NULL, &avail, NULL)) {
            p->eof = 1;
            continue;
        }
        if (avail == 0) {
            if (GetTickCount() - start >= timeout_ms)
                return 0;
            Sleep(5);
            continue;
        }
        if (avail > sizeof p->buf - p->len)
            avail = (DWORD)(sizeof p->buf - p->len);
        if (!ReadFile(p->out_r, p->buf + p->len, avail, &got, NULL) || got == 0)
            p->eof = 1;
        else
            p->len += got;
    }
}

int tproc_wait(tproc *p, uint32_t timeout_ms)
{
    DWORD code = 0;

    if (p->done)
        return p->exit_code;
    if (WaitForSingleObject(p->process, timeout_ms) != WAIT_OBJECT_0) {
        TerminateProcess(p->process, 255);
        WaitForSingleObject(p->process, 5000);
        p->done = 1;
        p->exit_code = -1;
        return -1;
    }
    GetExitCodeProcess(p->process, &code);
    p->done = 1;
    p->exit_code = (int)code;
    return p->exit_code;
}

void tproc_free(tproc *p)
{
    if (!p)
        return;
    tproc_close_stdin(p);
    if (!p->done)
        tproc_wait(p, 0);
    CloseHandle(p->process);
    CloseHandle(p->out_r);
    free(p);
}
