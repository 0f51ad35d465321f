// Stands in for @opentelemetry/sdk-metrics where otlp-transformer imports it: only its metric serializers read it
// (enum values, when serializing metrics), and the preload exports traces only. sdk-metrics was a fifth of sdk.js,
// source V8 compiled at every app's start.
export {};
