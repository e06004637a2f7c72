# toolchain-clang-cl.cmake — Windows x64 in MSVC language mode on Linux: clang-cl (the MSVC
# command line, _MSC_VER defined) with the Windows SDK and C runtime headers of Debian's
# libwine-dev, lld-link and Wine's import libraries; resources by binutils' windres. Programs
# run under Wine.
# What this proves and what only a real Visual Studio build can show: README, "Build presets".
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(CMAKE_C_COMPILER clang-cl-14)
set(CMAKE_C_COMPILER_TARGET x86_64-pc-windows-msvc)
set(CMAKE_LINKER lld-link)
set(CMAKE_AR llvm-lib-14)
# Resources: binutils' windres behind rc.exe's command line (the script is named rc.sh
# because CMake picks the command-line style from the name).
set(CMAKE_RC_COMPILER ${CMAKE_CURRENT_LIST_DIR}/clang-cl/rc.sh)
set(CMAKE_USER_MAKE_RULES_OVERRIDE ${CMAKE_CURRENT_LIST_DIR}/clang-cl/rules-override.cmake)
set(CMAKE_MT llvm-mt-14)
# The Windows SDK's mc.exe is not in Debian; binutils' windmc reads the same .mc files.
set(CMAKE_MC_COMPILER x86_64-w64-mingw32-windmc)

set(PARLEY_WINE_INCLUDE /usr/include/wine/wine CACHE PATH "Wine's Windows headers (libwine-dev)")
set(PARLEY_WINE_LIBDIR /usr/lib/x86_64-linux-gnu/wine/x86_64-windows
    CACHE PATH "Wine's PE import libraries (libwine-dev)")

# Wine's headers stand in for the SDK's as system headers; the compat header adds the few
# definitions they lack (each one names the SDK header it comes from).
string(APPEND CMAKE_C_FLAGS_INIT
       " -imsvc ${PARLEY_WINE_INCLUDE}/msvcrt -imsvc ${PARLEY_WINE_INCLUDE}/windows"
       " /FI${CMAKE_CURRENT_LIST_DIR}/clang-cl/wine-sdk-compat.h")

# Link against Wine's PE import libraries. lld-link looks for "kernel32.lib" where Wine ships
# "libkernel32.a" (the same import-library format), so the build tree gets links by MSVC names.
# No MSVC runtime library is linked: programs import the Universal CRT (ucrtbase.dll, part of
# Windows since Windows 10), and the process start-up code (mainCRTStartup, wmainCRTStartup)
# comes from the static objects in Wine's ucrtbase import library.
set(PARLEY_WINE_CRT ON)
set(_parley_implibs "${CMAKE_BINARY_DIR}/wine-import-libs")
if(NOT EXISTS "${_parley_implibs}/kernel32.lib")
  file(MAKE_DIRECTORY "${_parley_implibs}")
  file(GLOB _parley_wine_libs "${PARLEY_WINE_LIBDIR}/lib*.a")
  foreach(_lib IN LISTS _parley_wine_libs)
    get_filename_component(_name "${_lib}" NAME_WE)
    string(REGEX REPLACE "^lib" "" _name "${_name}")
    file(CREATE_LINK "${_lib}" "${_parley_implibs}/${_name}.lib" SYMBOLIC)
  endforeach()
endif()
# The entry point is named because Wine's library offers several start-up objects and lld-link
# would guess; programs with wmain or wWinMain switch to wmainCRTStartup (parley_wide_entry).
string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT
       " /libpath:${_parley_implibs} /nodefaultlib /entry:mainCRTStartup")
# DLLs (only a test builds one) start in winecrt0's DllMainCRTStartup.
string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT
       " /libpath:${_parley_implibs} /nodefaultlib /entry:DllMainCRTStartup")
# winecrt0 defines _fltused, which the compiler references wherever floating point is used.
set(CMAKE_C_STANDARD_LIBRARIES "ucrtbase.lib winecrt0.lib kernel32.lib user32.lib advapi32.lib"
    CACHE STRING "Libraries every program links")
# Stack cookies (/GS) need __security_cookie from MSVC's static runtime, which Debian lacks.
string(APPEND CMAKE_C_FLAGS_INIT " /GS-")
# The compiler check cannot link a program without the entry point chosen above.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
