#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled operator package.
import '../dist/operator/src/cli/main.js';
