# ocne_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Defines the static library ocne_<name> with our settings and warnings.
function(ocne_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ocne_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(ocne_${name}
    PUBLIC ocne_settings ${ARG_PUBLIC_DEPS}
    PRIVATE ocne_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# ocne_test(<name> SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
# One GoogleTest executable; each TEST becomes a ctest entry at test time.
function(ocne_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ocne_warnings ocne_testsupport ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set(props TIMEOUT ${ARG_TIMEOUT} SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
endfunction()
