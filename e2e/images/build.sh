#!/usr/bin/env bash
# The images the real-node scenarios run, as `docker save` archives the harness imports into the test bed's
# containerd (`ctr -n k8s.io images import`). Each archive is cached under
#   ${XRAY_OPERATOR_CACHE:-~/.cache/xray-operator}/images/<name>-<hash of its inputs>.tar
# so a warm run needs no Docker daemon at all; a cold one starts the bed's dockerd (scripts/e2e/dockerd.sh),
# makes the stand-in base images (base-images.sh) and builds with BuildKit. Writes the archive list for the
# harness to ${cache}/images/index-<hash of this checkout's path>.env (NAME=ARCHIVE lines).
#   ghcr.io/xray-operator/xray-operator:e2e            ./Dockerfile, unchanged (scripts/images.sh)
#   ghcr.io/xray-operator/nodejs-instrumentation:e2e   ./instrumentation-image/Dockerfile, unchanged
#   xray-operator-e2e/otelcol:<version>                the bed's collector (collector/Dockerfile)
#   xray-operator-e2e/checkout:node20, :node22         e2e/apps on Node.js 20 and 22 (app/Dockerfile): the checkout app
#                                                      (ESM and CommonJS), the credentials agent, and preload-intolerant.cjs
#                                                      (exits at start when the preload is loaded)
#   xray-operator-e2e/pause:1                          the sandbox (pause) image: busybox sleeping until TERM
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
# shellcheck source=../../scripts/e2e/versions.env
source scripts/e2e/versions.env

cache=${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}
images="$cache/images"
mkdir -p "$images/logs"
exec 7>"$images/.build.lock"
flock 7
export IMAGES_LOG_DIR="$images/logs"
log() { printf '%s e2e-images: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
docker=/usr/bin/docker
export DOCKER_BUILDKIT=1

# Hash of files (paths and contents), for cache keys.
hash_files() { (for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done) | sha256sum | cut -c1-16; }
base_inputs=$(hash_files e2e/images/base-images.sh e2e/images/versions.env /etc/ssl/certs/ca-certificates.crt)
operator_inputs=$(hash_files Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json \
  $(find core/src webhook/src operator/src bin -type f ! -name '*.test.ts' ! -path '*/testdata/*' | sort))
instrumentation_inputs=$(hash_files instrumentation-image/Dockerfile instrumentation-image/Dockerfile.dockerignore \
  core/src/constants.ts $(find instrumentation-image/package*.json instrumentation-image/lines/*/package*.json \
  instrumentation-image/src instrumentation-image/scripts -type f | sort))
# As build-binaries.sh keys the collector: its version and the builder manifest.
otelcol_binary="$cache/bin/otelcol-$OTELCOL_VERSION-$(sha256sum scripts/e2e/otelcol-builder.yaml | cut -c1-8)/otelcol-xray"
collector_inputs=$(hash_files e2e/images/collector/Dockerfile e2e/images/collector/healthcheck scripts/e2e/versions.env scripts/e2e/otelcol-builder.yaml)
app_inputs=$(hash_files e2e/images/app/Dockerfile e2e/images/build.sh $(find e2e/apps -type f | sort))

declare -A archive
archive[ghcr.io/xray-operator/xray-operator:e2e]="$images/xray-operator-$base_inputs-$operator_inputs.tar"
archive[ghcr.io/xray-operator/nodejs-instrumentation:e2e]="$images/nodejs-instrumentation-$base_inputs-$instrumentation_inputs.tar"
archive[xray-operator-e2e/otelcol:$OTELCOL_VERSION]="$images/otelcol-$base_inputs-$collector_inputs.tar"
archive[xray-operator-e2e/checkout:node20]="$images/checkout-node20-$base_inputs-$app_inputs.tar"
archive[xray-operator-e2e/checkout:node22]="$images/checkout-node22-$base_inputs-$app_inputs.tar"
archive[xray-operator-e2e/pause:1]="$images/pause-$base_inputs.tar"

missing=()
for name in "${!archive[@]}"; do [[ -f ${archive[$name]} ]] || missing+=("$name"); done

started_dockerd=false
cleanup() { if [[ $started_dockerd == true ]]; then bash scripts/e2e/dockerd.sh stop; fi; }
trap cleanup EXIT

# A build context of its own for the small images: exactly the files they copy.
context_dir() {
  local dir
  dir=$(mktemp -d "$images/context.XXXXXX")
  printf '%s\n' "$dir"
}

build_missing() {
  eval "$(bash scripts/e2e/dockerd.sh start)"
  export DOCKER_HOST
  started_dockerd=$STARTED
  DOCKER=$docker bash e2e/images/base-images.sh
  local need=" ${missing[*]} " ctx
  if [[ $need == *" ghcr.io/xray-operator/xray-operator:e2e "* || $need == *" ghcr.io/xray-operator/nodejs-instrumentation:e2e "* ]]; then
    bash scripts/images.sh --tag e2e >/dev/null
  fi
  if [[ $need == *" xray-operator-e2e/otelcol:"* ]]; then
    ctx=$(context_dir)
    cp e2e/images/collector/Dockerfile e2e/images/collector/healthcheck "$otelcol_binary" "$ctx/"
    "$docker" build --network host -q -t "xray-operator-e2e/otelcol:$OTELCOL_VERSION" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  if [[ $need == *" xray-operator-e2e/checkout:"* ]]; then
    ctx=$(context_dir)
    cp e2e/images/app/Dockerfile e2e/apps/*.mjs e2e/apps/*.cjs "$ctx/"
    local express
    express=$(node -p "require('./package-lock.json').packages['node_modules/express'].version")
    printf '{"name":"checkout","private":true,"dependencies":{"express":"%s"}}\n' "$express" >"$ctx/package.json"
    "$docker" build --network host -q --build-arg NODE_IMAGE=node:20-bookworm-slim -t xray-operator-e2e/checkout:node20 "$ctx" >/dev/null
    "$docker" build --network host -q --build-arg NODE_IMAGE=node:22.23-bookworm-slim -t xray-operator-e2e/checkout:node22 "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  if [[ $need == *" xray-operator-e2e/pause:1 "* ]]; then
    ctx=$(context_dir)
    # PID 1 of every pod sandbox: sleeps until the runtime stops the sandbox (sh ignores TERM unless trapped).
    printf '%s\n' 'FROM busybox:1.37.0-musl' \
      'CMD ["sh", "-c", "trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]' >"$ctx/Dockerfile"
    "$docker" build -q -t xray-operator-e2e/pause:1 "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  for name in "${missing[@]}"; do
    "$docker" save -o "${archive[$name]}.partial" "$name"
    mv "${archive[$name]}.partial" "${archive[$name]}"
    log "saved $name -> ${archive[$name]}"
  done
  # Images that a rebuild untagged.
  "$docker" image prune -f >/dev/null
}

if [[ ${#missing[@]} -gt 0 ]]; then
  [[ -x $otelcol_binary ]] || { echo "build.sh: $otelcol_binary missing (scripts/e2e/build-binaries.sh)" >&2; exit 1; }
  started=$SECONDS
  log "building ${missing[*]}"
  build_missing
  log "images built in $((SECONDS - started))s"
fi

index="$images/index-$(printf '%s' "$repo" | sha256sum | cut -c1-16).env"
for name in "${!archive[@]}"; do printf '%s=%s\n' "$name" "${archive[$name]}"; done | sort >"$index.partial"
mv "$index.partial" "$index"
log "archives listed in $index"

# Archives no checkout's index names any more (older inputs) only take disk space.
for tarball in "$images"/*.tar; do
  [[ -e $tarball ]] || continue
  grep -qxF "$tarball" <(cut -d= -f2- "$images"/index-*.env) || { rm -f "$tarball"; log "removed stale $(basename "$tarball")"; }
done
