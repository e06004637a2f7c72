/* thread_win.c — threads, mutexes and sleeping on Windows via _beginthreadex, SRWLOCK and Sleep. */
#include <windows.h>
#include <process.h>

#include "thread.h"

#include <stdlib.h>

struct thread_handle {
    HANDLE h;
    void (*fn)(void *arg);
    void *arg;
};

/* SRW locks are small, need no cleanup and are faster than critical sections for the short
 * sections Parley guards; exclusive mode is all that is needed. */
struct mutex_handle {
    SRWLOCK lock;
};

/* _beginthreadex (not CreateThread) so the C runtime's per-thread state is set up properly. */
static unsigned __stdcall thread_main(void *p)
{
    thread_handle *t = p;

    t->fn(t->arg);
    return 0;
}

thread_handle *thread_start(void (*fn)(void *arg), void *arg)
{
    thread_handle *t = calloc(1, sizeof *t);
    uintptr_t h;

    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    h = _beginthreadex(NULL, 0, thread_main, t, 0, NULL);
    if (h == 0) {
        free(t);
        return NULL;
    }
    t->h = (HANDLE)h;
    return t;
}

void thread_join(thread_handle *t)
{
    if (!t)
        return;
    WaitForSingleObject(t->h, INFINITE);
    CloseHandle(t->h);
    free(t);
}

mutex_handle *mutex_new(void)
{
    mutex_handle *m = calloc(1, sizeof *m);

    if (!m)
        return NULL;
    InitializeSRWLock(&m->lock);
    return m;
}

void mutex_free(mutex_handle *m)
{
    free(m);
}

void mutex_lock(mutex_handle *m)
{
    AcquireSRWLockExclusive(&m->lock);
}

void mutex_unlock(mutex_handle *m)
{
    ReleaseSRWLockExclusive(&m->lock);
}

void sleep_ms(unsigned ms)
{
    Sleep((DWORD)ms);
}

void thread_lower_priority(void)
{
    (void)SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
}

struct cond_handle {
    CONDITION_VARIABLE c;
};

cond_handle *cond_new(void)
{
    cond_handle *c = malloc(sizeof *c);
    if (c)
        InitializeConditionVariable(&c->c);
    return c;
}

void cond_free(cond_handle *c)
{
    free(c); /* condition variables need no cleanup */
}

void cond_wait_ms(cond_handle *c, mutex_handle *m, unsigned timeout_ms)
{
    SleepConditionVariableSRW(&c->c, &m->lock, timeout_ms == COND_FOREVER ? INFINITE : timeout_ms,
                              0);
}

void cond_broadcast(cond_handle *c)
{
    WakeAllConditionVariable(&c->c);
}

