# Packaging tests: prove that consumers can use libpottery.
#
#   packaging_install[_static]      fixtures: a separate build of the library (shared, and
#                                   static) installed into a scratch prefix under the build tree
#   consumer_find_package[_static]  find_package(pottery MAJOR.MINOR CONFIG) + pottery::pottery,
#                                   C and C++; other versions turned down as the policy says
#   consumer_pkg_config[_static]    cc $(pkg-config --cflags libpottery) main.c $(pkg-config --libs ...)
#   consumer_adapters_find_package[_static]   find_package(pottery COMPONENTS libevent libuv):
#                                   each event-loop adapter built here runs a timer on its loop
#   consumer_adapters_pkg_config[_static]     the same through libpottery-<adapter>.pc
#   consumer_subdirectory           add_subdirectory(libpottery) brings no tests/examples/installs
#   symbols_exported                only public pottery_* symbols exported; the SONAME follows
#                                   the policy below; no event library needed by libpottery
#   headers_standalone_*            each public header compiles alone as C99 and as C++11
#
# The nested builds do not inherit this build's flags (sanitizers, -Werror): they are built
# the way a packager would build them.
set(_pkg_consumers "${CMAKE_CURRENT_SOURCE_DIR}/consumers")
set(_pkg_work "${CMAKE_CURRENT_BINARY_DIR}/packaging")

find_program(POTTERY_PKG_CONFIG NAMES pkg-config pkgconf)
if(NOT POTTERY_PKG_CONFIG)
  message(FATAL_ERROR "pkg-config not found (needed by the packaging tests): apt-get install pkgconf")
endif()
foreach(_tool nm readelf)
  string(TOUPPER "${_tool}" _var)
  if(CMAKE_${_var})
    set(POTTERY_${_var} "${CMAKE_${_var}}")
  else()
    find_program(POTTERY_${_var} ${_tool})
  endif()
  if(NOT POTTERY_${_var})
    message(FATAL_ERROR "${_tool} not found (needed by the packaging tests): apt-get install binutils")
  endif()
endforeach()

include(CheckLanguage)
check_language(CXX)
if(NOT CMAKE_CXX_COMPILER)
  message(FATAL_ERROR "No C++ compiler found: the tests compile every public header as C++11 "
                      "and build a C++ consumer. Install one: apt-get install g++")
endif()
enable_language(CXX)

set(_pkg_common -DGENERATOR=${CMAKE_GENERATOR} -DMAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}
                -DC_COMPILER=${CMAKE_C_COMPILER})

# The event-loop adapters this build has: the installs build them too (and fail without their
# event library), and the adapter consumers use them.
set(_pkg_adapters)
set(_pkg_adapter_programs)
foreach(_adapter libevent libuv)
  if(TARGET pottery_${_adapter})
    list(APPEND _pkg_adapters ${_adapter})
    list(APPEND _pkg_adapter_programs consumer_${_adapter})
  endif()
endforeach()
string(REPLACE ";" "," _pkg_adapters "${_pkg_adapters}")
string(REPLACE ";" "|" _pkg_adapter_programs "${_pkg_adapter_programs}")

# The SONAME policy (README.md, "Versioning and ABI"), restated here rather than taken from
# the build so that the tests check it: 0.x minor versions are incompatible with each other,
# so 0.MINOR installs as libpottery.so.0.MINOR and never as libpottery.so.0; from 1.0 on,
# libpottery.so.MAJOR.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_pkg_soname "libpottery.so.0.${PROJECT_VERSION_MINOR}")
else()
  set(_pkg_soname "libpottery.so.${PROJECT_VERSION_MAJOR}")
endif()

# --- fixtures: install the library ------------------------------------------------------------
foreach(_variant shared static)
  if(_variant STREQUAL "shared")
    set(_suffix "")
    set(_shared ON)
  else()
    set(_suffix "_static")
    set(_shared OFF)
  endif()
  add_test(NAME packaging_install${_suffix}
    COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
            -DWORK_DIR=${_pkg_work}/${_variant} -DSHARED=${_shared} -DBUILD_TYPE=Release
            -DEXPECT_SONAME=${_pkg_soname} "-DADAPTERS=${_pkg_adapters}" ${_pkg_common}
            -P "${_pkg_consumers}/install.cmake")
  set_tests_properties(packaging_install${_suffix} PROPERTIES
    FIXTURES_SETUP pottery_installed_${_variant} TIMEOUT 600)

  set(_prefix "${_pkg_work}/${_variant}/prefix")
  if(_shared)
    set(_type SHARED_LIBRARY)
  else()
    set(_type STATIC_LIBRARY)
  endif()
  add_test(NAME consumer_find_package${_suffix}
    COMMAND "${CMAKE_COMMAND}" -DSOURCE=${_pkg_consumers}/find_package
            -DBINARY=${_pkg_work}/find_package_${_variant}
            "-DARGS=-DCMAKE_PREFIX_PATH=${_prefix}|-DEXPECT_TYPE=${_type}|-DEXPECT_VERSION=${PROJECT_VERSION}"
            "-DRUN=consumer|consumer_cxx" -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
            ${_pkg_common} -P "${_pkg_consumers}/build_and_run.cmake")
  add_test(NAME consumer_pkg_config${_suffix}
    COMMAND "${CMAKE_COMMAND}" -DPREFIX=${_prefix} -DWORK_DIR=${_pkg_work}/pkg_config_${_variant}
            -DCC=${CMAKE_C_COMPILER} -DPKG_CONFIG=${POTTERY_PKG_CONFIG} -DREADELF=${POTTERY_READELF}
            -DSHARED=${_shared} -DEXPECT_VERSION=${PROJECT_VERSION} -DEXPECT_SONAME=${_pkg_soname}
            -P "${_pkg_consumers}/pkg_config/run.cmake")
  set_tests_properties(consumer_find_package${_suffix} consumer_pkg_config${_suffix} PROPERTIES
    FIXTURES_REQUIRED pottery_installed_${_variant} TIMEOUT 300)

  if(_pkg_adapters)
    add_test(NAME consumer_adapters_find_package${_suffix}
      COMMAND "${CMAKE_COMMAND}" -DSOURCE=${_pkg_consumers}/adapters
              -DBINARY=${_pkg_work}/adapters_find_package_${_variant}
              "-DARGS=-DCMAKE_PREFIX_PATH=${_prefix}|-DADAPTERS=${_pkg_adapters}"
              "-DRUN=${_pkg_adapter_programs}" ${_pkg_common}
              -P "${_pkg_consumers}/build_and_run.cmake")
    add_test(NAME consumer_adapters_pkg_config${_suffix}
      COMMAND "${CMAKE_COMMAND}" -DPREFIX=${_prefix} -DWORK_DIR=${_pkg_work}/adapters_pkg_config_${_variant}
              -DCC=${CMAKE_C_COMPILER} -DPKG_CONFIG=${POTTERY_PKG_CONFIG} -DSHARED=${_shared}
              "-DADAPTERS=${_pkg_adapters}" -P "${_pkg_consumers}/pkg_config/adapters.cmake")
    set_tests_properties(consumer_adapters_find_package${_suffix} consumer_adapters_pkg_config${_suffix}
      PROPERTIES FIXTURES_REQUIRED pottery_installed_${_variant} TIMEOUT 300)
  endif()
endforeach()

add_test(NAME symbols_exported
  COMMAND "${CMAKE_COMMAND}" -DPREFIX=${_pkg_work}/shared/prefix -DNM=${POTTERY_NM}
          -DREADELF=${POTTERY_READELF} -DEXPECT_SONAME=${_pkg_soname}
          -P "${_pkg_consumers}/check_symbols.cmake")
set_tests_properties(symbols_exported PROPERTIES
  FIXTURES_REQUIRED pottery_installed_shared TIMEOUT 60)

# --- add_subdirectory --------------------------------------------------------------------------
add_test(NAME consumer_subdirectory
  COMMAND "${CMAKE_COMMAND}" -DSOURCE=${_pkg_consumers}/subdirectory
          -DBINARY=${_pkg_work}/subdirectory -DARGS=-DPOTTERY_SOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DRUN=consumer -DNO_TESTS=ON ${_pkg_common} -P "${_pkg_consumers}/build_and_run.cmake")
set_tests_properties(consumer_subdirectory PROPERTIES TIMEOUT 600)

# --- every public header on its own ------------------------------------------------------------
if(NOT CMAKE_C_COMPILER_ID MATCHES "GNU|Clang" OR NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "headers_standalone tests need GCC- or Clang-style compilers, found "
                      "${CMAKE_C_COMPILER_ID} and ${CMAKE_CXX_COMPILER_ID}")
endif()
file(GLOB _pkg_headers CONFIGURE_DEPENDS RELATIVE "${PROJECT_SOURCE_DIR}/include"
     "${PROJECT_SOURCE_DIR}/include/pottery.h" "${PROJECT_SOURCE_DIR}/include/pottery/*.h"
     "${PROJECT_SOURCE_DIR}/include/pottery/adapters/*.h")
if(NOT "pottery.h" IN_LIST _pkg_headers)
  message(FATAL_ERROR "include/pottery.h (the umbrella header) is missing")
endif()
set(_pkg_flags_c -std=c99 -Wall -Wextra -Wpedantic -Werror -Wstrict-prototypes -Wundef -Wshadow)
set(_pkg_flags_cxx -std=c++11 -Wall -Wextra -Wpedantic -Werror -Wundef -Wshadow)
foreach(_header IN LISTS _pkg_headers)
  string(MAKE_C_IDENTIFIER "${_header}" _id)
  string(REGEX REPLACE "_h$" "" _id "${_id}")
  foreach(_lang c cxx)
    if(_lang STREQUAL "c")
      set(_compiler "${CMAKE_C_COMPILER}")
      set(_name headers_standalone_c99_${_id})
      set(_ext c)
    else()
      set(_compiler "${CMAKE_CXX_COMPILER}")
      set(_name headers_standalone_cxx11_${_id})
      set(_ext cpp)
    endif()
    set(_tu "${_pkg_work}/headers/${_id}.${_ext}")
    # Included twice to check the include guard; the typedef keeps the TU non-empty.
    file(GENERATE OUTPUT "${_tu}" CONTENT
"/* Generated by tests/packaging.cmake: <${_header}> must compile on its own. */
#include <${_header}>
#include <${_header}>
typedef int pottery_header_standalone_check;
")
    add_test(NAME ${_name}
      COMMAND "${_compiler}" ${_pkg_flags_${_lang}} -I${PROJECT_SOURCE_DIR}/include
              -c "${_tu}" -o "${_tu}.o")
    set_tests_properties(${_name} PROPERTIES TIMEOUT 60 LABELS headers)
  endforeach()
endforeach()
