#!/usr/bin/env bash
# Builds the native code and every native test suite with AddressSanitizer +
# UndefinedBehaviorSanitizer (the "asan" preset in CMakePresets.json: any
# undefined behaviour aborts, leaks are reported) and runs ctest.
#   scripts/sanitize.sh            configure, build, test
#   JOBS=4 scripts/sanitize.sh     more build processes
# Exit code 0 only when the build succeeds and every test passes clean.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"

cmake --preset asan >/dev/null
cmake --build --preset asan -j"$JOBS"
start=$(date +%s)
ctest --preset asan
echo "sanitize: ASan+UBSan test suite clean in $(( $(date +%s) - start )) s"
