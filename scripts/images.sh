#!/usr/bin/env bash
# `npm run images`: builds the two product images from their Dockerfiles with the local Docker engine:
#   <prefix>/xray-operator:<tag>             from ./Dockerfile
#   <prefix>/nodejs-instrumentation:<tag>    from ./instrumentation-image/Dockerfile
# (the chart's image.repository and injectedImages.instrumentation.repository are these names).
#
# Usage: scripts/images.sh [--tag TAG] [--push REGISTRY/PREFIX] [--stand-in-bases]
#   --tag TAG         image tag (default: package.json's version)
#   --push PREFIX     tag the images as PREFIX/<name>:TAG and push them (default prefix, not pushed:
#                     ghcr.io/xray-operator)
#   --stand-in-bases  make the base images locally (e2e/images/base-images.sh) instead of pulling them;
#                     the default when this script starts the test bed's own dockerd, which has no registry
# Uses the engine at DOCKER_HOST (or the default socket); when none answers, starts the test bed's
# dockerd (scripts/e2e/dockerd.sh) and stops it again at the end. BuildKit is required: the
# instrumentation image's build context is filtered by instrumentation-image/Dockerfile.dockerignore,
# which only BuildKit reads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tag=$(node -p 'require("./package.json").version')
prefix=ghcr.io/xray-operator
push=false
stand_in_bases=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) tag=$2; shift 2 ;;
    --push) prefix=${2%/}; push=true; shift 2 ;;
    --stand-in-bases) stand_in_bases=true; shift ;;
    *) echo "images.sh: unknown argument $1 (allowed: --tag TAG, --push REGISTRY/PREFIX, --stand-in-bases)" >&2; exit 2 ;;
  esac
done

log() { printf '%s images: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# Debian's docker.io client has BuildKit built in (a newer client may need the buildx plugin).
docker=${DOCKER:-$(command -v /usr/bin/docker || command -v docker)}
export DOCKER_BUILDKIT=1

started_dockerd=false
if ! "$docker" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  eval "$(bash scripts/e2e/dockerd.sh start)"
  export DOCKER_HOST
  started_dockerd=$STARTED
  stand_in_bases=true
fi
cleanup() { if [[ $started_dockerd == true ]]; then bash scripts/e2e/dockerd.sh stop; fi; }
trap cleanup EXIT

if [[ $stand_in_bases == true ]]; then
  DOCKER="$docker" bash e2e/images/base-images.sh
fi

# --network host: the builds' `npm ci` needs the npm registry, and the engine has no bridge of its own.
build() {
  local name=$1 dockerfile=$2 started=$SECONDS
  log "building $name from $dockerfile"
  "$docker" build --network host --progress plain -f "$dockerfile" -t "$name" . >"${IMAGES_LOG_DIR:-/tmp}/$(basename "${name%%:*}").build.log" 2>&1 ||
    { tail -30 "${IMAGES_LOG_DIR:-/tmp}/$(basename "${name%%:*}").build.log" >&2; exit 1; }
  log "built $name in $((SECONDS - started))s"
  if [[ $push == true ]]; then "$docker" push "$name"; fi
}

build "$prefix/xray-operator:$tag" Dockerfile
build "$prefix/nodejs-instrumentation:$tag" instrumentation-image/Dockerfile
printf '%s\n' "$prefix/xray-operator:$tag" "$prefix/nodejs-instrumentation:$tag"
