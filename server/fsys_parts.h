/* fsys_parts.h — path building shared by the fsys files (not for use outside them). */
#ifndef PARLEY_FSYS_PARTS_H
#define PARLEY_FSYS_PARTS_H

#include <stddef.h>

/* Concatenates nparts C strings into out; -1 (and out "") if they do not fit. */
int fsys_join_parts(char *out, size_t out_size, int nparts, ...);

#endif
