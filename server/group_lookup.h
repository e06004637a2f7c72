/* group_lookup.h — looks the members of Windows groups up on threads of their own, off the
 * chat core: a domain controller is a network call away (group:NAME alert recipients). */
#ifndef PARLEY_GROUP_LOOKUP_H
#define PARLEY_GROUP_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "alert_group.h"
#include "group_members.h"

/* The contract of group_members_list; tests put a lookup of their own in its place. */
typedef int (*group_lookup_fn)(const char *group, group_member_fn fn, void *user,
                               size_t *groups_skipped, char *err, size_t err_size);

/* Groups one alert may name. */
#define GROUP_LOOKUP_GROUPS_MAX 8u

/* One group of a lookup and what was found (filled on the lookup's thread). */
typedef struct group_found {
    char name[ALERT_GROUP_MAX + 1];
    char **members;                 /* "DOMAIN\user", owned */
    size_t nmembers, cap;
    size_t groups_skipped;
    int failed;                     /* the lookup failed (err) or ran out of memory */
    char err[320];
} group_found;

/* The groups of one alert and the alert itself, kept until the members are back. */
typedef struct group_job {
    struct group_job *next;
    void *owner;                    /* the session that sent the alert; NULL once it has gone */
    group_found groups[GROUP_LOOKUP_GROUPS_MAX];
    size_t ngroups;
    uint32_t tag, duration;
    char *target, *text;            /* owned */
    size_t text_len;
    group_lookup_fn lookup;
    struct thread_handle *thread;
    struct group_lookups *gl;
} group_job;

typedef struct group_lookups group_lookups;

/* wake(user) is called from a lookup's thread when its job is done. NULL if out of memory. */
group_lookups *group_lookups_new(void (*wake)(void *user), void *user);
/* Waits for the lookups still running and frees everything. */
void group_lookups_free(group_lookups *gl);

/* A job for owner's alert (copies target and text), no groups yet; NULL if out of memory. */
group_job *group_job_new(void *owner, uint32_t tag, uint32_t duration, const char *target,
                         const char *text, size_t text_len, group_lookup_fn lookup);
/* Adds a group to look up (once, however often it is named); 0, or -1 if there are too many. */
int group_job_add(group_job *job, const char *name);
void group_job_free(group_job *job);

/* Errors of group_lookups_submit. */
#define GROUP_LOOKUP_E_BUSY (-1)    /* max lookups are running already */
#define GROUP_LOOKUP_E_START (-2)   /* no thread could be started */

/* Starts job on a thread of its own unless max are running; the lookups own it from then on
 * (not on failure). 0 or GROUP_LOOKUP_E_*. */
int group_lookups_submit(group_lookups *gl, group_job *job, size_t max);
/* Calls fn with each finished job (on the caller's thread), then frees it. */
void group_lookups_collect(group_lookups *gl, void (*fn)(void *user, group_job *job), void *user);
/* The owner has gone: its jobs still finish but are dropped unseen (owner NULL). */
void group_lookups_disown(group_lookups *gl, const void *owner);

/* The group found under name in job, or NULL. */
const group_found *group_job_find(const group_job *job, const char *name);

#endif
