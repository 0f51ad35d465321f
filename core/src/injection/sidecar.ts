// The ADOT collector sidecar. Its config travels in an env var (`--config=env:…`), so every pod is self-contained
// and runs exactly the config its `injected` hash names — no race with a ConfigMap that may not exist yet.
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { COLLECTOR_CONFIG_ENV, CollectorPorts, InjectedNames } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import { renderCollectorConfigYaml } from '../collector/render.js';
import { addMissingCredentials, type Credentials } from './credentials.js';
import { escapeForKubelet } from './env-sources.js';
import { copyResources } from './resources.js';
import { COLLECTOR_UID, restrictedSecurityContext } from './security-context.js';
import { oncePerSpec } from './shared-parts.js';

/**
 * The collector's health_check listens on the pod's loopback only (nothing outside the pod needs the collector), and
 * kubelet's httpGet probes dial the pod IP, so the probe runs the image's own `/healthcheck`, which GETs
 * `http://127.0.0.1:<port>/` and exits non-zero unless it answers 200.
 * A startupProbe only: it holds app containers back until a native sidecar is up, and a readinessProbe would take
 * the app out of its Service whenever tracing has trouble.
 */
const HEALTH_CHECK_COMMAND = ['/healthcheck', `--port=${CollectorPorts.health}`];
const AWS_REGION_ENV = 'AWS_REGION';
/** The Go runtime's soft memory limit: the collector collects garbage harder before its container is OOM-killed. */
const GO_MEMORY_LIMIT_ENV = 'GOMEMLIMIT';
const GO_MEMORY_LIMIT_SHARE = 0.8;

const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const UNIT_BYTES: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** GOMEMLIMIT for a memory limit quantity (80%, in MiB), or undefined when there is no limit or it is not understood. */
export function goMemoryLimit(memoryLimit: string | undefined): string | undefined {
  const match = QUANTITY.exec(memoryLimit?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const bytes = Number(match[1]) * (UNIT_BYTES[match[2] ?? ''] ?? 1);
  const mebibytes = Math.floor((bytes * GO_MEMORY_LIMIT_SHARE) / 2 ** 20);
  return mebibytes > 0 ? `${mebibytes}MiB` : undefined;
}

function startupProbe(): V1Probe {
  return { exec: { command: HEALTH_CHECK_COMMAND }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 60 };
}

/** The sidecar without credentials, as a native sidecar and as a regular container: shared by every pod (frozen). */
const sharedSidecars = oncePerSpec((spec) => {
  // Escaped: the config's literal `$$` (a user's `$`) must reach the collector as written, not as kubelet's `$`.
  const config = escapeForKubelet(renderCollectorConfigYaml(spec));
  return { native: buildSidecar(spec, config, true), regular: buildSidecar(spec, config, false) };
});

/** The collector sidecar; shared (frozen) unless it gets credentials of its own. */
export function collectorSidecar(spec: ResolvedSpec, credentials: Credentials, native: boolean): V1Container {
  const shared = sharedSidecars(spec)[native ? 'native' : 'regular'];
  if (credentials.env.length === 0 && credentials.volumeMounts.length === 0) return shared;
  const container = { ...shared };
  addMissingCredentials(container, credentials);
  return container;
}

function buildSidecar(spec: ResolvedSpec, config: string, native: boolean): V1Container {
  const { image, imagePullPolicy, resources, region } = spec.collector;
  const container: V1Container = {
    name: InjectedNames.sidecarContainer,
    image,
    imagePullPolicy,
    args: [`--config=env:${COLLECTOR_CONFIG_ENV}`],
    env: [{ name: COLLECTOR_CONFIG_ENV, value: config }],
    resources: copyResources(resources),
    startupProbe: startupProbe(),
    securityContext: restrictedSecurityContext(COLLECTOR_UID),
  };
  const memoryLimit = goMemoryLimit(resources.limits?.memory);
  if (memoryLimit) container.env?.push({ name: GO_MEMORY_LIMIT_ENV, value: memoryLimit });
  // The XRayTracing's region beats the one EKS gives the app (it decides where the traces go).
  if (region) container.env?.push({ name: AWS_REGION_ENV, value: region });
  if (native) container.restartPolicy = 'Always';
  return container;
}
