/* group_lookup.c — Windows group lookups on threads of their own (group_lookup.h). */
#include "group_lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thread.h"

struct group_lookups {
    mutex_handle *lock;             /* guards the lists and count */
    group_job *running;             /* started, not finished */
    group_job *done;                /* finished, not collected */
    size_t count;                   /* running + done */
    void (*wake)(void *user);
    void *user;
};

group_lookups *group_lookups_new(void (*wake)(void *user), void *user)
{
    group_lookups *gl = calloc(1, sizeof *gl);
    if (!gl)
        return NULL;
    gl->lock = mutex_new();
    if (!gl->lock) {
        free(gl);
        return NULL;
    }
    gl->wake = wake;
    gl->user = user;
    return gl;
}

static void free_found(group_found *g)
{
    for (size_t i = 0; i < g->nmembers; i++)
        free(g->members[i]);
    free(g->members);
}

group_job *group_job_new(void *owner, uint32_t tag, uint32_t duration, const char *target,
                         const char *text, size_t text_len, group_lookup_fn lookup)
{
    group_job *job = calloc(1, sizeof *job);
    size_t n = strlen(target);
    if (!job)
        return NULL;
    job->target = malloc(n + 1);
    job->text = malloc(text_len + 1);
    if (!job->target || !job->text) {
        group_job_free(job);
        return NULL;
    }
    memcpy(job->target, target, n + 1);
    memcpy(job->text, text, text_len);
    job->text[text_len] = '\0';
    job->text_len = text_len;
    job->owner = owner;
    job->tag = tag;
    job->duration = duration;
    job->lookup = lookup;
    return job;
}

int group_job_add(group_job *job, const char *name)
{
    if (group_job_find(job, name))
        return 0;
    if (job->ngroups == GROUP_LOOKUP_GROUPS_MAX)
        return -1;
    memset(&job->groups[job->ngroups], 0, sizeof job->groups[0]);
    snprintf(job->groups[job->ngroups].name, sizeof job->groups[0].name, "%s", name);
    job->ngroups++;
    return 0;
}

const group_found *group_job_find(const group_job *job, const char *name)
{
    for (size_t i = 0; i < job->ngroups; i++)
        if (strcmp(job->groups[i].name, name) == 0)
            return &job->groups[i];
    return NULL;
}

void group_job_free(group_job *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->ngroups; i++)
        free_found(&job->groups[i]);
    free(job->target);
    free(job->text);
    free(job);
}

/* group_member_fn: one member into its group_found. */
static int keep_member(void *user, const char *principal)
{
    group_found *g = user;
    size_t n = strlen(principal);
    char *copy;
    if (g->nmembers == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        char **grown = realloc(g->members, cap * sizeof *grown);
        if (!grown)
            goto fail;
        g->members = grown;
        g->cap = cap;
    }
    copy = malloc(n + 1);
    if (!copy)
        goto fail;
    memcpy(copy, principal, n + 1);
    g->members[g->nmembers++] = copy;
    return 0;
fail:
    g->failed = 1;
    snprintf(g->err, sizeof g->err, "the server is out of memory");
    return 1;
}

/* Unlinks job from the list at *head; 1 if it was there. */
static int unlink_job(group_job **head, group_job *job)
{
    for (group_job **p = head; *p; p = &(*p)->next)
        if (*p == job) {
            *p = job->next;
            job->next = NULL;
            return 1;
        }
    return 0;
}

/* A lookup's thread: every group of the job in turn, then the job is handed back. */
static void run_job(void *arg)
{
    group_job *job = arg;
    group_lookups *gl = job->gl;

    for (size_t i = 0; i < job->ngroups; i++) {
        group_found *g = &job->groups[i];
        if (job->lookup(g->name, keep_member, g, &g->groups_skipped, g->err, sizeof g->err) != 0)
            g->failed = 1;
    }
    mutex_lock(gl->lock);
    (void)unlink_job(&gl->running, job);
    job->next = gl->done;
    gl->done = job;
    mutex_unlock(gl->lock);
    gl->wake(gl->user);
}

int group_lookups_submit(group_lookups *gl, group_job *job, size_t max)
{
    mutex_lock(gl->lock);
    if (gl->count >= max) {
        mutex_unlock(gl->lock);
        return GROUP_LOOKUP_E_BUSY;
    }
    job->gl = gl;
    job->next = gl->running;
    gl->running = job;
    gl->count++;
    /* Started under the lock, so that the thread finds its job listed when it finishes. */
    job->thread = thread_start(run_job, job);
    if (!job->thread) {
        (void)unlink_job(&gl->running, job);
        gl->count--;
        mutex_unlock(gl->lock);
        return GROUP_LOOKUP_E_START;
    }
    mutex_unlock(gl->lock);
    return 0;
}

void group_lookups_collect(group_lookups *gl, void (*fn)(void *user, group_job *job), void *user)
{
    group_job *job;

    for (;;) {
        mutex_lock(gl->lock);
        job = gl->done;
        if (job) {
            gl->done = job->next;
            gl->count--;
        }
        mutex_unlock(gl->lock);
        if (!job)
            return;
        if (job->thread)
            thread_join(job->thread); /* it has only the wake left to do */
        if (fn)
            fn(user, job);
        group_job_free(job);
    }
}

void group_lookups_disown(group_lookups *gl, const void *owner)
{
    group_job *job;
    mutex_lock(gl->lock);
    for (job = gl->running; job; job = job->next)
        if (job->owner == owner)
            job->owner = NULL;
    for (job = gl->done; job; job = job->next)
        if (job->owner == owner)
            job->owner = NULL;
    mutex_unlock(gl->lock);
}

void group_lookups_free(group_lookups *gl)
{
    group_job *job;
    if (!gl)
        return;
    for (;;) {
        mutex_lock(gl->lock);
        job = gl->running;
        mutex_unlock(gl->lock);
        if (!job)
            break;
        thread_join(job->thread); /* then it is on the done list */
        mutex_lock(gl->lock);
        job->thread = NULL;
        mutex_unlock(gl->lock);
        /* A joined job is collected below without a second join. */
    }
    group_lookups_collect(gl, NULL, NULL);
    mutex_free(gl->lock);
    free(gl);
}
