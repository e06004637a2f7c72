/* person_icon.c — a head and shoulders in the window text colour's grey, with soft edges:
 * computed per pixel into a 32-bit image with premultiplied alpha, as the image list blends. */
#include "person_icon.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "argb.h"
#include "dpi.h"

/* Coverage (0..1) of the pixel at x,y by the person shape in a size x size square. */
static double coverage(double x, double y, int size)
{
    double s = size, head_r = s * 0.20, cx = s / 2.0, head_y = s * 0.32;
    double dh = sqrt((x - cx) * (x - cx) + (y - head_y) * (y - head_y));
    double body_rx = s * 0.36, body_ry = s * 0.34, body_y = s * 0.98;
    double ex = (x - cx) / body_rx, ey = (y - body_y) / body_ry;
    double db = sqrt(ex * ex + ey * ey);
    double head = head_r + 0.5 - dh, body = (1.0 - db) * body_rx + 0.5;

    return head > body ? head : body; /* argb_pixel clamps */
}

HIMAGELIST person_icon_list(UINT dpi)
{
    int size = dpi_metric(SM_CXSMICON, dpi), x, y;
    HIMAGELIST il = ImageList_Create(size, size, ILC_COLOR32, 1, 0);
    COLORREF ink = RGB(0x5a, 0x5a, 0x5a);
    uint32_t *bits;
    HBITMAP bmp;

    if (!il)
        return NULL;
    bmp = argb_image(size, &bits);
    if (!bmp) {
        ImageList_Destroy(il);
        return NULL;
    }
    for (y = 0; y < size; y++)
        for (x = 0; x < size; x++)
            bits[y * size + x] = argb_pixel(ink, coverage(x + 0.5, y + 0.5, size));
    ImageList_Add(il, bmp, NULL);
    DeleteObject(bmp);
    return il;
}
