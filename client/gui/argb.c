/* argb.c — the two steps every drawn icon shares: a 32-bit top-down DIB section, and a
 * colour with partial coverage turned into a premultiplied pixel. */
#include "argb.h"

#include <string.h>

HBITMAP argb_image(int size, uint32_t **bits)
{
    BITMAPINFO bi;

    memset(&bi, 0, sizeof bi);
    bi.bmiHeader.biSize = sizeof bi.bmiHeader;
    bi.bmiHeader.biWidth = size;
    bi.bmiHeader.biHeight = -size; /* top-down */
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 32;
    bi.bmiHeader.biCompression = BI_RGB;
    *bits = NULL;
    return CreateDIBSection(NULL, &bi, DIB_RGB_COLORS, (void **)bits, NULL, 0);
}

uint32_t argb_pixel(COLORREF c, double coverage)
{
    uint32_t a;

    coverage = coverage < 0 ? 0 : coverage > 1 ? 1 : coverage;
    a = (uint32_t)(coverage * 255.0 + 0.5);
    return (a << 24) | ((GetRValue(c) * a / 255) << 16) | ((GetGValue(c) * a / 255) << 8) |
           (GetBValue(c) * a / 255);
}
