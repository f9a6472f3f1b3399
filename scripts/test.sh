#!/bin/bash
# Installs what is needed, builds ocne with ASan+UBSan and runs every test:
# unit, integration (the real binary, real kubectl, registry, libvirt...),
# and the fuzz targets for a bounded time. This is what CI runs (.ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${OCNE_TEST_JOBS:-2}

"$root/scripts/setup.sh"
"$root/scripts/build.sh" dev

# No strict_string_checks: it flags libguestfs's (valid) strndup of short,
# NUL-terminated strings inside guestfs_launch.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$root/build/dev" -j "$jobs" --output-on-failure --no-tests=error

if [[ -x "$root/scripts/fuzz.sh" ]]; then
  "$root/scripts/fuzz.sh"
fi
echo "test.sh: all tests passed"
