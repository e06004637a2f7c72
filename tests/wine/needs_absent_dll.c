/* needs_absent_dll.c — a program that imports absent_dll.c's function; run without that DLL it
 * never reaches main, as when Wine fails to start a test program. */
__declspec(dllimport) int absent_function(void);

int main(void)
{
    return absent_function();
}
