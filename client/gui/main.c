/* main.c — parley.exe's entry point: command-line options, common controls and RichEdit,
 * the main window, and the message loop (accelerators, then IsDialogMessage for keyboard
 * navigation). */
#include <windows.h>
#include <commctrl.h>
#include <shellapi.h>

#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "key_file.h"
#include "main_window.h"
#include "placement.h"
#include "proto.h"
#include "resource.h"
#include "settings.h"
#include "wstr.h"


static void message(unsigned title_id, const wchar_t *text, UINT icon)
{
    wchar_t title[64];

    MessageBoxW(NULL, text, wstr_load(title_id, title, 64), MB_OK | icon);
}

static void usage_error(const wchar_t *option)
{
    wchar_t usage[2048], *text;

    wstr_load(IDS_USAGE, usage, 2048);
    text = wstr_format(IDS_BAD_OPTION, option, usage);
    message(IDS_APP_NAME, text ? text : usage, MB_ICONERROR);
    free(text);
}

typedef struct start_options {
    int new_window;               /* /new: another window even if one runs */
    wchar_t profile[64];          /* --profile NAME, "" for the default */
    int bad_profile;
} start_options;

static int is_new_option(const wchar_t *opt)
{
    return !wcscmp(opt, L"/new") || !wcscmp(opt, L"--new");
}

/* What must be known before the settings are read: the profile, and /new. */
static void start_options_read(start_options *o)
{
    int argc = 0, i;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);

    memset(o, 0, sizeof o[0]);
    for (i = 1; argv && i < argc; i++) {
        if (is_new_option(argv[i]))
            o->new_window = 1;
        else if (!wcscmp(argv[i], L"--profile") && i + 1 < argc) {
            wstr_copy(o->profile, 64, argv[++i]);
            if (settings_use_profile(o->profile) != 0)
                o->bad_profile = 1;
        }
    }
    if (argv)
        LocalFree(argv);
}

/* Applies the command line over the remembered settings. Returns 0 to go on, 1 to exit
 * successfully (--help), 2 on a bad option (already reported). */
static int parse_args(settings *s)
{
    int argc = 0, i, rc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    wchar_t usage[2048];

    if (!argv)
        return 0;
    for (i = 1; i < argc && rc == 0; i++) {
        const wchar_t *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (!wcscmp(opt, L"--help") || !wcscmp(opt, L"-h") || !wcscmp(opt, L"/?")) {
            message(IDS_APP_NAME, wstr_load(IDS_USAGE, usage, 2048), MB_ICONINFORMATION);
            rc = 1;
        } else if (is_new_option(opt)) {
            /* read by start_options */
        } else if (!wcscmp(opt, L"--profile") && val) {
            i++; /* read by start_options */
        } else if (!val) {
            usage_error(opt);
            rc = 2;
        } else if (!wcscmp(opt, L"--server")) {
            wstr_copy(s->host, SETTINGS_HOST_MAX, val);
            i++;
        } else if (!wcscmp(opt, L"--port")) {
            long port = wcstol(val, NULL, 10);
            if (port <= 0 || port > 65535) {
                usage_error(opt);
                rc = 2;
            }
            s->port = (unsigned)port;
            i++;
        } else if (!wcscmp(opt, L"--nick")) {
            wstr_copy(s->nick, SETTINGS_NICK_MAX, val);
            i++;
        } else if (!wcscmp(opt, L"--key-file")) {
            DWORD err = key_file_read(val, s->key, SETTINGS_KEY_MAX);
            if (err) {
                key_file_error(NULL, val, err);
                rc = 2;
            }
            i++;
        } else if (!wcscmp(opt, L"--cipher")) {
            if (!_wcsicmp(val, L"xor"))
                s->cipher = PROTO_CIPHER_XOR;
            else if (!_wcsicmp(val, L"aes-256-gcm"))
                s->cipher = PROTO_CIPHER_AES256GCM;
            else {
                usage_error(opt);
                rc = 2;
            }
            i++;
        } else {
            usage_error(opt);
            rc = 2;
        }
    }
    LocalFree(argv);
    return rc;
}

int WINAPI wWinMain(HINSTANCE inst, HINSTANCE prev, PWSTR cmdline, int show)
{
    INITCOMMONCONTROLSEX icc;
    HMODULE richedit;
    HACCEL accel;
    settings s;
    HWND hwnd;
    MSG msg;
    int rc;
    start_options opts;
    HANDLE instance;

    (void)prev;
    (void)cmdline;
    start_options_read(&opts);
    if (opts.bad_profile) {
        usage_error(L"--profile");
        return 2;
    }
    /* One parley.exe per user and profile: a second start shows the first and ends. */
    instance = opts.new_window ? NULL : instance_claim(opts.profile);
    if (!opts.new_window && !instance)
        return 0;
    settings_defaults(&s);
    settings_load(&s);
    rc = parse_args(&s);
    if (rc != 0) {
        settings_wipe(&s);
        return rc == 1 ? 0 : 2;
    }

    icc.dwSize = sizeof icc;
    icc.dwICC = ICC_STANDARD_CLASSES | ICC_TAB_CLASSES | ICC_LISTVIEW_CLASSES | ICC_BAR_CLASSES;
    InitCommonControlsEx(&icc);
    /* RichEdit 4.1+ (MSFTEDIT_CLASS) lives in Msftedit.dll, which nothing loads for us. */
    richedit = LoadLibraryW(L"Msftedit.dll");
    if (!richedit) {
        wchar_t reason[256], *text;
        wstr_load(IDS_ERR_RICHEDIT, reason, 256);
        text = wstr_format(IDS_ERR_START, reason);
        message(IDS_APP_NAME, text ? text : reason, MB_ICONERROR);
        free(text);
        settings_wipe(&s);
        return 1;
    }

    hwnd = main_window_create(inst, &s, 1);
    settings_wipe(&s);
    if (!hwnd) {
        wchar_t reason[64], *text;
        _snwprintf(reason, 64, L"error %lu", (unsigned long)GetLastError());
        reason[63] = L'\0';
        text = wstr_format(IDS_ERR_START, reason);
        message(IDS_APP_NAME, text ? text : reason, MB_ICONERROR);
        free(text);
        FreeLibrary(richedit);
        return 1;
    }
    if (!opts.new_window)
        instance_mark(hwnd, opts.profile);
    ShowWindow(hwnd, placement_restore(hwnd, show));
    UpdateWindow(hwnd);
    accel = LoadAcceleratorsW(inst, MAKEINTRESOURCEW(IDR_ACCEL));

    while ((rc = GetMessageW(&msg, NULL, 0, 0)) > 0) {
        /* The accelerators and dialog keys belong to the main window; modal dialogs run
         * their own loops. */
        if (IsWindow(hwnd) && accel && TranslateAcceleratorW(hwnd, accel, &msg))
            continue;
        if (IsWindow(hwnd) && IsDialogMessageW(hwnd, &msg))
            continue;
        /* Modeless dialogs (Find) need their keys too. */
        {
            HWND active = GetActiveWindow();
            if (active && active != hwnd && GetWindow(active, GW_OWNER) == hwnd &&
                IsDialogMessageW(active, &msg))
                continue;
        }
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    if (accel)
        DestroyAcceleratorTable(accel);
    if (instance && instance != INVALID_HANDLE_VALUE)
        CloseHandle(instance);
    FreeLibrary(richedit);
    return rc < 0 ? 1 : (int)msg.wParam;
}
