#!/usr/bin/env bash
# Builds (incrementally) and runs every test. Extra arguments go to ctest, e.g.
# `scripts/test.sh -L unit` for the fast tests only.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
# Tests that open a window need an X display: give them a virtual one.
runner=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  runner=(xvfb-run -a -s "-screen 0 1280x1024x24")
fi
"${runner[@]}" ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
