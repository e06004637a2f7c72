/* ini_edit.h — sets a few keys of one section in an existing INI file (server.ini), leaving
 * every other line, comment and line ending as the administrator wrote them. */
#ifndef PARLEY_INI_EDIT_H
#define PARLEY_INI_EDIT_H

#include <stddef.h>

typedef struct ini_edit {
    const char *key;   /* as server.ini spells it: "port", "data_dir" */
    const char *value; /* written as is, quoted only when the parser would otherwise change it */
} ini_edit;

/* Sets each key in [section] of the file at path: the last active "key = ..." line of that
 * section is replaced; without one, the new line goes after the commented-out template line
 * ("; key = ...") if there is one, else at the end of the section; a missing section is added
 * at the end. The file is replaced atomically (a temporary file beside it, then renamed), so
 * a failure leaves it as it was. A missing file counts as empty. -1 with the reason in err. */
int ini_edit_file(const char *path, const char *section, const ini_edit *edits, size_t n,
                  char *err, size_t err_size);

#endif
