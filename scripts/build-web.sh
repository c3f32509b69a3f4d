#!/usr/bin/env bash
# Builds the two WebAssembly builds of the app and assembles one static site:
#   build-web-mt/   pthreads + SIMD (for cross-origin isolated pages)
#   build-web-st/   single thread + SIMD (any static host)
#   build-web/site/ index.html, web/*.js (app, API, session store), mt/, st/, assets/
# The site can be copied to any static host; scripts/serve.py serves it with
# the COOP/COEP headers that unlock the threaded build.
# The demo (dataset subset + teacher) is committed in assets/demo (made by
# scripts/make-demo-assets.sh); the UI font comes from Debian's fonts-dejavu-core.
#
#   scripts/build-web.sh [mt|st|both]     (default both)
#   WEB_BUILD_PREFIX=build-x scripts/build-web.sh   trees build-x-mt, build-x-st, site in build-x/site
#                                                   (so two people can build side by side)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHICH="${1:-both}"
JOBS="${JOBS:-$(nproc)}"
PREFIX="$ROOT/${WEB_BUILD_PREFIX:-build-web}"
export NODE_PATH=/usr/share/nodejs  # emcc's JS optimiser needs Debian's acorn

build_variant() {  # build_variant mt|st
  local variant="$1" threads=ON
  [ "$variant" = st ] && threads=OFF
  local dir="$PREFIX-$variant"
  cmake -S "$ROOT" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$ROOT/emsdk-config.cmake" -DCMAKE_BUILD_TYPE=Release \
    -DDISTILLERY_WASM_THREADS="$threads" -DDISTILLERY_BUILD_TESTS=OFF >/dev/null
  cmake --build "$dir" -j"$JOBS" --target distillery-web
}

case "$WHICH" in
  mt) build_variant mt ;;
  st) build_variant st ;;
  both) build_variant mt; build_variant st ;;
  *) echo "usage: scripts/build-web.sh [mt|st|both]" >&2; exit 2 ;;
esac

SITE="$PREFIX/site"
mkdir -p "$SITE/mt" "$SITE/st" "$SITE/assets"
cp "$ROOT/web/index.html" "$ROOT"/web/*.js "$SITE/"
for variant in mt st; do
  out="$PREFIX-$variant/src/app"
  [ -f "$out/distillery.js" ] || continue
  rm -f "$SITE/$variant"/distillery.*
  cp "$out/distillery.js" "$out/distillery.wasm" "$SITE/$variant/"
  [ -f "$out/distillery.worker.js" ] && cp "$out/distillery.worker.js" "$SITE/$variant/"
done

rm -rf "$SITE/assets/demo"
mkdir -p "$SITE/assets/fonts"
cp -r "$ROOT/assets/demo" "$SITE/assets/demo"
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$SITE/assets/fonts/DejaVuSans.ttf"
echo "build-web: site ready in $SITE" >&2
du -sh "$SITE"/mt "$SITE"/st "$SITE"/assets 2>/dev/null >&2 || true
