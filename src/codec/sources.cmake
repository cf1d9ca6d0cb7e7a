list(APPEND POTTERY_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/access.c
  ${CMAKE_CURRENT_LIST_DIR}/compare.c
  ${CMAKE_CURRENT_LIST_DIR}/composite.c
  ${CMAKE_CURRENT_LIST_DIR}/float_repr.c
  ${CMAKE_CURRENT_LIST_DIR}/json_node.c
  ${CMAKE_CURRENT_LIST_DIR}/json_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/json_write.c
  ${CMAKE_CURRENT_LIST_DIR}/repr.c
  ${CMAKE_CURRENT_LIST_DIR}/unicode_printable.c
  ${CMAKE_CURRENT_LIST_DIR}/utf8.c
  ${CMAKE_CURRENT_LIST_DIR}/value.c)
