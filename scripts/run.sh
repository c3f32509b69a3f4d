#!/usr/bin/env bash
# Sets up, builds and serves the Distillery web app:
#   1. scripts/setup.sh (Debian packages, ImGui sources, npm tools)
#   2. both web builds (threaded + single-thread) into build-web/site, with
#      the committed demo (assets/demo)
#   3. scripts/serve.py with COOP/COEP and a Content-Security-Policy at
#      http://127.0.0.1:$PORT (default 8080), this machine only; HOST=0.0.0.0
#      scripts/run.sh lets other machines in
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8080}"
HOST="${HOST:-127.0.0.1}"
JOBS="${JOBS:-$(nproc)}"

bash scripts/setup.sh
JOBS="$JOBS" bash scripts/build-web.sh
echo
echo "Open http://127.0.0.1:$PORT/ in a browser (Ctrl-C stops the server)."
exec python3 scripts/serve.py --host "$HOST" --port "$PORT"
