# Stages a web root in the build tree with a gzip twin of every compressible file, so the relay
# sends pre-compressed bytes and never compresses on the fly (used by server/ and wasm/).

# stoa_stage_web(TARGET name DESTINATION dir [TREES dir...] [FILES file... DEPENDS target...])
#   TREES: every file under each directory, at its path relative to that directory (globbed with
#          CONFIGURE_DEPENDS, so added files are picked up by the next build);
#   FILES: files copied flat into DESTINATION; when they are outputs of targets, name those
#          targets in DEPENDS (a file is then copied whenever its target relinks).
# The custom target TARGET is part of ALL. Two sources may not stage to the same path.
function(stoa_stage_web)
  cmake_parse_arguments(ARG "" "TARGET;DESTINATION" "TREES;FILES;DEPENDS" ${ARGN})
  set(sources "")
  set(relatives "")
  foreach(tree ${ARG_TREES})
    file(GLOB_RECURSE tree_files CONFIGURE_DEPENDS "${tree}/*")
    foreach(source ${tree_files})
      file(RELATIVE_PATH relative "${tree}" "${source}")
      if(NOT relative MATCHES "\\.gz$")  # twins are made here, never copied
        list(APPEND sources "${source}")
        list(APPEND relatives "${relative}")
      endif()
    endforeach()
  endforeach()
  foreach(source ${ARG_FILES})
    get_filename_component(relative "${source}" NAME)
    list(APPEND sources "${source}")
    list(APPEND relatives "${relative}")
  endforeach()

  set(outputs "")
  set(staged_relatives "")
  foreach(source relative IN ZIP_LISTS sources relatives)
    if(relative IN_LIST staged_relatives)
      message(FATAL_ERROR "stoa_stage_web(${ARG_TARGET}): two sources stage to '${relative}' (one is ${source})")
    endif()
    list(APPEND staged_relatives "${relative}")
    set(staged "${ARG_DESTINATION}/${relative}")
    if(source IN_LIST ARG_FILES AND ARG_DEPENDS)
      set(depends ${ARG_DEPENDS})
    else()
      set(depends "${source}")
    endif()
    add_custom_command(OUTPUT "${staged}"
      COMMAND ${CMAKE_COMMAND} -E copy "${source}" "${staged}"
      DEPENDS ${depends} VERBATIM)
    list(APPEND outputs "${staged}")
    if(relative MATCHES "\\.(html|htm|js|mjs|css|json|map|wasm|svg|txt)$")
      add_custom_command(OUTPUT "${staged}.gz"
        COMMAND gzip -9 -n -k -f "${staged}"
        DEPENDS "${staged}" VERBATIM)
      list(APPEND outputs "${staged}.gz")
    endif()
  endforeach()
  add_custom_target(${ARG_TARGET} ALL DEPENDS ${outputs})
  if(ARG_DEPENDS)
    add_dependencies(${ARG_TARGET} ${ARG_DEPENDS})
  endif()
endfunction()
