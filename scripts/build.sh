#!/bin/bash
# Configures and builds ocne.
#
#   scripts/build.sh                 build/dev: ASan+UBSan, tests on (what CI tests)
#   scripts/build.sh release         build/release: optimised, no tests
#
# Extra arguments after the kind go to cmake at configure time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-dev}
shift || true

case "$kind" in
  # -O1 -g1: what ASan recommends, and it compiles much faster than -O2 -g on
  # two cores while keeping line numbers in sanitizer reports.
  dev) dir="$root/build/dev"; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                                     "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DOCNE_SANITIZE=ON -DOCNE_BUILD_TESTS=ON
                                     # built (not run) so they cannot rot
                                     -DOCNE_BUILD_BENCH=ON) ;;
  release) dir="$root/build/release"; flags=(-DCMAKE_BUILD_TYPE=Release -DOCNE_SANITIZE=OFF -DOCNE_BUILD_TESTS=OFF) ;;
  *) echo "build.sh: unknown kind '$kind' (dev, release)" >&2; exit 2 ;;
esac

# Share ccache hits between checkouts in different folders (worktrees, CI).
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1

cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" "$@" >/dev/null
ninja -C "$dir"
