// npm run bench:patch-libraries — the JSON-patch libraries on the webhook's own pods: CPU per answer for the diff
// and the encoding the webhook sends (JSON, base64), with the encoding alone as the floor, in one process. Each
// library's patch is checked to turn the admitted pod into the injected one (applied by rfc6902).
// Pods: the webhook fixtures, injected by the engine (which shares what it leaves unchanged with the input).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import fastJsonPatch from 'fast-json-patch';
import { create } from 'jsondiffpatch';
import { format } from 'jsondiffpatch/formatters/jsonpatch';
import { applyPatch, createPatch } from 'rfc6902';
import { injectWithView } from '../core/src/injection/index.js';
import type { V1PodLike } from '../core/src/injection/index.js';
import { encodePatch, podPatch } from '../webhook/src/patch.js';
import { cachedResolver, fixture, fixtureView, type FixtureName } from '../webhook/src/testing/fixtures.js';
import { median, round } from './stats.js';

const SHAPES: FixtureName[] = ['small-pod', 'multi-container'];
const ROUNDS = 7;
const ITERATIONS = 5_000;
/** Distinct pod objects per shape, so no library sees the same object twice in a row. */
const POOL = 64;

type Diff = (original: object, mutated: object) => readonly unknown[];
const jsondiffpatch = create({ arrays: { detectMove: false } });
const LIBRARIES: Record<string, Diff> = {
  'webhook (podPatch: jsondiffpatch)': podPatch,
  'jsondiffpatch 0.7': (a, b) => format(jsondiffpatch.diff(a, b) ?? {}),
  'fast-json-patch 3 (compare)': (a, b) => fastJsonPatch.compare(a, b),
  'rfc6902 5 (createPatch)': (a, b) => createPatch(a, b),
};

const cpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/** Median over rounds of CPU µs per call. */
function measure(run: (i: number) => unknown, iterations: number): number {
  for (let i = 0; i < iterations / 5; i++) run(i);
  const perCall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = cpuMicros();
    for (let i = 0; i < iterations; i++) run(i);
    perCall.push((cpuMicros() - started) / iterations);
  }
  return round(median(perCall), 1);
}

function injectedPair(shape: FixtureName): [V1PodLike, V1PodLike] {
  const pod = (fixture(shape) as { request: { object: V1PodLike } }).request.object;
  const outcome = injectWithView(pod, 'shop', fixtureView(), cachedResolver());
  if (outcome.action !== 'injected') throw new Error(`${shape} was not injected: ${outcome.reason}`);
  return [pod, outcome.pod];
}

function appliesTo(diff: Diff, [original, mutated]: [V1PodLike, V1PodLike]): boolean {
  const patched = structuredClone(original);
  const operations = JSON.parse(JSON.stringify(diff(original, mutated))) as Parameters<typeof applyPatch>[1];
  return applyPatch(patched, operations).every((error) => error === null) && JSON.stringify(patched) === JSON.stringify(mutated);
}

const results: Record<string, Record<string, { cpuMicrosPerAnswer: number; operations: number; patchBytes: number; appliesToInjectedPod: boolean }>> = {};
const floors: Record<string, number> = {};
for (const shape of SHAPES) {
  const pairs = Array.from({ length: POOL }, () => injectedPair(shape));
  const reference = podPatch(...pairs[0]!);
  floors[shape] = measure(() => encodePatch(reference), ITERATIONS);
  results[shape] = {};
  for (const [name, diff] of Object.entries(LIBRARIES)) {
    const operations = diff(...pairs[0]!);
    // rfc6902 is two orders slower on arrays: fewer calls keep the run short.
    const iterations = name.startsWith('rfc6902') ? ITERATIONS / 20 : ITERATIONS;
    results[shape][name] = {
      cpuMicrosPerAnswer: measure((i) => Buffer.from(JSON.stringify(diff(...pairs[i % POOL]!))).toString('base64'), iterations),
      operations: operations.length,
      patchBytes: JSON.stringify(operations).length,
      appliesToInjectedPod: appliesTo(diff, pairs[0]!),
    };
  }
}

const rows = Object.entries(results).flatMap(([shape, byLibrary]) => [
  { shape, library: '(encoding alone: the floor)', 'CPU µs': floors[shape], ops: '', bytes: '', applies: '' },
  ...Object.entries(byLibrary).map(([library, r]) => ({ shape, library, 'CPU µs': r.cpuMicrosPerAnswer, ops: r.operations, bytes: r.patchBytes, applies: r.appliesToInjectedPod })),
]);
console.table(rows);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/patch-libraries.json',
  `${JSON.stringify(
    {
      benchmark: 'patch-libraries',
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      measures: 'CPU µs per answer (median of rounds): diff of the admitted and the injected pod, JSON.stringify, base64',
      settings: { rounds: ROUNDS, iterations: ITERATIONS, distinctPods: POOL },
      encodingFloorMicros: floors,
      shapes: results,
    },
    null,
    2,
  )}\n`,
);
console.log('Wrote bench/results/patch-libraries.json');
