/* cli_entry_posix.c — parley-cli's entry point on POSIX: the arguments are already UTF-8. */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
