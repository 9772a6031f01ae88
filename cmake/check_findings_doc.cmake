# Fails when COMMITTED (a docs/ page) differs from GENERATED (the build's copy).
# TOOL names the generator (default findings_doc) for the message.
if(NOT TOOL)
  set(TOOL findings_doc)
endif()
get_filename_component(page ${COMMITTED} NAME)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${GENERATED} ${COMMITTED} RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "docs/${page} is stale: regenerate it with\n  build/${TOOL} > docs/${page}")
endif()
