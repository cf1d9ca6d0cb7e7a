# The API reference: Doxygen over the public headers (include/), nothing else.
#
#   cmake --build <build> --target docs     ->  <build>/docs/html/index.html
#
# The target exists only in a top-level build and only when doxygen (1.9.1 or newer, for
# WARN_AS_ERROR = FAIL_ON_WARNINGS) is found; it is not part of `all`. It fails on any
# Doxygen warning and on a header without a @file comment (docs/build.cmake says why).
#
# POTTERY_DOCS_CHECK=ON also registers the ctest `docs`, which builds the reference the
# same way, and then requires doxygen.
option(POTTERY_DOCS_CHECK "Add a test that the API reference builds with no Doxygen warning" OFF)

if(NOT POTTERY_TOP_LEVEL)
  return()
endif()

find_package(Doxygen 1.9.1 QUIET)
if(NOT DOXYGEN_FOUND)
  if(POTTERY_DOCS_CHECK)
    message(FATAL_ERROR "POTTERY_DOCS_CHECK=ON needs doxygen 1.9.1 or newer: apt-get install doxygen")
  endif()
  message(STATUS "doxygen 1.9.1 or newer not found: no docs target (apt-get install doxygen)")
  return()
endif()

set(POTTERY_DOCS_OUTPUT_DIR "${PROJECT_BINARY_DIR}/docs")
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${POTTERY_DOCS_OUTPUT_DIR}/Doxyfile" @ONLY)
set(_pottery_docs_command
  "${CMAKE_COMMAND}" "-DDOXYGEN=$<TARGET_FILE:Doxygen::doxygen>"
  "-DDOXYFILE=${POTTERY_DOCS_OUTPUT_DIR}/Doxyfile" "-DOUTPUT_DIR=${POTTERY_DOCS_OUTPUT_DIR}"
  "-DHEADERS_DIR=${PROJECT_SOURCE_DIR}/include" -P "${PROJECT_SOURCE_DIR}/docs/build.cmake")

add_custom_target(docs
  COMMAND ${_pottery_docs_command}
  COMMENT "Building the API reference in ${POTTERY_DOCS_OUTPUT_DIR}/html"
  VERBATIM)

if(POTTERY_DOCS_CHECK AND POTTERY_BUILD_TESTS)
  add_test(NAME docs COMMAND ${_pottery_docs_command})
  set_tests_properties(docs PROPERTIES TIMEOUT 300 LABELS docs)
endif()
unset(_pottery_docs_command)
