# Finds libuv (1.x) without hard-coded paths and provides the imported target pottery::uv,
# for the event-loop adapter pottery::libuv. pkg-config, when available, only supplies
# search hints.
if(TARGET pottery::uv)
  set(PotteryLibuv_FOUND TRUE)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_POTTERY_LIBUV QUIET libuv)
endif()

find_path(POTTERY_LIBUV_INCLUDE_DIR uv.h
  HINTS ${PC_POTTERY_LIBUV_INCLUDEDIR} ${PC_POTTERY_LIBUV_INCLUDE_DIRS})
find_library(POTTERY_LIBUV_LIBRARY NAMES uv libuv
  HINTS ${PC_POTTERY_LIBUV_LIBDIR} ${PC_POTTERY_LIBUV_LIBRARY_DIRS})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PotteryLibuv
  REQUIRED_VARS POTTERY_LIBUV_LIBRARY POTTERY_LIBUV_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install it with: apt-get install libuv1-dev")

if(PotteryLibuv_FOUND)
  add_library(pottery::uv UNKNOWN IMPORTED)
  set_target_properties(pottery::uv PROPERTIES
    IMPORTED_LOCATION "${POTTERY_LIBUV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${POTTERY_LIBUV_INCLUDE_DIR}")
endif()
mark_as_advanced(POTTERY_LIBUV_INCLUDE_DIR POTTERY_LIBUV_LIBRARY)
