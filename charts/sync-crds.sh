#!/usr/bin/env bash
# Copies the CRDs (generated into the repository's crds/ from core/src/api/schema.ts) into the chart.
# crds/ is the one source of truth (`npm run gen:crd` runs this); charts/test/chart-sources.test.ts fails on drift.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/charts/xray-operator/files/crds"
mkdir -p "$target"
rm -f "$target"/*.yaml
cp "$root"/crds/*.yaml "$target/"
echo "Copied $(ls "$root"/crds/*.yaml | wc -l) CRD file(s) into $target"
