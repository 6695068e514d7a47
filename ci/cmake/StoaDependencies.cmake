# Every dependency comes from a Debian package (installed by ci/setup.sh) and is found here.
find_package(PkgConfig REQUIRED)
# nlohmann-json is for the native tools only (server config, stoa-bot, stoa-load): the core
# speaks JSON through core/proto's own reader and writer. The WebAssembly build defines no
# nlohmann target at all, so a dependency on it there fails at configure time.
if(NOT EMSCRIPTEN)
  find_package(nlohmann_json 3.10 REQUIRED)
endif()

if(EMSCRIPTEN)
  # The WebAssembly libopus and libsodium built by ci/build-wasm-deps.sh, found like the native
  # ones: pkg-config reads only the prefix's .pc files (never the host's), and the prefix joins
  # the find roots, since Emscripten's toolchain confines find_library to its sysroot.
  set(STOA_WASM_DEPS_PREFIX "${PROJECT_SOURCE_DIR}/build/wasm-deps/prefix" CACHE PATH
      "Prefix of the Emscripten-built libopus and libsodium (made by ci/build-wasm-deps.sh)")
  if(NOT EXISTS "${STOA_WASM_DEPS_PREFIX}/lib/pkgconfig/opus.pc"
     OR NOT EXISTS "${STOA_WASM_DEPS_PREFIX}/lib/pkgconfig/libsodium.pc")
    message(FATAL_ERROR "No WebAssembly libopus/libsodium in ${STOA_WASM_DEPS_PREFIX}: "
                        "run 'bash ci/build-wasm-deps.sh' first")
  endif()
  set(ENV{PKG_CONFIG_LIBDIR} "${STOA_WASM_DEPS_PREFIX}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
  list(APPEND CMAKE_FIND_ROOT_PATH "${STOA_WASM_DEPS_PREFIX}")
endif()

pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus>=1.3)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)

if(NOT EMSCRIPTEN)
  if(STOA_BUILD_SERVER OR STOA_BUILD_LOADGEN)
    find_package(Boost 1.74 REQUIRED COMPONENTS system)
  endif()
  if(STOA_BUILD_LOADGEN OR STOA_BUILD_FUZZERS)
    # stoa-load's scenario files (loadgen/scenario, also fuzzed); used header-only, see there.
    find_package(tomlplusplus 3 REQUIRED)
  endif()
  if(STOA_BUILD_TESTS)
    find_package(Catch2 2.13 REQUIRED)
    include(Catch)
  endif()
  if(STOA_BUILD_BENCHMARKS)
    find_package(benchmark REQUIRED)
  endif()
endif()
