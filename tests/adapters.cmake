# The event-loop adapters (cmake/PotteryAdapters.cmake), each that was built: one program
# holds the tests of both, and takes the adapter's name.
set(_adapters_built)
foreach(_adapter libevent libuv)
  if(TARGET pottery_${_adapter})
    list(APPEND _adapters_built ${_adapter})
  endif()
endforeach()
if(NOT _adapters_built)
  return()
endif()

add_executable(test_loop_adapters ${CMAKE_CURRENT_LIST_DIR}/test_loop_adapters.c)
target_include_directories(test_loop_adapters PRIVATE ${CMAKE_CURRENT_LIST_DIR} ${POTTERY_CMOCKA_INCLUDE_DIR})
target_link_libraries(test_loop_adapters PRIVATE ${POTTERY_CMOCKA_LIBRARY})
target_compile_definitions(test_loop_adapters PRIVATE _GNU_SOURCE)
set_target_properties(test_loop_adapters PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
pottery_set_warnings(test_loop_adapters)
foreach(_adapter IN LISTS _adapters_built)
  string(TOUPPER "${_adapter}" _upper)
  target_link_libraries(test_loop_adapters PRIVATE pottery::${_adapter})
  target_compile_definitions(test_loop_adapters PRIVATE POTTERY_TEST_${_upper})
  add_test(NAME adapter_${_adapter} COMMAND test_loop_adapters ${_adapter})
  set_tests_properties(adapter_${_adapter} PROPERTIES TIMEOUT 60)
endforeach()

# On each loop: the asynchronous lock and id generator against private masters (test_aio),
# event-loop connections that find their master through sentinels (test_aio_sentinel), and
# the renewer of event-loop locks (test_aio_watchdog).
find_package(Threads REQUIRED)
foreach(_program aio aio_sentinel aio_watchdog)
  add_executable(test_${_program} ${CMAKE_CURRENT_LIST_DIR}/test_${_program}.c ${CMAKE_CURRENT_LIST_DIR}/fake_server.c)
  target_include_directories(test_${_program} PRIVATE
    ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_LIST_DIR} ${POTTERY_CMOCKA_INCLUDE_DIR})
  target_link_libraries(test_${_program} PRIVATE pottery_internal pottery_test_support ${POTTERY_CMOCKA_LIBRARY}
                                                 Threads::Threads)
  target_compile_definitions(test_${_program} PRIVATE _GNU_SOURCE)
  set_target_properties(test_${_program} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  pottery_set_warnings(test_${_program})
  foreach(_adapter IN LISTS _adapters_built)
    string(TOUPPER "${_adapter}" _upper)
    target_link_libraries(test_${_program} PRIVATE pottery::${_adapter})
    target_compile_definitions(test_${_program} PRIVATE LOOP_KINDS_${_upper})
    add_test(NAME ${_program}_${_adapter} COMMAND test_${_program} ${_adapter})
    # It measures how long the loop goes without turning, so it runs alone.
    set_tests_properties(${_program}_${_adapter} PROPERTIES TIMEOUT 180 RUN_SERIAL TRUE)
  endforeach()
endforeach()
unset(_program)
unset(_adapters_built)
unset(_adapter)
unset(_upper)
