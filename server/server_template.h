/* server_template.h — the administrator's starting point: a settings file with every setting
 * at its default, commented out, and a line on what each does. */
#ifndef PARLEY_SERVER_TEMPLATE_H
#define PARLEY_SERVER_TEMPLATE_H

#include <stddef.h>

/* Writes that file at path (CRLF, for Notepad). -1 with the reason in err; nothing is left
 * behind on failure. */
int server_template_write(const char *path, char *err, size_t err_size);

#endif
