// The ADOT collector sidecar. Its config travels in an env var (`--config=env:…`), so every pod is self-contained
// and runs exactly the config its `injected` hash names — no race with a ConfigMap that may not exist yet.
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { COLLECTOR_CONFIG_ENV, InjectedNames } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import { renderCollectorConfigYaml } from '../collector/render.js';
import { addMissingCredentials, type Credentials } from './credentials.js';
import { COLLECTOR_UID, restrictedSecurityContext } from './security-context.js';

/**
 * The collector's health_check listens on the pod's loopback only (nothing outside the pod needs the collector), and
 * kubelet's httpGet probes dial the pod IP, so the probe runs the image's own health checker, which dials localhost.
 * A startupProbe only: it holds app containers back until a native sidecar is up, and a readinessProbe would take
 * the app out of its Service whenever tracing has trouble.
 */
const HEALTH_CHECK_COMMAND = ['/healthcheck'];

function startupProbe(): V1Probe {
  return { exec: { command: HEALTH_CHECK_COMMAND }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 60 };
}

export function collectorSidecar(spec: ResolvedSpec, credentials: Credentials, native: boolean): V1Container {
  const { image, imagePullPolicy, resources, region } = spec.collector;
  const container: V1Container = {
    name: InjectedNames.sidecarContainer,
    image,
    imagePullPolicy,
    args: [`--config=env:${COLLECTOR_CONFIG_ENV}`],
    env: [
      { name: COLLECTOR_CONFIG_ENV, value: renderCollectorConfigYaml(spec) },
      ...(region ? [{ name: 'AWS_REGION', value: region }] : []),
    ],
    resources: structuredClone(resources),
    startupProbe: startupProbe(),
    securityContext: restrictedSecurityContext(COLLECTOR_UID),
  };
  if (native) container.restartPolicy = 'Always';
  addMissingCredentials(container, credentials);
  return container;
}
