# Allocation-failure tests (-DPOTTERY_ALLOC_FAIL=ON builds only; scripts/test.sh's build is
# one): each program fails every library allocation of every public operation of its
# modules in turn (tests/support/oom.h).
if(POTTERY_ALLOC_FAIL)
  foreach(group dict set list deque counter queue value)
    pottery_add_test(oom_${group} pottery_test_support)
  endforeach()
  # test_oom_value starts a Redis Cluster of its own (and sentinels).
  set_tests_properties(oom_value PROPERTIES RESOURCE_LOCK pottery_cluster)
endif()
