# ctest driver (cmake -P): configure a consumer project afresh, build it, run its programs.
#   -DSOURCE=, -DBINARY=, -DGENERATOR=, -DMAKE_PROGRAM=, -DC_COMPILER=, -DCXX_COMPILER=
#   -DARGS=      extra configure arguments, separated by '|'
#   -DRUN=       programs (in BINARY) to run, separated by '|'; each must exit 0
#   -DNO_TESTS=ON   also check that the consumer's build registered no ctest tests
cmake_minimum_required(VERSION 3.16)
foreach(_var SOURCE BINARY GENERATOR C_COMPILER RUN)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "build_and_run.cmake: -D${_var}= is required")
  endif()
endforeach()
string(REPLACE "|" ";" ARGS "${ARGS}")
string(REPLACE "|" ";" RUN "${RUN}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${ARGN}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${BINARY}")
set(config_args -G "${GENERATOR}" "-DCMAKE_C_COMPILER=${C_COMPILER}" -DCMAKE_BUILD_TYPE=Debug)
if(CXX_COMPILER)
  list(APPEND config_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(MAKE_PROGRAM)
  list(APPEND config_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run("configure" "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" ${config_args} ${ARGS})
run("build" "${CMAKE_COMMAND}" --build "${BINARY}" --parallel 2)

foreach(prog IN LISTS RUN)
  run("running ${prog}" "${BINARY}/${prog}")
endforeach()

if(NO_TESTS)
  get_filename_component(ctest "${CMAKE_COMMAND}" DIRECTORY)
  set(ctest "${ctest}/ctest")
  execute_process(COMMAND "${ctest}" -N WORKING_DIRECTORY "${BINARY}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Total Tests: 0")
    message(FATAL_ERROR "the consumer's build has tests it did not define:\n${out}")
  endif()
  # Nor install rules: installing the consumer must install nothing of libpottery.
  set(stage "${BINARY}/install-check")
  run("install" "${CMAKE_COMMAND}" --install "${BINARY}" --prefix "${stage}")
  file(GLOB_RECURSE staged LIST_DIRECTORIES false "${stage}/*")
  if(staged)
    message(FATAL_ERROR "installing the consumer installed libpottery files: ${staged}")
  endif()
endif()
