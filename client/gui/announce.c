/* announce.c — UI Automation notifications (announce.h). The provider is the window's host
 * provider (UiaHostProviderFromHwnd); both calls come from uiautomationcore.dll by
 * GetProcAddress, since older systems (and Wine 8's headers) lack the notification call. */
#include "announce.h"

#include <oleauto.h>

#include <stdio.h>

#include "trace.h"

/* The values of UI Automation's NotificationKind and NotificationProcessing that we use. */
#define KIND_OTHER 4
#define PROCESSING_IMPORTANT_ALL 0
#define PROCESSING_MOST_RECENT 3

typedef HRESULT(WINAPI *host_provider_fn)(HWND, IUnknown **);
typedef HRESULT(WINAPI *raise_fn)(IUnknown *, int, int, BSTR, BSTR);
typedef BOOL(WINAPI *listening_fn)(void);

void announce(HWND hwnd, const wchar_t *text, int important)
{
    static const wchar_t activity[] = L"Parley.NewMessage";
    HMODULE dll = LoadLibraryW(L"uiautomationcore.dll");
    host_provider_fn host = NULL;
    raise_fn raise = NULL;
    listening_fn listening = NULL;
    IUnknown *provider = NULL;
    BSTR what = NULL, id = NULL;
    HRESULT hr = E_NOTIMPL;
    wchar_t result[48];

    if (!dll) {
        trace_line(L"uia", L"no uiautomationcore.dll", NULL);
        return;
    }
    host = (host_provider_fn)(void (*)(void))GetProcAddress(dll, "UiaHostProviderFromHwnd");
    raise = (raise_fn)(void (*)(void))GetProcAddress(dll, "UiaRaiseNotificationEvent");
    if (!host || !raise) {
        trace_line(L"uia", host ? L"no UiaRaiseNotificationEvent" : L"no UiaHostProviderFromHwnd",
                   NULL);
        goto done;
    }
    /* No screen reader (or other client) listening: nothing to build the event for. */
    listening = (listening_fn)(void (*)(void))GetProcAddress(dll, "UiaClientsAreListening");
    if (listening && !listening()) {
        trace_line(L"uia", L"no UI Automation client listening", NULL);
        goto done;
    }
    hr = host(hwnd, &provider);
    if (FAILED(hr) || !provider) {
        _snwprintf(result, 48, L"UiaHostProviderFromHwnd 0x%08lx", (unsigned long)hr);
        result[47] = L'\0';
        trace_line(L"uia", result, NULL);
        goto done;
    }
    what = SysAllocString(text);
    id = SysAllocString(activity);
    hr = what && id ? raise(provider, KIND_OTHER,
                            important ? PROCESSING_IMPORTANT_ALL : PROCESSING_MOST_RECENT, what, id)
                    : E_OUTOFMEMORY;
    _snwprintf(result, 48, L"UiaRaiseNotificationEvent 0x%08lx", (unsigned long)hr);
    result[47] = L'\0';
    trace_line(L"uia", result, text);
done:
    SysFreeString(what);
    SysFreeString(id);
    if (provider)
        provider->lpVtbl->Release(provider);
    FreeLibrary(dll);
}
