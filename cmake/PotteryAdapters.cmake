# The event-loop adapters: pottery_loop (include/pottery/loop.h) filled for libevent and for
# libuv, each a library of its own so that libpottery itself never links an event library.
#
#   library                 header                         option            needs
#   pottery_libevent        pottery/adapters/libevent.h    POTTERY_LIBEVENT  libevent_core 2.1
#    (pottery::libevent)                                                     (libevent-dev)
#   pottery_libuv           pottery/adapters/libuv.h       POTTERY_LIBUV     libuv 1.x
#    (pottery::libuv)                                                        (libuv1-dev)
#
# Each option is AUTO, ON or OFF, as POTTERY_CJSON is (cmake/PotteryCJSON.cmake): AUTO (the
# default in a build of libpottery itself) builds the adapter when its event library is
# found, ON makes a missing one an error, OFF (the default under add_subdirectory()) skips it.
# The event libraries are found by cmake/FindPotteryLibevent.cmake (pottery::event_core) and
# cmake/FindPotteryLibuv.cmake (pottery::uv), and linked PUBLIC: programs call them too.
#
# Installed, each adapter has its own export set (potteryLibeventTargets.cmake,
# potteryLibuvTargets.cmake) and its find module next to potteryConfig.cmake, which loads
# the adapter when its event library can be found: find_package(pottery COMPONENTS libevent
# libuv). And a pkg-config file: libpottery-libevent.pc, libpottery-libuv.pc.

# pottery_add_adapter(<name> <Module> <dependency target> <pkg-config module> <description>)
function(pottery_add_adapter name module dep pc_module description)
  string(TOUPPER "${name}" upper)
  set(option POTTERY_${upper})
  if(POTTERY_TOP_LEVEL)
    set(default AUTO)
  else()
    set(default OFF)
  endif()
  set(${option} ${default} CACHE STRING "Build the event-loop adapter pottery::${name}: AUTO, ON or OFF")
  set_property(CACHE ${option} PROPERTY STRINGS AUTO ON OFF)

  if(${option} STREQUAL "OFF")
    return()
  elseif(${option} STREQUAL "ON")
    find_package(Pottery${module} REQUIRED)
  elseif(${option} STREQUAL "AUTO")
    find_package(Pottery${module} QUIET)
    if(NOT Pottery${module}_FOUND)
      message(STATUS "${pc_module} not found: the event-loop adapter pottery::${name} is not built")
      return()
    endif()
  else()
    message(FATAL_ERROR "${option} must be AUTO, ON or OFF, not '${${option}}'")
  endif()

  set(target pottery_${name})
  add_library(${target} ${pottery_SOURCE_DIR}/src/adapters/${name}.c)
  add_library(pottery::${name} ALIAS ${target})
  # Public API only: no POTTERY_BUILDING, no private include directory.
  target_link_libraries(${target} PUBLIC pottery ${dep})
  target_compile_definitions(${target} PRIVATE POTTERY_${upper}_BUILDING _POSIX_C_SOURCE=200809L)
  set_target_properties(${target} PROPERTIES
    C_STANDARD 11
    C_STANDARD_REQUIRED ON
    C_EXTENSIONS OFF
    C_VISIBILITY_PRESET hidden
    POSITION_INDEPENDENT_CODE ON
    VERSION ${PROJECT_VERSION}
    SOVERSION ${POTTERY_SOVERSION}
    EXPORT_NAME ${name})
  if(BUILD_SHARED_LIBS AND NOT APPLE)
    target_link_options(${target} PRIVATE LINKER:--no-undefined)
  endif()
  pottery_set_warnings(${target})

  if(NOT POTTERY_INSTALL)
    return()
  endif()
  install(TARGETS ${target}
    EXPORT pottery${module}Targets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Development
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Runtime
            NAMELINK_COMPONENT Development
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT Runtime)
  install(FILES "${pottery_SOURCE_DIR}/include/pottery/adapters/${name}.h"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/pottery/adapters"
    COMPONENT Development)
  install(EXPORT pottery${module}Targets
    NAMESPACE pottery::
    FILE pottery${module}Targets.cmake
    DESTINATION "${POTTERY_INSTALL_CMAKEDIR}"
    COMPONENT Development)
  install(FILES "${pottery_SOURCE_DIR}/cmake/FindPottery${module}.cmake"
    DESTINATION "${POTTERY_INSTALL_CMAKEDIR}"
    COMPONENT Development)

  # pkg-config: the prefix is filled in at install time, as for libpottery.pc
  # (cmake/PotteryInstall.cmake, whose POTTERY_PC_* variables this reuses).
  set(POTTERY_PC_ADAPTER "${name}")
  set(POTTERY_PC_ADAPTER_DESCRIPTION "${description}")
  set(POTTERY_PC_ADAPTER_REQUIRES "${pc_module}")
  set(pc "${pottery_BINARY_DIR}/pottery-package/libpottery-${name}.pc")
  configure_file("${pottery_SOURCE_DIR}/cmake/libpottery-adapter.pc.in" "${pc}.tmpl" @ONLY)
  install(CODE "
    set(POTTERY_PC_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    string(REGEX REPLACE \"(.)/+\$\" \"\\\\1\" POTTERY_PC_INSTALL_PREFIX \"\${POTTERY_PC_INSTALL_PREFIX}\")
    configure_file(\"${pc}.tmpl\" \"${pc}\" @ONLY)
  " COMPONENT Development)
  install(FILES "${pc}" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT Development)
endfunction()

pottery_add_adapter(libevent Libevent pottery::event_core "libevent_core >= 2.1"
  "libpottery's event-loop adapter for libevent")
pottery_add_adapter(libuv Libuv pottery::uv "libuv"
  "libpottery's event-loop adapter for libuv")
