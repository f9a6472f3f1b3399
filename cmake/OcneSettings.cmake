# Compiler, linker and launcher settings shared by every target we own.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 12)
  message(FATAL_ERROR "ocne needs g++ 12 or newer (found ${CMAKE_CXX_COMPILER_VERSION})")
endif()

# ccache as the launcher keeps rebuilds cheap on 2 cores.
find_program(OCNE_CCACHE ccache)
if(OCNE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER "${OCNE_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${OCNE_CCACHE}")
endif()

# lld or mold: GNU ld is the slowest step of an incremental build.
find_program(OCNE_MOLD mold)
find_program(OCNE_LLD ld.lld)
if(OCNE_MOLD)
  add_link_options(-fuse-ld=mold)
elseif(OCNE_LLD)
  add_link_options(-fuse-ld=lld)
endif()

if(OCNE_FUZZ)
  # Instrument every library for coverage so libFuzzer sees inside the parsers.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(OCNE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Warnings apply to our targets only (linked PRIVATE), never to third-party code.
add_library(ocne_warnings INTERFACE)
target_compile_options(ocne_warnings INTERFACE -Wall -Wextra -Wnon-virtual-dtor -Woverloaded-virtual
                       -Wextra-semi $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
# g++ 12 reports false -Wrestrict positives inside std::string at -O2 (GCC bug
# 105329) and false -Wmaybe-uninitialized ones inside std::function/std::regex
# when sanitizers are on; both are noise there, not findings.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(ocne_warnings INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
# Designated initializers leave the other members at their defaults on purpose.
target_compile_options(ocne_warnings INTERFACE -Wno-missing-field-initializers)
if(OCNE_WERROR)
  target_compile_options(ocne_warnings INTERFACE -Werror)
endif()

add_library(ocne_settings INTERFACE)
target_include_directories(ocne_settings INTERFACE "${CMAKE_SOURCE_DIR}")
target_compile_definitions(ocne_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  OCNE_VERSION="${PROJECT_VERSION}")
