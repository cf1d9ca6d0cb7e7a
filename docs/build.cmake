# Builds the API reference and fails on anything Doxygen would let slip (cmake -P; run by
# the `docs` target and the `docs` test of cmake/PotteryDocs.cmake).
#   -DDOXYGEN=  -DDOXYFILE=  -DOUTPUT_DIR=  -DHEADERS_DIR=
#
# With EXTRACT_ALL = NO, Doxygen documents the functions, macros and typedefs of a header
# only when the header itself has a @file comment, and stays silent about those it leaves
# out. So a header without one would vanish from the reference without a warning: that is
# checked here first.
cmake_minimum_required(VERSION 3.16)
if(NOT DOXYGEN OR NOT DOXYFILE OR NOT OUTPUT_DIR OR NOT HEADERS_DIR)
  message(FATAL_ERROR "usage: cmake -DDOXYGEN= -DDOXYFILE= -DOUTPUT_DIR= -DHEADERS_DIR= -P docs/build.cmake")
endif()

file(GLOB_RECURSE headers RELATIVE "${HEADERS_DIR}" "${HEADERS_DIR}/*.h")
list(SORT headers)
set(missing)
foreach(h IN LISTS headers)
  file(READ "${HEADERS_DIR}/${h}" text)
  if(NOT text MATCHES "/\\*\\*[^*]([^*]|\\*+[^*/])*[@\\\\]file")
    list(APPEND missing "${h}")
  endif()
endforeach()
if(missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  message(FATAL_ERROR "public headers without a /** @file ... */ comment (Doxygen would leave "
                      "their declarations out of the reference without a warning):\n  ${missing}")
endif()

# A fresh tree, so that a header removed since the last build leaves no page behind.
file(REMOVE_RECURSE "${OUTPUT_DIR}/html")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}" WORKING_DIRECTORY "${OUTPUT_DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Doxygen reported the warnings above (each one fails the API reference)")
endif()
list(LENGTH headers n)
message(STATUS "API reference of ${n} headers, no warnings: ${OUTPUT_DIR}/html/index.html")
