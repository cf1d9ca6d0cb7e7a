# test support library (private redis-server harness and shared test helpers)
#
# pottery_test_support: a static library the server-backed test programs link.
#   - redis_server.h: starts private redis-server processes and talks to them over its own
#     raw hiredis connection, independently of libpottery;
#   - redis_cluster.h: a private Redis Cluster of such servers (joined with redis-cli), raw
#     commands routed to the node serving a key, resharding and failover helpers;
#   - test_util.h: clock, child processes, raw-reply and commandstats helpers (no libpottery);
#   - test_fixture.h: the container tests' shared server/client fixture and the helpers
#     that use libpottery (statistics, error checks, worker processes, a server to kill).
# Linking it also brings in:
#   - include dirs ${PROJECT_SOURCE_DIR}/tests (#include "support/redis_server.h") and
#     ${PROJECT_SOURCE_DIR}/src (private library headers, for white-box tests);
#   - cmocka (headers and library) and libpottery (test_fixture.c uses it).
# The redis-server binary found in tests/CMakeLists.txt (POTTERY_REDIS_SERVER) is baked in
# as a compile definition; the environment variable POTTERY_TEST_REDIS_SERVER overrides it
# at run time.
add_library(pottery_test_support STATIC
  ${CMAKE_CURRENT_LIST_DIR}/redis_server.c
  ${CMAKE_CURRENT_LIST_DIR}/redis_cluster.c
  ${CMAKE_CURRENT_LIST_DIR}/redis_cluster_reshard.c
  ${CMAKE_CURRENT_LIST_DIR}/test_util.c
  ${CMAKE_CURRENT_LIST_DIR}/test_fixture.c)
if(POTTERY_ALLOC_FAIL)
  # Allocation-failure testing (oom.h): only where the library has the hook.
  target_sources(pottery_test_support PRIVATE ${CMAKE_CURRENT_LIST_DIR}/oom.c ${CMAKE_CURRENT_LIST_DIR}/oom_result.c)
endif()
target_include_directories(pottery_test_support PUBLIC
  ${PROJECT_SOURCE_DIR}/tests
  ${PROJECT_SOURCE_DIR}/src
  ${POTTERY_CMOCKA_INCLUDE_DIR})
target_link_libraries(pottery_test_support
  PUBLIC pottery_internal ${POTTERY_CMOCKA_LIBRARY}
  PRIVATE pottery::hiredis)
target_compile_definitions(pottery_test_support PRIVATE
  _GNU_SOURCE
  "POTTERY_REDIS_SERVER=\"${POTTERY_REDIS_SERVER}\"")
set_target_properties(pottery_test_support PROPERTIES
  C_STANDARD 11
  C_STANDARD_REQUIRED ON
  C_EXTENSIONS OFF)
pottery_set_warnings(pottery_test_support)

# The harness's own test.
add_executable(test_harness ${PROJECT_SOURCE_DIR}/tests/test_harness.c)
target_link_libraries(test_harness PRIVATE pottery_test_support pottery::hiredis)
target_compile_definitions(test_harness PRIVATE _GNU_SOURCE)
set_target_properties(test_harness PROPERTIES
  C_STANDARD 11
  C_STANDARD_REQUIRED ON
  C_EXTENSIONS OFF)
pottery_set_warnings(test_harness)
add_test(NAME harness COMMAND test_harness)
set_tests_properties(harness PROPERTIES TIMEOUT 180 RESOURCE_LOCK pottery_cluster)
