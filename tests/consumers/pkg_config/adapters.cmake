# ctest driver (cmake -P): build adapter_main.c against each installed event-loop adapter
# with nothing but pkg-config and the C compiler, and run it:
#   cc -DCONSUMER_LIBEVENT $(pkg-config --cflags libpottery-libevent) adapter_main.c \
#      $(pkg-config --libs libpottery-libevent)
#   -DPREFIX=       install prefix (holds lib*/pkgconfig/libpottery-<adapter>.pc)
#   -DWORK_DIR=     scratch dir
#   -DCC=, -DPKG_CONFIG=
#   -DSHARED=ON|OFF   what the prefix holds; OFF uses `pkg-config --static`
#   -DADAPTERS=     the adapters, separated by ','
cmake_minimum_required(VERSION 3.16)
foreach(_var PREFIX WORK_DIR CC PKG_CONFIG SHARED ADAPTERS)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "pkg_config/adapters.cmake: -D${_var}= is required")
  endif()
endforeach()
string(REPLACE "," ";" ADAPTERS "${ADAPTERS}")

function(run outvar what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(${outvar} "${out}" PARENT_SCOPE)
endfunction()

file(GLOB pcdirs LIST_DIRECTORIES true "${PREFIX}/lib*/pkgconfig" "${PREFIX}/lib/*/pkgconfig")
list(LENGTH pcdirs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one pkgconfig dir under ${PREFIX}, found: ${pcdirs}")
endif()
set(ENV{PKG_CONFIG_PATH} "${pcdirs}")
get_filename_component(libdir "${pcdirs}" DIRECTORY)
if(SHARED)
  set(static)
  set(ENV{LD_LIBRARY_PATH} "${libdir}")
else()
  set(static --static)
endif()
get_filename_component(here "${CMAKE_CURRENT_LIST_FILE}" DIRECTORY)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

foreach(adapter IN LISTS ADAPTERS)
  set(module libpottery-${adapter})
  run(cflags "pkg-config --cflags" "${PKG_CONFIG}" ${static} --cflags ${module})
  run(libs "pkg-config --libs" "${PKG_CONFIG}" ${static} --libs ${module})
  message("${module}: cflags: ${cflags}\n${module}: libs:   ${libs}")
  if(NOT libs MATCHES "-lpottery_${adapter}( |$)" OR NOT libs MATCHES "-lpottery( |$)")
    message(FATAL_ERROR "pkg-config --libs ${module} lacks the adapter or libpottery: ${libs}")
  endif()
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  separate_arguments(libs UNIX_COMMAND "${libs}")
  string(TOUPPER "${adapter}" upper)
  set(exe "${WORK_DIR}/consumer_${adapter}")
  run(out "compiling and linking adapter_main.c" "${CC}" -std=c99 -Wall -Wextra -Wpedantic -Werror
      -DCONSUMER_${upper} ${cflags} "${here}/../adapter_main.c" ${libs} -o "${exe}")
  run(out "running the ${adapter} consumer" "${exe}")
  message("${out}")
endforeach()
