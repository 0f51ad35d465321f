#!/usr/bin/env bash
# Builds the upstream-style instrumentation image (Dockerfile beside this file) with the test bed's dockerd and
# saves it as an archive, cached by the hash of its inputs, outside e2e/images/build.sh's pruned set:
#   ${XRAY_OPERATOR_CACHE:-~/.cache/xray-operator}/images/bench/upstream-style-<hash>.tar
# Prints `IMAGE=<name>` and `ARCHIVE=<path>`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
cache=${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}
out="$cache/images/bench"
mkdir -p "$out"
exec 7>"$cache/images/.build.lock"
flock 7
hash=$( (for f in "$here"/Dockerfile "$here"/package.json "$here"/autoinstrumentation.js e2e/images/base-images.sh e2e/images/versions.env; do cat "$f"; done) | sha256sum | cut -c1-16)
image="xray-operator-bench/nodejs-upstream-style:$hash"
archive="$out/upstream-style-$hash.tar"
if [[ ! -f $archive ]]; then
  docker=/usr/bin/docker
  eval "$(bash scripts/e2e/dockerd.sh start)"
  export DOCKER_HOST
  trap '[[ $STARTED == true ]] && bash scripts/e2e/dockerd.sh stop' EXIT
  DOCKER=$docker bash e2e/images/base-images.sh
  DOCKER_BUILDKIT=1 "$docker" build --network host -q -t "$image" "$here" >/dev/null
  "$docker" save -o "$archive.partial" "$image"
  mv "$archive.partial" "$archive"
  find "$out" -name 'upstream-style-*.tar' ! -name "upstream-style-$hash.tar" -delete
fi
printf 'IMAGE=docker.io/%s\nARCHIVE=%s\n' "$image" "$archive"
