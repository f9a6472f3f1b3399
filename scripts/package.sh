#!/bin/bash
# Builds the optimised tree (build/release) and the Debian package from it:
#
#   scripts/package.sh        -> build/package/ocne_<version>_<arch>.deb
#   apt install ./build/package/ocne_*.deb
#
# The version is the project version plus git describe (ocne --version prints
# the same, with the commit); library dependencies come from dpkg-shlibdeps.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v dpkg-shlibdeps >/dev/null; then
  echo "package.sh: dpkg-shlibdeps is missing; run scripts/setup.sh (it installs dpkg-dev)" >&2
  exit 1
fi
"$root/scripts/build.sh" release
rm -f "$root"/build/package/ocne_*.deb
cpack --config "$root/build/release/CPackConfig.cmake" -B "$root/build/package" >/dev/null
ls "$root"/build/package/ocne_*.deb
