# Writes the staged service worker: web/sw.js with its build id and file list filled in.
# Run with cmake -P and -DSOURCE=web/sw.js -DOUTPUT=<staged sw.js> -DROOT=<staged web root>
#   -DFILES="a.js|b.css|..." (the staged files, relative to ROOT, '|'-separated)
#   -DLAZY_REGEX=<files cached on first use rather than at install>.
# The build id is a hash of every listed file's contents, so any change to the client makes a new
# cache and the old one is deleted when the new worker activates (docs/web-client.md, "PWA").
string(REPLACE "|" ";" files "${FILES}")
list(SORT files)
set(digests "")
set(precache "")
set(lazy "")
foreach(relative ${files})
  file(SHA256 "${ROOT}/${relative}" digest)
  string(APPEND digests "${relative} ${digest}\n")
  if(LAZY_REGEX AND relative MATCHES "${LAZY_REGEX}")
    string(APPEND lazy "\"${relative}\", ")
  else()
    string(APPEND precache "\"${relative}\", ")
  endif()
endforeach()
string(SHA256 build "${digests}")
string(SUBSTRING "${build}" 0 16 build)
file(READ "${SOURCE}" text)
string(REPLACE "\"__STOA_BUILD__\"" "\"${build}\"" text "${text}")
string(REPLACE "[\"__STOA_PRECACHE__\"]" "[${precache}]" text "${text}")
string(REPLACE "[\"__STOA_LAZY__\"]" "[${lazy}]" text "${text}")
file(WRITE "${OUTPUT}" "${text}")
