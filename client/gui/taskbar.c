/* taskbar.c — the overlay icon on the taskbar button (taskbar.h), through ITaskbarList3. Wine 8
 * answers S_OK and shows nothing; the trace (trace.h) records what was asked and answered. */
#define COBJMACROS
#include "taskbar.h"

#include <objbase.h>
#include <shobjidl.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "argb.h"
#include "resource.h"
#include "trace.h"
#include "wstr.h"

void taskbar_init(taskbar_state *t)
{
    memset(t, 0, sizeof *t);
    t->shown = -1;
}

/* A red disc with a white rim, the usual look of an unread badge. */
static HICON make_badge(void)
{
    int size = GetSystemMetrics(SM_CXSMICON), x, y;
    double r = size / 2.0, d, cover;
    uint32_t *bits;
    HBITMAP colour = argb_image(size, &bits), mask = NULL;
    ICONINFO ii;
    HICON icon = NULL;

    if (!colour)
        return NULL;
    for (y = 0; y < size; y++)
        for (x = 0; x < size; x++) {
            d = (x + 0.5 - r) * (x + 0.5 - r) + (y + 0.5 - r) * (y + 0.5 - r);
            d = sqrt(d);
            cover = r - d;
            bits[y * size + x] = argb_pixel(d < r - 1.5 ? RGB(0xC4, 0x2B, 0x1C) : RGB(255, 255, 255),
                                            cover);
        }
    mask = CreateBitmap(size, size, 1, 1, NULL);
    if (mask) {
        memset(&ii, 0, sizeof ii);
        ii.fIcon = TRUE;
        ii.hbmColor = colour;
        ii.hbmMask = mask;
        icon = CreateIconIndirect(&ii);
        DeleteObject(mask);
    }
    DeleteObject(colour);
    return icon;
}

static int connect_list(taskbar_state *t)
{
    ITaskbarList3 *list = NULL;
    HRESULT hr;

    if (t->list)
        return 1;
    if (!t->com)
        t->com = SUCCEEDED(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED));
    hr = CoCreateInstance(&CLSID_TaskbarList, NULL, CLSCTX_INPROC_SERVER, &IID_ITaskbarList3,
                          (void **)&list);
    if (FAILED(hr) || !list)
        return 0;
    if (FAILED(ITaskbarList3_HrInit(list))) {
        ITaskbarList3_Release(list);
        return 0;
    }
    t->list = (struct ITaskbarList3 *)list;
    return 1;
}

void taskbar_overlay(HWND hwnd, taskbar_state *t, unsigned unread)
{
    wchar_t desc[96], num[16], result[16];
    HRESULT hr;

    if (t->shown >= 0 && (unsigned)t->shown == unread)
        return;
    t->shown = (int)unread;
    _snwprintf(num, 16, L"%u", unread);
    num[15] = L'\0';
    if (!connect_list(t)) {
        trace_line(L"overlay", num, L"no ITaskbarList3");
        return;
    }
    if (unread && !t->badge)
        t->badge = make_badge();
    if (unread) {
        wstr_format_into(desc, 96, unread == 1 ? IDS_OVERLAY_ONE : IDS_OVERLAY_MANY, num);
        hr = ITaskbarList3_SetOverlayIcon((ITaskbarList3 *)t->list, hwnd, t->badge, desc);
    } else {
        hr = ITaskbarList3_SetOverlayIcon((ITaskbarList3 *)t->list, hwnd, NULL, NULL);
    }
    _snwprintf(result, 16, L"0x%08lx", (unsigned long)hr);
    result[15] = L'\0';
    trace_line(L"overlay", num, result);
}

void taskbar_button_created(HWND hwnd, taskbar_state *t)
{
    int unread = t->shown;

    t->shown = -1;
    if (unread > 0)
        taskbar_overlay(hwnd, t, (unsigned)unread);
}

void taskbar_free(taskbar_state *t)
{
    if (t->list)
        ITaskbarList3_Release((ITaskbarList3 *)t->list);
    if (t->badge)
        DestroyIcon(t->badge);
    if (t->com)
        CoUninitialize();
    taskbar_init(t);
}
