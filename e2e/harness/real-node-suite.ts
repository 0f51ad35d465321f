// The real-node bed (real-node.ts) per vitest file: up in beforeAll, down in afterAll, and the kubelet's and the
// containers' logs printed when a test fails.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { containerLogTails } from './node/cleanup.js';
import { tailOf } from './processes.js';
import { startRealNodeBed, type RealNodeBed, type RunningRealNodeBed } from './real-node.js';

/** Registers beforeAll/afterAll hooks; the getter is valid inside tests. `install: false` leaves the chart out. */
export function useRealNode(options: { install?: boolean } = {}): () => RealNodeBed {
  let running: RunningRealNodeBed | undefined;
  beforeAll(async () => {
    running = await startRealNodeBed(options);
  });
  afterEach((context) => {
    if (context.task.result?.state !== 'fail' || !running) return;
    const { controlPlane, node } = running.bed;
    console.error(`kubelet log tail:\n${tailOf(`${controlPlane.logDir}/kubelet.log`, 30)}`);
    console.error(`container logs:\n${containerLogTails(node.podLogsDir)}`);
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error('Real-node test bed is not up (beforeAll failed)');
    return running.bed;
  };
}

