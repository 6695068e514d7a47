# Stages a web root in the build tree with a gzip and a brotli twin of every compressible file, so
# the relay sends pre-compressed bytes and never compresses on the fly (used by server/ and wasm/).
# Brotli (Debian's `brotli`, installed by ci/setup.sh) is about a fifth smaller than gzip on the
# wasm; browsers take it over HTTPS and from localhost, gzip elsewhere.
find_program(STOA_BROTLI brotli REQUIRED)
# The installable app's PNG icons are rendered from our SVGs at build time (Debian's librsvg2-bin,
# installed by ci/setup.sh): icons/NAME.svg gives icons/NAME-192.png and icons/NAME-512.png.
find_program(STOA_RSVG_CONVERT rsvg-convert REQUIRED)
# ...reduced to a 16-colour palette by pngquant and recompressed by optipng (Debian's pngquant and
# optipng): the browser fetches the 512 px icon on a first visit, and rsvg-convert's RGBA PNG is four
# times the size it needs to be. The icons are two flat colours, so 16 colours keep their antialiased
# edges (4,453 bytes for the 512 px icon through optipng alone, 2,387 through both).
find_program(STOA_PNGQUANT pngquant REQUIRED)
find_program(STOA_OPTIPNG optipng REQUIRED)
# JavaScript and CSS are staged minified (Debian's esbuild, installed by ci/setup.sh): about a third
# smaller after brotli, which is what keeps a listener's first visit under 250 KB. Each file is
# minified on its own, except the BUNDLES entries (the page's module graph, web/app.js): an entry is
# staged as one bundle of every module it imports (3.6 KB less after brotli than the same modules
# apart), and those modules, still staged, are left out of the service worker's install list.
# Worklets, the worker and its classic scripts stay separate files under their own URLs.
# -DSTOA_WEB_MINIFY=OFF stages the sources as written, unbundled (for debugging in a browser).
option(STOA_WEB_MINIFY "Stage the web client's JavaScript and CSS minified (esbuild)" ON)
if(STOA_WEB_MINIFY)
  find_program(STOA_ESBUILD esbuild REQUIRED)
endif()
set(STOA_STAMP_SERVICE_WORKER "${CMAKE_CURRENT_LIST_DIR}/StoaStampServiceWorker.cmake")

# stoa_stage_web(TARGET name DESTINATION dir [TREES dir...] [BUNDLES relative...]
#                [FILES file... DEPENDS target...])
#   TREES: every file under each directory, at its path relative to that directory (globbed with
#          CONFIGURE_DEPENDS, so added files are picked up by the next build);
#   FILES: files copied flat into DESTINATION; when they are outputs of targets, name those
#          targets in DEPENDS (a file is then copied whenever its target relinks);
#   BUNDLES: ES module entries under TREES (relative paths) staged as one bundle each (minified
#          builds only); esbuild's metafile says which modules went in.
# The custom target TARGET is part of ALL. Two sources may not stage to the same path.
# A staged sw.js is not copied but stamped (StoaStampServiceWorker.cmake) with a build id hashed
# from every other staged file and the list of them to cache; the encoder module (loaded only when
# a member unmutes) is cached on first use instead of at install.
function(stoa_stage_web)
  cmake_parse_arguments(ARG "" "TARGET;DESTINATION" "TREES;BUNDLES;FILES;DEPENDS" ${ARGN})
  set(sources "")
  set(relatives "")
  set(source_roots "")  # per source: the tree it came from, or "" for FILES
  foreach(tree ${ARG_TREES})
    file(GLOB_RECURSE tree_files CONFIGURE_DEPENDS "${tree}/*")
    foreach(source ${tree_files})
      file(RELATIVE_PATH relative "${tree}" "${source}")
      if(NOT relative MATCHES "\\.(gz|br)$")  # twins are made here, never copied
        list(APPEND sources "${source}")
        list(APPEND relatives "${relative}")
        list(APPEND source_roots "${tree}")
      endif()
    endforeach()
  endforeach()
  # Every script under the trees: a bundle is rebuilt when any module it might import changes.
  set(tree_scripts "")
  foreach(source ${sources})
    if(source MATCHES "\\.m?js$")
      list(APPEND tree_scripts "${source}")
    endif()
  endforeach()
  foreach(source ${ARG_FILES})
    get_filename_component(relative "${source}" NAME)
    list(APPEND sources "${source}")
    list(APPEND relatives "${relative}")
    list(APPEND source_roots "")
  endforeach()

  # PNG icons rendered from the SVG icons, staged like any other file.
  set(rendered_sources "")
  set(rendered_relatives "")
  set(rendered_outputs "")
  foreach(source relative IN ZIP_LISTS sources relatives)
    if(relative MATCHES "^icons/([^/]+)\\.svg$")
      foreach(size 192 512)
        set(png "${ARG_DESTINATION}/icons/${CMAKE_MATCH_1}-${size}.png")
        add_custom_command(OUTPUT "${png}"
          COMMAND ${CMAKE_COMMAND} -E make_directory "${ARG_DESTINATION}/icons"
          COMMAND ${STOA_RSVG_CONVERT} --width=${size} --height=${size} --output "${png}" "${source}"
          COMMAND ${STOA_PNGQUANT} --force --strip --speed 1 --output "${png}" 16 "${png}"
          COMMAND ${STOA_OPTIPNG} -quiet -o5 -strip all "${png}"
          DEPENDS "${source}" VERBATIM)
        list(APPEND rendered_outputs "${png}")
        list(APPEND rendered_relatives "icons/${CMAKE_MATCH_1}-${size}.png")
      endforeach()
    endif()
  endforeach()

  set(outputs ${rendered_outputs})
  set(staged_relatives ${rendered_relatives})
  set(service_worker "")
  set(bundle_metafiles "")
  foreach(source relative root IN ZIP_LISTS sources relatives source_roots)
    if(relative IN_LIST staged_relatives)
      message(FATAL_ERROR "stoa_stage_web(${ARG_TARGET}): two sources stage to '${relative}' (one is ${source})")
    endif()
    list(APPEND staged_relatives "${relative}")
    set(staged "${ARG_DESTINATION}/${relative}")
    if(relative STREQUAL "sw.js")
      set(service_worker "${source}")
      continue()
    endif()
    if(source IN_LIST ARG_FILES AND ARG_DEPENDS)
      set(depends ${ARG_DEPENDS})
    else()
      set(depends "${source}")
    endif()
    if(STOA_WEB_MINIFY AND relative IN_LIST ARG_BUNDLES)
      if(root STREQUAL "")
        message(FATAL_ERROR "stoa_stage_web(${ARG_TARGET}): bundle entry '${relative}' must come from TREES")
      endif()
      # Run from the tree's root, so the metafile names each input by its staged path.
      set(metafile "${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}-bundles/${relative}.json")
      add_custom_command(OUTPUT "${staged}" "${metafile}"
        COMMAND ${STOA_ESBUILD} "${relative}" --bundle --format=esm --minify --log-level=warning
                "--metafile=${metafile}" "--outfile=${staged}"
        WORKING_DIRECTORY "${root}"
        DEPENDS ${tree_scripts} VERBATIM)
      list(APPEND bundle_metafiles "${metafile}")
    elseif(STOA_WEB_MINIFY AND relative MATCHES "\\.(js|mjs|css)$")
      # Whitespace, syntax and local names only: top-level and property names stay (pages and
      # tests reach window.stoaApp and the C API by name).
      add_custom_command(OUTPUT "${staged}"
        COMMAND ${STOA_ESBUILD} "${source}" --minify --log-level=warning "--outfile=${staged}"
        DEPENDS ${depends} VERBATIM)
    else()
      add_custom_command(OUTPUT "${staged}"
        COMMAND ${CMAKE_COMMAND} -E copy "${source}" "${staged}"
        DEPENDS ${depends} VERBATIM)
    endif()
    list(APPEND outputs "${staged}")
    if(relative MATCHES "\\.(html|htm|js|mjs|css|json|map|wasm|svg|txt|webmanifest)$")
      add_custom_command(OUTPUT "${staged}.gz"
        COMMAND gzip -9 -n -k -f "${staged}"
        DEPENDS "${staged}" VERBATIM)
      list(APPEND outputs "${staged}.gz")
      add_custom_command(OUTPUT "${staged}.br"
        COMMAND ${STOA_BROTLI} --best -k -f -o "${staged}.br" "${staged}"
        DEPENDS "${staged}" VERBATIM)
      list(APPEND outputs "${staged}.br")
    endif()
  endforeach()
  if(service_worker)
    # Everything staged but the worker itself and config.json (the relay list: network only).
    set(cached "")
    set(cached_outputs "")
    foreach(relative ${staged_relatives})
      if(NOT relative STREQUAL "sw.js" AND NOT relative STREQUAL "config.json")
        list(APPEND cached "${relative}")
        list(APPEND cached_outputs "${ARG_DESTINATION}/${relative}")
      endif()
    endforeach()
    string(REPLACE ";" "|" cached_joined "${cached}")
    string(REPLACE ";" "|" metafiles_joined "${bundle_metafiles}")
    set(staged "${ARG_DESTINATION}/sw.js")
    add_custom_command(OUTPUT "${staged}"
      COMMAND ${CMAKE_COMMAND} -DSOURCE=${service_worker} -DOUTPUT=${staged} -DROOT=${ARG_DESTINATION}
              -DFILES=${cached_joined} "-DLAZY_REGEX=^(stoa-encoder|capture-worklet|icons/|manifest)"
              -DBUNDLE_METAFILES=${metafiles_joined} -P ${STOA_STAMP_SERVICE_WORKER}
      DEPENDS "${service_worker}" "${STOA_STAMP_SERVICE_WORKER}" ${cached_outputs} ${bundle_metafiles} VERBATIM)
    if(STOA_WEB_MINIFY)
      set(minify_worker COMMAND ${STOA_ESBUILD} "${staged}" --minify --log-level=warning --allow-overwrite "--outfile=${staged}")
      add_custom_command(OUTPUT "${staged}" APPEND ${minify_worker})
    endif()
    list(APPEND outputs "${staged}")
    foreach(twin gz br)
      if(twin STREQUAL "gz")
        add_custom_command(OUTPUT "${staged}.gz" COMMAND gzip -9 -n -k -f "${staged}" DEPENDS "${staged}" VERBATIM)
      else()
        add_custom_command(OUTPUT "${staged}.br" COMMAND ${STOA_BROTLI} --best -k -f -o "${staged}.br" "${staged}"
                           DEPENDS "${staged}" VERBATIM)
      endif()
      list(APPEND outputs "${staged}.${twin}")
    endforeach()
  endif()
  add_custom_target(${ARG_TARGET} ALL DEPENDS ${outputs})
  if(ARG_DEPENDS)
    add_dependencies(${ARG_TARGET} ${ARG_DEPENDS})
  endif()
endfunction()
