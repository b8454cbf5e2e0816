# ctai_embed(OUTPUT <file.cpp> FUNCTION <name> FILES <files...>)
# Generates at build time a C++ source defining
#   std::span<const ctai::detail::EmbeddedFile> ctai::detail::<name>();
# holding the name (file name without directory) and content of each file, in name order.
# Used for the schema migrations and the built-in contracts: data, embedded in the library.
set(CTAI_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/CtaiEmbedScript.cmake)
function(ctai_embed)
  cmake_parse_arguments(E "" "OUTPUT;FUNCTION" "FILES" ${ARGN})
  list(SORT E_FILES)
  add_custom_command(OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DFUNCTION=${E_FUNCTION}
            "-DFILES=${E_FILES}" -P ${CTAI_EMBED_SCRIPT}
    DEPENDS ${E_FILES} ${CTAI_EMBED_SCRIPT}
    COMMENT "Embedding ${E_FUNCTION}"
    VERBATIM)
endfunction()
