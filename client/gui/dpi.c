/* dpi.c — GetDpiForWindow, GetSystemMetricsForDpi and AdjustWindowRectExForDpi when user32
 * has them (Windows 10 1607 and later), scaled system values otherwise. Looked up at each
 * call rather than imported, so parley.exe still starts on older Windows. */
#include "dpi.h"

typedef UINT(WINAPI *dpi_for_window_fn)(HWND);
typedef int(WINAPI *metric_for_dpi_fn)(int, UINT);
typedef BOOL(WINAPI *adjust_for_dpi_fn)(RECT *, DWORD, BOOL, DWORD, UINT);

static FARPROC user32_proc(const char *name)
{
    HMODULE user32 = GetModuleHandleW(L"user32.dll");
    return user32 ? GetProcAddress(user32, name) : NULL;
}

static UINT system_dpi(void)
{
    HDC dc = GetDC(NULL);
    UINT dpi = dc ? (UINT)GetDeviceCaps(dc, LOGPIXELSX) : 96;

    if (dc)
        ReleaseDC(NULL, dc);
    return dpi ? dpi : 96;
}

UINT dpi_system(void)
{
    return system_dpi();
}

UINT dpi_of_window(HWND hwnd)
{
    dpi_for_window_fn fn = (dpi_for_window_fn)(void (*)(void))user32_proc("GetDpiForWindow");
    UINT dpi = fn ? fn(hwnd) : 0;

    return dpi ? dpi : system_dpi();
}

int dpi_metric(int index, UINT dpi)
{
    metric_for_dpi_fn fn =
        (metric_for_dpi_fn)(void (*)(void))user32_proc("GetSystemMetricsForDpi");

    if (fn)
        return fn(index, dpi);
    return MulDiv(GetSystemMetrics(index), (int)dpi, (int)system_dpi());
}

BOOL dpi_adjust_window_rect(RECT *r, DWORD style, BOOL menu, DWORD ex_style, UINT dpi)
{
    adjust_for_dpi_fn fn =
        (adjust_for_dpi_fn)(void (*)(void))user32_proc("AdjustWindowRectExForDpi");

    if (fn)
        return fn(r, style, menu, ex_style, dpi);
    return AdjustWindowRectEx(r, style, menu, ex_style);
}
