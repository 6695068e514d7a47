#!/usr/bin/env bash
# Builds the WebAssembly libopus and libsodium that the `wasm` preset links, from Debian's own
# source packages, into build/wasm-deps/prefix. Idempotent: a stamp records the source versions,
# the Emscripten version and every flag, and a matching stamp makes the script a no-op.
#
#   1. adds a deb-src twin of the system's Debian deb entries (if there is no deb-src yet),
#   2. installs autoconf, automake, libtool and emscripten if missing,
#   3. `apt-get source --download-only opus libsodium` into build/wasm-deps/src,
#   4. builds both with emconfigure/emmake and installs them (with their .pc files).
#
# Environment (for experiments only; CI uses the defaults):
#   STOA_WASM_DEPS_DIR     where src/, prefix/ and the stamp live (default build/wasm-deps;
#                          relative to the repository root)
#   STOA_WASM_DEPS_CFLAGS  compiler flags for both libraries (default below)
#   STOA_WASM_DEPS_OPUS_CONFIGURE  more ./configure arguments for libopus (e.g. --enable-float-approx)
set -euo pipefail
cd "$(dirname "$0")/.."

deps_dir=${STOA_WASM_DEPS_DIR:-build/wasm-deps}
# -O3 -msimd128: Opus decode and the AEAD are the listener's hot path, and LLVM autovectorises only
# with -msimd128 (WebAssembly SIMD: Chrome/Edge 91, Firefox 89, Safari 16.4, Node 16). Measured
# (docs/web-client.md): decrypt+decode 1.26x native, against 1.33x with -O2 and no SIMD;
# -flto, -mnontrapping-fptoint and skipping lrintf gained nothing; fixed-point Opus was slower;
# libopus refuses -ffast-math (unless --enable-float-approx, which changes the decoded audio, so
# the benchmark's native and wasm checksums would no longer agree). --disable-hardening (its
# assertions off) gained nothing either (2026-12, docs/performance.md, issue 14).
cflags=${STOA_WASM_DEPS_CFLAGS:--O3 -msimd128}
opus_configure=(--host=wasm32 --disable-extra-programs --disable-doc --disable-intrinsics --disable-rtcd
                --disable-stack-protector --disable-shared --enable-static)
# shellcheck disable=SC2206  # split on purpose: a list of configure arguments
opus_configure+=(${STOA_WASM_DEPS_OPUS_CONFIGURE:-})
sodium_configure=(--host=wasm32 --disable-shared --enable-static --disable-ssp --disable-asm
                  --without-pthreads --enable-minimal)
# The recipe's own version: bump it when the build steps change in a way the flags do not show.
recipe=1

say() { echo "stoa wasm-deps: $*"; }
fail() { echo "stoa wasm-deps: ERROR: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$deps_dir"
deps_dir=$(cd "$deps_dir" && pwd)
# Two scripts (ci/test.sh and ci/demo.sh) may run at once: one builds, the other waits and finds the stamp.
exec 9> "$deps_dir/.lock"
flock 9

# --- 1. a deb-src entry ----------------------------------------------------------------------
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || fail "cannot read VERSION_CODENAME from /etc/os-release"

# Prints the active deb-src entries of every apt source file (one-line and deb822 formats).
active_deb_src() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] && grep -E '^[[:space:]]*deb-src[[:space:]]' "$file" || true
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { types = ""; enabled = "yes"
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^Types:/) types = $i
             if (tolower($i) ~ /^enabled:[[:space:]]*no/) enabled = "no"
           }
           if (types ~ /deb-src/ && enabled == "yes") print FILENAME ": " types }' "$file"
  done
}

# Prints a deb822 stanza of deb-src entries mirroring every active deb entry for this release
# (suites "$codename" and "$codename-*"), keeping each entry's URIs, components and Signed-By.
deb_src_stanzas() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk -v codename="$codename" '
      /^[[:space:]]*deb[[:space:]]/ {
        options = ""; n = 2
        if ($2 ~ /^\[/) { while ($n !~ /\]$/) { options = options " " $n; n++ } options = options " " $n; n++ }
        uri = $n; suite = $(n + 1); components = ""
        for (i = n + 2; i <= NF; i++) components = components " " $i
        if (suite != codename && index(suite, codename "-") != 1) next
        signed = ""
        if (match(options, /signed-by=[^] ]+/)) signed = substr(options, RSTART + 10, RLENGTH - 10)
        printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:%s\n", uri, suite, components
        if (signed != "") printf "Signed-By: %s\n", signed
        printf "\n"
      }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    [ "$(basename "$file")" = stoa-deb-src.sources ] && continue
    awk -v codename="$codename" 'BEGIN { RS = ""; FS = "\n" }
      { types = ""; uris = ""; suites = ""; components = ""; signed = ""; enabled = "yes"
        field = ""
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^#/) continue
          if (line ~ /^[[:space:]]/) {  # a continuation line (an inline Signed-By key)
            if (field == "signed") signed = signed "\n" line
            continue
          }
          field = ""
          if (line ~ /^Types:/) types = line
          else if (line ~ /^URIs:/) uris = line
          else if (line ~ /^Suites:/) suites = line
          else if (line ~ /^Components:/) components = line
          else if (line ~ /^Signed-By:/) { signed = line; field = "signed" }
          else if (tolower(line) ~ /^enabled:[[:space:]]*no/) enabled = "no"
        }
        if (enabled == "no" || types !~ /[[:space:]]deb([[:space:]]|$)/) next
        n = split(suites, words, /[[:space:]]+/); kept = ""
        for (w = 2; w <= n; w++)
          if (words[w] == codename || index(words[w], codename "-") == 1) kept = kept " " words[w]
        if (kept == "") next
        printf "Types: deb-src\n%s\nSuites:%s\n%s\n", uris, kept, components
        if (signed != "") print signed
        printf "\n"
      }' "$file"
  done
}

if [ -z "$(active_deb_src)" ]; then
  stanzas=$(deb_src_stanzas)
  [ -n "$stanzas" ] || fail "no active 'deb' entry for $codename in /etc/apt/sources.list{,.d/} to mirror as deb-src"
  say "adding deb-src entries to /etc/apt/sources.list.d/stoa-deb-src.sources"
  printf '# Added by Stoa'"'"'s ci/build-wasm-deps.sh: the source packages of opus and libsodium.\n%s\n' "$stanzas" \
    | "${sudo[@]}" tee /etc/apt/sources.list.d/stoa-deb-src.sources > /dev/null
  say "apt-get update"
  "${sudo[@]}" apt-get update -qq || fail "apt-get update failed"
fi
has_source_index() { apt-cache showsrc libsodium 2>/dev/null | grep '^Package: libsodium' > /dev/null; }
if ! has_source_index; then
  say "apt-get update (no source index yet)"
  "${sudo[@]}" apt-get update -qq || fail "apt-get update failed"
  has_source_index || fail "apt knows no source package 'libsodium' even with a deb-src entry"
fi

# --- 2. the tools ----------------------------------------------------------------------------
missing=()
for package in autoconf automake libtool emscripten; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    || fail "could not install ${missing[*]}"
fi
# Debian's Emscripten 3.1.6 needs this under Node 20 to find its JS modules (acorn).
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

# --- 3. the stamp: what would be built -------------------------------------------------------
# The .dsc names apt-get source would fetch carry the exact versions.
dsc_names=$(apt-get source --print-uris --only-source opus libsodium 2>/dev/null \
              | awk '$2 ~ /\.dsc$/ { print $2 }' | sort)
[ "$(wc -l <<<"$dsc_names")" -eq 2 ] || fail "apt-get source --print-uris did not name both source packages: $dsc_names"
emcc_version=$(emcc --version 2>/dev/null | head -1)
stamp_text=$(printf 'recipe %s\nsources %s\nemcc %s\ncflags %s\nopus %s\nsodium %s\n' \
  "$recipe" "$(tr '\n' ' ' <<<"$dsc_names")" "$emcc_version" "$cflags" "${opus_configure[*]}" "${sodium_configure[*]}")
prefix="$deps_dir/prefix"
stamp="$deps_dir/stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] \
   && [ -f "$prefix/lib/libopus.a" ] && [ -f "$prefix/lib/libsodium.a" ] \
   && [ -f "$prefix/lib/pkgconfig/opus.pc" ] && [ -f "$prefix/lib/pkgconfig/libsodium.pc" ]; then
  say "up to date ($(tr '\n' ' ' <<<"$dsc_names")cflags '$cflags') in $prefix"
  exit 0
fi

# --- 4. fetch, extract, build ----------------------------------------------------------------
started=$(date +%s)
src="$deps_dir/src"
logs="$deps_dir/logs"
rm -rf "$src" "$prefix" "$stamp"
mkdir -p "$src" "$logs" "$prefix"

say "fetching $(tr '\n' ' ' <<<"$dsc_names")into $src"
(cd "$src" && apt-get source --download-only --only-source opus libsodium > "$logs/apt-source.log" 2>&1) \
  || { cat "$logs/apt-source.log" >&2; fail "apt-get source failed"; }

# extract PACKAGE: unpacks the upstream tarball alone (no Debian patches) and prints its directory.
extract() {
  local package=$1 tarball directory
  tarball=$(ls "$src/${package}_"*.orig.tar.* 2>/dev/null | head -1)
  [ -n "$tarball" ] || fail "no upstream tarball for $package in $src"
  directory="$src/$package"
  mkdir -p "$directory"
  tar -xf "$tarball" -C "$directory" --strip-components=1 || fail "cannot extract $tarball"
  echo "$directory"
}

# run STEP LOG COMMAND...: runs a build step into a log; on failure shows the log's end.
run() {
  local step=$1 log=$2
  shift 2
  say "  $step"
  if ! "$@" > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "$step failed (full log: $log)"
  fi
}

jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2  # a shared two-core machine

opus_dir=$(extract opus)
say "building libopus ($(basename "$(ls "$src"/opus_*.orig.tar.*)"), CFLAGS '$cflags')"
(
  cd "$opus_dir"
  run "configure" "$logs/opus-configure.log" \
    emconfigure ./configure "${opus_configure[@]}" --prefix="$prefix" CFLAGS="$cflags"
  run "make install" "$logs/opus-make.log" emmake make -j"$jobs" install
)

sodium_dir=$(extract libsodium)
say "building libsodium ($(basename "$(ls "$src"/libsodium_*.orig.tar.*)"), CFLAGS '$cflags')"
(
  cd "$sodium_dir"
  if [ ! -x configure ]; then
    run "autogen.sh -s" "$logs/sodium-autogen.log" ./autogen.sh -s
  fi
  run "configure" "$logs/sodium-configure.log" \
    emconfigure ./configure "${sodium_configure[@]}" --prefix="$prefix" CFLAGS="$cflags"
  run "make install" "$logs/sodium-make.log" emmake make -j"$jobs" install
)

for file in lib/libopus.a lib/libsodium.a lib/pkgconfig/opus.pc lib/pkgconfig/libsodium.pc \
            include/opus/opus.h include/sodium.h; do
  [ -f "$prefix/$file" ] || fail "the build did not install $prefix/$file"
done
printf '%s\n' "$stamp_text" > "$stamp"
say "built in $(( $(date +%s) - started )) s into $prefix"
