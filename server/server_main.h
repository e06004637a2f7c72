/* server_main.h — parley-server's portable program: arguments, start-up, run, shutdown. The
 * platform entry points (entry_posix.c, entry_win.c) call it with UTF-8 arguments. */
#ifndef PARLEY_SERVER_MAIN_H
#define PARLEY_SERVER_MAIN_H

int server_main(int argc, char **argv);

#endif
