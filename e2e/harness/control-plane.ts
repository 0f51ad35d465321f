// A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager
// built from the Go modules (scripts/e2e/build-binaries.sh). Alone, with no scheduler and no kubelet,
// pods stay Pending, which is enough to see what the API server stored; with `podNetwork` it is made
// ready for a real node (harness/node/), whose pods reach it on the bed's bridge address.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { testBedBinary } from './binaries.js';
import { freePort } from './ports.js';
import { createControlPlanePki, type ControlPlanePki } from './pki.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes.js';
import { writeKubeconfig } from './kubeconfig.js';
import { httpCall, type HttpResult } from './http.js';

export interface ControlPlane {
  /** Admin kubeconfig (system:masters client cert). */
  kubeconfigPath: string;
  kc: KubeConfig;
  /** `https://127.0.0.1:PORT` */
  server: string;
  pki: ControlPlanePki;
  /** Scratch directory of this control plane (logs under `logs/`). */
  dir: string;
  logDir: string;
  /** The API server's port (on 127.0.0.1, and on the pod network's gateway when there is one). */
  port: number;
  /** Stops kube-apiserver and starts it again on the same port, against the same etcd. */
  restartApiServer(): Promise<void>;
  /** Stops kube-controller-manager alone (so nothing recreates pods while a node is emptied). */
  stopControllerManager(): Promise<void>;
  stop(): Promise<void>;
}

/** Controllers the tests rely on: workloads to pods, ServiceAccounts and tokens, namespace deletion, GC. */
const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
];

/**
 * What a real node needs on top: taints lifted and dead nodes handled, Endpoints/EndpointSlices for Services
 * (the webhook is reached through its Service's endpoints), PodDisruptionBudgets, finished pods collected.
 */
const NODE_CONTROLLERS = [
  'node-lifecycle-controller',
  'taint-eviction-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'disruption-controller',
  'pod-garbage-collector-controller',
  'ttl-after-finished-controller',
];

export interface ControlPlaneOptions {
  /** The bed's pod network: the API server also listens on its gateway, which pods can reach. */
  podNetwork?: { gateway: string };
}

const READY_TIMEOUT_MS = 90_000;

async function startEtcd(dir: string, logDir: string): Promise<{ process: ManagedProcess; url: string }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess({
    name: 'etcd',
    command: testBedBinary('etcd'),
    args: [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    logDir,
  });
  await waitUntilReady(etcd, async () => (await httpCall(`${url}/health`)).statusCode === 200, READY_TIMEOUT_MS);
  return { process: etcd, url };
}

function apiServerArgs(pki: ControlPlanePki, port: number, etcdUrl: string, dir: string, options: ControlPlaneOptions): string[] {
  const gateway = options.podNetwork?.gateway;
  const nodeArgs = gateway
    ? [
        // Pods reach the API server on the bridge's address (there is no kube-proxy for the `kubernetes`
        // Service's ClusterIP); loopback keeps working for the harness.
        '--bind-address=0.0.0.0',
        `--advertise-address=${gateway}`,
        // Webhooks and aggregated APIs are called at an endpoint address of their Service, not its ClusterIP.
        '--enable-aggregator-routing=true',
        // Logs and exec go to the node's IP: its name resolves nowhere (and a DNS query would leave the machine).
        '--kubelet-preferred-address-types=InternalIP',
      ]
    : ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1'];
  return [
    ...nodeArgs,
    `--etcd-servers=${etcdUrl}`,
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.apiServer.cert}`,
    `--tls-private-key-file=${pki.apiServer.key}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://127.0.0.1:${port}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--endpoint-reconciler-type=none',
    '--profiling=false',
    // The ServiceAccount admission plugin stays on (pods get the kube-api-access volume, as on a
    // real cluster): kube-controller-manager creates the `default` ServiceAccounts it needs.
  ];
}

/** An HTTPS GET to the API server as the admin. */
export function adminGet(server: string, pki: ControlPlanePki, path: string): Promise<HttpResult> {
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.admin.cert), key: readFileSync(pki.admin.key) };
  return httpCall(`${server}${path}`, { tls });
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'xo-e2e-'));
  const logDir = join(dir, 'logs');
  const pkiDir = join(dir, 'pki');
  mkdirSync(logDir);
  mkdirSync(pkiDir);
  const gateway = options.podNetwork?.gateway;
  const pki = createControlPlanePki(pkiDir, gateway ? [`IP:${gateway}`] : []);
  const processes: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...processes].reverse()) await child.stop();
    // E2E_KEEP_TMP=1 keeps the logs and data for a post-mortem.
    if (process.env.E2E_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
  };
  try {
    const etcd = await startEtcd(dir, logDir);
    processes.push(etcd.process);
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const startApiServer = async (): Promise<ManagedProcess> => {
      const apiServer = startProcess({
        name: 'kube-apiserver',
        command: testBedBinary('kubeApiServer'),
        args: apiServerArgs(pki, port, etcd.url, dir, options),
        logDir,
      });
      await waitUntilReady(apiServer, async () => (await adminGet(server, pki, '/readyz')).statusCode === 200, READY_TIMEOUT_MS);
      return apiServer;
    };
    let apiServer = await startApiServer();
    processes.push(apiServer);
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    const kc = writeKubeconfig(kubeconfigPath, server, pki.caCert, 'e2e-admin', {
      kind: 'clientCert', certFile: pki.admin.cert, keyFile: pki.admin.key,
    });
    const controllerManager = startProcess({
      name: 'kube-controller-manager',
      command: testBedBinary('kubeControllerManager'),
      args: [
        `--kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false',
        `--controllers=${[...CONTROLLERS, ...(gateway ? NODE_CONTROLLERS : [])].join(',')}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=false',
        '--bind-address=127.0.0.1',
        '--secure-port=0',
      ],
      logDir,
    });
    processes.push(controllerManager);
    const restartApiServer = async (): Promise<void> => {
      await apiServer.stop();
      processes.splice(processes.indexOf(apiServer), 1);
      apiServer = await startApiServer();
      processes.splice(1, 0, apiServer);
    };
    const stopControllerManager = async (): Promise<void> => {
      await controllerManager.stop();
    };
    return { kubeconfigPath, kc, server, port, pki, dir, logDir, restartApiServer, stopControllerManager, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
