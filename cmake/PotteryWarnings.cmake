# Compiler warnings for libpottery's own targets (never imposed on a parent project).
function(pottery_set_warnings target)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
      -Wmissing-prototypes -Wno-unused-parameter)
    if(POTTERY_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
