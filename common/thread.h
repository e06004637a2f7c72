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

#endif
