# Installs headers, library, the CMake package and libpottery.pc.
#
# Layout (GNUInstallDirs, relative to the install prefix unless a dir was given absolute):
#   ${CMAKE_INSTALL_INCLUDEDIR}/pottery.h, pottery/*.h
#   ${CMAKE_INSTALL_LIBDIR}/libpottery.a, or libpottery.so -> libpottery.so.<soversion> ->
#                          libpottery.so.<version> (soversion 0.<minor> while the major
#                          version is 0, <major> from 1.0 on; see CMakeLists.txt)
#   ${CMAKE_INSTALL_LIBDIR}/cmake/pottery/   potteryConfig.cmake, potteryConfigVersion.cmake,
#                                            potteryTargets*.cmake, FindPotteryHiredis.cmake
#   ${CMAKE_INSTALL_LIBDIR}/pkgconfig/libpottery.pc
#
# Components: Runtime (the shared library itself), Development (everything else).
# Consumers: find_package(pottery CONFIG) -> pottery::pottery, or pkg-config libpottery.
include(CMakePackageConfigHelpers)

set(POTTERY_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/pottery"
    CACHE STRING "Where to install the CMake package files of pottery")
mark_as_advanced(POTTERY_INSTALL_CMAKEDIR)

# --- library and headers ------------------------------------------------------------------
install(TARGETS pottery
  EXPORT potteryTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Development
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Runtime
          NAMELINK_COMPONENT Development
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT Runtime)
# (The include directory comes from the target's $<INSTALL_INTERFACE:...> in CMakeLists.txt.)

install(DIRECTORY "${pottery_SOURCE_DIR}/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT Development
  FILES_MATCHING PATTERN "*.h"
  PATTERN "cjson.h" EXCLUDE     # cmake/PotteryCJSON.cmake installs it
  PATTERN "adapters" EXCLUDE)   # and cmake/PotteryAdapters.cmake the adapters' headers

# --- private dependencies -------------------------------------------------------------------
# A static libpottery carries its PRIVATE dependencies in its link interface (CMake exports
# them as $<LINK_ONLY:...>), so its consumers must be able to find them too:
#  - pottery::<name> imported targets come from cmake/FindPottery<Name>.cmake; such modules are
#    installed next to the package config, which re-finds them (static builds only), and
#    <name> is listed in Requires.private of libpottery.pc (override the pkg-config module
#    name with POTTERY_PC_MODULE_<name>);
#  - plain library names (m) go to Libs.private as -l<name>.
get_target_property(_pottery_link pottery LINK_LIBRARIES)
if(NOT _pottery_link)
  set(_pottery_link "")
endif()
file(GLOB _pottery_find_modules "${pottery_SOURCE_DIR}/cmake/FindPottery*.cmake")
set(POTTERY_CONFIG_FIND_MODULES "")
set(_pottery_find_module_files "")
set(POTTERY_PC_REQUIRES_PRIVATE "")
set(POTTERY_PC_LIBS_PRIVATE "")
foreach(_lib IN LISTS _pottery_link)
  if(_lib MATCHES "^pottery::(.+)$")
    set(_dep "${CMAKE_MATCH_1}")
    string(TOLOWER "pottery${_dep}" _want)
    set(_found "")
    foreach(_module IN LISTS _pottery_find_modules)
      get_filename_component(_name "${_module}" NAME_WE)
      string(REGEX REPLACE "^Find" "" _name "${_name}")
      string(TOLOWER "${_name}" _lower)
      if(_lower STREQUAL _want)
        set(_found "${_name}")
        list(APPEND _pottery_find_module_files "${_module}")
      endif()
    endforeach()
    if(NOT _found)
      message(FATAL_ERROR "pottery links ${_lib} but there is no cmake/FindPottery<${_dep}>.cmake "
                          "that the installed package could use to find it again")
    endif()
    list(APPEND POTTERY_CONFIG_FIND_MODULES "${_found}")
    if(DEFINED POTTERY_PC_MODULE_${_dep})
      list(APPEND POTTERY_PC_REQUIRES_PRIVATE "${POTTERY_PC_MODULE_${_dep}}")
    else()
      list(APPEND POTTERY_PC_REQUIRES_PRIVATE "${_dep}")
    endif()
  elseif(_lib MATCHES "^[A-Za-z0-9_.+-]+$" AND NOT TARGET "${_lib}")
    string(APPEND POTTERY_PC_LIBS_PRIVATE " -l${_lib}")
  elseif(_lib MATCHES "^-" OR IS_ABSOLUTE "${_lib}")
    string(APPEND POTTERY_PC_LIBS_PRIVATE " ${_lib}")
  else()
    message(FATAL_ERROR "PotteryInstall.cmake does not know how to export the dependency "
                        "'${_lib}' of pottery to consumers of a static build")
  endif()
endforeach()
string(REPLACE ";" ", " POTTERY_PC_REQUIRES_PRIVATE "${POTTERY_PC_REQUIRES_PRIVATE}")
string(STRIP "${POTTERY_PC_LIBS_PRIVATE}" POTTERY_PC_LIBS_PRIVATE)
foreach(_pottery_var _pottery_link _pottery_find_modules _lib _dep _want _found _module _name
        _lower)
  unset(${_pottery_var})
endforeach()
unset(_pottery_var)

# --- CMake package ---------------------------------------------------------------------------
if(BUILD_SHARED_LIBS)
  set(POTTERY_CONFIG_SHARED ON)
else()
  set(POTTERY_CONFIG_SHARED OFF)
endif()

install(EXPORT potteryTargets
  NAMESPACE pottery::
  FILE potteryTargets.cmake
  DESTINATION "${POTTERY_INSTALL_CMAKEDIR}"
  COMPONENT Development)

configure_package_config_file(
  "${pottery_SOURCE_DIR}/cmake/potteryConfig.cmake.in"
  "${pottery_BINARY_DIR}/pottery-package/potteryConfig.cmake"
  INSTALL_DESTINATION "${POTTERY_INSTALL_CMAKEDIR}")

# The same rule as the SONAME (CMakeLists.txt): 0.x versions are compatible only within a
# minor version, so find_package(pottery 0.1) turns 0.2 down; from 1.0 on, within a major.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_pottery_compatibility SameMinorVersion)
else()
  set(_pottery_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(
  "${pottery_BINARY_DIR}/pottery-package/potteryConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY ${_pottery_compatibility})
unset(_pottery_compatibility)

install(FILES
    "${pottery_BINARY_DIR}/pottery-package/potteryConfig.cmake"
    "${pottery_BINARY_DIR}/pottery-package/potteryConfigVersion.cmake"
    ${_pottery_find_module_files}
  DESTINATION "${POTTERY_INSTALL_CMAKEDIR}"
  COMPONENT Development)

# --- pkg-config ------------------------------------------------------------------------------
# libdir and includedir are written relative to ${prefix} (unless GNUInstallDirs gave them
# absolute), so `pkg-config --define-prefix` / `--define-variable=prefix=...` relocate the
# tree. prefix itself is filled in at install time, so `cmake --install --prefix DIR` (and
# DESTDIR staging) produce a correct file, not the prefix that was configured.
foreach(_pottery_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_pottery_dir}}")
    set(POTTERY_PC_${_pottery_dir} "${CMAKE_INSTALL_${_pottery_dir}}")
  else()
    set(POTTERY_PC_${_pottery_dir} "\${prefix}/${CMAKE_INSTALL_${_pottery_dir}}")
  endif()
endforeach()
unset(_pottery_dir)
if(BUILD_SHARED_LIBS)
  set(POTTERY_PC_CFLAGS_EXTRA " -DPOTTERY_SHARED")
else()
  set(POTTERY_PC_CFLAGS_EXTRA "")
endif()
# Left as a placeholder for the install-time pass below.
set(POTTERY_PC_PREFIX "@POTTERY_PC_INSTALL_PREFIX@")
configure_file("${pottery_SOURCE_DIR}/cmake/libpottery.pc.in"
               "${pottery_BINARY_DIR}/pottery-package/libpottery.pc.tmpl" @ONLY)

install(CODE "
  set(POTTERY_PC_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  string(REGEX REPLACE \"(.)/+\$\" \"\\\\1\" POTTERY_PC_INSTALL_PREFIX \"\${POTTERY_PC_INSTALL_PREFIX}\")
  configure_file(\"${pottery_BINARY_DIR}/pottery-package/libpottery.pc.tmpl\"
                 \"${pottery_BINARY_DIR}/pottery-package/libpottery.pc\" @ONLY)
" COMPONENT Development)
install(FILES "${pottery_BINARY_DIR}/pottery-package/libpottery.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
  COMPONENT Development)
unset(_pottery_find_module_files)
