# Allocation-failure tests (-DPOTTERY_ALLOC_FAIL=ON builds only; scripts/test.sh's build is
# one): each program fails every library allocation of every public operation of its
# modules in turn (tests/support/oom.h).
if(POTTERY_ALLOC_FAIL)
  foreach(group dict set list deque counter queue value cache prob locks rqueue pool)
    pottery_add_test(oom_${group} pottery_test_support)
  endforeach()
  # test_oom_value starts a Redis Cluster of its own (and sentinels).
  set_tests_properties(oom_value PROPERTIES RESOURCE_LOCK pottery_cluster)
endif()

# The event-loop primitives, on each loop adapter that was built (the program takes its name).
if(POTTERY_ALLOC_FAIL)
  foreach(_adapter libevent libuv)
    if(TARGET pottery_${_adapter})
      if(NOT TARGET test_oom_async)
        add_executable(test_oom_async ${CMAKE_CURRENT_SOURCE_DIR}/test_oom_async.c)
        target_include_directories(test_oom_async PRIVATE
          ${POTTERY_CMOCKA_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
        target_link_libraries(test_oom_async PRIVATE pottery_internal pottery_test_support ${POTTERY_CMOCKA_LIBRARY})
        pottery_set_warnings(test_oom_async)
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
