# Script mode: turn src/lua/*.lua into C, so that server-side scripts are written, read and
# reviewed as Lua files yet need nothing at run time.
#   cmake -DOUT_C=<lua_scripts.c> -DOUT_H=<lua_scripts.h> -DSCRIPTS=<a.lua;b.lua>
#         -DINCLUDE_DIR=<src/lua/include> -P EmbedLua.cmake
# Each <name>.lua becomes `const pottery_script pottery__lua_<name>` (conn/conn.h), and
# pottery__lua_all[] lists every script for the test that loads them all into a server.
# A line `--@include <part>` is replaced by INCLUDE_DIR/<part>.lua: Lua shared by several
# scripts (Redis runs each script alone, so the text must be repeated in each).
set(decls "")
set(defs "")
set(table "")
set(count 0)
foreach(path IN LISTS SCRIPTS)
  get_filename_component(name "${path}" NAME_WE)
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "Lua script names are lower_case identifiers: ${path}")
  endif()
  file(READ "${path}" text)
  if(NOT text MATCHES "^--")
    message(FATAL_ERROR "${path} must start with a -- comment saying what it does, its KEYS and ARGV")
  endif()
  while(text MATCHES "(^|\n)--@include ([a-z0-9_]+)")
    set(part "${CMAKE_MATCH_2}")
    if(NOT EXISTS "${INCLUDE_DIR}/${part}.lua")
      message(FATAL_ERROR "${path}: --@include ${part}: no ${INCLUDE_DIR}/${part}.lua")
    endif()
    file(READ "${INCLUDE_DIR}/${part}.lua" part_text)
    string(REPLACE "--@include ${part}\n" "${part_text}" text "${text}")
  endwhile()
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  # One C literal per line of Lua, cut with string(FIND): CMake lists would mangle the
  # `;`, `[` and `]` that Lua is full of.
  set(literal "")
  if(NOT text MATCHES "\n$")
    string(APPEND text "\n")
  endif()
  while(NOT text STREQUAL "")
    string(FIND "${text}" "\n" eol)
    string(SUBSTRING "${text}" 0 ${eol} line)
    math(EXPR rest "${eol} + 1")
    string(SUBSTRING "${text}" ${rest} -1 text)
    string(APPEND literal "    \"${line}\\n\"\n")
  endwhile()
  string(APPEND decls "extern const pottery_script pottery__lua_${name};\n")
  string(APPEND defs "const pottery_script pottery__lua_${name} = {\n    \"${name}\",\n${literal}};\n\n")
  string(APPEND table "    &pottery__lua_${name},\n")
  math(EXPR count "${count} + 1")
endforeach()

file(WRITE "${OUT_H}.tmp" "/* Generated from src/lua/<name>.lua by cmake/EmbedLua.cmake: do not edit. */
#ifndef POTTERY_LUA_SCRIPTS_H
#define POTTERY_LUA_SCRIPTS_H

#include <stddef.h>

#include \"conn/conn.h\"

${decls}
/* Every script, for the test that loads them all into a real server. */
extern const pottery_script *const pottery__lua_all[];
extern const size_t pottery__lua_count;

#endif
")
file(WRITE "${OUT_C}.tmp" "/* Generated from src/lua/<name>.lua by cmake/EmbedLua.cmake: do not edit. */
#include \"lua_scripts.h\"

${defs}const pottery_script *const pottery__lua_all[] = {
${table}    NULL
};
const size_t pottery__lua_count = ${count};
")
# Rewrite only what changed, so an unchanged script recompiles nothing.
foreach(out "${OUT_H}" "${OUT_C}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${out}.tmp" "${out}")
  file(REMOVE "${out}.tmp")
endforeach()
