# Run at build time (cmake -P) whenever ocne-version.txt changes: the
# package's changelog (usr/share/doc/ocne/changelog.gz, as Debian wants it
# for a native package). One entry for the version being built, naming its
# commit; the history itself is the git log. Dated with the commit (or
# SOURCE_DATE_EPOCH) and compressed with `gzip -9n`, so it is reproducible.
#
# In: SOURCE_DIR, VERSION_FILE, MAINTAINER, OUT (the .gz; the text is written
# beside it without the suffix).
file(READ "${VERSION_FILE}" version)
string(STRIP "${version}" version)

set(commit "unknown")
set(epoch "$ENV{SOURCE_DATE_EPOCH}")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" log -1 --format=%H%n%ct HEAD
                  OUTPUT_VARIABLE head RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0)
    string(REPLACE "\n" ";" head "${head}")
    list(GET head 0 commit)
    if(epoch STREQUAL "")
      list(GET head 1 epoch)
    endif()
  endif()
endif()
if(epoch STREQUAL "")
  set(epoch 0)
endif()
# RFC 5322 date, in English whatever the locale (string(TIMESTAMP) uses the C locale).
set(ENV{SOURCE_DATE_EPOCH} "${epoch}")
string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC)

set(text "ocne (${version}) unstable; urgency=medium

  * Built from commit ${commit}.
    The changes are in the project's git history (git log); this package
    keeps no hand-written list of them.

 -- ${MAINTAINER}  ${date}
")
get_filename_component(dir "${OUT}" DIRECTORY)
string(REGEX REPLACE "\\.gz$" "" plain "${OUT}")
file(MAKE_DIRECTORY "${dir}")
file(WRITE "${plain}" "${text}")
find_program(GZIP gzip REQUIRED)
execute_process(COMMAND "${GZIP}" -9n -c "${plain}" OUTPUT_FILE "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${plain} failed: ${rc}")
endif()
