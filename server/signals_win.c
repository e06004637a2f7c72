/* signals_win.c — Ctrl+C, Ctrl+Break, console close, logoff and shutdown ask the engine to stop. */
#include "signals.h"

#include <windows.h>

static net_engine *volatile stop_engine;

static BOOL WINAPI on_console_event(DWORD type)
{
    (void)type;
    if (stop_engine) {
        net_engine_stop(stop_engine);
        /* For CTRL_CLOSE_EVENT Windows ends the process when this returns; give the shutdown
         * its moment (the system allows about 5 s). */
        if (type == CTRL_CLOSE_EVENT)
            Sleep(3000);
        return TRUE;
    }
    return FALSE;
}

void signals_install(net_engine *e)
{
    stop_engine = e;
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

void signals_remove(void)
{
    stop_engine = NULL;
    SetConsoleCtrlHandler(on_console_event, FALSE);
}
