/* signals_win.c — Ctrl+C, Ctrl+Break, console close, logoff and shutdown ask the engine to stop. */
#include "signals.h"

#include <windows.h>

/* The console handler runs on a thread of its own. The lock makes "read the engine and call
 * net_engine_stop" one step that signals_remove waits out, so the handler can never call into
 * an engine that has been destroyed meanwhile. */
static SRWLOCK stop_lock = SRWLOCK_INIT;
static net_engine *stop_engine;

void (*signals_test_before_stop)(void);

static BOOL WINAPI on_console_event(DWORD type)
{
    net_engine *e;

    AcquireSRWLockShared(&stop_lock);
    e = stop_engine;
    if (e) {
        if (signals_test_before_stop)
            signals_test_before_stop();
        net_engine_stop(e);
    }
    ReleaseSRWLockShared(&stop_lock);
    if (!e)
        return FALSE;
    /* For CTRL_CLOSE_EVENT Windows ends the process when this returns; give the shutdown its
     * moment (the system allows about 5 s). Outside the lock: signals_remove must not wait. */
    if (type == CTRL_CLOSE_EVENT)
        Sleep(3000);
    return TRUE;
}

void signals_install(net_engine *e)
{
    AcquireSRWLockExclusive(&stop_lock);
    stop_engine = e;
    ReleaseSRWLockExclusive(&stop_lock);
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

void signals_remove(void)
{
    SetConsoleCtrlHandler(on_console_event, FALSE);
    /* Waits for a handler that is inside net_engine_stop right now. */
    AcquireSRWLockExclusive(&stop_lock);
    stop_engine = NULL;
    ReleaseSRWLockExclusive(&stop_lock);
}

void signals_test_deliver(void)
{
    on_console_event(CTRL_C_EVENT);
}
