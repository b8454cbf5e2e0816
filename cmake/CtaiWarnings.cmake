# Warnings for libctai's own targets. Warnings are errors only when asked (CI), never
# imposed on consumers.
function(ctai_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(CTAI_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
    # g++ 12 reports false -Wrestrict positives inside libstdc++'s std::string at -O3
    # (GCC bug 105329): kept as a warning, not an error.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-error=restrict)
    endif()
  endif()
endfunction()
