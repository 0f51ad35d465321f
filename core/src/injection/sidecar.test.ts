import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { renderCollectorConfigYaml } from '../collector/render.js';
import { COLLECTOR_CONFIG_ENV } from '../constants.js';
import type { Credentials } from './credentials.js';

const noCredentials: Credentials = { env: [], volumeMounts: [] };
import { unescapeForKubelet } from './env-sources.js';
import { collectorSidecar, goMemoryLimit } from './sidecar.js';

describe('goMemoryLimit', () => {
  it('is 80% of the memory limit in MiB', () => {
    expect(goMemoryLimit('192Mi')).toBe('153MiB');
    expect(goMemoryLimit('1Gi')).toBe('819MiB');
    expect(goMemoryLimit('500M')).toBe('381MiB');
    expect(goMemoryLimit('268435456')).toBe('204MiB');
  });

  it('is absent without a limit or for a quantity it does not understand', () => {
    expect(goMemoryLimit(undefined)).toBeUndefined();
    expect(goMemoryLimit('1e3Mi')).toBeUndefined();
    expect(goMemoryLimit('1Ki')).toBeUndefined();
  });
});

describe('the collector config env value', () => {
  it('reaches the collector as rendered once kubelet has expanded it, with a user $ still escaped for the collector', () => {
    const spec = resolveSpec({ collector: { indexedAttributes: ['$(AWS_SECRET_ACCESS_KEY)', 'a$${env:HOME}'] } });
    const sidecar = collectorSidecar(spec, noCredentials, true);
    const value = sidecar.env!.find((e) => e.name === COLLECTOR_CONFIG_ENV)!.value!;
    expect(unescapeForKubelet(value)).toBe(renderCollectorConfigYaml(spec));
    expect(value).toContain('${env:AWS_REGION}');
  });
});

describe('sharing between pods', () => {
  const spec = resolveSpec({});
  const credentials: Credentials = { env: [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::1:role/r' }], volumeMounts: [] };

  it('gives every pod the same deeply frozen sidecar, one per native and regular', () => {
    const sidecar = collectorSidecar(spec, noCredentials, true);
    expect(collectorSidecar(spec, noCredentials, true)).toBe(sidecar);
    expect(collectorSidecar(spec, noCredentials, false)).not.toBe(sidecar);
    expect(collectorSidecar(spec, noCredentials, false).restartPolicy).toBeUndefined();
    expect(Object.isFrozen(sidecar) && Object.isFrozen(sidecar.env) && Object.isFrozen(sidecar.env![0]) && Object.isFrozen(sidecar.securityContext!.capabilities!.drop)).toBe(true);
    expect(() => sidecar.env!.push({ name: 'X' })).toThrow(TypeError);
  });

  it('gives a pod with credentials its own sidecar and leaves the shared one as it was', () => {
    const shared = collectorSidecar(spec, noCredentials, true);
    const own = collectorSidecar(spec, credentials, true);
    expect(own).not.toBe(shared);
    expect(own.env!.map((e) => e.name)).toEqual([...shared.env!.map((e) => e.name), 'AWS_ROLE_ARN']);
    expect(shared.env!.map((e) => e.name)).not.toContain('AWS_ROLE_ARN');
  });
});
