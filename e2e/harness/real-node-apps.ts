// The app workloads of the real-node scenarios: the e2e app images (e2e/images/app) under the restricted Pod
// Security profile, each pod with the credentials agent beside the app (EKS Pod Identity's role here), and
// what reached the X-Ray emulator from them.
import { CoreV1Api, type V1Container, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import type { XRayTracingSpec } from '../../core/src/api/types.js';
import { InjectedNames } from '../../core/src/constants.js';
import { httpCall } from './http.js';
import { RELEASE_NAME, RELEASE_NAMESPACE } from './install.js';
import { createNamespace, waitFor } from './kube.js';
import { waitForReadyPods, type RealNodeBed } from './real-node.js';
import { E2E_REGION } from './region.js';
import { createXRayTracing, waitForWebhookToInject } from './workloads.js';
import { storedSegments, traceClient, type SegmentDocument } from './xray-traces.js';

export const OPERATOR_SELECTOR = `app.kubernetes.io/instance=${RELEASE_NAME}`;

/** What the webhook copies to the collector sidecar, as EKS Pod Identity would set it. */
const CREDENTIALS_URI = 'http://127.0.0.1:8099/creds';
export const APP_PORT = 8080;

export const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
};

export interface AppPodOptions {
  image: string;
  /** The app's command (default: the image's, `node checkout.mjs`). */
  command?: string[];
  /** Serve HTTP with a readiness probe (default true); false for a Job's run-to-completion command. */
  serve?: boolean;
  restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  /** The credentials agent beside the app (default: when serving), for a collector that must export. */
  credentialsAgent?: boolean;
}

export function appPodSpec(options: AppPodOptions): V1PodSpec {
  const serve = options.serve ?? true;
  const app: V1Container = {
    name: 'app',
    image: options.image,
    imagePullPolicy: 'Never',
    ...(options.command ? { command: options.command } : {}),
    env: [
      { name: 'PORT', value: String(APP_PORT) },
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: CREDENTIALS_URI },
    ],
    ...(serve ? { readinessProbe: { httpGet: { path: '/health', port: APP_PORT }, periodSeconds: 1 } } : {}),
    securityContext: restrictedContainerSecurity,
  };
  const credentials: V1Container = {
    name: 'credentials',
    image: options.image,
    imagePullPolicy: 'Never',
    command: ['node', 'credentials-agent.cjs'],
    securityContext: restrictedContainerSecurity,
  };
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
    // The apps do not handle SIGTERM (node as PID 1 ignores it): a replaced pod would otherwise hold its rollout
    // for the default 30 s before the kubelet kills it.
    terminationGracePeriodSeconds: 3,
    // A Job's pod is done when its app is: only the app, not a second long-running container.
    containers: (options.credentialsAgent ?? serve) ? [app, credentials] : [app],
  };
}

/** Server segments of `service` stored since `since`, once `enough` of them are there. */
export async function serverSegmentsOf(bed: RealNodeBed, service: string, since: Date, enough = 1): Promise<SegmentDocument[]> {
  const client = traceClient(bed.moto.endpoint, E2E_REGION);
  return waitFor(`${enough} server segments of ${service} in X-Ray`, async () => {
    const found = (await storedSegments(client, since)).filter((segment) => segment.name === service && segment.http?.request);
    return found.length >= enough ? found : undefined;
  }, { timeoutMs: 90_000, intervalMs: 2_000 });
}

/**
 * A namespace enforcing Pod Security `restricted` with an XRayTracing `default` that samples every request and exports
 * to the bed's X-Ray emulator (`spec` on top), once both operator pods are Ready and the webhook injects there.
 */
export async function tracedRestrictedNamespace(bed: RealNodeBed, namespace: string, spec: XRayTracingSpec = {}): Promise<void> {
  const { controlPlane, fakeXRay } = bed;
  await waitForReadyPods(controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);
  await createNamespace(controlPlane.kc, namespace, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  await createXRayTracing(controlPlane.kc, namespace, 'default', {
    sampling: { mode: 'local', fixedRate: 1 },
    ...spec,
    collector: { region: E2E_REGION, awsEndpoint: fakeXRay.endpoint, ...spec.collector },
  });
  await waitForWebhookToInject(controlPlane.kc, namespace);
}

export function sidecarStatusOf(pod: V1Pod) {
  return pod.status?.initContainerStatuses?.find((container) => container.name === InjectedNames.sidecarContainer);
}

/**
 * Once the kubelet has restarted the pod's collector sidecar: the pod, and every failed request to the app at `appUrl`
 * made meanwhile (each poll asks it once), which a test expects to be none.
 */
export async function waitForSidecarRestart(bed: RealNodeBed, namespace: string, name: string, appUrl: string): Promise<{ pod: V1Pod; failedRequests: string[] }> {
  const core = bed.controlPlane.kc.makeApiClient(CoreV1Api);
  const failedRequests: string[] = [];
  const pod = await waitFor('the kubelet to restart the collector sidecar', async () => {
    const answer = await httpCall(appUrl).then((result) => String(result.statusCode), (error: unknown) => String(error));
    if (answer !== '200') failedRequests.push(answer);
    const current = await core.readNamespacedPod({ namespace, name });
    const sidecar = sidecarStatusOf(current);
    return (sidecar?.restartCount ?? 0) >= 1 && sidecar?.started && sidecar.state?.running ? current : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500 });
  return { pod, failedRequests };
}
