#!/usr/bin/env bash
# The Debian packages the real node of the test bed needs, installed with apt (as root) when missing:
#   containerd, runc                  the container runtime the kubelet talks CRI to
#   containernetworking-plugins       bridge, host-local, loopback, portmap (CNI) in /usr/lib/cni
#   docker.io                         dockerd + BuildKit, to build our images from their Dockerfiles
#   busybox-static, debootstrap       the stand-in base images (e2e/images/base-images.sh)
#   iproute2                          the bed's bridge (ip link)
# Idempotent: with everything installed it only checks dpkg's status and exits.
set -euo pipefail

packages=(containerd runc containernetworking-plugins docker.io busybox-static debootstrap iproute2)
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "prepare-node.sh: ${missing[*]} missing and not root; install them with apt-get" >&2
  exit 1
fi
printf '%s prepare-node: installing %s\n' "$(date -u +%H:%M:%S)" "${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
