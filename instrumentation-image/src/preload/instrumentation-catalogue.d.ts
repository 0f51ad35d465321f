// Generated per OpenTelemetry line by scripts/build.mjs (instrumentationCatalogue): each instrumentation the line
// ships, the modules it patches, and a require() of its class that esbuild leaves lazy until called.
declare module 'xray-operator:instrumentation-catalogue' {
  import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';

  export interface CatalogueEntry {
    /** The package, e.g. `@opentelemetry/instrumentation-http` (OTEL_NODE_*_INSTRUMENTATIONS name its suffix). */
    readonly pkg: string;
    /** Module names its definitions patch; empty for those that hook nothing by module (undici, aws-lambda, fastify). */
    readonly modules: readonly string[];
    readonly load: () => new (config?: InstrumentationConfig) => Instrumentation;
  }
  const catalogue: readonly CatalogueEntry[];
  export default catalogue;
}
