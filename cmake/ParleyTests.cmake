# ParleyTests.cmake — builds a test executable from TEST() sources and registers each TEST()
# with CTest; on a cross build every test runs under Wine after the prefix fixture.

if(CMAKE_CROSSCOMPILING AND WIN32)
  set(PARLEY_WINEPREFIX "${CMAKE_BINARY_DIR}/wineprefix")
  configure_file(${CMAKE_CURRENT_LIST_DIR}/wine-run.sh.in ${CMAKE_BINARY_DIR}/wine-run @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                  WORLD_READ WORLD_EXECUTE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_BINARY_DIR}/wine-run CACHE FILEPATH
      "Runs Windows executables under Wine" FORCE)
  set(PARLEY_UNDER_WINE ON)
  # Paths handed to Windows programs: Wine maps the Unix root to drive Z:.
  set(PARLEY_HOST_PATH_PREFIX "Z:")
else()
  set(PARLEY_UNDER_WINE OFF)
  set(PARLEY_HOST_PATH_PREFIX "")
endif()

# One-time test fixtures: the Wine prefix and a persistent wineserver.
function(parley_test_fixtures)
  if(PARLEY_UNDER_WINE)
    add_test(NAME wine_setup COMMAND ${CMAKE_BINARY_DIR}/wine-run --setup)
    set_tests_properties(wine_setup PROPERTIES FIXTURES_SETUP wine TIMEOUT 300)
    add_test(NAME wine_teardown COMMAND ${CMAKE_BINARY_DIR}/wine-run --teardown)
    set_tests_properties(wine_teardown PROPERTIES FIXTURES_CLEANUP wine)
  endif()
endfunction()

# parley_add_test_exe(NAME SOURCES src... LIBS lib... [TIMEOUT s] [LABELS l...])
# Every `TEST(name)` line in SOURCES becomes the CTest test NAME.name.
function(parley_add_test_exe name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_tests/test_list.h)
  set(content "")
  set(names "")
  foreach(src IN LISTS T_SOURCES)
    set(src_path ${src})
    if(NOT IS_ABSOLUTE ${src})
      set(src_path ${CMAKE_CURRENT_SOURCE_DIR}/${src})
    endif()
    file(STRINGS ${src_path} lines REGEX "^TEST\\([A-Za-z0-9_]+\\)")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^TEST\\(([A-Za-z0-9_]+)\\).*" "\\1" tname "${line}")
      string(APPEND content "X(${tname})\n")
      list(APPEND names ${tname})
    endforeach()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src_path})
  endforeach()
  file(CONFIGURE OUTPUT ${list_file} CONTENT "${content}")

  add_executable(${name} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/harness/runner.c)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/harness
                                             ${CMAKE_CURRENT_BINARY_DIR}/${name}_tests)
  target_compile_definitions(${name} PRIVATE
    PARLEY_TEST_DATA_DEFAULT="${PARLEY_HOST_PATH_PREFIX}${PROJECT_SOURCE_DIR}/tests")
  target_link_libraries(${name} PRIVATE ${T_LIBS} parley_common) # the runner's test_hex
  parley_target_options(${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  foreach(tname IN LISTS names)
    add_test(NAME ${name}.${tname} COMMAND ${name} ${tname})
    set_tests_properties(${name}.${tname} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
    if(PARLEY_UNDER_WINE)
      set_tests_properties(${name}.${tname} PROPERTIES FIXTURES_REQUIRED wine)
    endif()
  endforeach()
endfunction()
