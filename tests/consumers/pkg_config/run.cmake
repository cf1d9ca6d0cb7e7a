# ctest driver (cmake -P): build consumer_main.c against an installed libpottery with nothing but
# pkg-config and the C compiler, the way a Makefile would:
#   cc $(pkg-config --cflags libpottery) main.c $(pkg-config --libs libpottery)
# and run it.
#   -DPREFIX=       install prefix (holds lib*/pkgconfig/libpottery.pc)
#   -DWORK_DIR=     scratch dir
#   -DCC=, -DPKG_CONFIG=, -DREADELF=
#   -DSHARED=ON|OFF   what the prefix holds; OFF uses `pkg-config --static`
#   -DEXPECT_VERSION=
#   -DEXPECT_SONAME=  with SHARED=ON: the name the consumer must record as NEEDED
cmake_minimum_required(VERSION 3.16)
foreach(_var PREFIX WORK_DIR CC PKG_CONFIG READELF SHARED EXPECT_VERSION EXPECT_SONAME)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "pkg_config/run.cmake: -D${_var}= is required")
  endif()
endforeach()

function(run outvar what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  if(err)
    message("${err}")
  endif()
  set(${outvar} "${out}" PARENT_SCOPE)
endfunction()

file(GLOB pcfiles "${PREFIX}/lib*/pkgconfig/libpottery.pc" "${PREFIX}/lib/*/pkgconfig/libpottery.pc")
list(LENGTH pcfiles n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one libpottery.pc under ${PREFIX}, found: ${pcfiles}")
endif()
get_filename_component(pcdir "${pcfiles}" DIRECTORY)
file(READ "${pcfiles}" pc)
message("${pcfiles}:\n${pc}")
set(ENV{PKG_CONFIG_PATH} "${pcdir}")

set(static)
if(NOT SHARED)
  set(static --static)
endif()
run(version "pkg-config --modversion" "${PKG_CONFIG}" --modversion libpottery)
if(NOT version STREQUAL EXPECT_VERSION)
  message(FATAL_ERROR "pkg-config says libpottery ${version}, expected ${EXPECT_VERSION}")
endif()
run(cflags "pkg-config --cflags" "${PKG_CONFIG}" ${static} --cflags libpottery)
run(libs "pkg-config --libs" "${PKG_CONFIG}" ${static} --libs libpottery)
message("cflags: ${cflags}\nlibs:   ${libs}")
if(SHARED AND NOT cflags MATCHES "(^| )-DPOTTERY_SHARED( |$)")
  message(FATAL_ERROR "shared libpottery.pc lacks -DPOTTERY_SHARED in Cflags")
elseif(NOT SHARED AND cflags MATCHES "POTTERY_SHARED")
  message(FATAL_ERROR "static libpottery.pc has -DPOTTERY_SHARED in Cflags")
endif()
if(NOT SHARED AND NOT libs MATCHES "-lhiredis")
  message(FATAL_ERROR "pkg-config --static --libs libpottery does not pull in hiredis")
endif()

# The file must be relocatable: libdir and includedir follow ${prefix}.
run(moved "pkg-config --define-variable" "${PKG_CONFIG}"
    --define-variable=prefix=/moved/prefix --variable=libdir libpottery)
get_filename_component(libdir "${pcdir}" DIRECTORY)
file(RELATIVE_PATH rel_libdir "${PREFIX}" "${libdir}")
if(NOT moved STREQUAL "/moved/prefix/${rel_libdir}")
  message(FATAL_ERROR "libdir does not follow \${prefix}: got ${moved}")
endif()

separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(exe "${WORK_DIR}/consumer")
get_filename_component(here "${CMAKE_CURRENT_LIST_FILE}" DIRECTORY)
run(out "compiling and linking main.c" "${CC}" -std=c99 -Wall -Wextra -Wpedantic -Werror
    ${cflags} "${here}/../consumer_main.c" ${libs} -o "${exe}")

# Linked the way the prefix says: shared -> needs the library by its SONAME, static -> does not.
run(dyn "readelf -d" "${READELF}" -d "${exe}")
string(REPLACE "." "\\." soname_re "${EXPECT_SONAME}")
if(SHARED AND NOT dyn MATCHES "NEEDED[^\n]*\\[${soname_re}\\]")
  message(FATAL_ERROR "the consumer does not need ${EXPECT_SONAME}:\n${dyn}")
elseif(NOT SHARED AND dyn MATCHES "libpottery")
  message(FATAL_ERROR "the static consumer needs a shared libpottery:\n${dyn}")
endif()

if(SHARED)
  set(ENV{LD_LIBRARY_PATH} "${libdir}")
endif()
run(out "running the consumer" "${exe}")
message("${out}")
