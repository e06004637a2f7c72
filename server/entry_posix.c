/* entry_posix.c — parley-server's main() on Linux: arguments are already UTF-8. */
#include "server_main.h"

int main(int argc, char **argv)
{
    return server_main(argc, argv);
}
