/* dpi.h — per-monitor DPI queries that also run on Windows 7 and 8, where the *ForDpi
 * functions do not exist (there everything is at the system DPI). */
#ifndef PARLEY_GUI_DPI_H
#define PARLEY_GUI_DPI_H

#include <windows.h>

UINT dpi_of_window(HWND hwnd);
/* The DPI device contexts report (the system DPI at start): what RichEdit turns points into
 * pixels with, whatever monitor the window is on. */
UINT dpi_system(void);
int dpi_metric(int index, UINT dpi);
BOOL dpi_adjust_window_rect(RECT *r, DWORD style, BOOL menu, DWORD ex_style, UINT dpi);

#endif
