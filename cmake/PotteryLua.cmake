# Server-side scripts live in src/lua/<name>.lua, one per file (parts several scripts share
# in src/lua/include/<part>.lua); this generates the C that embeds them (lua_scripts.c /
# lua_scripts.h in the build tree) whenever one changes.
file(GLOB POTTERY_LUA_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/lua/*.lua)
file(GLOB POTTERY_LUA_PARTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/lua/include/*.lua)
list(SORT POTTERY_LUA_SCRIPTS)
set(POTTERY_LUA_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${POTTERY_LUA_DIR})
add_custom_command(
  OUTPUT ${POTTERY_LUA_DIR}/lua_scripts.c ${POTTERY_LUA_DIR}/lua_scripts.h
  COMMAND ${CMAKE_COMMAND} -DOUT_C=${POTTERY_LUA_DIR}/lua_scripts.c -DOUT_H=${POTTERY_LUA_DIR}/lua_scripts.h
          "-DSCRIPTS=${POTTERY_LUA_SCRIPTS}" -DINCLUDE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/src/lua/include
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedLua.cmake
  DEPENDS ${POTTERY_LUA_SCRIPTS} ${POTTERY_LUA_PARTS} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedLua.cmake
  COMMENT "Embedding src/lua/*.lua"
  VERBATIM)
list(APPEND POTTERY_SOURCES ${POTTERY_LUA_DIR}/lua_scripts.c)
# A script is one string literal: longer than the 4095 characters C99 guarantees, which
# GCC and Clang accept but -Wpedantic reports.
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set_source_files_properties(${POTTERY_LUA_DIR}/lua_scripts.c PROPERTIES COMPILE_OPTIONS -Wno-overlength-strings)
endif()
