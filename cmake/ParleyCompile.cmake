# ParleyCompile.cmake — warning flags, sanitizers and platform defines shared by every Parley target.

# Applies Parley's compile options to a target.
function(parley_target_options target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /utf-8)
    if(PARLEY_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
    target_compile_definitions(${target} PRIVATE _CRT_SECURE_NO_WARNINGS WIN32_LEAN_AND_MEAN
                                                 UNICODE _UNICODE)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
                                             -Wmissing-prototypes -Wformat=2 -Wvla)
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
  # Asserts stay on in every build type.
  target_compile_options(${target} PRIVATE $<$<C_COMPILER_ID:MSVC>:/UNDEBUG>)
  if(NOT MSVC)
    target_compile_options(${target} PRIVATE -UNDEBUG)
  endif()
endfunction()

if(PARLEY_SANITIZE AND NOT WIN32)
  add_compile_options(-fsanitize=${PARLEY_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${PARLEY_SANITIZE})
endif()
