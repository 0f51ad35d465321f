// The operator as the user runs it (`node bin/xray-operator.js run …`), on this host: webhook on
// HTTPS 127.0.0.1 with a serving cert from the control plane's CA (SAN IP:127.0.0.1, which the
// API server dials), health and metrics on plain HTTP.
import { join } from 'node:path';
import type { ControlPlane } from './control-plane.js';
import { httpCall } from './http.js';
import { repoRoot } from './paths.js';
import { issueCertificate, type KeyPairFiles } from './pki.js';
import { freePort } from './ports.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface OperatorOptions {
  /** Kubeconfig the operator uses (default: the admin's). */
  kubeconfigPath?: string;
  namespace?: string;
  clusterName?: string;
  region?: string;
  /** X-Ray API endpoint (the fake X-Ray). */
  xrayEndpoint?: string;
  /** Flags the chart's Deployment gives the operator container (after `run`); ours replace same-named ones. */
  chartArgs?: readonly string[];
  extraArgs?: readonly string[];
  /** Node.js flags before the script (e.g. `--cpu-prof`, `--max-old-space-size=…`). */
  nodeArgs?: readonly string[];
  /** The script node runs (default: the launcher, bin/xray-operator.js, which runs the bundle). */
  cli?: string;
  /** Environment variables added to the operator's (e.g. the image's `ENV`, as bench:controller sets them). */
  env?: Readonly<Record<string, string>>;
}

export interface RunningOperator {
  /** `https://127.0.0.1:PORT` — the webhook path goes after it. */
  webhookBaseUrl: string;
  healthBaseUrl: string;
  process: ManagedProcess;
  /** Stops the process (the ports stay reserved for `start`). */
  stop(): Promise<void>;
  /** Starts it again with the same ports and flags. */
  start(): Promise<void>;
}

/** Flags this host decides (addresses, certificates, credentials); the chart's values for them are dropped. */
const LOCAL_FLAGS = ['kubeconfig', 'webhook-listen', 'health-listen', 'cert-mode', 'cert-secret', 'tls-cert', 'tls-key', 'xray-endpoint', 'region'];

const flagName = (arg: string): string => /^--([^=]+)/.exec(arg)?.[1] ?? '';

export const OPERATOR_CLI = join(repoRoot, 'bin/xray-operator.js');
/** The compiled CLI without the bundle: every module loaded from node_modules as `tsc` left the imports. */
export const OPERATOR_CLI_UNBUNDLED = join(repoRoot, 'dist/operator/src/cli/main.js');

/** One serving cert per control plane (a process may start several, each with its own CA and directory). */
const servingCerts = new WeakMap<ControlPlane, KeyPairFiles>();

function webhookServingCert(controlPlane: ControlPlane): KeyPairFiles {
  let cert = servingCerts.get(controlPlane);
  if (!cert) {
    cert = issueCertificate(controlPlane.pki.dir, 'webhook', '/CN=xray-operator-webhook', 'serverAuth', ['IP:127.0.0.1', 'DNS:localhost']);
    servingCerts.set(controlPlane, cert);
  }
  return cert;
}

export async function startOperator(controlPlane: ControlPlane, options: OperatorOptions = {}): Promise<RunningOperator> {
  const cert = webhookServingCert(controlPlane);
  const [webhookPort, healthPort] = [await freePort(), await freePort()];
  const args = [
    ...(options.nodeArgs ?? []),
    options.cli ?? OPERATOR_CLI, 'run',
    ...(options.chartArgs ?? [`--namespace=${options.namespace ?? 'xray-system'}`, `--cluster-name=${options.clusterName ?? 'e2e'}`])
      .filter((arg) => !LOCAL_FLAGS.includes(flagName(arg))),
    `--kubeconfig=${options.kubeconfigPath ?? controlPlane.kubeconfigPath}`,
    `--webhook-listen=127.0.0.1:${webhookPort}`,
    `--health-listen=127.0.0.1:${healthPort}`,
    '--cert-mode=files', `--tls-cert=${cert.cert}`, `--tls-key=${cert.key}`,
    ...(options.region ? [`--region=${options.region}`] : []),
    ...(options.xrayEndpoint ? [`--xray-endpoint=${options.xrayEndpoint}`] : []),
    ...(options.extraArgs ?? []),
  ];
  const healthBaseUrl = `http://127.0.0.1:${healthPort}`;
  const env = {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...options.env,
  };
  const running: RunningOperator = {
    webhookBaseUrl: `https://127.0.0.1:${webhookPort}`,
    healthBaseUrl,
    process: undefined as unknown as ManagedProcess,
    stop: () => running.process.stop(),
    start: async () => {
      running.process = startProcess({ name: 'xray-operator', command: process.execPath, args, env, logDir: controlPlane.logDir });
      await waitUntilReady(running.process, async () => (await httpCall(`${healthBaseUrl}/readyz`)).statusCode === 200, 60_000);
    },
  };
  await running.start();
  return running;
}
