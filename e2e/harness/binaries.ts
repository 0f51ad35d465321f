// Where the e2e binaries live: the version-keyed cache that scripts/e2e/build-binaries.sh fills.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface TestBedVersions {
  kubernetes: string;
  etcd: string;
  otelcol: string;
  moto: string;
}

export interface TestBedBinaries {
  etcd: string;
  kubeApiServer: string;
  kubeControllerManager: string;
  kubelet: string;
  kubeScheduler: string;
  otelcol: string;
  /** The Python interpreter of moto's venv (run as `python -m moto.server`). */
  motoPython: string;
}

const versionsFile = join(repoRoot, 'scripts/e2e/versions.env');

export function readVersions(): TestBedVersions {
  const entries = new Map<string, string>();
  for (const line of readFileSync(versionsFile, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (match) entries.set(match[1]!, match[2]!);
  }
  const get = (key: string): string => {
    const value = entries.get(key);
    if (!value) throw new Error(`${versionsFile} has no ${key}`);
    return value;
  };
  return {
    kubernetes: get('KUBERNETES_VERSION'),
    etcd: get('ETCD_VERSION'),
    otelcol: get('OTELCOL_VERSION'),
    moto: get('MOTO_VERSION'),
  };
}

/** As build-binaries.sh keys the collector: the first 8 hex of the builder manifest's sha256. */
function otelcolManifestKey(): string {
  return createHash('sha256').update(readFileSync(join(repoRoot, 'scripts/e2e/otelcol-builder.yaml'))).digest('hex').slice(0, 8);
}

export function cacheDir(): string {
  return process.env.XRAY_OPERATOR_CACHE ?? join(homedir(), '.cache/xray-operator');
}

/** Path of one cached binary; throws, naming the build script, when it is missing. */
export function testBedBinary(component: keyof TestBedBinaries): string {
  const versions = readVersions();
  const bin = join(cacheDir(), 'bin');
  const paths: TestBedBinaries = {
    etcd: join(bin, `etcd-${versions.etcd}`, 'etcd'),
    kubeApiServer: join(bin, `kubernetes-${versions.kubernetes}`, 'kube-apiserver'),
    kubeControllerManager: join(bin, `kubernetes-${versions.kubernetes}`, 'kube-controller-manager'),
    kubelet: join(bin, `kubernetes-node-${versions.kubernetes}`, 'kubelet'),
    kubeScheduler: join(bin, `kubernetes-node-${versions.kubernetes}`, 'kube-scheduler'),
    otelcol: join(bin, `otelcol-${versions.otelcol}-${otelcolManifestKey()}`, 'otelcol-xray'),
    motoPython: join(bin, `moto-${versions.moto}`, 'venv/bin/python'),
  };
  const path = paths[component];
  if (!existsSync(path)) throw new Error(`Missing e2e binary ${path} (run scripts/e2e/build-binaries.sh)`);
  return path;
}
