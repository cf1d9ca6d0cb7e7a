# Connection layer: the only code that talks to hiredis (through hiredis_compat.h).
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/bulk.c
  ${CMAKE_CURRENT_LIST_DIR}/client.c
  ${CMAKE_CURRENT_LIST_DIR}/cluster.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd.c
  ${CMAKE_CURRENT_LIST_DIR}/exec.c
  ${CMAKE_CURRENT_LIST_DIR}/fanout.c
  ${CMAKE_CURRENT_LIST_DIR}/fanout_votes.c
  ${CMAKE_CURRENT_LIST_DIR}/io.c
  ${CMAKE_CURRENT_LIST_DIR}/pool.c
  ${CMAKE_CURRENT_LIST_DIR}/sentinel.c
  ${CMAKE_CURRENT_LIST_DIR}/keys.c
  ${CMAKE_CURRENT_LIST_DIR}/random.c
  ${CMAKE_CURRENT_LIST_DIR}/reply.c
  ${CMAKE_CURRENT_LIST_DIR}/scan.c
  ${CMAKE_CURRENT_LIST_DIR}/script.c
  ${CMAKE_CURRENT_LIST_DIR}/sha1.c
  ${CMAKE_CURRENT_LIST_DIR}/slots.c
  ${CMAKE_CURRENT_LIST_DIR}/stream_txn.c
  ${CMAKE_CURRENT_LIST_DIR}/txn.c
  ${CMAKE_CURRENT_LIST_DIR}/url.c
  ${CMAKE_CURRENT_LIST_DIR}/value.c)
