/* person_icon.h — the person icon that marks private conversations in the tab strip, drawn in
 * code so it is sharp at any DPI. */
#ifndef PARLEY_GUI_PERSON_ICON_H
#define PARLEY_GUI_PERSON_ICON_H

#include <windows.h>
#include <commctrl.h>

/* An image list holding the person icon (index 0) at the small-icon size for dpi; the caller
 * owns it (ImageList_Destroy). NULL when out of memory. */
HIMAGELIST person_icon_list(UINT dpi);

#endif
