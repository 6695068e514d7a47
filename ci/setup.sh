#!/usr/bin/env bash
# Installs every Debian package Stoa needs to build, test and run, and the browser tests' npm
# packages. Idempotent: packages already present are left alone, and apt's lists are refreshed
# only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libopus-dev libsodium-dev nlohmann-json3-dev libboost-dev libboost-system-dev libssl-dev liburing-dev
  nats-server libnats-dev
  catch2 libbenchmark-dev libtomlplusplus-dev
  clang lld libclang-rt-14-dev
  emscripten nodejs autoconf automake libtool
  espeak-ng sox curl brotli librsvg2-bin pngquant optipng esbuild
  chromium
  # The browser tests' other engines: Firefox ESR (headless), WebKitGTK's MiniBrowser and
  # WebKitWebDriver on an Xvfb display, and PulseAudio for a null sink (tests/web/engines).
  firefox-esr webkit2gtk-driver xvfb pulseaudio
)

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "stoa setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "stoa setup: all ${#packages[@]} packages present"
fi

# The browser tests' npm packages (playwright-core, puppeteer-core and selenium-webdriver, pinned
# by tests/web/package-lock.json; they drive Debian's chromium, firefox-esr and WebKitWebDriver and
# download no browser). Skipped while the lockfile is unchanged.
if command -v npm > /dev/null; then
  bash "$(dirname "${BASH_SOURCE[0]}")/../tests/web/run.sh" --install
else
  echo "stoa setup: npm is missing, so the browser tests (tests/web) cannot run"
fi
