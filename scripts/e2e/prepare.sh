#!/usr/bin/env bash
# Everything `npm run test:e2e` needs before vitest starts; each part is skipped when already there:
#   - the Debian packages of the real node (containerd, runc, CNI plugins, docker.io…: prepare-node.sh),
#   - the test bed binaries (etcd, kube-apiserver, kube-controller-manager, kubelet, kube-scheduler, collector, moto),
#   - the images the real-node scenarios run (e2e/images/build.sh; cached archives, built only when inputs change),
#   - helm and kubectl (scripts/get-tools.sh),
#   - the compiled operator (bin/xray-operator.js runs dist/),
#   - the Node.js preload build the pod runner copies like the init container does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log() { printf '%s prepare: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
started=$SECONDS

bash scripts/e2e/prepare-node.sh
bash scripts/e2e/build-binaries.sh
bash e2e/images/build.sh
bash scripts/get-tools.sh --no-helm3 >/dev/null
log "compiling the operator (npm run build)"
npm run --silent build
# Rebuilt only when its inputs changed (the build keeps a hash of them).
npm run --silent build:instrumentation
log "ready in $((SECONDS - started))s"
