# Allocation-failure tests (-DPOTTERY_ALLOC_FAIL=ON builds only; scripts/test.sh's build is
# one): each program fails every library allocation of every public operation of its
# modules in turn (tests/support/oom.h).
if(POTTERY_ALLOC_FAIL)
  foreach(group dict set list deque counter queue)
    pottery_add_test(oom_${group} pottery_test_support)
  endforeach()
endif()
