# ctest fixture (cmake -P): configure a separate build of libpottery, build it and install it
# into a scratch prefix, then check the installed tree.
#   -DSOURCE_DIR=  libpottery source tree
#   -DWORK_DIR=    scratch dir: WORK_DIR/build (kept between runs), WORK_DIR/prefix (fresh)
#   -DSHARED=ON|OFF, -DGENERATOR=, -DMAKE_PROGRAM=, -DC_COMPILER=, -DBUILD_TYPE=
#   -DEXPECT_SONAME=  (SHARED=ON) the shared library's SONAME, e.g. libpottery.so.0.2
#   -DADAPTERS=    event-loop adapters that must be built and installed, separated by ','
#                  (libevent,libuv); the others are not built
cmake_minimum_required(VERSION 3.16)
foreach(_var SOURCE_DIR WORK_DIR SHARED GENERATOR C_COMPILER)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "install.cmake: -D${_var}= is required")
  endif()
endforeach()
if(SHARED AND NOT EXPECT_SONAME)
  message(FATAL_ERROR "install.cmake: -DEXPECT_SONAME= is required with SHARED=ON")
endif()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()

set(build "${WORK_DIR}/build")
set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${prefix}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${ARGN}")
  endif()
endfunction()

set(config_args
  -G "${GENERATOR}"
  "-DCMAKE_C_COMPILER=${C_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DBUILD_SHARED_LIBS=${SHARED}"
  -DPOTTERY_BUILD_TESTS=OFF -DPOTTERY_BUILD_EXAMPLES=OFF -DPOTTERY_BUILD_BENCH=OFF
  -DPOTTERY_INSTALL=ON -DPOTTERY_SANITIZE=OFF)
string(REPLACE "," ";" ADAPTERS "${ADAPTERS}")
foreach(adapter libevent libuv)
  string(TOUPPER "${adapter}" upper)
  if(adapter IN_LIST ADAPTERS)
    list(APPEND config_args -DPOTTERY_${upper}=ON)
  else()
    list(APPEND config_args -DPOTTERY_${upper}=OFF)
  endif()
endforeach()
if(MAKE_PROGRAM)
  list(APPEND config_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
# The prefix is given only at install time: the installed files (libpottery.pc included)
# must follow `cmake --install --prefix`, not the configured CMAKE_INSTALL_PREFIX.
run("configure" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${build}" ${config_args})
run("build" "${CMAKE_COMMAND}" --build "${build}" --parallel 2)
run("install" "${CMAKE_COMMAND}" --install "${build}" --prefix "${prefix}")

# --- the installed tree ---------------------------------------------------------------------
file(GLOB_RECURSE installed RELATIVE "${prefix}" LIST_DIRECTORIES false "${prefix}/*")
file(GLOB libdirs LIST_DIRECTORIES true "${prefix}/lib*")
list(LENGTH libdirs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one lib* dir in ${prefix}, found: ${libdirs}")
endif()
file(RELATIVE_PATH libdir "${prefix}" "${libdirs}")

set(expected
  include/pottery.h
  ${libdir}/cmake/pottery/potteryConfig.cmake
  ${libdir}/cmake/pottery/potteryConfigVersion.cmake
  ${libdir}/cmake/pottery/potteryTargets.cmake
  ${libdir}/cmake/pottery/FindPotteryHiredis.cmake
  ${libdir}/pkgconfig/libpottery.pc)
file(GLOB headers RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/include/pottery/*.h")
list(APPEND expected ${headers})
foreach(adapter IN LISTS ADAPTERS)
  string(SUBSTRING "${adapter}" 0 1 first)
  string(SUBSTRING "${adapter}" 1 -1 rest)
  string(TOUPPER "${first}" first)
  list(APPEND expected
    include/pottery/adapters/${adapter}.h
    ${libdir}/cmake/pottery/pottery${first}${rest}Targets.cmake
    ${libdir}/cmake/pottery/FindPottery${first}${rest}.cmake
    ${libdir}/pkgconfig/libpottery-${adapter}.pc)
  if(SHARED)
    list(APPEND expected ${libdir}/libpottery_${adapter}.so)
  else()
    list(APPEND expected ${libdir}/libpottery_${adapter}.a)
  endif()
endforeach()
file(STRINGS "${SOURCE_DIR}/include/pottery/version.h" vline
     REGEX "^#define POTTERY_VERSION_STRING \"[0-9.]+\"")
string(REGEX REPLACE ".*\"(([0-9]+)[0-9.]*)\".*" "\\1;\\2" v "${vline}")
list(GET v 0 version)
list(GET v 1 major)
if(SHARED)
  list(APPEND expected ${libdir}/libpottery.so ${libdir}/${EXPECT_SONAME} ${libdir}/libpottery.so.${version})
  set(unwanted ${libdir}/libpottery.a)
  # While the major version is 0 nothing may claim the name every 0.x release would share.
  if(NOT EXPECT_SONAME STREQUAL "libpottery.so.${major}")
    list(APPEND unwanted ${libdir}/libpottery.so.${major})
  endif()
else()
  list(APPEND expected ${libdir}/libpottery.a)
  set(unwanted ${libdir}/libpottery.so)
endif()

set(missing)
foreach(f IN LISTS expected)
  if(NOT f IN_LIST installed)
    list(APPEND missing "${f}")
  endif()
endforeach()
if(missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  string(REPLACE ";" "\n  " installed "${installed}")
  message(FATAL_ERROR "not installed:\n  ${missing}\ninstalled:\n  ${installed}")
endif()
foreach(f IN LISTS unwanted)
  if(f IN_LIST installed)
    message(FATAL_ERROR "installed ${f} in a SHARED=${SHARED} build")
  endif()
endforeach()
foreach(f IN LISTS installed)
  if(NOT f IN_LIST expected AND NOT f MATCHES "cmake/pottery/pottery[A-Za-z]*Targets-[a-z]+\\.cmake$")
    message(STATUS "also installed: ${f}")
  endif()
  if(f MATCHES "^include/" AND NOT f MATCHES "^include/pottery(\\.h|/[A-Za-z0-9_]+\\.h|/adapters/[A-Za-z0-9_]+\\.h)$")
    message(FATAL_ERROR "unexpected file in the include tree: ${f}")
  endif()
endforeach()
message(STATUS "libpottery ${version} (SHARED=${SHARED}) installed in ${prefix}")
