/* test_gui_key_file.c — the Connect dialog's "Load key from file…": the standard Open dialog,
 * a good key file fills the key in (and the connection works with it), a file with no key in
 * it is said plainly and changes nothing. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "gui_steps.h"
#include "resource.h"

#define TITLE_OPEN L"Load the secret key from a file"
#define OPEN_FILE_NAME 0x47c /* cmb13: the Open dialog's file name box */

typedef struct owned_find {
    HWND owner, found;
} owned_find;

static BOOL CALLBACK find_owned(HWND hwnd, LPARAM lp)
{
    owned_find *f = (owned_find *)lp;

    if (GetWindow(hwnd, GW_OWNER) == f->owner && IsWindowVisible(hwnd)) {
        f->found = hwnd;
        return FALSE;
    }
    return TRUE;
}

/* Waits for a visible window that owner owns (a message box over a dialog); NULL if none. */
static HWND wait_owned(HWND owner, DWORD timeout_ms)
{
    DWORD start = GetTickCount();
    owned_find f;

    for (;;) {
        f.owner = owner;
        f.found = NULL;
        EnumWindows(find_owned, (LPARAM)&f);
        if (f.found || GetTickCount() - start >= timeout_ms)
            return f.found;
        Sleep(100);
    }
}

/* Clicks "Load key from file…" and picks path in the Open dialog. 0, or -1 (reported). */
static int load_key(gui_proc *p, HWND dlg, const wchar_t *path)
{
    HWND open;

    gui_click(dlg, IDC_LOAD_KEY);
    open = gui_wait_window(p, L"#32770", TITLE_OPEN, WAIT_UI);
    if (!open) {
        test_failf_at(__FILE__, __LINE__, "no Open dialog");
        return -1;
    }
    gui_set_text(open, OPEN_FILE_NAME, path);
    gui_click(open, IDOK);
    if (!gui_wait_gone(open, WAIT_UI)) {
        test_failf_at(__FILE__, __LINE__, "the Open dialog did not take %ls", path);
        return -1;
    }
    return 0;
}

TEST(gui_load_key_from_file)
{
    test_server ts;
    server_config cfg;
    gui_proc lu;
    wchar_t good[MAX_PATH], empty[MAX_PATH], *texts;
    HWND dlg, box;

    memset(&lu, 0, sizeof lu);
    test_server_config(&cfg, "gui-key-file");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    gui_desktop_enter(1280, 800);
    write_key_file(L"gui-load-good.key", TEST_SECRET, good, MAX_PATH);
    write_key_file(L"gui-load-empty.key", "", empty, MAX_PATH);
    dlg = open_connect(&lu, &ts, L"lu", NULL);
    NEED(dlg != NULL);
    NEED(IsWindowVisible(GetDlgItem(dlg, IDC_LOAD_KEY)));

    /* A file with only a line end in it: no key, a plain message, the field as it was. */
    NEED(load_key(&lu, dlg, empty) == 0);
    box = wait_owned(dlg, WAIT_UI);
    NEED(box != NULL);
    texts = gui_child_texts(box);
    CHECK(texts && wcsstr(texts, L"Cannot read the key file"));
    free(texts);
    gui_click(box, IDOK);
    CHECK(gui_wait_gone(box, WAIT_UI));

    /* The good file: the key is filled in, and it is the server's. */
    NEED(load_key(&lu, dlg, good) == 0);
    gui_click(dlg, IDOK);
    CHECK(wait_connected(&lu, L"lu") != NULL);

done:
    gui_stop(&lu, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-load-good.key");
    DeleteFileW(L"gui-load-empty.key");
    test_server_clean(cfg.data_dir);
    gui_desktop_leave();
}
