// Runs helm against the chart and parses what it renders.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yaml from 'js-yaml';

const execFileAsync = promisify(execFile);

export const chartDir = fileURLToPath(new URL('../xray-operator', import.meta.url));
export const valuesDir = fileURLToPath(new URL('./values', import.meta.url));
export const RELEASE = 'xo';
export const NAMESPACE = 'xray-system';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs helm; never throws on a non-zero exit. */
export async function helm(binary: string, args: readonly string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await execFileAsync(binary, args, { maxBuffer: 32 * 1024 * 1024, timeout: 60_000 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout, stderr: stderr || String(error) };
  }
}

export function templateArgs(valuesFiles: readonly string[], extra: readonly string[] = []): string[] {
  return ['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...valuesFiles.flatMap((file) => ['-f', file]), ...extra];
}

export function parseManifests(text: string): K8sObject[] {
  return yaml.loadAll(text).filter((doc): doc is K8sObject => typeof doc === 'object' && doc !== null);
}

export function findObject(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`Expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}
