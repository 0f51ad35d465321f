import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Annotations, Env, InjectedNames, PRELOAD_PATH } from '../../../core/src/constants.js';

const run = promisify(execFile);
const ENTRY = join(import.meta.dirname, 'main.ts');
const TESTDATA = join(import.meta.dirname, 'testdata');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], stdin?: string): Promise<CliResult> {
  const child = run(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: join(import.meta.dirname, '../../..') });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'xo-cli-')), name);
  writeFileSync(path, content);
  return path;
}

type Obj = Record<string, any>;

describe('xray-operator inject', () => {
  it('injects opted-in workload templates, extends NODE_OPTIONS from an envFrom ConfigMap in the input and passes other kinds through', async () => {
    const result = await cli(['inject', '-f', join(TESTDATA, 'workloads.yaml')]);
    expect(result.code).toBe(0);
    const [configMap, service, cronJob, statefulSet] = yaml.loadAll(result.stdout) as Obj[];
    expect(configMap!.kind).toBe('ConfigMap');
    expect(service!.kind).toBe('Service');
    const template = cronJob!.spec.jobTemplate.spec.template;
    expect(template.metadata.annotations[Annotations.injected]).toMatch(/^default\/[0-9a-f]+$/);
    const env = template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === Env.nodeOptions)?.value).toBe(`--enable-source-maps --require ${PRELOAD_PATH}`);
    expect(env.find((e) => e.name === Env.serviceName)?.value).toBe('nightly');
    expect(template.spec.initContainers.map((c: Obj) => c.name)).toEqual([InjectedNames.initContainer, InjectedNames.sidecarContainer]);
    expect(statefulSet!.spec.template.spec.initContainers).toBeUndefined();
    expect(result.stderr).toContain('CronJob shop/nightly: injected (XRayTracing default)');
    expect(result.stderr).toContain('StatefulSet shop/ledger: unchanged');
  });

  it('reads stdin and puts the collector in a regular container for clusters older than 1.29', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, annotations: {xray-operator.dev/inject-nodejs: "true"}}\nspec: {containers: [{name: app, image: node:22}]}\n';
    const result = await cli(['inject', '-f', '-', '--kubernetes-version', 'v1.28.3'], pod);
    expect(result.code).toBe(0);
    const [injected] = yaml.loadAll(result.stdout) as Obj[];
    expect(injected!.spec.containers.map((c: Obj) => c.name)).toEqual(['app', InjectedNames.sidecarContainer]);
  });

  it('uses the XRayTracing given with --tracing', async () => {
    const tracing = tempFile('xrt.yaml', 'apiVersion: tracing.xray-operator.dev/v1alpha1\nkind: XRayTracing\nmetadata: {name: payments}\nspec: {sampling: {mode: local, fixedRate: 0.25}}\n');
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, annotations: {xray-operator.dev/inject-nodejs: payments}}\nspec: {containers: [{name: app, image: node:22}]}\n';
    const result = await cli(['inject', '-f', '-', '--tracing', tracing], pod);
    expect(result.code).toBe(0);
    const env = (yaml.loadAll(result.stdout) as Obj[])[0]!.spec.containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === Env.tracesSampler)?.value).toBe('parentbased_traceidratio');
    expect(env.find((e) => e.name === Env.tracesSamplerArg)?.value).toBe('0.25');
  });

  it('injects the workloads the XRayTracing selects by label, without annotations, and leaves out what it excludes', async () => {
    const tracing = tempFile('xrt.yaml', [
      'apiVersion: tracing.xray-operator.dev/v1alpha1', 'kind: XRayTracing', 'metadata: {name: default}',
      'spec: {selector: {matchLabels: {runtime: node}}, exclude: {workloads: [{kind: Deployment, name: legacy}]}}', '',
    ].join('\n'));
    const deployment = (name: string, labels: string, annotations = '{}') =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec: {template: {metadata: {labels: ${labels}, annotations: ${annotations}}, spec: {containers: [{name: app, image: node:22}]}}}\n`;
    const input = [
      deployment('web', '{runtime: node}'),
      deployment('legacy', '{runtime: node}'),
      deployment('opted-out', '{runtime: node}', '{xray-operator.dev/inject-nodejs: "false"}'),
      deployment('worker', '{runtime: python}'),
    ].join('---\n');
    const result = await cli(['inject', '-f', '-', '--tracing', tracing], input);
    expect(result.code).toBe(0);
    const injected = (yaml.loadAll(result.stdout) as Obj[]).map((d) => d.spec.template.metadata.annotations?.[Annotations.injected] !== undefined);
    expect(injected).toEqual([true, false, false, false]);
    expect(result.stderr).toContain('Deployment shop/legacy: unchanged: Excluded by XRayTracing "default" (spec.exclude)');
  });

  it('fails with the field and the allowed values for an invalid XRayTracing', async () => {
    const tracing = tempFile('bad.yaml', 'apiVersion: tracing.xray-operator.dev/v1alpha1\nkind: XRayTracing\nmetadata: {name: bad}\nspec: {collector: {mode: daemonset}}\n');
    const result = await cli(['inject', '-f', join(TESTDATA, 'workloads.yaml'), '--tracing', tracing]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid XRayTracing bad');
    expect(result.stderr).toMatch(/spec\.collector\.mode: must be one of "sidecar", "gateway"/);
  });

  it('fails clearly on malformed YAML and unknown kinds', async () => {
    const bad = await cli(['inject', '-f', '-'], 'kind: [oops');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: <stdin> is not valid YAML/);
    const unknown = await cli(['inject', '-f', '-'], 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown kind Deploymnet');
    const allowed = await cli(['inject', '-f', '-', '--allow-unknown-kinds'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x}\n');
    expect(allowed.code).toBe(0);
    expect((yaml.load(allowed.stdout) as Obj).kind).toBe('Widget');
  });

  it('explains usage errors with exit code 2', async () => {
    const result = await cli(['inject']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('inject needs -f FILE');
    expect((await cli(['frobnicate'])).stderr).toContain('unknown command "frobnicate"');
  });
});

describe('xray-operator collector-config', () => {
  it('prints the config rendered from the given XRayTracing', async () => {
    const tracing = tempFile('xrt.yaml', 'apiVersion: tracing.xray-operator.dev/v1alpha1\nkind: XRayTracing\nmetadata: {name: t}\nspec: {collector: {region: ap-south-1, indexedAttributes: [order.id]}}\n');
    const result = await cli(['collector-config', '--tracing', tracing]);
    expect(result.code).toBe(0);
    const config = yaml.load(result.stdout) as Obj;
    expect(config.exporters.awsxray).toMatchObject({ region: 'ap-south-1', indexed_attributes: ['order.id'] });
    expect(config.extensions.awsproxy.endpoint).toBe('localhost:2000');
  });
});

describe('xray-operator demo', () => {
  it('injects the bundled example deployment and prints the collector config', async () => {
    const result = await cli(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deployment shop/checkout: injected (XRayTracing default)');
    expect(result.stdout).toContain('indexed_attributes:');
  });
});
