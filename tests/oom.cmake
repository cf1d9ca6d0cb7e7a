# Allocation-failure tests (-DPOTTERY_ALLOC_FAIL=ON builds only; scripts/test.sh's build is
# one): each program fails every library allocation of every public operation of its
# modules in turn (tests/support/oom.h).
if(POTTERY_ALLOC_FAIL)
  foreach(group dict cache prob locks rqueue pool)
    pottery_add_test(oom_${group} pottery_test_support)
  endforeach()
endif()

# The event-loop primitives, on each loop adapter that was built (the program takes its name).
if(POTTERY_ALLOC_FAIL)
  foreach(_adapter libevent libuv)
    if(TARGET pottery_${_adapter})
      if(NOT TARGET test_oom_async)
        pottery_add_test(oom_async pottery_test_support)
        set_tests_properties(oom_async PROPERTIES DISABLED TRUE)
      endif()
      string(TOUPPER "${_adapter}" _upper)
      target_link_libraries(test_oom_async PRIVATE pottery::${_adapter})
      target_compile_definitions(test_oom_async PRIVATE LOOP_KINDS_${_upper})
      add_test(NAME oom_async_${_adapter} COMMAND test_oom_async ${_adapter})
    endif()
  endforeach()
  unset(_adapter)
  unset(_upper)
endif()
