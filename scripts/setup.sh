#!/usr/bin/env bash
# Installs everything Distillery needs to build, run and test, from Debian's
# archive and npm only. Idempotent: when everything is present it returns in
# about a second, so run.sh and test.sh call it every time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DEBIAN_PACKAGES=(
  build-essential cmake pkg-config
  emscripten libeigen3-dev nlohmann-json3-dev libgtest-dev libstb-dev
  libglfw3-dev libgl-dev xvfb xauth
  chromium dataset-fashion-mnist fonts-dejavu-core
  python3 xz-utils dpkg-dev
  libclang-rt-14-dev
  nanopb protobuf-compiler libonnx-dev python3-torch python3-onnx
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Unpacks the upstream sources of Debian *source* package $1 into folder $2,
# unless $2/$3 is there already (adds a deb-src entry the first time).
unpack_source_package() {
  local package="$1" dir="$2" marker="$3"
  [ -f "$dir/$marker" ] && return 0
  local src_list=/etc/apt/sources.list.d/distillery-src.sources
  if [ ! -f "$src_list" ]; then
    uri="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')"
    uri="${uri:-http://deb.debian.org/debian}"
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
      | $SUDO tee "$src_list" >/dev/null
    $SUDO apt-get update -qq
  fi
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get source --download-only "$package" >/dev/null 2>&1)
  mkdir -p "$dir"
  tar -xf "$tmp"/"$package"_*.orig.tar.* -C "$dir" --strip-components=1
  rm -rf "$tmp"
  test -f "$dir/$marker"
}

# Dear ImGui sources come from Debian's source package (the binary package
# has only an x86 static library, useless for WebAssembly).
unpack_source_package imgui "$ROOT/third_party/imgui" imgui.cpp

# So do nanopb's runtime sources (pb_decode.c, ...) for the ONNX parser:
# libnanopb-dev has only an x86 static library. The code for onnx.proto is
# generated at build time (cmake/OnnxProto.cmake).
unpack_source_package nanopb "${NANOPB_DIR:-$ROOT/third_party/nanopb}" pb_decode.c

# Browser automation for end-to-end tests (never downloads a browser: we
# point it at Debian's chromium).
if [ -f "$ROOT/package.json" ] && [ ! -d "$ROOT/node_modules/playwright-core" ]; then
  (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
fi
