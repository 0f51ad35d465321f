// Shared set-up of the controller e2e files: the CRD on a real control plane, the fake X-Ray, and the controller
// started in-process with startController (what `xray-operator run` calls).
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type CoreV1Event, type KubeConfig, type KubernetesObject, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { API_GROUP, API_VERSION, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import type { XRayTracing, XRayTracingSpec } from '../core/src/api/types.js';
import { startController, type RunningController } from '../operator/src/controller/start.js';
import { createXRayClient } from '../operator/src/xray/index.js';
import { createCloudWatchClient } from '../operator/src/cloudwatch/client.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { FakeXRay } from '../operator/src/test-support/fake-xray.js';
import { applyObjects, readOrUndefined, waitFor } from './harness/kube.js';
import { repoRoot } from './harness/paths.js';

export const E2E_REGION = 'us-east-1';
export const CLUSTER_NAME = 'e2e';
export const OPERATOR_NAMESPACE = 'xray-system';
export const LEASE_NAME = 'xray-operator-controller';
const crdPath = join(repoRoot, 'crds', `${XRAY_TRACING_PLURAL}.${API_GROUP}.yaml`);

export function crdText(): string {
  return readFileSync(crdPath, 'utf8');
}

export async function installCrd(kc: KubeConfig, crd: string | KubernetesObject[] = crdText()): Promise<void> {
  await applyObjects(kc, crd);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await waitFor('the XRayTracing CRD to be established', async () => {
    const current: V1CustomResourceDefinition = await api.readCustomResourceDefinition({ name: `${XRAY_TRACING_PLURAL}.${API_GROUP}` });
    return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

export async function startInProcessController(
  controlPlane: ControlPlane,
  xray: { endpoint: string },
  logFile: string,
  overrides: { identity?: string; resyncPeriodMs?: number; waitForSync?: boolean; clusterName?: string; cloudWatchEndpoint?: string } = {},
): Promise<{ controller: RunningController; registry: Registry }> {
  const registry = new Registry();
  const logger = pino({ level: 'debug' }, pino.destination({ dest: join(controlPlane.logDir, logFile), sync: true }));
  const controller = await startController({
    kubeConfig: controlPlane.kc,
    logger,
    registry,
    config: Object.freeze({
      clusterName: overrides.clusterName ?? CLUSTER_NAME,
      region: E2E_REGION,
      xrayEndpoint: xray.endpoint,
      // Unset: no test reaches CloudWatch (only XRayTracings with spec.monitoring do); a closed port, not real AWS.
      cloudWatchEndpoint: overrides.cloudWatchEndpoint ?? 'http://127.0.0.1:9',
      operatorNamespace: OPERATOR_NAMESPACE,
      leaseName: LEASE_NAME,
      leaderElect: true,
      identity: overrides.identity ?? 'controller-e2e',
      leaderElection: { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
      resyncPeriodMs: overrides.resyncPeriodMs ?? 60_000,
    }),
    xrayClientFactory: ({ region, endpoint }) =>
      createXRayClient({ region: region ?? E2E_REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
    cloudWatchClientFactory: ({ region, endpoint }) =>
      createCloudWatchClient({ region: region ?? E2E_REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
  });
  if (overrides.waitForSync !== false) await waitFor('the controller caches to sync', () => Promise.resolve(controller.ready()));
  return { controller, registry };
}

/** An XRayTracing to apply (typed as what applyObjects takes). */
export function tracing(namespace: string, name: string, spec: XRayTracingSpec): KubernetesObject {
  const object: XRayTracing = { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: 'XRayTracing', metadata: { name, namespace }, spec };
  return object as KubernetesObject;
}

export async function readTracing(kc: KubeConfig, namespace: string, name: string): Promise<XRayTracing | undefined> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return readOrUndefined(async () => (await api.getNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace, name })) as XRayTracing);
}

/** Waits until the XRayTracing's condition has the status (and reason, when given); returns the object. */
export function waitForCondition(kc: KubeConfig, namespace: string, name: string, type: string, status: string, reason?: string): Promise<XRayTracing> {
  return waitFor(`${namespace}/${name} ${type}=${status}${reason ? ` (${reason})` : ''}`, async () => {
    const current = await readTracing(kc, namespace, name);
    const condition = current?.status?.conditions?.find((c) => c.type === type);
    return condition?.status === status && (!reason || condition.reason === reason) && current;
  });
}

export async function eventsFor(kc: KubeConfig, namespace: string, objectName: string): Promise<CoreV1Event[]> {
  const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${objectName}` });
  return events.items;
}

/** A TCP forwarder to `target` that can be cut (connections refused) and restored: an AWS outage on loopback. */
export interface SwitchableForwarder {
  endpoint: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function switchableForwarder(target: string): Promise<SwitchableForwarder> {
  const { port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = connect(Number(targetPort), '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => next.listen(port, '127.0.0.1', resolve));
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const cut = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return { endpoint: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

/** A control plane with the CRD and the operator's namespace, and the fake X-Ray API: what the controller e2e files share. */
export interface ControllerBed {
  controlPlane: ControlPlane;
  fakeXRay: FakeXRay;
  stop(): Promise<void>;
}

export async function startControllerBed(): Promise<ControllerBed> {
  const controlPlane = await startControlPlane();
  await installCrd(controlPlane.kc);
  const fakeXRay = await FakeXRay.start({ region: E2E_REGION });
  await controlPlane.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: OPERATOR_NAMESPACE } } });
  return {
    controlPlane,
    fakeXRay,
    async stop() {
      await fakeXRay.close();
      await controlPlane.stop();
    },
  };
}

/** Starts the in-process controller and waits until it holds the Lease. */
export async function startLeadingController(
  controlPlane: ControlPlane,
  xray: { endpoint: string },
  logFile: string,
  overrides: Parameters<typeof startInProcessController>[3] = {},
): Promise<RunningController> {
  const { controller } = await startInProcessController(controlPlane, xray, logFile, overrides);
  await waitFor(`the controller (${logFile}) to lead`, () => Promise.resolve(controller.isLeader()));
  return controller;
}
