# rules-override.cmake — for the clang-cl preset: resources go straight to rc.sh with rc.exe's
# command line. CMake would otherwise preprocess them with clang-cl for llvm-rc, whatever
# resource compiler the toolchain names.
set(CMAKE_RC_COMPILE_OBJECT "<CMAKE_RC_COMPILER> <DEFINES> <INCLUDES> <FLAGS> /fo <OBJECT> <SOURCE>")
# windres writes no dependency file.
unset(CMAKE_DEPFILE_FLAGS_RC)
unset(CMAKE_NINJA_DEP_TYPE_RC)
