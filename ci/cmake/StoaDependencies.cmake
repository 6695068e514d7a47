# Every dependency comes from a Debian package (installed by ci/setup.sh) and is found here.
find_package(PkgConfig REQUIRED)
if(EMSCRIPTEN)
  # nlohmann-json is header-only: stage Debian's headers alone, so no other host header (libc,
  # libopus) can leak into the WebAssembly include path.
  set(stoa_json_headers "${CMAKE_BINARY_DIR}/host-headers")
  file(COPY /usr/include/nlohmann DESTINATION "${stoa_json_headers}")
  add_library(nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${stoa_json_headers}")
  add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
else()
  find_package(nlohmann_json 3.10 REQUIRED)
endif()

if(EMSCRIPTEN)
  # The WebAssembly builds of libopus and libsodium made by ci/build-wasm-deps.sh.
  set(STOA_WASM_DEPS_PREFIX "${CMAKE_BINARY_DIR}/wasm-deps" CACHE PATH "Prefix of the Emscripten-built libopus and libsodium")
  list(PREPEND CMAKE_PREFIX_PATH "${STOA_WASM_DEPS_PREFIX}")
  set(ENV{PKG_CONFIG_LIBDIR} "${STOA_WASM_DEPS_PREFIX}/lib/pkgconfig")
endif()

if(EMSCRIPTEN)
  # Until ci/build-wasm-deps.sh has run, the WebAssembly build has only the modules that need neither library.
  pkg_check_modules(OPUS IMPORTED_TARGET opus>=1.3)
  pkg_check_modules(SODIUM IMPORTED_TARGET libsodium>=1.0.18)
else()
  pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus>=1.3)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
endif()

if(NOT EMSCRIPTEN)
  if(STOA_BUILD_SERVER OR STOA_BUILD_LOADGEN)
    find_package(Boost 1.74 REQUIRED COMPONENTS system)
  endif()
  if(STOA_BUILD_TESTS)
    find_package(Catch2 2.13 REQUIRED)
    include(Catch)
  endif()
  if(STOA_BUILD_BENCHMARKS)
    find_package(benchmark REQUIRED)
  endif()
endif()
