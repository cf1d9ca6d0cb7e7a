# Containers and primitives, one source file per module.
list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/container.c
  ${CMAKE_CURRENT_LIST_DIR}/dict.c
  ${CMAKE_CURRENT_LIST_DIR}/timer.c)
