#!/usr/bin/env bash
# E2E_CLUSTER=kind: the smoke scenario on a kind cluster with real images and real pods, for machines that have a
# Docker engine and registry access (our CI machines have neither, so this path is not run there).
#   1. creates (or reuses) the kind cluster $KIND_CLUSTER,
#   2. builds the operator and instrumentation images and loads them into the cluster,
#   3. installs the chart with those images,
#   4. runs e2e/kind/*.test.ts against the cluster's kubeconfig.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

KIND_CLUSTER=${KIND_CLUSTER:-xray-operator-e2e}
VERSION=$(node -p 'require("./package.json").version')
OPERATOR_IMAGE=xray-operator.local/xray-operator:$VERSION
PRELOAD_IMAGE=xray-operator.local/nodejs-instrumentation:$VERSION

for tool in docker kind helm kubectl; do
  command -v "$tool" >/dev/null || { echo "E2E_CLUSTER=kind needs $tool on PATH" >&2; exit 1; }
done
docker info >/dev/null 2>&1 || { echo "E2E_CLUSTER=kind needs a running Docker engine" >&2; exit 1; }

kind get clusters | grep -qx "$KIND_CLUSTER" || kind create cluster --name "$KIND_CLUSTER" --wait 120s
export KUBECONFIG=${KUBECONFIG:-$(mktemp)}
kind get kubeconfig --name "$KIND_CLUSTER" > "$KUBECONFIG"

docker build -t "$OPERATOR_IMAGE" .
docker build -f instrumentation-image/Dockerfile -t "$PRELOAD_IMAGE" .
kind load docker-image --name "$KIND_CLUSTER" "$OPERATOR_IMAGE" "$PRELOAD_IMAGE"

helm upgrade --install xray-operator charts/xray-operator -n xray-system --create-namespace --wait --timeout 5m \
  --set clusterName="$KIND_CLUSTER" --set aws.region=us-east-1 \
  --set image.repository="${OPERATOR_IMAGE%:*}" --set image.tag="$VERSION" --set image.pullPolicy=Never \
  --set injectedImages.instrumentation.repository="${PRELOAD_IMAGE%:*}" --set injectedImages.instrumentation.tag="$VERSION"

E2E_CLUSTER=kind KUBECONFIG="$KUBECONFIG" npx vitest run --project e2e e2e/kind
