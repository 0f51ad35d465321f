#!/usr/bin/env bash
# Builds the e2e test bed binaries (etcd, moto, the collector, and from one Kubernetes wrapper module
# kube-apiserver, kube-controller-manager, kubelet and kube-scheduler) into a version-keyed cache outside the repository:
#   ${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}/bin/<component>-<version>/
# Idempotent: a component whose directory exists is skipped. Each component is built in a
# scratch directory and moved into place only when complete, so an interrupted run leaves nothing
# half-built behind. Only package registries are used (Go module proxy, PyPI).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache=${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}
bin_root="$cache/bin"
work_root="$cache/work"
mkdir -p "$bin_root" "$work_root"

# One build at a time per cache: a second caller waits, then finds the binaries in place.
exec 9>"$cache/.build.lock"
flock 9

# The Go toolchain lives in /usr/local/go on these machines; a bare environment may not have it on PATH.
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# step NAME DIR FUNCTION: runs FUNCTION with $out set to a scratch dir, then moves it to DIR.
step() {
  local name=$1 dest=$2 fn=$3
  if [[ -d $dest ]]; then
    log "$name: cached at $dest"
    return 0
  fi
  local started=$SECONDS
  out="$dest.partial.$$"
  rm -rf "$dest".partial.* && mkdir -p "$out"
  log "$name: building"
  "$fn"
  mv "$out" "$dest"
  log "$name: built in $((SECONDS - started))s -> $dest"
}

build_moto() {
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  # The venv's console scripts hard-code the scratch path, so the harness runs
  # `venv/bin/python -m moto.server`, which works after the move.
}

build_etcd() {
  local mod="$work_root/etcd-$ETCD_VERSION"
  mkdir -p "$mod" && cd "$mod"
  [[ -f go.mod ]] || go mod init local.test/etcdbin
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
    -o "$out/etcd" go.etcd.io/etcd/server/v3
}

# Writes the wrapper go.mod: the committed template plus, generated from k8s.io/kubernetes' own
# go.mod at this version, its godebug defaults and a replace for every staging module at v0.0.0.
write_kube_gomod() {
  local kube_gomod staging_version="v0.${KUBERNETES_VERSION#v1.}"
  kube_gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  cp "$here/kube.go.mod.tmpl" go.mod
  grep -E '^godebug ' "$kube_gomod" >> go.mod || true
  # Exactly v0.0.0: pseudo-versions such as k8s.io/utils v0.0.0-2025… are real and stay.
  grep -E '^\s*k8s\.io/[A-Za-z0-9._/-]+ v0\.0\.0(\s|$)' "$kube_gomod" | awk '{print $1}' | sort -u |
    while read -r module; do
      go mod edit -replace="$module=$module@$staging_version"
    done
  log "kubernetes: $(grep -c '=>' go.mod) replace lines generated from $kube_gomod"
}

# The wrapper module every Kubernetes command is built from (one module, one build cache).
kube_module() {
  local mod="$work_root/kubernetes-$KUBERNETES_VERSION"
  mkdir -p "$mod" && cd "$mod"
  [[ -f go.mod ]] || write_kube_gomod
}

# Version ldflags: helm checks the API server's gitVersion against a chart's kubeVersion, and the
# kubelet reports its own in the Node's status.
kube_ldflags() {
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local ldflags="-s -w" build_date
  build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  printf '%s\n' "$ldflags"
}

build_kubernetes() {
  kube_module
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBERNETES_VERSION"
  # One go build for both commands, so the shared packages compile once.
  go build -trimpath -tags=notest,grpcnotrace -ldflags "$(kube_ldflags)" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
}

# The node: kubelet and kube-scheduler from the same module and version as the API server; a step of
# its own so a cache that already holds the control plane only builds these.
build_kubernetes_node() {
  kube_module
  go get -tool "k8s.io/kubernetes/cmd/kubelet@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$KUBERNETES_VERSION"
  go build -trimpath -tags=notest,grpcnotrace -ldflags "$(kube_ldflags)" -o "$out/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-scheduler
}

# The collector's component set changes more often than its version: key its cache by the manifest too.
OTELCOL_KEY="$OTELCOL_VERSION-$(sha256sum "$here/otelcol-builder.yaml" | cut -c1-8)"

build_otelcol() {
  local mod="$work_root/otelcol-$OTELCOL_KEY"
  mkdir -p "$mod" && cd "$mod"
  GOBIN="$mod/tools" go install "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_VERSION"
  cp "$here/otelcol-builder.yaml" manifest.yaml
  # The component versions are not one release train (see the manifest's header).
  "$mod/tools/builder" --config=manifest.yaml --skip-strict-versioning
  mv _build/otelcol-xray "$out/otelcol-xray"
}

total_started=$SECONDS
step moto "$bin_root/moto-$MOTO_VERSION" build_moto
step etcd "$bin_root/etcd-$ETCD_VERSION" build_etcd
step kubernetes "$bin_root/kubernetes-$KUBERNETES_VERSION" build_kubernetes
step kubernetes-node "$bin_root/kubernetes-node-$KUBERNETES_VERSION" build_kubernetes_node
step otelcol "$bin_root/otelcol-$OTELCOL_KEY" build_otelcol
log "all binaries ready in $((SECONDS - total_started))s under $bin_root"
