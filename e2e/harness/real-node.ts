// Per-file test bed with a real node: the bed's bridge, a control plane that pods can reach, containerd +
// kubelet + scheduler with the bed's images, the X-Ray emulator (fake X-Ray in front of moto) on the bridge address, and the
// operator installed by `helm install` of the unchanged chart as two real pods from its image. Torn down
// after use, leaving nothing on the machine (see node/node.ts). Vitest files use real-node-suite.ts.
import { CoreV1Api } from '@kubernetes/client-node';
import { FakeXRay } from '../../operator/src/test-support/fake-xray.js';
import { readVersions } from './binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { CHART_DIR, RELEASE_NAME, RELEASE_NAMESPACE } from './install.js';
import { waitFor } from './kube.js';
import { startMoto, type Moto } from './moto.js';
import { collectorImage, E2E_IMAGES } from './node/images.js';
import { createPodNetwork, deletePodNetwork } from './node/network.js';
import { startNode, type TestNode } from './node/node.js';
import { cliTools, runWithKubeconfig } from './tools.js';
import { E2E_REGION } from './region.js';

export interface RealNodeBed {
  controlPlane: ControlPlane;
  node: TestNode;
  /** The X-Ray trace API (PutTraceSegments, GetTraceSummaries, BatchGetTraces). */
  moto: Moto;
  /** X-Ray as the operator and the collectors see it: sampling rules and targets here, trace calls passed to moto. */
  fakeXRay: FakeXRay;
  helmOutput: string;
}

const repositoryOf = (image: string): string => image.slice(0, image.lastIndexOf(':'));
const tagOf = (image: string): string => image.slice(image.lastIndexOf(':') + 1);

/**
 * Chart values for the bed: our images (never pulled), the bed's collector image, and what replaces what a
 * cluster has and the bed has not: no kube-proxy, so the operator reaches the API server at the bridge address
 * (KUBERNETES_SERVICE_HOST/PORT, which the in-cluster config reads), and dummy AWS credentials for the emulator.
 */
export function realNodeChartValues(controlPlane: ControlPlane, node: TestNode, fakeXRay: FakeXRay): Record<string, string> {
  const env: [string, string][] = [
    ['KUBERNETES_SERVICE_HOST', node.ip],
    ['KUBERNETES_SERVICE_PORT', String(controlPlane.port)],
    ['XRAY_OPERATOR_XRAY_ENDPOINT', fakeXRay.endpoint],
    ['AWS_ACCESS_KEY_ID', 'testing'],
    ['AWS_SECRET_ACCESS_KEY', 'testing'],
    ['AWS_EC2_METADATA_DISABLED', 'true'],
  ];
  const collector = collectorImage(readVersions().otelcol);
  return {
    clusterName: 'e2e',
    'aws.region': E2E_REGION,
    // The emulator listens on the bed's bridge over plain http: allowed exactly, as a platform team would allow a
    // VPC endpoint (brackets, not backslashes, which helm's --set parser would eat).
    'aws.endpointAllowPattern': fakeXRay.endpoint.replaceAll('.', '[.]'),
    'image.repository': repositoryOf(E2E_IMAGES.operator),
    'image.tag': tagOf(E2E_IMAGES.operator),
    'image.pullPolicy': 'Never',
    'injectedImages.instrumentation.repository': repositoryOf(E2E_IMAGES.instrumentation),
    'injectedImages.instrumentation.tag': tagOf(E2E_IMAGES.instrumentation),
    'injectedImages.collector.repository': repositoryOf(collector),
    'injectedImages.collector.tag': tagOf(collector),
    ...Object.fromEntries(env.flatMap(([name, value], index) => [[`extraEnv[${index}].name`, name], [`extraEnv[${index}].value`, value]])),
  };
}

/** Runs helm on the bed's release (`install` or `upgrade`), with `values` as --set-string; returns its output. */
async function helmRelease(controlPlane: ControlPlane, command: 'install' | 'upgrade', values: Record<string, string>): Promise<string> {
  const modeArgs = command === 'install' ? ['--create-namespace'] : ['--reuse-values'];
  const setArgs = Object.entries(values).flatMap(([key, value]) => ['--set-string', `${key}=${value}`]);
  const { stdout } = await runWithKubeconfig(
    cliTools().helm,
    [command, RELEASE_NAME, CHART_DIR, '--namespace', RELEASE_NAMESPACE, ...modeArgs, ...setArgs],
    controlPlane.kubeconfigPath,
  );
  return stdout;
}

export const helmInstallOnNode = (controlPlane: ControlPlane, values: Record<string, string>): Promise<string> => helmRelease(controlPlane, 'install', values);

/** `helm upgrade` of the installed release with its values and `values` on top; returns without waiting. */
export const helmUpgradeOnNode = (controlPlane: ControlPlane, values: Record<string, string>): Promise<string> => helmRelease(controlPlane, 'upgrade', values);

export interface RunningRealNodeBed {
  bed: RealNodeBed;
  /** Drains and stops the node, then the emulators, the control plane and the bridge. */
  stop(): Promise<void>;
}

/** Starts the whole bed (`install: false` leaves the chart out); on a failure, stops what had started. */
export async function startRealNodeBed(options: { install?: boolean } = {}): Promise<RunningRealNodeBed> {
  let controlPlane: ControlPlane | undefined;
  let node: TestNode | undefined;
  let moto: Moto | undefined;
  let fakeXRay: FakeXRay | undefined;
  const network = createPodNetwork();
  const stop = async (): Promise<void> => {
    await node?.stop();
    await fakeXRay?.close();
    await moto?.stop();
    await controlPlane?.stop();
    deletePodNetwork(network);
  };
  try {
    controlPlane = await startControlPlane({ podNetwork: network });
    node = await startNode(controlPlane, network);
    moto = await startMoto(network.gateway);
    fakeXRay = await FakeXRay.start({ host: network.gateway, region: E2E_REGION, tracesBackend: moto.endpoint });
    const helmOutput = options.install === false ? '' : await helmInstallOnNode(controlPlane, realNodeChartValues(controlPlane, node, fakeXRay));
    return { bed: { controlPlane, node, moto, fakeXRay, helmOutput }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Pods of a namespace matching a label selector, once `count` of them are Ready. */
export async function waitForReadyPods(controlPlane: ControlPlane, namespace: string, labelSelector: string, count: number, timeoutMs = 180_000) {
  const core = controlPlane.kc.makeApiClient(CoreV1Api);
  return waitFor(`${count} Ready pods ${labelSelector} in ${namespace}`, async () => {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items;
    const ready = pods.filter((pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'));
    return ready.length >= count ? ready : undefined;
  }, { timeoutMs, intervalMs: 1_000 });
}
