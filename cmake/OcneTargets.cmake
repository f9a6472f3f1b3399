# ocne_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Defines the static library ocne_<name> with our settings and warnings.
function(ocne_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ocne_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(ocne_${name}
    PUBLIC ocne_settings ${ARG_PUBLIC_DEPS}
    PRIVATE ocne_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# ocne_test_tier(<out var>)
# The test tier of the calling folder under tests/, which is also a ctest
# label: unit (tests/unit, tests/fuzz: no server, no binary; `ctest -L unit`
# is the quick tier), component (tests/component: a library against a test
# server; tests/servers: each server's own tests) or e2e (tests/e2e: the ocne binary). docs/CONTRIBUTING.md says
# where a new test goes.
function(ocne_test_tier out_var)
  file(RELATIVE_PATH rel "${CMAKE_SOURCE_DIR}/tests" "${CMAKE_CURRENT_SOURCE_DIR}")
  string(REGEX MATCH "^[^/]+" top "${rel}")
  if(top STREQUAL "unit" OR top STREQUAL "fuzz")
    set(${out_var} unit PARENT_SCOPE)
  elseif(top STREQUAL "component" OR top STREQUAL "servers")
    set(${out_var} component PARENT_SCOPE)
  elseif(top STREQUAL "e2e")
    set(${out_var} e2e PARENT_SCOPE)
  else()
    message(FATAL_ERROR "no test tier for ${CMAKE_CURRENT_SOURCE_DIR}: tests go under tests/unit, "
                        "tests/component, tests/e2e or beside their server in tests/servers")
  endif()
endfunction()

# ocne_test(<name> SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s]
#           [SHARED_TESTS <gtest pattern>...])
# One GoogleTest executable; each TEST becomes a ctest entry at test time,
# labelled with its tier (ocne_test_tier) besides LABELS.
# SHARED_TESTS names the tests that need ../shared (gtest patterns such as
# "Suite.*" "Other.Test", or "*" for all): they get the label `shared`, which
# scripts/test.sh runs a second time without ../shared to check that each one
# skips. Every entry carries OCNE_TEST_SHARED_LABEL=1|0, so a test that
# requires ../shared (OCNE_REQUIRE_SHARED) without the label fails.
function(ocne_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS;SHARED_TESTS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ocne_warnings ocne_testsupport ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  list(JOIN ARG_SHARED_TESTS ":" shared_filter)
  ocne_test_tier(tier)
  ocne_discover_gtests(${name} TIMEOUT ${ARG_TIMEOUT} LABELS ${tier} ${ARG_LABELS} SHARED_TESTS "${shared_filter}")
endfunction()

# ocne_discover_gtests(<target> TIMEOUT s [LABELS ...] [SHARED_TESTS gtest-filter])
# The ctest entries of a GoogleTest executable, split by SHARED_TESTS as
# ocne_test describes.
function(ocne_discover_gtests target)
  cmake_parse_arguments(ARG "" "TIMEOUT;SHARED_TESTS" "LABELS" ${ARGN})
  set(other_filter "")
  if(ARG_SHARED_TESTS)
    ocne_discover_part(${target} "${ARG_SHARED_TESTS}" ${ARG_TIMEOUT} "${ARG_LABELS};shared" 1)
    if(ARG_SHARED_TESTS STREQUAL "*")
      return()
    endif()
    set(other_filter "-${ARG_SHARED_TESTS}")
  endif()
  ocne_discover_part(${target} "${other_filter}" ${ARG_TIMEOUT} "${ARG_LABELS}" 0)
endfunction()

# The tests of target that filter selects, with labels and
# OCNE_TEST_SHARED_LABEL=<shared>. gtest_discover_tests (CMake 3.25) cannot
# give a test a list-valued property (LABELS "a;b" becomes two arguments), so
# a script run after its own, at ctest time, sets them on the tests it found.
function(ocne_discover_part target filter timeout labels shared)
  get_property(count TARGET ${target} PROPERTY OCNE_DISCOVERED_PARTS)
  if(NOT count)
    set(count 0)
  endif()
  math(EXPR count "${count} + 1")
  set_property(TARGET ${target} PROPERTY OCNE_DISCOVERED_PARTS ${count})
  set(list_var "${target}_PART${count}_TESTS")
  gtest_discover_tests(${target} DISCOVERY_MODE PRE_TEST TEST_LIST ${list_var} TEST_FILTER "${filter}"
                       PROPERTIES TIMEOUT ${timeout})
  list(FILTER labels EXCLUDE REGEX "^$")
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${target}_part${count}_properties.cmake")
  file(CONFIGURE OUTPUT "${script}" CONTENT "foreach(t IN LISTS ${list_var})
  set_tests_properties(\"\${t}\" PROPERTIES LABELS \"${labels}\" ENVIRONMENT OCNE_TEST_SHARED_LABEL=${shared})
endforeach()
" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()

# ocne_provider(<target>): a cloud's library (providers/<name>), linked by
# ocne_provider_registry (providers/registry) with every other one.
function(ocne_provider target)
  set_property(GLOBAL APPEND PROPERTY OCNE_PROVIDER_TARGETS ${target})
endfunction()
