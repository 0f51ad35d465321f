// The `xray-operator` commands: inject, collector-config, webhook, run, demo.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import { renderCollectorConfigYaml } from '../../../core/src/collector/render.js';
import { supportsNativeSidecars } from '../../../core/src/cluster-view/kubernetes-version.js';
import { ConfigError, parseOperatorConfig, runOptionsHelp } from '../config/operator-config.js';
import { runDemo } from './demo.js';
import { packageVersion } from './package-root.js';
import { injectManifests, type InjectedManifest } from './inject-manifests.js';
import { ManifestError, describeObject, dumpManifests, readManifests } from './manifest.js';
import { loadTracings } from './tracing-files.js';
import { serveWebhook } from './webhook-command.js';

const USAGE = `Usage: xray-operator <command> [options]

AWS X-Ray tracing for Node.js workloads on Kubernetes, without code changes.

Commands:
  inject -f FILE [-f FILE…] [--tracing FILE]   Print Pods and workloads (Deployment, StatefulSet, DaemonSet,
                                                ReplicaSet, Job, CronJob) injected; FILE "-" reads stdin
      --namespace NS            namespace of objects that name none (default: default)
      --cluster-name NAME       k8s.cluster.name resource attribute
      --kubernetes-version V    target cluster version; before 1.29 the collector runs as a regular container
      --allow-unknown-kinds     pass objects of other kinds through unchanged instead of failing
  collector-config [--tracing FILE]             Print the ADOT collector config the operator generates
  webhook --tracing FILE --listen HOST:PORT --tls-cert F --tls-key F [--health-listen HOST:PORT]
                                                Serve the admission webhook without a cluster
  run [options]                                 Run the operator (controller + webhook) in a cluster
  demo                                          Inject the bundled examples and print the result
  help, --help                                  Show this help

Without --tracing, the built-in defaults are used (as if an XRayTracing with an empty spec existed).
`;

class UsageError extends Error {
  override name = 'UsageError';
}

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

function parse<const T extends ParseOptions>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true as const, allowPositionals: false as const }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** `1.28`, `v1.30.2` → whether native sidecars (Kubernetes ≥ 1.29) are available. */
function nativeSidecarsOf(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) throw new UsageError(`--kubernetes-version must look like 1.30, got "${version}"`);
  return supportsNativeSidecars({ major: match[1], minor: match[2] });
}

function reportInjection(results: readonly InjectedManifest[], stderr: NodeJS.WritableStream): void {
  for (const { object, summary, warnings } of results) {
    if (summary === 'passed through') continue;
    stderr.write(`${describeObject(object)}: ${summary}\n`);
    for (const warning of warnings) stderr.write(`  warning: ${warning}\n`);
  }
}

function injectCommand(argv: readonly string[]): void {
  const values = parse(argv, {
    file: { type: 'string', short: 'f', multiple: true },
    tracing: { type: 'string', multiple: true },
    namespace: { type: 'string', default: 'default' },
    'cluster-name': { type: 'string' },
    'kubernetes-version': { type: 'string' },
    'allow-unknown-kinds': { type: 'boolean', default: false },
  });
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError('inject needs -f FILE (or -f - for stdin)');
  const documents = files.flatMap((file) => readManifests(file));
  const version = values['kubernetes-version'];
  const results = injectManifests(documents, {
    tracings: loadTracings(values.tracing ?? []),
    defaultNamespace: values.namespace,
    clusterName: values['cluster-name'],
    nativeSidecarsSupported: version === undefined ? true : nativeSidecarsOf(version),
    allowUnknownKinds: values['allow-unknown-kinds'],
  });
  process.stdout.write(dumpManifests(results.map((r) => r.object)));
  reportInjection(results, process.stderr);
}

function collectorConfigCommand(argv: readonly string[]): void {
  const values = parse(argv, { tracing: { type: 'string' } });
  const [loaded, ...more] = values.tracing ? loadTracings([values.tracing]) : [];
  if (more.length > 0) throw new UsageError('collector-config takes a file with one XRayTracing');
  process.stdout.write(renderCollectorConfigYaml(loaded?.spec ?? resolveSpec({})));
}

async function webhookCommand(argv: readonly string[]): Promise<void> {
  const values = parse(argv, {
    tracing: { type: 'string', multiple: true },
    listen: { type: 'string', default: '127.0.0.1:9443' },
    'health-listen': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'cluster-name': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  });
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (!certFile || !keyFile) throw new UsageError('webhook needs --tls-cert and --tls-key');
  await serveWebhook({
    tracings: loadTracings(values.tracing ?? []),
    listen: values.listen,
    healthListen: values['health-listen'],
    certFile,
    keyFile,
    clusterName: values['cluster-name'],
    logLevel: values['log-level'],
  });
}

async function runCommand(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write(`Usage: xray-operator run [options]\n\n${runOptionsHelp()}\n`);
    return;
  }
  const config = parseOperatorConfig(argv, process.env);
  // Loaded on demand: the other commands need no Kubernetes or AWS client.
  const { runOperator } = await import('./run-command.js');
  await runOperator(config);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inject':
        injectCommand(rest);
        return 0;
      case 'collector-config':
        collectorConfigCommand(rest);
        return 0;
      case 'webhook':
        await webhookCommand(rest);
        return 0;
      case 'run':
        await runCommand(rest);
        return 0;
      case 'demo':
        runDemo(process.stdout);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      case '--version':
        process.stdout.write(`${packageVersion()}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ManifestError || error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
