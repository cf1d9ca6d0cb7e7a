# ctest check (cmake -P) of the installed shared library:
#  - every dynamic symbol it defines is a function or object named pottery_*, declared in an
#    installed public header (linker-defined markers such as _init/_fini/_end are ignored);
#  - its SONAME is EXPECT_SONAME (libpottery.so.0.<minor> while the major version is 0,
#    libpottery.so.<major> from 1.0 on; tests/packaging.cmake states the policy), and the
#    link of that name is installed next to it.
#   -DPREFIX=, -DNM=, -DREADELF=, -DEXPECT_SONAME=
cmake_minimum_required(VERSION 3.16)
foreach(_var PREFIX NM READELF EXPECT_SONAME)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "check_symbols.cmake: -D${_var}= is required")
  endif()
endforeach()

file(GLOB libs "${PREFIX}/lib*/libpottery.so" "${PREFIX}/lib/*/libpottery.so")
list(LENGTH libs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one libpottery.so under ${PREFIX}, found: ${libs}")
endif()
get_filename_component(lib "${libs}" REALPATH)

execute_process(COMMAND "${NM}" -D --defined-only "${lib}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE nm_out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${lib} failed: ${err}")
endif()

# The public API: every identifier followed by '(' in the installed headers.
file(GLOB_RECURSE headers "${PREFIX}/include/pottery.h" "${PREFIX}/include/pottery/*.h")
set(api_text "")
foreach(h IN LISTS headers)
  file(READ "${h}" t)
  string(APPEND api_text "${t}\n")
endforeach()

set(ignored _init _fini _edata _end __bss_start _DYNAMIC _GLOBAL_OFFSET_TABLE_
            __data_start __dso_handle _IO_stdin_used __end__ __bss_start__ _bss_end__ __bss_end__)
string(REPLACE "\n" ";" lines "${nm_out}")
set(exported)
set(bad)
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^[0-9a-fA-F]* *([A-Za-z]) ([^ @]+)")
    continue()
  endif()
  set(type "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  if(name IN_LIST ignored OR type STREQUAL "A")
    continue()
  endif()
  list(APPEND exported "${name}")
  if(NOT name MATCHES "^pottery_")
    list(APPEND bad "${name} (${type}): not in the pottery_ namespace")
  elseif(NOT api_text MATCHES "[^A-Za-z0-9_]${name}[ \t\r\n]*\\(")
    list(APPEND bad "${name} (${type}): exported but not declared in a public header")
  endif()
endforeach()
list(LENGTH exported n_exported)
message(STATUS "${n_exported} exported symbols in ${lib}")
if(NOT "pottery_version" IN_LIST exported)
  message(FATAL_ERROR "pottery_version is not exported from ${lib}:\n${nm_out}")
endif()
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "symbols that must not be exported from ${lib}:\n  ${bad}")
endif()

execute_process(COMMAND "${READELF}" -d "${lib}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE dyn ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${READELF} -d ${lib} failed: ${err}")
endif()
if(NOT dyn MATCHES "\\(SONAME\\)[^\n]*\\[([^]\n]*)\\]")
  message(FATAL_ERROR "${lib} has no SONAME:\n${dyn}")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL EXPECT_SONAME)
  message(FATAL_ERROR "SONAME of ${lib} is ${CMAKE_MATCH_1}, expected ${EXPECT_SONAME}")
endif()
file(GLOB so_link "${PREFIX}/lib*/${EXPECT_SONAME}" "${PREFIX}/lib/*/${EXPECT_SONAME}")
if(NOT so_link)
  message(FATAL_ERROR "no ${EXPECT_SONAME} link installed next to ${lib}")
endif()
message(STATUS "SONAME ${EXPECT_SONAME}; all exported symbols are public pottery_ API")
