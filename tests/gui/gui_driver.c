/* gui_driver.c — Win32 automation for the GUI test: processes on a private desktop, window
 * lookup by process, class and title, WM_SETTEXT/WM_CHAR/BM_CLICK/WM_KEYDOWN input, and reads
 * of list views and tab controls in the other process through memory allocated there
 * (their messages carry pointers, which Windows does not marshal between processes). */
#include "gui_driver.h"

#include <commctrl.h>
#include <richedit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define POLL_MS 100
#define REMOTE_SIZE 8192
#define ITEM_CHARS 512

/* The test desktop's name: chosen once per test process, so that every run under a new X
 * server also gets a new Wine desktop (and so a new explorer bound to that display). */
static wchar_t desktop_name[64];

int gui_under_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

void gui_desktop_enter(int width, int height)
{
    wchar_t size[32];
    HDESK desk;

    if (!gui_under_wine())
        return;
    /* Every test starts with nothing remembered: a Remember from an earlier test would
     * otherwise fill in its dialogs. Only here, in Wine's throwaway prefix. */
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Parley");
    _snwprintf(desktop_name, 64, L"ParleyTest%lu", (unsigned long)GetCurrentProcessId());
    _snwprintf(size, 32, L"%dx%d", width, height);
    /* Wine's explorer makes a desktop named here a virtual desktop of this size: windows get
     * their frames drawn the Windows way, at positions the test controls. */
    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\Wine\\Explorer\\Desktops", desktop_name,
                    REG_SZ, size, (DWORD)((wcslen(size) + 1) * sizeof(wchar_t)));
    desk = CreateDesktopW(desktop_name, NULL, NULL, 0, GENERIC_ALL, NULL);
    if (!desk || !SetThreadDesktop(desk)) {
        fprintf(stderr, "gui_driver: cannot use a private desktop (error %lu); using the default\n",
                (unsigned long)GetLastError());
        desktop_name[0] = L'\0';
    }
}

void gui_desktop_leave(void)
{
    HKEY key;

    if (!desktop_name[0])
        return;
    if (RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\Wine\\Explorer\\Desktops", 0, KEY_SET_VALUE,
                      &key) == ERROR_SUCCESS) {
        RegDeleteValueW(key, desktop_name);
        RegCloseKey(key);
    }
}

const wchar_t *gui_desktop_name(void)
{
    return desktop_name;
}

int gui_start(gui_proc *p, const wchar_t *name, const wchar_t *exe, const wchar_t *args)
{
    STARTUPINFOW si;
    size_t n = wcslen(exe) + wcslen(args) + 8;
    wchar_t *cmd = malloc(n * sizeof *cmd);
    BOOL ok;

    memset(p, 0, sizeof *p);
    p->name = name;
    if (!cmd)
        return -1;
    _snwprintf(cmd, n, L"\"%ls\" %ls", exe, args);
    cmd[n - 1] = L'\0';
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.lpDesktop = desktop_name[0] ? desktop_name : NULL;
    ok = CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &p->pi);
    if (!ok)
        fprintf(stderr, "gui_driver: cannot start %ls (error %lu)\n", exe,
                (unsigned long)GetLastError());
    free(cmd);
    return ok ? 0 : -1;
}

int gui_running(const gui_proc *p)
{
    return p->pi.hProcess && WaitForSingleObject(p->pi.hProcess, 0) == WAIT_TIMEOUT;
}

static BOOL CALLBACK close_one(HWND hwnd, LPARAM lp)
{
    DWORD pid = 0;

    GetWindowThreadProcessId(hwnd, &pid);
    if (pid == (DWORD)lp && IsWindowVisible(hwnd))
        PostMessageW(hwnd, WM_CLOSE, 0, 0);
    return TRUE;
}

void gui_stop(gui_proc *p, DWORD wait_ms)
{
    if (!p->pi.hProcess)
        return;
    if (gui_running(p)) {
        EnumWindows(close_one, (LPARAM)p->pi.dwProcessId);
        if (WaitForSingleObject(p->pi.hProcess, wait_ms) != WAIT_OBJECT_0) {
            fprintf(stderr, "gui_driver: %ls did not exit; ending it\n", p->name);
            TerminateProcess(p->pi.hProcess, 99);
            WaitForSingleObject(p->pi.hProcess, 5000);
        }
    }
    CloseHandle(p->pi.hProcess);
    CloseHandle(p->pi.hThread);
    memset(&p->pi, 0, sizeof p->pi);
}

typedef struct find_ctx {
    DWORD pid;
    const wchar_t *cls, *title;
    int child_id;
    HWND found;
} find_ctx;

static BOOL CALLBACK find_one(HWND hwnd, LPARAM lp)
{
    find_ctx *f = (find_ctx *)lp;
    wchar_t cls[64], title[256];
    DWORD pid = 0;

    GetWindowThreadProcessId(hwnd, &pid);
    if (pid != f->pid || !IsWindowVisible(hwnd))
        return TRUE;
    if (f->child_id && !GetDlgItem(hwnd, f->child_id))
        return TRUE;
    GetClassNameW(hwnd, cls, 64);
    GetWindowTextW(hwnd, title, 256);
    if (f->cls && wcscmp(cls, f->cls) != 0)
        return TRUE;
    if (f->title && !wcsstr(title, f->title))
        return TRUE;
    f->found = hwnd;
    return FALSE;
}

static HWND wait_find(find_ctx *f, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        f->found = NULL;
        EnumWindows(find_one, (LPARAM)f);
        if (f->found || GetTickCount() - start >= timeout_ms)
            return f->found;
        Sleep(POLL_MS);
    }
}

HWND gui_wait_window(const gui_proc *p, const wchar_t *cls, const wchar_t *title_part,
                     DWORD timeout_ms)
{
    find_ctx f;

    memset(&f, 0, sizeof f);
    f.pid = p->pi.dwProcessId;
    f.cls = cls;
    f.title = title_part;
    return wait_find(&f, timeout_ms);
}

HWND gui_wait_window_with(const gui_proc *p, int id, DWORD timeout_ms)
{
    find_ctx f;

    memset(&f, 0, sizeof f);
    f.pid = p->pi.dwProcessId;
    f.child_id = id;
    return wait_find(&f, timeout_ms);
}

int gui_wait_gone(HWND hwnd, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    while (IsWindow(hwnd) && IsWindowVisible(hwnd)) {
        if (GetTickCount() - start >= timeout_ms)
            return 0;
        Sleep(POLL_MS);
    }
    return 1;
}

wchar_t *gui_text(HWND hwnd)
{
    DWORD_PTR len = 0;
    wchar_t *text;

    if (!hwnd)
        return NULL;
    /* WM_GETTEXTLENGTH and WM_GETTEXT are marshalled between processes by the system. */
    if (!SendMessageTimeoutW(hwnd, WM_GETTEXTLENGTH, 0, 0, SMTO_ABORTIFHUNG, 5000, &len))
        return NULL;
    text = calloc(len + 2, sizeof *text);
    if (!text)
        return NULL;
    SendMessageTimeoutW(hwnd, WM_GETTEXT, len + 1, (LPARAM)text, SMTO_ABORTIFHUNG, 5000, NULL);
    return text;
}

typedef struct join_ctx {
    wchar_t *all;
    size_t len;
} join_ctx;

static void append(join_ctx *j, const wchar_t *s)
{
    size_t n = wcslen(s);
    wchar_t *grown = realloc(j->all, (j->len + n + 2) * sizeof *grown);

    if (!grown)
        return;
    j->all = grown;
    memcpy(j->all + j->len, s, n * sizeof *s);
    j->len += n;
    j->all[j->len++] = L'\n';
    j->all[j->len] = L'\0';
}

static BOOL CALLBACK child_text(HWND hwnd, LPARAM lp)
{
    wchar_t *t = gui_text(hwnd);

    if (t) {
        append((join_ctx *)lp, t);
        free(t);
    }
    return TRUE;
}

wchar_t *gui_child_texts(HWND hwnd)
{
    join_ctx j = {NULL, 0};

    EnumChildWindows(hwnd, child_text, (LPARAM)&j);
    return j.all ? j.all : calloc(1, sizeof(wchar_t));
}

int gui_wait_text(HWND parent, int id, const wchar_t *part, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        wchar_t *t = gui_text(GetDlgItem(parent, id));
        int found = t && wcsstr(t, part) != NULL;

        free(t);
        if (found)
            return 1;
        if (GetTickCount() - start >= timeout_ms)
            return 0;
        Sleep(POLL_MS);
    }
}

void gui_set_text(HWND parent, int id, const wchar_t *text)
{
    SendMessageTimeoutW(GetDlgItem(parent, id), WM_SETTEXT, 0, (LPARAM)text, SMTO_ABORTIFHUNG,
                        5000, NULL);
}

void gui_type(HWND parent, int id, const wchar_t *text)
{
    HWND ctl = GetDlgItem(parent, id);

    for (; *text; text++)
        SendMessageTimeoutW(ctl, WM_CHAR, (WPARAM)*text, 1, SMTO_ABORTIFHUNG, 5000, NULL);
}

void gui_click(HWND parent, int id)
{
    /* Posted: a click that opens a modal box must not block the test inside SendMessage. */
    PostMessageW(GetDlgItem(parent, id), BM_CLICK, 0, 0);
}

void gui_press_key(HWND parent, int id, UINT vk)
{
    HWND ctl = GetDlgItem(parent, id);
    UINT scan = MapVirtualKeyW(vk, MAPVK_VK_TO_VSC);

    PostMessageW(ctl, WM_KEYDOWN, vk, (LPARAM)(1 | (scan << 16)));
    PostMessageW(ctl, WM_KEYUP, vk, (LPARAM)(1 | (scan << 16) | (1u << 30) | (1u << 31)));
}

void gui_command(HWND hwnd, int id)
{
    PostMessageW(hwnd, WM_COMMAND, MAKEWPARAM(id, 0), 0);
}

/* Memory in the process that owns hwnd, for messages whose arguments are pointers. */
typedef struct remote {
    HANDLE process;
    char *base;
} remote;

static int remote_open(HWND hwnd, remote *r)
{
    DWORD pid = 0;

    GetWindowThreadProcessId(hwnd, &pid);
    r->process = OpenProcess(PROCESS_VM_OPERATION | PROCESS_VM_READ | PROCESS_VM_WRITE, FALSE, pid);
    if (!r->process)
        return -1;
    r->base = VirtualAllocEx(r->process, NULL, REMOTE_SIZE, MEM_COMMIT | MEM_RESERVE,
                             PAGE_READWRITE);
    if (!r->base) {
        CloseHandle(r->process);
        return -1;
    }
    return 0;
}

static void remote_close(remote *r)
{
    VirtualFreeEx(r->process, r->base, 0, MEM_RELEASE);
    CloseHandle(r->process);
}

/* Reads the text of item i, column sub, of a list view in another process into text. */
static void listview_cell(HWND lv, const remote *r, LRESULT i, int sub, wchar_t *text)
{
    LVITEMW it;
    SIZE_T done = 0;

    memset(&it, 0, sizeof it);
    it.iSubItem = sub;
    it.cchTextMax = ITEM_CHARS;
    it.pszText = (LPWSTR)(void *)(r->base + sizeof it);
    WriteProcessMemory(r->process, r->base, &it, sizeof it, &done);
    SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)i, (LPARAM)r->base);
    memset(text, 0, ITEM_CHARS * sizeof *text);
    ReadProcessMemory(r->process, r->base + sizeof it, text, (ITEM_CHARS - 1) * sizeof *text,
                      &done);
}

/* Items (columns: 1 = the first only, else every column of the header, tab-separated). */
static wchar_t *listview_rows(HWND lv, int all_columns)
{
    join_ctx j = {NULL, 0};
    LRESULT n = SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0), i;
    HWND header = (HWND)SendMessageW(lv, LVM_GETHEADER, 0, 0);
    int ncols = all_columns && header ? (int)SendMessageW(header, HDM_GETITEMCOUNT, 0, 0) : 1;
    wchar_t text[ITEM_CHARS], row[ITEM_CHARS * 4];
    remote r;

    if (remote_open(lv, &r) != 0)
        return NULL;
    for (i = 0; i < n; i++) {
        row[0] = L'\0';
        for (int k = 0; k < ncols && k < 4; k++) {
            listview_cell(lv, &r, i, k, text);
            if (k)
                wcscat(row, L"\t");
            wcscat(row, text);
        }
        append(&j, row);
    }
    remote_close(&r);
    return j.all ? j.all : calloc(1, sizeof(wchar_t));
}

wchar_t *gui_listview_items(HWND lv)
{
    return listview_rows(lv, 0);
}

wchar_t *gui_listview_rows(HWND lv)
{
    return listview_rows(lv, 1);
}

int gui_listview_image(HWND lv, int i)
{
    LVITEMW it;
    SIZE_T done = 0;
    remote r;
    int image = -1;

    if (remote_open(lv, &r) != 0)
        return -1;
    memset(&it, 0, sizeof it);
    it.mask = LVIF_IMAGE;
    it.iItem = i;
    WriteProcessMemory(r.process, r.base, &it, sizeof it, &done);
    if (SendMessageW(lv, LVM_GETITEMW, 0, (LPARAM)r.base) &&
        ReadProcessMemory(r.process, r.base, &it, sizeof it, &done))
        image = it.iImage;
    remote_close(&r);
    return image;
}

int gui_tab_image(HWND tabs, int i)
{
    TCITEMW it;
    SIZE_T done = 0;
    remote r;
    int image = -2;

    if (remote_open(tabs, &r) != 0)
        return -2;
    memset(&it, 0, sizeof it);
    it.mask = TCIF_IMAGE;
    WriteProcessMemory(r.process, r.base, &it, sizeof it, &done);
    if (SendMessageW(tabs, TCM_GETITEMW, (WPARAM)i, (LPARAM)r.base) &&
        ReadProcessMemory(r.process, r.base, &it, sizeof it, &done))
        image = it.iImage;
    remote_close(&r);
    return image;
}

int gui_richedit_pos(HWND re, long cp, POINT *out)
{
    POINTL pt = {-1, -1};
    SIZE_T done = 0;
    remote r;

    if (remote_open(re, &r) != 0)
        return -1;
    /* RichEdit's form: wParam points at a POINTL, lParam is the character index. */
    WriteProcessMemory(r.process, r.base, &pt, sizeof pt, &done);
    SendMessageW(re, EM_POSFROMCHAR, (WPARAM)r.base, (LPARAM)cp);
    ReadProcessMemory(r.process, r.base, &pt, sizeof pt, &done);
    remote_close(&r);
    out->x = pt.x;
    out->y = pt.y;
    return 0;
}

/* The format of character cp in a RichEdit of another process (mask: what to ask), selecting
 * it to ask and the end again afterwards. 0 or -1. */
static int remote_charformat(HWND re, long cp, DWORD mask, CHARFORMAT2W *cf)
{
    SIZE_T done = 0;
    remote r;

    if (remote_open(re, &r) != 0)
        return -1;
    SendMessageW(re, EM_SETSEL, (WPARAM)cp, (LPARAM)(cp + 1));
    memset(cf, 0, sizeof *cf);
    cf->cbSize = sizeof *cf;
    cf->dwMask = mask;
    WriteProcessMemory(r.process, r.base, cf, sizeof *cf, &done);
    SendMessageW(re, EM_GETCHARFORMAT, SCF_SELECTION, (LPARAM)r.base);
    ReadProcessMemory(r.process, r.base, cf, sizeof *cf, &done);
    SendMessageW(re, EM_SETSEL, (WPARAM)-1, 0);
    remote_close(&r);
    return 0;
}

int gui_richedit_colour(HWND re, long cp, COLORREF *out, DWORD *effects)
{
    CHARFORMAT2W cf;

    if (remote_charformat(re, cp, CFM_COLOR | CFM_BOLD, &cf) != 0)
        return -1;
    *out = (cf.dwEffects & CFE_AUTOCOLOR) ? GetSysColor(COLOR_WINDOWTEXT) : cf.crTextColor;
    if (effects)
        *effects = cf.dwEffects;
    return 0;
}

int gui_tab_rect(HWND tabs, int i, RECT *out)
{
    SIZE_T done = 0;
    remote r;
    int rc = -1;

    if (remote_open(tabs, &r) != 0)
        return -1;
    if (SendMessageW(tabs, TCM_GETITEMRECT, (WPARAM)i, (LPARAM)r.base) &&
        ReadProcessMemory(r.process, r.base, out, sizeof *out, &done))
        rc = 0;
    remote_close(&r);
    return rc;
}

LRESULT gui_send_dpi_changed(HWND hwnd, UINT dpi, const RECT *suggested)
{
    SIZE_T done = 0;
    remote r;
    LRESULT rc = -1;

    if (remote_open(hwnd, &r) != 0)
        return -1;
    if (WriteProcessMemory(r.process, r.base, suggested, sizeof *suggested, &done))
        rc = SendMessageW(hwnd, WM_DPICHANGED, MAKEWPARAM(dpi, dpi), (LPARAM)r.base);
    remote_close(&r);
    return rc;
}

int gui_status_rect(HWND status, int part, RECT *out)
{
    SIZE_T done = 0;
    remote r;
    int rc = -1;

    if (remote_open(status, &r) != 0)
        return -1;
    if (SendMessageW(status, SB_GETRECT, (WPARAM)part, (LPARAM)r.base) &&
        ReadProcessMemory(r.process, r.base, out, sizeof *out, &done))
        rc = 0;
    remote_close(&r);
    return rc;
}

void gui_middle_click(HWND hwnd, POINT pt)
{
    LPARAM at = MAKELPARAM(pt.x, pt.y);

    PostMessageW(hwnd, WM_MBUTTONDOWN, MK_MBUTTON, at);
    PostMessageW(hwnd, WM_MBUTTONUP, 0, at);
}

int gui_richedit_height(HWND re, long cp, LONG *twips)
{
    CHARFORMAT2W cf;

    if (remote_charformat(re, cp, CFM_SIZE, &cf) != 0)
        return -1;
    *twips = cf.yHeight;
    return 0;
}

wchar_t *gui_tab_items(HWND tabs)
{
    join_ctx j = {NULL, 0};
    LRESULT n = SendMessageW(tabs, TCM_GETITEMCOUNT, 0, 0), i;
    wchar_t text[ITEM_CHARS];
    remote r;

    if (remote_open(tabs, &r) != 0)
        return NULL;
    for (i = 0; i < n; i++) {
        TCITEMW it;
        SIZE_T done = 0;

        memset(&it, 0, sizeof it);
        it.mask = TCIF_TEXT;
        it.cchTextMax = ITEM_CHARS;
        it.pszText = (LPWSTR)(void *)(r.base + sizeof it);
        WriteProcessMemory(r.process, r.base, &it, sizeof it, &done);
        SendMessageW(tabs, TCM_GETITEMW, (WPARAM)i, (LPARAM)r.base);
        memset(text, 0, sizeof text);
        ReadProcessMemory(r.process, r.base + sizeof it, text, sizeof text - sizeof(wchar_t), &done);
        append(&j, text);
    }
    remote_close(&r);
    return j.all ? j.all : calloc(1, sizeof(wchar_t));
}

wchar_t *gui_status_part(HWND status, int part)
{
    LRESULT len = SendMessageW(status, SB_GETTEXTLENGTHW, (WPARAM)part, 0);
    wchar_t *text = calloc((size_t)LOWORD(len) + 1, sizeof *text);
    SIZE_T done = 0;
    remote r;

    if (!text || remote_open(status, &r) != 0)
        return text;
    SendMessageW(status, SB_GETTEXTW, (WPARAM)part, (LPARAM)r.base);
    ReadProcessMemory(r.process, r.base, text, (size_t)LOWORD(len) * sizeof *text, &done);
    remote_close(&r);
    return text;
}

HWND gui_focus(const gui_proc *p)
{
    GUITHREADINFO gti;

    memset(&gti, 0, sizeof gti);
    gti.cbSize = sizeof gti;
    return GetGUIThreadInfo(p->pi.dwThreadId, &gti) ? gti.hwndFocus : NULL;
}

void gui_alt_key(HWND target, wchar_t ch)
{
    /* Bit 29: the Alt key is down. */
    PostMessageW(target, WM_SYSCHAR, (WPARAM)ch, (LPARAM)(1 | (1u << 29)));
}

int gui_wait_listview(HWND parent, int id, const wchar_t *part, int present, DWORD timeout_ms)
{
    DWORD start = GetTickCount();

    for (;;) {
        wchar_t *items = gui_listview_items(GetDlgItem(parent, id));
        int has = items && wcsstr(items, part) != NULL;

        free(items);
        if (items && has == present)
            return 1;
        if (GetTickCount() - start >= timeout_ms)
            return 0;
        Sleep(POLL_MS);
    }
}

/* Copies the screen's rectangle rc into a new 24-bit bottom-up DIB section (the layout BMP
 * files store); its bits into *bits, its row size into *stride. NULL if it could not. */
static HBITMAP grab_screen(const RECT *rc, void **bits, int *stride)
{
    BITMAPINFO bi;
    HDC screen = NULL, mem = NULL;
    HBITMAP bmp = NULL, old;
    int w = rc->right - rc->left, h = rc->bottom - rc->top;

    if (w <= 0 || h <= 0)
        return NULL;
    *stride = (w * 3 + 3) & ~3;
    memset(&bi, 0, sizeof bi);
    bi.bmiHeader.biSize = sizeof bi.bmiHeader;
    bi.bmiHeader.biWidth = w;
    bi.bmiHeader.biHeight = h; /* bottom-up */
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 24;
    bi.bmiHeader.biCompression = BI_RGB;
    screen = GetDC(NULL);
    mem = screen ? CreateCompatibleDC(screen) : NULL;
    bmp = mem ? CreateDIBSection(screen, &bi, DIB_RGB_COLORS, bits, NULL, 0) : NULL;
    if (bmp) {
        old = SelectObject(mem, bmp);
        BitBlt(mem, 0, 0, w, h, screen, rc->left, rc->top, SRCCOPY | CAPTUREBLT);
        SelectObject(mem, old);
        GdiFlush();
    }
    if (mem)
        DeleteDC(mem);
    if (screen)
        ReleaseDC(NULL, screen);
    return bmp;
}

int gui_screenshot(HWND hwnd, const wchar_t *path)
{
    RECT rc;
    BITMAPINFOHEADER bh;
    BITMAPFILEHEADER fh;
    void *bits = NULL;
    HBITMAP bmp;
    HANDLE f = INVALID_HANDLE_VALUE;
    DWORD size, done;
    int stride = 0, rc_val = -1;

    GetWindowRect(hwnd, &rc);
    bmp = grab_screen(&rc, &bits, &stride);
    if (!bmp)
        return -1;
    memset(&bh, 0, sizeof bh);
    bh.biSize = sizeof bh;
    bh.biWidth = rc.right - rc.left;
    bh.biHeight = rc.bottom - rc.top;
    bh.biPlanes = 1;
    bh.biBitCount = 24;
    bh.biCompression = BI_RGB;
    size = (DWORD)stride * (DWORD)bh.biHeight;
    memset(&fh, 0, sizeof fh);
    fh.bfType = 0x4D42; /* "BM" */
    fh.bfOffBits = sizeof fh + sizeof bh;
    fh.bfSize = fh.bfOffBits + size;
    f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        goto done;
    if (WriteFile(f, &fh, sizeof fh, &done, NULL) &&
        WriteFile(f, &bh, sizeof bh, &done, NULL) &&
        WriteFile(f, bits, size, &done, NULL))
        rc_val = 0;
done:
    if (f != INVALID_HANDLE_VALUE)
        CloseHandle(f);
    DeleteObject(bmp);
    return rc_val;
}

int gui_grab(HWND hwnd, gui_pixels *out)
{
    RECT rc;
    POINT origin = {0, 0};
    void *bits = NULL;
    HBITMAP bmp;
    size_t size;

    memset(out, 0, sizeof *out);
    if (!GetClientRect(hwnd, &rc) || !ClientToScreen(hwnd, &origin))
        return -1;
    OffsetRect(&rc, origin.x, origin.y);
    bmp = grab_screen(&rc, &bits, &out->stride);
    if (!bmp)
        return -1;
    out->w = rc.right - rc.left;
    out->h = rc.bottom - rc.top;
    size = (size_t)out->stride * (size_t)out->h;
    out->bits = (unsigned char *)malloc(size);
    if (out->bits)
        memcpy(out->bits, bits, size);
    DeleteObject(bmp);
    return out->bits ? 0 : -1;
}

COLORREF gui_pixel(const gui_pixels *px, int x, int y)
{
    const unsigned char *p;

    if (x < 0 || y < 0 || x >= px->w || y >= px->h)
        return CLR_INVALID;
    p = px->bits + (size_t)(px->h - 1 - y) * (size_t)px->stride + (size_t)x * 3;
    return RGB(p[2], p[1], p[0]); /* stored blue, green, red */
}
