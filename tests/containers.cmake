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
# Redis Cluster: routing, redirections, resharding and failover on a private 3+3 cluster.
pottery_add_test(cluster pottery_test_support Threads::Threads)
set_tests_properties(cluster PROPERTIES RUN_SERIAL TRUE TIMEOUT 300)
# Redis Cluster: operations combining two keys, in one hash slot and across slots.
pottery_add_test(cluster_ops pottery_test_support)
