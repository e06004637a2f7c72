/* argb.h — small 32-bit images with alpha, drawn pixel by pixel (presence dots, the person
 * icon), in the premultiplied BGRA form that image lists blend. */
#ifndef PARLEY_GUI_ARGB_H
#define PARLEY_GUI_ARGB_H

#include <windows.h>

#include <stdint.h>

/* A top-down size x size DIB section; *bits points at its pixels. NULL on failure. The caller
 * owns the bitmap (DeleteObject). */
HBITMAP argb_image(int size, uint32_t **bits);
/* Colour c at coverage (0..1, clamped) as a premultiplied pixel. */
uint32_t argb_pixel(COLORREF c, double coverage);

#endif
