#!/usr/bin/env node
// Thin launcher: the CLI is the compiled operator bundled into one module (scripts/bundle-operator.mjs).
import '../dist/xray-operator.mjs';
