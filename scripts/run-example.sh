#!/bin/bash
# The README's first quick-start command: installs what the build needs,
# builds an optimised ocne, and renders the example OCI cluster offline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --build
"$root/scripts/build.sh" release
# A sandbox state folder, so the example never touches ~/.ocne.
export OCNE_HOME="$root/build/release/ocne-home"
exec "$root/build/release/cmd/ocne/ocne" cluster template -c "$root/examples/oci.yaml"
