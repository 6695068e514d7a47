#!/usr/bin/env bash
# Installs every Debian package Stoa needs to build, test and run. Idempotent: packages already
# present are left alone, and apt's lists are refreshed only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libopus-dev libsodium-dev nlohmann-json3-dev libboost-dev libboost-system-dev libssl-dev
  catch2 libbenchmark-dev
  clang lld libclang-rt-14-dev
  emscripten nodejs autoconf automake libtool
  espeak-ng sox curl
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
