// Generated per OpenTelemetry line by scripts/build.mjs (catalogueSource): each instrumentation the line ships, the
// modules it patches, and where its code is (a chunk of the chunks file, compiled only when it is constructed).
declare module 'xray-operator:instrumentation-catalogue' {
  export interface CatalogueEntry {
    /** The package, e.g. `@opentelemetry/instrumentation-http` (OTEL_NODE_*_INSTRUMENTATIONS name its suffix). */
    readonly pkg: string;
    /** Module names its definitions patch; empty for those that hook nothing by module (undici, aws-lambda, fastify). */
    readonly modules: readonly string[];
    /** [offset, length] in bytes of its CommonJS chunk, whose module.exports is the instrumentation class. */
    readonly chunk: readonly [number, number];
  }
  /** The chunks file, relative to the line's directory. */
  export const chunksFile: string;
  /** Chunks require the packages they share with sdk.js as `<sharedPrefix><package>`. */
  export const sharedPrefix: string;
  export const shared: Readonly<Record<string, () => unknown>>;
  export const entries: readonly CatalogueEntry[];
  /** [offset, length] of the chunk of each package only some settings load (OPTIONAL_PACKAGES in scripts/build.mjs). */
  export const optional: Readonly<Record<string, readonly [number, number]>>;
}
