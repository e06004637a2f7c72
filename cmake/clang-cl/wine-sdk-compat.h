/* wine-sdk-compat.h — the definitions that Wine 8's Windows headers (Debian libwine-dev) lack
 * and the Windows SDK has, force-included by the clang-cl preset only. Each one is the SDK's
 * value, with the SDK header that defines it; nothing here changes a declaration the SDK has. */
#ifndef PARLEY_WINE_SDK_COMPAT_H
#define PARLEY_WINE_SDK_COMPAT_H

/* winbase.h (SetFileCompletionNotificationModes flags). */
#ifndef FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#endif
#ifndef FILE_SKIP_SET_EVENT_ON_HANDLE
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
#endif

/* winnt.h (SECURITY_INFORMATION flag: the DACL does not inherit from the parent). */
#ifndef PROTECTED_DACL_SECURITY_INFORMATION
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000L
#endif

/* winsvc.h (SERVICE_SID_INFO.dwServiceSidType). */
#ifndef SERVICE_SID_TYPE_UNRESTRICTED
#define SERVICE_SID_TYPE_UNRESTRICTED 0x00000001
#endif

/* shellapi.h (NOTIFYICONDATA.dwInfoFlags: the balloon uses the large icon). */
#ifndef NIIF_LARGE_ICON
#define NIIF_LARGE_ICON 0x00000020
#endif

/* wingdi.h (BitBlt raster operation flag: include layered windows in the copy). */
#ifndef CAPTUREBLT
#define CAPTUREBLT (DWORD)0x40000000
#endif

/* bcrypt.h: an NTSTATUS that is not an error. */
#ifndef BCRYPT_SUCCESS
#define BCRYPT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#endif

/* bcrypt.h: initialises a BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO (expanded only where used,
 * after bcrypt.h has declared the structure and its version constant). */
#ifndef BCRYPT_INIT_AUTH_MODE_INFO
#define BCRYPT_INIT_AUTH_MODE_INFO(_AUTH_INFO_STRUCT_)                                   \
    do {                                                                                 \
        RtlZeroMemory(&(_AUTH_INFO_STRUCT_), sizeof(BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO)); \
        (_AUTH_INFO_STRUCT_).cbSize = sizeof(BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO);     \
        (_AUTH_INFO_STRUCT_).dwInfoVersion = BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO_VERSION; \
    } while (0)
#endif

#endif
