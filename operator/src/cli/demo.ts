// `npm run demo`: what the webhook would do to the example workloads, and the collector config it would embed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderCollectorConfigYaml } from '../../../core/src/collector/render.js';
import { injectManifests } from './inject-manifests.js';
import { describeObject, dumpManifests, readManifests } from './manifest.js';
import { packageRoot } from './package-root.js';
import { loadTracings } from './tracing-files.js';

const TRACING_FILE = 'xraytracing.yaml';

export function runDemo(out: NodeJS.WritableStream): void {
  const examples = join(packageRoot(), 'examples');
  const [loaded] = loadTracings([join(examples, TRACING_FILE)]);
  if (!loaded) throw new Error(`examples/${TRACING_FILE} holds no XRayTracing`);
  const workloadFiles = readdirSync(examples)
    .filter((file) => /\.ya?ml$/.test(file) && file !== TRACING_FILE)
    .sort();
  const documents = workloadFiles.flatMap((file) => readManifests(join(examples, file)));
  const results = injectManifests(documents, {
    tracings: [loaded],
    defaultNamespace: loaded.tracing.metadata.namespace ?? 'default',
    clusterName: 'demo',
    nativeSidecarsSupported: true,
    allowUnknownKinds: true,
  });

  out.write(`# XRayTracing ${loaded.tracing.metadata.namespace}/${loaded.tracing.metadata.name} from examples/${TRACING_FILE}\n`);
  for (const result of results) {
    out.write(`\n# ── ${describeObject(result.object)}: ${result.summary}\n`);
    for (const warning of result.warnings) out.write(`#    warning: ${warning}\n`);
    out.write(dumpManifests([result.object]));
  }
  out.write('\n# ── The ADOT collector config embedded in the sidecar (xray-operator collector-config)\n');
  out.write(renderCollectorConfigYaml(loaded.spec));
}
