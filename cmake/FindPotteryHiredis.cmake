# Finds hiredis (0.14 or 1.x) without hard-coded paths and provides the imported target
# pottery::hiredis. pkg-config, when available, only supplies search hints.
if(TARGET pottery::hiredis)
  set(PotteryHiredis_FOUND TRUE)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_POTTERY_HIREDIS QUIET hiredis)
endif()

find_path(POTTERY_HIREDIS_INCLUDE_DIR hiredis/hiredis.h
  HINTS ${PC_POTTERY_HIREDIS_INCLUDEDIR} ${PC_POTTERY_HIREDIS_INCLUDE_DIRS}
  PATH_SUFFIXES ..)
find_library(POTTERY_HIREDIS_LIBRARY NAMES hiredis
  HINTS ${PC_POTTERY_HIREDIS_LIBDIR} ${PC_POTTERY_HIREDIS_LIBRARY_DIRS})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PotteryHiredis
  REQUIRED_VARS POTTERY_HIREDIS_LIBRARY POTTERY_HIREDIS_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install it with: apt-get install libhiredis-dev")

if(PotteryHiredis_FOUND)
  add_library(pottery::hiredis UNKNOWN IMPORTED)
  set_target_properties(pottery::hiredis PROPERTIES
    IMPORTED_LOCATION "${POTTERY_HIREDIS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${POTTERY_HIREDIS_INCLUDE_DIR}")
endif()
mark_as_advanced(POTTERY_HIREDIS_INCLUDE_DIR POTTERY_HIREDIS_LIBRARY)
