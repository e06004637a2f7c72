# toolchain-mingw64.cmake — cross-build Windows x64 executables with Debian's MinGW-w64 and run
# them under Wine (see wine-run.sh.in) when CTest executes tests.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(PARLEY_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${PARLEY_MINGW_PREFIX}-gcc)
set(CMAKE_RC_COMPILER ${PARLEY_MINGW_PREFIX}-windres)
set(CMAKE_MC_COMPILER ${PARLEY_MINGW_PREFIX}-windmc)

set(CMAKE_FIND_ROOT_PATH /usr/${PARLEY_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Link the GCC runtime statically so the .exe files run with no MinGW DLLs beside them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")
