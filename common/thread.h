/* thread.h — threads, mutexes and sleeping for the few places that need them (I/O engines,
 * tests that run a server in-process, the GUI's network thread). Implemented per platform. */
#ifndef PARLEY_THREAD_H
#define PARLEY_THREAD_H

typedef struct thread_handle thread_handle;
typedef struct mutex_handle mutex_handle;

/* Starts fn(arg) on a new thread. Returns NULL on failure. */
thread_handle *thread_start(void (*fn)(void *arg), void *arg);
/* Waits for the thread to end and frees the handle. */
void thread_join(thread_handle *t);

mutex_handle *mutex_new(void);
void mutex_free(mutex_handle *m);
void mutex_lock(mutex_handle *m);
void mutex_unlock(mutex_handle *m);

void sleep_ms(unsigned ms);

/* Lowers the calling thread's scheduling priority a little (background work such as search,
 * which must yield to the thread that serves chat when they share a CPU). Best effort. */
void thread_lower_priority(void);

/* Condition variables, used with a mutex_handle the caller holds. */
typedef struct cond_handle cond_handle;
#define COND_FOREVER 0xFFFFFFFFu
cond_handle *cond_new(void);
void cond_free(cond_handle *c);
/* Releases m, waits for a signal or timeout_ms (COND_FOREVER: no timeout), re-takes m. May
 * also return early without either: callers re-check their condition. */
void cond_wait_ms(cond_handle *c, mutex_handle *m, unsigned timeout_ms);
/* Wakes every waiter. */
void cond_broadcast(cond_handle *c);

#endif
