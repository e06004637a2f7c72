/* test_gui_emoji.c — an emoji in the transcript is drawn with a glyph of its own, not as the
 * box of a character no font has (under Wine through the font link gui_cjk_font sets up). */
#include <windows.h>

#include <stdlib.h>
#include <string.h>

#include "gui_steps.h"
#include "resource.h"

/* U+1F44B WAVING HAND SIGN, and U+10FFFD (private use: no font has it, so it shows as the
 * box). Both are surrogate pairs, so a missing glyph is drawn alike for either. */
#define WAVE_LINE "こんにちは wave \xF0\x9F\x91\x8B end"
#define BOX_LINE "こんにちは none \xF4\x8F\xBF\xBD end"
#define MIN_DIFFERENT 20 /* pixels: a real glyph differs from the box in far more */

typedef struct cell {
    int x, y, w, h;
} cell;

/* The cell of the character at cp (a surrogate pair): from where it starts to where the next
 * character starts, h pixels high. 0 or -1. */
static int cell_at(HWND re, long cp, int h, cell *c)
{
    POINT a, b;

    if (gui_richedit_pos(re, cp, &a) != 0 || gui_richedit_pos(re, cp + 2, &b) != 0)
        return -1;
    c->x = a.x;
    c->y = a.y;
    c->w = b.x - a.x;
    c->h = h;
    return c->w > 0 && c->h > 0 ? 0 : -1;
}

static int is_ink(const gui_pixels *px, const cell *c, int dx, int dy, COLORREF bg)
{
    if (dx >= c->w || dy >= c->h)
        return 0;
    return gui_pixel(px, c->x + dx, c->y + dy) != bg;
}

/* Lays the cells a and b on each other at their top-left corners and counts the pixels where
 * one has ink (anything but the background) and the other not; the ink of each into ink_a and
 * ink_b. */
static int ink_differs(const gui_pixels *px, const cell *a, const cell *b, COLORREF bg,
                       int *ink_a, int *ink_b)
{
    int dx, dy, differ = 0;
    int w = a->w > b->w ? a->w : b->w, h = a->h > b->h ? a->h : b->h;

    *ink_a = *ink_b = 0;
    for (dy = 0; dy < h; dy++)
        for (dx = 0; dx < w; dx++) {
            int in_a = is_ink(px, a, dx, dy, bg), in_b = is_ink(px, b, dx, dy, bg);

            *ink_a += in_a;
            *ink_b += in_b;
            differ += in_a != in_b;
        }
    return differ;
}

/* 👋 after こんにちは in the transcript is drawn as a glyph: its cell differs from the cell
 * of a character no font has (the box, or nothing) by many pixels. Without a font that
 * covers it (under Wine: the link to Symbola) both cells hold the same box. */
TEST(gui_emoji_drawn)
{
    test_server ts;
    server_config cfg;
    gui_proc alice;
    wchar_t key_file[MAX_PATH];
    HWND main, re;
    pc_conn *kenji = NULL;
    gui_pixels px = {0, 0, 0, NULL};
    long wave_cp, box_cp;
    POINT wave_at, box_at;
    cell wave, box;
    COLORREF bg;
    int differ, ink_wave = 0, ink_box = 0;

    test_server_config(&cfg, "gui-emoji");
    REQUIRE(test_server_start(&ts, &cfg) == 0);
    /* The desktop starts with a clean Software\\Parley: the font setting comes after it. */
    gui_desktop_enter(1280, 800);
    gui_cjk_font(1);
    write_key_file(L"gui-emoji-key.txt", TEST_SECRET, key_file, MAX_PATH);
    memset(&alice, 0, sizeof alice);
    main = connect_client(&alice, &ts, L"alice", key_file, NULL);
    NEED(main != NULL);
    SetWindowPos(main, NULL, 40, 40, 700, 400, SWP_NOZORDER);
    kenji = lobby_voice(&ts, "kenji", WAVE_LINE);
    NEED(kenji != NULL);
    pc_say(kenji, "lobby", BOX_LINE, 0);
    NEED(gui_wait_text(main, IDC_TRANSCRIPT, L"none \U0010FFFD end", WAIT_NET));
    shot_named(main, L"emoji");

    re = GetDlgItem(main, IDC_TRANSCRIPT);
    wave_cp = transcript_cp(main, L"wave \U0001F44B end");
    box_cp = transcript_cp(main, L"none \U0010FFFD end");
    NEED(wave_cp >= 0 && box_cp >= 0);
    wave_cp += 5;
    box_cp += 5;
    /* One line each, the box's under the wave's: the distance is the line's height. */
    NEED(gui_richedit_pos(re, wave_cp, &wave_at) == 0 && gui_richedit_pos(re, box_cp, &box_at) == 0);
    NEED(cell_at(re, wave_cp, box_at.y - wave_at.y, &wave) == 0);
    NEED(cell_at(re, box_cp, box_at.y - wave_at.y, &box) == 0);
    NEED(gui_grab(re, &px) == 0);
    /* The end of the box's line is blank: the transcript's background. */
    bg = gui_pixel(&px, px.w - 4, box.y + box.h / 2);
    differ = ink_differs(&px, &wave, &box, bg, &ink_wave, &ink_box);
    if (differ < MIN_DIFFERENT)
        test_failf_at(__FILE__, __LINE__,
                      "U+1F44B is drawn like U+10FFFD (a box): cells %dx%d and %dx%d, ink %d and "
                      "%d pixels, %d differ",
                      wave.w, wave.h, box.w, box.h, ink_wave, ink_box, differ);
    CHECK(ink_wave > 0);
done:
    free(px.bits);
    if (kenji)
        pc_close(kenji);
    gui_stop(&alice, 15000);
    test_server_stop(&ts);
    DeleteFileW(L"gui-emoji-key.txt");
    test_server_clean(cfg.data_dir);
    gui_cjk_font(0);
    gui_desktop_leave();
}
