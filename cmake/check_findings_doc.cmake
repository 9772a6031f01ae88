# Fails when COMMITTED (docs/findings.md) differs from GENERATED (the build's findings.md).
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${GENERATED} ${COMMITTED} RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "docs/findings.md is stale: regenerate it with\n  build/findings_doc > docs/findings.md")
endif()
