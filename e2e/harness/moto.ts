// moto's server mode as the X-Ray trace API (PutTraceSegments, GetTraceSummaries, BatchGetTraces).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBedBinary } from './binaries.js';
import { httpCall } from './http.js';
import { freePort } from './ports.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface Moto {
  /** `http://HOST:PORT` */
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** `host`: where it listens, 127.0.0.1 unless a real node's pods must reach it (the bed's bridge address). */
export async function startMoto(host = '127.0.0.1'): Promise<Moto> {
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'xo-moto-'));
  const moto = startProcess({
    name: 'moto',
    command: testBedBinary('motoPython'),
    args: ['-m', 'moto.server', '-H', host, '-p', String(port)],
    env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'us-east-1' },
    logDir,
  });
  const endpoint = `http://${host}:${port}`;
  await waitUntilReady(moto, async () => (await httpCall(`${endpoint}/moto-api/data.json`)).statusCode === 200, 60_000);
  return { endpoint, process: moto, stop: () => moto.stop() };
}
