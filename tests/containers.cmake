# Container and primitive tests: one program per module.
function(pottery_add_test name)
  add_executable(test_${name} ${CMAKE_CURRENT_SOURCE_DIR}/test_${name}.c)
  target_include_directories(test_${name} PRIVATE ${POTTERY_CMOCKA_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(test_${name} PRIVATE pottery_internal ${ARGN} ${POTTERY_CMOCKA_LIBRARY})
  pottery_set_warnings(test_${name})
  add_test(NAME ${name} COMMAND test_${name})
endfunction()

pottery_add_test(errors)
pottery_add_test(lua pottery_test_support)
target_include_directories(test_lua PRIVATE ${POTTERY_LUA_DIR})
target_compile_definitions(test_lua PRIVATE POTTERY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
find_package(Threads REQUIRED)
target_link_libraries(test_errors PRIVATE Threads::Threads)
# Label "threads": the tests scripts/test.sh also runs under ThreadSanitizer.
set_tests_properties(errors PROPERTIES LABELS threads)
pottery_add_test(timer)
pottery_add_test(dict pottery_test_support)
foreach(module set list deque counter queue redlock)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_${module}.c)
    pottery_add_test(${module} pottery_test_support)
  endif()
endforeach()

# README code blocks are excerpts of examples/ (built and output-checked by CI).
add_test(NAME readme_examples
  COMMAND ${CMAKE_COMMAND} -DREADME=${PROJECT_SOURCE_DIR}/README.md
          -DEXAMPLES=${PROJECT_SOURCE_DIR}/examples -P ${CMAKE_CURRENT_SOURCE_DIR}/readme_check.cmake)

# Wall-clock measurements (timer sleeps, queue and connection timeouts): run them alone so
# the other tests' load (forked workers hammering Redis) cannot stretch them.
set_tests_properties(timer queue PROPERTIES RUN_SERIAL TRUE)
set_tests_properties(redlock PROPERTIES RUN_SERIAL TRUE)
if(TEST conn_client)
  set_tests_properties(conn_client PROPERTIES RUN_SERIAL TRUE)
endif()
pottery_add_test(nextid pottery_test_support)
pottery_add_test(cache pottery_test_support)
pottery_add_test(cached_ordered_dict pottery_test_support)
pottery_add_test(hll pottery_test_support)
pottery_add_test(bloom pottery_test_support)
# Reentrant and read-write locks: forked workers and five masters (timed: run alone).
foreach(module rlock rwlock)
  pottery_add_test(${module} pottery_test_support)
  set_tests_properties(${module} PROPERTIES RUN_SERIAL TRUE)
endforeach()
# Redis Cluster: routing, redirections, resharding and failover on a private 3+3 cluster.
pottery_add_test(cluster pottery_test_support Threads::Threads)
set_tests_properties(cluster PROPERTIES RUN_SERIAL TRUE TIMEOUT 300)
# Redis Cluster: operations combining two keys, in one hash slot and across slots.
pottery_add_test(cluster_ops pottery_test_support)
set_tests_properties(cluster_ops PROPERTIES RESOURCE_LOCK pottery_cluster)

# The same programs on a private 3-master, 3-replica Redis Cluster, as <name>_cluster
# (tests/support/test_fixture.h, cluster mode). Each starts six redis-servers and joins
# them: the cluster runs take turns (RESOURCE_LOCK) beside the rest of the suite, and those
# that measure wall-clock time (SERIAL) run alone.
function(pottery_add_cluster_test name)
  cmake_parse_arguments(arg "SERIAL" "TIMEOUT" "" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  add_test(NAME ${name}_cluster COMMAND test_${name})
  set_tests_properties(${name}_cluster PROPERTIES
    ENVIRONMENT POTTERY_TEST_CLUSTER=1 TIMEOUT ${arg_TIMEOUT} RESOURCE_LOCK pottery_cluster LABELS cluster)
  if(arg_SERIAL)
    set_tests_properties(${name}_cluster PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()

foreach(module dict set list deque counter cache cached_ordered_dict bloom hll)
  pottery_add_cluster_test(${module})
endforeach()
pottery_add_cluster_test(queue SERIAL)
# Coordination: the counting semaphore and the rate limiter (wall-clock leases and waits).
foreach(module semaphore ratelimit)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_${module}.c)
    pottery_add_test(${module} pottery_test_support)
    set_tests_properties(${module} PROPERTIES RUN_SERIAL TRUE)
    pottery_add_cluster_test(${module} SERIAL)
  endif()
endforeach()
pottery_add_cluster_test(rlock SERIAL)
pottery_add_cluster_test(rwlock SERIAL)
# The reliable queue: wall-clock visibility timeouts, crashing consumer processes.
pottery_add_test(rqueue pottery_test_support)
set_tests_properties(rqueue PROPERTIES RUN_SERIAL TRUE)
pottery_add_cluster_test(rqueue SERIAL)
# Lock lifetime (fencing tokens, watchdog, lock-lost signal): wall-clock measurements.
pottery_add_test(redlock_lifetime pottery_test_support)
set_tests_properties(redlock_lifetime PROPERTIES RUN_SERIAL TRUE LABELS threads)
pottery_add_cluster_test(redlock_lifetime SERIAL)
# The fault matrix: every module against a killed, a frozen and a slow server, a key of
# another type and foreign data (tests/test_module_faults.h). It kills and stops its own
# server and bounds how long calls take, so it runs alone.
foreach(_program module_faults module_faults_coord)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_${_program}.c)
    add_executable(test_${_program} ${CMAKE_CURRENT_SOURCE_DIR}/test_${_program}.c
                                    ${CMAKE_CURRENT_SOURCE_DIR}/test_module_faults_run.c)
    target_include_directories(test_${_program} PRIVATE ${POTTERY_CMOCKA_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/src
                                                        ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(test_${_program} PRIVATE pottery_internal pottery_test_support ${POTTERY_CMOCKA_LIBRARY}
                                                   Threads::Threads)
    pottery_set_warnings(test_${_program})
    add_test(NAME ${_program} COMMAND test_${_program})
    if(_program STREQUAL "module_faults_coord")
      # The event-loop rows run on libevent, or on libuv when only it is built.
      if(TARGET pottery_libevent)
        target_link_libraries(test_${_program} PRIVATE pottery::libevent)
        target_compile_definitions(test_${_program} PRIVATE LOOP_KINDS_LIBEVENT)
      elseif(TARGET pottery_libuv)
        target_link_libraries(test_${_program} PRIVATE pottery::libuv)
        target_compile_definitions(test_${_program} PRIVATE LOOP_KINDS_LIBUV)
      endif()
    endif()
    set_tests_properties(${_program} PROPERTIES RUN_SERIAL TRUE TIMEOUT 120)
  endif()
endforeach()
unset(_program)
