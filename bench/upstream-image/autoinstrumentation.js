// The upstream way to preload: the OpenTelemetry Node.js SDK with every auto-instrumentation, configured by the
// OTEL_* env the webhook sets, loaded from an unbundled node_modules tree (what `--require` resolves at start).
require('@opentelemetry/auto-instrumentations-node/register');
