#!/usr/bin/env bash
# Sets up, builds and serves the Distillery web app:
#   1. scripts/setup.sh (Debian packages, ImGui sources, npm tools)
#   2. the native CLI (build/), then the demo assets it trains
#   3. both web builds (threaded + single-thread) into build-web/site
#   4. scripts/serve.py with COOP/COEP and a Content-Security-Policy at
#      http://127.0.0.1:$PORT (default 8080), this machine only; HOST=0.0.0.0
#      scripts/run.sh lets other machines in
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8080}"
HOST="${HOST:-127.0.0.1}"
JOBS="${JOBS:-$(nproc)}"

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$JOBS" --target distillery
if [ ! -f build-web/site/assets/demo/teacher.json ]; then
  DISTILLERY_CLI="$ROOT/build/distillery" bash scripts/make-demo-assets.sh build-web/site/assets
fi
JOBS="$JOBS" bash scripts/build-web.sh
echo
echo "Open http://127.0.0.1:$PORT/ in a browser (Ctrl-C stops the server)."
exec python3 scripts/serve.py --host "$HOST" --port "$PORT"
