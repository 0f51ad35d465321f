// AdmissionReview fixtures (testdata/*.json) and the cluster they are reviewed against.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { API_GROUP_VERSION, XRAY_TRACING_KIND } from '../../../core/src/constants.js';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import { StaticClusterView } from '../../../core/src/cluster-view/static-view.js';
import type { AdmissionEventSink } from '../../../core/src/ports.js';

export const FIXTURE_NAMES = [
  'small-pod',
  'multi-container',
  'not-opted-in',
  'already-injected',
  'missing-xraytracing',
  'dry-run',
  'update-operation',
  'non-pod-resource',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function fixtureText(name: FixtureName): string {
  return readFileSync(new URL(`../testdata/${name}.json`, import.meta.url), 'utf8');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary JSON
export function fixture(name: FixtureName): any {
  return JSON.parse(fixtureText(name));
}

/** Namespace `shop` has an XRayTracing `default`; `payments` has none. */
export function fixtureView(): StaticClusterView {
  const tracing: XRayTracing = {
    apiVersion: API_GROUP_VERSION,
    kind: XRAY_TRACING_KIND,
    metadata: { name: 'default', namespace: 'shop' },
    spec: { collector: { region: 'eu-west-1' } },
  };
  return new StaticClusterView({ xrayTracings: [tracing], clusterName: 'prod-eu' });
}

/** What the operator does: resolve each XRayTracing object once and reuse the result. */
export function cachedResolver(): (tracing: XRayTracing) => ResolvedSpec {
  const cache = new WeakMap<XRayTracing, ResolvedSpec>();
  return (tracing) => {
    let spec = cache.get(tracing);
    if (!spec) cache.set(tracing, (spec = resolveSpec(tracing.spec)));
    return spec;
  };
}

export interface RecordedEvent {
  namespace: string;
  podName: string;
  reason: string;
  owner?: { kind: string; name: string; uid: string };
}

export class RecordingEventSink implements AdmissionEventSink {
  readonly events: RecordedEvent[] = [];
  podNotInjected(namespace: string, podName: string, reason: string, owner?: { kind: string; name: string; uid: string }): void {
    this.events.push({ namespace, podName, reason, ...(owner ? { owner } : {}) });
  }
}

/** A pino logger whose JSON lines are kept in `lines`. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
