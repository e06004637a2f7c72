/* alert_group.h — the group:NAME alert recipient specification (docs/PROTOCOL.md, ALERT).
 * Portable; the group's members come from group_members.h. */
#ifndef PARLEY_ALERT_GROUP_H
#define PARLEY_ALERT_GROUP_H

#include <stddef.h>

/* Longest group name accepted, in bytes ("CONTOSO\Chat Users"). */
#define ALERT_GROUP_MAX 256

/* 1 with the group's name in out[0..cap) if spec is group:NAME; 0 if spec is another form;
 * -1 with why filled if it is a group: specification without a usable name. */
int alert_group_spec(const char *spec, char *out, size_t cap, char *why, size_t why_size);

#endif
