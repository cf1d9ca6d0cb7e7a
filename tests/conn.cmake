# Connection layer tests: URL parsing and SHA-1/uuid4 (unit, no server) and the client
# against private redis-server processes and fake servers (integration).
find_package(Threads REQUIRED)

function(pottery_conn_test name)
  add_executable(test_${name} ${ARGN})
  target_include_directories(test_${name} PRIVATE
    ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests ${POTTERY_CMOCKA_INCLUDE_DIR})
  target_link_libraries(test_${name} PRIVATE pottery_internal ${POTTERY_CMOCKA_LIBRARY})
  target_compile_definitions(test_${name} PRIVATE _GNU_SOURCE)
  set_target_properties(test_${name} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  pottery_set_warnings(test_${name})
endfunction()

pottery_conn_test(url ${CMAKE_CURRENT_LIST_DIR}/test_url.c)
add_test(NAME conn_url COMMAND test_url)
set_tests_properties(conn_url PROPERTIES TIMEOUT 30)

pottery_conn_test(keys ${CMAKE_CURRENT_LIST_DIR}/test_keys.c)
target_link_libraries(test_keys PRIVATE pottery_test_support)
add_test(NAME conn_keys COMMAND test_keys)
set_tests_properties(conn_keys PROPERTIES TIMEOUT 30)

pottery_conn_test(sha1 ${CMAKE_CURRENT_LIST_DIR}/test_sha1.c)
add_test(NAME conn_sha1 COMMAND test_sha1)
set_tests_properties(conn_sha1 PROPERTIES TIMEOUT 30)

pottery_conn_test(client ${CMAKE_CURRENT_LIST_DIR}/test_client.c ${CMAKE_CURRENT_LIST_DIR}/fake_server.c)
target_link_libraries(test_client PRIVATE pottery_test_support Threads::Threads)
add_test(NAME conn_client COMMAND test_client)
set_tests_properties(conn_client PROPERTIES TIMEOUT 120)

# Every container operation against fake servers that answer what Redis never would. It
# measures wall-clock time (timeouts, trickled replies), so it runs alone.
pottery_conn_test(faulty_server ${CMAKE_CURRENT_LIST_DIR}/test_faulty_server.c ${CMAKE_CURRENT_LIST_DIR}/fake_server.c)
target_link_libraries(test_faulty_server PRIVATE pottery_test_support Threads::Threads)
add_test(NAME faulty_server COMMAND test_faulty_server)
set_tests_properties(faulty_server PROPERTIES TIMEOUT 180 RUN_SERIAL TRUE)

# The fan-out over five private masters: kills, SIGSTOP, early decisions, late replies.
# It measures wall-clock time, so it runs alone.
pottery_conn_test(fanout ${CMAKE_CURRENT_LIST_DIR}/test_fanout.c)
target_link_libraries(test_fanout PRIVATE pottery_test_support)
add_test(NAME conn_fanout COMMAND test_fanout)
set_tests_properties(conn_fanout PROPERTIES TIMEOUT 120 RUN_SERIAL TRUE)

# Sentinel: a private master, its replica and three sentinels; the master is killed and the
# sentinels promote the replica. It waits on wall-clock failover timers, so it runs alone.
pottery_conn_test(sentinel ${CMAKE_CURRENT_LIST_DIR}/test_sentinel.c ${CMAKE_CURRENT_LIST_DIR}/fake_server.c)
target_link_libraries(test_sentinel PRIVATE pottery_test_support Threads::Threads)
add_test(NAME conn_sentinel COMMAND test_sentinel)
set_tests_properties(conn_sentinel PROPERTIES TIMEOUT 120 RUN_SERIAL TRUE)

# pottery_pool: lending, waiting, 16 threads on shared handles, a server restart under load,
# a pool over a sentinel. scripts/test.sh also runs it under ThreadSanitizer (POTTERY_TSAN).
pottery_conn_test(pool ${CMAKE_CURRENT_LIST_DIR}/test_pool.c)
target_link_libraries(test_pool PRIVATE pottery_test_support Threads::Threads)
add_test(NAME conn_pool COMMAND test_pool)
set_tests_properties(conn_pool PROPERTIES TIMEOUT 300 LABELS threads)

# Threads hammering every module at once, each with clients of its own (the event-loop lock
# and id generator on a loop of each thread's own), then sharing handles opened on pools;
# exact totals. A watchdog's leases are measured, so it runs alone. scripts/test.sh also
# runs it under ThreadSanitizer (POTTERY_TSAN).
pottery_conn_test(threads ${CMAKE_CURRENT_LIST_DIR}/test_threads.c ${CMAKE_CURRENT_LIST_DIR}/test_threads_pool.c
                  ${CMAKE_CURRENT_LIST_DIR}/test_threads_mix.c)
target_link_libraries(test_threads PRIVATE pottery_test_support Threads::Threads)
foreach(_adapter libevent libuv)
  if(TARGET pottery_${_adapter})
    string(TOUPPER "${_adapter}" _upper)
    target_link_libraries(test_threads PRIVATE pottery::${_adapter})
    target_compile_definitions(test_threads PRIVATE LOOP_KINDS_${_upper})
  endif()
endforeach()
add_test(NAME threads COMMAND test_threads)
set_tests_properties(threads PROPERTIES TIMEOUT 180 RUN_SERIAL TRUE LABELS threads)
# The same on a private Redis Cluster (tests/support/test_fixture.h): a cluster client per
# thread, and a pool of cluster clients.
add_test(NAME threads_cluster COMMAND test_threads)
set_tests_properties(threads_cluster PROPERTIES ENVIRONMENT POTTERY_TEST_CLUSTER=1 TIMEOUT 180 RUN_SERIAL TRUE
                                                RESOURCE_LOCK pottery_cluster LABELS "cluster;threads")
