// Packages only some settings use (OPTIONAL_PACKAGES in scripts/build.mjs): chunks of the chunks file, compiled when
// a setting asks for one, so that apps with the defaults neither compile their code nor load the built-ins they need.
import type * as OtlpJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as B3 from '@opentelemetry/propagator-b3';
import type * as AwsDetectors from '@opentelemetry/resource-detector-aws';
import { join } from 'node:path';
import * as catalogue from 'xray-operator:instrumentation-catalogue';
import { loadChunk, type ChunkSource } from './chunks.js';

interface OptionalPackages {
  '@opentelemetry/propagator-b3': typeof B3;
  '@opentelemetry/exporter-trace-otlp-http': typeof OtlpJson;
  '@opentelemetry/resource-detector-aws': typeof AwsDetectors;
}

export type LoadOptional = <P extends keyof OptionalPackages>(pkg: P) => OptionalPackages[P];

/** The chunks beside this line's sdk.js (in `lineDir`). */
export function lineChunks(lineDir: string): ChunkSource {
  return { file: join(lineDir, catalogue.chunksFile), sharedPrefix: catalogue.sharedPrefix, shared: catalogue.shared };
}

/** A loader of the optional packages from `lineDir`'s chunks, each evaluated at most once. */
export function optionalModules(lineDir: string): LoadOptional {
  const source = lineChunks(lineDir);
  const loaded = new Map<string, unknown>();
  return <P extends keyof OptionalPackages>(pkg: P): OptionalPackages[P] => {
    if (!loaded.has(pkg)) {
      const range = catalogue.optional[pkg];
      if (!range) throw new Error(`${pkg} is not among this build's optional chunks`);
      loaded.set(pkg, loadChunk(source, range, pkg));
    }
    return loaded.get(pkg) as OptionalPackages[P];
  };
}
