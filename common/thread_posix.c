/* thread_posix.c — threads, mutexes and sleeping on POSIX systems via pthreads and nanosleep. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* syscall(), for a thread's own nice value */

#include "thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

struct thread_handle {
    pthread_t id;
    void (*fn)(void *arg);
    void *arg;
};

struct mutex_handle {
    pthread_mutex_t m;
};

/* pthreads wants void *(*)(void *); the trampoline adapts Parley's simpler signature. */
static void *thread_main(void *p)
{
    thread_handle *t = p;

    t->fn(t->arg);
    return NULL;
}

thread_handle *thread_start(void (*fn)(void *arg), void *arg)
{
    thread_handle *t = calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void thread_join(thread_handle *t)
{
    if (!t)
        return;
    pthread_join(t->id, NULL);
    free(t);
}

mutex_handle *mutex_new(void)
{
    mutex_handle *m = calloc(1, sizeof *m);

    if (!m)
        return NULL;
    if (pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void mutex_free(mutex_handle *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void mutex_lock(mutex_handle *m)
{
    pthread_mutex_lock(&m->m);
}

void mutex_unlock(mutex_handle *m)
{
    pthread_mutex_unlock(&m->m);
}

void sleep_ms(unsigned ms)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    /* A signal cuts nanosleep short; keep sleeping for what is left so callers get the full wait. */
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

struct cond_handle {
    pthread_cond_t c;
};

cond_handle *cond_new(void)
{
    pthread_condattr_t attr;
    cond_handle *c = malloc(sizeof *c);

    if (!c)
        return NULL;
    /* Timeouts on the monotonic clock: a wall-clock change must not stretch a wait. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&c->c, &attr) != 0) {
        pthread_condattr_destroy(&attr);
        free(c);
        return NULL;
    }
    pthread_condattr_destroy(&attr);
    return c;
}

void cond_free(cond_handle *c)
{
    if (!c)
        return;
    pthread_cond_destroy(&c->c);
    free(c);
}

void cond_wait_ms(cond_handle *c, mutex_handle *m, unsigned timeout_ms)
{
    struct timespec ts;

    if (timeout_ms == COND_FOREVER) {
        pthread_cond_wait(&c->c, &m->m);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000u);
    ts.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&c->c, &m->m, &ts);
}

void cond_broadcast(cond_handle *c)
{
    pthread_cond_broadcast(&c->c);
}


void thread_lower_priority(void)
{
#ifdef __linux__
    /* On Linux each thread has its own nice value: 10 is "background", still scheduled
     * under load, but after the threads at the default 0. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
}
