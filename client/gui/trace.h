/* trace.h — what parley.exe did that a test cannot see on screen (balloons, the taskbar overlay,
 * sounds, UI Automation announcements), one line each, appended as UTF-8 to the file that the
 * environment variable PARLEY_GUI_TRACE names. Nothing is written when it is not set. */
#ifndef PARLEY_GUI_TRACE_H
#define PARLEY_GUI_TRACE_H

/* Appends "what\tdetail1\tdetail2\r\n" (a NULL detail is left out). */
void trace_line(const wchar_t *what, const wchar_t *detail1, const wchar_t *detail2);

#endif
