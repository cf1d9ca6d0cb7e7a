# The optional cJSON bridge: include/pottery/cjson.h and the library pottery_cjson
# (pottery::cjson), which converts between pottery_value and cJSON trees. Only programs that
# link it need cJSON; libpottery itself never links cJSON.
#
#   POTTERY_CJSON=AUTO  built when cJSON's CMake package is found (Debian: libcjson-dev);
#                       the default in a build of libpottery itself
#   POTTERY_CJSON=ON    built, and a missing cJSON is an error
#   POTTERY_CJSON=OFF   not built; the default under add_subdirectory(), where libpottery
#                       adds its library and nothing else unless asked
#
# Installed as its own export set (potteryCJSONTargets.cmake, beside potteryTargets.cmake):
# potteryConfig.cmake loads it when cJSON can be found, so find_package(pottery) works
# without cJSON and find_package(pottery COMPONENTS cjson) asks for the bridge.
if(POTTERY_TOP_LEVEL)
  set(_pottery_cjson_default AUTO)
else()
  set(_pottery_cjson_default OFF)
endif()
set(POTTERY_CJSON ${_pottery_cjson_default} CACHE STRING "Build the cJSON bridge pottery::cjson: AUTO, ON or OFF")
unset(_pottery_cjson_default)
set_property(CACHE POTTERY_CJSON PROPERTY STRINGS AUTO ON OFF)

if(POTTERY_CJSON STREQUAL "OFF")
  return()
elseif(POTTERY_CJSON STREQUAL "ON")
  find_package(cJSON CONFIG REQUIRED)
elseif(POTTERY_CJSON STREQUAL "AUTO")
  find_package(cJSON CONFIG QUIET)
  if(NOT cJSON_FOUND)
    message(STATUS "cJSON not found: the cJSON bridge (pottery::cjson) is not built")
    return()
  endif()
else()
  message(FATAL_ERROR "POTTERY_CJSON must be AUTO, ON or OFF, not '${POTTERY_CJSON}'")
endif()
if(NOT TARGET cjson)
  message(FATAL_ERROR "cJSON's CMake package defines no target 'cjson'")
endif()

add_library(pottery_cjson ${pottery_SOURCE_DIR}/src/cjson/cjson.c)
add_library(pottery::cjson ALIAS pottery_cjson)
# Public API only: no POTTERY_BUILDING, no private include directory.
target_link_libraries(pottery_cjson PUBLIC pottery cjson PRIVATE m)
target_compile_definitions(pottery_cjson PRIVATE POTTERY_CJSON_BUILDING)
set_target_properties(pottery_cjson PROPERTIES
  C_STANDARD 11
  C_STANDARD_REQUIRED ON
  C_EXTENSIONS OFF
  C_VISIBILITY_PRESET hidden
  POSITION_INDEPENDENT_CODE ON
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  EXPORT_NAME cjson)
if(BUILD_SHARED_LIBS AND NOT APPLE)
  target_link_options(pottery_cjson PRIVATE LINKER:--no-undefined)
endif()
pottery_set_warnings(pottery_cjson)

if(POTTERY_INSTALL)
  install(TARGETS pottery_cjson
    EXPORT potteryCJSONTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Development
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Runtime
            NAMELINK_COMPONENT Development
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT Runtime)
  install(FILES "${pottery_SOURCE_DIR}/include/pottery/cjson.h"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/pottery"
    COMPONENT Development)
  install(EXPORT potteryCJSONTargets
    NAMESPACE pottery::
    FILE potteryCJSONTargets.cmake
    DESTINATION "${POTTERY_INSTALL_CMAKEDIR}"
    COMPONENT Development)
endif()
