/* connect_dialog.h — the modal "Connect to a Parley server" dialog. */
#ifndef PARLEY_GUI_CONNECT_DIALOG_H
#define PARLEY_GUI_CONNECT_DIALOG_H

#include <windows.h>

#include "settings.h"

/* Shows the dialog filled from s; on Connect (IDOK) s holds the checked values and they were
 * remembered or forgotten as the user chose. focus_field: a control ID to start in (its text
 * selected), or 0 for the first empty field. Returns IDOK or IDCANCEL. */
INT_PTR connect_dialog_run(HWND owner, settings *s, int focus_field);

#endif
