/* instance.c — a named mutex in the session's namespace (so per signed-in user) says whether
 * a parley.exe runs for a profile; its main window carries a property with the same name, by
 * which a second start finds and restores it. */
#include "instance.h"

#include <wchar.h>

#define NAME_MAX_W 128
#define PROP L"Parley.Instance"

static void instance_name(const wchar_t *profile, wchar_t *out, size_t cap)
{
    _snwprintf(out, cap, L"Local\\Parley.%ls", profile && profile[0] ? profile : L"default");
    out[cap - 1] = L'\0';
}

typedef struct find_ctx {
    ATOM atom;
    HWND found;
} find_ctx;

static BOOL CALLBACK find_main(HWND hwnd, LPARAM lp)
{
    find_ctx *f = (find_ctx *)lp;

    if (GetPropW(hwnd, PROP) == (HANDLE)(ULONG_PTR)f->atom) {
        f->found = hwnd;
        return FALSE;
    }
    return TRUE;
}

static void bring_forward(const wchar_t *name)
{
    find_ctx f;

    f.atom = GlobalFindAtomW(name);
    f.found = NULL;
    if (!f.atom)
        return;
    EnumWindows(find_main, (LPARAM)&f);
    if (!f.found)
        return;
    if (IsIconic(f.found))
        ShowWindow(f.found, SW_RESTORE);
    else
        ShowWindow(f.found, SW_SHOW); /* it may be hidden in the notification area */
    SetForegroundWindow(f.found);
}

HANDLE instance_claim(const wchar_t *profile)
{
    wchar_t name[NAME_MAX_W];
    HANDLE m;

    instance_name(profile, name, NAME_MAX_W);
    m = CreateMutexW(NULL, FALSE, name);
    if (m && GetLastError() == ERROR_ALREADY_EXISTS) {
        CloseHandle(m);
        bring_forward(name);
        return NULL;
    }
    /* Without a mutex (out of resources) this start simply runs on its own. */
    return m ? m : INVALID_HANDLE_VALUE;
}

void instance_mark(HWND hwnd, const wchar_t *profile)
{
    wchar_t name[NAME_MAX_W];
    ATOM atom;

    instance_name(profile, name, NAME_MAX_W);
    atom = GlobalAddAtomW(name);
    if (atom)
        SetPropW(hwnd, PROP, (HANDLE)(ULONG_PTR)atom);
}

void instance_unmark(HWND hwnd)
{
    ATOM atom = (ATOM)(ULONG_PTR)RemovePropW(hwnd, PROP);

    if (atom)
        GlobalDeleteAtom(atom);
}
