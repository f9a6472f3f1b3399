# Run by the ocne_docs target (cmake -P) after ocne-docgen: every man page of
# MAN_DIR gzip-compressed into OUT_DIR, as Debian installs them. `gzip -9n`
# stores no file name or time, so the same page always gives the same bytes.
#
# In: MAN_DIR, OUT_DIR.
find_program(GZIP gzip REQUIRED)
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")
file(GLOB pages "${MAN_DIR}/*.1")
foreach(page IN LISTS pages)
  get_filename_component(name "${page}" NAME)
  execute_process(COMMAND "${GZIP}" -9n -c "${page}" OUTPUT_FILE "${OUT_DIR}/${name}.gz" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${page} failed: ${rc}")
  endif()
endforeach()
