# ctest check (cmake -P) of the installed shared library:
#  - every dynamic symbol it defines is a function or object named pottery_*, declared in an
#    installed public header (linker-defined markers such as _init/_fini/_end are ignored);
#  - it needs no event library (libevent, libuv); the installed event-loop adapters export
#    only their own function and need libpottery and their event library;
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

# Fails unless every dynamic symbol that lib defines is a pottery_ function or object
# declared in api_text (the text of the public headers it implements).
function(check_exports lib api_text must_export)
  execute_process(COMMAND "${NM}" -D --defined-only "${lib}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE nm_out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} -D --defined-only ${lib} failed: ${err}")
  endif()
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
      list(APPEND bad "${name} (${type}): exported but not declared in its public headers")
    endif()
  endforeach()
  list(LENGTH exported n_exported)
  message(STATUS "${n_exported} exported symbols in ${lib}")
  if(NOT "${must_export}" IN_LIST exported)
    message(FATAL_ERROR "${must_export} is not exported from ${lib}:\n${nm_out}")
  endif()
  if(bad)
    string(REPLACE ";" "\n  " bad "${bad}")
    message(FATAL_ERROR "symbols that must not be exported from ${lib}:\n  ${bad}")
  endif()
endfunction()

# The dynamic section of lib, in ${out}.
function(read_dynamic out lib)
  execute_process(COMMAND "${READELF}" -d "${lib}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE dyn ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${READELF} -d ${lib} failed: ${err}")
  endif()
  set(${out} "${dyn}" PARENT_SCOPE)
endfunction()

file(GLOB libs "${PREFIX}/lib*/libpottery.so" "${PREFIX}/lib/*/libpottery.so")
list(LENGTH libs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one libpottery.so under ${PREFIX}, found: ${libs}")
endif()
get_filename_component(lib "${libs}" REALPATH)

# The public API: every identifier followed by '(' in the installed headers, the adapters'
# apart (each is its own library).
file(GLOB_RECURSE headers "${PREFIX}/include/pottery.h" "${PREFIX}/include/pottery/*.h")
set(api_text "")
foreach(h IN LISTS headers)
  if(NOT h MATCHES "/pottery/adapters/")
    file(READ "${h}" t)
    string(APPEND api_text "${t}\n")
  endif()
endforeach()
check_exports("${lib}" "${api_text}" pottery_version)

# libpottery links no event library: the adapters do.
read_dynamic(dyn "${lib}")
if(dyn MATCHES "NEEDED[^\n]*\\[(lib(event|uv)[^]\n]*)\\]")
  message(FATAL_ERROR "${lib} needs the event library ${CMAKE_MATCH_1}:\n${dyn}")
endif()

# Each installed adapter exports its own function only, and needs libpottery and its event
# library.
foreach(adapter libevent libuv)
  file(GLOB adapter_libs "${PREFIX}/lib*/libpottery_${adapter}.so" "${PREFIX}/lib/*/libpottery_${adapter}.so")
  if(NOT adapter_libs)
    continue()
  endif()
  get_filename_component(adapter_lib "${adapter_libs}" REALPATH)
  file(READ "${PREFIX}/include/pottery/adapters/${adapter}.h" adapter_api)
  check_exports("${adapter_lib}" "${adapter_api}" pottery_${adapter}_loop)
  read_dynamic(adapter_dyn "${adapter_lib}")
  string(REPLACE "lib" "" short "${adapter}")
  if(NOT adapter_dyn MATCHES "NEEDED[^\n]*\\[libpottery\\.so" OR
     NOT adapter_dyn MATCHES "NEEDED[^\n]*\\[lib${short}")
    message(FATAL_ERROR "${adapter_lib} does not need libpottery and lib${short}:\n${adapter_dyn}")
  endif()
endforeach()

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
