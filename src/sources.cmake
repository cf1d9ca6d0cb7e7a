# Containers and primitives, one source file per module.
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/container.c
  ${CMAKE_CURRENT_LIST_DIR}/dict.c
  ${CMAKE_CURRENT_LIST_DIR}/hash_snapshot.c
  ${CMAKE_CURRENT_LIST_DIR}/timer.c)
list(APPEND POTTERY_SOURCES ${CMAKE_CURRENT_LIST_DIR}/nextid.c ${CMAKE_CURRENT_LIST_DIR}/nextid_core.c)
list(APPEND POTTERY_SOURCES ${CMAKE_CURRENT_LIST_DIR}/cache.c ${CMAKE_CURRENT_LIST_DIR}/cache_field.c)
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/cached_ordered_dict.c
  ${CMAKE_CURRENT_LIST_DIR}/cached_ordered_dict_view.c)
list(APPEND POTTERY_SOURCES ${CMAKE_CURRENT_LIST_DIR}/hll.c)
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/lock_quorum.c
  ${CMAKE_CURRENT_LIST_DIR}/rlock.c
  ${CMAKE_CURRENT_LIST_DIR}/rwlock.c)
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/bloom.c
  ${CMAKE_CURRENT_LIST_DIR}/bloom_batch.c
  ${CMAKE_CURRENT_LIST_DIR}/bloom_hash.c)
# Modules being added; each joins the list above once it is complete.
foreach(module set list deque counter queue redlock)
  file(GLOB _module_sources ${CMAKE_CURRENT_LIST_DIR}/${module}.c ${CMAKE_CURRENT_LIST_DIR}/${module}_*.c)
  list(APPEND POTTERY_SOURCES ${_module_sources})
endforeach()
# The event-loop API: connections (a sentinel URL's master located without blocking), fan-out,
# and the asynchronous lock and id generator.
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/async/aconn.c
  ${CMAKE_CURRENT_LIST_DIR}/async/adeliver.c
  ${CMAKE_CURRENT_LIST_DIR}/async/afanout.c
  ${CMAKE_CURRENT_LIST_DIR}/async/asentinel.c
  ${CMAKE_CURRENT_LIST_DIR}/aioredlock.c
  ${CMAKE_CURRENT_LIST_DIR}/aiowatchdog.c
  ${CMAKE_CURRENT_LIST_DIR}/aionextid.c)
# Coordination: the counting semaphore and the rate limiter.
list(APPEND POTTERY_SOURCES ${CMAKE_CURRENT_LIST_DIR}/semaphore.c ${CMAKE_CURRENT_LIST_DIR}/ratelimit.c)
list(APPEND POTTERY_SOURCES ${CMAKE_CURRENT_LIST_DIR}/rqueue.c)
