/* absent_dll.c — a DLL that the start-failure test builds and then keeps out of the program's
 * reach, so that Wine cannot start the program that imports it. */
__declspec(dllexport) int absent_function(void);

__declspec(dllexport) int absent_function(void)
{
    return 0;
}
