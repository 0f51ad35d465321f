// Reads and validates the XRayTracing objects given with --tracing.
import { validateXRayTracing } from '../../../core/src/api/validate.js';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import { API_GROUP_VERSION, XRAY_TRACING_KIND } from '../../../core/src/constants.js';
import { ManifestError, readManifests } from './manifest.js';

export interface LoadedTracing {
  tracing: XRayTracing;
  spec: ResolvedSpec;
}

/** Every document of the files must be a valid XRayTracing; errors name the file, the field and what is allowed. */
export function loadTracings(paths: readonly string[], readStdin?: () => string): LoadedTracing[] {
  return paths.flatMap((path) =>
    readManifests(path, readStdin).map(({ object, source, index }) => {
      const where = `${source} document ${index + 1}`;
      if (object.kind !== XRAY_TRACING_KIND || object.apiVersion !== API_GROUP_VERSION) {
        throw new ManifestError(`${where} is a ${object.apiVersion}/${object.kind}, expected ${API_GROUP_VERSION}/${XRAY_TRACING_KIND}`);
      }
      const result = validateXRayTracing(object);
      if (!result.ok) {
        const details = result.errors.map((e) => `  ${e.path || '<root>'}: ${e.message}`).join('\n');
        throw new ManifestError(`${where}: invalid XRayTracing ${object.metadata?.name ?? ''}\n${details}`);
      }
      return { tracing: result.tracing, spec: result.spec };
    }),
  );
}
