#!/usr/bin/env bash
# The core's unit tests: configures and builds build/release with CMake, then
# runs ctest. `make core-test` calls this. Extra arguments go to ctest
# (e.g. -R Vectorizer).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/phases.bash
with_build_lock cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
with_build_lock cmake --build build/release -j"${JOBS:-2}"
cd build/release && ctest --output-on-failure -j"${JOBS:-2}" "$@"
