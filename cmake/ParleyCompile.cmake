# ParleyCompile.cmake — warning flags, sanitizers and platform defines shared by every Parley target.

# Applies Parley's compile options to a target.
function(parley_target_options target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /utf-8)
    if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
      # clang-cl's /W4 leaves out what MSVC's /W4 reports as C4244/C4267 (narrowing) and
      # C4245/C4389 (sign): ask for them by name.
      target_compile_options(${target} PRIVATE -Wconversion -Wsign-conversion)
    endif()
    if(PARLEY_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
    target_compile_definitions(${target} PRIVATE _CRT_SECURE_NO_WARNINGS WIN32_LEAN_AND_MEAN
                                                 UNICODE _UNICODE)
  else()
    # -Wconversion and -Wsign-conversion are GCC's and clang's nearest to MSVC's C4244/C4267.
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
                                             -Wmissing-prototypes -Wformat=2 -Wvla
                                             -Wconversion -Wsign-conversion)
    if(PARLEY_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
      # Every snprintf into a fixed buffer here truncates on purpose (texts are clipped to
      # protocol limits); GCC's guess at possible truncation is noise, not a finding.
      target_compile_options(${target} PRIVATE -Wno-format-truncation)
    endif()
    if(WIN32)
      # C99 printf formats (%zu, %lld) from MinGW's own stdio, and Unicode Win32 APIs.
      target_compile_definitions(${target} PRIVATE __USE_MINGW_ANSI_STDIO=1 WIN32_LEAN_AND_MEAN
                                                   UNICODE _UNICODE _WIN32_WINNT=0x0A00)
    endif()
  endif()
endfunction()

# A Windows program whose entry point is wmain or wWinMain (UTF-16 arguments): MinGW needs
# -municode; the clang-cl preset names the start-up routine (see toolchain-clang-cl.cmake);
# Visual Studio's linker finds it by itself.
function(parley_wide_entry target)
  if(MINGW)
    target_link_options(${target} PRIVATE -municode)
  elseif(PARLEY_WINE_CRT)
    target_link_options(${target} PRIVATE /entry:wmainCRTStartup)
  endif()
endfunction()

# Asserts stay on in every build type: NDEBUG is taken out of CMake's per-configuration defaults
# here, once, rather than undefined again on every command line (MSVC warns D9025 when /DNDEBUG
# and /UNDEBUG meet).
foreach(config RELEASE RELWITHDEBINFO MINSIZEREL)
  string(REGEX REPLACE "[-/]DNDEBUG" "" CMAKE_C_FLAGS_${config} "${CMAKE_C_FLAGS_${config}}")
endforeach()

# MSVC builds link the C runtime statically, so no shipped program needs the Visual C++
# redistributable (VCRUNTIME140.dll) on a clean Windows Server.
set(CMAKE_MSVC_RUNTIME_LIBRARY "MultiThreaded$<$<CONFIG:Debug>:Debug>")

if(PARLEY_SANITIZE AND NOT WIN32)
  add_compile_options(-fsanitize=${PARLEY_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${PARLEY_SANITIZE})
endif()
