/* theme.h — the transcript's colours, from the system: its window colours, high contrast
 * (system colours only, no nickname colours) and the apps' dark mode. */
#ifndef PARLEY_GUI_THEME_H
#define PARLEY_GUI_THEME_H

#include <windows.h>

#define THEME_NICKS 12

typedef struct theme {
    int high_contrast, dark;
    COLORREF bg, text, time, history, info, notice, error;
    COLORREF nicks[THEME_NICKS];
} theme;

/* Reads the current system settings into t. */
void theme_load(theme *t);
/* 1 if a and b would draw anything differently. */
int theme_differs(const theme *a, const theme *b);
/* The same nickname gets the same colour in every window and every session (the window text
 * colour in high contrast). */
COLORREF theme_nick(const theme *t, const wchar_t *nick);
/* What old's colour c is called in t: the same role's colour, or c when it has no role. */
COLORREF theme_map(const theme *old, const theme *t, COLORREF c);

#endif
