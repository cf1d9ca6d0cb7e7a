# Finds libevent_core (2.1 or newer) without hard-coded paths and provides the imported
# target pottery::event_core, for the event-loop adapter pottery::libevent. pkg-config, when
# available, only supplies search hints.
if(TARGET pottery::event_core)
  set(PotteryLibevent_FOUND TRUE)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_POTTERY_LIBEVENT QUIET libevent_core>=2.1)
endif()

find_path(POTTERY_LIBEVENT_INCLUDE_DIR event2/event.h
  HINTS ${PC_POTTERY_LIBEVENT_INCLUDEDIR} ${PC_POTTERY_LIBEVENT_INCLUDE_DIRS})
find_library(POTTERY_LIBEVENT_LIBRARY NAMES event_core
  HINTS ${PC_POTTERY_LIBEVENT_LIBDIR} ${PC_POTTERY_LIBEVENT_LIBRARY_DIRS})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PotteryLibevent
  REQUIRED_VARS POTTERY_LIBEVENT_LIBRARY POTTERY_LIBEVENT_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "install it with: apt-get install libevent-dev")

if(PotteryLibevent_FOUND)
  add_library(pottery::event_core UNKNOWN IMPORTED)
  set_target_properties(pottery::event_core PROPERTIES
    IMPORTED_LOCATION "${POTTERY_LIBEVENT_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${POTTERY_LIBEVENT_INCLUDE_DIR}")
endif()
mark_as_advanced(POTTERY_LIBEVENT_INCLUDE_DIR POTTERY_LIBEVENT_LIBRARY)
